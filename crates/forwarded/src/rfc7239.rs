//! RFC 7239 `Forwarded`: elements of `for`/`by`/`proto`/`host` pairs.
//!
//! Each header line is split into elements **from the right**, so that a
//! client's unmatched quote on the left of a line cannot swallow the elements
//! proxies appended to its right. Each element is then parsed strictly, left
//! to right; one that breaks the grammar (bad quoting, a duplicate parameter,
//! whitespace around `=`) is reported as malformed on its own.

use std::borrow::Cow;
use std::fmt;

use http::HeaderMap;
use http::header::{FORWARDED, HeaderValue, ValueIter};

use crate::addr::{Malformed, NodeAddr, parse_node};
use crate::grammar::ForwardedGrammar;
use crate::list::trim_ows;

/// Why a `Forwarded` element is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementError {
    /// A quoted string without its closing quote, or a bad escape.
    BadQuoting,
    /// The same parameter twice in one element (RFC 7239 section 4).
    DuplicateParameter,
    /// Whitespace before or after `=`.
    WhitespaceAroundEquals,
    /// A parameter name or token value with characters a token can't hold,
    /// or a pair without `=`.
    BadToken,
}

impl fmt::Display for ElementError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadQuoting => "bad quoting",
            Self::DuplicateParameter => "duplicate parameter",
            Self::WhitespaceAroundEquals => "whitespace around `=`",
            Self::BadToken => "invalid token",
        })
    }
}

impl std::error::Error for ElementError {}

/// A parameter value: a token, or the inside of a quoted string with its
/// `\` escapes still in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Value<'a> {
    raw: &'a [u8],
    escaped: bool,
}

impl<'a> Value<'a> {
    /// The bytes as written (escapes not undone).
    pub fn raw(&self) -> &'a [u8] {
        self.raw
    }

    /// The value with quoted-pair escapes undone. Borrows unless the value
    /// actually contains a `\` escape.
    pub fn unescaped(&self) -> Cow<'a, [u8]> {
        if !self.escaped {
            return Cow::Borrowed(self.raw);
        }
        let mut out = Vec::with_capacity(self.raw.len());
        unescape_into(self.raw, |b| {
            out.push(b);
            true
        });
        Cow::Owned(out)
    }

    /// Whether the value was a quoted string with `\` escapes in it.
    pub fn is_escaped(&self) -> bool {
        self.escaped
    }

    /// Parses the value as a node (`for=` and `by=`, RFC 7239 section 6)
    /// with the default grammar ([`ForwardedGrammar::Lenient`]).
    pub fn node(&self) -> Result<NodeAddr, Malformed> {
        self.node_with(ForwardedGrammar::default())
    }

    /// Parses the value as a node (`for=` and `by=`, RFC 7239 section 6):
    /// an IPv4 address, a bracketed IPv6 address, each with an optional port
    /// (numeric or obfuscated), `unknown`, or an obfuscated identifier; with
    /// [`ForwardedGrammar::Lenient`] also a bare IPv6 address when the whole
    /// value is one. Allocates nothing.
    pub fn node_with(&self, grammar: ForwardedGrammar) -> Result<NodeAddr, Malformed> {
        let _ = grammar;
        // A node is short; an escaped one is unescaped on the stack.
        let mut buf = [0u8; 64];
        let bytes: &[u8] = if self.escaped {
            let mut len = 0;
            let fits = unescape_into(self.raw, |b| {
                let Some(slot) = buf.get_mut(len) else {
                    return false;
                };
                *slot = b;
                len += 1;
                true
            });
            if !fits {
                return Err(Malformed::Syntax);
            }
            &buf[..len]
        } else {
            self.raw
        };
        parse_forwarded_node(bytes)
    }
}

/// Feeds each unescaped byte to `push`; stops early when `push` says no.
fn unescape_into(raw: &[u8], mut push: impl FnMut(u8) -> bool) -> bool {
    let mut bytes = raw.iter();
    while let Some(&b) = bytes.next() {
        let b = if b == b'\\' {
            match bytes.next() {
                Some(&next) => next,
                None => return false,
            }
        } else {
            b
        };
        if !push(b) {
            return false;
        }
    }
    true
}

fn parse_forwarded_node(bytes: &[u8]) -> Result<NodeAddr, Malformed> {
    if bytes.first() != Some(&b'[') && bytes.iter().filter(|&&b| b == b':').count() > 1 {
        // RFC 7239 section 6: an IPv6 node is always bracketed.
        return Err(Malformed::Syntax);
    }
    // An obfuscated port (`_abc`, section 6.3) names no port we can use.
    if let Some(colon) = bytes.iter().rposition(|&b| b == b':') {
        let (host, port) = (&bytes[..colon], &bytes[colon + 1..]);
        if port.first() == Some(&b'_') {
            if !port[1..]
                .iter()
                .all(|&b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_' || b == b'-')
            {
                return Err(Malformed::Syntax);
            }
            return parse_node(host).map(|node| NodeAddr { port: None, ..node });
        }
    }
    parse_node(bytes)
}

/// One parsed `Forwarded` element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Element<'a> {
    for_: Option<Value<'a>>,
    by: Option<Value<'a>>,
    proto: Option<Value<'a>>,
    host: Option<Value<'a>>,
    grammar: ForwardedGrammar,
}

impl<'a> Element<'a> {
    /// Parses one element (the text between two commas) with the default
    /// grammar ([`ForwardedGrammar::Lenient`]).
    pub fn parse(bytes: &'a [u8]) -> Result<Self, ElementError> {
        Self::parse_with(bytes, ForwardedGrammar::default())
    }

    /// Parses one element (the text between two commas) with `grammar`.
    pub fn parse_with(bytes: &'a [u8], grammar: ForwardedGrammar) -> Result<Self, ElementError> {
        let mut element = Element {
            grammar,
            ..Element::default()
        };
        let mut rest = trim_ows(bytes);
        while !rest.is_empty() {
            // Empty pairs (`;;`) are allowed by `*( ";" [ forwarded-pair ] )`.
            if let [b';', tail @ ..] = rest {
                rest = trim_ows(tail);
                continue;
            }
            let name_len = rest.iter().take_while(|&&b| is_tchar(b)).count();
            let (name, after) = rest.split_at(name_len);
            match after.first() {
                Some(b'=') if !name.is_empty() => {}
                Some(b' ' | b'\t') if !name.is_empty() => {
                    return Err(if trim_ows(after).first() == Some(&b'=') {
                        ElementError::WhitespaceAroundEquals
                    } else {
                        ElementError::BadToken
                    });
                }
                _ => return Err(ElementError::BadToken),
            }
            let (value, after) = parse_value(&after[1..])?;
            let slot = match param(name) {
                Some(Param::For) => Some(&mut element.for_),
                Some(Param::By) => Some(&mut element.by),
                Some(Param::Proto) => Some(&mut element.proto),
                Some(Param::Host) => Some(&mut element.host),
                // Unknown parameters are extensions (section 5.5): allowed, ignored.
                None => None,
            };
            if let Some(slot) = slot {
                if slot.replace(value).is_some() {
                    return Err(ElementError::DuplicateParameter);
                }
            }
            rest = trim_ows(after);
            match rest {
                [] => {}
                [b';', tail @ ..] => rest = trim_ows(tail),
                _ => return Err(ElementError::BadToken),
            }
        }
        Ok(element)
    }

    /// The `for=` value: the node that made the request to the proxy.
    pub fn for_value(&self) -> Option<Value<'a>> {
        self.for_
    }

    /// The `for=` value parsed as a node; `None` when the element has none.
    pub fn for_node(&self) -> Option<Result<NodeAddr, Malformed>> {
        self.for_.map(|value| value.node_with(self.grammar))
    }

    /// The `by=` value: the proxy's own interface.
    pub fn by(&self) -> Option<Value<'a>> {
        self.by
    }

    /// The `proto=` value: the scheme the request arrived with.
    pub fn proto(&self) -> Option<Value<'a>> {
        self.proto
    }

    /// The `host=` value: the `Host` the proxy received.
    pub fn host(&self) -> Option<Value<'a>> {
        self.host
    }
}

enum Param {
    For,
    By,
    Proto,
    Host,
}

/// Parameter names are case-insensitive (RFC 7239 section 4).
fn param(name: &[u8]) -> Option<Param> {
    [
        (&b"for"[..], Param::For),
        (b"by", Param::By),
        (b"proto", Param::Proto),
        (b"host", Param::Host),
    ]
    .into_iter()
    .find(|(known, _)| name.eq_ignore_ascii_case(known))
    .map(|(_, param)| param)
}

/// Parses a token or a quoted string at the start of `bytes`.
fn parse_value(bytes: &[u8]) -> Result<(Value<'_>, &[u8]), ElementError> {
    match bytes.first() {
        Some(b'"') => {
            let mut escaped = false;
            let mut i = 1;
            while let Some(&b) = bytes.get(i) {
                match b {
                    b'"' => {
                        let value = Value {
                            raw: &bytes[1..i],
                            escaped,
                        };
                        return Ok((value, &bytes[i + 1..]));
                    }
                    b'\\' => {
                        // quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
                        match bytes.get(i + 1) {
                            Some(&next) if next == b'\t' || next >= 0x20 && next != 0x7f => {}
                            _ => return Err(ElementError::BadQuoting),
                        }
                        escaped = true;
                        i += 2;
                    }
                    // qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
                    b'\t' | 0x20..=0x7e | 0x80..=0xff => i += 1,
                    _ => return Err(ElementError::BadQuoting),
                }
            }
            Err(ElementError::BadQuoting)
        }
        Some(b' ' | b'\t') => Err(ElementError::WhitespaceAroundEquals),
        _ => {
            let len = bytes.iter().take_while(|&&b| is_tchar(b)).count();
            if len == 0 {
                return Err(ElementError::BadToken);
            }
            let value = Value {
                raw: &bytes[..len],
                escaped: false,
            };
            Ok((value, &bytes[len..]))
        }
    }
}

/// `tchar` from RFC 9110 section 5.6.2.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// The elements of every `Forwarded` line, from the **right**: the element
/// the nearest proxy appended comes first.
///
/// Each line is split on its own, so a broken line can't reach into the next
/// one. A malformed element is yielded as `Err` in its place. Allocates nothing.
///
/// ```
/// use http::HeaderMap;
/// use crocodile_forwarded::{ForwardedRev, ElementError};
///
/// let mut headers = HeaderMap::new();
/// // A client's unmatched quote on the left, then what a proxy appended.
/// headers.append("forwarded", r#"for="oops, for=192.0.2.60;proto=https"#.parse().unwrap());
/// let mut walk = ForwardedRev::new(&headers);
/// let nearest = walk.next().unwrap().unwrap();
/// assert_eq!(nearest.for_node().unwrap().unwrap().ip.to_string(), "192.0.2.60");
/// assert_eq!(nearest.proto().unwrap().raw(), b"https");
/// assert_eq!(walk.next().unwrap(), Err(ElementError::BadQuoting));
/// assert!(walk.next().is_none());
/// ```
#[derive(Debug)]
pub struct ForwardedRev<'a> {
    lines: std::iter::Rev<ValueIter<'a, HeaderValue>>,
    /// What is left of the current line (a prefix of `whole_line`).
    line: &'a [u8],
    /// The current line, whole: positions are taken relative to it.
    whole_line: &'a [u8],
    /// How many lines have been started, counted from the last.
    lines_started: usize,
    grammar: ForwardedGrammar,
}

impl<'a> ForwardedRev<'a> {
    /// Walks the `Forwarded` header of `headers` with the default grammar
    /// ([`ForwardedGrammar::Lenient`]).
    pub fn new(headers: &'a HeaderMap) -> Self {
        Self::with_grammar(headers, ForwardedGrammar::default())
    }

    /// Walks the `Forwarded` header of `headers` with `grammar`.
    pub fn with_grammar(headers: &'a HeaderMap, grammar: ForwardedGrammar) -> Self {
        Self {
            lines: headers.get_all(FORWARDED).iter().rev(),
            line: &[],
            whole_line: &[],
            lines_started: 0,
            grammar,
        }
    }

    /// Where `value`, taken from the element `next` returned last, sits in
    /// its header line: for a [`Hop`](crate::Hop) to record a position
    /// instead of a borrow.
    pub(crate) fn span_of(&self, value: &Value<'a>) -> Option<crate::span::Span> {
        crate::span::Span::of(
            self.lines_started.checked_sub(1)?,
            self.whole_line,
            value.raw,
            value.escaped,
        )
    }
}

/// The `for=` node of each element from the right, as a trust walk reads
/// them: a malformed element, or one without `for=`, is a malformed entry.
pub type ForNodesRev<'a> = std::iter::Map<
    ForwardedRev<'a>,
    fn(Result<Element<'a>, ElementError>) -> Result<NodeAddr, Malformed>,
>;

impl<'a> ForwardedRev<'a> {
    /// The `for=` nodes, nearest hop first, ready for
    /// [`rightmost_untrusted`](crate::rightmost_untrusted).
    pub fn for_nodes(self) -> ForNodesRev<'a> {
        fn node(element: Result<Element<'_>, ElementError>) -> Result<NodeAddr, Malformed> {
            match element {
                Ok(element) => element.for_node().unwrap_or(Err(Malformed::Syntax)),
                Err(_) => Err(Malformed::Syntax),
            }
        }
        self.map(node as fn(Result<Element<'a>, ElementError>) -> Result<NodeAddr, Malformed>)
    }
}

impl<'a> Iterator for ForwardedRev<'a> {
    type Item = Result<Element<'a>, ElementError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            while self.line.is_empty() {
                self.line = self.lines.next()?.as_bytes();
                self.whole_line = self.line;
                self.lines_started += 1;
            }
            let (rest, element) = split_last_element(self.line);
            self.line = rest;
            let element = trim_ows(element);
            if !element.is_empty() {
                return Some(Element::parse_with(element, self.grammar));
            }
        }
    }
}

/// Splits `line` at the last comma that is outside a quoted string, scanning
/// right to left. Returns (what is left of the line, the last element).
///
/// A quote is escaped when an odd run of backslashes precedes it; each byte is
/// looked at no more than twice, so this is linear in the line.
fn split_last_element(line: &[u8]) -> (&[u8], &[u8]) {
    let mut i = line.len();
    let mut in_quote = false;
    while i > 0 {
        let b = line[i - 1];
        if !in_quote {
            match b {
                b',' => return (&line[..i - 1], &line[i..]),
                b'"' => in_quote = true,
                _ => {}
            }
            i -= 1;
        } else if b == b'"' {
            let backslashes = line[..i - 1]
                .iter()
                .rev()
                .take_while(|&&c| c == b'\\')
                .count();
            if backslashes % 2 == 0 {
                in_quote = false;
                i -= 1;
            } else {
                // An escaped quote and the backslashes before it are all inside the string.
                i -= 1 + backslashes;
            }
        } else {
            i -= 1;
        }
    }
    // No comma outside quotes (or an unmatched quote): the rest is one element.
    (&[], line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append(FORWARDED, HeaderValue::from_str(line).unwrap());
        }
        map
    }

    /// The `for=` of each element, right to left; `Err` for a malformed element.
    fn fors(lines: &[&str]) -> Vec<Result<String, String>> {
        let map = headers(lines);
        ForwardedRev::new(&map)
            .map(|element| match element {
                Ok(element) => match element.for_node() {
                    Some(Ok(node)) => Ok(node.ip.to_string()),
                    Some(Err(malformed)) => Err(format!("node: {malformed:?}")),
                    None => Err("no for".to_owned()),
                },
                Err(error) => Err(format!("element: {error:?}")),
            })
            .collect()
    }

    fn ok(s: &str) -> Result<String, String> {
        Ok(s.to_owned())
    }

    fn err(s: &str) -> Result<String, String> {
        Err(s.to_owned())
    }

    #[test]
    fn grammar_table() {
        let cases: &[(&[&str], Vec<Result<String, String>>)] = &[
            // RFC 7239 section 4 examples.
            (&[r#"for="_gazonk""#], vec![err("node: Obfuscated")]),
            (
                &[r#"For="[2001:db8:cafe::17]:4711""#],
                vec![ok("2001:db8:cafe::17")],
            ),
            (
                &["for=192.0.2.60;proto=http;by=203.0.113.43"],
                vec![ok("192.0.2.60")],
            ),
            (
                &["for=192.0.2.43, for=198.51.100.17"],
                vec![ok("198.51.100.17"), ok("192.0.2.43")],
            ),
            // Section 7.1: several lines are one list.
            (
                &[
                    "for=192.0.2.43",
                    "for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com",
                ],
                vec![ok("198.51.100.17"), ok("192.0.2.43")],
            ),
            // Section 6.2 and 6.3: unknown and obfuscated nodes and ports.
            (&["for=unknown"], vec![err("node: Unknown")]),
            (&[r#"for="192.0.2.43:_abc""#], vec![ok("192.0.2.43")]),
            (&[r#"for="192.0.2.43:8080""#], vec![ok("192.0.2.43")]),
            (&[r#"for="[2001:db8::1]""#], vec![ok("2001:db8::1")]),
            // Case-insensitive names; OWS around ';' and ','; empty elements skipped.
            (
                &["FOR=192.0.2.1 ; PROTO=https ,  , for=192.0.2.2"],
                vec![ok("192.0.2.2"), ok("192.0.2.1")],
            ),
            (&[";;for=192.0.2.1;"], vec![ok("192.0.2.1")]),
            // Escapes inside quoted strings.
            (&[r#"for="192.0.2.\43""#], vec![ok("192.0.2.43")]),
            (
                &[r#"for="[2001:db8::1]",host="a\"b,c",for=192.0.2.9"#],
                vec![ok("192.0.2.9"), err("no for"), ok("2001:db8::1")],
            ),
            // IPv6 must be bracketed and quoted.
            (&["for=2001:db8::1"], vec![err("element: BadToken")]),
            (&[r#"for="2001:db8::1""#], vec![err("node: Syntax")]),
            (&["for=[2001:db8::1]"], vec![err("element: BadToken")]),
            (&["for=192.0.2.1:80"], vec![err("element: BadToken")]),
            // Malformed elements stand alone.
            (
                &["for=192.0.2.1;for=192.0.2.2, for=192.0.2.3"],
                vec![ok("192.0.2.3"), err("element: DuplicateParameter")],
            ),
            (
                &["for = 192.0.2.1, for=192.0.2.3"],
                vec![ok("192.0.2.3"), err("element: WhitespaceAroundEquals")],
            ),
            (
                &["for= 192.0.2.1, for=192.0.2.3"],
                vec![ok("192.0.2.3"), err("element: WhitespaceAroundEquals")],
            ),
            (
                &["for, for=192.0.2.3"],
                vec![ok("192.0.2.3"), err("element: BadToken")],
            ),
            (
                &["for=192.0.2.1 junk, for=192.0.2.3"],
                vec![ok("192.0.2.3"), err("element: BadToken")],
            ),
            (&["proto=https"], vec![err("no for")]),
            // A client's unmatched quote on the left can't swallow what proxies appended.
            (
                &[r#"for="1.1.1.1, for=192.0.2.60, for=198.51.100.1"#],
                vec![
                    ok("198.51.100.1"),
                    ok("192.0.2.60"),
                    err("element: BadQuoting"),
                ],
            ),
            (
                &[r#"for="1.1.1.1\", for=192.0.2.60"#],
                vec![ok("192.0.2.60"), err("element: BadQuoting")],
            ),
            // Each line on its own: a broken first line can't reach into the second.
            (
                &[r#"for="1.1.1.1"#, "for=192.0.2.60"],
                vec![ok("192.0.2.60"), err("element: BadQuoting")],
            ),
            (
                &[r#"for="a\\", for=192.0.2.5"#],
                vec![ok("192.0.2.5"), err("node: Syntax")],
            ),
        ];
        for (lines, want) in cases {
            assert_eq!(&fors(lines), want, "{lines:?}");
        }
    }

    #[test]
    fn proto_and_host_are_exposed() {
        let map = headers(&[r#"for=192.0.2.60;proto=HTTPS;host="example.com:8443";by=_proxy"#]);
        let element = ForwardedRev::new(&map).next().unwrap().unwrap();
        assert_eq!(element.proto().unwrap().raw(), b"HTTPS");
        assert_eq!(
            element.host().unwrap().unescaped().as_ref(),
            b"example.com:8443"
        );
        assert_eq!(element.by().unwrap().raw(), b"_proxy");
        assert!(matches!(
            element.host().unwrap().unescaped(),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn escaped_value_is_unescaped() {
        let map = headers(&[r#"host="ex\ample.com""#]);
        let element = ForwardedRev::new(&map).next().unwrap().unwrap();
        assert_eq!(element.host().unwrap().unescaped().as_ref(), b"example.com");
    }

    #[test]
    fn overlong_escaped_node_is_malformed_not_truncated() {
        let long = format!(r#"for="\1{}""#, "1".repeat(80));
        let map = headers(&[&long]);
        let element = ForwardedRev::new(&map).next().unwrap().unwrap();
        assert_eq!(element.for_node(), Some(Err(Malformed::Syntax)));
    }
}
