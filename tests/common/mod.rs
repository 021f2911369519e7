//! Shared helpers for the whole-stack tests: the example's own router and
//! configuration, and small request helpers.

#![allow(dead_code, unreachable_pub)]

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use http::Request;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

#[path = "../../examples/full-stack/app.rs"]
pub mod app;
#[path = "../../examples/full-stack/config.rs"]
pub mod config;
#[path = "../../examples/full-stack/locale_prefix.rs"]
pub mod locale_prefix;
#[path = "../../examples/full-stack/messages.rs"]
pub mod messages;
#[path = "../../examples/full-stack/page.rs"]
pub mod page;
#[path = "../../examples/full-stack/providers.rs"]
pub mod providers;
#[path = "../../examples/full-stack/retention.rs"]
pub mod retention;

pub(crate) use config::Config;

/// The example's configuration from these variables (defaults for the rest).
pub fn config(vars: &[(&str, &str)]) -> Config {
    try_config(vars).expect("valid test configuration")
}

/// Like [`config`], keeping the error.
pub fn try_config(vars: &[(&str, &str)]) -> Result<Config, String> {
    Config::from_lookup(|name| {
        vars.iter()
            .find(|(key, _)| *key == name)
            .map(|(_, value)| (*value).to_owned())
    })
}

/// The example's router with the default configuration.
pub fn app() -> Router {
    app::app(&config(&[]))
}

/// Sends `req` from `peer` through `router` and parses the JSON answer.
pub async fn json(router: Router, peer: &str, req: Request<Body>) -> (http::StatusCode, Value) {
    let peer: SocketAddr = peer.parse().unwrap();
    let res = router
        .layer(MockConnectInfo(peer))
        .oneshot(req)
        .await
        .unwrap();
    let status = res.status();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    let value = serde_json::from_slice(&body)
        .unwrap_or(Value::String(String::from_utf8_lossy(&body).into_owned()));
    (status, value)
}

/// Sends `req` through `router` from a loopback peer; the status, headers
/// and body as text.
pub async fn text(
    router: Router,
    req: Request<Body>,
) -> (http::StatusCode, http::HeaderMap, String) {
    let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
    let res = router
        .layer(MockConnectInfo(peer))
        .oneshot(req)
        .await
        .unwrap();
    let (parts, body) = res.into_parts();
    let body = body.collect().await.unwrap().to_bytes();
    let body = String::from_utf8(body.to_vec()).expect("a UTF-8 answer");
    (parts.status, parts.headers, body)
}

/// A `GET` for `uri` with these headers.
pub fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut req = Request::builder().uri(uri).header("host", "localhost:3000");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(Body::empty()).unwrap()
}

pub mod koa;
pub mod leaky;
pub mod raw_http;
pub mod stack;
