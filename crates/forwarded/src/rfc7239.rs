//! RFC 7239 `Forwarded`: elements of `for`/`by`/`proto`/`host` pairs.
//!
//! Each header line is split into elements **from the right**, so that a
//! client's unmatched quote on the left of a line cannot swallow the elements
//! proxies appended to its right. Each element is then parsed left to right
//! with a [`ForwardedGrammar`]; one that breaks it (bad quoting, a duplicate
//! parameter, unbalanced brackets, in strict mode whitespace around `=`) is
//! reported as malformed on its own.
//!
//! The lenient grammar (the default) differs from RFC 7239 in three places
//! only, each of them unambiguous:
//!
//! - whitespace is allowed on either side of `=`;
//! - an unquoted value may also hold `:`, `[` and `]` (so `for=192.0.2.1:8080`
//!   and `for=[2001:db8::1]:443` read as if quoted), as long as its brackets
//!   are one `[` at the start and one `]` after it;
//! - an unbracketed node with several colons is read as one whole IPv6
//!   address (`for=2001:db8::1`), never as an address and a port:
//!   `for=2001:db8::1:443` is the address `2001:db8::1:443`, and anything
//!   that is not an IPv6 address as a whole (`2001:db8::1:_abc`,
//!   `fe80::1%eth0`) is malformed.

use std::borrow::Cow;
use std::fmt;

use http::HeaderMap;
use http::header::{FORWARDED, HeaderValue, ValueIter};

use crate::addr::{Malformed, NodeAddr, parse_node, parse_whole_ipv6};
use crate::grammar::ForwardedGrammar;
use crate::rfc9110::{is_tchar, trim_ows, trim_start_ows};

/// Why a `Forwarded` element is malformed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ElementError {
    /// A quoted string without its closing quote, or a bad escape.
    BadQuoting,
    /// The same parameter twice in one element (RFC 7239 section 4).
    DuplicateParameter,
    /// Whitespace before or after `=` (only [`ForwardedGrammar::Strict`]
    /// refuses it).
    WhitespaceAroundEquals,
    /// A parameter name or token value with characters a token can't hold,
    /// or a pair without `=`; with [`ForwardedGrammar::Lenient`] also an
    /// unquoted value whose brackets are not one `[` first and one `]` later.
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
    /// value is one (a port is never split off an unbracketed IPv6 address:
    /// `2001:db8::1:443` is the address `2001:db8::1:443`). Allocates nothing.
    pub fn node_with(&self, grammar: ForwardedGrammar) -> Result<NodeAddr, Malformed> {
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
        parse_forwarded_node(bytes, grammar)
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

fn parse_forwarded_node(bytes: &[u8], grammar: ForwardedGrammar) -> Result<NodeAddr, Malformed> {
    if bytes.first() != Some(&b'[') && bytes.iter().filter(|&&b| b == b':').count() > 1 {
        return match grammar {
            // RFC 7239 section 6: an IPv6 node is always bracketed.
            ForwardedGrammar::Strict => Err(Malformed::Syntax),
            // The whole value is one IPv6 address or nothing: which trailing
            // group would be a port can't be told, so none ever is.
            ForwardedGrammar::Lenient => parse_whole_ipv6(bytes),
        };
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
            if name.is_empty() {
                return Err(ElementError::BadToken);
            }
            let value_start = match (grammar, after) {
                (_, [b'=', value @ ..]) => value,
                (ForwardedGrammar::Lenient, [b' ' | b'\t', ..]) => match trim_start_ows(after) {
                    [b'=', value @ ..] => value,
                    _ => return Err(ElementError::BadToken),
                },
                (_, [b' ' | b'\t', ..]) => {
                    return Err(if trim_ows(after).first() == Some(&b'=') {
                        ElementError::WhitespaceAroundEquals
                    } else {
                        ElementError::BadToken
                    });
                }
                _ => return Err(ElementError::BadToken),
            };
            let value_start = match grammar {
                ForwardedGrammar::Lenient => trim_start_ows(value_start),
                ForwardedGrammar::Strict => value_start,
            };
            let (value, after) = parse_value(value_start, grammar)?;
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

/// Parses a token or a quoted string at the start of `bytes`; with
/// [`ForwardedGrammar::Lenient`], a token may also hold `:`, `[` and `]`.
fn parse_value(
    bytes: &[u8],
    grammar: ForwardedGrammar,
) -> Result<(Value<'_>, &[u8]), ElementError> {
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
            let len = match grammar {
                ForwardedGrammar::Strict => bytes.iter().take_while(|&&b| is_tchar(b)).count(),
                ForwardedGrammar::Lenient => bytes
                    .iter()
                    .take_while(|&&b| is_tchar(b) || matches!(b, b':' | b'[' | b']'))
                    .count(),
            };
            let raw = &bytes[..len];
            if raw.is_empty() || !brackets_balanced(raw) {
                return Err(ElementError::BadToken);
            }
            Ok((
                Value {
                    raw,
                    escaped: false,
                },
                &bytes[len..],
            ))
        }
    }
}

/// No brackets, or one `[` at the very start and one `]` somewhere after it
/// (`[2001:db8::1]`, `[2001:db8::1]:443`); any other bracket in an unquoted
/// value is refused, not guessed at.
fn brackets_balanced(raw: &[u8]) -> bool {
    let opens = raw.iter().filter(|&&b| b == b'[').count();
    let closes = raw.iter().filter(|&&b| b == b']').count();
    match (opens, closes) {
        (0, 0) => true,
        (1, 1) => raw.first() == Some(&b'['),
        _ => false,
    }
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

    const STRICT: ForwardedGrammar = ForwardedGrammar::Strict;
    const LENIENT: ForwardedGrammar = ForwardedGrammar::Lenient;

    fn headers(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append(FORWARDED, HeaderValue::from_str(line).unwrap());
        }
        map
    }

    /// The `for=` of each element, right to left: the address, or
    /// `element: …` / `node: …` / `no for` for what is malformed.
    fn fors(lines: &[&str], grammar: ForwardedGrammar) -> Vec<String> {
        let map = headers(lines);
        ForwardedRev::with_grammar(&map, grammar)
            .map(|element| match element {
                Ok(element) => match element.for_node() {
                    Some(Ok(node)) => node.ip.to_string(),
                    Some(Err(malformed)) => format!("node: {malformed:?}"),
                    None => "no for".to_owned(),
                },
                Err(error) => format!("element: {error:?}"),
            })
            .collect()
    }

    #[test]
    fn grammar_table() {
        // (lines, strict, lenient): what each grammar reads, right to left.
        let cases: &[(&[&str], &[&str], &[&str])] = &[
            // RFC 7239 section 4 examples.
            (
                &[r#"for="_gazonk""#],
                &["node: Obfuscated"],
                &["node: Obfuscated"],
            ),
            (
                &[r#"For="[2001:db8:cafe::17]:4711""#],
                &["2001:db8:cafe::17"],
                &["2001:db8:cafe::17"],
            ),
            (
                &["for=192.0.2.60;proto=http;by=203.0.113.43"],
                &["192.0.2.60"],
                &["192.0.2.60"],
            ),
            (
                &["for=192.0.2.43, for=198.51.100.17"],
                &["198.51.100.17", "192.0.2.43"],
                &["198.51.100.17", "192.0.2.43"],
            ),
            // Section 7.1: several lines are one list.
            (
                &[
                    "for=192.0.2.43",
                    "for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com",
                ],
                &["198.51.100.17", "192.0.2.43"],
                &["198.51.100.17", "192.0.2.43"],
            ),
            // Section 6.2 and 6.3: unknown and obfuscated nodes and ports.
            (&["for=unknown"], &["node: Unknown"], &["node: Unknown"]),
            (
                &[r#"for="192.0.2.43:_abc""#],
                &["192.0.2.43"],
                &["192.0.2.43"],
            ),
            (
                &[r#"for="192.0.2.43:8080""#],
                &["192.0.2.43"],
                &["192.0.2.43"],
            ),
            (
                &[r#"for="[2001:db8::1]""#],
                &["2001:db8::1"],
                &["2001:db8::1"],
            ),
            // Case-insensitive names; OWS around ';' and ','; empty elements skipped.
            (
                &["FOR=192.0.2.1 ; PROTO=https ,  , for=192.0.2.2"],
                &["192.0.2.2", "192.0.2.1"],
                &["192.0.2.2", "192.0.2.1"],
            ),
            (&[";;for=192.0.2.1;"], &["192.0.2.1"], &["192.0.2.1"]),
            // Escapes inside quoted strings.
            (&[r#"for="192.0.2.\43""#], &["192.0.2.43"], &["192.0.2.43"]),
            (
                &[r#"for="[2001:db8::1]",host="a\"b,c",for=192.0.2.9"#],
                &["192.0.2.9", "no for", "2001:db8::1"],
                &["192.0.2.9", "no for", "2001:db8::1"],
            ),
            // Strict: IPv6 must be bracketed and quoted. Lenient: a bare
            // IPv6 address is read whole, brackets and ports need no quotes.
            (
                &["for=2001:db8::1"],
                &["element: BadToken"],
                &["2001:db8::1"],
            ),
            (
                &[r#"for="2001:db8::1""#],
                &["node: Syntax"],
                &["2001:db8::1"],
            ),
            (
                &["for=[2001:db8::1]"],
                &["element: BadToken"],
                &["2001:db8::1"],
            ),
            (
                &["for=[2001:db8::1]:443"],
                &["element: BadToken"],
                &["2001:db8::1"],
            ),
            (
                &["for=[2001:db8::1]:_abc"],
                &["element: BadToken"],
                &["2001:db8::1"],
            ),
            (
                &["for=192.0.2.1:80"],
                &["element: BadToken"],
                &["192.0.2.1"],
            ),
            (
                &["for=192.0.2.1:_abc"],
                &["element: BadToken"],
                &["192.0.2.1"],
            ),
            // Never a port off an unbracketed IPv6 address: the last group is the address's.
            (
                &["for=2001:db8::1:443"],
                &["element: BadToken"],
                &["2001:db8::1:443"],
            ),
            (
                &[r#"for="2001:db8::1:_abc""#],
                &["node: Syntax"],
                &["node: Syntax"],
            ),
            (
                &["for=2001:db8::1:_abc"],
                &["element: BadToken"],
                &["node: Syntax"],
            ),
            (
                &["for=2001:db8::1:443:x"],
                &["element: BadToken"],
                &["node: Syntax"],
            ),
            // Unbalanced or misplaced brackets, zone ids and `[v4]`: malformed in both.
            (
                &["for=[2001:db8::1"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            (
                &["for=2001:db8::1]"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            (
                &["for=[2001:db8::1]]"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            (
                &["for=a[2001:db8::1]"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            (
                &[r#"for="[2001:db8::1""#],
                &["node: Syntax"],
                &["node: Syntax"],
            ),
            (
                &["for=fe80::1%eth0"],
                &["element: BadToken"],
                &["node: Syntax"],
            ),
            (
                &[r#"for="[fe80::1%25eth0]""#],
                &["node: Syntax"],
                &["node: Syntax"],
            ),
            (
                &["for=[192.0.2.1]"],
                &["element: BadToken"],
                &["node: Syntax"],
            ),
            (&["for=::"], &["element: BadToken"], &["node: Unspecified"]),
            // Malformed elements stand alone.
            (
                &["for=192.0.2.1;for=192.0.2.2, for=192.0.2.3"],
                &["192.0.2.3", "element: DuplicateParameter"],
                &["192.0.2.3", "element: DuplicateParameter"],
            ),
            (
                &["for = 192.0.2.1, for=192.0.2.3"],
                &["192.0.2.3", "element: WhitespaceAroundEquals"],
                &["192.0.2.3", "192.0.2.1"],
            ),
            (
                &["for= 192.0.2.1, for=192.0.2.3"],
                &["192.0.2.3", "element: WhitespaceAroundEquals"],
                &["192.0.2.3", "192.0.2.1"],
            ),
            (
                &["for =\t\"192.0.2.1\" ; by = _p"],
                &["element: WhitespaceAroundEquals"],
                &["192.0.2.1"],
            ),
            (
                &["for= ;proto=https"],
                &["element: WhitespaceAroundEquals"],
                &["element: BadToken"],
            ),
            (
                &["for 192.0.2.1"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            (
                &["for, for=192.0.2.3"],
                &["192.0.2.3", "element: BadToken"],
                &["192.0.2.3", "element: BadToken"],
            ),
            (
                &["for=192.0.2.1 junk, for=192.0.2.3"],
                &["192.0.2.3", "element: BadToken"],
                &["192.0.2.3", "element: BadToken"],
            ),
            (
                &["for=1.1.1.\\1"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            (&["proto=https"], &["no for"], &["no for"]),
            // Names stay tokens: a `:` or a bracket is for values only.
            (
                &["f:or=192.0.2.1"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            (
                &["[for]=192.0.2.1"],
                &["element: BadToken"],
                &["element: BadToken"],
            ),
            // A client's unmatched quote on the left can't swallow what proxies appended.
            (
                &[r#"for="1.1.1.1, for=192.0.2.60, for=198.51.100.1"#],
                &["198.51.100.1", "192.0.2.60", "element: BadQuoting"],
                &["198.51.100.1", "192.0.2.60", "element: BadQuoting"],
            ),
            (
                &[r#"for="1.1.1.1\", for=192.0.2.60"#],
                &["192.0.2.60", "element: BadQuoting"],
                &["192.0.2.60", "element: BadQuoting"],
            ),
            // Each line on its own: a broken first line can't reach into the second.
            (
                &[r#"for="1.1.1.1"#, "for=192.0.2.60"],
                &["192.0.2.60", "element: BadQuoting"],
                &["192.0.2.60", "element: BadQuoting"],
            ),
            (
                &[r#"for="a\\", for=192.0.2.5"#],
                &["192.0.2.5", "node: Syntax"],
                &["192.0.2.5", "node: Syntax"],
            ),
        ];
        for (lines, strict, lenient) in cases {
            assert_eq!(fors(lines, STRICT), *strict, "strict: {lines:?}");
            assert_eq!(fors(lines, LENIENT), *lenient, "lenient: {lines:?}");
        }
    }

    #[test]
    fn the_default_grammar_is_lenient() {
        let map = headers(&["for=2001:db8::1"]);
        let element = ForwardedRev::new(&map).next().unwrap().unwrap();
        assert_eq!(
            element.for_node().unwrap().unwrap().ip.to_string(),
            "2001:db8::1"
        );
        let element = Element::parse(b"for=[2001:db8::1]:443").unwrap();
        assert_eq!(element.for_node().unwrap().unwrap().port, Some(443));
        assert_eq!(
            Element::parse_with(b"for=[2001:db8::1]:443", STRICT),
            Err(ElementError::BadToken)
        );
        // The value's grammar is the element's, unless asked for another.
        let element = Element::parse(b"for=\"2001:db8::1\"").unwrap();
        let value = element.for_value().unwrap();
        assert_eq!(value.node(), element.for_node().unwrap());
        assert_eq!(value.node().unwrap().ip.to_string(), "2001:db8::1");
        assert_eq!(value.node_with(STRICT), Err(Malformed::Syntax));
        let strict = Element::parse_with(b"for=\"2001:db8::1\"", STRICT).unwrap();
        assert_eq!(strict.for_node(), Some(Err(Malformed::Syntax)));
    }

    #[test]
    fn lenient_unquoted_values_keep_their_position() {
        let line = "for = [2001:db8::1]:443 ; host=example.com:8443";
        let map = headers(&[line]);
        let mut rev = ForwardedRev::new(&map);
        let element = rev.next().unwrap().unwrap();
        assert_eq!(element.for_value().unwrap().raw(), b"[2001:db8::1]:443");
        assert_eq!(element.host().unwrap().raw(), b"example.com:8443");
        let span = rev.span_of(&element.for_value().unwrap()).unwrap();
        let again = span.resolve(map.get_all(FORWARDED)).unwrap();
        assert_eq!(again.as_ref(), b"[2001:db8::1]:443");
    }

    #[test]
    fn proto_and_host_are_exposed() {
        for grammar in [STRICT, LENIENT] {
            let map = headers(&[r#"for=192.0.2.60;proto=HTTPS;host="example.com:8443";by=_proxy"#]);
            let element = ForwardedRev::with_grammar(&map, grammar)
                .next()
                .unwrap()
                .unwrap();
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
    }

    #[test]
    fn escaped_value_is_unescaped() {
        for grammar in [STRICT, LENIENT] {
            let map = headers(&[r#"host="ex\ample.com""#]);
            let element = ForwardedRev::with_grammar(&map, grammar)
                .next()
                .unwrap()
                .unwrap();
            assert_eq!(element.host().unwrap().unescaped().as_ref(), b"example.com");
        }
    }

    #[test]
    fn overlong_escaped_node_is_malformed_not_truncated() {
        for grammar in [STRICT, LENIENT] {
            let long = format!(r#"for="\1{}""#, "1".repeat(80));
            let map = headers(&[&long]);
            let element = ForwardedRev::with_grammar(&map, grammar)
                .next()
                .unwrap()
                .unwrap();
            assert_eq!(element.for_node(), Some(Err(Malformed::Syntax)));
        }
    }
}
