//! The example's router, shared with the whole-stack tests in `tests/`.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Html;
use axum::routing::get;
use crocodile::client_ip::{ClientIp, ClientIpLayer};
use crocodile::i18n::{FluentArgs, I18nLayer, Localizer};
use serde_json::{Value, json};

use super::config::Config;

/// Builds the full stack from a validated configuration.
///
/// Layers run outermost first: `ClientIpLayer`, then `I18nLayer`.
pub(crate) fn app(config: &Config) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/context", get(context))
        .layer(I18nLayer::new(Arc::clone(&config.catalog)))
        .layer(ClientIpLayer::new(
            config.client_ip.clone(),
            config.trusted_proxies.clone(),
        ))
}

/// `GET /context`: what the layers decided, as JSON. The keys are a contract:
/// add keys, never rename or drop one.
async fn context(
    client_ip: Option<ClientIp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    l10n: Localizer,
) -> Json<Value> {
    Json(json!({
        "client_ip": client_ip.map(|ip| ip.to_string()),
        "peer": peer.ip().to_string(),
        "locale": l10n.tag(),
    }))
}

/// `GET /`: a small localized page: a greeting with the visitor's address, a
/// plural, and links that switch language with `?lang=` (the layer keeps the
/// choice in a cookie).
async fn home(client_ip: Option<ClientIp>, l10n: Localizer) -> Html<String> {
    let mut args = FluentArgs::new();
    args.set(
        "ip",
        client_ip.map_or_else(|| "?".to_owned(), |ip| ip.to_string()),
    );
    args.set("count", l10n.catalog().locales().len());
    args.set("source", l10n.source().as_str());
    Html(super::page::render(&l10n, &args))
}
