//! Rate-limit keys from the real client address: [`RateLimitKey`],
//! [`RateLimitKeys`].
//!
//! A bucket per address is no limit for IPv6: every client holds at least a
//! whole /64 and can pick a fresh address per request. So IPv6 clients are
//! grouped by network prefix (/64 by default, as Traefik's `ipv6Subnet` and
//! better-auth do), and IPv4 clients by address.
//!
//! The key comes from [`ClientIp`], which the trust model decided: a client
//! that forges `X-Forwarded-For` from an untrusted address gets its own
//! address's bucket, never a new one per forged value. A request whose
//! address **fell back to a trusted proxy's own address** (the proxy sent no
//! usable header, or its chain was malformed) would share that proxy's
//! bucket with every other such request; [`OnProxyFallback`] chooses whether
//! it does or is refused a key.
//!
//! ```
//! use crocodile_client_ip::{Ipv6Prefix, RateLimitKeys};
//!
//! let keys = RateLimitKeys::default(); // IPv6 /64
//! let a = keys.key("2001:db8:1:2::10".parse()?);
//! let b = keys.key("2001:db8:1:2:ffff::1".parse()?);
//! let c = keys.key("2001:db8:1:3::10".parse()?);
//! assert_eq!(a, b); // one /64, one bucket
//! assert_ne!(a, c);
//! assert_eq!(a.to_string(), "2001:db8:1:2::/64");
//! assert_eq!(keys.key("203.0.113.7".parse()?).to_string(), "203.0.113.7");
//!
//! let per_48 = RateLimitKeys::default().ipv6_prefix("48".parse::<Ipv6Prefix>()?);
//! assert_eq!(per_48.key("2001:db8:1:2::10".parse()?), per_48.key("2001:db8:1:3::10".parse()?));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use crocodile_forwarded::{Hop, Source};
use http::Request;

use crate::layer::ClientIp;

/// A client's rate-limit bucket: an IPv4 address, or the network of an IPv6
/// address at the configured prefix. Small, `Copy`, hashable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RateLimitKey {
    network: IpAddr,
    /// 32 for IPv4; the prefix length for IPv6.
    prefix: u8,
}

impl RateLimitKey {
    /// The address (IPv4) or network address (IPv6) the bucket stands for.
    pub fn network(&self) -> IpAddr {
        self.network
    }

    /// The prefix length: 32 for IPv4, the configured one for IPv6.
    pub fn prefix_len(&self) -> u8 {
        self.prefix
    }
}

impl fmt::Display for RateLimitKey {
    /// `203.0.113.7`, or `2001:db8:1:2::/64` (an IPv6 /128 is shown bare).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.network {
            IpAddr::V6(_) if self.prefix < 128 => write!(f, "{}/{}", self.network, self.prefix),
            network => network.fmt(f),
        }
    }
}

/// An IPv6 prefix length for rate-limit keys, 1 to 128 (default 64).
///
/// Parses from `64` or `/64`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6Prefix(u8);

impl Ipv6Prefix {
    /// /64: one residential or cloud IPv6 customer.
    pub const DEFAULT: Self = Self(64);

    /// The length.
    pub fn len(&self) -> u8 {
        self.0
    }

    /// Always `false`: a prefix is 1 to 128 bits long. (For clippy's
    /// `len_without_is_empty`.)
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl Default for Ipv6Prefix {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Ipv6Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "/{}", self.0)
    }
}

/// An IPv6 prefix length that is not 1 to 128.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ipv6PrefixError {
    input: String,
}

impl fmt::Display for Ipv6PrefixError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid IPv6 prefix length {:?}: expected a number from 1 to 128, such as 64 or /56",
            self.input
        )
    }
}

impl std::error::Error for Ipv6PrefixError {}

impl TryFrom<u8> for Ipv6Prefix {
    type Error = Ipv6PrefixError;

    fn try_from(len: u8) -> Result<Self, Self::Error> {
        match len {
            1..=128 => Ok(Self(len)),
            _ => Err(Ipv6PrefixError {
                input: len.to_string(),
            }),
        }
    }
}

impl FromStr for Ipv6Prefix {
    type Err = Ipv6PrefixError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let digits = text.strip_prefix('/').unwrap_or(text);
        let error = || Ipv6PrefixError {
            input: s.to_owned(),
        };
        if digits.is_empty() || digits.len() > 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(error());
        }
        digits
            .parse::<u8>()
            .ok()
            .and_then(|len| Self::try_from(len).ok())
            .ok_or_else(error)
    }
}

/// What to do with a request whose client address fell back to a trusted
/// proxy's own address.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OnProxyFallback {
    /// Key it by the proxy's address: all such requests share one bucket
    /// (a proxy's health checks, or a misconfigured chain, are limited
    /// together). The default.
    #[default]
    SharePeerBucket,
    /// Give it no key: the rate limiter answers as it does when a key can't
    /// be extracted (tower_governor: 500). For deployments where every real
    /// request carries the header and anything else is an error.
    Refuse,
}

/// Why a request has no rate-limit key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoKey {
    /// `ClientIpLayer` did not run before the rate limiter (or had no peer
    /// address).
    MissingClientIp,
    /// The address fell back to a trusted proxy's own, and
    /// [`OnProxyFallback::Refuse`] is configured.
    ProxyFallback,
}

impl fmt::Display for NoKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingClientIp => {
                "no `ClientIp` in the request: put `ClientIpLayer` outside the rate limiter"
            }
            Self::ProxyFallback => "the client address fell back to a trusted proxy's own",
        })
    }
}

impl std::error::Error for NoKey {}

/// How rate-limit keys are made: the IPv6 prefix and what to do with
/// requests that fell back to a proxy's address. `Copy`; `Default` is /64
/// and [`OnProxyFallback::SharePeerBucket`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[must_use]
pub struct RateLimitKeys {
    ipv6_prefix: Ipv6Prefix,
    on_proxy_fallback: OnProxyFallback,
}

impl RateLimitKeys {
    /// The IPv6 prefix clients are grouped by.
    pub fn ipv6_prefix(mut self, prefix: Ipv6Prefix) -> Self {
        self.ipv6_prefix = prefix;
        self
    }

    /// What to do with requests whose address fell back to a trusted
    /// proxy's own.
    pub fn on_proxy_fallback(mut self, choice: OnProxyFallback) -> Self {
        self.on_proxy_fallback = choice;
        self
    }

    /// The key of an address.
    pub fn key(&self, ip: IpAddr) -> RateLimitKey {
        match crocodile_forwarded::normalize_ip(ip) {
            IpAddr::V4(v4) => RateLimitKey {
                network: IpAddr::V4(v4),
                prefix: 32,
            },
            IpAddr::V6(v6) => {
                let len = self.ipv6_prefix.len();
                let mask = u128::MAX << (128 - u32::from(len));
                RateLimitKey {
                    network: IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask)),
                    prefix: len,
                }
            }
        }
    }

    /// The key of a request, from the `Hop` that `ClientIpLayer` inserted
    /// (its [`ClientIp`]). Allocates nothing.
    pub fn key_for<B>(&self, req: &Request<B>) -> Result<RateLimitKey, NoKey> {
        let hop = req
            .extensions()
            .get::<Hop>()
            .ok_or(NoKey::MissingClientIp)?;
        let ip = hop.client().ok_or(NoKey::MissingClientIp)?;
        if self.on_proxy_fallback == OnProxyFallback::Refuse && fell_back_to_proxy(hop) {
            return Err(NoKey::ProxyFallback);
        }
        Ok(self.key(ip))
    }
}

/// The client is the peer, and the peer is a trusted proxy whose headers
/// were read but named nobody.
fn fell_back_to_proxy(hop: &Hop) -> bool {
    hop.is_proxied() && hop.source() == Source::Peer && hop.fallback().is_some()
}

impl ClientIp {
    /// The rate-limit key with the default [`RateLimitKeys`] (IPv6 /64).
    pub fn rate_limit_key(&self) -> RateLimitKey {
        RateLimitKeys::default().key(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn keys_group_ipv6_by_prefix_and_ipv4_by_address() {
        // (prefix, a, b, same bucket)
        let cases: &[(u8, &str, &str, bool)] = &[
            (
                64,
                "2001:db8:1:2::1",
                "2001:db8:1:2:ffff:ffff:ffff:ffff",
                true,
            ),
            (64, "2001:db8:1:2::1", "2001:db8:1:3::1", false),
            (56, "2001:db8:1:200::1", "2001:db8:1:2ff::1", true),
            (56, "2001:db8:1:200::1", "2001:db8:1:300::1", false),
            (128, "2001:db8::1", "2001:db8::2", false),
            (1, "2001:db8::1", "7fff::1", true),
            (64, "203.0.113.7", "203.0.113.8", false),
            (64, "203.0.113.7", "::ffff:203.0.113.7", true),
        ];
        for (len, a, b, same) in cases {
            let keys = RateLimitKeys::default().ipv6_prefix(Ipv6Prefix::try_from(*len).unwrap());
            assert_eq!(keys.key(ip(a)) == keys.key(ip(b)), *same, "/{len} {a} {b}");
        }
    }

    #[test]
    fn keys_display_as_networks() {
        let keys = RateLimitKeys::default();
        assert_eq!(
            keys.key(ip("2001:db8:1:2:3:4:5:6")).to_string(),
            "2001:db8:1:2::/64"
        );
        assert_eq!(keys.key(ip("198.51.100.1")).to_string(), "198.51.100.1");
        let host = RateLimitKeys::default().ipv6_prefix(Ipv6Prefix::try_from(128).unwrap());
        assert_eq!(host.key(ip("2001:db8::1")).to_string(), "2001:db8::1");
    }

    #[test]
    fn prefixes_parse_and_bad_ones_are_named() {
        for (text, len) in [("64", 64), ("/56", 56), (" 128 ", 128), ("1", 1)] {
            assert_eq!(text.parse::<Ipv6Prefix>().unwrap().len(), len, "{text}");
        }
        for bad in ["0", "129", "", "/", "64x", "-1", "1000", "256"] {
            let error = bad.parse::<Ipv6Prefix>().unwrap_err();
            assert!(error.to_string().contains(&format!("{bad:?}")), "{error}");
        }
        assert_eq!(
            Ipv6Prefix::DEFAULT.to_string().parse(),
            Ok(Ipv6Prefix::DEFAULT)
        );
    }
}
