//! The `Hop` the layer inserts next to `ClientIp`: where the address came
//! from (`source`, and `trust.source_label`), which hop the request's proxy
//! headers are read at (`index`, `is_proxied`) and why it fell back
//! (`fallback`), for every strategy; and requests that crossed one to three
//! proxies, each appending to or overwriting the headers, with a client
//! forging each header on the way in.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use crocodile_client_ip::{
    ClientIp, ClientIpLayer, ClientIpStrategy, Fallback, Hop, PeerAddr, ProxyHeaders, ProxyTrust,
    Source,
};
use crocodile_forwarded::{Ignored, Malformed, Scheme};
use http::{HeaderMap, HeaderName, HeaderValue, Request};
use tower::{Layer, ServiceExt, service_fn};

const XFF: &str = "x-forwarded-for";
const FWD: &str = "forwarded";
const XFP: &str = "x-forwarded-proto";
const PROXY: &str = "10.0.0.2:40000";
const CLIENT: &str = "203.0.113.9:50000";

fn trust(strategy: &str, trusted: &str) -> ProxyTrust {
    ProxyTrust::new(strategy.parse().unwrap(), trusted.parse().unwrap())
}

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap();
        map.append(name, HeaderValue::from_str(value).unwrap());
    }
    map
}

/// The inner service: what the layers inserted.
async fn inserted(req: Request<()>) -> Result<(Option<ClientIp>, Option<Hop>), Infallible> {
    let ext = req.extensions();
    Ok((ClientIp::from_extensions(ext), ext.get::<Hop>().copied()))
}

/// What a layer on `trust(strategy, trusted)` inserted into one request
/// from `peer` with `pairs`.
async fn run_one(
    strategy: &str,
    trusted: &str,
    peer: &str,
    pairs: &[(&str, &str)],
) -> (Option<ClientIp>, Hop) {
    let layer = ClientIpLayer::new(trust(strategy, trusted));
    run(&layer, Some(peer.parse().unwrap()), headers(pairs)).await
}

/// A request with `pairs` whose peer is `PROXY`, as `PeerAddr`.
fn from_proxy(pairs: &[(&str, &str)]) -> Request<()> {
    let mut req = Request::new(());
    *req.headers_mut() = headers(pairs);
    req.extensions_mut()
        .insert(PeerAddr(PROXY.parse().unwrap()));
    req
}

/// What `layer` inserted into one request from `peer` (as axum's
/// `ConnectInfo`) with `headers`.
async fn run(
    layer: &ClientIpLayer,
    peer: Option<SocketAddr>,
    headers: HeaderMap,
) -> (Option<ClientIp>, Hop) {
    let svc = layer.layer(service_fn(inserted));
    let mut req = Request::new(());
    *req.headers_mut() = headers;
    if let Some(peer) = peer {
        req.extensions_mut().insert(ConnectInfo(peer));
    }
    let (ip, hop) = svc.oneshot(req).await.unwrap();
    let hop = hop.expect("the layer inserts a Hop on every request");
    assert_eq!(
        ip.map(|ClientIp(ip)| ip),
        hop.client(),
        "ClientIp is the hop's client"
    );
    assert_eq!(hop.peer(), peer, "the hop keeps the socket peer");
    assert_eq!(hop.is_proxied(), hop.index().is_some());
    (ip, hop)
}

#[tokio::test]
async fn hop_is_inserted_next_to_client_ip_for_every_strategy() {
    let trusted = "10.0.0.0/8";
    // ((strategy, trusted, peer), headers, (client, source label, index, fallback code))
    #[allow(clippy::type_complexity)]
    let cases: &[(
        (&str, &str, &str),
        &[(&str, &str)],
        (&str, &str, Option<usize>, Option<&str>),
    )] = &[
        // `peer`: the peer, always; a trusted peer's proxy headers are read at hop 0.
        (
            ("peer", trusted, PROXY),
            &[(XFF, "1.1.1.1")],
            ("10.0.0.2", "peer", Some(0), None),
        ),
        (
            ("peer", trusted, CLIENT),
            &[(XFF, "1.1.1.1")],
            ("203.0.113.9", "peer", None, None),
        ),
        (
            ("peer", "", "127.0.0.1:1"),
            &[],
            ("127.0.0.1", "peer", None, None),
        ),
        // `rightmost:`, both families.
        (
            ("rightmost:x-forwarded-for", trusted, CLIENT),
            &[(XFF, "1.1.1.1")],
            ("203.0.113.9", "peer", None, Some("untrusted-peer")),
        ),
        (
            ("rightmost:x-forwarded-for", trusted, PROXY),
            &[],
            ("10.0.0.2", "peer", Some(0), Some("header-absent")),
        ),
        (
            ("rightmost:x-forwarded-for", trusted, PROXY),
            &[(XFF, "6.6.6.6, 198.51.100.7")],
            ("198.51.100.7", "x-forwarded-for[0]", Some(0), None),
        ),
        (
            ("rightmost:x-forwarded-for", trusted, PROXY),
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.5")],
            ("198.51.100.7", "x-forwarded-for[1]", Some(1), None),
        ),
        (
            ("rightmost:x-forwarded-for", trusted, PROXY),
            &[(XFF, "198.51.100.7, 10.0.0.6, 10.0.0.5")],
            ("198.51.100.7", "x-forwarded-for[2]", Some(2), None),
        ),
        // All trusted: the leftmost, and its hop.
        (
            ("rightmost:x-forwarded-for", trusted, PROXY),
            &[(XFF, "10.0.0.9, 10.0.0.5")],
            ("10.0.0.9", "x-forwarded-for[1]", Some(1), None),
        ),
        // A malformed entry at i: the client is entry i - 1 (or the peer), the hop is i.
        (
            ("rightmost:x-forwarded-for", trusted, PROXY),
            &[(XFF, "6.6.6.6, unknown, 10.0.0.5")],
            (
                "10.0.0.5",
                "x-forwarded-for[0]",
                Some(1),
                Some("malformed-entry"),
            ),
        ),
        (
            ("rightmost:x-forwarded-for", trusted, PROXY),
            &[(XFF, "1.1.1.1, garbage")],
            ("10.0.0.2", "peer", Some(0), Some("malformed-entry")),
        ),
        (
            ("rightmost:forwarded", trusted, CLIENT),
            &[(FWD, "for=1.1.1.1")],
            ("203.0.113.9", "peer", None, Some("untrusted-peer")),
        ),
        (
            ("rightmost:forwarded", trusted, PROXY),
            &[(FWD, "for=6.6.6.6, for=198.51.100.7")],
            ("198.51.100.7", "forwarded[0]", Some(0), None),
        ),
        (
            ("rightmost:forwarded", trusted, PROXY),
            &[(FWD, "for=198.51.100.7, for=10.0.0.6, for=10.0.0.5")],
            ("198.51.100.7", "forwarded[2]", Some(2), None),
        ),
        (
            ("rightmost:forwarded", trusted, PROXY),
            &[(XFF, "1.1.1.1")],
            ("10.0.0.2", "peer", Some(0), Some("header-absent")),
        ),
        (
            ("rightmost:forwarded", trusted, PROXY),
            &[(FWD, "for=_hidden, for=10.0.0.5")],
            ("10.0.0.5", "forwarded[0]", Some(1), Some("malformed-entry")),
        ),
        // `hops:1..3`, with and without a trusted set.
        (
            ("hops:1:x-forwarded-for", "", CLIENT),
            &[(XFF, "6.6.6.6, 198.51.100.7")],
            ("198.51.100.7", "x-forwarded-for[0]", Some(0), None),
        ),
        (
            ("hops:2:x-forwarded-for", "", CLIENT),
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.5")],
            ("198.51.100.7", "x-forwarded-for[1]", Some(1), None),
        ),
        (
            ("hops:3:x-forwarded-for", trusted, PROXY),
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.6, 10.0.0.5")],
            ("198.51.100.7", "x-forwarded-for[2]", Some(2), None),
        ),
        (
            ("hops:3:forwarded", "", CLIENT),
            &[(FWD, "for=198.51.100.7, for=10.0.0.6, for=10.0.0.5")],
            ("198.51.100.7", "forwarded[2]", Some(2), None),
        ),
        (
            ("hops:1:x-forwarded-for", trusted, CLIENT),
            &[(XFF, "1.1.1.1")],
            ("203.0.113.9", "peer", None, Some("untrusted-peer")),
        ),
        (
            ("hops:3:x-forwarded-for", "", CLIENT),
            &[(XFF, "1.1.1.1, 2.2.2.2")],
            ("203.0.113.9", "peer", None, Some("chain-too-short")),
        ),
        (
            ("hops:2:x-forwarded-for", "", CLIENT),
            &[(XFF, "unknown, 10.0.0.5")],
            ("203.0.113.9", "peer", None, Some("malformed-entry")),
        ),
        // `single:`: hop 0, even when the header is not believed (the peer is trusted).
        (
            ("single:x-real-ip", trusted, PROXY),
            &[("x-real-ip", "198.51.100.7")],
            ("198.51.100.7", "x-real-ip[0]", Some(0), None),
        ),
        (
            ("single:cf-connecting-ip", trusted, PROXY),
            &[("cf-connecting-ip", "2001:db8::7")],
            ("2001:db8::7", "cf-connecting-ip[0]", Some(0), None),
        ),
        (
            ("single:x-real-ip", trusted, CLIENT),
            &[("x-real-ip", "1.1.1.1")],
            ("203.0.113.9", "peer", None, Some("untrusted-peer")),
        ),
        (
            ("single:x-real-ip", trusted, PROXY),
            &[],
            ("10.0.0.2", "peer", Some(0), Some("header-absent")),
        ),
        (
            ("single:x-real-ip", trusted, PROXY),
            &[("x-real-ip", "1.1.1.1"), ("x-real-ip", "2.2.2.2")],
            ("10.0.0.2", "peer", Some(0), Some("repeated-header")),
        ),
        (
            ("single:x-real-ip", trusted, PROXY),
            &[("x-real-ip", "1.1.1.1, 2.2.2.2")],
            ("10.0.0.2", "peer", Some(0), Some("not-one-address")),
        ),
        (
            ("single:x-real-ip", trusted, PROXY),
            &[("x-real-ip", "garbage")],
            ("10.0.0.2", "peer", Some(0), Some("malformed-entry")),
        ),
        // `leftmost-spoofable:`: the hop of the address it picked.
        (
            ("leftmost-spoofable:x-forwarded-for", trusted, PROXY),
            &[(XFF, "6.6.6.6, 198.51.100.7, 10.0.0.5")],
            ("6.6.6.6", "x-forwarded-for[2]", Some(2), None),
        ),
        (
            ("leftmost-spoofable:forwarded", trusted, PROXY),
            &[(FWD, "for=192.168.1.1, for=198.51.100.7")],
            ("198.51.100.7", "forwarded[0]", Some(0), None),
        ),
        (
            ("leftmost-spoofable:x-forwarded-for", trusted, PROXY),
            &[(XFF, "192.168.1.1, 10.0.0.5")],
            ("10.0.0.2", "peer", Some(0), Some("no-public-address")),
        ),
        (
            ("leftmost-spoofable:x-forwarded-for", trusted, CLIENT),
            &[(XFF, "6.6.6.6")],
            ("203.0.113.9", "peer", None, Some("untrusted-peer")),
        ),
    ];
    for &((strategy, trusted, peer), pairs, (client, label, index, fallback)) in cases {
        let trust = trust(strategy, trusted);
        let layer = ClientIpLayer::new(trust.clone());
        let (ip, hop) = run(&layer, Some(peer.parse().unwrap()), headers(pairs)).await;
        let case = format!("{strategy} (trusted {trusted:?}) from {peer} with {pairs:?}");
        assert_eq!(ip, Some(ClientIp(client.parse().unwrap())), "{case}");
        assert_eq!(trust.source_label(&hop).to_string(), label, "{case}");
        assert_eq!(hop.index(), index, "{case}");
        assert_eq!(hop.fallback().map(|f| f.code()), fallback, "{case}");
    }
}

#[tokio::test]
async fn fallbacks_carry_their_details() {
    // (strategy, trusted, peer, headers, fallback)
    #[allow(clippy::type_complexity)]
    let cases: [(&str, &str, &str, &[(&str, &str)], Fallback); 3] = [
        (
            "rightmost:x-forwarded-for",
            "10.0.0.0/8",
            PROXY,
            &[(XFF, "6.6.6.6, unknown, 10.0.0.5")],
            Fallback::MalformedEntry {
                index: 1,
                why: Malformed::Unknown,
            },
        ),
        (
            "hops:3:forwarded",
            "",
            CLIENT,
            &[(FWD, "for=1.1.1.1, for=2.2.2.2")],
            Fallback::ChainTooShort { len: 2, hops: 3 },
        ),
        (
            "single:x-real-ip",
            "10.0.0.0/8",
            PROXY,
            &[("x-real-ip", "_hidden")],
            Fallback::MalformedEntry {
                index: 0,
                why: Malformed::Obfuscated,
            },
        ),
    ];
    let mut hops = Vec::new();
    for (strategy, trusted, peer, pairs, fallback) in cases {
        let (_, hop) = run_one(strategy, trusted, peer, pairs).await;
        assert_eq!(hop.fallback(), Some(fallback), "{strategy}");
        hops.push(hop);
    }
    assert_eq!(
        hops[0].source(),
        Source::Chain {
            family: ProxyHeaders::XForwarded,
            index: 0
        }
    );
    assert_eq!(
        hops[1].fallback().unwrap().to_string(),
        "chain of 2 entries is shorter than the 3 configured hops"
    );
    assert_eq!(hops[2].source(), Source::Peer);
}

#[tokio::test]
async fn no_peer_address_inserts_a_hop_but_no_client_ip() {
    let trust = trust("rightmost:x-forwarded-for", "0.0.0.0/0");
    let layer = ClientIpLayer::new(trust.clone());
    let (ip, hop) = run(
        &layer,
        None,
        headers(&[(XFF, "198.51.100.7"), (XFP, "https")]),
    )
    .await;
    assert_eq!(ip, None);
    assert_eq!(hop.source(), Source::None);
    assert_eq!(trust.source_label(&hop).to_string(), "none");
    assert_eq!(hop.fallback(), Some(Fallback::NoPeerAddress));
    assert_eq!(hop.fallback().unwrap().code(), "no-peer-address");
    assert!(!hop.is_proxied());
    assert_eq!(hop.proto(), Err(Ignored::NotBelieved));
}

#[tokio::test]
async fn peer_addr_comes_before_connect_info() {
    let layer = ClientIpLayer::new(trust("peer", ""));
    let svc = layer.layer(service_fn(|req: Request<()>| async move {
        Ok::<_, Infallible>(req.extensions().get::<Hop>().copied())
    }));
    let mut req = from_proxy(&[]);
    req.extensions_mut()
        .insert(ConnectInfo::<SocketAddr>(CLIENT.parse().unwrap()));
    let hop = svc.oneshot(req).await.unwrap().unwrap();
    assert_eq!(hop.peer(), Some(PROXY.parse().unwrap()));
    assert_eq!(hop.client(), Some("10.0.0.2".parse().unwrap()));
}

#[tokio::test]
async fn an_outer_layers_client_ip_and_hop_are_kept() {
    let outer = ClientIpLayer::new(trust("rightmost:x-forwarded-for", "10.0.0.0/8"));
    let inner = ClientIpLayer::new(trust("peer", ""));
    let svc = outer.layer(inner.layer(service_fn(inserted)));
    let (ip, hop) = svc
        .oneshot(from_proxy(&[(XFF, "198.51.100.7")]))
        .await
        .unwrap();
    assert_eq!(ip, Some(ClientIp("198.51.100.7".parse().unwrap())));
    let hop = hop.unwrap();
    assert_eq!(
        outer.trust().source_label(&hop).to_string(),
        "x-forwarded-for[0]"
    );
}

#[tokio::test]
async fn the_layer_and_its_trust_agree_on_the_hop() {
    // `trust.hop` after the layer reuses the layer's hop; another model computes its own.
    let trust = trust("rightmost:x-forwarded-for", "10.0.0.0/8");
    let layer = ClientIpLayer::new(trust.clone());
    let svc = layer.layer(service_fn(|req: Request<()>| async move {
        Ok::<_, Infallible>(req)
    }));
    let mut req = svc
        .oneshot(from_proxy(&[(XFF, "6.6.6.6, 198.51.100.7")]))
        .await
        .unwrap();
    let inserted = *req.extensions().get::<Hop>().unwrap();
    assert_eq!(trust.hop(&mut req), inserted);
    assert_eq!(layer.trust().hop(&mut req), inserted);

    let other = ProxyTrust::new(ClientIpStrategy::Peer, "10.0.0.0/8".parse().unwrap());
    let recomputed = other.hop(&mut req);
    assert_eq!(recomputed.client(), Some("10.0.0.2".parse().unwrap()));
    assert_eq!(recomputed.source(), Source::Peer);
}

#[tokio::test]
async fn a_swapped_trusted_set_applies_to_the_next_request() {
    let trust = trust("rightmost:x-forwarded-for", "");
    let layer = ClientIpLayer::new(trust.clone());
    let request = || headers(&[(XFF, "198.51.100.7")]);
    let peer = Some(PROXY.parse().unwrap());
    let (ip, hop) = run(&layer, peer, request()).await;
    assert_eq!(ip, Some(ClientIp("10.0.0.2".parse().unwrap())));
    assert_eq!(hop.fallback(), Some(Fallback::PeerUntrusted));

    trust.set_trusted_proxies("10.0.0.0/8".parse().unwrap());
    let (ip, hop) = run(&layer, peer, request()).await;
    assert_eq!(ip, Some(ClientIp("198.51.100.7".parse().unwrap())));
    assert_eq!(trust.source_label(&hop).to_string(), "x-forwarded-for[0]");
}

// ---------------------------------------------------------------------------
// Proxy chains: a client sends some (forged) headers, then the request
// crosses one to three proxies, each writing what it saw.

/// How a proxy writes its entry into a header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writes {
    /// On a new header line (HAProxy `option forwardfor`).
    NewLine,
    /// At the end of the existing list, joined onto one line (nginx
    /// `$proxy_add_x_forwarded_for`).
    SameLine,
    /// In place of whatever was there (nginx
    /// `proxy_set_header X-Forwarded-For $remote_addr`).
    Overwrites,
}

use Writes::{NewLine, Overwrites, SameLine};

fn write(headers: &mut HeaderMap, name: &'static str, entry: &str, how: Writes) {
    match how {
        NewLine => {
            headers.append(name, HeaderValue::from_str(entry).unwrap());
        }
        SameLine => {
            let mut joined: Vec<u8> = Vec::new();
            for line in headers.get_all(name) {
                joined.extend_from_slice(line.as_bytes());
                joined.extend_from_slice(b", ");
            }
            joined.extend_from_slice(entry.as_bytes());
            headers.insert(name, HeaderValue::from_bytes(&joined).unwrap());
        }
        Overwrites => {
            headers.insert(name, HeaderValue::from_str(entry).unwrap());
        }
    }
}

/// The trusted proxies, outermost first; a chain of `n` is the last `n`,
/// and the last one is the socket peer.
const PROXIES: [&str; 3] = ["10.0.0.6", "10.0.0.5", "10.0.0.2"];

/// The real clients.
const CLIENTS: [&str; 2] = ["198.51.100.7", "2001:db8::7"];

/// What a client may send to choose its address (or scheme).
const FORGERIES: &[&[(&str, &str)]] = &[
    &[],
    &[(XFF, "6.6.6.6")],
    &[(XFF, "6.6.6.6, 10.0.0.5")],
    &[(XFF, "6.6.6.6"), (XFF, "10.0.0.6")],
    &[(XFF, "garbage")],
    &[(FWD, "for=6.6.6.6;proto=http")],
    &[(FWD, "for=10.0.0.5, for=6.6.6.6")],
    &[(FWD, r#"for="6.6.6.6"#)],
    &[(XFP, "http")],
    &[("x-real-ip", "6.6.6.6")],
    &[
        (XFF, "6.6.6.6"),
        (FWD, "for=6.6.6.6;proto=http"),
        (XFP, "http"),
        ("x-real-ip", "6.6.6.6"),
    ],
];

/// Every way `n` proxies can write: the outermost appends (on a new line or
/// the same one) or overwrites; the ones behind it append.
fn ways(n: usize) -> Vec<Vec<Writes>> {
    let mut ways: Vec<Vec<Writes>> = vec![vec![NewLine], vec![SameLine], vec![Overwrites]];
    for _ in 1..n {
        ways = ways
            .into_iter()
            .flat_map(|way| {
                [NewLine, SameLine].map(|how| {
                    let mut way = way.clone();
                    way.push(how);
                    way
                })
            })
            .collect();
    }
    ways
}

/// The request as the server receives it: the peer, and the headers after
/// `client` sent `forged` and each proxy (outermost first, written `ways`)
/// added the address it saw to `X-Forwarded-For` and `Forwarded` and the
/// scheme it was reached with (https at the edge, http behind) to
/// `X-Forwarded-Proto` and `proto=`.
fn arrive(client: &str, forged: &[(&str, &str)], ways: &[Writes]) -> (SocketAddr, HeaderMap) {
    let mut map = headers(forged);
    let proxies = &PROXIES[PROXIES.len() - ways.len()..];
    let mut seen: IpAddr = client.parse().unwrap();
    for (at, (proxy, how)) in proxies.iter().zip(ways).enumerate() {
        let scheme = if at == 0 { "https" } else { "http" };
        write(&mut map, XFF, &seen.to_string(), *how);
        let node = match seen {
            IpAddr::V4(v4) => v4.to_string(),
            IpAddr::V6(v6) => format!("\"[{v6}]\""),
        };
        write(&mut map, FWD, &format!("for={node};proto={scheme}"), *how);
        write(&mut map, XFP, scheme, *how);
        seen = proxy.parse().unwrap();
    }
    (SocketAddr::new(seen, 40000), map)
}

/// Asserts that the client is `client`, read at entry `index` of `family`'s
/// chain.
#[track_caller]
fn assert_chain_client(
    ip: Option<ClientIp>,
    hop: Hop,
    client: &str,
    family: ProxyHeaders,
    index: usize,
    case: &str,
) {
    assert_eq!(ip, Some(ClientIp(client.parse().unwrap())), "{case}");
    assert_eq!(hop.source(), Source::Chain { family, index }, "{case}");
}

#[tokio::test]
async fn proxy_chains_of_one_to_three_hops_find_the_client() {
    let mut checked = 0;
    for family in [ProxyHeaders::XForwarded, ProxyHeaders::Forwarded] {
        let chain = family.chain_name();
        for n in 1..=3 {
            let strategies = [
                (format!("rightmost:{chain}"), "10.0.0.0/8"),
                (format!("hops:{n}:{chain}"), "10.0.0.0/8"),
                (format!("hops:{n}:{chain}"), ""),
            ];
            for (strategy, trusted) in &strategies {
                let trust = trust(strategy, trusted);
                let layer = ClientIpLayer::new(trust.clone());
                for way in ways(n) {
                    for client in CLIENTS {
                        for forged in FORGERIES {
                            let (peer, map) = arrive(client, forged, &way);
                            let case = format!(
                                "{strategy} (trusted {trusted:?}), {client} through {way:?} forging {forged:?}: {map:?}"
                            );
                            let (ip, hop) = run(&layer, Some(peer), map).await;
                            assert_chain_client(ip, hop, client, family, n - 1, &case);
                            assert_eq!(
                                trust.source_label(&hop).to_string(),
                                format!("{chain}[{}]", n - 1),
                                "{case}"
                            );
                            assert_eq!(hop.index(), Some(n - 1), "{case}");
                            assert_eq!(hop.fallback(), None, "{case}");
                            // The scheme is the edge's, whatever the client wrote.
                            assert_eq!(hop.proto(), Ok(Scheme::Https), "{case}");
                            checked += 1;
                        }
                    }
                }
            }
        }
    }
    // 2 families, 3 strategies, 3 + 6 + 12 ways, 2 clients, every forgery.
    assert_eq!(checked, 2 * 3 * 21 * 2 * FORGERIES.len());
}

#[tokio::test]
async fn proxies_that_all_overwrite_hide_the_client_but_never_let_it_choose() {
    // Every proxy overwrites: the chain holds one address, the previous
    // proxy's. `rightmost:` answers that proxy; `hops:<n>` (n > 1) finds the
    // chain too short and answers the peer.
    for family in [ProxyHeaders::XForwarded, ProxyHeaders::Forwarded] {
        let chain = family.chain_name();
        for n in 2..=3 {
            let way = vec![Overwrites; n];
            let previous = PROXIES[PROXIES.len() - 2];
            for forged in FORGERIES {
                let (peer, map) = arrive(CLIENTS[0], forged, &way);
                let case = format!("{chain}, {n} overwriting proxies, forging {forged:?}");

                let layer = ClientIpLayer::new(trust(&format!("rightmost:{chain}"), "10.0.0.0/8"));
                let (ip, hop) = run(&layer, Some(peer), map.clone()).await;
                assert_chain_client(ip, hop, previous, family, 0, &case);
                assert_eq!(hop.fallback(), None, "{case}");

                let layer = ClientIpLayer::new(trust(&format!("hops:{n}:{chain}"), ""));
                let (ip, hop) = run(&layer, Some(peer), map).await;
                assert_eq!(ip, Some(ClientIp(peer.ip())), "{case}");
                assert_eq!(
                    hop.fallback(),
                    Some(Fallback::ChainTooShort { len: 1, hops: n }),
                    "{case}"
                );
                assert!(!hop.is_proxied(), "{case}");
            }
        }
    }
}

#[tokio::test]
async fn forged_headers_never_win_for_peer_and_single() {
    for n in 1..=3 {
        for way in ways(n) {
            for forged in FORGERIES {
                let (peer, mut map) = arrive(CLIENTS[0], forged, &way);
                let case = format!("through {way:?} forging {forged:?}");

                // `peer`: the peer, whatever anyone wrote.
                for trusted in ["10.0.0.0/8", ""] {
                    let layer = ClientIpLayer::new(trust("peer", trusted));
                    let (ip, hop) = run(&layer, Some(peer), map.clone()).await;
                    assert_eq!(ip, Some(ClientIp(peer.ip())), "{case}");
                    assert_eq!(hop.source(), Source::Peer, "{case}");
                    assert_eq!(hop.fallback(), None, "{case}");
                    assert_eq!(hop.index(), (!trusted.is_empty()).then_some(0), "{case}");
                }

                // `single:x-real-ip`: the edge writes it as `way[0]` says, the
                // proxies behind it pass it through.
                write(&mut map, "x-real-ip", CLIENTS[0], way[0]);
                let forged_real_ip = forged.iter().any(|(name, _)| *name == "x-real-ip");
                let trust = trust("single:x-real-ip", "10.0.0.0/8");
                let layer = ClientIpLayer::new(trust.clone());
                let (ip, hop) = run(&layer, Some(peer), map).await;
                assert_eq!(hop.index(), Some(0), "{case}");
                match (forged_real_ip, way[0]) {
                    (true, NewLine) => {
                        assert_eq!(ip, Some(ClientIp(peer.ip())), "{case}");
                        assert_eq!(hop.fallback(), Some(Fallback::RepeatedHeader), "{case}");
                    }
                    (true, SameLine) => {
                        assert_eq!(ip, Some(ClientIp(peer.ip())), "{case}");
                        assert_eq!(hop.fallback(), Some(Fallback::NotOneAddress), "{case}");
                    }
                    _ => {
                        assert_eq!(ip, Some(ClientIp(CLIENTS[0].parse().unwrap())), "{case}");
                        assert_eq!(hop.source(), Source::Single, "{case}");
                        assert_eq!(
                            trust.source_label(&hop).to_string(),
                            "x-real-ip[0]",
                            "{case}"
                        );
                        assert_eq!(hop.fallback(), None, "{case}");
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn leftmost_spoofable_is_forged_through_appending_proxies() {
    // By design: what it answers is display-only.
    for family in [ProxyHeaders::XForwarded, ProxyHeaders::Forwarded] {
        let chain = family.chain_name();
        let layer = ClientIpLayer::new(trust(&format!("leftmost-spoofable:{chain}"), "10.0.0.0/8"));
        let forged: &[(&str, &str)] = &[(XFF, "6.6.6.6"), (FWD, "for=6.6.6.6")];
        for n in 1..=3 {
            for way in ways(n) {
                let (peer, map) = arrive(CLIENTS[0], forged, &way);
                let (ip, hop) = run(&layer, Some(peer), map).await;
                let case = format!("{chain} through {way:?}");
                if way[0] == Overwrites {
                    assert_chain_client(ip, hop, CLIENTS[0], family, n - 1, &case);
                } else {
                    assert_chain_client(ip, hop, "6.6.6.6", family, n, &case);
                }
                assert_eq!(hop.fallback(), None, "{case}");
            }
        }
    }
}

#[tokio::test]
async fn short_hops_chain_falls_back_to_the_peer_and_believes_nothing() {
    for family in [ProxyHeaders::XForwarded, ProxyHeaders::Forwarded] {
        let chain = family.chain_name();
        for hops in 1..=3 {
            for trusted in ["", "10.0.0.0/8"] {
                let trust = trust(&format!("hops:{hops}:{chain}"), trusted);
                let layer = ClientIpLayer::new(trust.clone());
                // Fewer proxies than configured: the request bypassed some,
                // or the count is wrong.
                for len in 0..hops {
                    let (peer, map) = if len == 0 {
                        (PROXY.parse().unwrap(), headers(&[(XFP, "https")]))
                    } else {
                        arrive(CLIENTS[0], &[], &vec![NewLine; len])
                    };
                    let case =
                        format!("hops:{hops}:{chain} (trusted {trusted:?}) with {len} entries");
                    let (ip, hop) = run(&layer, Some(peer), map).await;
                    assert_eq!(ip, Some(ClientIp(peer.ip())), "{case}");
                    assert_eq!(hop.source(), Source::Peer, "{case}");
                    assert_eq!(trust.source_label(&hop).to_string(), "peer", "{case}");
                    assert_eq!(
                        hop.fallback(),
                        Some(Fallback::ChainTooShort { len, hops }),
                        "{case}"
                    );
                    assert_eq!(hop.fallback().unwrap().code(), "chain-too-short", "{case}");
                    assert!(!hop.is_proxied(), "{case}");
                    assert_eq!(hop.index(), None, "{case}");
                    // No proxy header of the request is believed.
                    assert_eq!(hop.proto(), Err(Ignored::NotBelieved), "{case}");
                }
            }
        }
    }
}

#[tokio::test]
async fn malformed_hops_entry_believes_nothing() {
    let cases: &[(&str, &[(&str, &str)], usize, Malformed)] = &[
        (
            "hops:1:x-forwarded-for",
            &[(XFF, "garbage"), (XFP, "https")],
            0,
            Malformed::Syntax,
        ),
        (
            "hops:2:x-forwarded-for",
            &[(XFF, "unknown, 10.0.0.5"), (XFP, "https, http")],
            1,
            Malformed::Unknown,
        ),
        (
            "hops:2:forwarded",
            &[(FWD, "for=_hidden;proto=https, for=10.0.0.5")],
            1,
            Malformed::Obfuscated,
        ),
    ];
    for &(strategy, pairs, index, why) in cases {
        let (ip, hop) = run_one(strategy, "", CLIENT, pairs).await;
        assert_eq!(
            ip,
            Some(ClientIp("203.0.113.9".parse().unwrap())),
            "{strategy}"
        );
        assert_eq!(
            hop.fallback(),
            Some(Fallback::MalformedEntry { index, why }),
            "{strategy}"
        );
        assert!(!hop.is_proxied(), "{strategy}");
        assert_eq!(hop.proto(), Err(Ignored::NotBelieved), "{strategy}");
    }
}
