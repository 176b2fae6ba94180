//! Who a request acts as. Over stdio, and over HTTP by default, every request acts with
//! the server's Orchestra key and sees every exposed tool. Over HTTP, a request may also
//! bring its own scope, which the HTTP layer (`http.rs`) reads from its headers and
//! attaches to it: its own Orchestra key (with `--http-per-user-keys`) and a narrowing
//! of the tools (`X-MCP-Toolsets`, `X-MCP-Tools`, `X-MCP-Readonly`).

use rmcp::RoleServer;
use rmcp::service::RequestContext;
use sha2::{Digest, Sha256};

use orchestra_mcp_face::narrowing::Narrowing;

use crate::settings::config::ApiKey;

/// The header that carries a request's own Orchestra key in per-user mode. Without a
/// server token, `Authorization: Bearer <key>` carries it too, as on Orchestra's own
/// hosted server.
pub const KEY_HEADER: &str = "X-Orchestra-Api-Key";

/// What the HTTP layer found in one request's headers.
#[derive(Clone, Default)]
pub struct RequestScope {
    /// The request's own Orchestra key (per-user mode only).
    pub key: Option<ApiKey>,
    pub narrowing: Option<Narrowing>,
}

/// The key and the tools one request acts with.
pub struct Caller {
    /// The key the request's calls carry to Orchestra, if any.
    pub key: Option<ApiKey>,
    /// Whether that key is the request's own rather than the server's.
    pub own_key: bool,
    pub narrowing: Option<Narrowing>,
}

impl RequestScope {
    /// The scope the HTTP layer attached to `context`'s request; empty over stdio and for
    /// the one-shot commands.
    pub fn of(context: Option<&RequestContext<RoleServer>>) -> Self {
        context
            .and_then(|c| c.extensions.get::<axum::http::request::Parts>())
            .and_then(|parts| parts.extensions.get::<RequestScope>())
            .cloned()
            .unwrap_or_default()
    }
}

impl Caller {
    /// The caller of `context`'s request: its own key where it brought one, else the
    /// server's.
    pub fn of(context: Option<&RequestContext<RoleServer>>, server_key: Option<&ApiKey>) -> Self {
        let scope = RequestScope::of(context);
        match scope.key {
            Some(key) => Self { key: Some(key), own_key: true, narrowing: scope.narrowing },
            None => Self { key: server_key.cloned(), own_key: false, narrowing: scope.narrowing },
        }
    }

    /// Tells apart, in the dedupe memory, the users whose requests bring their own keys: a
    /// digest of the key, so the memory never holds a key itself. Empty for the server's key.
    pub fn dedupe_scope(&self) -> String {
        match (&self.key, self.own_key) {
            (Some(key), true) => {
                let digest = Sha256::digest(key.bearer().as_bytes());
                digest.iter().map(|b| format!("{b:02x}")).collect()
            }
            _ => String::new(),
        }
    }
}
