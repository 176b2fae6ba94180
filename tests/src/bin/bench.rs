//! Benchmarks that report, never assert: start-up to the first `tools/list` answer (first
//! start with an empty cache, and warm cache) with the first start's peak memory, the bytes
//! of the tool definitions, the Python MCP client's output-schema check of a real result,
//! tool-call latency over stdio and over streamable HTTP next to a direct keep-alive GET of
//! the same fake endpoint, tool calls per second over HTTP with 1, 8 and 64 concurrent
//! clients with each side's CPU per call, the same through nginx in front of three replicas
//! (the shipped `packaging/nginx/orchestra-mcp.conf`), and the servers' peak memory.
//!
//! Run: `cargo run --release -p orchestra-tests --bin bench` (after `cargo build --release`).

use std::process::Stdio;

use anyhow::Context;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Empty};
use orchestra_tests::{FakeOptions, FakeOrchestra, HttpServer, ServerOptions, server_binary};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use serde_json::json;

const CALLS: usize = 400;

struct Spawned {
    client: rmcp::service::RunningService<rmcp::service::RoleClient, ()>,
    pid: u32,
    _child: tokio::process::Child,
}

async fn spawn(fake: &FakeOrchestra, cache: &std::path::Path) -> anyhow::Result<(Spawned, Duration)> {
    let started = Instant::now();
    let mut child = tokio::process::Command::new(server_binary())
        .arg("serve")
        .env("ORCHESTRA_BASE_URL", fake.base_url())
        .env("ORCHESTRA_API_KEY", fake.api_key())
        .env("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")
        .env("ORCHESTRA_MCP_CACHE_DIR", cache)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()?;
    let pid = child.id().unwrap_or_default();
    let transport = (child.stdout.take().expect("piped"), child.stdin.take().expect("piped"));
    let client = ().serve(transport).await?;
    client.list_tools(None).await?;
    Ok((Spawned { client, pid, _child: child }, started.elapsed()))
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn summary(mut samples: Vec<Duration>) -> (Duration, Duration, Duration) {
    samples.sort();
    (percentile(&samples, 0.5), percentile(&samples, 0.9), percentile(&samples, 0.99))
}

/// CPU time (user and system) a process has used, in seconds; `self` for this one.
fn cpu_seconds(pid: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces), from the third on.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // Linux counts in USER_HZ, 100 a second on every architecture it runs this on.
    Some(ticks as f64 / 100.0)
}

fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with("VmHWM:"))?.split_whitespace().nth(1)?.parse().ok()
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fake = FakeOrchestra::start(FakeOptions::default()).await?;
    let scratch = std::env::temp_dir().join(format!("orchestra-mcp-bench-{}", std::process::id()));

    let (mut cold, mut cold_rss) = (Vec::new(), Vec::new());
    for i in 0..5 {
        let dir = scratch.join(format!("cold-{i}"));
        let (server, took) = spawn(&fake, &dir).await?;
        cold.push(took);
        cold_rss.extend(peak_rss_kib(server.pid));
        server.client.cancel().await?;
    }
    let warm_dir = scratch.join("warm");
    spawn(&fake, &warm_dir).await?.0.client.cancel().await?;
    let mut warm = Vec::new();
    for _ in 0..10 {
        let (server, took) = spawn(&fake, &warm_dir).await?;
        warm.push(took);
        server.client.cancel().await?;
    }

    let (server, _) = spawn(&fake, &warm_dir).await?;
    let definitions = definition_bytes(&server.client).await?;
    let validation = output_validation(&server.client).await?;
    let run_id = fake.snapshot().runs[0].0.clone();
    let arguments = json!({"pipeline_run_id": run_id}).as_object().cloned().unwrap_or_default();
    let mut tool = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let t = Instant::now();
        let result = server
            .client
            .call_tool(CallToolRequestParams::new("get_pipeline_run").with_arguments(arguments.clone()))
            .await?;
        tool.push(t.elapsed());
        anyhow::ensure!(!result.is_error.unwrap_or(false), "get_pipeline_run failed");
    }
    let rss = peak_rss_kib(server.pid);

    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build_http::<Empty<bytes::Bytes>>();
    let url = format!("{}/pipeline_runs/{run_id}/status", fake.base_url());
    let bearer = format!("Bearer {}", fake.api_key());
    let mut direct = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let t = Instant::now();
        let request = hyper::Request::get(&url).header("authorization", &bearer).body(Empty::new())?;
        let response = http.request(request).await?;
        let _ = response.into_body().collect().await?.to_bytes();
        direct.push(t.elapsed());
    }
    server.client.cancel().await?;
    let _ = std::fs::remove_dir_all(&scratch);

    // The same call over streamable HTTP, one client at a time, then under load.
    let http_server = HttpServer::start(ServerOptions::for_fake(&fake), "0").await?;
    let client = http_client(&http_server.url).await?;
    let mut over_http = Vec::with_capacity(CALLS);
    for _ in 0..CALLS {
        let t = Instant::now();
        let result =
            client.call_tool(CallToolRequestParams::new("get_pipeline_run").with_arguments(arguments.clone())).await?;
        over_http.push(t.elapsed());
        anyhow::ensure!(!result.is_error.unwrap_or(false), "get_pipeline_run over HTTP failed");
    }
    client.cancel().await?;
    let mut throughput = Vec::new();
    let server_pid = http_server.pid().map(|p| p.to_string()).unwrap_or_default();
    for clients in [1usize, 8, 64] {
        let before = (cpu_seconds(&server_pid), cpu_seconds("self"));
        let rate = calls_per_second(&http_server.url, clients, &arguments).await?;
        let after = (cpu_seconds(&server_pid), cpu_seconds("self"));
        // CPU milliseconds per call: the server's, and the bench's own (its clients and the fake).
        let per_call = |b: Option<f64>, a: Option<f64>| a.zip(b).map(|(a, b)| (a - b) * 1000.0 / rate.1.max(1) as f64);
        throughput.push((clients, rate, per_call(before.0, after.0), per_call(before.1, after.1)));
    }
    let http_rss = http_server.pid().and_then(peak_rss_kib);
    drop(http_server);

    // Three replicas behind the shipped nginx front, under the same load.
    let mut replicas = Vec::new();
    for _ in 0..3 {
        replicas.push(HttpServer::start(ServerOptions::for_fake(&fake), "0").await?);
    }
    let urls: Vec<&str> = replicas.iter().map(|r| r.url.as_str()).collect();
    let front = orchestra_tests::nginx::Nginx::start(&urls).await?;
    let mut through_front = Vec::new();
    for clients in [1usize, 8, 64] {
        through_front.push((clients, calls_per_second(&front.url, clients, &arguments).await?));
    }
    let replica_rss: Vec<u64> = replicas.iter().filter_map(|r| r.pid().and_then(peak_rss_kib)).collect();

    let (cold50, ..) = summary(cold);
    let (warm50, ..) = summary(warm);
    let (t50, t90, t99) = summary(tool);
    let (d50, d90, d99) = summary(direct);
    println!("| measure | p50 | p90 | p99 |");
    println!("| --- | --- | --- | --- |");
    println!("| start-up to first tools/list, first start (empty cache; 5 runs) | {} | | |", ms(cold50));
    if let Some(kib) = cold_rss.iter().max() {
        println!(
            "| first start's peak RSS (VmHWM) at the first tools/list, highest of 5 | {:.1} MiB | | |",
            *kib as f64 / 1024.0
        );
    }
    println!("| start-up to first tools/list, warm compile cache (10 runs) | {} | | |", ms(warm50));
    println!(
        "| get_pipeline_run over stdio (fresh sandbox per call; {CALLS} calls) | {} | {} | {} |",
        ms(t50),
        ms(t90),
        ms(t99)
    );
    println!(
        "| direct keep-alive GET of the same endpoint ({CALLS} calls) | {} | {} | {} |",
        ms(d50),
        ms(d90),
        ms(d99)
    );
    println!(
        "| tool-call overhead over stdio: get_pipeline_run p50 minus the direct GET's p50 | {} | | |",
        ms(t50.saturating_sub(d50))
    );
    let (h50, h90, h99) = summary(over_http);
    println!(
        "| get_pipeline_run over streamable HTTP (one client; {CALLS} calls) | {} | {} | {} |",
        ms(h50),
        ms(h90),
        ms(h99)
    );
    let (tools, visible, whole) = definitions;
    println!(
        "| tool definitions a model sees (name, description, inputSchema; compact JSON), default surface of {tools} | {:.1} KB | | |",
        visible as f64 / 1000.0
    );
    println!("| whole tools/list answer (with output schemas), the same tools | {:.1} KB | | |", whole as f64 / 1000.0);
    let (runs, check_ms) = validation;
    println!(
        "| Python client's output-schema check (jsonschema, compiled once) of a {runs}-run list_pipeline_runs result | {check_ms:.3} ms | | |"
    );
    if let Some(kib) = rss {
        println!("| stdio server peak RSS (VmHWM) after the calls | {:.1} MiB | | |", kib as f64 / 1024.0);
    }
    if let Some(kib) = http_rss {
        println!("| HTTP server peak RSS (VmHWM) after the load | {:.1} MiB | | |", kib as f64 / 1024.0);
    }
    println!();
    println!(
        "| concurrent HTTP clients | tool calls per second | calls | errors | server CPU per call | clients' and fake's CPU per call |"
    );
    println!("| --- | --- | --- | --- | --- | --- |");
    let cpu = |ms: Option<f64>| ms.map_or_else(|| "?".to_string(), |ms| format!("{ms:.2} ms"));
    for (clients, (rate, calls, errors), server, bench) in throughput {
        println!("| {clients} | {rate:.0} | {calls} | {errors} | {} | {} |", cpu(server), cpu(bench));
    }
    println!();
    println!("| concurrent HTTP clients, through nginx to 3 replicas | tool calls per second | calls | errors |");
    println!("| --- | --- | --- | --- |");
    for (clients, (rate, calls, errors)) in through_front {
        println!("| {clients} | {rate:.0} | {calls} | {errors} |");
    }
    let mib: Vec<String> = replica_rss.iter().map(|kib| format!("{:.1}", *kib as f64 / 1024.0)).collect();
    println!("\nreplicas' peak RSS (VmHWM) after the load: {} MiB", mib.join(", "));
    Ok(())
}

/// The default surface's tools, the bytes of what a model sees of them (name,
/// description and input schema, compact JSON), and of the whole `tools/list` entries.
async fn definition_bytes(
    client: &rmcp::service::RunningService<rmcp::service::RoleClient, ()>,
) -> anyhow::Result<(usize, usize, usize)> {
    let tools = client.list_all_tools().await?;
    let visible = tools
        .iter()
        .map(|t| json!({"name": t.name, "description": t.description, "inputSchema": t.input_schema}).to_string().len())
        .sum();
    let whole = tools.iter().map(|t| serde_json::to_string(t).map(|s| s.len())).sum::<Result<usize, _>>()?;
    Ok((tools.len(), visible, whole))
}

/// A real `list_pipeline_runs` result (the fake's last 24 hours) checked against its output
/// schema the way the Python MCP client checks every result (`tests/clients/output_validation.py`):
/// the runs it holds and the median milliseconds of one check.
async fn output_validation(
    client: &rmcp::service::RunningService<rmcp::service::RoleClient, ()>,
) -> anyhow::Result<(usize, f64)> {
    let tools = client.list_all_tools().await?;
    let tool = tools.iter().find(|t| t.name == "list_pipeline_runs").context("list_pipeline_runs is listed")?;
    let schema = tool.output_schema.clone().context("list_pipeline_runs has an output schema")?;
    // The question an agent asks most: last night's runs.
    let last_day = json!({"time_from": "24h"}).as_object().cloned().unwrap_or_default();
    let result = client.call_tool(CallToolRequestParams::new("list_pipeline_runs").with_arguments(last_day)).await?;
    let instance = result.structured_content.context("list_pipeline_runs returns structured content")?;
    let runs = instance["runs"].as_array().map_or(0, Vec::len);
    orchestra_tests::tools::ensure_clients();
    let script = orchestra_tests::tools::workspace().join("tests/clients/output_validation.py");
    let mut child = tokio::process::Command::new(orchestra_tests::tools::python())
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .context("running the Python client's jsonschema")?;
    let input = json!({"schema": schema, "instance": instance}).to_string();
    tokio::io::AsyncWriteExt::write_all(child.stdin.as_mut().context("piped")?, input.as_bytes()).await?;
    drop(child.stdin.take());
    let output = child.wait_with_output().await?;
    anyhow::ensure!(output.status.success(), "output_validation.py failed");
    Ok((runs, String::from_utf8_lossy(&output.stdout).trim().parse()?))
}

type HttpClient = rmcp::service::RunningService<rmcp::service::RoleClient, ()>;

async fn http_client(url: &str) -> anyhow::Result<HttpClient> {
    let transport = rmcp::transport::StreamableHttpClientTransport::from_uri(url.to_string());
    Ok(().serve(transport).await?)
}

/// How long each load step runs.
const LOAD: Duration = Duration::from_secs(5);

/// `clients` sessions, each calling in a loop for `LOAD`: calls per second over all of
/// them, the calls made, and how many were errors (refused as busy, for example).
async fn calls_per_second(
    url: &str,
    clients: usize,
    arguments: &serde_json::Map<String, serde_json::Value>,
) -> anyhow::Result<(f64, usize, usize)> {
    let mut sessions = Vec::with_capacity(clients);
    for _ in 0..clients {
        sessions.push(http_client(url).await?);
    }
    let started = Instant::now();
    let workers = sessions.into_iter().map(|client| {
        let arguments = arguments.clone();
        tokio::spawn(async move {
            let (mut calls, mut errors) = (0usize, 0usize);
            while started.elapsed() < LOAD {
                let request = CallToolRequestParams::new("get_pipeline_run").with_arguments(arguments.clone());
                match client.call_tool(request).await {
                    Ok(result) if !result.is_error.unwrap_or(false) => {}
                    _ => errors += 1,
                }
                calls += 1;
            }
            let _ = client.cancel().await;
            (calls, errors)
        })
    });
    let (mut calls, mut errors) = (0, 0);
    for worker in workers.collect::<Vec<_>>() {
        let (c, e) = worker.await?;
        calls += c;
        errors += e;
    }
    Ok((calls as f64 / started.elapsed().as_secs_f64(), calls, errors))
}
