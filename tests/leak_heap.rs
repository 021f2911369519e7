//! Leak-freedom of the full stack, measured: with dhat counting every heap
//! block, N requests after a warm-up leave the live heap exactly where N more
//! leave it.
//!
//! Run with: `cargo test --test leak_heap -- --nocapture`
//!
//! The stack is the example's (`ClientIpLayer -> BaseContextLayer ->
//! TraceLayer -> I18nLayer`): its own router (`/`, a localized page, and
//! `/context`) and the same layers in front of `/probe`, a handler that uses
//! every extractor and formats Fluent messages with arguments. Every request
//! shape in `common::stack::SHAPES` goes to every route.

mod common;

use common::stack::{Heap, SHAPES, Shape, probe_app, request, send};
use tower::layer::util::Identity;

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const N: usize = 2_000;

#[tokio::test]
async fn live_heap_after_2n_requests_equals_live_heap_after_n() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let config = common::config(&[]);
    let routes = [
        (common::app::app(&config), "/"),
        (common::app::app(&config), "/context"),
        (probe_app(&config, Identity::new()), "/probe"),
    ];
    let run = |n: usize| {
        let routes = &routes;
        async move {
            for i in 0..n {
                let shape: &Shape = &SHAPES[i % SHAPES.len()];
                let (router, path) = &routes[(i / SHAPES.len()) % routes.len()];
                let status = send(router, request(shape, path)).await;
                assert_eq!(status.as_u16(), shape.status, "{path} {shape:?}");
            }
        }
    };

    // Warm-up: every shape on every route, twice (lazy statics, tracing
    // callsites, Fluent's per-bundle memoizers, tokio's and hyper's pools).
    run(2 * SHAPES.len() * routes.len()).await;

    let after_warm_up = Heap::now();
    run(N).await;
    let after_n = Heap::now();
    run(N).await;
    let after_2n = Heap::now();

    eprintln!("heap after warm-up: {after_warm_up:?}");
    eprintln!("heap after N = {N}: {after_n:?}");
    eprintln!("heap after 2N:      {after_2n:?}");
    let per_request = (after_2n.total_blocks - after_n.total_blocks) as f64 / N as f64;
    eprintln!("allocations per request, whole stack with request and body: {per_request:.1}");

    // Proof that the counter counts: every request allocates.
    assert!(
        after_2n.total_blocks - after_n.total_blocks >= N as u64,
        "{after_n:?} -> {after_2n:?}"
    );
    // Nothing a request made outlives it: exactly the same live heap.
    assert_eq!(after_2n.blocks, after_n.blocks, "live blocks grew");
    assert_eq!(after_2n.bytes, after_n.bytes, "live bytes grew");
}
