//! `BaseContextLayer` end to end through tower: every header source and
//! trust case, the 400 path, and request ids.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crocodile_base_context::{
    AllowedHosts, BaseContext, BaseContextLayer, PeerAddr, ProxyHeaders, RequestId, Scheme,
    XForwardedHops,
};
use http::header::HeaderName;
use http::{HeaderValue, Request, Response, StatusCode};
use tower::{Service, ServiceBuilder, ServiceExt};

const CLIENT: &str = "203.0.113.9:50000";
const PROXY_1: &str = "10.0.0.1:40000";

/// What a request produced: the status, the context the handler saw, the
/// echoed request id, the body.
#[derive(Debug)]
struct Outcome {
    status: StatusCode,
    ctx: Option<BaseContext>,
    echoed: Option<String>,
    body: String,
    handler_calls: usize,
}

impl Outcome {
    fn ctx(&self) -> &BaseContext {
        self.ctx
            .as_ref()
            .unwrap_or_else(|| panic!("no context: {} {}", self.status, self.body))
    }

    /// `(scheme, host, port)`.
    fn origin(&self) -> (Scheme, &str, u16) {
        let ctx = self.ctx();
        (ctx.scheme(), ctx.host(), ctx.port())
    }
}

fn layer() -> BaseContextLayer {
    BaseContextLayer::new(
        "10.0.0.0/8".parse().unwrap(),
        "*".parse::<AllowedHosts>().unwrap(),
    )
}

async fn run(layer: BaseContextLayer, peer: Option<&str>, mut req: Request<String>) -> Outcome {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let service = ServiceBuilder::new()
        .layer(layer)
        .service_fn(move |req: Request<String>| {
            counter.fetch_add(1, Ordering::SeqCst);
            async move {
                let mut res = Response::new(String::from("handled"));
                if let Some(ctx) = req.extensions().get::<BaseContext>() {
                    res.extensions_mut().insert(ctx.clone());
                }
                Ok::<_, Infallible>(res)
            }
        });
    if let Some(peer) = peer {
        req.extensions_mut()
            .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
    }
    let res = service.oneshot(req).await.unwrap();
    Outcome {
        status: res.status(),
        ctx: res.extensions().get::<BaseContext>().cloned(),
        echoed: res
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: res.into_body(),
        handler_calls: calls.load(Ordering::SeqCst),
    }
}

fn get(host: &str, headers: &[(&str, &str)]) -> Request<String> {
    let mut req = Request::get("/").header("host", host);
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    req.body(String::new()).unwrap()
}

// ---------------------------------------------------------------- X-Forwarded-*

#[tokio::test]
async fn untrusted_peer_headers_are_ignored() {
    let req = get(
        "example.com",
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.tld"),
            ("x-forwarded-port", "8443"),
            ("forwarded", "for=1.2.3.4;proto=https;host=evil.tld"),
        ],
    );
    let out = run(layer(), Some(CLIENT), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.ctx().peer(), Some(CLIENT.parse().unwrap()));
}

#[tokio::test]
async fn without_a_peer_address_nothing_is_trusted() {
    let req = get("example.com", &[("x-forwarded-proto", "https")]);
    let out = run(layer(), None, req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.ctx().peer(), None);
}

#[tokio::test]
async fn one_trusted_proxy_sets_scheme_host_and_port() {
    let req = get(
        "backend:8080",
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "Example.COM"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.ctx().origin(), "https://example.com");
    assert_eq!(out.ctx().home_url(), "https://example.com/");

    let req = get(
        "backend:8080",
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "example.com"),
            ("x-forwarded-port", "8443"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.ctx().origin(), "https://example.com:8443");
}

#[tokio::test]
async fn ipv4_mapped_peer_is_trusted_like_ipv4() {
    let req = get("backend", &[("x-forwarded-proto", "https")]);
    let out = run(layer(), Some("[::ffff:10.0.0.1]:4000"), req).await;
    assert_eq!(out.ctx().scheme(), Scheme::Https);
}

#[tokio::test]
async fn forwarded_port_overrides_the_host_port() {
    // werkzeug ProxyFix: x_port replaces the port of the (forwarded) host.
    let req = get(
        "backend",
        &[
            ("x-forwarded-host", "example.com:9000"),
            ("x-forwarded-port", "9443"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 9443));
}

#[tokio::test]
async fn overwriting_proxy_leaves_one_value_and_rightmost_wins() {
    // A proxy that appends after a client's forged value: the rightmost is its own.
    let req = get(
        "backend",
        &[
            ("x-forwarded-proto", "http, https"),
            ("x-forwarded-host", "evil.tld, example.com"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    // Across several header lines too.
    let mut req = get("backend", &[]);
    req.headers_mut()
        .append("x-forwarded-host", HeaderValue::from_static("evil.tld"));
    req.headers_mut()
        .append("x-forwarded-host", HeaderValue::from_static("example.com"));
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.ctx().host(), "example.com");
}

#[tokio::test]
async fn two_appending_proxies_use_the_second_value_from_the_right() {
    // client -> P2 (appends what the client used) -> P1 (appends what P2 used) -> us.
    let hops = XForwardedHops::default().proto(2).host(2);
    let req = get(
        "backend",
        &[
            ("x-forwarded-proto", "https, http"),
            ("x-forwarded-host", "example.com, p1.internal"),
        ],
    );
    let out = run(layer().x_forwarded_hops(hops), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn three_appending_proxies_and_a_client_forging_each_header() {
    let hops = XForwardedHops::all(3);
    let req = get(
        "backend",
        &[
            // The client's forged value, then one per proxy.
            ("x-forwarded-proto", "http, https, http, http"),
            (
                "x-forwarded-host",
                "evil.tld, example.com, p2.internal, p1.internal",
            ),
            ("x-forwarded-port", "1, 443, 80, 80"),
            ("x-forwarded-prefix", "/evil, /app, /p2, /p1"),
        ],
    );
    let out = run(layer().x_forwarded_hops(hops), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.ctx().home_url(), "https://example.com/app/");
}

#[tokio::test]
async fn fewer_values_than_hops_ignores_the_header() {
    // werkzeug ProxyFix `_get_real_value`: too few values means the chain is
    // not what the deployment said, and the leftmost may be the client's.
    let hops = XForwardedHops::all(2);
    let req = get(
        "example.com",
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.tld"),
        ],
    );
    let out = run(layer().x_forwarded_hops(hops), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
}

#[tokio::test]
async fn zero_hops_ignores_a_header_the_proxy_passes_through() {
    // The proxy sets X-Forwarded-Proto but passes the client's X-Forwarded-Host.
    let hops = XForwardedHops::default().host(0).port(0);
    let req = get(
        "example.com",
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.tld"),
            ("x-forwarded-port", "1234"),
        ],
    );
    let out = run(layer().x_forwarded_hops(hops), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn unrecognised_scheme_and_bad_port_from_a_proxy_are_ignored() {
    let req = get(
        "example.com",
        &[
            ("x-forwarded-proto", "javascript"),
            ("x-forwarded-port", "99999"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
}

#[tokio::test]
async fn prefix_only_when_enabled_and_valid() {
    let req = || get("example.com", &[("x-forwarded-prefix", "/app/")]);
    let out = run(layer(), Some(PROXY_1), req()).await;
    assert_eq!(out.ctx().home_url(), "http://example.com/");

    let enabled = || layer().x_forwarded_hops(XForwardedHops::default().prefix(1));
    let out = run(enabled(), Some(PROXY_1), req()).await;
    assert_eq!(out.ctx().base_path(), "/app");
    assert_eq!(out.ctx().home_url(), "http://example.com/app/");
    assert_eq!(out.ctx().url_for("/x y"), "http://example.com/app/x%20y");

    let bad = get("example.com", &[("x-forwarded-prefix", "//evil.tld")]);
    let out = run(
        enabled().base_path("/base".parse().unwrap()),
        Some(PROXY_1),
        bad,
    )
    .await;
    assert_eq!(out.ctx().home_url(), "http://example.com/base/");

    let untrusted = run(enabled(), Some(CLIENT), req()).await;
    assert_eq!(untrusted.ctx().base_path(), "");
}

#[tokio::test]
async fn x_forwarded_mode_ignores_forwarded() {
    let req = get(
        "example.com",
        &[("forwarded", "for=198.51.100.7;proto=https;host=evil.tld")],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
}

// ---------------------------------------------------------------- Forwarded

fn forwarded_layer() -> BaseContextLayer {
    layer().proxy_headers(ProxyHeaders::Forwarded)
}

async fn forwarded(peer: &str, lines: &[&str]) -> Outcome {
    let mut req = get("backend:8080", &[]);
    for line in lines {
        req.headers_mut()
            .append("forwarded", HeaderValue::from_str(line).unwrap());
    }
    run(forwarded_layer(), Some(peer), req).await
}

#[tokio::test]
async fn forwarded_one_proxy() {
    let out = forwarded(PROXY_1, &["for=198.51.100.7;proto=https;host=example.com"]).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn forwarded_two_proxies_read_the_outermost_trusted_element() {
    let out = forwarded(
        PROXY_1,
        &["for=198.51.100.7;proto=https;host=example.com, for=10.0.0.2;proto=http;host=p1.internal"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn forwarded_three_proxies_and_a_forging_client() {
    let out = forwarded(
        PROXY_1,
        &[
            // Forged by the client:
            "for=10.9.9.9;proto=http;host=evil.tld",
            // Written by P3 (outermost, saw the client), P2, P1:
            "for=198.51.100.7;proto=https;host=\"example.com:8443\", for=10.0.0.3;proto=http;host=p2, for=10.0.0.2;proto=http;host=p1",
        ],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 8443));
}

#[tokio::test]
async fn forwarded_client_forging_a_trusted_for_cannot_move_the_stop() {
    // The client writes `for=10.0.0.7` (a trusted address) with its own proto/host;
    // the outermost proxy appends the client's real address, so the walk stops there.
    let out = forwarded(
        PROXY_1,
        &["for=10.0.0.7;proto=http;host=evil.tld, for=198.51.100.7;proto=https;host=example.com"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn forwarded_missing_parameter_falls_back_rightwards_then_to_host() {
    let out = forwarded(
        PROXY_1,
        &["for=198.51.100.7;proto=https, for=10.0.0.2;host=example.com"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));

    let out = forwarded(PROXY_1, &["for=198.51.100.7;proto=https"]).await;
    assert_eq!(out.origin(), (Scheme::Https, "backend", 8080));

    // A parameter to the *left* of the stop was written by the client: never used.
    let out = forwarded(
        PROXY_1,
        &["for=1.2.3.4;host=evil.tld;proto=https, for=198.51.100.7"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Http, "backend", 8080));
}

#[tokio::test]
async fn forwarded_unknown_or_obfuscated_for_still_reads_that_element() {
    // The element was written by a trusted proxy that hides the client.
    for line in [
        "for=unknown;proto=https;host=example.com",
        "for=_hidden;proto=https;host=example.com",
        "proto=https;host=example.com",
    ] {
        let out = forwarded(PROXY_1, &[line]).await;
        assert_eq!(out.origin(), (Scheme::Https, "example.com", 443), "{line}");
    }
}

#[tokio::test]
async fn forwarded_broken_element_falls_back_to_the_right() {
    let out = forwarded(
        PROXY_1,
        &["for=\"198.51.100.7;proto=https, for=10.0.0.2;proto=https;host=example.com"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn forwarded_all_trusted_reads_the_leftmost() {
    let out = forwarded(
        PROXY_1,
        &["for=10.0.0.5;proto=https;host=example.com, for=10.0.0.2;proto=http;host=p1"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn forwarded_unrecognised_proto_is_ignored() {
    let out = forwarded(PROXY_1, &["for=198.51.100.7;proto=gopher;host=example.com"]).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
}

#[tokio::test]
async fn forwarded_from_untrusted_peer_is_ignored() {
    let out = forwarded(CLIENT, &["for=198.51.100.7;proto=https;host=evil.tld"]).await;
    assert_eq!(out.origin(), (Scheme::Http, "backend", 8080));
}

#[tokio::test]
async fn forwarded_mode_ignores_x_forwarded() {
    let req = get(
        "example.com",
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.tld"),
        ],
    );
    let out = run(forwarded_layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
}

#[tokio::test]
async fn forwarded_invalid_host_is_a_400() {
    let out = forwarded(
        PROXY_1,
        &["for=198.51.100.7;proto=https;host=\"example.com@evil.tld\""],
    )
    .await;
    assert_eq!(out.status, StatusCode::BAD_REQUEST);
    assert_eq!(out.handler_calls, 0);
}

// ---------------------------------------------------------------- Host, authority, 400

fn strict() -> BaseContextLayer {
    BaseContextLayer::new(
        "10.0.0.0/8".parse().unwrap(),
        "example.com, .example.org, [::1]:3000".parse().unwrap(),
    )
}

#[tokio::test]
async fn rejected_hosts_get_a_400_reason_and_never_reach_the_handler() {
    // (Host header, reason). Django `get_host` tests and RFC 9110/3986 hosts.
    let cases: &[(&[u8], &str)] = &[
        (b"evil.tld", "host not allowed"),
        (b"example.com.evil.tld", "host not allowed"),
        (b"evilexample.com", "host not allowed"),
        (b"[::1]:3001", "host not allowed"),
        (b"example.com@evil.tld", "invalid host: invalid character"),
        (b"example.com:80@evil.tld", "invalid host: invalid port"),
        (b"example.com:abc", "invalid host: invalid port"),
        (b"example.com:65536", "invalid host: invalid port"),
        (b"example.com:", "invalid host: invalid port"),
        (b"exa\tmple.com", "invalid host: invalid character"),
        (b"example.com\xff", "invalid host: invalid character"),
        (b"example.com/../evil", "invalid host: invalid character"),
        (b"", "invalid host: empty"),
        (b"[::1", "invalid host: invalid IPv6 literal"),
        (b"a..example.com", "invalid host: invalid name"),
    ];
    for (host, reason) in cases {
        let mut req = Request::get("/").body(String::new()).unwrap();
        req.headers_mut()
            .insert("host", HeaderValue::from_bytes(host).unwrap());
        let out = run(strict(), Some(CLIENT), req).await;
        let shown = String::from_utf8_lossy(host);
        assert_eq!(out.status, StatusCode::BAD_REQUEST, "{shown:?}");
        assert_eq!(out.body, *reason, "{shown:?}");
        assert_eq!(out.handler_calls, 0, "{shown:?}");
        assert!(out.echoed.is_some(), "the 400 carries the request id too");
    }
}

#[tokio::test]
async fn allowed_hosts_pass() {
    for (host, want) in [
        ("example.com", "example.com"),
        ("EXAMPLE.com.", "example.com"),
        ("example.com:8080", "example.com"),
        ("www.example.org", "www.example.org"),
        ("A.B.Example.Org", "a.b.example.org"),
        ("[::1]:3000", "[::1]"),
        ("[0:0::1]:3000", "[::1]"),
    ] {
        let out = run(strict(), Some(CLIENT), get(host, &[])).await;
        assert_eq!(out.status, StatusCode::OK, "{host}: {}", out.body);
        assert_eq!(out.ctx().host(), want);
        assert_eq!(out.handler_calls, 1);
    }
}

#[tokio::test]
async fn trusted_proxy_host_must_be_allowed_too() {
    let req = get("example.com", &[("x-forwarded-host", "evil.tld")]);
    let out = run(strict(), Some(PROXY_1), req).await;
    assert_eq!(out.status, StatusCode::BAD_REQUEST);
    assert_eq!(out.body, "host not allowed");
    // The port pin compares the effective port, after X-Forwarded-Port.
    let req = get("[::1]", &[("x-forwarded-port", "3000")]);
    let out = run(strict(), Some(PROXY_1), req).await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(out.ctx().origin(), "http://[::1]:3000");
}

#[tokio::test]
async fn missing_or_repeated_host_is_a_400() {
    let req = Request::get("/").body(String::new()).unwrap();
    let out = run(strict(), Some(CLIENT), req).await;
    assert_eq!(
        (out.status, out.body.as_str()),
        (StatusCode::BAD_REQUEST, "missing Host header")
    );

    let mut req = get("example.com", &[]);
    req.headers_mut()
        .append("host", HeaderValue::from_static("example.com"));
    let out = run(strict(), Some(CLIENT), req).await;
    assert_eq!(out.body, "more than one Host header");
    assert_eq!(out.handler_calls, 0);
}

#[tokio::test]
async fn authority_and_host_must_agree() {
    // RFC 9113 section 8.3.1: `:authority` (the URI authority) and a Host that differs.
    let req = |uri: &str, host: Option<&str>| {
        let mut req = Request::get(uri);
        if let Some(host) = host {
            req = req.header("host", host);
        }
        req.body(String::new()).unwrap()
    };
    let out = run(
        strict(),
        Some(CLIENT),
        req("https://example.com/", Some("evil.tld")),
    )
    .await;
    assert_eq!(out.status, StatusCode::BAD_REQUEST);
    assert_eq!(out.body, "Host header does not match the request authority");
    assert_eq!(out.handler_calls, 0);

    let out = run(strict(), Some(CLIENT), req("https://example.com/", None)).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));

    for host in ["EXAMPLE.COM", "example.com:443", "example.com.:443"] {
        let out = run(
            strict(),
            Some(CLIENT),
            req("https://example.com/", Some(host)),
        )
        .await;
        assert_eq!(out.status, StatusCode::OK, "{host}");
    }
    let out = run(
        strict(),
        Some(CLIENT),
        req("https://example.com/", Some("example.com:80")),
    )
    .await;
    assert_eq!(out.status, StatusCode::BAD_REQUEST);

    let out = run(
        strict(),
        Some(CLIENT),
        req("http://user@example.com/", None),
    )
    .await;
    assert_eq!(out.body, "invalid host: invalid character");
}

#[tokio::test]
async fn default_scheme_applies_without_uri_scheme_or_proxy() {
    let layer = strict().default_scheme(Scheme::Https);
    let out = run(layer.clone(), Some(CLIENT), get("example.com", &[])).await;
    assert_eq!(out.ctx().origin(), "https://example.com");
    let req = get("example.com", &[("x-forwarded-proto", "http")]);
    let out = run(layer, Some(PROXY_1), req).await;
    assert_eq!(out.ctx().origin(), "http://example.com");
}

// ---------------------------------------------------------------- request id

#[tokio::test]
async fn request_id_is_generated_and_echoed() {
    let out = run(layer(), Some(CLIENT), get("example.com", &[])).await;
    let id = out.ctx().request_id();
    assert!(id.is_generated());
    assert_eq!(id.as_str().len(), 26);
    assert_eq!(out.echoed.as_deref(), Some(id.as_str()));
}

#[tokio::test]
async fn request_id_accepted_from_a_trusted_peer_only() {
    let req = || get("example.com", &[("x-request-id", "abc-123")]);
    let out = run(layer(), Some(PROXY_1), req()).await;
    assert_eq!(out.ctx().request_id(), "abc-123");
    assert_eq!(out.echoed.as_deref(), Some("abc-123"));

    let out = run(layer(), Some(CLIENT), req()).await;
    assert!(out.ctx().request_id().is_generated());
    assert_ne!(out.echoed.as_deref(), Some("abc-123"));
}

#[tokio::test]
async fn invalid_incoming_request_ids_are_replaced() {
    let too_long = "a".repeat(129);
    for bad in ["has space", "", too_long.as_str(), "caf\u{e9}"] {
        let mut req = get("example.com", &[]);
        req.headers_mut().insert(
            "x-request-id",
            HeaderValue::from_bytes(bad.as_bytes()).unwrap(),
        );
        let out = run(layer(), Some(PROXY_1), req).await;
        assert!(out.ctx().request_id().is_generated(), "{bad:?}");
    }
    let mut req = get("example.com", &[("x-request-id", "one")]);
    req.headers_mut()
        .append("x-request-id", HeaderValue::from_static("two"));
    let out = run(layer(), Some(PROXY_1), req).await;
    assert!(out.ctx().request_id().is_generated());

    let max = "b".repeat(128);
    let out = run(
        layer(),
        Some(PROXY_1),
        get("example.com", &[("x-request-id", &max)]),
    )
    .await;
    assert_eq!(out.ctx().request_id(), max.as_str());
}

#[tokio::test]
async fn echo_does_not_clobber_a_header_the_handler_set() {
    let service = ServiceBuilder::new()
        .layer(layer())
        .service_fn(|_req: Request<String>| async {
            let mut res = Response::new(String::new());
            res.headers_mut()
                .insert("x-request-id", HeaderValue::from_static("mine"));
            Ok::<_, Infallible>(res)
        });
    let res = service.oneshot(get("example.com", &[])).await.unwrap();
    assert_eq!(res.headers()["x-request-id"], "mine");
    assert_eq!(res.headers().get_all("x-request-id").iter().count(), 1);
}

#[tokio::test]
async fn request_id_header_name_is_configurable() {
    let name = HeaderName::from_static("x-correlation-id");
    let layer = layer().request_id_header(name.clone());
    let mut service =
        ServiceBuilder::new()
            .layer(layer)
            .service_fn(|req: Request<String>| async move {
                let ctx = req.extensions().get::<BaseContext>().unwrap();
                Ok::<_, Infallible>(Response::new(ctx.request_id().to_string()))
            });
    let mut req = get(
        "example.com",
        &[("x-correlation-id", "corr-1"), ("x-request-id", "other")],
    );
    req.extensions_mut()
        .insert(PeerAddr(PROXY_1.parse().unwrap()));
    let res = service.ready().await.unwrap().call(req).await.unwrap();
    assert_eq!(res.headers()["x-correlation-id"], "corr-1");
    assert!(res.headers().get("x-request-id").is_none());
    assert_eq!(res.into_body(), "corr-1");
}

#[tokio::test]
async fn ids_of_concurrent_requests_differ() {
    let mut ids = std::collections::HashSet::new();
    for _ in 0..100 {
        let out = run(layer(), Some(CLIENT), get("example.com", &[])).await;
        assert!(ids.insert(out.echoed.unwrap()));
    }
}

#[tokio::test]
async fn request_id_displays_for_tracing() {
    let out = run(
        layer(),
        Some(PROXY_1),
        get("example.com", &[("x-request-id", "r-1")]),
    )
    .await;
    let id: &RequestId = out.ctx().request_id();
    assert_eq!(format!("{id}"), "r-1");
}

// ---------------------------------------------------------------- misc

#[tokio::test]
async fn applied_twice_the_outer_context_stays() {
    let calls = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&calls);
    let service = ServiceBuilder::new()
        .layer(layer())
        .layer(strict())
        .service_fn(move |req: Request<String>| {
            counter.fetch_add(1, Ordering::SeqCst);
            let host = req
                .extensions()
                .get::<BaseContext>()
                .unwrap()
                .host()
                .to_owned();
            async move { Ok::<_, Infallible>(Response::new(host)) }
        });
    // `strict()` would refuse this host, but the outer layer already decided.
    let res = service.oneshot(get("evil.tld", &[])).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.into_body(), "evil.tld");
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn received_at_is_now() {
    let before = std::time::SystemTime::now();
    let out = run(layer(), Some(CLIENT), get("example.com", &[])).await;
    let after = std::time::SystemTime::now();
    let at = out.ctx().received_at();
    assert!(before <= at && at <= after);
    assert_eq!(out.ctx().received_at_rfc3339().to_string().len(), 24);
}

#[tokio::test]
async fn bounded_work_on_64_kib_headers() {
    let big_xf = format!("{}example.com", "evil.tld, ".repeat(6_500));
    // The walk crosses 4,000 trusted hops before it finds the client.
    let big_fwd = format!(
        "for=1.2.3.4;host=evil.tld, for=198.51.100.7;proto=https;host=example.com{}",
        ", for=10.1.1.1".repeat(4_000)
    );
    let start = std::time::Instant::now();
    for _ in 0..20 {
        let req = get(
            "example.com",
            &[
                ("x-forwarded-host", &big_xf),
                ("x-forwarded-proto", &big_xf),
            ],
        );
        let out = run(layer(), Some(PROXY_1), req).await;
        assert_eq!(out.ctx().host(), "example.com");
        let req = get("backend", &[("forwarded", &big_fwd)]);
        let out = run(forwarded_layer(), Some(PROXY_1), req).await;
        assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
