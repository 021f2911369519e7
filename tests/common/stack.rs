//! The full stack for the leak proofs: the example's layers, in the example's
//! order, in front of a `/probe` handler that uses every extractor and formats
//! Fluent messages with arguments; plus every request shape the proofs send.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::routing::get;
use crocodile::base_context::{BaseContext, BaseContextLayer};
use crocodile::client_ip::{ClientIp, ClientIpLayer, Hop};
use crocodile::i18n::{FluentArgs, I18nLayer, Localizer};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;
use tower_http::trace::TraceLayer;

use super::config::Config;

/// `/probe` behind `ClientIpLayer -> BaseContextLayer -> TraceLayer ->
/// I18nLayer`, built through the crates' public APIs exactly as
/// `examples/full-stack/app.rs` builds its router; `extra` is an innermost
/// layer (the koa-style control) or `identity`.
pub fn probe_app<L>(config: &Config, extra: L) -> Router
where
    L: tower::Layer<axum::routing::Route> + Clone + Send + Sync + 'static,
    L::Service: tower::Service<Request<Body>, Error = std::convert::Infallible>
        + Clone
        + Send
        + Sync
        + 'static,
    <L::Service as tower::Service<Request<Body>>>::Response: axum::response::IntoResponse + 'static,
    <L::Service as tower::Service<Request<Body>>>::Future: Send + 'static,
{
    let base_context = BaseContextLayer::new(config.trust.clone(), config.allowed_hosts.clone());
    Router::new()
        .route("/probe", get(probe))
        .layer(extra)
        .layer(I18nLayer::new(Arc::clone(&config.catalog)))
        .layer(TraceLayer::new_for_http())
        .layer(base_context)
        .layer(ClientIpLayer::new(config.trust.clone()))
}

/// Every extractor the crates offer, and Fluent messages with arguments
/// (a placeable and a plural).
async fn probe(
    client_ip: ClientIp,
    axum::Extension(hop): axum::Extension<Hop>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: BaseContext,
    l10n: Localizer,
) -> String {
    let mut args = FluentArgs::new();
    args.set("ip", client_ip.to_string());
    args.set("count", peer.port() % 3);
    args.set("source", l10n.source().as_str());
    format!(
        "{}\n{}\n{}\n{}\n{} {} {}\n{:?} {:?}\n",
        l10n.format("greeting", &args),
        l10n.format("visits", &args),
        l10n.text("page-title"),
        ctx.home_url(),
        ctx.request_id().as_str(),
        ctx.received_at_rfc3339(),
        l10n.tag(),
        hop.source(),
        hop.fallback(),
    )
}

/// One kind of request: who sends it and what it carries.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The socket peer.
    pub peer: &'static str,
    /// Appended to the path: a query, or nothing.
    pub query: &'static str,
    /// The `Host` header.
    pub host: &'static str,
    /// Other headers.
    pub headers: &'static [(&'static str, &'static str)],
    /// The status every route answers for it.
    pub status: u16,
}

/// Every request shape the proofs send, with the default configuration
/// (loopback trusted, `x-forwarded` family, hosts `localhost`, `127.0.0.1`,
/// `[::1]`).
pub const SHAPES: &[Shape] = &[
    // An untrusted client: every header ignored.
    Shape {
        peer: "203.0.113.9:5000",
        query: "",
        host: "localhost:3000",
        headers: &[("x-forwarded-for", "6.6.6.6")],
        status: 200,
    },
    // A trusted proxy with a chain, scheme, host, request id, Accept-Language.
    Shape {
        peer: "127.0.0.1:5001",
        query: "",
        host: "backend:8080",
        headers: &[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.7, 127.0.0.5"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "localhost"),
            ("x-request-id", "abc-123"),
            ("accept-language", "fr-CA, fr;q=0.9, en;q=0.5"),
        ],
        status: 200,
    },
    // A malformed entry stops the walk; a script subtag to negotiate.
    Shape {
        peer: "127.0.0.1:5002",
        query: "",
        host: "127.0.0.1:3000",
        headers: &[
            ("x-forwarded-for", "198.51.100.1, unknown"),
            ("accept-language", "zh-TW, zh;q=0.9"),
        ],
        status: 200,
    },
    // The cookie decides (right-to-left locale).
    Shape {
        peer: "127.0.0.1:5003",
        query: "",
        host: "localhost",
        headers: &[("cookie", "theme=dark; lang=ar"), ("accept-language", "de")],
        status: 200,
    },
    // The query decides, and the layer sets the cookie.
    Shape {
        peer: "203.0.113.10:5004",
        query: "?lang=de",
        host: "localhost:3000",
        headers: &[("accept-language", "ja")],
        status: 200,
    },
    // IPv6 peer and chain; nothing in the catalog for the language.
    Shape {
        peer: "[::1]:5005",
        query: "",
        host: "[::1]:3000",
        headers: &[
            ("x-forwarded-for", "2001:db8::7"),
            ("accept-language", "ja, ko;q=0.5"),
        ],
        status: 200,
    },
    // A host that is not allowed: 400 before any handler runs.
    Shape {
        peer: "203.0.113.11:5006",
        query: "",
        host: "evil.example",
        headers: &[],
        status: 400,
    },
];

/// `shape` as a request for `path`, with its peer as axum's `ConnectInfo`.
pub fn request(shape: &Shape, path: &str) -> Request<Body> {
    let mut req = Request::builder()
        .uri(format!("{path}{}", shape.query))
        .header("host", shape.host);
    for (name, value) in shape.headers {
        req = req.header(*name, *value);
    }
    let mut req = req.body(Body::empty()).unwrap();
    let peer: SocketAddr = shape.peer.parse().unwrap();
    req.extensions_mut().insert(ConnectInfo(peer));
    req
}

/// Sends `req` through `router`, reads the whole body and drops everything;
/// returns the status.
pub async fn send(router: &Router, req: Request<Body>) -> StatusCode {
    let res = router.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert!(!body.is_empty() || status != StatusCode::OK);
    status
}

/// Sends `count` requests to `path`, cycling through [`SHAPES`], and checks
/// each status: what the leak measurements of one route send.
pub async fn send_shapes(router: &Router, path: &str, count: usize) {
    for i in 0..count {
        let shape = &SHAPES[i % SHAPES.len()];
        let status = send(router, request(shape, path)).await;
        assert_eq!(status.as_u16(), shape.status, "{path} {shape:?}");
    }
}
