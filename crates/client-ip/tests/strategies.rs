//! Every strategy through the layer, with `MockConnectInfo` peers, honest
//! chains and forged headers. Rows note where a case comes from.
//!
//! Each request answers "ip source (fallback)": the `ClientIp`, then the
//! `Hop` the layer inserted next to it, its source as
//! `ProxyTrust::source_label` shows it and, when there is one, its fallback.

use std::net::SocketAddr;

use axum::Router;
use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::extract::{Extension, State};
use axum::routing::get;
use crocodile_client_ip::{ClientIp, ClientIpLayer, ClientIpStrategy, Hop, ProxyTrust};
use http::{Request, StatusCode};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// "ip source (fallback)", from the handler's extractors.
async fn show(
    State(trust): State<ProxyTrust>,
    ClientIp(ip): ClientIp,
    Extension(hop): Extension<Hop>,
) -> String {
    assert_eq!(hop.client(), Some(ip), "the hop agrees with ClientIp");
    let source = trust.source_label(&hop);
    match hop.fallback() {
        Some(why) => format!("{ip} {source} ({why})"),
        None => format!("{ip} {source}"),
    }
}

/// Sends one request from `peer` with `headers` and returns "ip source (fallback)".
async fn client_ip(strategy: &str, trusted: &str, peer: &str, headers: &[(&str, &str)]) -> String {
    let trust = ProxyTrust::new(strategy.parse().unwrap(), trusted.parse().unwrap());
    let peer: SocketAddr = peer.parse().unwrap();
    let app = Router::new()
        .route("/", get(show))
        .with_state(trust.clone())
        .layer(ClientIpLayer::new(trust))
        .layer(MockConnectInfo(peer));
    let mut req = Request::builder().uri("/");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let res = app.oneshot(req.body(Body::empty()).unwrap()).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(body.to_vec()).unwrap()
}

const XFF: &str = "x-forwarded-for";
const PROXY: &str = "10.0.0.2:40000";
const CLIENT: &str = "203.0.113.9:50000";

#[tokio::test]
async fn peer_ignores_every_header() {
    let got = client_ip(
        "peer",
        "0.0.0.0/0",
        CLIENT,
        &[(XFF, "1.1.1.1"), ("x-real-ip", "2.2.2.2")],
    )
    .await;
    assert_eq!(got, "203.0.113.9 peer");
}

#[tokio::test]
async fn rightmost_table() {
    let s = "rightmost:x-forwarded-for";
    let f = "rightmost:forwarded";
    let trusted = "10.0.0.0/8";
    // (strategy, peer, headers, expected)
    let cases: &[(&str, &str, &[(&str, &str)], &str)] = &[
        // An untrusted peer is the client, whatever it wrote (proxy-addr "trust none").
        (
            s,
            CLIENT,
            &[(XFF, "1.1.1.1")],
            "203.0.113.9 peer (the peer is not a trusted proxy)",
        ),
        (
            f,
            CLIENT,
            &[("forwarded", "for=1.1.1.1")],
            "203.0.113.9 peer (the peer is not a trusted proxy)",
        ),
        // One trusted proxy, honest chain.
        (
            s,
            PROXY,
            &[(XFF, "198.51.100.7")],
            "198.51.100.7 x-forwarded-for[0]",
        ),
        // A client forges an entry; the proxy appends the real one (nginx real_ip_recursive).
        (
            s,
            PROXY,
            &[(XFF, "6.6.6.6, 198.51.100.7")],
            "198.51.100.7 x-forwarded-for[0]",
        ),
        // Two and three trusted proxies.
        (
            s,
            PROXY,
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.5")],
            "198.51.100.7 x-forwarded-for[1]",
        ),
        (
            s,
            PROXY,
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.6, 10.0.0.5")],
            "198.51.100.7 x-forwarded-for[2]",
        ),
        // Several header lines are one list; the walk starts at the last line.
        (
            s,
            PROXY,
            &[(XFF, "6.6.6.6"), (XFF, "198.51.100.7, 10.0.0.5")],
            "198.51.100.7 x-forwarded-for[1]",
        ),
        // All trusted: the leftmost (proxy-addr).
        (
            s,
            PROXY,
            &[(XFF, "10.0.0.9, 10.0.0.5")],
            "10.0.0.9 x-forwarded-for[1]",
        ),
        // Absent header: the peer.
        (s, PROXY, &[], "10.0.0.2 peer (the header is absent)"),
        // A malformed entry stops the walk at the last vouched address.
        (
            s,
            PROXY,
            &[(XFF, "6.6.6.6, unknown, 10.0.0.5")],
            "10.0.0.5 x-forwarded-for[0] (malformed entry at index 1: the identifier `unknown`)",
        ),
        (
            s,
            PROXY,
            &[(XFF, "1.1.1.1, garbage")],
            "10.0.0.2 peer (malformed entry at index 0: not an IP address)",
        ),
        // IPv4-mapped peer and entries are IPv4 before the trust check.
        (
            s,
            "[::ffff:10.0.0.2]:1",
            &[(XFF, "::ffff:198.51.100.7")],
            "198.51.100.7 x-forwarded-for[0]",
        ),
        (
            s,
            PROXY,
            &[(XFF, "[2001:db8::7]:443")],
            "2001:db8::7 x-forwarded-for[0]",
        ),
        // RFC 7239 section 7.4 style chains.
        (
            f,
            PROXY,
            &[("forwarded", "for=6.6.6.6, for=198.51.100.7;proto=https")],
            "198.51.100.7 forwarded[0]",
        ),
        (
            f,
            PROXY,
            &[("forwarded", "for=198.51.100.7, for=10.0.0.5")],
            "198.51.100.7 forwarded[1]",
        ),
        (
            f,
            PROXY,
            &[("forwarded", r#"for="[2001:db8::7]:443""#)],
            "2001:db8::7 forwarded[0]",
        ),
        // A client's unmatched quote can't swallow what the proxy appended.
        (
            f,
            PROXY,
            &[("forwarded", r#"for="6.6.6.6, for=198.51.100.7"#)],
            "198.51.100.7 forwarded[0]",
        ),
        // Obfuscated and unknown stop the walk.
        (
            f,
            PROXY,
            &[("forwarded", "for=_hidden, for=10.0.0.5")],
            "10.0.0.5 forwarded[0] (malformed entry at index 1: an obfuscated identifier)",
        ),
        // The other family is ignored.
        (
            f,
            PROXY,
            &[(XFF, "1.1.1.1")],
            "10.0.0.2 peer (the header is absent)",
        ),
        (
            s,
            PROXY,
            &[("forwarded", "for=1.1.1.1")],
            "10.0.0.2 peer (the header is absent)",
        ),
    ];
    for (strategy, peer, headers, want) in cases {
        assert_eq!(
            client_ip(strategy, trusted, peer, headers).await,
            *want,
            "{strategy} {peer} {headers:?}"
        );
    }
}

#[tokio::test]
async fn empty_trusted_set_is_the_safe_default() {
    let app_default = ClientIpLayer::default();
    assert_eq!(
        app_default.trust().strategy().to_string(),
        "rightmost:x-forwarded-for"
    );
    assert!(app_default.trust().trusted_proxies().is_empty());
    let trust = ProxyTrust::default();
    assert_eq!(trust.strategy(), &ClientIpStrategy::default());
    assert!(trust.trusted_proxies().is_empty());
    let got = client_ip(
        "rightmost:x-forwarded-for",
        "",
        "127.0.0.1:1",
        &[(XFF, "1.1.1.1")],
    )
    .await;
    assert_eq!(got, "127.0.0.1 peer (the peer is not a trusted proxy)");
}

#[tokio::test]
async fn hops_table() {
    let cases: &[(&str, &str, &str, &[(&str, &str)], &str)] = &[
        // AWS ALB style: one hop, no listable addresses.
        (
            "hops:1:x-forwarded-for",
            "",
            CLIENT,
            &[(XFF, "6.6.6.6, 198.51.100.7")],
            "198.51.100.7 x-forwarded-for[0]",
        ),
        (
            "hops:2:x-forwarded-for",
            "",
            CLIENT,
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.5")],
            "198.51.100.7 x-forwarded-for[1]",
        ),
        // With a trusted set the peer must be in it.
        (
            "hops:1:x-forwarded-for",
            "10.0.0.0/8",
            CLIENT,
            &[(XFF, "1.1.1.1")],
            "203.0.113.9 peer (the peer is not a trusted proxy)",
        ),
        (
            "hops:1:x-forwarded-for",
            "10.0.0.0/8",
            PROXY,
            &[(XFF, "1.1.1.1")],
            "1.1.1.1 x-forwarded-for[0]",
        ),
        // Too short a chain: the peer (traced at debug, never warned).
        (
            "hops:3:x-forwarded-for",
            "",
            CLIENT,
            &[(XFF, "1.1.1.1, 2.2.2.2")],
            "203.0.113.9 peer (chain of 2 entries is shorter than the 3 configured hops)",
        ),
        (
            "hops:1:x-forwarded-for",
            "",
            CLIENT,
            &[],
            "203.0.113.9 peer (chain of 0 entries is shorter than the 1 configured hops)",
        ),
        // Malformed at the n-th place: peer.
        (
            "hops:2:x-forwarded-for",
            "",
            CLIENT,
            &[(XFF, "unknown, 10.0.0.5")],
            "203.0.113.9 peer (malformed entry at index 1: the identifier `unknown`)",
        ),
        (
            "hops:2:forwarded",
            "",
            CLIENT,
            &[("forwarded", "for=198.51.100.7, for=10.0.0.5")],
            "198.51.100.7 forwarded[1]",
        ),
    ];
    for (strategy, trusted, peer, headers, want) in cases {
        assert_eq!(
            client_ip(strategy, trusted, peer, headers).await,
            *want,
            "{strategy} {headers:?}"
        );
    }
}

#[tokio::test]
async fn single_table() {
    let cases: &[(&str, &str, &[(&str, &str)], &str)] = &[
        (
            "single:x-real-ip",
            PROXY,
            &[("x-real-ip", "198.51.100.7")],
            "198.51.100.7 x-real-ip[0]",
        ),
        (
            "single:cf-connecting-ip",
            PROXY,
            &[("cf-connecting-ip", "2001:db8::7")],
            "2001:db8::7 cf-connecting-ip[0]",
        ),
        (
            "single:true-client-ip",
            PROXY,
            &[("true-client-ip", "198.51.100.7:8080")],
            "198.51.100.7 true-client-ip[0]",
        ),
        (
            "single:fly-client-ip",
            PROXY,
            &[("fly-client-ip", "[2001:db8::7]:1")],
            "2001:db8::7 fly-client-ip[0]",
        ),
        (
            "single:cloudfront-viewer-address",
            PROXY,
            &[("cloudfront-viewer-address", "2001:db8::7:443")],
            "2001:db8::7 cloudfront-viewer-address[0]",
        ),
        // A client talking to us directly can't use it.
        (
            "single:x-real-ip",
            CLIENT,
            &[("x-real-ip", "1.1.1.1")],
            "203.0.113.9 peer (the peer is not a trusted proxy)",
        ),
        // Only exactly one line with exactly one address.
        (
            "single:x-real-ip",
            PROXY,
            &[("x-real-ip", "1.1.1.1"), ("x-real-ip", "2.2.2.2")],
            "10.0.0.2 peer (header repeated on several lines)",
        ),
        (
            "single:x-real-ip",
            PROXY,
            &[("x-real-ip", "1.1.1.1, 2.2.2.2")],
            "10.0.0.2 peer (header holds a list, not one address)",
        ),
        (
            "single:x-real-ip",
            PROXY,
            &[("x-real-ip", "unknown")],
            "10.0.0.2 peer (malformed entry at index 0: the identifier `unknown`)",
        ),
        (
            "single:x-real-ip",
            PROXY,
            &[],
            "10.0.0.2 peer (the header is absent)",
        ),
        // Other forwarding headers never count.
        (
            "single:x-real-ip",
            PROXY,
            &[(XFF, "1.1.1.1")],
            "10.0.0.2 peer (the header is absent)",
        ),
    ];
    for (strategy, peer, headers, want) in cases {
        assert_eq!(
            client_ip(strategy, "10.0.0.0/8", peer, headers).await,
            *want,
            "{strategy} {headers:?}"
        );
    }
}

#[tokio::test]
async fn leftmost_spoofable_table() {
    let s = "leftmost-spoofable:x-forwarded-for";
    let cases: &[(&str, &[(&str, &str)], &str)] = &[
        (
            PROXY,
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.5")],
            "6.6.6.6 x-forwarded-for[2]",
        ),
        (
            PROXY,
            &[(XFF, "192.168.1.1, garbage, 100.64.0.1, 198.51.100.7")],
            "198.51.100.7 x-forwarded-for[0]",
        ),
        (
            PROXY,
            &[(XFF, "192.168.1.1, 10.0.0.5")],
            "10.0.0.2 peer (no public address in the header)",
        ),
        (
            CLIENT,
            &[(XFF, "6.6.6.6")],
            "203.0.113.9 peer (the peer is not a trusted proxy)",
        ),
    ];
    for (peer, headers, want) in cases {
        assert_eq!(
            client_ip(s, "10.0.0.0/8", peer, headers).await,
            *want,
            "{headers:?}"
        );
    }
}

#[tokio::test]
async fn spoofing_never_yields_the_forged_address() {
    let forged = "6.6.6.6";
    let forgeries: &[(&str, &str)] = &[
        (XFF, forged),
        ("forwarded", "for=6.6.6.6"),
        ("x-real-ip", forged),
        ("cf-connecting-ip", forged),
        ("true-client-ip", forged),
    ];
    let strategies = [
        "peer",
        "rightmost:x-forwarded-for",
        "rightmost:forwarded",
        "single:x-real-ip",
        "single:cf-connecting-ip",
        "hops:1:x-forwarded-for",
    ];
    for strategy in strategies {
        for forgery in forgeries {
            // Directly, from an untrusted client.
            let got = client_ip(strategy, "10.0.0.0/8", CLIENT, &[*forgery]).await;
            assert!(
                got.starts_with("203.0.113.9 "),
                "{strategy} {forgery:?}: {got}"
            );
        }
        // Through a trusted proxy that appends to the chain headers.
        let through_proxy: &[(&str, &str)] = &[
            (XFF, "6.6.6.6, 198.51.100.7"),
            ("forwarded", "for=6.6.6.6, for=198.51.100.7"),
        ];
        let got = client_ip(strategy, "10.0.0.0/8", PROXY, through_proxy).await;
        assert!(!got.starts_with("6.6.6.6"), "{strategy}: {got}");
    }
}

#[tokio::test]
async fn missing_layer_and_missing_peer_are_explained() {
    async fn only_ip(ClientIp(ip): ClientIp) -> String {
        ip.to_string()
    }
    let app = Router::new().route("/", get(only_ip));
    let res = app.oneshot(Request::new(Body::empty())).await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("Is `ClientIpLayer` installed?"));

    let app = Router::new()
        .route("/", get(only_ip))
        .layer(ClientIpLayer::default());
    let res = app.oneshot(Request::new(Body::empty())).await.unwrap();
    assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert!(String::from_utf8_lossy(&body).contains("into_make_service_with_connect_info"));

    async fn optional(ip: Option<ClientIp>) -> String {
        format!("{ip:?}")
    }
    let app = Router::new().route("/", get(optional));
    let res = app.oneshot(Request::new(Body::empty())).await.unwrap();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(&body[..], b"None");
}

#[tokio::test]
async fn peer_addr_extension_works_without_axum_connect_info() {
    use crocodile_client_ip::PeerAddr;
    use std::convert::Infallible;
    use tower::{ServiceBuilder, service_fn};

    let svc = ServiceBuilder::new()
        .layer(ClientIpLayer::new(ProxyTrust::new(
            ClientIpStrategy::default(),
            "loopback".parse().unwrap(),
        )))
        .service(service_fn(|req: Request<()>| async move {
            Ok::<_, Infallible>(ClientIp::from_extensions(req.extensions()))
        }));
    let mut req = Request::builder()
        .header(XFF, "198.51.100.7")
        .body(())
        .unwrap();
    req.extensions_mut()
        .insert(PeerAddr("127.0.0.1:9".parse().unwrap()));
    let ip = svc.oneshot(req).await.unwrap();
    assert_eq!(ip, Some(ClientIp("198.51.100.7".parse().unwrap())));
}
