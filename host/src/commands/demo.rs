//! `orchestra-mcp demo`: starts the built-in fake Orchestra on loopback, launches this
//! binary as an MCP server over stdio against it, and walks through a triage session
//! with real MCP calls. No API key and no network needed.

use std::process::Stdio;

use anyhow::{Context, bail};
use orchestra_fake::{FakeOptions, FakeOrchestra};
use orchestra_mcp_face::wording;
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::service::{RoleClient, RunningService};
use serde_json::{Value, json};

type Client = RunningService<RoleClient, ()>;

pub async fn run() -> anyhow::Result<()> {
    let fake = FakeOrchestra::start(FakeOptions::default()).await?;
    println!("Fake Orchestra API listening at {}\n", fake.base_url());

    let exe = std::env::current_exe().context("finding this binary")?;
    let mut command = tokio::process::Command::new(exe);
    command
        .arg("serve")
        .env("ORCHESTRA_BASE_URL", fake.base_url())
        .env("ORCHESTRA_API_KEY", fake.api_key())
        .env("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")
        .env("RUST_LOG", "warn");
    let (transport, _) = rmcp::transport::TokioChildProcess::builder(command)
        .stderr(Stdio::inherit())
        .spawn()
        .context("starting `orchestra-mcp serve`")?;
    let started = std::time::Instant::now();
    let client: Client = ().serve(transport).await.context("MCP handshake with the server")?;
    let tools = client.list_tools(None).await?.tools;
    println!("MCP server ready in {} ms with {} tools:", started.elapsed().as_millis(), tools.len());
    for tool in &tools {
        let read_only = tool.annotations.as_ref().and_then(|a| a.read_only_hint).unwrap_or(false);
        println!(
            "  {:<26} {}{}",
            tool.name,
            tool.title.clone().unwrap_or_default(),
            if read_only { "" } else { "  (changes things)" }
        );
    }

    println!("\n# What failed in the last 24 hours?");
    let runs =
        call(&client, "list_pipeline_runs", json!({"time_from": "24h", "status": ["FAILED", "WARNING"]})).await?;
    for run in runs["runs"].as_array().into_iter().flatten() {
        println!(
            "  {} {:<8} {} — {}",
            short(&run["id"]),
            run["runStatus"].as_str().unwrap_or(""),
            run["pipelineName"].as_str().unwrap_or(""),
            run["message"].as_str().unwrap_or("")
        );
    }
    let Some(failed) = runs["runs"].as_array().into_iter().flatten().find(|r| r["runStatus"] == "FAILED") else {
        bail!("the fake has no failed run in the last 24 hours");
    };
    let run_id = failed["id"].as_str().unwrap_or_default().to_string();

    println!("\n# Which task failed, and why?");
    let tasks = call(&client, "list_task_runs", json!({"pipeline_run_id": run_id, "status": ["FAILED"]})).await?;
    let task = &tasks["taskRuns"][0];
    let task_id = task["id"].as_str().unwrap_or_default().to_string();
    println!(
        "  {} ({}): {}",
        task["taskName"].as_str().unwrap_or(""),
        task["integration"].as_str().unwrap_or(""),
        task["message"].as_str().unwrap_or("")
    );
    println!("  {}", task["externalMessage"].as_str().unwrap_or("").replace('\n', "\n  "));

    println!("\n# The end of its log");
    let log = call(
        &client,
        "get_task_run_log",
        json!({"pipeline_run_id": run_id, "task_run_id": task_id, "tail_bytes": 400}),
    )
    .await?;
    println!(
        "  [{} of {} bytes of {}]",
        log["bytesReturned"],
        log["sizeBytes"],
        log["filename"].as_str().unwrap_or("")
    );
    // The exact bytes, escape characters shown rather than let through to the terminal.
    for line in log["content"].as_str().unwrap_or("").lines() {
        println!("  | {}", line.replace('\u{1b}', "␛"));
    }

    println!("\n# dbt artifacts");
    let artifacts =
        call(&client, "list_task_run_artifacts", json!({"pipeline_run_id": run_id, "task_run_id": task_id})).await?;
    println!("  {}", artifacts["filenames"]);
    let results = call(
        &client,
        "get_task_run_artifact",
        json!({"pipeline_run_id": run_id, "task_run_id": task_id, "filename": "run_results.json"}),
    )
    .await?;
    if let Ok(parsed) = serde_json::from_str::<Value>(results["content"].as_str().unwrap_or("")) {
        for r in parsed["results"].as_array().into_iter().flatten().filter(|r| r["status"] != "success") {
            println!(
                "  {} {}: {}",
                r["status"].as_str().unwrap_or(""),
                r["unique_id"].as_str().unwrap_or(""),
                r["message"].as_str().unwrap_or("")
            );
        }
    }

    println!("\n# Start the pipeline again, check on it, then cancel it");
    let started_run = call(&client, "start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh"})).await?;
    let new_run = started_run["pipelineRunId"].as_str().unwrap_or_default().to_string();
    println!(
        "  started run {} ({})",
        short(&started_run["pipelineRunId"]),
        started_run["lineageUrl"].as_str().unwrap_or("")
    );
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let status = call(&client, "get_pipeline_run", json!({"pipeline_run_id": new_run})).await?;
    println!("  status: {}", status["run"]["runStatus"].as_str().unwrap_or(""));
    let cancelled = call(&client, "cancel_pipeline_run", json!({"pipeline_run_id": new_run})).await?;
    println!("  cancel requested; status now {}", cancelled["runStatus"].as_str().unwrap_or(""));

    println!("\n# A mistake the model can correct");
    let bad = client
        .call_tool(
            CallToolRequestParams::new("list_pipeline_runs")
                .with_arguments(json!({"status": ["BROKEN"]}).as_object().cloned().unwrap_or_default()),
        )
        .await?;
    println!(
        "  isError={} {}",
        bad.is_error.unwrap_or(false),
        wording::text(&bad).lines().take(3).collect::<Vec<_>>().join(" ")
    );

    let requests = fake.requests();
    let expected = format!("Bearer {}", fake.api_key());
    let keyed = requests.iter().filter(|r| r.header("authorization") == Some(expected.as_str())).count();
    println!(
        "\nThe fake Orchestra received {} requests; {keyed} carried the API key, which the host added \
         (the sandboxed tools never see it).",
        requests.len()
    );
    client.cancel().await?;
    Ok(())
}

async fn call(client: &Client, tool: &str, arguments: Value) -> anyhow::Result<Value> {
    println!("  → {tool} {arguments}");
    let result = client
        .call_tool(
            CallToolRequestParams::new(tool.to_string())
                .with_arguments(arguments.as_object().cloned().unwrap_or_default()),
        )
        .await?;
    if result.is_error.unwrap_or(false) {
        bail!("{tool} failed: {}", wording::text(&result));
    }
    result.structured_content.context("the result has no structured content")
}

fn short(id: &Value) -> String {
    id.as_str().unwrap_or("").chars().take(8).collect()
}
