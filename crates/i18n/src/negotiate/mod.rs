//! Locale negotiation: which catalog locale a request gets, and why.
//!
//! The [`I18nLayer`](crate::I18nLayer) asks its [`LocaleSource`]s in order;
//! the first that names a locale the catalog can serve decides. A requested
//! locale the catalog lacks is ignored (the next source decides), never an
//! error. [`Catalog::negotiate`] and [`Catalog::lookup`] expose the same rules
//! without HTTP.
//!
//! `Accept-Language` follows RFC 9110 section 12.5.4 and RFC 4647: ranges are
//! tried by weight (ties keep header order; at equal weight a specific range
//! beats `*`); `q=0` excludes the locales a range matches, unless a more
//! specific positive range matches them; `*` admits the default locale (or,
//! if that is excluded, the first catalog locale that is not). Each range
//! falls back by region and script: see [`Catalog::lookup`].
//!
//! # Example
//! ```
//! use crocodile_i18n::Catalog;
//!
//! let catalog = Catalog::builder()
//!     .default_locale("en")
//!     .source("en", "m.ftl", "hi = Hi")
//!     .source("fr", "m.ftl", "hi = Salut")
//!     .source("zh-Hant", "m.ftl", "hi = 你好")
//!     .build()
//!     .unwrap();
//! assert_eq!(catalog.negotiate("de, fr-CA;q=0.8, en;q=0.5"), Some("fr"));
//! assert_eq!(catalog.negotiate("zh-TW"), Some("zh-Hant"));
//! assert_eq!(catalog.negotiate("*, en;q=0"), Some("fr"));
//! assert_eq!(catalog.negotiate("de"), None); // the layer then uses the default
//! assert_eq!(catalog.lookup("FR-be"), Some("fr"));
//! ```

pub(crate) mod accept_language;
pub(crate) mod cache;
mod matching;
pub(crate) mod sources;

use std::fmt;

use unic_langid::LanguageIdentifier;

use crate::Catalog;
use accept_language::AcceptLanguage;
pub use accept_language::MAX_RANGES;
use matching::{lookup, range_matches, specificity};

/// Where a request's locale came from; also the configurable sources of
/// [`I18nLayer::sources`](crate::I18nLayer::sources).
///
/// Displays as, and parses from, [`as_str`](Self::as_str)'s names; a list
/// from configuration parses as [`LocaleSources`](crate::LocaleSources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocaleSource {
    /// A query parameter (`?lang=fr`).
    Query,
    /// A cookie (`Cookie: lang=fr`).
    Cookie,
    /// The first path segment (`/fr/...`).
    Path,
    /// The `Accept-Language` header.
    AcceptLanguage,
    /// No source named a locale the catalog has: the default locale.
    Default,
}

impl LocaleSource {
    /// A short lower-case name: `query`, `cookie`, `path`, `accept-language`, `default`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Query => "query",
            Self::Cookie => "cookie",
            Self::Path => "path",
            Self::AcceptLanguage => "accept-language",
            Self::Default => "default",
        }
    }
}

impl fmt::Display for LocaleSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Catalog {
    /// The locale an `Accept-Language` header asks for, spelled as in the
    /// catalog; `None` when it accepts nothing the catalog has.
    pub fn negotiate(&self, accept_language: &str) -> Option<&str> {
        self.negotiate_header([accept_language.as_bytes()])
            .map(|i| self.locales[i].tag.as_str())
    }

    /// The best locale for one requested tag (the rule for `?lang=` and the
    /// cookie): the same tag (case-insensitive), else a parent (`fr-CA` ->
    /// `fr`), else by likely script and region (`zh-TW` -> `zh-Hant`, `zh-CN`
    /// -> `zh-Hans`, `en-GB` -> `en-US` when only that exists). `None` for a
    /// tag that is not a language tag or that nothing matches.
    pub fn lookup(&self, tag: &str) -> Option<&str> {
        self.lookup_index(tag).map(|i| self.locales[i].tag.as_str())
    }

    pub(crate) fn lookup_index(&self, tag: &str) -> Option<usize> {
        if let Some(i) = self.find_tag(tag) {
            return Some(i);
        }
        if tag.len() > 64 || tag == "*" {
            return None;
        }
        let requested = LanguageIdentifier::from_bytes(tag.as_bytes()).ok()?;
        // A pseudo-locale only by its exact tag (`find_tag` above).
        lookup(self, &requested, |i| self.locales[i].pseudo)
    }

    /// Negotiates from every value of the `Accept-Language` header.
    pub(crate) fn negotiate_header<'a>(
        &self,
        values: impl IntoIterator<Item = &'a [u8]>,
    ) -> Option<usize> {
        let header = AcceptLanguage::parse(values);
        // Exclusions compare against every positive range: parse them all
        // (only for headers with `q=0`).
        let positive: Vec<LanguageIdentifier> = if header.excluded.is_empty() {
            Vec::new()
        } else {
            header
                .ranked
                .as_slice()
                .iter()
                .filter_map(|range| range.language())
                .collect()
        };
        // Pseudo-locales are for explicit choices, never negotiated (an
        // `ar-EG` reader must not get `ar-XB`).
        let excluded = |i: usize| {
            self.locales[i].pseudo || is_excluded(&header.excluded, &positive, &self.locales[i].id)
        };
        for range in header.ranked.as_slice() {
            if range.tag.is_none() {
                return (0..self.len()).find(|&i| !excluded(i));
            }
            if let Some(tag) = range.language() {
                if let Some(i) = lookup(self, &tag, excluded) {
                    return Some(i);
                }
            }
        }
        None
    }
}

/// A locale is excluded when a `q=0` range matches it and no positive range
/// that matches it is more specific (`en;q=0, en-GB` keeps `en-GB`).
fn is_excluded(
    excluded: &[LanguageIdentifier],
    positive: &[LanguageIdentifier],
    locale: &LanguageIdentifier,
) -> bool {
    if excluded.is_empty() {
        return false;
    }
    let Some(zero) = excluded
        .iter()
        .filter(|range| range_matches(range, locale))
        .map(specificity)
        .max()
    else {
        return false;
    };
    !positive
        .iter()
        .any(|tag| range_matches(tag, locale) && specificity(tag) > zero)
}

#[cfg(test)]
mod tests;
