//! One trust model for the whole stack: `ClientIpLayer` and
//! `BaseContextLayer` sharing a `ProxyTrust` agree on every request in either
//! order and alone, the second reuses the hop the first computed, and the
//! example builds the model from its `CROCODILE_*` variables.

mod common;

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use crocodile::base_context::{BaseContext, BaseContextLayer};
use crocodile::client_ip::{ClientIp, ClientIpLayer, Hop, PeerAddr, ProxyTrust};
use http::{HeaderValue, Request, Response};
use tower::{ServiceBuilder, ServiceExt, service_fn};

use common::{config, get, json, try_config};

/// What a handler saw: the hop, `ClientIp`, and `BaseContext`'s view.
#[derive(Debug, Clone, PartialEq)]
struct Seen {
    hop: Option<Hop>,
    client_ip: Option<IpAddr>,
    context: Option<(Option<IpAddr>, String, String)>,
}

type Log = Arc<Mutex<Vec<Seen>>>;

fn handler(
    log: Log,
) -> impl tower::Service<Request<String>, Response = Response<String>, Error = Infallible> + Clone {
    service_fn(move |req: Request<String>| {
        let log = Arc::clone(&log);
        async move {
            let ext = req.extensions();
            log.lock().unwrap().push(Seen {
                hop: ext.get::<Hop>().copied(),
                client_ip: ClientIp::from_extensions(ext).map(|ip| ip.0),
                context: ext
                    .get::<BaseContext>()
                    .map(|ctx| (ctx.client_ip(), ctx.scheme().to_string(), ctx.origin())),
            });
            Ok::<_, Infallible>(Response::new(String::new()))
        }
    })
}

fn request(peer: &str, headers: &[(&str, &str)]) -> Request<String> {
    let mut req = Request::get("/").header("host", "example.com");
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    let mut req = req.body(String::new()).unwrap();
    req.extensions_mut()
        .insert(PeerAddr(peer.parse::<SocketAddr>().unwrap()));
    req
}

/// Request shapes: direct clients, proxy chains of 1 to 3 hops in both
/// families, forged headers, malformed entries.
const SHAPES: &[(&str, &[(&str, &str)])] = &[
    ("192.0.2.9:1", &[]),
    (
        "192.0.2.9:1",
        &[
            ("x-forwarded-for", "6.6.6.6"),
            ("x-forwarded-proto", "https"),
        ],
    ),
    ("127.0.0.1:1", &[]),
    (
        "127.0.0.1:1",
        &[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-proto", "https"),
        ],
    ),
    (
        "127.0.0.1:1",
        &[
            ("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.0.0.2"),
            ("x-forwarded-proto", "http, https, http"),
            ("x-forwarded-host", "evil.example, example.com, internal"),
        ],
    ),
    (
        "127.0.0.1:1",
        &[("x-forwarded-for", "203.0.113.7, unknown, 10.0.0.2")],
    ),
    (
        "127.0.0.1:1",
        &[("forwarded", "for=203.0.113.7;proto=https")],
    ),
    ("[::1]:1", &[("x-forwarded-for", "2001:db8::7, 10.0.0.3")]),
];

async fn run_all(trust: &ProxyTrust, order: &str, log: &Log) {
    let hosts = "example.com, .example.com".parse().unwrap();
    let client_ip = ClientIpLayer::new(trust.clone());
    let base_context = BaseContextLayer::new(trust.clone(), hosts);
    for (peer, headers) in SHAPES {
        let req = request(peer, headers);
        let handler = handler(Arc::clone(log));
        let result = match order {
            "client-ip first" => ServiceBuilder::new()
                .layer(client_ip.clone())
                .layer(base_context.clone())
                .service(handler)
                .oneshot(req)
                .await
                .map(|res| res.status()),
            "base-context first" => ServiceBuilder::new()
                .layer(base_context.clone())
                .layer(client_ip.clone())
                .service(handler)
                .oneshot(req)
                .await
                .map(|res| res.status()),
            // The statuses: `BaseContextLayer`'s responses have its own body type.
            "client-ip alone" => client_ip
                .clone()
                .layer_on(handler)
                .oneshot(req)
                .await
                .map(|res| res.status()),
            "base-context alone" => base_context
                .clone()
                .layer_on(handler)
                .oneshot(req)
                .await
                .map(|res| res.status()),
            _ => unreachable!(),
        };
        assert_eq!(result.unwrap(), 200, "{order} {peer} {headers:?}");
    }
}

trait LayerOn: Sized {
    fn layer_on<S>(self, inner: S) -> <Self as tower::Layer<S>>::Service
    where
        Self: tower::Layer<S>,
    {
        tower::Layer::layer(&self, inner)
    }
}
impl LayerOn for ClientIpLayer {}
impl LayerOn for BaseContextLayer {}

#[tokio::test]
async fn both_orders_and_each_layer_alone_give_the_same_hop() {
    let trust = ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        "loopback, 10.0.0.0/8".parse().unwrap(),
    );
    let mut runs = Vec::new();
    for order in [
        "client-ip first",
        "base-context first",
        "client-ip alone",
        "base-context alone",
    ] {
        let log = Log::default();
        run_all(&trust, order, &log).await;
        runs.push((order, log.lock().unwrap().clone()));
    }
    let (_, first) = &runs[0];
    assert_eq!(first.len(), SHAPES.len());
    for (i, seen) in first.iter().enumerate() {
        let hop = seen.hop.expect("a hop is always inserted");
        // Both layers' views of the client agree with the hop.
        assert_eq!(seen.client_ip, hop.client(), "shape {i}");
        assert_eq!(seen.context.as_ref().unwrap().0, hop.client(), "shape {i}");
    }
    for (order, seen) in &runs[1..] {
        for (i, (a, b)) in first.iter().zip(seen).enumerate() {
            assert_eq!(a.hop, b.hop, "{order}: shape {i} {:?}", SHAPES[i]);
            match *order {
                "client-ip alone" => assert_eq!(a.client_ip, b.client_ip),
                "base-context alone" => assert_eq!(a.context, b.context),
                _ => assert_eq!(a, b, "{order}: shape {i}"),
            }
        }
    }
    // And the hops say what the shapes mean.
    let clients: Vec<String> = first
        .iter()
        .map(|seen| seen.hop.unwrap().client().unwrap().to_string())
        .collect();
    assert_eq!(
        clients,
        [
            "192.0.2.9",
            "192.0.2.9",
            "127.0.0.1",
            "203.0.113.7",
            "203.0.113.7",
            "10.0.0.2",
            "127.0.0.1",
            "2001:db8::7",
        ]
    );
    // The three-hop chain: scheme and host from entry 1, the hop that saw the client.
    let context = first[4].context.as_ref().unwrap();
    assert_eq!(
        (context.1.as_str(), context.2.as_str()),
        ("https", "https://example.com")
    );
}

/// A middleware between the layers that rewrites `X-Forwarded-For`: the
/// inner layer still reports what the outer one decided, so it did not walk
/// the headers again. With a different model it does.
#[tokio::test]
async fn the_inner_layer_reuses_the_outer_layers_hop() {
    let trust = ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        "loopback".parse().unwrap(),
    );
    let rewrite = tower::util::MapRequestLayer::new(|mut req: Request<String>| {
        req.headers_mut()
            .insert("x-forwarded-for", HeaderValue::from_static("198.51.100.99"));
        req
    });
    let hosts: crocodile::base_context::AllowedHosts = "example.com".parse().unwrap();
    for (inner_trust, want) in [
        (trust.clone(), "203.0.113.7"),
        (
            ProxyTrust::new(
                "rightmost:x-forwarded-for".parse().unwrap(),
                "loopback".parse().unwrap(),
            ),
            "198.51.100.99",
        ),
    ] {
        let log = Log::default();
        let svc = ServiceBuilder::new()
            .layer(ClientIpLayer::new(trust.clone()))
            .layer(rewrite.clone())
            .layer(BaseContextLayer::new(inner_trust, hosts.clone()))
            .service(handler(Arc::clone(&log)));
        let req = request("127.0.0.1:1", &[("x-forwarded-for", "203.0.113.7")]);
        svc.oneshot(req).await.unwrap();
        let seen = log.lock().unwrap()[0].clone();
        assert_eq!(seen.client_ip.unwrap().to_string(), "203.0.113.7");
        let context_ip = seen.context.unwrap().0.unwrap().to_string();
        assert_eq!(context_ip, want);
    }
}

#[tokio::test]
async fn context_reports_where_the_client_address_came_from() {
    let app = common::app();
    let cases: &[(&str, &[(&str, &str)], &str, serde_json::Value)] = &[
        ("127.0.0.1:1", &[], "peer", "header-absent".into()),
        (
            "192.0.2.9:1",
            &[("x-forwarded-for", "6.6.6.6")],
            "peer",
            "untrusted-peer".into(),
        ),
        (
            "127.0.0.1:1",
            &[("x-forwarded-for", "6.6.6.6, 198.51.100.7, 127.0.0.5")],
            "x-forwarded-for[1]",
            serde_json::Value::Null,
        ),
        (
            "127.0.0.1:1",
            &[("x-forwarded-for", "198.51.100.7, garbage")],
            "peer",
            "malformed-entry".into(),
        ),
    ];
    for (peer, headers, source, fallback) in cases {
        let (status, body) = json(app.clone(), peer, get("/context", headers)).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["client_ip_source"], *source,
            "{peer} {headers:?}: {body}"
        );
        assert_eq!(
            body["client_ip_fallback"], *fallback,
            "{peer} {headers:?}: {body}"
        );
    }
    let cfg = config(&[("CROCODILE_CLIENT_IP", "hops:2:x-forwarded-for")]);
    let (_, body) = json(
        common::app::app(&cfg),
        "127.0.0.1:1",
        get("/context", &[("x-forwarded-for", "198.51.100.7")]),
    )
    .await;
    assert_eq!(body["client_ip_fallback"], "chain-too-short", "{body}");
    let cfg = config(&[("CROCODILE_CLIENT_IP", "single:x-real-ip")]);
    let (_, body) = json(
        common::app::app(&cfg),
        "127.0.0.1:1",
        get("/context", &[("x-real-ip", "198.51.100.8")]),
    )
    .await;
    assert_eq!(body["client_ip_source"], "x-real-ip[0]", "{body}");
}

#[test]
fn the_header_family_follows_whichever_setting_is_given() {
    let cases: &[(&[(&str, &str)], &str, &str)] = &[
        (&[], "rightmost:x-forwarded-for", "x-forwarded"),
        (
            &[("CROCODILE_CLIENT_IP", "rightmost:forwarded")],
            "rightmost:forwarded",
            "forwarded",
        ),
        (
            &[("CROCODILE_PROXY_HEADERS", "forwarded")],
            "rightmost:forwarded",
            "forwarded",
        ),
        (
            &[("CROCODILE_CLIENT_IP", "hops:2:forwarded")],
            "hops:2:forwarded",
            "forwarded",
        ),
        (
            &[
                ("CROCODILE_CLIENT_IP", "single:x-real-ip"),
                ("CROCODILE_PROXY_HEADERS", "forwarded"),
            ],
            "single:x-real-ip",
            "forwarded",
        ),
        (
            &[
                ("CROCODILE_CLIENT_IP", "rightmost:forwarded"),
                ("CROCODILE_PROXY_HEADERS", "forwarded"),
            ],
            "rightmost:forwarded",
            "forwarded",
        ),
    ];
    for (vars, strategy, family) in cases {
        let trust = config(vars).trust;
        assert_eq!(trust.strategy().to_string(), *strategy, "{vars:?}");
        assert_eq!(trust.proxy_headers().to_string(), *family, "{vars:?}");
    }
}

#[test]
fn a_strategy_and_a_family_that_disagree_stop_start_up_naming_both() {
    let error = try_config(&[
        ("CROCODILE_CLIENT_IP", "rightmost:x-forwarded-for"),
        ("CROCODILE_PROXY_HEADERS", "forwarded"),
    ])
    .unwrap_err();
    assert!(
        error.contains("CROCODILE_CLIENT_IP=\"rightmost:x-forwarded-for\""),
        "{error}"
    );
    assert!(
        error.contains("CROCODILE_PROXY_HEADERS=\"forwarded\""),
        "{error}"
    );
}

#[test]
fn new_trust_variables_parse_and_bad_values_are_named() {
    let trust = config(&[
        ("CROCODILE_X_FORWARDED", "proto,host,port"),
        ("CROCODILE_FORWARDED_GRAMMAR", "strict"),
    ])
    .trust;
    assert_eq!(trust.x_forwarded().to_string(), "proto,host,port");
    assert_eq!(trust.forwarded_grammar().to_string(), "strict");
    let defaults = config(&[]).trust;
    assert_eq!(defaults.x_forwarded().to_string(), "proto,host");
    assert_eq!(defaults.forwarded_grammar().to_string(), "lenient");
    for (name, value, names) in [
        ("CROCODILE_X_FORWARDED", "proto,hots", "\"hots\""),
        ("CROCODILE_FORWARDED_GRAMMAR", "rfc", "\"rfc\""),
        ("CROCODILE_PROXY_HEADERS", "both", "\"both\""),
    ] {
        let error = try_config(&[(name, value)]).unwrap_err();
        assert!(error.starts_with(&format!("{name}={value:?}: ")), "{error}");
        assert!(error.contains(names), "{error}");
    }
}

/// Stock nginx sets no `X-Forwarded-Port` and passes a client's through: by
/// default it is not believed, so the client cannot choose `home_url()`'s port.
#[tokio::test]
async fn a_client_behind_nginx_cannot_choose_the_port() {
    let nginx = [
        ("x-forwarded-for", "198.51.100.7"),
        ("x-forwarded-proto", "https"),
        ("x-forwarded-port", "6666"),
    ];
    let (_, body) = json(common::app(), "127.0.0.1:1", get("/context", &nginx)).await;
    assert_eq!(body["home_url"], "https://localhost:3000/", "{body}");
    let cfg = config(&[("CROCODILE_X_FORWARDED", "proto,host,port")]);
    let (_, body) = json(
        common::app::app(&cfg),
        "127.0.0.1:1",
        get("/context", &nginx),
    )
    .await;
    assert_eq!(body["home_url"], "https://localhost:6666/", "{body}");
}

/// A provider's list ships with no build: naming one without a way to get
/// its list stops start-up, naming the variable and the fix.
#[test]
fn a_provider_without_a_way_to_get_its_list_stops_start_up() {
    let error = try_config(&[("CROCODILE_TRUSTED_PROXIES", "loopback, cloudflare")]).unwrap_err();
    assert!(
        error.starts_with("CROCODILE_TRUSTED_PROXIES=\"loopback, cloudflare\": `cloudflare`"),
        "{error}"
    );
    let fix = if cfg!(feature = "providers") {
        "CROCODILE_PROVIDER_REFRESH"
    } else {
        "--features providers"
    };
    assert!(error.contains(fix), "{error}");
    // Bad provider settings are named like every other variable.
    for (name, value, says) in [
        ("CROCODILE_PROVIDER_REFRESH", "1 hour", "such as `90s`"),
        ("CROCODILE_PROVIDER_URLS", "cloudflare", "not `name=url`"),
        (
            "CROCODILE_PROVIDER_URLS",
            "akamai=https://x.example/",
            "akamai",
        ),
        (
            "CROCODILE_PROVIDER_URLS",
            "fastly=ftp://x.example/",
            "not an http",
        ),
    ] {
        let error = try_config(&[(name, value)]).unwrap_err();
        assert!(error.starts_with(&format!("{name}={value:?}: ")), "{error}");
        assert!(error.contains(says), "{error}");
    }
}
