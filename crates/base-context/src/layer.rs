//! [`BaseContextLayer`]: the configuration, built once and shared.

use std::sync::Arc;

use crocodile_forwarded::{OnceWarnings, ProxyTrust, Scheme};
use http::header::HeaderName;
use tower_layer::Layer;

use crate::allowed_hosts::AllowedHosts;
use crate::base_path::BasePath;
use crate::request_id::RequestIdSource;
use crate::service::BaseContextService;

/// The default request id header, `x-request-id`.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Computes a [`BaseContext`](crate::BaseContext) for every request, answers
/// 400 to requests for hosts that are invalid or not allowed, and echoes the
/// request id on the response.
///
/// Built once at start-up; the configuration sits behind an `Arc`, so
/// cloning the layer (axum clones it per route) costs one count.
///
/// What it trusts is the [`ProxyTrust`] it is given: the scheme, host, port
/// and prefix of the request's [`Hop`](crocodile_forwarded::Hop), read from
/// the one header family the model names and only from a trusted peer; an
/// incoming request id, `traceparent` and `tracestate` only from such a
/// peer. Nothing else. Hand the same
/// `ProxyTrust` to `ClientIpLayer` and the two agree on every request,
/// walking the headers once.
#[derive(Debug, Clone)]
#[must_use]
pub struct BaseContextLayer {
    config: Arc<Config>,
}

#[derive(Debug, Clone)]
pub(crate) struct Config {
    pub(crate) trust: ProxyTrust,
    pub(crate) warnings: Arc<OnceWarnings>,
    pub(crate) allowed_hosts: AllowedHosts,
    pub(crate) request_id_header: HeaderName,
    pub(crate) base_path: BasePath,
    pub(crate) default_scheme: Scheme,
    pub(crate) request_id_source: RequestIdSource,
    pub(crate) sample_new_traces: bool,
}

impl BaseContextLayer {
    /// A layer that believes what `trust` says (use
    /// [`ProxyTrust::default()`] when nothing sits in front) and answers for
    /// `allowed_hosts`.
    ///
    /// Defaults: `x-request-id`, no base path, `http` when neither the URI
    /// nor a trusted proxy names the scheme, ULID request ids, new traces
    /// sampled.
    pub fn new(trust: ProxyTrust, allowed_hosts: AllowedHosts) -> Self {
        Self {
            config: Arc::new(Config {
                trust,
                warnings: Arc::new(OnceWarnings::new()),
                allowed_hosts,
                request_id_header: X_REQUEST_ID,
                base_path: BasePath::root(),
                default_scheme: Scheme::Http,
                request_id_source: RequestIdSource::Ulid,
                sample_new_traces: true,
            }),
        }
    }

    /// The request id header to read from trusted proxies and to echo
    /// (`x-request-id` by default).
    pub fn request_id_header(mut self, name: HeaderName) -> Self {
        Arc::make_mut(&mut self.config).request_id_header = name;
        self
    }

    /// The path the application is mounted under, for
    /// [`home_url`](crate::BaseContext::home_url). A trusted
    /// `X-Forwarded-Prefix`
    /// replaces it when [`XForwardedHeaders`](crocodile_forwarded::XForwardedHeaders)
    /// enables it.
    pub fn base_path(mut self, path: BasePath) -> Self {
        Arc::make_mut(&mut self.config).base_path = path;
        self
    }

    /// The scheme of the listener, used when neither the request URI nor a
    /// trusted proxy names one: `https` when this server terminates TLS
    /// itself. `http` by default.
    pub fn default_scheme(mut self, scheme: Scheme) -> Self {
        Arc::make_mut(&mut self.config).default_scheme = scheme;
        self
    }

    /// Where the request id comes from: [`RequestIdSource::Ulid`] (a
    /// trusted proxy's `x-request-id`, else a new ULID; the default) or
    /// [`RequestIdSource::TraceId`] (always the trace id; a trusted
    /// `x-request-id` is kept as
    /// [`upstream_request_id`](crate::BaseContext::upstream_request_id)).
    /// The response echoes the request id either way.
    pub fn request_id_source(mut self, source: RequestIdSource) -> Self {
        Arc::make_mut(&mut self.config).request_id_source = source;
        self
    }

    /// Whether a trace started here (no trusted, valid `traceparent`) is
    /// flagged sampled in [`BaseContext::traceparent`](crate::BaseContext::traceparent)
    /// and [`sampled`](crate::BaseContext::sampled): `true` by default. A
    /// trusted caller's trace keeps the caller's flag.
    pub fn sample_new_traces(mut self, sampled: bool) -> Self {
        Arc::make_mut(&mut self.config).sample_new_traces = sampled;
        self
    }

    /// The trust model.
    pub fn trust(&self) -> &ProxyTrust {
        &self.config.trust
    }

    /// The allowed hosts.
    pub fn allowed_hosts(&self) -> &AllowedHosts {
        &self.config.allowed_hosts
    }

    pub(crate) fn config(&self) -> &Arc<Config> {
        &self.config
    }
}

impl<S> Layer<S> for BaseContextLayer {
    type Service = BaseContextService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BaseContextService::new(inner, self)
    }
}
