//! Misconfigurations said once per layer: [`OnceWarnings`].

use std::net::IpAddr;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::hop::{Fallback, Hop};
use crate::strategy::ClientIpStrategy;
use crate::trust::ProxyTrust;

/// Says what is wrong with a deployment once, not once per request: a layer
/// keeps one in its shared state and shows it each request's [`Hop`].
///
/// - No peer address at all (served without
///   `into_make_service_with_connect_info`, and no [`PeerAddr`](crate::PeerAddr)):
///   a `warn!`, naming the fix.
/// - A private or loopback socket peer while nobody is trusted: an `info!`,
///   since every client will then look like that one proxy.
/// - A request whose hop another trust model computed (an outer layer was
///   given another [`ProxyTrust`]): a `warn!` from
///   [`other_model`](Self::other_model), naming the fix.
///
/// What a client controls (a malformed entry, a short chain) is never
/// logged here: that is per request and goes to `debug!`.
#[derive(Debug, Default)]
pub struct OnceWarnings {
    no_peer: AtomicBool,
    untrusted_private_peer: AtomicBool,
    other_model: AtomicBool,
}

impl OnceWarnings {
    /// Warnings not said yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Looks at one request's hop; says each misconfiguration the first time
    /// it shows. `layer` names the layer in the message.
    pub fn check(&self, layer: &'static str, trust: &ProxyTrust, hop: &Hop) {
        if hop.fallback() == Some(Fallback::NoPeerAddress) {
            if first_time(&self.no_peer) {
                tracing::warn!(
                    layer,
                    "{layer} found no peer address, so no client address and no proxy header \
                     can be believed: serve the router with \
                     `into_make_service_with_connect_info::<SocketAddr>()`, or insert a \
                     `PeerAddr` extension per connection"
                );
            }
            return;
        }
        if hop.fallback() != Some(Fallback::PeerUntrusted)
            || self.untrusted_private_peer.load(Ordering::Relaxed)
        {
            return;
        }
        let Some(peer) = hop.client() else { return };
        let unbelieved = !matches!(
            trust.strategy(),
            ClientIpStrategy::Peer | ClientIpStrategy::Hops { .. }
        );
        if unbelieved
            && is_internal(peer)
            && trust.trusted_proxies().is_empty()
            && first_time(&self.untrusted_private_peer)
        {
            tracing::info!(
                layer,
                %peer,
                "{layer}: the socket peer {peer} is a private or loopback address but no proxy is \
                 trusted, so every client will look like {peer}: trust your proxy (for example \
                 TrustedProxies \"{peer}\", \"private\" or \"loopback\"; CROCODILE_TRUSTED_PROXIES \
                 in the example)"
            );
        }
    }

    /// Says once that `layer` found the request's hop computed by another
    /// trust model, so the outer layer's model decides what `layer` reports.
    pub fn other_model(&self, layer: &'static str) {
        if first_time(&self.other_model) {
            tracing::warn!(
                layer,
                "{layer} found the request's hop computed by another trust model (an outer layer \
                 was given another ProxyTrust), so that model decides the client address: give \
                 every layer the same ProxyTrust"
            );
        }
    }
}

/// Whether this is the first time `flag` is raised. A load before the swap:
/// a misconfigured stack raises it on every request, and a swap each time
/// would write the cache line every core shares.
fn first_time(flag: &AtomicBool) -> bool {
    !flag.load(Ordering::Relaxed) && !flag.swap(true, Ordering::Relaxed)
}

fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private() || v4.is_link_local(),
        IpAddr::V6(v6) => v6.is_loopback() || v6.is_unique_local() || v6.is_unicast_link_local(),
    }
}
