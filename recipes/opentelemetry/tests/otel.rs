//! The recipe against the OpenTelemetry SDK's own in-memory exporter: the
//! exported span's trace id and parent are the incoming ones from a trusted
//! proxy and new ones for an untrusted client, its attributes carry the
//! request id, client address and locale, and the outgoing `traceparent`
//! names the exported span.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::ConnectInfo;
use crocodile_base_context::ProxyTrust;
use crocodile_i18n::Catalog;
use http::Request;
use http_body_util::BodyExt as _;
use opentelemetry::propagation::TextMapPropagator as _;
use opentelemetry::trace::{SpanId, SpanKind, TraceContextExt as _, TraceId, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use tower::ServiceExt as _;
use tracing::subscriber::DefaultGuard;
use tracing_subscriber::layer::SubscriberExt as _;

const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
const PARENT: &str = "00f067aa0ba902b7";

/// A proxy on loopback (trusted) and a client on the internet (not).
const PROXY: &str = "127.0.0.1:41000";
const CLIENT: &str = "203.0.113.9:52000";
/// The client address the proxy vouches for.
const FORWARDED_FOR: &str = "198.51.100.7";

/// The SDK's in-memory exporter behind a synchronous span processor, as the
/// default subscriber of this test's thread while the guard lives.
struct Otel {
    exporter: InMemorySpanExporter,
    _provider: SdkTracerProvider,
    _guard: DefaultGuard,
}

fn otel() -> Otel {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("recipe-test")));
    let guard = tracing::subscriber::set_default(subscriber);
    Otel {
        exporter,
        _provider: provider,
        _guard: guard,
    }
}

fn app() -> axum::Router {
    let trust = ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        "loopback".parse().unwrap(),
    );
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "main.ftl", "hello = Hello")
        .source("fr", "main.ftl", "hello = Bonjour")
        .build()
        .unwrap();
    crocodile_recipe_opentelemetry::app(trust, "localhost".parse().unwrap(), Arc::new(catalog))
}

/// What one request left: the response's request id and body, and the one
/// span the exporter received.
struct Sent {
    request_id: String,
    body: String,
    span: SpanData,
}

async fn send(otel: &Otel, peer: &str, headers: &[(&str, &str)]) -> Sent {
    let mut req = Request::get("/")
        .header("host", "localhost")
        .header("x-forwarded-for", FORWARDED_FOR)
        .header("accept-language", "fr");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    let res = app().oneshot(req).await.unwrap();
    assert_eq!(res.status(), 200);
    let request_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let body = String::from_utf8(body.to_vec()).unwrap();
    let mut spans = otel.exporter.get_finished_spans().unwrap();
    assert_eq!(spans.len(), 1, "{spans:#?}");
    Sent {
        request_id,
        body,
        span: spans.remove(0),
    }
}

fn attribute(span: &SpanData, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| kv.value.to_string())
}

fn traceparent() -> String {
    format!("00-{TRACE}-{PARENT}-01")
}

#[tokio::test]
async fn a_trusted_proxys_traceparent_is_the_spans_parent() {
    let otel = otel();
    let sent = send(&otel, PROXY, &[("traceparent", &traceparent())]).await;
    let span = &sent.span;
    assert_eq!(
        span.span_context.trace_id(),
        TraceId::from_hex(TRACE).unwrap()
    );
    assert_eq!(span.parent_span_id, SpanId::from_hex(PARENT).unwrap());
    assert!(span.parent_span_is_remote);
    assert!(span.span_context.is_sampled());
    assert_eq!(span.span_kind, SpanKind::Server);
    assert_eq!(attribute(span, "request_id"), Some(sent.request_id.clone()));
    assert_eq!(
        attribute(span, "client.address").as_deref(),
        Some(FORWARDED_FOR)
    );
    assert_eq!(attribute(span, "locale").as_deref(), Some("fr"));
    assert_eq!(
        attribute(span, "http.request.method").as_deref(),
        Some("GET")
    );
}

#[tokio::test]
async fn an_untrusted_clients_traceparent_is_ignored() {
    let otel = otel();
    let sent = send(&otel, CLIENT, &[("traceparent", &traceparent())]).await;
    let span = &sent.span;
    assert!(span.span_context.is_valid());
    assert_ne!(
        span.span_context.trace_id(),
        TraceId::from_hex(TRACE).unwrap()
    );
    assert_eq!(span.parent_span_id, SpanId::INVALID);
    // Its `X-Forwarded-For` is ignored as well: the address is the peer's.
    assert_eq!(
        attribute(span, "client.address").as_deref(),
        Some("203.0.113.9")
    );
    assert_eq!(attribute(span, "request_id"), Some(sent.request_id.clone()));
}

#[tokio::test]
async fn a_trusted_proxys_invalid_traceparent_starts_a_new_trace() {
    // W3C Trace Context level 1, 3.2.2.3: trace-id all zeros is invalid;
    // 3.2.2.2 / 3.2.2.3: uppercase hex is invalid.
    let zeros = format!("00-{}-{PARENT}-01", "0".repeat(32));
    let upper = format!("00-{}-{PARENT}-01", TRACE.to_uppercase());
    for value in [zeros, upper, "garbage".to_owned()] {
        let otel = otel();
        let sent = send(&otel, PROXY, &[("traceparent", &value)]).await;
        assert_eq!(sent.span.parent_span_id, SpanId::INVALID, "{value}");
        assert_ne!(
            sent.span.span_context.trace_id(),
            TraceId::from_hex(TRACE).unwrap(),
            "{value}"
        );
    }
}

/// The body's `name: value` lines for `name`.
fn header_line<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    body.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(": "))
}

#[tokio::test]
async fn the_outgoing_traceparent_names_the_exported_span() {
    for peer in [PROXY, CLIENT] {
        let otel = otel();
        let sent = send(&otel, peer, &[("traceparent", &traceparent())]).await;
        let context = &sent.span.span_context;
        let expected = format!("00-{}-{}-01", context.trace_id(), context.span_id());
        assert_eq!(
            header_line(&sent.body, "traceparent"),
            Some(&*expected),
            "{peer}"
        );
        assert_ne!(
            context.span_id(),
            SpanId::from_hex(PARENT).unwrap(),
            "{peer}"
        );
    }
}

#[tokio::test]
async fn a_trusted_tracestate_goes_out_an_untrusted_one_does_not() {
    let state = "congo=t61rcWkgMzE,rojo=00f067aa0ba902b7";
    let headers = [("traceparent", &*traceparent()), ("tracestate", state)];
    // The same thread, one request after the other: nothing of the first
    // trace reaches the second.
    let first = otel();
    let trusted = send(&first, PROXY, &headers).await;
    assert_eq!(header_line(&trusted.body, "tracestate"), Some(state));
    drop(first);
    let second = otel();
    let untrusted = send(&second, CLIENT, &headers).await;
    assert_eq!(header_line(&untrusted.body, "tracestate"), None);
}

#[test]
fn outgoing_traceparent_is_the_spans_context() {
    let otel = otel();
    let span = tracing::info_span!("job");
    let value = crocodile_recipe_opentelemetry::outgoing_traceparent(&span).unwrap();
    drop(span);
    let exported = otel.exporter.get_finished_spans().unwrap();
    let context = &exported[0].span_context;
    assert_eq!(
        value,
        format!("00-{}-{}-01", context.trace_id(), context.span_id())
    );
}

#[test]
fn without_an_opentelemetry_layer_there_is_no_outgoing_traceparent() {
    let subscriber = tracing_subscriber::registry();
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request");
        assert_eq!(
            crocodile_recipe_opentelemetry::outgoing_traceparent(&span),
            None
        );
    });
}

#[tokio::test]
async fn a_traceparent_basecontext_refuses_is_refused_even_if_the_sdk_reads_it() {
    // Two `traceparent` lines (W3C Trace Context level 1, 3.2: one header):
    // the SDK's propagator alone reads the first; BaseContext refuses both.
    let other = format!("00-{}-{PARENT}-01", "a".repeat(32));
    let mut headers = http::HeaderMap::new();
    headers.append("traceparent", traceparent().parse().unwrap());
    headers.append("traceparent", other.parse().unwrap());
    let alone = opentelemetry_sdk::propagation::TraceContextPropagator::new()
        .extract(&crocodile_recipe_opentelemetry::HeaderExtractor(&headers));
    assert!(alone.span().span_context().is_valid());

    let otel = otel();
    let sent = send(
        &otel,
        PROXY,
        &[("traceparent", &traceparent()), ("traceparent", &other)],
    )
    .await;
    assert_eq!(sent.span.parent_span_id, SpanId::INVALID);
    assert_ne!(
        sent.span.span_context.trace_id(),
        TraceId::from_hex(TRACE).unwrap()
    );
}

#[tokio::test]
async fn a_tracestate_basecontext_drops_is_not_propagated() {
    // Longer than MAX_TRACESTATE_LEN (512): BaseContext drops it whole.
    let long: Vec<String> = (0..20)
        .map(|i| format!("k{i}={}", "v".repeat(30)))
        .collect();
    let long = long.join(",");
    assert!(long.len() > crocodile_base_context::MAX_TRACESTATE_LEN);
    // The SDK's propagator alone would keep it.
    let mut headers = http::HeaderMap::new();
    headers.insert("traceparent", traceparent().parse().unwrap());
    headers.insert("tracestate", long.parse().unwrap());
    let alone = opentelemetry_sdk::propagation::TraceContextPropagator::new()
        .extract(&crocodile_recipe_opentelemetry::HeaderExtractor(&headers));
    assert_eq!(alone.span().span_context().trace_state().header(), long);
    let otel = otel();
    let sent = send(
        &otel,
        PROXY,
        &[("traceparent", &traceparent()), ("tracestate", &long)],
    )
    .await;
    assert_eq!(sent.span.parent_span_id, SpanId::from_hex(PARENT).unwrap());
    assert_eq!(header_line(&sent.body, "tracestate"), None);
    assert!(header_line(&sent.body, "traceparent").is_some());
}
