//! Hostile input through the whole stack (the full-stack example's router):
//! 64 KiB and 10,000-entry forwarding and `Accept-Language` values, 100
//! repeated header lines, every byte a header value can hold, huge cookies.
//!
//! Every request must be answered (200, or 400 where the allowed-hosts check
//! refuses a host) and the `/context` answer must be what the trust rules say:
//! a forged header from an untrusted peer never moves `client_ip` off the peer.

mod common;

use axum::Router;
use axum::body::Body;
use http::header::{HeaderName, HeaderValue};
use http::{Request, StatusCode};
use serde_json::Value;

use common::{app, config, json};

/// Trusted by the default configuration (`loopback`).
const TRUSTED: &str = "127.0.0.1:4000";
/// Not trusted: its headers are never believed.
const UNTRUSTED: &str = "192.0.2.9:4000";

const KIB_64: usize = 64 * 1024;

/// A `GET /context` for `localhost:3000` with these header lines, in order.
fn request(headers: &[(&str, &[u8])]) -> Request<Body> {
    let mut req = Request::builder()
        .uri("/context")
        .header("host", "localhost:3000")
        .body(Body::empty())
        .unwrap();
    for (name, value) in headers {
        req.headers_mut().append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value).unwrap(),
        );
    }
    req
}

/// Sends `headers` from `peer`, asserts 200 and returns the `/context` JSON.
async fn context(router: Router, peer: &str, headers: &[(&str, &[u8])]) -> Value {
    let (status, body) = json(router, peer, request(headers)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// `item` repeated until the value is at least `len` bytes, then `tail`.
fn padded(item: &str, len: usize, tail: &str) -> Vec<u8> {
    let mut value = item.repeat(len.div_ceil(item.len())).into_bytes();
    value.extend_from_slice(tail.as_bytes());
    value
}

/// `item(i)` for `i` in `0..n`, joined with `", "`.
fn entries(n: usize, item: impl Fn(usize) -> String) -> Vec<u8> {
    (0..n).map(item).collect::<Vec<_>>().join(", ").into_bytes()
}

/// The example's router with `CROCODILE_CLIENT_IP=rightmost:forwarded`.
fn forwarded_app() -> Router {
    common::app::app(&config(&[("CROCODILE_CLIENT_IP", "rightmost:forwarded")]))
}

#[tokio::test]
async fn forged_64_kib_x_forwarded_for_from_an_untrusted_peer_yields_the_peer() {
    let xff = padded("6.6.6.6, ", KIB_64, "203.0.113.7");
    let body = context(app(), UNTRUSTED, &[("x-forwarded-for", &xff)]).await;
    assert_eq!(body["client_ip"], "192.0.2.9");
}

#[tokio::test]
async fn a_64_kib_forged_prefix_cannot_move_the_rightmost_untrusted_address() {
    // What our loopback proxies appended: the client, then themselves.
    let xff = padded("6.6.6.6, ", KIB_64, "203.0.113.7, 127.0.0.2, 127.0.0.3");
    let body = context(app(), TRUSTED, &[("x-forwarded-for", &xff)]).await;
    assert_eq!(body["client_ip"], "203.0.113.7");
    // One 64 KiB entry of garbage on the left changes nothing either.
    let xff = padded("x", KIB_64, ", 203.0.113.7");
    let body = context(app(), TRUSTED, &[("x-forwarded-for", &xff)]).await;
    assert_eq!(body["client_ip"], "203.0.113.7");
}

#[tokio::test]
async fn ten_thousand_trusted_hops_are_walked_to_the_client() {
    let xff = entries(10_000, |i| match i {
        0 => "198.51.100.1".to_owned(),
        i => format!("127.0.{}.{}", i / 250, i % 250 + 1),
    });
    let body = context(app(), TRUSTED, &[("x-forwarded-for", &xff)]).await;
    assert_eq!(body["client_ip"], "198.51.100.1");
    let body = context(app(), UNTRUSTED, &[("x-forwarded-for", &xff)]).await;
    assert_eq!(body["client_ip"], "192.0.2.9");
}

#[tokio::test]
async fn a_malformed_entry_in_ten_thousand_stops_the_walk_where_it_is() {
    // Entry 9,998 from the left is garbage: the client is the hop to its right.
    let xff = entries(10_000, |i| match i {
        9_998 => "garbage".to_owned(),
        9_999 => "127.0.0.7".to_owned(),
        i => format!("198.51.{}.{}", i / 256, i % 256),
    });
    let body = context(app(), TRUSTED, &[("x-forwarded-for", &xff)]).await;
    assert_eq!(body["client_ip"], "127.0.0.7");
}

#[tokio::test]
async fn a_hundred_x_forwarded_for_lines_are_one_list() {
    let lines: Vec<Vec<u8>> = (0..100)
        .map(|i| format!("198.51.100.{i}").into_bytes())
        .collect();
    let headers: Vec<(&str, &[u8])> = lines
        .iter()
        .map(|line| ("x-forwarded-for", &line[..]))
        .collect();
    let body = context(app(), TRUSTED, &headers).await;
    assert_eq!(body["client_ip"], "198.51.100.99");
    let body = context(app(), UNTRUSTED, &headers).await;
    assert_eq!(body["client_ip"], "192.0.2.9");
}

#[tokio::test]
async fn forwarded_64_kib_and_10_000_elements_follow_the_trust_rules() {
    let cases = [
        // Forged elements in front of what the proxy appended.
        padded("for=6.6.6.6, ", KIB_64, "for=203.0.113.7"),
        // A client's unmatched quote can't swallow what the proxy appended.
        padded(
            "for=\"",
            1,
            &format!("{}, for=203.0.113.7", "x".repeat(KIB_64)),
        ),
        // 64 KiB of quoted commas and escapes on the left.
        padded(
            "for=\"1.1.1.1\\\", x,\", ",
            KIB_64,
            "for=203.0.113.7;proto=https",
        ),
        entries(10_000, |i| match i {
            0 => "for=203.0.113.7".to_owned(),
            i => format!("for=127.0.{}.{};proto=http", i / 250, i % 250 + 1),
        }),
    ];
    for forwarded in &cases {
        let body = context(forwarded_app(), TRUSTED, &[("forwarded", forwarded)]).await;
        assert_eq!(body["client_ip"], "203.0.113.7");
        let body = context(forwarded_app(), UNTRUSTED, &[("forwarded", forwarded)]).await;
        assert_eq!(body["client_ip"], "192.0.2.9");
        // The default strategy reads X-Forwarded-For only.
        let body = context(app(), TRUSTED, &[("forwarded", forwarded)]).await;
        assert_eq!(body["client_ip"], "127.0.0.1");
    }
}

#[tokio::test]
async fn a_hundred_forwarded_lines_are_one_list() {
    let lines: Vec<Vec<u8>> = (0..100)
        .map(|i| format!("for=198.51.100.{i}").into_bytes())
        .collect();
    let headers: Vec<(&str, &[u8])> = lines.iter().map(|l| ("forwarded", &l[..])).collect();
    let body = context(forwarded_app(), TRUSTED, &headers).await;
    assert_eq!(body["client_ip"], "198.51.100.99");
}

#[tokio::test]
async fn the_best_weighted_language_survives_64_kib_and_10_000_ranges() {
    let cases = [
        // 64 KiB of lower-weighted ranges, then the one that should win.
        padded("xx;q=0.5, ", KIB_64, "fr"),
        // 10,000 ranges of the catalog's other locales at lower weight.
        entries(10_001, |i| match i {
            10_000 => "fr;q=0.9".to_owned(),
            i if i % 2 == 0 => "de;q=0.1".to_owned(),
            _ => "ar;q=0.2".to_owned(),
        }),
        // One 64 KiB range: not a language range, so it is skipped.
        padded("a", KIB_64, ", fr"),
        // 64 KiB of garbage weights.
        padded("en;q=2, de;q=abc, ar;q=0.0001, ", KIB_64, "fr"),
    ];
    for accept_language in &cases {
        let body = context(app(), UNTRUSTED, &[("accept-language", accept_language)]).await;
        assert_eq!(body["locale"], "fr");
    }
    // 64 KiB of equal-weight ranges: the first 64 are kept, so an unknown
    // language at the end is no better than the default.
    let header = padded("xx, ", KIB_64, "fr");
    let body = context(app(), UNTRUSTED, &[("accept-language", &header)]).await;
    assert_eq!(body["locale"], "en");
}

#[tokio::test]
async fn a_hundred_accept_language_lines_are_one_list() {
    let mut lines: Vec<&[u8]> = vec![b"xx;q=0.3, zz;q=0.2"; 99];
    lines.push(b"de;q=0.9");
    let headers: Vec<(&str, &[u8])> = lines.iter().map(|l| ("accept-language", *l)).collect();
    let body = context(app(), UNTRUSTED, &headers).await;
    assert_eq!(body["locale"], "de");
}

#[tokio::test]
async fn every_header_byte_is_answered_by_the_trust_rules() {
    let mut tried = 0;
    for byte in 0..=u8::MAX {
        // The byte sits in what a client wrote; what the proxy appended follows.
        let junk = [byte, b'1', b'.', b'1', b'.', b'1', b'.', b'1', byte];
        if HeaderValue::from_bytes(&junk).is_err() {
            continue; // a value the HTTP layer itself refuses to carry
        }
        tried += 1;
        let with = |tail: &str| [&junk[..], tail.as_bytes()].concat();
        let xff = with(", 203.0.113.7");
        let forwarded = [b"for=\"".as_slice(), &with("\", for=203.0.113.7")].concat();
        let accept_language = [b"fr, ".as_slice(), &junk].concat();
        let cookie = [b"a=".as_slice(), &junk, b"; lang=".as_slice(), &junk].concat();
        let request_id = junk.to_vec();
        let headers: [(&str, &[u8]); 5] = [
            ("x-forwarded-for", &xff),
            ("forwarded", &forwarded),
            ("accept-language", &accept_language),
            ("cookie", &cookie),
            ("x-request-id", &request_id),
        ];
        let body = context(app(), TRUSTED, &headers).await;
        assert_eq!(body["client_ip"], "203.0.113.7", "byte {byte:#04x}");
        assert_eq!(body["locale"], "fr", "byte {byte:#04x}");
        let id = body["request_id"].as_str().unwrap();
        assert!(
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_graphic()),
            "byte {byte:#04x}: request id {id:?}"
        );

        let body = context(forwarded_app(), TRUSTED, &headers).await;
        assert_eq!(body["client_ip"], "203.0.113.7", "byte {byte:#04x}");

        let body = context(app(), UNTRUSTED, &headers).await;
        assert_eq!(body["client_ip"], "192.0.2.9", "byte {byte:#04x}");
    }
    // Tab, 0x20..=0x7e and 0x80..=0xff.
    assert_eq!(tried, 1 + 95 + 128);
}

#[tokio::test]
async fn every_byte_in_forwarded_host_and_proto_is_refused_or_allowed_never_a_panic() {
    for byte in 0..=u8::MAX {
        let host = [b"localhost".as_slice(), &[byte]].concat();
        let proto = [b"https".as_slice(), &[byte]].concat();
        if HeaderValue::from_bytes(&host).is_err() {
            continue;
        }
        let headers: [(&str, &[u8]); 2] =
            [("x-forwarded-host", &host), ("x-forwarded-proto", &proto)];
        let (status, body) = json(app(), TRUSTED, request(&headers)).await;
        assert!(
            status == StatusCode::OK || status == StatusCode::BAD_REQUEST,
            "byte {byte:#04x}: {status}"
        );
        if status == StatusCode::OK {
            let host = body["host"].as_str().unwrap();
            assert!(
                ["localhost", "127.0.0.1", "[::1]"].contains(&host.trim_end_matches('.')),
                "byte {byte:#04x}: host {host:?} is not an allowed host"
            );
        }
        // From an untrusted peer the forwarded host is ignored: always the Host header.
        let body = context(app(), UNTRUSTED, &headers).await;
        assert_eq!(body["host"], "localhost", "byte {byte:#04x}");
    }
}

#[tokio::test]
async fn huge_cookies_are_answered_and_the_language_cookie_still_read() {
    let cookie = padded("session=0123456789abcdef; ", KIB_64, "lang=de");
    let body = context(app(), UNTRUSTED, &[("cookie", &cookie)]).await;
    assert_eq!(body["locale"], "de");

    let pairs = entries(10_000, |i| format!("c{i}={i}")).into_iter();
    let cookie: Vec<u8> = pairs
        .map(|b| if b == b',' { b';' } else { b })
        .chain(*b"; lang=ar")
        .collect();
    let body = context(app(), UNTRUSTED, &[("cookie", &cookie)]).await;
    assert_eq!(body["locale"], "ar");

    // 100 cookie lines of 1 KiB; the language cookie in the last one.
    let line = padded("x=1; ", 1024, "y=2");
    let mut headers: Vec<(&str, &[u8])> = vec![("cookie", &line[..]); 99];
    headers.push(("cookie", b"lang=fr"));
    let body = context(app(), UNTRUSTED, &headers).await;
    assert_eq!(body["locale"], "fr");

    // A 64 KiB value of the language cookie itself is not a locale.
    let cookie = padded("lang=", 1, &"a".repeat(KIB_64));
    let body = context(app(), UNTRUSTED, &[("cookie", &cookie)]).await;
    assert_eq!(body["locale"], "en");
}

#[tokio::test]
async fn a_64_kib_request_id_is_replaced_by_a_fresh_one() {
    let id = padded("a", KIB_64, "");
    let body = context(app(), TRUSTED, &[("x-request-id", &id)]).await;
    let answered = body["request_id"].as_str().unwrap();
    assert!(
        !answered.is_empty() && answered.len() <= 128,
        "{answered:?}"
    );
}
