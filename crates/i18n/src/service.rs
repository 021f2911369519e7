//! [`I18nService`]: the service that negotiates each request's locale.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::header::ACCEPT_LANGUAGE;
use http::{HeaderMap, HeaderValue, Request, Response};
use tower_service::Service;

use crate::future::{ResponseFuture, ResponseHeaders};
use crate::layer::{Config, Generation};
use crate::negotiate::sources::{Lines, Scanned, cookie_value, first_segment, query_value};
use crate::{I18nLayer, LocaleSource, Localizer};

/// Middleware that inserts a [`Localizer`]; see [`I18nLayer`].
#[derive(Debug, Clone)]
pub struct I18nService<S> {
    inner: S,
    config: Arc<Config>,
}

/// The outcome of negotiation for one request.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Decision {
    pub(crate) locale: usize,
    pub(crate) source: LocaleSource,
    pub(crate) vary_accept_language: bool,
    pub(crate) vary_cookie: bool,
}

impl<S> I18nService<S> {
    /// Wraps `inner` with the configuration of `layer`, as
    /// `layer.layer(inner)` does (the configuration is shared, not copied).
    pub fn new(inner: S, layer: &I18nLayer) -> Self {
        Self {
            inner,
            config: Arc::clone(layer.config()),
        }
    }

    #[cfg(test)]
    pub(crate) fn config(&self) -> &Arc<Config> {
        &self.config
    }

    /// The inner service.
    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// The inner service, mutably.
    pub fn get_mut(&mut self) -> &mut S {
        &mut self.inner
    }

    /// The inner service, consuming `self`.
    pub fn into_inner(self) -> S {
        self.inner
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for I18nService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        // Loaded once: negotiation (its cache's locale indices), the
        // Localizer and the response headers all use this one generation,
        // whatever reload happens while the request runs. Borrowed, not
        // cloned (arc-swap's guard takes a slot of this thread's own, where
        // an `Arc` clone and its drop would write the count every core
        // shares); the response future keeps only the headers it will set.
        let generation = self.config.generation.load();
        let decision = self.config.decide(&generation, &req);
        // An inner I18nLayer (a sub-application with its own catalog) replaces
        // an outer one's Localizer: the innermost layer knows the route.
        req.extensions_mut().insert(Localizer::from_parts(
            Arc::clone(&generation.catalog),
            decision.locale,
            decision.source,
        ));
        let headers = ResponseHeaders::new(&generation, decision);
        drop(generation);
        ResponseFuture::new(self.inner.call(req), headers)
    }
}

impl Config {
    pub(crate) fn decide<B>(&self, generation: &Generation, req: &Request<B>) -> Decision {
        // A `LocalePrefixLayer` outside found the locale in the URL: the
        // request's explicit choice, before every source.
        if let Some(locale) = crate::prefix::prefix_locale(generation, req) {
            return Decision {
                locale,
                source: LocaleSource::Path,
                vary_accept_language: false,
                vary_cookie: false,
            };
        }
        let mut decision = Decision {
            locale: 0,
            source: LocaleSource::Default,
            vary_accept_language: false,
            vary_cookie: false,
        };
        let scanned = Scanned::scan(req.headers());
        for &source in &self.settings.sources {
            let found = match source {
                LocaleSource::Query => req
                    .uri()
                    .query()
                    .and_then(|query| query_value(query, &self.settings.query_param))
                    .and_then(|value| lookup(generation, source, value)),
                LocaleSource::Cookie => {
                    decision.vary_cookie = true;
                    scanned
                        .cookie
                        .then(|| cookie_value(req.headers(), self.settings.cookie_name.as_str()))
                        .flatten()
                        .and_then(|value| lookup(generation, source, value))
                }
                LocaleSource::Path => self.path_locale(generation, req),
                LocaleSource::AcceptLanguage => {
                    decision.vary_accept_language = true;
                    accept_language(generation, req.headers(), scanned.accept_language)
                }
                LocaleSource::Default => None,
            };
            if let Some(locale) = found {
                decision.locale = locale;
                decision.source = source;
                break;
            }
        }
        decision
    }

    /// The catalog locale named by the path's first segment (the segment
    /// stays: `LocalePrefixLayer` is what routes without it).
    fn path_locale<B>(&self, generation: &Generation, req: &Request<B>) -> Option<usize> {
        let (segment, _) = first_segment(req.uri().path())?;
        generation.catalog.find_tag(segment)
    }
}

/// Negotiates `Accept-Language`, through the cache when the request has
/// exactly one such header (every browser's case); several lines are
/// rare and negotiated uncached, so a cache key is always one value.
fn accept_language(
    generation: &Generation,
    headers: &HeaderMap,
    lines: Lines<'_>,
) -> Option<usize> {
    match lines {
        Lines::None => None,
        Lines::One(value) => {
            let bytes = value.as_bytes();
            generation
                .cache
                .get_or_negotiate(bytes, || generation.catalog.negotiate_header([bytes]))
        }
        Lines::Several => generation.catalog.negotiate_header(
            headers
                .get_all(ACCEPT_LANGUAGE)
                .iter()
                .map(HeaderValue::as_bytes),
        ),
    }
}

fn lookup(generation: &Generation, source: LocaleSource, value: &str) -> Option<usize> {
    let found = generation.catalog.lookup_index(value);
    if found.is_none() {
        tracing::debug!(
            %source,
            value = value.get(..64).unwrap_or(value),
            "requested locale not in the catalog; ignored"
        );
    }
    found
}
