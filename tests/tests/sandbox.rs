//! The sandbox's limits, checked with misbehaving components (`tests/guests/hostile`, one
//! per scenario): each failure ends as an `isError` result naming what happened, and the
//! next call on the same server works.

use std::time::{Duration, Instant};

use orchestra_tests::{
    FakeOptions, FakeOrchestra, Injection, Server, ServerOptions, hostile_component, probe_component,
};
use serde_json::json;

async fn hostile(fake: &FakeOrchestra, scenario: &str, env: &[(&str, &str)]) -> anyhow::Result<Server> {
    Server::start(ServerOptions {
        component: Some(hostile_component(scenario)),
        env: orchestra_tests::env(env),
        ..ServerOptions::for_fake(fake)
    })
    .await
}

/// The failing call's text, after which the benign tool of the same component still works.
async fn contained(server: &Server) -> (String, Duration) {
    let started = Instant::now();
    let text = server.err("scenario", json!({})).await;
    let took = started.elapsed();
    assert_eq!(server.ok("ok", json!({})).await, json!({"ok": true}), "the next call works");
    (text, took)
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endless_loop_is_stopped_by_the_cpu_budget() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = hostile(&fake, "loop-forever", &[("ORCHESTRA_MCP_CPU_MS", "200")]).await.unwrap();
    let (text, took) = contained(&server).await;
    assert!(text.contains("200 ms CPU budget"), "{text}");
    assert!(took < Duration::from_secs(10), "stopped after {took:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_loop_is_also_stopped_by_the_wall_time_limit() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = hostile(&fake, "loop-forever", &[("ORCHESTRA_MCP_CALL_TIMEOUT_SECS", "1")]).await.unwrap();
    let (text, _) = contained(&server).await;
    assert!(text.contains("1 s limit"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_allocation_bomb_hits_the_memory_limit() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = hostile(&fake, "alloc-bomb", &[("ORCHESTRA_MCP_MEMORY_MB", "64")]).await.unwrap();
    let (text, _) = contained(&server).await;
    assert!(text.contains("64 MiB memory limit"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn deep_recursion_overflows_the_stack_and_nothing_else() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = hostile(&fake, "deep-recursion", &[]).await.unwrap();
    let (text, _) = contained(&server).await;
    assert!(text.contains("overflowed its stack"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_panic_is_a_contained_error() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = hostile(&fake, "panic", &[]).await.unwrap();
    let (text, _) = contained(&server).await;
    assert!(text.contains("panicked") && text.contains("next call starts fresh"), "{text}");
    // What the guest printed before dying lands in the log, not in the result.
    assert!(server.stderr().contains("panics on purpose"), "{}", server.stderr());
}

#[tokio::test(flavor = "multi_thread")]
async fn components_that_want_files_or_sockets_do_not_load() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    for (scenario, interface) in [("files", "wasi:filesystem"), ("sockets", "wasi:sockets")] {
        let refused = hostile(&fake, scenario, &[]).await;
        assert!(refused.is_err(), "a component importing {interface} must not run");
        // The harness cannot see the exit message; start it by hand to read it.
        let out = tokio::process::Command::new(orchestra_tests::server_binary())
            .args(["serve", "--no-cache", "--allow-insecure-loopback"])
            .env("ORCHESTRA_BASE_URL", fake.base_url())
            .env("ORCHESTRA_MCP_COMPONENT", hostile_component(scenario))
            .stdin(std::process::Stdio::null())
            .output()
            .await
            .unwrap();
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("imports an interface this host does not provide"), "{stderr}");
        assert!(stderr.contains(interface), "the message names {interface}: {stderr}");
        assert!(out.stdout.is_empty());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_state_survives_between_calls() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = Server::start(ServerOptions { component: Some(probe_component()), ..ServerOptions::for_fake(&fake) })
        .await
        .unwrap();
    for _ in 0..3 {
        assert_eq!(server.ok("counter", json!({})).await, json!({"calls": 1}), "each call gets a fresh instance");
    }
    // Instances take slots of a pool, reused call after call: many calls at once, each
    // slot used several times, still find the component as it starts.
    let at_once = futures::future::join_all((0..32).map(|_| server.ok("counter", json!({})))).await;
    assert!(at_once.iter().all(|r| *r == json!({"calls": 1})), "{at_once:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_calls_are_capped_and_the_overflow_is_refused_as_busy() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let run_id = fake.snapshot().runs[0].0.clone();
    fake.inject(Injection {
        path_contains: "/status".into(),
        // A status the client does not retry, so each call makes exactly one slow request.
        status: 409,
        body: r#"{"detail":"slow"}"#.into(),
        times: 10,
        delay: Duration::from_millis(800),
        ..Injection::default()
    });
    let server = Server::start(ServerOptions {
        env: vec![
            ("ORCHESTRA_MCP_MAX_CONCURRENT_CALLS".into(), "2".into()),
            ("ORCHESTRA_MCP_MAX_QUEUED_CALLS".into(), "3".into()),
        ],
        ..ServerOptions::for_fake(&fake)
    })
    .await
    .unwrap();
    let calls = (0..10).map(|_| server.call("get_pipeline_run", json!({"pipeline_run_id": run_id})));
    let results = futures::future::join_all(calls).await;
    let texts: Vec<String> = results.iter().map(orchestra_tests::text).collect();
    let busy = texts.iter().filter(|t| t.contains("server is busy")).count();
    let served = texts.iter().filter(|t| t.contains("409")).count();
    assert_eq!(busy + served, 10, "{texts:#?}");
    assert_eq!(busy, 5, "2 run and 3 wait; the other 5 are refused: {texts:#?}");
    assert!(fake.max_in_flight() <= 2, "at most 2 guests talked to Orchestra at once, saw {}", fake.max_in_flight());
}
