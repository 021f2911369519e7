//! Validated settings of [`I18nLayer`](crate::I18nLayer): cookie attributes,
//! `SameSite` and the list of locale sources, each parsed from a string.
//!
//! Every type here implements `FromStr` and `Display`, and
//! `value.to_string().parse()` gives `value` back, so a deployment can set
//! them from the environment. A bad value is refused where the string is
//! parsed, with a [`ConfigError`] that names the bad item and the fix; the
//! layer's builder methods then take the checked value and cannot fail.
//!
//! # Example
//! ```
//! use crocodile_i18n::{Catalog, CookieDomain, CookieName, I18nLayer, LocaleSources, SameSite};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let catalog = Catalog::builder().default_locale("en").source("en", "m.ftl", "hi = Hi").build()?;
//! let sources: LocaleSources = "query, path, accept-language".parse()?;
//! assert_eq!(sources.to_string(), "query,path,accept-language");
//! let layer = I18nLayer::new(catalog)
//!     .sources(sources)
//!     .cookie_name("locale".parse::<CookieName>()?)
//!     .cookie_domain(Some("example.com".parse::<CookieDomain>()?))
//!     .cookie_same_site(Some("strict".parse::<SameSite>()?));
//! # drop(layer);
//!
//! // Errors name the bad item and say how to fix it.
//! let error = "query cookie".parse::<LocaleSources>().unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     r#"invalid locale source "query cookie": separate sources with commas (`query,cookie,accept-language`)"#
//! );
//! let error = "https://example.com".parse::<CookieDomain>().unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     r#"invalid cookie domain "https://example.com": a URL where a domain was expected; write the host alone (`example.com`)"#
//! );
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::str::FromStr;

use crate::LocaleSource;

/// A setting of the i18n layer was not valid: names the setting, the bad
/// item and the fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    setting: &'static str,
    value: String,
    hint: &'static str,
}

impl ConfigError {
    pub(crate) fn new(setting: &'static str, value: &str, hint: &'static str) -> Self {
        Self {
            setting,
            value: value.to_owned(),
            hint,
        }
    }

    /// Which setting was refused (`cookie name`, `locale source`...).
    pub fn setting(&self) -> &'static str {
        self.setting
    }

    /// The bad item, as given (one item of a list, not the whole list).
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid {} {:?}: {}",
            self.setting, self.value, self.hint
        )
    }
}

impl std::error::Error for ConfigError {}

/// Implements `TryFrom<&str>` and `TryFrom<String>` through `FromStr`.
macro_rules! try_from_str {
    ($ty:ty) => {
        impl TryFrom<&str> for $ty {
            type Error = ConfigError;

            fn try_from(value: &str) -> Result<Self, Self::Error> {
                value.parse()
            }
        }

        impl TryFrom<String> for $ty {
            type Error = ConfigError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }
    };
}
pub(crate) use try_from_str;

/// The name of the language cookie: an RFC 6265 cookie name (an HTTP
/// token, RFC 9110 section 5.6.2). The default is `lang`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CookieName(Box<str>);

impl CookieName {
    /// The name as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CookieName {
    fn default() -> Self {
        Self("lang".into())
    }
}

impl FromStr for CookieName {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const SETTING: &str = "cookie name";
        if s.is_empty() {
            return Err(ConfigError::new(
                SETTING,
                s,
                "a cookie name cannot be empty (the default is `lang`)",
            ));
        }
        if !s.bytes().all(is_tchar) {
            return Err(ConfigError::new(
                SETTING,
                s,
                "a cookie name is letters, digits and `!#$%&'*+-.^_`|~`, without spaces, `=`, `;` or quotes",
            ));
        }
        Ok(Self(s.into()))
    }
}

impl fmt::Display for CookieName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

try_from_str!(CookieName);

/// The language cookie's `Path` attribute: starts with `/` and holds no `;`
/// or control character (RFC 6265 section 4.1.1 `path-value`). The default
/// is `/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CookiePath(Box<str>);

impl CookiePath {
    /// The path as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for CookiePath {
    fn default() -> Self {
        Self("/".into())
    }
}

impl FromStr for CookiePath {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const SETTING: &str = "cookie path";
        if !s.bytes().all(is_attribute_byte) {
            return Err(ConfigError::new(
                SETTING,
                s,
                "a cookie path cannot hold `;`, control characters or non-ASCII bytes",
            ));
        }
        if !s.starts_with('/') {
            // RFC 6265 section 5.2.4: browsers ignore such a path.
            return Err(ConfigError::new(
                SETTING,
                s,
                "a cookie path starts with `/` (for example `/` or `/app`)",
            ));
        }
        Ok(Self(s.into()))
    }
}

impl fmt::Display for CookiePath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

try_from_str!(CookiePath);

/// The language cookie's `Domain` attribute: a host name (`example.com`,
/// optionally with RFC 6265's ignored leading dot) of letters, digits, `-`
/// and `.`. Without one (the default) the cookie is host-only.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CookieDomain(Box<str>);

impl CookieDomain {
    /// The domain as a string.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for CookieDomain {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const SETTING: &str = "cookie domain";
        if s.contains("://") {
            return Err(ConfigError::new(
                SETTING,
                s,
                "a URL where a domain was expected; write the host alone (`example.com`)",
            ));
        }
        let host = s.strip_prefix('.').unwrap_or(s);
        let valid = !host.is_empty()
            && host.len() <= 253
            && host.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && label
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            });
        if !valid {
            return Err(ConfigError::new(
                SETTING,
                s,
                "a cookie domain is a host name such as `example.com`, without port, path or spaces",
            ));
        }
        Ok(Self(s.into()))
    }
}

impl fmt::Display for CookieDomain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

try_from_str!(CookieDomain);

/// The `SameSite` attribute of the language cookie.
///
/// Parses `strict`, `lax` and `none` in any case; displays as written in
/// the cookie (`Strict`, `Lax`, `None`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax` (the default).
    Lax,
    /// `SameSite=None` (browsers then require `Secure`).
    None,
}

impl SameSite {
    /// The attribute's value: `Strict`, `Lax` or `None`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Strict => "Strict",
            Self::Lax => "Lax",
            Self::None => "None",
        }
    }
}

impl FromStr for SameSite {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Strict, Self::Lax, Self::None]
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| ConfigError::new("SameSite", s, "expected `Strict`, `Lax` or `None`"))
    }
}

impl fmt::Display for SameSite {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

try_from_str!(SameSite);

impl FromStr for LocaleSource {
    type Err = ConfigError;

    /// Parses the names [`LocaleSource::as_str`] gives (`query`, `cookie`,
    /// `path`, `accept-language`, `default`), in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const ALL: [LocaleSource; 5] = [
            LocaleSource::Query,
            LocaleSource::Cookie,
            LocaleSource::Path,
            LocaleSource::AcceptLanguage,
            LocaleSource::Default,
        ];
        if let Some(source) = ALL.into_iter().find(|v| v.as_str().eq_ignore_ascii_case(s)) {
            return Ok(source);
        }
        let hint = if s.trim().contains([' ', '\t']) {
            "separate sources with commas (`query,cookie,accept-language`)"
        } else {
            "expected `query`, `cookie`, `path`, `accept-language` or `default`"
        };
        Err(ConfigError::new("locale source", s, hint))
    }
}

try_from_str!(LocaleSource);

/// The sources an [`I18nLayer`](crate::I18nLayer) asks, in order, as
/// configured from a string: `query,cookie,path,accept-language`.
///
/// Items are separated by commas (spaces around them are allowed); a source
/// may appear once. An empty string is an empty list: only the default
/// locale. Pass it to [`I18nLayer::sources`](crate::I18nLayer::sources).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct LocaleSources(Vec<LocaleSource>);

impl LocaleSources {
    /// The sources, in order.
    pub fn as_slice(&self) -> &[LocaleSource] {
        &self.0
    }
}

impl Default for LocaleSources {
    /// The layer's default order: `query,cookie,accept-language`.
    fn default() -> Self {
        Self(vec![
            LocaleSource::Query,
            LocaleSource::Cookie,
            LocaleSource::AcceptLanguage,
        ])
    }
}

impl FromStr for LocaleSources {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_list(
            s,
            "locale source",
            "listed twice; name each source once",
            str::parse,
        )
        .map(Self)
    }
}

impl fmt::Display for LocaleSources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, self.0.iter().copied().map(LocaleSource::as_str))
    }
}

/// The comma lists of settings (`LocaleSources`, `PseudoLocales`,
/// `ExcludedPaths`): spaces around items are allowed and an empty string is
/// an empty list; an empty item, or one `parse` refuses, or one given twice
/// (`twice` is that hint) is an error naming it.
pub(crate) fn parse_list<T: PartialEq>(
    s: &str,
    setting: &'static str,
    twice: &'static str,
    mut parse: impl FnMut(&str) -> Result<T, ConfigError>,
) -> Result<Vec<T>, ConfigError> {
    let mut list = Vec::new();
    if s.trim().is_empty() {
        return Ok(list);
    }
    for item in s.split(',').map(str::trim) {
        if item.is_empty() {
            return Err(ConfigError::new(
                setting,
                item,
                "empty item; remove the extra comma",
            ));
        }
        let parsed = parse(item)?;
        if list.contains(&parsed) {
            return Err(ConfigError::new(setting, item, twice));
        }
        list.push(parsed);
    }
    Ok(list)
}

/// Writes a list as [`parse_list`] reads it: the items joined by `,`.
pub(crate) fn write_list<'a>(
    f: &mut fmt::Formatter<'_>,
    items: impl IntoIterator<Item = &'a str>,
) -> fmt::Result {
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            f.write_str(",")?;
        }
        f.write_str(item)?;
    }
    Ok(())
}

try_from_str!(LocaleSources);

impl FromIterator<LocaleSource> for LocaleSources {
    /// Collects sources in order, dropping repeats.
    fn from_iter<I: IntoIterator<Item = LocaleSource>>(iter: I) -> Self {
        Self(without_repeats(iter))
    }
}

/// The items in order, each kept the first time it comes: what collecting a
/// comma-list setting from an iterator does (a few items, so a linear scan).
pub(crate) fn without_repeats<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut list = Vec::new();
    for item in items {
        if !list.contains(&item) {
            list.push(item);
        }
    }
    list
}

impl IntoIterator for LocaleSources {
    type Item = LocaleSource;
    type IntoIter = std::vec::IntoIter<LocaleSource>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a LocaleSources {
    type Item = LocaleSource;
    type IntoIter = std::iter::Copied<std::slice::Iter<'a, LocaleSource>>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter().copied()
    }
}

/// RFC 9110 section 5.6.2 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// RFC 6265 section 4.1.1 `av-octet` as this crate accepts it: printable
/// ASCII (space included) except `;`.
fn is_attribute_byte(b: u8) -> bool {
    (0x20..0x7f).contains(&b) && b != b';'
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `(input, Ok(display) | Err(error message))`: parsing, and the
    /// `to_string().parse()` round trip of every value that parses.
    fn check<T>(rows: &[(&str, Result<&str, &str>)])
    where
        T: FromStr<Err = ConfigError> + fmt::Display + fmt::Debug + PartialEq,
    {
        for (input, expected) in rows {
            let parsed = input.parse::<T>();
            match (&parsed, expected) {
                (Ok(value), Ok(display)) => {
                    assert_eq!(value.to_string(), *display, "{input:?}");
                    assert_eq!(&value.to_string().parse::<T>().unwrap(), value, "{input:?}");
                }
                (Err(error), Err(message)) => assert_eq!(error.to_string(), *message, "{input:?}"),
                _ => panic!("{input:?}: got {parsed:?}, expected {expected:?}"),
            }
        }
    }

    #[test]
    fn cookie_names_are_tokens() {
        check::<CookieName>(&[
            ("lang", Ok("lang")),
            ("__Host-lang", Ok("__Host-lang")),
            (
                "a b",
                Err(
                    "invalid cookie name \"a b\": a cookie name is letters, digits and `!#$%&'*+-.^_`|~`, without spaces, `=`, `;` or quotes",
                ),
            ),
            (
                "a=b",
                Err(
                    "invalid cookie name \"a=b\": a cookie name is letters, digits and `!#$%&'*+-.^_`|~`, without spaces, `=`, `;` or quotes",
                ),
            ),
            (
                "",
                Err(
                    "invalid cookie name \"\": a cookie name cannot be empty (the default is `lang`)",
                ),
            ),
        ]);
        assert_eq!(CookieName::default().as_str(), "lang");
    }

    #[test]
    fn cookie_paths_start_with_a_slash_and_hold_no_semicolon() {
        check::<CookiePath>(&[
            ("/", Ok("/")),
            ("/app", Ok("/app")),
            ("/a b", Ok("/a b")),
            (
                "/; Secure",
                Err(
                    "invalid cookie path \"/; Secure\": a cookie path cannot hold `;`, control characters or non-ASCII bytes",
                ),
            ),
            (
                "/\n",
                Err(
                    "invalid cookie path \"/\\n\": a cookie path cannot hold `;`, control characters or non-ASCII bytes",
                ),
            ),
            (
                "app",
                Err(
                    "invalid cookie path \"app\": a cookie path starts with `/` (for example `/` or `/app`)",
                ),
            ),
            (
                "",
                Err(
                    "invalid cookie path \"\": a cookie path starts with `/` (for example `/` or `/app`)",
                ),
            ),
        ]);
    }

    #[test]
    fn cookie_domains_are_host_names() {
        const NOT_A_HOST: &str =
            "a cookie domain is a host name such as `example.com`, without port, path or spaces";
        check::<CookieDomain>(&[
            ("example.com", Ok("example.com")),
            (".example.com", Ok(".example.com")),
            ("localhost", Ok("localhost")),
            (
                "https://example.com",
                Err(
                    "invalid cookie domain \"https://example.com\": a URL where a domain was expected; write the host alone (`example.com`)",
                ),
            ),
            (
                "example.com:8080",
                Err(&format!(
                    "invalid cookie domain \"example.com:8080\": {NOT_A_HOST}"
                )),
            ),
            (
                "example.com/app",
                Err(&format!(
                    "invalid cookie domain \"example.com/app\": {NOT_A_HOST}"
                )),
            ),
            (
                "a b.com",
                Err(&format!("invalid cookie domain \"a b.com\": {NOT_A_HOST}")),
            ),
            (
                "example..com",
                Err(&format!(
                    "invalid cookie domain \"example..com\": {NOT_A_HOST}"
                )),
            ),
            (
                "",
                Err(&format!("invalid cookie domain \"\": {NOT_A_HOST}")),
            ),
            (
                ".",
                Err(&format!("invalid cookie domain \".\": {NOT_A_HOST}")),
            ),
        ]);
    }

    #[test]
    fn same_site_parses_in_any_case_and_displays_as_in_the_cookie() {
        check::<SameSite>(&[
            ("Strict", Ok("Strict")),
            ("lax", Ok("Lax")),
            ("NONE", Ok("None")),
            (
                "relaxed",
                Err("invalid SameSite \"relaxed\": expected `Strict`, `Lax` or `None`"),
            ),
            (
                "",
                Err("invalid SameSite \"\": expected `Strict`, `Lax` or `None`"),
            ),
        ]);
    }

    #[test]
    fn locale_sources_parse_by_name() {
        check::<LocaleSource>(&[
            ("query", Ok("query")),
            ("Cookie", Ok("cookie")),
            ("path", Ok("path")),
            ("accept-language", Ok("accept-language")),
            ("default", Ok("default")),
            (
                "header",
                Err(
                    "invalid locale source \"header\": expected `query`, `cookie`, `path`, `accept-language` or `default`",
                ),
            ),
        ]);
    }

    #[test]
    fn locale_source_lists_are_comma_separated() {
        check::<LocaleSources>(&[
            (
                "query,cookie,path,accept-language",
                Ok("query,cookie,path,accept-language"),
            ),
            (" accept-language , cookie ", Ok("accept-language,cookie")),
            ("", Ok("")),
            (
                "query cookie",
                Err(
                    "invalid locale source \"query cookie\": separate sources with commas (`query,cookie,accept-language`)",
                ),
            ),
            (
                "query,,cookie",
                Err("invalid locale source \"\": empty item; remove the extra comma"),
            ),
            (
                "query,cookie,query",
                Err("invalid locale source \"query\": listed twice; name each source once"),
            ),
            (
                "query,headers",
                Err(
                    "invalid locale source \"headers\": expected `query`, `cookie`, `path`, `accept-language` or `default`",
                ),
            ),
        ]);
        assert_eq!(
            LocaleSources::default().to_string(),
            "query,cookie,accept-language"
        );
        let collected: LocaleSources =
            [LocaleSource::Path, LocaleSource::Query, LocaleSource::Path]
                .into_iter()
                .collect();
        assert_eq!(
            collected.as_slice(),
            [LocaleSource::Path, LocaleSource::Query]
        );
    }

    #[test]
    fn try_from_agrees_with_from_str() {
        assert_eq!(CookieName::try_from("x").unwrap(), "x".parse().unwrap());
        assert_eq!(
            SameSite::try_from(String::from("lax")).unwrap(),
            SameSite::Lax
        );
        let error = CookiePath::try_from("x").unwrap_err();
        assert_eq!((error.setting(), error.value()), ("cookie path", "x"));
    }
}
