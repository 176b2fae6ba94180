//! The MCP stdio transport under abuse, driven line by line: every stdout line must be
//! JSON-RPC, malformed input gets the right answer or a deliberate silence, the server
//! keeps serving, cancellation stops the guest, and end of input exits cleanly.

use std::time::Duration;

use orchestra_tests::{FakeOptions, FakeOrchestra, RawSession, ServerOptions, hostile_component};
use serde_json::{Value, json};

/// A raw session with a hostile component, handshake done. The fake must outlive it.
async fn hostile_session(fake: &FakeOrchestra, scenario: &str, env: &[(&str, &str)]) -> RawSession {
    let mut session = RawSession::start(ServerOptions {
        component: Some(hostile_component(scenario)),
        env: orchestra_tests::env(env),
        ..ServerOptions::for_fake(fake)
    })
    .await;
    session.initialize().await;
    session
}

fn list(id: i64) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/list"})
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_input_is_answered_or_ignored_and_the_server_keeps_serving() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut session = RawSession::start(ServerOptions::for_fake(&fake)).await;
    session.initialize().await;

    // Not JSON at all: rmcp 3.9 drops the line without a reply (deliberate silence).
    session.send_raw(b"{not json\n").await;
    session.send(list(1)).await;
    let first = session.recv_within(Duration::from_secs(10)).await.expect("an answer");
    assert_eq!(first["id"], 1, "the bad line got no reply, the next request did: {first}");

    // JSON, but not JSON-RPC.
    session.send(json!({"foo": "bar"})).await;
    session.send(list(2)).await;
    let answer = session.response(2).await;
    assert!(answer["result"]["tools"].is_array());

    // A method nobody defined.
    session.send(json!({"jsonrpc": "2.0", "id": 3, "method": "orchestra/selfdestruct"})).await;
    let unknown = session.response(3).await;
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    // An unknown tool is invalid params.
    let call = session.call(4, "no_such_tool", json!({})).await;
    assert_eq!(call["error"]["code"], -32602, "{call}");

    // A 10 MiB line, over the 8 MiB limit: dropped (deliberate silence), never buffered whole.
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/list\",\"params\":{{\"pad\":\"{}\"}}}}\n",
        "x".repeat(10 << 20)
    );
    session.send_raw(huge.as_bytes()).await;
    session.send(list(6)).await;
    let after = session.response(6).await;
    assert!(after["result"]["tools"].is_array(), "still serving after a 10 MiB line, which was dropped unanswered");
    assert!(session.stderr().contains("over the size limit"), "the drop is logged");

    let (status, _, _) = session.close().await;
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn stdout_carries_only_mcp_even_when_the_guest_prints() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut session = hostile_session(&fake, "stdout", &[]).await;
    // recv_within fails the test on any line that is not JSON-RPC.
    let printed = session.call(1, "scenario", json!({})).await;
    assert_eq!(printed["result"]["structuredContent"], json!({"printed": true}), "{printed}");
    let ok = session.call(2, "ok", json!({})).await;
    assert_eq!(ok["result"]["structuredContent"], json!({"ok": true}));
    let (status, _, stderr) = session.close().await;
    assert!(status.success());
    // The guest's output is in the log, bounded, with escape sequences neutralised.
    assert!(stderr.contains("guest output") && stderr.contains("not MCP"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "raw escape sequences reached the log");
    assert!(stderr.len() < 200_000, "guest output is bounded in the log ({} bytes)", stderr.len());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_cancelled_call_stops_its_guest_and_sends_no_result() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut session = hostile_session(&fake, "loop-forever", &[("ORCHESTRA_MCP_MAX_CONCURRENT_CALLS", "1")]).await;
    session
        .send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "scenario", "arguments": {}}}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    session
        .send(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1, "reason": "user"}}))
        .await;
    // With one slot, this call can only run if the cancelled guest released it.
    let ok = session.call(2, "ok", json!({})).await;
    assert_eq!(ok["result"]["structuredContent"], json!({"ok": true}), "{ok}");
    let late = session.recv_within(Duration::from_millis(500)).await;
    assert!(late.is_none(), "no result is sent for a cancelled request: {late:?}");
    let (status, _, _) = session.close().await;
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn end_of_input_exits_zero_promptly_even_with_a_call_in_flight() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut session = hostile_session(&fake, "loop-forever", &[]).await;
    session
        .send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "scenario", "arguments": {}}}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (status, took, _) = session.close().await;
    assert!(status.success(), "exit status {status}");
    assert!(took < Duration::from_secs(5), "exit took {took:?}");
}
