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
    assert!(text.contains("ORCHESTRA_API_KEY") && text.contains("none is configured"), "{text}");
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
