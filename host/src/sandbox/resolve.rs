//! Name resolution for the egress pool, behind a trait so tests can play DNS tricks
//! (a name that resolves to a prohibited address) without a DNS server.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// The answer of a [`Resolve`]r.
pub type Resolution = std::pin::Pin<Box<dyn Future<Output = std::io::Result<Vec<SocketAddr>>> + Send>>;

/// Turns a host name into addresses. Injectable so tests can play DNS tricks.
pub trait Resolve: Send + Sync + std::fmt::Debug {
    fn resolve(&self, host: &str, port: u16) -> Resolution;
}

/// The system resolver.
#[derive(Debug)]
pub struct SystemResolver;

impl Resolve for SystemResolver {
    fn resolve(&self, host: &str, port: u16) -> Resolution {
        let target = format!("{host}:{port}");
        Box::pin(async move { Ok(tokio::net::lookup_host(target).await?.collect()) })
    }
}

/// A fixed table, for tests.
#[derive(Debug, Default)]
pub struct StaticResolver(pub HashMap<String, Vec<IpAddr>>);

impl Resolve for StaticResolver {
    fn resolve(&self, host: &str, port: u16) -> Resolution {
        let found = self.0.get(host).map(|ips| ips.iter().map(|ip| SocketAddr::new(*ip, port)).collect());
        Box::pin(async move { found.ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such host")) })
    }
}
