//! What the benches share: polling a service that answers at once, one
//! timed `oneshot` per input, and the example's catalog.

#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;
use std::task::{Context, Poll, Waker};

use axum::body::Body;
use divan::{Bencher, black_box};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response};
use tower::{Service, ServiceExt};

/// Polls a future that is ready at once (the benchmarked services never
/// wait), without a runtime.
pub fn now<F: Future>(future: F) -> F::Output {
    let mut future = std::pin::pin!(future);
    match future
        .as_mut()
        .poll(&mut Context::from_waker(Waker::noop()))
    {
        Poll::Ready(output) => output,
        Poll::Pending => unreachable!("the benchmarked services never wait"),
    }
}

/// Times `svc.clone().oneshot(req)` and the response's drop, `req` built by
/// `input` outside the timed region.
pub fn run_tower<S, B>(bencher: Bencher<'_, '_>, input: impl Fn() -> Request<Body>, svc: S)
where
    S: Service<Request<Body>, Response = Response<B>, Error = Infallible> + Clone,
{
    bencher
        .with_inputs(input)
        .bench_local_values(|req| black_box(now(svc.clone().oneshot(req))));
}

/// Times `router` as `axum::serve` runs it: `with_state(())` turns every
/// handler into a route (applying the layers) once, as `into_make_service`
/// does (a `Router<()>` called directly would re-apply every layer per
/// request), then a clone and a `oneshot` per input on a current-thread
/// runtime.
pub fn run_router(
    bencher: Bencher<'_, '_>,
    input: impl Fn() -> Request<Body>,
    router: axum::Router,
) {
    let router = router.with_state(());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    bencher.with_inputs(input).bench_local_values(|req| {
        runtime.block_on(async { black_box(router.clone().oneshot(req).await.unwrap()) })
    });
}

/// A handler's response with a header already, as real ones have (so a
/// layer adding one does not pay for the header map).
pub async fn ok(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    black_box(&req);
    let mut res = Response::new(Body::empty());
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    Ok(res)
}

/// The example's catalog: en (default), fr, de, zh-Hans, ar.
#[cfg(feature = "i18n")]
pub fn example_catalog() -> std::sync::Arc<crocodile::i18n::Catalog> {
    std::sync::Arc::new(
        crocodile::i18n::Catalog::builder()
            .default_locale("en")
            .dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/locales"))
            .build()
            .expect("the example catalog builds"),
    )
}
