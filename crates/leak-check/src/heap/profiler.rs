//! The one dhat profiler of a test binary.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the first measurement of the process, never cleared: a second
/// measurement would count whatever the first left running, and tests run
/// beside each other in one binary.
static CLAIMED: AtomicBool = AtomicBool::new(false);

/// What every misuse message ends with.
pub(crate) const ONE_PER_BINARY: &str = "one measured test per test binary: dhat's profiler \
     and counters are process-wide, so put each LeakCheck test in a file of its own under \
     `tests/` (each file is its own binary)";

/// Starts the process's dhat profiler, once; panics with [`ONE_PER_BINARY`]
/// on a second call, or when the test started a profiler of its own.
pub(crate) fn start() -> dhat::Profiler {
    assert!(
        !CLAIMED.swap(true, Ordering::SeqCst),
        "LeakCheck: this test binary already measured once; {ONE_PER_BINARY}"
    );
    // dhat panics if a profiler is running already (the test started its
    // own): say what to do instead of dhat's bare message.
    std::panic::catch_unwind(|| dhat::Profiler::builder().testing().build()).unwrap_or_else(|_| {
        panic!(
            "LeakCheck starts dhat's profiler itself, and one is running already: remove \
                 the test's own `dhat::Profiler` ({ONE_PER_BINARY})"
        )
    })
}
