//! `Host`-style values, `X-Forwarded-Proto` schemes and `X-Forwarded-Port`
//! ports: what passes is exactly the input, safe for a URL, and prints back
//! to itself.

#![no_main]

use std::net::Ipv6Addr;

use crocodile_forwarded::{Scheme, parse_host, parse_port_value};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(parsed) = parse_host(data) {
        let host = parsed.host();
        assert!(!host.is_empty());
        assert!(
            data.starts_with(host.as_bytes()),
            "host is not the input's prefix"
        );
        let rest = &data[host.len()..];
        match parsed.port() {
            None => assert!(rest.is_empty(), "{rest:?} after the host was dropped"),
            Some(port) => {
                let digits = rest.strip_prefix(b":").expect("a port follows a colon");
                assert_eq!(parse_port_value(digits), Some(port));
            }
        }
        if parsed.is_ipv6() {
            let inside = host
                .strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .expect("bracketed");
            assert!(inside.parse::<Ipv6Addr>().is_ok(), "{host} is not IPv6");
        } else {
            // Only name characters: nothing that could change a URL's meaning.
            assert!(
                host.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')),
                "{host:?} has a character a URL would misread"
            );
            let name = host.strip_suffix('.').unwrap_or(host);
            assert!(!name.is_empty() && name.len() <= 253);
            assert!(name.split('.').all(|label| (1..=63).contains(&label.len())));
        }
        // Prints back to itself, in any case.
        let text = match parsed.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        assert_eq!(parse_host(text.as_bytes()), Ok(parsed));
        let upper = text.to_ascii_uppercase();
        let again = parse_host(upper.as_bytes()).expect("case does not matter");
        assert!(again.host().eq_ignore_ascii_case(host));
        assert_eq!(again.port(), parsed.port());
    }

    match Scheme::parse(data) {
        Some(scheme) => {
            assert!(data.eq_ignore_ascii_case(scheme.as_str().as_bytes()));
            assert_eq!(Scheme::parse(scheme.to_string().as_bytes()), Some(scheme));
        }
        None => {
            assert!(!data.eq_ignore_ascii_case(b"http") && !data.eq_ignore_ascii_case(b"https"));
        }
    }

    let is_digits = (1..=5).contains(&data.len()) && data.iter().all(u8::is_ascii_digit);
    match parse_port_value(data) {
        Some(port) => {
            assert!(is_digits, "{data:?} accepted as a port");
            let value: u32 = std::str::from_utf8(data).unwrap().parse().unwrap();
            assert_eq!(u32::from(port), value);
            assert_eq!(parse_port_value(port.to_string().as_bytes()), Some(port));
        }
        None if is_digits => {
            let value: u32 = std::str::from_utf8(data).unwrap().parse().unwrap();
            assert!(value > u32::from(u16::MAX), "{value} refused as a port");
        }
        None => {}
    }
});
