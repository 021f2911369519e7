//! The example's router, shared with the whole-stack tests in `tests/`.

use std::net::SocketAddr;

use axum::Json;
use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Html;
use axum::routing::get;
use crocodile::client_ip::{ClientIp, ClientIpLayer};
use serde_json::{Value, json};

use super::config::Config;

/// Builds the full stack from a validated configuration.
pub(crate) fn app(config: &Config) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/context", get(context))
        .layer(ClientIpLayer::new(
            config.client_ip.clone(),
            config.trusted_proxies.clone(),
        ))
}

/// `GET /context`: what the layers decided, as JSON. The keys are a contract.
async fn context(
    client_ip: Option<ClientIp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
) -> Json<Value> {
    Json(json!({
        "client_ip": client_ip.map(|ip| ip.to_string()),
        "peer": peer.ip().to_string(),
    }))
}

/// `GET /`: a short page showing the visitor's address.
async fn home(client_ip: Option<ClientIp>) -> Html<String> {
    let ip = client_ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    Html(format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Crocodile</title></head>\
         <body><h1>Hello!</h1><p>Your address is <code>{ip}</code>.</p>\
         <p>See <a href=\"/context\">/context</a> for everything the layers computed.</p></body></html>\n"
    ))
}
