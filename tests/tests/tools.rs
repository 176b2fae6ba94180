//! Every tool through the real binary over stdio against the fake: happy paths (results
//! validated against the tool's outputSchema), what went over the wire, and error paths.

use std::time::Duration;

use orchestra_tests::{FakeOptions, FakeOrchestra, Injection, Server, ServerOptions, http_get};
use serde_json::{Value, json};

async fn setup() -> (FakeOrchestra, Server) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.expect("fake starts");
    let server = Server::start(ServerOptions::for_fake(&fake)).await.expect("server starts");
    (fake, server)
}

/// What the fake API itself answers to a GET of `path`, with the key.
async fn raw_api(fake: &FakeOrchestra, path: &str) -> Value {
    let auth = format!("Bearer {}", fake.api_key());
    let (status, body) = http_get(&format!("{}{path}", fake.base_url()), &[("authorization", &auth)]).await.unwrap();
    assert_eq!(status, 200, "{path}");
    serde_json::from_slice(&body).unwrap()
}

fn newest<'a>(fake: &'a orchestra_fake::api::Snapshot, status: &str) -> &'a (String, String, String, String) {
    fake.runs.iter().find(|r| r.2 == status).unwrap_or_else(|| panic!("the fake has a {status} run"))
}

#[tokio::test(flavor = "multi_thread")]
async fn list_pipeline_runs_filters_pages_and_reports_totals() {
    let (fake, server) = setup().await;
    let out = server.ok("list_pipeline_runs", json!({"time_from": "24h", "status": ["FAILED", "WARNING"]})).await;
    let runs = out["runs"].as_array().unwrap();
    assert!(!runs.is_empty());
    assert!(runs.iter().all(|r| r["runStatus"] == "FAILED" || r["runStatus"] == "WARNING"));
    let sent = fake.requests().into_iter().find(|r| r.path == "/pipeline_runs").unwrap();
    assert_eq!(sent.query_param("status").as_deref(), Some("FAILED,WARNING"), "multi-value filters travel as csv");
    assert!(sent.query_param("time_from").is_some() && sent.query_param("time_to").is_some());

    // The default window holds more runs than one page of 100: the tool pages for us.
    fake.clear_requests();
    let all = server.ok("list_pipeline_runs", json!({"limit": 1000})).await;
    let total = all["total"].as_u64().unwrap();
    assert!(total > 100, "seeded data spans more than one page, got {total}");
    // Over the result budget the list is cut, and the counters say what the result holds.
    let held = all["runs"].as_array().unwrap().len() as u64;
    assert_eq!(all["returned"].as_u64().unwrap(), held);
    assert_eq!(all["truncated"], held < total, "{}", all["resultCut"]);
    let pages: Vec<String> = fake.requests().iter().filter_map(|r| r.query_param("page")).collect();
    assert_eq!(pages, ["1", "2"]);

    let few = server.ok("list_pipeline_runs", json!({"limit": 5})).await;
    assert_eq!(few["returned"], 5);
    assert_eq!(few["truncated"], true);
    assert_eq!(few["total"].as_u64().unwrap(), total);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_window_wider_than_seven_days_is_narrowed_with_a_note() {
    let (fake, server) = setup().await;
    let out = server.ok("list_pipeline_runs", json!({"time_from": "30d", "time_to": "now"})).await;
    let notes: Vec<&str> = out["notes"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    assert!(notes[0].contains("7 days"), "{notes:?}");
    assert!(notes.iter().filter(|n| n.contains("7 days")).count() == 1, "{notes:?}");
    // The fake rejects spans over 7 days, so reaching it with 200 proves the clamp.
    assert!(out["total"].as_u64().unwrap() > 0);
    let sent = fake.requests().into_iter().find(|r| r.path == "/pipeline_runs").unwrap();
    assert!(sent.query_param("time_from").unwrap().ends_with('Z'));

    let only_from = server.ok("list_pipeline_runs", json!({"time_from": "9d"})).await;
    assert!(only_from["notes"][0].as_str().unwrap().contains("time_from="), "{only_from}");

    let text = server.err("list_pipeline_runs", json!({"time_from": "last tuesday"})).await;
    assert!(text.contains("time_from") && text.contains("24h"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn get_pipeline_run_returns_everything_the_api_does() {
    let (fake, server) = setup().await;
    let snapshot = fake.snapshot();
    let (run_id, ..) = newest(&snapshot, "FAILED");
    let out = server.ok("get_pipeline_run", json!({"pipeline_run_id": run_id})).await;
    let raw = raw_api(&fake, &format!("/pipeline_runs/{run_id}/status")).await;
    assert_eq!(out["run"], raw, "nothing is dropped or renamed");
    assert_eq!(out["terminal"], true);
    assert!(out["lineageUrl"].as_str().unwrap().ends_with(&format!("/pipeline-runs/{run_id}/lineage")));

    let text = server.err("get_pipeline_run", json!({"pipeline_run_id": "00000000-0000-4000-8000-000000000000"})).await;
    assert!(text.contains("404") && text.contains("Pipeline run not found"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_task_runs_globally_and_for_one_run() {
    let (fake, server) = setup().await;
    let global = server
        .ok("list_task_runs", json!({"time_from": "3d", "status": ["FAILED"], "integration": ["DBT_CORE", "FIVETRAN"]}))
        .await;
    assert!(global["taskRuns"].as_array().unwrap().iter().all(|t| t["status"] == "FAILED"));
    let sent = fake.requests().into_iter().find(|r| r.path == "/task_runs").unwrap();
    assert_eq!(sent.query_param("integration").as_deref(), Some("DBT_CORE,FIVETRAN"));

    let snapshot = fake.snapshot();
    let (run_id, ..) = newest(&snapshot, "FAILED");
    let of_run = server.ok("list_task_runs", json!({"pipeline_run_id": run_id})).await;
    let tasks = of_run["taskRuns"].as_array().unwrap();
    assert_eq!(tasks.len(), 3, "the daily pipeline has three tasks");
    assert!(of_run["window"].is_null());
    let failed = server.ok("list_task_runs", json!({"pipeline_run_id": run_id, "status": ["FAILED"]})).await;
    let failed = failed["taskRuns"].as_array().unwrap();
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["externalMessage"].as_str().unwrap().contains("DISCOUNT_PCT"));

    let text = server.err("list_task_runs", json!({"pipeline_run_id": run_id, "time_from": "24h"})).await;
    assert!(text.contains("time_from"), "{text}");

    // An integration name that is not in Orchestra's enum reaches the API and comes back as its 422.
    let text = server.err("list_task_runs", json!({"integration": ["NOT_A_TOOL"]})).await;
    assert!(text.contains("422") && text.contains("integration"), "{text}");
}

/// Every field of a compact item is the full item's, unchanged.
fn assert_subset(compact: &Value, full: &Value) {
    for (key, value) in compact.as_object().unwrap() {
        assert_eq!(Some(value), full.get(key), "compact {key} differs from full");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn lists_are_compact_by_default_and_full_on_request() {
    let (fake, server) = setup().await;
    let (run_id, _) = failed_task(&fake).await;
    let window = json!({"time_from": "7d", "limit": 20});
    let with = |base: &Value, extra: Value| {
        let mut args = base.clone();
        args.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        args
    };
    // (tool, arguments, list field, a field only the full detail carries)
    let cases = [
        ("list_task_runs", json!({"pipeline_run_id": run_id}), "taskRuns", "taskParameters"),
        ("list_pipeline_runs", window.clone(), "runs", "accountId"),
        ("list_operations", window.clone(), "operations", "insertedAt"),
        ("list_assets", json!({"limit": 20}), "assets", "integrationAccountId"),
    ];
    for (tool, args, list, heavy) in cases {
        let compact = server.ok(tool, args.clone()).await;
        let full = server.ok(tool, with(&args, json!({"detail": "full"}))).await;
        let (compact_items, full_items) = (compact[list].as_array().unwrap(), full[list].as_array().unwrap());
        assert!(!compact_items.is_empty() && compact_items.len() == full_items.len(), "{tool}");
        for (c, f) in compact_items.iter().zip(full_items) {
            assert_subset(c, f);
            assert!(c.get(heavy).is_none() && f.get(heavy).is_some(), "{tool}: {heavy} in {c} / {f}");
        }
        let note = compact["notes"].as_array().unwrap().iter().filter_map(Value::as_str).collect::<String>();
        assert!(note.contains("detail \"full\""), "{tool} says how to get the rest: {compact}");
        assert!(full["notes"].as_array().unwrap().iter().all(|n| !n.as_str().unwrap().contains("detail")));
        let (c, f) = (compact.to_string().len(), full.to_string().len());
        assert!(c < f, "{tool}: compact {c} bytes, full {f}");
    }

    // Full is exactly what Orchestra sent.
    let full = server.ok("list_task_runs", json!({"pipeline_run_id": run_id, "detail": "full"})).await;
    let raw = raw_api(&fake, &format!("/pipeline_runs/{run_id}/task_runs")).await;
    assert_eq!(full["taskRuns"], raw["results"], "nothing is dropped or renamed");
    let text = server.err("list_task_runs", json!({"pipeline_run_id": run_id, "detail": "everything"})).await;
    assert!(text.contains("detail"), "{text}");
}

async fn failed_task(fake: &FakeOrchestra) -> (String, String) {
    let snapshot = fake.snapshot();
    let (run_id, ..) = newest(&snapshot, "FAILED");
    let task = snapshot.task_runs.iter().find(|t| &t.1 == run_id && t.2 == "FAILED").unwrap();
    (run_id.clone(), task.0.clone())
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_are_listed_by_attempt_and_read_from_the_tail() {
    let (fake, server) = setup().await;
    let (run, task) = failed_task(&fake).await;
    let listed = server.ok("list_task_run_logs", json!({"pipeline_run_id": run, "task_run_id": task})).await;
    assert_eq!(listed["files"].as_array().unwrap().len(), 2, "the failed task ran twice");
    assert_eq!(listed["latest"], "attempt-2.log");

    fake.clear_requests();
    let tail = server.ok("get_task_run_log", json!({"pipeline_run_id": run, "task_run_id": task})).await;
    assert_eq!(tail["filename"], "attempt-2.log");
    assert_eq!(tail["encoding"], "utf-8");
    assert!(tail["content"].as_str().unwrap().contains("invalid identifier 'DISCOUNT_PCT'"));
    let size = tail["sizeBytes"].as_u64().unwrap();
    assert_eq!(tail["moreBefore"], size > 16384);
    let download = fake.requests().into_iter().find(|r| r.path.ends_with("/logs/download")).unwrap();
    assert_eq!(download.header("range"), Some("bytes=-16384"));

    let head = server
        .ok("get_task_run_log", json!({"pipeline_run_id": run, "task_run_id": task, "filename": "attempt-1.log", "start_byte": 0, "max_bytes": 100}))
        .await;
    assert_eq!(head["bytesReturned"], 100);
    assert_eq!(head["startByte"], 0);
    assert_eq!(head["moreAfter"], true);
    assert!(head["notes"][0].as_str().unwrap().contains("start_byte=100"));

    let text = server
        .err("get_task_run_log", json!({"pipeline_run_id": run, "task_run_id": task, "start_byte": 10_000_000}))
        .await;
    assert!(text.contains("416") && text.contains(&format!("{size} bytes")), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_task_log_is_marked_pending() {
    let (fake, server) = setup().await;
    let snapshot = fake.snapshot();
    let task = snapshot.task_runs.iter().find(|t| t.2 == "RUNNING").expect("a running task");
    let out = server.ok("get_task_run_log", json!({"pipeline_run_id": task.1, "task_run_id": task.0})).await;
    assert_eq!(out["fileStatus"], "PENDING");
}

#[tokio::test(flavor = "multi_thread")]
async fn artifacts_are_listed_and_downloaded_within_a_cap() {
    let (fake, server) = setup().await;
    let (run, task) = failed_task(&fake).await;
    let listed = server.ok("list_task_run_artifacts", json!({"pipeline_run_id": run, "task_run_id": task})).await;
    assert!(listed["filenames"].as_array().unwrap().contains(&json!("run_results.json")));

    let results = server
        .ok(
            "get_task_run_artifact",
            json!({"pipeline_run_id": run, "task_run_id": task, "filename": "run_results.json"}),
        )
        .await;
    assert_eq!(results["encoding"], "utf-8");
    let parsed: Value = serde_json::from_str(results["content"].as_str().unwrap()).expect("the whole file came back");
    assert!(parsed["results"].as_array().unwrap().iter().any(|r| r["status"] == "error"));
    assert_eq!(results["moreAfter"], false);

    let manifest = server
        .ok(
            "get_task_run_artifact",
            json!({"pipeline_run_id": run, "task_run_id": task, "filename": "manifest.json", "max_bytes": 65536}),
        )
        .await;
    assert_eq!(manifest["bytesReturned"], 65536);
    assert!(manifest["sizeBytes"].as_u64().unwrap() > 65536);
    assert_eq!(manifest["moreAfter"], true);
    assert_eq!(manifest["contentRange"].as_str().unwrap().split('/').next(), Some("bytes 0-65535"));

    let zip = server
        .ok(
            "get_task_run_artifact",
            json!({"pipeline_run_id": run, "task_run_id": task, "filename": "dbt_artifacts.zip"}),
        )
        .await;
    assert_eq!(zip["encoding"], "base64");
    assert!(zip["content"].as_str().unwrap().starts_with("UEsDB"), "a zip file starts with PK\\x03\\x04");

    let text = server
        .err("get_task_run_artifact", json!({"pipeline_run_id": run, "task_run_id": task, "filename": "nope.json"}))
        .await;
    assert!(text.contains("404") && text.contains("Artifact not found"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn start_pipeline_sends_every_option_and_returns_the_run() {
    let (fake, server) = setup().await;
    let out = server
        .ok(
            "start_pipeline",
            json!({"pipeline_id_or_alias": "finance_close", "branch": "fix/ledger", "commit": "abc123", "environment": "Staging",
                   "version_number": 3, "task_ids": ["dbt_finance"], "retry_from_failed": true, "run_inputs": {"period": "2026-10"}}),
        )
        .await;
    let start = fake.requests().into_iter().find(|r| r.path.ends_with("/start")).unwrap();
    assert_eq!(start.path, "/pipelines/finance_close/start");
    let body: Value = serde_json::from_slice(&start.body).unwrap();
    assert_eq!(
        body,
        json!({"branch": "fix/ledger", "commit": "abc123", "environment": "Staging", "versionNumber": 3,
               "taskIds": ["dbt_finance"], "retryFromFailed": true, "runInputs": {"period": "2026-10"}})
    );
    let run_id = out["pipelineRunId"].as_str().unwrap();
    let run = server.ok("get_pipeline_run", json!({"pipeline_run_id": run_id})).await;
    assert_eq!(run["run"]["envName"], "Staging");
    assert_eq!(run["run"]["branch"], "fix/ledger");

    let text = server.err("start_pipeline", json!({"pipeline_id_or_alias": "marketing_attribution"})).await;
    assert!(text.contains("400") && text.contains("Missing required pipeline input: campaign"), "{text}");
    let ok = server
        .ok(
            "start_pipeline",
            json!({"pipeline_id_or_alias": "marketing_attribution", "run_inputs": {"campaign": "black_friday"}}),
        )
        .await;
    assert!(ok["pipelineRunId"].is_string());
}

fn starts(fake: &FakeOrchestra) -> usize {
    fake.requests().into_iter().filter(|r| r.path.ends_with("/start")).count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_whose_answer_is_lost_is_not_retried_and_only_its_own_window_is_listed() {
    let (fake, server) = setup().await;
    // A run started before the call began is not the call's, so it is not listed.
    let earlier = server.ok("start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    fake.inject(Injection {
        path_contains: "/start".into(),
        status: 502,
        body: "<html>Bad Gateway</html>".into(),
        ..Injection::default()
    });
    let text = server.err("start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await;
    assert!(text.contains("502") && text.contains("whether it took effect is unknown"), "{text}");
    assert!(
        !text.contains("try again") && !text.contains("reads were already retried"),
        "no contradicting advice: {text}"
    );
    assert!(text.contains("No run of this pipeline was created between") && text.contains("twice 3 s apart"), "{text}");
    assert!(!text.contains(earlier["pipelineRunId"].as_str().unwrap()), "{text}");
    assert_eq!(starts(&fake), 2, "a start is sent exactly once");
}

/// A server whose requests give up after a second, so a slow start's answer is lost.
async fn impatient(fake: &FakeOrchestra) -> Server {
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_FIRST_BYTE_TIMEOUT_MS", "1000")]);
    Server::start(ServerOptions { env, ..ServerOptions::for_fake(fake) }).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_that_acts_after_its_answer_was_lost_is_found_and_its_key_is_not_used_twice() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = impatient(&fake).await;
    // Orchestra creates the run 2 s after the request, a second after the server gave up.
    fake.inject(Injection::act_late("/start", Duration::from_secs(2)));
    let args = json!({"pipeline_id_or_alias": "daily_refresh", "dedupe_key": "nightly-2026-12-01"});
    let text = server.err("start_pipeline", args.clone()).await;
    assert!(text.contains("did not answer") && text.contains("whether it took effect is unknown"), "{text}");
    assert_eq!(text.matches("did not answer").count(), 1, "said once: {text}");
    assert!(text.contains("Runs of this pipeline created between") && text.contains("others or a schedule"), "{text}");
    let newest = fake.snapshot().runs.into_iter().next().expect("the late start made a run");
    assert!(text.contains(&newest.0), "the run made after the answer was lost is listed: {text}");

    // The same start again is refused: the first may have happened (it did).
    let repeat = server.err("start_pipeline", args.clone()).await;
    assert!(repeat.contains("may have taken effect") && repeat.contains("dedupe_retry: true"), "{repeat}");
    assert_eq!(starts(&fake), 1, "the repeat was not sent");

    // Only when the agent says the first did not happen is it sent again.
    let mut retry = args.clone();
    retry["dedupe_retry"] = json!(true);
    server.ok("start_pipeline", retry).await;
    assert_eq!(starts(&fake), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn h7_a_start_with_a_dedupe_key_happens_once_within_the_window() {
    let (fake, server) = setup().await;
    let starts = || fake.requests().into_iter().filter(|r| r.path.ends_with("/start")).count();
    let args = json!({"pipeline_id_or_alias": "hourly_ingest", "dedupe_key": "backfill-2026-11-30"});
    let first = server.ok("start_pipeline", args.clone()).await;
    let repeat = server.call("start_pipeline", args.clone()).await;
    assert_eq!(repeat.structured_content.as_ref(), Some(&first), "the repeat returns the first run");
    assert!(orchestra_tests::text(&repeat).contains("Repeat call"), "and says it is one");
    assert_eq!(starts(), 1, "one POST for two calls");
    let start = fake.requests().into_iter().find(|r| r.path.ends_with("/start")).unwrap();
    assert!(!String::from_utf8_lossy(&start.body).contains("dedupe"), "Orchestra never sees the key");

    // Overlapping identical calls also send one start.
    let args = json!({"pipeline_id_or_alias": "hourly_ingest", "dedupe_key": "parallel"});
    let (a, b) = tokio::join!(server.call("start_pipeline", args.clone()), server.call("start_pipeline", args.clone()));
    assert!(a.structured_content.is_some() && a.structured_content == b.structured_content);
    assert_eq!(starts(), 2);

    // The same key with other arguments is refused; without a key every call starts a run.
    let text =
        server.err("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh", "dedupe_key": "parallel"})).await;
    assert!(text.contains("other arguments"), "{text}");
    server.ok("start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await;
    server.ok("start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await;
    assert_eq!(starts(), 4);

    // A window of 0 turns it off.
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_DEDUPE_WINDOW_SECS", "0")]);
    let off = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let args = json!({"pipeline_id_or_alias": "hourly_ingest", "dedupe_key": "k"});
    let (a, b) = (off.ok("start_pipeline", args.clone()).await, off.ok("start_pipeline", args).await);
    assert_ne!(a["pipelineRunId"], b["pipelineRunId"]);
    assert_eq!(starts(), 6);
}

#[tokio::test(flavor = "multi_thread")]
async fn runs_move_to_a_terminal_state_and_can_be_cancelled() {
    let (fake, server) = setup().await;
    let started = server.ok("start_pipeline", json!({"pipeline_id_or_alias": "hourly_ingest"})).await;
    let run_id = started["pipelineRunId"].as_str().unwrap().to_string();
    let first = server.ok("get_pipeline_run", json!({"pipeline_run_id": run_id})).await;
    assert!(["CREATED", "RUNNING"].contains(&first["run"]["runStatus"].as_str().unwrap()));
    assert_eq!(first["terminal"], false);

    let cancelled = server.ok("cancel_pipeline_run", json!({"pipeline_run_id": run_id, "force": true})).await;
    assert_eq!(cancelled["cancellationRequested"], true);
    assert_eq!(cancelled["runStatus"], "CANCELLING");
    let cancel = fake.requests().into_iter().find(|r| r.path.ends_with("/cancel")).unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&cancel.body).unwrap(), json!({"force": true}));
    tokio::time::sleep(std::time::Duration::from_millis(400)).await;
    let later = server.ok("get_pipeline_run", json!({"pipeline_run_id": run_id})).await;
    assert_eq!(later["run"]["runStatus"], "CANCELLED");
    assert_eq!(later["terminal"], true);

    let text = server.err("cancel_pipeline_run", json!({"pipeline_run_id": run_id})).await;
    assert!(text.contains("400") && text.contains("CANCELLED"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_arguments_name_the_field_and_send_nothing() {
    let (fake, server) = setup().await;
    for (tool, args, field) in [
        ("list_pipeline_runs", json!({"status": ["BROKEN"]}), "status/0"),
        ("list_pipeline_runs", json!({"limit": 0}), "limit"),
        ("list_pipeline_runs", json!({"pipeline_ids": ["../../etc"]}), "pipeline_ids/0"),
        ("list_pipeline_runs", json!({"colour": "blue"}), "colour"),
        ("get_pipeline_run", json!({}), "pipeline_run_id"),
        ("get_pipeline_run", json!({"pipeline_run_id": "286cb489/../x"}), "pipeline_run_id"),
        ("start_pipeline", json!({"pipeline_id_or_alias": "a/b?c"}), "pipeline_id_or_alias"),
        ("get_task_run_artifact", json!({"pipeline_run_id": "x"}), "pipeline_run_id"),
    ] {
        let text = server.err(tool, args.clone()).await;
        assert!(text.contains(field), "{tool} {args}: the error should name {field}: {text}");
        assert!(text.contains("nothing was sent"), "{text}");
    }
    assert!(fake.requests().is_empty(), "invalid arguments never reach Orchestra");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_tool_is_a_protocol_error() {
    let (_fake, server) = setup().await;
    let error = server.try_call("delete_everything", json!({})).await.expect_err("unknown tools are -32602");
    let message = error.to_string();
    assert!(message.contains("-32602") || message.contains("unknown tool"), "{message}");
    // The server keeps serving.
    server.ok("list_pipeline_runs", json!({"limit": 1})).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn upstream_errors_are_actionable() {
    let (fake, server) = setup().await;
    // A wait longer than the client's budget is reported, not slept through (retries.rs
    // covers the waits it does take).
    fake.inject(Injection::rate_limited("/pipeline_runs", 60));
    let text = server.err("list_pipeline_runs", json!({})).await;
    assert!(text.contains("429") && text.contains("call again after 60 s"), "{text}");

    let wrong_key =
        Server::start(ServerOptions { api_key: Some("not-the-key".into()), ..ServerOptions::for_fake(&fake) })
            .await
            .unwrap();
    let text = wrong_key.err("list_pipeline_runs", json!({})).await;
    assert!(text.contains("401") && text.contains("ORCHESTRA_API_KEY"), "{text}");

    let no_key = Server::start(ServerOptions { api_key: None, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    assert_eq!(no_key.tools.len(), server.tools.len(), "tools/list works without a key");
    let text = no_key.err("get_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
    assert!(text.contains("ORCHESTRA_API_KEY") && text.contains("nothing was sent"), "{text}");

    fake.inject(Injection {
        path_contains: "/status".into(),
        status: 200,
        body: "<html>oops</html>".into(),
        ..Injection::default()
    });
    let text = server.err("get_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
    assert!(text.contains("could not be read"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_result_over_the_budget_keeps_what_fits_and_says_what_was_cut() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let env = orchestra_tests::env(&[("ORCHESTRA_MCP_MAX_RESULT_CHARS", "8000")]);
    let server = Server::start(ServerOptions { env, ..ServerOptions::for_fake(&fake) }).await.unwrap();
    let result = server.call("list_pipeline_runs", json!({"time_from": "7d", "limit": 100})).await;
    let text = orchestra_tests::text(&result);
    assert!(text.chars().count() <= 8000, "{} characters", text.chars().count());
    // `ok` has checked the cut result against the published outputSchema.
    let out = server.ok("list_pipeline_runs", json!({"time_from": "7d", "limit": 100})).await;
    let kept = out["runs"].as_array().unwrap().len();
    assert!(kept > 0 && kept < 100, "kept {kept}");
    assert_eq!(out["resultCut"]["lists"], json!([{"list": "/runs", "kept": kept, "of": 100}]));
    assert!(out["resultCut"]["howToGetTheRest"].as_str().unwrap().contains("limit"));
    assert_eq!(out["returned"], kept, "returned counts what the result holds");
    assert_eq!(out["truncated"], true);

    // Under the default budget the same question is answered whole.
    let roomy = Server::start(ServerOptions::for_fake(&fake)).await.unwrap();
    let out = roomy.ok("list_pipeline_runs", json!({"time_from": "7d", "limit": 20})).await;
    assert!(out.get("resultCut").is_none());
    assert_eq!(out["runs"].as_array().unwrap().len(), 20);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_pipeline_runs_takes_environments_by_name_or_id() {
    let (fake, server) = setup().await;
    let production = fake.snapshot().environments.into_iter().find(|(_, name)| name == "Production").unwrap();
    fake.clear_requests();
    let by_name = server.ok("list_pipeline_runs", json!({"time_from": "7d", "environments": ["production"]})).await;
    let runs = orchestra_tests::array(&by_name["runs"]);
    assert!(!runs.is_empty() && runs.iter().all(|r| r["envName"] == "Production"), "{by_name}");
    let sent = fake.requests().into_iter().find(|r| r.path == "/pipeline_runs").unwrap();
    assert_eq!(sent.query_param("environments").as_deref(), Some(production.0.as_str()), "names become ids");
    let by_id = server.ok("list_pipeline_runs", json!({"time_from": "7d", "environments": [production.0]})).await;
    assert_eq!(by_id["total"], by_name["total"]);
    let text = server.err("list_pipeline_runs", json!({"environments": ["Production", "Narnia"]})).await;
    assert!(text.contains("environments/1") && text.contains("Staging"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn argument_errors_are_bounded_name_their_field_and_suggest_the_nearest_argument() {
    let (fake, server) = setup().await;
    let statuses: Vec<&str> = vec!["x"; 10_000];
    let text = server.err("list_pipeline_runs", json!({"status": statuses})).await;
    assert!(text.len() < 5_000, "{} bytes of error text", text.len());
    assert!(text.contains("status/0") && text.contains("9990 more problems"), "{}", &text[..text.len().min(2000)]);

    let text = server
        .err("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh", "version_number": 4_294_967_296u64}))
        .await;
    assert!(text.contains("version_number") && text.contains("4294967295"), "{text}");

    // Ids are `"format": "uuid"` in the schemas; the host still checks them before sending.
    let text = server.err("get_pipeline_run", json!({"pipeline_run_id": "last-nights-run"})).await;
    assert!(text.contains("pipeline_run_id") && text.contains("expected a UUID"), "{text}");

    let text = server.err("list_pipeline_runs", json!({"statuses": ["FAILED"]})).await;
    assert!(text.contains("\"statuses\" (did you mean \"status\"?)"), "{text}");
    assert!(fake.requests().is_empty(), "nothing was sent for bad arguments");
}
