//! Helpers shared by the fuzz targets: turning fuzz bytes into header maps and
//! trusted sets, and the invariants every trust walk must satisfy.

use std::net::IpAddr;

use crocodile_forwarded::{Malformed, NodeAddr, TrustedProxies, Walk, normalize_ip, parse_node};
use http::HeaderMap;
use http::header::{HeaderName, HeaderValue};

/// The trusted sets a target picks from with one selector byte: nobody, the
/// default, a realistic deployment, and everybody (the walk then always runs
/// to the leftmost entry).
pub const TRUSTED: [&str; 5] = [
    "",
    "loopback",
    "loopback,private,link-local,unique-local",
    "10.0.0.0/8,192.0.2.0/24,2001:db8::/32",
    "0.0.0.0/0,::/0",
];

/// The trusted set chosen by `selector`.
pub fn trusted(selector: u8) -> TrustedProxies {
    TRUSTED[usize::from(selector) % TRUSTED.len()]
        .parse()
        .expect("the fuzz trusted sets are valid")
}

/// Splits fuzz bytes into header lines on `\n` (a byte no header value can hold).
pub fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split(|&b| b == b'\n').collect()
}

/// A map holding each line that `HeaderValue::from_bytes` accepts as one line of `name`.
pub fn header_map(name: &HeaderName, lines: &[&[u8]]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines {
        if let Ok(value) = HeaderValue::from_bytes(line) {
            map.append(name.clone(), value);
        }
    }
    map
}

/// Whether `b` may appear in a header value (what `HeaderValue::from_bytes` accepts).
pub fn is_header_byte(b: u8) -> bool {
    b == b'\t' || (b >= 0x20 && b != 0x7f)
}

/// An address the walk accepted is normalised, specified, and prints back to itself.
pub fn check_node(node: &NodeAddr) {
    assert_eq!(node.ip, normalize_ip(node.ip), "not normalised: {node:?}");
    assert!(!node.ip.is_unspecified(), "unspecified accepted: {node:?}");
    let text = match (node.ip, node.port) {
        (IpAddr::V6(v6), Some(port)) => format!("[{v6}]:{port}"),
        (ip, Some(port)) => format!("{ip}:{port}"),
        (ip, None) => ip.to_string(),
    };
    assert_eq!(
        parse_node(text.as_bytes()).as_ref(),
        Ok(node),
        "{text} does not parse back"
    );
}

/// Checks a walk result against the entries it walked (nearest hop first):
/// it stops at the first untrusted or malformed entry, every entry before the
/// stop is a trusted address, and the client is one of the header's
/// addresses or `None` (the peer).
pub fn check_walk(trusted: &TrustedProxies, rev: &[Result<NodeAddr, Malformed>], walk: Walk) {
    let all_trusted_before = |index: usize| {
        rev[..index]
            .iter()
            .all(|entry| entry.as_ref().is_ok_and(|node| trusted.contains(node.ip)))
    };
    match walk {
        Walk::Untrusted { ip, index } => {
            assert!(index < rev.len(), "{walk:?} beyond {} entries", rev.len());
            assert_eq!(rev[index].as_ref().map(|n| n.ip), Ok(ip), "{walk:?}");
            assert!(!trusted.contains(ip), "{walk:?}: the client is trusted");
            assert!(all_trusted_before(index), "{walk:?} skipped an entry");
        }
        Walk::AllTrusted { ip, index } => {
            assert_eq!(index + 1, rev.len(), "{walk:?} did not reach the leftmost");
            assert_eq!(rev[index].as_ref().map(|n| n.ip), Ok(ip), "{walk:?}");
            assert!(
                all_trusted_before(rev.len()),
                "{walk:?} with an untrusted entry"
            );
        }
        Walk::Malformed { index, why, last } => {
            assert!(index < rev.len(), "{walk:?} beyond {} entries", rev.len());
            assert_eq!(rev[index], Err(why), "{walk:?}");
            assert!(all_trusted_before(index), "{walk:?} skipped an entry");
            let expected = index
                .checked_sub(1)
                .map(|i| rev[i].as_ref().expect("checked above").ip);
            assert_eq!(last, expected, "{walk:?}: wrong last vouched address");
        }
        Walk::Empty => assert!(rev.is_empty(), "{walk:?} with {} entries", rev.len()),
        _ => unreachable!("a new Walk variant: teach the fuzz checks about it"),
    }
    if let Some(client) = walk.client() {
        assert!(
            rev.iter()
                .any(|entry| entry.as_ref().is_ok_and(|n| n.ip == client)),
            "client {client} is not in the header"
        );
    }
}

/// Whether the outcome is fixed by the entries the walk has already read, so
/// that nothing added to the left (a client's forged prefix) can change it.
pub fn is_decided(walk: &Walk) -> bool {
    matches!(walk, Walk::Untrusted { .. } | Walk::Malformed { .. })
}
