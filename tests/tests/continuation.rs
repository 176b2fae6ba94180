//! Long operations are driven by the host: a tool step may return `pending` with a state,
//! and the host relays its progress to the client and calls again until it is done.

use std::process::Stdio;

use orchestra_tests::{FakeOptions, FakeOrchestra, ProgressLog, cache_dir, probe_component, server_binary};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, NumberOrString, ProgressToken, RequestMetaObject};
use serde_json::json;

#[tokio::test(flavor = "multi_thread")]
async fn a_pending_tool_is_resumed_by_the_host_with_progress_relayed() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut command = tokio::process::Command::new(server_binary());
    command
        .arg("serve")
        .env("ORCHESTRA_BASE_URL", fake.base_url())
        .env("ORCHESTRA_API_KEY", fake.api_key())
        .env("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")
        .env("ORCHESTRA_MCP_CACHE_DIR", cache_dir())
        .env("ORCHESTRA_MCP_COMPONENT", probe_component());
    let (transport, _) = rmcp::transport::TokioChildProcess::builder(command).stderr(Stdio::null()).spawn().unwrap();
    let log = ProgressLog::default();
    let client = log.clone().serve(transport).await.unwrap();

    let mut params =
        CallToolRequestParams::new("countdown").with_arguments(json!({"steps": 3}).as_object().cloned().unwrap());
    params.meta =
        Some(RequestMetaObject::with_progress_token(ProgressToken(NumberOrString::String("countdown-1".into()))));
    let result = client.call_tool(params).await.unwrap();
    assert!(!result.is_error.unwrap_or(false));
    assert_eq!(result.structured_content, Some(json!({"steps": 3})));

    // Notifications may trail the response by a moment.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    let progress = log.0.lock().unwrap().clone();
    let steps: Vec<f64> = progress.iter().map(|p| p.0).collect();
    assert_eq!(steps, [1.0, 2.0, 3.0], "one progress notification per pending step");
    assert!(progress.iter().all(|p| p.1 == Some(3.0)));
    assert_eq!(progress[0].2.as_deref(), Some("step 1 of 3"));
    client.cancel().await.unwrap();
}
