//! The two `Forwarded` grammars side by side, through the public API: one
//! row per header as real emitters and other parsers' test suites write it,
//! with what the lenient (default) and the strict grammar read from it.
//!
//! Sources quoted in the rows:
//! - RFC 7239, the examples of sections 4, 6 and 7;
//! - realclientip-go, `realclientip_test.go` (`Test_parseForwardedListItem`,
//!   `Test_forwardedHeaderRFCDeviations` and the `Forwarded` rows of the
//!   strategy tests), named by their test case names;
//! - Spring Framework, `ForwardedHeaderFilterTests` and
//!   `ForwardedHeaderUtilsTests` (spring-web), named by their test methods;
//! - HAProxy, `option forwarded` as `src/http_ext.c` writes it and
//!   `reg-tests/http-rules/forwarded-header-7239.vtc` checks it: an IPv4
//!   node unquoted, `for="[v6]"`, and `for="node:port"` once a port is added;
//! - nginx with `proxy_set_header Forwarded "for=$remote_addr"`: the bare
//!   address, so `for=::1` and `for=2001:db8::1` for IPv6 clients;
//! - AWS API Gateway: `for=2001:db8::1;host=...;proto=https`.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crocodile_forwarded::{
    Element, ElementError, ForwardedGrammar, ForwardedRev, Malformed, NodeAddr, Value, normalize_ip,
};
use http::header::FORWARDED;
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;

const LENIENT: ForwardedGrammar = ForwardedGrammar::Lenient;
const STRICT: ForwardedGrammar = ForwardedGrammar::Strict;

fn headers(lines: &[&str]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in lines {
        map.append(FORWARDED, HeaderValue::from_bytes(line.as_bytes()).unwrap());
    }
    map
}

/// `192.0.2.1`, `192.0.2.1:8080`, `2001:db8::1`, `[2001:db8::1]:443`.
fn node_text(node: &NodeAddr) -> String {
    match (node.ip, node.port) {
        (IpAddr::V6(v6), Some(port)) => format!("[{v6}]:{port}"),
        (ip, Some(port)) => format!("{ip}:{port}"),
        (ip, None) => ip.to_string(),
    }
}

/// The `for=` node of each element, right to left: the node, or
/// `element: …` / `node: …` / `no for` for what is malformed.
fn fors(lines: &[&str], grammar: ForwardedGrammar) -> Vec<String> {
    let map = headers(lines);
    ForwardedRev::with_grammar(&map, grammar)
        .map(|element| match element {
            Ok(element) => match element.for_node() {
                Some(Ok(node)) => node_text(&node),
                Some(Err(malformed)) => format!("node: {malformed:?}"),
                None => "no for".to_owned(),
            },
            Err(error) => format!("element: {error:?}"),
        })
        .collect()
}

/// One row: the header lines, then what the lenient and the strict grammar
/// read, element by element from the right.
type Row = (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
);

const ROWS: &[Row] = &[
    // RFC 7239 section 4.
    (
        &[r#"for="_gazonk""#],
        &["node: Obfuscated"],
        &["node: Obfuscated"],
    ),
    (
        &[r#"For="[2001:db8:cafe::17]:4711""#],
        &["[2001:db8:cafe::17]:4711"],
        &["[2001:db8:cafe::17]:4711"],
    ),
    (
        &["for=192.0.2.60;proto=http;by=203.0.113.43"],
        &["192.0.2.60"],
        &["192.0.2.60"],
    ),
    (
        &["for=192.0.2.43, for=198.51.100.17"],
        &["198.51.100.17", "192.0.2.43"],
        &["198.51.100.17", "192.0.2.43"],
    ),
    // RFC 7239 section 6: nodes with ports.
    (
        &[r#"for="192.0.2.43:47011""#],
        &["192.0.2.43:47011"],
        &["192.0.2.43:47011"],
    ),
    (
        &[r#"for="[2001:db8:cafe::17]:47011""#],
        &["[2001:db8:cafe::17]:47011"],
        &["[2001:db8:cafe::17]:47011"],
    ),
    // RFC 7239 section 6.3: obfuscated identifiers.
    (
        &["for=_hidden, for=_SEVKISEK"],
        &["node: Obfuscated", "node: Obfuscated"],
        &["node: Obfuscated", "node: Obfuscated"],
    ),
    // RFC 7239 section 7.1: with and without spaces after the comma, and as two lines.
    (
        &[r#"for=192.0.2.43,for="[2001:db8:cafe::17]",for=unknown"#],
        &["node: Unknown", "2001:db8:cafe::17", "192.0.2.43"],
        &["node: Unknown", "2001:db8:cafe::17", "192.0.2.43"],
    ),
    (
        &[r#"for=192.0.2.43, for="[2001:db8:cafe::17]", for=unknown"#],
        &["node: Unknown", "2001:db8:cafe::17", "192.0.2.43"],
        &["node: Unknown", "2001:db8:cafe::17", "192.0.2.43"],
    ),
    (
        &[
            "for=192.0.2.43",
            r#"for="[2001:db8:cafe::17]", for=unknown"#,
        ],
        &["node: Unknown", "2001:db8:cafe::17", "192.0.2.43"],
        &["node: Unknown", "2001:db8:cafe::17", "192.0.2.43"],
    ),
    // realclientip-go Test_parseForwardedListItem, by case name.
    // "IPv6 with port and quotes"
    (
        &[r#"For="[2607:f8b0:4004:83f::200e]:4711""#],
        &["[2607:f8b0:4004:83f::200e]:4711"],
        &["[2607:f8b0:4004:83f::200e]:4711"],
    ),
    // "IPv6 with quotes, brackets and no port"
    (
        &[r#"fOR="[2607:f8b0:4004:83f::200e]""#],
        &["2607:f8b0:4004:83f::200e"],
        &["2607:f8b0:4004:83f::200e"],
    ),
    // "IPv6 with quotes, no brackets, and no port"
    (
        &[r#"for="2607:f8b0:4004:83f::200e""#],
        &["2607:f8b0:4004:83f::200e"],
        &["node: Syntax"],
    ),
    // "IPv6 with brackets, no quotes, and no port"
    (
        &["FOR=[2607:f8b0:4004:83f::200e]"],
        &["2607:f8b0:4004:83f::200e"],
        &["element: BadToken"],
    ),
    // "IPv6 with port and no quotes"
    (
        &["For=[2607:f8b0:4004:83f::200e]:4711"],
        &["[2607:f8b0:4004:83f::200e]:4711"],
        &["element: BadToken"],
    ),
    // "IPv6 with port, quotes, and zone" (realclientip-go keeps the zone; a
    // zone names no address another host can reach, so both refuse it)
    (
        &[r#"For="[fe80::abcd%zone]:4711""#],
        &["node: Syntax"],
        &["node: Syntax"],
    ),
    // "IPv6 with zone, no quotes, no port"
    (
        &[r#"For="fe80::abcd%zone""#],
        &["node: Syntax"],
        &["node: Syntax"],
    ),
    // "IPv4 with port"
    (
        &["FoR=192.0.2.60:4711"],
        &["192.0.2.60:4711"],
        &["element: BadToken"],
    ),
    // "IPv4 with no port", "IPv4 with quotes", "IPv4 with port and quotes"
    (&["for=192.0.2.60"], &["192.0.2.60"], &["192.0.2.60"]),
    (&[r#"for="192.0.2.60""#], &["192.0.2.60"], &["192.0.2.60"]),
    (
        &[r#"for="192.0.2.60:4823""#],
        &["192.0.2.60:4823"],
        &["192.0.2.60:4823"],
    ),
    // "Error: invalid IPv4", "Error: invalid IPv6", "Error: non-IP identifier"
    (&["for=192.0.2.999"], &["node: Syntax"], &["node: Syntax"]),
    (
        &[r#"for="2607:f8b0:4004:83f::999999""#],
        &["node: Syntax"],
        &["node: Syntax"],
    ),
    (
        &[r#"for="_test""#],
        &["node: Obfuscated"],
        &["node: Obfuscated"],
    ),
    // "Error: empty IP value"
    (&["for="], &["element: BadToken"], &["element: BadToken"]),
    // "Multiple IPv4 directives"
    (
        &["by=1.1.1.1; for=2.2.2.2;host=myhost; proto=https"],
        &["2.2.2.2"],
        &["2.2.2.2"],
    ),
    // "Multiple IPv6 directives", "Multiple mixed directives" (unquoted IPv6 `by=`)
    (
        &["by=1::1;host=myhost;for=2::2;proto=https"],
        &["2::2"],
        &["element: BadToken"],
    ),
    (
        &["by=1::1;host=myhost;proto=https;for=2.2.2.2"],
        &["2.2.2.2"],
        &["element: BadToken"],
    ),
    // "IPv4-mapped IPv6", "... with port and quotes", "... in IPv6 form": folded to IPv4.
    (
        &[r#"for="[::ffff:188.0.2.128]""#],
        &["188.0.2.128"],
        &["188.0.2.128"],
    ),
    (
        &[r#"for="[::ffff:188.0.2.128]:49428""#],
        &["188.0.2.128:49428"],
        &["188.0.2.128:49428"],
    ),
    (
        &[r#"for="[0:0:0:0:0:ffff:bc15:0006]""#],
        &["188.21.0.6"],
        &["188.21.0.6"],
    ),
    // "NAT64 IPv4-mapped IPv6": not folded.
    (
        &[r#"for="[64:ff9b::188.0.2.128]""#],
        &["64:ff9b::bc00:280"],
        &["64:ff9b::bc00:280"],
    ),
    // "IPv4 loopback", "IPv6 loopback"
    (&["for=127.0.0.1"], &["127.0.0.1"], &["127.0.0.1"]),
    (&[r#"for="[::1]""#], &["::1"], &["::1"]),
    // "Error: Unmatched quote"
    (
        &[r#"for="1.1.1.1"#],
        &["element: BadQuoting"],
        &["element: BadQuoting"],
    ),
    // "Error: unmatched bracket"
    (&[r#"for="::1]""#], &["node: Syntax"], &["node: Syntax"]),
    // "Error: misplaced quote"
    (
        &[r#"for="[0:0:0:0:0:ffff:bc15:0006"]"#],
        &["element: BadToken"],
        &["element: BadToken"],
    ),
    // "RFC deviation: quoted pair" (a `\` outside quotes is no escape)
    (
        &[r"for=1.1.1.\1"],
        &["element: BadToken"],
        &["element: BadToken"],
    ),
    // "RFC deviation: Incorrect whitespace"
    (
        &["for= 1.1.1.1"],
        &["1.1.1.1"],
        &["element: WhitespaceAroundEquals"],
    ),
    // realclientip-go Test_forwardedHeaderRFCDeviations, by case name.
    // "Comma in quotes": split quote-aware, so two elements, not four.
    (
        &[r#"For="1.1.1.1, For=2.2.2.2, For=3.3.3.3", For="4.4.4.4""#],
        &["4.4.4.4", "node: Syntax"],
        &["4.4.4.4", "node: Syntax"],
    ),
    // "Unmatched quote": what proxies appended survives.
    (
        &[r#"For="1.1.1.1, For=2.2.2.2"#],
        &["2.2.2.2", "element: BadQuoting"],
        &["2.2.2.2", "element: BadQuoting"],
    ),
    // "Invalid characters": the whole element is malformed.
    (
        &["For=1.1.1.1;@!=\u{1f600}, For=2.2.2.2"],
        &["2.2.2.2", "element: BadToken"],
        &["2.2.2.2", "element: BadToken"],
    ),
    // "Duplicate token"
    (
        &["For=1.1.1.1;For=2.2.2.2, For=3.3.3.3"],
        &["3.3.3.3", "element: DuplicateParameter"],
        &["3.3.3.3", "element: DuplicateParameter"],
    ),
    // "Escaped character"
    (&[r#"For="3.3.3.\3""#], &["3.3.3.3"], &["3.3.3.3"]),
    // "Equal sign spaces"
    (
        &["For =1.1.1.1, For= 3.3.3.3"],
        &["3.3.3.3", "1.1.1.1"],
        &[
            "element: WhitespaceAroundEquals",
            "element: WhitespaceAroundEquals",
        ],
    ),
    // "IPv4 brackets": brackets are for IPv6 only.
    (
        &[r#"For="[1.1.1.1]""#],
        &["node: Syntax"],
        &["node: Syntax"],
    ),
    // realclientip-go, `Forwarded` rows of the strategy tests.
    (
        &["For=5.5.5.5", "For=6.6.6.6"],
        &["6.6.6.6", "5.5.5.5"],
        &["6.6.6.6", "5.5.5.5"],
    ),
    (
        &[r#"Host=blah;For="2607:f8b0:4004:83f::18";Proto=https"#],
        &["2607:f8b0:4004:83f::18"],
        &["node: Syntax"],
    ),
    (
        &[
            r#"For=[fe80::1111%zone], Host=blah;For="[2607:f8b0:4004:83f::18%zone]:9943";Proto=https"#,
            "host=what;for=6.6.6.6;proto=https",
        ],
        &["6.6.6.6", "node: Syntax", "node: Syntax"],
        &["6.6.6.6", "node: Syntax", "element: BadToken"],
    ),
    (
        &[
            r#"For="", For="::ffff:192.168.1.1""#,
            r#"host=what;for=:48485;proto=https,For="2607:f8b0:4004:83f::18""#,
        ],
        &[
            "2607:f8b0:4004:83f::18",
            "node: Syntax",
            "192.168.1.1",
            "node: Syntax",
        ],
        &[
            "node: Syntax",
            "element: BadToken",
            "node: Syntax",
            "node: Syntax",
        ],
    ),
    (
        &[r#"For="::ffff:ac15:0006%zone",For="::",For=0.0.0.0"#],
        &["node: Unspecified", "node: Unspecified", "node: Syntax"],
        &["node: Unspecified", "node: Syntax", "node: Syntax"],
    ),
    (
        &[r#"For="::ffff:bc15:0006""#],
        &["188.21.0.6"],
        &["node: Syntax"],
    ),
    // Spring ForwardedHeaderFilterTests.ForwardedFor.
    // forwardedForIpV4Identifier, forwardedForIpV6Identifier
    (
        &["for=203.0.113.195"],
        &["203.0.113.195"],
        &["203.0.113.195"],
    ),
    (
        &[r#"for="[2001:db8:cafe::17]""#],
        &["2001:db8:cafe::17"],
        &["2001:db8:cafe::17"],
    ),
    // forwardedForIpV4IdentifierWithPort, forwardedForIpV6IdentifierWithPort
    (
        &[r#"for="203.0.113.195:47011""#],
        &["203.0.113.195:47011"],
        &["203.0.113.195:47011"],
    ),
    (
        &[r#"For="[2001:db8:cafe::17]:47011""#],
        &["[2001:db8:cafe::17]:47011"],
        &["[2001:db8:cafe::17]:47011"],
    ),
    // forwardedForMultipleIdentifiers
    (
        &[r#"for=203.0.113.195;proto=http, for="[2001:db8:cafe::17]", for=unknown"#],
        &["node: Unknown", "2001:db8:cafe::17", "203.0.113.195"],
        &["node: Unknown", "2001:db8:cafe::17", "203.0.113.195"],
    ),
    // forwardedForInvalidIpV6Address (gh-26748): Spring throws; the whole
    // value is one IPv6 address, so the lenient grammar reads it.
    (
        &[r#"for="2a02:918:175:ab60:45ee:c12c:dac1:808b""#],
        &["2a02:918:175:ab60:45ee:c12c:dac1:808b"],
        &["node: Syntax"],
    ),
    // Spring ForwardedHeaderUtilsTests.
    // fromHttpRequestForwardedHeaderComma (gh-25737): an unquoted `host=` port.
    (
        &["for=192.0.2.0,for=192.0.2.1;proto=https;host=192.0.2.3:9090"],
        &["192.0.2.1", "192.0.2.0"],
        &["element: BadToken", "192.0.2.0"],
    ),
    // fromHttpRequestForwardedWithPort
    (
        &["for=192.0.2.1:1920"],
        &["192.0.2.1:1920"],
        &["element: BadToken"],
    ),
    // parseForwardedByHeader: unquoted brackets in `by=`, then a bare address.
    (
        &["by=[fd00:fefe:1::4], 192.168.0.1"],
        &["element: BadToken", "no for"],
        &["element: BadToken", "element: BadToken"],
    ),
    // HAProxy `option forwarded`, as forwarded-header-7239.vtc expects it.
    (
        &["proto=http;for=127.0.0.1"],
        &["127.0.0.1"],
        &["127.0.0.1"],
    ),
    (
        &[r#"by="127.0.0.3:10";for="127.0.0.2:_id""#],
        &["127.0.0.2"],
        &["127.0.0.2"],
    ),
    (&[r#"proto=http;for="[::1]:_id""#], &["::1"], &["::1"]),
    (&["for=127.9.0.1"], &["127.9.0.1"], &["127.9.0.1"]),
    // HAProxy http_ext.c: IPv6 always quoted and bracketed, a port after it.
    (
        &[r#"proto=https;for="[2001:db8::1]:443""#],
        &["[2001:db8::1]:443"],
        &["[2001:db8::1]:443"],
    ),
    (
        &[r#"for="[2001:db8::1]";proto=https"#],
        &["2001:db8::1"],
        &["2001:db8::1"],
    ),
    // forwarded-header-7239.vtc, rfc7239_is_valid rows: duplicate, lone quote.
    (
        &["proto=http;proto=http"],
        &["element: DuplicateParameter"],
        &["element: DuplicateParameter"],
    ),
    (&[r#"""#], &["element: BadToken"], &["element: BadToken"]),
    // A node of `unknown` with a port names no address either way.
    (
        &[r#"for="unknown:132";host="[::1]:65535";by="_obfs:_port";proto=https"#],
        &["node: Syntax"],
        &["node: Syntax"],
    ),
    // nginx `proxy_set_header Forwarded "for=$remote_addr"`.
    (&["for=192.0.2.1"], &["192.0.2.1"], &["192.0.2.1"]),
    (&["for=::1"], &["::1"], &["element: BadToken"]),
    (
        &["for=2001:db8::1"],
        &["2001:db8::1"],
        &["element: BadToken"],
    ),
    // A dual-stack listener's IPv4 client, folded.
    (
        &["for=::ffff:192.0.2.1"],
        &["192.0.2.1"],
        &["element: BadToken"],
    ),
    // nginx appending to what an earlier proxy wrote.
    (
        &["for=203.0.113.7, for=2001:db8::1"],
        &["2001:db8::1", "203.0.113.7"],
        &["element: BadToken", "203.0.113.7"],
    ),
    // AWS API Gateway.
    (
        &["for=2001:db8::1;host=abc123.execute-api.us-east-1.amazonaws.com;proto=https"],
        &["2001:db8::1"],
        &["element: BadToken"],
    ),
    (
        &["for=203.0.113.7;host=abc123.execute-api.us-east-1.amazonaws.com;proto=https"],
        &["203.0.113.7"],
        &["203.0.113.7"],
    ),
    // Never a port off an unbracketed IPv6 address: the last group is the
    // address's own, the one reading that is not a guess.
    (
        &["for=2001:db8::1:443"],
        &["2001:db8::1:443"],
        &["element: BadToken"],
    ),
    (
        &[r#"for="2001:db8::1:443""#],
        &["2001:db8::1:443"],
        &["node: Syntax"],
    ),
    (
        &["for=2001:db8::1:_abc"],
        &["node: Syntax"],
        &["element: BadToken"],
    ),
    (
        &["for=192.0.2.1:8080:1"],
        &["node: Syntax"],
        &["element: BadToken"],
    ),
    (
        &["for=[2001:db8::1]:443:1"],
        &["node: Syntax"],
        &["element: BadToken"],
    ),
    // Obfuscated ports, quoted or not.
    (
        &["for=192.0.2.1:_abc"],
        &["192.0.2.1"],
        &["element: BadToken"],
    ),
    (
        &["for=[2001:db8::1]:_abc"],
        &["2001:db8::1"],
        &["element: BadToken"],
    ),
    // Mismatched brackets, zone ids and `[v4]`: malformed in both.
    (
        &["for=[2001:db8::1"],
        &["element: BadToken"],
        &["element: BadToken"],
    ),
    (
        &["for=2001:db8::1]"],
        &["element: BadToken"],
        &["element: BadToken"],
    ),
    (
        &["for=[2001:db8::1]:443]"],
        &["element: BadToken"],
        &["element: BadToken"],
    ),
    (
        &["for=fe80::1%eth0"],
        &["node: Syntax"],
        &["element: BadToken"],
    ),
    (
        &["for=[fe80::1%25eth0]"],
        &["node: Syntax"],
        &["element: BadToken"],
    ),
    (
        &[r#"for="[fe80::1%25eth0]""#],
        &["node: Syntax"],
        &["node: Syntax"],
    ),
    (
        &["for=[192.0.2.1]"],
        &["node: Syntax"],
        &["element: BadToken"],
    ),
    // Whitespace around `=` (lenient only) and `;` (both).
    (
        &["for = 192.0.2.1"],
        &["192.0.2.1"],
        &["element: WhitespaceAroundEquals"],
    ),
    (
        &["for=192.0.2.1 ; proto=https"],
        &["192.0.2.1"],
        &["192.0.2.1"],
    ),
    (
        &["for = \"[2001:db8::1]:443\" ;\tproto = https"],
        &["[2001:db8::1]:443"],
        &["element: WhitespaceAroundEquals"],
    ),
    // Garbage.
    (
        &["ads jkl&#*(383fdljk"],
        &["element: BadToken"],
        &["element: BadToken"],
    ),
];

#[test]
fn both_grammars_on_real_headers() {
    for (lines, lenient, strict) in ROWS {
        assert_eq!(fors(lines, LENIENT), *lenient, "lenient: {lines:?}");
        assert_eq!(fors(lines, STRICT), *strict, "strict: {lines:?}");
    }
    // The default is the lenient grammar.
    for (lines, lenient, _) in ROWS {
        let map = headers(lines);
        let default: Vec<_> = ForwardedRev::new(&map).collect();
        let explicit: Vec<_> = ForwardedRev::with_grammar(&map, LENIENT).collect();
        assert_eq!(default, explicit, "{lines:?}");
        assert_eq!(default.len(), lenient.len(), "{lines:?}");
    }
}

/// realclientip-go Test_parseForwardedListItem "Error: garbage": bytes no
/// `HeaderValue` holds, straight into the element parser.
#[test]
fn garbage_element_is_malformed_in_both() {
    for grammar in [LENIENT, STRICT] {
        assert_eq!(
            Element::parse_with(b"ads\x00jkl&#*(383fdljk", grammar),
            Err(ElementError::BadToken)
        );
    }
}

/// What the nearest element says of `param`: its raw value, `none`, or the
/// element's error.
fn param_of(line: &str, param: &str, grammar: ForwardedGrammar) -> String {
    let map = headers(&[line]);
    let element = ForwardedRev::with_grammar(&map, grammar).next().unwrap();
    let element = match element {
        Ok(element) => element,
        Err(error) => return format!("element: {error:?}"),
    };
    let value: Option<Value<'_>> = match param {
        "by" => element.by(),
        "host" => element.host(),
        "proto" => element.proto(),
        _ => element.for_value(),
    };
    match value {
        Some(value) => String::from_utf8(value.unescaped().into_owned()).unwrap(),
        None => "none".to_owned(),
    }
}

#[test]
fn other_parameters_take_the_same_unquoted_forms() {
    // (line, parameter, lenient, strict)
    let rows: &[(&str, &str, &str, &str)] = &[
        // Spring ForwardedHeaderUtilsTests.fromHttpRequestWithForwardedIPv6 (SPR-14761).
        (
            "host=[1abc:2abc:3abc::5ABC:6abc]",
            "host",
            "[1abc:2abc:3abc::5ABC:6abc]",
            "element: BadToken",
        ),
        // fromHttpRequestForwardedHeaderWithHostPortAndWithoutServerPort.
        (
            "proto=https; host=84.198.58.199:9090",
            "host",
            "84.198.58.199:9090",
            "element: BadToken",
        ),
        // fromHttpRequestMultipleForwardedHeaderComma: the nearest element.
        (
            "host=84.198.58.199 ;proto=https, proto=ftp; host=1.2.3.4",
            "host",
            "1.2.3.4",
            "1.2.3.4",
        ),
        // fromHttpRequestForwardedHeaderQuoted.
        (
            r#"proto="https"; host="84.198.58.199""#,
            "proto",
            "https",
            "https",
        ),
        // ForwardedHeaderFilterTests.ForwardedBy.forwardedForIpV6IdentifierWithPort.
        (
            r#"By="[2001:db8:cafe::17]:47011""#,
            "by",
            "[2001:db8:cafe::17]:47011",
            "[2001:db8:cafe::17]:47011",
        ),
        // forwarded-header-7239.vtc: HAProxy refuses `by=[::1]` unquoted.
        ("by=[::1]", "by", "[::1]", "element: BadToken"),
        (r#"by="[::1]:3""#, "by", "[::1]:3", "[::1]:3"),
        // A `host=` with unbalanced brackets is malformed in both.
        (
            "host=[::1",
            "host",
            "element: BadToken",
            "element: BadToken",
        ),
        (
            "host=::1]:80",
            "host",
            "element: BadToken",
            "element: BadToken",
        ),
        // Only a value widens: the name stays a token.
        ("ho:st=x", "host", "element: BadToken", "element: BadToken"),
    ];
    for (line, param, lenient, strict) in rows {
        assert_eq!(param_of(line, param, LENIENT), *lenient, "lenient: {line}");
        assert_eq!(param_of(line, param, STRICT), *strict, "strict: {line}");
    }
    // `by=` nodes read like `for=` nodes.
    let map = headers(&["by=[::1]:3;for=2001:db8::1"]);
    let element = ForwardedRev::new(&map).next().unwrap().unwrap();
    assert_eq!(
        element.by().unwrap().node(),
        Ok(NodeAddr {
            ip: "::1".parse().unwrap(),
            port: Some(3)
        })
    );
    let map = headers(&[r#"by="[::1]:""#]);
    let element = ForwardedRev::new(&map).next().unwrap().unwrap();
    assert_eq!(element.by().unwrap().node(), Err(Malformed::Syntax));
}

#[test]
fn many_lenient_elements_parse_in_one_pass() {
    let line = vec!["for=[2001:db8::1]:443 ; proto = https"; 5_000].join(", ");
    let map = headers(&[&line]);
    let nodes: Vec<_> = ForwardedRev::new(&map).for_nodes().collect();
    assert_eq!(nodes.len(), 5_000);
    assert!(
        nodes
            .iter()
            .all(|node| node.as_ref().is_ok_and(|n| n.port == Some(443)))
    );
}

// ---- properties ----

fn any_ip() -> impl Strategy<Value = IpAddr> {
    prop_oneof![
        any::<[u8; 4]>().prop_map(|o| IpAddr::V4(Ipv4Addr::from(o))),
        any::<[u8; 16]>().prop_map(|o| IpAddr::V6(Ipv6Addr::from(o))),
        // Short IPv6 forms, with `::`, whose last group looks like a port.
        (any::<u16>(), any::<u16>())
            .prop_map(|(a, b)| IpAddr::V6(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, a, b))),
    ]
}

/// A node as some emitter writes it: any address, any port, bracketed or
/// not, quoted or not; plus the junk that sits next to nodes.
fn node_value() -> impl Strategy<Value = String> {
    let port = prop_oneof![
        Just(String::new()),
        any::<u16>().prop_map(|p| format!(":{p}")),
        "_[a-z0-9]{1,4}".prop_map(|p| format!(":{p}")),
        Just(":".to_owned()),
    ];
    let node =
        (any_ip(), port, any::<bool>()).prop_map(|(ip, port, brackets)| match (ip, brackets) {
            (IpAddr::V6(v6), true) => format!("[{v6}]{port}"),
            (ip, _) => format!("{ip}{port}"),
        });
    let junk = "[0-9a-fA-F:.\\[\\]_%a-z]{0,16}";
    let value = prop_oneof![
        3 => node,
        1 => junk,
        1 => prop::sample::select(vec!["unknown", "_hidden", "", "::", "0.0.0.0"])
            .prop_map(str::to_owned),
    ];
    // Quoted half the time, so that strict accepts a fair share.
    (value, 0u8..8).prop_map(|(value, quoting)| match quoting {
        0..=3 => format!("\"{value}\""),
        // An escape in the middle: still one node once unescaped.
        4 if value.len() > 1 => format!("\"{}\\{}\"", &value[..1], &value[1..]),
        _ => value,
    })
}

/// Mostly no whitespace, sometimes some.
fn space() -> impl Strategy<Value = &'static str> {
    prop_oneof![6 => Just(""), 1 => Just(" "), 1 => Just("\t"), 1 => Just(" \t ")]
}

fn element_text() -> impl Strategy<Value = String> {
    let name = prop_oneof![
        4 => prop::sample::select(vec!["for", "For"]),
        4 => prop::sample::select(vec!["by", "proto", "host", "ext"]),
        1 => Just("fo:r"),
    ];
    let pair = prop_oneof![
        // `=` without spaces, as strict wants it.
        4 => (name.clone(), node_value()).prop_map(|(name, value)| format!("{name}={value}")),
        1 => (name, space(), space(), node_value()).prop_map(|(name, before, after, value)| {
            format!("{name}{before}={after}{value}")
        }),
    ];
    prop::collection::vec((pair, space(), space()), 1..3).prop_map(|pairs| {
        pairs
            .into_iter()
            .map(|(pair, before, after)| format!("{before}{pair}{after}"))
            .collect::<Vec<_>>()
            .join(";")
    })
}

fn line_text() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(element_text(), 1..4).prop_map(|e| e.join(",").into_bytes()),
        1 => prop::collection::vec(
            prop_oneof![
                any::<u8>(),
                prop::sample::select(b"\",;=\\[]:._ \t0123456789abcdefforby%".to_vec()),
            ],
            0..80,
        ),
    ]
}

/// Strict accepted it: lenient must read the very same thing.
fn check_strict_implies_lenient(
    strict: &Result<Element<'_>, ElementError>,
    lenient: &Result<Element<'_>, ElementError>,
) -> Result<(), TestCaseError> {
    let Ok(strict) = strict else {
        return Ok(());
    };
    let Ok(lenient) = lenient else {
        return Err(TestCaseError::fail(format!(
            "strict accepted {strict:?}, lenient refused: {lenient:?}"
        )));
    };
    prop_assert_eq!(strict.for_value(), lenient.for_value());
    prop_assert_eq!(strict.by(), lenient.by());
    prop_assert_eq!(strict.proto(), lenient.proto());
    prop_assert_eq!(strict.host(), lenient.host());
    for value in [strict.for_value(), strict.by()].into_iter().flatten() {
        let (s, l) = (value.node_with(STRICT), value.node_with(LENIENT));
        if s.is_ok() {
            prop_assert_eq!(l, s);
        } else if s != Err(Malformed::Syntax) {
            // Lenient widens only what strict calls a syntax error.
            prop_assert_eq!(l, s);
        }
    }
    if let Some(Ok(node)) = strict.for_node() {
        prop_assert_eq!(lenient.for_node(), Some(Ok(node)));
    }
    Ok(())
}

/// A lenient node without brackets and with several colons is one whole
/// IPv6 address or nothing: no port is ever split off it.
fn check_no_guessed_port(value: Value<'_>) -> Result<(), TestCaseError> {
    let bytes = value.unescaped();
    let colons = bytes.iter().filter(|&&b| b == b':').count();
    if bytes.first() != Some(&b'[') && colons > 1 {
        if let Ok(node) = value.node_with(LENIENT) {
            prop_assert_eq!(node.port, None);
            let whole: Ipv6Addr = std::str::from_utf8(&bytes)
                .ok()
                .and_then(|text| text.parse().ok())
                .ok_or_else(|| TestCaseError::fail("accepted a non-address"))?;
            prop_assert_eq!(node.ip, normalize_ip(IpAddr::V6(whole)));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    /// On every input, each element strict accepts, lenient accepts with the
    /// same values, and every node strict reads, lenient reads the same.
    #[test]
    fn strict_accepted_means_lenient_agrees(lines in prop::collection::vec(line_text(), 1..3)) {
        let mut map = HeaderMap::new();
        for line in &lines {
            if let Ok(value) = HeaderValue::from_bytes(line) {
                map.append(FORWARDED, value);
            }
        }
        let strict: Vec<_> = ForwardedRev::with_grammar(&map, STRICT).collect();
        let lenient: Vec<_> = ForwardedRev::with_grammar(&map, LENIENT).collect();
        // Splitting into elements does not depend on the grammar.
        prop_assert_eq!(strict.len(), lenient.len());
        for (s, l) in strict.iter().zip(&lenient) {
            check_strict_implies_lenient(s, l)?;
            if let Ok(l) = l {
                for value in [l.for_value(), l.by()].into_iter().flatten() {
                    check_no_guessed_port(value)?;
                }
            }
        }
        let nodes = |grammar| -> Vec<_> { ForwardedRev::with_grammar(&map, grammar).for_nodes().collect() };
        for (s, l) in nodes(STRICT).iter().zip(&nodes(LENIENT)) {
            if s.is_ok() {
                prop_assert_eq!(l, s);
            }
        }
        // Raw bytes, whatever a `HeaderValue` would take.
        for line in &lines {
            let (s, l) = (Element::parse_with(line, STRICT), Element::parse_with(line, LENIENT));
            check_strict_implies_lenient(&s, &l)?;
        }
    }

    /// Every form an emitter writes for an address reads back as that
    /// address (and port) with the lenient grammar.
    #[test]
    fn emitter_forms_read_back(ip in any_ip(), port in proptest::option::of(1u16..)) {
        let ip = normalize_ip(ip);
        prop_assume!(!ip.is_unspecified());
        let mut forms = Vec::new();
        match (ip, port) {
            (IpAddr::V4(v4), Some(port)) => {
                forms.push(format!("for={v4}:{port}"));
                forms.push(format!("for=\"{v4}:{port}\""));
            }
            (IpAddr::V4(v4), None) => {
                forms.push(format!("for={v4}"));
                forms.push(format!("for=\"{v4}\""));
            }
            (IpAddr::V6(v6), Some(port)) => {
                forms.push(format!("for=[{v6}]:{port}"));
                forms.push(format!("for=\"[{v6}]:{port}\""));
            }
            (IpAddr::V6(v6), None) => {
                forms.push(format!("for=[{v6}]"));
                forms.push(format!("for=\"[{v6}]\""));
                forms.push(format!("for={v6}"));
                forms.push(format!("for=\"{v6}\""));
            }
        }
        for form in forms {
            let element = Element::parse_with(form.as_bytes(), LENIENT)
                .map_err(|e| TestCaseError::fail(format!("{form}: {e}")))?;
            prop_assert_eq!(element.for_node(), Some(Ok(NodeAddr { ip, port })), "{}", form);
        }
    }
}
