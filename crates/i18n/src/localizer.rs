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
//! assert_eq!(fr.text("nope"), "nope"); // and traced at `debug`
//! assert!(fr.try_format("nope", None).is_err());
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
    /// itself (as Fluent apps expect) and is traced at `debug` (an id can
    /// come from a client, so never louder per call; check a catalog's
    /// completeness at start-up with [`Catalog::missing_messages`]).
    pub fn text<'a>(&'a self, id: &'a str) -> Cow<'a, str> {
        self.or_id(id, None, None)
    }

    /// The message `id` with Fluent arguments. A missing message gives `id`
    /// itself; a resolution error (a missing variable) gives Fluent's best
    /// effort (`{$name}`). Both are traced at `debug`.
    pub fn format<'a>(&'a self, id: &'a str, args: &FluentArgs<'_>) -> Cow<'a, str> {
        self.or_id(id, None, Some(args))
    }

    /// The attribute `id.attribute`; a missing one gives `id.attribute`
    /// (traced at `debug`).
    pub fn attribute<'a>(
        &'a self,
        id: &'a str,
        attribute: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Cow<'a, str> {
        match self.find(id, Some(attribute), args) {
            Some(text) => text,
            None => {
                tracing::debug!(
                    id,
                    attribute,
                    locale = self.tag(),
                    "missing Fluent attribute"
                );
                Cow::Owned(format!("{id}.{attribute}"))
            }
        }
    }

    /// The message `id`, or the reason it could not be formatted: the
    /// message (or its value) is missing in this locale and its fallbacks,
    /// or Fluent reported errors while resolving it, such as a variable
    /// missing from `args`. [`format`](Self::format) and
    /// [`text`](Self::text) are the lenient versions (the id, or Fluent's
    /// best effort, traced at `debug`).
    ///
    /// # Errors
    /// [`FormatError::MissingMessage`] or [`FormatError::Fluent`], which
    /// carries Fluent's errors.
    ///
    /// # Example
    /// ```
    /// use std::sync::Arc;
    /// use crocodile_i18n::{Catalog, FluentArgs, FormatError, Localizer};
    ///
    /// let catalog = Catalog::builder()
    ///     .default_locale("en")
    ///     .use_isolating(false)
    ///     .source("en", "m.ftl", "hello = Hello, { $name }!")
    ///     .build()
    ///     .unwrap();
    /// let en = Localizer::new(Arc::new(catalog), "en").unwrap();
    ///
    /// let mut args = FluentArgs::new();
    /// args.set("name", "Ada");
    /// assert_eq!(en.try_format("hello", Some(&args)).unwrap(), "Hello, Ada!");
    ///
    /// // A missing variable is an error here; `format` renders `{$name}`.
    /// let error = en.try_format("hello", None).unwrap_err();
    /// assert!(matches!(error, FormatError::Fluent { .. }));
    /// assert_eq!(error.to_string(), r#"formatting "hello" in en: Resolver error: Unknown variable: $name"#);
    /// assert_eq!(en.format("hello", &FluentArgs::new()), "Hello, {$name}!");
    ///
    /// let error = en.try_format("nope", None).unwrap_err();
    /// assert_eq!(error.to_string(), r#"missing Fluent message "nope" in en (and its fallbacks)"#);
    /// ```
    pub fn try_format<'a>(
        &'a self,
        id: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Result<Cow<'a, str>, FormatError> {
        self.strict(id, None, args)
    }

    /// The attribute `id.attribute`, or why it could not be formatted, as
    /// [`try_format`](Self::try_format) does for a message.
    ///
    /// # Errors
    /// [`FormatError::MissingMessage`] (with the attribute's name) or
    /// [`FormatError::Fluent`].
    pub fn try_attribute<'a>(
        &'a self,
        id: &str,
        attribute: &str,
        args: Option<&FluentArgs<'_>>,
    ) -> Result<Cow<'a, str>, FormatError> {
        self.strict(id, Some(attribute), args)
    }

    fn strict<'a>(
        &'a self,
        id: &str,
        attribute: Option<&str>,
        args: Option<&FluentArgs<'_>>,
    ) -> Result<Cow<'a, str>, FormatError> {
        match self.resolve(id, attribute, args) {
            None => Err(FormatError::MissingMessage {
                id: id.to_owned(),
                attribute: attribute.map(str::to_owned),
                locale: self.tag().to_owned(),
            }),
            Some((text, _, errors)) if errors.is_empty() => Ok(text),
            Some((_, locale, errors)) => Err(FormatError::Fluent {
                id: id.to_owned(),
                attribute: attribute.map(str::to_owned),
                locale: locale.tag.clone(),
                errors,
            }),
        }
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
                tracing::debug!(id, locale = self.tag(), "missing Fluent message");
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

    /// Lenient: Fluent's errors are traced and its best effort returned.
    fn find<'a>(
        &'a self,
        id: &str,
        attribute: Option<&str>,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<Cow<'a, str>> {
        let (text, locale, errors) = self.resolve(id, attribute, args)?;
        for error in &errors {
            tracing::debug!(id, attribute, locale = %locale.tag, %error, "Fluent formatting error");
        }
        Some(text)
    }

    /// The first locale of the chain with the message (and attribute), the
    /// text Fluent made of it, and Fluent's errors (no allocation when
    /// there are none).
    fn resolve<'a>(
        &'a self,
        id: &str,
        attribute: Option<&str>,
        args: Option<&FluentArgs<'_>>,
    ) -> Option<(Cow<'a, str>, &'a crate::catalog::Locale, Vec<FluentError>)> {
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
            // Numbers are written as the locale whose message this is, the
            // locale whose plural rules select its variants.
            #[cfg(feature = "icu")]
            crate::number::select(locale.numbers.as_ref());
            let text = locale.bundle.format_pattern(pattern, args, &mut errors);
            return Some((text, locale, errors));
        }
        None
    }
}

/// Why [`Localizer::try_format`] or [`Localizer::try_attribute`] gave no text.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FormatError {
    /// Neither the locale nor its fallbacks have the message with a value
    /// (or, when `attribute` is set, that attribute).
    MissingMessage {
        /// The message id.
        id: String,
        /// The attribute asked for, if any.
        attribute: Option<String>,
        /// The localizer's locale.
        locale: String,
    },
    /// Fluent resolved the message with errors (a variable missing from the
    /// arguments, a reference it could not follow...).
    Fluent {
        /// The message id.
        id: String,
        /// The attribute asked for, if any.
        attribute: Option<String>,
        /// The locale whose message was formatted (the localizer's or a fallback).
        locale: String,
        /// Fluent's errors, in order (at least one).
        errors: Vec<FluentError>,
    },
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name =
            |f: &mut fmt::Formatter<'_>, id: &str, attribute: &Option<String>| match attribute {
                Some(attribute) => write!(f, "\"{id}.{attribute}\""),
                None => write!(f, "\"{id}\""),
            };
        match self {
            Self::MissingMessage {
                id,
                attribute,
                locale,
            } => {
                f.write_str(if attribute.is_some() {
                    "missing Fluent attribute "
                } else {
                    "missing Fluent message "
                })?;
                name(f, id, attribute)?;
                write!(f, " in {locale} (and its fallbacks)")
            }
            Self::Fluent {
                id,
                attribute,
                locale,
                errors,
            } => {
                f.write_str("formatting ")?;
                name(f, id, attribute)?;
                write!(f, " in {locale}: ")?;
                for (i, error) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("; ")?;
                    }
                    write!(f, "{error}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for FormatError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Fluent { errors, .. } => errors.first().map(|e| e as _),
            Self::MissingMessage { .. } => None,
        }
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
