//! Raw HTTP/1.1 over real TCP: a router served on a listener, and one
//! request sent from a chosen loopback source address.

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use axum::Router;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket};

/// Serves `router` (with the socket peer as `ConnectInfo`) on `listen`;
/// returns the address it is bound to.
pub async fn serve(listen: &str, router: Router) -> SocketAddr {
    let listener = TcpListener::bind(listen).await.unwrap();
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

/// A whole response, as read until the server closed the connection.
#[derive(Debug)]
pub struct Response {
    /// The status line, the header lines and the body.
    pub text: String,
}

impl Response {
    /// The status code from the status line; 0 when there is none.
    pub fn status(&self) -> u16 {
        self.text
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or(0)
    }

    /// What follows the header block, if there is one.
    pub fn body(&self) -> Option<&str> {
        self.text.split_once("\r\n\r\n").map(|(_, body)| body)
    }
}

/// `GET /context` with `Host: host`, `Connection: close` and `headers`, from
/// `source` (an IPv4 or IPv6 loopback address, any port) to `server`'s port
/// on the loopback address of the same family (a dual-stack listener takes
/// both).
pub async fn get_context(
    server: SocketAddr,
    source: &str,
    host: &str,
    headers: &[(&str, &str)],
) -> Response {
    let (socket, source, server) = if source.contains(':') {
        (
            TcpSocket::new_v6().unwrap(),
            format!("[{source}]:0"),
            SocketAddr::from((Ipv6Addr::LOCALHOST, server.port())),
        )
    } else {
        (
            TcpSocket::new_v4().unwrap(),
            format!("{source}:0"),
            SocketAddr::from((Ipv4Addr::LOCALHOST, server.port())),
        )
    };
    socket.bind(source.parse().unwrap()).unwrap();
    let mut stream = socket.connect(server).await.unwrap();
    let mut request = format!("GET /context HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    Response {
        text: String::from_utf8_lossy(&response).into_owned(),
    }
}
