//! Property tests: no input makes the host, allowed-hosts, base-path or URL
//! code panic, whatever passes is safe to put in a URL, and an untrusted
//! peer's proxy headers change nothing.

use std::net::SocketAddr;
use std::sync::Arc;

use crocodile_forwarded::{
    OnceWarnings, ProxyHeaders, ProxyTrust, Scheme, TrustedProxies, XForwardedHeaders, parse_host,
};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use proptest::prelude::*;

use crate::allowed_hosts::AllowedHosts;
use crate::base_path::BasePath;
use crate::context::{BaseContext, Parts};
use crate::layer::{Config, X_REQUEST_ID};
use crate::origin::{Origin, Rejection, resolve};
use crate::request_id::RequestId;

/// Bytes a header value can hold: anything but controls other than tab, and DEL.
fn header_value(bytes: &[u8]) -> HeaderValue {
    let cleaned: Vec<u8> = bytes
        .iter()
        .map(|&b| {
            if (b < 0x20 && b != b'\t') || b == 0x7f {
                b'x'
            } else {
                b
            }
        })
        .collect();
    HeaderValue::from_bytes(&cleaned).unwrap_or(HeaderValue::from_static("x"))
}

/// Host-ish bytes: mostly the characters that matter, sometimes anything.
fn hostish() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(
            prop::sample::select(b"aZ09.-_:[]@/%,;=\" \t\\\xff".to_vec()),
            0..40
        ),
        proptest::collection::vec(any::<u8>(), 0..80),
    ]
}

/// An address chain: trusted, untrusted and malformed entries, sometimes bytes.
fn chain() -> impl Strategy<Value = Vec<u8>> {
    let entry = prop::sample::select(vec![
        "10.0.0.1",
        "10.0.0.2",
        "198.51.100.7",
        "[2001:db8::1]:443",
        "unknown",
        "_hidden",
        "",
    ]);
    prop_oneof![
        3 => proptest::collection::vec(entry, 0..6).prop_map(|entries| entries.join(", ").into_bytes()),
        1 => proptest::collection::vec(any::<u8>(), 0..60),
    ]
}

/// The strategies, each with the family it reads the hop from.
const MODELS: [(&str, ProxyHeaders); 8] = [
    ("rightmost:x-forwarded-for", ProxyHeaders::XForwarded),
    ("hops:2:x-forwarded-for", ProxyHeaders::XForwarded),
    (
        "leftmost-spoofable:x-forwarded-for",
        ProxyHeaders::XForwarded,
    ),
    ("rightmost:forwarded", ProxyHeaders::Forwarded),
    ("hops:2:forwarded", ProxyHeaders::Forwarded),
    ("peer", ProxyHeaders::XForwarded),
    ("single:x-real-ip", ProxyHeaders::XForwarded),
    ("single:x-real-ip", ProxyHeaders::Forwarded),
];

fn config(strategy: &str, family: ProxyHeaders, allowed: &str) -> Config {
    let trust = ProxyTrust::builder()
        .strategy(strategy.parse().unwrap())
        .proxy_headers(family)
        .trusted_proxies(TrustedProxies::parse("10.0.0.0/8").unwrap())
        .x_forwarded(XForwardedHeaders::all())
        .build()
        .unwrap();
    Config {
        trust,
        warnings: Arc::new(OnceWarnings::new()),
        allowed_hosts: allowed.parse().unwrap(),
        request_id_header: X_REQUEST_ID,
        base_path: BasePath::root(),
        default_scheme: Scheme::Http,
        request_id_source: crate::RequestIdSource::Ulid,
        sample_new_traces: true,
    }
}

/// The origin of a request from `peer`, as the layer resolves it.
fn origin_of(
    config: &Config,
    peer: SocketAddr,
    uri: &Uri,
    headers: &HeaderMap,
) -> Result<Origin, Rejection> {
    let hop = config.trust.compute(Some(peer), headers);
    resolve(config, uri, headers, &hop)
}

fn url_safe(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%[]".contains(&b))
}

proptest! {
    #[test]
    fn resolve_never_panics_and_passes_only_clean_hosts(
        host in hostish(),
        xf in proptest::collection::vec(hostish(), 5),
        xff in chain(),
        real_ip in chain(),
        forwarded in proptest::collection::vec(any::<u8>(), 0..120),
        authority in hostish(),
        trusted in any::<bool>(),
    ) {
        let mut headers = HeaderMap::new();
        headers.insert("host", header_value(&host));
        let names = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix", "x-forwarded-host"];
        for (name, value) in names.iter().zip(&xf) {
            headers.append(HeaderName::from_static(name), header_value(value));
        }
        headers.insert("x-forwarded-for", header_value(&xff));
        headers.insert("x-real-ip", header_value(&real_ip));
        headers.insert("forwarded", header_value(&forwarded));
        // More distinct names than the hop's presence scan looks through.
        let mut padded = headers.clone();
        for i in 0..40 {
            padded.insert(HeaderName::try_from(format!("x-pad-{i}")).unwrap(), HeaderValue::from_static("1"));
        }
        let uri = std::str::from_utf8(&authority)
            .ok()
            .and_then(|a| format!("https://{a}/").parse::<Uri>().ok())
            .unwrap_or_else(|| Uri::from_static("/"));
        let peer: SocketAddr = if trusted { "10.0.0.1:1" } else { "203.0.113.9:1" }.parse().unwrap();
        for (strategy, family) in MODELS {
            for allowed in ["*", "example.com, .example.org, [::1]"] {
                let config = config(strategy, family, allowed);
                let origin = origin_of(&config, peer, &uri, &headers);
                // Skipping the headers the presence scan did not find changes nothing.
                prop_assert_eq!(&origin, &origin_of(&config, peer, &uri, &padded), "{}", strategy);
                if let Ok(origin) = origin {
                    let host: &str = &origin.host;
                    prop_assert!(parse_host(host.as_bytes()).is_ok_and(|h| h.port().is_none()), "{host:?}");
                    prop_assert_eq!(host.to_ascii_lowercase(), host);
                    prop_assert!(!host.ends_with('.'));
                    prop_assert!(config.allowed_hosts.allows(host, origin.port));
                    prop_assert!(origin.base_path.is_empty() || BasePath::validate(origin.base_path.as_bytes()) == Some(&*origin.base_path));
                    let ctx = context(origin);
                    prop_assert!(url_safe(&ctx.home_url()));
                }
            }
        }
    }

    #[test]
    fn an_untrusted_peer_s_proxy_headers_change_nothing(
        host in hostish(),
        xf in proptest::collection::vec(hostish(), 4),
        xff in chain(),
        forwarded in proptest::collection::vec(any::<u8>(), 0..120),
    ) {
        let mut bare = HeaderMap::new();
        bare.insert("host", header_value(&host));
        let mut forged = bare.clone();
        let names = ["x-forwarded-host", "x-forwarded-proto", "x-forwarded-port", "x-forwarded-prefix"];
        for (name, value) in names.iter().zip(&xf) {
            forged.append(HeaderName::from_static(name), header_value(value));
        }
        forged.insert("x-forwarded-for", header_value(&xff));
        forged.insert("x-real-ip", header_value(&xff));
        forged.insert("forwarded", header_value(&forwarded));
        let peer: SocketAddr = "203.0.113.9:1".parse().unwrap();
        let uri = Uri::from_static("/");
        for (strategy, family) in MODELS {
            let config = config(strategy, family, "*");
            prop_assert_eq!(
                origin_of(&config, peer, &uri, &forged),
                origin_of(&config, peer, &uri, &bare),
                "{}", strategy
            );
            let hop = config.trust.compute(Some(peer), &forged);
            prop_assert!(!hop.is_proxied());
            prop_assert_eq!(hop.client(), Some(peer.ip()));
        }
    }

    #[test]
    fn allowed_hosts_never_panic(list in any::<String>(), host in any::<String>(), port in any::<u16>()) {
        if let Ok(allowed) = list.parse::<AllowedHosts>() {
            let _ = allowed.allows(&host, port);
            let shown = allowed.to_string();
            prop_assert_eq!(shown.parse::<AllowedHosts>().ok(), Some(allowed));
        }
        let _ = AllowedHosts::any().allows(&host, port);
    }

    #[test]
    fn base_path_and_url_for_never_panic(path in any::<String>()) {
        if let Ok(base) = path.parse::<BasePath>() {
            prop_assert!(url_safe(base.as_str()));
        }
        let ctx = context(Origin {
            scheme: Scheme::Https,
            host: Arc::from("example.com"),
            port: 443,
            base_path: Arc::from("/app"),
        });
        let url = ctx.url_for(&path);
        prop_assert!(url.starts_with("https://example.com/app/"));
        prop_assert!(url_safe(&url), "{url}");
    }
}

fn context(origin: Origin) -> BaseContext {
    BaseContext::new(Parts {
        request_id: RequestId::generate(),
        origin,
        peer: None,
        client_ip: None,
        received_at: std::time::SystemTime::now(),
        trace: crate::TraceContext::new_root(true),
        tracestate: None,
        upstream_request_id: None,
    })
}

proptest! {
    /// Any bytes: `Traceparent::parse` never panics, and what it accepts is
    /// lowercase and, for version 00, exactly what the outgoing value of a
    /// child would look like around its own span id.
    #[test]
    fn traceparent_parse_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        if let Ok(tp) = crate::Traceparent::parse(&bytes) {
            prop_assert!(bytes.len() >= 55);
            prop_assert!(tp.version() != 0xff);
            let hex = tp.trace_id().to_hex();
            prop_assert_eq!(&bytes[3..35], hex.as_str().as_bytes());
        }
    }

    /// Well-formed values with random ids round-trip through a child's
    /// outgoing `traceparent`.
    #[test]
    fn traceparent_round_trips(trace in any::<[u8; 16]>(), parent in any::<[u8; 8]>(), flags in any::<u8>()) {
        let (Some(trace), Some(parent)) = (crate::TraceId::from_bytes(trace), crate::SpanId::from_bytes(parent)) else {
            return Ok(());
        };
        let value = format!("00-{trace}-{parent}-{flags:02x}");
        let tp = crate::Traceparent::parse(value.as_bytes()).unwrap();
        prop_assert_eq!(tp.trace_id(), trace);
        prop_assert_eq!(tp.parent_id(), parent);
        prop_assert_eq!(tp.flags(), flags);
        let out = crate::TraceContext::child_of(&tp).traceparent();
        let again = crate::Traceparent::parse(out.as_str().as_bytes()).unwrap();
        prop_assert_eq!(again.trace_id(), trace);
        prop_assert_eq!(again.flags(), flags & 1);
    }
}
