//! A test that starts dhat's profiler itself, then measures, is told that
//! `LeakCheck` starts it (instead of dhat's bare "a profiler is already
//! running").

mod common;

use common::panic_of_a_measurement;

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

#[test]
fn a_profiler_of_the_tests_own_is_named_as_the_mistake() {
    let _profiler = crocodile_leak_check::dhat::Profiler::builder()
        .testing()
        .build();
    let message = panic_of_a_measurement(50);
    assert!(
        message.contains("remove the test's own `dhat::Profiler`")
            && message.contains("one measured test per test binary"),
        "{message}"
    );
}
