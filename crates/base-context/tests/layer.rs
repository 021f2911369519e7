//! `BaseContextLayer` end to end through tower: every header source and
//! trust case, the one-hop rule for chains of proxies, the 400 path, and
//! request ids.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crocodile_base_context::{
    AllowedHosts, BaseContext, BaseContextLayer, ForwardedGrammar, Hop, PeerAddr, ProxyHeaders,
    ProxyTrust, RequestId, Scheme, TrustedProxies, XForwardedHeaders,
};
use crocodile_forwarded::{Fallback, Ignored, Source};
use http::header::HeaderName;
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tower::{Service, ServiceBuilder, ServiceExt};

/// A client that reaches the server directly (not a trusted proxy).
const CLIENT: &str = "203.0.113.9:50000";
/// The socket peer when proxies stand in front: P1, the nearest.
const PROXY_1: &str = "10.0.0.1:40000";
/// The client's address as the outermost proxy saw it.
const VISITOR: &str = "198.51.100.7";
/// Whom every layer here trusts, unless a test says otherwise.
const TRUSTED: &str = "10.0.0.0/8";

/// What a request produced: the status, the context and hop the handler
/// saw, the request's headers, the echoed request id, the body.
#[derive(Debug)]
struct Outcome {
    status: StatusCode,
    ctx: Option<BaseContext>,
    hop: Option<Hop>,
    headers: Option<HeaderMap>,
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

    /// The `Hop` extension the handler saw.
    fn hop(&self) -> Hop {
        self.hop
            .unwrap_or_else(|| panic!("no hop: {} {}", self.status, self.body))
    }

    /// The hop's host, read from the request's headers.
    fn hop_host(&self) -> Result<String, Ignored> {
        let headers = self.headers.as_ref().expect("the handler ran");
        self.hop()
            .host(headers)
            .map(|host| String::from_utf8_lossy(&host).into_owned())
    }

    /// The hop's prefix, read from the request's headers.
    fn hop_prefix(&self) -> Result<String, Ignored> {
        let headers = self.headers.as_ref().expect("the handler ran");
        self.hop()
            .prefix(headers)
            .map(|prefix| String::from_utf8_lossy(&prefix).into_owned())
    }

    /// `(scheme, host, port)`.
    fn origin(&self) -> (Scheme, &str, u16) {
        let ctx = self.ctx();
        (ctx.scheme(), ctx.host(), ctx.port())
    }
}

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

/// A model trusting [`TRUSTED`], with this strategy and the default
/// `X-Forwarded-*` headers (`proto,host`).
fn trust(strategy: &str) -> ProxyTrust {
    trust_with(strategy, XForwardedHeaders::default())
}

fn trust_with(strategy: &str, x_forwarded: XForwardedHeaders) -> ProxyTrust {
    ProxyTrust::builder()
        .strategy(strategy.parse().unwrap())
        .trusted_proxies(TRUSTED.parse().unwrap())
        .x_forwarded(x_forwarded)
        .build()
        .unwrap()
}

/// A layer answering for any host.
fn any_host(trust: ProxyTrust) -> BaseContextLayer {
    BaseContextLayer::new(trust, "*".parse::<AllowedHosts>().unwrap())
}

/// `rightmost:x-forwarded-for`, trusting [`TRUSTED`], any host.
fn layer() -> BaseContextLayer {
    any_host(trust("rightmost:x-forwarded-for"))
}

/// [`layer`] believing these `X-Forwarded-*` headers.
fn x_forwarded(headers: XForwardedHeaders) -> BaseContextLayer {
    any_host(trust_with("rightmost:x-forwarded-for", headers))
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
                if let Some(hop) = req.extensions().get::<Hop>() {
                    res.extensions_mut().insert(*hop);
                }
                res.extensions_mut().insert(req.headers().clone());
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
        hop: res.extensions().get::<Hop>().copied(),
        headers: res.extensions().get::<HeaderMap>().cloned(),
        echoed: res
            .headers()
            .get("x-request-id")
            .map(|v| v.to_str().unwrap().to_owned()),
        body: text(res.into_body()).await,
        handler_calls: calls.load(Ordering::SeqCst),
    }
}

/// A response body as text.
async fn text<B: http_body::Body<Error = Infallible>>(body: B) -> String {
    let bytes = body.collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
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
    assert_eq!(out.hop().fallback(), Some(Fallback::PeerUntrusted));
    assert_eq!(out.hop().proto(), Err(Ignored::NotBelieved));
}

#[tokio::test]
async fn without_a_peer_address_nothing_is_trusted() {
    let req = get("example.com", &[("x-forwarded-proto", "https")]);
    let out = run(layer(), None, req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.ctx().peer(), None);
    assert_eq!(out.ctx().client_ip(), None);
    assert_eq!(out.hop().fallback(), Some(Fallback::NoPeerAddress));
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

    // X-Forwarded-Port is believed only when enabled (api change: it used to
    // be on by default).
    let req = || {
        get(
            "backend:8080",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "example.com"),
                ("x-forwarded-port", "8443"),
            ],
        )
    };
    let out = run(layer(), Some(PROXY_1), req()).await;
    assert_eq!(out.ctx().origin(), "https://example.com");
    let with_port = x_forwarded(XForwardedHeaders::default().with_port(true));
    let out = run(with_port, Some(PROXY_1), req()).await;
    assert_eq!(out.ctx().origin(), "https://example.com:8443");
}

#[tokio::test]
async fn ipv4_mapped_peer_is_trusted_like_ipv4() {
    let req = get("backend", &[("x-forwarded-proto", "https")]);
    let out = run(layer(), Some("[::ffff:10.0.0.1]:4000"), req).await;
    assert_eq!(out.ctx().scheme(), Scheme::Https);
    assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.1")));
}

#[tokio::test]
async fn forwarded_port_overrides_the_host_port() {
    // werkzeug ProxyFix: x_port replaces the port of the (forwarded) host,
    // once X-Forwarded-Port is enabled.
    let req = || {
        get(
            "backend",
            &[
                ("x-forwarded-host", "example.com:9000"),
                ("x-forwarded-port", "9443"),
            ],
        )
    };
    let with_port = x_forwarded(XForwardedHeaders::default().with_port(true));
    let out = run(with_port, Some(PROXY_1), req()).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 9443));
    // By default the forwarded host's own port holds.
    let out = run(layer(), Some(PROXY_1), req()).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 9000));
}

#[tokio::test]
async fn overwriting_proxy_leaves_one_value_and_rightmost_wins() {
    // One proxy (k = 0) that appends after a client's forged value: the
    // rightmost is its own.
    let req = get(
        "backend",
        &[
            ("x-forwarded-proto", "http, https"),
            ("x-forwarded-host", "evil.tld, example.com"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.hop().index(), Some(0));
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
    // The hop index comes from the strategy: X-Forwarded-For's walk stops at
    // the client, one entry left of P2's address.
    let req = get(
        "backend",
        &[
            ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
            ("x-forwarded-proto", "https, http"),
            ("x-forwarded-host", "example.com, p1.internal"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.hop().index(), Some(1));
}

#[tokio::test]
async fn three_appending_proxies_and_a_client_forging_each_header() {
    let req = get(
        "backend",
        &[
            // The client's forged value, then one per proxy.
            (
                "x-forwarded-for",
                "6.6.6.6, 198.51.100.7, 10.0.0.3, 10.0.0.2",
            ),
            ("x-forwarded-proto", "http, https, http, http"),
            (
                "x-forwarded-host",
                "evil.tld, example.com, p2.internal, p1.internal",
            ),
            ("x-forwarded-port", "1, 443, 80, 80"),
            ("x-forwarded-prefix", "/evil, /app, /p2, /p1"),
        ],
    );
    let out = run(x_forwarded(XForwardedHeaders::all()), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.ctx().home_url(), "https://example.com/app/");
    assert_eq!(out.ctx().client_ip(), Some(ip(VISITOR)));
    assert_eq!(out.hop().index(), Some(2));
}

#[tokio::test]
async fn one_value_is_an_overwriting_proxy_and_too_few_are_ignored() {
    // api change: werkzeug's ProxyFix ignored a header with fewer values than
    // the configured hops. Now one value is what an overwriting proxy wrote
    // (the edge sets it, the inner hops pass it through) and is used ...
    let req = get(
        "example.com",
        &[
            ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "www.example.com"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "www.example.com", 443));
    // ... while more than one but fewer than k + 1 can't be attributed to
    // the hop: the request's own values hold.
    let req = get(
        "example.com",
        &[
            ("x-forwarded-for", "198.51.100.7, 10.0.0.3, 10.0.0.2"),
            ("x-forwarded-proto", "https, http"),
            ("x-forwarded-host", "evil.tld, p2.internal"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.hop().proto(), Err(Ignored::InconsistentCount));
}

#[tokio::test]
async fn a_header_turned_off_is_ignored_when_the_proxy_passes_it_through() {
    // The proxy sets X-Forwarded-Proto but passes the client's X-Forwarded-Host
    // (and X-Forwarded-Port, off by default) through.
    let req = get(
        "example.com",
        &[
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.tld"),
            ("x-forwarded-port", "1234"),
        ],
    );
    let proto_only = x_forwarded(XForwardedHeaders::default().with_host(false));
    let out = run(proto_only, Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.hop_host(), Err(Ignored::NotEnabled));
    assert_eq!(out.hop().port(), Err(Ignored::NotEnabled));

    // `none()`: only X-Forwarded-For is read.
    let req = get(
        "example.com",
        &[("x-forwarded-for", VISITOR), ("x-forwarded-proto", "https")],
    );
    let out = run(x_forwarded(XForwardedHeaders::none()), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.ctx().client_ip(), Some(ip(VISITOR)));
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
    let with_port = x_forwarded(XForwardedHeaders::default().with_port(true));
    let out = run(with_port, Some(PROXY_1), req).await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.hop().proto(), Err(Ignored::Invalid));
    assert_eq!(out.hop().port(), Err(Ignored::Invalid));
}

#[tokio::test]
async fn prefix_only_when_enabled_and_valid() {
    let req = || get("example.com", &[("x-forwarded-prefix", "/app/")]);
    let out = run(layer(), Some(PROXY_1), req()).await;
    assert_eq!(out.ctx().home_url(), "http://example.com/");
    assert_eq!(out.hop_prefix(), Err(Ignored::NotEnabled));

    let enabled = || x_forwarded(XForwardedHeaders::default().with_prefix(true));
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

    // Appending proxies: the prefix of the hop, like every other header.
    let req = get(
        "example.com",
        &[
            ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
            ("x-forwarded-prefix", "/evil, /app, /p1"),
        ],
    );
    let out = run(enabled(), Some(PROXY_1), req).await;
    assert_eq!(out.ctx().home_url(), "http://example.com/app/");
}

#[tokio::test]
async fn x_forwarded_mode_ignores_forwarded() {
    let req = get(
        "example.com",
        &[("forwarded", "for=198.51.100.7;proto=https;host=evil.tld")],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    // Nor does the client address come from it.
    assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.1")));
}

// ---------------------------------------------------------------- chains of 1 to 3 proxies

/// `X-Forwarded-For` as `n` appending proxies leave it (client -> P`n` ->
/// ... -> P1 -> us, P`i` at 10.0.0.`i`), after an address the client forged:
/// the forged one, the visitor (written by P`n`), then P`n`..P2.
fn xff_chain(n: usize) -> String {
    let mut entries = vec!["6.6.6.6".to_owned(), VISITOR.to_owned()];
    entries.extend((2..=n).rev().map(|i| format!("10.0.0.{i}")));
    entries.join(", ")
}

/// A header as `n` appending proxies leave it: the client's forged value,
/// the outermost proxy's `theirs`, then what each inner proxy P`i` appends.
fn appended(forged: &str, theirs: &str, inner: fn(usize) -> String, n: usize) -> Vec<String> {
    let mut values = vec![forged.to_owned(), theirs.to_owned()];
    values.extend((1..n).rev().map(inner));
    values
}

fn http(_: usize) -> String {
    "http".to_owned()
}

fn internal(i: usize) -> String {
    format!("p{i}.internal")
}

fn chain_strategies(n: usize) -> [String; 2] {
    [
        "rightmost:x-forwarded-for".to_owned(),
        format!("hops:{n}:x-forwarded-for"),
    ]
}

#[tokio::test]
async fn appending_chains_of_one_to_three_proxies_read_the_outermost_hop() {
    for n in 1..=3 {
        for strategy in chain_strategies(n) {
            let proto = appended("http", "https", http, n).join(", ");
            let host = appended("evil.tld", "example.com", internal, n).join(", ");
            let req = get(
                "backend:8080",
                &[
                    ("x-forwarded-for", &xff_chain(n)),
                    ("x-forwarded-proto", &proto),
                    ("x-forwarded-host", &host),
                ],
            );
            let out = run(any_host(trust(&strategy)), Some(PROXY_1), req).await;
            let case = format!("{strategy}, {n} proxies");
            assert_eq!(out.origin(), (Scheme::Https, "example.com", 443), "{case}");
            assert_eq!(out.hop().index(), Some(n - 1), "{case}");
            assert_eq!(out.ctx().client_ip(), Some(ip(VISITOR)), "{case}");
        }
    }
}

#[tokio::test]
async fn appending_chains_on_separate_header_lines() {
    // HAProxy's `option forwardfor` adds a line per hop; lines count as one list.
    for n in 1..=3 {
        for strategy in chain_strategies(n) {
            let mut req = get("backend:8080", &[]);
            let headers = req.headers_mut();
            for entry in xff_chain(n).split(", ") {
                headers.append("x-forwarded-for", HeaderValue::from_str(entry).unwrap());
            }
            for value in appended("http", "https", http, n) {
                headers.append("x-forwarded-proto", HeaderValue::from_str(&value).unwrap());
            }
            for value in appended("evil.tld", "example.com", internal, n) {
                headers.append("x-forwarded-host", HeaderValue::from_str(&value).unwrap());
            }
            let out = run(any_host(trust(&strategy)), Some(PROXY_1), req).await;
            let case = format!("{strategy}, {n} proxies");
            assert_eq!(out.origin(), (Scheme::Https, "example.com", 443), "{case}");
        }
    }
}

#[tokio::test]
async fn overwriting_chains_of_one_to_three_proxies_use_the_one_value() {
    // The edge sets X-Forwarded-Proto/-Host (erasing the client's); the inner
    // hops append to X-Forwarded-For only and pass the rest through.
    for n in 1..=3 {
        for strategy in chain_strategies(n) {
            let req = get(
                "backend:8080",
                &[
                    ("x-forwarded-for", &xff_chain(n)),
                    ("x-forwarded-proto", "https"),
                    ("x-forwarded-host", "example.com:8443"),
                ],
            );
            let out = run(any_host(trust(&strategy)), Some(PROXY_1), req).await;
            let case = format!("{strategy}, {n} proxies");
            assert_eq!(out.origin(), (Scheme::Https, "example.com", 8443), "{case}");
            assert_eq!(out.hop().index(), Some(n - 1), "{case}");
            assert_eq!(out.hop_host().as_deref(), Ok("example.com:8443"), "{case}");
        }
    }
}

#[tokio::test]
async fn asymmetric_counts_fall_back_to_the_request_own_values() {
    // X-Forwarded-For has 3 entries and the walk stops at k = 2, but
    // X-Forwarded-Proto and -Host have 2: neither one overwriting proxy nor
    // one appending proxy per hop wrote them.
    for strategy in ["rightmost:x-forwarded-for", "hops:3:x-forwarded-for"] {
        let req = get(
            "backend:8080",
            &[
                ("x-forwarded-for", "198.51.100.7, 10.0.0.3, 10.0.0.2"),
                ("x-forwarded-proto", "https, http"),
                ("x-forwarded-host", "example.com, p2.internal"),
            ],
        );
        let out = run(any_host(trust(strategy)), Some(PROXY_1), req).await;
        assert_eq!(out.origin(), (Scheme::Http, "backend", 8080), "{strategy}");
        let hop = out.hop();
        assert_eq!(hop.index(), Some(2), "{strategy}");
        assert_eq!(hop.client(), Some(ip(VISITOR)), "{strategy}");
        assert_eq!(hop.proto(), Err(Ignored::InconsistentCount), "{strategy}");
        assert_eq!(
            out.hop_host(),
            Err(Ignored::InconsistentCount),
            "{strategy}"
        );
    }

    // Each header is judged on its own. At k = 1: 2 entries of
    // X-Forwarded-Proto are one per appending proxy, and so are the right two
    // of 3 X-Forwarded-Host entries (the client forged the leftmost).
    let req = get(
        "backend:8080",
        &[
            ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
            ("x-forwarded-proto", "https, http"),
            ("x-forwarded-host", "evil.tld, example.com, p1.internal"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    // At k = 2: one X-Forwarded-Proto is an overwriting proxy's, while 2
    // X-Forwarded-Port entries are inconsistent.
    let req = get(
        "example.com",
        &[
            ("x-forwarded-for", "198.51.100.7, 10.0.0.3, 10.0.0.2"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-port", "8443, 80"),
        ],
    );
    let with_port = x_forwarded(XForwardedHeaders::default().with_port(true));
    let out = run(with_port, Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.hop().port(), Err(Ignored::InconsistentCount));
}

#[tokio::test]
async fn a_malformed_entry_reads_the_hop_that_wrote_it() {
    // P2 (10.0.0.2) hides its client behind `unknown`: the client is P2, and
    // the hop is P2, whose X-Forwarded-Proto entry is the second from the right.
    let req = get(
        "backend",
        &[
            ("x-forwarded-for", "6.6.6.6, unknown, 10.0.0.2"),
            ("x-forwarded-proto", "http, https, http"),
        ],
    );
    let out = run(layer(), Some(PROXY_1), req).await;
    assert_eq!(out.ctx().scheme(), Scheme::Https);
    assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.2")));
    assert_eq!(out.hop().index(), Some(1));
    assert!(matches!(
        out.hop().fallback(),
        Some(Fallback::MalformedEntry { index: 1, .. })
    ));
}

#[tokio::test]
async fn hops_chain_too_short_or_malformed_believes_no_proxy_header() {
    for xff in ["198.51.100.7", "unknown, 10.0.0.2", ""] {
        let mut req = get(
            "example.com",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.tld"),
                ("x-request-id", "from-proxy"),
            ],
        );
        if !xff.is_empty() {
            req.headers_mut()
                .insert("x-forwarded-for", HeaderValue::from_str(xff).unwrap());
        }
        let out = run(
            any_host(trust("hops:2:x-forwarded-for")),
            Some(PROXY_1),
            req,
        )
        .await;
        assert_eq!(out.origin(), (Scheme::Http, "example.com", 80), "{xff:?}");
        assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.1")), "{xff:?}");
        assert!(out.ctx().request_id().is_generated(), "{xff:?}");
        assert!(!out.hop().is_proxied(), "{xff:?}");
        assert!(
            matches!(
                out.hop().fallback(),
                Some(Fallback::ChainTooShort { .. } | Fallback::MalformedEntry { index: 1, .. })
            ),
            "{xff:?}: {:?}",
            out.hop().fallback()
        );
    }
}

#[tokio::test]
async fn hops_without_a_trusted_set_goes_by_the_count_alone() {
    // Documented: with an empty trusted set `hops:` can't tell a proxy from
    // a client that reaches the server directly.
    let trust = ProxyTrust::new(
        "hops:1:x-forwarded-for".parse().unwrap(),
        TrustedProxies::none(),
    );
    let req = || {
        get(
            "backend",
            &[
                ("x-forwarded-for", VISITOR),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "example.com"),
            ],
        )
    };
    let out = run(any_host(trust.clone()), Some(CLIENT), req()).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.ctx().client_ip(), Some(ip(VISITOR)));
    // Without the chain, nothing.
    let req = get("backend", &[("x-forwarded-proto", "https")]);
    let out = run(any_host(trust), Some(CLIENT), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "backend", 80));
}

#[tokio::test]
async fn a_client_behind_stock_nginx_cannot_choose_the_port() {
    // Stock nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`,
    // X-Forwarded-Proto and -Host set, X-Forwarded-Port never touched, so the
    // client's passes through.
    let req = |host: &str| {
        get(
            "backend:8080",
            &[
                ("x-forwarded-for", VISITOR),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", host),
                ("x-forwarded-port", "1337"),
            ],
        )
    };
    let out = run(layer(), Some(PROXY_1), req("example.com")).await;
    assert_eq!(out.ctx().home_url(), "https://example.com/");
    assert_eq!(out.hop().port(), Err(Ignored::NotEnabled));
    // The port in X-Forwarded-Host (nginx's `$http_host`) holds.
    let out = run(layer(), Some(PROXY_1), req("example.com:8443")).await;
    assert_eq!(out.ctx().home_url(), "https://example.com:8443/");
    // A port pinned in the allowed hosts still matches: the forged port
    // never reaches it.
    let pinned = BaseContextLayer::new(
        trust("rightmost:x-forwarded-for"),
        "example.com:443".parse().unwrap(),
    );
    let out = run(pinned, Some(PROXY_1), req("example.com")).await;
    assert_eq!(out.status, StatusCode::OK);

    // Believed only for a proxy configured to set it.
    let with_port = || x_forwarded(XForwardedHeaders::default().with_port(true));
    let out = run(with_port(), Some(PROXY_1), req("example.com:8443")).await;
    assert_eq!(out.ctx().home_url(), "https://example.com:1337/");
    let out = run(with_port(), Some(CLIENT), req("example.com")).await;
    assert_eq!(out.ctx().home_url(), "http://backend:8080/");
}

// ---------------------------------------------------------------- forging from an untrusted peer

/// Every strategy string, as a model trusting [`TRUSTED`] with every
/// `X-Forwarded-*` header enabled.
const STRATEGIES: [&str; 9] = [
    "peer",
    "rightmost:x-forwarded-for",
    "rightmost:forwarded",
    "hops:1:x-forwarded-for",
    "hops:2:forwarded",
    "single:x-real-ip",
    "single:cf-connecting-ip",
    "leftmost-spoofable:x-forwarded-for",
    "leftmost-spoofable:forwarded",
];

#[tokio::test]
async fn a_client_forging_each_header_from_an_untrusted_peer_never_wins() {
    let forged: &[(&str, &str)] = &[
        ("x-forwarded-proto", "https"),
        ("x-forwarded-host", "evil.tld"),
        ("x-forwarded-port", "1337"),
        ("x-forwarded-prefix", "/evil"),
        ("forwarded", "for=6.6.6.6;proto=https;host=evil.tld"),
        ("x-request-id", "forged-id"),
        ("x-forwarded-for", "6.6.6.6, 10.0.0.2"),
        ("x-real-ip", "6.6.6.6"),
        ("cf-connecting-ip", "6.6.6.6"),
    ];
    for strategy in STRATEGIES {
        let trust = trust_with(strategy, XForwardedHeaders::all());
        let all_at_once: Vec<(&str, &str)> = forged.to_vec();
        for headers in forged
            .iter()
            .map(std::slice::from_ref)
            .chain([all_at_once.as_slice()])
        {
            let req = get("example.com", headers);
            let out = run(any_host(trust.clone()), Some(CLIENT), req).await;
            let case = format!("{strategy}: {headers:?}");
            assert_eq!(out.ctx().home_url(), "http://example.com/", "{case}");
            assert!(out.ctx().request_id().is_generated(), "{case}");
            assert_ne!(out.echoed.as_deref(), Some("forged-id"), "{case}");
            assert_eq!(out.ctx().client_ip(), Some(ip("203.0.113.9")), "{case}");
            assert!(!out.hop().is_proxied(), "{case}");
        }
    }
}

#[tokio::test]
async fn client_ip_comes_from_the_hop_for_each_strategy() {
    let headers: &[(&str, &str)] = &[
        (
            "x-forwarded-for",
            "10.9.9.9, 6.6.6.6, 198.51.100.7, 10.0.0.2",
        ),
        (
            "forwarded",
            "for=10.9.9.9, for=6.6.6.6, for=198.51.100.7, for=10.0.0.2",
        ),
        ("x-real-ip", "192.0.2.44"),
        ("cf-connecting-ip", "192.0.2.55"),
    ];
    // (strategy, the client behind the trusted P1, its source)
    let cases = [
        ("peer", "10.0.0.1", "peer"),
        ("rightmost:x-forwarded-for", VISITOR, "x-forwarded-for[1]"),
        ("rightmost:forwarded", VISITOR, "forwarded[1]"),
        ("hops:1:x-forwarded-for", "10.0.0.2", "x-forwarded-for[0]"),
        ("hops:2:forwarded", VISITOR, "forwarded[1]"),
        ("hops:3:x-forwarded-for", "6.6.6.6", "x-forwarded-for[2]"),
        ("single:x-real-ip", "192.0.2.44", "x-real-ip[0]"),
        (
            "single:cf-connecting-ip",
            "192.0.2.55",
            "cf-connecting-ip[0]",
        ),
        (
            "leftmost-spoofable:x-forwarded-for",
            "6.6.6.6",
            "x-forwarded-for[2]",
        ),
        ("leftmost-spoofable:forwarded", "6.6.6.6", "forwarded[2]"),
    ];
    for (strategy, client, source) in cases {
        let trust = trust(strategy);
        let out = run(
            any_host(trust.clone()),
            Some(PROXY_1),
            get("example.com", headers),
        )
        .await;
        assert_eq!(out.ctx().client_ip(), Some(ip(client)), "{strategy}");
        assert_eq!(out.hop().client(), out.ctx().client_ip(), "{strategy}");
        assert_eq!(
            out.ctx().peer(),
            Some(PROXY_1.parse().unwrap()),
            "{strategy}"
        );
        assert_eq!(
            trust.source_label(&out.hop()).to_string(),
            source,
            "{strategy}"
        );
        // From an untrusted peer, every strategy names the peer.
        let out = run(
            any_host(trust.clone()),
            Some(CLIENT),
            get("example.com", headers),
        )
        .await;
        assert_eq!(out.ctx().client_ip(), Some(ip("203.0.113.9")), "{strategy}");
        assert_eq!(out.hop().source(), Source::Peer, "{strategy}");
        // Without a peer address, none.
        let out = run(any_host(trust), None, get("example.com", headers)).await;
        assert_eq!(out.ctx().client_ip(), None, "{strategy}");
    }
}

// ---------------------------------------------------------------- Forwarded

fn forwarded_layer() -> BaseContextLayer {
    any_host(trust("rightmost:forwarded"))
}

async fn forwarded_with(layer: BaseContextLayer, peer: &str, lines: &[&str]) -> Outcome {
    let mut req = get("backend:8080", &[]);
    for line in lines {
        req.headers_mut()
            .append("forwarded", HeaderValue::from_str(line).unwrap());
    }
    run(layer, Some(peer), req).await
}

async fn forwarded(peer: &str, lines: &[&str]) -> Outcome {
    forwarded_with(forwarded_layer(), peer, lines).await
}

#[tokio::test]
async fn forwarded_family_is_chosen_on_the_trust() {
    let layer = forwarded_layer();
    assert_eq!(layer.trust().proxy_headers(), ProxyHeaders::Forwarded);
    let built = ProxyTrust::builder()
        .proxy_headers(ProxyHeaders::Forwarded)
        .trusted_proxies(TRUSTED.parse().unwrap())
        .build()
        .unwrap();
    assert_eq!(built.strategy().to_string(), "rightmost:forwarded");
    let out = forwarded_with(
        any_host(built),
        PROXY_1,
        &["for=198.51.100.7;proto=https;host=example.com"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
}

#[tokio::test]
async fn forwarded_grammar_is_chosen_on_the_trust() {
    // nginx with `proxy_set_header Forwarded "for=$remote_addr:$remote_port;..."`
    // writes an unquoted port, which only the lenient grammar (the default) reads.
    let line = "for=198.51.100.7:4711;proto=https;host=example.com";
    let out = forwarded(PROXY_1, &[line]).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.ctx().client_ip(), Some(ip(VISITOR)));

    let strict = ProxyTrust::builder()
        .strategy("rightmost:forwarded".parse().unwrap())
        .trusted_proxies(TRUSTED.parse().unwrap())
        .forwarded_grammar(ForwardedGrammar::Strict)
        .build()
        .unwrap();
    let out = forwarded_with(any_host(strict), PROXY_1, &[line]).await;
    assert_eq!(out.origin(), (Scheme::Http, "backend", 8080));
    assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.1")));
    assert!(matches!(
        out.hop().fallback(),
        Some(Fallback::MalformedEntry { index: 0, .. })
    ));
}

#[tokio::test]
async fn forwarded_one_proxy() {
    let out = forwarded(PROXY_1, &["for=198.51.100.7;proto=https;host=example.com"]).await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.ctx().client_ip(), Some(ip(VISITOR)));
}

#[tokio::test]
async fn forwarded_two_proxies_read_the_outermost_trusted_element() {
    let out = forwarded(
        PROXY_1,
        &["for=198.51.100.7;proto=https;host=example.com, for=10.0.0.2;proto=http;host=p1.internal"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.hop().index(), Some(1));
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
async fn forwarded_chains_of_one_to_three_proxies_read_the_element_where_the_walk_stops() {
    for n in 1..=3 {
        let mut elements = vec![
            "for=6.6.6.6;proto=http;host=evil.tld".to_owned(),
            format!("for={VISITOR};proto=https;host=example.com"),
        ];
        elements.extend(
            (2..=n)
                .rev()
                .map(|i| format!("for=10.0.0.{i};proto=http;host=p{i}")),
        );
        let line = elements.join(", ");
        for strategy in [
            "rightmost:forwarded".to_owned(),
            format!("hops:{n}:forwarded"),
        ] {
            let out = forwarded_with(any_host(trust(&strategy)), PROXY_1, &[&line]).await;
            let case = format!("{strategy}, {n} proxies");
            assert_eq!(out.origin(), (Scheme::Https, "example.com", 443), "{case}");
            assert_eq!(out.hop().index(), Some(n - 1), "{case}");
            assert_eq!(out.ctx().client_ip(), Some(ip(VISITOR)), "{case}");
        }
    }
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
async fn forwarded_missing_parameter_falls_back_to_host_not_another_element() {
    // api change: a parameter missing at the stop used to be taken from the
    // nearest element to its right; now the request's own `Host` and
    // scheme hold, since that element describes another hop.
    let out = forwarded(
        PROXY_1,
        &["for=198.51.100.7;proto=https, for=10.0.0.2;host=example.com"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "backend", 8080));
    assert_eq!(out.hop_host(), Err(Ignored::Absent));

    let out = forwarded(
        PROXY_1,
        &["for=198.51.100.7;host=example.com, for=10.0.0.2;proto=https"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.hop().proto(), Err(Ignored::Absent));
    // The connection's scheme is the listener's when the URI has none.
    let out = forwarded_with(
        forwarded_layer().default_scheme(Scheme::Https),
        PROXY_1,
        &["for=198.51.100.7;host=example.com, for=10.0.0.2;proto=http"],
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
        assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.1")), "{line}");
    }
}

#[tokio::test]
async fn forwarded_broken_element_falls_back_to_host() {
    // api change: the element at the stop does not parse; its neighbour to
    // the right was used, now nothing is (the request's own values hold).
    let out = forwarded(
        PROXY_1,
        &["for=\"198.51.100.7;proto=https, for=10.0.0.2;proto=https;host=example.com"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Http, "backend", 8080));
    assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.2")));
    assert_eq!(out.hop().proto(), Err(Ignored::Invalid));
}

#[tokio::test]
async fn forwarded_all_trusted_reads_the_leftmost() {
    let out = forwarded(
        PROXY_1,
        &["for=10.0.0.5;proto=https;host=example.com, for=10.0.0.2;proto=http;host=p1"],
    )
    .await;
    assert_eq!(out.origin(), (Scheme::Https, "example.com", 443));
    assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.5")));
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
            ("x-forwarded-for", VISITOR),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.tld"),
            ("x-forwarded-port", "1337"),
        ],
    );
    let all = trust_with("rightmost:forwarded", XForwardedHeaders::all());
    let out = run(any_host(all), Some(PROXY_1), req).await;
    assert_eq!(out.origin(), (Scheme::Http, "example.com", 80));
    assert_eq!(out.ctx().client_ip(), Some(ip("10.0.0.1")));
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

fn strict_with(trust: ProxyTrust) -> BaseContextLayer {
    BaseContextLayer::new(
        trust,
        "example.com, .example.org, [::1]:3000".parse().unwrap(),
    )
}

fn strict() -> BaseContextLayer {
    strict_with(trust("rightmost:x-forwarded-for"))
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
    // The port pin compares the effective port, after X-Forwarded-Port when
    // it is enabled ...
    let req = || get("[::1]", &[("x-forwarded-port", "3000")]);
    let with_port = strict_with(trust_with(
        "rightmost:x-forwarded-for",
        XForwardedHeaders::default().with_port(true),
    ));
    let out = run(with_port, Some(PROXY_1), req()).await;
    assert_eq!(out.status, StatusCode::OK);
    assert_eq!(out.ctx().origin(), "http://[::1]:3000");
    // ... and the scheme's default when it is not (the default).
    let out = run(strict(), Some(PROXY_1), req()).await;
    assert_eq!(out.status, StatusCode::BAD_REQUEST);
    assert_eq!(out.body, "host not allowed");
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

    // With every strategy, from a chain as long as `hops:` says (a shorter
    // one believes no proxy header, the id included).
    let chained = || {
        get(
            "example.com",
            &[
                ("x-request-id", "abc-123"),
                ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
                ("forwarded", "for=198.51.100.7, for=10.0.0.2"),
            ],
        )
    };
    for strategy in STRATEGIES {
        let out = run(any_host(trust(strategy)), Some(PROXY_1), chained()).await;
        assert_eq!(out.ctx().request_id(), "abc-123", "{strategy}");
        let out = run(any_host(trust(strategy)), Some(CLIENT), chained()).await;
        assert!(out.ctx().request_id().is_generated(), "{strategy}");
    }
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
    assert_eq!(text(res.into_body()).await, "corr-1");
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
async fn the_layer_shows_its_trust_and_follows_a_swapped_trusted_set() {
    let trust = trust("rightmost:x-forwarded-for");
    let layer = any_host(trust.clone());
    assert_eq!(
        layer.trust().strategy().to_string(),
        "rightmost:x-forwarded-for"
    );
    assert_eq!(layer.trust().x_forwarded(), XForwardedHeaders::default());
    assert_eq!(layer.allowed_hosts().to_string(), "*");

    let req = || get("backend", &[("x-forwarded-proto", "https")]);
    let out = run(layer.clone(), Some("192.0.2.1:1"), req()).await;
    assert_eq!(out.ctx().scheme(), Scheme::Http);
    // Swapped at run time through any clone of the model: the layer follows.
    trust.set_trusted_proxies("192.0.2.0/24".parse().unwrap());
    let out = run(layer.clone(), Some("192.0.2.1:1"), req()).await;
    assert_eq!(out.ctx().scheme(), Scheme::Https);
    let out = run(layer, Some(PROXY_1), req()).await;
    assert_eq!(out.ctx().scheme(), Scheme::Http);
}

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
    assert_eq!(text(res.into_body()).await, "evil.tld");
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
    let big_xff = format!("198.51.100.7{}", ", 10.1.1.1".repeat(4_000));
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
        // A long X-Forwarded-For with a short X-Forwarded-Host: inconsistent.
        let req = get(
            "example.com",
            &[("x-forwarded-for", &big_xff), ("x-forwarded-host", "a, b")],
        );
        let out = run(layer(), Some(PROXY_1), req).await;
        assert_eq!(out.ctx().host(), "example.com");
        assert_eq!(out.hop().index(), Some(4_000));
    }
    assert!(start.elapsed() < std::time::Duration::from_secs(5));
}
