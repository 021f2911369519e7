//! Leak-freedom over real TCP: the example's router served with
//! `axum::serve` on `127.0.0.1:0`, two keep-alive HTTP/1.1 connections (a
//! trusted proxy at `127.0.0.1`, an untrusted client at `127.0.0.9`), and dhat
//! counting every heap block of the process, server and client alike. The live
//! heap after 2N requests equals the live heap after N.
//!
//! Run with: `cargo test --test leak_heap_tcp -- --nocapture`

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::stack::SHAPES;
use crocodile_leak_check::LeakCheck;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};

#[global_allocator]
static ALLOC: crocodile_leak_check::dhat::Alloc = crocodile_leak_check::dhat::Alloc;

const N: usize = 2_000;

/// A hand-written keep-alive HTTP/1.1 client: one connection, one request at
/// a time, responses framed by `Content-Length`.
struct Client {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Client {
    async fn connect(server: SocketAddr, source: &str) -> Self {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(format!("{source}:0").parse().unwrap()).unwrap();
        let stream = socket.connect(server).await.unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            stream,
            buf: Vec::with_capacity(16 * 1024),
        }
    }

    /// Sends one request; returns the status once the whole body is read.
    async fn get(&mut self, target: &str, host: &str, headers: &[(&str, &str)]) -> u16 {
        let mut head = format!("GET {target} HTTP/1.1\r\nHost: {host}\r\n");
        for (name, value) in headers {
            head.push_str(name);
            head.push_str(": ");
            head.push_str(value);
            head.push_str("\r\n");
        }
        head.push_str("\r\n");
        self.stream.write_all(head.as_bytes()).await.unwrap();
        self.buf.clear();
        loop {
            if let Some(end) = find(&self.buf, b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buf[..end]).unwrap();
                let status: u16 = head[9..12].parse().unwrap();
                let length: usize = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().unwrap())
                    })
                    .unwrap_or_else(|| panic!("no Content-Length: {head}"));
                assert!(
                    !head.to_ascii_lowercase().contains("connection: close"),
                    "{head}"
                );
                let total = end + 4 + length;
                while self.buf.len() < total {
                    self.read().await;
                }
                assert_eq!(self.buf.len(), total, "one response at a time");
                return status;
            }
            self.read().await;
        }
    }

    async fn read(&mut self) {
        let mut chunk = [0u8; 4096];
        let n = self.stream.read(&mut chunk).await.unwrap();
        assert!(n > 0, "the server closed the connection");
        self.buf.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[tokio::test]
async fn live_heap_over_keep_alive_tcp_does_not_grow() {
    // Only 127.0.0.1 is a trusted proxy, so 127.0.0.9 is an untrusted client.
    let config = common::config(&[("CROCODILE_TRUSTED_PROXIES", "127.0.0.1")]);
    let router = common::app::app(&config);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let server = listener.local_addr().unwrap();
    let serving = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let mut clients = [
        Client::connect(server, "127.0.0.1").await,
        Client::connect(server, "127.0.0.9").await,
    ];

    let report = LeakCheck::new(N)
        .warm_up(4 * SHAPES.len())
        .measure(async |count| {
            for i in 0..count {
                let shape = &SHAPES[i % SHAPES.len()];
                let round = i / SHAPES.len();
                let path = ["/", "/context"][round % 2];
                let trusted = (round / 2) % 2 == 0;
                let client = &mut clients[usize::from(!trusted)];
                let status = client
                    .get(&format!("{path}{}", shape.query), shape.host, shape.headers)
                    .await;
                // From an untrusted peer, `X-Forwarded-Host` is ignored and the
                // backend's own `Host` is not an allowed host.
                let expected = match shape.host {
                    "backend:8080" if !trusted => 400,
                    _ => shape.status,
                };
                assert_eq!(status, expected, "{path} {shape:?} trusted={trusted}");
            }
            // Let the server task finish its bookkeeping after the last write.
            tokio::time::sleep(Duration::from_millis(50)).await;
        })
        .await;

    eprintln!("{report}");
    eprintln!(
        "allocations per request, server and client: {:.1}",
        report.allocations_per_request()
    );
    assert!(report.allocations_per_request() >= 1.0, "{report}");
    report.assert_no_growth();
    serving.abort();
}
