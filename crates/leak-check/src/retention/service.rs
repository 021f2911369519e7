//! [`RetentionGuardService`]: gives each request a token.

use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};

use http::{Request, Response};
use tower_service::Service;

use super::body::ResponseBody;
use super::counters::RouteCounters;
use super::future::ResponseFuture;
use super::layer::RetentionGuardLayer;
use super::shared::{NO_ROUTE, Shared};
use super::token::RetentionToken;

/// The service of [`RetentionGuardLayer`].
#[derive(Debug, Clone)]
pub struct RetentionGuardService<S> {
    inner: S,
    shared: Arc<Shared>,
    /// The route this service was first called for, and its counters: axum
    /// builds one service per route, so after the first request the lookup
    /// is a string comparison, not a lock. Keyed by the name looked up, not
    /// the counters' own: past the 256th route that is `(other routes)`.
    route: Arc<OnceLock<(Box<str>, Arc<RouteCounters>)>>,
}

impl<S> RetentionGuardService<S> {
    /// Wraps `inner` with `layer`'s guard.
    pub fn new(inner: S, layer: &RetentionGuardLayer) -> Self {
        Self {
            inner,
            shared: Arc::clone(layer.shared()),
            route: Arc::new(OnceLock::new()),
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

    /// The inner service, unwrapped.
    pub fn into_inner(self) -> S {
        self.inner
    }

    fn counters(&self, route: &str) -> Arc<RouteCounters> {
        if let Some((name, counters)) = self.route.get() {
            if **name == *route {
                return Arc::clone(counters);
            }
        }
        let counters = self.shared.route(route);
        // The first route seen stays cached; a guard outside a router sees
        // one name (no `MatchedPath` yet) and never misses.
        let _ = self.route.set((route.into(), Arc::clone(&counters)));
        counters
    }
}

/// axum's `MatchedPath`, present when the guard sits inside `Router::layer`.
#[cfg(feature = "axum")]
fn route_of<B>(req: &Request<B>) -> &str {
    req.extensions()
        .get::<axum::extract::MatchedPath>()
        .map_or(NO_ROUTE, axum::extract::MatchedPath::as_str)
}

#[cfg(not(feature = "axum"))]
fn route_of<B>(_: &Request<B>) -> &str {
    NO_ROUTE
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for RetentionGuardService<S>
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
        // Set, don't clobber: an outer guard's token is kept, and counts.
        if req.extensions().get::<RetentionToken>().is_some() {
            return ResponseFuture::new(self.inner.call(req), None);
        }
        let counters = self.counters(route_of(&req));
        let (token, finisher) = RetentionToken::new(counters);
        req.extensions_mut().insert(token);
        ResponseFuture::new(self.inner.call(req), Some(finisher))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::retention::shared::{MAX_ROUTES, OTHER_ROUTES};

    #[test]
    fn a_route_past_the_limit_is_cached_under_its_own_name() {
        let layer = RetentionGuardLayer::new();
        for i in 0..MAX_ROUTES {
            layer.shared().route(&format!("/r{i}"));
        }
        let service = RetentionGuardService::new((), &layer);
        let first = service.counters("/late");
        assert_eq!(first.route(), OTHER_ROUTES);
        // The next request of this route is a comparison with `/late`, not
        // the shared list's lock and scan.
        let (name, cached) = service.route.get().expect("the first route is cached");
        assert_eq!(&**name, "/late");
        assert!(Arc::ptr_eq(cached, &first));
        assert!(Arc::ptr_eq(&service.counters("/late"), &first));
    }
}
