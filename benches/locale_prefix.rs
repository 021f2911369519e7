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

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use crocodile::i18n::prefix::LocalePrefixLayer;
use crocodile::i18n::{Catalog, I18nLayer};
use divan::{AllocProfiler, Bencher, black_box};
use http::{Request, Response};
use tower::{Layer, Service, service_fn};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

mod common;

fn main() {
    divan::main();
}

/// The example's catalog: en (default), fr, de, zh-Hans, ar.
static CATALOG: LazyLock<Arc<Catalog>> = LazyLock::new(common::example_catalog);

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

fn run<S>(bencher: Bencher<'_, '_>, uri: &'static str, svc: S)
where
    S: Service<Request<Body>, Response = Response<Body>, Error = Infallible> + Clone,
{
    common::run_tower(bencher, request(uri), svc);
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

    fn routes(i18n: &I18nLayer) -> Router {
        Router::new()
            .route("/about", get(|| async { "ok" }))
            .layer(i18n.clone())
    }

    /// As `axum::serve` runs it (`common::run_router`).
    fn run_router(bencher: Bencher<'_, '_>, uri: &'static str, router: Router) {
        common::run_router(bencher, request(uri), router);
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
