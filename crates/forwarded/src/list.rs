//! Comma-separated header lists (RFC 9110 section 5.6.1) across every line of
//! a header, walked in either direction without allocating.

use http::header::{GetAll, HeaderValue, ValueIter};

use crate::rfc9110::trim_ows;

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
    lines: ValueIter<'a, HeaderValue>,
    /// What is left of the line being read from the front.
    front: &'a [u8],
    /// What is left of the line being read from the back.
    back: &'a [u8],
}

impl<'a> ListEntries<'a> {
    /// Walks every line of one header.
    pub fn new(lines: GetAll<'a, HeaderValue>) -> Self {
        Self {
            lines: lines.iter(),
            front: &[],
            back: &[],
        }
    }
}

impl<'a> Iterator for ListEntries<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(entry) = take_first(&mut self.front) {
                return Some(entry);
            }
            match self.lines.next() {
                Some(line) => self.front = line.as_bytes(),
                // The back end may hold the rest of the last line.
                None => return take_first(&mut self.back),
            }
        }
    }
}

impl DoubleEndedIterator for ListEntries<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(entry) = take_last(&mut self.back) {
                return Some(entry);
            }
            match self.lines.next_back() {
                Some(line) => self.back = line.as_bytes(),
                None => return take_last(&mut self.front),
            }
        }
    }
}

/// Removes and returns the first non-empty element of `rest`.
fn take_first<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    while !rest.is_empty() {
        let (entry, tail) = match rest.iter().position(|&b| b == b',') {
            Some(comma) => (&rest[..comma], &rest[comma + 1..]),
            None => (*rest, &[][..]),
        };
        *rest = tail;
        let entry = trim_ows(entry);
        if !entry.is_empty() {
            return Some(entry);
        }
    }
    None
}

/// Removes and returns the last non-empty element of `rest`.
pub(crate) fn take_last<'a>(rest: &mut &'a [u8]) -> Option<&'a [u8]> {
    while !rest.is_empty() {
        let (head, entry) = match rest.iter().rposition(|&b| b == b',') {
            Some(comma) => (&rest[..comma], &rest[comma + 1..]),
            None => (&[][..], *rest),
        };
        *rest = head;
        let entry = trim_ows(entry);
        if !entry.is_empty() {
            return Some(entry);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderMap;

    fn map(lines: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for line in lines {
            map.append("x-list", HeaderValue::from_str(line).unwrap());
        }
        map
    }

    #[test]
    fn both_ends_meet_in_the_middle_without_losing_or_repeating() {
        let lines: &[&[&str]] = &[
            &["a, b, c"],
            &["a", "b", "c"],
            &["a,b", ",,", "c , d", ""],
            &[" , a ,, b , "],
            &[],
            &["", " ", ","],
        ];
        for lines in lines {
            let map = map(lines);
            let forward: Vec<&[u8]> = ListEntries::new(map.get_all("x-list")).collect();
            let mut backward: Vec<&[u8]> = ListEntries::new(map.get_all("x-list")).rev().collect();
            backward.reverse();
            assert_eq!(forward, backward, "{lines:?}");
            // Alternate ends: every entry exactly once, in place.
            for split in 0..=forward.len() {
                let mut entries = ListEntries::new(map.get_all("x-list"));
                let head: Vec<&[u8]> = entries.by_ref().take(split).collect();
                let mut tail: Vec<&[u8]> = entries.rev().collect();
                tail.reverse();
                let joined: Vec<&[u8]> = head.into_iter().chain(tail).collect();
                assert_eq!(joined, forward, "{lines:?} split at {split}");
            }
        }
    }
}
