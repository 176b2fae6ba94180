//! Which tools the server exposes under each switch, through the real binary: hidden tools
//! are absent from `tools/list` and refused when called, read-only mode holds against
//! enables, and switches that name nothing are reported on stderr.

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions};
use serde_json::json;

async fn server_with(fake: &FakeOrchestra, env: &[(&str, &str)]) -> Server {
    Server::start(ServerOptions { env: orchestra_tests::env(env), ..ServerOptions::for_fake(fake) })
        .await
        .expect("server starts")
}

fn names(server: &Server) -> Vec<String> {
    server.tools.iter().map(|t| t.name.to_string()).collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_mode_exposes_no_write_tool_and_refuses_calls_to_one() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = server_with(
        &fake,
        &[("ORCHESTRA_MCP_READ_ONLY", "1"), ("ORCHESTRA_MCP_ENABLE_TOOLS", "start_pipeline,whats_broken")],
    )
    .await;
    assert_eq!(names(&server), ["whats_broken"], "read-only wins over an enable");
    assert!(server.tools.iter().all(|t| t.annotations.as_ref().and_then(|a| a.read_only_hint) == Some(true)));
    let error = server.try_call("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh"})).await.unwrap_err();
    let message = error.to_string();
    assert!(message.contains("not enabled") && message.contains("ORCHESTRA_MCP_ENABLE_TOOLS"), "{message}");
    assert!(fake.requests().is_empty(), "nothing reached Orchestra");
    server.ok("whats_broken", json!({})).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn toolsets_switch_on_and_off_and_unknown_names_are_warned_about() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let triage = server_with(&fake, &[("ORCHESTRA_MCP_ENABLE_TRIAGE", "true")]).await;
    assert_eq!(names(&triage), ["whats_broken", "diagnose_task_run", "pipeline_context"]);

    let default = server_with(&fake, &[]).await;
    let trimmed = server_with(
        &fake,
        &[("ORCHESTRA_MCP_DISABLE_LOGS", "yes"), ("ORCHESTRA_MCP_DISABLE_TOOLS", "start_pipeline,no_such_tool")],
    )
    .await;
    let expected: Vec<String> = names(&default)
        .into_iter()
        .filter(|n| !matches!(n.as_str(), "list_task_run_logs" | "get_task_run_log" | "start_pipeline"))
        .collect();
    assert_eq!(names(&trimmed), expected);
    let stderr = trimmed.stop().await;
    assert!(stderr.contains("no tool is named \"no_such_tool\""), "{stderr}");
}
