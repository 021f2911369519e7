//! The main example's numbers and pseudo-locales over HTTP (issue 17):
//! `GET /messages/numbers` in each catalog locale, and
//! `CROCODILE_PSEUDO_LOCALES` served only when named.

mod common;

use common::{app, config, get, json, try_config};
use serde_json::Value;

/// Unicode bidi isolation around a placeable, as the example's catalog formats it.
fn isolated(value: &str) -> String {
    format!("\u{2068}{value}\u{2069}")
}

/// The body of `GET uri` with these headers through `router`, from loopback.
async fn text(router: axum::Router, uri: &str, headers: &[(&str, &str)]) -> String {
    let (status, body) = json(router, "127.0.0.1:5000", get(uri, headers)).await;
    assert_eq!(status, 200, "{uri}: {body}");
    match body {
        Value::String(text) => text,
        other => other.to_string(),
    }
}

#[cfg(feature = "icu")]
#[tokio::test]
async fn numbers_are_written_as_each_locale_writes_them() {
    // CLDR 48 (icu_decimal_data 2.1.1); the page shows the same message.
    let rows = [
        (
            "en",
            "Numbers as written here: {} and {}.",
            "1,234,567.89",
            "25.6%",
        ),
        (
            "de",
            "Zahlen, wie man sie hier schreibt: {} und {}.",
            "1.234.567,89",
            "25,6\u{a0}%",
        ),
        (
            "fr",
            "Les nombres, comme on les écrit ici : {} et {}.",
            "1\u{202f}234\u{202f}567,89",
            "25,6\u{a0}%",
        ),
        (
            "ar",
            "الأرقام كما تُكتب هنا: {} و{}.",
            "1,234,567.89",
            "25.6\u{200e}%\u{200e}",
        ),
        (
            "zh-Hans",
            "本地的数字写法：{} 和 {}。",
            "1,234,567.89",
            "25.6%",
        ),
    ];
    for (lang, pattern, sample, ratio) in rows {
        let body = text(
            app(),
            "/messages/numbers?sample=1234567.891&ratio=0.256",
            &[("accept-language", lang)],
        )
        .await;
        let expected =
            pattern
                .replacen("{}", &isolated(sample), 1)
                .replacen("{}", &isolated(ratio), 1);
        assert_eq!(body, expected, "{lang}");
    }
    // A plain `{ $count }` is grouped too; its plural is still numeric.
    let body = text(
        app(),
        "/messages/visits?count=1234",
        &[("accept-language", "de")],
    )
    .await;
    assert_eq!(
        body,
        format!("Diese Seite wurde {} Mal aufgerufen.", isolated("1.234"))
    );
}

#[tokio::test]
async fn pseudo_locales_are_served_only_when_named() {
    let pseudo = config(&[("CROCODILE_PSEUDO_LOCALES", "en-XA,ar-XB")]);
    // (uri, headers, locale in /context): one row per case.
    let rows: [(&str, &[(&str, &str)], &str); 6] = [
        ("/context", &[("accept-language", "ar-EG")], "ar"),
        ("/context", &[("accept-language", "ar-XB")], "ar"),
        ("/context", &[("accept-language", "en-XA")], "en"),
        ("/context?lang=ar-XB", &[("accept-language", "fr")], "ar-XB"),
        ("/context", &[("cookie", "lang=en-XA")], "en-XA"),
        ("/context?lang=en-XB", &[], "en"),
    ];
    for (uri, headers, expected) in rows {
        let router = common::app::app(&pseudo);
        let (status, body) = json(router, "127.0.0.1:5000", get(uri, headers)).await;
        assert_eq!(status, 200, "{uri}: {body}");
        assert_eq!(body["locale"], expected, "{uri} {headers:?}");
    }
    // The page of `ar-XB` is right to left, its text forced so, its
    // placeables (the address) left alone.
    let page = text(common::app::app(&pseudo), "/?lang=ar-XB", &[]).await;
    assert!(page.contains(r#"<html lang="ar-XB" dir="rtl">"#), "{page}");
    assert!(page.contains("\u{202e}Hǝʅʅo!"), "{page}");
    assert!(page.contains("127.0.0.1"), "{page}");
    // Without the variable (the default) there are none: `ar-XB` is then
    // any tag the catalog lacks, served by its language.
    let page = text(app(), "/?lang=ar-XB", &[]).await;
    assert!(page.contains(r#"<html lang="ar" dir="rtl">"#), "{page}");
}

#[tokio::test]
async fn a_bad_pseudo_locale_stops_start_up_naming_it() {
    let error = try_config(&[("CROCODILE_PSEUDO_LOCALES", "en-XA, fr-XA")]).unwrap_err();
    assert_eq!(
        error,
        r#"CROCODILE_PSEUDO_LOCALES="en-XA, fr-XA": invalid pseudo-locale "fr-XA": the pseudo-locales are `en-XA` (accented, longer) and `ar-XB` (right to left)"#
    );
    for none in ["none", "", " NONE "] {
        let catalog = config(&[("CROCODILE_PSEUDO_LOCALES", none)]).catalog;
        assert!(
            catalog.locales().all(|tag| !tag.ends_with("-XA")),
            "{none:?}"
        );
    }
}
