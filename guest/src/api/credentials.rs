//! Who holds the Orchestra API key, read from the component's own environment.
//!
//! Two models. Under a host that injects credentials (orchestra-mcp), the host says so with
//! `ORCHESTRA_AUTH` and adds the key to requests itself: the component never sees it, and
//! any `ORCHESTRA_API_KEY` in its environment is ignored. A runtime that cannot add
//! headers (the wasmtime CLI, `wasmtime serve`, wasmtime-py, jco, Wassette, Spin) passes
//! the key as `ORCHESTRA_API_KEY` in the component's WASI environment instead, and the
//! component sends it as `Authorization: Bearer`, only to the base URL's origin, and keeps
//! it out of everything it returns.

use crate::wit::{CallOutcome, ToolError};

/// The environment variable a runtime without a header hook puts the key in.
pub const KEY_VARIABLE: &str = "ORCHESTRA_API_KEY";
/// Set by a host that adds the key itself: `host` (it has one) or `missing` (it has none).
const HOST_AUTH_VARIABLE: &str = "ORCHESTRA_AUTH";

#[derive(Clone, Debug, PartialEq)]
pub enum Credentials {
    /// The host adds the key to requests for the Orchestra origin.
    HostHasKey,
    /// The host manages the key and has none: requests that need one are refused unsent.
    HostHasNone,
    /// The key from the component's environment, sent by the component itself.
    Own(String),
    /// No key anywhere the component can see: requests go out as they are (an embedder
    /// that wraps `wasi:http/outgoing-handler` may add the header itself).
    NoKey,
}

impl Credentials {
    /// Reads the model from the environment (`var` looks a variable up).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Self, ToolError> {
        match var(HOST_AUTH_VARIABLE).as_deref() {
            Some("host") => return Ok(Self::HostHasKey),
            Some(_) => return Ok(Self::HostHasNone),
            None => {}
        }
        let Some(key) = var(KEY_VARIABLE).map(|k| k.trim().to_string()).filter(|k| !k.is_empty()) else {
            return Ok(Self::NoKey);
        };
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ToolError::Internal(format!(
                "{KEY_VARIABLE} in this component's environment holds spaces or line breaks, so it cannot be \
                 an Orchestra API key (the value is not shown); set it to the key alone \
                 (Orchestra: Settings → API Key)"
            )));
        }
        Ok(Self::Own(key))
    }

    pub fn from_env() -> Result<Self, ToolError> {
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The `Authorization` value for a request to `url`: only the component's own key, and
    /// only when `url` is on `origin` (`scheme://host[:port]`, as built from the base URL).
    pub fn authorization_for(&self, url: &str, origin: &str) -> Option<String> {
        let Self::Own(key) = self else { return None };
        let rest = url.strip_prefix(origin)?;
        (rest.is_empty() || rest.starts_with('/') || rest.starts_with('?')).then(|| format!("Bearer {key}"))
    }

    /// Whether requests that need a key are refused before they are sent.
    pub fn refuses_unsent(&self) -> bool {
        *self == Self::HostHasNone
    }

    /// What a 401 hint adds about where the key comes from. A host that injects the key
    /// names its own settings, so nothing is added for it.
    pub fn where_the_key_comes_from(&self) -> Option<String> {
        match self {
            Self::HostHasKey | Self::HostHasNone => None,
            Self::Own(_) => Some(format!("this component sent the key it found in {KEY_VARIABLE} in its environment")),
            Self::NoKey => Some(format!(
                "no key was sent: this component sends the key it finds in {KEY_VARIABLE} in its own environment, \
                 and the runtime gave it none. Give the component that variable ({})",
                RUNTIME_SETTINGS
            )),
        }
    }

    /// Removes the component's own key from text it returns (an upstream that echoes
    /// request headers, say). Under a host the component never has the key to leak.
    pub fn redact(&self, text: String) -> String {
        match self {
            Self::Own(key) if text.contains(key.as_str()) => text.replace(key.as_str(), "[redacted]"),
            _ => text,
        }
    }

    /// [`Self::redact`] over everything a call step returns.
    pub fn redact_outcome(&self, outcome: Result<CallOutcome, ToolError>) -> Result<CallOutcome, ToolError> {
        if !matches!(self, Self::Own(_)) {
            return outcome;
        }
        match outcome {
            Ok(CallOutcome::Done(json)) => Ok(CallOutcome::Done(self.redact(json))),
            Ok(pending) => Ok(pending),
            Err(error) => Err(self.redact_error(error)),
        }
    }

    pub fn redact_error(&self, error: ToolError) -> ToolError {
        match error {
            ToolError::UnknownTool(s) => ToolError::UnknownTool(self.redact(s)),
            ToolError::InvalidArguments(mut a) => {
                a.message = self.redact(a.message);
                ToolError::InvalidArguments(a)
            }
            ToolError::Upstream(mut u) => {
                u.detail = self.redact(u.detail);
                u.hint = u.hint.map(|h| self.redact(h));
                ToolError::Upstream(u)
            }
            ToolError::EgressDenied(s) => ToolError::EgressDenied(self.redact(s)),
            ToolError::Timeout(s) => ToolError::Timeout(self.redact(s)),
            ToolError::Transport(s) => ToolError::Transport(self.redact(s)),
            ToolError::UnexpectedResponse(s) => ToolError::UnexpectedResponse(self.redact(s)),
            ToolError::Internal(s) => ToolError::Internal(self.redact(s)),
        }
    }
}

/// How the runtimes that cannot add headers set a component's environment variable.
const RUNTIME_SETTINGS: &str = "wasmtime run and wasmtime serve: --env ORCHESTRA_API_KEY; wasmtime-py: \
                                WasiConfig.env; jco: the env given to preview2-shim; Wassette: wassette secret set; \
                                Spin: the component's environment";

#[cfg(test)]
mod tests {
    use super::*;

    fn from(pairs: &[(&str, &str)]) -> Result<Credentials, ToolError> {
        Credentials::from_vars(|name| pairs.iter().find(|(n, _)| *n == name).map(|(_, v)| v.to_string()))
    }

    #[test]
    fn a_host_that_injects_the_key_wins_over_any_key_in_the_environment() {
        assert_eq!(
            from(&[("ORCHESTRA_AUTH", "host"), ("ORCHESTRA_API_KEY", "key-12345678")]).unwrap(),
            Credentials::HostHasKey
        );
        assert_eq!(
            from(&[("ORCHESTRA_AUTH", "missing"), ("ORCHESTRA_API_KEY", "key-12345678")]).unwrap(),
            Credentials::HostHasNone
        );
        assert_eq!(from(&[("ORCHESTRA_API_KEY", " key-12345678\n")]).unwrap(), Credentials::Own("key-12345678".into()));
        assert_eq!(from(&[("ORCHESTRA_API_KEY", "  ")]).unwrap(), Credentials::NoKey);
        assert_eq!(from(&[]).unwrap(), Credentials::NoKey);
        let Err(ToolError::Internal(message)) = from(&[("ORCHESTRA_API_KEY", "two words")]) else { panic!() };
        assert!(message.contains("ORCHESTRA_API_KEY") && !message.contains("two words"), "{message}");
    }

    #[test]
    fn the_own_key_goes_only_to_the_base_urls_origin() {
        let own = Credentials::Own("k-12345678".into());
        let origin = "https://app.getorchestra.io";
        assert_eq!(
            own.authorization_for("https://app.getorchestra.io/api/engine/public/x", origin).as_deref(),
            Some("Bearer k-12345678")
        );
        for elsewhere in [
            "https://app.getorchestra.io.evil.example/api",
            "https://app.getorchestra.io:8443/api",
            "http://app.getorchestra.io/api",
            "https://evil.example/https://app.getorchestra.io/api",
            "https://app.getorchestra.io@evil.example/api",
        ] {
            assert_eq!(own.authorization_for(elsewhere, origin), None, "{elsewhere}");
        }
        for other in [Credentials::HostHasKey, Credentials::HostHasNone, Credentials::NoKey] {
            assert_eq!(other.authorization_for("https://app.getorchestra.io/api", origin), None);
        }
    }

    #[test]
    fn the_own_key_never_comes_back_in_results() {
        let own = Credentials::Own("k-12345678".into());
        let done = own.redact_outcome(Ok(CallOutcome::Done(r#"{"echo":"Bearer k-12345678"}"#.into())));
        let Ok(CallOutcome::Done(json)) = done else { panic!() };
        assert_eq!(json, r#"{"echo":"Bearer [redacted]"}"#);
        let Err(ToolError::Transport(text)) = own.redact_outcome(Err(ToolError::Transport("k-12345678".into()))) else {
            panic!()
        };
        assert_eq!(text, "[redacted]");
    }
}
