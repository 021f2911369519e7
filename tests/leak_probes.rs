//! Leak probes that need no global allocator (so they run in parallel with
//! everything else): a `Weak` to a value in the request's extensions is dead
//! once the response is dropped, and the shared catalog's `Arc` count returns
//! to its baseline after many requests. Each probe is also run against the
//! koa-style layer of `tests/common/koa.rs`, and must catch it.
//!
//! What is shared, and what these probes can see through the public API:
//! - `Arc<Catalog>`: passed to `I18nLayer`, cloned into every `Localizer`;
//!   observable with `Arc::strong_count` on the `Arc` the test holds.
//! - `TrustedProxies` and `AllowedHosts` are plain values, cloned into each
//!   layer's configuration once, when the router is built; per request
//!   nothing counts them.
//! - Each layer's own configuration `Arc` (and the allowed host `Arc<str>`s
//!   a `BaseContext` shares) is private: the dhat proofs
//!   (`tests/leak_heap.rs`, `tests/leak_heap_tcp.rs`) cover them, since a
//!   leaked clone of any of them would keep its heap block alive.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use axum::Router;
use axum::body::Body;
use common::koa::{KoaCtx, koa_style_layer};
use common::stack::{SHAPES, probe_app, request, send};
use crocodile::i18n::Localizer;
use http::Request;
use tower::layer::util::Identity;
use tower::util::MapRequestLayer;

/// The value the probe puts into every request's extensions.
#[derive(Debug)]
struct Marker;

/// An extension holding the marker.
#[derive(Debug, Clone)]
struct Probe(#[allow(dead_code)] Arc<Marker>);

/// Weak references to every request's marker, and to its koa context if any.
#[derive(Debug, Default)]
struct Seen {
    markers: Mutex<Vec<Weak<Marker>>>,
    koa: Mutex<Vec<Weak<common::koa::KoaContext>>>,
    /// The highest `Arc<Catalog>` count seen while a request was in flight.
    max_catalog_count: AtomicUsize,
}

/// `router` with an outermost layer inserting a [`Probe`] into every request,
/// and an innermost one (after `I18nLayer`) recording what it sees.
fn probed(router: Router, seen: &Arc<Seen>) -> Router {
    let outer = Arc::clone(seen);
    router.layer(MapRequestLayer::new(move |mut req: Request<Body>| {
        let marker = Arc::new(Marker);
        outer.markers.lock().unwrap().push(Arc::downgrade(&marker));
        req.extensions_mut().insert(Probe(marker));
        req
    }))
}

/// A layer for the inside of the stack: records the catalog count and the
/// koa context.
fn recorder(
    seen: &Arc<Seen>,
) -> MapRequestLayer<impl Fn(Request<Body>) -> Request<Body> + Clone + use<>> {
    let seen = Arc::clone(seen);
    MapRequestLayer::new(move |req: Request<Body>| {
        if let Some(l10n) = req.extensions().get::<Localizer>() {
            seen.max_catalog_count
                .fetch_max(Arc::strong_count(l10n.catalog()), Ordering::Relaxed);
        }
        if let Some(KoaCtx(ctx)) = req.extensions().get::<KoaCtx>() {
            seen.koa.lock().unwrap().push(Arc::downgrade(ctx));
        }
        req
    })
}

const REQUESTS: usize = 500;

/// Sends `REQUESTS` requests of every shape, round robin over the routes.
async fn run(routes: &[(Router, &str)]) {
    for i in 0..REQUESTS {
        let shape = &SHAPES[i % SHAPES.len()];
        let (router, path) = &routes[(i / SHAPES.len()) % routes.len()];
        let status = send(router, request(shape, path)).await;
        assert_eq!(status.as_u16(), shape.status, "{path} {shape:?}");
    }
}

fn live(weaks: &Mutex<Vec<Weak<impl Sized>>>) -> usize {
    weaks
        .lock()
        .unwrap()
        .iter()
        .filter(|weak| weak.strong_count() > 0)
        .count()
}

#[tokio::test]
async fn extension_values_die_with_their_response() {
    let config = common::config(&[]);
    let seen = Arc::new(Seen::default());
    let routes = [
        (probed(common::app::app(&config), &seen), "/"),
        (probed(common::app::app(&config), &seen), "/context"),
        (probed(probe_app(&config, recorder(&seen)), &seen), "/probe"),
    ];
    run(&routes).await;
    assert_eq!(seen.markers.lock().unwrap().len(), REQUESTS);
    assert_eq!(live(&seen.markers), 0, "a request's extensions outlived it");
}

#[tokio::test]
async fn the_catalog_count_returns_to_its_baseline() {
    let config = common::config(&[]);
    let seen = Arc::new(Seen::default());
    let routes = [
        (common::app::app(&config), "/"),
        (common::app::app(&config), "/context"),
        (probe_app(&config, recorder(&seen)), "/probe"),
    ];
    // The config's `Arc`, each router's layer and service clones: the
    // baseline, counted once the routers exist.
    let baseline = Arc::strong_count(&config.catalog);
    run(&routes).await;
    assert_eq!(Arc::strong_count(&config.catalog), baseline);
    // The probe sees per-request clones: the `Localizer` in flight.
    assert!(seen.max_catalog_count.load(Ordering::Relaxed) > baseline);
}

#[tokio::test]
async fn the_probes_catch_a_koa_style_cycle() {
    let config = common::config(&[]);
    let seen = Arc::new(Seen::default());
    let koa = tower::ServiceBuilder::new()
        .layer(koa_style_layer())
        .layer(recorder(&seen))
        .into_inner();
    let routes = [(probed(probe_app(&config, koa), &seen), "/probe")];
    let baseline = Arc::strong_count(&config.catalog);
    run(&routes).await;

    // The 400s stop before the koa layer; every other request leaked.
    let reached = (0..REQUESTS)
        .filter(|i| SHAPES[i % SHAPES.len()].status == 200)
        .count();
    assert_eq!(live(&seen.koa), reached, "koa contexts still alive");
    assert_eq!(live(&seen.markers), reached, "markers kept by the copies");
    assert_eq!(Arc::strong_count(&config.catalog), baseline + reached);
}

#[tokio::test]
async fn the_identity_layer_changes_nothing() {
    // `probe_app` with no extra layer: the same probes, clean.
    let config = common::config(&[]);
    let seen = Arc::new(Seen::default());
    let routes = [(probed(probe_app(&config, Identity::new()), &seen), "/probe")];
    let baseline = Arc::strong_count(&config.catalog);
    run(&routes).await;
    assert_eq!(live(&seen.markers), 0);
    assert_eq!(Arc::strong_count(&config.catalog), baseline);
}
