//! The koa mistake, in Rust: a per-request context holding a closure that
//! captures the context itself. The negative control of the leak proofs.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use crocodile::client_ip::ClientIp;
use http::{Extensions, Request};
use tower::{Layer, Service};

/// What koa's `ctx` was: the request's data, plus helpers added as closures
/// that capture `ctx` (`ctx.getRealIp = () => ctx.ip`).
pub struct KoaContext {
    /// A copy of the request's extensions when the context was made (koa's
    /// `ctx.request`): the other layers' values, `Localizer`'s `Arc<Catalog>`
    /// among them.
    pub state: Extensions,
    /// `ctx.getRealIp`: captures the context that holds it. The cycle.
    pub get_real_ip: Mutex<Option<Box<dyn Fn() -> Option<IpAddr> + Send + Sync>>>,
}

impl std::fmt::Debug for KoaContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KoaContext").finish_non_exhaustive()
    }
}

/// The extension the koa-style layer inserts.
#[derive(Debug, Clone)]
pub struct KoaCtx(pub Arc<KoaContext>);

/// Inserts a [`KoaCtx`] whose closure captures it: never freed.
#[derive(Debug, Clone, Copy, Default)]
pub struct KoaStyleLayer;

impl<S> Layer<S> for KoaStyleLayer {
    type Service = KoaStyle<S>;

    fn layer(&self, inner: S) -> Self::Service {
        KoaStyle { inner }
    }
}

/// The service of [`KoaStyleLayer`].
#[derive(Debug, Clone)]
pub struct KoaStyle<S> {
    inner: S,
}

impl<S, B> Service<Request<B>> for KoaStyle<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request<B>) -> Self::Future {
        let ctx = Arc::new(KoaContext {
            state: req.extensions().clone(),
            get_real_ip: Mutex::new(None),
        });
        let captured = Arc::clone(&ctx);
        *ctx.get_real_ip.lock().unwrap() = Some(Box::new(move || {
            captured.state.get::<ClientIp>().map(|ip| ip.0)
        }));
        req.extensions_mut().insert(KoaCtx(ctx));
        self.inner.call(req)
    }
}
