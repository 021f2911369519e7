#![cfg_attr(feature = "axum", doc = include_str!("../README.md"))]
#![cfg_attr(
    not(feature = "axum"),
    doc = "Request id, trusted scheme and host, home URL: see the README (its examples use the `axum` feature)."
)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod allowed_hosts;
mod base_path;
mod body;
mod context;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod header_bytes;
mod layer;
mod origin;
#[cfg(test)]
mod properties;
mod request_id;
mod rfc3339;
mod service;
#[cfg(feature = "tower-http")]
mod span;
mod trace_context;

pub use allowed_hosts::{AllowedHosts, AllowedHostsError};
pub use base_path::{BasePath, BasePathError};
pub use body::ResponseBody;
pub use context::BaseContext;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use extract::MissingBaseContext;
pub use future::ResponseFuture;
pub use layer::{BaseContextLayer, X_REQUEST_ID};
pub use request_id::{MAX_REQUEST_ID_LEN, ParseRequestIdSourceError, RequestId, RequestIdSource};
pub use rfc3339::Rfc3339;
pub use service::BaseContextService;
#[cfg(feature = "tower-http")]
#[cfg_attr(docsrs, doc(cfg(feature = "tower-http")))]
pub use span::BaseContextSpan;
pub use trace_context::{
    FixedStr, InvalidTraceparent, MAX_TRACESTATE_LEN, MAX_TRACESTATE_MEMBERS, SpanId, TRACEPARENT,
    TRACESTATE, TraceContext, TraceId, Traceparent,
};

/// Re-exported from `crocodile-forwarded`: the trust model and the types a
/// configuration names.
pub use crocodile_forwarded::{
    ClientIpStrategy, ForwardedGrammar, Hop, PeerAddr, ProxyHeaders, ProxyTrust, Scheme,
    TrustedProxies, XForwardedHeaders,
};
