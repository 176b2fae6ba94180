//! The triage tools through the real binary against the seeded fake: each answers its
//! question in one call, joins the right records, stays bounded, and says what it left out.

use std::time::Duration;

use orchestra_tests::{
    FakeOptions, FakeOrchestra, ProgressLog, Server, ServerOptions, array, cache_dir, server_binary,
};
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, NumberOrString, ProgressToken, RequestMetaObject};
use serde_json::{Value, json};

async fn setup() -> (FakeOrchestra, Server) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.expect("fake starts");
    let server = Server::start(ServerOptions::for_fake(&fake)).await.expect("server starts");
    (fake, server)
}

#[tokio::test(flavor = "multi_thread")]
async fn whats_broken_joins_failing_runs_to_their_failing_tasks_in_few_requests() {
    let (fake, server) = setup().await;
    let out = server.ok("whats_broken", json!({})).await;
    let failures = array(&out["failures"]);
    assert!(!failures.is_empty(), "the seed has failures in the last 24 hours: {out}");
    assert_eq!(out["failingRunCount"].as_u64().unwrap(), failures.len() as u64);
    let counted: u64 = out["byStatus"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(counted, failures.len() as u64);
    for failure in failures {
        let status = failure["runStatus"].as_str().unwrap();
        assert!(status == "FAILED" || status == "WARNING", "{failure}");
        assert!(failure["lineageUrl"].as_str().unwrap().contains("/pipeline-runs/"));
        if status == "FAILED" {
            let tasks = array(&failure["failedTasks"]);
            assert!(!tasks.is_empty(), "a FAILED run comes with its failed tasks: {failure}");
            assert!(tasks.iter().all(|t| t["taskRunId"].is_string() && t["message"].is_string()), "{tasks:?}");
        }
    }
    // Every failing run in the seed's last 24 hours, and no other.
    let snapshot = fake.snapshot();
    let day_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
    let expected = snapshot
        .runs
        .iter()
        .filter(|r| (r.2 == "FAILED" || r.2 == "WARNING") && r.3.parse::<jiff::Timestamp>().unwrap() >= day_ago)
        .count();
    assert_eq!(failures.len(), expected);
    // One list of runs and one sweep of task runs answer it, not a request per run.
    let gets = fake.requests().iter().filter(|r| r.method == "GET").count();
    assert!(gets <= 3, "whats_broken made {gets} requests");
}

#[tokio::test(flavor = "multi_thread")]
async fn whats_broken_takes_an_environment_by_name_and_can_leave_out_warnings() {
    let (_fake, server) = setup().await;
    let week = server.ok("whats_broken", json!({"time_from": "7d", "environment": "production"})).await;
    assert_eq!(week["environment"], "Production");
    assert!(array(&week["failures"]).iter().all(|f| f["environment"] == "Production"));
    let failed_only = server.ok("whats_broken", json!({"time_from": "7d", "include_warnings": false})).await;
    assert!(array(&failed_only["failures"]).iter().all(|f| f["runStatus"] == "FAILED"));
    let capped = server.ok("whats_broken", json!({"time_from": "7d", "max_runs": 2, "max_tasks_per_run": 1})).await;
    assert_eq!(array(&capped["failures"]).len(), 2);
    assert_eq!(capped["truncated"], true);
    assert!(array(&capped["notes"]).iter().any(|n| n.as_str().unwrap().contains("max_runs")), "{capped}");

    let text = server.err("whats_broken", json!({"environment": "Narnia"})).await;
    assert!(text.contains("Production") && text.contains("Staging"), "the miss lists what exists: {text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_window_given_only_its_start_keeps_the_newest_week_and_an_exact_week_is_not_narrowed() {
    let (_fake, server) = setup().await;
    let day = server.ok("whats_broken", json!({"time_from": "24h"})).await;
    let month = server.ok("whats_broken", json!({"time_from": "30d"})).await;
    assert!(day["failingRunCount"].as_u64().unwrap() > 0);
    assert!(month["failingRunCount"].as_u64() >= day["failingRunCount"].as_u64(), "{month}");
    let to: jiff::Timestamp = month["window"]["to"].as_str().unwrap().parse().unwrap();
    assert!(jiff::Timestamp::now().duration_since(to).as_secs() < 60, "the newest days are kept: {month}");
    let note = array(&month["notes"]).iter().map(|n| n.as_str().unwrap()).collect::<Vec<_>>().join(" ");
    assert!(note.contains("newest 7 days") && note.contains("time_to="), "{note}");

    for week in ["7d", "1w"] {
        let out = server.ok("list_pipeline_runs", json!({"time_from": week, "limit": 1})).await;
        let from: jiff::Timestamp = out["window"]["from"].as_str().unwrap().parse().unwrap();
        let to: jiff::Timestamp = out["window"]["to"].as_str().unwrap().parse().unwrap();
        assert_eq!(to.duration_since(from).as_secs(), 7 * 86_400, "{week}: {out}");
        assert!(array(&out["notes"]).iter().all(|n| !n.as_str().unwrap().contains("7 days")), "{week}: {out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn counters_describe_what_a_result_holds_and_summaries_the_whole_window() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_MAX_RESULT_CHARS", "6000")]);
    let server = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let runs = server.ok("list_pipeline_runs", json!({"time_from": "7d", "limit": 100})).await;
    let held = array(&runs["runs"]).len();
    assert!(runs["resultCut"].is_object() && (held as u64) < runs["total"].as_u64().unwrap(), "{runs}");
    assert_eq!(runs["returned"], held, "returned counts the runs the result holds");
    assert_eq!(runs["truncated"], true);

    let broken = server.ok("whats_broken", json!({"time_from": "7d", "max_runs": 2})).await;
    let total = broken["failingRunCount"].as_u64().unwrap();
    assert!(total > 2, "{broken}");
    let by_status: u64 = broken["byStatus"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    let by_pipeline: u64 = array(&broken["pipelines"]).iter().map(|p| p["failures"].as_u64().unwrap()).sum();
    assert_eq!((by_status, by_pipeline), (total, total), "the summary covers the whole window: {broken}");
    assert!(array(&broken["failures"]).len() <= 2);
    assert_eq!(broken["truncated"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn diagnose_task_run_brings_log_tail_parameters_neighbours_and_artifacts() {
    let (fake, server) = setup().await;
    let broken = server.ok("whats_broken", json!({"time_from": "7d", "include_warnings": false})).await;
    let dbt = array(&broken["failures"])
        .iter()
        .flat_map(|f| array(&f["failedTasks"]).iter())
        .find(|t| t["integration"] == "DBT_CORE")
        .expect("a failed dbt task in the last week")
        .clone();
    fake.clear_requests();
    let out = server.ok("diagnose_task_run", json!({"task_run_id": dbt["taskRunId"]})).await;
    assert_eq!(out["taskRun"]["id"], dbt["taskRunId"]);
    assert_eq!(out["taskRun"]["status"], "FAILED");
    let log = &out["log"];
    assert!(log["tail"].as_str().unwrap().len() > 100, "{log}");
    assert!(!array(&log["errorLines"]).is_empty(), "a failed dbt log has error lines: {log}");
    assert!(array(&out["artifacts"]).iter().any(|a| a == "run_results.json"), "{out}");
    let upstream = array(&out["upstream"]);
    assert!(!upstream.is_empty() && upstream.iter().all(|u| u["status"].is_string()), "{out}");
    assert!(out["pipelineRun"]["lineageUrl"].is_string());
    assert!(fake.requests().iter().any(|r| r.path == "/task_runs"), "found by searching /task_runs");

    // Shaped text carries no terminal colour codes; the raw log keeps its exact bytes.
    let tail = log["tail"].as_str().unwrap();
    assert!(!tail.contains('\u{1b}') && tail.contains("[ERROR in 1.92s]"), "{tail}");
    let raw = server
        .ok("get_task_run_log", json!({"pipeline_run_id": out["pipelineRun"]["id"], "task_run_id": dbt["taskRunId"]}))
        .await;
    assert!(raw["content"].as_str().unwrap().contains("\u{1b}[31mERROR"), "the raw log is exact");

    // With its pipeline run named, no search is needed, and its task runs are read once.
    fake.clear_requests();
    let run = out["pipelineRun"]["id"].clone();
    server.ok("diagnose_task_run", json!({"task_run_id": dbt["taskRunId"], "pipeline_run_id": run})).await;
    assert!(!fake.requests().iter().any(|r| r.path == "/task_runs"));
    let siblings = fake.requests().iter().filter(|r| r.path.ends_with("/task_runs")).count();
    assert_eq!(siblings, 1, "the run's task runs were read {siblings} times");

    let text = server.err("diagnose_task_run", json!({"task_run_id": "00000000-0000-4000-8000-000000000000"})).await;
    assert!(text.contains("7 days") && text.contains("pipeline_run_id"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn pipeline_context_summarises_definition_and_recent_outcomes() {
    let (_fake, server) = setup().await;
    let out = server.ok("pipeline_context", json!({"pipeline_id_or_alias": "daily_refresh"})).await;
    assert_eq!(out["pipeline"]["alias"], "daily_refresh");
    assert_eq!(array(&out["tasks"]).len(), 3);
    assert_eq!(array(&out["integrations"]).len(), 3);
    assert!(out["definition"]["pipeline"].is_object());
    let recent = array(&out["recentRuns"]);
    assert!(!recent.is_empty() && recent.len() <= 20);
    let counted: u64 = out["outcomes"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum();
    assert_eq!(counted, recent.len() as u64);
    assert_eq!(out["lastFailure"]["status"], "FAILED", "the newest daily_refresh run failed: {out}");
    assert!(out["medianSucceededDurationSeconds"].as_f64().unwrap() > 0.0, "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_for_run_polls_until_the_run_ends_with_progress_on_the_way() {
    let fake = FakeOrchestra::start(FakeOptions { run_duration: Duration::from_secs(3), ..FakeOptions::default() })
        .await
        .unwrap();
    let mut command = tokio::process::Command::new(server_binary());
    command
        .arg("serve")
        .env("ORCHESTRA_BASE_URL", fake.base_url())
        .env("ORCHESTRA_API_KEY", fake.api_key())
        .env("ORCHESTRA_ALLOW_INSECURE_LOOPBACK", "1")
        .env("ORCHESTRA_MCP_CACHE_DIR", cache_dir());
    let (transport, _) =
        rmcp::transport::TokioChildProcess::builder(command).stderr(std::process::Stdio::null()).spawn().unwrap();
    let log = ProgressLog::default();
    let client = log.clone().serve(transport).await.unwrap();
    let call = |name: &str, args: Value, token: Option<&str>| {
        let mut params =
            CallToolRequestParams::new(name.to_string()).with_arguments(args.as_object().cloned().unwrap());
        if let Some(token) = token {
            params.meta = Some(RequestMetaObject::with_progress_token(ProgressToken(NumberOrString::String(
                token.to_string().into(),
            ))));
        }
        client.call_tool(params)
    };
    let started = call("start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"}), None).await.unwrap();
    let run_id = started.structured_content.unwrap()["pipelineRunId"].clone();

    let done = call("wait_for_run", json!({"pipeline_run_id": run_id, "poll_interval_seconds": 2}), Some("wait-1"))
        .await
        .unwrap()
        .structured_content
        .unwrap();
    assert_eq!(done["status"], "SUCCEEDED", "{done}");
    assert_eq!((done["terminal"].as_bool(), done["timedOut"].as_bool()), (Some(true), Some(false)));
    assert!(done["polls"].as_u64().unwrap() >= 2, "{done}");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let progress = log.0.lock().unwrap().clone();
    assert!(!progress.is_empty(), "progress was reported while waiting");
    assert!(
        progress.iter().all(|p| p.2.as_deref().is_some_and(|m| m.contains("Hourly Fivetran sync"))),
        "{progress:?}"
    );

    // A timeout shorter than the run: the wait ends and says so.
    let slow = FakeOrchestra::start(FakeOptions { run_duration: Duration::from_secs(60), ..FakeOptions::default() })
        .await
        .unwrap();
    let server = Server::start(ServerOptions::for_fake(&slow)).await.unwrap();
    let started = server.ok("start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await;
    let out = server
        .ok(
            "wait_for_run",
            json!({"pipeline_run_id": started["pipelineRunId"], "timeout_seconds": 3, "poll_interval_seconds": 2}),
        )
        .await;
    assert_eq!((out["terminal"].as_bool(), out["timedOut"].as_bool()), (Some(false), Some(true)), "{out}");
    assert!(array(&out["nextSteps"]).iter().any(|s| s.as_str().unwrap().contains("wait_for_run again")));
    // It waited the whole timeout, not one poll interval less (polls at 0, 2 and 3 s).
    assert!(out["waitedSeconds"].as_f64().unwrap() >= 3.0, "{out}");
    assert_eq!(out["polls"], 3, "{out}");
    client.cancel().await.unwrap();
}
