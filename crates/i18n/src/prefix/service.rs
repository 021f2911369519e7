//! [`LocalePrefixService`]: strips the locale prefix, or redirects to one.

use std::sync::Arc;
use std::task::{Context, Poll};

use http::uri::PathAndQuery;
use http::{HeaderValue, Request, Response, Uri};
use tower_service::Service;

use super::layer::PrefixConfig;
use super::{Alternates, LocalePrefixLayer, ResponseFuture, redirect};
use crate::layer::Generation;
use crate::negotiate::sources::{cookie_value, first_segment};

/// Middleware that routes `/fr/about` as `/about` in French; see
/// [`LocalePrefixLayer`].
#[derive(Debug, Clone)]
pub struct LocalePrefixService<S> {
    inner: S,
    config: Arc<PrefixConfig>,
}

/// A first path segment that is a catalog locale.
#[derive(Debug, Clone, Copy)]
pub(super) struct Prefix {
    /// The locale's index in the request's catalog generation.
    pub(super) locale: usize,
    /// The segment's length in bytes (after the leading `/`).
    pub(super) len: usize,
}

impl Prefix {
    /// The prefix of `path`, when its first segment is a catalog tag
    /// (compared case-insensitively).
    pub(super) fn of(generation: &Generation, path: &str) -> Option<Self> {
        let (segment, _) = first_segment(path)?;
        let locale = generation.catalog.find_tag(segment)?;
        Some(Self {
            locale,
            len: segment.len(),
        })
    }

    /// What follows the segment: `/about` for `/fr/about`, empty for `/fr`.
    pub(super) fn rest(self, path: &str) -> &str {
        &path[1 + self.len..]
    }

    /// The path the router sees: the [`rest`](Self::rest), or `/` for the
    /// bare prefix (`/fr`).
    pub(super) fn routed(self, path: &str) -> &str {
        match self.rest(path) {
            "" => "/",
            rest => rest,
        }
    }
}

impl<S> LocalePrefixService<S> {
    /// Wraps `inner` with the configuration of `layer`, as
    /// `layer.layer(inner)` does (the configuration is shared, not copied).
    pub fn new(inner: S, layer: &LocalePrefixLayer) -> Self {
        Self {
            inner,
            config: Arc::clone(&layer.config),
        }
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

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for LocalePrefixService<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>>,
    // A redirect's body is empty: `ResBody::default()`, as tower-http's
    // `Redirect` answers, so the response type stays the router's own and
    // the wrapped router serves (and composes) exactly as the router did.
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future, ResBody>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<ReqBody>) -> Self::Future {
        // Loaded once, so the prefix, the redirect and the inner
        // `I18nLayer` agree on one catalog whatever reload happens.
        let generation = self.config.i18n.generation.load_full();
        let prefix = Prefix::of(&generation, req.uri().path());
        if self.config.redirect {
            if let Some(response) = redirect::response(&self.config, &generation, &req, prefix) {
                return ResponseFuture::redirect(response);
            }
        }
        let set_cookie =
            prefix.and_then(|prefix| remember(&generation, &req, &self.config, prefix));
        if let Some(prefix) = prefix {
            strip(&mut req, prefix);
        }
        // Set, don't clobber: an outer prefix layer's answer stays (and this
        // one's is not built).
        if req.extensions().get::<Alternates>().is_none() {
            let alternates = Alternates::new(
                generation,
                prefix.map(|p| p.locale),
                req.uri().clone(),
                Arc::clone(&self.config),
            );
            req.extensions_mut().insert(alternates);
        }
        ResponseFuture::inner(self.inner.call(req), set_cookie)
    }
}

/// The `Set-Cookie` that remembers the prefix's locale, as `?lang=` is
/// remembered: only with the cookie source on, and only when the request's
/// cookie names another locale (so most responses carry none).
fn remember<B>(
    generation: &Generation,
    req: &Request<B>,
    config: &PrefixConfig,
    prefix: Prefix,
) -> Option<HeaderValue> {
    let cookie = generation.set_cookie[prefix.locale].as_ref()?;
    let name = config.i18n.settings.cookie_name.as_str();
    let same = cookie_value(req.headers(), name)
        .is_some_and(|value| generation.catalog.lookup_index(value) == Some(prefix.locale));
    (!same).then(|| cookie.clone())
}

/// Removes the prefix from the request's URI (`/fr/about?x` -> `/about?x`,
/// `/fr` -> `/`). One new path-and-query; a URI that cannot be rebuilt
/// (never for one that parsed) stays as it is.
pub(super) fn strip<B>(req: &mut Request<B>, prefix: Prefix) {
    let uri = req.uri();
    let rest = prefix.routed(uri.path());
    let query = uri.query();
    let mut path_and_query = String::with_capacity(rest.len() + query.map_or(0, |q| q.len() + 1));
    path_and_query.push_str(rest);
    if let Some(query) = query {
        path_and_query.push('?');
        path_and_query.push_str(query);
    }
    let mut parts = uri.clone().into_parts();
    let stripped = PathAndQuery::try_from(path_and_query).ok().and_then(|pq| {
        parts.path_and_query = Some(pq);
        Uri::from_parts(parts).ok()
    });
    match stripped {
        Some(uri) => *req.uri_mut() = uri,
        None => tracing::debug!(
            path_len = req.uri().path().len(),
            "could not strip the locale prefix"
        ),
    }
}
