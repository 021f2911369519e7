//! The main example's router served over real TCP on `127.0.0.1:0`, with
//! clients bound to distinct loopback source addresses: `127.0.0.2` plays a
//! trusted proxy, `127.0.0.9` an untrusted client.

mod common;

use std::net::SocketAddr;

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};

/// Serves the example's router with the given variables; returns its address.
async fn serve(vars: &[(&str, &str)]) -> SocketAddr {
    let config = common::config(vars);
    let router = common::app::app(&config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    addr
}

/// One HTTP/1.1 request from `source` with extra header lines; returns the JSON body.
async fn get_context(server: SocketAddr, source: &str, extra: &str) -> Value {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let request =
        format!("GET /context HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{extra}\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8(response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn distinct_loopback_sources_over_tcp() {
    let server = serve(&[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")]).await;
    let forged = "X-Forwarded-For: 6.6.6.6, 198.51.100.7\r\n";

    // Through the trusted proxy: the rightmost untrusted entry.
    let body = get_context(server, "127.0.0.2", forged).await;
    assert_eq!(body["peer"], "127.0.0.2");
    assert_eq!(body["client_ip"], "198.51.100.7");

    // Directly from an untrusted client: its own address, whatever it wrote.
    let body = get_context(server, "127.0.0.9", forged).await;
    assert_eq!(body["peer"], "127.0.0.9");
    assert_eq!(body["client_ip"], "127.0.0.9");

    // The trusted proxy sending no header: itself.
    let body = get_context(server, "127.0.0.2", "").await;
    assert_eq!(body["client_ip"], "127.0.0.2");
}
