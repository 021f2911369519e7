//! Properties of every parser: no panic on arbitrary bytes, `Display` round
//! trips, linear cost, and the security property of the rightmost walk.

use std::net::IpAddr;

use crocodile_forwarded::{
    ForwardedRev, ListEntries, Scheme, TrustedProxies, Walk, X_REAL_IP, XForwardedFor, parse_host,
    parse_node, parse_unbracketed_ip_port, rightmost_untrusted, single_ip,
};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

fn map_of(name: &'static str, lines: &[Vec<u8>]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            map.append(name, value);
        }
    }
    map
}

/// Bytes biased towards the characters the grammars care about.
fn header_bytes() -> impl Strategy<Value = Vec<u8>> {
    let interesting = prop::sample::select(
        b"\",;=\\[]:._ \t0123456789abcdefforFORprotohostby%\x7f\x80\xff\x01".to_vec(),
    );
    prop::collection::vec(prop_oneof![any::<u8>(), interesting], 0..200)
}

fn any_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(IpAddr::from),
        any::<[u8; 16]>().prop_map(IpAddr::from)
    ]
}

proptest! {
    #[test]
    fn readers_never_panic(lines in prop::collection::vec(header_bytes(), 0..4)) {
        let trusted: TrustedProxies = "loopback,private".parse().unwrap();
        for name in ["x-forwarded-for", "forwarded", "x-real-ip", "x-forwarded-host"] {
            let map = map_of(name, &lines);
            let _ = XForwardedFor::new(&map).count();
            let _ = XForwardedFor::new(&map).rev().count();
            let _ = rightmost_untrusted(&trusted, XForwardedFor::new(&map).rev());
            let _ = rightmost_untrusted(&trusted, ForwardedRev::new(&map).for_nodes());
            for element in ForwardedRev::new(&map).flatten() {
                let _ = element.for_node();
                let _ = element.host().map(|h| h.unescaped());
            }
            for entry in ListEntries::new(map.get_all(name)) {
                let _ = parse_host(entry);
                let _ = Scheme::parse(entry);
            }
            let _ = single_ip(&map, &X_REAL_IP);
        }
        for line in &lines {
            let _ = parse_node(line);
            let _ = parse_unbracketed_ip_port(line);
            let _ = parse_host(line);
            if let Ok(text) = std::str::from_utf8(line) {
                let _ = text.parse::<TrustedProxies>();
            }
        }
    }

    #[test]
    fn node_display_parses_back(ip in any_ip(), port in proptest::option::of(1u16..)) {
        let text = match (ip, port) {
            (IpAddr::V6(v6), Some(port)) => format!("[{v6}]:{port}"),
            (ip, Some(port)) => format!("{ip}:{port}"),
            (ip, None) => ip.to_string(),
        };
        match parse_node(text.as_bytes()) {
            Ok(node) => {
                prop_assert_eq!(node.ip, crocodile_forwarded::normalize_ip(ip));
                prop_assert_eq!(node.port, port);
            }
            Err(_) => prop_assert!(crocodile_forwarded::normalize_ip(ip).is_unspecified()),
        }
    }

    #[test]
    fn trusted_display_round_trips(nets in prop::collection::vec((any_ip(), 0u8..=128), 0..20)) {
        // Host bits are an error: write each network as its first address.
        let items: Vec<String> = nets
            .iter()
            .map(|(ip, len)| {
                let len = match ip {
                    IpAddr::V4(_) => len % 33,
                    IpAddr::V6(_) => *len,
                };
                ipnet::IpNet::new(*ip, len).unwrap().trunc().to_string()
            })
            .collect();
        let set: TrustedProxies = items.join(",").parse().unwrap();
        let again: TrustedProxies = set.to_string().parse().unwrap();
        prop_assert_eq!(&again, &set);
        for (ip, _) in &nets {
            prop_assert!(set.contains(*ip));
        }
    }

    /// A forged prefix can never change what `rightmost` finds once the
    /// trusted suffix (what our proxies appended) is fixed.
    #[test]
    fn forged_prefix_cannot_change_rightmost(prefix in header_bytes(), client in any_ip(), hops in 0usize..4) {
        let trusted: TrustedProxies = "10.0.0.0/8".parse().unwrap();
        prop_assume!(!trusted.contains(client) && !crocodile_forwarded::normalize_ip(client).is_unspecified());
        let client = crocodile_forwarded::normalize_ip(client);
        let client_text = match client {
            IpAddr::V6(v6) => format!("[{v6}]"),
            v4 => v4.to_string(),
        };
        let mut suffix = client_text;
        for hop in 0..hops {
            suffix.push_str(&format!(", 10.0.0.{}", hop + 1));
        }
        let mut line = prefix;
        line.extend_from_slice(b",");
        line.extend_from_slice(suffix.as_bytes());
        let Ok(value) = HeaderValue::from_bytes(&line) else { return Ok(()) };
        let mut map = HeaderMap::new();
        map.append("x-forwarded-for", value);
        let walk = rightmost_untrusted(&trusted, XForwardedFor::new(&map).rev());
        prop_assert_eq!(walk, Walk::Untrusted { ip: client, index: hops });
    }

    /// Cost grows linearly: a line of n copies takes n times the entries.
    #[test]
    fn entry_count_is_linear(entry in "[0-9a-f:.\\[\\]]{1,20}", n in 1usize..2000) {
        let line = vec![entry.as_str(); n].join(",");
        let map = map_of("x-forwarded-for", &[line.into_bytes()]);
        prop_assert_eq!(XForwardedFor::new(&map).count(), n);
    }
}
