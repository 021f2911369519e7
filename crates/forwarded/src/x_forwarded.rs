//! Which `X-Forwarded-*` headers besides `X-Forwarded-For` are believed:
//! [`XForwardedHeaders`].

use std::fmt;
use std::str::FromStr;

/// The `X-Forwarded-*` headers, besides `X-Forwarded-For`, that a trusted
/// proxy's hop is read from.
///
/// The default believes `X-Forwarded-Proto` and `X-Forwarded-Host`, as
/// werkzeug's `ProxyFix` does. `X-Forwarded-Port` and `X-Forwarded-Prefix`
/// are off until enabled: stock nginx never sets `X-Forwarded-Port` and
/// passes a client's through, so believing it by default would let a client
/// behind nginx choose the port of every absolute URL. Without it, the port is
/// the one in `X-Forwarded-Host`, else the scheme's default.
///
/// Parsed from and displayed as a comma-separated list of `proto`, `host`,
/// `port`, `prefix` (`none` or the empty string for none):
///
/// ```
/// use crocodile_forwarded::XForwardedHeaders;
///
/// let default = XForwardedHeaders::default();
/// assert_eq!(default.to_string(), "proto,host");
/// let all: XForwardedHeaders = "prefix, PORT, proto,host".parse()?;
/// assert!(all.port() && all.prefix());
/// assert_eq!(all.to_string(), "proto,host,port,prefix");
/// assert_eq!("none".parse::<XForwardedHeaders>()?, XForwardedHeaders::none());
/// # Ok::<(), crocodile_forwarded::XForwardedHeadersError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct XForwardedHeaders {
    proto: bool,
    host: bool,
    port: bool,
    prefix: bool,
}

impl Default for XForwardedHeaders {
    /// `proto,host`.
    fn default() -> Self {
        Self::none().with_proto(true).with_host(true)
    }
}

impl XForwardedHeaders {
    /// None of them: only `X-Forwarded-For` (if the strategy walks it) is read.
    pub const fn none() -> Self {
        Self {
            proto: false,
            host: false,
            port: false,
            prefix: false,
        }
    }

    /// All four.
    pub const fn all() -> Self {
        Self {
            proto: true,
            host: true,
            port: true,
            prefix: true,
        }
    }

    /// Believe `X-Forwarded-Proto` or not.
    #[must_use]
    pub const fn with_proto(mut self, on: bool) -> Self {
        self.proto = on;
        self
    }

    /// Believe `X-Forwarded-Host` or not.
    #[must_use]
    pub const fn with_host(mut self, on: bool) -> Self {
        self.host = on;
        self
    }

    /// Believe `X-Forwarded-Port` or not.
    #[must_use]
    pub const fn with_port(mut self, on: bool) -> Self {
        self.port = on;
        self
    }

    /// Believe `X-Forwarded-Prefix` (the path a proxy mounts the application
    /// under) or not.
    #[must_use]
    pub const fn with_prefix(mut self, on: bool) -> Self {
        self.prefix = on;
        self
    }

    /// Whether `X-Forwarded-Proto` is believed.
    pub const fn proto(&self) -> bool {
        self.proto
    }

    /// Whether `X-Forwarded-Host` is believed.
    pub const fn host(&self) -> bool {
        self.host
    }

    /// Whether `X-Forwarded-Port` is believed.
    pub const fn port(&self) -> bool {
        self.port
    }

    /// Whether `X-Forwarded-Prefix` is believed.
    pub const fn prefix(&self) -> bool {
        self.prefix
    }

    fn names(&self) -> impl Iterator<Item = &'static str> {
        [
            (self.proto, "proto"),
            (self.host, "host"),
            (self.port, "port"),
            (self.prefix, "prefix"),
        ]
        .into_iter()
        .filter_map(|(on, name)| on.then_some(name))
    }
}

impl fmt::Display for XForwardedHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names = self.names().peekable();
        if names.peek().is_none() {
            return f.write_str("none");
        }
        for (i, name) in names.enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

/// An item that names no `X-Forwarded-*` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XForwardedHeadersError {
    item: String,
}

impl XForwardedHeadersError {
    /// The offending item, as written.
    pub fn item(&self) -> &str {
        &self.item
    }
}

impl fmt::Display for XForwardedHeadersError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown X-Forwarded header {:?} (expected a comma-separated list of `proto`, `host`, `port`, `prefix`, or `none`)",
            self.item
        )
    }
}

impl std::error::Error for XForwardedHeadersError {}

impl FromStr for XForwardedHeaders {
    type Err = XForwardedHeadersError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut set = Self::none();
        let s = s.trim();
        if s.eq_ignore_ascii_case("none") {
            return Ok(set);
        }
        for item in s.split(',').map(str::trim).filter(|item| !item.is_empty()) {
            let slot = match item.to_ascii_lowercase().as_str() {
                "proto" => &mut set.proto,
                "host" => &mut set.host,
                "port" => &mut set.port,
                "prefix" => &mut set.prefix,
                _ => {
                    return Err(XForwardedHeadersError {
                        item: item.to_owned(),
                    });
                }
            };
            *slot = true;
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_set_round_trips() {
        for bits in 0..16u8 {
            let set = XForwardedHeaders::none()
                .with_proto(bits & 1 != 0)
                .with_host(bits & 2 != 0)
                .with_port(bits & 4 != 0)
                .with_prefix(bits & 8 != 0);
            assert_eq!(set.to_string().parse::<XForwardedHeaders>(), Ok(set));
        }
        assert_eq!("".parse(), Ok(XForwardedHeaders::none()));
        assert_eq!(
            XForwardedHeaders::all().to_string(),
            "proto,host,port,prefix"
        );
    }

    #[test]
    fn a_bad_item_is_named() {
        let error = "proto, hots".parse::<XForwardedHeaders>().unwrap_err();
        assert_eq!(error.item(), "hots");
        assert!(error.to_string().contains("\"hots\""), "{error}");
        assert!("for".parse::<XForwardedHeaders>().is_err());
    }
}
