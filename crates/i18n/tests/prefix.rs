//! `LocalePrefixLayer` around an axum `Router`: prefix routing, every
//! redirect rule and the alternates, table-driven, plus reloads and hostile
//! paths.

use axum::extract::OriginalUri;
use axum::routing::get;
use axum::{Router, body::Body};
use crocodile_i18n::prefix::{Alternates, ExcludedPaths, LocalePrefixLayer};
use crocodile_i18n::{Catalog, CatalogBuilder, I18nLayer, Localizer};
use http::header::{LOCATION, SET_COOKIE, VARY};
use http::{HeaderMap, Method, Request, StatusCode, Uri};
use tower::{Layer, ServiceExt};

fn builder() -> CatalogBuilder {
    Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "hi = Hi")
        .source("fr", "m.ftl", "hi = Salut")
        .source("de", "m.ftl", "hi = Hallo")
        .source("zh-Hant", "m.ftl", "hi = 你好")
}

/// What a route saw: `<tag> <source> <uri> <original uri>`.
async fn seen(l10n: Localizer, uri: Uri, OriginalUri(original): OriginalUri) -> String {
    format!("{} {} {uri} {original}", l10n.tag(), l10n.source())
}

/// The alternates, one `hreflang href` per line, relative then absolute.
async fn alternates(alternates: Alternates) -> String {
    let mut lines: Vec<String> = vec![format!(
        "locale={} path={}",
        alternates.locale().unwrap_or("-"),
        alternates.path()
    )];
    lines.extend(
        alternates
            .iter()
            .map(|a| format!("{} {}", a.hreflang, a.href)),
    );
    lines.extend(
        alternates
            .absolute("https://example.com/")
            .map(|a| format!("{} {}", a.hreflang, a.href)),
    );
    lines.join("\n")
}

fn router(i18n: &I18nLayer) -> Router {
    Router::new()
        .route("/", get(seen))
        .route("/about", get(seen))
        .route("/about/", get(seen))
        .route("/docs/{*rest}", get(seen))
        .route("/health", get(|| async { "ok" }))
        .route("/api/x", get(seen))
        .route("/alternates", get(alternates))
        .route("/alternates/{*rest}", get(alternates))
        .fallback(|uri: Uri| async move { (StatusCode::NOT_FOUND, format!("404 {uri}")) })
        .layer(i18n.clone())
}

/// The router wrapped the documented way: the fallback of an empty router.
fn app(i18n: &I18nLayer, prefix: LocalePrefixLayer) -> Router {
    Router::new().fallback_service(prefix.layer(router(i18n)))
}

fn route_mode() -> Router {
    let i18n = I18nLayer::new(builder().build().unwrap());
    app(&i18n, LocalePrefixLayer::new(&i18n))
}

fn redirect_mode() -> Router {
    let i18n = I18nLayer::new(builder().build().unwrap());
    let excluded: ExcludedPaths = "/health,/api".parse().unwrap();
    app(
        &i18n,
        LocalePrefixLayer::new(&i18n)
            .redirect(true)
            .exclude(excluded),
    )
}

async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, HeaderMap, String) {
    let mut req = Request::builder().method(method).uri(uri);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(req.body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = response.into_parts();
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    (
        parts.status,
        parts.headers,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

async fn get_body(app: &Router, uri: &str, headers: &[(&str, &str)]) -> (StatusCode, String) {
    let (status, _, body) = send(app, Method::GET, uri, headers).await;
    (status, body)
}

#[tokio::test]
async fn a_catalog_locale_prefix_is_routed_without_it() {
    let app = route_mode();
    // (request, headers, status, what the route saw)
    let rows: &[(&str, &[(&str, &str)], u16, &str)] = &[
        ("/fr/about", &[], 200, "fr path /about /fr/about"),
        // Nested paths, trailing slashes, the bare prefix.
        ("/de/docs/a/b", &[], 200, "de path /docs/a/b /de/docs/a/b"),
        ("/fr/about/", &[], 200, "fr path /about/ /fr/about/"),
        ("/fr", &[], 200, "fr path / /fr"),
        ("/fr/", &[], 200, "fr path / /fr/"),
        // The query stays; `?lang=` does not override the URL's locale.
        (
            "/fr/about?x=1&lang=de",
            &[],
            200,
            "fr path /about?x=1&lang=de /fr/about?x=1&lang=de",
        ),
        // Nor do the cookie and `Accept-Language`.
        (
            "/fr/about",
            &[("cookie", "lang=de"), ("accept-language", "de")],
            200,
            "fr path /about /fr/about",
        ),
        // Compared case-insensitively; the catalog's spelling is the locale.
        ("/FR/about", &[], 200, "fr path /about /FR/about"),
        (
            "/zh-hant/about",
            &[],
            200,
            "zh-Hant path /about /zh-hant/about",
        ),
        // No prefix: passes unchanged, negotiated as usual.
        ("/about", &[], 200, "en default /about /about"),
        (
            "/about",
            &[("accept-language", "de-AT")],
            200,
            "de accept-language /about /about",
        ),
        (
            "/api/x?lang=fr",
            &[],
            200,
            "fr query /api/x?lang=fr /api/x?lang=fr",
        ),
        // Not a catalog locale: a path like any other.
        ("/xx/about", &[], 404, "404 /xx/about"),
        ("/fr-CA/about", &[], 404, "404 /fr-CA/about"),
        ("/frx/about", &[], 404, "404 /frx/about"),
        ("/about/fr", &[], 404, "404 /about/fr"),
        // Raw, as routes are matched: an encoded or empty segment is no prefix.
        ("/%66r/about", &[], 404, "404 /%66r/about"),
        ("//fr/about", &[], 404, "404 //fr/about"),
        ("/fr/../about", &[], 404, "404 /../about"),
    ];
    for (uri, headers, status, body) in rows {
        assert_eq!(
            get_body(&app, uri, headers).await,
            (StatusCode::from_u16(*status).unwrap(), (*body).to_owned()),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn redirect_mode_sends_each_request_to_its_canonical_url() {
    let app = redirect_mode();
    // (method, request, headers, Location or None when served, Set-Cookie)
    let rows: &[(Method, &str, &[(&str, &str)], Option<&str>, Option<&str>)] = &[
        // No prefix: the negotiated one, query kept.
        (Method::GET, "/about", &[], Some("/en/about"), None),
        (Method::GET, "/", &[], Some("/en/"), None),
        (
            Method::GET,
            "/about/",
            &[("accept-language", "fr-CA, en;q=0.5")],
            Some("/fr/about/"),
            None,
        ),
        (
            Method::GET,
            "/docs/a/b?x=1&y=%20",
            &[("accept-language", "de")],
            Some("/de/docs/a/b?x=1&y=%20"),
            None,
        ),
        (
            Method::GET,
            "/about",
            &[("cookie", "lang=zh-Hant"), ("accept-language", "de")],
            Some("/zh-Hant/about"),
            None,
        ),
        (Method::HEAD, "/about", &[], Some("/en/about"), None),
        // `?lang=` decides, leaves the URL and is remembered.
        (
            Method::GET,
            "/about?lang=de&x=1",
            &[],
            Some("/de/about?x=1"),
            Some("lang=de; Path=/; Max-Age=31536000; SameSite=Lax"),
        ),
        (
            Method::GET,
            "/fr/about?lang=de",
            &[],
            Some("/de/about"),
            Some("lang=de; Path=/; Max-Age=31536000; SameSite=Lax"),
        ),
        (
            Method::GET,
            "/fr/docs/a?x=1&lang=zh-TW",
            &[],
            Some("/zh-Hant/docs/a?x=1"),
            Some("lang=zh-Hant; Path=/; Max-Age=31536000; SameSite=Lax"),
        ),
        (
            Method::GET,
            "/fr?lang=de",
            &[],
            Some("/de"),
            Some("lang=de; Path=/; Max-Age=31536000; SameSite=Lax"),
        ),
        // Not a catalog locale: the prefix stays, the parameter goes.
        (
            Method::GET,
            "/fr/about?lang=xx&x=1",
            &[],
            Some("/fr/about?x=1"),
            None,
        ),
        // Uppercase: the catalog's spelling.
        (
            Method::GET,
            "/FR/about?x=1",
            &[],
            Some("/fr/about?x=1"),
            None,
        ),
        (Method::GET, "/zh-hant/", &[], Some("/zh-Hant/"), None),
        // Not a catalog locale: a path without a prefix.
        (
            Method::GET,
            "/xx/about",
            &[("accept-language", "fr")],
            Some("/fr/xx/about"),
            None,
        ),
        // Canonical already.
        (
            Method::GET,
            "/fr/about",
            &[],
            None,
            Some("lang=fr; Path=/; Max-Age=31536000; SameSite=Lax"),
        ),
        (
            Method::GET,
            "/fr/about?x=1",
            &[("cookie", "lang=fr")],
            None,
            None,
        ),
        // Excluded paths, with or without a prefix, and their subpaths.
        (Method::GET, "/health", &[], None, None),
        // (The `I18nLayer` inside remembers `?lang=` as always.)
        (
            Method::GET,
            "/api/x?lang=fr",
            &[],
            None,
            Some("lang=fr; Path=/; Max-Age=31536000; SameSite=Lax"),
        ),
        (
            Method::GET,
            "/fr/health?lang=de",
            &[],
            None,
            Some("lang=fr; Path=/; Max-Age=31536000; SameSite=Lax"),
        ),
        (Method::GET, "/healthz", &[], Some("/en/healthz"), None),
        // Other methods are never redirected.
        (Method::POST, "/about", &[], None, None),
        (
            Method::DELETE,
            "/FR/about",
            &[("cookie", "lang=fr")],
            None,
            None,
        ),
    ];
    for (method, uri, headers, location, cookie) in rows {
        let (status, got, _) = send(&app, method.clone(), uri, headers).await;
        let header = |name| got.get(name).map(|v| v.to_str().unwrap());
        assert_eq!(header(SET_COOKIE), *cookie, "{method} {uri}: Set-Cookie");
        match location {
            Some(location) => {
                assert_eq!(status, StatusCode::TEMPORARY_REDIRECT, "{method} {uri}");
                assert_eq!(header(LOCATION), Some(*location), "{method} {uri}");
                assert_eq!(
                    header(VARY),
                    Some("Accept-Language, Cookie"),
                    "{method} {uri}"
                );
                assert_eq!(
                    got.get_all(SET_COOKIE).iter().count(),
                    usize::from(cookie.is_some())
                );
            }
            None => {
                assert_ne!(status, StatusCode::TEMPORARY_REDIRECT, "{method} {uri}");
                assert_eq!(header(LOCATION), None, "{method} {uri}");
            }
        }
    }
    // Followed, a redirect lands where it says, in that locale.
    let (_, headers, _) = send(&app, Method::GET, "/docs/a?lang=de", &[]).await;
    let location = headers[LOCATION].to_str().unwrap();
    assert_eq!(
        get_body(&app, location, &[]).await.1,
        "de path /docs/a /de/docs/a"
    );
}

#[tokio::test]
async fn the_prefix_is_remembered_only_when_the_cookie_says_otherwise() {
    let routed = route_mode();
    let cookie = |headers: &HeaderMap| {
        headers
            .get(SET_COOKIE)
            .map(|v| v.to_str().unwrap().to_owned())
    };
    let (_, headers, _) = send(&routed, Method::GET, "/de/about", &[]).await;
    assert_eq!(
        cookie(&headers).as_deref(),
        Some("lang=de; Path=/; Max-Age=31536000; SameSite=Lax")
    );
    let (_, headers, _) = send(&routed, Method::GET, "/de/about", &[("cookie", "lang=fr")]).await;
    assert_eq!(
        cookie(&headers).as_deref(),
        Some("lang=de; Path=/; Max-Age=31536000; SameSite=Lax")
    );
    for same in ["lang=de", "lang=DE", "a=1; lang=de-AT"] {
        let (_, headers, _) = send(&routed, Method::GET, "/de/about", &[("cookie", same)]).await;
        assert_eq!(cookie(&headers), None, "{same}");
    }
    // No cookie source, no cookie.
    let i18n = I18nLayer::new(builder().build().unwrap()).sources(
        "query,accept-language"
            .parse::<crocodile_i18n::LocaleSources>()
            .unwrap(),
    );
    let no_cookie = app(&i18n, LocalePrefixLayer::new(&i18n));
    let (_, headers, body) = send(&no_cookie, Method::GET, "/de/about", &[]).await;
    assert_eq!(body, "de path /about /de/about");
    assert_eq!(cookie(&headers), None);
}

#[tokio::test]
async fn alternates_name_every_locale_for_nested_paths_and_queries() {
    let app = route_mode();
    // (request, the alternates' lines)
    let rows: &[(&str, &str)] = &[
        (
            "/fr/alternates/a/b?page=2&lang=de&q=x%20y",
            "locale=fr path=/alternates/a/b\n\
             en /en/alternates/a/b?page=2&q=x%20y\n\
             de /de/alternates/a/b?page=2&q=x%20y\n\
             fr /fr/alternates/a/b?page=2&q=x%20y\n\
             zh-Hant /zh-Hant/alternates/a/b?page=2&q=x%20y\n\
             x-default /alternates/a/b?page=2&q=x%20y\n\
             en https://example.com/en/alternates/a/b?page=2&q=x%20y\n\
             de https://example.com/de/alternates/a/b?page=2&q=x%20y\n\
             fr https://example.com/fr/alternates/a/b?page=2&q=x%20y\n\
             zh-Hant https://example.com/zh-Hant/alternates/a/b?page=2&q=x%20y\n\
             x-default https://example.com/alternates/a/b?page=2&q=x%20y",
        ),
        (
            "/alternates/x/?lang=fr",
            "locale=- path=/alternates/x/\n\
             en /en/alternates/x/\n\
             de /de/alternates/x/\n\
             fr /fr/alternates/x/\n\
             zh-Hant /zh-Hant/alternates/x/\n\
             x-default /alternates/x/\n\
             en https://example.com/en/alternates/x/\n\
             de https://example.com/de/alternates/x/\n\
             fr https://example.com/fr/alternates/x/\n\
             zh-Hant https://example.com/zh-Hant/alternates/x/\n\
             x-default https://example.com/alternates/x/",
        ),
        (
            "/ZH-HANT/alternates/q?a&b=",
            "locale=zh-Hant path=/alternates/q\n\
             en /en/alternates/q?a&b=\n\
             de /de/alternates/q?a&b=\n\
             fr /fr/alternates/q?a&b=\n\
             zh-Hant /zh-Hant/alternates/q?a&b=\n\
             x-default /alternates/q?a&b=\n\
             en https://example.com/en/alternates/q?a&b=\n\
             de https://example.com/de/alternates/q?a&b=\n\
             fr https://example.com/fr/alternates/q?a&b=\n\
             zh-Hant https://example.com/zh-Hant/alternates/q?a&b=\n\
             x-default https://example.com/alternates/q?a&b=",
        ),
    ];
    for (uri, lines) in rows {
        assert_eq!(
            get_body(&app, uri, &[]).await,
            (StatusCode::OK, (*lines).to_owned()),
            "{uri}"
        );
    }
}

#[tokio::test]
async fn the_root_s_alternates_end_in_a_slash() {
    let i18n = I18nLayer::new(builder().build().unwrap());
    let router = Router::new()
        .route("/", get(alternates))
        .layer(i18n.clone());
    let app = Router::new().fallback_service(LocalePrefixLayer::new(&i18n).layer(router));
    for uri in ["/", "/de", "/de/"] {
        let (status, body) = get_body(&app, uri, &[]).await;
        assert_eq!(status, 200, "{uri}");
        let hrefs: Vec<&str> = body.lines().skip(1).take(5).collect();
        assert_eq!(
            hrefs,
            [
                "en /en/",
                "de /de/",
                "fr /fr/",
                "zh-Hant /zh-Hant/",
                "x-default /"
            ],
            "{uri}"
        );
    }
}

#[tokio::test]
async fn without_the_layer_alternates_reject_with_a_500_naming_it() {
    let i18n = I18nLayer::new(builder().build().unwrap());
    let (status, body) = get_body(&router(&i18n), "/alternates", &[]).await;
    assert_eq!(status, 500);
    assert_eq!(
        body,
        crocodile_i18n::prefix::MissingAlternates::default().body_text()
    );
    assert!(body.contains("Is `LocalePrefixLayer` installed"), "{body}");
}

#[tokio::test]
async fn prefixes_follow_catalog_reloads() {
    let i18n = I18nLayer::new(builder().build().unwrap());
    let app = app(&i18n, LocalePrefixLayer::new(&i18n).redirect(true));
    assert_eq!(
        get_body(&app, "/es/about", &[]).await.0,
        StatusCode::TEMPORARY_REDIRECT
    );
    i18n.reload_from(builder().source("es", "m.ftl", "hi = Hola"))
        .unwrap();
    assert_eq!(
        get_body(&app, "/es/about", &[]).await,
        (StatusCode::OK, "es path /about /es/about".to_owned())
    );
    let (_, headers, _) = send(&app, Method::GET, "/about", &[("accept-language", "es")]).await;
    assert_eq!(headers[LOCATION], "/es/about");
    let body = get_body(&app, "/es/alternates", &[]).await.1;
    assert!(body.contains("\nes /es/alternates\n"), "{body}");
    // A locale the new catalog lacks is no longer a prefix.
    i18n.reload_from(
        Catalog::builder()
            .default_locale("en")
            .source("en", "m.ftl", "hi = Hi"),
    )
    .unwrap();
    let (_, headers, _) = send(&app, Method::GET, "/fr/about", &[]).await;
    assert_eq!(headers[LOCATION], "/en/fr/about");
}

#[tokio::test]
async fn an_i18n_layer_made_from_another_takes_the_prefix_by_tag() {
    let i18n = I18nLayer::new(builder().build().unwrap());
    let inner = i18n.clone().cookie_secure(true);
    let app = Router::new().fallback_service(LocalePrefixLayer::new(&i18n).layer(router(&inner)));
    assert_eq!(
        get_body(&app, "/de/about", &[]).await.1,
        "de path /about /de/about"
    );
}

#[tokio::test]
async fn hostile_paths_are_served_without_panic() {
    let route = route_mode();
    let redirect = redirect_mode();
    // `http` refuses a URI over 65,534 bytes: these come close to 64 KiB.
    let long_segments = format!("/fr/{}", "a/".repeat(32_000));
    let long_prefixless = format!("/{}", "x".repeat(65_000));
    let encoded = format!("/de/{}", "%2F%2e%2e".repeat(7_000));
    let dots = format!("/fr{}", "/..".repeat(21_000));
    let slashes = "/".repeat(65_000);
    let long_query = format!("/fr/about?{}", "lang=de&".repeat(8_000));
    for uri in [
        &long_segments,
        &long_prefixless,
        &encoded,
        &dots,
        &slashes,
        &long_query,
    ] {
        assert!((59_000..65_535).contains(&uri.len()), "{}", uri.len());
        let (status, _) = get_body(&route, uri, &[]).await;
        assert!(status == 200 || status == 404, "{status}");
        let (status, headers, _) = send(&redirect, Method::GET, uri, &[]).await;
        if status == StatusCode::TEMPORARY_REDIRECT {
            let location = headers[LOCATION].to_str().unwrap();
            assert!(
                location.starts_with("/en/")
                    || location.starts_with("/de/")
                    || location.starts_with("/fr/"),
                "{}",
                &location[..20]
            );
            assert!(!location.contains("lang="));
        }
    }
}

#[tokio::test]
async fn an_outer_prefix_layers_alternates_stay() {
    // Two prefix layers: the outer strips `/fr`, the inner then sees `/de`.
    // The route is told the outer layer's answer: the locale of the URL the
    // client asked for, and its path without that prefix.
    let i18n = I18nLayer::new(builder().build().unwrap());
    let inner = LocalePrefixLayer::new(&i18n).layer(router(&i18n));
    let app = Router::new().fallback_service(LocalePrefixLayer::new(&i18n).layer(inner));
    let (status, body) = get_body(&app, "/fr/de/alternates", &[]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // (The inner layer's own would be `locale=de path=/alternates`.)
    assert_eq!(
        body.lines().next(),
        Some("locale=fr path=/de/alternates"),
        "{body}"
    );
}
