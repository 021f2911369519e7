//! A minimal HTTP/1.1 server on 127.0.0.1:0 serving provider lists that a
//! test changes at run time, and the synthetic lists (documentation
//! prefixes only: 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24,
//! 2001:db8::/32; never a real provider's range).

#![allow(dead_code, unreachable_pub)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crocodile_forwarded::{Provider, ProxyTrust, TrustedProxies};
use crocodile_providers::{ProviderRefresher, RefreshHandle, StartError};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What one path answers.
#[derive(Debug, Clone)]
pub struct Route {
    pub status: u16,
    pub body: Vec<u8>,
    /// Waited before the answer.
    pub delay: Duration,
    /// Announce twice the length, send the body, close: a truncated body.
    pub truncate: bool,
}

impl Route {
    pub fn ok(body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            body: body.into(),
            delay: Duration::ZERO,
            truncate: false,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Server {
    pub addr: SocketAddr,
    routes: Arc<Mutex<HashMap<String, Route>>>,
    /// Connections accepted and not yet closed.
    open: Arc<AtomicUsize>,
}

impl Server {
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let routes: Arc<Mutex<HashMap<String, Route>>> = Arc::default();
        let shared = Arc::clone(&routes);
        let open: Arc<AtomicUsize> = Arc::default();
        let counter = Arc::clone(&open);
        tokio::spawn(async move {
            loop {
                let Ok((mut stream, _)) = listener.accept().await else {
                    return;
                };
                let routes = Arc::clone(&shared);
                counter.fetch_add(1, Ordering::SeqCst);
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    serve(&mut stream, &routes).await;
                    drop(stream);
                    counter.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Self { addr, routes, open }
    }

    /// Waits until every connection the server accepted is closed and its
    /// task gone, and the fetch threads are done (for heap measurements).
    pub async fn settle(&self) {
        while self.open.load(Ordering::SeqCst) > 0 {
            tokio::task::yield_now().await;
        }
        // A blocking task's cell is freed by the pool's thread after the
        // awaiting side resumed: let it finish.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    pub fn set(&self, path: &str, route: Route) {
        self.routes.lock().unwrap().insert(path.to_owned(), route);
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

async fn serve(stream: &mut tokio::net::TcpStream, routes: &Mutex<HashMap<String, Route>>) {
    let mut request = Vec::new();
    let mut buf = [0u8; 1024];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&buf[..n]),
        }
        if request.len() > 64 * 1024 {
            return;
        }
    }
    let line = String::from_utf8_lossy(&request);
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let route = routes.lock().unwrap().get(&path).cloned().unwrap_or(Route {
        status: 404,
        body: b"not found".to_vec(),
        delay: Duration::ZERO,
        truncate: false,
    });
    tokio::time::sleep(route.delay).await;
    let len = if route.truncate {
        route.body.len() * 2
    } else {
        route.body.len()
    };
    let head = format!(
        "HTTP/1.1 {} X\r\nContent-Length: {len}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
        route.status
    );
    let _ = stream.write_all(head.as_bytes()).await;
    let _ = stream.write_all(&route.body).await;
    let _ = stream.shutdown().await;
}

/// The edge whose headers are believed when its list holds it.
pub const PEER: &str = "192.0.2.10:443";
/// The client it forwards for.
pub const CLIENT: &str = "203.0.113.7";

pub fn fastly(v4: &[&str], v6: &[&str]) -> String {
    format!(
        r#"{{"addresses":{},"ipv6_addresses":{}}}"#,
        json_list(v4),
        json_list(v6)
    )
}

pub fn cloudflare_json(v4: &[&str], v6: &[&str]) -> String {
    format!(
        r#"{{"result":{{"ipv4_cidrs":{},"ipv6_cidrs":{},"etag":"synthetic"}},"success":true,"errors":[],"messages":[]}}"#,
        json_list(v4),
        json_list(v6)
    )
}

pub fn aws(v4: &[&str], v6: &[&str]) -> String {
    let entry = |key: &str, net: &str, service: &str| {
        format!(
            r#"{{"{key}":"{net}","region":"GLOBAL","service":"{service}","network_border_group":"GLOBAL"}}"#
        )
    };
    let mut prefixes: Vec<String> = v4
        .iter()
        .map(|n| entry("ip_prefix", n, "CLOUDFRONT_ORIGIN_FACING"))
        .collect();
    // Another service's prefix, which must be ignored.
    prefixes.push(entry("ip_prefix", "203.0.113.0/24", "EC2"));
    let v6: Vec<String> = v6
        .iter()
        .map(|n| entry("ipv6_prefix", n, "CLOUDFRONT_ORIGIN_FACING"))
        .collect();
    format!(
        r#"{{"syncToken":"1700000000","createDate":"2026-01-01-00-00-00","prefixes":[{}],"ipv6_prefixes":[{}]}}"#,
        prefixes.join(","),
        v6.join(",")
    )
}

fn json_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("\"{i}\"")).collect();
    format!("[{}]", quoted.join(","))
}

pub fn model(configured: &str) -> (ProxyTrust, TrustedProxies) {
    let configured: TrustedProxies = configured.parse().unwrap();
    let trust = ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        configured.clone(),
    );
    (trust, configured)
}

/// [`model`]`(trusted)` with a refresher `configure`d on it, started.
pub async fn try_start(
    trusted: &str,
    configure: impl FnOnce(ProviderRefresher) -> ProviderRefresher,
) -> (ProxyTrust, Result<RefreshHandle, StartError>) {
    let (trust, configured) = model(trusted);
    let started = configure(ProviderRefresher::new(trust.clone(), configured))
        .start()
        .await;
    (trust, started)
}

/// Like [`try_start`], which must succeed.
pub async fn start(
    trusted: &str,
    configure: impl FnOnce(ProviderRefresher) -> ProviderRefresher,
) -> (ProxyTrust, RefreshHandle) {
    let (trust, started) = try_start(trusted, configure).await;
    (trust, started.unwrap())
}

/// Like [`start`], fetching Fastly's list from `server`'s `/fastly`.
pub async fn start_fastly(
    server: &Server,
    trusted: &str,
    configure: impl FnOnce(ProviderRefresher) -> ProviderRefresher,
) -> (ProxyTrust, RefreshHandle) {
    let url = server.url("/fastly");
    start(trusted, |refresher| {
        configure(refresher.url(Provider::Fastly, url))
    })
    .await
}

/// Whether `trust` believes PEER's `X-Forwarded-For: CLIENT`.
pub fn trusts_peer(trust: &ProxyTrust) -> bool {
    let mut headers = http::HeaderMap::new();
    headers.insert("x-forwarded-for", CLIENT.parse().unwrap());
    let hop = trust.compute(Some(PEER.parse().unwrap()), &headers);
    let client = hop.client().unwrap();
    if client == CLIENT.parse::<std::net::IpAddr>().unwrap() {
        true
    } else {
        assert_eq!(client, PEER.parse::<SocketAddr>().unwrap().ip());
        false
    }
}

pub fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("crocodile-providers-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}
