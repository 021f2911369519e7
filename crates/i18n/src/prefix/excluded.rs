//! [`ExcludedPaths`]: the paths redirect mode never sends to a locale prefix.

use std::fmt;
use std::str::FromStr;

use crate::ConfigError;
use crate::config::{parse_list, write_list};

/// Paths that [`LocalePrefixLayer::redirect`](super::LocalePrefixLayer::redirect)
/// never redirects: health checks, static assets, APIs.
///
/// Parsed from a comma-separated list such as `/health,/static,/favicon.ico`
/// (spaces around items are allowed; an empty string is an empty list). An
/// item covers itself and everything under it, on segment boundaries:
/// `/static` excludes `/static`, `/static/` and `/static/app.css`, not
/// `/statics`. Items are compared byte for byte with the path the router
/// sees (the prefix removed, percent-encoding as sent), as axum's routes are.
///
/// ```
/// use crocodile_i18n::prefix::ExcludedPaths;
///
/// let paths: ExcludedPaths = "/health, /static".parse().unwrap();
/// assert!(paths.excludes("/static/app.css"));
/// assert!(!paths.excludes("/statics"));
/// assert_eq!(paths.to_string(), "/health,/static");
/// let error = "/static/".parse::<ExcludedPaths>().unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     r#"invalid excluded path "/static/": drop the trailing `/` (`/static` covers everything under it)"#
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ExcludedPaths(Vec<Box<str>>);

impl ExcludedPaths {
    /// No excluded path (the default).
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether `path` is one of the items or lies under one.
    pub fn excludes(&self, path: &str) -> bool {
        self.0.iter().any(|item| {
            path.strip_prefix(&**item)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
        })
    }

    /// The items, in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.0.iter().map(|item| &**item)
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl FromStr for ExcludedPaths {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const SETTING: &str = "excluded path";
        let check = |item: &str| {
            let hint = if item.contains("://") {
                "a URL where a path was expected; write the path alone (`/health`)"
            } else if !item.starts_with('/') {
                "a path starts with `/` (`/health`, `/static`)"
            } else if item == "/" {
                "`/` would exclude every path; leave redirects off instead"
            } else if item.ends_with('/') {
                "drop the trailing `/` (`/static` covers everything under it)"
            } else if item.contains([' ', '\t']) {
                "separate paths with commas (`/health,/static`)"
            } else if !item.bytes().all(is_path_byte) {
                "a path holds no `?`, `#`, `*`, quotes, spaces or non-ASCII bytes (percent-encode them)"
            } else {
                return Ok(Box::<str>::from(item));
            };
            Err(ConfigError::new(SETTING, item, hint))
        };
        parse_list(s, SETTING, "listed twice; name each path once", check).map(Self)
    }
}

impl fmt::Display for ExcludedPaths {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, self.iter())
    }
}

/// RFC 3986 `pchar` and `/`: what a path as sent can hold (with `%` for
/// percent-encoded bytes), except `,`, which separates items here.
fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~!$&'()+;=:@/%".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_display_and_round_trip() {
        // (input, Ok(display) | Err(message))
        let rows: &[(&str, Result<&str, &str>)] = &[
            ("", Ok("")),
            ("  ", Ok("")),
            ("/health", Ok("/health")),
            (
                " /health , /static,/favicon.ico",
                Ok("/health,/static,/favicon.ico"),
            ),
            ("/a%20b", Ok("/a%20b")),
            (
                "/health,",
                Err(r#"invalid excluded path "": empty item; remove the extra comma"#),
            ),
            (
                "health",
                Err(
                    r#"invalid excluded path "health": a path starts with `/` (`/health`, `/static`)"#,
                ),
            ),
            (
                "https://example.com/health",
                Err(
                    r#"invalid excluded path "https://example.com/health": a URL where a path was expected; write the path alone (`/health`)"#,
                ),
            ),
            (
                "/",
                Err(
                    r#"invalid excluded path "/": `/` would exclude every path; leave redirects off instead"#,
                ),
            ),
            (
                "/health /static",
                Err(
                    r#"invalid excluded path "/health /static": separate paths with commas (`/health,/static`)"#,
                ),
            ),
            (
                "/static/*",
                Err(
                    r#"invalid excluded path "/static/*": a path holds no `?`, `#`, `*`, quotes, spaces or non-ASCII bytes (percent-encode them)"#,
                ),
            ),
            (
                "/a?b",
                Err(
                    r#"invalid excluded path "/a?b": a path holds no `?`, `#`, `*`, quotes, spaces or non-ASCII bytes (percent-encode them)"#,
                ),
            ),
            (
                "/a,/b,/a",
                Err(r#"invalid excluded path "/a": listed twice; name each path once"#),
            ),
        ];
        for (input, expected) in rows {
            match (input.parse::<ExcludedPaths>(), expected) {
                (Ok(paths), Ok(display)) => {
                    assert_eq!(paths.to_string(), *display, "{input:?}");
                    assert_eq!(paths.to_string().parse::<ExcludedPaths>(), Ok(paths));
                }
                (Err(error), Err(message)) => assert_eq!(error.to_string(), *message, "{input:?}"),
                (got, _) => panic!("{input:?}: got {got:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn an_item_covers_the_paths_under_it() {
        let paths: ExcludedPaths = "/static,/messages,/favicon.ico".parse().unwrap();
        // (path, excluded)
        for (path, excluded) in [
            ("/static", true),
            ("/static/", true),
            ("/static/css/app.css", true),
            ("/statics", false),
            ("/messages/hello", true),
            ("/favicon.ico", true),
            ("/favicon.ico.bak", false),
            ("/", false),
            ("/Static", false), // paths are case-sensitive
            ("/%73tatic", false),
            ("", false),
        ] {
            assert_eq!(paths.excludes(path), excluded, "{path:?}");
        }
        assert!(!ExcludedPaths::new().excludes("/static"));
    }
}
