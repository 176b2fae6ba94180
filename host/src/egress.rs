//! The only way out of the sandbox: the `wasi:http` send hook. It allows requests to the
//! configured Orchestra origin only, adds the API key there, forbids the guest to set
//! credentials itself, clamps timeouts and bounds request bodies.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
use http::{HeaderValue, Request};
use http_body_util::{BodyExt, Full, Limited};
use wasmtime_wasi_http::{
    DEFAULT_FORBIDDEN_HEADERS, Error as HttpError, ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpHooks,
};

use crate::config::{ApiKey, Limits};

/// Why the host refused an outgoing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// The request was not for the Orchestra origin (only scheme and host are kept).
    Origin { scheme: String, host: String },
    /// No API key is configured, so no Orchestra request can be authorized.
    MissingKey,
}

/// The origin the guest may reach, and the key that goes with it.
#[derive(Debug)]
pub struct EgressPolicy {
    scheme: String,
    host: String,
    port: u16,
    api_key: Option<ApiKey>,
    limits: Limits,
}

impl EgressPolicy {
    pub fn new(base_url: &url::Url, api_key: Option<ApiKey>, limits: Limits) -> Self {
        Self {
            scheme: base_url.scheme().to_string(),
            host: base_url.host_str().unwrap_or_default().to_ascii_lowercase(),
            port: base_url.port_or_known_default().unwrap_or(443),
            api_key,
            limits,
        }
    }

    /// Judges a request on its parsed URI: scheme, host and port must equal the origin's.
    pub fn check(&self, uri: &http::Uri) -> Result<(), Denial> {
        let scheme = uri.scheme_str().unwrap_or_default().to_ascii_lowercase();
        let host = uri.host().unwrap_or_default().trim_end_matches('.').to_ascii_lowercase();
        let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
        let origin_host = self.host.trim_start_matches('[').trim_end_matches(']');
        let port = uri.port_u16().unwrap_or(match scheme.as_str() {
            "http" => 80,
            _ => 443,
        });
        if scheme != self.scheme || host != origin_host || port != self.port {
            return Err(Denial::Origin { scheme, host });
        }
        if self.api_key.is_none() {
            return Err(Denial::MissingKey);
        }
        Ok(())
    }

    fn clamp(&self, options: Option<RequestOptions>) -> RequestOptions {
        let clamp = |asked: Option<Duration>, max: Duration| Some(asked.map_or(max, |d| d.min(max)));
        let options = options.unwrap_or_default();
        RequestOptions {
            connect_timeout: clamp(options.connect_timeout, self.limits.connect_timeout),
            first_byte_timeout: clamp(options.first_byte_timeout, self.limits.first_byte_timeout),
            between_bytes_timeout: clamp(options.between_bytes_timeout, self.limits.between_bytes_timeout),
        }
    }
}

/// The `WasiHttpHooks` of one tool call's store. Denials are recorded so the host can
/// tell the model exactly what was refused.
pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    denials: Arc<Mutex<Vec<Denial>>>,
}

impl EgressHooks {
    pub fn new(policy: Arc<EgressPolicy>) -> Self {
        Self { policy, denials: Arc::default() }
    }

    /// The denials recorded during this call.
    pub fn denials(&self) -> Vec<Denial> {
        self.denials.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

type SendFuture = Box<
    dyn Future<
            Output = wasmtime_wasi_http::Result<(
                http::Response<WasiBody>,
                Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
            )>,
        > + Send,
>;

impl WasiHttpHooks for EgressHooks {
    fn forbidden_header_filter(&mut self) -> ForbiddenHeaderFilter {
        // Credentials are the host's business: a guest that tries to set them gets an error.
        Arc::new(|name| {
            DEFAULT_FORBIDDEN_HEADERS.contains(name)
                || name == AUTHORIZATION
                || name == PROXY_AUTHORIZATION
                || name == COOKIE
        })
    }

    fn send_request(
        &mut self,
        request: Request<WasiBody>,
        options: Option<RequestOptions>,
        _response_errors: Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>,
    ) -> SendFuture {
        let policy = self.policy.clone();
        match policy.check(request.uri()) {
            Err(denial) => {
                match &denial {
                    Denial::Origin { scheme, host } => {
                        tracing::warn!(%scheme, %host, "egress denied: not the Orchestra origin");
                    }
                    Denial::MissingKey => {
                        tracing::warn!("egress denied: no Orchestra API key configured")
                    }
                }
                if let Ok(mut denials) = self.denials.lock() {
                    denials.push(denial);
                }
                Box::new(async move {
                    // Read the guest's body before refusing. Without this a wstd guest sees its
                    // body write fail first and reports "connection reset" instead of the denial.
                    let drain = Limited::new(request.into_body(), 1024 * 1024).collect();
                    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
                    Err(HttpError::HttpRequestDenied)
                })
            }
            Ok(()) => Box::new(async move {
                let (mut parts, body) = request.into_parts();
                // Buffer the (small) request body before sending: passing the guest's stream
                // through races with servers that answer before the guest finishes its body.
                let body = Limited::new(body, policy.limits.max_request_body_bytes)
                    .collect()
                    .await
                    .map_err(|_| HttpError::HttpRequestBodySize(None))?
                    .to_bytes();
                if let Some(key) = &policy.api_key {
                    let mut value = HeaderValue::from_str(&key.bearer()).map_err(|_| HttpError::InternalError(None))?;
                    value.set_sensitive(true);
                    parts.headers.insert(AUTHORIZATION, value);
                }
                let body = Full::new(body).map_err(|never: std::convert::Infallible| match never {});
                let request = Request::from_parts(parts, body);
                let (response, io) =
                    wasmtime_wasi_http::default_send_request(request, Some(policy.clamp(options))).await?;
                let cap = policy.limits.max_response_body_bytes;
                let declared = response
                    .headers()
                    .get(http::header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok());
                if declared.is_some_and(|len| len > cap as u64) {
                    return Err(HttpError::HttpResponseBodySize(declared));
                }
                // Enforced while streaming too: a body may lie about its length or have none.
                let response = response.map(|body| {
                    Limited::new(body, cap)
                        .map_err(move |e| match e.downcast::<HttpError>() {
                            Ok(inner) => *inner,
                            Err(_) => HttpError::HttpResponseBodySize(Some(cap as u64)),
                        })
                        .boxed_unsync()
                });
                Ok((response, Box::new(io) as Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(base: &str, key: Option<&str>) -> EgressPolicy {
        EgressPolicy::new(&url::Url::parse(base).unwrap(), key.and_then(ApiKey::new), Limits::default())
    }

    #[test]
    fn only_the_orchestra_origin_is_allowed() {
        let p = policy("https://app.getorchestra.io/api/engine/public", Some("k"));
        let ok = |u: &str| p.check(&u.parse().unwrap()).is_ok();
        assert!(ok("https://app.getorchestra.io/api/engine/public/pipeline_runs"));
        assert!(ok("https://APP.getorchestra.io./x"));
        assert!(ok("https://app.getorchestra.io:443/x"));
        assert!(!ok("http://app.getorchestra.io/x"));
        assert!(!ok("https://app.getorchestra.io:8443/x"));
        assert!(!ok("https://app.getorchestra.io.evil.test/x"));
        assert!(!ok("https://evil.test/app.getorchestra.io"));
        assert!(!ok("https://169.254.169.254/latest/meta-data"));
    }

    #[test]
    fn no_key_means_no_orchestra_request() {
        let p = policy("https://app.getorchestra.io/api/engine/public", None);
        assert_eq!(p.check(&"https://app.getorchestra.io/x".parse().unwrap()), Err(Denial::MissingKey));
    }

    #[test]
    fn guest_timeouts_are_clamped() {
        let p = policy("https://app.getorchestra.io", Some("k"));
        let asked = RequestOptions { connect_timeout: Some(Duration::from_secs(3600)), ..Default::default() };
        let got = p.clamp(Some(asked));
        assert_eq!(got.connect_timeout, Some(Limits::default().connect_timeout));
        assert_eq!(got.first_byte_timeout, Some(Limits::default().first_byte_timeout));
    }
}
