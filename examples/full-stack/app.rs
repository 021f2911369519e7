//! The example's router, shared with the whole-stack tests in `tests/`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::response::Html;
use axum::routing::get;
use axum::{Extension, Json, Router};
use crocodile::base_context::{BaseContext, BaseContextLayer};
use crocodile::client_ip::{ClientIp, ClientIpLayer};
use crocodile::forwarded::{Hop, ProxyTrust};
use crocodile::i18n::prefix::Alternates;
use crocodile::i18n::{FluentArgs, I18nLayer, Localizer};
use crocodile_leak_check::RetentionHandle;
use http::Request;
use serde_json::{Value, json};
use tower::ServiceBuilder;
use tower_http::trace::TraceLayer;

use super::config::Config;

/// Builds the full stack from a validated configuration.
///
/// Layers run outermost first: the retention guard (a token per request,
/// counted if something holds it after the response), `ClientIpLayer` (the
/// client address), then `BaseContextLayer` (request id, trusted scheme and
/// host, the allowed-hosts check), a `TraceLayer` whose span carries the
/// request id, and `I18nLayer`.
/// The first two share one `ProxyTrust`: trust is configured once, and the
/// proxy headers are walked once per request.
#[allow(dead_code)] // The whole-stack tests in `tests/` build the router with it.
pub(crate) fn app(config: &Config) -> Router {
    app_with(config, I18nLayer::new(Arc::clone(&config.catalog)))
}

/// [`app`] with an `I18nLayer` the caller keeps: reloading it (or a
/// watcher on it) reloads the router's catalog.
pub(crate) fn app_with(config: &Config, i18n: I18nLayer) -> Router {
    let base_context = BaseContextLayer::new(config.trust.clone(), config.allowed_hosts.clone())
        .request_id_source(config.request_id);
    let retention = super::retention::guard(&config.retention);
    let retained = retention.handle();
    // One `ServiceBuilder` in one `Router::layer` call: axum boxes the route
    // once instead of once per layer (three allocations per request each).
    let stack = ServiceBuilder::new()
        .layer(retention)
        .layer(ClientIpLayer::new(config.trust.clone()))
        .layer(base_context)
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(i18n.clone());
    let trust = config.trust.clone();
    let router = Router::new()
        .route("/", get(home))
        .route(
            "/context",
            get(move |hop, peer, ctx, l10n, alternates| {
                context(trust, retained, hop, peer, ctx, l10n, alternates)
            }),
        )
        .route("/messages/{id}", get(super::messages::message))
        .layer(stack);
    // CROCODILE_LOCALE_PREFIX: `/fr/...` routed as `/...`, around the whole router.
    super::locale_prefix::wrap(config.locale_prefix, &i18n, router)
}

/// Every log line of a request carries its id and client address.
fn request_span<B>(req: &Request<B>) -> tracing::Span {
    let ctx = req.extensions().get::<BaseContext>();
    let client_ip = ClientIp::from_extensions(req.extensions());
    tracing::info_span!(
        "request",
        id = %ctx.map_or("-", |ctx| ctx.request_id().as_str()),
        trace_id = %ctx.map_or_else(|| "-".to_owned(), |ctx| ctx.trace_id().to_string()),
        client = %client_ip.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
        method = %req.method(),
        uri = %req.uri(),
    )
}

/// `GET /context`: what the layers decided, as JSON. The keys are a contract:
/// add keys, never rename or drop one.
async fn context(
    trust: ProxyTrust,
    retained: RetentionHandle,
    Extension(hop): Extension<Hop>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    ctx: BaseContext,
    l10n: Localizer,
    alternates: Option<Alternates>,
) -> Json<Value> {
    tracing::info!("context requested");
    Json(json!({
        "client_ip": hop.client().map(|ip| ip.to_string()),
        "client_ip_source": trust.source_label(&hop).to_string(),
        "client_ip_fallback": hop.fallback().map(|why| why.code()),
        "peer": peer.ip().to_string(),
        "request_id": ctx.request_id().as_str(),
        "scheme": ctx.scheme().as_str(),
        "host": ctx.host(),
        "port": ctx.port(),
        "origin": ctx.origin(),
        "home_url": ctx.home_url(),
        "locale": l10n.tag(),
        "received_at": ctx.received_at_rfc3339().to_string(),
        "trace_id": ctx.trace_id().to_string(),
        "traceparent": ctx.traceparent().as_str(),
        "alternates": super::locale_prefix::context_json(alternates.as_ref(), &ctx),
        "retained_requests": retained.retained(),
    }))
}

/// `GET /`: a small localized page: a greeting with the visitor's address, a
/// plural, what the base context computed, and a language switcher (with
/// locale prefixes, `hreflang` links to every locale's URL).
async fn home(
    client_ip: Option<ClientIp>,
    ctx: BaseContext,
    l10n: Localizer,
    alternates: Option<Alternates>,
) -> Html<String> {
    let mut args = FluentArgs::new();
    args.set(
        "ip",
        client_ip.map_or_else(|| "?".to_owned(), |ip| ip.to_string()),
    );
    args.set("count", l10n.catalog().locales().len());
    args.set("source", l10n.source().as_str());
    // Shown through `NUMBER()` as the locale writes numbers (`icu` feature).
    args.set("sample", 1_234_567.891);
    args.set("ratio", 0.256);
    Html(super::page::render(&l10n, &args, &ctx, alternates.as_ref()))
}
