//! The main example with `CROCODILE_LOCALE_PREFIX` `off`, `on` and
//! `redirect`: prefixed pages, `hreflang` alternates on the page and in
//! `/context`, every redirect rule, switching languages as a visitor does,
//! and the wrapped router served over real TCP.

mod common;

use std::net::SocketAddr;

use axum::Router;
use common::locale_prefix::LocalePrefix;
use common::{config, get, json, raw_http, text, try_config};
use http::StatusCode;
use http::header::{CONTENT_LANGUAGE, LOCATION, SET_COOKIE, VARY};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The example with `CROCODILE_LOCALE_PREFIX=mode`.
fn app(mode: &str) -> Router {
    common::app::app(&config(&[("CROCODILE_LOCALE_PREFIX", mode)]))
}

/// `GET /context`'s `alternates` and `locale` for `uri`.
async fn context(router: &Router, uri: &str, headers: &[(&str, &str)]) -> (Value, Value) {
    let (status, body) = json(router.clone(), "127.0.0.1:5000", get(uri, headers)).await;
    assert_eq!(status, 200, "{uri}: {body}");
    (body["locale"].clone(), body["alternates"].clone())
}

/// The example catalog's locales, in catalog order.
fn locales() -> Vec<String> {
    config(&[]).catalog.locales().map(str::to_owned).collect()
}

/// The alternates of `path` (without prefix) on `http://localhost:3000`.
fn alternates_of(path: &str) -> Value {
    let origin = "http://localhost:3000";
    let mut list: Vec<Value> = locales()
        .iter()
        .map(|tag| json!({"hreflang": tag, "href": format!("{origin}/{tag}{path}")}))
        .collect();
    list.push(json!({"hreflang": "x-default", "href": format!("{origin}{path}")}));
    Value::Array(list)
}

#[test]
fn the_mode_is_checked_before_binding() {
    assert_eq!(config(&[]).locale_prefix, LocalePrefix::Off);
    for (value, mode) in [
        ("off", LocalePrefix::Off),
        ("on", LocalePrefix::On),
        ("REDIRECT", LocalePrefix::Redirect),
    ] {
        assert_eq!(
            config(&[("CROCODILE_LOCALE_PREFIX", value)]).locale_prefix,
            mode
        );
    }
    for mode in LocalePrefix::ALL {
        assert_eq!(mode.to_string().parse::<LocalePrefix>(), Ok(mode));
    }
    let error = try_config(&[("CROCODILE_LOCALE_PREFIX", "yes")]).unwrap_err();
    assert_eq!(
        error,
        r#"CROCODILE_LOCALE_PREFIX="yes": "yes" is not a mode: expected `off`, `on` or `redirect`"#
    );
}

#[tokio::test]
async fn off_leaves_prefixes_alone() {
    let app = app("off");
    let (status, _, _) = text(app.clone(), get("/fr/", &[])).await;
    assert_eq!(status, 404);
    let (status, headers, page) = text(app.clone(), get("/", &[("accept-language", "de")])).await;
    assert_eq!(status, 200);
    assert_eq!(headers[CONTENT_LANGUAGE], "de");
    assert!(!page.contains("rel=\"alternate\""), "{page}");
    assert!(
        page.contains(r#"<a href="?lang=fr" hreflang="fr""#),
        "{page}"
    );
    assert_eq!(
        context(&app, "/context", &[]).await,
        (json!("en"), json!([]))
    );
}

#[tokio::test]
async fn on_serves_each_locale_under_its_prefix() {
    let app = app("on");
    // (request, headers, status, Content-Language)
    let rows: &[(&str, &[(&str, &str)], u16, Option<&str>)] = &[
        ("/fr/", &[], 200, Some("fr")),
        ("/fr", &[], 200, Some("fr")),
        ("/DE/", &[("accept-language", "fr")], 200, Some("de")),
        ("/zh-hans/messages/lang-name", &[], 200, Some("zh-Hans")),
        ("/ar/?lang=fr", &[("cookie", "lang=de")], 200, Some("ar")),
        // No prefix: negotiated as before.
        ("/", &[("accept-language", "fr")], 200, Some("fr")),
        ("/?lang=de", &[], 200, Some("de")),
        // Not a catalog locale, or not a route: a plain 404.
        ("/xx/", &[], 404, Some("en")),
        ("/fr/nowhere", &[], 404, Some("fr")),
    ];
    for (uri, headers, status, language) in rows {
        let (got, response, _) = text(app.clone(), get(uri, headers)).await;
        assert_eq!(got.as_u16(), *status, "{uri}");
        assert_eq!(
            response.get(CONTENT_LANGUAGE).map(|v| v.to_str().unwrap()),
            *language,
            "{uri}"
        );
        assert!(response.get(LOCATION).is_none(), "{uri}");
    }
    // The page names its alternates and switches language through them.
    let (_, _, page) = text(app.clone(), get("/fr/", &[])).await;
    assert!(page.contains(r#"<html lang="fr" dir="ltr">"#), "{page}");
    for tag in locales() {
        let link = format!(
            r#"<link rel="alternate" hreflang="{tag}" href="http://localhost:3000/{tag}/">"#
        );
        assert!(page.contains(&link), "{link} in {page}");
        let switch = format!(r#"<a href="http://localhost:3000/{tag}/" hreflang="{tag}""#);
        assert!(page.contains(&switch), "{switch} in {page}");
    }
    assert!(
        page.contains(
            r#"<link rel="alternate" hreflang="x-default" href="http://localhost:3000/">"#
        ),
        "{page}"
    );
    assert!(
        page.contains(r#"<a href="http://localhost:3000/fr/context">/fr/context</a>"#),
        "{page}"
    );
    // `/context` in the prefix's locale, with absolute alternates.
    assert_eq!(
        context(&app, "/de/context", &[]).await,
        (json!("de"), alternates_of("/context"))
    );
    assert_eq!(
        context(&app, "/context?lang=fr&x=1", &[]).await,
        (json!("fr"), alternates_of("/context?x=1"))
    );
}

#[tokio::test]
async fn redirect_sends_pages_to_their_canonical_url() {
    let app = app("redirect");
    let cookie = "Path=/; Max-Age=31536000; SameSite=Lax";
    // (request, headers, Location or None when served, Set-Cookie)
    let rows: &[(&str, &[(&str, &str)], Option<&str>, Option<String>)] = &[
        (
            "/",
            &[("accept-language", "fr-CA, en;q=0.5")],
            Some("/fr/"),
            None,
        ),
        ("/", &[], Some("/en/"), None),
        (
            "/",
            &[("cookie", "lang=ar"), ("accept-language", "fr")],
            Some("/ar/"),
            None,
        ),
        (
            "/nowhere/deep/?page=2",
            &[("accept-language", "de")],
            Some("/de/nowhere/deep/?page=2"),
            None,
        ),
        (
            "/?lang=de&x=1",
            &[],
            Some("/de/?x=1"),
            Some(format!("lang=de; {cookie}")),
        ),
        (
            "/fr/?lang=ar",
            &[],
            Some("/ar/"),
            Some(format!("lang=ar; {cookie}")),
        ),
        ("/fr/?lang=xx", &[], Some("/fr/"), None),
        ("/FR/", &[], Some("/fr/"), None),
        ("/ZH-HANS/nowhere", &[], Some("/zh-Hans/nowhere"), None),
        // Canonical already (the prefix is remembered in the cookie).
        ("/fr/", &[], None, Some(format!("lang=fr; {cookie}"))),
        ("/fr/", &[("cookie", "lang=fr")], None, None),
        // Excluded, with or without a prefix.
        ("/context", &[], None, None),
        (
            "/context?lang=de",
            &[],
            None,
            Some(format!("lang=de; {cookie}")),
        ),
        ("/messages/lang-name", &[], None, None),
        (
            "/zh-hans/messages/lang-name",
            &[],
            None,
            Some(format!("lang=zh-Hans; {cookie}")),
        ),
        ("/health", &[], None, None),
        ("/static/site.css", &[], None, None),
        ("/favicon.ico", &[], None, None),
        ("/robots.txt", &[], None, None),
        ("/de/context?lang=fr", &[("cookie", "lang=de")], None, None),
    ];
    for (uri, headers, location, set_cookie) in rows {
        let (status, response, _) = text(app.clone(), get(uri, headers)).await;
        let header = |name| response.get(name).map(|v| v.to_str().unwrap().to_owned());
        assert_eq!(header(SET_COOKIE), *set_cookie, "{uri}: Set-Cookie");
        assert_eq!(header(LOCATION).as_deref(), *location, "{uri}: Location");
        if location.is_some() {
            assert_eq!(status, StatusCode::TEMPORARY_REDIRECT, "{uri}");
            assert_eq!(
                header(VARY).as_deref(),
                Some("Accept-Language, Cookie"),
                "{uri}"
            );
        } else {
            assert_ne!(status, StatusCode::TEMPORARY_REDIRECT, "{uri}");
        }
    }
    // An excluded path under a prefix is served in the prefix's locale.
    assert_eq!(
        context(&app, "/de/context?lang=fr", &[]).await,
        (json!("de"), alternates_of("/context"))
    );
}

#[tokio::test]
async fn a_visitor_switches_language_and_it_sticks() {
    let app = app("redirect");
    // A French browser lands on `/` and is sent to `/fr/`.
    let (_, headers, _) = text(app.clone(), get("/", &[("accept-language", "fr")])).await;
    assert_eq!(headers[LOCATION], "/fr/");
    let (status, _, page) = text(app.clone(), get("/fr/", &[("accept-language", "fr")])).await;
    assert_eq!(status, 200);
    // The switcher's link to German, followed.
    let start = page
        .find(r#"hreflang="de" lang="de""#)
        .expect("a German link");
    let href = page[..start]
        .rsplit_once("<a href=\"")
        .unwrap()
        .1
        .split('"')
        .next()
        .unwrap();
    assert_eq!(href, "http://localhost:3000/de/");
    let path = href.strip_prefix("http://localhost:3000").unwrap();
    let (status, headers, page) = text(
        app.clone(),
        get(path, &[("accept-language", "fr"), ("cookie", "lang=fr")]),
    )
    .await;
    assert_eq!(status, 200);
    assert!(page.contains(r#"<html lang="de""#), "{page}");
    let set_cookie = headers[SET_COOKIE].to_str().unwrap();
    assert!(set_cookie.starts_with("lang=de;"), "{set_cookie}");
    // Back on `/` with the cookie: German, not the browser's French.
    let (_, headers, _) = text(
        app.clone(),
        get("/", &[("accept-language", "fr"), ("cookie", "lang=de")]),
    )
    .await;
    assert_eq!(headers[LOCATION], "/de/");
    assert_eq!(
        context(
            &app,
            "/context",
            &[("accept-language", "fr"), ("cookie", "lang=de")]
        )
        .await
        .0,
        json!("de")
    );
}

/// `GET path` over real TCP to `server`; the whole response.
async fn raw_get(server: SocketAddr, path: &str) -> raw_http::Response {
    let mut stream = TcpStream::connect(server).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nhost: localhost\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).await.unwrap();
    raw_http::Response { text }
}

#[tokio::test]
async fn the_wrapped_router_serves_with_connect_info_over_tcp() {
    let config = config(&[("CROCODILE_LOCALE_PREFIX", "redirect")]);
    let server = raw_http::serve("127.0.0.1:0", common::app::app(&config)).await;
    let response = raw_get(server, "/fr/context").await;
    assert_eq!(response.status(), 200, "{}", response.text);
    let body: Value = serde_json::from_str(response.body().unwrap()).unwrap();
    assert_eq!(body["locale"], "fr");
    assert_eq!(body["peer"], "127.0.0.1");
    let german = body["alternates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["hreflang"] == "de");
    assert_eq!(german.unwrap()["href"], "http://localhost/de/context");
    let response = raw_get(server, "/").await;
    assert_eq!(response.status(), 307, "{}", response.text);
    assert!(
        response
            .text
            .to_ascii_lowercase()
            .contains("\r\nlocation: /en/\r\n"),
        "{}",
        response.text
    );
}
