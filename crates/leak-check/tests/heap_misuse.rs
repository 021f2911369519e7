//! Misuses `LeakCheck` cannot measure through say what to do: a test binary
//! without dhat's allocator (this one declares none), and (in
//! `heap_one_measurement_per_binary.rs`) a second measurement.

use std::convert::Infallible;

use crocodile_leak_check::LeakCheck;
use http::{Request, Response};

/// Runs a measurement on a thread of its own and returns its panic message.
fn panic_of_a_measurement() -> String {
    let measuring = std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(LeakCheck::new(50).service(
            tower::service_fn(|req: Request<String>| async move {
                Ok::<_, Infallible>(Response::new(req.into_body()))
            }),
            |i| Request::new(i.to_string()),
        ))
    });
    let payload = measuring.join().expect_err("the measurement must fail");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn a_binary_without_the_dhat_allocator_is_told_the_line_to_add() {
    let message = panic_of_a_measurement();
    assert!(
        message.contains(
            "#[global_allocator] static ALLOC: crocodile_leak_check::dhat::Alloc = \
             crocodile_leak_check::dhat::Alloc;"
        ),
        "{message}"
    );
}
