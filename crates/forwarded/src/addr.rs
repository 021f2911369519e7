//! One address as proxies write it: `1.2.3.4`, `1.2.3.4:8080`, `2001:db8::1`,
//! `[2001:db8::1]:443`, and the normalisation every trust check relies on.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::host::parse_port_value;

/// An address with the port a proxy may have written next to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NodeAddr {
    /// The address, IPv4-mapped IPv6 already folded to IPv4.
    pub ip: IpAddr,
    /// The port, when the entry carried one.
    pub port: Option<u16>,
}

/// Why an entry in a forwarding header is not an address we can vouch for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// The literal `unknown` (RFC 7239 section 6.2, and what some proxies write
    /// into `X-Forwarded-For`).
    Unknown,
    /// An RFC 7239 obfuscated identifier such as `_hidden` (section 6.3).
    Obfuscated,
    /// `0.0.0.0` or `::`: not the address of anybody.
    Unspecified,
    /// Bytes that are not UTF-8.
    NotUtf8,
    /// Anything else: garbage, zone ids (`fe80::1%eth0`), `[1.2.3.4]`, a bad port.
    Syntax,
}

impl fmt::Display for Malformed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Unknown => "the identifier `unknown`",
            Self::Obfuscated => "an obfuscated identifier",
            Self::Unspecified => "the unspecified address",
            Self::NotUtf8 => "bytes that are not UTF-8",
            Self::Syntax => "not an IP address",
        })
    }
}

/// Folds an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) to IPv4 and leaves
/// everything else alone.
///
/// Apply it to the socket peer as well as to header values before any trust
/// check: a dual-stack listener reports IPv4 clients in the mapped form.
/// NAT64 (`64:ff9b::/96`) and 6to4 (`2002::/16`) addresses are not folded,
/// since they name a translator, not the IPv4 host.
///
/// ```
/// use std::net::IpAddr;
/// use crocodile_forwarded::normalize_ip;
///
/// let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap();
/// assert_eq!(normalize_ip(mapped), "10.0.0.1".parse::<IpAddr>().unwrap());
/// ```
#[must_use]
pub fn normalize_ip(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

/// Parses one `X-Forwarded-For`-style entry (already trimmed of whitespace).
///
/// Accepts `1.2.3.4`, `1.2.3.4:8080`, a bare IPv6 address, and `[v6]` or
/// `[v6]:443`. Allocates nothing.
///
/// ```
/// use crocodile_forwarded::{parse_node, Malformed};
///
/// let node = parse_node(b"[2001:db8::1]:443").unwrap();
/// assert_eq!(node.ip.to_string(), "2001:db8::1");
/// assert_eq!(node.port, Some(443));
/// assert_eq!(parse_node(b"unknown"), Err(Malformed::Unknown));
/// assert_eq!(parse_node(b"fe80::1%eth0"), Err(Malformed::Syntax));
/// ```
pub fn parse_node(entry: &[u8]) -> Result<NodeAddr, Malformed> {
    // Most entries are a bare dotted quad: read it straight from the bytes,
    // skipping the UTF-8 check and the general splitting below.
    if let Some(v4) = fast_ipv4(entry) {
        return finish(IpAddr::V4(v4), None);
    }
    let text = std::str::from_utf8(entry).map_err(|_| Malformed::NotUtf8)?;
    if text.eq_ignore_ascii_case("unknown") {
        return Err(Malformed::Unknown);
    }
    if text.starts_with('_') {
        return Err(Malformed::Obfuscated);
    }
    let (ip, port) = split_ip_port(text)?;
    let port = match port {
        Some(port) => Some(parse_port_value(port.as_bytes()).ok_or(Malformed::Syntax)?),
        None => None,
    };
    finish(ip, port)
}

/// Parses CloudFront's `CloudFront-Viewer-Address` form: `address:port`, where
/// an IPv6 address is *not* bracketed (`2001:db8::1:443`).
pub fn parse_unbracketed_ip_port(entry: &[u8]) -> Result<NodeAddr, Malformed> {
    let text = std::str::from_utf8(entry).map_err(|_| Malformed::NotUtf8)?;
    let (ip, port) = text.rsplit_once(':').ok_or(Malformed::Syntax)?;
    let port = parse_port_value(port.as_bytes()).ok_or(Malformed::Syntax)?;
    let ip: IpAddr = ip.parse().map_err(|_| Malformed::Syntax)?;
    finish(ip, Some(port))
}

/// Parses `entry` as one whole IPv6 address, without brackets and without a
/// port: what a lenient `Forwarded` node with several colons must be. A
/// trailing `:443` is read as the address's last group, never split off.
pub(crate) fn parse_whole_ipv6(entry: &[u8]) -> Result<NodeAddr, Malformed> {
    let text = std::str::from_utf8(entry).map_err(|_| Malformed::NotUtf8)?;
    let v6: Ipv6Addr = text.parse().map_err(|_| Malformed::Syntax)?;
    finish(IpAddr::V6(v6), None)
}

fn finish(ip: IpAddr, port: Option<u16>) -> Result<NodeAddr, Malformed> {
    let ip = normalize_ip(ip);
    if ip.is_unspecified() {
        return Err(Malformed::Unspecified);
    }
    Ok(NodeAddr { ip, port })
}

/// Splits `text` into an address and an optional port text.
fn split_ip_port(text: &str) -> Result<(IpAddr, Option<&str>), Malformed> {
    if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']').ok_or(Malformed::Syntax)?;
        // Brackets are for IPv6 only (RFC 3986 section 3.2.2): `[1.2.3.4]` is not an address.
        let v6: Ipv6Addr = inside.parse().map_err(|_| Malformed::Syntax)?;
        return match after {
            "" => Ok((IpAddr::V6(v6), None)),
            _ => match after.strip_prefix(':') {
                Some(port) => Ok((IpAddr::V6(v6), Some(port))),
                None => Err(Malformed::Syntax),
            },
        };
    }
    // One colon: IPv4 with a port. More: a bare IPv6 address (which can't carry a port).
    match text.split_once(':') {
        Some((v4, port)) if !port.contains(':') => Ok((IpAddr::V4(parse_ipv4(v4)?), Some(port))),
        Some(_) => Ok((
            IpAddr::V6(text.parse().map_err(|_| Malformed::Syntax)?),
            None,
        )),
        None => Ok((IpAddr::V4(parse_ipv4(text)?), None)),
    }
}

/// Dotted-quad IPv4, as `Ipv4Addr::from_str` accepts it (four decimal octets,
/// no leading zeros). The common case is read in one pass over the bytes;
/// anything the fast path does not recognise goes to the standard parser,
/// which has the last word, so the two can never disagree.
fn parse_ipv4(text: &str) -> Result<Ipv4Addr, Malformed> {
    match fast_ipv4(text.as_bytes()) {
        Some(ip) => Ok(ip),
        None => text.parse().map_err(|_| Malformed::Syntax),
    }
}

/// `Some` only for four octets of 1 to 3 digits, each at most 255 and without
/// a leading zero; `None` for everything else (valid or not).
fn fast_ipv4(bytes: &[u8]) -> Option<Ipv4Addr> {
    let mut octets = [0u8; 4];
    let mut i = 0;
    for (n, octet) in octets.iter_mut().enumerate() {
        if n > 0 {
            if bytes.get(i) != Some(&b'.') {
                return None;
            }
            i += 1;
        }
        let start = i;
        let mut value: u16 = 0;
        while let Some(&b) = bytes.get(i) {
            if !b.is_ascii_digit() || i - start == 3 {
                break;
            }
            value = value * 10 + u16::from(b - b'0');
            i += 1;
        }
        let digits = i - start;
        if digits == 0 || (digits > 1 && bytes[start] == b'0') {
            return None;
        }
        *octet = u8::try_from(value).ok()?;
    }
    (i == bytes.len()).then(|| Ipv4Addr::from(octets))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn the_fast_dotted_quad_reader_agrees_with_std() {
        let cases = [
            "1.2.3.4",
            "0.0.0.0",
            "255.255.255.255",
            "10.0.0.3",
            "203.0.113.7",
            "256.1.1.1",
            "1.2.3",
            "1.2.3.4.5",
            "01.2.3.4",
            "1.02.3.4",
            "1.2.3.00",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1.2.3.4 ",
            "1.2.3.1000",
            "a.b.c.d",
            "1.2.3.-4",
            "0.0.0.00",
            "9.99.199.255",
            "1.2.3.4:80",
        ];
        for case in cases {
            let std = case.parse::<Ipv4Addr>().ok();
            assert_eq!(fast_ipv4(case.as_bytes()), std, "{case}");
        }
        for a in [0_u32, 1, 9, 10, 99, 100, 199, 200, 249, 250, 255] {
            let text = format!("{a}.{a}.{a}.{a}");
            assert_eq!(fast_ipv4(text.as_bytes()), text.parse().ok(), "{text}");
        }
    }

    #[test]
    fn entry_table() {
        // (entry, expected ip and port, or the error)
        let ok: &[(&str, &str, Option<u16>)] = &[
            ("1.2.3.4", "1.2.3.4", None),
            ("1.2.3.4:8080", "1.2.3.4", Some(8080)),
            ("2001:db8::1", "2001:db8::1", None),
            ("[2001:db8::1]", "2001:db8::1", None),
            ("[2001:db8::1]:443", "2001:db8::1", Some(443)),
            // IPv4-mapped folds to IPv4 (proxy-addr does the same).
            ("::ffff:1.2.3.4", "1.2.3.4", None),
            ("[::ffff:1.2.3.4]:80", "1.2.3.4", Some(80)),
            ("::FFFF:a00:1", "10.0.0.1", None),
            // NAT64 and 6to4 are not folded.
            ("64:ff9b::102:304", "64:ff9b::102:304", None),
            ("2002:102:304::1", "2002:102:304::1", None),
            ("::1", "::1", None),
        ];
        for (entry, want, port) in ok {
            let got = parse_node(entry.as_bytes()).unwrap_or_else(|e| panic!("{entry}: {e}"));
            assert_eq!(got.ip, ip(want), "{entry}");
            assert_eq!(got.port, *port, "{entry}");
        }
        let bad: &[(&[u8], Malformed)] = &[
            (b"unknown", Malformed::Unknown),
            (b"UNKNOWN", Malformed::Unknown),
            (b"_hidden", Malformed::Obfuscated),
            (b"0.0.0.0", Malformed::Unspecified),
            (b"::", Malformed::Unspecified),
            (b"[::]:80", Malformed::Unspecified),
            (b"::ffff:0.0.0.0", Malformed::Unspecified),
            (b"fe80::1%eth0", Malformed::Syntax),
            (b"[fe80::1%25eth0]", Malformed::Syntax),
            (b"[1.2.3.4]", Malformed::Syntax),
            (b"[1.2.3.4]:80", Malformed::Syntax),
            (b"1.2.3.4:", Malformed::Syntax),
            (b"1.2.3.4:65536", Malformed::Syntax),
            (b"1.2.3.4:+80", Malformed::Syntax),
            (b"1.2.3.4:080000", Malformed::Syntax),
            (b"[2001:db8::1]443", Malformed::Syntax),
            (b"[2001:db8::1", Malformed::Syntax),
            (b"2001:db8::1:443:x", Malformed::Syntax),
            (b"01.2.3.4", Malformed::Syntax),
            (b"1.2.3", Malformed::Syntax),
            (b"1.2.3.4 5", Malformed::Syntax),
            (b"", Malformed::Syntax),
            (b"example.com", Malformed::Syntax),
            (b"1.2.3.\xff", Malformed::NotUtf8),
        ];
        for (entry, want) in bad {
            assert_eq!(
                parse_node(entry),
                Err(*want),
                "{:?}",
                String::from_utf8_lossy(entry)
            );
        }
    }

    #[test]
    fn ipv4_fast_path_agrees_with_the_standard_parser() {
        let cases = [
            "1.2.3.4",
            "255.255.255.255",
            "0.0.0.0",
            "10.0.0.1",
            "256.1.1.1",
            "1.2.3.256",
            "01.2.3.4",
            "1.2.3.04",
            "1.2.3",
            "1.2.3.4.5",
            "1..2.3",
            ".1.2.3",
            "1.2.3.",
            "1234.1.1.1",
            "1.2.3.4 ",
            " 1.2.3.4",
            "+1.2.3.4",
            "1.2.3.-4",
            "",
            "a.b.c.d",
            "999.0.0.1",
            "00.0.0.0",
            "0.00.0.0",
            "127.000.0.1",
            "1.2.3.4a",
        ];
        for case in cases {
            if let Some(fast) = fast_ipv4(case.as_bytes()) {
                assert_eq!(Some(fast), case.parse::<Ipv4Addr>().ok(), "{case}");
            }
            assert_eq!(
                parse_ipv4(case).ok(),
                case.parse::<Ipv4Addr>().ok(),
                "{case}"
            );
        }
        // Exhaustively on the octet forms: every one-octet spelling in every position.
        for n in 0..1000u32 {
            for spelling in [format!("{n}"), format!("{n:02}"), format!("{n:03}")] {
                let text = format!("{spelling}.1.{spelling}.2");
                assert_eq!(
                    parse_ipv4(&text).ok(),
                    text.parse::<Ipv4Addr>().ok(),
                    "{text}"
                );
                if let Some(fast) = fast_ipv4(text.as_bytes()) {
                    assert_eq!(Some(fast), text.parse::<Ipv4Addr>().ok(), "{text}");
                }
            }
        }
    }

    #[test]
    fn cloudfront_viewer_address() {
        let v6 = parse_unbracketed_ip_port(b"2001:db8::1:443").unwrap();
        assert_eq!((v6.ip, v6.port), (ip("2001:db8::1"), Some(443)));
        let v4 = parse_unbracketed_ip_port(b"1.2.3.4:5678").unwrap();
        assert_eq!((v4.ip, v4.port), (ip("1.2.3.4"), Some(5678)));
        assert!(parse_unbracketed_ip_port(b"1.2.3.4").is_err());
        assert!(parse_unbracketed_ip_port(b"[2001:db8::1]:443").is_err());
    }
}

#[cfg(test)]
mod ipv4_properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// On anything made of digits and dots, the fast path and the
        /// standard parser agree, through `parse_node` too.
        #[test]
        fn parse_ipv4_is_the_standard_parser(text in "[0-9.]{0,18}") {
            prop_assert_eq!(parse_ipv4(&text).ok(), text.parse::<Ipv4Addr>().ok());
            if let Some(fast) = fast_ipv4(text.as_bytes()) {
                prop_assert_eq!(Some(fast), text.parse::<Ipv4Addr>().ok());
            }
        }

        #[test]
        fn dotted_quads_round_trip(a: u8, b: u8, c: u8, d: u8) {
            let ip = Ipv4Addr::new(a, b, c, d);
            prop_assert_eq!(fast_ipv4(ip.to_string().as_bytes()), Some(ip));
        }
    }
}
