//! W3C Trace Context through `BaseContextLayer`: what is believed from whom,
//! `tracestate` bounds, the trace-id request-id mode, and `BaseContextSpan`.

use std::convert::Infallible;
use std::net::SocketAddr;

use crocodile_base_context::{
    BaseContext, BaseContextLayer, PeerAddr, ProxyTrust, RequestIdSource, Traceparent,
    TrustedProxies,
};
use http::{Request, Response};
use tower::{ServiceBuilder, ServiceExt};

/// A client that reaches the server directly (not a trusted proxy).
const CLIENT: &str = "203.0.113.9:50000";
/// A trusted proxy.
const PROXY: &str = "10.0.0.1:40000";
/// The W3C spec's example (section 3.2.3).
const PARENT: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

fn layer() -> BaseContextLayer {
    BaseContextLayer::new(
        ProxyTrust::new(
            "rightmost:x-forwarded-for".parse().unwrap(),
            TrustedProxies::parse("10.0.0.0/8").unwrap(),
        ),
        "example.com".parse().unwrap(),
    )
}

/// The context the handler saw and the echoed request id.
async fn run(
    layer: BaseContextLayer,
    peer: &str,
    headers: &[(&str, &str)],
) -> (BaseContext, String) {
    let service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(|req: Request<String>| async move {
                let ctx = req.extensions().get::<BaseContext>().cloned().unwrap();
                let mut res = Response::new(String::new());
                res.extensions_mut().insert(ctx);
                Ok::<_, Infallible>(res)
            });
    let mut req = Request::get("/").header("host", "example.com");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let mut req = req.body(String::new()).unwrap();
    req.extensions_mut()
        .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
    let res = service.oneshot(req).await.unwrap();
    let echoed = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let ctx = res.extensions().get::<BaseContext>().cloned().unwrap();
    (ctx, echoed)
}

fn assert_new_trace(ctx: &BaseContext, sampled: bool, case: &str) {
    assert_ne!(ctx.trace_id().to_string(), TRACE_ID, "{case}");
    assert_eq!(ctx.parent_span_id(), None, "{case}");
    assert_eq!(ctx.tracestate(), None, "{case}");
    assert_eq!(ctx.sampled(), sampled, "{case}");
    let out = Traceparent::parse(ctx.traceparent().as_str().as_bytes()).unwrap();
    assert_eq!(out.trace_id(), ctx.trace_id(), "{case}");
    assert_eq!(out.parent_id(), ctx.span_id(), "{case}");
}

#[tokio::test]
async fn a_trusted_proxy_s_valid_traceparent_continues_its_trace() {
    let (ctx, _) = run(
        layer(),
        PROXY,
        &[
            ("traceparent", PARENT),
            ("tracestate", "rojo=00f067aa0ba902b7"),
        ],
    )
    .await;
    assert_eq!(ctx.trace_id().to_string(), TRACE_ID);
    assert_eq!(
        ctx.parent_span_id().map(|id| id.to_string()).as_deref(),
        Some("00f067aa0ba902b7")
    );
    assert!(ctx.sampled());
    assert_ne!(ctx.span_id().to_string(), "00f067aa0ba902b7");
    assert_eq!(
        ctx.traceparent().as_str(),
        format!("00-{TRACE_ID}-{}-01", ctx.span_id())
    );
    assert_eq!(ctx.tracestate(), Some("rojo=00f067aa0ba902b7"));
    // The default request id is still a ULID.
    assert_eq!(ctx.request_id().as_str().len(), 26);
    assert_eq!(ctx.upstream_request_id(), None);
}

#[tokio::test]
async fn untrusted_clients_traceparent_never_becomes_the_trace_id() {
    // A client that is not a trusted proxy, sending a valid traceparent (and
    // tracestate, and an x-forwarded-for naming a trusted proxy).
    let headers = [
        ("traceparent", PARENT),
        ("tracestate", "rojo=00f067aa0ba902b7"),
        ("x-forwarded-for", "10.0.0.1"),
    ];
    for source in [RequestIdSource::Ulid, RequestIdSource::TraceId] {
        let (ctx, echoed) = run(layer().request_id_source(source), CLIENT, &headers).await;
        assert_new_trace(&ctx, true, &format!("{source}"));
        assert_ne!(echoed, TRACE_ID);
        assert!(!ctx.traceparent().as_str().contains(TRACE_ID));
    }
    // No peer address at all: nothing is believed either.
    let service =
        ServiceBuilder::new()
            .layer(layer())
            .service_fn(|req: Request<String>| async move {
                let ctx = req.extensions().get::<BaseContext>().unwrap();
                assert_ne!(ctx.trace_id().to_string(), TRACE_ID);
                Ok::<_, Infallible>(Response::new(String::new()))
            });
    let req = Request::get("/")
        .header("host", "example.com")
        .header("traceparent", PARENT)
        .body(String::new())
        .unwrap();
    assert_eq!(service.oneshot(req).await.unwrap().status(), 200);
}

#[tokio::test]
async fn invalid_traceparent_from_a_trusted_proxy_starts_a_new_trace() {
    // (traceparent lines, case): W3C Trace Context level 1 sections.
    let cases: &[(&[&str], &str)] = &[
        (
            &["00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01"],
            "3.2.2.3 uppercase trace-id",
        ),
        (
            &["00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
            "3.2.2.3 all-zero trace-id",
        ),
        (
            &["00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01"],
            "3.2.2.4 all-zero parent-id",
        ),
        (
            &["ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
            "3.2.2.1 version ff",
        ),
        (
            &["00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-xx"],
            "3.2.4 version 00 with extra fields",
        ),
        (&[PARENT, PARENT], "repeated header (test suite)"),
    ];
    for (lines, case) in cases {
        for sampled in [true, false] {
            let mut headers: Vec<(&str, &str)> =
                lines.iter().map(|line| ("traceparent", *line)).collect();
            headers.push(("tracestate", "rojo=1"));
            let (ctx, _) = run(layer().sample_new_traces(sampled), PROXY, &headers).await;
            assert_new_trace(&ctx, sampled, case);
        }
    }
}

#[tokio::test]
async fn a_future_version_is_read_and_answered_as_version_00() {
    // Section 3.2.4: a later version's first four fields are read, what
    // follows a `-` after the flags is ignored; we answer in version 00.
    let (ctx, _) = run(
        layer(),
        PROXY,
        &[(
            "traceparent",
            "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-future",
        )],
    )
    .await;
    assert_eq!(ctx.trace_id().to_string(), TRACE_ID);
    assert!(!ctx.sampled());
    assert!(ctx.traceparent().as_str().starts_with("00-"));
    assert!(ctx.traceparent().as_str().ends_with("-00"));
}

#[tokio::test]
async fn tracestate_out_of_bounds_is_dropped_and_the_trace_kept() {
    let long = format!("a={}", "x".repeat(511));
    let many = (0..33)
        .map(|i| format!("k{i}=v"))
        .collect::<Vec<_>>()
        .join(",");
    // Section 3.3.1.5 (512 characters) and 3.3.1.1 (32 list members).
    for tracestate in [long.as_str(), many.as_str()] {
        let (ctx, _) = run(
            layer(),
            PROXY,
            &[("traceparent", PARENT), ("tracestate", tracestate)],
        )
        .await;
        assert_eq!(ctx.trace_id().to_string(), TRACE_ID);
        assert_eq!(ctx.tracestate(), None);
    }
    // Two lines are one list (section 3.3.1).
    let (ctx, _) = run(
        layer(),
        PROXY,
        &[
            ("traceparent", PARENT),
            ("tracestate", "a=1"),
            ("tracestate", "b=2"),
        ],
    )
    .await;
    assert_eq!(ctx.tracestate(), Some("a=1,b=2"));
}

#[tokio::test]
async fn trace_id_mode_makes_the_trace_id_the_request_id_and_keeps_the_upstream_id() {
    let trace_id_mode = || layer().request_id_source(RequestIdSource::TraceId);
    // A trusted proxy with a trace and its own request id.
    let (ctx, echoed) = run(
        trace_id_mode(),
        PROXY,
        &[("traceparent", PARENT), ("x-request-id", "edge-7f3a")],
    )
    .await;
    assert_eq!(ctx.request_id().as_str(), TRACE_ID);
    assert!(!ctx.request_id().is_generated());
    assert_eq!(echoed, TRACE_ID);
    assert_eq!(
        ctx.upstream_request_id().map(|id| id.as_str()),
        Some("edge-7f3a")
    );
    // A trusted proxy without a trace: a new trace, its id the request id.
    let (ctx, echoed) = run(trace_id_mode(), PROXY, &[("x-request-id", "edge-7f3a")]).await;
    assert_eq!(ctx.request_id().as_str(), ctx.trace_id().to_string());
    assert!(ctx.request_id().is_generated());
    assert_eq!(echoed, ctx.request_id().as_str());
    assert_eq!(
        ctx.upstream_request_id().map(|id| id.as_str()),
        Some("edge-7f3a")
    );
    // A client's x-request-id is not kept.
    let (ctx, _) = run(trace_id_mode(), CLIENT, &[("x-request-id", "forged")]).await;
    assert_eq!(ctx.request_id().as_str(), ctx.trace_id().to_string());
    assert_eq!(ctx.upstream_request_id(), None);
    // In the default mode the proxy's id is the request id, not an upstream one.
    let (ctx, echoed) = run(layer(), PROXY, &[("x-request-id", "edge-7f3a")]).await;
    assert_eq!(echoed, "edge-7f3a");
    assert_eq!(ctx.upstream_request_id(), None);
}

#[test]
fn request_id_source_strings_round_trip() {
    // (text, parsed)
    let cases = [
        ("ulid", Some(RequestIdSource::Ulid)),
        ("trace-id", Some(RequestIdSource::TraceId)),
        (" trace-id ", Some(RequestIdSource::TraceId)),
        ("traceid", None),
        ("ULID", None),
        ("", None),
    ];
    for (text, want) in cases {
        let got = text.parse::<RequestIdSource>();
        assert_eq!(got.as_ref().ok().copied(), want, "{text:?}");
        match got {
            Ok(source) => assert_eq!(source.to_string().parse::<RequestIdSource>(), Ok(source)),
            Err(error) => assert!(error.to_string().contains(text.trim()), "{error}"),
        }
    }
}

#[cfg(feature = "tower-http")]
mod span {
    use std::collections::BTreeMap;
    use std::sync::{Arc, Mutex};

    use crocodile_base_context::BaseContextSpan;
    use tower_http::trace::TraceLayer;
    use tracing::Subscriber;
    use tracing::field::{Field, Visit};
    use tracing::span::{Attributes, Id};
    use tracing_subscriber::Layer;
    use tracing_subscriber::layer::{Context, SubscriberExt};

    use super::*;

    /// Records the fields of every `request` span.
    #[derive(Clone, Default)]
    struct Spans(Arc<Mutex<Vec<BTreeMap<String, String>>>>);

    struct Fields<'a>(&'a mut BTreeMap<String, String>);

    impl Visit for Fields<'_> {
        fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
            self.0.insert(field.name().to_owned(), format!("{value:?}"));
        }
        fn record_str(&mut self, field: &Field, value: &str) {
            self.0.insert(field.name().to_owned(), value.to_owned());
        }
    }

    impl<S: Subscriber> Layer<S> for Spans {
        fn on_new_span(&self, attrs: &Attributes<'_>, _: &Id, _: Context<'_, S>) {
            if attrs.metadata().name() == "request" {
                let mut fields = BTreeMap::new();
                attrs.record(&mut Fields(&mut fields));
                self.0.lock().unwrap().push(fields);
            }
        }
    }

    async fn span_of(
        outer: bool,
        peer: &str,
        headers: &[(&str, &str)],
    ) -> BTreeMap<String, String> {
        let spans = Spans::default();
        let subscriber = tracing_subscriber::registry().with(spans.clone());
        let _guard = tracing::subscriber::set_default(subscriber);
        let trace = TraceLayer::new_for_http().make_span_with(BaseContextSpan::new());
        let handler = tower::service_fn(|_: Request<String>| async {
            Ok::<_, Infallible>(Response::new(String::new()))
        });
        let mut req = Request::get("/path?q=1").header("host", "example.com");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let mut req = req.body(String::new()).unwrap();
        req.extensions_mut()
            .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
        let status = if outer {
            let service = ServiceBuilder::new()
                .layer(layer().request_id_source(RequestIdSource::TraceId))
                .layer(trace)
                .service(handler);
            service.oneshot(req).await.unwrap().status()
        } else {
            let service = ServiceBuilder::new().layer(trace).service(handler);
            service.oneshot(req).await.unwrap().status()
        };
        assert_eq!(status, 200);
        let mut spans = spans.0.lock().unwrap();
        assert_eq!(spans.len(), 1);
        spans.pop().unwrap()
    }

    #[tokio::test]
    async fn the_span_carries_the_request_s_ids() {
        let fields = span_of(
            true,
            PROXY,
            &[("traceparent", PARENT), ("x-forwarded-for", "198.51.100.7")],
        )
        .await;
        assert_eq!(fields["method"], "GET");
        assert_eq!(fields["uri"], "/path?q=1");
        assert_eq!(fields["request_id"], TRACE_ID);
        assert_eq!(fields["trace_id"], TRACE_ID);
        assert_eq!(fields["span_id"].len(), 16);
        assert_ne!(fields["span_id"], "00f067aa0ba902b7");
        assert_eq!(fields["client_ip"], "198.51.100.7");
    }

    #[tokio::test]
    async fn without_a_context_the_ids_are_dashes() {
        let fields = span_of(false, CLIENT, &[("traceparent", PARENT)]).await;
        assert_eq!(fields["method"], "GET");
        for name in ["request_id", "trace_id", "span_id", "client_ip"] {
            assert_eq!(fields[name], "-", "{name}");
        }
    }
}
