//! `BaseContextLayer` end to end through tower: every header source and
//! trust case, the one-hop rule for chains of proxies, the 400 path, and
//! request ids.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crocodile_base_context::{
    AllowedHosts, BaseContext, BaseContextLayer, ForwardedGrammar, Hop, PeerAddr, ProxyHeaders,
    ProxyTrust, Scheme, TrustedProxies, XForwardedHeaders,
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

// ---------------------------------------------------------------- the tables

/// One request through one layer: the layer, the socket peer (`None`: no
/// `PeerAddr`), the `Host` header, the other headers in order (a name given
/// twice is two lines), and what the request gives, as [`check`] reads it.
type Row<'a> = (
    fn() -> BaseContextLayer,
    Option<&'a str>,
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a str,
);

/// Sends every row's request and [`check`]s what it gave.
async fn run_rows(rows: &[Row<'_>]) {
    for (i, (layer, peer, host, headers, want)) in rows.iter().enumerate() {
        let out = run(layer(), *peer, get(host, headers)).await;
        check(
            &out,
            want,
            &format!("row {i}: {peer:?}, Host: {host}, {headers:?}"),
        );
    }
}

/// Checks an outcome against `want`: either `400 <reason>` (the body; the
/// handler never ran and the 400 carries a request id), or space-separated
/// `key=value` facts about a 200 (`none` for an absent value):
///
/// - `url`: `home_url()`, which with the checks every 200 passes (below)
///   fixes the scheme, host, port, origin and base path;
/// - `client`, `peer`: `client_ip()`, `peer()`;
/// - `id`: `generated` (a new 26-character ULID) or the id as displayed;
/// - `hop.k`, `hop.proxied`, `hop.fallback` (its code, `@index` for a
///   malformed entry): the `Hop`;
/// - `hop.proto`, `hop.host`, `hop.port`, `hop.prefix`: the value the hop
///   read, or the code of why it was ignored.
fn check(out: &Outcome, want: &str, case: &str) {
    if let Some(reason) = want.strip_prefix("400 ") {
        let got = (out.status, out.body.as_str());
        assert_eq!(got, (StatusCode::BAD_REQUEST, reason), "{case}");
        assert_eq!(out.handler_calls, 0, "{case}: the handler never runs");
        assert!(out.echoed.is_some(), "{case}: the 400 carries the id too");
        return;
    }
    assert_eq!(out.status, StatusCode::OK, "{case}: {}", out.body);
    assert_eq!(out.handler_calls, 1, "{case}");
    let ctx = out.ctx();
    let hop = out.hop();
    // What every context satisfies: the origin is the scheme, host and port
    // (the scheme's default omitted), the home URL and links sit under the
    // origin and base path, the hop agrees with `client_ip()`, the id is echoed.
    let origin = if ctx.port() == ctx.scheme().default_port() {
        format!("{}://{}", ctx.scheme(), ctx.host())
    } else {
        format!("{}://{}:{}", ctx.scheme(), ctx.host(), ctx.port())
    };
    assert_eq!(ctx.origin(), origin, "{case}");
    assert_eq!(
        ctx.home_url(),
        format!("{origin}{}/", ctx.base_path()),
        "{case}"
    );
    let link = format!("{}x%20y", ctx.home_url());
    assert_eq!(ctx.url_for("/x y"), link, "{case}");
    assert_eq!(hop.client(), ctx.client_ip(), "{case}");
    let id = ctx.request_id();
    assert_eq!(out.echoed.as_deref(), Some(id.as_str()), "{case}");

    fn shown<T: ToString>(value: Option<T>) -> String {
        value.map_or_else(|| "none".to_owned(), |value| value.to_string())
    }
    fn read<T: ToString>(value: Result<T, Ignored>) -> String {
        value.map_or_else(|why| why.code().to_owned(), |value| value.to_string())
    }
    for fact in want.split(' ') {
        let (key, value) = fact
            .split_once('=')
            .unwrap_or_else(|| panic!("{case}: {fact:?} is not key=value"));
        let got = match key {
            "url" => ctx.home_url(),
            "client" => shown(ctx.client_ip()),
            "peer" => shown(ctx.peer()),
            "id" if id.is_generated() => {
                assert_eq!(id.as_str().len(), 26, "{case}");
                "generated".to_owned()
            }
            "id" => {
                assert_eq!(*id, id.to_string().as_str(), "{case}: displayed as is");
                id.to_string()
            }
            "hop.k" => shown(hop.index()),
            "hop.proxied" => (if hop.is_proxied() { "yes" } else { "no" }).to_owned(),
            "hop.fallback" => match hop.fallback() {
                Some(Fallback::MalformedEntry { index, .. }) => format!("malformed-entry@{index}"),
                why => shown(why.map(|why| why.code())),
            },
            "hop.proto" => read(hop.proto().map(|scheme| scheme.as_str())),
            "hop.host" => read(out.hop_host()),
            "hop.port" => read(hop.port()),
            "hop.prefix" => read(out.hop_prefix()),
            _ => panic!("{case}: unknown key {key:?}"),
        };
        assert_eq!(got, value, "{case}: {key}");
    }
}

/// [`layer`] believing `X-Forwarded-Port` too.
fn with_port() -> BaseContextLayer {
    x_forwarded(XForwardedHeaders::default().with_port(true))
}

/// [`layer`] believing `X-Forwarded-Prefix` too.
fn with_prefix() -> BaseContextLayer {
    x_forwarded(XForwardedHeaders::default().with_prefix(true))
}

/// [`layer`] believing every `X-Forwarded-*` header.
fn all_x_forwarded() -> BaseContextLayer {
    x_forwarded(XForwardedHeaders::all())
}

// ---------------------------------------------------------------- X-Forwarded-*

/// `X-Forwarded-Proto` and `X-Forwarded-Host` only, for a proxy that passes
/// a client's `X-Forwarded-Host` through.
fn proto_only() -> BaseContextLayer {
    x_forwarded(XForwardedHeaders::default().with_host(false))
}

/// [`with_prefix`] under a configured base path.
fn with_prefix_under_base() -> BaseContextLayer {
    with_prefix().base_path("/base".parse().unwrap())
}

#[tokio::test]
async fn x_forwarded_headers_are_believed_from_the_hop_only() {
    let rows: &[Row<'_>] = &[
        // An untrusted peer: every proxy header is ignored.
        (
            layer,
            Some(CLIENT),
            "example.com",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.tld"),
                ("x-forwarded-port", "8443"),
                ("forwarded", "for=1.2.3.4;proto=https;host=evil.tld"),
            ],
            "url=http://example.com/ peer=203.0.113.9:50000 hop.fallback=untrusted-peer \
             hop.proto=not-believed",
        ),
        // Without a peer address nothing is trusted.
        (
            layer,
            None,
            "example.com",
            &[("x-forwarded-proto", "https")],
            "url=http://example.com/ peer=none client=none hop.fallback=no-peer-address",
        ),
        // One trusted proxy sets the scheme and host (lowercased); the port
        // is the scheme's.
        (
            layer,
            Some(PROXY_1),
            "backend:8080",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "Example.COM"),
            ],
            "url=https://example.com/",
        ),
        // X-Forwarded-Port is believed only when enabled (api change: it
        // used to be on by default).
        (
            layer,
            Some(PROXY_1),
            "backend:8080",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "example.com"),
                ("x-forwarded-port", "8443"),
            ],
            "url=https://example.com/",
        ),
        (
            with_port,
            Some(PROXY_1),
            "backend:8080",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "example.com"),
                ("x-forwarded-port", "8443"),
            ],
            "url=https://example.com:8443/",
        ),
        // An IPv4-mapped peer is trusted like IPv4.
        (
            layer,
            Some("[::ffff:10.0.0.1]:4000"),
            "backend",
            &[("x-forwarded-proto", "https")],
            "url=https://backend/ client=10.0.0.1",
        ),
        // werkzeug ProxyFix: x_port replaces the port of the (forwarded)
        // host, once X-Forwarded-Port is enabled ...
        (
            with_port,
            Some(PROXY_1),
            "backend",
            &[
                ("x-forwarded-host", "example.com:9000"),
                ("x-forwarded-port", "9443"),
            ],
            "url=http://example.com:9443/",
        ),
        // ... and by default the forwarded host's own port holds.
        (
            layer,
            Some(PROXY_1),
            "backend",
            &[
                ("x-forwarded-host", "example.com:9000"),
                ("x-forwarded-port", "9443"),
            ],
            "url=http://example.com:9000/",
        ),
        // One proxy (k = 0) that appends after a client's forged value: the
        // rightmost is its own ...
        (
            layer,
            Some(PROXY_1),
            "backend",
            &[
                ("x-forwarded-proto", "http, https"),
                ("x-forwarded-host", "evil.tld, example.com"),
            ],
            "url=https://example.com/ hop.k=0",
        ),
        // ... across several header lines too.
        (
            layer,
            Some(PROXY_1),
            "backend",
            &[
                ("x-forwarded-host", "evil.tld"),
                ("x-forwarded-host", "example.com"),
            ],
            "url=http://example.com/",
        ),
        // client -> P2 (appends what the client used) -> P1 (appends what P2
        // used) -> us. The hop index comes from the strategy: X-Forwarded-For's
        // walk stops at the client, one entry left of P2's address.
        (
            layer,
            Some(PROXY_1),
            "backend",
            &[
                ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
                ("x-forwarded-proto", "https, http"),
                ("x-forwarded-host", "example.com, p1.internal"),
            ],
            "url=https://example.com/ hop.k=1",
        ),
        // Three appending proxies and a client forging each header: the
        // client's forged value, then one per proxy.
        (
            all_x_forwarded,
            Some(PROXY_1),
            "backend",
            &[
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
            "url=https://example.com/app/ client=198.51.100.7 hop.k=2",
        ),
        // api change: werkzeug's ProxyFix ignored a header with fewer values
        // than the configured hops. Now one value is what an overwriting
        // proxy wrote (the edge sets it, the inner hops pass it through) and
        // is used ...
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[
                ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "www.example.com"),
            ],
            "url=https://www.example.com/",
        ),
        // ... while more than one but fewer than k + 1 can't be attributed
        // to the hop: the request's own values hold.
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[
                ("x-forwarded-for", "198.51.100.7, 10.0.0.3, 10.0.0.2"),
                ("x-forwarded-proto", "https, http"),
                ("x-forwarded-host", "evil.tld, p2.internal"),
            ],
            "url=http://example.com/ hop.proto=inconsistent-count",
        ),
        // The proxy sets X-Forwarded-Proto but passes the client's
        // X-Forwarded-Host (and X-Forwarded-Port, off by default) through:
        // a header turned off is ignored.
        (
            proto_only,
            Some(PROXY_1),
            "example.com",
            &[
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.tld"),
                ("x-forwarded-port", "1234"),
            ],
            "url=https://example.com/ hop.host=not-enabled hop.port=not-enabled",
        ),
        // `XForwardedHeaders::none()`: only X-Forwarded-For is read.
        (
            || x_forwarded(XForwardedHeaders::none()),
            Some(PROXY_1),
            "example.com",
            &[("x-forwarded-for", VISITOR), ("x-forwarded-proto", "https")],
            "url=http://example.com/ client=198.51.100.7",
        ),
        // An unrecognised scheme and a bad port from a proxy are ignored.
        (
            with_port,
            Some(PROXY_1),
            "example.com",
            &[
                ("x-forwarded-proto", "javascript"),
                ("x-forwarded-port", "99999"),
            ],
            "url=http://example.com/ hop.proto=invalid hop.port=invalid",
        ),
        // The prefix only when enabled ...
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[("x-forwarded-prefix", "/app/")],
            "url=http://example.com/ hop.prefix=not-enabled",
        ),
        (
            with_prefix,
            Some(PROXY_1),
            "example.com",
            &[("x-forwarded-prefix", "/app/")],
            "url=http://example.com/app/",
        ),
        // ... and valid (else the configured base path holds) ...
        (
            with_prefix_under_base,
            Some(PROXY_1),
            "example.com",
            &[("x-forwarded-prefix", "//evil.tld")],
            "url=http://example.com/base/",
        ),
        // ... from a trusted peer ...
        (
            with_prefix,
            Some(CLIENT),
            "example.com",
            &[("x-forwarded-prefix", "/app/")],
            "url=http://example.com/",
        ),
        // ... and from the hop, like every other header, behind appending
        // proxies.
        (
            with_prefix,
            Some(PROXY_1),
            "example.com",
            &[
                ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
                ("x-forwarded-prefix", "/evil, /app, /p1"),
            ],
            "url=http://example.com/app/",
        ),
        // The X-Forwarded-* family ignores Forwarded, the client address too.
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[("forwarded", "for=198.51.100.7;proto=https;host=evil.tld")],
            "url=http://example.com/ client=10.0.0.1",
        ),
    ];
    run_rows(rows).await;
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

/// `hops:2:x-forwarded-for`, trusting [`TRUSTED`], any host.
fn hops_2() -> BaseContextLayer {
    any_host(trust("hops:2:x-forwarded-for"))
}

/// `hops:3:x-forwarded-for`, trusting [`TRUSTED`], any host.
fn hops_3() -> BaseContextLayer {
    any_host(trust("hops:3:x-forwarded-for"))
}

/// `hops:1:x-forwarded-for` with an empty trusted set, any host.
fn hops_1_trusting_none() -> BaseContextLayer {
    any_host(ProxyTrust::new(
        "hops:1:x-forwarded-for".parse().unwrap(),
        TrustedProxies::none(),
    ))
}

/// [`layer`] serving only `example.com:443`.
fn pinned_443() -> BaseContextLayer {
    BaseContextLayer::new(
        trust("rightmost:x-forwarded-for"),
        "example.com:443".parse().unwrap(),
    )
}

#[tokio::test]
async fn uneven_chains_short_chains_and_forged_ports() {
    // Stock nginx: `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for`,
    // X-Forwarded-Proto and -Host set, X-Forwarded-Port never touched, so
    // the client's passes through.
    let nginx = |host| {
        [
            ("x-forwarded-for", VISITOR),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", host),
            ("x-forwarded-port", "1337"),
        ]
    };
    // A `hops:2` deployment's headers, around each X-Forwarded-For below.
    let hops_2_headers = |xff| {
        [
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.tld"),
            ("x-request-id", "from-proxy"),
            ("x-forwarded-for", xff),
        ]
    };
    let asymmetric: &[(&str, &str)] = &[
        ("x-forwarded-for", "198.51.100.7, 10.0.0.3, 10.0.0.2"),
        ("x-forwarded-proto", "https, http"),
        ("x-forwarded-host", "example.com, p2.internal"),
    ];
    let rows: &[Row<'_>] = &[
        // X-Forwarded-For has 3 entries and the walk stops at k = 2, but
        // X-Forwarded-Proto and -Host have 2: neither one overwriting proxy
        // nor one appending proxy per hop wrote them.
        (
            layer,
            Some(PROXY_1),
            "backend:8080",
            asymmetric,
            "url=http://backend:8080/ hop.k=2 client=198.51.100.7 \
             hop.proto=inconsistent-count hop.host=inconsistent-count",
        ),
        (
            hops_3,
            Some(PROXY_1),
            "backend:8080",
            asymmetric,
            "url=http://backend:8080/ hop.k=2 client=198.51.100.7 \
             hop.proto=inconsistent-count hop.host=inconsistent-count",
        ),
        // Each header is judged on its own. At k = 1: 2 entries of
        // X-Forwarded-Proto are one per appending proxy, and so are the
        // right two of 3 X-Forwarded-Host entries (the client forged the
        // leftmost).
        (
            layer,
            Some(PROXY_1),
            "backend:8080",
            &[
                ("x-forwarded-for", "198.51.100.7, 10.0.0.2"),
                ("x-forwarded-proto", "https, http"),
                ("x-forwarded-host", "evil.tld, example.com, p1.internal"),
            ],
            "url=https://example.com/",
        ),
        // At k = 2: one X-Forwarded-Proto is an overwriting proxy's, while 2
        // X-Forwarded-Port entries are inconsistent.
        (
            with_port,
            Some(PROXY_1),
            "example.com",
            &[
                ("x-forwarded-for", "198.51.100.7, 10.0.0.3, 10.0.0.2"),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-port", "8443, 80"),
            ],
            "url=https://example.com/ hop.port=inconsistent-count",
        ),
        // A malformed entry reads the hop that wrote it: P2 (10.0.0.2) hides
        // its client behind `unknown`, so the client is P2, and the hop is
        // P2, whose X-Forwarded-Proto entry is the second from the right.
        (
            layer,
            Some(PROXY_1),
            "backend",
            &[
                ("x-forwarded-for", "6.6.6.6, unknown, 10.0.0.2"),
                ("x-forwarded-proto", "http, https, http"),
            ],
            "url=https://backend/ client=10.0.0.2 hop.k=1 hop.fallback=malformed-entry@1",
        ),
        // A `hops:` chain too short or malformed believes no proxy header,
        // the request id included.
        (
            hops_2,
            Some(PROXY_1),
            "example.com",
            &hops_2_headers("198.51.100.7"),
            "url=http://example.com/ client=10.0.0.1 id=generated hop.proxied=no \
             hop.fallback=chain-too-short",
        ),
        (
            hops_2,
            Some(PROXY_1),
            "example.com",
            &hops_2_headers("unknown, 10.0.0.2"),
            "url=http://example.com/ client=10.0.0.1 id=generated hop.proxied=no \
             hop.fallback=malformed-entry@1",
        ),
        (
            hops_2,
            Some(PROXY_1),
            "example.com",
            &hops_2_headers("198.51.100.7")[..3],
            "url=http://example.com/ client=10.0.0.1 id=generated hop.proxied=no \
             hop.fallback=chain-too-short",
        ),
        // Documented: with an empty trusted set `hops:` can't tell a proxy
        // from a client that reaches the server directly; it goes by the
        // count alone ...
        (
            hops_1_trusting_none,
            Some(CLIENT),
            "backend",
            &[
                ("x-forwarded-for", VISITOR),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "example.com"),
            ],
            "url=https://example.com/ client=198.51.100.7",
        ),
        // ... and without the chain, nothing.
        (
            hops_1_trusting_none,
            Some(CLIENT),
            "backend",
            &[("x-forwarded-proto", "https")],
            "url=http://backend/",
        ),
        // A client behind stock nginx can't choose the port ...
        (
            layer,
            Some(PROXY_1),
            "backend:8080",
            &nginx("example.com"),
            "url=https://example.com/ hop.port=not-enabled",
        ),
        // ... the port in X-Forwarded-Host (nginx's `$http_host`) holds ...
        (
            layer,
            Some(PROXY_1),
            "backend:8080",
            &nginx("example.com:8443"),
            "url=https://example.com:8443/",
        ),
        // ... a port pinned in the allowed hosts still matches: the forged
        // port never reaches it ...
        (
            pinned_443,
            Some(PROXY_1),
            "backend:8080",
            &nginx("example.com"),
            "url=https://example.com/",
        ),
        // ... X-Forwarded-Port is believed only for a proxy configured to
        // set it ...
        (
            with_port,
            Some(PROXY_1),
            "backend:8080",
            &nginx("example.com:8443"),
            "url=https://example.com:1337/",
        ),
        // ... and only from a trusted peer.
        (
            with_port,
            Some(CLIENT),
            "backend:8080",
            &nginx("example.com"),
            "url=http://backend:8080/",
        ),
    ];
    run_rows(rows).await;
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

/// [`forwarded_layer`] reading `Forwarded` by the strict RFC 7239 grammar.
fn forwarded_strict_grammar() -> BaseContextLayer {
    any_host(
        ProxyTrust::builder()
            .strategy("rightmost:forwarded".parse().unwrap())
            .trusted_proxies(TRUSTED.parse().unwrap())
            .forwarded_grammar(ForwardedGrammar::Strict)
            .build()
            .unwrap(),
    )
}

/// [`forwarded_layer`] behind a TLS listener.
fn forwarded_https_listener() -> BaseContextLayer {
    forwarded_layer().default_scheme(Scheme::Https)
}

/// [`forwarded_layer`] with every `X-Forwarded-*` header enabled (for the
/// other family, which it must ignore).
fn forwarded_and_all_x_forwarded() -> BaseContextLayer {
    any_host(trust_with("rightmost:forwarded", XForwardedHeaders::all()))
}

#[tokio::test]
async fn forwarded_is_read_at_the_element_where_the_walk_stops() {
    const FWD: &str = "forwarded";
    let rows: &[Row<'_>] = &[
        // nginx with `proxy_set_header Forwarded "for=$remote_addr:$remote_port;..."`
        // writes an unquoted port, which only the lenient grammar (the
        // default) reads.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "for=198.51.100.7:4711;proto=https;host=example.com")],
            "url=https://example.com/ client=198.51.100.7",
        ),
        (
            forwarded_strict_grammar,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "for=198.51.100.7:4711;proto=https;host=example.com")],
            "url=http://backend:8080/ client=10.0.0.1 hop.fallback=malformed-entry@0",
        ),
        // One proxy.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "for=198.51.100.7;proto=https;host=example.com")],
            "url=https://example.com/ client=198.51.100.7",
        ),
        // Two proxies: the outermost trusted element.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=198.51.100.7;proto=https;host=example.com, \
                 for=10.0.0.2;proto=http;host=p1.internal",
            )],
            "url=https://example.com/ hop.k=1",
        ),
        // Three proxies and a forging client: the client's line, then what
        // P3 (outermost, saw the client), P2 and P1 wrote.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[
                (FWD, "for=10.9.9.9;proto=http;host=evil.tld"),
                (
                    FWD,
                    "for=198.51.100.7;proto=https;host=\"example.com:8443\", \
                     for=10.0.0.3;proto=http;host=p2, for=10.0.0.2;proto=http;host=p1",
                ),
            ],
            "url=https://example.com:8443/",
        ),
        // The client writes `for=10.0.0.7` (a trusted address) with its own
        // proto/host; the outermost proxy appends the client's real address,
        // so the walk stops there.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=10.0.0.7;proto=http;host=evil.tld, \
                 for=198.51.100.7;proto=https;host=example.com",
            )],
            "url=https://example.com/",
        ),
        // api change: a parameter missing at the stop used to be taken from
        // the nearest element to its right; now the request's own `Host` and
        // scheme hold, since that element describes another hop.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=198.51.100.7;proto=https, for=10.0.0.2;host=example.com",
            )],
            "url=https://backend:8080/ hop.host=absent",
        ),
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=198.51.100.7;host=example.com, for=10.0.0.2;proto=https",
            )],
            "url=http://example.com/ hop.proto=absent",
        ),
        // The connection's scheme is the listener's when the URI has none.
        (
            forwarded_https_listener,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=198.51.100.7;host=example.com, for=10.0.0.2;proto=http",
            )],
            "url=https://example.com/",
        ),
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "for=198.51.100.7;proto=https")],
            "url=https://backend:8080/",
        ),
        // A parameter to the *left* of the stop was written by the client:
        // never used.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=1.2.3.4;host=evil.tld;proto=https, for=198.51.100.7",
            )],
            "url=http://backend:8080/",
        ),
        // An unknown or obfuscated `for=` (or none) still reads that element:
        // it was written by a trusted proxy that hides the client.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "for=unknown;proto=https;host=example.com")],
            "url=https://example.com/ client=10.0.0.1",
        ),
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "for=_hidden;proto=https;host=example.com")],
            "url=https://example.com/ client=10.0.0.1",
        ),
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "proto=https;host=example.com")],
            "url=https://example.com/ client=10.0.0.1",
        ),
        // api change: the element at the stop does not parse; its neighbour
        // to the right was used, now nothing is (the request's own values
        // hold).
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=\"198.51.100.7;proto=https, for=10.0.0.2;proto=https;host=example.com",
            )],
            "url=http://backend:8080/ client=10.0.0.2 hop.proto=invalid",
        ),
        // All trusted: the leftmost.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=10.0.0.5;proto=https;host=example.com, for=10.0.0.2;proto=http;host=p1",
            )],
            "url=https://example.com/ client=10.0.0.5",
        ),
        // An unrecognised proto is ignored.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(FWD, "for=198.51.100.7;proto=gopher;host=example.com")],
            "url=http://example.com/",
        ),
        // From an untrusted peer, ignored.
        (
            forwarded_layer,
            Some(CLIENT),
            "backend:8080",
            &[(FWD, "for=198.51.100.7;proto=https;host=evil.tld")],
            "url=http://backend:8080/",
        ),
        // The Forwarded family ignores X-Forwarded-*, enabled or not.
        (
            forwarded_and_all_x_forwarded,
            Some(PROXY_1),
            "example.com",
            &[
                ("x-forwarded-for", VISITOR),
                ("x-forwarded-proto", "https"),
                ("x-forwarded-host", "evil.tld"),
                ("x-forwarded-port", "1337"),
            ],
            "url=http://example.com/ client=10.0.0.1",
        ),
        // An invalid `host=` is a 400.
        (
            forwarded_layer,
            Some(PROXY_1),
            "backend:8080",
            &[(
                FWD,
                "for=198.51.100.7;proto=https;host=\"example.com@evil.tld\"",
            )],
            "400 invalid host: invalid character",
        ),
    ];
    run_rows(rows).await;
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

/// [`strict`] believing `X-Forwarded-Port` too.
fn strict_with_port() -> BaseContextLayer {
    strict_with(trust_with(
        "rightmost:x-forwarded-for",
        XForwardedHeaders::default().with_port(true),
    ))
}

/// [`strict`] behind a TLS listener.
fn strict_https() -> BaseContextLayer {
    strict().default_scheme(Scheme::Https)
}

#[tokio::test]
async fn the_effective_host_and_port_must_be_allowed() {
    let rows: &[Row<'_>] = &[
        // A trusted proxy's host must be allowed too.
        (
            strict,
            Some(PROXY_1),
            "example.com",
            &[("x-forwarded-host", "evil.tld")],
            "400 host not allowed",
        ),
        // The port pin compares the effective port, after X-Forwarded-Port
        // when it is enabled ...
        (
            strict_with_port,
            Some(PROXY_1),
            "[::1]",
            &[("x-forwarded-port", "3000")],
            "url=http://[::1]:3000/",
        ),
        // ... and the scheme's default when it is not (the default).
        (
            strict,
            Some(PROXY_1),
            "[::1]",
            &[("x-forwarded-port", "3000")],
            "400 host not allowed",
        ),
        // RFC 9112 section 3.2: more than one Host is a 400.
        (
            strict,
            Some(CLIENT),
            "example.com",
            &[("host", "example.com")],
            "400 more than one Host header",
        ),
        // The default scheme applies without a URI scheme or a proxy ...
        (
            strict_https,
            Some(CLIENT),
            "example.com",
            &[],
            "url=https://example.com/",
        ),
        // ... and a trusted proxy's X-Forwarded-Proto overrides it.
        (
            strict_https,
            Some(PROXY_1),
            "example.com",
            &[("x-forwarded-proto", "http")],
            "url=http://example.com/",
        ),
    ];
    run_rows(rows).await;
}

#[tokio::test]
async fn the_uri_authority_and_host_must_agree() {
    // RFC 9113 section 8.3.1: a Host that differs from `:authority` (the URI
    // authority) is malformed; RFC 9112 section 3.2: no Host is a 400.
    // (request target, Host, what it gives)
    let cases: &[(&str, Option<&str>, &str)] = &[
        ("/", None, "400 missing Host header"),
        (
            "https://example.com/",
            Some("evil.tld"),
            "400 Host header does not match the request authority",
        ),
        ("https://example.com/", None, "url=https://example.com/"),
        (
            "https://example.com/",
            Some("EXAMPLE.COM"),
            "url=https://example.com/",
        ),
        (
            "https://example.com/",
            Some("example.com:443"),
            "url=https://example.com/",
        ),
        (
            "https://example.com/",
            Some("example.com.:443"),
            "url=https://example.com/",
        ),
        (
            "https://example.com/",
            Some("example.com:80"),
            "400 Host header does not match the request authority",
        ),
        (
            "http://user@example.com/",
            None,
            "400 invalid host: invalid character",
        ),
    ];
    for (uri, host, want) in cases {
        let mut req = Request::get(*uri);
        if let Some(host) = host {
            req = req.header("host", *host);
        }
        let out = run(strict(), Some(CLIENT), req.body(String::new()).unwrap()).await;
        check(&out, want, &format!("{uri} with Host {host:?}"));
    }
}

// ---------------------------------------------------------------- request id

#[tokio::test]
async fn request_ids_are_accepted_from_a_trusted_peer_only_and_valid_only() {
    let too_long = "a".repeat(129);
    let max = "b".repeat(128);
    let want_max = format!("id={max}");
    const ID: &str = "x-request-id";
    let rows: &[Row<'_>] = &[
        // None sent: a new one, echoed.
        (layer, Some(CLIENT), "example.com", &[], "id=generated"),
        // From a trusted peer, kept (and displayed as is, for tracing) ...
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, "abc-123")],
            "id=abc-123",
        ),
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, "r-1")],
            "id=r-1",
        ),
        // ... from anyone else, replaced.
        (
            layer,
            Some(CLIENT),
            "example.com",
            &[(ID, "abc-123")],
            "id=generated",
        ),
        // Invalid ones are replaced: not one line of 1 to 128 visible ASCII
        // characters, or on two lines.
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, "has space")],
            "id=generated",
        ),
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, "")],
            "id=generated",
        ),
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, &too_long)],
            "id=generated",
        ),
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, "caf\u{e9}")],
            "id=generated",
        ),
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, "one"), (ID, "two")],
            "id=generated",
        ),
        // 128 characters is the most.
        (
            layer,
            Some(PROXY_1),
            "example.com",
            &[(ID, &max)],
            &want_max,
        ),
    ];
    run_rows(rows).await;
}

#[tokio::test]
async fn request_id_accepted_from_a_chain_each_strategy_believes() {
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
