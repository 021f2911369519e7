//! Proof that reloading leaks nothing: the live heap after N requests with
//! reloads in between is the same as after 2N, counted by dhat's allocator.

use std::convert::Infallible;

use crocodile_i18n::{Catalog, I18nLayer, Localizer};
use http::{Request, Response};
use tower::{Service, ServiceBuilder, ServiceExt};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

fn request(i: usize) -> Request<()> {
    let builder = Request::get(if i % 3 == 0 { "/?lang=fr" } else { "/" });
    match i % 3 {
        1 => builder.header("cookie", "lang=de"),
        _ => builder.header("accept-language", "ja, zh-TW;q=0.9, en;q=0.5"),
    }
    .body(())
    .unwrap()
}

/// `n` requests, reloading every 50 (and so ending with a reload when `n`
/// is a multiple of 50: every measurement sees a fresh generation).
async fn run<S>(n: usize, svc: &mut S, layer: &I18nLayer)
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    for i in 0..n {
        let response = svc.ready().await.unwrap().call(request(i)).await.unwrap();
        drop(response);
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

    run(100, &mut svc, &layer).await; // warm up (CLDR data, arc-swap's thread slots)

    // As in `allocations.rs`: up to three rounds, one with no growth at all.
    let mut rounds = Vec::with_capacity(3);
    loop {
        let generation = layer.generation();
        let before = dhat::HeapStats::get();
        run(300, &mut svc, &layer).await;
        let after_n = dhat::HeapStats::get();
        run(600, &mut svc, &layer).await;
        let after_2n = dhat::HeapStats::get();
        assert_eq!(layer.generation(), generation + 18, "18 reloads per round");
        rounds.push((before.curr_bytes, after_n.curr_bytes, after_2n.curr_bytes));
        if before.curr_bytes == after_n.curr_bytes && after_n.curr_bytes == after_2n.curr_bytes {
            break;
        }
        assert!(
            rounds.len() < 3,
            "the live heap grew in every round: {rounds:?}"
        );
    }
}
