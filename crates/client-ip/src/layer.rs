//! `ClientIpLayer` and its service.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;
use std::task::{Context, Poll};

use http::{Extensions, Request};
use tower_layer::Layer;
use tower_service::Service;

use crocodile_forwarded::{Hop, OnceWarnings, ProxyTrust, peer_addr};

/// The client address: the client of the request's
/// [`Hop`](crocodile_forwarded::Hop), read with
/// [`from_extensions`](Self::from_extensions) (and, with the `axum` feature,
/// an extractor).
///
/// A plain `Copy` value: it holds nothing that can reach the request.
/// [`ClientIpLayer`] does not insert it as an extension of its own: the hop
/// it inserts already holds the address, and one extension box less is one
/// allocation less per request.
///
/// ```
/// use std::convert::Infallible;
/// use http::Request;
/// use tower::{Layer, ServiceExt, service_fn};
/// use crocodile_client_ip::{ClientIp, ClientIpLayer, PeerAddr, ProxyTrust};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let trust = ProxyTrust::new("rightmost:x-forwarded-for".parse()?, "loopback".parse()?);
/// let svc = ClientIpLayer::new(trust).layer(service_fn(|req: Request<()>| async move {
///     Ok::<_, Infallible>(ClientIp::from_extensions(req.extensions()))
/// }));
/// let mut req = Request::get("/").header("x-forwarded-for", "203.0.113.7").body(())?;
/// req.extensions_mut().insert(PeerAddr("127.0.0.1:4000".parse()?));
/// let ip = svc.oneshot(req).await?;
/// assert_eq!(ip, Some(ClientIp("203.0.113.7".parse()?)));
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

impl ClientIp {
    /// The client address of the request's [`Hop`](crocodile_forwarded::Hop),
    /// which [`ClientIpLayer`] (or `BaseContextLayer`, computing the same
    /// hop) inserted; `None` without one, or when the hop has no client (no
    /// peer address).
    pub fn from_extensions(extensions: &Extensions) -> Option<Self> {
        extensions.get::<Hop>().and_then(Hop::client).map(Self)
    }
}

impl fmt::Display for ClientIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl From<ClientIp> for IpAddr {
    fn from(ip: ClientIp) -> Self {
        ip.0
    }
}

/// Inserts the request's [`Hop`](crocodile_forwarded::Hop) into every
/// request: its [`ClientIp`], where the address came from, and why it fell
/// back.
///
/// Whom it believes is the [`ProxyTrust`] it is given: hand the same one to
/// `BaseContextLayer` and the two agree on every request, walking the
/// headers once. `Default` is `rightmost:x-forwarded-for` with an empty
/// trusted set: every header is ignored and the client is the socket peer,
/// which is safe anywhere. Trusting a proxy on the same machine:
///
/// ```
/// use crocodile_client_ip::{ClientIpLayer, ProxyTrust};
///
/// let trust = ProxyTrust::new("rightmost:x-forwarded-for".parse()?, "loopback".parse()?);
/// let layer = ClientIpLayer::new(trust);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// The peer comes from a [`PeerAddr`](crocodile_forwarded::PeerAddr)
/// extension or axum's `ConnectInfo<SocketAddr>` (with the `axum` feature);
/// without either, the hop has no client (its fallback says
/// `no-peer-address`) and the layer warns once. A hop already in the request
/// (an outer `ClientIpLayer` or `BaseContextLayer`) is kept; when another
/// trust model computed it, that model decides the client address and the
/// layer warns once.
///
/// Per request it costs the hop's walk (see `BENCHMARKS.md`) and one
/// extension insert: one allocation, none in parsing.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ClientIpLayer {
    shared: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    trust: ProxyTrust,
    warnings: OnceWarnings,
}

impl ClientIpLayer {
    /// A layer that believes what `trust` says.
    pub fn new(trust: ProxyTrust) -> Self {
        Self {
            shared: Arc::new(Shared {
                trust,
                warnings: OnceWarnings::new(),
            }),
        }
    }

    /// The trust model.
    pub fn trust(&self) -> &ProxyTrust {
        &self.shared.trust
    }
}

impl<S> Layer<S> for ClientIpLayer {
    type Service = ClientIpService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ClientIpService {
            inner,
            shared: Arc::clone(&self.shared),
        }
    }
}

/// The service [`ClientIpLayer`] wraps around `S`.
///
/// (Named `ClientIpService`, not `ClientIp<S>`, because [`ClientIp`] is the
/// extension handlers read.)
#[derive(Debug, Clone)]
pub struct ClientIpService<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> ClientIpService<S> {
    /// Wraps `inner` with `layer`'s configuration.
    pub fn new(inner: S, layer: &ClientIpLayer) -> Self {
        layer.layer(inner)
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, B> Service<Request<B>> for ClientIpService<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let shared = &*self.shared;
        match req.extensions().get::<Hop>() {
            // An outer layer decided; with another model, it still decides.
            Some(hop) => {
                if !shared.trust.computed(hop) {
                    shared.warnings.other_model("ClientIpLayer");
                }
            }
            // What `ProxyTrust::hop` does when no hop is there, without
            // looking for one a second time.
            None => {
                let hop = shared
                    .trust
                    .compute(peer_addr(req.extensions()), req.headers());
                req.extensions_mut().insert(hop);
                shared.warnings.check("ClientIpLayer", &shared.trust, &hop);
            }
        }
        self.inner.call(req)
    }
}
