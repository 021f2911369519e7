//! The socket peer's address: [`PeerAddr`] and the one function that finds it.

use std::net::SocketAddr;

use http::Extensions;

/// The address of the socket a request arrived on, as a request extension,
/// for servers that are not axum (axum users have `ConnectInfo<SocketAddr>`).
///
/// [`peer_addr`] reads it first, then, with this crate's `axum` feature,
/// axum's `ConnectInfo<SocketAddr>` and `MockConnectInfo<SocketAddr>`. With
/// plain hyper, insert it per connection, for example in the `service_fn`
/// that wraps your tower service:
///
/// ```
/// use std::net::SocketAddr;
/// use http::Request;
/// use crocodile_forwarded::{PeerAddr, peer_addr};
///
/// let remote: SocketAddr = "192.0.2.7:51000".parse().unwrap();
/// let mut req = Request::new(());
/// req.extensions_mut().insert(PeerAddr(remote));
/// assert_eq!(peer_addr(req.extensions()), Some(remote));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerAddr(pub SocketAddr);

/// The socket peer of a request: [`PeerAddr`] first, then (with the `axum`
/// feature) axum's `ConnectInfo<SocketAddr>`, then its `MockConnectInfo`,
/// the order axum's own `ConnectInfo` extractor uses. Every layer that needs
/// the peer asks here, so they all see the same one.
pub fn peer_addr(extensions: &Extensions) -> Option<SocketAddr> {
    if let Some(PeerAddr(addr)) = extensions.get::<PeerAddr>() {
        return Some(*addr);
    }
    #[cfg(feature = "axum")]
    {
        use axum::extract::ConnectInfo;
        use axum::extract::connect_info::MockConnectInfo;
        if let Some(ConnectInfo(addr)) = extensions.get::<ConnectInfo<SocketAddr>>() {
            return Some(*addr);
        }
        if let Some(MockConnectInfo(addr)) = extensions.get::<MockConnectInfo<SocketAddr>>() {
            return Some(*addr);
        }
    }
    None
}
