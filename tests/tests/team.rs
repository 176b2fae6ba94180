//! One `serve --http` for a whole team, driven by rmcp's client in both eras: each request
//! acting with its own Orchestra key (`--http-per-user-keys`), the combinations refused at
//! start-up, the tool headers that narrow one client's tools, and the health endpoints a
//! load balancer or Kubernetes probes.

use orchestra_tests::{
    Era, FakeOptions, FakeOrchestra, HttpServer, ServerOptions, call_over_http, env, http_client, http_get, http_post,
    run_binary, stderr, text,
};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

const TOKEN: &str = "team-server-token";

/// A server against `fake` holding no key of its own, with these variables.
async fn keyless(fake: &FakeOrchestra, vars: &[(&str, &str)]) -> HttpServer {
    let options = ServerOptions { api_key: None, env: env(vars), ..ServerOptions::for_fake(fake) };
    HttpServer::start(options, "0").await.expect("the server starts")
}

async fn call(
    client: &rmcp::service::RunningService<rmcp::RoleClient, ()>,
    tool: &str,
    arguments: Value,
) -> rmcp::model::CallToolResult {
    call_over_http(client, tool, arguments).await.expect("an answer")
}

/// Start requests the fake received with this key.
fn starts_with(fake: &FakeOrchestra, key: &str) -> usize {
    let bearer = format!("Bearer {key}");
    fake.requests()
        .iter()
        .filter(|r| r.path.ends_with("/start") && r.header("authorization") == Some(bearer.as_str()))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn two_clients_with_their_own_keys_share_one_server_and_each_acts_as_itself() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let (alice_key, bob_key) = (fake.api_key().to_string(), fake.read_only_key().unwrap().to_string());
    let server = keyless(&fake, &[("ORCHESTRA_MCP_HTTP_PER_USER_KEYS", "1")]).await;
    for era in [Era::Sessions, Era::Stateless] {
        // Alice as on Orchestra's own hosted server (the key as the bearer), Bob in the header.
        let alice_bearer = format!("Bearer {alice_key}");
        let alice = http_client(&server.url, &[("authorization", &alice_bearer)], None, era).await.unwrap();
        let bob = http_client(&server.url, &[("x-orchestra-api-key", &bob_key)], None, era).await.unwrap();
        // As clients do: a 2026-07-28 one learns there which arguments also go in headers.
        for client in [&alice, &bob] {
            client.list_tools(None).await.unwrap();
        }
        let dedupe_key = format!("nightly-{era:?}");
        let args = json!({"pipeline_id_or_alias": "hourly_ingest", "dedupe_key": dedupe_key});
        let starts_before = (starts_with(&fake, &alice_key), starts_with(&fake, &bob_key));

        // At the same time, with the same dedupe_key: each call acts with its caller's key.
        let (alice_started, bob_started) = tokio::join!(call(&alice, "start_pipeline", args.clone()), async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            call(&bob, "start_pipeline", args.clone()).await
        });
        assert_eq!(alice_started.is_error, Some(false), "{era:?}: {}", text(&alice_started));
        let run_id = alice_started.structured_content.as_ref().unwrap()["pipelineRunId"].as_str().unwrap().to_string();
        let bob_text = text(&bob_started);
        assert_eq!(bob_started.is_error, Some(true), "{era:?}: Bob's read-only key cannot start: {bob_text}");
        assert!(bob_text.contains("403") && bob_text.contains("read-only"), "{era:?}: {bob_text}");
        assert!(!bob_text.contains(&run_id) && !bob_text.contains("Repeat call"), "never Alice's run: {bob_text}");
        assert_eq!(
            (starts_with(&fake, &alice_key), starts_with(&fake, &bob_key)),
            (starts_before.0 + 1, starts_before.1 + 1),
            "{era:?}: one start sent with each key"
        );

        // Alice's repeat is hers, answered from memory; both still read.
        let repeat = call(&alice, "start_pipeline", args.clone()).await;
        assert!(text(&repeat).contains("Repeat call") && text(&repeat).contains(&run_id), "{}", text(&repeat));
        assert_eq!(starts_with(&fake, &alice_key), starts_before.0 + 1, "the repeat sent nothing");
        for client in [&alice, &bob] {
            let runs = call(client, "get_pipeline_run", json!({"pipeline_run_id": run_id})).await;
            assert_eq!(runs.is_error, Some(false), "{}", text(&runs));
        }
        let _ = alice.cancel().await;
        let _ = bob.cancel().await;
    }
    // Every request to Orchestra carried one of the two keys, and the server never logged either.
    for request in fake.requests() {
        let auth = request.header("authorization").unwrap_or_default();
        assert!(auth == format!("Bearer {alice_key}") || auth == format!("Bearer {bob_key}"), "{}", request.path);
    }
    let log = server.stderr();
    assert!(!log.contains(&alice_key) && !log.contains(&bob_key), "{log}");
}

#[tokio::test(flavor = "multi_thread")]
async fn per_user_keys_with_a_server_token_take_the_key_from_its_header_and_refuse_requests_without() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server =
        keyless(&fake, &[("ORCHESTRA_MCP_HTTP_PER_USER_KEYS", "1"), ("ORCHESTRA_MCP_HTTP_TOKEN", TOKEN)]).await;
    let token = format!("Bearer {TOKEN}");
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "team", "version": "1"}}})
    .to_string()
    .into_bytes();
    let post = |headers: Vec<(&'static str, String)>| {
        let url = server.url.clone();
        let body = initialize.clone();
        async move {
            let mut all = vec![
                ("content-type", "application/json".to_string()),
                ("accept", "application/json, text/event-stream".to_string()),
            ];
            all.extend(headers);
            let borrowed: Vec<(&str, &str)> = all.iter().map(|(n, v)| (*n, v.as_str())).collect();
            let (status, body) = http_post(&url, &borrowed, body).await.unwrap();
            (status, String::from_utf8_lossy(&body).into_owned())
        }
    };
    let (status, body) = post(vec![("authorization", token.clone())]).await;
    assert_eq!(status, 401, "the token alone is not a key: {body}");
    assert!(body.contains("X-Orchestra-Api-Key") && body.contains("token"), "{body}");
    let (status, body) = post(vec![("authorization", token.clone()), ("x-orchestra-api-key", "short".into())]).await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("not one") && !body.contains("short"), "the value is never quoted: {body}");
    let (status, _) = post(vec![("x-orchestra-api-key", fake.api_key().into())]).await;
    assert_eq!(status, 401, "the key alone does not pass the server's token");

    let headers = [("authorization", token.as_str()), ("x-orchestra-api-key", fake.api_key())];
    let client = http_client(&server.url, &headers, None, Era::Stateless).await.unwrap();
    let checked = call(&client, "check_connection", json!({})).await;
    assert_eq!(checked.is_error, Some(false), "{}", text(&checked));
    assert!(fake.requests().iter().all(|r| r.header("authorization") != Some(token.as_str())), "the token stays here");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_key_orchestra_refuses_is_worded_for_the_user_who_sent_it() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = keyless(&fake, &[("ORCHESTRA_MCP_HTTP_PER_USER_KEYS", "1")]).await;
    let client =
        http_client(&server.url, &[("x-orchestra-api-key", "revoked-key-0000")], None, Era::Sessions).await.unwrap();
    let result = call(&client, "list_pipelines", json!({})).await;
    let said = text(&result);
    assert_eq!(result.is_error, Some(true));
    assert!(said.contains("401") && said.contains("each request brings"), "{said}");
    assert!(!said.contains("ORCHESTRA_API_KEY") && !said.contains("revoked-key-0000"), "{said}");
}

/// A command line, its variables, and what the refusal must say.
type Refused<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[tokio::test(flavor = "multi_thread")]
async fn unsafe_combinations_are_refused_at_start_up_saying_what_to_change() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let base = fake.base_url();
    let common = [("ORCHESTRA_BASE_URL", base.as_str()), ("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")];
    let cases: [Refused; 3] = [
        (
            &["serve", "--http", "0", "--http-per-user-keys"],
            &[("ORCHESTRA_API_KEY", "server-wide-key")],
            "Unset the server's key",
        ),
        (&["serve", "--http-per-user-keys"], &[], "needs --http"),
        (&["serve", "--http", "0.0.0.0:0"], &[("ORCHESTRA_API_KEY", "server-wide-key")], "--http-per-user-keys"),
    ];
    for (args, vars, says) in cases {
        let vars: Vec<(&str, &str)> = common.iter().chain(vars).copied().collect();
        let out = run_binary(args, &vars).await;
        assert!(!out.status.success(), "{args:?} must not start");
        assert!(stderr(&out).contains(says), "{args:?}: {}", stderr(&out));
        assert!(!stderr(&out).contains("server-wide-key"), "{}", stderr(&out));
    }
    // Per-user keys beyond loopback without a token are allowed: every request needs a key.
    let options = ServerOptions {
        api_key: None,
        env: env(&[("ORCHESTRA_MCP_HTTP_PER_USER_KEYS", "1")]),
        ..ServerOptions::for_fake(&fake)
    };
    let server = HttpServer::start(options, "0.0.0.0:0").await.expect("per-user keys may listen beyond loopback");
    server.terminate().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn request_headers_narrow_one_clients_tools_and_never_widen_them() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let options =
        ServerOptions { env: env(&[("ORCHESTRA_MCP_DISABLE_TOOLS", "list_assets")]), ..ServerOptions::for_fake(&fake) };
    let server = HttpServer::start(options, "0").await.unwrap();
    for era in [Era::Sessions, Era::Stateless] {
        let everything = http_client(&server.url, &[], None, era).await.unwrap();
        let all = everything.list_tools(None).await.unwrap().tools;
        let narrow_headers = [("x-mcp-toolsets", "pipelines, pipeline_runs"), ("x-mcp-readonly", "true")];
        let narrow = http_client(&server.url, &narrow_headers, None, era).await.unwrap();
        let seen = narrow.list_tools(None).await.unwrap().tools;
        assert!(!seen.is_empty() && seen.len() < all.len(), "{era:?}: {} of {}", seen.len(), all.len());
        for tool in &seen {
            assert_eq!(tool.annotations.as_ref().and_then(|a| a.read_only_hint), Some(true), "{}", tool.name);
        }
        let refused = narrow
            .call_tool(
                CallToolRequestParams::new("start_pipeline")
                    .with_arguments(json!({"pipeline_id_or_alias": "hourly_ingest"}).as_object().cloned().unwrap()),
            )
            .await
            .expect_err("hidden for this client");
        assert!(
            refused.to_string().contains("start_pipeline") && refused.to_string().contains("X-MCP-Readonly"),
            "{refused}"
        );
        // The other client, at the same time, still has every tool.
        assert_eq!(
            call(&everything, "start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await.is_error,
            Some(false)
        );
        let _ = narrow.cancel().await;
        let _ = everything.cancel().await;
    }
    // A name the server does not expose (hidden by the operator, or a typo) is refused by name.
    for (header, value, named) in
        [("x-mcp-tools", "list_assets", "list_assets"), ("x-mcp-toolsets", "pipelnes", "pipelines")]
    {
        let headers =
            [("content-type", "application/json"), ("accept", "application/json, text/event-stream"), (header, value)];
        let body = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}});
        let (status, body) = http_post(&server.url, &headers, body.to_string().into_bytes()).await.unwrap();
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 400, "{body}");
        assert!(body.contains(named) && body.contains("never add"), "{body}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn health_and_readiness_answer_without_a_token_and_without_the_key() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let options = ServerOptions { env: env(&[("ORCHESTRA_MCP_HTTP_TOKEN", TOKEN)]), ..ServerOptions::for_fake(&fake) };
    let server = HttpServer::start(options, "0").await.unwrap();
    let root = server.url.trim_end_matches("/mcp").to_string();
    let (status, body) = http_get(&format!("{root}/healthz"), &[]).await.unwrap();
    assert_eq!((status, String::from_utf8_lossy(&body).trim()), (200, "ok"));
    let (status, body) = http_get(&format!("{root}/readyz"), &[]).await.unwrap();
    let ready: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 200, "{ready}");
    assert!(ready["ready"] == true && ready["tools"].as_u64().unwrap() > 10, "{ready}");
    fake.clear_requests();
    let (status, body) = http_get(&format!("{root}/readyz?orchestra=1"), &[]).await.unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let asked = fake.requests();
    assert_eq!(asked.len(), 1, "one request to Orchestra");
    assert_eq!(asked[0].header("authorization"), None, "readiness never sends the key");
    assert_eq!(http_get(&server.url, &[]).await.unwrap().0, 401, "the MCP endpoint still needs the token");

    // Orchestra unreachable: not ready with ?orchestra=1, still ready without.
    drop(fake);
    let (status, body) = http_get(&format!("{root}/readyz?orchestra=1"), &[]).await.unwrap();
    let said: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(status, 503, "{said}");
    assert!(said["reason"].as_str().unwrap().contains("cannot be reached"), "{said}");
    assert_eq!(http_get(&format!("{root}/readyz"), &[]).await.unwrap().0, 200);
}
