//! Prompts and resource templates through the real binary against the fake: declared
//! only when served, listed, rendered with their arguments, read through tool calls, and
//! failing with the right JSON-RPC errors.

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions, probe_component};
use rmcp::model::{GetPromptRequestParams, GetPromptResponse, ReadResourceRequestParams, ResourceContents};
use serde_json::{Map, Value, json};

async fn setup() -> (FakeOrchestra, Server) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.expect("fake starts");
    let server = Server::start(ServerOptions::for_fake(&fake)).await.expect("server starts");
    (fake, server)
}

async fn prompt(server: &Server, name: &str, arguments: Value) -> Result<String, String> {
    let arguments: Map<String, Value> = arguments.as_object().cloned().unwrap_or_default();
    let mut params = GetPromptRequestParams::new(name);
    params.arguments = Some(arguments);
    match server.client.get_prompt_once(params).await {
        Ok(GetPromptResponse::Complete(result)) => {
            Ok(result.messages.iter().filter_map(|m| m.content.as_text().map(|t| t.text.clone())).collect())
        }
        Ok(other) => Err(format!("unexpected {other:?}")),
        Err(e) => Err(e.to_string()),
    }
}

async fn read(server: &Server, uri: &str) -> Result<(String, String), String> {
    match server.client.read_resource(ReadResourceRequestParams::new(uri)).await {
        Ok(result) => match &result.contents[0] {
            ResourceContents::TextResourceContents { text, mime_type, .. } => {
                Ok((mime_type.clone().unwrap_or_default(), text.clone()))
            }
            other => Err(format!("not text: {other:?}")),
        },
        Err(e) => Err(e.to_string()),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn prompts_are_declared_listed_and_rendered() {
    let (fake, server) = setup().await;
    let info = server.client.peer_info().expect("initialized");
    assert!(info.capabilities.prompts.is_some() && info.capabilities.resources.is_some(), "{:?}", info.capabilities);
    assert!(info.capabilities.completions.is_some(), "the prompts' arguments are completed: {:?}", info.capabilities);

    let prompts = server.client.list_prompts(None).await.unwrap().prompts;
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["triage", "fix_failed_run"]);
    let fix = &prompts[1];
    assert_eq!(fix.arguments.as_ref().unwrap()[0].required, Some(true));

    let text = prompt(&server, "triage", json!({"window": "3d", "environment": "Production"})).await.unwrap();
    assert!(text.contains("`whats_broken` with time_from \"3d\", environment \"Production\""), "{text}");
    let run = fake.snapshot().runs.iter().find(|r| r.2 == "FAILED").unwrap().0.clone();
    let text = prompt(&server, "fix_failed_run", json!({"pipeline_run_id": run})).await.unwrap();
    assert!(text.contains(&run) && text.contains("diagnose_task_run"), "{text}");

    for (name, args, expect) in [
        ("fix_failed_run", json!({}), "pipeline_run_id"),
        ("fix_failed_run", json!({"pipeline_run_id": "../x"}), "pipeline_run_id"),
        ("triage", json!({"window": "since forever"}), "window"),
        ("make_coffee", json!({}), "triage, fix_failed_run"),
    ] {
        let error = prompt(&server, name, args).await.expect_err("refused");
        assert!(error.contains("-32602") && error.contains(expect), "{name}: {error}");
    }
    assert!(fake.requests().is_empty(), "prompts need no request to Orchestra");
}

#[tokio::test(flavor = "multi_thread")]
async fn resources_are_read_through_their_templates() {
    let (fake, server) = setup().await;
    let templates = server.client.list_resource_templates(None).await.unwrap().resource_templates;
    let uris: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(
        uris,
        [
            "orchestra://pipelines/{pipeline}/definition",
            "orchestra://pipeline-runs/{pipeline_run_id}/summary",
            "orchestra://pipeline-runs/{pipeline_run_id}/task-runs/{task_run_id}/log"
        ]
    );
    assert!(server.client.list_resources(None).await.unwrap().resources.is_empty());

    let (mime, text) = read(&server, "orchestra://pipelines/daily_refresh/definition").await.unwrap();
    assert_eq!(mime, "application/json");
    let definition: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(definition["definition"]["name"], "Daily warehouse refresh");

    let snapshot = fake.snapshot();
    let failed = snapshot.task_runs.iter().find(|t| t.2 == "FAILED" && t.3 == "DBT_CORE").unwrap();
    let (_, text) = read(&server, &format!("orchestra://pipeline-runs/{}/summary", failed.1)).await.unwrap();
    let summary: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(summary["run"]["run"]["runStatus"], "FAILED");
    assert!(summary["taskRuns"]["taskRuns"].as_array().unwrap().iter().any(|t| t["status"] == "FAILED"));

    let uri = format!("orchestra://pipeline-runs/{}/task-runs/{}/log", failed.1, failed.0);
    let (mime, log) = read(&server, &uri).await.unwrap();
    assert_eq!(mime, "text/plain");
    assert!(log.contains("invalid identifier 'DISCOUNT_PCT'"), "the failing attempt's error is in the tail: {log}");

    let error =
        read(&server, "orchestra://pipeline-runs/286cb489-54f0-499b-b531-b84e3909ac9b/summary").await.unwrap_err();
    assert!(error.contains("-32002") && error.contains("404"), "{error}");
    for uri in ["orchestra://pipelines/a%2Fb/definition", "orchestra://nothing/here", "https://example.com/x"] {
        let error = read(&server, uri).await.unwrap_err();
        assert!(error.contains("-32602"), "{uri}: {error}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_component_without_prompts_or_resources_declares_neither() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let probe = Server::start(ServerOptions { component: Some(probe_component()), ..ServerOptions::for_fake(&fake) })
        .await
        .unwrap();
    let info = probe.client.peer_info().expect("initialized");
    assert!(info.capabilities.prompts.is_none() && info.capabilities.resources.is_none(), "{:?}", info.capabilities);
    assert!(info.capabilities.completions.is_none(), "nothing to complete: {:?}", info.capabilities);
    let error = probe.client.list_prompts(None).await.unwrap_err().to_string();
    assert!(error.contains("-32601"), "{error}");
    let error = probe.client.complete_prompt_simple("triage", "window", "").await.unwrap_err().to_string();
    assert!(error.contains("-32601"), "{error}");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_prompt_argument_and_template_variable_is_completed_from_orchestra() {
    let (fake, server) = setup().await;
    let client = &server.client;
    let prompt = |name: &str, argument: &str, typed: &str| {
        client.complete_prompt_argument(name.to_string(), argument.to_string(), typed.to_string(), None)
    };
    let snapshot = fake.snapshot();

    assert_eq!(prompt("triage", "window", "2").await.unwrap().values, ["24h", "12h"], "starting, then containing");
    assert!(prompt("triage", "window", "").await.unwrap().values.contains(&"yesterday".to_string()));
    assert_eq!(prompt("triage", "environment", "prod").await.unwrap().values, ["Production"]);
    let names: Vec<String> = snapshot.environments.iter().map(|e| e.1.clone()).collect();
    assert_eq!(prompt("triage", "environment", "").await.unwrap().values, names);

    // Failed runs of the last 7 days, newest first, as list_pipeline_runs gives them.
    let failed = prompt("fix_failed_run", "pipeline_run_id", "").await.unwrap();
    let newest_failed = snapshot.runs.iter().find(|r| r.2 == "FAILED").unwrap();
    assert_eq!(failed.values.first(), Some(&newest_failed.0), "{failed:?}");
    assert!(failed.values.iter().all(|id| snapshot.runs.iter().any(|r| r.0 == *id && r.2 == "FAILED")));
    assert_eq!(failed.total, Some(failed.values.len() as u32));
    let typed = prompt("fix_failed_run", "pipeline_run_id", &newest_failed.0[..6]).await.unwrap();
    assert_eq!(typed.values.first(), Some(&newest_failed.0));

    let template = |uri: &str, argument: &str, typed: &str, context: Option<(&str, &str)>| {
        let context = context
            .map(|(k, v)| rmcp::model::CompletionContext::with_arguments([(k.to_string(), v.to_string())].into()));
        client.complete_resource_argument(uri.to_string(), argument.to_string(), typed.to_string(), context)
    };
    let definition = "orchestra://pipelines/{pipeline}/definition";
    let pipelines = template(definition, "pipeline", "", None).await.unwrap().values;
    for (id, alias) in &snapshot.pipelines {
        assert!(pipelines.contains(id) && pipelines.contains(alias), "{id} {alias} in {pipelines:?}");
    }
    assert_eq!(template(definition, "pipeline", "daily", None).await.unwrap().values[0], "daily_refresh");

    let summary = "orchestra://pipeline-runs/{pipeline_run_id}/summary";
    let runs = template(summary, "pipeline_run_id", "", None).await.unwrap();
    assert_eq!(runs.values.first(), Some(&snapshot.runs[0].0), "newest first");
    assert!(runs.values.len() <= 100 && runs.values.iter().all(|id| snapshot.runs.iter().any(|r| r.0 == *id)));

    let log = "orchestra://pipeline-runs/{pipeline_run_id}/task-runs/{task_run_id}/log";
    assert_eq!(template(log, "pipeline_run_id", "", None).await.unwrap().values, runs.values);
    let failed_task = snapshot.task_runs.iter().find(|t| t.2 == "FAILED").unwrap();
    let tasks = template(log, "task_run_id", "", Some(("pipeline_run_id", &failed_task.1))).await.unwrap().values;
    let of_run: Vec<&String> = snapshot.task_runs.iter().filter(|t| t.1 == failed_task.1).map(|t| &t.0).collect();
    assert_eq!(tasks.len(), of_run.len(), "{tasks:?}");
    assert!(snapshot.task_runs.iter().any(|t| t.0 == tasks[0] && t.2 == "FAILED"), "a failed task first: {tasks:?}");
    assert!(template(log, "task_run_id", "", None).await.unwrap().values.is_empty(), "no run given yet");

    for (error, expect) in [
        (prompt("make_coffee", "window", "").await.unwrap_err(), "triage, fix_failed_run"),
        (prompt("triage", "colour", "").await.unwrap_err(), "window, environment"),
        (template("orchestra://nothing/{x}", "x", "", None).await.unwrap_err(), "templates"),
        (template(log, "pipeline", "", None).await.unwrap_err(), "pipeline_run_id, task_run_id"),
    ] {
        let error = error.to_string();
        assert!(error.contains("-32602") && error.contains(expect), "{error}");
    }
}
