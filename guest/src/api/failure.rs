//! The wording of every way a request to Orchestra can fail, in one table so the advice
//! never contradicts itself. Each message says what happened, whether the request may
//! have taken effect, what was already retried, and what to do next. Reads and writes
//! differ only where the truth differs: a read that failed changed nothing and was
//! retried as `retry.rs` allows; a write whose answer was lost may have taken effect,
//! so it is never sent again and the advice is to check before repeating it.
//!
//! `route` is the method and path template (`POST /pipelines/{pipeline_id_or_alias}/start`).

use wstd::http::error::ErrorCode;

use super::retry::{MAX_ATTEMPTS, MAX_RETRY_AFTER_SECONDS};
use crate::wit::ToolError;

/// Whether the route only reads (so it changed nothing and may be retried).
pub fn is_read(route: &str) -> bool {
    route.starts_with("GET ")
}

/// Said of a request that surely never reached Orchestra.
const NOTHING_WAS_SENT: &str = "Nothing was sent";

/// Whether a failed write may have taken effect: its answer was lost after it may have
/// reached Orchestra, or Orchestra failed while handling it.
pub fn may_have_taken_effect(error: &ToolError) -> bool {
    match error {
        ToolError::Timeout(_) => true,
        ToolError::Transport(m) => !m.contains(NOTHING_WAS_SENT),
        ToolError::Upstream(u) => u.status >= 500,
        _ => false,
    }
}

/// What to do about a write whose outcome is unknown.
const CHECK_BEFORE_REPEATING: &str = "whether it took effect is unknown and it was not sent again: check the current state (the list and get tools \
     show it) before calling again";

/// Whether a failed connection could have delivered the request.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Delivery {
    /// The connection never opened: nothing reached Orchestra.
    NotSent,
    /// The request may have reached Orchestra before the connection failed.
    MaybeSent,
}

/// A wasi:http error code in words, and whether the request may have been delivered.
fn code_in_words(code: &ErrorCode) -> (&'static str, Delivery) {
    use Delivery::*;
    match code {
        ErrorCode::DnsTimeout | ErrorCode::DnsError(_) => ("the name of the API host could not be resolved", NotSent),
        ErrorCode::DestinationNotFound | ErrorCode::DestinationUnavailable => ("the API host is unreachable", NotSent),
        ErrorCode::DestinationIpProhibited | ErrorCode::DestinationIpUnroutable => {
            ("the API host's address cannot be reached from here", NotSent)
        }
        ErrorCode::ConnectionRefused => ("the connection was refused", NotSent),
        ErrorCode::ConnectionTimeout => ("the connection could not be opened in time", NotSent),
        ErrorCode::ConnectionLimitReached => ("too many connections are open", NotSent),
        ErrorCode::TlsProtocolError | ErrorCode::TlsCertificateError | ErrorCode::TlsAlertReceived(_) => {
            ("the secure (TLS) connection could not be set up", NotSent)
        }
        ErrorCode::ConnectionTerminated => ("the connection was closed before the answer", MaybeSent),
        ErrorCode::HttpResponseIncomplete => ("the answer broke off part-way", MaybeSent),
        ErrorCode::HttpProtocolError | ErrorCode::HttpUpgradeFailed => {
            ("the connection broke (reset or malformed answer)", MaybeSent)
        }
        ErrorCode::HttpResponseHeaderSectionSize(_)
        | ErrorCode::HttpResponseHeaderSize(_)
        | ErrorCode::HttpResponseTrailerSectionSize(_)
        | ErrorCode::HttpResponseTrailerSize(_)
        | ErrorCode::HttpResponseTransferCoding(_)
        | ErrorCode::HttpResponseContentCoding(_) => ("the answer was malformed", MaybeSent),
        ErrorCode::HttpRequestLengthRequired
        | ErrorCode::HttpRequestBodySize(_)
        | ErrorCode::HttpRequestMethodInvalid
        | ErrorCode::HttpRequestUriInvalid
        | ErrorCode::HttpRequestUriTooLong
        | ErrorCode::HttpRequestHeaderSectionSize(_)
        | ErrorCode::HttpRequestHeaderSize(_)
        | ErrorCode::HttpRequestTrailerSectionSize(_)
        | ErrorCode::HttpRequestTrailerSize(_) => {
            ("the request was refused before sending (too large or malformed)", NotSent)
        }
        ErrorCode::LoopDetected => ("a proxy loop was detected", MaybeSent),
        ErrorCode::ConfigurationError => ("the runtime's HTTP set-up is misconfigured", NotSent),
        _ => ("the connection failed", MaybeSent),
    }
}

/// The error for a request that got no (whole) answer.
pub fn no_answer(route: &str, code: Option<&ErrorCode>, text: &str) -> ToolError {
    let read = is_read(route);
    let retried = if read { format!(" (tried {MAX_ATTEMPTS} times)") } else { String::new() };
    match code {
        Some(ErrorCode::HttpRequestDenied) => ToolError::EgressDenied(format!(
            "{route}: the runtime refused to send the request (egress policy or missing credentials); nothing was sent"
        )),
        Some(ErrorCode::HttpResponseBodySize(_)) => too_large(route),
        Some(ErrorCode::ConnectionReadTimeout | ErrorCode::ConnectionWriteTimeout | ErrorCode::HttpResponseTimeout) => {
            timeout(route)
        }
        Some(code) => {
            let (what, delivery) = code_in_words(code);
            ToolError::Transport(match (delivery, read) {
                (Delivery::NotSent, _) => format!(
                    "Could not reach Orchestra for {route}: {what}{retried}. {NOTHING_WAS_SENT}. Check the network \
                     and the API base URL this server calls, then call again"
                ),
                (Delivery::MaybeSent, true) => format!(
                    "Orchestra's answer to {route} did not arrive: {what}{retried}. It was a read, so nothing \
                     changed; call again in a moment"
                ),
                (Delivery::MaybeSent, false) => format!(
                    "Orchestra's answer to {route} did not arrive: {what}, after the request may have reached it, so \
                     {CHECK_BEFORE_REPEATING}"
                ),
            })
        }
        None => {
            // Failures while streaming a body reach the guest as text only (wasi:io gives
            // a debug string, not an error code), so the host's named limits are matched here.
            let lower = text.to_ascii_lowercase();
            if lower.contains("body size") || text.contains("HttpResponseBodySize") {
                too_large(route)
            } else if lower.contains("timeout") || lower.contains("timed out") {
                timeout(route)
            } else if read {
                ToolError::Transport(format!(
                    "Orchestra's answer to {route} broke off part-way. It was a read, so nothing changed; call again \
                     in a moment"
                ))
            } else {
                ToolError::Transport(format!(
                    "Orchestra's answer to {route} broke off part-way, after the request reached it, so \
                     {CHECK_BEFORE_REPEATING}"
                ))
            }
        }
    }
}

fn too_large(route: &str) -> ToolError {
    ToolError::UnexpectedResponse(format!(
        "{route}: the answer is larger than this server accepts; ask for less (a smaller limit, max_bytes, or \
         narrower filters)"
    ))
}

fn timeout(route: &str) -> ToolError {
    ToolError::Timeout(if is_read(route) {
        format!(
            "Orchestra did not answer {route} in time. It was a read, so nothing changed; call again in a minute, \
             or narrow the request"
        )
    } else {
        format!("Orchestra did not answer {route} in time, so {CHECK_BEFORE_REPEATING}")
    })
}

/// The hint of a 404 that is not Orchestra's: the path itself is missing at the base URL.
pub const WRONG_BASE_URL: &str = "that path does not exist at the API this server calls, so its base URL is \
    probably wrong: Orchestra's is https://app.getorchestra.io/api/engine/public (or stage., dev.)";

/// What to do after an error status. `missing_path` is a 404 from a server without the
/// path (a wrong base URL) rather than Orchestra naming a missing resource.
pub fn status_hint(
    route: &str,
    status: u16,
    missing_path: bool,
    retry_after: Option<u32>,
    file_size: Option<u64>,
) -> Option<String> {
    let read = is_read(route);
    let hint = match status {
        400 | 422 => "Orchestra rejected the request as the detail says, and nothing changed; correct the arguments \
                      and call again"
            .to_string(),
        401 => "Orchestra did not accept the API key: check that the key configured for this server is current and \
                belongs to the Orchestra host it calls (app, stage or dev)"
            .to_string(),
        403 => "Orchestra refused access: run history (the Metadata API) needs an enterprise plan, a key can be \
                limited to allowed IP ranges, and the account acted in (account_id or ORCHESTRA_ACCOUNT_ID) must be \
                one the key belongs to"
            .to_string(),
        404 if missing_path => WRONG_BASE_URL.to_string(),
        404 => "nothing matches that id or name: take them from the list tools, and note that run history covers the \
                last 7 days by default"
            .to_string(),
        409 => "the resource is not in a state that allows this, and nothing changed; fetch it again and check its \
                status"
            .to_string(),
        416 => match file_size {
            Some(total) => format!("the requested range lies outside the file, which is {total} bytes long"),
            None => "the requested range lies outside the file".to_string(),
        },
        429 => match retry_after {
            Some(s) if s > MAX_RETRY_AFTER_SECONDS => format!(
                "Orchestra is rate limiting this key and asked for {s} s, longer than this server waits inside one \
                 call; nothing was done: call again after {s} s"
            ),
            _ => format!(
                "Orchestra is rate limiting this key; the request was tried {MAX_ATTEMPTS} times within \
                 {MAX_RETRY_AFTER_SECONDS} s and nothing was done: wait a minute before calling again"
            ),
        },
        500..=599 if read => format!(
            "Orchestra failed on its side (tried {MAX_ATTEMPTS} times); it was a read, so nothing changed: call again \
             in a few minutes"
        ),
        500..=599 => format!("Orchestra failed on its side while handling a write, so {CHECK_BEFORE_REPEATING}"),
        _ => return None,
    };
    Some(hint)
}
