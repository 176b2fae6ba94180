//! Streamable HTTP (`wasi:http/incoming-handler`): `POST /mcp` with one JSON-RPC message,
//! answered with one JSON response (or `202` for a notification). There are no sessions and
//! no SSE stream, which both eras allow, so every request stands alone and any instance
//! can serve it; `GET` and `DELETE` answer `405`. A browser page may not call it: a request
//! whose `Origin` is not loopback (or listed in `ORCHESTRA_MCP_HTTP_ALLOWED_ORIGINS`) is
//! refused.

use rmcp::model::{ErrorCode, ErrorData};
use serde_json::{Value, json};
use wasip2::http::types::{
    Fields, IncomingBody, IncomingRequest, Method, OutgoingBody, OutgoingResponse, ResponseOutparam,
};
use wasip2::io::streams::StreamError;

use crate::{calls, mcp};

/// Bodies larger than this are refused with 413 (a `tools/call` is a few KiB).
const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;
/// Origins allowed besides loopback ones, comma-separated.
const ALLOWED_ORIGINS: &str = "ORCHESTRA_MCP_HTTP_ALLOWED_ORIGINS";

struct Answer {
    status: u16,
    body: Option<Value>,
    allow: bool,
}

impl Answer {
    fn json(status: u16, body: Value) -> Self {
        Self { status, body: Some(body), allow: false }
    }
}

pub fn handle(request: IncomingRequest, out: ResponseOutparam) {
    let answer = respond(request);
    send(out, answer);
}

fn respond(request: IncomingRequest) -> Answer {
    let path = request.path_with_query().unwrap_or_default();
    let path = path.split('?').next().unwrap_or_default();
    if path != "/mcp" && path != "/mcp/" {
        return Answer::json(404, json!({"error": format!("nothing is served at {path}; the MCP endpoint is /mcp")}));
    }
    let headers = header_list(&request.headers());
    let header = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
    if let Some(origin) = header("origin")
        && !origin_allowed(origin)
    {
        let text =
            format!("requests from the web page at {origin} are refused; to allow it, list it in {ALLOWED_ORIGINS}");
        return Answer::json(403, mcp::error_message(None, ErrorData::invalid_request(text, None)));
    }
    if !matches!(request.method(), Method::Post) {
        let text = "this server has no event stream or sessions: send each JSON-RPC message as a POST to /mcp";
        return Answer {
            allow: true,
            ..Answer::json(405, mcp::error_message(None, ErrorData::invalid_request(text, None)))
        };
    }
    let body = match read_body(request) {
        Ok(body) => body,
        Err(answer) => return answer,
    };
    let message = match mcp::Message::parse(&body) {
        Ok(message) => message,
        Err(error) => return Answer::json(400, error),
    };
    if let Some(mismatch) = header_mismatch(&message, header("mcp-method"), header("mcp-name")) {
        return Answer::json(400, mcp::error_message(message.id.clone(), ErrorData::header_mismatch(mismatch, None)));
    }
    let surface = match calls::surface() {
        Ok(surface) => surface,
        Err(problem) => {
            let error = ErrorData::internal_error(format!("the server is misconfigured: {problem}"), None);
            return Answer::json(500, mcp::error_message(message.id, error));
        }
    };
    let stateless = message.stateless_version().is_some();
    match mcp::answer(&surface, message, &mut |_progress| {}) {
        None => Answer { status: 202, body: None, allow: false },
        Some(answer) => {
            let unknown_method = answer["error"]["code"].as_i64() == Some(i64::from(ErrorCode::METHOD_NOT_FOUND.0));
            Answer::json(if stateless && unknown_method { 404 } else { 200 }, answer)
        }
    }
}

/// In the 2026-07-28 era the `Mcp-Method` header (and `Mcp-Name` for a call) must say what
/// the body says, so intermediaries can route on headers alone.
fn header_mismatch(message: &mcp::Message, method: Option<&str>, name: Option<&str>) -> Option<String> {
    message.stateless_version()?;
    let body_method = message.method.as_deref().unwrap_or_default();
    match method {
        None => return Some("the Mcp-Method header is required".into()),
        Some(m) if m != body_method => {
            return Some(format!("the Mcp-Method header {m:?} does not match the body's method {body_method:?}"));
        }
        Some(_) => {}
    }
    if body_method == "tools/call" {
        let body_name = message.params.get("name").and_then(Value::as_str).unwrap_or_default();
        if name != Some(body_name) {
            return Some(format!("the Mcp-Name header must name the tool the body calls ({body_name:?})"));
        }
    }
    None
}

fn origin_allowed(origin: &str) -> bool {
    let host = origin.split("://").nth(1).unwrap_or_default();
    let host =
        host.rsplit_once(':').map_or(host, |(h, port)| if port.chars().all(|c| c.is_ascii_digit()) { h } else { host });
    if matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
        return true;
    }
    std::env::var(ALLOWED_ORIGINS).is_ok_and(|list| list.split(',').any(|allowed| allowed.trim() == origin))
}

fn header_list(fields: &Fields) -> Vec<(String, String)> {
    fields.entries().into_iter().map(|(name, value)| (name, String::from_utf8_lossy(&value).into_owned())).collect()
}

fn read_body(request: IncomingRequest) -> Result<Vec<u8>, Answer> {
    let unreadable = || {
        Answer::json(400, mcp::error_message(None, ErrorData::parse_error("the request body could not be read", None)))
    };
    let body = request.consume().map_err(|()| unreadable())?;
    let mut bytes = Vec::new();
    {
        let stream = body.stream().map_err(|()| unreadable())?;
        loop {
            match stream.blocking_read(64 * 1024) {
                Ok(chunk) => {
                    bytes.extend_from_slice(&chunk);
                    if bytes.len() > MAX_BODY_BYTES {
                        let text = format!("the request body is over {MAX_BODY_BYTES} bytes");
                        return Err(Answer::json(
                            413,
                            mcp::error_message(None, ErrorData::invalid_request(text, None)),
                        ));
                    }
                }
                Err(StreamError::Closed) => break,
                Err(StreamError::LastOperationFailed(_)) => return Err(unreadable()),
            }
        }
    }
    let _trailers = IncomingBody::finish(body);
    Ok(bytes)
}

fn send(out: ResponseOutparam, answer: Answer) {
    let mut headers: Vec<(String, Vec<u8>)> = Vec::new();
    if answer.body.is_some() {
        headers.push(("content-type".into(), b"application/json".to_vec()));
    }
    if answer.allow {
        headers.push(("allow".into(), b"POST".to_vec()));
    }
    let fields = Fields::from_list(&headers).unwrap_or_else(|_| Fields::new());
    let response = OutgoingResponse::new(fields);
    let _ = response.set_status_code(answer.status);
    let Ok(body) = response.body() else { return };
    ResponseOutparam::set(out, Ok(response));
    if let Some(value) = answer.body {
        let bytes = value.to_string().into_bytes();
        if let Ok(stream) = body.write() {
            for chunk in bytes.chunks(4096) {
                if stream.blocking_write_and_flush(chunk).is_err() {
                    break;
                }
            }
        }
    }
    let _ = OutgoingBody::finish(body, None);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(text: &str) -> mcp::Message {
        mcp::Message::parse(text.as_bytes()).unwrap()
    }

    #[test]
    fn only_loopback_origins_pass_unless_listed() {
        for origin in ["http://localhost", "http://localhost:5173", "http://127.0.0.1:8080", "http://[::1]:3000"] {
            assert!(origin_allowed(origin), "{origin}");
        }
        for origin in ["https://evil.example", "http://localhost.evil.example", "http://127.0.0.1.nip.io", "null"] {
            assert!(!origin_allowed(origin), "{origin}");
        }
    }

    #[test]
    fn stateless_requests_must_name_their_method_and_tool_in_headers() {
        let call = message(
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whats_broken","_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}}}"#,
        );
        assert_eq!(header_mismatch(&call, Some("tools/call"), Some("whats_broken")), None);
        assert!(header_mismatch(&call, None, Some("whats_broken")).unwrap().contains("required"));
        assert!(header_mismatch(&call, Some("tools/list"), Some("whats_broken")).unwrap().contains("does not match"));
        assert!(header_mismatch(&call, Some("tools/call"), Some("start_pipeline")).unwrap().contains("whats_broken"));
        let legacy = message(r#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"whats_broken"}}"#);
        assert_eq!(header_mismatch(&legacy, None, None), None, "the 2025-11-25 era has no such headers");
    }
}
