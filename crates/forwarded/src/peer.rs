//! The socket peer's address as a request extension, for servers that are not
//! axum (axum users have `ConnectInfo<SocketAddr>` instead).

use std::net::SocketAddr;

/// The address of the socket a request arrived on.
///
/// Layers that need the peer (`ClientIpLayer`, `BaseContextLayer`) read
/// axum's `ConnectInfo<SocketAddr>` when their `axum` feature is on, and this
/// extension otherwise (it wins when both are present). With plain hyper,
/// insert it per connection, for example in the `service_fn` that wraps your
/// tower service:
///
/// ```
/// use std::net::SocketAddr;
/// use http::Request;
/// use crocodile_forwarded::PeerAddr;
///
/// let remote: SocketAddr = "192.0.2.7:51000".parse().unwrap();
/// let mut req = Request::new(());
/// req.extensions_mut().insert(PeerAddr(remote));
/// assert_eq!(req.extensions().get::<PeerAddr>(), Some(&PeerAddr(remote)));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PeerAddr(pub SocketAddr);
