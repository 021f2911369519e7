//! Finding a requested locale in the query string, a cookie or the path.
//!
//! All three borrow from the request: nothing is allocated or decoded. A
//! value that is not a plain language tag simply does not match a catalog
//! locale.

use http::header::{ACCEPT_LANGUAGE, COOKIE};
use http::{HeaderMap, HeaderValue};

/// The value of the first `name=value` pair of `query` named `name`.
pub(crate) fn query_value<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (key == name && !value.is_empty()).then_some(value)
    })
}

/// The `Accept-Language` lines of a request.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Lines<'a> {
    None,
    /// Exactly one (every browser's case): the cache's key.
    One(&'a HeaderValue),
    Several,
}

/// The two headers negotiation reads from every request, found by one pass
/// over its few headers: two `HeaderMap` lookups (hash, probe, compare)
/// cost more than comparing the names of a typical request's handful, and
/// most requests have no `Cookie` at all.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scanned<'a> {
    pub(crate) cookie: bool,
    pub(crate) accept_language: Lines<'a>,
}

impl<'a> Scanned<'a> {
    /// Above this many header lines, two lookups are cheaper than the pass.
    const MAX_SCANNED: usize = 32;

    pub(crate) fn scan(headers: &'a HeaderMap) -> Self {
        if headers.len() > Self::MAX_SCANNED {
            let mut lines = headers.get_all(ACCEPT_LANGUAGE).iter();
            return Self {
                cookie: headers.contains_key(COOKIE),
                accept_language: match (lines.next(), lines.next()) {
                    (None, _) => Lines::None,
                    (Some(value), None) => Lines::One(value),
                    (Some(_), Some(_)) => Lines::Several,
                },
            };
        }
        let mut scanned = Self {
            cookie: false,
            accept_language: Lines::None,
        };
        for (name, value) in headers {
            if name == ACCEPT_LANGUAGE {
                scanned.accept_language = match scanned.accept_language {
                    Lines::None => Lines::One(value),
                    _ => Lines::Several,
                };
            } else if name == COOKIE {
                scanned.cookie = true;
            }
        }
        scanned
    }
}

/// The value of the first cookie named `name` (RFC 6265 section 5.4 order),
/// without surrounding double quotes.
pub(crate) fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    // Plain loops: most requests have no `Cookie` header, and an iterator
    // adapter chain costs more to set up than the lookup's miss.
    for value in headers.get_all(COOKIE) {
        let Ok(value) = value.to_str() else { continue };
        if let Some(found) = value.split(';').find_map(|pair| cookie_pair(pair, name)) {
            return Some(found);
        }
    }
    None
}

/// The value of one `name=value` cookie pair when it is named `name`.
fn cookie_pair<'a>(pair: &'a str, name: &str) -> Option<&'a str> {
    let (key, value) = pair.trim().split_once('=')?;
    let value = value.trim();
    let value = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value);
    (key.trim() == name && !value.is_empty()).then_some(value)
}

/// Splits `/<first>/<rest>` into `<first>` and `/<rest>` (empty when the path
/// is just `/<first>`).
pub(crate) fn first_segment(path: &str) -> Option<(&str, &str)> {
    let path = path.strip_prefix('/')?;
    let end = path.find('/').unwrap_or(path.len());
    let (segment, rest) = path.split_at(end);
    (!segment.is_empty()).then_some((segment, rest))
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn query_value_takes_the_first_named_pair() {
        assert_eq!(query_value("a=1&lang=fr&lang=de", "lang"), Some("fr"));
        assert_eq!(query_value("language=fr", "lang"), None);
        assert_eq!(query_value("lang=&lang=de", "lang"), Some("de"));
        assert_eq!(query_value("lang", "lang"), None);
    }

    #[test]
    fn cookie_value_reads_every_cookie_header() {
        let mut headers = HeaderMap::new();
        headers.append(COOKIE, HeaderValue::from_static("a=1; b=2"));
        headers.append(COOKIE, HeaderValue::from_static("xlang=x; lang=\"fr\""));
        assert_eq!(cookie_value(&headers, "lang"), Some("fr"));
        assert_eq!(cookie_value(&headers, "b"), Some("2"));
        assert_eq!(cookie_value(&headers, "c"), None);
    }

    #[test]
    fn first_segment_splits_the_path() {
        assert_eq!(first_segment("/fr/about"), Some(("fr", "/about")));
        assert_eq!(first_segment("/fr"), Some(("fr", "")));
        assert_eq!(first_segment("/fr/"), Some(("fr", "/")));
        assert_eq!(first_segment("/"), None);
        assert_eq!(first_segment("//x"), None);
    }
}
