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
    /// A quoted string with `\` escapes still in it.
    escaped: bool,
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
    }
}
