//! `crocodile-client-ip` alone: the real client address behind a proxy.
//!
//! Run with: `cargo run --example client-ip`
//!
//! Then, from this machine (loopback is trusted here):
//!
//! ```text
//! curl -s localhost:3000/ -H 'X-Forwarded-For: 6.6.6.6, 203.0.113.7'   # 203.0.113.7
//! curl -s --interface 127.0.0.9 localhost:3000/                        # 127.0.0.9
//! ```

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use crocodile::client_ip::{ClientIp, ClientIpDecision, ClientIpLayer};
use tracing_subscriber::EnvFilter;

async fn whoami(ClientIp(ip): ClientIp, decision: ClientIpDecision) -> String {
    format!("you are {ip} (decided from {decision})\n")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,crocodile_client_ip=debug".into()),
        )
        .init();
    let app = Router::new()
        .route("/", get(whoami))
        // A proxy on this machine (nginx, Caddy, ...) appends to X-Forwarded-For.
        .layer(ClientIpLayer::default().trusted_proxies("loopback".parse()?));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await?;
    Ok(())
}
