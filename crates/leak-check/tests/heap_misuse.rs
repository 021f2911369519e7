//! Misuses `LeakCheck` cannot measure through say what to do: a test binary
//! without dhat's allocator (this one declares none), and (in
//! `heap_one_measurement_per_binary.rs`) a second measurement.

mod common;

use common::panic_of_a_measurement;

#[test]
fn a_binary_without_the_dhat_allocator_is_told_the_line_to_add() {
    let message = panic_of_a_measurement(50);
    assert!(
        message.contains(
            "#[global_allocator] static ALLOC: crocodile_leak_check::dhat::Alloc = \
             crocodile_leak_check::dhat::Alloc;"
        ),
        "{message}"
    );
}
