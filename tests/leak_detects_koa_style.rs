//! The negative control of `tests/leak_heap.rs`: the same measurement, with a
//! layer that makes koa's mistake (a per-request context holding a closure
//! that captures the context, and a copy of the request's extensions), must
//! see the heap grow, and say so. A proof that cannot fail proves nothing.
//!
//! Run with: `cargo test --test leak_detects_koa_style -- --nocapture`

mod common;

use common::koa::koa_style_layer;
use common::stack::{SHAPES, probe_app, send_shapes};
use crocodile_leak_check::LeakCheck;

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

const N: usize = 2_000;

#[tokio::test]
async fn the_leak_measurement_detects_a_koa_style_cycle() {
    let config = common::config(&[]);
    let router = probe_app(&config, koa_style_layer());

    let report = LeakCheck::new(N)
        .warm_up(2 * SHAPES.len())
        .measure(async |count| send_shapes(&router, "/probe", count).await)
        .await;

    eprintln!("{report}");
    eprintln!(
        "leaked per request: {:.1} blocks, {:.0} bytes",
        report.per_request_blocks(),
        report.per_request_bytes()
    );

    // The 400s never reach the koa layer (the host check answers first);
    // every other request leaks its context, its closure and its copy of
    // the extensions, in every round.
    let reached = (N / SHAPES.len()) * (SHAPES.len() - 1);
    report.assert_leaks(3.0 * reached as f64 / N as f64);
    common::leaky::assert_useful_failure(&report);
}
