//! What `LocalePrefixLayer` adds to a request, counted by dhat's allocator,
//! and proof that heap use after N requests is the same as after 2N.

use std::convert::Infallible;

use crocodile_i18n::prefix::{Alternates, LocalePrefixLayer};
use crocodile_i18n::{Catalog, I18nLayer, Localizer};
use http::{Request, Response};
use tower::{Service, ServiceBuilder, ServiceExt};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

mod common;

use common::assert_no_growth;

/// Request `i`: a prefixed page with a query, or one without a prefix.
fn request(i: usize) -> Request<()> {
    let uri = if i % 2 == 0 {
        "/fr/docs/intro?page=2"
    } else {
        "/docs/intro?page=2"
    };
    Request::get(uri)
        .header("accept-language", "de")
        .body(())
        .unwrap()
}

/// Sends requests `i` for every `i` in `range` through `svc`.
async fn run<S>(range: impl Iterator<Item = usize>, svc: &mut S)
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    for i in range {
        drop(svc.ready().await.unwrap().call(request(i)).await.unwrap());
    }
}

/// Allocations per request of `range` through `with` beyond `without`.
async fn added<S, T>(
    range: impl Iterator<Item = usize> + Clone,
    with: &mut S,
    without: &mut T,
) -> f64
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
    T: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    let count = range.clone().count() as f64;
    let start = dhat::HeapStats::get().total_blocks;
    run(range.clone(), with).await;
    let middle = dhat::HeapStats::get().total_blocks;
    run(range, without).await;
    let end = dhat::HeapStats::get().total_blocks;
    ((middle - start) as f64 - (end - middle) as f64) / count
}

#[tokio::test(flavor = "current_thread")]
async fn the_prefix_costs_a_few_allocations_and_heap_use_does_not_grow() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "hi = Hi")
        .source("fr", "m.ftl", "hi = Salut")
        .source("de", "m.ftl", "hi = Hallo")
        .build()
        .unwrap();
    let i18n = I18nLayer::new(catalog).sources(
        "query,accept-language"
            .parse::<crocodile_i18n::LocaleSources>()
            .unwrap(),
    );
    let handler = |req: Request<()>| async move {
        let l10n = req.extensions().get::<Localizer>().unwrap();
        let expected = if req
            .extensions()
            .get::<Alternates>()
            .and_then(Alternates::locale)
            .is_some()
        {
            "fr"
        } else {
            "de"
        };
        assert_eq!(l10n.tag(), expected);
        Ok::<_, Infallible>(Response::new(()))
    };
    let mut with_prefix = ServiceBuilder::new()
        .layer(LocalePrefixLayer::new(&i18n))
        .layer(i18n.clone())
        .service_fn(handler);
    let mut without = ServiceBuilder::new().layer(i18n).service_fn(handler);
    run(0..4, &mut with_prefix).await; // warm up (CLDR data, memoizers)
    run(0..4, &mut without).await;

    assert_no_growth(300, async |n| run(0..n, &mut with_prefix).await).await;

    let prefixed = added((0..600).step_by(2), &mut with_prefix, &mut without).await;
    let plain = added((1..600).step_by(2), &mut with_prefix, &mut without).await;
    eprintln!(
        "allocations per request added by LocalePrefixLayer: {prefixed:.2} prefixed, {plain:.2} without a prefix"
    );
    // Without a prefix: the `Alternates` extension. With one, also the
    // stripped path-and-query and URI: never proportional to what the
    // client sends.
    assert!(plain <= 3.0, "{plain}");
    assert!(prefixed <= 6.0, "{prefixed}");
}
