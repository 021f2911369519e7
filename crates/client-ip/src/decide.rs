//! The decision itself: a pure function of the strategy, the trusted set, the
//! peer and the headers. Allocates nothing.

use std::net::IpAddr;
use std::sync::LazyLock;

use http::HeaderMap;

use crocodile_forwarded::{
    ForwardedRev, Malformed, NodeAddr, TrustedProxies, Walk, XForwardedFor, rightmost_untrusted,
    single_ip,
};

use crate::decision::{ClientIpDecision, Fallback};
use crate::strategy::{ChainHeader, ClientIpStrategy};

/// The chain's entries, nearest hop first.
fn chain_rev<'a>(
    headers: &'a HeaderMap,
    header: ChainHeader,
) -> impl Iterator<Item = Result<NodeAddr, Malformed>> + 'a {
    enum Either<A, B> {
        Xff(A),
        Fwd(B),
    }
    impl<T, A: Iterator<Item = T>, B: Iterator<Item = T>> Iterator for Either<A, B> {
        type Item = T;
        fn next(&mut self) -> Option<T> {
            match self {
                Either::Xff(a) => a.next(),
                Either::Fwd(b) => b.next(),
            }
        }
    }
    match header {
        ChainHeader::XForwardedFor => Either::Xff(XForwardedFor::new(headers).rev()),
        ChainHeader::Forwarded => Either::Fwd(ForwardedRev::new(headers).for_nodes()),
    }
}

/// Addresses `leftmost-spoofable` skips: nobody's public address.
static NON_PUBLIC: LazyLock<TrustedProxies> = LazyLock::new(|| {
    "loopback,private,link-local,unique-local,100.64.0.0/10"
        .parse()
        .expect("constant list parses")
});

/// Decides the client address for one request. `peer` is already normalised.
pub(crate) fn decide(
    strategy: &ClientIpStrategy,
    trusted: &TrustedProxies,
    peer: IpAddr,
    headers: &HeaderMap,
) -> (IpAddr, ClientIpDecision) {
    let peer_because = |why| (peer, ClientIpDecision::from_peer(Some(why)));
    match strategy {
        ClientIpStrategy::Peer => (peer, ClientIpDecision::from_peer(None)),
        ClientIpStrategy::Rightmost(header) => {
            if !trusted.contains(peer) {
                return peer_because(Fallback::PeerUntrusted);
            }
            let name = header.header_name();
            match rightmost_untrusted(trusted, chain_rev(headers, *header)) {
                Walk::Untrusted { ip, index } | Walk::AllTrusted { ip, index } => {
                    (ip, ClientIpDecision::from_header(name, index, None))
                }
                Walk::Malformed { index, why, last } => {
                    let fallback = Fallback::MalformedEntry { index, why };
                    tracing::debug!(%peer, header = %name, %fallback, "client-ip walk stopped at a malformed entry");
                    match last {
                        Some(ip) => (
                            ip,
                            ClientIpDecision::from_header(name, index - 1, Some(fallback)),
                        ),
                        None => peer_because(fallback),
                    }
                }
                Walk::Empty => peer_because(Fallback::HeaderAbsent),
                _ => peer_because(Fallback::HeaderAbsent),
            }
        }
        ClientIpStrategy::Hops { n, header } => {
            if !trusted.is_empty() && !trusted.contains(peer) {
                return peer_because(Fallback::PeerUntrusted);
            }
            let hops = n.get();
            let name = header.header_name();
            match chain_rev(headers, *header).nth(hops - 1) {
                Some(Ok(node)) => (node.ip, ClientIpDecision::from_header(name, hops - 1, None)),
                Some(Err(why)) => {
                    let fallback = Fallback::MalformedEntry {
                        index: hops - 1,
                        why,
                    };
                    tracing::warn!(%peer, header = %name, %fallback, "client-ip: falling back to the peer");
                    peer_because(fallback)
                }
                None => {
                    let len = chain_rev(headers, *header).count();
                    let fallback = Fallback::ChainTooShort { len, hops };
                    tracing::warn!(%peer, header = %name, %fallback, "client-ip: falling back to the peer");
                    peer_because(fallback)
                }
            }
        }
        ClientIpStrategy::Single(name) => {
            if !trusted.contains(peer) {
                return peer_because(Fallback::PeerUntrusted);
            }
            match single_ip(headers, name) {
                Ok(node) => (
                    node.ip,
                    ClientIpDecision::from_header(name.clone(), 0, None),
                ),
                Err(why) => {
                    tracing::debug!(%peer, header = %name, %why, "client-ip: single header not believed");
                    peer_because(Fallback::Single(why))
                }
            }
        }
        ClientIpStrategy::LeftmostSpoofable(header) => {
            if !trusted.contains(peer) {
                return peer_because(Fallback::PeerUntrusted);
            }
            let leftmost = chain_rev(headers, *header)
                .enumerate()
                .filter_map(|(index, entry)| entry.ok().map(|node| (index, node.ip)))
                .filter(|(_, ip)| !NON_PUBLIC.contains(*ip))
                .last();
            match leftmost {
                Some((index, ip)) => (
                    ip,
                    ClientIpDecision::from_header(header.header_name(), index, None),
                ),
                None => peer_because(Fallback::NoPublicAddress),
            }
        }
    }
}
