//! What the dhat proofs in this directory share: the requests they send and
//! the N / 2N measurement.

#![allow(dead_code, unreachable_pub)]

use std::convert::Infallible;

use http::{Request, Response};
use tower::{Service, ServiceExt};

/// Request `i` of a run: a third with `?lang=fr`, a third with a cookie, a
/// third (and the `?lang=` ones) with a ranked `Accept-Language`.
pub fn request(i: usize) -> Request<()> {
    let builder = Request::get(if i % 3 == 0 { "/?lang=fr" } else { "/" });
    match i % 3 {
        1 => builder.header("cookie", "lang=de"),
        _ => builder.header("accept-language", "ja, zh-TW;q=0.9, en;q=0.5"),
    }
    .body(())
    .unwrap()
}

/// Sends requests `0..n` through `svc`, calling `after(i)` after each one.
pub async fn run<S>(n: usize, svc: &mut S, mut after: impl FnMut(usize))
where
    S: Service<Request<()>, Response = Response<()>, Error = Infallible>,
{
    for i in 0..n {
        let response = svc.ready().await.unwrap().call(request(i)).await.unwrap();
        drop(response);
        after(i);
    }
}

/// Proves the live heap is the same after N requests and after 2N more,
/// `send(count)` sending them; returns the heap before and after the first N.
///
/// A leak grows the heap in every round; a block that something outside the
/// code under test (the test harness, under load) happens to hold at the
/// moment of one measurement does not recur. So up to three rounds are
/// measured and one round with no growth at all is required.
pub async fn assert_no_growth(
    n: usize,
    mut send: impl AsyncFnMut(usize),
) -> (dhat::HeapStats, dhat::HeapStats) {
    let mut rounds = Vec::with_capacity(3);
    loop {
        let before = dhat::HeapStats::get();
        send(n).await;
        let after_n = dhat::HeapStats::get();
        send(2 * n).await;
        let after_2n = dhat::HeapStats::get();
        rounds.push((before.curr_bytes, after_n.curr_bytes, after_2n.curr_bytes));
        if before.curr_bytes == after_n.curr_bytes && after_n.curr_bytes == after_2n.curr_bytes {
            return (before, after_n);
        }
        assert!(
            rounds.len() < 3,
            "the live heap grew in every round: {rounds:?}"
        );
    }
}
