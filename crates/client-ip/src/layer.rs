//! `ClientIpLayer` and its service.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::task::{Context, Poll};

use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use crocodile_forwarded::{PeerAddr, TrustedProxies, normalize_ip};

use crate::decide::decide;
use crate::decision::{ClientIp, ClientIpDecision, Fallback, Source};
use crate::strategy::ClientIpStrategy;

#[derive(Debug)]
struct Config {
    strategy: ClientIpStrategy,
    trusted: TrustedProxies,
}

/// Inserts [`ClientIp`] and [`ClientIpDecision`] into every request.
///
/// `Default` is `rightmost:x-forwarded-for` with an empty trusted set: every
/// header is ignored and the client is the socket peer, which is safe
/// anywhere. Trusting a proxy on the same machine is one line:
///
/// ```
/// use crocodile_client_ip::ClientIpLayer;
///
/// let layer = ClientIpLayer::default().trusted_proxies("loopback".parse().unwrap());
/// ```
///
/// The peer comes from axum's `ConnectInfo<SocketAddr>` (with the `axum`
/// feature) or from a [`PeerAddr`] extension; without either, the layer inserts
/// only a decision whose source is [`Source::NoPeerAddress`] and traces why.
/// An existing `ClientIp` (an outer `ClientIpLayer`) is kept.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct ClientIpLayer {
    config: Arc<Config>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            strategy: ClientIpStrategy::default(),
            trusted: TrustedProxies::none(),
        }
    }
}

impl ClientIpLayer {
    /// A layer with this strategy and trusted set.
    pub fn new(strategy: ClientIpStrategy, trusted: TrustedProxies) -> Self {
        Self {
            config: Arc::new(Config { strategy, trusted }),
        }
    }

    /// Replaces the strategy.
    pub fn strategy(self, strategy: ClientIpStrategy) -> Self {
        Self::new(strategy, self.config.trusted.clone())
    }

    /// Replaces the trusted-proxy set.
    pub fn trusted_proxies(self, trusted: TrustedProxies) -> Self {
        Self::new(self.config.strategy.clone(), trusted)
    }

    /// The configured strategy.
    pub fn get_strategy(&self) -> &ClientIpStrategy {
        &self.config.strategy
    }

    /// The configured trusted set.
    pub fn get_trusted_proxies(&self) -> &TrustedProxies {
        &self.config.trusted
    }
}

impl<S> Layer<S> for ClientIpLayer {
    type Service = ClientIpService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        ClientIpService {
            inner,
            config: Arc::clone(&self.config),
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
    config: Arc<Config>,
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
        if req.extensions().get::<ClientIp>().is_none() {
            match peer_ip(&req) {
                Some(peer) => {
                    let (ip, decision) = decide(
                        &self.config.strategy,
                        &self.config.trusted,
                        peer,
                        req.headers(),
                    );
                    let extensions = req.extensions_mut();
                    extensions.insert(ClientIp(ip));
                    extensions.insert(decision);
                }
                None => {
                    tracing::debug!("{}", Fallback::NoPeerAddress);
                    req.extensions_mut().insert(ClientIpDecision::new(
                        Source::NoPeerAddress,
                        Some(Fallback::NoPeerAddress),
                    ));
                }
            }
        }
        self.inner.call(req)
    }
}

/// The socket peer, normalised: `PeerAddr` first, then axum's `ConnectInfo`.
fn peer_ip<B>(req: &Request<B>) -> Option<IpAddr> {
    let extensions = req.extensions();
    let peer: Option<SocketAddr> = extensions.get::<PeerAddr>().map(|peer| peer.0);
    #[cfg(feature = "axum")]
    let peer = peer.or_else(|| {
        use axum::extract::{ConnectInfo, connect_info::MockConnectInfo};
        // The same order as axum's own `ConnectInfo` extractor: real, then mocked.
        extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|info| info.0)
            .or_else(|| {
                extensions
                    .get::<MockConnectInfo<SocketAddr>>()
                    .map(|mock| mock.0)
            })
    });
    peer.map(|addr| normalize_ip(addr.ip()))
}
