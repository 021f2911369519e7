//! Layer tests: sources, precedence, response headers, extractor, leaks.

use std::convert::Infallible;
use std::sync::{Arc, Weak};

use http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, COOKIE, SET_COOKIE, VARY};
use http::{HeaderValue, Request, Response};
use tower::{ServiceBuilder, ServiceExt};

use crate::{
    Catalog, CookieName, CookiePath, I18nLayer, I18nService, LocaleSource, LocaleSources,
    Localizer, SameSite,
};

fn catalog() -> Arc<Catalog> {
    Arc::new(
        Catalog::builder()
            .default_locale("en")
            .source("en", "m.ftl", "hi = Hi")
            .source("fr", "m.ftl", "hi = Salut")
            .source("de", "m.ftl", "hi = Hallo")
            .source("zh-Hans", "m.ftl", "hi = 你好")
            .source("ar", "m.ftl", "hi = مرحبا")
            .build()
            .unwrap(),
    )
}

/// Echoes `<tag> <source> <uri>` and the message `hi`.
async fn echo(req: Request<String>) -> Result<Response<String>, Infallible> {
    let l10n = req.extensions().get::<Localizer>().unwrap();
    Ok(Response::new(format!(
        "{} {} {} {}",
        l10n.tag(),
        l10n.source(),
        req.uri(),
        l10n.text("hi")
    )))
}

async fn send(layer: I18nLayer, req: Request<String>) -> Response<String> {
    ServiceBuilder::new()
        .layer(layer)
        .service_fn(echo)
        .oneshot(req)
        .await
        .unwrap()
}

fn get(uri: &str) -> http::request::Builder {
    Request::get(uri)
}

async fn body(layer: I18nLayer, req: http::request::Builder) -> String {
    send(layer, req.body(String::new()).unwrap())
        .await
        .into_body()
}

fn all(response: &Response<String>, name: http::header::HeaderName) -> Vec<&str> {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect()
}

#[tokio::test]
async fn each_source_decides_when_alone() {
    let layer = I18nLayer::new(catalog());
    assert_eq!(
        body(layer.clone(), get("/?lang=fr")).await,
        "fr query /?lang=fr Salut"
    );
    assert_eq!(
        body(layer.clone(), get("/").header(COOKIE, "a=b; lang=de")).await,
        "de cookie / Hallo"
    );
    assert_eq!(
        body(
            layer.clone(),
            get("/").header(ACCEPT_LANGUAGE, "zh-CN, en;q=0.5")
        )
        .await,
        "zh-Hans accept-language / 你好"
    );
    assert_eq!(body(layer.clone(), get("/")).await, "en default / Hi");
    let path = layer.path_source(true);
    assert_eq!(body(path, get("/ar/page")).await, "ar path /ar/page مرحبا");
}

#[tokio::test]
async fn query_beats_cookie_beats_header_by_default() {
    let layer = I18nLayer::new(catalog());
    let req = || {
        get("/?lang=fr")
            .header(COOKIE, "lang=de")
            .header(ACCEPT_LANGUAGE, "ar")
    };
    assert!(body(layer.clone(), req()).await.starts_with("fr query"));
    let req = || {
        get("/")
            .header(COOKIE, "lang=de")
            .header(ACCEPT_LANGUAGE, "ar")
    };
    assert!(body(layer.clone(), req()).await.starts_with("de cookie"));
    // The order is configurable.
    let header_first = layer.sources([LocaleSource::AcceptLanguage, LocaleSource::Cookie]);
    assert!(
        body(header_first.clone(), req())
            .await
            .starts_with("ar accept-language")
    );
    // A source that is not listed is not read.
    assert!(
        body(header_first, get("/?lang=fr"))
            .await
            .starts_with("en default")
    );
    // The path source goes first when turned on.
    let path = I18nLayer::new(catalog()).path_source(true);
    assert!(
        body(path, get("/de/x?lang=fr"))
            .await
            .starts_with("de path")
    );
}

#[tokio::test]
async fn an_unknown_locale_is_ignored_and_the_next_source_decides() {
    let layer = I18nLayer::new(catalog());
    let response = send(
        layer.clone(),
        get("/?lang=xx")
            .header(COOKIE, "lang=..%2F")
            .header(ACCEPT_LANGUAGE, "ja, de;q=0.1")
            .body(String::new())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), 200);
    assert!(response.body().starts_with("de accept-language"));
    assert!(response.headers().get(SET_COOKIE).is_none());
    // Non-UTF-8 and garbage header bytes are ignored too.
    let mut req = get("/").body(String::new()).unwrap();
    req.headers_mut()
        .insert(COOKIE, HeaderValue::from_bytes(b"lang=\xff\xfe").unwrap());
    req.headers_mut().insert(
        ACCEPT_LANGUAGE,
        HeaderValue::from_bytes(b"\xff, fr;q=\xfe, ar").unwrap(),
    );
    assert!(
        send(layer, req)
            .await
            .body()
            .starts_with("ar accept-language")
    );
}

#[tokio::test]
async fn query_and_cookie_values_fall_back_by_region_and_script() {
    let layer = I18nLayer::new(catalog());
    assert!(
        body(layer.clone(), get("/?lang=fr-CA"))
            .await
            .starts_with("fr query")
    );
    assert!(
        body(layer.clone(), get("/?lang=zh-SG"))
            .await
            .starts_with("zh-Hans query")
    );
    assert!(
        body(layer, get("/").header(COOKIE, "lang=ZH-hans"))
            .await
            .starts_with("zh-Hans cookie")
    );
}

#[tokio::test]
async fn every_accept_language_line_counts() {
    let layer = I18nLayer::new(catalog());
    let req = get("/")
        .header(ACCEPT_LANGUAGE, "ja")
        .header(ACCEPT_LANGUAGE, "de;q=0.5, fr;q=0.9");
    assert!(body(layer, req).await.starts_with("fr accept-language"));
}

/// The negotiation cache lives in the layer (one per catalog): the same
/// header through two layers with different catalogs gets each catalog's
/// answer, and a repeated header (served from the cache) the same answer as
/// the first time.
#[tokio::test]
async fn cached_negotiation_follows_each_layers_catalog() {
    let without_de = Arc::new(
        Catalog::builder()
            .default_locale("en")
            .source("en", "m.ftl", "hi = Hi")
            .source("fr", "m.ftl", "hi = Salut")
            .build()
            .unwrap(),
    );
    let with_de = I18nLayer::new(catalog());
    let without_de = I18nLayer::new(without_de);
    let header = "de-AT, fr;q=0.5";
    for _ in 0..3 {
        let req = || get("/").header(ACCEPT_LANGUAGE, header);
        assert_eq!(
            body(with_de.clone(), req()).await,
            "de accept-language / Hallo"
        );
        assert_eq!(
            body(without_de.clone(), req()).await,
            "fr accept-language / Salut"
        );
    }
    // Two lines are one list (not cached, and still right after a cached single line).
    let req = get("/")
        .header(ACCEPT_LANGUAGE, "ja")
        .header(ACCEPT_LANGUAGE, header);
    assert_eq!(body(without_de, req).await, "fr accept-language / Salut");
}

#[tokio::test]
async fn the_path_source_reads_the_segment_and_leaves_it_in_the_uri() {
    let layer = I18nLayer::new(catalog()).path_source(true);
    assert_eq!(
        body(layer.clone(), get("/fr/about?x=1")).await,
        "fr path /fr/about?x=1 Salut"
    );
    assert_eq!(
        body(layer.clone(), get("/zh-hans")).await,
        "zh-Hans path /zh-hans 你好"
    );
    // Not a catalog tag: the next source decides.
    assert_eq!(
        body(layer.clone(), get("/about/fr")).await,
        "en default /about/fr Hi"
    );
    // Listed after the query, the query decides first.
    let query_first = layer.sources([LocaleSource::Query, LocaleSource::Path]);
    assert_eq!(
        body(query_first, get("/fr/a?lang=de")).await,
        "de query /fr/a?lang=de Hallo"
    );
}

#[tokio::test]
async fn content_language_is_set_but_not_clobbered() {
    let layer = I18nLayer::new(catalog());
    let response = send(
        layer.clone(),
        get("/?lang=zh-Hans").body(String::new()).unwrap(),
    )
    .await;
    assert_eq!(response.headers()[CONTENT_LANGUAGE], "zh-Hans");

    let svc = ServiceBuilder::new()
        .layer(layer)
        .service_fn(|_req: Request<String>| async {
            Ok::<_, Infallible>(
                Response::builder()
                    .header(CONTENT_LANGUAGE, "mul")
                    .body(String::new())
                    .unwrap(),
            )
        });
    let response = svc
        .oneshot(get("/?lang=fr").body(String::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(all(&response, CONTENT_LANGUAGE), ["mul"]);
}

async fn with_vary(
    layer: I18nLayer,
    req: http::request::Builder,
    vary: &[&'static str],
) -> Response<String> {
    let vary: Vec<&'static str> = vary.to_vec();
    let svc = ServiceBuilder::new()
        .layer(layer)
        .service_fn(move |_req: Request<String>| {
            let vary = vary.clone();
            async move {
                let mut response = Response::new(String::new());
                for v in vary {
                    response
                        .headers_mut()
                        .append(VARY, HeaderValue::from_static(v));
                }
                Ok::<_, Infallible>(response)
            }
        });
    svc.oneshot(req.body(String::new()).unwrap()).await.unwrap()
}

#[tokio::test]
async fn vary_names_the_headers_that_were_consulted() {
    let layer = I18nLayer::new(catalog());
    // Header or default decided: the cookie and Accept-Language were both read.
    let r = with_vary(layer.clone(), get("/"), &[]).await;
    assert_eq!(all(&r, VARY), ["Accept-Language, Cookie"]);
    // The cookie decided: Accept-Language was never read.
    let r = with_vary(layer.clone(), get("/").header(COOKIE, "lang=fr"), &[]).await;
    assert_eq!(all(&r, VARY), ["Cookie"]);
    // The query decided: the URL says it all.
    let r = with_vary(layer.clone(), get("/?lang=fr"), &[]).await;
    assert!(r.headers().get(VARY).is_none());
    // Without the cookie source, no `Cookie`.
    let header_only = layer.clone().sources([LocaleSource::AcceptLanguage]);
    let r = with_vary(header_only, get("/"), &[]).await;
    assert_eq!(all(&r, VARY), ["Accept-Language"]);
}

#[tokio::test]
async fn vary_is_merged_not_clobbered() {
    let layer = I18nLayer::new(catalog());
    // Existing values stay, in place.
    let r = with_vary(layer.clone(), get("/"), &["Origin"]).await;
    assert_eq!(all(&r, VARY), ["Origin", "Accept-Language, Cookie"]);
    // No duplicates, whatever the case or the line.
    let r = with_vary(
        layer.clone(),
        get("/"),
        &["origin, accept-language", "COOKIE"],
    )
    .await;
    assert_eq!(all(&r, VARY), ["origin, accept-language", "COOKIE"]);
    let r = with_vary(
        layer.clone(),
        get("/"),
        &["Accept-Encoding,Accept-Language"],
    )
    .await;
    assert_eq!(all(&r, VARY), ["Accept-Encoding,Accept-Language", "Cookie"]);
    // `Vary: *` already says everything.
    let r = with_vary(layer, get("/"), &["*"]).await;
    assert_eq!(all(&r, VARY), ["*"]);
}

#[tokio::test]
async fn the_cookie_is_set_only_when_the_query_decided() {
    let layer = I18nLayer::new(catalog());
    let r = send(
        layer.clone(),
        get("/?lang=zh-hans").body(String::new()).unwrap(),
    )
    .await;
    assert_eq!(
        all(&r, SET_COOKIE),
        ["lang=zh-Hans; Path=/; Max-Age=31536000; SameSite=Lax"]
    );
    for req in [
        get("/").header(COOKIE, "lang=fr"),
        get("/").header(ACCEPT_LANGUAGE, "fr"),
        get("/"),
        get("/?lang=xx"),
    ] {
        let r = send(layer.clone(), req.body(String::new()).unwrap()).await;
        assert!(r.headers().get(SET_COOKIE).is_none(), "{}", r.body());
    }
    // ...and only when the cookie source would read it back.
    let no_cookie = layer
        .clone()
        .sources([LocaleSource::Query, LocaleSource::AcceptLanguage]);
    let r = send(no_cookie, get("/?lang=fr").body(String::new()).unwrap()).await;
    assert!(r.headers().get(SET_COOKIE).is_none());
}

#[tokio::test]
async fn cookie_attributes_are_configurable() {
    let layer = I18nLayer::new(catalog())
        .cookie_name("locale".parse().unwrap())
        .query_param("hl")
        .cookie_path(Some("/app".parse().unwrap()))
        .cookie_domain(Some("example.com".parse().unwrap()))
        .cookie_max_age(None)
        .cookie_same_site(Some(SameSite::Strict))
        .cookie_secure(true)
        .cookie_http_only(true);
    let r = send(
        layer.clone(),
        get("/?lang=de&hl=fr").body(String::new()).unwrap(),
    )
    .await;
    assert!(r.body().starts_with("fr query"));
    assert_eq!(
        all(&r, SET_COOKIE),
        ["locale=fr; Path=/app; Domain=example.com; SameSite=Strict; Secure; HttpOnly"]
    );
    assert!(
        body(layer, get("/").header(COOKIE, "lang=de; locale=ar"))
            .await
            .starts_with("ar cookie")
    );
    // Bad values are refused when parsed (see `config.rs` for the table).
    assert!("bad name".parse::<CookieName>().is_err());
    assert!("".parse::<CookieName>().is_err());
    let error = "/; Secure".parse::<CookiePath>().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"invalid cookie path "/; Secure": a cookie path cannot hold `;`, control characters or non-ASCII bytes"#
    );
    // Path and SameSite can be left out.
    let bare = I18nLayer::new(catalog())
        .cookie_path(None)
        .cookie_same_site(None);
    let r = send(bare, get("/?lang=de").body(String::new()).unwrap()).await;
    assert_eq!(all(&r, SET_COOKIE), ["lang=de; Max-Age=31536000"]);
}

#[tokio::test]
async fn the_path_source_can_be_turned_on_and_off() {
    // Off by default: the segment is just a path.
    let layer = I18nLayer::new(catalog());
    assert_eq!(
        body(layer.clone(), get("/fr/x")).await,
        "en default /fr/x Hi"
    );
    // On, without stripping.
    let on = layer.clone().path_source(true);
    assert_eq!(body(on.clone(), get("/fr/x")).await, "fr path /fr/x Salut");
    // Off again.
    let off = on.path_source(false);
    assert_eq!(body(off, get("/fr/x")).await, "en default /fr/x Hi");
}

/// The sources can come from configuration as a string.
#[tokio::test]
async fn sources_parse_from_a_string() {
    let sources: LocaleSources = "path, cookie".parse().unwrap();
    let layer = I18nLayer::new(catalog()).sources(sources);
    assert!(
        body(
            layer.clone(),
            get("/de/x?lang=fr").header(COOKIE, "lang=ar")
        )
        .await
        .starts_with("de path")
    );
    assert!(
        body(layer, get("/x?lang=fr").header(COOKIE, "lang=ar"))
            .await
            .starts_with("ar cookie")
    );
}

#[test]
fn the_service_is_built_from_the_layer() {
    let layer = I18nLayer::new(catalog());
    let mut svc = I18nService::new(7_u8, &layer);
    assert_eq!(*svc.get_ref(), 7);
    *svc.get_mut() = 8;
    assert_eq!(svc.into_inner(), 8);
}

#[tokio::test]
async fn other_set_cookie_headers_are_kept() {
    let svc = ServiceBuilder::new()
        .layer(I18nLayer::new(catalog()))
        .service_fn(|_req: Request<String>| async {
            Ok::<_, Infallible>(
                Response::builder()
                    .header(SET_COOKIE, "session=abc")
                    .body(String::new())
                    .unwrap(),
            )
        });
    let r = svc
        .oneshot(get("/?lang=fr").body(String::new()).unwrap())
        .await
        .unwrap();
    assert_eq!(all(&r, SET_COOKIE).len(), 2);
    assert_eq!(all(&r, SET_COOKIE)[0], "session=abc");
}

#[tokio::test]
async fn handler_errors_pass_through_unchanged() {
    let svc = ServiceBuilder::new()
        .layer(I18nLayer::new(catalog()))
        .service_fn(|_req: Request<String>| async { Err::<Response<String>, _>("boom") });
    assert_eq!(
        svc.oneshot(get("/").body(String::new()).unwrap())
            .await
            .unwrap_err(),
        "boom"
    );
}

/// Something a handler (or an inner layer) hangs on the request.
struct Marker;

#[tokio::test]
async fn nothing_outlives_the_request() {
    let catalog = catalog();
    let baseline = Arc::strong_count(&catalog);
    let svc = ServiceBuilder::new()
        .layer(I18nLayer::new(Arc::clone(&catalog)))
        .service_fn(|req: Request<String>| async move {
            let l10n = req.extensions().get::<Localizer>().unwrap().clone();
            Ok::<_, Infallible>(Response::new(l10n.text("hi").into_owned()))
        });
    let with_layer = Arc::strong_count(&catalog);
    let mut weak: Weak<Marker> = Weak::new();
    for _ in 0..3 {
        let marker = Arc::new(Marker);
        weak = Arc::downgrade(&marker);
        let mut req = get("/?lang=fr").body(String::new()).unwrap();
        req.extensions_mut().insert(marker);
        let response = svc.clone().oneshot(req).await.unwrap();
        assert_eq!(response.body(), "Salut");
        drop(response);
        assert!(
            weak.upgrade().is_none(),
            "the request's extensions were kept alive"
        );
        assert_eq!(Arc::strong_count(&catalog), with_layer);
    }
    assert!(weak.upgrade().is_none());
    drop(svc);
    assert_eq!(Arc::strong_count(&catalog), baseline);
}

#[cfg(feature = "axum")]
mod axum_extractor {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get as route;
    use http_body_util::BodyExt;

    async fn call(app: Router, uri: &str) -> (u16, String) {
        let response = app
            .oneshot(Request::get(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn the_extractor_reads_the_layers_localizer() {
        let app = Router::new()
            .route(
                "/",
                route(
                    |l10n: Localizer| async move { format!("{} {}", l10n.tag(), l10n.direction()) },
                ),
            )
            .layer(I18nLayer::new(catalog()));
        assert_eq!(
            call(app.clone(), "/?lang=ar").await,
            (200, "ar rtl".to_owned())
        );
        assert_eq!(call(app, "/").await, (200, "en ltr".to_owned()));
    }

    #[tokio::test]
    async fn without_the_layer_the_extractor_is_a_500_naming_it() {
        let app = Router::new()
            .route("/", route(|_l10n: Localizer| async { "unreachable" }))
            .route(
                "/optional",
                route(|l10n: Option<Localizer>| async move { format!("{}", l10n.is_some()) }),
            );
        let (status, body) = call(app.clone(), "/").await;
        assert_eq!(status, 500);
        assert_eq!(body, crate::MissingLocalizer.body_text());
        assert!(body.contains("Is `I18nLayer` installed?"), "{body}");
        assert_eq!(call(app, "/optional").await, (200, "false".to_owned()));
    }

    #[tokio::test]
    async fn a_locale_prefix_layer_around_the_router_routes_without_the_prefix() {
        let i18n = I18nLayer::new(catalog());
        let router = Router::new()
            .route(
                "/about",
                route(|l10n: Localizer| async move { l10n.text("hi").into_owned() }),
            )
            .layer(i18n.clone());
        let app = Router::new().fallback_service(
            ServiceBuilder::new()
                .layer(crate::prefix::LocalePrefixLayer::new(&i18n))
                .service(router),
        );
        assert_eq!(
            call(app.clone(), "/de/about").await,
            (200, "Hallo".to_owned())
        );
        assert_eq!(call(app, "/about").await, (200, "Hi".to_owned()));
    }
}
