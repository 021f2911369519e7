//! OpenTelemetry recipe: each request's `tracing` span becomes an
//! OpenTelemetry span (through `tracing-opentelemetry`) that is a child of
//! the **incoming** W3C trace context when, and only when, the peer is a
//! trusted proxy, and that carries the request id, the client address and
//! the negotiated locale as attributes.
//!
//! The stack ([`app`]):
//!
//! - `ClientIpLayer` and `BaseContextLayer` share one
//!   [`ProxyTrust`], so they reach the
//!   same trust decision (the request's [`Hop`]);
//! - `I18nLayer` negotiates the locale (the [`Localizer`] extension);
//! - tower-http's `TraceLayer`, innermost so it sees all three extensions,
//!   makes the span with [`OtelRequestSpan`].
//!
//! [`OtelRequestSpan`] extracts the incoming `traceparent`/`tracestate`
//! with the SDK's own [`TraceContextPropagator`] and sets it as the span's
//! OpenTelemetry parent only when `BaseContextLayer` believed it: the peer is
//! a trusted proxy ([`Hop::is_proxied`]) and the value was valid
//! ([`BaseContext::parent_span_id`] is `Some`). An untrusted client's
//! `traceparent` is ignored exactly as `BaseContext` ignores it: the span
//! starts a new trace.
//!
//! For outgoing calls, inject the **span's** context
//! ([`outgoing_traceparent`], [`inject_trace_headers`]), not
//! [`BaseContext::traceparent`]: the OpenTelemetry SDK picks its own span id
//! (and, for a new trace, its own trace id), so only the span's context
//! names a span the back-end receives.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use crocodile_base_context::ProxyTrust;
//! use crocodile_i18n::Catalog;
//! use opentelemetry::trace::TracerProvider as _;
//! use opentelemetry_sdk::trace::SdkTracerProvider;
//! use tracing_subscriber::layer::SubscriberExt as _;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Any exporter: OTLP, stdout, or the SDK's in-memory one in tests.
//! let provider = SdkTracerProvider::builder().build();
//! let subscriber = tracing_subscriber::registry()
//!     .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("my-service")));
//! let _guard = tracing::subscriber::set_default(subscriber);
//!
//! // Trust the proxy on loopback; believe its `X-Forwarded-For` and `traceparent`.
//! let trust = ProxyTrust::new("rightmost:x-forwarded-for".parse()?, "loopback".parse()?);
//! let catalog = Catalog::builder()
//!     .default_locale("en")
//!     .source("en", "main.ftl", "hello = Hello")
//!     .build()?;
//! let app = crocodile_recipe_opentelemetry::app(trust, "localhost".parse()?, Arc::new(catalog));
//! # let _ = app;
//! # Ok(())
//! # }
//! ```

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use crocodile_base_context::{AllowedHosts, BaseContext, BaseContextLayer, Hop, ProxyTrust};
use crocodile_client_ip::ClientIpLayer;
use crocodile_i18n::{Catalog, I18nLayer, Localizer};
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use opentelemetry::Context;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{SpanContext, TraceContextExt as _, TraceState};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tower::ServiceBuilder;
use tower_http::trace::{MakeSpan, TraceLayer};
use tracing::Span;
use tracing_opentelemetry::OpenTelemetrySpanExt as _;

/// The recipe's router: `GET /` answers with the trace headers a call to
/// another service would send, one `name: value` line each (`traceparent`,
/// and `tracestate` when the trace has one; nothing when no OpenTelemetry
/// layer is installed), wrapped in the four layers.
///
/// Serve it with `into_make_service_with_connect_info::<SocketAddr>()`, so
/// the layers see the socket peer.
pub fn app(trust: ProxyTrust, allowed_hosts: AllowedHosts, catalog: Arc<Catalog>) -> Router {
    Router::new().route("/", get(outgoing)).layer(
        ServiceBuilder::new()
            .layer(ClientIpLayer::new(trust.clone()))
            .layer(BaseContextLayer::new(trust, allowed_hosts))
            .layer(I18nLayer::new(catalog))
            // Innermost: the span maker reads what the three layers inserted.
            .layer(TraceLayer::new_for_http().make_span_with(OtelRequestSpan::new())),
    )
}

/// `GET /`: the trace headers for this request's outgoing calls.
async fn outgoing() -> String {
    // `TraceLayer` runs the handler inside the request's span.
    let mut headers = HeaderMap::new();
    inject_trace_headers(&Span::current(), &mut headers);
    let mut body = String::new();
    for (name, value) in &headers {
        if let Ok(value) = value.to_str() {
            body.push_str(name.as_str());
            body.push_str(": ");
            body.push_str(value);
            body.push('\n');
        }
    }
    body
}

/// A `MakeSpan` for tower-http's `TraceLayer` that makes the request's span
/// an OpenTelemetry server span:
/// `info_span!("request", otel.kind = "server", http.request.method,
/// url.path, request_id, client.address, locale)` (the last three only
/// when known), whose OpenTelemetry parent is the incoming trace context when
/// `BaseContextLayer` believed it (see [`trusted_parent`]).
///
/// Run `BaseContextLayer` (and `I18nLayer`, for `locale`) outside
/// `TraceLayer`, so the extensions are there when the span is made.
#[derive(Debug, Clone, Default)]
#[must_use]
pub struct OtelRequestSpan {
    propagator: TraceContextPropagator,
}

impl OtelRequestSpan {
    /// The span maker, with the SDK's W3C Trace Context propagator.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<B> MakeSpan<B> for OtelRequestSpan {
    fn make_span(&mut self, req: &Request<B>) -> Span {
        let span = tracing::info_span!(
            "request",
            otel.kind = "server",
            http.request.method = %req.method(),
            url.path = req.uri().path(),
            request_id = tracing::field::Empty,
            client.address = tracing::field::Empty,
            locale = tracing::field::Empty,
        );
        if let Some(ctx) = req.extensions().get::<BaseContext>() {
            span.record("request_id", tracing::field::display(ctx.request_id()));
            if let Some(ip) = ctx.client_ip() {
                span.record("client.address", tracing::field::display(ip));
            }
        }
        if let Some(localizer) = req.extensions().get::<Localizer>() {
            span.record("locale", localizer.tag());
        }
        if let Some(parent) = trusted_parent(&self.propagator, req) {
            // Fails only when the span is disabled or no OpenTelemetry layer
            // is installed: then there is no OpenTelemetry span to parent.
            if let Err(error) = span.set_parent(parent) {
                tracing::debug!(%error, "no OpenTelemetry parent set on the request's span");
            }
        }
        span
    }
}

/// The incoming trace context, extracted with `propagator` from the
/// request's headers, when `BaseContextLayer` believed it: the peer is a
/// trusted proxy ([`Hop::is_proxied`]), the `traceparent` was valid
/// ([`BaseContext::parent_span_id`] is `Some`), and the propagator read the
/// same trace id and parent span id. `None` otherwise: the span starts a new
/// trace.
///
/// A `tracestate` that `BaseContext` dropped is dropped from the context
/// too. Requiring both parsers to agree keeps the OpenTelemetry trace the one
/// `BaseContext` reports ([`BaseContext::trace_id`], and the request id with
/// `RequestIdSource::TraceId`), whatever the two accept at the edges of the
/// W3C grammar (a second `traceparent` line, a future version).
pub fn trusted_parent<B>(propagator: &impl TextMapPropagator, req: &Request<B>) -> Option<Context> {
    let proxied = req.extensions().get::<Hop>().is_some_and(Hop::is_proxied);
    let ctx = req.extensions().get::<BaseContext>()?;
    let believed_parent = ctx.parent_span_id()?;
    if !proxied {
        return None;
    }
    let cx = propagator.extract(&HeaderExtractor(req.headers()));
    let remote = cx.span().span_context().clone();
    let agrees = remote.is_valid()
        && remote.trace_id().to_bytes() == ctx.trace_id().to_bytes()
        && remote.span_id().to_bytes() == believed_parent.to_bytes();
    if !agrees {
        tracing::debug!(
            "the propagator read another trace context than BaseContext; starting a new trace"
        );
        return None;
    }
    // A `tracestate` BaseContext dropped (too long, too many members) is
    // not propagated either.
    if ctx.tracestate().is_none() && !remote.trace_state().header().is_empty() {
        let bare = SpanContext::new(
            remote.trace_id(),
            remote.span_id(),
            remote.trace_flags(),
            true,
            TraceState::default(),
        );
        return Some(cx.with_remote_span_context(bare));
    }
    Some(cx)
}

/// The `traceparent` for an outgoing call made inside `span`: the span's own
/// OpenTelemetry context, injected with the SDK's propagator, so it names a
/// span the back-end receives. `None` when the span has no valid
/// OpenTelemetry context (no `tracing-opentelemetry` layer, or the span is
/// disabled).
pub fn outgoing_traceparent(span: &Span) -> Option<String> {
    let mut headers = HeaderMap::new();
    inject_trace_headers(span, &mut headers);
    let value = headers.get("traceparent")?.to_str().ok()?;
    Some(value.to_owned())
}

/// Sets `traceparent` (and `tracestate`, when the trace has one) on an
/// outgoing request's headers from `span`'s OpenTelemetry context. Nothing
/// is set when the span has no valid context.
pub fn inject_trace_headers(span: &Span, headers: &mut HeaderMap) {
    let cx = span.context();
    TraceContextPropagator::new().inject_context(&cx, &mut HeaderInjector(headers));
}

/// Reads an [`http::HeaderMap`] for an OpenTelemetry propagator. A header
/// that is not visible ASCII reads as absent.
#[derive(Debug, Clone, Copy)]
pub struct HeaderExtractor<'a>(pub &'a HeaderMap);

impl Extractor for HeaderExtractor<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key)?.to_str().ok()
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }

    fn get_all(&self, key: &str) -> Option<Vec<&str>> {
        let values: Vec<&str> = self
            .0
            .get_all(key)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        (!values.is_empty()).then_some(values)
    }
}

/// Writes an OpenTelemetry propagator's fields into an [`http::HeaderMap`],
/// replacing any earlier value. An empty value (the SDK's propagator writes
/// an empty `tracestate` for a trace without one) and a key or value that is
/// not a valid header are skipped.
#[derive(Debug)]
pub struct HeaderInjector<'a>(pub &'a mut HeaderMap);

impl Injector for HeaderInjector<'_> {
    fn set(&mut self, key: &str, value: String) {
        if value.is_empty() {
            return;
        }
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(key.as_bytes()),
            HeaderValue::try_from(value),
        ) else {
            return;
        };
        self.0.insert(name, value);
    }
}
