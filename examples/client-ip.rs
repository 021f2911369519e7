//! `crocodile-client-ip` alone: the real client address behind a proxy.
//!
//! Run with: `cargo run --example client-ip`
//!
//! Then, from this machine (loopback is trusted here):
//!
//! ```text
//! curl -s localhost:3000/ -H 'X-Forwarded-For: 6.6.6.6, 203.0.113.7'   # 203.0.113.7, from x-forwarded-for[0]
//! curl -s localhost:3000/ -H 'X-Forwarded-For: 6.6.6.6, garbage'       # 127.0.0.1, malformed-entry
//! curl -s --interface 127.0.0.9 localhost:3000/                        # 127.0.0.9, header-absent
//! ```

use std::net::SocketAddr;

use axum::Router;
use axum::extract::{Extension, State};
use axum::routing::get;
use crocodile::client_ip::{ClientIp, ClientIpLayer, ClientIpStrategy, Hop, ProxyTrust};
use tracing_subscriber::EnvFilter;

/// The address, where it came from (`trust.source_label`) and, when the
/// layer fell back, why (`Fallback::code`).
async fn whoami(
    State(trust): State<ProxyTrust>,
    ClientIp(ip): ClientIp,
    Extension(hop): Extension<Hop>,
) -> String {
    let source = trust.source_label(&hop);
    match hop.fallback() {
        Some(why) => format!("you are {ip} (from {source}: {}, {why})\n", why.code()),
        None => format!("you are {ip} (from {source})\n"),
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,crocodile_forwarded=debug".into()),
        )
        .init();
    // A proxy on this machine (nginx, Caddy, ...) appends to X-Forwarded-For.
    // Hand the same `trust` to `BaseContextLayer` if you use it too.
    let trust = ProxyTrust::new(ClientIpStrategy::default(), "loopback".parse()?);
    let app = Router::new()
        .route("/", get(whoami))
        .with_state(trust.clone())
        .layer(ClientIpLayer::new(trust));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
