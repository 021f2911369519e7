//! [`LeakCheck`]: what to measure, and the measurement.

use std::fmt::Debug;
use std::future::poll_fn;

use http::{Request, Response};
use http_body_util::BodyExt;
use tower_service::Service;

use super::profiler;
use super::report::{Heap, LeakReport, Round};

/// What to measure: `n` requests per round, after `warm_up` requests, for at
/// most `max_rounds` rounds.
///
/// # Example
///
/// A plain tower service, no axum. The binary declares dhat's allocator and
/// holds this one measured test.
///
/// ```rust,standalone_crate
/// use std::convert::Infallible;
///
/// use crocodile_leak_check::LeakCheck;
/// use http::{Request, Response};
///
/// #[global_allocator]
/// static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let service = tower::service_fn(|req: Request<String>| async move {
///     Ok::<_, Infallible>(Response::new(req.into_body().to_uppercase()))
/// });
/// let report = LeakCheck::new(500)
///     .warm_up(10)
///     .service(service, |i| Request::new(format!("request {i}")))
///     .await;
/// report.assert_no_growth();
/// assert!(report.allocations_per_request() >= 1.0);
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct LeakCheck {
    n: usize,
    warm_up: usize,
    max_rounds: usize,
}

impl LeakCheck {
    /// Compares the live heap after `n` requests with the live heap after `n`
    /// more; no warm-up, at most three rounds. Panics if `n` is 0.
    pub fn new(n: usize) -> Self {
        assert!(n > 0, "LeakCheck::new: N must be at least 1 request");
        Self {
            n,
            warm_up: 0,
            max_rounds: 3,
        }
    }

    /// Sends `requests` requests before the first snapshot, so lazy statics,
    /// pools and caches are filled before anything is counted.
    pub fn warm_up(self, requests: usize) -> Self {
        Self {
            warm_up: requests,
            ..self
        }
    }

    /// Measures at most `rounds` rounds (three by default). Panics if
    /// `rounds` is 0.
    pub fn max_rounds(self, rounds: usize) -> Self {
        assert!(rounds > 0, "LeakCheck::max_rounds: at least 1 round");
        Self {
            max_rounds: rounds,
            ..self
        }
    }

    /// Measures a tower service (an axum `Router` is one): request `i` of
    /// the run is `request(i)`, sent once the service is ready, its response
    /// body read to the end and dropped before the next is sent.
    ///
    /// Panics, naming the request, if the service or a response body fails.
    pub async fn service<S, ReqBody, ResBody>(
        self,
        mut service: S,
        mut request: impl FnMut(usize) -> Request<ReqBody>,
    ) -> LeakReport
    where
        S: Service<Request<ReqBody>, Response = Response<ResBody>>,
        S::Error: Debug,
        ResBody: http_body::Body,
        ResBody::Error: Debug,
    {
        let mut sent = 0;
        self.measure(async |count| {
            for _ in 0..count {
                let i = sent;
                sent += 1;
                poll_fn(|cx| service.poll_ready(cx))
                    .await
                    .unwrap_or_else(|error| panic!("request {i}: service not ready: {error:?}"));
                let response = service
                    .call(request(i))
                    .await
                    .unwrap_or_else(|error| panic!("request {i}: the service failed: {error:?}"));
                let body = response.into_body().collect().await;
                drop(
                    body.unwrap_or_else(|error| panic!("request {i}: its body failed: {error:?}")),
                );
            }
        })
        .await
    }

    /// Runs the measurement: `send(count)` must send `count` requests and
    /// return once they are all done. Starts dhat's profiler (one
    /// measurement per test binary) and stops at the first round whose live
    /// heap did not change.
    pub async fn measure(self, mut send: impl AsyncFnMut(usize)) -> LeakReport {
        let profiler = profiler::start();
        // Allocated before the first snapshot, so the report's own blocks
        // are not counted as the requests'.
        let mut rounds = Vec::with_capacity(self.max_rounds);
        if self.warm_up > 0 {
            send(self.warm_up).await;
        }
        let after_warm_up = Heap::now();
        send(self.n).await;
        let mut after_n = Heap::now();
        assert!(
            after_n.total_blocks > 0,
            "dhat counted no allocation at all during the warm-up and {} requests: add \
             `#[global_allocator] static ALLOC: crocodile_leak_check::dhat::Alloc = \
             crocodile_leak_check::dhat::Alloc;` to the test binary",
            self.n
        );
        while rounds.len() < self.max_rounds {
            send(self.n).await;
            let after_2n = Heap::now();
            let round = Round { after_n, after_2n };
            rounds.push(round);
            if round.is_unchanged() {
                break;
            }
            after_n = after_2n;
        }
        drop(profiler);
        LeakReport::new(self.n, self.warm_up, after_warm_up, rounds)
    }
}
