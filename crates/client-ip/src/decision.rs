//! What the layer decided, and why: for handlers, logs and operators
//! debugging a proxy chain.

use std::fmt;
use std::net::IpAddr;

use http::header::HeaderName;

use crocodile_forwarded::{Malformed, SingleError};

/// The client address, as a request extension (and, with the `axum` feature,
/// an extractor).
///
/// A plain `Copy` value: it holds nothing that can reach the request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

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

/// Where the client address came from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Source {
    /// The socket peer.
    Peer,
    /// An entry of a forwarding header.
    Header {
        /// The header's name.
        name: HeaderName,
        /// The hop index, counted from the right: 0 is what the nearest proxy wrote.
        index: usize,
    },
    /// No peer address was available, so no `ClientIp` was inserted.
    NoPeerAddress,
}

/// Why the layer settled for the peer, or stopped a walk early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fallback {
    /// The peer is not a trusted proxy, so its headers were not believed.
    PeerUntrusted,
    /// The header the strategy reads is absent (or empty).
    HeaderAbsent,
    /// A malformed entry at this hop index stopped the walk.
    MalformedEntry {
        /// The hop index of the bad entry, counted from the right.
        index: usize,
        /// What was wrong with it.
        why: Malformed,
    },
    /// The chain was shorter than the configured hop count.
    ChainTooShort {
        /// How many entries the header had.
        len: usize,
        /// How many hops were configured.
        hops: usize,
    },
    /// A single-address header could not be believed.
    Single(SingleError),
    /// `leftmost-spoofable` found no public address.
    NoPublicAddress,
    /// Neither `ConnectInfo<SocketAddr>` nor `PeerAddr` was in the request.
    NoPeerAddress,
}

impl fmt::Display for Fallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PeerUntrusted => f.write_str("the peer is not a trusted proxy"),
            Self::HeaderAbsent => f.write_str("the header is absent"),
            Self::MalformedEntry { index, why } => {
                write!(f, "malformed entry at index {index}: {why}")
            }
            Self::ChainTooShort { len, hops } => {
                write!(
                    f,
                    "chain of {len} entries is shorter than the {hops} configured hops"
                )
            }
            Self::Single(why) => why.fmt(f),
            Self::NoPublicAddress => f.write_str("no public address in the header"),
            Self::NoPeerAddress => f.write_str(
                "no peer address: serve with `into_make_service_with_connect_info::<SocketAddr>()` \
                 or insert a `PeerAddr` extension",
            ),
        }
    }
}

/// How [`ClientIpLayer`](crate::ClientIpLayer) decided, inserted next to
/// [`ClientIp`] on every request.
///
/// ```
/// use crocodile_client_ip::{ClientIpDecision, Fallback, Source};
///
/// let decision = ClientIpDecision::new(Source::Peer, Some(Fallback::PeerUntrusted));
/// assert_eq!(decision.to_string(), "peer (the peer is not a trusted proxy)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIpDecision {
    source: Source,
    fallback: Option<Fallback>,
}

impl ClientIpDecision {
    /// A decision from its parts.
    pub fn new(source: Source, fallback: Option<Fallback>) -> Self {
        Self { source, fallback }
    }

    /// Where the address came from.
    pub fn source(&self) -> &Source {
        &self.source
    }

    /// Why the layer fell back to the peer or stopped early; `None` on the
    /// happy path.
    pub fn fallback(&self) -> Option<Fallback> {
        self.fallback
    }

    pub(crate) fn from_peer(fallback: Option<Fallback>) -> Self {
        Self::new(Source::Peer, fallback)
    }

    pub(crate) fn from_header(name: HeaderName, index: usize, fallback: Option<Fallback>) -> Self {
        Self::new(Source::Header { name, index }, fallback)
    }
}

impl fmt::Display for ClientIpDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Source::Peer => f.write_str("peer")?,
            Source::Header { name, index } => write!(f, "{name}[{index}]")?,
            Source::NoPeerAddress => f.write_str("none")?,
        }
        match &self.fallback {
            Some(why) => write!(f, " ({why})"),
            None => Ok(()),
        }
    }
}
