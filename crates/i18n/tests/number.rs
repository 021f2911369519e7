//! Locale-aware numbers (`icu` feature): CLDR's digits, separators and
//! grouping per locale, Fluent's `NUMBER()` options, and plural categories
//! that agree with the digits shown.
//!
//! Source of the expected strings: CLDR 48.0 (`common/main/<lang>.xml`,
//! `numbers/symbols`, `decimalFormats`, `percentFormats`,
//! `defaultNumberingSystem`, `minimumGroupingDigits`), as compiled into
//! `icu_decimal_data` 2.1.1; the same strings as ICU 78's
//! `Intl.NumberFormat` in a browser of that generation.
//! Percent signs: CLDR 48.1 as ICU4X's `icu_experimental_data` 0.4.1 has
//! them (its `PercentFormatter`'s output, `tools/cldr-percent`).
#![cfg(feature = "icu")]

use std::sync::Arc;

use crocodile_i18n::{Catalog, FluentArgs, Localizer};

const FTL: &str = r#"plain = { $n }
number = { NUMBER($n) }
min2 = { NUMBER($n, minimumFractionDigits: 2) }
max0 = { NUMBER($n, maximumFractionDigits: 0) }
max1 = { NUMBER($n, maximumFractionDigits: 1) }
ungrouped = { NUMBER($n, useGrouping: "false") }
percent = { NUMBER($n, style: "percent") }
percent1 = { NUMBER($n, style: "percent", minimumFractionDigits: 1) }
items0 = { NUMBER($n, maximumFractionDigits: 0) ->
    [one] one:{ NUMBER($n, maximumFractionDigits: 0) }
   *[other] other:{ NUMBER($n, maximumFractionDigits: 0) }
}
items-min1 = { NUMBER($n, minimumFractionDigits: 1) ->
    [one] one:{ NUMBER($n, minimumFractionDigits: 1) }
   *[other] other:{ NUMBER($n, minimumFractionDigits: 1) }
}
exact = { NUMBER($n, maximumFractionDigits: 0) ->
    [0] zero
    [1] exactly one
   *[other] { NUMBER($n, maximumFractionDigits: 0) }
}
ordinal = { NUMBER($n, type: "ordinal") ->
    [one] { $n }st
    [two] { $n }nd
    [few] { $n }rd
   *[other] { $n }th
}
items-plain = { $n ->
    [one] one:{ $n }
   *[other] other:{ $n }
}
items-percent = { NUMBER($n, style: "percent") ->
    [one] one:{ NUMBER($n, style: "percent") }
   *[other] other:{ NUMBER($n, style: "percent") }
}
"#;

fn catalog() -> Arc<Catalog> {
    let mut builder = Catalog::builder().default_locale("en").use_isolating(false);
    for tag in [
        "en", "de", "de-CH", "fr", "es", "es-MX", "eu", "ar", "ar-EG", "ar-MA", "ar-SA", "hi", "fa",
    ] {
        builder = builder.source(tag, "numbers.ftl", FTL);
    }
    Arc::new(builder.build().unwrap())
}

fn format(catalog: &Arc<Catalog>, tag: &str, id: &str, n: f64) -> String {
    let l10n = Localizer::new(Arc::clone(catalog), tag).unwrap();
    let mut args = FluentArgs::new();
    args.set("n", n);
    let text = l10n.try_format(id, Some(&args)).unwrap();
    text.into_owned()
}

/// (locale, message, value, expected): one row per case.
fn check(rows: &[(&str, &str, f64, &str)]) {
    let catalog = catalog();
    for &(tag, id, n, expected) in rows {
        assert_eq!(
            format(&catalog, tag, id, n),
            expected,
            "{tag} {id} {n}: expected {expected:?}"
        );
    }
}

#[test]
fn cldr_separators_grouping_and_digits() {
    check(&[
        // en: `,` groups, `.` decimal (CLDR 48 en.xml symbols latn).
        ("en", "plain", 1234.5, "1,234.5"),
        ("en", "plain", 1234567.891, "1,234,567.891"),
        ("en", "plain", -1234.5, "-1,234.5"),
        ("en", "plain", 12.0, "12"),
        // de: `.` groups, `,` decimal (de.xml).
        ("de", "plain", 1234.5, "1.234,5"),
        ("de", "plain", 1234567.0, "1.234.567"),
        // fr: U+202F NARROW NO-BREAK SPACE groups, `,` decimal (fr.xml `group`).
        ("fr", "plain", 1234.5, "1\u{202f}234,5"),
        ("fr", "plain", -1234567.25, "-1\u{202f}234\u{202f}567,25"),
        // es: minimumGroupingDigits 2: four digits are not grouped (es.xml).
        ("es", "plain", 1234.0, "1234"),
        ("es", "plain", 12345.0, "12.345"),
        // hi: Indian grouping `#,##,##0.###` (hi.xml decimalFormats), Latin digits.
        ("hi", "plain", 1234567.0, "12,34,567"),
        ("hi", "plain", 123456789.5, "12,34,56,789.5"),
        // ar: defaultNumberingSystem `latn` (CLDR 48), minus with U+200E
        // LEFT-TO-RIGHT MARK (ar.xml symbols latn).
        ("ar", "plain", 1234.5, "1,234.5"),
        ("ar", "plain", -7.0, "\u{200e}-7"),
        // ar-EG: defaultNumberingSystem `arab` (ar_EG.xml): Arabic-Indic digits,
        // U+066C groups, U+066B decimal, minus after U+061C ARABIC LETTER MARK.
        ("ar-EG", "plain", 1234.5, "١٬٢٣٤٫٥"),
        ("ar-EG", "plain", -7.0, "\u{61c}-٧"),
        // ar-MA: `.` groups, `,` decimal (ar_MA.xml symbols latn).
        ("ar-MA", "plain", 1234.5, "1.234,5"),
        // fa: defaultNumberingSystem `arabext`: Extended Arabic-Indic digits (fa.xml).
        ("fa", "plain", 1234.5, "۱٬۲۳۴٫۵"),
    ]);
}

/// The table in the crate README, "Numbers (`icu` feature)".
#[test]
fn the_readme_table() {
    let rows = [
        ("en", "1,234,567.891", "26%"),
        ("de", "1.234.567,891", "26\u{a0}%"),
        ("fr", "1\u{202f}234\u{202f}567,891", "26\u{a0}%"),
        ("hi", "12,34,567.891", "26%"),
        ("ar-EG", "١٬٢٣٤٬٥٦٧٫٨٩١", "٢٦\u{200e}%\u{200e}"),
    ];
    for (tag, plain, percent) in rows {
        check(&[
            (tag, "plain", 1234567.891, plain),
            (tag, "percent", 0.256, percent),
        ]);
    }
}

#[test]
fn number_options() {
    check(&[
        // ECMA-402's defaults for NUMBER(): at most 3 fraction digits.
        ("en", "number", 1234.56789, "1,234.568"),
        ("en", "number", 2.0, "2"),
        ("en", "min2", 5.0, "5.00"),
        ("de", "min2", 1234.5, "1.234,50"),
        ("en", "max0", 2.5, "3"), // halfExpand, as Intl.NumberFormat
        ("en", "max0", -2.5, "-3"),
        ("en", "max1", 0.05, "0.1"),
        ("fr", "max1", 1234.56, "1\u{202f}234,6"),
        ("en", "ungrouped", 1234567.0, "1234567"),
        ("hi", "ungrouped", 1234567.0, "1234567"),
        // Percent: times 100, no fraction digits by default (percentFormats).
        ("en", "percent", 0.256, "26%"),
        ("en", "percent1", 0.256, "25.6%"),
        ("de", "percent", 0.5, "50\u{a0}%"),
        ("fr", "percent", 0.5, "50\u{a0}%"),
        ("ar", "percent", 0.5, "50\u{200e}%\u{200e}"),
        ("ar-EG", "percent", 0.5, "٥٠\u{200e}%\u{200e}"),
        ("ar-SA", "percent", 0.5, "٥٠٪"),
        ("de-CH", "percent", 0.5, "50%"),
        ("es-MX", "percent", 0.5, "50%"),
        ("eu", "percent", 0.5, "%\u{a0}50"),
        ("hi", "percent", 1234.0, "1,23,400%"),
    ]);
}

#[test]
fn plural_categories_agree_with_the_digits_shown() {
    check(&[
        // `1.0` shown as `1` is `one`; `1.2` rounded to `1` too.
        ("en", "items0", 1.0, "one:1"),
        ("en", "items0", 1.2, "one:1"),
        ("en", "items0", 0.6, "one:1"),
        ("en", "items0", 1.5, "other:2"),
        // `1` shown as `1.0` is `other` in English (CLDR: `one` needs v = 0).
        ("en", "items-min1", 1.0, "other:1.0"),
        ("en", "items-min1", 2.0, "other:2.0"),
        // French `one` is i = 0,1: `1,0` and `0,5` stay `one`.
        ("fr", "items-min1", 1.0, "one:1,0"),
        ("fr", "items0", 1.4, "one:1"),
        ("fr", "items0", 1.6, "other:2"),
        // Exact keys match the rounded number.
        ("en", "exact", 0.4, "zero"),
        ("en", "exact", 1.2, "exactly one"),
        ("en", "exact", 2.0, "2"),
        // `type: "ordinal"` selects with CLDR's ordinal rules.
        ("en", "ordinal", 1.0, "1st"),
        ("en", "ordinal", 22.0, "22nd"),
        ("en", "ordinal", 113.0, "113th"),
        ("en", "ordinal", 1233.0, "1,233rd"),
        // A plain variable is shown with all its digits: it agrees too.
        ("en", "items-plain", 1.0, "one:1"),
        ("en", "items-plain", 1.5, "other:1.5"),
        // A percent selects with the number shown: 1% is `one`.
        ("en", "items-percent", 0.01, "one:1%"),
        ("en", "items-percent", 0.014, "one:1%"),
        ("en", "items-percent", 0.02, "other:2%"),
    ]);
}

#[test]
fn strings_and_odd_numbers_are_left_to_fluent() {
    let catalog = catalog();
    let en = Localizer::new(Arc::clone(&catalog), "en").unwrap();
    let mut args = FluentArgs::new();
    args.set("n", "1234.5 as text");
    assert_eq!(en.format("plain", &args), "1234.5 as text");
    // NUMBER() of a string is Fluent's error value, written as Fluent writes it.
    assert_eq!(en.format("number", &args), "NUMBER()");
    args.set("n", f64::NAN);
    assert_eq!(en.format("plain", &args), "NaN");
    args.set("n", f64::INFINITY);
    assert_eq!(en.format("number", &args), "inf");
}

#[test]
fn an_arguments_own_digits_yield_to_written_options() {
    // Fluent keeps the fraction digits of a number parsed from a string
    // (`/messages/{id}?n=0.256`): a minimum, lowered by an explicit maximum,
    // two fewer once a percentage.
    let catalog = catalog();
    let en = Localizer::new(catalog, "en").unwrap();
    let rows = [
        ("number", "1.50", "1.50"),
        ("max0", "1.50", "2"),
        ("max1", "0.256", "0.3"),
        ("min2", "1.5", "1.50"),
        // The digits given are kept: `0.256` is 25.6%, as an f64 it is 26%.
        ("percent", "0.256", "25.6%"),
        ("percent1", "0.256", "25.6%"),
        ("percent", "0.25", "25%"),
        ("items0", "1.0", "one:1"),
    ];
    for (id, value, expected) in rows {
        let mut args = FluentArgs::new();
        args.set("n", crocodile_i18n::FluentValue::try_number(value));
        assert_eq!(
            en.try_format(id, Some(&args)).unwrap(),
            expected,
            "{id} {value}"
        );
    }
}
