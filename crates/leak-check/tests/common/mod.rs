//! What the `heap_*` test binaries share (each is its own binary: dhat's
//! allocator and profiler are per process).

use std::convert::Infallible;

use crocodile_leak_check::LeakCheck;
use http::{Request, Response};

/// A service that answers with the request's body.
pub(crate) fn echo()
-> impl tower::Service<Request<String>, Response = Response<String>, Error = Infallible> {
    tower::service_fn(|req: Request<String>| async move {
        Ok::<_, Infallible>(Response::new(req.into_body()))
    })
}

/// Runs a measurement of `n` requests through [`echo`] on a thread of its
/// own, which must fail, and returns its panic message.
pub(crate) fn panic_of_a_measurement(n: usize) -> String {
    let measuring = std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(LeakCheck::new(n).service(echo(), |i| Request::new(i.to_string())))
    });
    let payload = measuring.join().expect_err("the measurement must fail");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}
