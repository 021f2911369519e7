//! Per-request cost of each layer: an in-process `oneshot` through a `Router`,
//! bare and with each layer, in ns/request and allocations/request.
//!
//! Run with: `cargo bench --bench layers`

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::routing::get;
use crocodile::client_ip::ClientIpLayer;
use divan::{AllocProfiler, Bencher, black_box};
use http::Request;
use tower::ServiceExt;

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
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

fn request() -> Request<Body> {
    Request::builder()
        .uri("/")
        .header("host", "localhost:3000")
        .header("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.3")
        .header("accept-language", "fr-CA, fr;q=0.9, en;q=0.5")
        .body(Body::empty())
        .unwrap()
}

fn run(bencher: Bencher<'_, '_>, router: Router) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    bencher.with_inputs(request).bench_local_values(|req| {
        runtime.block_on(async { black_box(router.clone().oneshot(req).await.unwrap()) })
    });
}

#[divan::bench]
fn bare(bencher: Bencher<'_, '_>) {
    run(bencher, with_peer(router()));
}

#[divan::bench]
fn client_ip(bencher: Bencher<'_, '_>) {
    let layer = ClientIpLayer::default().trusted_proxies("loopback, 10.0.0.0/8".parse().unwrap());
    run(bencher, with_peer(router().layer(layer)));
}

/// The same layers around a `service_fn` instead of a `Router`: the layer's
/// own cost, without axum's per-route boxing.
mod tower_only {
    use super::*;
    use axum::extract::ConnectInfo;
    use std::convert::Infallible;
    use tower::{Layer, service_fn};

    fn peer_request() -> Request<Body> {
        let mut req = request();
        req.extensions_mut()
            .insert(ConnectInfo("127.0.0.2:4000".parse::<SocketAddr>().unwrap()));
        req
    }

    async fn ok(req: Request<Body>) -> Result<Request<Body>, Infallible> {
        Ok(req)
    }

    #[divan::bench]
    fn bare(bencher: Bencher<'_, '_>) {
        let svc = service_fn(ok);
        bencher
            .with_inputs(peer_request)
            .bench_local_values(|req| black_box(futures_now(svc.oneshot(req))));
    }

    #[divan::bench]
    fn client_ip(bencher: Bencher<'_, '_>) {
        let layer =
            ClientIpLayer::default().trusted_proxies("loopback, 10.0.0.0/8".parse().unwrap());
        let svc = layer.layer(service_fn(ok));
        bencher
            .with_inputs(peer_request)
            .bench_local_values(|req| black_box(futures_now(svc.clone().oneshot(req))));
    }

    #[divan::bench]
    fn client_ip_untrusted_peer(bencher: Bencher<'_, '_>) {
        let layer = ClientIpLayer::default();
        let svc = layer.layer(service_fn(ok));
        bencher
            .with_inputs(peer_request)
            .bench_local_values(|req| black_box(futures_now(svc.clone().oneshot(req))));
    }

    /// Polls a future that is ready at once (these services never wait).
    fn futures_now<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let waker = std::task::Waker::noop();
        match future
            .as_mut()
            .poll(&mut std::task::Context::from_waker(waker))
        {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => unreachable!("service_fn handlers here are ready at once"),
        }
    }
}
