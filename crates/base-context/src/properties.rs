//! Property tests: no input makes the host, allowed-hosts, base-path or URL
//! code panic, and whatever passes is safe to put in a URL.

use std::sync::Arc;

use crocodile_forwarded::{Scheme, TrustedProxies, parse_host};
use http::{HeaderMap, HeaderName, HeaderValue, Uri};
use proptest::prelude::*;

use crate::allowed_hosts::AllowedHosts;
use crate::base_path::BasePath;
use crate::context::{BaseContext, Parts};
use crate::layer::{Config, X_REQUEST_ID};
use crate::origin::{Origin, resolve};
use crate::present::Present;
use crate::proxy_headers::{ProxyHeaders, XForwardedHops};
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

fn config(family: ProxyHeaders, allowed: &str) -> Config {
    Config {
        trusted: TrustedProxies::parse("10.0.0.0/8").unwrap(),
        allowed_hosts: allowed.parse().unwrap(),
        proxy_headers: family,
        hops: XForwardedHops::all(2),
        request_id_header: X_REQUEST_ID,
        base_path: BasePath::root(),
        default_scheme: Scheme::Http,
    }
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
        headers.insert("forwarded", header_value(&forwarded));
        let uri = std::str::from_utf8(&authority)
            .ok()
            .and_then(|a| format!("https://{a}/").parse::<Uri>().ok())
            .unwrap_or_else(|| Uri::from_static("/"));
        for family in [ProxyHeaders::XForwarded, ProxyHeaders::Forwarded] {
            for allowed in ["*", "example.com, .example.org, [::1]"] {
                let config = config(family, allowed);
                let present = Present::scan(&headers, &X_REQUEST_ID);
                let origin = resolve(&config, &uri, &headers, trusted, present);
                // Skipping the headers the scan did not find changes nothing.
                prop_assert_eq!(&origin, &resolve(&config, &uri, &headers, trusted, Present::ALL));
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
        #[cfg(feature = "client-ip")]
        client_ip: None,
        received_at: std::time::SystemTime::now(),
    })
}
