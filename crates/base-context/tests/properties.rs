//! Properties of `AllowedHosts` built from well-formed items (names,
//! `.domains`, `*`, IPv4 and IPv6 literals, each with an optional port, in any
//! case, with trailing dots, whitespace and empty items): the list displays as
//! a string that parses back to an equal list, and every item allows the host
//! it names.

use std::net::{Ipv4Addr, Ipv6Addr};

use crocodile_base_context::AllowedHosts;
use proptest::prelude::*;

/// One configured item: its text, and a host it must allow (`None` for `*`).
#[derive(Debug, Clone)]
struct Item {
    text: String,
    allowed_host: Option<String>,
    port: Option<u16>,
}

fn name() -> impl Strategy<Value = String> {
    proptest::collection::vec("[a-zA-Z0-9_-]{1,12}", 1..5).prop_map(|labels| labels.join("."))
}

fn host() -> impl Strategy<Value = (String, String)> {
    // (item text without port, a request host it allows)
    prop_oneof![
        (name(), any::<bool>()).prop_map(|(name, dot)| {
            let text = if dot {
                format!("{name}.")
            } else {
                name.clone()
            };
            (text, name)
        }),
        (name(), name())
            .prop_map(|(domain, sub)| (format!(".{domain}"), format!("{sub}.{domain}"))),
        any::<[u8; 4]>().prop_map(|ip| {
            let ip = Ipv4Addr::from(ip).to_string();
            (ip.clone(), ip)
        }),
        any::<[u8; 16]>().prop_map(|ip| {
            let ip = Ipv6Addr::from(ip);
            // Allowed in another spelling: the fully expanded form.
            let segments = ip.segments().map(|s| format!("{s:X}")).join(":");
            (format!("[{ip}]"), format!("[{segments}]"))
        }),
    ]
}

fn item() -> impl Strategy<Value = Item> {
    let port = proptest::option::of(any::<u16>());
    prop_oneof![
        1 => port.clone().prop_map(|port| Item {
            text: port.map_or_else(|| "*".to_owned(), |p| format!("*:{p}")),
            allowed_host: None,
            port,
        }),
        8 => (host(), port).prop_map(|((text, allowed), port)| Item {
            text: port.map_or(text.clone(), |p| format!("{text}:{p}")),
            allowed_host: Some(allowed),
            port,
        }),
    ]
}

fn list() -> impl Strategy<Value = (Vec<Item>, String)> {
    proptest::collection::vec((item(), "[ \t]{0,2}", "[ \t]{0,2}", 0usize..3), 1..6).prop_map(
        |entries| {
            let mut text = String::new();
            let mut items = Vec::new();
            for (item, before, after, empties) in entries {
                text.push_str(&",".repeat(empties));
                if !text.is_empty() {
                    text.push(',');
                }
                text.push_str(&format!("{before}{}{after}", item.text));
                items.push(item);
            }
            (items, text)
        },
    )
}

/// Flips the case of the letters `mask` picks.
fn recase(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn display_parses_back_to_an_equal_list((items, text) in list(), mask in any::<u64>()) {
        let text = recase(&text, mask);
        let allowed: AllowedHosts = text
            .parse()
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {e}")))?;
        let shown = allowed.to_string();
        let again: AllowedHosts = shown
            .parse()
            .map_err(|e| TestCaseError::fail(format!("{shown:?} (from {text:?}): {e}")))?;
        prop_assert_eq!(&again, &allowed);
        prop_assert_eq!(&again.to_string(), &shown);
        prop_assert_eq!(shown.split(", ").count(), items.len());
    }

    #[test]
    fn every_item_allows_the_host_it_names((items, text) in list(), mask in any::<u64>(), other_port in any::<u16>()) {
        let allowed: AllowedHosts = text.parse().unwrap();
        for item in &items {
            let Some(host) = &item.allowed_host else { continue };
            let host = recase(host, mask);
            let port = item.port.unwrap_or(other_port);
            prop_assert!(allowed.allows(&host, port), "{:?} does not allow {}:{}", text, host, port);
        }
    }
}
