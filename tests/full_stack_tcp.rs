//! The main example's router served over real TCP on `127.0.0.1:0`, with
//! clients bound to distinct loopback source addresses: `127.0.0.2` plays a
//! trusted proxy, `127.0.0.9` an untrusted client.

mod common;

use std::net::SocketAddr;

use common::raw_http;
use serde_json::Value;

/// Serves the example's router with the given variables; returns its address.
async fn serve(vars: &[(&str, &str)]) -> SocketAddr {
    let config = common::config(vars);
    raw_http::serve("127.0.0.1:0", common::app::app(&config)).await
}

/// One HTTP/1.1 request from `source` with extra headers; returns the JSON body.
async fn get_context(server: SocketAddr, source: &str, extra: &[(&str, &str)]) -> Value {
    let response = raw_http::get_context(server, source, "localhost", extra).await;
    let response = &response.text;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    let body = response.split("\r\n\r\n").nth(1).unwrap();
    serde_json::from_str(body).unwrap()
}

#[tokio::test]
async fn distinct_loopback_sources_over_tcp() {
    let server = serve(&[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")]).await;
    let forged = &[("X-Forwarded-For", "6.6.6.6, 198.51.100.7")];

    // Through the trusted proxy: the rightmost untrusted entry.
    let body = get_context(server, "127.0.0.2", forged).await;
    assert_eq!(body["peer"], "127.0.0.2");
    assert_eq!(body["client_ip"], "198.51.100.7");

    // Directly from an untrusted client: its own address, whatever it wrote.
    let body = get_context(server, "127.0.0.9", forged).await;
    assert_eq!(body["peer"], "127.0.0.9");
    assert_eq!(body["client_ip"], "127.0.0.9");

    // The trusted proxy sending no header: itself.
    let body = get_context(server, "127.0.0.2", &[]).await;
    assert_eq!(body["client_ip"], "127.0.0.2");
}
