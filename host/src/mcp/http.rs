//! MCP over streamable HTTP (`serve --http 127.0.0.1:PORT`): rmcp's `StreamableHttpService`
//! at `/mcp`, serving both protocol eras (2025-11-25 with sessions, 2026-07-28 stateless).
//!
//! - `Host` must be a loopback name, the bound address, or a configured host (DNS
//!   rebinding); a request carrying an `Origin` must come from a loopback origin or a
//!   configured one, and gets 403 otherwise. A request without `Origin` (a non-browser
//!   client) is accepted.
//! - With a token configured, every request must carry `Authorization: Bearer <token>`
//!   (401 otherwise). The token guards this server only: the component never sees request
//!   headers and the host adds only the Orchestra key to what it sends, so the token never
//!   reaches Orchestra.
//! - The Orchestra key is the server's, the same for every client; or, with
//!   `--http-per-user-keys`, each request's own (`caller.rs`), which it must bring (401
//!   otherwise). A server token and per-user keys go together: the token in
//!   `Authorization`, the key in `X-Orchestra-Api-Key`. A server-wide key with per-user
//!   keys is refused at start-up: a request without a key would act as the server.
//! - `X-MCP-Toolsets`, `X-MCP-Tools` and `X-MCP-Readonly` narrow the tools for that
//!   request (`narrowing.rs` of the face); a name the server does not expose gets 400.
//! - `GET /healthz` (the process serves) and `GET /readyz` (the component is loaded and
//!   the server is not shutting down; with `?orchestra=1`, Orchestra's base URL also
//!   answers) need no token and never touch a key.
//! - Bodies over the limit get 413; a body that is not a JSON-RPC message rmcp can serve
//!   gets 400 with its JSON-RPC error (`jsonrpc.rs`), as over stdio; a session ended with
//!   `DELETE` gets 204.
//! - SIGINT or SIGTERM: new calls are refused, calls in flight finish within the grace
//!   period or are cancelled, each gets its answer, and the process exits 0.

use std::net::SocketAddr;

use anyhow::{Context, bail};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::serve::ListenerExt;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use orchestra_mcp_face::narrowing::Narrowing;

use crate::mcp::caller::{KEY_HEADER, RequestScope};
use crate::mcp::server::OrchestraServer;
use crate::settings::config::{ApiKey, Config};
use crate::settings::http::{HttpConfig, Token};
use crate::settings::key_source::MIN_KEY_CHARS;

/// The MCP endpoint's path.
pub const PATH: &str = "/mcp";
/// Liveness: the process serves.
pub const HEALTH_PATH: &str = "/healthz";
/// Readiness: the component is loaded and the server takes calls.
pub const READY_PATH: &str = "/readyz";

/// Serves until SIGINT or SIGTERM (or `stop` is cancelled), then drains and returns.
pub async fn serve(
    mut config: Config,
    http: HttpConfig,
    stop: tokio_util::sync::CancellationToken,
) -> anyhow::Result<()> {
    if http.per_user_keys && config.api_key.is_some() {
        bail!(
            "--http-per-user-keys takes the Orchestra key from each request, and this server also has a key of its \
             own (ORCHESTRA_API_KEY, _FILE or _COMMAND): a request without a key would then act with it. Unset \
             the server's key to share the server with per-user keys, or drop --http-per-user-keys"
        );
    }
    if !http.listen.ip().is_loopback() && http.token.is_none() && !http.per_user_keys {
        bail!(
            "--http {} is reachable from other machines, and anyone who reaches it acts with this server's \
             Orchestra key; set ORCHESTRA_MCP_HTTP_TOKEN (or --http-token-file) so clients must present a token, \
             or use --http-per-user-keys so each client brings its own Orchestra key",
            http.listen
        );
    }
    config.keys_per_request = http.per_user_keys;
    let server = crate::mcp::build_server(&config).await?;
    let listener =
        tokio::net::TcpListener::bind(http.listen).await.with_context(|| format!("listening on {}", http.listen))?;
    let bound = listener.local_addr()?;
    // An answer's last bytes (the end of its stream) are a small write after the message:
    // with Nagle's algorithm it waits for the client's delayed ACK, about 40 ms, and a
    // keep-alive client (or a proxy in front) waits for that end before its next request.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY on a connection");
        }
    });
    // Ends the sessions, after the calls in them have answered.
    let sessions = tokio_util::sync::CancellationToken::new();
    let serving = server.clone();
    let service = StreamableHttpService::new(
        move || Ok(serving.clone()),
        LocalSessionManager::default().into(),
        service_config(&http, bound, sessions.clone()),
    );
    let gate = Gate { token: http.token.clone(), per_user_keys: http.per_user_keys, server: server.clone() };
    let app = Router::new()
        .nest_service(PATH, service)
        .layer(middleware::from_fn_with_state(http.max_body_bytes, answer_malformed_bodies))
        .layer(middleware::from_fn_with_state(gate, admit))
        // After the layers, so the probes need no token.
        .route(HEALTH_PATH, axum::routing::get(|| async { "ok\n" }))
        .route(READY_PATH, axum::routing::get(ready).with_state(server.clone()));
    // The line tests and scripts wait for; stdout stays free of anything else.
    tracing::info!(
        address = %format!("http://{bound}{PATH}"),
        token = http.token.is_some(),
        per_user_keys = http.per_user_keys,
        "serving MCP over HTTP"
    );
    eprintln!("orchestra-mcp: serving MCP at http://{bound}{PATH}");
    axum::serve(listener, app)
        .with_graceful_shutdown(async move {
            tokio::select! {
                () = stop.cancelled() => {}
                () = crate::mcp::shutdown::signal() => {}
            }
            server.drain(crate::mcp::shutdown::GRACE).await;
            // The sessions pass on the last answers, then end, so open streams close.
            tokio::time::sleep(crate::mcp::shutdown::HANDOFF).await;
            sessions.cancel();
        })
        .await
        .context("serving MCP over HTTP")
}

/// Answers a POST body that is not a message rmcp can serve with its JSON-RPC error (400),
/// instead of rmcp's plain-text 415; a session's `DELETE` gets 204 rather than 202.
async fn answer_malformed_bodies(State(max_body_bytes): State<usize>, request: Request, next: Next) -> Response {
    let json_error = |status: StatusCode, body: String| {
        (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body).into_response()
    };
    if request.method() == axum::http::Method::DELETE {
        let mut response = next.run(request).await;
        if response.status() == StatusCode::ACCEPTED {
            *response.status_mut() = StatusCode::NO_CONTENT;
        }
        return response;
    }
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/json"));
    if request.method() != axum::http::Method::POST || !is_json {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let bytes = match axum::body::to_bytes(body, max_body_bytes).await {
        Ok(bytes) => bytes,
        Err(_) => return json_error(StatusCode::PAYLOAD_TOO_LARGE, crate::jsonrpc::too_long("", max_body_bytes)),
    };
    match crate::jsonrpc::read(&String::from_utf8_lossy(&bytes)) {
        crate::jsonrpc::Read::Message(_) => next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await,
        crate::jsonrpc::Read::Malformed { reply, .. } => json_error(StatusCode::BAD_REQUEST, reply),
        crate::jsonrpc::Read::Blank => json_error(StatusCode::BAD_REQUEST, crate::jsonrpc::empty()),
    }
}

/// What the gate in front of `/mcp` checks each request against.
#[derive(Clone)]
struct Gate {
    token: Option<Token>,
    per_user_keys: bool,
    server: OrchestraServer,
}

/// Refuses a request without the server's token (401) or, in per-user mode, without an
/// Orchestra key (401), or with narrowing headers that name what the server does not
/// expose (400); attaches the request's key and narrowing for the handler (`caller.rs`).
async fn admit(State(gate): State<Gate>, mut request: Request, next: Next) -> Response {
    let headers = request.headers();
    if let Some(token) = &gate.token
        && !token.accepts(headers.get(header::AUTHORIZATION))
    {
        return unauthorized(
            "this MCP server needs `Authorization: Bearer <token>` with the token its operator set \
             (ORCHESTRA_MCP_HTTP_TOKEN)",
        );
    }
    let key = match gate.per_user_keys {
        true => match request_key(headers, gate.token.is_some()) {
            Ok(key) => Some(key),
            Err(message) => return unauthorized(&message),
        },
        false => None,
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let narrowing = match Narrowing::from_headers(header, gate.server.catalogue()) {
        Ok(narrowing) => narrowing,
        Err(message) => {
            let body = crate::jsonrpc::invalid_request(&message);
            return (
                StatusCode::BAD_REQUEST,
                [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))],
                body,
            )
                .into_response();
        }
    };
    request.extensions_mut().insert(RequestScope { key, narrowing });
    next.run(request).await
}

fn unauthorized(message: &str) -> Response {
    (StatusCode::UNAUTHORIZED, [(header::WWW_AUTHENTICATE, "Bearer")], message.to_string()).into_response()
}

/// The Orchestra key a request brings in per-user mode: `X-Orchestra-Api-Key`, or the
/// bearer credential when the server has no token of its own. The key is never quoted.
fn request_key(headers: &axum::http::HeaderMap, server_has_token: bool) -> Result<ApiKey, String> {
    let bearer =
        || headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    let presented = match headers.get(KEY_HEADER) {
        Some(value) => value.to_str().ok(),
        None if !server_has_token => bearer(),
        None => None,
    };
    let where_ = if server_has_token {
        format!("the {KEY_HEADER} header (Authorization carries this server's token)")
    } else {
        format!("the {KEY_HEADER} header, or `Authorization: Bearer <key>`")
    };
    match presented.map(str::trim) {
        Some(key) if key.chars().count() >= MIN_KEY_CHARS && key.chars().all(|c| c.is_ascii_graphic()) => {
            ApiKey::new(key).ok_or_else(|| format!("this MCP server needs your Orchestra API key in {where_}"))
        }
        Some(_) => Err(format!(
            "the Orchestra API key in {where_} is not one: a key is at least {MIN_KEY_CHARS} visible characters \
             (Orchestra: Settings → API Key)"
        )),
        None => Err(format!(
            "this MCP server acts with each user's own Orchestra API key: send yours in {where_} \
             (Orchestra: Settings → API Key)"
        )),
    }
}

/// `GET /readyz`: 200 while the server takes calls, 503 once it drains; `?orchestra=1`
/// also asks Orchestra's base URL, without a key, and answers 503 if it cannot be reached.
async fn ready(
    State(server): State<OrchestraServer>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> Response {
    let json = |status: StatusCode, body: serde_json::Value| {
        (status, [(header::CONTENT_TYPE, HeaderValue::from_static("application/json"))], body.to_string())
            .into_response()
    };
    if server.is_draining() {
        return json(StatusCode::SERVICE_UNAVAILABLE, serde_json::json!({"ready": false, "reason": "shutting down"}));
    }
    let tools = server.tools().len();
    let ask_orchestra = query.is_some_and(|q| q.split('&').any(|p| matches!(p, "orchestra=1" | "orchestra=true")));
    if !ask_orchestra {
        return json(StatusCode::OK, serde_json::json!({"ready": true, "tools": tools}));
    }
    match server.orchestra_answers().await {
        Ok(status) => json(StatusCode::OK, serde_json::json!({"ready": true, "tools": tools, "orchestra": status})),
        Err(why) => json(
            StatusCode::SERVICE_UNAVAILABLE,
            serde_json::json!({"ready": false, "reason": format!("Orchestra's API cannot be reached: {why}")}),
        ),
    }
}

/// rmcp's settings: the Host and Origin allowlists (loopback plus the configured ones),
/// the body limit and the shutdown signal.
fn service_config(
    http: &HttpConfig,
    bound: SocketAddr,
    shutdown: tokio_util::sync::CancellationToken,
) -> StreamableHttpServerConfig {
    let mut hosts: Vec<String> = vec!["localhost".into(), "127.0.0.1".into(), "::1".into()];
    if !bound.ip().is_unspecified() {
        hosts.push(bound.ip().to_string());
    }
    hosts.extend(http.allowed_hosts.iter().cloned());
    let mut origins: Vec<String> =
        vec!["http://localhost:*".into(), "http://127.0.0.1:*".into(), "http://[::1]:*".into()];
    origins.extend(http.allowed_origins.iter().cloned());
    StreamableHttpServerConfig::default()
        .with_allowed_hosts(hosts)
        .with_allowed_origins(origins)
        .enforce_origin_validation()
        .with_max_request_body_bytes(http.max_body_bytes)
        .with_cancellation_token(shutdown)
}
