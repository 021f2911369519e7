//! `AllowedHosts`: parsing a configured list and matching request hosts.
//!
//! Input: two bytes of port, then the list, `\n`, and the request host.

#![no_main]

use crocodile_base_context::{AllowedHosts, AllowedHostsError};
use crocodile_forwarded::parse_host;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((port, rest)) = data.split_first_chunk::<2>() else {
        return;
    };
    let port = u16::from_le_bytes(*port);
    let (list, host) = match rest.iter().position(|&b| b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &b""[..]),
    };
    let list = String::from_utf8_lossy(list);
    let host = String::from_utf8_lossy(host);
    // A bare host: valid, without a port (what `allows` takes).
    let bare = parse_host(host.as_bytes()).is_ok_and(|h| h.port().is_none());

    match AllowedHosts::parse(&list) {
        Ok(allowed) => {
            // Display parses back to an equal list, and is stable.
            let shown = allowed.to_string();
            let again: AllowedHosts = shown
                .parse()
                .unwrap_or_else(|e| panic!("{shown:?} (from {list:?}) does not parse: {e}"));
            assert_eq!(again, allowed, "{list:?} -> {shown:?}");
            assert_eq!(again.to_string(), shown);

            let allows = allowed.allows(&host, port);
            assert!(!allows || bare, "invalid host {host:?} allowed by {list:?}");
            assert_eq!(again.allows(&host, port), allows);
            // Case-insensitive.
            assert_eq!(allowed.allows(&host.to_ascii_uppercase(), port), allows);
            assert_eq!(allowed.allows(&host.to_ascii_lowercase(), port), allows);
            // One trailing dot is ignored (for names, when the dotted form is valid).
            if bare && !host.starts_with('[') && !host.ends_with('.') {
                let dotted = format!("{host}.");
                if parse_host(dotted.as_bytes()).is_ok() {
                    assert_eq!(
                        allowed.allows(&dotted, port),
                        allows,
                        "{host:?} vs {dotted:?}"
                    );
                }
            }
        }
        Err(AllowedHostsError::Empty) => {
            assert!(
                list.split(',').all(|item| item.trim().is_empty()),
                "{list:?}"
            );
        }
        Err(AllowedHostsError::Invalid { item, .. }) => {
            assert!(
                list.split(',')
                    .any(|i| i.trim() == item && !item.is_empty()),
                "{item:?} is not an item of {list:?}"
            );
        }
        Err(_) => {}
    }

    // `*` allows exactly the valid bare hosts; a host allows itself on any
    // port, and with a pinned port on that port only.
    let any = AllowedHosts::any();
    assert_eq!(any.allows(&host, port), bare, "`*` and {host:?}");
    if bare {
        let itself = AllowedHosts::parse(&host)
            .unwrap_or_else(|e| panic!("valid host {host:?} refused as an item: {e}"));
        assert!(itself.allows(&host, port), "{host:?} does not allow itself");
        let pinned = AllowedHosts::parse(&format!("{host}:{port}"))
            .unwrap_or_else(|e| panic!("{host}:{port} refused: {e}"));
        assert!(pinned.allows(&host, port));
        assert!(
            !pinned.allows(&host, port ^ 1),
            "{host}:{port} allowed another port"
        );
    }
});
