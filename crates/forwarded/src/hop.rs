//! The per-request result of the trust model: [`Hop`].

use std::borrow::Cow;
use std::fmt;
use std::net::{IpAddr, SocketAddr};

use http::HeaderMap;
use http::header::{FORWARDED, HeaderName};

use crate::addr::Malformed;
use crate::host::Scheme;
use crate::span::Span;
use crate::statics::{X_FORWARDED_HOST, X_FORWARDED_PREFIX};
use crate::strategy::ProxyHeaders;

/// What the trust model decided for one request: the client address, where
/// it came from, and the scheme, host, port and prefix written by the **same
/// hop**, the proxy that saw the client.
///
/// Computed once per request by [`ProxyTrust::hop`](crate::ProxyTrust::hop)
/// and kept as a request extension, so every layer that shares the model
/// reads the same answer. Plain `Copy` data: it records positions in the
/// request's headers, never borrows them, and holds nothing that can reach
/// the request.
///
/// ```
/// use std::net::SocketAddr;
/// use http::{HeaderMap, Request};
/// use crocodile_forwarded::{PeerAddr, ProxyTrust, Scheme, Source};
///
/// let trust = ProxyTrust::new("rightmost:x-forwarded-for".parse()?, "loopback".parse()?);
/// let mut req = Request::get("/")
///     .header("x-forwarded-for", "203.0.113.7")
///     .header("x-forwarded-proto", "https")
///     .body(())?;
/// req.extensions_mut().insert(PeerAddr("127.0.0.1:41000".parse::<SocketAddr>()?));
/// let hop = trust.hop(&mut req);
/// assert_eq!(hop.client(), Some("203.0.113.7".parse()?));
/// assert_eq!(hop.source(), Source::Chain { family: crocodile_forwarded::ProxyHeaders::XForwarded, index: 0 });
/// assert_eq!(hop.proto(), Ok(Scheme::Https));
/// assert_eq!(trust.source_label(&hop).to_string(), "x-forwarded-for[0]");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hop {
    pub(crate) model: u64,
    pub(crate) family: ProxyHeaders,
    pub(crate) peer: Option<SocketAddr>,
    pub(crate) client: Option<IpAddr>,
    pub(crate) source: Source,
    pub(crate) fallback: Option<Fallback>,
    /// The hop index `k`, when the request's proxy headers are believed.
    pub(crate) believed: Option<usize>,
    pub(crate) proto: Result<Scheme, Ignored>,
    pub(crate) host: Result<Span, Ignored>,
    pub(crate) port: Result<u16, Ignored>,
    pub(crate) prefix: Result<Span, Ignored>,
}

impl Hop {
    /// A hop for a request without a peer address: nothing is believed.
    pub(crate) fn without_peer(model: u64, family: ProxyHeaders) -> Self {
        Self {
            model,
            family,
            peer: None,
            client: None,
            source: Source::None,
            fallback: Some(Fallback::NoPeerAddress),
            believed: None,
            proto: Err(Ignored::NotBelieved),
            host: Err(Ignored::NotBelieved),
            port: Err(Ignored::NotBelieved),
            prefix: Err(Ignored::NotBelieved),
        }
    }

    /// The socket peer's address, as the connection reported it.
    pub fn peer(&self) -> Option<SocketAddr> {
        self.peer
    }

    /// The client address: the peer's (IPv4-mapped IPv6 folded) or one a
    /// trusted proxy vouched for. `None` only without a peer address.
    pub fn client(&self) -> Option<IpAddr> {
        self.client
    }

    /// Where the client address came from.
    pub fn source(&self) -> Source {
        self.source
    }

    /// Why the client address fell back to the peer or a walk stopped early;
    /// `None` on the happy path.
    pub fn fallback(&self) -> Option<Fallback> {
        self.fallback
    }

    /// Whether the request's proxy headers were believed: the peer is a
    /// trusted proxy (or, in `hops:` mode with no trusted set, the chain was
    /// as long as configured).
    pub fn is_proxied(&self) -> bool {
        self.believed.is_some()
    }

    /// The hop index `k` the scheme, host, port and prefix were read at,
    /// counted from the right (0: what the socket peer wrote); `None` when
    /// the request's proxy headers are not believed.
    pub fn index(&self) -> Option<usize> {
        self.believed
    }

    /// The header family the hop was read from.
    pub fn family(&self) -> ProxyHeaders {
        self.family
    }

    /// The scheme the client used, as the hop reported it (`X-Forwarded-Proto`
    /// or `proto=`), or why there is none; then the connection's scheme holds.
    pub fn proto(&self) -> Result<Scheme, Ignored> {
        self.proto
    }

    /// The port the hop reported in `X-Forwarded-Port` (when enabled), or
    /// why there is none; then the port of [`host`](Self::host), else the
    /// scheme's default, holds.
    pub fn port(&self) -> Result<u16, Ignored> {
        self.port
    }

    /// The `Host` the hop received (`X-Forwarded-Host` or `host=`), read
    /// from `headers` (the same request's) at the position recorded, with
    /// quoted-string escapes undone; or why there is none, and then the
    /// request's own `Host` holds. Not validated: parse it with
    /// [`parse_host`](crate::parse_host).
    pub fn host<'a>(&self, headers: &'a HeaderMap) -> Result<Cow<'a, [u8]>, Ignored> {
        let span = self.host?;
        let name = match self.family {
            ProxyHeaders::XForwarded => &X_FORWARDED_HOST,
            ProxyHeaders::Forwarded => &FORWARDED,
        };
        resolve(span, headers, name)
    }

    /// The path prefix the hop reported in `X-Forwarded-Prefix` (when
    /// enabled), or why there is none. Not validated.
    pub fn prefix<'a>(&self, headers: &'a HeaderMap) -> Result<Cow<'a, [u8]>, Ignored> {
        let span = self.prefix?;
        resolve(span, headers, &X_FORWARDED_PREFIX)
    }
}

fn resolve<'a>(
    span: Span,
    headers: &'a HeaderMap,
    name: &HeaderName,
) -> Result<Cow<'a, [u8]>, Ignored> {
    span.resolve(headers.get_all(name)).ok_or(Ignored::Changed)
}

/// Where a [`Hop`]'s client address came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Source {
    /// The socket peer.
    Peer,
    /// An entry of the family's chain header (`X-Forwarded-For`, or the
    /// `for=` of a `Forwarded` element).
    Chain {
        /// Which chain.
        family: ProxyHeaders,
        /// The hop index, counted from the right: 0 is what the nearest proxy wrote.
        index: usize,
    },
    /// The single-address header the `single:` strategy names.
    Single,
    /// No peer address was available, so there is no client address.
    None,
}

/// Why a [`Hop`]'s client address fell back to the peer, or a walk stopped
/// early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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
    /// A single-address header appeared on more than one line.
    RepeatedHeader,
    /// A single-address header held a list, not one address.
    NotOneAddress,
    /// `leftmost-spoofable` found no public address.
    NoPublicAddress,
    /// Neither a `PeerAddr` nor axum's `ConnectInfo<SocketAddr>` was in the request.
    NoPeerAddress,
}

impl Fallback {
    /// A stable kebab-case code for logs and JSON: `untrusted-peer`,
    /// `header-absent`, `malformed-entry`, `chain-too-short`,
    /// `repeated-header`, `not-one-address`, `no-public-address`,
    /// `no-peer-address`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PeerUntrusted => "untrusted-peer",
            Self::HeaderAbsent => "header-absent",
            Self::MalformedEntry { .. } => "malformed-entry",
            Self::ChainTooShort { .. } => "chain-too-short",
            Self::RepeatedHeader => "repeated-header",
            Self::NotOneAddress => "not-one-address",
            Self::NoPublicAddress => "no-public-address",
            Self::NoPeerAddress => "no-peer-address",
        }
    }
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
            Self::RepeatedHeader => f.write_str("header repeated on several lines"),
            Self::NotOneAddress => f.write_str("header holds a list, not one address"),
            Self::NoPublicAddress => f.write_str("no public address in the header"),
            Self::NoPeerAddress => f.write_str(
                "no peer address: serve with `into_make_service_with_connect_info::<SocketAddr>()` \
                 or insert a `PeerAddr` extension",
            ),
        }
    }
}

/// Why a [`Hop`] has no scheme, host, port or prefix of its own, so the
/// request's own value holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Ignored {
    /// The request's proxy headers are not believed (an untrusted peer, no
    /// peer, or a `hops:` chain that fell back).
    NotBelieved,
    /// The header is not enabled in [`XForwardedHeaders`](crate::XForwardedHeaders).
    NotEnabled,
    /// The hop did not write it.
    Absent,
    /// More than one entry but fewer than the hop index needs: neither one
    /// overwriting proxy nor one appending proxy per hop wrote it, so no
    /// entry can be attributed to the hop.
    InconsistentCount,
    /// The hop wrote a value that is not one (`proto=ftp`, a bad port).
    Invalid,
    /// The header changed between the hop's computation and this read.
    Changed,
}

impl Ignored {
    /// A stable kebab-case code: `not-believed`, `not-enabled`, `absent`,
    /// `inconsistent-count`, `invalid`, `changed`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotBelieved => "not-believed",
            Self::NotEnabled => "not-enabled",
            Self::Absent => "absent",
            Self::InconsistentCount => "inconsistent-count",
            Self::Invalid => "invalid",
            Self::Changed => "changed",
        }
    }
}

impl fmt::Display for Ignored {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}
