//! Layers around a whole `Router`, so they run before routing: every
//! request, the router's 404s included, passes `ClientIpLayer` and
//! `BaseContextLayer`, and a host that is not allowed is refused before any
//! route is matched.
//!
//! `Router::layer` wraps each route (and the fallback) instead; use it unless
//! a layer must see the request before the router does. Wrapped, the app is a
//! plain tower service; making it the fallback of an empty `Router` gives a
//! `Router` back in one line, served with
//! `app.into_make_service_with_connect_info::<SocketAddr>()` like any other
//! (the outer router also records `OriginalUri` before the layers run, and
//! turns their own body types into axum's). `crocodile_i18n::prefix`'s
//! `LocalePrefixLayer` is served the same way.
//!
//! Run with: `cargo run --example wrap-router`
//!
//! Then `curl -s localhost:3000/` and `curl -s localhost:3000/nowhere`.

use std::net::SocketAddr;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use crocodile::base_context::{AllowedHosts, BaseContext, BaseContextLayer};
use crocodile::client_ip::{ClientIp, ClientIpLayer, ProxyTrust};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tracing_subscriber::EnvFilter;

/// The router: one route and a fallback, both reading what the outer layers
/// inserted.
fn router() -> Router {
    Router::new()
        .route(
            "/",
            get(|ClientIp(ip): ClientIp, ctx: BaseContext| async move {
                format!("hello {ip}, this is {}\n", ctx.home_url())
            }),
        )
        .fallback(|ClientIp(ip): ClientIp, ctx: BaseContext| async move {
            let body = format!("no such page on {}, {ip}\n", ctx.origin());
            (StatusCode::NOT_FOUND, body)
        })
}

/// Serves `router()` wrapped in the layers on `listener`.
async fn serve(
    listener: TcpListener,
    trust: ProxyTrust,
    allowed_hosts: AllowedHosts,
) -> std::io::Result<()> {
    let wrapped = ServiceBuilder::new()
        .layer(ClientIpLayer::new(trust.clone()))
        .layer(BaseContextLayer::new(trust, allowed_hosts))
        .service(router());
    // One line makes it a `Router` again (`BaseContextLayer`'s own 400 body
    // becomes axum's through `IntoResponse`).
    let app = Router::new().fallback_service(wrapped);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let trust = ProxyTrust::new("rightmost:x-forwarded-for".parse()?, "loopback".parse()?);
    let allowed_hosts = "localhost,127.0.0.1".parse()?;
    let listener = TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://{}", listener.local_addr()?);
    serve(listener, trust, allowed_hosts).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use crocodile::client_ip::ClientIpStrategy;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    use super::*;

    /// `GET path` with `headers` to the example served on `127.0.0.1:0`; the
    /// whole response, head and body.
    async fn roundtrip(path: &str, headers: &str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut stream = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let trust = ProxyTrust::new(ClientIpStrategy::default(), "loopback".parse().unwrap());
        tokio::spawn(serve(listener, trust, "localhost".parse().unwrap()));
        let request = format!("GET {path} HTTP/1.1\r\n{headers}connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    #[tokio::test]
    async fn a_route_reads_the_outer_layers() {
        let response = roundtrip("/", "host: localhost\r\nx-forwarded-for: 203.0.113.7\r\n").await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(
            response.ends_with("hello 203.0.113.7, this is http://localhost/\n"),
            "{response}"
        );
    }

    #[tokio::test]
    async fn the_fallback_reads_them_too() {
        let response = roundtrip("/nowhere", "host: localhost:3000\r\n").await;
        assert!(response.starts_with("HTTP/1.1 404"), "{response}");
        assert!(
            response.ends_with("no such page on http://localhost:3000, 127.0.0.1\n"),
            "{response}"
        );
    }

    #[tokio::test]
    async fn a_host_that_is_not_allowed_is_refused_before_routing() {
        let response = roundtrip("/nowhere", "host: evil.example\r\n").await;
        assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    }
}
