//! What one request costs under `I18nLayer`, counted by dhat's allocator, and
//! proof that heap use after N requests is the same as after 2N.

use std::convert::Infallible;

use crocodile_i18n::{Catalog, I18nLayer, Localizer};
use http::{Request, Response};
use tower::ServiceBuilder;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common;

use common::{assert_no_growth, request, run};

#[tokio::test(flavor = "current_thread")]
async fn per_request_cost_is_small_and_heap_use_does_not_grow() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "hi = Hi")
        .source("fr", "m.ftl", "hi = Salut")
        .source("de", "m.ftl", "hi = Hallo")
        .source("zh-Hant", "m.ftl", "hi = 你好")
        .build()
        .unwrap();
    let mut svc = ServiceBuilder::new()
        .layer(I18nLayer::new(catalog))
        .service_fn(|req: Request<()>| async move {
            let l10n = req.extensions().get::<Localizer>().unwrap();
            assert!(matches!(l10n.text("hi"), std::borrow::Cow::Borrowed(_)));
            Ok::<_, Infallible>(Response::new(()))
        });

    run(3, &mut svc, |_| {}).await; // warm up (CLDR data, memoizers)

    // Nothing is kept: the live heap is the same after N and after 2N more.
    let (before, after_n) = assert_no_growth(300, async |n| run(n, &mut svc, |_| {}).await).await;

    // The requests themselves (headers, URI) are not the layer's cost.
    let mut baseline = dhat::HeapStats::get().total_blocks;
    for i in 0..300 {
        drop(request(i));
    }
    baseline = dhat::HeapStats::get().total_blocks - baseline;
    let per_request = (after_n.total_blocks - before.total_blocks - baseline) as f64 / 300.0;
    eprintln!("allocations per request added by I18nLayer (incl. response): {per_request:.2}");
    // The extension map and its entry, the Accept-Language range vector and
    // the response: a handful, never proportional to anything the client sends.
    assert!(per_request <= 8.0, "{per_request}");
}
