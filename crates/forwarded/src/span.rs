//! A position inside a header, so that a [`Hop`](crate::Hop) can point at a
//! value without borrowing the request.

use std::borrow::Cow;

use http::header::{GetAll, HeaderValue};

/// Where a value sits: which line of its header (counted from the last),
/// and which bytes of that line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Span {
    line_from_back: u32,
    start: u32,
    len: u32,
    /// The bytes' FNV-1a hash: a header rewritten between the hop's
    /// computation and this read (by middleware between two layers) is
    /// reported as changed rather than misread.
    hash: u32,
    /// A quoted string with `\` escapes still in it.
    escaped: bool,
}

fn fnv1a(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5, |hash: u32, &b| {
        (hash ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

impl Span {
    /// The span of `sub`, a subslice of `line`; `None` when it is not one
    /// (or the numbers do not fit, which no `HeaderValue` reaches).
    pub(crate) fn of(
        line_from_back: usize,
        line: &[u8],
        sub: &[u8],
        escaped: bool,
    ) -> Option<Self> {
        // Positions from addresses: `sub` was sliced out of `line`.
        let start = (sub.as_ptr() as usize).checked_sub(line.as_ptr() as usize)?;
        let end = start.checked_add(sub.len())?;
        if end > line.len() {
            return None;
        }
        Some(Self {
            line_from_back: u32::try_from(line_from_back).ok()?,
            start: u32::try_from(start).ok()?,
            len: u32::try_from(sub.len()).ok()?,
            hash: fnv1a(sub),
            escaped,
        })
    }

    /// The bytes the span names in `lines`, unescaped; `None` when the header
    /// no longer has them (something between two layers changed it).
    pub(crate) fn resolve<'a>(&self, lines: GetAll<'a, HeaderValue>) -> Option<Cow<'a, [u8]>> {
        let line = lines
            .iter()
            .rev()
            .nth(usize::try_from(self.line_from_back).ok()?)?;
        let start = usize::try_from(self.start).ok()?;
        let end = start.checked_add(usize::try_from(self.len).ok()?)?;
        let raw = line.as_bytes().get(start..end)?;
        if fnv1a(raw) != self.hash {
            return None;
        }
        if !self.escaped {
            return Some(Cow::Borrowed(raw));
        }
        let mut out = Vec::with_capacity(raw.len());
        let mut bytes = raw.iter();
        while let Some(&b) = bytes.next() {
            out.push(if b == b'\\' { *bytes.next()? } else { b });
        }
        Some(Cow::Owned(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    #[test]
    fn a_span_names_the_same_bytes_again_and_nothing_after_a_change() {
        let mut headers = HeaderMap::new();
        headers.append("x", HeaderValue::from_static("a, bb"));
        headers.append("x", HeaderValue::from_static(r#"c, "d\"e""#));
        let last = headers.get_all("x").iter().next_back().unwrap().as_bytes();
        let span = Span::of(0, last, &last[4..8], true).unwrap();
        assert_eq!(
            span.resolve(headers.get_all("x")).unwrap().as_ref(),
            b"d\"e"
        );
        let first = headers.get_all("x").iter().next().unwrap().as_bytes();
        let span = Span::of(1, first, &first[3..5], false).unwrap();
        assert_eq!(span.resolve(headers.get_all("x")).unwrap().as_ref(), b"bb");
        assert!(Span::of(0, first, last, false).is_none());
        headers.insert("x", HeaderValue::from_static("z"));
        assert!(span.resolve(headers.get_all("x")).is_none());
        // A longer value over the same position is a change, not a misread.
        let mut headers = HeaderMap::new();
        headers.insert("x", HeaderValue::from_static("example.com"));
        let line = headers.get("x").unwrap().as_bytes();
        let span = Span::of(0, line, line, false).unwrap();
        headers.insert("x", HeaderValue::from_static("evil.tld.example"));
        assert!(span.resolve(headers.get_all("x")).is_none());
    }
}
