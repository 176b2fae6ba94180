//! The egress hook against misbehaving upstreams: redirects, silence, slow drips, huge
//! bodies, guest-requested timeouts, and hosts that are allowed but must not get the key.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use orchestra_tests::{FakeOptions, FakeOrchestra, Injection, Server, ServerOptions, env, probe_component};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A listener that accepts connections and never answers; `closed` turns true when the
/// client hangs up.
async fn silent_listener() -> (String, Arc<AtomicBool>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let closed = Arc::new(AtomicBool::new(false));
    let flag = closed.clone();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let flag = flag.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        flag.store(true, Ordering::SeqCst);
                        break;
                    }
                }
            });
        }
    });
    (format!("http://{addr}/api/engine/public"), closed)
}

#[tokio::test(flavor = "multi_thread")]
async fn a_silent_upstream_ends_in_a_timeout_and_the_connection_is_dropped() {
    let (base_url, closed) = silent_listener().await;
    let server = Server::start(ServerOptions {
        base_url,
        api_key: Some("egress-test-key".into()),
        env: env(&[("ORCHESTRA_MCP_CALL_TIMEOUT_SECS", "1")]),
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let text = server.err("get_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
    assert!(text.contains("1 s limit"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(closed.load(Ordering::SeqCst), "the dropped store closed the upstream connection");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_guest_cannot_wait_longer_than_the_host_allows() {
    let (base_url, _) = silent_listener().await;
    let server = Server::start(ServerOptions {
        base_url: base_url.clone(),
        api_key: Some("egress-test-key".into()),
        component: Some(probe_component()),
        env: env(&[("ORCHESTRA_MCP_FIRST_BYTE_TIMEOUT_MS", "500")]),
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let started = Instant::now();
    let text = server.err("fetch", json!({"url": format!("{base_url}/x"), "first_byte_timeout_ms": 3_600_000})).await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "the 1 h the guest asked for was clamped: {:?}",
        started.elapsed()
    );
    assert!(text.to_ascii_lowercase().contains("timeout"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn redirects_are_not_followed() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    fake.inject(Injection {
        path_contains: "/status".into(),
        status: 302,
        headers: vec![("location".into(), "http://169.254.169.254/latest/meta-data/".into())],
        ..Injection::default()
    });
    let server = Server::start(ServerOptions::for_fake(&fake)).await.unwrap();
    let text = server.err("get_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
    assert!(text.contains("302"), "{text}");
    assert_eq!(fake.requests().len(), 1, "the redirect was not followed");
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_answers_are_cut_off_whether_declared_or_streamed() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = Server::start(ServerOptions {
        env: env(&[("ORCHESTRA_MCP_MAX_RESPONSE_BYTES", "1048576")]),
        ..ServerOptions::for_fake(&fake)
    })
    .await
    .unwrap();
    let big = "x".repeat(4 << 20);
    for chunked in [false, true] {
        fake.inject(Injection {
            path_contains: "/status".into(),
            status: 200,
            body: big.clone(),
            chunked,
            ..Injection::default()
        });
        let text =
            server.err("get_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
        assert!(text.contains("larger than this server accepts"), "chunked={chunked}: {text}");
    }
    server.ok("list_pipeline_runs", json!({"limit": 1})).await;
}

/// A server whose every answer declares 5 body bytes and sends more: the rest is a whole
/// second response, as a request-smuggling attempt would write it.
async fn lying_listener() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = socket.read(&mut buf).await {
                    if n == 0 {
                        return;
                    }
                    seen.extend_from_slice(&buf[..n]);
                    while let Some(end) = seen.windows(4).position(|w| w == b"\r\n\r\n") {
                        seen.drain(..end + 4);
                        let answer = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello\
                                      HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nsmuggled";
                        if socket.write_all(answer.as_bytes()).await.is_err() {
                            return;
                        }
                    }
                }
            });
        }
    });
    format!("http://127.0.0.1:{}", addr.port())
}

#[tokio::test(flavor = "multi_thread")]
async fn a_lying_small_content_length_yields_the_declared_bytes_and_nothing_smuggled() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let liar = lying_listener().await;
    let server = Server::start(ServerOptions {
        component: Some(probe_component()),
        env: env(&[("ORCHESTRA_MCP_ALLOWED_HOSTS", &liar)]),
        ..ServerOptions::for_fake(&fake)
    })
    .await
    .unwrap();
    // Calls in a row would share a pooled connection if the pool kept one with bytes left over.
    for _ in 0..3 {
        let out = server.ok("fetch", json!({"url": format!("{liar}/anything")})).await;
        assert_eq!(out["status"], 200, "{out}");
        assert_eq!(out["body"], "hello", "only the declared bytes, never the smuggled answer: {out}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_slow_drip_trips_the_between_bytes_timeout() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    fake.inject(Injection {
        path_contains: "/status".into(),
        status: 200,
        body: r#"{"id": "slow"}"#.into(),
        drip: Some(Duration::from_secs(2)),
        ..Injection::default()
    });
    let server = Server::start(ServerOptions {
        env: env(&[("ORCHESTRA_MCP_BETWEEN_BYTES_TIMEOUT_MS", "300")]),
        ..ServerOptions::for_fake(&fake)
    })
    .await
    .unwrap();
    let started = Instant::now();
    let text = server.err("get_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}: {text}", started.elapsed());
    assert!(text.contains("did not answer") && text.contains("in time"), "{text}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_extra_allowed_host_never_receives_the_key() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let other = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = Server::start(ServerOptions {
        component: Some(probe_component()),
        env: env(&[("ORCHESTRA_MCP_ALLOWED_HOSTS", &format!("http://127.0.0.1:{}", other.addr().port()))]),
        ..ServerOptions::for_fake(&fake)
    })
    .await
    .unwrap();
    let out = server.ok("fetch", json!({"url": format!("{}/pipeline_runs", other.base_url())})).await;
    assert_eq!(out["status"], 401, "the other host saw no key: {out}");
    let seen = other.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].header("authorization"), None);
    // The Orchestra origin still gets it.
    let out = server.ok("fetch", json!({"url": format!("{}/pipeline_runs", fake.base_url())})).await;
    assert_eq!(out["status"], 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn tool_calls_reuse_pooled_connections() {
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = Server::start(ServerOptions::for_fake(&fake)).await.unwrap();
    let run_id = fake.snapshot().runs[0].0.clone();
    for _ in 0..10 {
        server.ok("get_pipeline_run", json!({"pipeline_run_id": run_id})).await;
    }
    assert_eq!(fake.requests().len(), 10);
    assert_eq!(fake.connections(), 1, "ten calls, each in a fresh sandbox, shared one keep-alive connection");
}

/// A listener that accepts each connection, reads the request head and hangs up: a reset
/// after the request may have arrived.
async fn hanging_up_listener() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let mut buf = [0u8; 4096];
            let _ = socket.read(&mut buf).await;
            drop(socket);
        }
    });
    format!("http://{addr}/api/engine/public")
}

/// The text a model reads for every kind of failure, in reads and writes, says one thing:
/// what happened, whether it may have taken effect, and what to do, in words, never in
/// Rust's debug names.
#[tokio::test(flavor = "multi_thread")]
async fn every_failure_is_worded_once_and_never_contradicts_itself() {
    let in_words = |text: &str| {
        assert!(!text.contains("ErrorCode") && !text.contains("::") && !text.contains("(None)"), "debug names: {text}");
    };
    // Nothing listens: nothing was sent, for reads and writes alike.
    let closed = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let server = Server::start(ServerOptions {
        base_url: format!("http://{closed}/api/engine/public"),
        api_key: Some("egress-test-key".into()),
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let text = server.err("list_pipelines", json!({})).await;
    in_words(&text);
    assert!(text.contains("connection was refused") && text.contains("Nothing was sent"), "{text}");
    let text = server.err("start_pipeline", json!({"pipeline_id_or_alias": "daily_refresh"})).await;
    in_words(&text);
    assert!(text.contains("Nothing was sent") && !text.contains("unknown"), "{text}");

    // The connection breaks after the request: a read says so, a write says its outcome is unknown.
    let server = Server::start(ServerOptions {
        base_url: hanging_up_listener().await,
        api_key: Some("egress-test-key".into()),
        ..ServerOptions::default()
    })
    .await
    .unwrap();
    let text = server.err("list_pipelines", json!({})).await;
    in_words(&text);
    assert!(text.contains("nothing changed") && !text.contains("took effect"), "{text}");
    let text =
        server.err("cancel_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
    in_words(&text);
    assert!(text.contains("whether it took effect is unknown") && !text.contains("check the network"), "{text}");

    // A server failure on a write is not "already retried", and a timeout is said once.
    let fake = FakeOrchestra::start(FakeOptions::default()).await.unwrap();
    let server = Server::start(ServerOptions {
        env: env(&[("ORCHESTRA_MCP_FIRST_BYTE_TIMEOUT_MS", "500")]),
        ..ServerOptions::for_fake(&fake)
    })
    .await
    .unwrap();
    fake.inject(Injection { path_contains: "/cancel".into(), status: 503, ..Injection::default() });
    let text =
        server.err("cancel_pipeline_run", json!({"pipeline_run_id": "286cb489-54f0-499b-b531-b84e3909ac9b"})).await;
    assert!(text.contains("503") && text.contains("whether it took effect is unknown"), "{text}");
    assert!(!text.contains("retried") && !text.contains("try again"), "{text}");
    fake.inject(Injection {
        path_contains: "/pipelines".into(),
        delay: Duration::from_secs(2),
        ..Injection::default()
    });
    let text = server.err("list_pipelines", json!({})).await;
    in_words(&text);
    assert_eq!(text.matches("in time").count(), 1, "{text}");
}
