//! The only way out of the sandbox: the `wasi:http` send hook. A request must match the
//! allowlist (the Orchestra origin, plus any configured extra hosts), on its parsed URL;
//! its destination address, literal or resolved, must not be private, loopback,
//! link-local or a metadata address (loopback only with the explicit development opt-in);
//! the API key is added only for the Orchestra origin; the guest may not set credentials
//! itself; timeouts are clamped; request and response bodies are bounded. Allowed requests
//! go through a pooled client (`pool.rs`) that connects only to vetted addresses.
//! Redirects are not followed here: each hop would come back through this hook.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
use http::{HeaderValue, Request};
use http_body_util::{BodyExt, Full, Limited};
use url::{Host, Url};
use wasmtime_wasi_http::{
    DEFAULT_FORBIDDEN_HEADERS, Error as HttpError, ForbiddenHeaderFilter, RequestOptions, WasiBody, WasiHttpHooks,
};

use crate::sandbox::allowlist::{AllowedHost, is_prohibited};
use crate::sandbox::pool::{Pool, SendError};
use crate::sandbox::resolve::{Resolve, SystemResolver};
use crate::settings::config::{ApiKey, Limits};

/// Why the host refused an outgoing request. Only scheme and host are kept: never a
/// path, query or header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Denial {
    /// The destination is not on the allowlist.
    NotAllowed { scheme: String, host: String },
    /// The destination is, or resolves to, an address tools may not reach.
    ProhibitedAddress { host: String, address: IpAddr },
}

/// What a request that passed the allowlist may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permit {
    /// The request goes to the Orchestra origin and carries the key.
    pub with_key: bool,
    /// Loopback addresses are acceptable (a loopback entry under the development opt-in).
    pub loopback_ok: bool,
}

/// Where the guest may send requests. The key that goes with the Orchestra origin is not
/// part of it: each call's hooks carry their own (the server's, or one request's).
#[derive(Debug)]
pub struct EgressPolicy {
    orchestra: AllowedHost,
    extra: Vec<AllowedHost>,
    allow_loopback: bool,
    limits: Limits,
    pool: Pool,
}

impl EgressPolicy {
    /// The Orchestra origin of `base_url`, plus `extra` hosts (which never get the key).
    /// `allow_loopback` lets entries that name a loopback host reach loopback addresses.
    pub fn new(base_url: &Url, extra: Vec<AllowedHost>, allow_loopback: bool, limits: Limits) -> anyhow::Result<Self> {
        Ok(Self {
            orchestra: AllowedHost::origin_of(base_url)?,
            extra,
            allow_loopback,
            pool: Pool::new(Arc::new(SystemResolver), limits.connect_timeout),
            limits,
        })
    }

    /// Whether `url` (the Orchestra base URL) answers a plain GET without any key, through
    /// the same checks and pool as the guest's requests; any HTTP status counts. For
    /// `/readyz?orchestra=1`: it says whether Orchestra can be reached, not whether a key works.
    pub async fn answers(&self, url: &Url) -> Result<u16, String> {
        let permit = self.check(url).map_err(|denial| match denial {
            Denial::NotAllowed { scheme, host } => format!("{scheme}://{host} is not on the allowlist"),
            Denial::ProhibitedAddress { address, .. } => format!("it is {address}, which tools may not reach"),
        })?;
        let request = Request::get(url.as_str())
            .body(Full::new(bytes::Bytes::new()))
            .map_err(|_| "the base URL is not a valid request target".to_string())?;
        match self.pool.send(request, self.clamp(None), permit.loopback_ok).await {
            Ok(response) => Ok(response.status().as_u16()),
            Err(SendError::Prohibited(address)) => Err(format!("it resolves to {address}, which tools may not reach")),
            Err(SendError::Http(error)) => Err(error.to_string()),
        }
    }

    /// Replaces the resolver the pool connects with (tests).
    pub fn with_resolver(mut self, resolver: Arc<dyn Resolve>) -> Self {
        self.pool = Pool::new(resolver, self.limits.connect_timeout);
        self
    }

    /// Judges a request on its parsed URL: it must match an allowlist entry, and an IP
    /// literal must be an address tools may reach.
    pub fn check(&self, url: &Url) -> Result<Permit, Denial> {
        let not_allowed = || Denial::NotAllowed {
            scheme: url.scheme().to_string(),
            host: url.host_str().unwrap_or_default().to_string(),
        };
        let (entry, with_key) = if self.orchestra.matches(url) {
            (&self.orchestra, true)
        } else {
            (self.extra.iter().find(|e| e.matches(url)).ok_or_else(not_allowed)?, false)
        };
        let permit = Permit { with_key, loopback_ok: self.allow_loopback && entry.is_loopback() };
        let literal = match url.host() {
            Some(Host::Ipv4(ip)) => Some(IpAddr::V4(ip)),
            Some(Host::Ipv6(ip)) => Some(IpAddr::V6(ip)),
            _ => None,
        };
        if let Some(address) = literal {
            self.vet_address(url, address, permit)?;
        }
        // Without a key the request goes out without one: endpoints that need no key (such
        // as validating a pipeline) still work, and the rest answer 401, which the server
        // turns into "set ORCHESTRA_API_KEY".
        Ok(permit)
    }

    fn vet_address(&self, url: &Url, address: IpAddr, permit: Permit) -> Result<(), Denial> {
        if is_prohibited(address) && !(permit.loopback_ok && address.is_loopback()) {
            return Err(Denial::ProhibitedAddress { host: url.host_str().unwrap_or_default().to_string(), address });
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

/// The `WasiHttpHooks` of one tool call's store: the policy, the key this call's requests
/// to Orchestra carry (held only for the call), and the denials, recorded so the host can
/// tell the model exactly what was refused.
pub struct EgressHooks {
    policy: Arc<EgressPolicy>,
    key: Option<ApiKey>,
    denials: Arc<Mutex<Vec<Denial>>>,
}

impl EgressHooks {
    pub fn new(policy: Arc<EgressPolicy>, key: Option<ApiKey>) -> Self {
        Self { policy, key, denials: Arc::default() }
    }

    /// The denials recorded during this call.
    pub fn denials(&self) -> Vec<Denial> {
        self.denials.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

/// What sending a request yields: the response, and a future reporting errors of the
/// connection after the response head (none here: the pool owns its connections).
type Sent = wasmtime_wasi_http::Result<SentResponse>;
type SentResponse = (http::Response<WasiBody>, Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>);

type SendFuture = Box<dyn Future<Output = Sent> + Send>;

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
        let key = self.key.clone();
        let denials = self.denials.clone();
        let Ok(url) = Url::parse(&request.uri().to_string()) else {
            let denial = Denial::NotAllowed { scheme: String::new(), host: String::new() };
            return Box::new(refuse(denial, denials, request));
        };
        let permit = match policy.check(&url) {
            Ok(permit) => permit,
            Err(denial) => return Box::new(refuse(denial, denials, request)),
        };
        Box::new(async move {
            match send(&policy, permit, key.as_ref(), request, options).await {
                // A name is vetted after resolution, when the pool connects: the checks
                // judge the addresses actually connected to, at no extra DNS lookup.
                Err(SendError::Prohibited(address)) => {
                    let host = url.host_str().unwrap_or_default().to_string();
                    record(Denial::ProhibitedAddress { host, address }, &denials);
                    Err(HttpError::HttpRequestDenied)
                }
                Err(SendError::Http(error)) => Err(error),
                Ok(sent) => Ok(sent),
            }
        })
    }
}

/// Records and logs a denial, then refuses the request.
async fn refuse(denial: Denial, denials: Arc<Mutex<Vec<Denial>>>, request: Request<WasiBody>) -> Sent {
    record(denial, &denials);
    // Read the guest's body before refusing. Without this a wstd guest sees its body write
    // fail first and reports "connection reset" instead of the denial.
    let drain = Limited::new(request.into_body(), 1024 * 1024).collect();
    let _ = tokio::time::timeout(Duration::from_secs(1), drain).await;
    Err(HttpError::HttpRequestDenied)
}

/// Logs a denial (scheme, host and address only) and keeps it for the call's error message.
fn record(denial: Denial, denials: &Mutex<Vec<Denial>>) {
    match &denial {
        Denial::NotAllowed { scheme, host } => tracing::warn!(%scheme, %host, "egress denied: not on the allowlist"),
        Denial::ProhibitedAddress { host, address } => {
            tracing::warn!(%host, %address, "egress denied: a private or local address")
        }
    }
    if let Ok(mut list) = denials.lock() {
        list.push(denial);
    }
}

/// Sends an allowed request: buffered body, the key where it belongs, clamped timeouts,
/// and a response body capped while it streams.
async fn send(
    policy: &EgressPolicy,
    permit: Permit,
    key: Option<&ApiKey>,
    request: Request<WasiBody>,
    options: Option<RequestOptions>,
) -> Result<SentResponse, SendError> {
    let (mut parts, body) = request.into_parts();
    // Buffer the (small) request body before sending: passing the guest's stream through
    // races with servers that answer before the guest finishes its body.
    let body = Limited::new(body, policy.limits.max_request_body_bytes)
        .collect()
        .await
        .map_err(|_| SendError::Http(HttpError::HttpRequestBodySize(None)))?
        .to_bytes();
    if let (true, Some(key)) = (permit.with_key, key) {
        let mut value =
            HeaderValue::from_str(&key.bearer()).map_err(|_| SendError::Http(HttpError::InternalError(None)))?;
        value.set_sensitive(true);
        parts.headers.insert(AUTHORIZATION, value);
    }
    let request = Request::from_parts(parts, Full::new(body));
    let response = policy.pool.send(request, policy.clamp(options), permit.loopback_ok).await?;
    let cap = policy.limits.max_response_body_bytes;
    let declared = response
        .headers()
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > cap as u64) {
        return Err(SendError::Http(HttpError::HttpResponseBodySize(declared)));
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
    // The pool owns the connection, so there is no separate connection task to report on.
    Ok((response, Box::new(async { Ok(()) }) as Box<dyn Future<Output = wasmtime_wasi_http::Result<()>> + Send>))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::sandbox::resolve::StaticResolver;

    fn policy(base: &str) -> EgressPolicy {
        EgressPolicy::new(&Url::parse(base).unwrap(), vec![], false, Limits::default()).unwrap()
    }

    fn check(p: &EgressPolicy, url: &str) -> Result<Permit, Denial> {
        p.check(&Url::parse(url).unwrap())
    }

    #[test]
    fn only_the_orchestra_origin_is_allowed_and_only_it_gets_the_key() {
        let p = policy("https://app.getorchestra.io/api/engine/public");
        assert_eq!(
            check(&p, "https://app.getorchestra.io/api/engine/public/x"),
            Ok(Permit { with_key: true, loopback_ok: false })
        );
        for url in [
            "http://app.getorchestra.io/x",
            "https://app.getorchestra.io:8443/x",
            "https://app.getorchestra.io.evil.test/x",
        ] {
            assert!(matches!(check(&p, url), Err(Denial::NotAllowed { .. })), "{url}");
        }
        let extra = EgressPolicy::new(
            &Url::parse("https://app.getorchestra.io").unwrap(),
            vec![AllowedHost::parse("https://*.example.com").unwrap()],
            false,
            Limits::default(),
        )
        .unwrap();
        assert_eq!(check(&extra, "https://docs.example.com/x"), Ok(Permit { with_key: false, loopback_ok: false }));
    }

    #[test]
    fn private_literals_are_refused_even_when_allowed_by_name() {
        let p = EgressPolicy::new(
            &Url::parse("https://app.getorchestra.io").unwrap(),
            vec![
                AllowedHost::parse("http://10.0.0.1").unwrap(),
                AllowedHost::parse("http://[::ffff:127.0.0.1]").unwrap(),
            ],
            true,
            Limits::default(),
        )
        .unwrap();
        assert!(matches!(check(&p, "http://10.0.0.1/"), Err(Denial::ProhibitedAddress { .. })));
        assert!(matches!(check(&p, "http://[::ffff:127.0.0.1]/"), Err(Denial::ProhibitedAddress { .. })));
    }

    #[test]
    fn loopback_needs_the_opt_in_and_a_loopback_entry() {
        let local = |opt_in| {
            EgressPolicy::new(&Url::parse("http://127.0.0.1:8080/api").unwrap(), vec![], opt_in, Limits::default())
                .unwrap()
        };
        assert!(check(&local(true), "http://127.0.0.1:8080/api/x").is_ok());
        assert!(matches!(check(&local(false), "http://127.0.0.1:8080/api/x"), Err(Denial::ProhibitedAddress { .. })));
    }

    #[test]
    fn without_a_key_orchestra_requests_go_out_without_one() {
        let p = policy("https://app.getorchestra.io/api/engine/public");
        // The permit says the origin gets the key; with none configured, none is added.
        assert_eq!(check(&p, "https://app.getorchestra.io/x"), Ok(Permit { with_key: true, loopback_ok: false }));
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_a_private_address_is_refused_after_resolution() {
        let resolver = StaticResolver(HashMap::from([
            ("app.getorchestra.io".to_string(), vec!["52.1.2.3".parse().unwrap()]),
            (
                "rebound.getorchestra.io".to_string(),
                vec!["52.1.2.3".parse().unwrap(), "169.254.169.254".parse().unwrap()],
            ),
        ]));
        let p = EgressPolicy::new(
            &Url::parse("https://app.getorchestra.io").unwrap(),
            vec![AllowedHost::parse("https://*.getorchestra.io").unwrap()],
            false,
            Limits::default(),
        )
        .unwrap()
        .with_resolver(Arc::new(resolver));
        let rebound = "https://rebound.getorchestra.io/x";
        let permit = check(&p, rebound).expect("the name itself is allowed");
        let request = Request::get(rebound).body(Full::new(bytes::Bytes::new())).unwrap();
        // Refused at resolution, before any connection is attempted: no packet leaves.
        match p.pool.send(request, p.clamp(None), permit.loopback_ok).await {
            Err(SendError::Prohibited(address)) => assert_eq!(address, "169.254.169.254".parse::<IpAddr>().unwrap()),
            other => panic!("expected a refusal after resolution, got {other:?}"),
        }
    }

    #[test]
    fn guest_timeouts_are_clamped() {
        let p = policy("https://app.getorchestra.io");
        let asked = RequestOptions { connect_timeout: Some(Duration::from_secs(3600)), ..Default::default() };
        let got = p.clamp(Some(asked));
        assert_eq!(got.connect_timeout, Some(Limits::default().connect_timeout));
        assert_eq!(got.first_byte_timeout, Some(Limits::default().first_byte_timeout));
    }
}
