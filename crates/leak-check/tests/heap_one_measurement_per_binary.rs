//! A second measurement in one test binary fails, saying why, instead of
//! counting two tests' allocations together (or dhat's bare panic).

mod common;

use common::{echo, panic_of_a_measurement};
use crocodile_leak_check::LeakCheck;
use http::Request;

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

#[tokio::test]
async fn a_second_measurement_says_one_measured_test_per_test_binary() {
    let first = LeakCheck::new(200)
        .warm_up(10)
        .service(echo(), |i| Request::new(i.to_string()))
        .await;
    first.assert_no_growth();

    // On a thread of its own, so its panic is caught and read.
    let message = panic_of_a_measurement(200);
    assert!(
        message.contains("one measured test per test binary"),
        "{message}"
    );
}
