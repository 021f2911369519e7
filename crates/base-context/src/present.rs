//! Which of the headers a trusted proxy may write the request carries, found
//! in one pass over its header names.
//!
//! Most requests carry none or one of `X-Forwarded-Proto`, `-Host`, `-Port`,
//! `-Prefix` and the request id header. Looking each up in the `HeaderMap`
//! hashes its (custom, so byte-by-byte) name even when it is absent, about
//! 180 instructions apiece; comparing the few names a request has costs a
//! fraction of that. Only the headers found are then looked up.

use http::HeaderMap;
use http::header::HeaderName;

/// Above this many distinct names, looking the five headers up is cheaper
/// than comparing every name, so the scan reports them all present.
const MAX_SCANNED: usize = 32;

/// Whether each header may be present (`false` means surely absent).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Present {
    pub(crate) proto: bool,
    pub(crate) host: bool,
    pub(crate) port: bool,
    pub(crate) prefix: bool,
    pub(crate) request_id: bool,
}

impl Present {
    /// Every header possibly present: the caller looks each one up.
    pub(crate) const ALL: Self = Self {
        proto: true,
        host: true,
        port: true,
        prefix: true,
        request_id: true,
    };

    /// Scans `headers`' names for the `X-Forwarded-*` headers and
    /// `request_id_header`.
    pub(crate) fn scan(headers: &HeaderMap, request_id_header: &HeaderName) -> Self {
        if headers.keys_len() > MAX_SCANNED {
            return Self::ALL;
        }
        let request_id_header = request_id_header.as_str();
        let mut present = Self::default();
        // `HeaderName`s are lowercase, so plain comparisons suffice.
        for name in headers.keys().map(HeaderName::as_str) {
            // The length first: it rules out most names without a memcmp
            // (`x-forwarded-for` is 15 bytes; the four read here, 16 to 18).
            if (16..=18).contains(&name.len()) {
                match name.strip_prefix("x-forwarded-") {
                    Some("proto") => present.proto = true,
                    Some("host") => present.host = true,
                    Some("port") => present.port = true,
                    Some("prefix") => present.prefix = true,
                    _ => {}
                }
            }
            if name == request_id_header {
                present.request_id = true;
            }
        }
        present
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    fn map(names: &[&'static str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for name in names {
            let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
            headers.append(name, HeaderValue::from_static("v"));
        }
        headers
    }

    #[test]
    fn finds_what_is_there_and_nothing_else() {
        let id = HeaderName::from_static("x-request-id");
        assert_eq!(Present::scan(&map(&[]), &id), Present::default());
        let none = map(&[
            "host",
            "x-forwarded-for",
            "x-forwarded-protocol",
            "x-request",
        ]);
        assert_eq!(Present::scan(&none, &id), Present::default());
        let all = map(&[
            "X-Forwarded-Proto",
            "x-forwarded-host",
            "x-forwarded-port",
            "x-forwarded-prefix",
            "X-Request-Id",
        ]);
        assert_eq!(Present::scan(&all, &id), Present::ALL);
        let some = map(&["x-forwarded-host", "x-forwarded-host", "accept"]);
        let want = Present {
            host: true,
            ..Present::default()
        };
        assert_eq!(Present::scan(&some, &id), want);
        let custom = HeaderName::from_static("x-correlation-id");
        let found = Present::scan(&map(&["x-correlation-id"]), &custom);
        assert!(found.request_id);
        assert!(!Present::scan(&map(&["x-correlation-id"]), &id).request_id);
    }

    #[test]
    fn many_headers_are_looked_up_instead() {
        let mut headers = HeaderMap::new();
        for i in 0..=MAX_SCANNED {
            let name = HeaderName::from_bytes(format!("x-h{i}").as_bytes()).unwrap();
            headers.insert(name, HeaderValue::from_static("v"));
        }
        let id = HeaderName::from_static("x-request-id");
        assert_eq!(Present::scan(&headers, &id), Present::ALL);
    }
}
