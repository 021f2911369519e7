//! Run with: cargo run --example base-context
//!
//! `crocodile-base-context` alone: every request gets a request id (echoed
//! in `x-request-id` and shown on each log line), the scheme, host and port
//! the client used, the client address, and a home URL built only from
//! allowed hosts. Try:
//!
//! ```text
//! curl -i http://127.0.0.1:3000/context
//! curl -i -H 'Host: evil.tld' http://127.0.0.1:3000/context          # 400 host not allowed
//! # From loopback (a trusted proxy by default), proxy headers count:
//! curl -H 'X-Forwarded-For: 198.51.100.7' -H 'X-Forwarded-Proto: https' \
//!      -H 'X-Forwarded-Host: localhost:8443' -H 'X-Request-Id: from-proxy-1' \
//!      http://127.0.0.1:3000/context
//! # X-Forwarded-Port is ignored unless enabled (stock nginx passes a client's through):
//! curl -H 'X-Forwarded-Host: localhost' -H 'X-Forwarded-Port: 6666' http://127.0.0.1:3000/context
//! CROCODILE_X_FORWARDED=proto,host,port cargo run --example base-context   # believe it
//! CROCODILE_TRUSTED_PROXIES= cargo run --example base-context        # trust nobody
//! ```
//!
//! | Variable | Default | Meaning |
//! |---|---|---|
//! | `CROCODILE_ADDR` | `127.0.0.1:3000` | where to listen |
//! | `CROCODILE_CLIENT_IP` | `rightmost:x-forwarded-for` | where the client address comes from (`peer`, `rightmost:forwarded`, `hops:2:x-forwarded-for`, `single:x-real-ip`, ...) |
//! | `CROCODILE_PROXY_HEADERS` | the strategy's family | `x-forwarded` or `forwarded`; set only one of the two, or two that agree |
//! | `CROCODILE_TRUSTED_PROXIES` | `loopback` | proxies whose headers are believed |
//! | `CROCODILE_X_FORWARDED` | `proto,host` | the `X-Forwarded-*` headers believed besides `-For` (`port`, `prefix` too, or `none`) |
//! | `CROCODILE_ALLOWED_HOSTS` | `localhost,127.0.0.1,[::1]` | hosts the site answers for |

use std::fmt::Display;
use std::io::IsTerminal;
use std::net::SocketAddr;
use std::str::FromStr;

use axum::Router;
use axum::extract::{Extension, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use crocodile_base_context::{
    AllowedHosts, BaseContext, BaseContextLayer, ClientIpStrategy, Hop, ProxyHeaders, ProxyTrust,
    TrustedProxies, XForwardedHeaders,
};
use serde_json::json;
use tracing::Instrument;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    // `RUST_LOG=crocodile_base_context=debug` shows why a proxy header was
    // not used. Colour only on a terminal, and never with `NO_COLOR` set.
    let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_ansi(colour)
        .init();

    let addr: SocketAddr = env("CROCODILE_ADDR", "127.0.0.1:3000");
    let allowed: AllowedHosts = env("CROCODILE_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]");
    let trust = trust();

    let app = Router::new()
        .route("/", get(home))
        .route("/context", get(context))
        // Runs after BaseContextLayer: every log line of a request carries its id.
        .layer(middleware::from_fn(log_with_request_id))
        // Hand the same `trust` to `ClientIpLayer::new` if you add one.
        .layer(BaseContextLayer::new(trust, allowed));

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
    // Ctrl-C lets requests in flight finish (the full-stack example also
    // waits for SIGTERM).
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
    .unwrap();
}

/// Reads a variable, or its default; a bad value stops the process, naming it.
fn env<T: FromStr<Err: Display>>(name: &str, default: &str) -> T {
    let value = std::env::var(name).unwrap_or_else(|_| default.to_owned());
    parse(name, &value)
}

/// Reads a variable if it is set; a bad value stops the process, naming it.
fn env_opt<T: FromStr<Err: Display>>(name: &str) -> Option<T> {
    std::env::var(name).ok().map(|value| parse(name, &value))
}

fn parse<T: FromStr<Err: Display>>(name: &str, value: &str) -> T {
    value.parse().unwrap_or_else(|error| {
        eprintln!("error: {name}={value:?}: {error}");
        std::process::exit(2);
    })
}

/// The trust model: when only one of the strategy and the header family is
/// set the other follows it; two that disagree stop the process.
fn trust() -> ProxyTrust {
    let trusted: TrustedProxies = env("CROCODILE_TRUSTED_PROXIES", "loopback");
    let x_forwarded: XForwardedHeaders = env("CROCODILE_X_FORWARDED", "proto,host");
    let mut builder = ProxyTrust::builder()
        .trusted_proxies(trusted)
        .x_forwarded(x_forwarded);
    if let Some(strategy) = env_opt::<ClientIpStrategy>("CROCODILE_CLIENT_IP") {
        builder = builder.strategy(strategy);
    }
    if let Some(family) = env_opt::<ProxyHeaders>("CROCODILE_PROXY_HEADERS") {
        builder = builder.proxy_headers(family);
    }
    builder.build().unwrap_or_else(|error| {
        eprintln!("error: CROCODILE_CLIENT_IP and CROCODILE_PROXY_HEADERS disagree: {error}");
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
        // Keys and values percent-encoded: no hand encoding.
        ctx.url_for_with_query(
            "/reset password",
            [("email", "ana+test@example.org"), ("token", "q+Z/9w==")]
        ),
    )
}

async fn context(ctx: BaseContext, Extension(hop): Extension<Hop>) -> Json<serde_json::Value> {
    Json(json!({
        "request_id": ctx.request_id().as_str(),
        "peer": ctx.peer().map(|peer| peer.to_string()),
        "client_ip": ctx.client_ip().map(|ip| ip.to_string()),
        // Why the client address is the peer's, if it is: `untrusted-peer`, ...
        "fallback": hop.fallback().map(|fallback| fallback.code()),
        // The hop index the scheme, host and port were read at.
        "hop": hop.index(),
        "scheme": ctx.scheme().as_str(),
        "host": ctx.host(),
        "port": ctx.port(),
        "origin": ctx.origin(),
        "home_url": ctx.home_url(),
        "received_at": ctx.received_at_rfc3339().to_string(),
    }))
}
