//! Fluent catalogs: every locale's messages, validated once at start-up.
//!
//! A [`Catalog`] holds one concurrent [`FluentBundle`] per locale and each
//! locale's fallback chain (`fr-CA -> fr -> <default>`), resolved when it is
//! built. It is shared in an `Arc` by [`I18nLayer`](crate::I18nLayer) and
//! never changes afterwards.
//!
//! # Example
//! ```
//! use crocodile_i18n::Catalog;
//!
//! let catalog = Catalog::builder()
//!     .default_locale("en")
//!     .source("en", "main.ftl", "hello = Hello\nbye = Bye")
//!     .source("fr", "main.ftl", "hello = Bonjour")
//!     .build()
//!     .unwrap();
//! assert_eq!(catalog.locales().collect::<Vec<_>>(), ["en", "fr"]);
//! // `fr` lacks `bye`: listed so the caller can log it (strict mode refuses it).
//! assert_eq!(catalog.missing_messages()[0].to_string(), r#"fr: missing message "bye" (falls back to en)"#);
//!
//! let broken = Catalog::builder()
//!     .default_locale("en")
//!     .source("en", "main.ftl", "hello = Hello\noops\n")
//!     .build()
//!     .unwrap_err();
//! assert_eq!(broken.to_string(), r#"en/main.ftl:2:5: Expected a token starting with "=""#);
//! ```

mod builder;
mod error;
mod validate;

use std::collections::HashMap;
use std::fmt;

use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use unic_langid::LanguageIdentifier;

pub use builder::CatalogBuilder;
pub use error::{
    CatalogError, Diagnostic, DiagnosticKind, Location, MissingMessage, VariableMismatch,
};

/// Every locale's Fluent messages, validated; build one with
/// [`Catalog::builder`].
///
/// Locales are kept in a fixed order: the default first, then the others by
/// tag. Tags are spelled as given (the directory name or the `source` locale)
/// and compared case-insensitively.
pub struct Catalog {
    pub(crate) locales: Vec<Locale>,
    /// Lower-cased tag -> index.
    index: HashMap<String, usize>,
    missing: Vec<MissingMessage>,
    mismatches: Vec<VariableMismatch>,
    /// What built this catalog, for [`Catalog::rebuild`].
    builder: CatalogBuilder,
}

pub(crate) struct Locale {
    pub(crate) tag: String,
    pub(crate) id: LanguageIdentifier,
    pub(crate) bundle: FluentBundle<FluentResource>,
    /// This locale, then its fallbacks; always ends with the default (0).
    pub(crate) chain: Box<[usize]>,
    pub(crate) rtl: bool,
    /// A pseudo-locale (`en-XA`, `ar-XB`): served only when asked for by its
    /// exact tag, never negotiated.
    pub(crate) pseudo: bool,
    /// The locale's number formatters, selected before each of its
    /// messages is formatted.
    #[cfg_attr(not(feature = "icu"), allow(dead_code))]
    pub(crate) numbers: Numbers,
}

/// A locale's number formatters (`icu` feature): `None` when ICU4X has no
/// data for it. Nothing without the feature (Fluent formats numbers).
#[cfg(feature = "icu")]
pub(crate) type Numbers = Option<std::sync::Arc<crate::number::LocaleNumbers>>;
/// A locale's number formatters: none without the `icu` feature.
#[cfg(not(feature = "icu"))]
pub(crate) type Numbers = ();

impl Catalog {
    /// Starts a [`CatalogBuilder`].
    pub fn builder() -> CatalogBuilder {
        CatalogBuilder::default()
    }

    /// The locales' tags, spelled as in the catalog, the default first.
    pub fn locales(&self) -> impl ExactSizeIterator<Item = &str> + '_ {
        self.locales.iter().map(|l| l.tag.as_str())
    }

    /// The default locale's tag.
    pub fn default_locale(&self) -> &str {
        &self.locales[0].tag
    }

    /// The language identifier of the locale tagged `tag` (case-insensitive).
    pub fn language_identifier(&self, tag: &str) -> Option<&LanguageIdentifier> {
        self.find_tag(tag).map(|i| &self.locales[i].id)
    }

    /// The fallback chain of `tag`: the tags whose messages a
    /// [`Localizer`](crate::Localizer) for it tries, in order.
    pub fn fallback_chain(&self, tag: &str) -> Option<impl Iterator<Item = &str> + '_> {
        let i = self.find_tag(tag)?;
        Some(
            self.locales[i]
                .chain
                .iter()
                .map(|&j| self.locales[j].tag.as_str()),
        )
    }

    /// Messages of the default locale that another locale lacks (they are
    /// shown in the default language). Log them at start-up; the builder's
    /// [`strict`](CatalogBuilder::strict) mode turns them into errors.
    pub fn missing_messages(&self) -> &[MissingMessage] {
        &self.missing
    }

    /// Translations whose variables differ from the default locale's
    /// message (one it does not use, or one it uses dropped), in locale and
    /// id order. Log them at start-up as the missing messages are; the
    /// builder's [`strict`](CatalogBuilder::strict) mode turns them into
    /// errors.
    pub fn variable_mismatches(&self) -> &[VariableMismatch] {
        &self.mismatches
    }

    /// Builds a new catalog from the same sources and settings: directories
    /// are read again, in-memory sources reused. It is validated exactly as
    /// this one was; this is what [`I18nLayer::reload`](crate::I18nLayer::reload)
    /// does.
    ///
    /// # Errors
    /// As [`CatalogBuilder::build`].
    pub fn rebuild(&self) -> Result<Catalog, CatalogError> {
        self.builder.clone().build()
    }

    /// The directories this catalog was read from (for the watcher).
    #[cfg(feature = "watch")]
    pub(crate) fn dirs(&self) -> &[std::path::PathBuf] {
        self.builder.dirs()
    }

    /// The builder this catalog was built with (sources and settings).
    pub fn to_builder(&self) -> CatalogBuilder {
        self.builder.clone()
    }

    /// The index of the locale tagged `tag`, compared case-insensitively
    /// (the index is keyed by lowercase tags). Allocates nothing: a path's
    /// first segment (`/docs`) is looked up on every request under
    /// `LocalePrefixLayer`, and most are not locales.
    pub(crate) fn find_tag(&self, tag: &str) -> Option<usize> {
        const MAX_TAG: usize = 64;
        if tag.len() > MAX_TAG {
            return None;
        }
        if let Some(&i) = self.index.get(tag) {
            return Some(i);
        }
        if !tag.bytes().any(|b| b.is_ascii_uppercase()) {
            return None;
        }
        let mut buffer = [0; MAX_TAG];
        let lower = &mut buffer[..tag.len()];
        lower.copy_from_slice(tag.as_bytes());
        lower.make_ascii_lowercase();
        // ASCII lowercasing keeps UTF-8 valid: this never fails.
        let lower = std::str::from_utf8(lower).ok()?;
        self.index.get(lower).copied()
    }

    pub(crate) fn len(&self) -> usize {
        self.locales.len()
    }
}

impl fmt::Debug for Catalog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Catalog")
            .field("locales", &self.locales().collect::<Vec<_>>())
            .field("missing_messages", &self.missing.len())
            .field("variable_mismatches", &self.mismatches.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;
