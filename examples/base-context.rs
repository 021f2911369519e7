//! Run with: cargo run --example base-context
//!
//! `crocodile-base-context` alone: every request gets a request id (echoed
//! in `x-request-id` and shown on each log line), the scheme, host and port
//! the client used, and a home URL built only from allowed hosts. Try:
//!
//! ```text
//! curl -i http://127.0.0.1:3000/context
//! curl -i -H 'Host: evil.tld' http://127.0.0.1:3000/context          # 400 host not allowed
//! # From loopback (a trusted proxy by default), proxy headers count:
//! curl -H 'X-Forwarded-Proto: https' -H 'X-Forwarded-Host: localhost:8443' \
//!      -H 'X-Request-Id: from-proxy-1' http://127.0.0.1:3000/context
//! CROCODILE_TRUSTED_PROXIES= cargo run --example base-context        # trust nobody
//! ```
//!
//! | Variable | Default | Meaning |
//! |---|---|---|
//! | `CROCODILE_ADDR` | `127.0.0.1:3000` | where to listen |
//! | `CROCODILE_TRUSTED_PROXIES` | `loopback` | proxies whose headers are believed |
//! | `CROCODILE_ALLOWED_HOSTS` | `localhost,127.0.0.1,[::1]` | hosts the site answers for |
//! | `CROCODILE_PROXY_HEADERS` | `x-forwarded` | `x-forwarded` or `forwarded` |

use std::fmt::Display;
use std::net::SocketAddr;
use std::str::FromStr;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use crocodile_base_context::{AllowedHosts, BaseContext, BaseContextLayer, ProxyHeaders};
use crocodile_forwarded::TrustedProxies;
use serde_json::json;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,crocodile_base_context=debug".into()),
        )
        .init();

    let addr: SocketAddr = env("CROCODILE_ADDR", "127.0.0.1:3000");
    let trusted: TrustedProxies = env("CROCODILE_TRUSTED_PROXIES", "loopback");
    let allowed: AllowedHosts = env("CROCODILE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]");
    let family: ProxyHeaders = env("CROCODILE_PROXY_HEADERS", "x-forwarded");

    let app = Router::new()
        .route("/", get(home))
        .route("/context", get(context))
        // Runs after BaseContextLayer: every log line of a request carries its id.
        .layer(middleware::from_fn(log_with_request_id))
        .layer(BaseContextLayer::new(trusted, allowed).proxy_headers(family));

    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: CROCODILE_ADDR={addr}: cannot bind: {error}");
            std::process::exit(1);
        }
    };
    println!("listening on http://{}", listener.local_addr().unwrap());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown())
    .await
    .unwrap();
}

/// Reads a variable, or its default; a bad value stops the process, naming it.
fn env<T: FromStr<Err: Display>>(name: &str, default: &str) -> T {
    let value = std::env::var(name).unwrap_or_else(|_| default.to_owned());
    value.parse().unwrap_or_else(|error| {
        eprintln!("error: {name}={value:?}: {error}");
        std::process::exit(2);
    })
}

async fn log_with_request_id(ctx: Option<BaseContext>, req: Request, next: Next) -> Response {
    let id = ctx.as_ref().map(|ctx| ctx.request_id().to_string());
    let span = tracing::info_span!("request", id = id.as_deref().unwrap_or("-"));
    async move {
        tracing::info!(method = %req.method(), uri = %req.uri(), "started");
        let res = next.run(req).await;
        tracing::info!(status = res.status().as_u16(), "finished");
        res
    }
    .instrument(span)
    .await
}

async fn home(ctx: BaseContext) -> impl IntoResponse {
    format!(
        "Welcome! Home is {}\nYour request id is {}\nA reset link: {}\n",
        ctx.home_url(),
        ctx.request_id(),
        ctx.url_for("/reset password?"),
    )
}

async fn context(ctx: BaseContext) -> Json<serde_json::Value> {
    Json(json!({
        "request_id": ctx.request_id().as_str(),
        "peer": ctx.peer().map(|peer| peer.to_string()),
        "scheme": ctx.scheme().as_str(),
        "host": ctx.host(),
        "port": ctx.port(),
        "origin": ctx.origin(),
        "home_url": ctx.home_url(),
        "received_at": ctx.received_at_rfc3339().to_string(),
    }))
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}
