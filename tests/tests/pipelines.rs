//! The pipeline tools through the real binary against the fake: listing with filters,
//! the three ways to select one pipeline, JSON-string fields parsed, and the definition.

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions};
use serde_json::json;

async fn setup() -> (FakeOrchestra, Server) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.expect("fake starts");
    let server = Server::start(ServerOptions::for_fake(&fake)).await.expect("server starts");
    (fake, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn list_pipelines_filters_and_parses_schedules() {
    let (fake, server) = setup().await;
    let all = server.ok("list_pipelines", json!({})).await;
    assert_eq!(all["total"], fake.snapshot().pipelines.len());
    let daily = all["pipelines"].as_array().unwrap().iter().find(|p| p["alias"] == "daily_refresh").unwrap();
    assert_eq!(daily["schedule"][0]["cron"], "0 2 * * *", "the API's JSON string is parsed: {daily}");
    assert_eq!(daily["latestRun"]["status"], "FAILED");

    let some = server.ok("list_pipelines", json!({"name_contains": "SYNC"})).await;
    let names: Vec<&str> = some["pipelines"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Hourly Fivetran sync"]);

    let failing = server.ok("list_pipelines", json!({"latest_run_status": ["FAILED", "WARNING"]})).await;
    let aliases: Vec<&str> =
        failing["pipelines"].as_array().unwrap().iter().map(|p| p["alias"].as_str().unwrap()).collect();
    assert_eq!(aliases, ["daily_refresh", "marketing_attribution"]);

    let few = server.ok("list_pipelines", json!({"limit": 2})).await;
    assert_eq!((few["returned"].as_u64(), few["truncated"].as_bool()), (Some(2), Some(true)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pipeline_is_found_by_alias_id_or_repository_path() {
    let (fake, server) = setup().await;
    let by_alias = server.ok("get_pipeline", json!({"pipeline_id_or_alias": "finance_close"})).await;
    let id = by_alias["pipeline"]["id"].as_str().unwrap().to_string();
    assert_eq!(by_alias["pipeline"]["webhook"], json!({"enabled": false}), "JSON-string fields are parsed");
    assert!(by_alias["editUrl"].as_str().unwrap().ends_with(&format!("/pipelines/{id}/edit")));

    let by_id = server.ok("get_pipeline", json!({"pipeline_id_or_alias": id})).await;
    assert_eq!(by_id["pipeline"]["alias"], "finance_close");
    let by_path = server
        .ok(
            "get_pipeline",
            json!({"repository": "acme/data-pipelines", "yaml_path": "pipelines/finance_close.yml", "version": 3}),
        )
        .await;
    assert_eq!(by_path["pipeline"]["id"], id.as_str());

    let sent: Vec<_> = fake.requests().into_iter().filter(|r| r.path == "/pipeline").collect();
    assert_eq!(sent[0].query.as_deref(), Some("alias=finance_close"));
    assert_eq!(sent[1].query_param("pipeline_id").as_deref(), Some(id.as_str()));
    assert_eq!(sent[2].query_param("yaml_path").as_deref(), Some("pipelines/finance_close.yml"));
    assert_eq!(sent[2].query_param("repository").as_deref(), Some("acme/data-pipelines"));
}

#[tokio::test(flavor = "multi_thread")]
async fn selector_mistakes_are_caught_before_sending_and_misses_are_explained() {
    let (fake, server) = setup().await;
    for (args, field) in [
        (json!({}), "pipeline_id_or_alias"),
        (
            json!({"pipeline_id_or_alias": "daily_refresh", "repository": "acme/x", "yaml_path": "a.yml"}),
            "pipeline_id_or_alias",
        ),
        (json!({"repository": "acme/data-pipelines"}), "yaml_path"),
    ] {
        let text = server.err("get_pipeline", args.clone()).await;
        assert!(text.contains(field), "{args}: {text}");
    }
    assert!(fake.requests().is_empty(), "nothing was sent");

    let text = server.err("get_pipeline", json!({"pipeline_id_or_alias": "no_such_pipeline"})).await;
    assert!(text.contains("404") && text.contains("Pipeline not found"), "{text}");
    let text =
        server.err("get_pipeline_definition", json!({"pipeline_id_or_alias": "daily_refresh", "version": 99})).await;
    assert!(text.contains("404") && text.contains("version 99"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_definition_comes_with_its_tasks_flattened() {
    let (_fake, server) = setup().await;
    let out = server.ok("get_pipeline_definition", json!({"pipeline_id_or_alias": "daily_refresh"})).await;
    assert_eq!(out["definition"]["version"], "v1");
    let mut tasks: Vec<(&str, &str, &str)> = out["tasks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["taskId"].as_str().unwrap(), t["integration"].as_str().unwrap(), t["group"].as_str().unwrap()))
        .collect();
    tasks.sort();
    assert_eq!(
        tasks,
        [
            ("dbt_build", "DBT_CORE", "main"),
            ("extract_orders", "FIVETRAN", "main"),
            ("refresh_dashboards", "TABLEAU_CLOUD", "main")
        ]
    );
    let dbt = out["tasks"].as_array().unwrap().iter().find(|t| t["taskId"] == "dbt_build").unwrap();
    assert_eq!(dbt["dependsOn"], json!(["extract_orders"]));
    let mut integrations: Vec<&str> =
        out["integrations"].as_array().unwrap().iter().map(|i| i.as_str().unwrap()).collect();
    integrations.sort();
    assert_eq!(integrations, ["DBT_CORE", "FIVETRAN", "TABLEAU_CLOUD"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn validation_answers_with_problems_located_in_the_definition_and_needs_no_key() {
    let (fake, server) = setup().await;
    let good = server.ok("get_pipeline_definition", json!({"pipeline_id_or_alias": "daily_refresh"})).await;
    let out = server.ok("validate_pipeline", json!({"definition": good["definition"]})).await;
    assert_eq!((out["valid"].as_bool(), out["problems"].as_array().map(Vec::len)), (Some(true), Some(0)), "{out}");

    let broken = json!({
        "version": "v1",
        "name": "Broken",
        "pipeline": {"main": {"tasks": {
            "load": {"integration": "NOT_AN_INTEGRATION", "integration_job": "X", "parameters": {}},
            "dbt": {"integration": "DBT_CORE", "integration_job": "DBT_CORE_EXECUTE", "depends_on": ["lod"]},
        }}},
    });
    let out = server.ok("validate_pipeline", json!({"definition": broken})).await;
    assert_eq!(out["valid"], false);
    let mut paths: Vec<&str> =
        out["problems"].as_array().unwrap().iter().map(|p| p["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            "pipeline.main.tasks.dbt.dependsOn",
            "pipeline.main.tasks.dbt.parameters",
            "pipeline.main.tasks.load.integration"
        ]
    );

    let snake = json!({"version": "v1", "name": "Tiny", "pipeline": {"t": {
        "integration": "PYTHON", "integration_job": "PYTHON_EXECUTE_SCRIPT", "parameters": {"my_arg": 1}}}});
    let out = server.ok("validate_pipeline", json!({"definition": snake, "canonicalize": true})).await;
    assert_eq!(out["canonical"]["pipeline"]["t"]["integrationJob"], "PYTHON_EXECUTE_SCRIPT");
    assert_eq!(out["canonical"]["pipeline"]["t"]["parameters"], json!({"my_arg": 1}), "parameters keep their keys");

    // Without a key: validation works and carries no credentials; the rest names the variable.
    let keyless = Server::start(ServerOptions { api_key: None, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    fake.clear_requests();
    let out = keyless.ok("validate_pipeline", json!({"definition": good["definition"]})).await;
    assert_eq!(out["valid"], true);
    let sent = fake.requests().into_iter().find(|r| r.path == "/pipelines/schema").unwrap();
    assert!(!sent.headers.iter().any(|(name, _)| name == "authorization"));
    let text = keyless.err("list_pipelines", json!({})).await;
    assert!(text.contains("ORCHESTRA_API_KEY") && text.contains("nothing was sent"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_a_pipeline_is_opt_in_and_names_what_was_deleted() {
    let (fake, server) = setup().await;
    assert!(!server.tools.iter().any(|t| t.name == "delete_pipeline"), "absent by default");
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", "delete_pipeline,list_pipelines")]);
    let admin = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let names: Vec<&str> = admin.tools.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(names, ["list_pipelines", "delete_pipeline"], "an enable is an allowlist");

    let text = admin.err("delete_pipeline", json!({"pipeline_id_or_alias": "no_such_pipeline"})).await;
    assert!(text.contains("404"), "{text}");
    assert!(!fake.requests().iter().any(|r| r.method == "DELETE"), "a wrong name deletes nothing");

    let out = admin.ok("delete_pipeline", json!({"pipeline_id_or_alias": "reverse_etl"})).await;
    assert_eq!((out["deleted"].as_bool(), out["name"].as_str()), (Some(true), Some("Reverse ETL to Salesforce")));
    let deleted = fake.requests().into_iter().find(|r| r.method == "DELETE").unwrap();
    assert_eq!(deleted.query_param("pipeline_id").as_deref(), out["pipelineId"].as_str());
    let left = admin.ok("list_pipelines", json!({})).await;
    assert_eq!(left["total"], fake.snapshot().pipelines.len());
    assert!(!left["pipelines"].as_array().unwrap().iter().any(|p| p["alias"] == "reverse_etl"));
}

fn sent_json(fake: &FakeOrchestra, method: &str, path: &str) -> Vec<(Option<String>, serde_json::Value)> {
    fake.requests()
        .into_iter()
        .filter(|r| r.method == method && r.path == path)
        .map(|r| (r.query.clone(), serde_json::from_slice(&r.body).expect("a JSON body")))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pipeline_is_created_then_updated_with_its_changes_reported() {
    let (fake, server) = setup().await;
    let definition = json!({"version": "v1", "name": "Churn daily", "pipeline": {"main": {"tasks": {
        "score": {"integration": "PYTHON", "integration_job": "PYTHON_EXECUTE_SCRIPT", "parameters": {"command": "python score.py"}},
        "models": {"integration": "DBT_CORE", "integration_job": "DBT_CORE_EXECUTE", "parameters": {}, "depends_on": ["score"]},
    }}}});
    let created = server
        .ok("create_pipeline", json!({"alias": "churn_daily", "definition": definition, "published": true}))
        .await;
    assert_eq!(created["pipeline"]["alias"], "churn_daily");
    assert_eq!((created["version"].as_i64(), created["published"].as_bool()), (Some(1), Some(true)));
    assert_eq!(created["pipeline"]["numTasks"], 2);
    assert!(created["pipeline"].get("data").is_none(), "the definition is not echoed: {created}");
    let (_, body) = &sent_json(&fake, "POST", "/pipelines")[0];
    assert_eq!(body["alias"], "churn_daily");
    assert_eq!((body["published"].as_bool(), body.get("storageProvider")), (Some(true), None));

    // The fake runs what was created: a start makes one task run per task.
    let started = server.ok("start_pipeline", json!({"pipeline_id_or_alias": "churn_daily"})).await;
    let run_id = started["pipelineRunId"].as_str().unwrap().to_string();
    assert_eq!(fake.snapshot().task_runs.iter().filter(|t| t.1 == run_id).count(), 2);

    let mut changed = definition.clone();
    changed["pipeline"]["main"]["tasks"]["score"]["parameters"]["command"] = json!("python score.py --full");
    changed["pipeline"]["main"]["tasks"].as_object_mut().unwrap().remove("models");
    changed["pipeline"]["main"]["tasks"]["publish"] =
        json!({"integration": "TABLEAU_CLOUD", "integration_job": "TABLEAU_REFRESH_EXTRACT", "parameters": {}});
    changed["schedule"] = json!([{"name": "nightly", "cron": "0 3 * * *", "timezone": "UTC"}]);
    let id = created["pipeline"]["id"].as_str().unwrap();
    let updated = server
        .ok("update_pipeline", json!({"pipeline_id_or_alias": id, "definition": changed, "published": false}))
        .await;
    assert_eq!(
        updated["changes"],
        json!(["task publish added", "task score changed", "task models removed", "schedule changed"])
    );
    assert_eq!((updated["version"].as_i64(), updated["published"].as_bool()), (Some(2), Some(false)), "{updated}");
    assert_eq!(updated["pipeline"]["publishedVersionNumber"], 1, "a draft leaves the published version");
    let (query, body) = &sent_json(&fake, "PUT", "/pipelines")[0];
    assert_eq!((query.as_deref(), body["pipelineId"].as_str()), (None, Some(id)), "an id travels in the body");

    server
        .ok("update_pipeline", json!({"pipeline_id_or_alias": "churn_daily", "definition": changed, "published": true}))
        .await;
    let (query, body) = &sent_json(&fake, "PUT", "/pipelines")[1];
    assert_eq!((query.as_deref(), body.get("pipelineId")), (Some("alias=churn_daily"), None));
    let now = server.ok("get_pipeline", json!({"pipeline_id_or_alias": "churn_daily"})).await;
    assert_eq!(
        (now["pipeline"]["latestVersionNumber"].as_i64(), now["pipeline"]["publishedVersionNumber"].as_i64()),
        (Some(3), Some(3))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn pipeline_writes_fail_with_what_to_fix() {
    let (_fake, server) = setup().await;
    let definition = json!({"version": "v1", "name": "Taken", "pipeline": {"t": {
        "integration": "PYTHON", "integration_job": "PYTHON_EXECUTE_SCRIPT", "parameters": {}}}});
    let text = server
        .err("create_pipeline", json!({"alias": "daily_refresh", "definition": definition, "published": true}))
        .await;
    assert!(text.contains("400") && text.contains("alias daily_refresh already exists"), "{text}");

    let broken = json!({"version": "v1", "name": "Broken", "pipeline": {"main": {"tasks": {
        "load": {"integration": "NOT_AN_INTEGRATION", "integration_job": "X", "parameters": {}}}}}});
    let text = server.err("create_pipeline", json!({"alias": "broken", "definition": broken, "published": true})).await;
    assert!(text.contains("definition.pipeline.main.tasks.load.integration"), "located in the argument: {text}");

    let text = server
        .err(
            "create_pipeline",
            json!({"alias": "gitty", "definition": definition, "published": true, "repository": "acme/x"}),
        )
        .await;
    assert!(text.contains("repository") && text.contains("git_provider"), "{text}");
    let text = server
        .err(
            "create_pipeline",
            json!({"alias": "gitty", "definition": definition, "published": true, "git_provider": "GITHUB"}),
        )
        .await;
    assert!(text.contains("repository, yaml_path and default_branch"), "{text}");

    let text = server
        .err(
            "update_pipeline",
            json!({"pipeline_id_or_alias": "finance_close", "definition": definition, "published": true}),
        )
        .await;
    assert!(text.contains("Git-backed") && text.contains("repository"), "{text}");
    let text = server
        .err(
            "update_pipeline",
            json!({"pipeline_id_or_alias": "no_such_pipeline", "definition": definition, "published": true}),
        )
        .await;
    assert!(text.contains("404"), "a wrong name fails before anything is written: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn git_pipelines_are_imported_and_moved_into_git_once_enabled() {
    let (fake, default) = setup().await;
    for opt_in in ["import_pipeline", "migrate_pipeline"] {
        assert!(!default.tools.iter().any(|t| t.name == opt_in), "{opt_in} is listed by default");
    }
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_ENABLE_TOOLS", "import_pipeline,migrate_pipeline")]);
    let server = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let file = json!({"git_provider": "GITHUB", "repository": "acme/data-pipelines",
                      "yaml_path": "pipelines/customer_churn.yml", "default_branch": "main"});
    let imported = server.ok("import_pipeline", file.clone()).await;
    assert_eq!(imported["pipeline"]["alias"], "customer_churn_scores", "read back, as the import answer has none");
    assert_eq!(imported["pipeline"]["storageProvider"], "GITHUB");
    assert_eq!(imported["pipeline"]["numTasks"], 2);
    let (_, body) = &sent_json(&fake, "POST", "/pipelines/import")[0];
    assert_eq!(body["storageProvider"], "GITHUB");
    assert_eq!(body["yamlPath"], "pipelines/customer_churn.yml");

    let text = server.err("import_pipeline", file).await;
    assert!(text.contains("already exists"), "{text}");
    let text = server
        .err(
            "import_pipeline",
            json!({"git_provider": "GITHUB", "repository": "acme/data-pipelines",
                                       "yaml_path": "pipelines/nope.yml", "default_branch": "main"}),
        )
        .await;
    assert!(text.contains("404") && text.contains("pipelines/nope.yml not found"), "{text}");

    let moved = server
        .ok(
            "migrate_pipeline",
            json!({"pipeline_id_or_alias": "hourly_ingest", "git_provider": "GITLAB",
                                       "repository": "acme/data-pipelines", "yaml_path": "pipelines/hourly.yml",
                                       "default_branch": "main", "working_branch": "main"}),
        )
        .await;
    assert_eq!(moved["pipeline"]["storageProvider"], "GITLAB");
    assert_eq!(moved["pipeline"]["yamlPath"], "pipelines/hourly.yml");
    assert_eq!(moved["commitSha"].as_str().map(str::len), Some(40), "{moved}");
    let (query, body) = &sent_json(&fake, "PATCH", "/pipelines/storage-settings")[0];
    assert_eq!(query.as_deref(), Some("alias=hourly_ingest"));
    assert!(body.get("workingBranch").is_none(), "the default branch is not sent as the working branch: {body}");
    // Now git-backed, it follows its file: the Orchestra-side update is refused.
    let definition = json!({"version": "v1", "name": "x", "pipeline": {"t": {
        "integration": "PYTHON", "integration_job": "PYTHON_EXECUTE_SCRIPT", "parameters": {}}}});
    let text = server
        .err(
            "update_pipeline",
            json!({"pipeline_id_or_alias": "hourly_ingest", "definition": definition, "published": true}),
        )
        .await;
    assert!(text.contains("Git-backed"), "{text}");
}
