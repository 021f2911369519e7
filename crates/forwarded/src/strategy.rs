//! How the client address is chosen: the strategies and their configuration strings.

use std::fmt;
use std::num::NonZeroUsize;
use std::str::FromStr;

use http::header::{FORWARDED, HeaderName};

use crate::xff::X_FORWARDED_FOR;

/// The one header family a deployment's proxies write: the client address
/// chain and the scheme, host and port of each hop all come from it. The
/// other family is ignored, even from trusted proxies: a proxy that
/// overwrites one family but passes the other through must not let the client
/// choose.
///
/// ```
/// use crocodile_forwarded::ProxyHeaders;
///
/// let family: ProxyHeaders = "forwarded".parse()?;
/// assert_eq!(family, ProxyHeaders::Forwarded);
/// assert_eq!(ProxyHeaders::default().to_string(), "x-forwarded");
/// assert_eq!(ProxyHeaders::XForwarded.chain_name(), "x-forwarded-for");
/// # Ok::<(), crocodile_forwarded::ProxyHeadersError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProxyHeaders {
    /// `X-Forwarded-For` for the chain, and `X-Forwarded-Proto`, `-Host`,
    /// `-Port`, `-Prefix` (as [`XForwardedHeaders`](crate::XForwardedHeaders)
    /// enables them) for the hop: what nginx (`$proxy_add_x_forwarded_for`),
    /// HAProxy (`option forwardfor`), Caddy and most cloud load balancers
    /// write. Written `x-forwarded` (and `x-forwarded-for` in strategies).
    #[default]
    XForwarded,
    /// RFC 7239 `Forwarded`: the `for=` of each element for the chain,
    /// `proto=` and `host=` of the client's element for the hop. Written
    /// `forwarded`.
    Forwarded,
}

impl ProxyHeaders {
    /// `"x-forwarded"` or `"forwarded"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::XForwarded => "x-forwarded",
            Self::Forwarded => "forwarded",
        }
    }

    /// The chain header as strategy strings write it: `"x-forwarded-for"` or
    /// `"forwarded"`.
    pub fn chain_name(&self) -> &'static str {
        match self {
            Self::XForwarded => "x-forwarded-for",
            Self::Forwarded => "forwarded",
        }
    }

    /// The chain header's name.
    pub fn chain_header(&self) -> HeaderName {
        match self {
            Self::XForwarded => X_FORWARDED_FOR,
            Self::Forwarded => FORWARDED,
        }
    }

    /// Parses a chain header as strategy strings write it.
    fn parse_chain(text: &str) -> Option<Self> {
        if text.eq_ignore_ascii_case("x-forwarded-for") {
            Some(Self::XForwarded)
        } else if text.eq_ignore_ascii_case("forwarded") {
            Some(Self::Forwarded)
        } else {
            None
        }
    }
}

impl fmt::Display for ProxyHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`ProxyHeaders`] family.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyHeadersError {
    input: String,
}

impl fmt::Display for ProxyHeadersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown proxy header family {:?} (expected `x-forwarded` or `forwarded`)",
            self.input
        )
    }
}

impl std::error::Error for ProxyHeadersError {}

impl FromStr for ProxyHeaders {
    type Err = ProxyHeadersError;

    /// Case-insensitive `x-forwarded` or `forwarded`, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("x-forwarded") {
            Ok(Self::XForwarded)
        } else if s.eq_ignore_ascii_case("forwarded") {
            Ok(Self::Forwarded)
        } else {
            Err(ProxyHeadersError {
                input: s.to_owned(),
            })
        }
    }
}

/// Where the client address comes from: the strategy of a
/// [`ProxyTrust`](crate::ProxyTrust).
///
/// Every strategy parses from, and displays as, one configuration string, so a
/// deployment can set it from an environment variable:
///
/// ```
/// use crocodile_forwarded::ClientIpStrategy;
///
/// for text in ["peer", "rightmost:x-forwarded-for", "rightmost:forwarded",
///              "hops:2:x-forwarded-for", "single:cf-connecting-ip",
///              "leftmost-spoofable:x-forwarded-for"] {
///     let strategy: ClientIpStrategy = text.parse().unwrap();
///     assert_eq!(strategy.to_string(), text);
/// }
/// ```
///
/// In every strategy the socket peer (IPv4-mapped IPv6 folded to IPv4) is the
/// fallback, and the decision and any fallback reason are recorded in the
/// request's [`Hop`](crate::Hop).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientIpStrategy {
    /// `peer`: the socket peer; no header names the client. (A trusted
    /// peer's `X-Forwarded-Proto`/`-Host` still describe its own hop, index
    /// 0, for scheme and host.)
    ///
    /// Fits: the server faces clients directly. Forgeable: nothing.
    Peer,
    /// `rightmost:x-forwarded-for` or `rightmost:forwarded` (the default, with
    /// `X-Forwarded-For`): the rightmost address that is not a trusted proxy.
    ///
    /// If the peer is not a trusted proxy, it is the client and the header is
    /// ignored. Otherwise the header's addresses are walked from the right
    /// (nearest hop) across all its lines, trusted ones skipped; the first
    /// untrusted one is the client. If all are trusted, the leftmost is. A
    /// malformed entry (`unknown`, an obfuscated id, garbage) stops the walk:
    /// the client is the last address it vouched for, since whatever is left of
    /// the bad value was written by whoever sent it.
    ///
    /// Fits: one or more proxies you run (nginx, HAProxy, Caddy, a Kubernetes
    /// ingress) whose addresses you can list, including chains of several.
    /// Forgeable: nothing a client writes into the header can make it anyone
    /// but itself, because the walk stops at the first address your proxies
    /// did not vouch for. Trusting too wide a range (a whole cloud provider)
    /// lets anyone in that range choose its address.
    Rightmost(ProxyHeaders),
    /// `hops:<n>:<header>`: exactly `n` trusted proxies stand in front; the
    /// client is the `n`-th address from the right (`n` = 1: the rightmost).
    ///
    /// When a trusted set is configured the peer must be in it (else the peer
    /// is the client); with an empty set the count alone decides. Fewer than
    /// `n` addresses, or a malformed one at the `n`-th place, fall back to the
    /// peer (traced at `debug`), and then no proxy header of the request is
    /// believed: the deployment is misconfigured or the request bypassed the
    /// proxies.
    ///
    /// Fits: cloud load balancers whose addresses you can't list (AWS ALB:
    /// `hops:1:x-forwarded-for`; ALB behind CloudFront: `hops:2:...`).
    /// Forgeable: nothing, as long as `n` is exactly right and the server can
    /// only be reached through the proxies; with an empty trusted set, a client
    /// that reaches the server directly chooses its address.
    Hops {
        /// How many trusted proxies append to the header.
        n: NonZeroUsize,
        /// The header they append to.
        header: ProxyHeaders,
    },
    /// `single:<header-name>`: a header a trusted proxy overwrites with the
    /// address it saw (`single:x-real-ip`, `single:cf-connecting-ip`,
    /// `single:true-client-ip`, `single:fly-client-ip`,
    /// `single:cloudfront-viewer-address`).
    ///
    /// Believed only when the peer is trusted, and only when there is exactly
    /// one header line holding exactly one valid address (a port is allowed;
    /// `cloudfront-viewer-address` is read in CloudFront's unbracketed
    /// `address:port` form); otherwise the peer is the client.
    ///
    /// Fits: Cloudflare (trust its published ranges), nginx with
    /// `proxy_set_header X-Real-IP $remote_addr`, Fly.io. Forgeable: anything,
    /// if the proxy passes a client's own header through instead of
    /// overwriting it; check that yours overwrites.
    Single(HeaderName),
    /// `leftmost-spoofable:<header>`: the leftmost valid address that is not
    /// loopback, private, link-local, unique-local or shared (`100.64.0.0/10`),
    /// only when the peer is trusted.
    ///
    /// Fits: display and analytics only. Forgeable: **entirely**; any client
    /// can write any address at the left of the header. Never use it for rate
    /// limits, access control or audit logs.
    LeftmostSpoofable(ProxyHeaders),
}

impl ClientIpStrategy {
    /// The header family a chain strategy walks; `None` for `peer` and
    /// `single:`, which walk no chain.
    pub fn family(&self) -> Option<ProxyHeaders> {
        match self {
            Self::Rightmost(family)
            | Self::LeftmostSpoofable(family)
            | Self::Hops { header: family, .. } => Some(*family),
            Self::Peer | Self::Single(_) => None,
        }
    }

    /// This strategy with its chain read from `family` (`peer` and
    /// `single:` are returned unchanged).
    #[must_use]
    pub fn with_family(self, family: ProxyHeaders) -> Self {
        match self {
            Self::Rightmost(_) => Self::Rightmost(family),
            Self::LeftmostSpoofable(_) => Self::LeftmostSpoofable(family),
            Self::Hops { n, .. } => Self::Hops { n, header: family },
            other => other,
        }
    }
}

impl Default for ClientIpStrategy {
    /// `rightmost:x-forwarded-for`.
    fn default() -> Self {
        Self::Rightmost(ProxyHeaders::XForwarded)
    }
}

impl fmt::Display for ClientIpStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Peer => f.write_str("peer"),
            Self::Rightmost(header) => write!(f, "rightmost:{}", header.chain_name()),
            Self::Hops { n, header } => write!(f, "hops:{n}:{}", header.chain_name()),
            Self::Single(name) => write!(f, "single:{name}"),
            Self::LeftmostSpoofable(header) => {
                write!(f, "leftmost-spoofable:{}", header.chain_name())
            }
        }
    }
}

/// A strategy string that could not be parsed; it names the string and says
/// what was expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseStrategyError {
    input: String,
    reason: &'static str,
}

impl fmt::Display for ParseStrategyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid client-ip strategy {:?}: {}",
            self.input, self.reason
        )
    }
}

impl std::error::Error for ParseStrategyError {}

const EXPECTED: &str = "expected `peer`, `rightmost:<header>`, `hops:<n>:<header>`, \
    `single:<header-name>` or `leftmost-spoofable:<header>`, \
    where <header> is `x-forwarded-for` or `forwarded`";
const CHAIN: &str = "the header must be `x-forwarded-for` or `forwarded`";

impl FromStr for ClientIpStrategy {
    type Err = ParseStrategyError;

    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let error = |reason| ParseStrategyError {
            input: input.to_owned(),
            reason,
        };
        let chain = |text: &str| ProxyHeaders::parse_chain(text).ok_or_else(|| error(CHAIN));
        let text = input.trim();
        let (kind, rest) = text.split_once(':').unwrap_or((text, ""));
        match kind.to_ascii_lowercase().as_str() {
            "peer" if rest.is_empty() && !text.contains(':') => Ok(Self::Peer),
            "rightmost" => Ok(Self::Rightmost(chain(rest)?)),
            "leftmost-spoofable" => Ok(Self::LeftmostSpoofable(chain(rest)?)),
            "hops" => {
                let (n, header) = rest
                    .split_once(':')
                    .ok_or_else(|| error("expected `hops:<n>:<header>`"))?;
                let n = n
                    .parse::<NonZeroUsize>()
                    .map_err(|_| error("the hop count must be a whole number of at least 1"))?;
                Ok(Self::Hops {
                    n,
                    header: chain(header)?,
                })
            }
            "single" => {
                let name = HeaderName::from_bytes(rest.as_bytes()).map_err(|_| {
                    error("expected `single:<header-name>` with a valid header name")
                })?;
                Ok(Self::Single(name))
            }
            _ => Err(error(EXPECTED)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip() {
        for text in [
            "peer",
            "rightmost:x-forwarded-for",
            "rightmost:forwarded",
            "hops:1:x-forwarded-for",
            "hops:3:forwarded",
            "single:x-real-ip",
            "single:cloudfront-viewer-address",
            "leftmost-spoofable:forwarded",
        ] {
            let strategy: ClientIpStrategy = text.parse().unwrap();
            assert_eq!(strategy.to_string(), text);
        }
        let strategy: ClientIpStrategy = " Single:CF-Connecting-IP ".parse().unwrap();
        assert_eq!(strategy.to_string(), "single:cf-connecting-ip");
        assert_eq!(
            ClientIpStrategy::default().to_string(),
            "rightmost:x-forwarded-for"
        );
    }

    #[test]
    fn family_strings_round_trip_and_bad_ones_are_named() {
        assert_eq!(
            " X-Forwarded ".parse::<ProxyHeaders>().unwrap(),
            ProxyHeaders::XForwarded
        );
        assert_eq!(
            "FORWARDED".parse::<ProxyHeaders>().unwrap(),
            ProxyHeaders::Forwarded
        );
        for bad in ["", "x-forwarded-for", "both", "forwarded,x-forwarded"] {
            let err = bad.parse::<ProxyHeaders>().unwrap_err();
            assert!(err.to_string().contains(&format!("{bad:?}")), "{err}");
        }
        for family in [ProxyHeaders::XForwarded, ProxyHeaders::Forwarded] {
            assert_eq!(family.to_string().parse::<ProxyHeaders>().unwrap(), family);
        }
    }

    #[test]
    fn chain_strategies_name_their_family() {
        let cases = [
            ("peer", None),
            ("single:x-real-ip", None),
            ("rightmost:forwarded", Some(ProxyHeaders::Forwarded)),
            ("hops:2:x-forwarded-for", Some(ProxyHeaders::XForwarded)),
            (
                "leftmost-spoofable:forwarded",
                Some(ProxyHeaders::Forwarded),
            ),
        ];
        for (text, family) in cases {
            let strategy: ClientIpStrategy = text.parse().unwrap();
            assert_eq!(strategy.family(), family, "{text}");
        }
        let moved = ClientIpStrategy::default().with_family(ProxyHeaders::Forwarded);
        assert_eq!(moved.to_string(), "rightmost:forwarded");
    }

    #[test]
    fn bad_strings_are_named() {
        let cases = [
            ("", EXPECTED),
            ("leftmost:x-forwarded-for", EXPECTED),
            ("peer:x", EXPECTED),
            ("rightmost:x-real-ip", CHAIN),
            ("rightmost", CHAIN),
            (
                "hops:0:x-forwarded-for",
                "the hop count must be a whole number of at least 1",
            ),
            (
                "hops:-1:x-forwarded-for",
                "the hop count must be a whole number of at least 1",
            ),
            ("hops:x-forwarded-for", "expected `hops:<n>:<header>`"),
            (
                "single:",
                "expected `single:<header-name>` with a valid header name",
            ),
            (
                "single:bad header",
                "expected `single:<header-name>` with a valid header name",
            ),
        ];
        for (input, reason) in cases {
            let error = input.parse::<ClientIpStrategy>().unwrap_err();
            assert_eq!(
                error.to_string(),
                format!("invalid client-ip strategy {input:?}: {reason}")
            );
        }
    }
}
