//! Per-request cost of each layer: an in-process `oneshot` through a `Router`,
//! and the same layers around a plain `service_fn` (tower only), bare, with
//! each layer alone and with all three, in ns/request and allocations/request.
//! A `parsing` group measures the header parsers alone.
//!
//! Run with: `cargo bench --bench layers` (one group: `cargo bench --bench
//! layers -- tower_only`). Each row includes building the request (outside
//! the timed region) and dropping the response (inside it); subtract the
//! `bare` row of the same group for a layer's own cost.

use std::net::SocketAddr;
use std::sync::{Arc, LazyLock};

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::routing::get;
use crocodile::base_context::BaseContextLayer;
use crocodile::client_ip::{ClientIpLayer, ProxyTrust};
use crocodile::i18n::{Catalog, I18nLayer};
use divan::{AllocProfiler, Bencher, black_box};
use http::Request;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

mod common;

fn main() {
    divan::main();
}

/// The example's catalog: en (default), fr, de, zh-Hans, ar.
static CATALOG: LazyLock<Arc<Catalog>> = LazyLock::new(common::example_catalog);

/// One trust model for every layer, as a deployment configures it: the
/// layers then walk the proxy headers once per request.
static TRUST: LazyLock<ProxyTrust> = LazyLock::new(trust);

fn trust() -> ProxyTrust {
    ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        "loopback, 10.0.0.0/8".parse().unwrap(),
    )
}

fn client_ip_layer() -> ClientIpLayer {
    ClientIpLayer::new(TRUST.clone())
}

fn base_context_layer() -> BaseContextLayer {
    BaseContextLayer::new(TRUST.clone(), "localhost".parse().unwrap())
}

fn i18n_layer() -> I18nLayer {
    I18nLayer::new(Arc::clone(&CATALOG))
}

async fn handler() -> &'static str {
    "ok"
}

fn router() -> Router {
    Router::new().route("/", get(handler))
}

fn with_peer(router: Router) -> Router {
    router.layer(MockConnectInfo(
        "127.0.0.2:4000".parse::<SocketAddr>().unwrap(),
    ))
}

/// What a request through a reverse proxy carries: a three-entry chain (the
/// client is `203.0.113.7`), a ranked `Accept-Language` (`fr` wins).
fn request() -> Request<Body> {
    Request::builder()
        .uri("/")
        .header("host", "localhost:3000")
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.3")
        .header("accept-language", "fr-CA, fr;q=0.9, en;q=0.5")
        .body(Body::empty())
        .unwrap()
}

/// `router` as `axum::serve` runs it (`common::run_router`).
fn run(bencher: Bencher<'_, '_>, router: Router) {
    common::run_router(bencher, request, router);
}

#[divan::bench]
fn bare(bencher: Bencher<'_, '_>) {
    run(bencher, with_peer(router()));
}

#[divan::bench]
fn client_ip(bencher: Bencher<'_, '_>) {
    run(bencher, with_peer(router().layer(client_ip_layer())));
}

#[divan::bench]
fn base_context(bencher: Bencher<'_, '_>) {
    run(bencher, with_peer(router().layer(base_context_layer())));
}

#[divan::bench]
fn i18n(bencher: Bencher<'_, '_>) {
    run(bencher, with_peer(router().layer(i18n_layer())));
}

/// All three, in the example's order (without its `TraceLayer`), each with
/// its own `Router::layer` call as the example does.
#[divan::bench]
fn all_three(bencher: Bencher<'_, '_>) {
    let router = router()
        .layer(i18n_layer())
        .layer(base_context_layer())
        .layer(client_ip_layer());
    run(bencher, with_peer(router));
}

/// All three in one `Router::layer` call (a `ServiceBuilder`): axum boxes the
/// route once instead of three times.
#[divan::bench]
fn all_three_one_layer(bencher: Bencher<'_, '_>) {
    let stack = tower::ServiceBuilder::new()
        .layer(client_ip_layer())
        .layer(base_context_layer())
        .layer(i18n_layer());
    run(bencher, with_peer(router().layer(stack)));
}

/// A layer that does nothing: what axum itself charges per `Router::layer`
/// call (it boxes the route and its future again), the floor under every
/// layer's `Router` row.
#[divan::bench]
fn identity(bencher: Bencher<'_, '_>) {
    run(
        bencher,
        with_peer(router().layer(tower::layer::util::Identity::new())),
    );
}

/// The same layers around a `service_fn` instead of a `Router`: the layers'
/// own cost, without axum's per-route boxing.
mod tower_only {
    use super::*;
    use axum::extract::ConnectInfo;
    use http::Response;
    use std::convert::Infallible;
    use tower::{Layer, Service, service_fn};

    use super::common::ok;

    fn peer_request() -> Request<Body> {
        let mut req = request();
        req.extensions_mut()
            .insert(ConnectInfo("127.0.0.2:4000".parse::<SocketAddr>().unwrap()));
        req
    }

    fn run<S, B>(bencher: Bencher<'_, '_>, svc: S)
    where
        S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone,
    {
        super::common::run_tower(bencher, peer_request, svc);
    }

    #[divan::bench]
    fn bare(bencher: Bencher<'_, '_>) {
        run(bencher, service_fn(ok));
    }

    #[divan::bench]
    fn client_ip(bencher: Bencher<'_, '_>) {
        run(bencher, client_ip_layer().layer(service_fn(ok)));
    }

    #[divan::bench]
    fn client_ip_untrusted_peer(bencher: Bencher<'_, '_>) {
        run(bencher, ClientIpLayer::default().layer(service_fn(ok)));
    }

    #[divan::bench]
    fn base_context(bencher: Bencher<'_, '_>) {
        run(bencher, base_context_layer().layer(service_fn(ok)));
    }

    #[divan::bench]
    fn i18n(bencher: Bencher<'_, '_>) {
        run(bencher, i18n_layer().layer(service_fn(ok)));
    }

    /// The two layers that read the proxy hop, sharing one model: the
    /// headers are walked once, by `ClientIpLayer`.
    #[divan::bench]
    fn client_ip_and_base_context(bencher: Bencher<'_, '_>) {
        let svc = tower::ServiceBuilder::new()
            .layer(client_ip_layer())
            .layer(base_context_layer())
            .service_fn(ok);
        run(bencher, svc);
    }

    /// The same two layers, each with a model of its own (identical
    /// settings): each walks the headers, as before there was one model.
    #[divan::bench]
    fn client_ip_and_base_context_two_models(bencher: Bencher<'_, '_>) {
        let svc = tower::ServiceBuilder::new()
            .layer(ClientIpLayer::new(trust()))
            .layer(BaseContextLayer::new(trust(), "localhost".parse().unwrap()))
            .service_fn(ok);
        run(bencher, svc);
    }

    #[divan::bench]
    fn all_three(bencher: Bencher<'_, '_>) {
        let svc = tower::ServiceBuilder::new()
            .layer(client_ip_layer())
            .layer(base_context_layer())
            .layer(i18n_layer())
            .service_fn(ok);
        run(bencher, svc);
    }
}

/// The header parsers alone, on the bench request's headers: what "parsing
/// allocates nothing" means, measured.
mod parsing {
    use super::*;
    use crocodile::forwarded::{TrustedProxies, XForwardedFor, rightmost_untrusted};

    #[divan::bench]
    fn x_forwarded_for_rightmost_untrusted(bencher: Bencher<'_, '_>) {
        let trusted: TrustedProxies = "loopback, 10.0.0.0/8".parse().unwrap();
        let req = request();
        bencher.bench_local(|| {
            black_box(rightmost_untrusted(
                &trusted,
                XForwardedFor::new(black_box(req.headers())).rev(),
            ))
        });
    }

    #[divan::bench]
    fn accept_language_negotiate(bencher: Bencher<'_, '_>) {
        let value = "fr-CA, fr;q=0.9, en;q=0.5";
        bencher.bench_local(|| black_box(CATALOG.negotiate(black_box(value))));
    }
}
