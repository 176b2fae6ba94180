//! The host's HTTP client for guest requests: pooled keep-alive connections (a tool call
//! should not pay a TCP and TLS handshake each time), connecting only to addresses that
//! passed the egress checks at connect time (so a DNS answer cannot change between the
//! check and the connection), with the host's timeouts applied per request.

use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::connect::dns::Name;
use hyper_util::rt::TokioExecutor;
use wasmtime_wasi_http::{Error as HttpError, RequestOptions, WasiBody};

use crate::sandbox::allowlist::is_prohibited;
use crate::sandbox::resolve::Resolve;

type Connector = hyper_rustls::HttpsConnector<HttpConnector<VettedResolver>>;

/// Pooled clients: one that refuses every private address, and one that also accepts
/// loopback (used only for a loopback allowlist entry under the development opt-in).
pub struct Pool {
    strict: Client<Connector, Full<Bytes>>,
    loopback: Client<Connector, Full<Bytes>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pool")
    }
}

impl Pool {
    pub fn new(resolver: Arc<dyn Resolve>, connect_timeout: Duration) -> Self {
        let client = |loopback_ok: bool| {
            let mut http = HttpConnector::new_with_resolver(VettedResolver { resolver: resolver.clone(), loopback_ok });
            http.enforce_http(false);
            http.set_connect_timeout(Some(connect_timeout));
            http.set_nodelay(true);
            let https = hyper_rustls::HttpsConnectorBuilder::new()
                .with_webpki_roots()
                .https_or_http()
                .enable_http1()
                .wrap_connector(http);
            Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(60)).build(https)
        };
        Self { strict: client(false), loopback: client(true) }
    }

    /// Sends a request; `options` are the host-clamped timeouts. A new connection first
    /// resolves the name and vets every address; a pooled one was vetted when it opened.
    pub async fn send(
        &self,
        request: http::Request<Full<Bytes>>,
        options: RequestOptions,
        loopback_ok: bool,
    ) -> Result<http::Response<WasiBody>, SendError> {
        let client = if loopback_ok { &self.loopback } else { &self.strict };
        let first_byte = options.first_byte_timeout.unwrap_or(Duration::from_secs(30));
        let between_bytes = options.between_bytes_timeout.unwrap_or(Duration::from_secs(30));
        let response = match tokio::time::timeout(first_byte, client.request(request)).await {
            Err(_) => return Err(SendError::Http(HttpError::ConnectionReadTimeout)),
            Ok(Err(e)) if e.is_connect() => {
                if let Some(address) = prohibited_address_in(&e) {
                    return Err(SendError::Prohibited(address));
                }
                tracing::debug!(error = %e, "connection to the upstream failed");
                return Err(SendError::Http(HttpError::ConnectionRefused));
            }
            Ok(Err(e)) => {
                tracing::debug!(error = %e, "request to the upstream failed");
                return Err(SendError::Http(HttpError::HttpProtocolError));
            }
            Ok(Ok(response)) => response,
        };
        Ok(response.map(|body| {
            BetweenBytes { inner: body, limit: between_bytes, timer: Box::pin(tokio::time::sleep(between_bytes)) }
                .boxed_unsync()
        }))
    }
}

/// Why [`Pool::send`] failed.
#[derive(Debug)]
pub enum SendError {
    /// The name resolved to an address tools may not reach: a policy denial, not a fault.
    Prohibited(IpAddr),
    Http(HttpError),
}

/// The resolver's refusal, carried inside the connect error up to [`Pool::send`].
#[derive(Debug)]
struct ProhibitedAddress(IpAddr);

impl std::fmt::Display for ProhibitedAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "resolves to {}, an address tools may not reach", self.0)
    }
}

impl std::error::Error for ProhibitedAddress {}

/// Finds the resolver's refusal in a connect error's chain. An `io::Error` hides its
/// payload from `source()`, so each one is opened with `get_ref`.
fn prohibited_address_in(error: &(dyn std::error::Error + 'static)) -> Option<IpAddr> {
    std::iter::successors(Some(error), |e| e.source()).find_map(|e| {
        let inner = e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).map(|inner| inner as _);
        [Some(e), inner].into_iter().flatten().find_map(|e| e.downcast_ref::<ProhibitedAddress>()).map(|p| p.0)
    })
}

/// Resolves names at connect time and refuses the connection if any address is one a
/// tool may not reach: checking the addresses actually connected to means a DNS answer
/// cannot change between a check and the connection. A name that mixes public and private
/// addresses is refused outright rather than filtered, as no real Orchestra host does that.
#[derive(Clone)]
struct VettedResolver {
    resolver: Arc<dyn Resolve>,
    loopback_ok: bool,
}

impl tower_service::Service<Name> for VettedResolver {
    type Response = std::vec::IntoIter<SocketAddr>;
    type Error = std::io::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, name: Name) -> Self::Future {
        let lookup = self.resolver.resolve(name.as_str(), 0);
        let loopback_ok = self.loopback_ok;
        Box::pin(async move {
            let addresses = lookup.await?;
            let refused = addresses.iter().find(|a| is_prohibited(a.ip()) && !(loopback_ok && a.ip().is_loopback()));
            if let Some(address) = refused {
                return Err(std::io::Error::new(std::io::ErrorKind::PermissionDenied, ProhibitedAddress(address.ip())));
            }
            Ok(addresses.into_iter())
        })
    }
}

/// A response body that fails if the upstream goes quiet for longer than `limit`.
struct BetweenBytes<B> {
    inner: B,
    limit: Duration,
    timer: Pin<Box<tokio::time::Sleep>>,
}

impl<B> Body for BetweenBytes<B>
where
    B: Body<Data = Bytes, Error = hyper::Error> + Unpin,
{
    type Data = Bytes;
    type Error = HttpError;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, HttpError>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                let deadline = tokio::time::Instant::now() + self.limit;
                self.timer.as_mut().reset(deadline);
                Poll::Ready(frame.map(|f| f.map_err(HttpError::Hyper)))
            }
            Poll::Pending => match self.timer.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(HttpError::ConnectionReadTimeout))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
