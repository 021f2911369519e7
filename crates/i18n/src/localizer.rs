//! [`Localizer`]: one request's locale and the shared catalog, for formatting.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use crocodile_i18n::{Catalog, FluentArgs, Localizer};
//!
//! let catalog = Arc::new(
//!     Catalog::builder()
//!         .default_locale("en")
//!         .use_isolating(false)
//!         .source("en", "m.ftl", "title = Welcome\nvisits = { $count ->\n    [one] One visit\n   *[other] { $count } visits\n}\n")
//!         .source("fr", "m.ftl", "title = Bienvenue")
//!         .build()
//!         .unwrap(),
//! );
//! let fr = Localizer::new(catalog, "fr").unwrap();
//! assert_eq!(fr.text("title"), "Bienvenue");
//! let mut args = FluentArgs::new();
//! args.set("count", 3);
//! // `fr` lacks `visits`: its fallback chain ends with the default locale.
//! assert_eq!(fr.format("visits", &args), "3 visits");
//! assert_eq!(fr.text("nope"), "nope"); // and a warning is traced
//! assert_eq!(fr.try_format("nope", None), None);
//! ```

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use fluent_bundle::{FluentArgs, FluentError};
use fluent_syntax::ast::Pattern;
use unic_langid::LanguageIdentifier;

use crate::{Catalog, LocaleSource};

/// Formats messages in one request's locale.
///
/// Inserted into request extensions by [`I18nLayer`](crate::I18nLayer) (and,
/// with the `axum` feature, an extractor). It holds an `Arc` of the shared
/// [`Catalog`] and a locale index, nothing of the request: `clone` is one
/// atomic increment.
///
/// Messages are looked up along the locale's fallback chain (`fr-CA` -> `fr`
/// -> default), fixed when the catalog was built. A message without
/// placeables formats without allocating (`Cow::Borrowed`).
#[derive(Clone)]
pub struct Localizer {
    catalog: Arc<Catalog>,
    locale: usize,
    source: LocaleSource,
}

impl Localizer {
    pub(crate) fn from_parts(catalog: Arc<Catalog>, locale: usize, source: LocaleSource) -> Self {
        Self {
            catalog,
            locale,
            source,
        }
    }

    /// A localizer for the catalog locale that best serves `tag` (see
    /// [`Catalog::lookup`]), outside any request; its
    /// [`source`](Self::source) is [`LocaleSource::Default`]. `None` when the
    /// catalog has nothing for `tag`.
    pub fn new(catalog: Arc<Catalog>, tag: &str) -> Option<Self> {
        let locale = catalog.lookup_index(tag)?;
        Some(Self::from_parts(catalog, locale, LocaleSource::Default))
    }

    /// The negotiated locale's language identifier.
    pub fn locale(&self) -> &LanguageIdentifier {
        &self.catalog.locales[self.locale].id
    }

    /// The negotiated locale's tag, spelled as in the catalog (e.g.
    /// `zh-Hans`): the value of `Content-Language` and of `<html lang>`.
    pub fn tag(&self) -> &str {
        &self.catalog.locales[self.locale].tag
    }

    /// Which source decided the locale: useful when debugging negotiation.
    pub fn source(&self) -> LocaleSource {
        self.source
    }

    /// Whether the locale's script is written right to left (`ar`, `he`, `fa`...).
    pub fn is_rtl(&self) -> bool {
        self.catalog.locales[self.locale].rtl
    }

    /// `"rtl"` or `"ltr"`, for HTML's `dir` attribute.
    pub fn direction(&self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }

    /// The shared catalog.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Whether the message exists in this locale or its fallbacks.
    pub fn has_message(&self, id: &str) -> bool {
        self.chain().any(|l| l.bundle.has_message(id))
    }

    /// The message `id` without arguments. A missing message gives `id`
    /// itself (as Fluent apps expect) and traces a warning.
    pub fn text<'a>(&'a self, id: &'a str) -> Cow<'a, str> {
        self.or_id(id, None, None)
    }

    /// The message `id` with Fluent arguments. A missing message gives `id`
    /// itself and traces a warning; a resolution error (a missing variable)
    /// is traced and Fluent's best effort (`{$name}`) returned.
    pub fn format<'a>(&'a self, id: &'a str, args: &FluentArgs<'_>) -> Cow<'a, str> {
        self.or_id(id, None, Some(args))
    }

    /// The attribute `id.attribute`; a missing one gives `id.attribute` and
    /// traces a warning.
    pub fn attribute<'a>(
        &'a self,
        id: &'a str,
        attribute: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Cow<'a, str> {
        match self.try_attribute(id, attribute, args) {
            Some(text) => text,
            None => {
                tracing::warn!(
                    id,
                    attribute,
                    locale = self.tag(),
                    "missing Fluent attribute"
                );
                Cow::Owned(format!("{id}.{attribute}"))
            }
        }
    }

    /// The message `id`, or `None` when neither this locale nor its
    /// fallbacks have it (or it has no value, only attributes).
    pub fn try_format<'a>(
        &'a self,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<Cow<'a, str>> {
        self.find(id, None, args)
    }

    /// The attribute `id.attribute`, or `None` when it is missing.
    pub fn try_attribute<'a>(
        &'a self,
        id: &str,
        attribute: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<Cow<'a, str>> {
        self.find(id, Some(attribute), args)
    }

    fn or_id<'a>(
        &'a self,
        id: &'a str,
        attribute: Option<&str>,
        args: Option<&FluentArgs<'_>>,
    ) -> Cow<'a, str> {
        match self.find(id, attribute, args) {
            Some(text) => text,
            None => {
                tracing::warn!(id, locale = self.tag(), "missing Fluent message");
                Cow::Borrowed(id)
            }
        }
    }

    fn chain(&self) -> impl Iterator<Item = &crate::catalog::Locale> + '_ {
        self.catalog.locales[self.locale]
            .chain
            .iter()
            .map(|&i| &self.catalog.locales[i])
    }

    fn find<'a>(
        &'a self,
        id: &str,
        attribute: Option<&str>,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<Cow<'a, str>> {
        for locale in self.chain() {
            let Some(message) = locale.bundle.get_message(id) else {
                continue;
            };
            let pattern: Option<&Pattern<&str>> = match attribute {
                None => message.value(),
                Some(name) => message.get_attribute(name).map(|a| a.value()),
            };
            let Some(pattern) = pattern else {
                continue;
            };
            let mut errors: Vec<FluentError> = Vec::new();
            let text = locale.bundle.format_pattern(pattern, args, &mut errors);
            for error in &errors {
                tracing::warn!(id, attribute, locale = %locale.tag, %error, "Fluent formatting error");
            }
            return Some(text);
        }
        None
    }
}

impl fmt::Debug for Localizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Localizer")
            .field("locale", &self.tag())
            .field("source", &self.source)
            .finish_non_exhaustive()
    }
}
