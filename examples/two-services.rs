//! Two services, one trace: a FRONT service calls a BACK service over HTTP on
//! loopback, and the back one continues the front one's trace and sees the
//! real client address.
//!
//! ```text
//! client ──> FRONT (trusts loopback: its edge proxy) ──> BACK (trusts only 127.0.0.12)
//!            calls from 127.0.0.12 with
//!            traceparent: <the front's outgoing value>
//!            x-forwarded-for: <the client address the front decided>
//!            x-request-id: <the front's request id>
//! ```
//!
//! - Each service is an axum `Router` with `ClientIpLayer` and
//!   `BaseContextLayer` sharing one `ProxyTrust`, served with
//!   `into_make_service_with_connect_info`.
//! - The front binds its outgoing socket to `127.0.0.12` (`TcpSocket` and
//!   hyper's `client::conn::http1::handshake`), so the back can trust exactly
//!   that address: `rightmost:x-forwarded-for` with trusted `127.0.0.12`. A
//!   client that reaches the back directly, from any other address, has its
//!   `traceparent`, `X-Forwarded-For` and `X-Request-Id` ignored.
//! - The front trusts `loopback` as its edge proxy (on this machine, `curl`
//!   plays the proxy): a `traceparent` sent to it from loopback is continued
//!   through both services. In production, trust your load balancer's
//!   addresses instead, and have it drop or overwrite a client's
//!   `traceparent` (or the trace id is the client's choice).
//! - The front sends the back only the address it decided, as a proxy that
//!   overwrites `X-Forwarded-For` does; the back reads the rightmost entry.
//!
//! Linux answers on all of `127.0.0.0/8`; on macOS add the address first:
//! `sudo ifconfig lo0 alias 127.0.0.12`.
//!
//! Run with: cargo run --example two-services
//!
//! It prints both ports. Then:
//!
//! ```text
//! # Through the front: one trace id in both halves, the back's parent span is the front's span
//! curl -s localhost:FRONT/
//! # From a trusted proxy in front of the front: its trace and client address continue through both
//! curl -s localhost:FRONT/ -H 'X-Forwarded-For: 203.0.113.7' \
//!      -H 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'
//! # Straight to the back from an untrusted address: the forged trace id and address are ignored
//! curl -s --interface 127.0.0.9 127.0.0.1:BACK/whoami -H 'X-Forwarded-For: 198.51.100.1' \
//!      -H 'traceparent: 00-11111111111111111111111111111111-2222222222222222-01'
//! ```

use std::error::Error;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use crocodile::base_context::{
    AllowedHosts, BaseContext, BaseContextLayer, TRACEPARENT, X_REQUEST_ID,
};
use crocodile::client_ip::{ClientIp, ClientIpLayer, ProxyTrust};
use http::header::HOST;
use http::{HeaderName, Request};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpSocket};
use tracing_subscriber::EnvFilter;

/// The address the front calls the back from, and the only one the back
/// trusts.
const FRONT_EGRESS: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 12));

/// `X-Forwarded-For`, as the front writes it.
const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");

/// The back service's trust: `X-Forwarded-For` believed from the front only.
fn back_trust() -> ProxyTrust {
    ProxyTrust::new(
        "rightmost:x-forwarded-for"
            .parse()
            .expect("a valid strategy"),
        FRONT_EGRESS.to_string().parse().expect("a valid address"),
    )
}

/// The front service's trust: a proxy on this machine is its edge.
fn front_trust() -> ProxyTrust {
    ProxyTrust::new(
        "rightmost:x-forwarded-for"
            .parse()
            .expect("a valid strategy"),
        "loopback".parse().expect("a valid group"),
    )
}

/// `router` with both layers sharing `trust`, served on `listener` with the
/// socket peer handed to the layers.
async fn serve(listener: TcpListener, router: Router, trust: ProxyTrust) -> std::io::Result<()> {
    let allowed_hosts: AllowedHosts = "localhost,127.0.0.1".parse().expect("valid hosts");
    let app = router
        .layer(BaseContextLayer::new(trust.clone(), allowed_hosts))
        .layer(ClientIpLayer::new(trust));
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
}

/// The back service: `GET /whoami` says what it decided.
fn back() -> Router {
    Router::new().route("/whoami", get(whoami))
}

async fn whoami(ClientIp(ip): ClientIp, ctx: BaseContext) -> Json<Value> {
    tracing::info!(
        service = "back",
        trace_id = %ctx.trace_id(),
        parent_span_id = %ctx.parent_span_id().map_or_else(|| "-".to_owned(), |id| id.to_string()),
        client_ip = %ip,
        request_id = %ctx.request_id(),
        "answered /whoami"
    );
    Json(json!({
        "trace_id": ctx.trace_id().to_string(),
        "parent_span_id": ctx.parent_span_id().map(|id| id.to_string()),
        "client_ip": ip.to_string(),
        "request_id": ctx.request_id().as_str(),
    }))
}

/// Where the front finds the back, and the address it calls from.
#[derive(Debug, Clone, Copy)]
struct Upstream {
    back: SocketAddr,
    egress: IpAddr,
}

/// The front service: `GET /` calls the back and shows both views.
fn front(upstream: Upstream) -> Router {
    Router::new()
        .route("/", get(front_home))
        .with_state(upstream)
}

async fn front_home(
    State(upstream): State<Upstream>,
    ClientIp(ip): ClientIp,
    ctx: BaseContext,
) -> Result<Json<Value>, (StatusCode, String)> {
    tracing::info!(
        service = "front",
        trace_id = %ctx.trace_id(),
        span_id = %ctx.span_id(),
        client_ip = %ip,
        request_id = %ctx.request_id(),
        "calling the back service"
    );
    let back = call_back(upstream, &ctx, ip).await.map_err(|error| {
        tracing::warn!(%error, back = %upstream.back, "the back service did not answer");
        (
            StatusCode::BAD_GATEWAY,
            "the back service did not answer\n".to_owned(),
        )
    })?;
    Ok(Json(json!({
        "front": {
            "trace_id": ctx.trace_id().to_string(),
            "parent_span_id": ctx.parent_span_id().map(|id| id.to_string()),
            "span_id": ctx.span_id().to_string(),
            "client_ip": ip.to_string(),
            "request_id": ctx.request_id().as_str(),
        },
        "back": back,
    })))
}

/// `GET /whoami` on the back, from `upstream.egress`, carrying this request's
/// outgoing `traceparent` (same trace, this request's span as the parent),
/// its `tracestate`, its request id, and the client address as
/// `X-Forwarded-For`.
async fn call_back(
    upstream: Upstream,
    ctx: &BaseContext,
    client: IpAddr,
) -> Result<Value, Box<dyn Error + Send + Sync>> {
    let socket = match upstream.egress {
        IpAddr::V4(_) => TcpSocket::new_v4()?,
        IpAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.bind(SocketAddr::new(upstream.egress, 0))?;
    let stream = socket.connect(upstream.back).await?;
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        if let Err(error) = connection.await {
            tracing::debug!(%error, "connection to the back service ended with an error");
        }
    });

    let mut request = Request::get("/whoami")
        .header(HOST, upstream.back.to_string())
        .header(TRACEPARENT, ctx.traceparent().to_header_value())
        .header(X_REQUEST_ID, ctx.request_id().to_header_value())
        .header(X_FORWARDED_FOR, client.to_string());
    if let Some(state) = ctx.tracestate() {
        request = request.header(crocodile::base_context::TRACESTATE, state);
    }
    let response = sender
        .send_request(request.body(Empty::<Bytes>::new())?)
        .await?;
    if !response.status().is_success() {
        return Err(format!("the back service answered {}", response.status()).into());
    }
    let body = response.into_body().collect().await?.to_bytes();
    Ok(serde_json::from_slice(&body)?)
}

/// Binds both services on `127.0.0.1:0` and spawns them; their addresses.
async fn start() -> std::io::Result<(SocketAddr, SocketAddr)> {
    let back_listener = TcpListener::bind("127.0.0.1:0").await?;
    let front_listener = TcpListener::bind("127.0.0.1:0").await?;
    let back_addr = back_listener.local_addr()?;
    let front_addr = front_listener.local_addr()?;
    let upstream = Upstream {
        back: back_addr,
        egress: FRONT_EGRESS,
    };
    tokio::spawn(serve(back_listener, back(), back_trust()));
    tokio::spawn(serve(front_listener, front(upstream), front_trust()));
    Ok((front_addr, back_addr))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let (front, back) = start().await?;
    println!("BACK  listening on http://{back} (trusts {FRONT_EGRESS} only)");
    println!(
        "FRONT listening on http://{front} (trusts loopback; calls the back from {FRONT_EGRESS})"
    );
    println!("try: curl -s localhost:{}/", front.port());
    tokio::signal::ctrl_c().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex, OnceLock};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    const LOOPBACK: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
    /// A client on this machine that is not the front.
    const STRANGER: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 9));
    /// The W3C Trace Context spec's own example.
    const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const PARENT_ID: &str = "00f067aa0ba902b7";

    /// `GET path` with `headers`, sent over a socket bound to `from`; the
    /// status line and the JSON body.
    async fn get(from: IpAddr, to: SocketAddr, path: &str, headers: &str) -> (String, Value) {
        let socket = TcpSocket::new_v4().unwrap();
        socket.bind(SocketAddr::new(from, 0)).unwrap();
        let mut stream = socket.connect(to).await.unwrap();
        let request = format!(
            "GET {path} HTTP/1.1\r\nhost: 127.0.0.1:{}\r\n{headers}connection: close\r\n\r\n",
            to.port()
        );
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        let (head, body) = response.split_once("\r\n\r\n").expect("a whole response");
        let status = head.lines().next().unwrap_or_default().to_owned();
        let json = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {response}"));
        (status, json)
    }

    fn text(value: &Value) -> &str {
        value
            .as_str()
            .unwrap_or_else(|| panic!("not a string: {value}"))
    }

    #[tokio::test]
    async fn the_back_continues_the_front_s_trace_and_sees_the_real_client() {
        let (front, _back) = started().await;
        let (status, body) = get(LOOPBACK, front, "/", "").await;
        assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
        let (f, b) = (&body["front"], &body["back"]);
        // No traceparent came in: the front started the trace.
        assert_eq!(f["parent_span_id"], Value::Null, "{body}");
        assert_eq!(b["trace_id"], f["trace_id"], "{body}");
        assert_eq!(b["parent_span_id"], f["span_id"], "{body}");
        // The front's own address (127.0.0.12) is the back's peer, not its client.
        assert_eq!(text(&f["client_ip"]), "127.0.0.1", "{body}");
        assert_eq!(text(&b["client_ip"]), "127.0.0.1", "{body}");
        // The front's request id crossed too (the back trusts the front's header).
        assert_eq!(b["request_id"], f["request_id"], "{body}");
    }

    #[tokio::test]
    async fn a_trace_from_a_trusted_proxy_in_front_of_the_front_is_continued_through_both() {
        let (front, _back) = started().await;
        let headers = format!(
            "x-forwarded-for: 203.0.113.7\r\ntraceparent: 00-{TRACE_ID}-{PARENT_ID}-01\r\n\
             tracestate: congo=t61rcWkgMzE\r\nx-request-id: edge-42\r\n"
        );
        let (status, body) = get(LOOPBACK, front, "/", &headers).await;
        assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
        let (f, b) = (&body["front"], &body["back"]);
        assert_eq!(text(&f["trace_id"]), TRACE_ID, "{body}");
        assert_eq!(text(&f["parent_span_id"]), PARENT_ID, "{body}");
        assert_ne!(text(&f["span_id"]), PARENT_ID, "a fresh span: {body}");
        assert_eq!(text(&b["trace_id"]), TRACE_ID, "{body}");
        assert_eq!(b["parent_span_id"], f["span_id"], "{body}");
        assert_eq!(text(&f["client_ip"]), "203.0.113.7", "{body}");
        assert_eq!(text(&b["client_ip"]), "203.0.113.7", "{body}");
        assert_eq!(text(&f["request_id"]), "edge-42", "{body}");
        assert_eq!(text(&b["request_id"]), "edge-42", "{body}");
    }

    #[tokio::test]
    async fn a_traceparent_forged_straight_to_the_back_never_becomes_its_trace_id() {
        let (_front, back) = started().await;
        let forged = "11111111111111111111111111111111";
        let headers = format!(
            "x-forwarded-for: 198.51.100.1\r\ntraceparent: 00-{forged}-2222222222222222-01\r\n\
             x-request-id: forged-1\r\n"
        );
        let (status, body) = get(STRANGER, back, "/whoami", &headers).await;
        assert_eq!(status, "HTTP/1.1 200 OK", "{body}");
        let trace_id = text(&body["trace_id"]);
        assert_ne!(trace_id, forged, "{body}");
        assert_eq!(trace_id.len(), 32, "{body}");
        assert_eq!(body["parent_span_id"], Value::Null, "a new trace: {body}");
        assert_eq!(text(&body["client_ip"]), "127.0.0.9", "{body}");
        assert_ne!(text(&body["request_id"]), "forged-1", "{body}");
    }

    #[tokio::test]
    async fn loopback_is_not_enough_for_the_back_only_the_front_s_address_is() {
        // 127.0.0.1 is trusted by the front, not by the back.
        let (_front, back) = started().await;
        let headers = format!(
            "x-forwarded-for: 198.51.100.1\r\ntraceparent: 00-{TRACE_ID}-{PARENT_ID}-01\r\n"
        );
        let (_, body) = get(LOOPBACK, back, "/whoami", &headers).await;
        assert_ne!(text(&body["trace_id"]), TRACE_ID, "{body}");
        assert_eq!(text(&body["client_ip"]), "127.0.0.1", "{body}");
    }

    /// A `tracing` writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// Every test's log lines. One global subscriber, installed before any
    /// service runs: a per-test `set_default` races with the other tests'
    /// threads over `tracing`'s cached callsite interest.
    fn logs() -> &'static Captured {
        static LOGS: OnceLock<Captured> = OnceLock::new();
        LOGS.get_or_init(|| {
            let captured = Captured::default();
            let writer = captured.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_env_filter(EnvFilter::new("info"))
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).expect("the only subscriber");
            captured
        })
    }

    /// Both services, started with the log capture installed.
    async fn started() -> (SocketAddr, SocketAddr) {
        logs();
        start().await.unwrap()
    }

    #[tokio::test]
    async fn both_services_log_the_same_trace_id() {
        // A trace id of its own, to find this test's lines among the others'.
        const LOGGED: &str = "0af7651916cd43dd8448eb211c80319c";
        let (front, _back) = started().await;
        let headers = format!("traceparent: 00-{LOGGED}-{PARENT_ID}-01\r\n");
        let (_, body) = get(LOOPBACK, front, "/", &headers).await;
        let span_id = text(&body["front"]["span_id"]);

        let all = String::from_utf8(logs().0.lock().unwrap().clone()).unwrap();
        let line_of = |service: &str| {
            let tag = format!("service=\"{service}\"");
            all.lines()
                .find(|line| line.contains(&tag) && line.contains(LOGGED))
                .unwrap_or_else(|| panic!("no {service} line with {LOGGED} in:\n{all}"))
        };
        let (front_line, back_line) = (line_of("front"), line_of("back"));
        assert!(
            front_line.contains(&format!("trace_id={LOGGED}")),
            "{front_line}"
        );
        assert!(
            back_line.contains(&format!("trace_id={LOGGED}")),
            "{back_line}"
        );
        assert!(
            back_line.contains(&format!("parent_span_id={span_id}")),
            "{back_line}"
        );
    }
}
