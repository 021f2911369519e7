//! Proof that reloading leaks nothing: the live heap after N requests with
//! reloads in between is the same as after 2N, counted by dhat's allocator.

use std::convert::Infallible;

use crocodile_i18n::{Catalog, I18nLayer, Localizer};
use http::{Request, Response};
use tower::ServiceBuilder;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common;

use common::{assert_no_growth, run};

/// Reloads after every 50th request (so a run of a multiple of 50 ends with
/// a reload: every measurement sees a fresh generation).
fn reload_every_50(layer: &I18nLayer) -> impl FnMut(usize) + '_ {
    move |i| {
        if i % 50 == 49 {
            drop(layer.reload().unwrap());
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn reloads_between_requests_leave_the_live_heap_unchanged() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "hi = Hi\ncount = { $n } items")
        .source("fr", "m.ftl", "hi = Salut\ncount = { $n } articles")
        .source("de", "m.ftl", "hi = Hallo\ncount = { $n } Dinge")
        .source("zh-Hant", "m.ftl", "hi = 你好\ncount = { $n } 件")
        .build()
        .unwrap();
    let layer = I18nLayer::new(catalog);
    let mut svc =
        ServiceBuilder::new()
            .layer(layer.clone())
            .service_fn(|req: Request<()>| async move {
                let l10n = req.extensions().get::<Localizer>().unwrap();
                assert!(!l10n.text("hi").is_empty());
                let mut args = crocodile_i18n::FluentArgs::new();
                args.set("n", 3);
                assert!(!l10n.format("count", &args).is_empty());
                Ok::<_, Infallible>(Response::new(()))
            });

    run(100, &mut svc, reload_every_50(&layer)).await; // warm up (CLDR data, arc-swap's thread slots)

    assert_no_growth(300, async |n| {
        let generation = layer.generation();
        run(n, &mut svc, reload_every_50(&layer)).await;
        assert_eq!(
            layer.generation(),
            generation + n as u64 / 50,
            "a reload per 50 requests"
        );
    })
    .await;
}
