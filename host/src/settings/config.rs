//! Runtime configuration: where Orchestra is, the API key, and the sandbox limits, as
//! the settings resolve them (their defaults are declared in `declared.rs`).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, bail};
use url::Url;

use crate::exposure::Exposure;
use crate::sandbox::allowlist::AllowedHost;
use crate::settings::declared::SandboxSettings;

/// Orchestra's public engine API.
pub const DEFAULT_BASE_URL: &str = "https://app.getorchestra.io/api/engine/public";

/// The Orchestra API key. It lives only in host memory: it is never given to the guest,
/// and its `Debug` form is redacted so it cannot reach a log line by accident.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    /// A blank value counts as no key.
    pub fn new(value: impl Into<String>) -> Option<Self> {
        let value = value.into().trim().to_string();
        (!value.is_empty()).then_some(Self(value))
    }

    /// The value for the `Authorization` header.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }

    /// Removes the key from text the host is about to show: an upstream server may echo
    /// request headers in an error body, and the guest cannot redact what it never saw.
    pub fn redact(&self, text: &str) -> String {
        if text.contains(&self.0) { text.replace(&self.0, "[redacted]") } else { text.to_string() }
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

/// Per-call resource limits of the sandbox. Every tool call gets a fresh instance with
/// these limits; exceeding one ends that call with an error, never the server.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall time for a whole tool call, including time spent waiting on Orchestra.
    pub call_timeout: Duration,
    /// Linear memory a guest instance may grow to.
    pub memory_bytes: usize,
    /// Longest the host waits to connect to Orchestra, whatever the guest asks.
    pub connect_timeout: Duration,
    /// Longest the host waits for the first response byte, whatever the guest asks.
    pub first_byte_timeout: Duration,
    /// Longest the host waits between response bytes, whatever the guest asks.
    pub between_bytes_timeout: Duration,
    /// Largest request body the guest may send (Orchestra's request bodies are small JSON).
    pub max_request_body_bytes: usize,
    /// Largest response body the guest may receive from Orchestra, enforced while streaming.
    pub max_response_body_bytes: usize,
    /// Largest result a tool may return, in bytes of JSON.
    pub max_output_bytes: usize,
    /// Characters a result should fit in: the component shortens its longest lists to fit
    /// and notes the cut (`resultCut`). Passed to it as `ORCHESTRA_MCP_MAX_RESULT_CHARS`.
    pub max_result_chars: usize,
    /// CPU time a guest may spend computing in one call step (time waiting on Orchestra
    /// does not count), measured in epoch ticks of 10 ms.
    pub cpu_time: Duration,
    /// Tool calls running at once; further calls wait in a queue.
    pub max_concurrent_calls: usize,
    /// Calls that may wait for a slot; beyond this a call is refused as busy.
    pub max_queued_calls: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self::from(&SandboxSettings::default())
    }
}

impl From<&SandboxSettings> for Limits {
    fn from(settings: &SandboxSettings) -> Self {
        Self {
            call_timeout: Duration::from_secs(settings.call_timeout_secs),
            memory_bytes: settings.memory_mb * 1024 * 1024,
            connect_timeout: Duration::from_millis(settings.connect_timeout_ms),
            first_byte_timeout: Duration::from_millis(settings.first_byte_timeout_ms),
            between_bytes_timeout: Duration::from_millis(settings.between_bytes_timeout_ms),
            max_request_body_bytes: MAX_REQUEST_BODY_BYTES,
            max_response_body_bytes: settings.max_response_bytes,
            max_output_bytes: MAX_OUTPUT_BYTES,
            max_result_chars: settings.max_result_chars,
            cpu_time: Duration::from_millis(settings.cpu_ms),
            max_concurrent_calls: settings.max_concurrent_calls,
            max_queued_calls: settings.max_queued_calls,
        }
    }
}

/// The largest request body a guest may send: Orchestra's request bodies are small JSON.
const MAX_REQUEST_BODY_BYTES: usize = 4 * 1024 * 1024;

/// The largest result a tool may return, in bytes of JSON.
const MAX_OUTPUT_BYTES: usize = 4 * 1024 * 1024;

/// Which component to run.
#[derive(Debug, Clone)]
pub enum ComponentSource {
    /// The guest built with this binary.
    Embedded,
    /// Another `.wasm` component implementing `orchestra:mcp/tool-provider`.
    File(PathBuf),
}

#[derive(Debug, Clone)]
pub struct Config {
    /// Orchestra's API base, without a trailing slash.
    pub base_url: Url,
    pub api_key: Option<ApiKey>,
    pub component: ComponentSource,
    /// Where compiled components are cached; `None` compiles at every start.
    pub cache_dir: Option<PathBuf>,
    pub limits: Limits,
    /// Hosts the guest may reach besides Orchestra (they never receive the key).
    pub extra_allowed_hosts: Vec<AllowedHost>,
    /// Plain http to loopback is allowed (a local fake API).
    pub allow_insecure_loopback: bool,
    /// Which tools are exposed.
    pub exposure: Exposure,
    /// The Orchestra account (workspace) tools act in unless a call names one; passed to
    /// the component, which sends it as `X-Orchestra-Account-Id`. Not secret.
    pub account_id: Option<String>,
    /// Every tool takes an `account_id` argument (`ORCHESTRA_ACCOUNT_ARGUMENT`, read by
    /// the component when it lists its tools).
    pub account_argument: bool,
    /// How long a successful call with a `dedupe_key` is remembered, so a repeat is
    /// answered without acting twice (`dedupe.rs`); zero turns it off.
    pub dedupe_window: Duration,
    /// Each request brings its own key (HTTP with `--http-per-user-keys`); `api_key` is
    /// then `None`.
    pub keys_per_request: bool,
}

impl Config {
    /// Checks the base URL: `https://` anywhere, or `http://` to a loopback address only
    /// when `allow_insecure_loopback` is set (the local fake API).
    pub fn new(
        base_url: &str,
        api_key: Option<ApiKey>,
        allow_insecure_loopback: bool,
        component: ComponentSource,
        cache_dir: Option<PathBuf>,
    ) -> anyhow::Result<Self> {
        let base_url = parse_base_url(base_url, allow_insecure_loopback)?;
        Ok(Self {
            base_url,
            api_key,
            component,
            cache_dir,
            limits: Limits::default(),
            extra_allowed_hosts: Vec::new(),
            allow_insecure_loopback,
            exposure: Exposure::default(),
            account_id: None,
            account_argument: false,
            dedupe_window: Duration::from_secs(SandboxSettings::default().dedupe_window_secs),
            keys_per_request: false,
        })
    }

    /// The same configuration against another Orchestra API (`doctor` trying the key
    /// elsewhere); the URL is checked as at start-up.
    pub fn with_base_url(&self, base_url: &str) -> anyhow::Result<Self> {
        Ok(Self { base_url: parse_base_url(base_url, self.allow_insecure_loopback)?, ..self.clone() })
    }

    /// Sets the default account, which must be an account id (a UUID).
    pub fn set_account_id(&mut self, id: Option<&str>) -> anyhow::Result<()> {
        let id = id.map(str::trim).filter(|id| !id.is_empty());
        if let Some(id) = id
            && !is_uuid(id)
        {
            bail!(
                "ORCHESTRA_ACCOUNT_ID {id:?} is not an account id: expected a UUID such as 84e75049-b4c3-4a93-a595-21cff92bdb9d"
            );
        }
        self.account_id = id.map(str::to_ascii_lowercase);
        Ok(())
    }

    /// The non-secret settings the component reads from its environment.
    pub fn guest_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![("ORCHESTRA_BASE_URL", self.base_url_text())];
        env.extend(self.account_id.clone().map(|id| ("ORCHESTRA_ACCOUNT_ID", id)));
        if self.account_argument {
            env.push(("ORCHESTRA_ACCOUNT_ARGUMENT", "true".to_string()));
        }
        env.push(("ORCHESTRA_MCP_MAX_RESULT_CHARS", self.limits.max_result_chars.to_string()));
        // Whether the host adds the key, never the key: without one, the component refuses
        // calls that need it before sending anything.
        let host_adds_a_key = self.api_key.is_some() || self.keys_per_request;
        env.push(("ORCHESTRA_AUTH", if host_adds_a_key { "host" } else { "missing" }.to_string()));
        env
    }

    /// The base URL as the guest receives it.
    pub fn base_url_text(&self) -> String {
        self.base_url.as_str().trim_end_matches('/').to_string()
    }
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text
            .char_indices()
            .all(|(i, c)| if matches!(i, 8 | 13 | 18 | 23) { c == '-' } else { c.is_ascii_hexdigit() })
}

fn parse_base_url(text: &str, allow_insecure_loopback: bool) -> anyhow::Result<Url> {
    let url = Url::parse(text.trim())
        .with_context(|| format!("ORCHESTRA_BASE_URL is not a URL; expected something like {DEFAULT_BASE_URL}"))?;
    if url.username() != "" || url.password().is_some() {
        bail!("ORCHESTRA_BASE_URL must not carry credentials; set the key in ORCHESTRA_API_KEY");
    }
    if url.query().is_some() || url.fragment().is_some() {
        bail!("ORCHESTRA_BASE_URL must not have a query or fragment");
    }
    let Some(host) = url.host() else { bail!("ORCHESTRA_BASE_URL has no host") };
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match host {
                url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
                url::Host::Ipv4(ip) => ip.is_loopback(),
                url::Host::Ipv6(ip) => ip.is_loopback(),
            };
            if !loopback {
                bail!("ORCHESTRA_BASE_URL uses plain http to {host}; Orchestra is only reached over https");
            }
            if !allow_insecure_loopback {
                bail!(
                    "ORCHESTRA_BASE_URL uses plain http to loopback ({host}); that is for a local fake API \
                     and needs --allow-insecure-loopback (or ORCHESTRA_ALLOW_INSECURE_LOOPBACK=1)"
                );
            }
        }
        other => bail!("ORCHESTRA_BASE_URL has scheme {other}; use https"),
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_are_uuids() {
        let mut config =
            Config::new(DEFAULT_BASE_URL, None, false, ComponentSource::Embedded, None).expect("the default config");
        assert!(config.set_account_id(Some("acme")).is_err());
        assert!(config.set_account_id(Some("84e75049-b4c3-4a93-a595-21cff92bdb9d\r\nX: y")).is_err());
        config.set_account_id(Some(" 84E75049-B4C3-4A93-A595-21CFF92BDB9D ")).unwrap();
        assert_eq!(config.account_id.as_deref(), Some("84e75049-b4c3-4a93-a595-21cff92bdb9d"));
        assert!(config.guest_env().iter().any(|(name, _)| *name == "ORCHESTRA_ACCOUNT_ID"));
        config.set_account_id(Some("")).unwrap();
        assert!(!config.guest_env().iter().any(|(name, _)| *name == "ORCHESTRA_ACCOUNT_ID"), "unset when empty");
    }

    #[test]
    fn base_urls_are_checked() {
        assert!(parse_base_url(DEFAULT_BASE_URL, false).is_ok());
        assert!(parse_base_url("http://127.0.0.1:8080/api/engine/public", false).is_err());
        assert!(parse_base_url("http://127.0.0.1:8080/api/engine/public", true).is_ok());
        assert!(parse_base_url("http://app.getorchestra.io/api", true).is_err());
        assert!(parse_base_url("https://user:pw@app.getorchestra.io/api", false).is_err());
        assert!(parse_base_url("ftp://app.getorchestra.io", false).is_err());
    }

    #[test]
    fn the_key_is_redacted_and_blank_is_none() {
        let key = ApiKey::new("canary-123").unwrap();
        assert!(!format!("{key:?}").contains("canary"));
        assert!(ApiKey::new("  ").is_none());
        assert_eq!(key.redact("echo: Bearer canary-123!"), "echo: Bearer [redacted]!");
    }
}
