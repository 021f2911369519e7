//! Negotiation tables: one row per case, with where the case comes from.

use std::time::{Duration, Instant};

use proptest::prelude::*;

use crate::Catalog;

fn catalog(default: &str, others: &[&str]) -> Catalog {
    let mut builder = Catalog::builder()
        .default_locale(default)
        .source(default, "m.ftl", "x = x");
    for tag in others {
        builder = builder.source(*tag, "m.ftl", "x = x");
    }
    builder.build().unwrap()
}

/// `(Accept-Language, expected)` against `catalog`.
fn check(catalog: &Catalog, rows: &[(&str, Option<&str>)]) {
    for (header, expected) in rows {
        assert_eq!(
            catalog.negotiate(header),
            *expected,
            "Accept-Language: {header:?} with {:?}",
            catalog.locales().collect::<Vec<_>>()
        );
    }
}

#[test]
fn weights_order_and_exclusions() {
    let c = catalog("en", &["fr", "de", "zh-Hans", "zh-Hant", "ar"]);
    check(
        &c,
        &[
            // RFC 9110 section 12.5.4: the example header; `en-gb` looks up `en`.
            ("da, en-gb;q=0.8, en;q=0.7", Some("en")),
            ("", None),
            (" , ,", None),
            ("fr", Some("fr")),
            // RFC 4647 section 2: matching is case-insensitive; catalog's spelling returned.
            ("FR", Some("fr")),
            ("ZH-hans", Some("zh-Hans")),
            // RFC 4647 section 3.4: lookup truncates the range (`fr-CA` -> `fr`).
            ("fr-CA", Some("fr")),
            ("de-CH-1996", Some("de")),
            // RFC 9110 section 12.4.2: higher weight first, whatever the order.
            ("de;q=0.5, fr;q=0.9", Some("fr")),
            // negotiator (Express) "should return language with highest quality"
            ("de;q=0.8, fr, ar", Some("fr")),
            // Equal weights keep header order (negotiator: "sort by position").
            ("de, fr", Some("de")),
            ("fr;q=0.5, de;q=0.5", Some("fr")),
            // An earlier, unmatched range does not block later ones.
            ("ja, ko;q=0.9, de;q=0.1", Some("de")),
            // RFC 4647 section 2.1 / RFC 9110 `*`: the default locale.
            ("*", Some("en")),
            ("ja, *;q=0.5", Some("en")),
            // At equal weight a specific range beats `*`.
            ("*;q=0.9, fr;q=0.9", Some("fr")),
            // A higher-weighted `*` wins over a lower specific range.
            ("*, fr;q=0.5", Some("en")),
            // RFC 9110 section 12.4.2: q=0 means "not acceptable", even under `*`;
            // `*` then admits the first catalog locale that is not excluded.
            // (negotiator: "*, en;q=0" prefers the other available language.)
            ("*, en;q=0", Some("ar")),
            ("*, en;q=0, ar;q=0", Some("de")),
            ("en;q=0", None),
            ("en;q=0, fr;q=0.1", Some("fr")),
            // A q=0 range excludes what lookup would fall back to.
            ("fr-CA, fr;q=0", None),
            ("fr-CA, fr;q=0, de;q=0.5", Some("de")),
            ("en-US;q=0, en", Some("en")),
            // Elements with a weight outside the qvalue grammar are ignored alone.
            ("fr;q=2, de;q=0.5", Some("de")),
            ("fr;q=abc, de;q=0.5", Some("de")),
            ("fr;q=0.0001, de;q=0.5", Some("de")),
            ("fr;q=1.5, de;q=0.5", Some("de")),
            ("fr;q=, de;q=0.5", Some("de")),
            ("fr;q=0.5;q=0.9, de;q=0.1", Some("de")),
            // ...and so are garbage tags.
            ("!!!, de", Some("de")),
            ("12, en-, -en, de", Some("de")),
            ("x-klingon, i-klingon, de", Some("de")),
            ("toolongtag, de", Some("de")),
            ("fr\u{e9}, de", Some("de")),
            // Whitespace around the parts is OWS (RFC 9110 section 5.6.3).
            ("  de ; q=0.3 ,\tfr ;q=0.4 ", Some("fr")),
            // Unknown parameters are ignored, like negotiator.
            ("de;level=1", Some("de")),
            ("ja", None),
        ],
    );
}

#[test]
fn fallback_by_script_and_region() {
    let c = catalog("en", &["fr", "de", "zh-Hans", "zh-Hant", "ar"]);
    check(
        &c,
        &[
            // Django's get_language_from_request / get_supported_language_variant
            // (tests/i18n/tests.py, `test_parse_language_cookie` and friends):
            // Chinese regions go to the script they use.
            ("zh-TW", Some("zh-Hant")),
            ("zh-HK", Some("zh-Hant")),
            ("zh-MO", Some("zh-Hant")),
            ("zh-CN", Some("zh-Hans")),
            ("zh-SG", Some("zh-Hans")),
            ("zh-MY", Some("zh-Hans")),
            ("zh", Some("zh-Hans")),
            ("zh-Hant-TW", Some("zh-Hant")),
            ("zh-hant", Some("zh-Hant")),
            // Django: "de-at, de;q=0.9" -> de.
            ("de-at, de;q=0.9", Some("de")),
            ("ar-EG", Some("ar")),
        ],
    );

    // Only a regional English: `en-GB` and `en` reach `en-US` (TR35 4.4,
    // `fluent-langneg` likely-subtags step).
    let c = catalog("de", &["en-US", "fr-FR", "fr-CH", "pt-PT", "pt-BR"]);
    check(
        &c,
        &[
            ("en-GB", Some("en-US")),
            ("en", Some("en-US")),
            ("en-us", Some("en-US")),
            // A sibling region by likely subtags: fr-CA -> fr -> fr-FR.
            ("fr-CA", Some("fr-FR")),
            ("fr-CH", Some("fr-CH")),
            ("pt", Some("pt-BR")),
        ],
    );

    // A parent beats a sibling region.
    let c = catalog("en", &["fr-FR", "fr"]);
    check(&c, &[("fr-CA", Some("fr")), ("fr-FR", Some("fr-FR"))]);

    // negotiator: "en-US, en;q=0.8" with en-US and en-GB prefers en-US; a more
    // specific positive range survives a q=0 on its parent.
    let c = catalog("en-GB", &["en-US", "en"]);
    check(
        &c,
        &[
            ("en-US, en;q=0.8", Some("en-US")),
            ("en;q=0, en-GB", Some("en-GB")),
            ("en;q=0, en-GB;q=0.5, *", Some("en-GB")),
            ("en;q=0", None),
        ],
    );

    // `*` when the default and everything else is excluded: nothing.
    let c = catalog("en", &[]);
    check(&c, &[("*, en;q=0", None), ("*;q=0", None)]);
}

#[test]
fn lookup_serves_query_and_cookie_values() {
    let c = catalog("en", &["fr", "zh-Hant"]);
    for (tag, expected) in [
        ("fr", Some("fr")),
        ("FR", Some("fr")),
        ("fr-CA", Some("fr")),
        ("fr_CA", Some("fr")),
        ("zh-TW", Some("zh-Hant")),
        ("de", None),
        ("*", None),
        ("", None),
        ("fr;q=1", None),
        ("../../etc", None),
    ] {
        assert_eq!(c.lookup(tag), expected, "{tag:?}");
    }
}

#[test]
fn huge_headers_cost_linear_time() {
    let c = catalog("en", &["fr", "de", "zh-Hans", "zh-Hant", "ar"]);
    // 64 KiB of ranges the catalog lacks, then one it has.
    let mut header = "ja-JP;q=0.5, ".repeat(65_536 / 13);
    header.push_str("de;q=0.4");
    let started = Instant::now();
    // The best 64 ranges are all `ja-JP;q=0.5`: `de` (lower) is not considered.
    assert_eq!(c.negotiate(&header), None);
    let mut header = "ja-JP;q=0.5, ".repeat(10_000);
    header.push_str("de");
    assert_eq!(c.negotiate(&header), Some("de"));
    let header = "!".repeat(65_536);
    assert_eq!(c.negotiate(&header), None);
    let header = ",".repeat(65_536);
    assert_eq!(c.negotiate(&header), None);
    assert!(started.elapsed() < Duration::from_secs(5));
}

proptest! {
    #[test]
    fn negotiation_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let c = catalog("en", &["fr", "zh-Hant"]);
        let found = c.negotiate_header([&bytes[..]]);
        prop_assert!(found.is_none_or(|i| i < 3));
    }

    #[test]
    fn negotiation_never_panics_on_header_like_text(
        header in "([a-zA-Z*]{0,9}(-[a-zA-Z0-9]{0,9}){0,3}(;[qQ]=[0-9.]{0,6})?[ ,]{0,2}){0,8}"
    ) {
        let c = catalog("en", &["fr", "zh-Hant"]);
        let _ = c.negotiate(&header);
        let _ = c.lookup(&header);
    }
}
