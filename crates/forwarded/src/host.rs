//! `Host`-style values (`example.com:8443`, `[2001:db8::1]`), and the schemes
//! and ports proxies report, validated strictly enough to build URLs from.

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;

/// A validated host with its optional port, borrowed from the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostPort<'a> {
    host: &'a str,
    port: Option<u16>,
}

impl<'a> HostPort<'a> {
    /// The host as written: a DNS name or IPv4 address, or a bracketed IPv6
    /// address (`[2001:db8::1]`). Compare it case-insensitively.
    pub fn host(&self) -> &'a str {
        self.host
    }

    /// The port, when one was given.
    pub fn port(&self) -> Option<u16> {
        self.port
    }

    /// Whether the host is a bracketed IPv6 literal.
    pub fn is_ipv6(&self) -> bool {
        self.host.starts_with('[')
    }
}

/// Why a host value was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HostError {
    /// Nothing, or only a port.
    Empty,
    /// A character a host name can't hold (`@`, `/`, whitespace, control bytes, ...).
    InvalidCharacter,
    /// An empty label (`a..b`) or a label or name that is too long.
    InvalidName,
    /// A bracketed literal that is not an IPv6 address (zone ids included).
    InvalidIpv6,
    /// A port that is empty, not a number, or above 65535.
    InvalidPort,
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Empty => "empty host",
            Self::InvalidCharacter => "invalid character in host",
            Self::InvalidName => "invalid host name",
            Self::InvalidIpv6 => "invalid IPv6 literal",
            Self::InvalidPort => "invalid port",
        })
    }
}

impl std::error::Error for HostError {}

/// Parses `host[:port]` as found in `Host`, `X-Forwarded-Host` and `host=`.
///
/// Names may hold ASCII letters, digits, `-`, `_` and `.` (a stricter set than
/// RFC 3986's reg-name, as Django's `ALLOWED_HOSTS` check uses, so that
/// `example.com@evil.tld`, `a/b` or percent-encoded tricks never reach a URL);
/// labels are 1..=63 bytes, the name at most 253 plus one trailing dot. IPv6
/// must be bracketed. Allocates nothing.
///
/// ```
/// use crocodile_forwarded::{parse_host, HostError};
///
/// let host = parse_host(b"Example.com:8443").unwrap();
/// assert_eq!((host.host(), host.port()), ("Example.com", Some(8443)));
/// assert_eq!(parse_host(b"[::1]").unwrap().host(), "[::1]");
/// assert_eq!(parse_host(b"example.com@evil.tld"), Err(HostError::InvalidCharacter));
/// ```
pub fn parse_host(bytes: &[u8]) -> Result<HostPort<'_>, HostError> {
    if bytes.is_empty() {
        return Err(HostError::Empty);
    }
    let (host, port) = if bytes[0] == b'[' {
        let close = bytes
            .iter()
            .position(|&b| b == b']')
            .ok_or(HostError::InvalidIpv6)?;
        let inside = std::str::from_utf8(&bytes[1..close]).map_err(|_| HostError::InvalidIpv6)?;
        inside
            .parse::<Ipv6Addr>()
            .map_err(|_| HostError::InvalidIpv6)?;
        match &bytes[close + 1..] {
            [] => (&bytes[..=close], None),
            [b':', port @ ..] => (&bytes[..=close], Some(port)),
            _ => return Err(HostError::InvalidCharacter),
        }
    } else {
        let len = name_len(bytes)?;
        (&bytes[..len], bytes.get(len + 1..))
    };
    let port = match port {
        Some(port) => Some(parse_port_value(port).ok_or(HostError::InvalidPort)?),
        None => None,
    };
    // Validated as ASCII above.
    let host = std::str::from_utf8(host).map_err(|_| HostError::InvalidCharacter)?;
    Ok(HostPort { host, port })
}

/// Validates the name `bytes` starts with, up to the first `:`, and returns
/// its length. One pass over the bytes, checking each and each label's
/// length as it ends (this runs on every request's `Host`); a bad character
/// wins over a bad length, whatever comes first. A 256-byte lookup table
/// instead of the `match` saved ~50 instructions per request on the
/// `layers` bench (~1% of `BaseContextLayer`), not worth its reference copy.
fn name_len(bytes: &[u8]) -> Result<usize, HostError> {
    let mut len = bytes.len();
    let mut label_len = 0usize;
    let mut bad_label = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'_' => label_len += 1,
            b'.' => {
                bad_label |= !(1..=63).contains(&label_len);
                label_len = 0;
            }
            b':' => {
                len = i;
                break;
            }
            _ => return Err(HostError::InvalidCharacter),
        }
    }
    if len == 0 {
        return Err(HostError::Empty);
    }
    // One trailing dot is allowed (its empty label is not checked); any
    // other last label must fit.
    let len_without_dot = if bytes[len - 1] == b'.' {
        len - 1
    } else {
        bad_label |= !(1..=63).contains(&label_len);
        len
    };
    if bad_label || len_without_dot == 0 || len_without_dot > 253 {
        return Err(HostError::InvalidName);
    }
    Ok(len)
}

/// A URL scheme a proxy may report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Scheme {
    /// `http`
    Http,
    /// `https`
    Https,
}

impl Scheme {
    /// Parses `http` or `https`, case-insensitively; anything else is `None`.
    ///
    /// ```
    /// use crocodile_forwarded::Scheme;
    /// assert_eq!(Scheme::parse(b"HTTPS"), Some(Scheme::Https));
    /// assert_eq!(Scheme::parse(b"javascript"), None);
    /// ```
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        if bytes.eq_ignore_ascii_case(b"https") {
            Some(Self::Https)
        } else if bytes.eq_ignore_ascii_case(b"http") {
            Some(Self::Http)
        } else {
            None
        }
    }

    /// `"http"` or `"https"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Https => "https",
        }
    }

    /// 80 or 443.
    pub fn default_port(&self) -> u16 {
        match self {
            Self::Http => 80,
            Self::Https => 443,
        }
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Scheme {
    type Err = ParseSchemeError;

    /// `http` or `https`, case-insensitive, surrounding whitespace ignored
    /// (a configuration string; headers go through [`Scheme::parse`]).
    ///
    /// ```
    /// use crocodile_forwarded::Scheme;
    ///
    /// assert_eq!(" HTTPS ".parse(), Ok(Scheme::Https));
    /// assert_eq!(Scheme::Http.to_string().parse(), Ok(Scheme::Http));
    /// let err = "https://".parse::<Scheme>().unwrap_err();
    /// assert_eq!(err.to_string(), r#"invalid scheme "https://": write the scheme alone; did you mean https?"#);
    /// ```
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        Self::parse(s.as_bytes()).ok_or_else(|| ParseSchemeError {
            input: s.to_owned(),
        })
    }
}

/// A string that names no [`Scheme`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseSchemeError {
    input: String,
}

impl ParseSchemeError {
    /// The offending string, as written (surrounding whitespace trimmed).
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseSchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid scheme {:?}: ", self.input)?;
        // `https://example.com` or `https:`: the scheme is the part before the colon.
        match self
            .input
            .split_once(':')
            .and_then(|(scheme, _)| Scheme::parse(scheme.as_bytes()))
        {
            Some(scheme) => write!(f, "write the scheme alone; did you mean {scheme}?"),
            None => f.write_str("expected `http` or `https`"),
        }
    }
}

impl std::error::Error for ParseSchemeError {}

/// Parses a port: 1 to 5 ASCII digits that fit a `u16`, no sign, no
/// spaces. The one port parser of the workspace: `X-Forwarded-Port`, the
/// port of a `Host`, of an `X-Forwarded-For` or `Forwarded` node, of an
/// allowed host.
///
/// ```
/// use crocodile_forwarded::parse_port_value;
///
/// assert_eq!(parse_port_value(b"8443"), Some(8443));
/// assert_eq!(parse_port_value(b"+80"), None);
/// assert_eq!(parse_port_value(b"65536"), None);
/// ```
#[inline]
pub fn parse_port_value(bytes: &[u8]) -> Option<u16> {
    if bytes.is_empty() || bytes.len() > 5 {
        return None;
    }
    let mut port = 0u32;
    for &b in bytes {
        if !b.is_ascii_digit() {
            return None;
        }
        port = port * 10 + u32::from(b - b'0');
    }
    u16::try_from(port).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_table() {
        // (input, host, port) -- RFC 3986 3.2.2, Django `get_host` / `validate_host` tests.
        let ok: &[(&str, &str, Option<u16>)] = &[
            ("example.com", "example.com", None),
            ("EXAMPLE.com:8080", "EXAMPLE.com", Some(8080)),
            ("example.com.", "example.com.", None),
            ("127.0.0.1:3000", "127.0.0.1", Some(3000)),
            ("[::1]", "[::1]", None),
            ("[2001:db8::1]:443", "[2001:db8::1]", Some(443)),
            ("internal_host", "internal_host", None),
            ("xn--n3h.com", "xn--n3h.com", None),
        ];
        for (input, host, port) in ok {
            let got = parse_host(input.as_bytes()).unwrap_or_else(|e| panic!("{input}: {e}"));
            assert_eq!((got.host(), got.port()), (*host, *port), "{input}");
        }
        let bad: &[(&[u8], HostError)] = &[
            (b"", HostError::Empty),
            (b":80", HostError::Empty),
            // Django: host-header injection strings.
            (b"example.com@evil.tld", HostError::InvalidCharacter),
            (b"example.com:80@evil.tld", HostError::InvalidPort),
            (b"example.com/evil", HostError::InvalidCharacter),
            (b"example.com\\evil", HostError::InvalidCharacter),
            (b"exa mple.com", HostError::InvalidCharacter),
            (b"example.com\r\nX: y", HostError::InvalidCharacter),
            (b"example.com\0", HostError::InvalidCharacter),
            (b"ex%41mple.com", HostError::InvalidCharacter),
            (b"example.com:", HostError::InvalidPort),
            (b"example.com:abc", HostError::InvalidPort),
            (b"example.com:65536", HostError::InvalidPort),
            (b"example.com:80:80", HostError::InvalidPort),
            (b"a..b", HostError::InvalidName),
            (b".", HostError::InvalidName),
            (b"[::1", HostError::InvalidIpv6),
            (b"[1.2.3.4]", HostError::InvalidIpv6),
            (b"[fe80::1%25eth0]", HostError::InvalidIpv6),
            (b"[::1]x", HostError::InvalidCharacter),
            (b"\xc3\xa9.com", HostError::InvalidCharacter),
        ];
        for (input, want) in bad {
            assert_eq!(
                parse_host(input),
                Err(*want),
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
        // Lengths (RFC 1035 2.3.4): labels of 1 to 63 bytes, a name of at
        // most 253 plus one trailing dot; a bad character wins over a bad
        // length wherever it stands.
        let label = "a".repeat(63);
        let name = [label.as_str(); 4].join(".")[..253].to_owned();
        let lengths: &[(String, Result<String, HostError>)] = &[
            (label.clone(), Ok(label.clone())),
            (format!("{label}.com:80"), Ok(format!("{label}.com"))),
            (format!("{label}a"), Err(HostError::InvalidName)),
            (format!("x.{label}a.com"), Err(HostError::InvalidName)),
            (name.clone(), Ok(name.clone())),
            (format!("{name}."), Ok(format!("{name}."))),
            (format!("{name}a"), Err(HostError::InvalidName)),
            (format!("{name}.."), Err(HostError::InvalidName)),
            (["a"; 128].join("."), Err(HostError::InvalidName)),
            (format!("{label}a@b"), Err(HostError::InvalidCharacter)),
            ("a..b@c".to_owned(), Err(HostError::InvalidCharacter)),
            ("a..b:80".to_owned(), Err(HostError::InvalidName)),
            ("example.com.:80".to_owned(), Ok("example.com.".to_owned())),
            ("..:80".to_owned(), Err(HostError::InvalidName)),
        ];
        for (input, want) in lengths {
            let got = parse_host(input.as_bytes()).map(|host| host.host().to_owned());
            assert_eq!(got, *want, "{input}");
        }
    }

    proptest::proptest! {
        #[test]
        fn a_port_is_what_u16_parses_from_plain_digits(text in "[0-9a+ -]{0,7}") {
            let std = text.parse::<u16>().ok().filter(|_| text.bytes().all(|b| b.is_ascii_digit()) && text.len() <= 5);
            proptest::prop_assert_eq!(parse_port_value(text.as_bytes()), std);
        }
    }

    #[test]
    fn scheme_and_port() {
        assert_eq!(Scheme::parse(b"Http"), Some(Scheme::Http));
        assert_eq!(Scheme::parse(b"ftp"), None);
        // (input, port)
        let ports: &[(&[u8], Option<u16>)] = &[
            (b"8443", Some(8443)),
            (b"0", Some(0)),
            (b"00080", Some(80)),
            (b"65535", Some(65535)),
            (b"65536", None),
            (b"000080", None),
            (b"", None),
            (b"-1", None),
            (b"+80", None),
            (b" 80", None),
            (b"80 ", None),
            (b"8a", None),
        ];
        for (input, port) in ports {
            assert_eq!(
                parse_port_value(input),
                *port,
                "{:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn schemes_parse_from_strings_and_bad_ones_say_what_was_expected() {
        for scheme in [Scheme::Http, Scheme::Https] {
            assert_eq!(scheme.to_string().parse::<Scheme>(), Ok(scheme));
        }
        // (input, parsed or the message)
        let cases: &[(&str, Result<Scheme, &str>)] = &[
            ("http", Ok(Scheme::Http)),
            ("HTTPS", Ok(Scheme::Https)),
            (" https\t", Ok(Scheme::Https)),
            (
                "ftp",
                Err(r#"invalid scheme "ftp": expected `http` or `https`"#),
            ),
            ("", Err(r#"invalid scheme "": expected `http` or `https`"#)),
            (
                "https:",
                Err(r#"invalid scheme "https:": write the scheme alone; did you mean https?"#),
            ),
            (
                "https://example.com",
                Err(
                    r#"invalid scheme "https://example.com": write the scheme alone; did you mean https?"#,
                ),
            ),
            (
                "HTTP://",
                Err(r#"invalid scheme "HTTP://": write the scheme alone; did you mean http?"#),
            ),
            (
                "ws://x",
                Err(r#"invalid scheme "ws://x": expected `http` or `https`"#),
            ),
        ];
        for (input, want) in cases {
            let got = input.parse::<Scheme>().map_err(|e| e.to_string());
            assert_eq!(got, want.map_err(str::to_owned), "{input:?}");
        }
        assert_eq!("ftp".parse::<Scheme>().unwrap_err().input(), "ftp");
    }
}
