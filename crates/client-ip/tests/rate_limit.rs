//! Rate limits keyed by the real client address, through a real
//! `tower_governor` limiter behind `ClientIpLayer`.

#![cfg(all(feature = "governor", feature = "axum"))]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::routing::get;
use crocodile_client_ip::{
    ClientIpKeyExtractor, ClientIpLayer, Ipv6Prefix, OnProxyFallback, PeerAddr, ProxyTrust,
    RateLimitKeys,
};
use http::{Request, StatusCode};
use tower::{ServiceBuilder, ServiceExt};
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;

/// Two requests per key, then 429 (one token back per minute: never within a test).
fn app(keys: RateLimitKeys) -> Router {
    let trust = ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        "loopback".parse().unwrap(),
    );
    let governor = GovernorConfigBuilder::default()
        .per_second(60)
        .burst_size(2)
        .key_extractor(ClientIpKeyExtractor::new(keys))
        .finish()
        .unwrap();
    Router::new().route("/", get(|| async { "ok" })).layer(
        ServiceBuilder::new()
            .layer(ClientIpLayer::new(trust))
            .layer(GovernorLayer::new(Arc::new(governor))),
    )
}

/// A request from `peer`, with `X-Forwarded-For: xff` when given.
async fn status(app: &Router, peer: &str, xff: Option<&str>) -> StatusCode {
    let mut req = Request::get("/");
    if let Some(xff) = xff {
        req = req.header("x-forwarded-for", xff);
    }
    let mut req = req.body(Body::empty()).unwrap();
    req.extensions_mut()
        .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
    app.clone().oneshot(req).await.unwrap().status()
}

/// Sends `count` requests and returns how many were let through.
async fn allowed(app: &Router, peer: &str, xff: Option<&str>, count: usize) -> usize {
    let mut ok = 0;
    for _ in 0..count {
        match status(app, peer, xff).await {
            StatusCode::OK => ok += 1,
            StatusCode::TOO_MANY_REQUESTS => {}
            other => panic!("{peer} {xff:?}: unexpected {other}"),
        }
    }
    ok
}

#[tokio::test]
async fn two_addresses_in_one_64_share_a_bucket_two_64s_do_not() {
    let app = app(RateLimitKeys::default());
    let proxy = "127.0.0.1:4000";
    assert_eq!(allowed(&app, proxy, Some("2001:db8:1:2::1"), 1).await, 1);
    // Another address in the same /64 takes the bucket's second token...
    assert_eq!(
        allowed(&app, proxy, Some("2001:db8:1:2:ffff::9"), 3).await,
        1
    );
    // ...and the first address has none left either.
    assert_eq!(allowed(&app, proxy, Some("2001:db8:1:2::1"), 1).await, 0);
    // Another /64 has a bucket of its own.
    assert_eq!(allowed(&app, proxy, Some("2001:db8:1:3::1"), 3).await, 2);
    // IPv4 clients are keyed by address.
    assert_eq!(allowed(&app, proxy, Some("203.0.113.7"), 3).await, 2);
    assert_eq!(allowed(&app, proxy, Some("203.0.113.8"), 3).await, 2);
}

#[tokio::test]
async fn a_wider_prefix_groups_more() {
    let app = app(RateLimitKeys::default().ipv6_prefix("48".parse::<Ipv6Prefix>().unwrap()));
    let proxy = "127.0.0.1:4000";
    assert_eq!(allowed(&app, proxy, Some("2001:db8:1:2::1"), 1).await, 1);
    assert_eq!(allowed(&app, proxy, Some("2001:db8:1:3::1"), 3).await, 1);
}

#[tokio::test]
async fn a_forged_x_forwarded_for_from_an_untrusted_client_buys_no_new_bucket() {
    let app = app(RateLimitKeys::default());
    let client = "192.0.2.9:5000";
    let mut ok = 0;
    for i in 0..20 {
        let forged = format!("198.51.100.{i}");
        if status(&app, client, Some(&forged)).await == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 2, "the client's own address is its one bucket");
    // Behind the trusted proxy, the forged prefix left of the real client changes nothing either.
    let proxy = "127.0.0.1:4000";
    let mut ok = 0;
    for i in 0..20 {
        let forged = format!("198.51.100.{i}, 203.0.113.50");
        if status(&app, proxy, Some(&forged)).await == StatusCode::OK {
            ok += 1;
        }
    }
    assert_eq!(ok, 2);
}

#[tokio::test]
async fn a_proxy_fallback_shares_the_proxys_bucket_or_is_refused() {
    let proxy = "127.0.0.1:4000";
    // Default: requests the proxy sent without a usable header share its bucket.
    let shared = app(RateLimitKeys::default());
    assert_eq!(allowed(&shared, proxy, None, 1).await, 1);
    assert_eq!(allowed(&shared, proxy, Some("garbage"), 3).await, 1);
    // The real clients behind it are unaffected.
    assert_eq!(allowed(&shared, proxy, Some("203.0.113.7"), 2).await, 2);

    let refused = app(RateLimitKeys::default().on_proxy_fallback(OnProxyFallback::Refuse));
    assert_eq!(
        status(&refused, proxy, None).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        status(&refused, proxy, Some("garbage")).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
    assert_eq!(
        status(&refused, proxy, Some("203.0.113.7")).await,
        StatusCode::OK
    );
    // An untrusted client is not a proxy fallback: it is keyed by its own address.
    assert_eq!(status(&refused, "192.0.2.9:1", None).await, StatusCode::OK);
}

#[tokio::test]
async fn without_client_ip_layer_there_is_no_key() {
    let governor = GovernorConfigBuilder::default()
        .per_second(60)
        .burst_size(2)
        .key_extractor(ClientIpKeyExtractor::default())
        .finish()
        .unwrap();
    let app = Router::new()
        .route("/", get(|| async { "ok" }))
        .layer(GovernorLayer::new(Arc::new(governor)));
    assert_eq!(
        status(&app, "127.0.0.1:1", None).await,
        StatusCode::INTERNAL_SERVER_ERROR
    );
}
