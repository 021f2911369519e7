//! What the layer logs. Whatever a client writes is per request and goes to
//! `debug!` at most; a misconfiguration is said once per layer: `warn!` when
//! there is no peer address or the request's hop came from another trust
//! model, `info!` when a loopback or private peer meets an empty trusted set.
//!
//! Each test captures the events of its own thread with a scoped
//! `tracing` subscriber, and drives the layer synchronously (the layer does
//! its work in `call`), so tests running in parallel never see each other's
//! events.

use std::convert::Infallible;
use std::future::Ready;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use crocodile_client_ip::{ClientIp, ClientIpLayer, ClientIpService, PeerAddr, ProxyTrust};
use http::{HeaderName, HeaderValue, Request};
use tower::{Layer, Service, service_fn};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, SubscriberExt};

/// One captured event: its level and its fields, `name=value` joined by spaces.
#[derive(Debug, Clone)]
struct Captured {
    level: Level,
    #[cfg_attr(not(feature = "axum"), allow(dead_code))]
    target: &'static str,
    text: String,
}

/// A `tracing_subscriber` layer that keeps every event.
#[derive(Debug, Clone, Default)]
struct Capture(Arc<Mutex<Vec<Captured>>>);

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = write!(self.0, "{}={value:?} ", field.name());
    }
}

impl<S: Subscriber> tracing_subscriber::Layer<S> for Capture {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut text = String::new();
        event.record(&mut Fields(&mut text));
        self.0.lock().unwrap().push(Captured {
            level: *event.metadata().level(),
            target: event.metadata().target(),
            text,
        });
    }
}

impl Capture {
    /// Runs `f` with this thread's events captured, and returns them.
    fn run(f: impl FnOnce()) -> Vec<Captured> {
        let capture = Capture::default();
        let subscriber = tracing_subscriber::registry().with(capture.clone());
        tracing::subscriber::with_default(subscriber, f);
        capture.0.lock().unwrap().clone()
    }
}

fn at(events: &[Captured], level: Level) -> Vec<&Captured> {
    events.iter().filter(|e| e.level == level).collect()
}

/// Everything above `debug`: `info`, `warn`, `error`.
fn loud(events: &[Captured]) -> Vec<&Captured> {
    events.iter().filter(|e| e.level < Level::DEBUG).collect()
}

type Svc = ClientIpService<
    tower::util::ServiceFn<fn(Request<()>) -> Ready<Result<Option<ClientIp>, Infallible>>>,
>;

fn service(layer: ClientIpLayer) -> Svc {
    fn inner(req: Request<()>) -> Ready<Result<Option<ClientIp>, Infallible>> {
        std::future::ready(Ok(ClientIp::from_extensions(req.extensions())))
    }
    layer.layer(service_fn(inner as fn(_) -> _))
}

/// One request through `svc`, synchronously: the layer decides in `call`.
fn send<S, R>(svc: &mut S, peer: Option<&str>, headers: &[(&str, &[u8])]) -> R
where
    S: Service<
            Request<()>,
            Response = R,
            Error = Infallible,
            Future = Ready<Result<R, Infallible>>,
        >,
{
    let mut req = Request::new(());
    for (name, value) in headers {
        req.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    if let Some(peer) = peer {
        let peer: SocketAddr = peer.parse().unwrap();
        req.extensions_mut().insert(PeerAddr(peer));
    }
    svc.call(req).into_inner().unwrap()
}

fn layer_for(strategy: &str, trusted: &str) -> ClientIpLayer {
    ClientIpLayer::new(ProxyTrust::new(
        strategy.parse().unwrap(),
        trusted.parse().unwrap(),
    ))
}

const XFF: &str = "x-forwarded-for";
const FWD: &str = "forwarded";
const PROXY: &str = "10.0.0.2:40000";
const CLIENT: &str = "203.0.113.9:50000";

#[test]
fn attacker_controlled_input_logs_nothing_above_debug() {
    let trusted = "10.0.0.0/8";
    // (strategy, trusted, peer, headers): each falls back or stops early.
    #[allow(clippy::type_complexity)]
    let cases: &[(&str, &str, &str, &[(&str, &[u8])])] = &[
        // Malformed X-Forwarded-For behind a trusted proxy.
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"garbage")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"6.6.6.6, unknown")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"1.1.1.1, _hidden, 10.0.0.5")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"\xfe\xff")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"999.1.1.1")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"[2001:db8::1")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"0.0.0.0")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"1.1.1.1"), (XFF, b"garbage")],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[
                (XFF, b"198.51.100.7, 10.0.0.5"),
                ("x-forwarded-proto", b"ftp"),
            ],
        ),
        (
            "rightmost:x-forwarded-for",
            trusted,
            PROXY,
            &[
                (XFF, b"198.51.100.7, 10.0.0.6, 10.0.0.5"),
                ("x-forwarded-proto", b"https, http"),
            ],
        ),
        // Malformed Forwarded.
        (
            "rightmost:forwarded",
            trusted,
            PROXY,
            &[(FWD, br#"for="unterminated"#)],
        ),
        (
            "rightmost:forwarded",
            trusted,
            PROXY,
            &[(FWD, b"for=_obf, for=10.0.0.5")],
        ),
        ("rightmost:forwarded", trusted, PROXY, &[(FWD, b";;;,,=")]),
        (
            "leftmost-spoofable:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"10.1.1.1, garbage")],
        ),
        // Short and malformed hops chains, with and without a trusted set.
        (
            "hops:3:x-forwarded-for",
            "",
            CLIENT,
            &[(XFF, b"1.1.1.1, 2.2.2.2")],
        ),
        ("hops:1:x-forwarded-for", "", CLIENT, &[(XFF, b"")]),
        (
            "hops:2:x-forwarded-for",
            "",
            "10.9.9.9:1",
            &[(XFF, b"1.1.1.1")],
        ),
        (
            "hops:2:x-forwarded-for",
            trusted,
            PROXY,
            &[(XFF, b"1.1.1.1")],
        ),
        ("hops:2:forwarded", "", CLIENT, &[(FWD, b"for=1.1.1.1")]),
        (
            "hops:2:x-forwarded-for",
            "",
            CLIENT,
            &[(XFF, b"unknown, 10.0.0.5")],
        ),
        // Bad single headers.
        (
            "single:x-real-ip",
            trusted,
            PROXY,
            &[("x-real-ip", b"1.1.1.1"), ("x-real-ip", b"2.2.2.2")],
        ),
        (
            "single:x-real-ip",
            trusted,
            PROXY,
            &[("x-real-ip", b"1.1.1.1, 2.2.2.2")],
        ),
        (
            "single:x-real-ip",
            trusted,
            PROXY,
            &[("x-real-ip", b"unknown")],
        ),
        (
            "single:cf-connecting-ip",
            trusted,
            PROXY,
            &[("cf-connecting-ip", b"garbage")],
        ),
        (
            "single:cloudfront-viewer-address",
            trusted,
            PROXY,
            &[("cloudfront-viewer-address", b"[::1]")],
        ),
    ];
    for &(strategy, trusted, peer, headers) in cases {
        let mut svc = service(layer_for(strategy, trusted));
        let events = Capture::run(|| {
            for _ in 0..3 {
                assert!(send(&mut svc, Some(peer), headers).is_some());
            }
        });
        let case = format!("{strategy} (trusted {trusted:?}) from {peer} with {headers:?}");
        assert_eq!(loud(&events).len(), 0, "{case}: {events:?}");
        // The capture works: the fallback is traced, at debug, each time.
        assert!(at(&events, Level::DEBUG).len() >= 3, "{case}: {events:?}");
    }

    // A client forging headers straight at the server: not even debug.
    let forged: &[(&str, &[u8])] = &[
        (XFF, b"6.6.6.6, garbage"),
        (FWD, b"for=\"unterminated"),
        ("x-real-ip", b"6.6.6.6, 7.7.7.7"),
        ("x-forwarded-proto", b"ftp, ftp"),
    ];
    for strategy in [
        "rightmost:x-forwarded-for",
        "rightmost:forwarded",
        "single:x-real-ip",
    ] {
        let mut svc = service(layer_for(strategy, trusted));
        let events = Capture::run(|| {
            for _ in 0..3 {
                assert_eq!(
                    send(&mut svc, Some(CLIENT), forged),
                    Some(ClientIp("203.0.113.9".parse().unwrap()))
                );
            }
        });
        assert_eq!(loud(&events).len(), 0, "{strategy}: {events:?}");
    }
}

#[test]
fn missing_peer_address_warns_once_per_layer() {
    let layer = layer_for("rightmost:x-forwarded-for", "10.0.0.0/8");
    // The same layer through a cloned service, and through a clone of the layer.
    let mut again = service(layer.clone());
    let mut svc = service(layer);
    let mut cloned = svc.clone();
    let events = Capture::run(|| {
        for i in 0..50 {
            let headers: &[(&str, &[u8])] = match i % 3 {
                0 => &[],
                1 => &[(XFF, b"garbage")],
                _ => &[(XFF, b"198.51.100.7")],
            };
            assert_eq!(send(&mut svc, None, headers), None);
            assert_eq!(send(&mut cloned, None, headers), None);
            assert_eq!(send(&mut again, None, headers), None);
        }
    });
    let warns = at(&events, Level::WARN);
    assert_eq!(warns.len(), 1, "{events:?}");
    assert!(
        warns[0]
            .text
            .contains("into_make_service_with_connect_info"),
        "the warning names the fix: {warns:?}"
    );
    assert_eq!(
        loud(&events).len(),
        1,
        "nothing else above debug: {events:?}"
    );

    // Another layer has its own once.
    let other = ClientIpLayer::default();
    let mut svc = service(other);
    let events = Capture::run(|| {
        for _ in 0..10 {
            assert_eq!(send(&mut svc, None, &[]), None);
        }
    });
    assert_eq!(at(&events, Level::WARN).len(), 1, "{events:?}");
}

#[test]
fn a_hop_of_another_model_warns_once_and_decides() {
    // The outer layer believes X-Forwarded-For from 10/8; the inner one,
    // with another model, would take the peer: the outer decides.
    let outer = layer_for("rightmost:x-forwarded-for", "10.0.0.0/8");
    let inner = layer_for("peer", "");
    let mut svc = outer.layer(inner.layer(service_fn(|req: Request<()>| {
        std::future::ready(Ok::<_, Infallible>(ClientIp::from_extensions(
            req.extensions(),
        )))
    })));
    let events = Capture::run(|| {
        for _ in 0..20 {
            let ip = send(&mut svc, Some(PROXY), &[(XFF, b"198.51.100.7")]);
            assert_eq!(ip, Some(ClientIp("198.51.100.7".parse().unwrap())));
        }
    });
    let warns = at(&events, Level::WARN);
    assert_eq!(warns.len(), 1, "{events:?}");
    assert!(
        warns[0].text.contains("same ProxyTrust"),
        "the warning names the fix: {warns:?}"
    );
    assert_eq!(loud(&events).len(), 1, "{events:?}");

    // Layers sharing one model say nothing.
    let trust = ProxyTrust::new(
        "rightmost:x-forwarded-for".parse().unwrap(),
        "10.0.0.0/8".parse().unwrap(),
    );
    let shared = ClientIpLayer::new(trust.clone());
    let mut svc = shared.layer(
        ClientIpLayer::new(trust).layer(service_fn(|req: Request<()>| {
            std::future::ready(Ok::<_, Infallible>(req))
        })),
    );
    let events = Capture::run(|| drop(send(&mut svc, Some(PROXY), &[])));
    assert_eq!(loud(&events).len(), 0, "{events:?}");
}

#[test]
fn loopback_peer_with_nobody_trusted_says_info_once() {
    let mut svc = service(ClientIpLayer::default());
    let events = Capture::run(|| {
        for i in 0..50 {
            let headers: &[(&str, &[u8])] = match i % 2 {
                0 => &[],
                _ => &[(XFF, b"198.51.100.7")],
            };
            let got = send(&mut svc, Some("127.0.0.1:41000"), headers);
            assert_eq!(got, Some(ClientIp("127.0.0.1".parse().unwrap())));
        }
    });
    let infos = at(&events, Level::INFO);
    assert_eq!(infos.len(), 1, "{events:?}");
    assert!(
        infos[0].text.contains("127.0.0.1"),
        "names the peer: {infos:?}"
    );
    assert_eq!(
        loud(&events).len(),
        1,
        "nothing else above debug: {events:?}"
    );

    // Not said when the peer is public, when a proxy is trusted, or for
    // strategies that do not need a trusted set.
    let quiet = [
        (ClientIpLayer::default(), CLIENT),
        (
            layer_for("rightmost:x-forwarded-for", "loopback"),
            "127.0.0.1:1",
        ),
        (layer_for("peer", ""), "127.0.0.1:1"),
        (layer_for("hops:1:x-forwarded-for", ""), "127.0.0.1:1"),
    ];
    for (layer, peer) in quiet {
        let trust = format!("{:?}", layer.trust());
        let mut svc = service(layer);
        let events = Capture::run(|| {
            for _ in 0..5 {
                send(&mut svc, Some(peer), &[(XFF, b"198.51.100.7")]);
            }
        });
        assert_eq!(loud(&events).len(), 0, "{trust} from {peer}: {events:?}");
    }
}

#[cfg(feature = "axum")]
#[test]
fn the_rejection_is_said_at_trace_on_axum_rejection() {
    use axum::extract::FromRequestParts;
    use axum::response::IntoResponse;

    let (mut parts, ()) = Request::new(()).into_parts();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let rejection = runtime
        .block_on(ClientIp::from_request_parts(&mut parts, &()))
        .unwrap_err();
    assert_eq!(rejection.status(), 500);
    assert_eq!(rejection.body_text(), rejection.to_string());

    let events = Capture::run(|| {
        assert_eq!(rejection.into_response().status(), 500);
    });
    assert_eq!(events.len(), 1, "{events:?}");
    let event = &events[0];
    assert_eq!(
        (event.level, event.target),
        (Level::TRACE, "axum::rejection")
    );
    // The fields axum's own rejections carry.
    for field in [
        "status=500",
        "rejection_type=\"crocodile_client_ip::MissingClientIp\"",
        "Is `ClientIpLayer` installed?",
    ] {
        assert!(event.text.contains(field), "{field}: {event:?}");
    }
}
