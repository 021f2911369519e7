//! Per-request cost of the retention guard (`crocodile-leak-check`): around
//! a plain `service_fn` (tower only) and inside an axum `Router`'s
//! `Router::layer`, against the same without it, in ns/request and
//! allocations/request. The response is dropped inside the timed region, so
//! the guard's finish (a failed `Weak` upgrade: the request is gone) is
//! counted.
//!
//! Run with: `cargo bench --bench retention`. Instructions, exact: run the
//! bench binary under `valgrind --tool=callgrind` with `--bench
//! 'tower_only::guard$' --sample-count 200 --sample-size 100` and the same for
//! `tower_only::bare$`, and divide the difference by 20,000 (the numbers are
//! in `crates/leak-check/README.md`).

use std::convert::Infallible;
use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::routing::get;
use crocodile_leak_check::RetentionGuardLayer;
use divan::{AllocProfiler, Bencher};
use http::{Request, Response};
use tower::{Layer, Service, service_fn};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

mod common;

fn main() {
    divan::main();
}

/// A request with a few headers, as through a proxy, and the peer address
/// `axum::serve` inserts (so its extension map exists, as in any real
/// stack: the guard's token does not pay for the map).
fn request() -> Request<Body> {
    let mut req = Request::builder()
        .uri("/")
        .header("host", "localhost:3000")
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.3")
        .header("accept-language", "fr-CA, fr;q=0.9, en;q=0.5")
        .body(Body::empty())
        .unwrap();
    req.extensions_mut()
        .insert(ConnectInfo("127.0.0.2:4000".parse::<SocketAddr>().unwrap()));
    req
}

mod tower_only {
    use super::*;

    use super::common::ok;

    fn run<S, B>(bencher: Bencher<'_, '_>, svc: S)
    where
        S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone,
    {
        super::common::run_tower(bencher, request, svc);
    }

    #[divan::bench]
    fn bare(bencher: Bencher<'_, '_>) {
        run(bencher, service_fn(ok));
    }

    #[divan::bench]
    fn guard(bencher: Bencher<'_, '_>) {
        run(bencher, RetentionGuardLayer::new().layer(service_fn(ok)));
    }
}

mod router {
    use super::*;

    async fn handler() -> &'static str {
        "ok"
    }

    /// `router` as `axum::serve` runs it (`common::run_router`).
    fn run(bencher: Bencher<'_, '_>, router: Router) {
        super::common::run_router(bencher, request, router);
    }

    #[divan::bench]
    fn bare(bencher: Bencher<'_, '_>) {
        run(bencher, Router::new().route("/", get(handler)));
    }

    /// A layer that does nothing, in a `Router::layer` of its own: what
    /// axum's wrapping of the route costs any layer added that way.
    #[divan::bench]
    fn identity_layer(bencher: Bencher<'_, '_>) {
        let router = Router::new()
            .route("/", get(handler))
            .layer(tower::layer::util::Identity::new());
        run(bencher, router);
    }

    /// Inside `Router::layer`, where it reads `MatchedPath`.
    #[divan::bench]
    fn guard(bencher: Bencher<'_, '_>) {
        let router = Router::new()
            .route("/", get(handler))
            .layer(RetentionGuardLayer::new());
        run(bencher, router);
    }
}
