//! Configuration strings: `ClientIpStrategy` and `TrustedProxies` parse
//! without panicking, name the bad item when they fail, and what they parse
//! displays as a string that parses back to an equal value.

#![no_main]

use std::net::IpAddr;

use crocodile_forwarded::{ClientIpStrategy, TrustedProxies};
use libfuzzer_sys::fuzz_target;

/// Addresses probed to check that a reparsed trusted set trusts the same ones.
const PROBES: [&str; 8] = [
    "127.0.0.1",
    "10.1.2.3",
    "192.168.0.1",
    "8.8.8.8",
    "::1",
    "fd00::1",
    "2001:db8::1",
    "fe80::1",
];

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);

    match text.parse::<ClientIpStrategy>() {
        Ok(strategy) => {
            let shown = strategy.to_string();
            let again: ClientIpStrategy = shown
                .parse()
                .unwrap_or_else(|e| panic!("{shown:?} (from {text:?}) does not parse: {e}"));
            assert_eq!(again, strategy, "{text:?} -> {shown:?}");
            assert_eq!(again.to_string(), shown);
        }
        Err(error) => {
            assert!(error.to_string().contains(&format!("{text:?}")), "{error}");
        }
    }

    match text.parse::<TrustedProxies>() {
        Ok(trusted) => {
            let shown = trusted.to_string();
            let again: TrustedProxies = shown
                .parse()
                .unwrap_or_else(|e| panic!("{shown:?} (from {text:?}) does not parse: {e}"));
            assert_eq!(again, trusted, "{text:?} -> {shown:?}");
            assert_eq!(again.to_string(), shown);
            for probe in PROBES {
                let ip: IpAddr = probe.parse().unwrap();
                assert_eq!(
                    again.contains(ip),
                    trusted.contains(ip),
                    "{probe} in {shown:?}"
                );
            }
            for item in trusted.items() {
                let single: TrustedProxies = item.to_string().parse().expect("an item parses");
                assert_eq!(single.items(), [*item]);
            }
        }
        Err(error) => {
            assert!(
                text.split(',').any(|item| item.trim() == error.item()),
                "{:?} is not an item of {text:?}",
                error.item()
            );
        }
    }
});
