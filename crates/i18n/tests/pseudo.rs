//! Pseudo-locales (`pseudo` feature): built from the default locale's
//! messages, served when named exactly by the query, the cookie or the
//! path, never negotiated from `Accept-Language`.
#![cfg(feature = "pseudo")]

use std::sync::Arc;

use axum::body::Body;
use axum::routing::get;
use axum::{Router, http::Request};
use crocodile_i18n::{Catalog, I18nLayer, Localizer, PseudoLocales};
use http_body_util::BodyExt;
use tower::ServiceExt;

const EN: &str = "hello = Hello, { $name }!\nbye = Goodbye\n";

fn catalog(pseudo: &str) -> Catalog {
    Catalog::builder()
        .default_locale("en")
        .use_isolating(false)
        .source("en", "m.ftl", EN)
        .source("ar", "m.ftl", "hello = مرحبا { $name }\nbye = وداعا\n")
        .source(
            "fr",
            "m.ftl",
            "hello = Bonjour, { $name } !\nbye = Au revoir\n",
        )
        .pseudo_locales(pseudo.parse::<PseudoLocales>().unwrap())
        .build()
        .unwrap()
}

fn app(catalog: Catalog) -> Router {
    let layer = I18nLayer::new(catalog).path_source(true);
    Router::new()
        .route(
            "/",
            get(|l10n: Localizer| async move {
                format!("{} {} {}", l10n.tag(), l10n.direction(), l10n.text("bye"))
            }),
        )
        .route(
            "/{lang}/page",
            get(|l10n: Localizer| async move { l10n.tag().to_owned() }),
        )
        .layer(layer)
}

async fn get_with(app: &Router, uri: &str, header: (&str, &str)) -> String {
    let request = Request::get(uri)
        .header(header.0, header.1)
        .body(Body::empty())
        .unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

#[tokio::test]
async fn pseudo_locales_are_chosen_only_explicitly() {
    let app = app(catalog("en-XA,ar-XB"));
    // (uri, header, header value, locale served): one row per case.
    let rows = [
        // Accept-Language never yields a pseudo-locale, even asked by name.
        ("/", "accept-language", "ar-EG", "ar"),
        ("/", "accept-language", "ar-XB", "ar"),
        // `en-XA` falls back to its language, like any tag the catalog lacks.
        ("/", "accept-language", "en-XA, fr;q=0.5", "en"),
        ("/", "accept-language", "ar-XB, fr;q=0.5", "ar"),
        ("/", "accept-language", "en-XA", "en"),
        ("/", "accept-language", "*, en;q=0, ar;q=0, fr;q=0", "en"),
        // The query, the cookie and the path choose one by its exact tag.
        ("/?lang=ar-XB", "accept-language", "fr", "ar-XB"),
        ("/?lang=en-xa", "accept-language", "fr", "en-XA"),
        ("/", "cookie", "lang=ar-XB", "ar-XB"),
        ("/ar-XB/page", "accept-language", "fr", "ar-XB"),
        // A near miss is matched against the real locales only.
        ("/?lang=ar-XB-x", "accept-language", "fr", "fr"),
        ("/?lang=en-XB", "accept-language", "fr", "en"),
        ("/?lang=ar-EG", "accept-language", "fr", "ar"),
    ];
    for (uri, name, value, expected) in rows {
        let body = get_with(&app, uri, (name, value)).await;
        let tag = body.split(' ').next().unwrap();
        assert_eq!(tag, expected, "{uri} {name}: {value}");
    }
}

#[tokio::test]
async fn right_to_left_pseudo_locale_is_served_rtl() {
    let app = app(catalog("ar-XB"));
    let body = get_with(&app, "/?lang=ar-XB", ("accept-language", "en")).await;
    assert_eq!(body, "ar-XB rtl \u{202e}⅁oopqʎǝ\u{202c}");
}

#[test]
fn pseudo_locales_carry_every_default_message() {
    let catalog = Arc::new(catalog("en-XA"));
    assert_eq!(
        catalog.locales().collect::<Vec<_>>(),
        ["en", "ar", "fr", "en-XA"]
    );
    assert!(
        catalog
            .missing_messages()
            .iter()
            .all(|m| !m.to_string().starts_with("en-XA"))
    );
    let xa = Localizer::new(Arc::clone(&catalog), "en-XA").unwrap();
    let mut args = crocodile_i18n::FluentArgs::new();
    args.set("name", "Ada");
    // Text is accented and padded; the variable is left as it is.
    assert_eq!(xa.format("hello", &args), "[Ħeeŀŀoo, ]Ada!");
    assert_eq!(
        catalog.fallback_chain("en-XA").unwrap().collect::<Vec<_>>(),
        ["en-XA", "en"]
    );
}

#[test]
fn none_configured_adds_nothing() {
    let catalog = catalog("");
    assert_eq!(catalog.locales().collect::<Vec<_>>(), ["en", "ar", "fr"]);
    assert_eq!(catalog.lookup("en-XA"), Some("en"));
}

#[test]
fn a_real_locale_with_the_tag_wins() {
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", EN)
        .source("en-XA", "m.ftl", "bye = Real")
        .pseudo_locales("en-XA".parse().unwrap())
        .build()
        .unwrap();
    let xa = Localizer::new(Arc::new(catalog), "en-XA").unwrap();
    assert_eq!(xa.text("bye"), "Real");
}

#[test]
fn reload_keeps_the_pseudo_locales() {
    let catalog = catalog("en-XA,ar-XB").rebuild().unwrap();
    assert_eq!(catalog.locales().count(), 5);
}

#[tokio::test]
async fn a_pseudo_locale_prefix_routes_but_is_never_an_hreflang_alternate() {
    use crocodile_i18n::prefix::{Alternates, LocalePrefixLayer};
    use tower::Layer;

    let i18n = I18nLayer::new(catalog("en-XA,ar-XB"));
    let router = Router::new()
        .route(
            "/about",
            get(|l10n: Localizer, alternates: Alternates| async move {
                let hreflangs: Vec<&str> = alternates.iter().map(|a| a.hreflang).collect();
                format!("{} {}", l10n.tag(), hreflangs.join(","))
            }),
        )
        .layer(i18n.clone());
    let app = Router::new().fallback_service(LocalePrefixLayer::new(&i18n).layer(router));

    let body = get_with(&app, "/en-XA/about", ("accept-language", "fr")).await;
    assert_eq!(body, "en-XA en,ar,fr,x-default");
    let body = get_with(&app, "/about", ("accept-language", "ar-XB")).await;
    assert_eq!(body, "ar en,ar,fr,x-default");
}
