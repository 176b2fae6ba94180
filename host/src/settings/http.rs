//! What `serve --http` needs besides the server's configuration: the address, the Host
//! and Origin allowlists, the body limit, the bearer token clients must send, and whether
//! each request brings its own Orchestra key.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use axum::http::HeaderValue;
use subtle::ConstantTimeEq;

use crate::settings::declared::HttpSettings;

/// What `serve --http` needs besides the server's configuration.
#[derive(Clone)]
pub struct HttpConfig {
    pub listen: SocketAddr,
    /// Host header values accepted besides loopback names and the bound address.
    pub allowed_hosts: Vec<String>,
    /// Browser origins accepted besides loopback ones.
    pub allowed_origins: Vec<String>,
    /// The bearer token clients must send, if any.
    pub token: Option<Token>,
    pub max_body_bytes: usize,
    /// Each request brings its own Orchestra key (`--http-per-user-keys`).
    pub per_user_keys: bool,
}

/// The MCP endpoint's bearer token; its `Debug` is redacted.
#[derive(Clone)]
pub struct Token(Arc<str>);

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

impl Token {
    /// From `ORCHESTRA_MCP_HTTP_TOKEN`, else from the token file; blank is none.
    pub fn load(value: Option<String>, file: Option<&PathBuf>) -> anyhow::Result<Option<Self>> {
        let text = match (value, file) {
            (Some(value), _) => value,
            (None, Some(path)) => std::fs::read_to_string(path)
                .with_context(|| format!("reading the HTTP token from {}", path.display()))?,
            (None, None) => return Ok(None),
        };
        let text = text.trim();
        Ok((!text.is_empty()).then(|| Self(text.into())))
    }

    /// Whether an `Authorization` header carries this token, compared in constant time.
    pub fn accepts(&self, header: Option<&HeaderValue>) -> bool {
        let presented = header.and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer "));
        presented.is_some_and(|p| p.trim().as_bytes().ct_eq(self.0.as_bytes()).into())
    }
}

impl HttpConfig {
    /// Parses the listen address; a host name other than `localhost` is refused so the
    /// bound address is always known.
    pub fn new(listen: &str) -> anyhow::Result<Self> {
        // A bare port, or `localhost`, means loopback: nothing is exposed beyond this
        // machine unless an address says so.
        let listen = match listen.strip_prefix("localhost:") {
            Some(port) => format!("127.0.0.1:{port}"),
            None if listen.parse::<u16>().is_ok() => format!("127.0.0.1:{listen}"),
            None => listen.to_string(),
        };
        let listen: SocketAddr = listen
            .parse()
            .with_context(|| format!("--http {listen:?}: expected an address and port such as 127.0.0.1:8808"))?;
        Ok(Self {
            listen,
            allowed_hosts: Vec::new(),
            allowed_origins: Vec::new(),
            token: None,
            max_body_bytes: HttpSettings::default().max_body_bytes,
            per_user_keys: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_is_compared_whole_and_never_shown() {
        let token = Token::load(Some(" s3cret \n".into()), None).unwrap().unwrap();
        assert!(token.accepts(Some(&HeaderValue::from_static("Bearer s3cret"))));
        assert!(!token.accepts(Some(&HeaderValue::from_static("Bearer s3cre"))));
        assert!(!token.accepts(Some(&HeaderValue::from_static("Bearer s3cretX"))));
        assert!(!token.accepts(Some(&HeaderValue::from_static("s3cret"))));
        assert!(!token.accepts(None));
        assert!(!format!("{token:?}").contains("s3cret"));
        assert!(Token::load(Some("  ".into()), None).unwrap().is_none());
    }

    #[test]
    fn listen_addresses_are_explicit() {
        assert_eq!(HttpConfig::new("localhost:8808").unwrap().listen.to_string(), "127.0.0.1:8808");
        assert_eq!(HttpConfig::new("8808").unwrap().listen.to_string(), "127.0.0.1:8808");
        assert!(HttpConfig::new("[::1]:0").is_ok());
        assert!(format!("{:#}", HttpConfig::new("example.com:80").err().unwrap()).contains("127.0.0.1:8808"));
    }
}
