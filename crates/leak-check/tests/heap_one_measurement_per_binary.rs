//! A second measurement in one test binary fails, saying why, instead of
//! counting two tests' allocations together (or dhat's bare panic).

use std::convert::Infallible;

use crocodile_leak_check::LeakCheck;
use http::{Request, Response};

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

fn echo() -> impl tower::Service<Request<String>, Response = Response<String>, Error = Infallible> {
    tower::service_fn(|req: Request<String>| async move {
        Ok::<_, Infallible>(Response::new(req.into_body()))
    })
}

#[tokio::test]
async fn a_second_measurement_says_one_measured_test_per_test_binary() {
    let first = LeakCheck::new(200)
        .warm_up(10)
        .service(echo(), |i| Request::new(i.to_string()))
        .await;
    first.assert_no_growth();

    // On a thread of its own, so its panic is caught and read.
    let second = std::thread::spawn(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(LeakCheck::new(200).service(echo(), |i| Request::new(i.to_string())))
    });
    let message = second.join().unwrap_err();
    let message = message
        .downcast_ref::<String>()
        .map(String::as_str)
        .unwrap_or_default();
    assert!(
        message.contains("one measured test per test binary"),
        "{message}"
    );
}
