//! A rate limit per real client, behind a reverse proxy: `tower_governor`
//! keyed by the address `ClientIpLayer` decided (IPv6 clients grouped by
//! /64), never by a forgeable header.
//!
//! Run with: `cargo run --example rate-limit --features governor`
//!
//! Configuration (all optional): `CROCODILE_ADDR` (`127.0.0.1:3000`),
//! `CROCODILE_CLIENT_IP` (`rightmost:x-forwarded-for`),
//! `CROCODILE_TRUSTED_PROXIES` (`loopback`), `RATE_LIMIT_BURST` (requests a
//! client may send at once, `5`), `RATE_LIMIT_REFILL_MS` (one request back
//! every so many milliseconds, `1000`), `RATE_LIMIT_IPV6_PREFIX` (`64`).
//!
//! Behind nginx, which appends the client to `X-Forwarded-For` and connects
//! from loopback:
//!
//! ```text
//! location / {
//!     proxy_pass http://127.0.0.1:3000;
//!     proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
//! }
//! ```
//!
//! Then each client has its own bucket (`curl --interface 127.0.0.5` and
//! `127.0.0.6` through nginx are two clients), a client that forges
//! `X-Forwarded-For` still has only its own, and a request nginx sent with
//! no usable header shares nginx's own bucket (see
//! `OnProxyFallback` for the other choice). `scripts/real-proxies.sh` runs it
//! behind a real nginx.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use crocodile::client_ip::{
    ClientIp, ClientIpKeyExtractor, ClientIpLayer, Ipv6Prefix, ProxyTrust, RateLimitKeys,
};
use tower::ServiceBuilder;
use tower_governor::GovernorLayer;
use tower_governor::governor::GovernorConfigBuilder;

/// `name` from the environment, else `default`, parsed; the error names the variable.
fn var<T>(name: &str, default: &str) -> Result<T, String>
where
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let value = std::env::var(name).unwrap_or_else(|_| default.to_owned());
    value
        .parse()
        .map_err(|error| format!("{name}={value:?}: {error}"))
}

fn app() -> Result<(Router, SocketAddr), String> {
    let addr: SocketAddr = var("CROCODILE_ADDR", "127.0.0.1:3000")?;
    let trust = ProxyTrust::new(
        var("CROCODILE_CLIENT_IP", "rightmost:x-forwarded-for")?,
        var("CROCODILE_TRUSTED_PROXIES", "loopback")?,
    );
    let burst: u32 = var("RATE_LIMIT_BURST", "5")?;
    let refill_ms: u64 = var("RATE_LIMIT_REFILL_MS", "1000")?;
    let prefix: Ipv6Prefix = var("RATE_LIMIT_IPV6_PREFIX", "64")?;
    let keys = RateLimitKeys::default().ipv6_prefix(prefix);
    let governor = GovernorConfigBuilder::default()
        .per_millisecond(refill_ms)
        .burst_size(burst)
        .key_extractor(ClientIpKeyExtractor::new(keys))
        .finish()
        .ok_or("RATE_LIMIT_BURST and RATE_LIMIT_REFILL_MS must be at least 1")?;
    let router = Router::new()
        .route(
            "/",
            get(move |ClientIp(ip): ClientIp| async move {
                format!("hello {ip}, your bucket is {}\n", keys.key(ip))
            }),
        )
        // ClientIpLayer outside: the limiter reads the address it decided.
        .layer(
            ServiceBuilder::new()
                .layer(ClientIpLayer::new(trust))
                .layer(GovernorLayer::new(Arc::new(governor))),
        );
    Ok((router, addr))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let (router, addr) = app()?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
