//! A small client for Orchestra's public API over `wasi:http` (through wstd).
//!
//! Under orchestra-mcp it never sees the API key: the host adds `Authorization` to
//! requests bound for the Orchestra origin. In a runtime that cannot, the key comes from
//! the component's environment (`credentials.rs`). Every failure becomes a typed
//! `tool-error`; messages name the method and the path template of the request, never the
//! full URL.

use serde::de::DeserializeOwned;
use serde_json::Value;
use wstd::http::body::Bytes;
use wstd::http::body::util::{BodyExt, Empty};
use wstd::http::error::ErrorCode;
use wstd::http::{Body, Method, Request, Response};

use super::credentials::Credentials;
use super::{failure, retry};
use crate::error::unexpected;
use crate::wit::{ToolError, UpstreamError};

/// Where Orchestra's public engine API lives unless `ORCHESTRA_BASE_URL` says otherwise.
pub const DEFAULT_BASE_URL: &str = "https://app.getorchestra.io/api/engine/public";
/// JSON bodies larger than this are refused (a page of 100 runs is a few hundred KB).
const MAX_JSON_BYTES: usize = 16 * 1024 * 1024;
/// Error bodies are read up to this size and their detail cut to `MAX_DETAIL_CHARS`.
const MAX_ERROR_BYTES: usize = 64 * 1024;
const MAX_DETAIL_CHARS: usize = 500;

#[derive(Clone)]
pub struct Client {
    base: String,
    ui_origin: String,
    /// Sent as `X-Orchestra-Account-Id` on every request when set.
    account_id: Option<String>,
    /// Who adds the key to requests, and whether there is one.
    credentials: Credentials,
    /// This client sends only requests Orchestra answers without a key.
    public: bool,
}

/// A downloaded byte range of a log or artifact.
pub struct Download {
    pub bytes: Vec<u8>,
    /// `Content-Range` as sent by the server, if any.
    pub content_range: Option<String>,
    /// First byte offset of `bytes` within the file, when known.
    pub start: Option<u64>,
    /// Total file size, when the server said it.
    pub total: Option<u64>,
    /// The server sent more than the cap and the rest was not read.
    pub cut_at_cap: bool,
    /// `x-file-status` (for example `PENDING` while a log is still being written).
    pub file_status: Option<String>,
}

impl Client {
    /// Reads the base URL from `ORCHESTRA_BASE_URL`, the default account from
    /// `ORCHESTRA_ACCOUNT_ID` (neither is secret) and the credentials model.
    pub fn from_env() -> Result<Self, ToolError> {
        let base = std::env::var("ORCHESTRA_BASE_URL").unwrap_or_else(|_| DEFAULT_BASE_URL.to_string());
        let account_id = match std::env::var("ORCHESTRA_ACCOUNT_ID") {
            Ok(id) => Some(crate::args::uuid("ORCHESTRA_ACCOUNT_ID", &id)?),
            Err(_) => None,
        };
        Ok(Self { account_id, credentials: Credentials::from_env()?, ..Self::new(&base)? })
    }

    /// The same client for requests Orchestra answers without a key (validating a
    /// pipeline definition, the health check), which are sent even when no key is set.
    pub fn public(&self) -> Self {
        Self { public: true, ..self.clone() }
    }

    /// Acts in `account_id` (a checked UUID) instead of the default account.
    pub fn in_account(self, account_id: Option<String>) -> Self {
        Self { account_id: account_id.or(self.account_id), ..self }
    }

    pub fn new(base: &str) -> Result<Self, ToolError> {
        let base = base.trim().trim_end_matches('/').to_string();
        let uri: wstd::http::Uri =
            base.parse().map_err(|e| ToolError::Internal(format!("ORCHESTRA_BASE_URL is not a URL: {e}")))?;
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(ToolError::Internal("ORCHESTRA_BASE_URL needs a scheme and a host".into()));
        };
        let ui_origin = format!("{scheme}://{authority}");
        Ok(Self { base, ui_origin, account_id: None, credentials: Credentials::NoKey, public: false })
    }

    /// Who adds the key to this client's requests (to keep the component's own key out of
    /// what it returns).
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// The API base requests go to (not secret: the key is never part of it).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The Orchestra UI page that shows a pipeline run's lineage and task statuses.
    pub fn lineage_url(&self, pipeline_run_id: &str) -> String {
        format!("{}/pipeline-runs/{pipeline_run_id}/lineage", self.ui_origin)
    }

    /// The pipeline's page in the Orchestra UI.
    pub fn pipeline_url(&self, pipeline_id: &str) -> String {
        format!("{}/pipelines/{pipeline_id}/edit", self.ui_origin)
    }

    /// GET a JSON document. `route` is the method and path template used in messages.
    pub async fn get_json<T: DeserializeOwned>(&self, route: &str, path: &str) -> Result<T, ToolError> {
        let url = format!("{}{path}", self.base);
        self.get_and_read(route, &url, None, async |response| {
            decode_json(route, self.check_status(route, response).await?).await
        })
        .await
    }

    /// GET a JSON document of the Platform API, which lives at `/public/v1` on the same
    /// host as the engine API (`GET /accounts`).
    pub async fn get_platform_json<T: DeserializeOwned>(&self, route: &str, path: &str) -> Result<T, ToolError> {
        let url = format!("{}/public/v1{path}", self.ui_origin);
        self.get_and_read(route, &url, None, async |response| {
            decode_json(route, self.check_status(route, response).await?).await
        })
        .await
    }

    /// Sends a GET and reads its answer with `read`. An answer that breaks off part-way is
    /// a connection that failed, so the read is sent again as [`retry::decide`] says.
    async fn get_and_read<T>(
        &self,
        route: &str,
        url: &str,
        range: Option<String>,
        read: impl AsyncFn(Response<Body>) -> Result<T, ToolError>,
    ) -> Result<T, ToolError> {
        for attempt in 1.. {
            let response = self.send_to(route, Method::GET, url, None, range.clone()).await?;
            match read(response).await {
                Err(ToolError::Transport(message)) => {
                    match retry::decide(true, retry::Attempt::ConnectionFailed, attempt, jitter()) {
                        retry::Decision::RetryAfterMs(ms) => {
                            wstd::task::sleep(wstd::time::Duration::from_millis(ms)).await;
                        }
                        retry::Decision::Stop => return Err(ToolError::Transport(message)),
                    }
                }
                other => return other,
            }
        }
        unreachable!("the attempt counter is unbounded and decide() stops at MAX_ATTEMPTS")
    }

    /// Follows `page` through a paginated list until `limit` items are collected or the
    /// list ends. `path` already carries the filters; returns the items and `total`.
    pub async fn get_pages<T: DeserializeOwned>(
        &self,
        route: &str,
        path: &str,
        page_size: u32,
        limit: usize,
    ) -> Result<(Vec<T>, u64), ToolError> {
        /// A server that keeps answering full pages cannot keep the tool looping.
        const MAX_PAGES: u32 = 100;
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut total = 0;
        for page in 1..=MAX_PAGES {
            let paged = format!("{path}{separator}page={page}&page_size={page_size}");
            let body: super::models::Page<T> = self.get_json(route, &paged).await?;
            total = body.total;
            let received = body.results.len();
            items.extend(body.results);
            if items.len() >= limit || received < page_size as usize || items.len() as u64 >= total {
                break;
            }
        }
        items.truncate(limit);
        Ok((items, total))
    }

    /// POST a JSON body and decode the JSON answer (`None` for an empty 2xx body).
    pub async fn post_json<T: DeserializeOwned>(
        &self,
        route: &str,
        path: &str,
        body: &Value,
    ) -> Result<Option<T>, ToolError> {
        self.write_json(route, Method::POST, path, body).await
    }

    /// PUT a JSON body and decode the JSON answer (`None` for an empty 2xx body).
    pub async fn put_json<T: DeserializeOwned>(
        &self,
        route: &str,
        path: &str,
        body: &Value,
    ) -> Result<Option<T>, ToolError> {
        self.write_json(route, Method::PUT, path, body).await
    }

    /// PATCH a JSON body and decode the JSON answer (`None` for an empty 2xx body).
    pub async fn patch_json<T: DeserializeOwned>(
        &self,
        route: &str,
        path: &str,
        body: &Value,
    ) -> Result<Option<T>, ToolError> {
        self.write_json(route, Method::PATCH, path, body).await
    }

    /// DELETE; any 2xx answer is success.
    pub async fn delete(&self, route: &str, path: &str) -> Result<u16, ToolError> {
        let response = self.send(route, Method::DELETE, path, None, None).await?;
        Ok(self.check_status(route, response).await?.status().as_u16())
    }

    async fn write_json<T: DeserializeOwned>(
        &self,
        route: &str,
        method: Method,
        path: &str,
        body: &Value,
    ) -> Result<Option<T>, ToolError> {
        let response = self.send(route, method, path, Some(body), None).await?;
        let response = self.check_status(route, response).await?;
        if response.status().as_u16() == 204 {
            return Ok(None);
        }
        let bytes = read_json_bytes(route, response).await?;
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        parse_json(route, &bytes).map(Some)
    }

    /// POST a JSON body and return the status and JSON answer, treating the statuses in
    /// `answers` as answers rather than errors (a 422 that lists what is wrong, say).
    pub async fn post_for_answer(
        &self,
        route: &str,
        path: &str,
        body: &Value,
        answers: &[u16],
    ) -> Result<(u16, Value), ToolError> {
        let response = self.send(route, Method::POST, path, Some(body), None).await?;
        let status = response.status().as_u16();
        let response = if answers.contains(&status) { response } else { self.check_status(route, response).await? };
        Ok((status, decode_json(route, response).await?))
    }

    /// GET raw bytes with an optional `Range`, reading at most `cap` bytes of the body.
    pub async fn get_bytes(
        &self,
        route: &str,
        path: &str,
        range: Option<String>,
        cap: usize,
    ) -> Result<Download, ToolError> {
        let url = format!("{}{path}", self.base);
        self.get_and_read(route, &url, range, async |response| {
            let response = self.check_status(route, response).await?;
            let header = |name: &str| response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let content_range = header("content-range");
            let file_status = header("x-file-status");
            let (start, total) = content_range.as_deref().map(parse_content_range).unwrap_or((None, None));
            let total = total.or_else(|| {
                if response.status().as_u16() == 200 {
                    header("content-length").and_then(|v| v.parse().ok())
                } else {
                    None
                }
            });
            let start = start.or(if response.status().as_u16() == 200 { Some(0) } else { None });
            let (bytes, cut_at_cap) = read_capped(route, response, cap).await?;
            Ok(Download { bytes, content_range, start, total, cut_at_cap, file_status })
        })
        .await
    }

    fn request(
        &self,
        route: &str,
        method: Method,
        url: &str,
        json: Option<&Value>,
        range: Option<String>,
    ) -> Result<Request<Body>, ToolError> {
        let mut builder = Request::builder().method(method).uri(url).header("accept", "application/json");
        if let Some(account_id) = &self.account_id {
            builder = builder.header("x-orchestra-account-id", account_id);
        }
        if let Some(range) = range {
            builder = builder.header("range", range);
        }
        if let Some(authorization) = self.credentials.authorization_for(url, &self.ui_origin) {
            builder = builder.header("authorization", authorization);
        }
        // The length goes up front: without it a runtime may stream the body chunked after
        // the head, and a server that answers before the last chunk arrives can reset the
        // connection while its answer is still being read.
        let body = match json {
            Some(v) => {
                let bytes = serde_json::to_vec(v).map_err(|e| ToolError::Internal(e.to_string()))?;
                builder = builder.header("content-type", "application/json").header("content-length", bytes.len());
                Body::from(bytes)
            }
            None => {
                // No body is written at all: with a length of 0 the runtime's HTTP client may
                // close the body stream as soon as the head is out, and a write of zero bytes
                // then fails the request (seen as about one request in five failing under the
                // wasmtime CLI). An empty streamed body only finishes.
                builder = builder.header("content-length", 0);
                Body::from_http_body(Empty::<Bytes>::new())
            }
        };
        builder.body(body).map_err(|e| ToolError::Internal(format!("{route}: {e}")))
    }

    /// Sends a request to `path` below the engine API's base.
    async fn send(
        &self,
        route: &str,
        method: Method,
        path: &str,
        json: Option<&Value>,
        range: Option<String>,
    ) -> Result<Response<Body>, ToolError> {
        self.send_to(route, method, &format!("{}{path}", self.base), json, range).await
    }

    /// Sends a request, and sends it again when [`retry::decide`] says so: rate limits for
    /// any method, server failures and broken connections for reads only.
    async fn send_to(
        &self,
        route: &str,
        method: Method,
        url: &str,
        json: Option<&Value>,
        range: Option<String>,
    ) -> Result<Response<Body>, ToolError> {
        if self.credentials.refuses_unsent() && !self.public {
            return Err(ToolError::EgressDenied(format!(
                "{route} needs an Orchestra API key and this server has none, so nothing was sent: set \
                 ORCHESTRA_API_KEY (or ORCHESTRA_API_KEY_FILE, ORCHESTRA_API_KEY_COMMAND) in the MCP server's \
                 environment (Orchestra: Settings → API Key) and restart it"
            )));
        }
        let idempotent = method == Method::GET;
        for attempt in 1.. {
            let request = self.request(route, method.clone(), url, json, range.clone())?;
            let (outcome, result) = match wstd::http::Client::new().send(request).await {
                Ok(response) => {
                    let retry_after = response
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
                    (retry::Attempt::Answered { status: response.status().as_u16(), retry_after }, Ok(response))
                }
                Err(e) => {
                    let error = transport_error(route, &e);
                    let outcome = match error {
                        ToolError::Transport(_) => retry::Attempt::ConnectionFailed,
                        // Denials, timeouts and size limits would only fail the same way again.
                        _ => return Err(error),
                    };
                    (outcome, Err(error))
                }
            };
            match retry::decide(idempotent, outcome, attempt, jitter()) {
                retry::Decision::RetryAfterMs(ms) => {
                    wstd::task::sleep(wstd::time::Duration::from_millis(ms)).await;
                }
                retry::Decision::Stop => return result,
            }
        }
        unreachable!("the attempt counter is unbounded and decide() stops at MAX_ATTEMPTS")
    }

    /// Turns a non-2xx answer into an `upstream` error carrying Orchestra's `detail`.
    async fn check_status(&self, route: &str, response: Response<Body>) -> Result<Response<Body>, ToolError> {
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return Ok(response);
        }
        let retry_after_seconds = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, jiff::Timestamp::now()));
        let content_range = response.headers().get("content-range").and_then(|v| v.to_str().ok()).map(str::to_string);
        let (body, _) = read_capped(route, response, MAX_ERROR_BYTES).await.unwrap_or_default();
        let detail = truncate(&error_detail(&body), MAX_DETAIL_CHARS);
        let missing_path = status == 404 && !names_a_missing_resource(&body);
        let file_size = content_range.as_deref().and_then(|c| parse_content_range(c).1);
        let mut hint = failure::status_hint(route, status, missing_path, retry_after_seconds, file_size);
        if status == 401 {
            hint = match (&self.credentials, self.credentials.where_the_key_comes_from()) {
                // Nothing was sent, so advice about the key's validity would mislead.
                (Credentials::NoKey, source) => source,
                (_, Some(source)) => hint.map(|h| format!("{h}; {source}")),
                (_, None) => hint,
            };
        }
        Err(ToolError::Upstream(UpstreamError {
            status,
            request: route.to_string(),
            detail,
            retry_after_seconds,
            hint,
        }))
    }
}

/// A number in [0, 1) from `wasi:random`, to spread backoff waits.
fn jitter() -> f64 {
    let mut bytes = [0u8; 8];
    wstd::rand::get_insecure_random_bytes(&mut bytes);
    (u64::from_le_bytes(bytes) >> 11) as f64 / (1u64 << 53) as f64
}

/// Maps a failure to send (or to read the answer) into the error the model can act on.
fn transport_error(route: &str, error: &wstd::http::Error) -> ToolError {
    failure::no_answer(route, error.downcast_ref::<ErrorCode>(), &format!("{error:#}"))
}

/// Whether a 404 body is Orchestra saying a resource is missing (a JSON `detail` naming
/// it) rather than a server without this path: FastAPI's bare "Not Found", an HTML page,
/// an empty body.
fn names_a_missing_resource(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("detail").and_then(Value::as_str).map(|d| !d.trim().eq_ignore_ascii_case("not found")))
        .unwrap_or(false)
}

/// Whether the error is a 404 from a server that lacks the path, i.e. a wrong base URL.
pub fn is_wrong_base_url(error: &ToolError) -> bool {
    matches!(error, ToolError::Upstream(u) if u.status == 404 && u.hint.as_deref() == Some(failure::WRONG_BASE_URL))
}

/// Finds the human text of an error body: FastAPI's `detail` (string or validation list),
/// then `message`, `error`, `msg`, then the raw text.
fn error_detail(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return text.trim().to_string();
    };
    match value.get("detail") {
        Some(Value::String(s)) => return s.clone(),
        Some(Value::Array(items)) => {
            let parts: Vec<String> = items
                .iter()
                .map(|item| {
                    let loc = item
                        .get("loc")
                        .and_then(Value::as_array)
                        .map(|l| {
                            l.iter()
                                .map(|p| p.as_str().map(str::to_string).unwrap_or(p.to_string()))
                                .collect::<Vec<_>>()
                                .join(".")
                        })
                        .unwrap_or_default();
                    let msg = item.get("msg").and_then(Value::as_str).unwrap_or("invalid");
                    if loc.is_empty() { msg.to_string() } else { format!("{loc}: {msg}") }
                })
                .collect();
            return parts.join("; ");
        }
        _ => {}
    }
    for key in ["message", "error", "msg"] {
        if let Some(Value::String(s)) = value.get(key) {
            return s.clone();
        }
    }
    text.trim().to_string()
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_string();
    }
    let cut: String = text.chars().take(max_chars).collect();
    format!("{cut}… (truncated)")
}

/// Reads `Retry-After`: delay-seconds or an HTTP-date (RFC 9110). A date in the past
/// means now (0); anything unreadable or negative is ignored (`None`), and the caller
/// falls back to its own backoff.
pub fn parse_retry_after(value: &str, now: jiff::Timestamp) -> Option<u32> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value.parse::<u64>().map_or(u32::MAX, |s| s.min(u64::from(u32::MAX)) as u32));
    }
    let when = jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(value).ok()?;
    let seconds = when.duration_since(now).as_secs().max(0);
    Some(seconds.min(i64::from(u32::MAX)) as u32)
}

/// Parses `bytes a-b/total` (or `bytes */total`) into (start, total).
pub fn parse_content_range(value: &str) -> (Option<u64>, Option<u64>) {
    let Some(rest) = value.trim().strip_prefix("bytes") else {
        return (None, None);
    };
    let rest = rest.trim();
    let (range, total) = rest.split_once('/').unwrap_or((rest, "*"));
    let start = range.split_once('-').and_then(|(a, _)| a.trim().parse().ok());
    (start, total.trim().parse().ok())
}

async fn decode_json<T: DeserializeOwned>(route: &str, response: Response<Body>) -> Result<T, ToolError> {
    parse_json(route, &read_json_bytes(route, response).await?)
}

async fn read_json_bytes(route: &str, response: Response<Body>) -> Result<Vec<u8>, ToolError> {
    let (bytes, cut) = read_capped(route, response, MAX_JSON_BYTES).await?;
    if cut {
        return Err(unexpected(format!("{route}: the answer is larger than {MAX_JSON_BYTES} bytes")));
    }
    Ok(bytes)
}

fn parse_json<T: DeserializeOwned>(route: &str, bytes: &[u8]) -> Result<T, ToolError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let preview = truncate(&String::from_utf8_lossy(bytes), 120);
        unexpected(format!("{route}: the answer is not the JSON the API documents ({e}); it starts {preview:?}"))
    })
}

/// Reads the body frame by frame and stops at `cap` bytes, so a huge answer never has to
/// fit in memory. Returns the bytes and whether the body went on past the cap.
async fn read_capped(route: &str, response: Response<Body>, cap: usize) -> Result<(Vec<u8>, bool), ToolError> {
    let mut body = response.into_body().into_boxed_body();
    let mut bytes = Vec::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| transport_error(route, &e))?;
        if let Ok(data) = frame.into_data() {
            let room = cap - bytes.len();
            if data.len() > room {
                bytes.extend_from_slice(&data[..room]);
                return Ok((bytes, true));
            }
            bytes.extend_from_slice(&data);
        }
    }
    Ok((bytes, false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_are_found_in_every_error_shape() {
        assert_eq!(error_detail(br#"{"detail":"Pipeline run not found"}"#), "Pipeline run not found");
        assert_eq!(
            error_detail(br#"{"detail":[{"loc":["query","status"],"msg":"Input should be 'FAILED'","type":"enum"}]}"#),
            "query.status: Input should be 'FAILED'"
        );
        assert_eq!(error_detail(b"<html>Bad Gateway</html>"), "<html>Bad Gateway</html>");
    }

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        let now: jiff::Timestamp = "2026-11-21T12:00:00Z".parse().unwrap();
        assert_eq!(parse_retry_after("7", now), Some(7));
        assert_eq!(parse_retry_after(" 120 ", now), Some(120));
        assert_eq!(parse_retry_after("Sat, 21 Nov 2026 12:00:30 GMT", now), Some(30));
        assert_eq!(parse_retry_after("Fri, 20 Nov 2026 12:00:00 GMT", now), Some(0), "a past date means now");
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("99999999999999999999", now), Some(u32::MAX));
    }

    proptest::proptest! {
        #[test]
        fn retry_after_never_panics(value in ".{0,40}") {
            let _ = parse_retry_after(&value, jiff::Timestamp::now());
        }

        #[test]
        fn delay_seconds_read_back(seconds in 0u32..1_000_000) {
            proptest::prop_assert_eq!(parse_retry_after(&seconds.to_string(), jiff::Timestamp::now()), Some(seconds));
        }

        #[test]
        fn content_range_never_panics_and_reads_well_formed_values(raw in ".{0,40}", a in 0u64..1 << 40, len in 1u64..1 << 20, extra in 0u64..1 << 20) {
            let _ = parse_content_range(&raw);
            let total = a + len + extra;
            let header = format!("bytes {a}-{}/{total}", a + len - 1);
            proptest::prop_assert_eq!(parse_content_range(&header), (Some(a), Some(total)));
        }
    }

    #[test]
    fn content_ranges_parse() {
        assert_eq!(parse_content_range("bytes 100-199/1000"), (Some(100), Some(1000)));
        assert_eq!(parse_content_range("bytes */1000"), (None, Some(1000)));
        assert_eq!(parse_content_range("nonsense"), (None, None));
    }
}
