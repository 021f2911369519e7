//! The path an application is mounted under (`/app`), from configuration or
//! a trusted `X-Forwarded-Prefix`.
//!
//! # Example
//!
//! ```
//! use crocodile_base_context::BasePath;
//!
//! assert_eq!("/app/".parse::<BasePath>()?.as_str(), "/app");
//! // The root is written `/` (or left empty), and reads back as itself.
//! assert_eq!("/".parse::<BasePath>()?, BasePath::root());
//! assert_eq!("".parse::<BasePath>()?, BasePath::root());
//! assert_eq!(BasePath::root().to_string(), "/");
//! assert_eq!(BasePath::root().as_str(), "");
//! assert!("//evil.example".parse::<BasePath>().is_err());
//! let err = "app".parse::<BasePath>().unwrap_err();
//! assert_eq!(err.to_string(), r#"invalid base path "app": it must start with "/" (did you mean "/app"?)"#);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// A validated base path: the root, or `/segment(/segment)*` with no
/// trailing slash, so `home_url()` is `origin + base path + "/"`.
///
/// Segments hold RFC 3986 `pchar`s only (unreserved, sub-delims except `,`,
/// `:`, `@`, and `%` followed by two hex digits); empty, `.` and `..`
/// segments are refused, so a base path can never turn a relative URL into
/// a protocol-relative one (`//evil.example`) or climb out of the mount.
///
/// Written as text, the root is `/` ([`as_str`](Self::as_str) gives `""`,
/// what is put between the origin and the path); `""` and `/` both read as
/// the root, and `to_string().parse()` gives the value back.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct BasePath(Arc<str>);

/// Why a base path was refused: the path, and the segment or character at
/// fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BasePathError {
    input: String,
    problem: Problem,
}

/// What is wrong with a base path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    NoLeadingSlash,
    EmptySegment,
    DotSegment(String),
    BadCharacter { segment: String, character: char },
    BadPercent { segment: String },
}

impl fmt::Display for BasePathError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid base path {:?}: ", self.input)?;
        match &self.problem {
            Problem::NoLeadingSlash => {
                f.write_str("it must start with \"/\"")?;
                let slashed = format!("/{}", self.input);
                if slashed.parse::<BasePath>().is_ok() {
                    write!(f, " (did you mean {slashed:?}?)")?;
                }
                Ok(())
            }
            Problem::EmptySegment => f.write_str(
                "it has an empty segment (\"//\"), which would make URLs protocol-relative",
            ),
            Problem::DotSegment(segment) => {
                write!(
                    f,
                    "the segment {segment:?} is not allowed (no \".\" or \"..\" segments)"
                )
            }
            Problem::BadCharacter { segment, character } => write!(
                f,
                "the segment {segment:?} holds {character:?}, which a URL path segment can't; percent-encode it"
            ),
            Problem::BadPercent { segment } => write!(
                f,
                "the segment {segment:?} has a \"%\" not followed by two hex digits (write \"%25\" for a literal \"%\")"
            ),
        }
    }
}

impl std::error::Error for BasePathError {}

impl BasePath {
    /// The root: the application is mounted at `/`.
    pub fn root() -> Self {
        Self::default()
    }

    /// Whether this is the root.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// The path as it goes between the origin and a path: empty for the
    /// root, otherwise starting with `/` and not ending with one.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Validates `bytes` as a base path (a trusted `X-Forwarded-Prefix`),
    /// trimming trailing slashes; an empty value is refused.
    pub(crate) fn validate(bytes: &[u8]) -> Option<&str> {
        check(bytes).ok()
    }

    pub(crate) fn shared(&self) -> &Arc<str> {
        &self.0
    }
}

/// The base path `bytes` holds, trailing slashes trimmed, or what is wrong.
fn check(bytes: &[u8]) -> Result<&str, Problem> {
    let mut path = bytes;
    while let [rest @ .., b'/'] = path {
        path = rest;
    }
    if path.is_empty() {
        return match bytes.first() {
            Some(b'/') => Ok(""),
            _ => Err(Problem::NoLeadingSlash),
        };
    }
    let segments = path.strip_prefix(b"/").ok_or(Problem::NoLeadingSlash)?;
    for segment in segments.split(|&b| b == b'/') {
        let text = || String::from_utf8_lossy(segment).into_owned();
        match segment {
            b"" => return Err(Problem::EmptySegment),
            b"." | b".." => return Err(Problem::DotSegment(text())),
            _ => {}
        }
        check_pchars(segment).map_err(|bad| match bad {
            None => Problem::BadPercent { segment: text() },
            Some(at) => Problem::BadCharacter {
                segment: text(),
                character: String::from_utf8_lossy(&segment[at..])
                    .chars()
                    .next()
                    .unwrap_or(char::REPLACEMENT_CHARACTER),
            },
        })?;
    }
    std::str::from_utf8(path).map_err(|_| Problem::NoLeadingSlash)
}

/// `Ok` when `segment` is all `pchar`s; else `Err(Some(index))` of a
/// character that is not one, or `Err(None)` for a bad `%`.
fn check_pchars(segment: &[u8]) -> Result<(), Option<usize>> {
    let mut i = 0;
    while let Some(&b) = segment.get(i) {
        if b == b'%' {
            match segment.get(i + 1..i + 3) {
                Some([h, l]) if h.is_ascii_hexdigit() && l.is_ascii_hexdigit() => i += 3,
                _ => return Err(None),
            }
            continue;
        }
        if !(b.is_ascii_alphanumeric() || b"-._~!$&'()*+;=:@".contains(&b)) {
            return Err(Some(i));
        }
        i += 1;
    }
    Ok(())
}

impl FromStr for BasePath {
    type Err = BasePathError;

    /// Reads `/app` (trailing slashes trimmed), or `/` or `""` for the root.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Ok(Self::root());
        }
        match check(s.as_bytes()) {
            Ok(path) => Ok(Self(Arc::from(path))),
            Err(problem) => Err(BasePathError {
                input: s.to_owned(),
                problem,
            }),
        }
    }
}

impl fmt::Display for BasePath {
    /// `/app`, or `/` for the root.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            f.write_str("/")
        } else {
            f.write_str(&self.0)
        }
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
            ("", Some("")),
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

    #[test]
    fn display_round_trips() {
        for input in ["/", "", "/app", "/a/b-c", "/caf%C3%A9"] {
            let path: BasePath = input.parse().unwrap();
            assert_eq!(
                path.to_string().parse::<BasePath>().unwrap(),
                path,
                "{input:?}"
            );
        }
        assert_eq!(BasePath::root().to_string(), "/");
        assert!(BasePath::root().is_root());
    }

    #[test]
    fn errors_name_the_bad_part() {
        // (input, what the message says)
        let cases = [
            (
                "app",
                r#"invalid base path "app": it must start with "/" (did you mean "/app"?)"#,
            ),
            ("a b", r#"invalid base path "a b": it must start with "/""#),
            ("//evil.example", r#"empty segment ("//")"#),
            ("/a/../b", r#"the segment ".." is not allowed"#),
            ("/ok/a b", r#"the segment "a b" holds ' '"#),
            ("/caf\u{e9}", r#"the segment "café" holds 'é'"#),
            (
                "/100%",
                r#"the segment "100%" has a "%" not followed by two hex digits"#,
            ),
        ];
        for (input, want) in cases {
            let err = input.parse::<BasePath>().unwrap_err().to_string();
            assert!(err.contains(want), "{input:?}: {err}");
            assert!(err.contains(&format!("{input:?}")), "{input:?}: {err}");
        }
    }
}
