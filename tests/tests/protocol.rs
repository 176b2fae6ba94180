//! The MCP stdio transport under abuse, driven line by line: every stdout line must be
//! JSON-RPC, every malformed request gets its JSON-RPC error, the server keeps serving,
//! cancellation stops the guest (and a cancelled start is never repeated under its
//! dedupe key), and end of input or SIGTERM exits cleanly.

use std::time::Duration;

use orchestra_tests::{FakeOptions, FakeOrchestra, Injection, RawSession, ServerOptions, hostile_component};
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
async fn every_malformed_request_is_answered_with_its_json_rpc_error_and_the_server_keeps_serving() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut session = RawSession::start(ServerOptions::for_fake(&fake)).await;
    session.initialize().await;

    // Not JSON at all: -32700 with a null id.
    session.send_raw(b"{not json\n").await;
    let parse = session.recv_within(Duration::from_secs(10)).await.expect("an answer to an unparsable line");
    assert_eq!((parse["error"]["code"].as_i64(), &parse["id"]), (Some(-32700), &Value::Null), "{parse}");
    session.send(list(1)).await;
    assert!(session.response(1).await["result"]["tools"].is_array());

    // JSON, but not JSON-RPC: -32600.
    session.send(json!({"foo": "bar"})).await;
    let invalid = session.recv_within(Duration::from_secs(10)).await.expect("an answer");
    assert_eq!(invalid["error"]["code"], -32600, "{invalid}");

    // A method nobody defined.
    session.send(json!({"jsonrpc": "2.0", "id": 3, "method": "orchestra/selfdestruct"})).await;
    let unknown = session.response(3).await;
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    // tools/call with malformed params is invalid params, not an unknown method.
    session.send(json!({"jsonrpc": "2.0", "id": 4, "method": "tools/call", "params": {"name": 5}})).await;
    let malformed = session.response(4).await;
    assert_eq!(malformed["error"]["code"], -32602, "{malformed}");

    // An unknown tool is invalid params, naming the nearest tool.
    let call = session.call(5, "whats_brokn", json!({})).await;
    assert_eq!(call["error"]["code"], -32602, "{call}");
    assert!(call["error"]["message"].as_str().unwrap().contains("did you mean \"whats_broken\"?"), "{call}");

    // A 10 MiB line, over the 8 MiB limit: never buffered whole, answered with its id.
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/list\",\"params\":{{\"pad\":\"{}\"}}}}\n",
        "x".repeat(10 << 20)
    );
    session.send_raw(huge.as_bytes()).await;
    let too_long = session.response(6).await;
    assert_eq!(too_long["error"]["code"], -32600, "{too_long}");
    assert!(too_long["error"]["message"].as_str().unwrap().contains("8 MiB"), "{too_long}");
    session.send(list(7)).await;
    assert!(session.response(7).await["result"]["tools"].is_array(), "still serving after a 10 MiB line");

    let (status, _, _) = session.close().await;
    assert!(status.success());
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_answers_the_call_in_flight_and_exits_zero() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let mut session = hostile_session(&fake, "loop-forever", &[]).await;
    session
        .send(
            json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "scenario", "arguments": {}}}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let began = std::time::Instant::now();
    session.signal("TERM");
    // The call never finishes on its own: after the grace period it is answered as stopped.
    let answer = session.response(1).await;
    assert!(answer["error"]["message"].as_str().unwrap_or_default().contains("shutting down"), "{answer}");
    let (status, _, _) = session.close().await;
    assert!(status.success(), "exit status {status}");
    assert!(began.elapsed() < Duration::from_secs(15), "shutdown took {:?}", began.elapsed());
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
async fn a_start_cancelled_by_the_client_is_not_started_again_under_its_dedupe_key() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    // Orchestra takes 2 s, so the client cancels while the start is on its way.
    fake.inject(Injection::act_late("/start", Duration::from_secs(2)));
    let mut session = RawSession::start(ServerOptions::for_fake(&fake)).await;
    session.initialize().await;
    let args = json!({"pipeline_id_or_alias": "daily_refresh", "dedupe_key": "cancelled-once"});
    session
        .send(json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call",
            "params": {"name": "start_pipeline", "arguments": args}}))
        .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    session
        .send(json!({"jsonrpc": "2.0", "method": "notifications/cancelled", "params": {"requestId": 1, "reason": "user"}}))
        .await;
    let repeat = session.call(2, "start_pipeline", args).await;
    assert_eq!(repeat["result"]["isError"], true, "{repeat}");
    let text = repeat["result"]["content"][0]["text"].as_str().unwrap();
    assert!(text.contains("cancelled before it finished") && text.contains("dedupe_retry: true"), "{text}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let starts = fake.requests().into_iter().filter(|r| r.path.ends_with("/start")).count();
    assert_eq!(starts, 1, "the cancelled start reached Orchestra once, and the repeat not at all");
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
