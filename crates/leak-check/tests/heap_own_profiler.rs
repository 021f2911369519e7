//! A test that starts dhat's profiler itself, then measures, is told that
//! `LeakCheck` starts it (instead of dhat's bare "a profiler is already
//! running").

use std::convert::Infallible;

use crocodile_leak_check::LeakCheck;
use http::{Request, Response};

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

#[test]
fn a_profiler_of_the_tests_own_is_named_as_the_mistake() {
    let _profiler = crocodile_leak_check::dhat::Profiler::builder()
        .testing()
        .build();
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
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default();
    assert!(
        message.contains("remove the test's own `dhat::Profiler`")
            && message.contains("one measured test per test binary"),
        "{message}"
    );
}
