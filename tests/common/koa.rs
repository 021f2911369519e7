//! The koa mistake, in Rust: a per-request context holding a closure that
//! captures the context itself. The negative control of the leak proofs.

use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::body::Body;
use crocodile::client_ip::ClientIp;
use http::{Extensions, Request};
use tower::util::MapRequestLayer;

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
pub type KoaStyleLayer = MapRequestLayer<fn(Request<Body>) -> Request<Body>>;

/// The layer that makes koa's mistake on every request it sees.
pub fn koa_style_layer() -> KoaStyleLayer {
    MapRequestLayer::new(koa_style)
}

/// koa's `ctx.getRealIp = () => ctx.ip`, in Rust.
fn koa_style(mut req: Request<Body>) -> Request<Body> {
    let ctx = Arc::new(KoaContext {
        state: req.extensions().clone(),
        get_real_ip: Mutex::new(None),
    });
    let captured = Arc::clone(&ctx);
    *ctx.get_real_ip.lock().unwrap() = Some(Box::new(move || {
        ClientIp::from_extensions(&captured.state).map(|ip| ip.0)
    }));
    req.extensions_mut().insert(KoaCtx(ctx));
    req
}
