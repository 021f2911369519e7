//! Hot reload: a good edit is served from the next request, a broken one is
//! refused with every problem located, and a request under way keeps the
//! catalog (and locale) it started with.

use std::convert::Infallible;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crocodile_i18n::{Catalog, I18nLayer, Localizer};
use http::{Request, Response};
use tower::{Service, ServiceBuilder, ServiceExt};

/// A directory under the system's temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(files: &[(&str, &str)]) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "crocodile-i18n-reload-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        let dir = Self(dir);
        for (path, text) in files {
            dir.write(path, text);
        }
        dir
    }

    fn write(&self, path: &str, text: &str) {
        let path = self.0.join(path);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn layer(dir: &TempDir) -> I18nLayer {
    let catalog = Catalog::builder()
        .default_locale("en")
        .dir(dir.path())
        .build()
        .unwrap();
    I18nLayer::new(catalog)
}

/// `(Content-Language, body)` of `GET uri` through `layer`, the handler
/// answering the message `hi`.
async fn get(layer: &I18nLayer, uri: &str, accept_language: Option<&str>) -> (String, String) {
    let svc =
        ServiceBuilder::new()
            .layer(layer.clone())
            .service_fn(|req: Request<()>| async move {
                let l10n = req.extensions().get::<Localizer>().unwrap();
                Ok::<_, Infallible>(Response::new(l10n.text("hi").into_owned()))
            });
    let mut req = Request::get(uri);
    if let Some(value) = accept_language {
        req = req.header("accept-language", value);
    }
    let response = svc.oneshot(req.body(()).unwrap()).await.unwrap();
    let tag = response.headers()["content-language"]
        .to_str()
        .unwrap()
        .to_owned();
    (tag, response.into_body())
}

fn pair(tag: &str, body: &str) -> (String, String) {
    (tag.to_owned(), body.to_owned())
}

#[tokio::test]
async fn a_good_edit_appears_on_the_next_request() {
    let dir = TempDir::new(&[("en/m.ftl", "hi = Hi\n"), ("fr/m.ftl", "hi = Salut\n")]);
    let layer = layer(&dir);
    assert_eq!(get(&layer, "/?lang=fr", None).await, pair("fr", "Salut"));

    dir.write("fr/m.ftl", "hi = Coucou\n");
    dir.write("de/m.ftl", "hi = Hallo\n");
    let report = layer.reload().unwrap();
    assert_eq!(report.generation(), 1);
    assert_eq!(report.added_locales(), ["de"]);
    assert!(report.removed_locales().is_empty());
    assert_eq!(
        report.to_string(),
        "catalog generation 1: 3 locales, added de, 0 missing messages, 0 variable mismatches"
    );
    drop(report);
    assert_eq!(layer.generation(), 1);
    assert_eq!(get(&layer, "/?lang=fr", None).await, pair("fr", "Coucou"));
    assert_eq!(get(&layer, "/?lang=de", None).await, pair("de", "Hallo"));
}

#[tokio::test]
async fn a_broken_edit_keeps_the_old_catalog_and_names_every_problem() {
    let dir = TempDir::new(&[("en/m.ftl", "hi = Hi\n"), ("fr/m.ftl", "hi = Salut\n")]);
    let layer = layer(&dir);
    let before = layer.catalog();

    // A syntax error and, in the same locale, a dangling reference.
    dir.write("fr/m.ftl", "hi = Coucou\noops\nbye = { nope }\n");
    let error = layer.reload().unwrap_err();
    let path = dir.path().join("fr/m.ftl");
    let lines: Vec<String> = error.to_string().lines().map(str::to_owned).collect();
    assert_eq!(
        lines,
        [
            format!(
                "{}:2:5: Expected a token starting with \"=\"",
                path.display()
            ),
            format!(
                "{}:3:9: reference to unknown message \"nope\"",
                path.display()
            ),
        ]
    );
    assert_eq!(layer.generation(), 0);
    assert!(Arc::ptr_eq(&layer.catalog(), &before));
    assert_eq!(get(&layer, "/?lang=fr", None).await, pair("fr", "Salut"));

    // Fixed: the next reload takes it.
    dir.write("fr/m.ftl", "hi = Coucou\n");
    assert_eq!(layer.reload().unwrap().generation(), 1);
    assert_eq!(get(&layer, "/?lang=fr", None).await, pair("fr", "Coucou"));
}

/// The handler reloads (removing `fr`, adding `de`) while its request is
/// under way: the request formats, and answers headers, with the catalog it
/// negotiated with; the next ones with the new catalog, and the
/// `Accept-Language` cache does not carry `fr`'s index over to `de`.
#[tokio::test]
async fn a_request_under_way_keeps_its_catalog_when_the_locale_set_changes() {
    let dir = TempDir::new(&[("en/m.ftl", "hi = Hi\n"), ("fr/m.ftl", "hi = Salut\n")]);
    let layer = layer(&dir);
    // Cache `fr` (index 1) for this header.
    assert_eq!(get(&layer, "/", Some("fr")).await, pair("fr", "Salut"));

    let reloader = layer.clone();
    let dir_path = dir.path().to_owned();
    let svc = ServiceBuilder::new()
        .layer(layer.clone())
        .service_fn(move |req: Request<()>| {
            let reloader = reloader.clone();
            let dir_path = dir_path.clone();
            async move {
                let l10n = req.extensions().get::<Localizer>().unwrap().clone();
                fs::remove_dir_all(dir_path.join("fr")).unwrap();
                fs::create_dir_all(dir_path.join("de")).unwrap();
                fs::write(dir_path.join("de/m.ftl"), "hi = Hallo\n").unwrap();
                let report = reloader.reload().unwrap();
                assert_eq!(report.removed_locales(), ["fr"]);
                assert_eq!(report.added_locales(), ["de"]);
                // Still `fr`, from the catalog the request started with.
                assert_eq!(l10n.tag(), "fr");
                assert_eq!(l10n.catalog().locales().collect::<Vec<_>>(), ["en", "fr"]);
                Ok::<_, Infallible>(Response::new(l10n.text("hi").into_owned()))
            }
        });
    let response = svc
        .oneshot(Request::get("/?lang=fr").body(()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.headers()["content-language"], "fr");
    assert_eq!(
        response.headers()["set-cookie"],
        "lang=fr; Path=/; Max-Age=31536000; SameSite=Lax"
    );
    assert_eq!(response.body(), "Salut");

    assert_eq!(get(&layer, "/?lang=fr", None).await, pair("en", "Hi"));
    assert_eq!(get(&layer, "/?lang=de", None).await, pair("de", "Hallo"));
    // Index 1 is now `de`: a stale cache would answer `de` here.
    assert_eq!(get(&layer, "/", Some("fr")).await, pair("en", "Hi"));
}

/// Each replaced catalog dies with the last request (its `Localizer`) that
/// used it; the layer keeps only the current one.
#[tokio::test]
async fn replaced_catalogs_die_with_their_last_request() {
    let dir = TempDir::new(&[("en/m.ftl", "hi = Hi\n"), ("fr/m.ftl", "hi = Salut\n")]);
    let layer = layer(&dir);
    let kept: Arc<Mutex<Vec<Localizer>>> = Arc::default();
    let mut svc = ServiceBuilder::new().layer(layer.clone()).service_fn({
        let kept = Arc::clone(&kept);
        move |req: Request<()>| {
            let kept = Arc::clone(&kept);
            async move {
                let l10n = req.extensions().get::<Localizer>().unwrap().clone();
                kept.lock().unwrap().push(l10n);
                Ok::<_, Infallible>(Response::new(()))
            }
        }
    });

    let mut weaks: Vec<Weak<Catalog>> = Vec::new();
    for round in 0..4 {
        weaks.push(Arc::downgrade(&layer.catalog()));
        for _ in 0..3 {
            let req = Request::get("/?lang=fr").body(()).unwrap();
            svc.ready().await.unwrap().call(req).await.unwrap();
        }
        dir.write("fr/m.ftl", &format!("hi = Salut {round}\n"));
        layer.reload().unwrap();
    }
    // Held by the kept localizers only.
    assert!(weaks.iter().all(|w| w.upgrade().is_some()));
    kept.lock().unwrap().clear();
    for (i, weak) in weaks.iter().enumerate() {
        assert!(
            weak.upgrade().is_none(),
            "catalog {i} outlived its requests"
        );
    }
    let current = Arc::downgrade(&layer.catalog());
    assert_eq!(
        current.strong_count(),
        1,
        "only the layer holds the current one"
    );
    drop((svc, layer));
    assert!(current.upgrade().is_none());
}

#[tokio::test]
async fn reload_from_takes_new_sources_and_replace_catalog_swaps_directly() {
    let layer = I18nLayer::new(
        Catalog::builder()
            .default_locale("en")
            .source("en", "m.ftl", "hi = Hi")
            .build()
            .unwrap(),
    );
    let report = layer
        .reload_from(
            Catalog::builder()
                .default_locale("en")
                .source("en", "m.ftl", "hi = Hello")
                .source("fr", "m.ftl", "hi = Salut"),
        )
        .unwrap();
    assert_eq!(report.added_locales(), ["fr"]);
    assert_eq!(get(&layer, "/?lang=fr", None).await, pair("fr", "Salut"));
    // Later reloads use the new sources.
    layer.reload().unwrap();
    assert_eq!(get(&layer, "/", None).await, pair("en", "Hello"));

    let report = layer.replace_catalog(
        Catalog::builder()
            .default_locale("de")
            .source("de", "m.ftl", "hi = Hallo")
            .build()
            .unwrap(),
    );
    assert_eq!(report.generation(), 3);
    assert_eq!(report.removed_locales(), ["en", "fr"]);
    assert_eq!(get(&layer, "/?lang=fr", None).await, pair("de", "Hallo"));
}
