//! `Accept-Language` negotiation over a small in-memory catalog: the answer
//! is a catalog locale or none, a `q=0` exclusion is obeyed, and a leading
//! exact tag wins.

#![no_main]

use std::sync::LazyLock;

use crocodile_i18n::Catalog;
use libfuzzer_sys::fuzz_target;

const LOCALES: [&str; 9] = [
    "en", "en-GB", "fr", "fr-CA", "de", "zh-Hans", "zh-Hant", "ar", "pt-BR",
];

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    LOCALES
        .iter()
        .fold(Catalog::builder().default_locale("en"), |builder, tag| {
            builder.source(*tag, "m.ftl", "hi = hi")
        })
        .build()
        .expect("valid catalog")
});

fuzz_target!(|data: &[u8]| {
    let catalog = &*CATALOG;
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let header = String::from_utf8_lossy(rest);
    let chosen = LOCALES[usize::from(selector) % LOCALES.len()];

    let answer = catalog.negotiate(&header);
    if let Some(tag) = answer {
        assert!(LOCALES.contains(&tag), "{tag:?} is not in the catalog");
    }
    assert_eq!(catalog.negotiate(&header), answer, "not deterministic");

    // A `q=0` range that names a locale exactly excludes it, whatever follows:
    // no positive range can match it more specifically than its own tag.
    let excluded = format!("{chosen};q=0, {header}");
    assert_ne!(catalog.negotiate(&excluded), Some(chosen), "{excluded:?}");

    // A leading exact tag at full weight wins when nothing is weighted.
    if !header.contains(['q', 'Q']) {
        let first = format!("{}, {header}", chosen.to_ascii_uppercase());
        assert_eq!(catalog.negotiate(&first), Some(chosen), "{first:?}");
    }

    // Single tags (`?lang=`, the cookie) resolve to a catalog locale or none,
    // and a catalog tag to itself in any case.
    if let Some(tag) = catalog.lookup(&header) {
        assert!(LOCALES.contains(&tag));
    }
    assert_eq!(catalog.lookup(&chosen.to_ascii_lowercase()), Some(chosen));
});
