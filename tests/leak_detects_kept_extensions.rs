//! `LeakCheck` fails, with a message that says what leaked per request, on
//! the full stack with a layer storing a clone of each request's extensions
//! in a global: the Rust way to write koa's leak without a cycle.
//!
//! Run with: `cargo test --test leak_detects_kept_extensions -- --nocapture`

mod common;

use common::leaky::{assert_useful_failure, keep_extensions_layer, let_go_of_kept};
use common::stack::{SHAPES, probe_app, send_shapes};
use crocodile_leak_check::LeakCheck;

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

const N: usize = 2_000;

#[tokio::test]
async fn a_global_of_request_extensions_fails_the_leak_check() {
    let config = common::config(&[]);
    let router = probe_app(&config, keep_extensions_layer());

    let report = LeakCheck::new(N)
        .warm_up(2 * SHAPES.len())
        .measure(async |count| send_shapes(&router, "/probe", count).await)
        .await;
    eprintln!("{report}");

    // The 400s stop before the layer; every other request's map is kept:
    // its table and at least one boxed value (the layers insert five).
    let reached = reached_in(N);
    report.assert_leaks(2.0 * reached as f64 / N as f64);
    assert_useful_failure(&report);
    // The layer did keep every request that reached it: the warm-up's, and
    // those of the N requests and the three rounds of N more.
    assert_eq!(let_go_of_kept(), reached_in(2 * SHAPES.len()) + 4 * reached);
}

/// Of `count` requests sent in order, those past the host check.
fn reached_in(count: usize) -> usize {
    (0..count)
        .filter(|i| SHAPES[i % SHAPES.len()].status == 200)
        .count()
}
