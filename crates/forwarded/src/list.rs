//! Comma-separated header lists (RFC 9110 section 5.6.1) across every line of
//! a header, walked in either direction without allocating.

use std::iter::{FilterMap, FlatMap};
use std::slice::Split;

use http::header::{GetAll, HeaderValue, ValueIter};

type LineSplit<'a> = Split<'a, u8, fn(&u8) -> bool>;
type Lines<'a> =
    FlatMap<ValueIter<'a, HeaderValue>, LineSplit<'a>, fn(&'a HeaderValue) -> LineSplit<'a>>;
type NonEmpty<'a> = FilterMap<Lines<'a>, fn(&'a [u8]) -> Option<&'a [u8]>>;

/// The non-empty elements of a comma-separated list, over all header lines in
/// order, with optional whitespace trimmed.
///
/// It is a [`DoubleEndedIterator`]: `.rev()` walks from the nearest hop (the
/// right end of the last line) to the farthest. Empty elements (`a,,b`,
/// `, a`) are skipped as RFC 9110 section 5.6.1 asks of recipients.
///
/// ```
/// use http::{HeaderMap, HeaderValue};
/// use crocodile_forwarded::ListEntries;
///
/// let mut headers = HeaderMap::new();
/// headers.append("x-forwarded-proto", HeaderValue::from_static("https, ,http"));
/// headers.append("x-forwarded-proto", HeaderValue::from_static("http "));
/// let right_to_left: Vec<&[u8]> = ListEntries::new(headers.get_all("x-forwarded-proto")).rev().collect();
/// assert_eq!(right_to_left, [&b"http"[..], b"http", b"https"]);
/// ```
#[derive(Debug)]
pub struct ListEntries<'a> {
    inner: NonEmpty<'a>,
}

impl<'a> ListEntries<'a> {
    /// Walks every line of one header.
    pub fn new(lines: GetAll<'a, HeaderValue>) -> Self {
        fn is_comma(b: &u8) -> bool {
            *b == b','
        }
        fn split_line(value: &HeaderValue) -> LineSplit<'_> {
            value.as_bytes().split(is_comma as fn(&u8) -> bool)
        }
        fn non_empty(entry: &[u8]) -> Option<&[u8]> {
            let entry = trim_ows(entry);
            (!entry.is_empty()).then_some(entry)
        }
        let lines: Lines<'a> = lines
            .iter()
            .flat_map(split_line as fn(&'a HeaderValue) -> LineSplit<'a>);
        Self {
            inner: lines.filter_map(non_empty as fn(&'a [u8]) -> Option<&'a [u8]>),
        }
    }
}

impl<'a> Iterator for ListEntries<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<Self::Item> {
        self.inner.next()
    }
}

impl DoubleEndedIterator for ListEntries<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        self.inner.next_back()
    }
}

/// Trims optional whitespace (space and horizontal tab, RFC 9110 section 5.6.3).
pub(crate) fn trim_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}
