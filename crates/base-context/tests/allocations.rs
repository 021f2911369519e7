//! Heap allocations per request, counted with dhat: what the crate README
//! states; and no heap block outlives its request. Run with `cargo test -p crocodile-base-context --test allocations`.
//!
//! The counts are exact, and dhat counts every thread's allocations: so this
//! runs without the test harness (`harness = false`), whose main thread
//! otherwise allocates its bookkeeping for the test while the test's thread
//! has already begun measuring (on a busy machine: four blocks live in the
//! baseline's window that were not there before it).

use std::convert::Infallible;
use std::future::{Ready, ready};
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use crocodile_base_context::{BaseContextLayer, PeerAddr, ProxyTrust, TrustedProxies};
use http::header::CONTENT_TYPE;
use http::{HeaderValue, Request, Response};
use tower::{Layer, Service};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

const N: u64 = 1_000;

/// The handler: a response that already has a header (as real ones do), so
/// echoing the id does not have to allocate the response's header map.
#[derive(Clone)]
struct Handler;

impl Service<Request<String>> for Handler {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _req: Request<String>) -> Self::Future {
        let mut res = Response::new(String::new());
        res.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        ready(Ok(res))
    }
}

fn request(
    host: &'static str,
    peer: &str,
    headers: &[(&'static str, &'static str)],
) -> Request<String> {
    let mut req = Request::new(String::new());
    req.headers_mut()
        .insert("host", HeaderValue::from_static(host));
    for (name, value) in headers {
        req.headers_mut()
            .insert(*name, HeaderValue::from_static(value));
    }
    // The peer, as axum's `ConnectInfo` would be: the extensions map exists.
    req.extensions_mut()
        .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
    req
}

/// Allocations per request of `service` over `N` prepared requests,
/// including dropping the responses.
fn per_request<S, B>(service: &mut S, make: impl Fn() -> Request<String>) -> f64
where
    S: Service<Request<String>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let mut cx = Context::from_waker(Waker::noop());
    // One request first: what is set up once per thread (arc-swap's debt
    // node, read by the trust model's trusted set) is not per request.
    match pin!(service.call(make())).poll(&mut cx) {
        Poll::Ready(res) => drop(res.unwrap()),
        Poll::Pending => panic!("the handler is ready at once"),
    }
    let live_before = dhat::HeapStats::get().curr_blocks;
    let requests: Vec<_> = (0..N).map(|_| make()).collect();
    let before = dhat::HeapStats::get().total_blocks;
    for req in requests {
        let future = pin!(service.call(req));
        match future.poll(&mut cx) {
            Poll::Ready(res) => drop(res.unwrap()),
            Poll::Pending => panic!("the handler is ready at once"),
        }
    }
    let total = dhat::HeapStats::get().total_blocks - before;
    // Nothing outlives its request: the prepared requests are gone, and so
    // is everything the layer made for them.
    let live_after = dhat::HeapStats::get().curr_blocks;
    assert_eq!(
        live_after, live_before,
        "live heap blocks after {N} requests"
    );
    total as f64 / N as f64
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let layer = |allowed: &str| {
        BaseContextLayer::new(
            ProxyTrust::new(
                "rightmost:x-forwarded-for".parse().unwrap(),
                TrustedProxies::parse("10.0.0.0/8").unwrap(),
            ),
            allowed.parse().unwrap(),
        )
    };
    let exact = layer("example.com");
    let wildcard = layer(".example.com");

    let baseline = per_request(&mut Handler, || {
        request("example.com", "203.0.113.9:1", &[])
    });

    let generated = per_request(&mut exact.layer(Handler), || {
        request("example.com", "203.0.113.9:1", &[])
    }) - baseline;
    let accepted = per_request(&mut exact.layer(Handler), || {
        request("example.com", "10.0.0.1:1", &[("x-request-id", "abc-123")])
    }) - baseline;
    let proxied = per_request(&mut exact.layer(Handler), || {
        request(
            "backend:8080",
            "10.0.0.1:1",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "example.com"),
                ("x-request-id", "abc-123"),
            ],
        )
    }) - baseline;
    const TRACEPARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let traced = per_request(&mut exact.layer(Handler), || {
        request(
            "example.com",
            "10.0.0.1:1",
            &[("x-request-id", "abc-123"), ("traceparent", TRACEPARENT)],
        )
    }) - baseline;
    let with_tracestate = per_request(&mut exact.layer(Handler), || {
        request(
            "example.com",
            "10.0.0.1:1",
            &[
                ("x-request-id", "abc-123"),
                ("traceparent", TRACEPARENT),
                ("tracestate", "rojo=00f067aa0ba902b7"),
            ],
        )
    }) - baseline;
    let trace_id_mode = exact
        .clone()
        .request_id_source(crocodile_base_context::RequestIdSource::TraceId);
    let trace_id_as_request_id = per_request(&mut trace_id_mode.layer(Handler), || {
        request("example.com", "10.0.0.1:1", &[("traceparent", TRACEPARENT)])
    }) - baseline;
    let subdomain = per_request(&mut wildcard.layer(Handler), || {
        request("www.example.com", "203.0.113.9:1", &[])
    }) - baseline;
    // The handler does not run here: this is the whole 400, not a difference.
    let rejected = per_request(&mut exact.layer(Handler), || {
        request("evil.tld", "203.0.113.9:1", &[])
    });

    println!("allocations per request, beyond the handler's own ({baseline} baseline):");
    println!("  exact host, generated id:           {generated}");
    println!("  exact host, id from trusted proxy:  {accepted}");
    println!("  X-Forwarded-* from trusted proxy:   {proxied}");
    println!("  traceparent from trusted proxy:     {traced}");
    println!("  ... and a tracestate:               {with_tracestate}");
    println!("  trace id as the request id:         {trace_id_as_request_id}");
    println!("  .domain match, generated id:        {subdomain}");
    println!("  400 for a disallowed host (total):  {rejected}");

    // One box each for the `Hop` and `BaseContext` extensions; a generated
    // id is copied into the response header through a per-thread buffer
    // (two allocations per 1 KiB, 39 ids: about 0.05 per request).
    let shared_buffer = |got: f64, want: f64| (want..want + 0.1).contains(&got);
    assert!(shared_buffer(generated, 2.0), "{generated}");
    // An accepted id is shared with the request's header value.
    assert_eq!(accepted, 2.0);
    // The hop records positions in the headers: reading X-Forwarded-* copies nothing.
    assert_eq!(proxied, 2.0);
    // Parsing a traceparent allocates nothing; the trace context is inline.
    assert_eq!(traced, 2.0);
    // A tracestate is shared with the request's header, behind one `Arc`.
    assert_eq!(with_tracestate, 3.0);
    // The trace id as the request id is copied into the response header
    // (through the same buffer).
    assert!(
        shared_buffer(trace_id_as_request_id, 2.0),
        "{trace_id_as_request_id}"
    );
    // A host matched by a pattern is copied once.
    assert!(shared_buffer(subdomain, 3.0), "{subdomain}");
    // The `Hop` box and the 400's header map (two blocks), the id copied
    // into it through the buffer; the body is the static reason, not a copy.
    assert!(shared_buffer(rejected, 3.0), "{rejected}");
}
