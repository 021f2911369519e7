//! `X-Forwarded-For`: a comma list of addresses, one appended by each proxy.

use http::HeaderMap;
use http::header::HeaderName;

use crate::addr::{Malformed, NodeAddr, parse_node};
use crate::list::ListEntries;

/// The `X-Forwarded-For` header name.
pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The entries of `X-Forwarded-For` over all its lines, each parsed with
/// [`parse_node`](crate::parse_node).
///
/// Left to right is the order proxies appended them; `.rev()` starts at the
/// nearest proxy's entry, which is where a trust walk must start. A malformed
/// entry is yielded as `Err` so the caller can stop there. Allocates nothing,
/// and holds no state that grows with the header.
///
/// ```
/// use http::HeaderMap;
/// use crocodile_forwarded::{XForwardedFor, Malformed};
///
/// let mut headers = HeaderMap::new();
/// headers.append("x-forwarded-for", "unknown, 203.0.113.7:4711".parse().unwrap());
/// headers.append("x-forwarded-for", "[2001:db8::1]:443".parse().unwrap());
/// let mut walk = XForwardedFor::new(&headers).rev();
/// assert_eq!(walk.next().unwrap().unwrap().ip.to_string(), "2001:db8::1");
/// assert_eq!(walk.next().unwrap().unwrap().port, Some(4711));
/// assert_eq!(walk.next().unwrap(), Err(Malformed::Unknown));
/// assert!(walk.next().is_none());
/// ```
#[derive(Debug)]
pub struct XForwardedFor<'a> {
    entries: ListEntries<'a>,
}

impl<'a> XForwardedFor<'a> {
    /// Reads `X-Forwarded-For` from `headers`.
    pub fn new(headers: &'a HeaderMap) -> Self {
        Self::from_header(headers, &crate::statics::X_FORWARDED_FOR)
    }

    /// Reads another header with the same syntax (for example
    /// `X-Original-Forwarded-For`).
    pub fn from_header(headers: &'a HeaderMap, name: &HeaderName) -> Self {
        Self {
            entries: ListEntries::new(headers.get_all(name)),
        }
    }
}

impl Iterator for XForwardedFor<'_> {
    type Item = Result<NodeAddr, Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        self.entries.next().map(parse_node)
    }
}

impl DoubleEndedIterator for XForwardedFor<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.entries.next_back().map(parse_node)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn headers(lines: &[&[u8]]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append(X_FORWARDED_FOR, HeaderValue::from_bytes(line).unwrap());
        }
        map
    }

    fn walk(lines: &[&[u8]]) -> Vec<Result<String, Malformed>> {
        let map = headers(lines);
        XForwardedFor::new(&map)
            .map(|entry| entry.map(|node| node.ip.to_string()))
            .collect()
    }

    #[test]
    fn list_table() {
        let ok = |s: &str| Ok(s.to_owned());
        // (header lines, entries left to right)
        let cases: &[(&[&[u8]], Vec<Result<String, Malformed>>)] = &[
            (&[b"1.2.3.4"], vec![ok("1.2.3.4")]),
            // RFC 9110 5.6.1: OWS around commas, empty elements skipped.
            (
                &[b" 1.2.3.4 ,\t5.6.7.8 "],
                vec![ok("1.2.3.4"), ok("5.6.7.8")],
            ),
            (
                &[b",,1.2.3.4,, ,5.6.7.8,"],
                vec![ok("1.2.3.4"), ok("5.6.7.8")],
            ),
            // Several lines are one list, in order (RFC 9110 5.3).
            (
                &[b"1.1.1.1, 2.2.2.2", b"3.3.3.3"],
                vec![ok("1.1.1.1"), ok("2.2.2.2"), ok("3.3.3.3")],
            ),
            // proxy-addr: ports and brackets.
            (
                &[b"1.2.3.4:80, [2001:db8::2]:443, 2001:db8::3"],
                vec![ok("1.2.3.4"), ok("2001:db8::2"), ok("2001:db8::3")],
            ),
            (&[b"::ffff:192.0.2.1"], vec![ok("192.0.2.1")]),
            (
                &[b"unknown, 1.2.3.4"],
                vec![Err(Malformed::Unknown), ok("1.2.3.4")],
            ),
            (
                &[b"\xfe, 1.2.3.4"],
                vec![Err(Malformed::NotUtf8), ok("1.2.3.4")],
            ),
            (&[b"", b"  "], vec![]),
        ];
        for (lines, want) in cases {
            assert_eq!(&walk(lines), want, "{lines:?}");
        }
    }

    #[test]
    fn reverse_walk_starts_at_the_last_line() {
        let map = headers(&[b"1.1.1.1, 2.2.2.2", b"3.3.3.3, 4.4.4.4"]);
        let rev: Vec<String> = XForwardedFor::new(&map)
            .rev()
            .map(|e| e.unwrap().ip.to_string())
            .collect();
        assert_eq!(rev, ["4.4.4.4", "3.3.3.3", "2.2.2.2", "1.1.1.1"]);
    }
}
