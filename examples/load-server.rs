//! The server `scripts/load.sh` measures: one small handler, served bare or
//! behind the whole Crocodile stack, so the difference is the layers alone.
//!
//! Run with: `cargo run --release --example load-server -- full 127.0.0.1:3001`
//!
//! The first argument picks the stack:
//! - `bare`: axum, the handler, nothing else;
//! - `full`: `ClientIpLayer` (rightmost `X-Forwarded-For`, loopback trusted),
//!   `BaseContextLayer` (allowed hosts `localhost`, `127.0.0.1`; request ids)
//!   and `I18nLayer` (the example catalogs), in the full-stack example's
//!   order, without its `TraceLayer`.
//!
//! Both answer `GET /` with the same 13-byte body. No logging, so neither
//! pays for a subscriber.

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use crocodile::base_context::BaseContextLayer;
use crocodile::client_ip::ClientIpLayer;
use crocodile::i18n::{Catalog, I18nLayer};
use tower::ServiceBuilder;

async fn hello() -> &'static str {
    "hello, world\n"
}

fn full(router: Router) -> Result<Router, String> {
    let trusted: crocodile::forwarded::TrustedProxies =
        "loopback".parse().map_err(|e| format!("{e}"))?;
    let catalog = Catalog::builder()
        .default_locale("en")
        .dir(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/locales"))
        .build()
        .map_err(|e| format!("{e}"))?;
    let allowed = "localhost,127.0.0.1".parse().map_err(|e| format!("{e}"))?;
    // One `Router::layer` call with a `ServiceBuilder`, as the full-stack
    // example does: axum boxes the route once, not once per layer.
    Ok(router.layer(
        ServiceBuilder::new()
            .layer(ClientIpLayer::default().trusted_proxies(trusted.clone()))
            .layer(BaseContextLayer::new(trusted, allowed))
            .layer(I18nLayer::new(Arc::new(catalog))),
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let stack = args.next().unwrap_or_else(|| "full".to_owned());
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3001".to_owned());
    let router = Router::new().route("/", get(hello));
    let router = match stack.as_str() {
        "bare" => router,
        "full" => match full(router) {
            Ok(router) => router,
            Err(error) => {
                eprintln!("error: {error}");
                return ExitCode::from(2);
            }
        },
        other => {
            eprintln!("error: unknown stack {other:?} (bare or full)");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot bind {addr}: {error}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{stack} listening on http://{}",
        listener.local_addr().expect("bound")
    );
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
