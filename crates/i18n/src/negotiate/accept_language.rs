//! `Accept-Language` parsing (RFC 9110 section 12.5.4): ranges ranked by weight.
//!
//! Each element is judged on its own: one with a weight outside the qvalue
//! grammar (`q=2`, `q=abc`, `q=0.0001`) or a range that is not a language tag
//! is skipped (and traced at `debug`), and the rest of the header still counts.
//!
//! Work is linear in the header's length and memory is bounded: the
//! [`MAX_RANGES`] ranges with the highest weights are kept (ties keep header
//! order, so a long header cannot push out an earlier range of equal weight),
//! and the first [`MAX_RANGES`] `q=0` exclusions.
//!
//! Parsing allocates nothing for a header of up to [`INLINE`] ranges without
//! `q=0` (every browser's): ranges borrow the header's bytes and are kept in
//! a `SmallVec` of [`INLINE`] (on the stack), and a range becomes a `LanguageIdentifier` only when
//! negotiation reaches it (usually the first one decides). A range that
//! passes the RFC 4647 syntax check but is not a language tag is then
//! skipped there; while more than [`MAX_RANGES`] ranges compete for a place,
//! every range is checked before it can push out another, so which ranges
//! are kept is the same as if each were checked as it is read.

use smallvec::SmallVec;
use unic_langid::LanguageIdentifier;

/// How many ranges (and, separately, `q=0` exclusions) one header may
/// contribute. Browsers send fewer than ten.
pub const MAX_RANGES: usize = 64;

/// How many ranges are kept without allocating.
pub(crate) const INLINE: usize = 8;

/// The longest range considered, in bytes (the longest tags in the IANA
/// registry are under 20; with variants a real tag stays well under this).
const MAX_RANGE_LEN: usize = 64;

/// A weighted language range from the header, borrowing its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Range<'a> {
    /// `None` for `*`; otherwise a syntactically valid language range.
    pub(crate) tag: Option<&'a [u8]>,
    /// Weight in thousandths: 0..=1000.
    pub(crate) q: u16,
    /// Position in the header, for stable ordering.
    pos: usize,
    /// Whether `tag` is known to parse as a `LanguageIdentifier`.
    checked: bool,
}

impl Range<'_> {
    /// Sort key: higher weight first; at equal weight a specific range before
    /// `*`; then header order.
    fn key(&self) -> (std::cmp::Reverse<u16>, bool, usize) {
        (std::cmp::Reverse(self.q), self.tag.is_none(), self.pos)
    }

    /// The range as a language identifier; `None` (traced) when it is not a
    /// language tag, or for `*`.
    pub(crate) fn language(&self) -> Option<LanguageIdentifier> {
        let tag = self.tag?;
        match LanguageIdentifier::from_bytes(tag) {
            Ok(id) => Some(id),
            Err(_) => {
                skip(tag, "not a language tag");
                None
            }
        }
    }
}

/// The ranked ranges: inline up to [`INLINE`], then on the heap.
pub(crate) type Ranked<'a> = SmallVec<[Range<'a>; INLINE]>;

/// Checks every unchecked range and drops those that are not tags.
fn check_all(ranked: &mut Ranked<'_>) {
    ranked.retain(|range| {
        if !range.checked && range.tag.is_some() {
            if range.language().is_none() {
                return false;
            }
            range.checked = true;
        }
        true
    });
}

/// The useful part of one request's `Accept-Language` header(s).
#[derive(Debug, Default)]
pub(crate) struct AcceptLanguage<'a> {
    /// Ranges with `q > 0`, best first.
    pub(crate) ranked: Ranked<'a>,
    /// Ranges with `q = 0` (tags only; `*;q=0` adds nothing to plain lookup).
    pub(crate) excluded: Vec<LanguageIdentifier>,
}

impl<'a> AcceptLanguage<'a> {
    /// Parses every value of the header, in order, as one list.
    pub(crate) fn parse(values: impl IntoIterator<Item = &'a [u8]>) -> Self {
        let mut out = Self::default();
        let mut pos = 0;
        for value in values {
            for element in value.split(|&b| b == b',') {
                pos += 1;
                out.element(element, pos);
            }
        }
        out
    }

    fn element(&mut self, element: &'a [u8], pos: usize) {
        let element = trim(element);
        if element.is_empty() {
            return; // RFC 9110 section 5.6.1: empty list elements are allowed
        }
        let mut parts = element.split(|&b| b == b';');
        let range = trim(parts.next().unwrap_or_default());
        let mut q = None;
        for param in parts {
            let param = trim(param);
            match param {
                [b'q' | b'Q', b'=', value @ ..] if q.is_none() => match qvalue(value) {
                    Some(v) => q = Some(v),
                    None => return skip(element, "weight is not a qvalue"),
                },
                [b'q' | b'Q', b'=', ..] => return skip(element, "weight given twice"),
                // Other parameters are not defined for Accept-Language; like
                // the `negotiator` package we ignore them, not the element.
                _ => {}
            }
        }
        let q = q.unwrap_or(1000);
        let wildcard = range == b"*";
        if !wildcard && !is_language_range(range) {
            return skip(element, "not a language range");
        }
        if q == 0 {
            if !wildcard && self.excluded.len() < MAX_RANGES {
                match LanguageIdentifier::from_bytes(range) {
                    Ok(tag) => self.excluded.push(tag),
                    Err(_) => skip(element, "not a language tag"),
                }
            }
            return;
        }
        // Full: only now does it matter which kept ranges are real tags.
        if self.ranked.len() >= MAX_RANGES {
            check_all(&mut self.ranked);
        }
        if !self.admits(q, wildcard, pos) {
            return; // would not be kept: do not spend a parse on it
        }
        let mut range = Range {
            tag: (!wildcard).then_some(range),
            q,
            pos,
            checked: wildcard,
        };
        if self.ranked.len() >= MAX_RANGES {
            if range.language().is_none() {
                return;
            }
            range.checked = true;
            self.ranked.pop();
        }
        let at = self.ranked.partition_point(|r| r.key() <= range.key());
        self.ranked.insert(at, range);
    }

    /// Whether a range with this key would be kept among the best [`MAX_RANGES`].
    fn admits(&self, q: u16, wildcard: bool, pos: usize) -> bool {
        self.ranked.len() < MAX_RANGES
            || self
                .ranked
                .last()
                .is_some_and(|last| (std::cmp::Reverse(q), wildcard, pos) < last.key())
    }
}

fn skip(element: &[u8], why: &str) {
    tracing::debug!(
        element = %String::from_utf8_lossy(&element[..element.len().min(80)]),
        why,
        "ignoring an Accept-Language element"
    );
}

fn trim(mut s: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = s {
        s = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = s {
        s = rest;
    }
    s
}

/// RFC 4647 section 2.1 `language-range` (without `*`):
/// `1*8ALPHA *("-" 1*8alphanum)`. Underscores are accepted as separators.
fn is_language_range(range: &[u8]) -> bool {
    if range.is_empty() || range.len() > MAX_RANGE_LEN {
        return false;
    }
    range
        .split(|&b| b == b'-' || b == b'_')
        .enumerate()
        .all(|(i, subtag)| {
            (1..=8).contains(&subtag.len())
                && subtag.iter().all(|b| {
                    if i == 0 {
                        b.is_ascii_alphabetic()
                    } else {
                        b.is_ascii_alphanumeric()
                    }
                })
        })
}

/// RFC 9110 section 12.4.2:
/// `qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )`, in thousandths.
pub(crate) fn qvalue(s: &[u8]) -> Option<u16> {
    let (first, rest) = s.split_first()?;
    let fraction = match rest {
        [] => &[][..],
        [b'.', fraction @ ..] if fraction.len() <= 3 => fraction,
        _ => return None,
    };
    match first {
        b'0' => {
            let mut value = 0u16;
            for (i, d) in fraction.iter().enumerate() {
                if !d.is_ascii_digit() {
                    return None;
                }
                value += u16::from(d - b'0') * [100, 10, 1][i];
            }
            Some(value)
        }
        b'1' if fraction.iter().all(|&d| d == b'0') => Some(1000),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(header: &str) -> Vec<(String, u16)> {
        AcceptLanguage::parse([header.as_bytes()])
            .ranked
            .as_slice()
            .iter()
            .filter_map(|r| match r.tag {
                None => Some(("*".to_owned(), r.q)),
                Some(_) => r.language().map(|tag| (tag.to_string(), r.q)),
            })
            .collect()
    }

    #[test]
    fn qvalue_grammar() {
        // RFC 9110 section 12.4.2
        for (input, expected) in [
            ("1", Some(1000)),
            ("1.", Some(1000)),
            ("1.000", Some(1000)),
            ("0", Some(0)),
            ("0.5", Some(500)),
            ("0.05", Some(50)),
            ("0.001", Some(1)),
            ("0.0001", None),
            ("1.001", None),
            ("2", None),
            ("abc", None),
            ("", None),
            ("-0.5", None),
            (".5", None),
            ("0.5 ", None),
        ] {
            assert_eq!(qvalue(input.as_bytes()), expected, "q={input:?}");
        }
    }

    #[test]
    fn ranges_are_ordered_by_weight_then_header_order() {
        assert_eq!(
            tags("da, en-gb;q=0.8, en;q=0.7"), // RFC 9110 section 12.5.4 example
            [
                ("da".into(), 1000),
                ("en-GB".into(), 800),
                ("en".into(), 700)
            ]
        );
        assert_eq!(
            tags("fr;q=0.5, de;q=0.5, *;q=0.9, en;q=0.9"),
            [
                ("en".into(), 900),
                ("*".into(), 900),
                ("fr".into(), 500),
                ("de".into(), 500)
            ]
        );
    }

    #[test]
    fn bad_elements_are_skipped_alone() {
        assert_eq!(
            tags("en;q=2, fr;q=abc, de;q=0.0001, 12345, !!, ja ; q=0.3,,  ,es;level=1"),
            [("es".into(), 1000), ("ja".into(), 300)]
        );
    }

    #[test]
    fn exclusions_are_kept_apart() {
        let parsed = AcceptLanguage::parse([&b"en;q=0, *"[..]]);
        assert_eq!(
            parsed.excluded,
            ["en".parse::<LanguageIdentifier>().unwrap()]
        );
        assert_eq!(parsed.ranked.len(), 1);
    }

    #[test]
    fn ranges_that_are_not_tags_never_push_out_tags() {
        // Valid RFC 4647 ranges, but not language tags (a 4-letter language).
        assert!(LanguageIdentifier::from_bytes(b"abcd").is_err());
        let mut header = "abcd, ".repeat(20);
        let langs: Vec<String> = (0..MAX_RANGES)
            .map(|i| {
                format!(
                    "x{}{}",
                    (b'a' + (i / 26) as u8) as char,
                    (b'a' + (i % 26) as u8) as char
                )
            })
            .collect();
        header.push_str(&langs.join(";q=0.5, "));
        header.push_str(";q=0.5");
        let parsed = AcceptLanguage::parse([header.as_bytes()]);
        let kept: Vec<String> = parsed
            .ranked
            .as_slice()
            .iter()
            .map(|r| String::from_utf8(r.tag.unwrap().to_vec()).unwrap())
            .collect();
        assert_eq!(kept, langs);
        // Few ranges: nothing allocated, the inline array holds them.
        let parsed = AcceptLanguage::parse([&b"fr-CA, fr;q=0.9, en;q=0.5"[..]]);
        assert!(!parsed.ranked.spilled());
        assert_eq!(parsed.ranked.len(), 3);
    }

    #[test]
    fn only_the_best_ranges_are_kept_however_long_the_header() {
        let mut header = "xx;q=0.1, ".repeat(10_000);
        header.push_str("fr;q=0.9");
        let parsed = AcceptLanguage::parse([header.as_bytes()]);
        assert_eq!(parsed.ranked.len(), MAX_RANGES);
        assert_eq!(parsed.ranked.as_slice()[0].tag, Some(&b"fr"[..]));
    }
}
