//! Pseudo-locales (the `pseudo` feature): the default locale's messages,
//! transformed, to see untranslated strings and layout problems before
//! translators deliver.
//!
//! - `en-XA`, accented: every ASCII letter accented, vowels doubled, each
//!   text padded with `·` to about 140% of its length and marked with
//!   `[...]`. Text that is not accented was not localized; text cut off
//!   at `]` will be cut off in a longer language.
//! - `ar-XB`, right to left: the letters flipped and forced right to left
//!   (U+202E ... U+202C, as Firefox's `bidi` pseudo-locale); the page gets
//!   `dir="rtl"` as for Arabic, so a layout that breaks in Arabic breaks
//!   here, readable by anyone.
//!
//! They are chosen only explicitly, by the query, the cookie or the path
//! naming them exactly: `Accept-Language` never negotiates one (an `ar-EG`
//! reader gets `ar` or the default, never `ar-XB`), nor does a parent or
//! likely-subtag match. The transforms are the Fluent project's
//! (`fluent-pseudo`); placeables (variables) are left as they are.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use crocodile_i18n::{Catalog, Localizer, PseudoLocales};
//!
//! let pseudo: PseudoLocales = "en-XA, ar-XB".parse().unwrap();
//! let catalog = Arc::new(
//!     Catalog::builder()
//!         .default_locale("en")
//!         .source("en", "m.ftl", "hello = Hello")
//!         .source("ar", "m.ftl", "hello = مرحبا")
//!         .pseudo_locales(pseudo)
//!         .build()
//!         .unwrap(),
//! );
//! assert_eq!(catalog.locales().collect::<Vec<_>>(), ["en", "ar", "en-XA", "ar-XB"]);
//! let xa = Localizer::new(Arc::clone(&catalog), "en-XA").unwrap();
//! assert_eq!(xa.text("hello"), "[Ħeeŀŀoo]");
//! let xb = Localizer::new(Arc::clone(&catalog), "ar-XB").unwrap();
//! assert_eq!(xb.direction(), "rtl");
//! assert_eq!(xb.text("hello"), "\u{202e}Hǝʅʅo\u{202c}");
//! // Never negotiated: an Egyptian Arabic reader gets `ar`, and so does a
//! // header naming `ar-XB` (its language, as for any tag the catalog lacks).
//! assert_eq!(catalog.negotiate("ar-EG"), Some("ar"));
//! assert_eq!(catalog.negotiate("ar-XB"), Some("ar"));
//!
//! let error = "en-XX".parse::<PseudoLocales>().unwrap_err();
//! assert_eq!(
//!     error.to_string(),
//!     r#"invalid pseudo-locale "en-XX": the pseudo-locales are `en-XA` (accented, longer) and `ar-XB` (right to left)"#
//! );
//! ```

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::ConfigError;
use crate::config::{parse_list, try_from_str, without_repeats, write_list};

/// One pseudo-locale; see the [module](self) documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PseudoLocale {
    /// `en-XA`: accented, about 40% longer, between `[` and `]`.
    Accented,
    /// `ar-XB`: flipped letters forced right to left, shown with `dir="rtl"`.
    RightToLeft,
}

impl PseudoLocale {
    /// The language tag: `en-XA` or `ar-XB`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Accented => "en-XA",
            Self::RightToLeft => "ar-XB",
        }
    }

    /// What Fluent applies to each text fragment of a message.
    pub(crate) fn transform(self) -> fn(&str) -> Cow<'_, str> {
        match self {
            Self::Accented => accented,
            Self::RightToLeft => right_to_left,
        }
    }
}

impl fmt::Display for PseudoLocale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for PseudoLocale {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Accented, Self::RightToLeft]
            .into_iter()
            .find(|p| p.tag().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                ConfigError::new(
                    "pseudo-locale",
                    s,
                    "the pseudo-locales are `en-XA` (accented, longer) and `ar-XB` (right to left)",
                )
            })
    }
}

/// The pseudo-locales a catalog adds, as configured from a string:
/// `en-XA,ar-XB`. Items are separated by commas (spaces around them are
/// allowed), each named once; an empty string is none (the default). Pass
/// it to [`CatalogBuilder::pseudo_locales`](crate::CatalogBuilder::pseudo_locales).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct PseudoLocales(Vec<PseudoLocale>);

impl PseudoLocales {
    /// The pseudo-locales, in order.
    pub fn as_slice(&self) -> &[PseudoLocale] {
        &self.0
    }
}

impl FromStr for PseudoLocales {
    type Err = ConfigError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_list(
            s,
            "pseudo-locale",
            "listed twice; name each pseudo-locale once",
            |item| {
                if item.contains(char::is_whitespace) {
                    return Err(ConfigError::new(
                        "pseudo-locale",
                        item,
                        "separate pseudo-locales with commas (`en-XA,ar-XB`)",
                    ));
                }
                item.parse()
            },
        )
        .map(Self)
    }
}

impl fmt::Display for PseudoLocales {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_list(f, self.0.iter().copied().map(PseudoLocale::tag))
    }
}

impl FromIterator<PseudoLocale> for PseudoLocales {
    /// Collects pseudo-locales in order, dropping repeats.
    fn from_iter<I: IntoIterator<Item = PseudoLocale>>(iter: I) -> Self {
        Self(without_repeats(iter))
    }
}

try_from_str!(PseudoLocales);

/// Whether `text` has anything to transform: punctuation and spaces between
/// placeables stay as they are, unmarked.
fn has_letters(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_alphabetic())
}

/// `en-XA`: fluent-pseudo's accents and doubled vowels (about 30% longer),
/// then `·` up to 140% of the original length, inside `[` and `]`.
fn accented(text: &str) -> Cow<'_, str> {
    if !has_letters(text) {
        return Cow::Borrowed(text);
    }
    let body = fluent_pseudo::transform_dom(text, false, true, false);
    let target = (text.chars().count() * 7).div_ceil(5);
    let padding = target.saturating_sub(body.chars().count() + 2);
    let mut out = String::with_capacity(body.len() + padding * 2 + 2);
    out.push('[');
    out.push_str(&body);
    out.extend(std::iter::repeat_n('·', padding));
    out.push(']');
    Cow::Owned(out)
}

/// `ar-XB`: fluent-pseudo's flipped letters, forced right to left.
fn right_to_left(text: &str) -> Cow<'_, str> {
    if !has_letters(text) {
        return Cow::Borrowed(text);
    }
    let body = fluent_pseudo::transform(text, true, false);
    let mut out = String::with_capacity(body.len() + 6);
    out.push('\u{202e}');
    out.push_str(&body);
    out.push('\u{202c}');
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_round_trip_and_name_the_bad_item() {
        let list: PseudoLocales = " ar-xb , en-XA".parse().unwrap();
        assert_eq!(list.to_string(), "ar-XB,en-XA");
        assert_eq!(list.to_string().parse::<PseudoLocales>().unwrap(), list);
        assert_eq!(
            "".parse::<PseudoLocales>().unwrap(),
            PseudoLocales::default()
        );
        let rows = [
            ("en-XA,,ar-XB", ""),
            ("en-XA ar-XB", "en-XA ar-XB"),
            ("en-XA,en-xa", "en-xa"),
            ("fr-XA", "fr-XA"),
        ];
        for (input, bad) in rows {
            let error = input.parse::<PseudoLocales>().unwrap_err();
            assert_eq!(error.value(), bad, "{input}");
            assert_eq!(error.setting(), "pseudo-locale");
        }
    }

    #[test]
    fn accented_text_is_about_forty_percent_longer() {
        for text in ["Hello", "Language", "This page has been viewed once."] {
            let out = accented(text);
            let (before, after) = (text.chars().count(), out.chars().count());
            assert!(after * 10 >= before * 14, "{text:?} -> {out:?}");
            assert!(out.starts_with('[') && out.ends_with(']'), "{out:?}");
        }
        assert_eq!(accented(". "), ". ");
    }

    #[test]
    fn markup_is_kept() {
        assert_eq!(accented("<b>Hi</b>"), "[<b>Ħi</b>··]");
    }
}
