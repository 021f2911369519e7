//! [`BaseContextSpan`]: a `MakeSpan` for tower-http's `TraceLayer` that
//! records the request's ids.
//!
//! # Example
//!
//! ```
//! use tower::ServiceBuilder;
//! use tower_http::trace::TraceLayer;
//! use crocodile_base_context::{BaseContextLayer, BaseContextSpan, ProxyTrust};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // `BaseContextLayer` first (outer), so the span finds the context.
//! let stack = ServiceBuilder::new()
//!     .layer(BaseContextLayer::new(ProxyTrust::default(), "example.com".parse()?))
//!     .layer(TraceLayer::new_for_http().make_span_with(BaseContextSpan::new()));
//! # let _ = stack;
//! # Ok(())
//! # }
//! ```

use http::Request;
use tower_http::trace::MakeSpan;

use crate::context::BaseContext;

/// Makes each request's span for tower-http's `TraceLayer`:
/// `info_span!("request", method, uri, request_id, trace_id, span_id,
/// client_ip)`, read from the [`BaseContext`] extension (each id `-` when
/// there is none: `TraceLayer` runs outside `BaseContextLayer`, or the
/// client address is unknown).
///
/// The span is a `tracing` span only: this crate starts no OpenTelemetry
/// span of its own. `span_id` is the one this request's outgoing
/// [`traceparent`](BaseContext::traceparent) names.
#[derive(Debug, Clone, Copy, Default)]
#[must_use]
pub struct BaseContextSpan {
    _private: (),
}

impl BaseContextSpan {
    /// The span maker.
    pub fn new() -> Self {
        Self::default()
    }
}

impl<B> MakeSpan<B> for BaseContextSpan {
    fn make_span(&mut self, req: &Request<B>) -> tracing::Span {
        let ctx = req.extensions().get::<BaseContext>();
        match ctx {
            Some(ctx) => tracing::info_span!(
                "request",
                method = %req.method(),
                uri = %req.uri(),
                request_id = %ctx.request_id(),
                trace_id = %ctx.trace_id(),
                span_id = %ctx.span_id(),
                client_ip = %DisplayOr(ctx.client_ip()),
            ),
            None => tracing::info_span!(
                "request",
                method = %req.method(),
                uri = %req.uri(),
                request_id = "-",
                trace_id = "-",
                span_id = "-",
                client_ip = "-",
            ),
        }
    }
}

/// Displays the value, or `-`.
struct DisplayOr<T>(Option<T>);

impl<T: std::fmt::Display> std::fmt::Display for DisplayOr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(value) => value.fmt(f),
            None => f.write_str("-"),
        }
    }
}
