//! [`BaseContextService`]: computes the context of each request.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::SystemTime;

use http::{HeaderMap, HeaderName, HeaderValue, Request, Response};
use tower_service::Service;

use crate::body::ResponseBody;
use crate::context::{BaseContext, Parts};
use crate::future::ResponseFuture;
use crate::layer::{BaseContextLayer, Config};
use crate::origin;
use crate::request_id::{RequestId, RequestIdSource};
use crate::trace_context::{
    TRACEPARENT, TRACESTATE, TraceContext, incoming_traceparent, incoming_tracestate,
};

/// The service [`BaseContextLayer`](crate::BaseContextLayer) wraps around
/// yours.
///
/// (The issue that specified this crate calls both this service and the
/// extension `BaseContext`; the extension is what handlers name, so it keeps
/// the short name.)
///
/// Per request: takes the request's hop from the trust model (reusing the
/// one `ClientIpLayer` computed with the same model), decides the trace
/// context and the request id, resolves the scheme, host, port and base path, and either inserts a
/// [`BaseContext`] and calls the inner service, or answers 400 with a short
/// plain-text reason without calling it. Responses carry a
/// [`ResponseBody`]: the inner body, or that reason; it composes with any
/// body type and any layer.
///
/// If a `BaseContext` is already in the extensions (the layer was applied
/// twice), the request passes through untouched.
#[derive(Debug, Clone)]
pub struct BaseContextService<S> {
    inner: S,
    config: Arc<Config>,
}

impl<S> BaseContextService<S> {
    /// Wraps `inner` with `layer`'s configuration, as
    /// [`layer.layer(inner)`](tower_layer::Layer::layer) does (the
    /// configuration is shared, not copied).
    pub fn new(inner: S, layer: &BaseContextLayer) -> Self {
        Self {
            inner,
            config: Arc::clone(layer.config()),
        }
    }

    /// The wrapped service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The wrapped service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// Unwraps the inner service.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for BaseContextService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        if req.extensions().get::<BaseContext>().is_some() {
            return ResponseFuture::inner(self.inner.call(req), None);
        }
        let config = &*self.config;
        let received_at = SystemTime::now();
        let hop = config.trust.hop(&mut req);
        config
            .warnings
            .check("BaseContextLayer", &config.trust, &hop);
        let trusted = hop.is_proxied();
        let present = Present::scan(req.headers(), &config.request_id_header);
        let (trace, tracestate) =
            trace_context(req.headers(), present, trusted, config.sample_new_traces);
        // An incoming id is read only from a trusted peer that sent one.
        let incoming = trusted && present.request_id;
        let (request_id, upstream_request_id) = match config.request_id_source {
            RequestIdSource::Ulid => (request_id(&req, config, incoming, received_at), None),
            RequestIdSource::TraceId => (
                RequestId::from_trace(trace.trace_id_hex(), trace.parent_span_id().is_none()),
                incoming
                    .then(|| incoming_request_id(&req, config))
                    .flatten(),
            ),
        };
        let echo = Some((config.request_id_header.clone(), request_id.clone()));
        match origin::resolve(config, req.uri(), req.headers(), &hop) {
            Ok(origin) => {
                let context = BaseContext::new(Parts {
                    request_id,
                    origin,
                    peer: hop.peer(),
                    client_ip: hop.client(),
                    received_at,
                    trace,
                    tracestate,
                    upstream_request_id,
                });
                req.extensions_mut().insert(context);
                ResponseFuture::inner(self.inner.call(req), echo)
            }
            Err(rejection) => {
                tracing::debug!(
                    request_id = %request_id,
                    reason = rejection.reason(),
                    "refused the request's host"
                );
                ResponseFuture::rejected(rejection.reason(), echo)
            }
        }
    }
}

/// Which of the headers this layer reads by name the request has, found by
/// comparing the few names a request carries: a `HeaderMap` lookup hashes a
/// custom name (`x-request-id`, `traceparent`) even when it is absent, about
/// 150 instructions apiece (as `crocodile-forwarded` does for the
/// `X-Forwarded-*` headers).
#[derive(Debug, Clone, Copy)]
struct Present {
    request_id: bool,
    traceparent: bool,
    tracestate: bool,
}

impl Present {
    /// Above this many distinct names, lookups are cheaper than comparing
    /// every name, so the scan reports all present.
    const MAX_SCANNED: usize = 32;

    fn scan(headers: &HeaderMap, request_id_header: &HeaderName) -> Self {
        if headers.keys_len() > Self::MAX_SCANNED {
            return Self {
                request_id: true,
                traceparent: true,
                tracestate: true,
            };
        }
        let mut present = Self {
            request_id: false,
            traceparent: false,
            tracestate: false,
        };
        for name in headers.keys() {
            if name == TRACEPARENT {
                present.traceparent = true;
            } else if name == TRACESTATE {
                present.tracestate = true;
            } else if name == request_id_header {
                present.request_id = true;
            }
        }
        present
    }
}

/// tower-http's `RequestId` extension when `SetRequestIdLayer` ran first;
/// else the incoming header from a trusted peer; else a new id.
fn request_id<B>(
    req: &Request<B>,
    config: &Config,
    sent_by_trusted_peer: bool,
    received_at: SystemTime,
) -> RequestId {
    #[cfg(feature = "tower-http")]
    if let Some(id) = req.extensions().get::<tower_http::request_id::RequestId>() {
        match RequestId::from_header(id.header_value()) {
            Some(id) => return id,
            None => tracing::debug!("tower-http's request id is not a valid id; making one"),
        }
    }
    sent_by_trusted_peer
        .then(|| incoming_request_id(req, config))
        .flatten()
        .unwrap_or_else(|| RequestId::generate_at(received_at))
}

/// A trusted peer's one valid request id header.
fn incoming_request_id<B>(req: &Request<B>, config: &Config) -> Option<RequestId> {
    let mut lines = req.headers().get_all(&config.request_id_header).iter();
    match (lines.next(), lines.next()) {
        (Some(line), None) => {
            let id = RequestId::from_header(line);
            if id.is_none() {
                tracing::debug!("invalid incoming request id; not used");
            }
            id
        }
        (Some(_), Some(_)) => {
            tracing::debug!("several incoming request ids; not used");
            None
        }
        (None, _) => None,
    }
}

/// The caller's trace when the peer is trusted and its `traceparent` valid
/// (with its `tracestate`, when within bounds); otherwise a new trace.
fn trace_context(
    headers: &HeaderMap,
    present: Present,
    trusted: bool,
    sample_new_traces: bool,
) -> (TraceContext, Option<HeaderValue>) {
    if !present.traceparent {
        return (TraceContext::new_root(sample_new_traces), None);
    }
    if !trusted {
        tracing::debug!(
            reason = "untrusted-peer",
            "traceparent not believed; starting a new trace"
        );
        return (TraceContext::new_root(sample_new_traces), None);
    }
    match incoming_traceparent(headers) {
        Ok(Some(parent)) => {
            let incoming = if present.tracestate {
                incoming_tracestate(headers)
            } else {
                Ok(None)
            };
            let tracestate = match incoming {
                Ok(state) => state,
                Err(why) => {
                    tracing::debug!(reason = why.code(), "tracestate dropped");
                    None
                }
            };
            (TraceContext::child_of(&parent), tracestate)
        }
        Ok(None) => (TraceContext::new_root(sample_new_traces), None),
        Err(why) => {
            tracing::debug!(
                reason = why.code(),
                "invalid traceparent ignored; starting a new trace"
            );
            (TraceContext::new_root(sample_new_traces), None)
        }
    }
}
