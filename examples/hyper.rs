//! Plain hyper 1 + tower, no axum: `ClientIpLayer` and `BaseContextLayer`
//! around a `service_fn`, served by an accept loop that hands each
//! connection's peer address to the layers as a `PeerAddr`.
//!
//! Run with: `cargo run --example hyper`
//!
//! Then, from this machine (loopback is trusted here):
//!
//! ```text
//! curl -s localhost:3000/ -H 'X-Forwarded-For: 203.0.113.7'   # hello 203.0.113.7, this is http://localhost:3000/
//! curl -s localhost:3000/ -H 'Host: evil.example'             # 400: the host is not allowed
//! ```

use std::convert::Infallible;

use crocodile::base_context::{AllowedHosts, BaseContext, BaseContextLayer};
use crocodile::client_ip::{ClientIp, ClientIpLayer, PeerAddr, ProxyTrust};
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tracing_subscriber::EnvFilter;

/// The handler: what the layers inserted, read from the request's extensions.
async fn hello(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let ip = ClientIp::from_extensions(req.extensions())
        .map_or_else(|| "?".to_owned(), |ip| ip.to_string());
    let home = req
        .extensions()
        .get::<BaseContext>()
        .map_or_else(|| "?".to_owned(), BaseContext::home_url);
    Ok(Response::new(Full::from(format!(
        "hello {ip}, this is {home}\n"
    ))))
}

/// Serves the stack on `listener` until accepting fails.
async fn serve(
    listener: TcpListener,
    trust: ProxyTrust,
    allowed_hosts: AllowedHosts,
) -> std::io::Result<()> {
    // Built once; each connection gets a clone (the layers share their
    // configuration through `Arc`s, so a clone is cheap).
    let stack = ServiceBuilder::new()
        .layer(ClientIpLayer::new(trust.clone()))
        .layer(BaseContextLayer::new(trust, allowed_hosts))
        .service_fn(hello);
    loop {
        let (stream, peer) = listener.accept().await?;
        // The layers find the socket peer in this extension (axum's
        // `into_make_service_with_connect_info` does the same with
        // `ConnectInfo`); without it every request counts as unproxied and
        // the layers warn once.
        let service = ServiceBuilder::new()
            .map_request(move |mut req: Request<Incoming>| {
                req.extensions_mut().insert(PeerAddr(peer));
                req
            })
            .service(stack.clone());
        tokio::spawn(async move {
            let connection = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
            if let Err(error) = connection.await {
                tracing::debug!(%peer, %error, "connection ended with an error");
            }
        });
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    // A proxy on this machine appends to X-Forwarded-For; both layers share
    // the one trust model.
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

    /// One HTTP/1.1 request with `headers` to the example served on
    /// `127.0.0.1:0`; the whole response, head and body.
    async fn roundtrip(headers: &str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let mut stream = TcpStream::connect(listener.local_addr().unwrap())
            .await
            .unwrap();
        let trust = ProxyTrust::new(ClientIpStrategy::default(), "loopback".parse().unwrap());
        tokio::spawn(serve(listener, trust, "localhost".parse().unwrap()));
        let request = format!("GET / HTTP/1.1\r\n{headers}connection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    }

    #[tokio::test]
    async fn a_trusted_peer_s_forwarded_for_names_the_client() {
        let response = roundtrip("host: localhost:3000\r\nx-forwarded-for: 203.0.113.7\r\n").await;
        assert!(response.starts_with("HTTP/1.1 200"), "{response}");
        assert!(
            response.ends_with("hello 203.0.113.7, this is http://localhost:3000/\n"),
            "{response}"
        );
    }

    #[tokio::test]
    async fn without_a_proxy_header_the_client_is_the_peer() {
        let response = roundtrip("host: localhost\r\n").await;
        assert!(
            response.ends_with("hello 127.0.0.1, this is http://localhost/\n"),
            "{response}"
        );
    }

    #[tokio::test]
    async fn a_host_that_is_not_allowed_gets_400() {
        let response = roundtrip("host: evil.example\r\n").await;
        assert!(response.starts_with("HTTP/1.1 400"), "{response}");
    }
}
