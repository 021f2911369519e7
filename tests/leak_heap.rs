//! Leak-freedom of the full stack, measured: with dhat counting every heap
//! block, N requests after a warm-up leave the live heap exactly where N more
//! leave it.
//!
//! Run with: `cargo test --test leak_heap -- --nocapture`
//!
//! The stack is the example's (its retention guard, `ClientIpLayer ->
//! BaseContextLayer -> TraceLayer -> I18nLayer`): its own router (`/`, a
//! localized page, and `/context`), and the crates' layers in front of
//! `/probe`, a handler that uses every extractor and formats Fluent messages
//! with arguments. Every request shape in `common::stack::SHAPES` goes to
//! every route. The measuring is `crocodile-leak-check`'s `LeakCheck`, as a
//! user of the crate would run it.

mod common;

use common::stack::{SHAPES, Shape, probe_app, request, send};
use crocodile_leak_check::LeakCheck;
use tower::layer::util::Identity;

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

const N: usize = 2_000;

#[tokio::test]
async fn live_heap_after_2n_requests_equals_live_heap_after_n() {
    let config = common::config(&[]);
    let routes = [
        (common::app::app(&config), "/"),
        (common::app::app(&config), "/context"),
        (probe_app(&config, Identity::new()), "/probe"),
    ];

    let report = LeakCheck::new(N)
        // Every shape on every route, twice (lazy statics, tracing
        // callsites, Fluent's per-bundle memoizers, tokio's and hyper's pools).
        .warm_up(2 * SHAPES.len() * routes.len())
        .measure(async |count| {
            for i in 0..count {
                let shape: &Shape = &SHAPES[i % SHAPES.len()];
                let (router, path) = &routes[(i / SHAPES.len()) % routes.len()];
                let status = send(router, request(shape, path)).await;
                assert_eq!(status.as_u16(), shape.status, "{path} {shape:?}");
            }
        })
        .await;

    eprintln!("{report}");
    eprintln!(
        "allocations per request, whole stack with request and body: {:.1}",
        report.allocations_per_request()
    );
    // Proof that the counter counts: every request allocates.
    assert!(report.allocations_per_request() >= 1.0, "{report}");
    // Nothing a request made outlives it: exactly the same live heap.
    report.assert_no_growth();
}
