//! The negative control of `tests/leak_heap.rs`: the same measurement, with a
//! layer that makes koa's mistake (a per-request context holding a closure
//! that captures the context, and a copy of the request's extensions), must
//! see the heap grow. A proof that cannot fail proves nothing.
//!
//! Run with: `cargo test --test leak_detects_koa_style -- --nocapture`

mod common;

use common::koa::KoaStyleLayer;
use common::stack::{Heap, SHAPES, probe_app, request, send};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const N: usize = 2_000;

#[tokio::test]
async fn the_leak_measurement_detects_a_koa_style_cycle() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let config = common::config(&[]);
    let router = probe_app(&config, KoaStyleLayer);
    let run = |n: usize| {
        let router = &router;
        async move {
            for i in 0..n {
                let shape = &SHAPES[i % SHAPES.len()];
                let status = send(router, request(shape, "/probe")).await;
                assert_eq!(status.as_u16(), shape.status, "{shape:?}");
            }
        }
    };

    run(2 * SHAPES.len()).await;
    let after_warm_up = Heap::now();
    run(N).await;
    let after_n = Heap::now();
    run(N).await;
    let after_2n = Heap::now();

    eprintln!("heap after warm-up: {after_warm_up:?}");
    eprintln!("heap after N = {N}: {after_n:?}");
    eprintln!("heap after 2N:      {after_2n:?}");
    let grown_blocks = after_2n.blocks - after_n.blocks;
    let grown_bytes = after_2n.bytes - after_n.bytes;
    eprintln!(
        "leaked per request: {:.1} blocks, {:.0} bytes",
        grown_blocks as f64 / N as f64,
        grown_bytes as f64 / N as f64
    );

    // The 400s never reach the koa layer (the host check answers first);
    // every other request leaks its context, its closure and its copy of
    // the extensions.
    let reached = (N / SHAPES.len()) * (SHAPES.len() - 1);
    assert!(
        grown_blocks >= 3 * reached,
        "the measurement missed the cycle: {after_n:?} -> {after_2n:?}"
    );
    assert!(grown_bytes > 0);
}
