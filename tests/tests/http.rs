//! `serve --http` from outside, by hand: what the transport lets in (checklist M6: loopback
//! by default, Host and Origin checks, the bearer token), body limits, JSON-RPC errors for
//! malformed bodies, ending a session, a clean exit on SIGTERM that answers the calls in
//! flight, and the dedupe-key header a stateless start must carry. Real clients drive whole sessions over HTTP in `real_clients.rs`.

use orchestra_tests::{
    FakeOptions, FakeOrchestra, HttpServer, ServerOptions, env, hostile_component, http_post, http_request,
};
use rmcp::ServiceExt;
use serde_json::{Value, json};

const TOKEN: &str = "mcp-endpoint-token";

/// A legacy-era `initialize`, the first request of a 2025-11-25 session.
fn initialize() -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "http-test", "version": "1"}}})
    .to_string()
    .into_bytes()
}

/// Posts `initialize` with these extra headers; the status and body.
async fn post(server: &HttpServer, extra: &[(&str, &str)], body: Vec<u8>) -> (u16, String) {
    let mut headers = vec![("content-type", "application/json"), ("accept", "application/json, text/event-stream")];
    headers.extend_from_slice(extra);
    let (status, body) = http_post(&server.url, &headers, body).await.expect("the server answers");
    (status, String::from_utf8_lossy(&body).into_owned())
}

async fn start(fake: &FakeOrchestra, extra_env: &[(&str, &str)], listen: &str) -> anyhow::Result<HttpServer> {
    let mut vars =
        vec![("ORCHESTRA_MCP_HTTP_TOKEN", TOKEN), ("ORCHESTRA_MCP_HTTP_ALLOWED_ORIGINS", "https://claude.ai")];
    vars.extend_from_slice(extra_env);
    HttpServer::start(ServerOptions { env: env(&vars), ..ServerOptions::for_fake(fake) }, listen).await
}

#[tokio::test(flavor = "multi_thread")]
async fn m6_only_the_right_host_origin_and_token_get_in() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = start(&fake, &[], "0").await.unwrap();
    assert!(server.url.starts_with("http://127.0.0.1:") && server.url.ends_with("/mcp"), "loopback by default");
    let bearer = format!("Bearer {TOKEN}");
    let auth = ("authorization", bearer.as_str());

    let (status, body) = post(&server, &[], initialize()).await;
    assert_eq!(status, 401, "no token: {body}");
    assert!(body.contains("ORCHESTRA_MCP_HTTP_TOKEN"), "{body}");
    assert_eq!(post(&server, &[("authorization", "Bearer wrong")], initialize()).await.0, 401);
    let (status, body) = post(&server, &[auth], initialize()).await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("orchestra-mcp"), "the initialize answer: {body}");

    let (status, body) = post(&server, &[auth, ("host", "evil.test")], initialize()).await;
    assert_eq!(status, 403, "DNS rebinding: {body}");
    let (status, body) = post(&server, &[auth, ("origin", "https://evil.test")], initialize()).await;
    assert_eq!(status, 403, "a foreign origin: {body}");
    assert_eq!(post(&server, &[auth, ("origin", "https://claude.ai")], initialize()).await.0, 200, "configured");
    assert_eq!(post(&server, &[auth, ("origin", "http://localhost:6274")], initialize()).await.0, 200, "loopback");

    // Nothing of this reached Orchestra, and the token never does.
    assert!(fake.requests().iter().all(|r| !r.headers.iter().any(|(_, v)| v.contains(TOKEN))));
}

#[tokio::test(flavor = "multi_thread")]
async fn bodies_over_the_limit_are_refused_and_the_server_keeps_serving() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = start(&fake, &[("ORCHESTRA_MCP_HTTP_MAX_BODY_BYTES", "65536")], "127.0.0.1:0").await.unwrap();
    let bearer = format!("Bearer {TOKEN}");
    let mut huge = b"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"pad\":\"".to_vec();
    huge.extend(std::iter::repeat_n(b'x', 1024 * 1024));
    huge.extend(b"\"}}");
    let (status, _) = post(&server, &[("authorization", &bearer)], huge).await;
    assert_eq!(status, 413);
    assert_eq!(post(&server, &[("authorization", &bearer)], initialize()).await.0, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn beyond_loopback_a_token_is_required_and_sigterm_ends_the_server_cleanly() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let open = HttpServer::start(ServerOptions::for_fake(&fake), "0.0.0.0:0").await;
    let message = format!("{:#}", open.err().expect("no token, all interfaces: refused"));
    assert!(message.contains("ORCHESTRA_MCP_HTTP_TOKEN"), "{message}");

    let server = start(&fake, &[], "0").await.unwrap();
    assert_eq!(post(&server, &[("authorization", &format!("Bearer {TOKEN}"))], initialize()).await.0, 200);
    let status = server.terminate().await.unwrap();
    assert!(status.success(), "exit status {status}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_body_gets_its_json_rpc_error_and_a_session_ends_with_204() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = start(&fake, &[], "0").await.unwrap();
    let bearer = format!("Bearer {TOKEN}");
    let auth = ("authorization", bearer.as_str());
    for (body, code) in [
        (b"{not json".to_vec(), -32700),
        (b"[1, 2]".to_vec(), -32600),
        (br#"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":5}}"#.to_vec(), -32602),
    ] {
        let (status, text) = post(&server, &[auth], body).await;
        assert_eq!(status, 400, "{text}");
        let error: Value = serde_json::from_str(&text).expect("the answer is JSON-RPC");
        assert_eq!(error["error"]["code"], code, "{error}");
    }

    // A 2025-11-25 session ends with DELETE, answered 204.
    let headers = [auth, ("content-type", "application/json"), ("accept", "application/json, text/event-stream")];
    let (status, answer, _) = http_request("POST", &server.url, &headers, initialize()).await.unwrap();
    assert_eq!(status, 200);
    let session = answer.iter().find(|(n, _)| n == "mcp-session-id").map(|(_, v)| v.clone()).expect("a session id");
    let (status, _, _) =
        http_request("DELETE", &server.url, &[auth, ("mcp-session-id", session.as_str())], Vec::new()).await.unwrap();
    assert_eq!(status, 204);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_answers_the_calls_in_flight_before_exiting() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let options =
        ServerOptions { component: Some(hostile_component("loop-forever")), ..ServerOptions::for_fake(&fake) };
    let server = HttpServer::start(options, "0").await.unwrap();
    let client = ().serve(rmcp::transport::StreamableHttpClientTransport::from_uri(server.url.clone())).await.unwrap();
    let call =
        tokio::spawn(async move { client.peer().call_tool(rmcp::model::CallToolRequestParams::new("scenario")).await });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let status = server.terminate().await.unwrap();
    assert!(status.success(), "exit status {status}");
    let answer = tokio::time::timeout(std::time::Duration::from_secs(5), call)
        .await
        .expect("the call was answered before the server went away")
        .unwrap();
    let error = answer.expect_err("a call that never ends cannot succeed");
    assert!(error.to_string().contains("shutting down"), "{error}");
}

/// A 2026-07-28 `tools/call` of `start_pipeline` with a dedupe key, its standard headers,
/// and `dedupe_header` as its `Mcp-Param-Dedupe-Key` (none when `None`).
fn stateless_start(dedupe_header: Option<&str>) -> (Vec<(&'static str, String)>, Vec<u8>) {
    let meta = json!({"io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientInfo": {"name": "http-test", "version": "1"},
        "io.modelcontextprotocol/clientCapabilities": {}});
    let body = json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "start_pipeline",
        "arguments": {"pipeline_id_or_alias": "hourly_ingest", "dedupe_key": "routed-by-header"}, "_meta": meta}});
    let mut headers = vec![
        ("authorization", format!("Bearer {TOKEN}")),
        ("mcp-protocol-version", "2026-07-28".to_string()),
        ("mcp-method", "tools/call".to_string()),
        ("mcp-name", "start_pipeline".to_string()),
    ];
    if let Some(value) = dedupe_header {
        headers.push(("mcp-param-dedupe-key", value.to_string()));
    }
    (headers, body.to_string().into_bytes())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_stateless_start_must_carry_its_dedupe_key_in_the_header_a_front_routes_by() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = start(&fake, &[], "0").await.unwrap();
    let starts = || fake.requests().iter().filter(|r| r.path.ends_with("/start")).count();
    // Without the header, or with another value than the argument: refused before it runs.
    for header in [None, Some("another-key")] {
        let (headers, body) = stateless_start(header);
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (status, said) = post(&server, &headers, body).await;
        assert_eq!(status, 400, "{said}");
        assert!(said.contains("-32020") && said.contains("Mcp-Param-Dedupe-Key"), "{said}");
        assert_eq!(starts(), 0, "a refused call starts nothing");
    }
    // With it, as the schema's x-mcp-header asks: the run starts.
    let (headers, body) = stateless_start(Some("routed-by-header"));
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, said) = post(&server, &headers, body).await;
    assert_eq!(status, 200, "{said}");
    assert!(said.contains("pipelineRunId"), "{said}");
    assert_eq!(starts(), 1);
}
