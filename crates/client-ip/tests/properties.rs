//! Properties of the strategy strings: every `ClientIpStrategy` displays as a
//! string that parses back to itself, any spelling that parses displays in
//! one canonical form, and no string makes the parser panic.

use std::num::NonZeroUsize;

use crocodile_client_ip::{ClientIpStrategy, ProxyHeaders};
use http::HeaderName;
use proptest::prelude::*;

fn chain() -> impl Strategy<Value = ProxyHeaders> {
    prop_oneof![
        Just(ProxyHeaders::XForwarded),
        Just(ProxyHeaders::Forwarded)
    ]
}

/// A header name as RFC 9110 allows it: one or more `tchar`.
fn header_name() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9!#$%&'*+.^_`|~-]{1,40}"
}

fn strategy() -> impl Strategy<Value = ClientIpStrategy> {
    prop_oneof![
        Just(ClientIpStrategy::Peer),
        chain().prop_map(ClientIpStrategy::Rightmost),
        (1..=usize::MAX, chain()).prop_map(|(n, header)| ClientIpStrategy::Hops {
            n: NonZeroUsize::new(n).unwrap(),
            header,
        }),
        header_name().prop_map(|name| ClientIpStrategy::Single(
            HeaderName::from_bytes(name.as_bytes()).unwrap()
        )),
        chain().prop_map(ClientIpStrategy::LeftmostSpoofable),
    ]
}

/// Flips the case of the letters `mask` picks.
fn recase(text: &str, mask: u64) -> String {
    text.chars()
        .enumerate()
        .map(|(i, c)| {
            if mask >> (i % 64) & 1 == 1 {
                c.to_ascii_uppercase()
            } else {
                c
            }
        })
        .collect()
}

proptest! {
    #[test]
    fn every_strategy_displays_as_a_string_that_parses_back_to_itself(strategy in strategy()) {
        let text = strategy.to_string();
        prop_assert_eq!(text.parse::<ClientIpStrategy>(), Ok(strategy));
    }

    #[test]
    fn any_spelling_that_parses_displays_canonically(
        strategy in strategy(),
        mask in any::<u64>(),
        zeros in 0usize..4,
        before in "[ \t]{0,3}",
        after in "[ \t]{0,3}",
    ) {
        // Same strategy, spelled with other letter case, zero-padded hop
        // counts and surrounding whitespace.
        let canonical = strategy.to_string();
        let spelled = match &strategy {
            ClientIpStrategy::Hops { n, header } => format!("hops:{}{n}:{}", "0".repeat(zeros), header.chain_name()),
            _ => canonical.clone(),
        };
        let spelled = format!("{before}{}{after}", recase(&spelled, mask));
        let parsed: ClientIpStrategy = spelled.parse().map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&parsed, &strategy);
        prop_assert_eq!(parsed.to_string(), canonical);
    }

    #[test]
    fn arbitrary_strings_never_panic_and_what_parses_round_trips(text in any::<String>()) {
        match text.parse::<ClientIpStrategy>() {
            Ok(strategy) => {
                let shown = strategy.to_string();
                prop_assert_eq!(shown.parse::<ClientIpStrategy>(), Ok(strategy));
            }
            Err(error) => {
                let quoted = format!("{text:?}");
                prop_assert!(error.to_string().contains(&quoted), "{} does not name {}", error, quoted);
            }
        }
    }

    #[test]
    fn strategy_shaped_strings_never_panic_and_what_parses_round_trips(
        text in "[ \t]?(peer|rightmost|hops|single|leftmost-spoofable|PEER|x)?(:[-+0-9a-zA-Z_ ]{0,20}){0,3}"
    ) {
        if let Ok(strategy) = text.parse::<ClientIpStrategy>() {
            let shown = strategy.to_string();
            prop_assert_eq!(shown.parse::<ClientIpStrategy>(), Ok(strategy));
        }
    }
}
