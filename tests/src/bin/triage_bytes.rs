//! Bytes an agent reads to answer "what failed in the last 24 hours and why?" over the
//! seeded fake: one `whats_broken` call through this server, against the raw API calls it
//! would otherwise make (the failing runs, then each run's task runs, every page), and
//! against this server's own list tools over the same runs, at both levels of detail.
//! `cargo run --release -p orchestra-tests --bin triage_bytes`; it reports, it asserts nothing.

use orchestra_tests::{FakeOptions, FakeOrchestra, Server, ServerOptions, http_get, text};
use serde_json::{Value, json};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let fake = FakeOrchestra::start(FakeOptions::default()).await?;
    let server = Server::start(ServerOptions::for_fake(&fake)).await?;
    println!("| window | path | requests to Orchestra | bytes the agent reads |");
    println!("| --- | --- | --- | --- |");
    for span in ["24h", "7d"] {
        compare(&fake, &server, span).await?;
    }
    Ok(())
}

async fn compare(fake: &FakeOrchestra, server: &Server, span: &str) -> anyhow::Result<()> {
    fake.clear_requests();
    let result = server.call("whats_broken", json!({"time_from": span})).await;
    let ours = text(&result).len();
    let our_requests = fake.requests().len();
    let answer: Value = serde_json::from_str(&text(&result))?;

    // The raw path: the same window, then the task runs of each failing run.
    let auth = format!("Bearer {}", fake.api_key());
    let headers = [("authorization", auth.as_str())];
    let window = &answer["window"];
    let (from, to) = (window["from"].as_str().unwrap_or_default(), window["to"].as_str().unwrap_or_default());
    let mut raw = 0usize;
    let mut raw_requests = 0usize;
    let mut run_ids = Vec::new();
    for page in 1.. {
        let url = format!(
            "{}/pipeline_runs?time_from={from}&time_to={to}&status=FAILED,WARNING&page={page}&page_size=100",
            fake.base_url()
        );
        let (_, body) = http_get(&url, &headers).await?;
        raw += body.len();
        raw_requests += 1;
        let page_json: Value = serde_json::from_slice(&body)?;
        let results = page_json["results"].as_array().cloned().unwrap_or_default();
        run_ids.extend(results.iter().filter_map(|r| r["id"].as_str().map(str::to_string)));
        if results.len() < 100 {
            break;
        }
    }
    for id in &run_ids {
        for page in 1.. {
            let url = format!("{}/pipeline_runs/{id}/task_runs?page={page}&page_size=50", fake.base_url());
            let (_, body) = http_get(&url, &headers).await?;
            raw += body.len();
            raw_requests += 1;
            let count = serde_json::from_slice::<Value>(&body)?["results"].as_array().map_or(0, Vec::len);
            if count < 50 {
                break;
            }
        }
    }
    // This server's list tools over the same runs, compact (the default) and full.
    let mut listed = Vec::new();
    for detail in ["compact", "full"] {
        fake.clear_requests();
        let runs =
            json!({"time_from": from, "time_to": to, "status": ["FAILED", "WARNING"], "limit": 1000, "detail": detail});
        let mut bytes = text(&server.call("list_pipeline_runs", runs).await).len();
        for id in &run_ids {
            let tasks = json!({"pipeline_run_id": id, "detail": detail});
            bytes += text(&server.call("list_task_runs", tasks).await).len();
        }
        listed.push((detail, fake.requests().len(), bytes));
    }
    let reported = answer["failures"].as_array().map_or(0, Vec::len);
    println!(
        "| {span} ({} failing runs) | `whats_broken`, one tool call (text block; {reported} runs reported) | {our_requests} | {ours} |",
        run_ids.len()
    );
    println!(
        "| {span} | raw API: failing runs, then each run's task runs | {raw_requests} | {raw} ({:.1}x) |",
        raw as f64 / ours.max(1) as f64
    );
    for (detail, requests, bytes) in listed {
        println!(
            "| {span} | this server's `list_pipeline_runs` + `list_task_runs` per run, `detail: {detail}` | {requests} | {bytes} ({:.1}x) |",
            bytes as f64 / ours.max(1) as f64
        );
    }
    Ok(())
}
