//! The percent sign and where it goes, per language (CLDR 48 `percentFormats`).
//!
//! ICU4X's stable crates have no percent data yet (it is in
//! `icu_experimental`, which would compile ICU4X's normalizer, case mapping
//! and plural data with it), so the few patterns that differ from `#,##0%`
//! are listed here, from CLDR 48 (`common/main/<lang>.xml`,
//! `percentFormats` and `symbols/percentSign`). Every other language gets
//! `#,##0%`.

/// What goes before and after the digits of a percentage.
pub(super) type Affixes = (&'static str, &'static str);

/// The affixes of `language`; `native_digits` says whether the locale's
/// formatter writes non-Latin digits (Arabic's percent sign is then U+066A).
pub(super) fn affixes(language: &str, native_digits: bool) -> Affixes {
    match language {
        // `#,##0 %` with a no-break space (U+00A0).
        "de" | "es" | "sv" | "nb" | "no" | "nn" | "fi" | "da" | "cs" | "sk" | "ru" | "el" => {
            ("", "\u{a0}%")
        }
        // `#,##0 %` with a narrow no-break space (U+202F).
        "fr" => ("", "\u{202f}%"),
        // `%#,##0`.
        "tr" | "eu" => ("%", ""),
        // The `arab` numbering system's sign: U+066A and an Arabic letter mark.
        "ar" if native_digits => ("", "\u{66a}\u{61c}"),
        // Arabic with Latin digits: `%` between U+200E LEFT-TO-RIGHT MARKs.
        "ar" => ("", "\u{200e}%\u{200e}"),
        _ => ("", "%"),
    }
}
