//! `LeakCheck` fails, with a message that says what leaked per request, on
//! the full stack with a layer spawning, for each request, a task that holds
//! its extensions and never ends.
//!
//! Run with: `cargo test --test leak_detects_holding_task -- --nocapture`

mod common;

use common::leaky::{assert_useful_failure, holding_task_layer};
use common::stack::{SHAPES, probe_app, send_shapes};
use crocodile_leak_check::LeakCheck;

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

const N: usize = 2_000;

#[tokio::test]
async fn tasks_holding_request_extensions_fail_the_leak_check() {
    let config = common::config(&[]);
    let router = probe_app(&config, holding_task_layer());

    let report = LeakCheck::new(N)
        .warm_up(2 * SHAPES.len())
        .measure(async |count| send_shapes(&router, "/probe", count).await)
        .await;
    eprintln!("{report}");

    // Every request past the host check leaves its task (one block) and the
    // task's copy of the extensions (at least two).
    let reached = (N / SHAPES.len()) * (SHAPES.len() - 1);
    report.assert_leaks(3.0 * reached as f64 / N as f64);
    assert_useful_failure(&report);
}
