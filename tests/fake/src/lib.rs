//! A faithful fake of Orchestra's public API (`openapi_engine_public.json`), for tests and
//! the demo. It follows the spec and the behaviours Orchestra is known for, not our
//! client: bearer auth, the 7-day window rules, comma-separated filters with 422 on
//! unknown values, the paginated envelope, runs that move from CREATED to a terminal
//! state, cancel with 204, `Range` downloads (206, 416), `{"detail": ...}` errors, and
//! 429 with `Retry-After` on demand. It records every request it receives.

// Handlers answer `Result<Response, Response>`: the error is a whole HTTP response by design.
#![allow(clippy::result_large_err)]

pub mod api;
mod assets;
mod catalogue;
mod ids;
mod integrations;
pub mod model;
mod operations;
mod pipeline_writes;
mod pipelines;
mod seed;
mod state;
mod validate;
mod workspace;

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

pub use seed::ACCOUNT_ID;

/// The path prefix of the engine API, as on app.getorchestra.io.
pub const API_PREFIX: &str = "/api/engine/public";

#[derive(Debug, Clone)]
pub struct FakeOptions {
    /// The workspace's standard key: it reads and acts.
    pub api_key: String,
    /// Read-only keys of the same workspace: they work on GET endpoints only (and on
    /// validating a pipeline, which needs no key); anything else answers 403.
    pub read_only_keys: Vec<String>,
    /// How long a run started through the API stays RUNNING before it succeeds.
    pub run_duration: Duration,
}

impl Default for FakeOptions {
    fn default() -> Self {
        Self {
            api_key: "orchestra-fake-key".to_string(),
            read_only_keys: vec!["orchestra-fake-read-only-key".to_string()],
            run_duration: Duration::from_secs(3),
        }
    }
}

/// One request as the fake received it.
#[derive(Debug, Clone)]
pub struct RecordedRequest {
    pub method: String,
    /// Path below `API_PREFIX` (for example `/pipeline_runs`).
    pub path: String,
    pub query: Option<String>,
    /// Header names in lower case, with their values.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl RecordedRequest {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }

    /// The decoded value of one query parameter.
    pub fn query_param(&self, name: &str) -> Option<String> {
        let query = self.query.as_deref()?;
        let pairs: Vec<(String, String)> = serde_urlencoded_pairs(query);
        pairs.into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }
}

fn serde_urlencoded_pairs(query: &str) -> Vec<(String, String)> {
    axum::extract::Query::<Vec<(String, String)>>::try_from_uri(
        &format!("/?{query}").parse().expect("a query parses as a URI"),
    )
    .map(|q| q.0)
    .unwrap_or_default()
}

/// A canned answer for the next matching requests (for 429s, 5xx and other failures).
#[derive(Debug, Clone)]
pub struct Injection {
    /// Applies to requests whose path (below the prefix) contains this.
    pub path_contains: String,
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// How many requests it answers.
    pub times: u32,
    /// How long to wait before answering (a slow upstream).
    pub delay: Duration,
    /// Send the body in chunks without a `Content-Length`.
    pub chunked: bool,
    /// Send the body one byte at a time, this long apart (a slow drip).
    pub drip: Option<Duration>,
    /// Instead of a canned answer: after `delay`, handle the request for real, even if the
    /// client has given up by then (a slow Orchestra that acts after the caller's timeout).
    pub act_late: bool,
}

impl Default for Injection {
    fn default() -> Self {
        Self {
            path_contains: String::new(),
            status: 500,
            headers: Vec::new(),
            body: String::new(),
            times: 1,
            delay: Duration::ZERO,
            chunked: false,
            drip: None,
            act_late: false,
        }
    }
}

/// In an injected body, replaced by the request's headers as JSON: a server that echoes
/// credentials back in an error, for leak tests.
pub const ECHO_HEADERS: &str = "{{request_headers}}";

impl Injection {
    /// Requests whose path contains `path_contains` are handled for real, but only after
    /// `delay`, whether or not the client still waits.
    pub fn act_late(path_contains: &str, delay: Duration) -> Self {
        Self { path_contains: path_contains.to_string(), delay, act_late: true, ..Self::default() }
    }

    /// 429 with `Retry-After`, as Orchestra's rate limiter would answer.
    pub fn rate_limited(path_contains: &str, retry_after_seconds: u32) -> Self {
        Self {
            path_contains: path_contains.to_string(),
            status: 429,
            headers: vec![("retry-after".to_string(), retry_after_seconds.to_string())],
            body: r#"{"detail":"Rate limit exceeded, wait before sending more requests"}"#.to_string(),
            ..Self::default()
        }
    }
}

pub struct Shared {
    pub options: FakeOptions,
    pub world: Mutex<api::World>,
    requests: Mutex<Vec<RecordedRequest>>,
    injections: Mutex<VecDeque<Injection>>,
    in_flight: AtomicUsize,
    max_in_flight: AtomicUsize,
    connections: AtomicUsize,
}

impl Shared {
    pub fn world(&self) -> MutexGuard<'_, api::World> {
        self.world.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A running fake on 127.0.0.1; it stops when dropped.
pub struct FakeOrchestra {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
}

impl FakeOrchestra {
    /// Binds 127.0.0.1 on a free port and serves until dropped.
    pub async fn start(options: FakeOptions) -> anyhow::Result<Self> {
        Self::start_on(options, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    pub async fn start_on(options: FakeOptions, addr: SocketAddr) -> anyhow::Result<Self> {
        let shared = Arc::new(Shared {
            world: Mutex::new(api::World::seeded(options.run_duration)),
            options,
            requests: Mutex::default(),
            injections: Mutex::default(),
            in_flight: AtomicUsize::new(0),
            max_in_flight: AtomicUsize::new(0),
            connections: AtomicUsize::new(0),
        });
        let router = api::router()
            .layer(axum::middleware::from_fn_with_state(shared.clone(), gatekeeper))
            .with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let counted = shared.clone();
        let listener = axum::serve::ListenerExt::tap_io(listener, move |_| {
            counted.connections.fetch_add(1, Ordering::SeqCst);
        });
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, router)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        });
        Ok(Self { addr, shared, shutdown: Some(tx) })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a client, e.g. `http://127.0.0.1:PORT/api/engine/public`.
    pub fn base_url(&self) -> String {
        format!("http://{}{API_PREFIX}", self.addr)
    }

    /// The standard key.
    pub fn api_key(&self) -> &str {
        &self.shared.options.api_key
    }

    /// The first read-only key, if the fake has one.
    pub fn read_only_key(&self) -> Option<&str> {
        self.shared.options.read_only_keys.first().map(String::as_str)
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.shared.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    pub fn clear_requests(&self) {
        if let Ok(mut r) = self.shared.requests.lock() {
            r.clear();
        }
    }

    /// Answers the next matching requests with a canned response.
    pub fn inject(&self, injection: Injection) {
        if let Ok(mut q) = self.shared.injections.lock() {
            q.push_back(injection);
        }
    }

    /// TCP connections accepted so far.
    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }

    /// The most requests the fake was answering at the same moment.
    pub fn max_in_flight(&self) -> usize {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    /// Read access to the seeded data, for tests that need real ids.
    pub fn snapshot(&self) -> api::Snapshot {
        self.shared.world().snapshot()
    }
}

impl Drop for FakeOrchestra {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Counts requests being answered, tracking the most at once.
struct InFlight<'a>(&'a Shared);

impl<'a> InFlight<'a> {
    fn enter(shared: &'a Shared) -> Self {
        let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        shared.max_in_flight.fetch_max(now, Ordering::SeqCst);
        Self(shared)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Records the request, answers injected failures, and checks the bearer key.
async fn gatekeeper(State(shared): State<Arc<Shared>>, request: Request, next: Next) -> Response {
    let _in_flight = InFlight::enter(&shared);
    let (parts, body) = request.into_parts();
    let body = axum::body::to_bytes(body, 32 * 1024 * 1024).await.unwrap_or_default();
    let path = parts.uri.path().strip_prefix(API_PREFIX).unwrap_or(parts.uri.path()).to_string();
    let recorded = RecordedRequest {
        method: parts.method.to_string(),
        path: path.clone(),
        query: parts.uri.query().map(str::to_string),
        headers: parts
            .headers
            .iter()
            .map(|(n, v)| (n.as_str().to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
            .collect(),
        body: body.to_vec(),
    };
    if let Ok(mut r) = shared.requests.lock() {
        r.push(recorded);
    }

    let injected = shared.injections.lock().ok().and_then(|mut q| {
        let index = q.iter().position(|i| path.contains(&i.path_contains))?;
        let mut injection = q[index].clone();
        injection.times -= 1;
        if injection.times == 0 {
            q.remove(index);
        } else {
            q[index].times = injection.times;
        }
        Some(injection)
    });
    if let Some(injection) = injected.as_ref().filter(|i| i.act_late) {
        // In its own task, so a client that hangs up does not stop it.
        let delay = injection.delay;
        let shared = shared.clone();
        let late = tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            authorized(&shared, parts, body, next).await
        });
        return late.await.unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    if let Some(injection) = injected {
        tokio::time::sleep(injection.delay).await;
        let headers: serde_json::Map<String, serde_json::Value> = parts
            .headers
            .iter()
            .map(|(n, v)| (n.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned().into()))
            .collect();
        let body = injection.body.replace(ECHO_HEADERS, &serde_json::Value::Object(headers).to_string());
        let body = match (injection.drip, injection.chunked) {
            (Some(every), _) => {
                let bytes = axum::body::Bytes::from(body);
                Body::from_stream(futures_util::stream::unfold(0usize, move |i| {
                    let bytes = bytes.clone();
                    async move {
                        if i >= bytes.len() {
                            return None;
                        }
                        if i > 0 {
                            tokio::time::sleep(every).await;
                        }
                        Some((Ok::<_, std::io::Error>(bytes.slice(i..=i)), i + 1))
                    }
                }))
            }
            (None, true) => {
                let chunks: Vec<Result<axum::body::Bytes, std::io::Error>> =
                    body.into_bytes().chunks(64 * 1024).map(|c| Ok(axum::body::Bytes::copy_from_slice(c))).collect();
                Body::from_stream(futures_util::stream::iter(chunks))
            }
            (None, false) => Body::from(body),
        };
        let mut response = Response::new(body);
        *response.status_mut() = StatusCode::from_u16(injection.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        response.headers_mut().insert("content-type", HeaderValue::from_static("application/json"));
        for (name, value) in injection.headers {
            if let (Ok(n), Ok(v)) = (axum::http::HeaderName::try_from(name), HeaderValue::try_from(value)) {
                response.headers_mut().insert(n, v);
            }
        }
        return response;
    }
    authorized(&shared, parts, body, next).await
}

/// Checks the bearer key and the account, then hands the request to its route.
async fn authorized(
    shared: &Shared,
    parts: axum::http::request::Parts,
    body: axum::body::Bytes,
    next: Next,
) -> Response {
    let path = parts.uri.path().strip_prefix(API_PREFIX).unwrap_or(parts.uri.path()).to_string();
    // Validating a pipeline definition needs no key; everything else does.
    let public = parts.method == axum::http::Method::POST && path == "/pipelines/schema";
    let bearer =
        parts.headers.get("authorization").and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let standard = bearer == Some(shared.options.api_key.as_str());
    let read_only = bearer.is_some_and(|key| shared.options.read_only_keys.iter().any(|k| k == key));
    if !public && !standard && !read_only {
        return api::detail(StatusCode::UNAUTHORIZED, "Invalid API key or authorization header").into_response();
    }
    if !public && read_only && parts.method != axum::http::Method::GET {
        return api::detail(
            StatusCode::FORBIDDEN,
            "This API key is read-only: it can read, but a standard key is needed to trigger pipelines or change anything",
        )
        .into_response();
    }
    if let Some(account) = parts.headers.get("x-orchestra-account-id")
        && account.as_bytes() != ACCOUNT_ID.as_bytes()
    {
        return api::detail(StatusCode::FORBIDDEN, "This API key cannot act on the requested account").into_response();
    }
    next.run(Request::from_parts(parts, Body::from(body))).await
}
