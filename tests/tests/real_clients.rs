//! The server as real MCP clients meet it: the Python SDK client and the MCP Inspector
//! CLI, each in both protocol eras over stdio and over streamable HTTP, listing the tools
//! and calling every one against the fake; and the MCP conformance suite over HTTP. The
//! clients are installed by `tests/clients/setup.sh` (from PyPI and npm).

use std::path::PathBuf;
use std::process::Command;

use orchestra_tests::tools::{ensure_clients, python, workspace};
use orchestra_tests::{FakeOptions, FakeOrchestra, HttpServer, ServerOptions, env, server_binary};

/// The bearer token the HTTP tests' server demands; it must never reach Orchestra.
const MCP_TOKEN: &str = "token-for-the-mcp-endpoint-only";

fn clients_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("clients")
}

fn run(mut command: Command, what: &str) {
    let out = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{what} failed ({}):\n{stdout}\n{stderr}", out.status);
    println!("{what}:\n{stdout}");
}

#[tokio::test(flavor = "multi_thread")]
async fn python_sdk_client_calls_every_tool_in_both_protocol_eras() {
    ensure_clients();
    for mode in ["auto", "legacy"] {
        let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
        let mut command = Command::new(python());
        command
            .arg(clients_dir().join("python_client.py"))
            .arg("stdio")
            .arg(server_binary())
            .arg(fake.base_url())
            .arg(fake.api_key())
            .arg(mode);
        let what = format!("python mcp client ({mode})");
        tokio::task::spawn_blocking(move || run(command, &what)).await.unwrap();
    }
}

/// The server over streamable HTTP with a bearer token, against a fresh fake.
async fn http_server() -> (FakeOrchestra, HttpServer) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    // The opt-in tools the Python client calls when listed.
    let enable =
        ("ORCHESTRA_MCP_ENABLE_TOOLS", "migrate_pipeline,import_pipeline,create_environment,update_environment");
    let options = ServerOptions {
        env: env(&[("ORCHESTRA_MCP_HTTP_TOKEN", MCP_TOKEN), enable]),
        ..ServerOptions::for_fake(&fake)
    };
    let server = HttpServer::start(options, "0").await.unwrap();
    (fake, server)
}

/// K4: the MCP client's credentials stay at this server; Orchestra sees only its own key.
fn assert_no_token_passthrough(fake: &FakeOrchestra) {
    let requests = fake.requests();
    assert!(!requests.is_empty());
    for request in requests {
        assert!(!request.headers.iter().any(|(_, v)| v.contains(MCP_TOKEN)), "{} {}", request.method, request.path);
        if let Some(auth) = request.header("authorization") {
            assert_eq!(auth, format!("Bearer {}", fake.api_key()), "{} {}", request.method, request.path);
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn python_sdk_client_over_http_in_both_eras_and_no_token_passthrough() {
    ensure_clients();
    for mode in ["auto", "legacy"] {
        let (fake, server) = http_server().await;
        let mut command = Command::new(python());
        command.arg(clients_dir().join("python_client.py")).arg("http").arg(&server.url).arg(MCP_TOKEN).arg(mode);
        let what = format!("python mcp client over HTTP ({mode})");
        tokio::task::spawn_blocking(move || run(command, &what)).await.unwrap();
        assert_no_token_passthrough(&fake);
        assert!(!server.stderr().contains(MCP_TOKEN), "the token is never logged");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn mcp_inspector_cli_over_http_in_both_eras() {
    ensure_clients();
    let (fake, server) = http_server().await;
    let mut command = Command::new("bash");
    command.arg(clients_dir().join("inspector_http.sh")).arg(&server.url).arg(MCP_TOKEN);
    tokio::task::spawn_blocking(move || run(command, "mcp inspector cli over HTTP")).await.unwrap();
    assert_no_token_passthrough(&fake);
}

#[tokio::test(flavor = "multi_thread")]
async fn mcp_inspector_cli_lists_and_calls_every_tool() {
    ensure_clients();
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let snapshot = fake.snapshot();
    let run_id = snapshot.runs.iter().find(|r| r.2 == "FAILED").unwrap().0.clone();
    let task_id = snapshot.task_runs.iter().find(|t| t.1 == run_id && t.2 == "FAILED").unwrap().0.clone();
    let mut command = Command::new("bash");
    command
        .arg(clients_dir().join("inspector.sh"))
        .arg(server_binary())
        .arg(fake.base_url())
        .arg(fake.api_key())
        .arg(run_id)
        .arg(task_id);
    tokio::task::spawn_blocking(move || run(command, "mcp inspector cli")).await.unwrap();
}

/// The MCP conformance suite's server scenarios, as both spec revisions require them, with
/// the committed baselines of expected failures (fixture-only scenarios, MRTR, tasks).
#[tokio::test(flavor = "multi_thread")]
async fn conformance_suite_passes_all_but_its_baselined_scenarios() {
    ensure_clients();
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = HttpServer::start(ServerOptions::for_fake(&fake), "0").await.unwrap();
    let results = workspace().join("target/conformance-results");
    let mut command = Command::new("bash");
    command.arg(clients_dir().join("conformance.sh")).arg(&server.url).arg(results);
    tokio::task::spawn_blocking(move || run(command, "mcp conformance suite")).await.unwrap();
}
