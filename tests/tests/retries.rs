//! The API client's retry policy through the real binary against the fake (checklist H1,
//! H3, H4, H6): rate limits are waited out when the wait fits the budget, reads survive
//! server failures, and nothing else is sent twice.

use std::time::{Duration, Instant};

use orchestra_tests::{FakeOptions, FakeOrchestra, Injection, Server, ServerOptions};
use serde_json::json;

const RUN: &str = "286cb489-54f0-499b-b531-b84e3909ac9b";

async fn setup() -> (FakeOrchestra, Server) {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.expect("fake starts");
    let server = Server::start(ServerOptions::for_fake(&fake)).await.expect("server starts");
    (fake, server)
}

fn sent(fake: &FakeOrchestra, method: &str, path_contains: &str) -> usize {
    fake.requests().iter().filter(|r| r.method == method && r.path.contains(path_contains)).count()
}

fn failure(path_contains: &str, status: u16, times: u32) -> Injection {
    Injection {
        path_contains: path_contains.into(),
        status,
        body: format!(r#"{{"detail": "injected {status}"}}"#),
        times,
        ..Injection::default()
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_with_retry_after_is_waited_out_once() {
    let (fake, server) = setup().await;
    fake.inject(Injection::rate_limited("/pipeline_runs", 1));
    let started = Instant::now();
    server.ok("list_pipeline_runs", json!({"limit": 1})).await;
    let waited = started.elapsed();
    assert!(waited >= Duration::from_secs(1), "Retry-After: 1 was honoured, waited {waited:?}");
    assert!(waited < Duration::from_secs(3), "and not much longer, waited {waited:?}");
    assert_eq!(sent(&fake, "GET", "/pipeline_runs"), 2);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_retry_after_beyond_the_budget_is_reported_not_slept() {
    let (fake, server) = setup().await;
    fake.inject(Injection::rate_limited("/pipeline_runs", 120));
    let started = Instant::now();
    let text = server.err("list_pipeline_runs", json!({"limit": 1})).await;
    assert!(started.elapsed() < Duration::from_secs(5), "no sleep: {:?}", started.elapsed());
    assert!(text.contains("call again after 120 s"), "{text}");
    assert_eq!(sent(&fake, "GET", "/pipeline_runs"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn reads_survive_server_failures_up_to_three_attempts() {
    let (fake, server) = setup().await;
    let run = fake.snapshot().runs[0].0.clone();
    for status in [500, 502, 503, 504] {
        fake.clear_requests();
        fake.inject(failure("/status", status, 2));
        let out = server.ok("get_pipeline_run", json!({"pipeline_run_id": run})).await;
        assert_eq!(out["run"]["id"], run.as_str(), "{status}: {out}");
        assert_eq!(sent(&fake, "GET", "/status"), 3, "{status}: two failures, then the answer");
    }
    fake.clear_requests();
    fake.inject(failure("/status", 503, 10));
    let text = server.err("get_pipeline_run", json!({"pipeline_run_id": RUN})).await;
    assert!(text.contains("503") && text.contains("tried 3 times") && text.contains("nothing changed"), "{text}");
    assert_eq!(sent(&fake, "GET", "/status"), 3, "attempts are bounded");
}

#[tokio::test(flavor = "multi_thread")]
async fn client_errors_are_sent_exactly_once() {
    let (fake, server) = setup().await;
    for status in [400, 401, 403, 404, 422] {
        fake.clear_requests();
        fake.inject(failure("/status", status, 1));
        let text = server.err("get_pipeline_run", json!({"pipeline_run_id": RUN})).await;
        assert!(text.contains(&status.to_string()), "{status}: {text}");
        assert_eq!(sent(&fake, "GET", "/status"), 1, "{status} is not retried");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_start_is_retried_on_a_rate_limit_but_never_on_a_server_failure() {
    let (fake, server) = setup().await;
    // 429 means Orchestra did not process the request, so sending it again is safe.
    fake.inject(Injection::rate_limited("/start", 1));
    let out = server.ok("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh"})).await;
    assert!(out["pipelineRunId"].is_string(), "{out}");
    assert_eq!(sent(&fake, "POST", "/start"), 2);

    // A 5xx may come after the run was created: exactly one request, outcome unknown.
    fake.clear_requests();
    fake.inject(failure("/start", 503, 1));
    let text = server.err("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh"})).await;
    assert!(text.contains("whether it took effect is unknown"), "{text}");
    assert_eq!(sent(&fake, "POST", "/start"), 1);

    // Rate limits that go on are bounded too.
    fake.clear_requests();
    fake.inject(Injection { times: 10, ..Injection::rate_limited("/start", 0) });
    let text = server.err("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh"})).await;
    assert!(text.contains("429"), "{text}");
    assert_eq!(sent(&fake, "POST", "/start"), 3);
}
