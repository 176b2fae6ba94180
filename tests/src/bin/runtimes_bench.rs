//! The components in each runtime next to the native host, in one run, reporting and never
//! asserting: the size of each component, start-up to the first `tools/list` answer, and
//! the p50 of a tool call (`get_pipeline_run`), against the fake on loopback.
//!
//! Run: `cargo run --release -p orchestra-tests --bin runtimes_bench` (after `cargo build
//! --release` and `bash tests/clients/setup.sh`).

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use orchestra_tests::tools::{node_bin, python, shipped_component, wasmtime_cli, wasmtime_home, wassette, workspace};
use orchestra_tests::{FakeOptions, FakeOrchestra, array, http_post, server_binary};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

const CALLS: usize = 40;

fn p50(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// An MCP client over stdio to `command`: start-up to the first `tools/list`, then the call p50.
async fn over_stdio(command: tokio::process::Command, run_id: &str) -> anyhow::Result<(Duration, Duration)> {
    let started = Instant::now();
    let (transport, _) = rmcp::transport::TokioChildProcess::builder(command).stderr(Stdio::null()).spawn()?;
    let client = ().serve(transport).await?;
    client.list_all_tools().await?;
    let startup = started.elapsed();
    let mut samples = Vec::new();
    for _ in 0..CALLS {
        let params = CallToolRequestParams::new("get_pipeline_run")
            .with_arguments(json!({"pipeline_run_id": run_id}).as_object().cloned().unwrap());
        let began = Instant::now();
        let result = client.call_tool(params).await?;
        anyhow::ensure!(result.is_error != Some(true), "the call failed: {result:?}");
        samples.push(began.elapsed());
    }
    client.cancel().await?;
    Ok((startup, p50(samples)))
}

fn env(fake: &FakeOrchestra) -> Vec<(String, String)> {
    vec![("ORCHESTRA_BASE_URL".into(), fake.base_url()), ("ORCHESTRA_API_KEY".into(), fake.api_key().into())]
}

fn wasmtime(subcommand: &str, options: &[&str], env: &[(String, String)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(wasmtime_cli());
    command.env_clear().env("HOME", wasmtime_home()).arg(subcommand).args(options);
    for (name, value) in env {
        command.env(name, value).arg("--env").arg(name);
    }
    command
}

/// Runs a driver script (`tests/runtimes/`) with `script` on its stdin; returns its report.
fn run_driver(mut command: Command, script: Value) -> anyhow::Result<Value> {
    use std::io::Write;
    let mut child = command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    child.stdin.take().unwrap().write_all(script.to_string().as_bytes())?;
    let out = child.wait_with_output()?;
    anyhow::ensure!(out.status.success(), "the driver failed: {}", String::from_utf8_lossy(&out.stderr));
    Ok(serde_json::from_slice(&out.stdout)?)
}

fn millis(value: &Value) -> Duration {
    Duration::from_secs_f64(value.as_f64().unwrap() / 1000.0)
}

/// A driver script's own timings: (load, call p50), over `CALLS` calls after a listing.
fn driver(command: Command, script: Value) -> anyhow::Result<(Duration, Duration)> {
    let out = run_driver(command, script)?;
    let calls: Vec<Duration> = array(&out["timings"]["call_ms"]).iter().map(millis).collect();
    // Start-up: the process to its first answer (the listing).
    let startup = millis(&out["timings"]["load_ms"]) + calls[0];
    Ok((startup, p50(calls[1..].to_vec())))
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fake = FakeOrchestra::start(FakeOptions::default()).await?;
    let snapshot = fake.snapshot();
    let run_id = snapshot.runs.iter().find(|r| r.2 == "FAILED").unwrap().0.clone();
    let tools = shipped_component("orchestra-mcp-tools.wasm");
    let server = shipped_component("orchestra-mcp-server.wasm");
    let functions = shipped_component("orchestra-mcp-functions.wasm");
    println!("| component | bytes |\n| --- | --- |");
    for path in [&tools, &server, &functions] {
        println!("| `{}` | {} |", path.file_name().unwrap().to_string_lossy(), std::fs::metadata(path)?.len());
    }
    println!("\n| runtime | start-up to first tools/list | call p50 ({CALLS} calls) |\n| --- | --- | --- |");

    // The native host's compile cache is warmed by one session first, as a user's would be.
    let cache = tempfile_dir("native-cache");
    let native = || {
        let mut command = tokio::process::Command::new(server_binary());
        command
            .arg("serve")
            .envs(env(&fake))
            .env("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")
            .env("ORCHESTRA_MCP_CACHE_DIR", &cache);
        command
    };
    over_stdio(native(), &run_id).await?;
    let (startup, call) = over_stdio(native(), &run_id).await?;
    println!("| orchestra-mcp (native, stdio, warm cache) | {} | {} |", ms(startup), ms(call));

    // The wasmtime CLI's compile cache is warmed by one run first, as a user's would be.
    let mut warm = wasmtime("run", &["-S", "http"], &env(&fake));
    warm.arg(&server).stdin(Stdio::null()).stdout(Stdio::null()).status().await?;
    let mut run = wasmtime("run", &["-S", "http"], &env(&fake));
    run.arg(&server);
    let (startup, call) = over_stdio(run, &run_id).await?;
    println!("| server component, `wasmtime run` (stdio) | {} | {} |", ms(startup), ms(call));

    let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    let started = Instant::now();
    let mut serve = wasmtime("serve", &["-S", "cli", "--addr", &format!("127.0.0.1:{port}")], &env(&fake));
    serve.arg(&server).stdout(Stdio::null()).stderr(Stdio::null()).kill_on_drop(true);
    let _serve = serve.spawn()?;
    let url = format!("http://127.0.0.1:{port}/mcp");
    let list = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/list"}).to_string().into_bytes();
    let headers = [("content-type", "application/json")];
    while http_post(&url, &headers, list.clone()).await.is_err() {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let startup = started.elapsed();
    let call = json!({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "get_pipeline_run", "arguments": {"pipeline_run_id": run_id}}});
    let mut samples = Vec::new();
    for _ in 0..CALLS {
        let began = Instant::now();
        let (status, _) = http_post(&url, &headers, call.to_string().into_bytes()).await?;
        anyhow::ensure!(status == 200, "wasmtime serve answered {status}");
        samples.push(began.elapsed());
    }
    println!(
        "| server component, `wasmtime serve` (HTTP, an instance per request) | {} | {} |",
        ms(startup),
        ms(p50(samples))
    );

    let read = json!({"tool": "get_pipeline_run", "arguments": {"pipeline_run_id": run_id}});
    let mut calls = vec![json!({"tool": "list-tools"})];
    calls.extend(std::iter::repeat_n(read, CALLS));
    let mut py = Command::new(python());
    py.arg(workspace().join("tests/runtimes/wasmtime_py.py")).arg(&tools);
    let component_env: serde_json::Map<String, Value> = env(&fake).into_iter().map(|(k, v)| (k, json!(v))).collect();
    let (startup, call) = driver(py, json!({"env": component_env, "calls": calls}))?;
    println!("| tools component, wasmtime-py (a fresh store per call) | {} | {} |", ms(startup), ms(call));

    let transpiled = node_bin().join("../../transpiled/tools");
    let began = Instant::now();
    let status = Command::new(node_bin().join("jco"))
        .arg("transpile")
        .arg(&tools)
        .args(["--name", "tools", "--quiet", "-o"])
        .arg(&transpiled)
        .status()?;
    anyhow::ensure!(status.success(), "jco transpile failed");
    std::fs::write(transpiled.join("package.json"), r#"{"type":"module"}"#)?;
    let transpile = began.elapsed();
    let mut node = Command::new(node_bin().join("node"));
    node.env_clear().envs(env(&fake)).arg(workspace().join("tests/runtimes/jco.mjs")).arg(&transpiled);
    let (startup, call) = driver(node, json!({"calls": calls}))?;
    println!("| tools component, jco (Node; transpiled once in {}) | {} | {} |", ms(transpile), ms(startup), ms(call));

    // Wassette: the function component, one function per tool, through its MCP server.
    let function = json!({"tool": "get-pipeline-run", "arguments": {"pipeline-run-id": run_id}});
    let mut wassette_run = Command::new(python());
    wassette_run.arg(workspace().join("tests/runtimes/wassette.py")).arg(wassette()).arg(&functions);
    let script = json!({"base_url": fake.base_url(), "host": "127.0.0.1", "api_key": fake.api_key(),
        "calls": std::iter::repeat_n(function, CALLS).collect::<Vec<_>>()});
    let out = run_driver(wassette_run, script)?;
    let timings = &out["timings"];
    println!(
        "| function component, Wassette 0.8 (`wassette run`; `component load` took {}) | {} | {} |",
        ms(millis(&timings["load_ms"])),
        ms(millis(&timings["start_to_list_ms"])),
        ms(p50(array(&timings["call_ms"]).iter().map(millis).collect()))
    );

    let invoke = format!(
        "call-tool({{tool: \"get_pipeline_run\", arguments: \"{{\\\"pipeline_run_id\\\":\\\"{run_id}\\\"}}\", resume-state: none}})"
    );
    let mut samples = Vec::new();
    for _ in 0..10 {
        let began = Instant::now();
        let out =
            wasmtime("run", &["-S", "http"], &env(&fake)).arg("--invoke").arg(&invoke).arg(&tools).output().await?;
        anyhow::ensure!(out.status.success() && out.stdout.starts_with(b"ok(done("), "wasmtime run --invoke failed");
        samples.push(began.elapsed());
    }
    let began = Instant::now();
    wasmtime("run", &["-S", "http"], &env(&fake)).args(["--invoke", "list-tools()"]).arg(&tools).output().await?;
    println!(
        "| tools component, `wasmtime run --invoke` (a process per step) | {} | {} |",
        ms(began.elapsed()),
        ms(p50(samples))
    );
    Ok(())
}

fn tempfile_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("orchestra-runtimes-bench-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}
