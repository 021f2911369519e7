//! The path an application is mounted under (`/app`), from configuration or
//! a trusted `X-Forwarded-Prefix`.
//!
//! # Example
//!
//! ```
//! use crocodile_base_context::BasePath;
//!
//! assert_eq!("/app/".parse::<BasePath>()?.as_str(), "/app");
//! assert_eq!("/".parse::<BasePath>()?.as_str(), "");
//! assert!("//evil.example".parse::<BasePath>().is_err());
//! assert!("app".parse::<BasePath>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// A validated base path: empty (the root) or `/segment(/segment)*` with no
/// trailing slash, so `home_url()` is `origin + base path + "/"`.
///
/// Segments hold RFC 3986 `pchar`s only (unreserved, sub-delims except `,`,
/// `:`, `@`, and `%` followed by two hex digits); empty, `.` and `..`
/// segments are refused, so a base path can never turn a relative URL into
/// a protocol-relative one (`//evil.example`) or climb out of the mount.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BasePath(Arc<str>);

/// Why a base path was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasePathError {
    input: String,
}

impl fmt::Display for BasePathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid base path {:?}: expected `/segment/...` of URL path characters, \
             without empty, `.` or `..` segments",
            self.input
        )
    }
}

impl std::error::Error for BasePathError {}

impl BasePath {
    /// The root: an empty base path.
    pub fn root() -> Self {
        Self::default()
    }

    /// The path, empty for the root, otherwise starting with `/` and not
    /// ending with one.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Validates `bytes` as a base path, trimming trailing slashes.
    pub(crate) fn validate(bytes: &[u8]) -> Option<&str> {
        let mut path = bytes;
        while let [rest @ .., b'/'] = path {
            path = rest;
        }
        if path.is_empty() {
            return (bytes.first() == Some(&b'/')).then_some("");
        }
        let segments = path.strip_prefix(b"/")?;
        for segment in segments.split(|&b| b == b'/') {
            if matches!(segment, b"" | b"." | b"..") || !is_pchars(segment) {
                return None;
            }
        }
        std::str::from_utf8(path).ok()
    }

    pub(crate) fn shared(&self) -> &Arc<str> {
        &self.0
    }
}

fn is_pchars(segment: &[u8]) -> bool {
    let mut i = 0;
    while let Some(&b) = segment.get(i) {
        if b == b'%' {
            match segment.get(i + 1..i + 3) {
                Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => i += 3,
                _ => return false,
            }
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~!$&'()*+;=:@".contains(&b)) {
            return false;
        }
        i += 1;
    }
    true
}

impl FromStr for BasePath {
    type Err = BasePathError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match Self::validate(s.as_bytes()) {
            Some(path) => Ok(Self(Arc::from(path))),
            None => Err(BasePathError {
                input: s.to_owned(),
            }),
        }
    }
}

impl fmt::Display for BasePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_table() {
        // werkzeug `ProxyFix` strips the trailing slash of X-Forwarded-Prefix;
        // the refusals keep a prefix from escaping its origin or its mount.
        let cases: &[(&str, Option<&str>)] = &[
            ("/", Some("")),
            ("///", Some("")),
            ("/app", Some("/app")),
            ("/app/", Some("/app")),
            ("/a/b-c/d.e", Some("/a/b-c/d.e")),
            ("/caf%C3%A9", Some("/caf%C3%A9")),
            ("/v1;x=y/@me:1", Some("/v1;x=y/@me:1")),
            ("", None),
            ("app", None),
            ("//evil.example", None),
            ("/a//b", None),
            ("/a/../b", None),
            ("/./a", None),
            ("/a b", None),
            ("/a?b", None),
            ("/a#b", None),
            ("/a,b", None),
            ("/100%", None),
            ("/%zz", None),
            ("/caf\u{e9}", None),
            ("/a\\b", None),
            ("https://evil.example/", None),
        ];
        for (input, want) in cases {
            let got = input.parse::<BasePath>().ok();
            assert_eq!(got.as_ref().map(BasePath::as_str), *want, "{input:?}");
        }
    }
}
