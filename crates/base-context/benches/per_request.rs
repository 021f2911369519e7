//! Nanoseconds per request through `BaseContextLayer`, and per generated id.
//!
//! Run with: `cargo bench -p crocodile-base-context --bench per_request`
//! (a plain `harness = false` timing loop: no benchmark framework to build).

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::hint::black_box;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Instant;

use crocodile_base_context::{BaseContextLayer, PeerAddr, ProxyTrust, RequestId, TrustedProxies};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response};
use tower::{Layer, Service};

const N: u32 = 200_000;
const ROUNDS: usize = 7;

#[derive(Clone)]
struct Handler;

impl Service<Request<String>> for Handler {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<String>) -> Self::Future {
        black_box(&req);
        // A response with a header already, as real ones have.
        let mut res = Response::new(String::new());
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        ready(Ok(res))
    }
}

fn request(
    host: &'static str,
    peer: SocketAddr,
    headers: &[(&'static str, &'static str)],
) -> Request<String> {
    let mut req = Request::new(String::new());
    req.headers_mut()
        .insert("host", HeaderValue::from_static(host));
    for (name, value) in headers {
        req.headers_mut()
            .insert(*name, HeaderValue::from_static(value));
    }
    req.extensions_mut().insert(PeerAddr(peer));
    req
}

/// Median over rounds of the nanoseconds per call of `service`, request
/// construction included.
fn ns_per_request<S, B>(service: &mut S, make: &dyn Fn() -> Request<String>) -> f64
where
    S: Service<Request<String>, Response = Response<B>, Error = Infallible>,
{
    let mut cx = Context::from_waker(Waker::noop());
    let mut rounds: Vec<f64> = (0..ROUNDS)
        .map(|_| {
            let start = Instant::now();
            for _ in 0..N {
                let future = pin!(service.call(make()));
                if let Poll::Ready(res) = future.poll(&mut cx) {
                    black_box(res.ok());
                }
            }
            start.elapsed().as_nanos() as f64 / f64::from(N)
        })
        .collect();
    rounds.sort_by(f64::total_cmp);
    rounds[ROUNDS / 2]
}

fn main() {
    let client: SocketAddr = "203.0.113.9:1".parse().unwrap();
    let proxy: SocketAddr = "10.0.0.1:1".parse().unwrap();
    let trust = ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        TrustedProxies::parse("10.0.0.0/8").unwrap(),
    );
    let layer = BaseContextLayer::new(trust, "example.com, .example.org".parse().unwrap());

    let plain = || request("example.com", client, &[]);

    let cases: [(&str, &dyn Fn() -> Request<String>); 5] = [
        ("exact host, generated id", &plain),
        ("X-Forwarded-* and id from a trusted proxy", &|| {
            request(
                "backend:8080",
                proxy,
                &[
                    ("x-forwarded-proto", "https"),
                    ("x-forwarded-host", "example.com"),
                    ("x-request-id", "abc-123"),
                ],
            )
        }),
        ("3-entry X-Forwarded-For, X-Forwarded-* at k = 1", &|| {
            request(
                "backend:8080",
                proxy,
                &[
                    ("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.3"),
                    ("x-forwarded-proto", "https, http"),
                    ("x-forwarded-host", "example.com, backend"),
                    ("x-request-id", "abc-123"),
                ],
            )
        }),
        (".domain match, generated id", &|| {
            request("www.example.org", client, &[])
        }),
        ("400, disallowed host", &|| request("evil.tld", client, &[])),
    ];
    println!("nanoseconds per request (median of {ROUNDS} rounds of {N}):");
    for (name, make) in cases {
        // The same requests through the handler alone: building, sending
        // and dropping them is not the layer's cost.
        let baseline = ns_per_request(&mut Handler, make);
        let ns = ns_per_request(&mut layer.layer(Handler), make);
        println!(
            "  {name}: {:.0} ns over the handler alone ({baseline:.0} ns)",
            ns - baseline
        );
    }

    let start = Instant::now();
    for _ in 0..N {
        black_box(RequestId::generate());
    }
    let ns = start.elapsed().as_nanos() as f64 / f64::from(N);
    println!("RequestId::generate(): {ns:.0} ns");
}
