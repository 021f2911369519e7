//! Two Rust ways to keep every request alive, for the negative controls of
//! the leak proofs and the retention guard: a layer storing a clone of each
//! request's extensions in a global (a cache of request contexts nobody
//! evicts), and one spawning a task that holds them until told to stop (a
//! task that never ends).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::body::Body;
use http::{Extensions, Request};
use tower::util::MapRequestLayer;

/// The layers' type: a plain function over the request.
pub type LeakyLayer = MapRequestLayer<fn(Request<Body>) -> Request<Body>>;

/// The global the first layer stores into.
static KEPT: Mutex<Vec<Extensions>> = Mutex::new(Vec::new());

/// Stores a clone of every request's extensions in a global.
pub fn keep_extensions_layer() -> LeakyLayer {
    MapRequestLayer::new(keep_extensions)
}

fn keep_extensions(req: Request<Body>) -> Request<Body> {
    KEPT.lock().unwrap().push(req.extensions().clone());
    req
}

/// Empties the global: the holder lets go. Returns how many it held.
pub fn let_go_of_kept() -> usize {
    let kept = std::mem::take(&mut *KEPT.lock().unwrap());
    kept.len()
}

/// Told to the holding tasks: stop now.
static STOP: AtomicBool = AtomicBool::new(false);
/// Holding tasks still running.
static HOLDING: AtomicUsize = AtomicUsize::new(0);

/// Spawns, for every request, a task holding a clone of its extensions
/// until [`stop_holding_tasks`] (never, unless a test says so).
pub fn holding_task_layer() -> LeakyLayer {
    MapRequestLayer::new(spawn_holder)
}

fn spawn_holder(req: Request<Body>) -> Request<Body> {
    let extensions = req.extensions().clone();
    HOLDING.fetch_add(1, Ordering::SeqCst);
    tokio::spawn(async move {
        while !STOP.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        drop(extensions);
        HOLDING.fetch_sub(1, Ordering::SeqCst);
    });
    req
}

/// Stops the holding tasks and waits (up to 5 s) until they all ended.
pub async fn stop_holding_tasks() {
    STOP.store(true, Ordering::SeqCst);
    for _ in 0..1_000 {
        if HOLDING.load(Ordering::SeqCst) == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    panic!(
        "{} holding tasks still running after 5 s",
        HOLDING.load(Ordering::SeqCst)
    );
}

/// The failure a leaking stack gets from `LeakCheck`: it names the growth
/// per request, in blocks and bytes as the report measured them, and what
/// to look for.
pub fn assert_useful_failure(report: &crocodile_leak_check::LeakReport) {
    let leak = report
        .check()
        .expect_err("the measurement must see the leak");
    let message = leak.to_string();
    let per_request = format!(
        "each request left {:+.2} live blocks and {:+.1} live bytes behind",
        report.per_request_blocks(),
        report.per_request_bytes()
    );
    for expected in [
        "the live heap grew in every one of 3 rounds of N = 2000 requests",
        per_request.as_str(),
        "a clone of the request's extensions in a cache",
        "a spawned task that never ends",
        "round 3 (N = 2000)",
    ] {
        assert!(
            message.contains(expected),
            "{expected:?} not in:\n{message}"
        );
    }
    // And `assert_no_growth` fails the test with that message.
    let panic = std::panic::catch_unwind(|| report.assert_no_growth()).unwrap_err();
    assert_eq!(panic.downcast_ref::<String>(), Some(&message));
}
