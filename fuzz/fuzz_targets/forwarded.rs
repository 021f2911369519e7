//! RFC 7239 `Forwarded`: elements split from the right, each parsed with the
//! lenient and the strict grammar, the value accessors, the `for=` nodes and
//! the rightmost-untrusted walk. Whatever strict accepts, lenient reads the
//! same; lenient never splits a port off an unbracketed IPv6 address.
//!
//! Input: one selector byte (the trusted set), then header lines split on `\n`.
//! The first line also plays a client's forged prefix, and the second line the
//! content of a quoted `host=` value that must survive escaping and splitting.

#![no_main]

use std::borrow::Cow;

use std::net::{IpAddr, Ipv6Addr};

use crocodile_forwarded::{
    Element, ElementError, ForwardedGrammar, ForwardedRev, Malformed, Value, normalize_ip,
    rightmost_untrusted,
};
use crocodile_fuzz::{
    check_node, check_walk, header_map, is_decided, is_header_byte, lines, trusted,
};
use http::HeaderMap;
use http::header::{FORWARDED, HeaderValue};
use libfuzzer_sys::fuzz_target;

fn check_value(value: Value<'_>, grammar: ForwardedGrammar) {
    let raw = value.raw();
    let unescaped = value.unescaped();
    assert!(unescaped.len() <= raw.len());
    if !raw.contains(&b'\\') {
        assert!(
            matches!(unescaped, Cow::Borrowed(_)),
            "copied without an escape"
        );
        assert_eq!(unescaped.as_ref(), raw);
    }
    if let Ok(node) = value.node_with(grammar) {
        check_node(&node);
    }
    // Lenient widens only what strict calls a syntax error.
    let strict = value.node_with(ForwardedGrammar::Strict);
    let lenient = value.node_with(ForwardedGrammar::Lenient);
    if strict != Err(Malformed::Syntax) {
        assert_eq!(lenient, strict, "lenient disagrees with strict");
    }
    // An unbracketed node with several colons is one whole IPv6 address or nothing.
    let bytes = value.unescaped();
    let bare = bytes.first() != Some(&b'[') && bytes.iter().filter(|&&b| b == b':').count() > 1;
    if let (true, Ok(node)) = (bare, lenient) {
        let whole: Ipv6Addr = std::str::from_utf8(&bytes)
            .expect("accepted non-UTF-8")
            .parse()
            .expect("accepted a non-address");
        assert_eq!(node.ip, normalize_ip(IpAddr::V6(whole)));
        assert_eq!(node.port, None, "a port split off a bare IPv6 address");
    }
}

/// Whatever strict accepted, lenient accepted with the same values.
fn check_strict_implies_lenient(
    strict: &Result<Element<'_>, ElementError>,
    lenient: &Result<Element<'_>, ElementError>,
) {
    let Ok(strict) = strict else { return };
    let lenient = lenient.as_ref().expect("strict accepted, lenient refused");
    assert_eq!(strict.for_value(), lenient.for_value());
    assert_eq!(strict.by(), lenient.by());
    assert_eq!(strict.proto(), lenient.proto());
    assert_eq!(strict.host(), lenient.host());
    if let Some(Ok(node)) = strict.for_node() {
        assert_eq!(lenient.for_node(), Some(Ok(node)));
    }
}

fn check_element(element: &Element<'_>, grammar: ForwardedGrammar) {
    for value in [
        element.for_value(),
        element.by(),
        element.proto(),
        element.host(),
    ]
    .into_iter()
    .flatten()
    {
        check_value(value, grammar);
    }
    assert_eq!(
        element.for_node(),
        element.for_value().map(|v| v.node_with(grammar))
    );
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else {
        return;
    };
    let trusted = trusted(selector);
    let lines = lines(rest);
    let map = header_map(&FORWARDED, &lines);

    // Every element, its accessors, and the `for=` node the walk reads from it.
    let elements: Vec<Result<Element<'_>, ElementError>> = ForwardedRev::new(&map).collect();
    let rev: Vec<_> = ForwardedRev::new(&map).for_nodes().collect();
    assert_eq!(elements.len(), rev.len());
    for (element, node) in elements.iter().zip(&rev) {
        match element {
            Ok(element) => {
                check_element(element, ForwardedGrammar::Lenient);
                assert_eq!(*node, element.for_node().unwrap_or(Err(Malformed::Syntax)));
            }
            Err(_) => assert_eq!(*node, Err(Malformed::Syntax)),
        }
    }
    // The strict walk splits the same elements; each it accepts, lenient reads the same.
    let strict: Vec<Result<Element<'_>, ElementError>> =
        ForwardedRev::with_grammar(&map, ForwardedGrammar::Strict).collect();
    assert_eq!(strict.len(), elements.len());
    for (strict, lenient) in strict.iter().zip(&elements) {
        if let Ok(element) = strict {
            check_element(element, ForwardedGrammar::Strict);
        }
        check_strict_implies_lenient(strict, lenient);
    }
    for line in &lines {
        let lenient = Element::parse_with(line, ForwardedGrammar::Lenient);
        let strict = Element::parse_with(line, ForwardedGrammar::Strict);
        for (element, grammar) in [
            (&lenient, ForwardedGrammar::Lenient),
            (&strict, ForwardedGrammar::Strict),
        ] {
            if let Ok(element) = element {
                check_element(element, grammar);
            }
        }
        check_strict_implies_lenient(&strict, &lenient);
        assert_eq!(Element::parse(line), lenient, "the default is lenient");
    }

    let walk = rightmost_untrusted(&trusted, ForwardedRev::new(&map).for_nodes());
    check_walk(&trusted, &rev, walk);

    // Each line is split on its own: a forged first line can't change a decided walk.
    if lines.len() > 1 {
        let proxies = header_map(&FORWARDED, &lines[1..]);
        let decided = rightmost_untrusted(&trusted, ForwardedRev::new(&proxies).for_nodes());
        if is_decided(&decided) && map.get_all(FORWARDED).iter().count() > 0 {
            assert_eq!(walk, decided, "a forged line changed the client");
        }
    }

    // Quoting round trip: whatever a proxy quotes into `host=`, after any junk
    // a client wrote to its left, comes back unescaped and splits cleanly.
    if let [junk, content, ..] = lines[..] {
        let content: Vec<u8> = content
            .iter()
            .copied()
            .filter(|&b| is_header_byte(b))
            .collect();
        let mut line: Vec<u8> = junk
            .iter()
            .copied()
            .filter(|&b| is_header_byte(b))
            .collect();
        line.extend_from_slice(b", for=192.0.2.1;host=\"");
        for &b in &content {
            if b == b'"' || b == b'\\' {
                line.push(b'\\');
            }
            line.push(b);
        }
        line.extend_from_slice(b"\", for=198.51.100.7");
        let mut map = HeaderMap::new();
        map.append(
            FORWARDED,
            HeaderValue::from_bytes(&line).expect("header bytes only"),
        );
        let mut walk = ForwardedRev::new(&map);
        let nearest = walk.next().expect("two elements").expect("a valid element");
        assert_eq!(
            nearest.for_value().map(|v| v.raw()),
            Some(&b"198.51.100.7"[..])
        );
        let quoted = walk.next().expect("two elements").unwrap_or_else(|e| {
            panic!(
                "quoted element refused ({e}): {:?}",
                String::from_utf8_lossy(&line)
            )
        });
        assert_eq!(quoted.for_value().map(|v| v.raw()), Some(&b"192.0.2.1"[..]));
        let host = quoted.host().expect("host=");
        assert_eq!(
            host.unescaped().as_ref(),
            &content[..],
            "quoting did not round trip"
        );
    }
});
