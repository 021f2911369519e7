//! What `LocalePrefixLayer` adds to a request: `I18nLayer` around a plain
//! `service_fn`, alone and behind the prefix layer, for a prefixed path, a
//! path without a prefix and a redirect; and through an axum `Router` wrapped
//! the documented way (the fallback of an empty `Router`), in ns/request and
//! allocations/request.
//!
//! Run with: `cargo bench --bench locale_prefix`. Each row includes building
//! the request (outside the timed region) and dropping the response (inside
//! it); subtract the `i18n_only` row of the same group for the prefix's cost.

use std::convert::Infallible;
use std::sync::{Arc, LazyLock};
use std::task::{Context, Poll, Waker};

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use crocodile::i18n::prefix::LocalePrefixLayer;
use crocodile::i18n::{Catalog, I18nLayer};
use divan::{AllocProfiler, Bencher, black_box};
use http::{Request, Response};
use tower::{Layer, Service, ServiceExt, service_fn};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

/// The example's catalog: en (default), fr, de, zh-Hans, ar.
static CATALOG: LazyLock<Arc<Catalog>> = LazyLock::new(|| {
    Arc::new(
        Catalog::builder()
            .default_locale("en")
            .dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/locales"))
            .build()
            .expect("the example catalog builds"),
    )
});

/// A browser's request for `uri`: a ranked `Accept-Language` (`fr` wins).
fn request(uri: &'static str) -> impl Fn() -> Request<Body> {
    move || {
        Request::builder()
            .uri(uri)
            .header("host", "localhost:3000")
            .header("accept-language", "fr-CA, fr;q=0.9, en;q=0.5")
            .body(Body::empty())
            .unwrap()
    }
}

async fn ok(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    black_box(&req);
    Ok(Response::new(Body::empty()))
}

/// Polls a future that never waits (the services here answer at once).
fn now<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmarked services never wait"),
    }
}

fn run<S>(bencher: Bencher<'_, '_>, uri: &'static str, svc: S)
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone,
{
    bencher
        .with_inputs(request(uri))
        .bench_local_values(|req| black_box(now(svc.clone().oneshot(req))));
}

mod tower_only {
    use super::*;

    fn i18n() -> I18nLayer {
        I18nLayer::new(Arc::clone(&CATALOG))
    }

    #[divan::bench]
    fn i18n_only(bencher: Bencher<'_, '_>) {
        run(bencher, "/fr/about?page=2", i18n().layer(service_fn(ok)));
    }

    #[divan::bench(args = ["/fr/about?page=2", "/about?page=2"])]
    fn prefix(bencher: Bencher<'_, '_>, uri: &'static str) {
        let i18n = i18n();
        let svc = LocalePrefixLayer::new(&i18n).layer(i18n.layer(service_fn(ok)));
        run(bencher, uri, svc);
    }

    #[divan::bench]
    fn redirect(bencher: Bencher<'_, '_>) {
        let i18n = i18n();
        let prefix = LocalePrefixLayer::new(&i18n).redirect(true);
        run(
            bencher,
            "/about?page=2",
            prefix.layer(i18n.layer(service_fn(ok))),
        );
    }
}

mod router {
    use super::*;

    /// `axum::serve`'s way: `with_state(())` once, then a clone per request.
    fn serve(
        router: Router,
    ) -> impl Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone {
        router.with_state(())
    }

    fn routes(i18n: &I18nLayer) -> Router {
        Router::new()
            .route("/about", get(|| async { "ok" }))
            .layer(i18n.clone())
    }

    /// Through a runtime, as `benches/layers.rs` runs its routers.
    fn run_router(bencher: Bencher<'_, '_>, uri: &'static str, router: Router) {
        let svc = serve(router);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        bencher.with_inputs(request(uri)).bench_local_values(|req| {
            runtime.block_on(async { black_box(svc.clone().oneshot(req).await.unwrap()) })
        });
    }

    #[divan::bench]
    fn i18n_only(bencher: Bencher<'_, '_>) {
        let i18n = I18nLayer::new(Arc::clone(&CATALOG));
        run_router(bencher, "/about?page=2", routes(&i18n));
    }

    #[divan::bench(args = ["/fr/about?page=2", "/about?page=2"])]
    fn prefix(bencher: Bencher<'_, '_>, uri: &'static str) {
        let i18n = I18nLayer::new(Arc::clone(&CATALOG));
        let wrapped = LocalePrefixLayer::new(&i18n).layer(routes(&i18n));
        run_router(bencher, uri, Router::new().fallback_service(wrapped));
    }
}
