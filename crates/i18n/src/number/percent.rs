//! The percent sign and where it goes, per locale, from CLDR.
//!
//! ICU4X's stable crates have no percent formatter yet: it is in
//! `icu_experimental`, which would compile ICU4X's normalizer, case mapping
//! and plural data with it. Its data is a few bytes per locale, so
//! `tools/cldr-percent` reads it off the real `PercentFormatter` once and
//! writes `percent_data.rs`; here a locale walks CLDR's fallback chain
//! (`de-AT` -> `de`, `es-MX` -> `es-419` -> `es`, `ar-EG` -> `ar` -> `und`)
//! to its first entry, as ICU4X's own data lookup does.

use icu_locale::fallback::LocaleFallbacker;
use icu_locale_core::Locale;

use super::percent_data::PERCENT_AFFIXES;

/// What goes before and after the digits of a percentage.
pub(super) type Affixes = (&'static str, &'static str);

/// The affixes of `locale`: its own entry or its nearest parent's, the
/// root's (`%` after the digits) when none has one.
pub(super) fn affixes(locale: &Locale) -> Affixes {
    let fallbacker = LocaleFallbacker::new().for_config(Default::default());
    let mut chain = fallbacker.fallback_for(locale.into());
    // Bounded: the chain ends at `und` within a handful of steps; the cap
    // only guards against data that would loop.
    for _ in 0..16 {
        let tag = chain.get().to_string();
        if let Ok(i) = PERCENT_AFFIXES.binary_search_by(|(t, _, _)| (*t).cmp(tag.as_str())) {
            let (_, before, after) = PERCENT_AFFIXES[i];
            return (before, after);
        }
        if chain.get().is_unknown() {
            break;
        }
        chain.step();
    }
    ("", "%")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(tag: &str) -> Affixes {
        affixes(&tag.parse().unwrap())
    }

    #[test]
    fn the_table_is_sorted_for_its_binary_search() {
        assert!(PERCENT_AFFIXES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(PERCENT_AFFIXES.iter().any(|(t, _, _)| *t == "und"));
    }

    #[test]
    fn locales_fall_back_through_their_cldr_parents() {
        // (tag, expected): rows from tools/cldr-percent's output
        // (icu_experimental_data 0.4.1, CLDR 48.1).
        let rows = [
            ("en", ("", "%")),
            ("en-US", ("", "%")),
            ("en-DE", ("", "\u{a0}%")),
            ("de", ("", "\u{a0}%")),
            ("de-AT", ("", "\u{a0}%")),
            ("de-CH", ("", "%")),
            ("fr", ("", "\u{a0}%")),
            ("fr-CA", ("", "\u{a0}%")),
            ("fr-CH", ("", "%")),
            ("es", ("", "\u{a0}%")),
            ("es-419", ("", "%")),
            ("es-MX", ("", "%")),
            ("tr", ("%", "")),
            ("eu", ("%\u{a0}", "")),
            ("ar", ("", "\u{200e}%\u{200e}")),
            ("ar-EG", ("", "\u{200e}%\u{200e}")),
            ("ar-SA", ("", "\u{66a}")),
            ("hi", ("", "%")),
            ("el", ("", "%")),
            ("zh-Hant", ("", "%")),
        ];
        for (tag, expected) in rows {
            assert_eq!(of(tag), expected, "{tag}");
        }
    }
}
