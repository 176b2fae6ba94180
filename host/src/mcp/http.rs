//! MCP over streamable HTTP (`serve --http 127.0.0.1:PORT`): rmcp's `StreamableHttpService`
//! at `/mcp`, serving both protocol eras (2025-11-25 with sessions, 2026-07-28 stateless).
//!
//! - `Host` must be a loopback name, the bound address, or a configured host (DNS
//!   rebinding); a request carrying an `Origin` must come from a loopback origin or a
//!   configured one, and gets 403 otherwise. A request without `Origin` (a non-browser
//!   client) is accepted.
//! - With a token configured, every request must carry `Authorization: Bearer <token>`
//!   (401 otherwise). The token guards this server only: the component never sees request
//!   headers and the host adds only the Orchestra key to what it sends, so the client's
//!   credentials never reach Orchestra.
//! - The Orchestra key is the server's, the same for every client.
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
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};

use crate::settings::config::Config;
use crate::settings::http::{HttpConfig, Token};

/// The MCP endpoint's path.
pub const PATH: &str = "/mcp";

/// Serves until SIGINT or SIGTERM (or `stop` is cancelled), then drains and returns.
pub async fn serve(config: Config, http: HttpConfig, stop: tokio_util::sync::CancellationToken) -> anyhow::Result<()> {
    if !http.listen.ip().is_loopback() && http.token.is_none() {
        bail!(
            "--http {} is reachable from other machines, and anyone who reaches it acts with this server's \
             Orchestra key; set ORCHESTRA_MCP_HTTP_TOKEN (or --http-token-file) so clients must present a token",
            http.listen
        );
    }
    let server = crate::mcp::build_server(&config).await?;
    let listener =
        tokio::net::TcpListener::bind(http.listen).await.with_context(|| format!("listening on {}", http.listen))?;
    let bound = listener.local_addr()?;
    // Ends the sessions, after the calls in them have answered.
    let sessions = tokio_util::sync::CancellationToken::new();
    let serving = server.clone();
    let service = StreamableHttpService::new(
        move || Ok(serving.clone()),
        LocalSessionManager::default().into(),
        service_config(&http, bound, sessions.clone()),
    );
    let app = Router::new()
        .nest_service(PATH, service)
        .layer(middleware::from_fn_with_state(http.max_body_bytes, answer_malformed_bodies))
        .layer(middleware::from_fn_with_state(http.token.clone(), require_token));
    // The line tests and scripts wait for; stdout stays free of anything else.
    tracing::info!(address = %format!("http://{bound}{PATH}"), token = http.token.is_some(), "serving MCP over HTTP");
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

/// Refuses a request without the configured bearer token.
async fn require_token(State(token): State<Option<Token>>, request: Request, next: Next) -> Response {
    match &token {
        Some(token) if !token.accepts(request.headers().get(header::AUTHORIZATION)) => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "this MCP server needs `Authorization: Bearer <token>` with the token its operator set \
             (ORCHESTRA_MCP_HTTP_TOKEN)",
        )
            .into_response(),
        _ => next.run(request).await,
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
