//! Which header family a deployment's trusted proxies write, and how many of
//! them append to each `X-Forwarded-*` header.
//!
//! # Example
//!
//! ```
//! use crocodile_base_context::{ProxyHeaders, XForwardedHops};
//!
//! let family: ProxyHeaders = "forwarded".parse()?;
//! assert_eq!(family, ProxyHeaders::Forwarded);
//! assert_eq!(ProxyHeaders::default().to_string(), "x-forwarded");
//!
//! // Two proxies that each append to X-Forwarded-Proto and X-Forwarded-Host.
//! let hops = XForwardedHops::default().proto(2).host(2);
//! assert_eq!((hops.proto_hops(), hops.host_hops(), hops.port_hops(), hops.prefix_hops()), (2, 2, 1, 0));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;

/// The header family trusted proxies write for the scheme and host. The other
/// family is ignored, even from trusted proxies: a proxy that overwrites one
/// family but passes the other through must not let the client choose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProxyHeaders {
    /// `X-Forwarded-Proto`, `X-Forwarded-Host`, `X-Forwarded-Port` and, when
    /// enabled with [`XForwardedHops::prefix`], `X-Forwarded-Prefix`
    /// (nginx, HAProxy, AWS ALB, Traefik, most PaaS). Written `x-forwarded`.
    #[default]
    XForwarded,
    /// RFC 7239 `Forwarded`: `proto=` and `host=` from the element the
    /// outermost trusted proxy wrote. Written `forwarded`.
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

/// How many trusted proxies write each `X-Forwarded-*` header, with the
/// meaning werkzeug's `ProxyFix` gives `x_proto`, `x_host`, `x_port` and
/// `x_prefix`.
///
/// With `n` hops the layer reads the `n`-th value from the right (proxies
/// that overwrite leave one value: `n = 1`; a chain of proxies that each
/// append leaves one per proxy). A header with fewer values than `n` is
/// ignored, since its leftmost value may be the client's; `0` ignores the
/// header always. Defaults: proto, host and port 1, prefix 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct XForwardedHops {
    proto: u8,
    host: u8,
    port: u8,
    prefix: u8,
}

impl Default for XForwardedHops {
    fn default() -> Self {
        Self {
            proto: 1,
            host: 1,
            port: 1,
            prefix: 0,
        }
    }
}

impl XForwardedHops {
    /// Every header at `n` hops (prefix included).
    pub fn all(n: u8) -> Self {
        Self {
            proto: n,
            host: n,
            port: n,
            prefix: n,
        }
    }

    /// Hops for `X-Forwarded-Proto`.
    #[must_use]
    pub fn proto(mut self, n: u8) -> Self {
        self.proto = n;
        self
    }

    /// Hops for `X-Forwarded-Host`.
    #[must_use]
    pub fn host(mut self, n: u8) -> Self {
        self.host = n;
        self
    }

    /// Hops for `X-Forwarded-Port`.
    #[must_use]
    pub fn port(mut self, n: u8) -> Self {
        self.port = n;
        self
    }

    /// Hops for `X-Forwarded-Prefix`, the path a proxy mounts the application
    /// under (0, the default, ignores it).
    #[must_use]
    pub fn prefix(mut self, n: u8) -> Self {
        self.prefix = n;
        self
    }

    /// Hops for `X-Forwarded-Proto`.
    pub fn proto_hops(&self) -> u8 {
        self.proto
    }

    /// Hops for `X-Forwarded-Host`.
    pub fn host_hops(&self) -> u8 {
        self.host
    }

    /// Hops for `X-Forwarded-Port`.
    pub fn port_hops(&self) -> u8 {
        self.port
    }

    /// Hops for `X-Forwarded-Prefix`.
    pub fn prefix_hops(&self) -> u8 {
        self.prefix
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_family() {
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
    fn hops_builder() {
        assert_eq!(XForwardedHops::all(3).prefix_hops(), 3);
        let hops = XForwardedHops::default().port(0).prefix(1);
        assert_eq!(
            (
                hops.proto_hops(),
                hops.host_hops(),
                hops.port_hops(),
                hops.prefix_hops()
            ),
            (1, 1, 0, 1)
        );
    }
}
