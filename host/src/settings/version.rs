//! What `--version` says: the release, the commit it was built from and the SHA-256 of
//! the embedded tool component, so a report names exactly what ran (`build.rs` finds the
//! commit and hashes the component).

/// `-V`.
pub const SHORT: &str = concat!(env!("CARGO_PKG_VERSION"), " (", env!("ORCHESTRA_MCP_COMMIT"), ")");

/// `--version`.
pub const LONG: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    "\ncommit: ",
    env!("ORCHESTRA_MCP_COMMIT"),
    "\ntool component: sha256:",
    env!("ORCHESTRA_MCP_COMPONENT_SHA256")
);
