//! Test tables ported from peer projects, run against the main example over
//! real TCP: each configuration's router is served on `127.0.0.1:0`, and each
//! request is sent from a loopback source address of its own (`127.0.0.2`
//! plays the trusted proxy, `127.0.0.9` an untrusted client), so the peer
//! address the layers see is the socket's.
//!
//! Sources:
//!
//! - realclientip-go, `realclientip_test.go` (rightmost non-private,
//!   trusted count, trusted range, single-IP header, leftmost, remote
//!   address, and the `Forwarded` parsing tables);
//! - ASP.NET Core, `src/Middleware/HttpOverrides/test/ForwardedHeadersMiddlewareTest.cs`;
//! - Spring Framework, `spring-web/.../ForwardedHeaderUtilsTests.java`;
//! - RFC 7239's own examples.
//!
//! Every row encodes **our** documented behaviour (README, CHANGELOG, the
//! `ProxyTrust` docs). Where the peer's model differs (it returns "" where we
//! fall back to the peer, it keeps zone ids, it walks `X-Forwarded-*`
//! headers independently, ...), the row's comment says how. The peers'
//! socket addresses are replaced by ours: their trusted proxy (`10.0.0.1`,
//! `::1`) is `127.0.0.2`, their untrusted peer is `127.0.0.9`; schemes other
//! than `http`/`https` (ASP.NET's `h1`, `h2`, `Protocol`) are mapped to the
//! two we know, chosen so that their answer and ours differ when the models
//! do.
//!
//! `want` is a space-separated list of `key=value` checks on the `/context`
//! JSON: `ip` (client_ip), `src` (client_ip_source), `fb`
//! (client_ip_fallback), `scheme`, `host`, `port`, `origin`, `home`
//! (home_url); `null` is JSON null. `status=400` expects a 400 and checks
//! nothing else.

mod common;

use std::collections::HashMap;
use std::net::SocketAddr;

use common::raw_http;
use serde_json::Value;

type Vars = &'static [(&'static str, &'static str)];
type Headers = &'static [(&'static str, &'static str)];

/// The trusted proxy's source address (in `loopback`, and listed by name
/// where the trusted set is narrower).
const PROXY: &str = "127.0.0.2";
/// An untrusted client's source address (with `ONLY_PROXY`-style sets).
const CLIENT: &str = "127.0.0.9";

/// One request and what `/context` must answer.
#[derive(Debug, Clone, Copy)]
struct Row {
    /// Project, file, test name (and case).
    source: &'static str,
    /// `CROCODILE_*` variables; `CROCODILE_ALLOWED_HOSTS=*` unless given.
    vars: Vars,
    /// The socket peer: a loopback source address.
    peer: &'static str,
    /// The request's own `Host`.
    host: &'static str,
    /// Extra header lines, in order (a name may repeat).
    headers: Headers,
    /// `key=value` checks, space separated.
    want: &'static str,
}

const fn row(source: &'static str, vars: Vars, headers: Headers, want: &'static str) -> Row {
    Row {
        source,
        vars,
        peer: PROXY,
        host: "localhost",
        headers,
        want,
    }
}

impl Row {
    const fn from(mut self, peer: &'static str) -> Self {
        self.peer = peer;
        self
    }

    const fn host(mut self, host: &'static str) -> Self {
        self.host = host;
        self
    }
}

// Configurations.
const DEFAULT: Vars = &[];
const PRIVATE: Vars = &[(
    "CROCODILE_TRUSTED_PROXIES",
    "loopback,private,link-local,unique-local",
)];
const PRIVATE_FWD: Vars = &[
    ("CROCODILE_CLIENT_IP", "rightmost:forwarded"),
    (
        "CROCODILE_TRUSTED_PROXIES",
        "loopback,private,link-local,unique-local",
    ),
];
const FWD: Vars = &[("CROCODILE_CLIENT_IP", "rightmost:forwarded")];
const FWD_STRICT: Vars = &[
    ("CROCODILE_CLIENT_IP", "rightmost:forwarded"),
    ("CROCODILE_FORWARDED_GRAMMAR", "strict"),
];
const PEER_FWD: Vars = &[
    ("CROCODILE_CLIENT_IP", "peer"),
    ("CROCODILE_PROXY_HEADERS", "forwarded"),
];
const PEER_FWD_STRICT: Vars = &[
    ("CROCODILE_CLIENT_IP", "peer"),
    ("CROCODILE_PROXY_HEADERS", "forwarded"),
    ("CROCODILE_FORWARDED_GRAMMAR", "strict"),
];
const ONLY_PROXY: Vars = &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")];
const ALL_TRUSTED: Vars = &[("CROCODILE_TRUSTED_PROXIES", "0.0.0.0/0,::/0")];
const WITH_PORT: Vars = &[("CROCODILE_X_FORWARDED", "proto,host,port")];
const WITH_PREFIX: Vars = &[("CROCODILE_X_FORWARDED", "proto,host,prefix")];
/// `LISTEN` is not a `CROCODILE_*` variable: the test server listens on it
/// (`[::]:0`, dual-stack, so IPv4 clients arrive as `::ffff:127.0.0.x`).
const DUAL: Vars = &[("LISTEN", "[::]:0")];

const MALFORMED_AT_PEER: &str = "ip=127.0.0.2 src=peer fb=malformed-entry";

#[rustfmt::skip]
const REALCLIENTIP: &[Row] = &[
    // --- TestRightmostNonPrivateStrategy: rightmost with the private groups trusted.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv4 with port", PRIVATE,
        &[("X-Forwarded-For", "2.2.2.2:3384, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4:39333")],
        "ip=4.4.4.4 src=x-forwarded-for[0] fb=null"),
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv4 with no port", PRIVATE_FWD,
        &[("Forwarded", "For=5.5.5.5"), ("Forwarded", "For=6.6.6.6")],
        "ip=6.6.6.6 src=forwarded[0] fb=null"),
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv6 with port", PRIVATE,
        &[("X-Forwarded-For", "[2607:f8b0:4004:83f::18]:3838")],
        "ip=2607:f8b0:4004:83f::18 src=x-forwarded-for[0]"),
    // Ours also reads proto= and host= of the client's element.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv6 with no port", PRIVATE_FWD,
        &[("Forwarded", "host=what;for=6.6.6.6;proto=https"),
          ("Forwarded", r#"Host=blah;For="2607:f8b0:4004:83f::18";Proto=https"#)],
        "ip=2607:f8b0:4004:83f::18 src=forwarded[0] scheme=https host=blah port=443"),
    // Theirs: 2607:f8b0:4004:83f::18%eth0 (zones kept, the fe80 one skipped as
    // private). Ours: a zone id is malformed, so the walk stops at entry 0
    // and the client is the peer; the hop (k = 0) still gives proto and host.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv6 with port and zone", PRIVATE_FWD,
        &[("Forwarded", "host=what;for=6.6.6.6;proto=https"),
          ("Forwarded", r#"For="[2607:f8b0:4004:83f::18%eth0]:3393";Proto=https"#),
          ("Forwarded", r#"Host=blah;For="[fe80::1111%zone]:9943";Proto=https"#)],
        "ip=127.0.0.2 src=peer fb=malformed-entry scheme=https host=blah"),
    // As above, unquoted (lenient grammar takes the brackets; the zone is still malformed).
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv6 with port and zone, no quotes", PRIVATE_FWD,
        &[("Forwarded", "host=what;for=6.6.6.6;proto=https"),
          ("Forwarded", r#"For="[2607:f8b0:4004:83f::18%eth0]:3393";Proto=https"#),
          ("Forwarded", "Host=blah;For=[fe80::1111%zone]:9943;Proto=https")],
        "ip=127.0.0.2 src=peer fb=malformed-entry scheme=https host=blah"),
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv4-mapped IPv6", PRIVATE,
        &[("X-Forwarded-For", "3.3.3.3"), ("X-Forwarded-For", "4.4.4.4, ::ffff:188.0.2.128")],
        "ip=188.0.2.128 src=x-forwarded-for[0]"),
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv4-mapped IPv6 with port", PRIVATE,
        &[("X-Forwarded-For", "3.3.3.3"), ("X-Forwarded-For", "4.4.4.4,[::ffff:188.0.2.128]:48483")],
        "ip=188.0.2.128 src=x-forwarded-for[0]"),
    // Quoted bare IPv6 (no brackets): accepted by the lenient grammar.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/IPv4-mapped IPv6 in IPv6 (hex) form", PRIVATE_FWD,
        &[("Forwarded", "host=what;for=6.6.6.6;proto=https"), ("Forwarded", r#"For="::ffff:bc15:0006""#)],
        "ip=188.21.0.6 src=forwarded[0] scheme=http host=localhost"),
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/NAT64 IPv4-mapped IPv6", PRIVATE,
        &[("X-Forwarded-For", "3.3.3.3"), ("X-Forwarded-For", "4.4.4.4, 64:ff9b::188.0.2.128")],
        "ip=64:ff9b::bc00:280 src=x-forwarded-for[0]"),
    // Theirs: 5.5.5.5 (invalid entries are skipped). Ours: `nope` at entry 0
    // stops the walk; nothing left of it is vouched for.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/XFF: rightmost not desirable", PRIVATE,
        &[("X-Forwarded-For", "4.4.4.4, 5.5.5.5"), ("X-Forwarded-For", "::1, nope")],
        MALFORMED_AT_PEER),
    // Theirs: 2.2.2.2. Ours: the private entry 0 is skipped, `For=""` at 1
    // stops the walk: the client is entry 0.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/Forwarded: rightmost not desirable", PRIVATE_FWD,
        &[("Forwarded", "host=what;for=:48485;proto=https,For=2.2.2.2"),
          ("Forwarded", r#"For="", For="::ffff:192.168.1.1""#)],
        "ip=192.168.1.1 src=forwarded[0] fb=malformed-entry"),
    // Theirs: "" (no address). Ours: the peer, with the reason.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/Fail: XFF: none acceptable", PRIVATE,
        &[("X-Forwarded-For", "::1, nope"), ("X-Forwarded-For", "192.168.1.1, !?!, ::, 0.0.0.0")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/Fail: Forwarded: none acceptable", PRIVATE_FWD,
        &[("Forwarded", r#"For="", For="::ffff:192.168.1.1""#),
          ("Forwarded", r#"host=what;for=:48485;proto=https,For="::ffff:ac15:0006%zone", For="::", For=0.0.0.0"#)],
        MALFORMED_AT_PEER),
    // Theirs: "". Ours: the peer.
    row("realclientip-go realclientip_test.go TestRightmostNonPrivateStrategy/Fail: Forwarded: no header", PRIVATE_FWD,
        &[("X-Real-Ip", "1.1.1.1"), ("X-Forwarded-For", "64:ff9b::188.0.2.128, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=127.0.0.2 src=peer fb=header-absent"),

    // --- TestRightmostTrustedCountStrategy: hops:<n>.
    row("realclientip-go realclientip_test.go TestRightmostTrustedCountStrategy/Count one",
        &[("CROCODILE_CLIENT_IP", "hops:1:forwarded")],
        &[("Forwarded", r#"For="::ffff:bc15:0006""#), ("Forwarded", "host=what;for=6.6.6.6;proto=https")],
        "ip=6.6.6.6 src=forwarded[0] fb=null scheme=https host=what"),
    row("realclientip-go realclientip_test.go TestRightmostTrustedCountStrategy/Count five",
        &[("CROCODILE_CLIENT_IP", "hops:5:x-forwarded-for")],
        &[("X-Forwarded-For", "4.4.4.4, 5.5.5.5"), ("X-Forwarded-For", "::1, fe80::382b:141b:fa4a:2a16%28"),
          ("X-Forwarded-For", "7.7.7.7.7, 8.8.8.8, 9.9.9.9, 10.10.10.10,11.11.11.11, 12.12.12.12")],
        "ip=8.8.8.8 src=x-forwarded-for[4] fb=null"),
    // Theirs: "". Ours: the peer.
    row("realclientip-go realclientip_test.go TestRightmostTrustedCountStrategy/Fail: header too short/count too large",
        &[("CROCODILE_CLIENT_IP", "hops:50:x-forwarded-for")],
        &[("X-Forwarded-For", "4.4.4.4, 5.5.5.5"), ("X-Forwarded-For", "::1, fe80::382b:141b:fa4a:2a16%28"),
          ("X-Forwarded-For", "7.7.7.7.7, 8.8.8.8, 9.9.9.9, 10.10.10.10,11.11.11.11, 12.12.12.12")],
        "ip=127.0.0.2 src=peer fb=chain-too-short"),
    // Ours also believes no proxy header then: element 0's proto and host are dropped.
    row("realclientip-go realclientip_test.go TestRightmostTrustedCountStrategy/Fail: bad value at count index",
        &[("CROCODILE_CLIENT_IP", "hops:2:forwarded")],
        &[("Forwarded", r#"For="::ffff:bc15:0006""#), ("Forwarded", "For=nope"),
          ("Forwarded", "host=what;for=6.6.6.6;proto=https")],
        "ip=127.0.0.2 src=peer fb=malformed-entry scheme=http host=localhost"),
    row("realclientip-go realclientip_test.go TestRightmostTrustedCountStrategy/Fail: zero value at count index",
        &[("CROCODILE_CLIENT_IP", "hops:2:forwarded")],
        &[("Forwarded", r#"For="::ffff:bc15:0006""#), ("Forwarded", "For=0.0.0.0"),
          ("Forwarded", "host=what;for=6.6.6.6;proto=https")],
        "ip=127.0.0.2 src=peer fb=malformed-entry scheme=http host=localhost"),
    // Theirs: "". Ours: the peer; an absent header is a chain of length 0.
    row("realclientip-go realclientip_test.go TestRightmostTrustedCountStrategy/Fail: header missing",
        &[("CROCODILE_CLIENT_IP", "hops:1:forwarded")],
        &[("X-Forwarded-For", "4.4.4.4, 5.5.5.5")],
        "ip=127.0.0.2 src=peer fb=chain-too-short"),

    // --- TestRightmostTrustedRangeStrategy: rightmost with the listed ranges
    // (plus 127.0.0.2, our proxy; theirs does not check a peer it can't parse).
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/No ranges", ONLY_PROXY,
        &[("X-Forwarded-For", "2.2.2.2:3384, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=4.4.4.4 src=x-forwarded-for[0]"),
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/One range",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,4.4.4.0/24")],
        &[("X-Forwarded-For", "2.2.2.2:3384, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=3.3.3.3 src=x-forwarded-for[1]"),
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/One IP",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,4.4.4.4")],
        &[("X-Forwarded-For", "2.2.2.2:3384, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=3.3.3.3 src=x-forwarded-for[1]"),
    // Theirs lists `::ffff:4.4.4.4/124` and `64:ff9b::188.0.2.128/112`, with
    // host bits set; ours refuses those at start-up, so the networks are written.
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Many kinds of ranges",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"),
          ("CROCODILE_TRUSTED_PROXIES",
           "127.0.0.2,2.2.2.2/32,2607:f8b0:4004:83f::200e/128,3.3.0.0/16,2001:db7::/64,::ffff:4.4.4.0/124,64:ff9b::bc00:0/112")],
        &[("Forwarded", r#"For=99.99.99.99, For=4.4.4.8, For="[2607:f8b0:4004:83f::200e]:4747""#),
          ("Forwarded", "For=2.2.2.2:8883, For=64:ff9b::188.0.2.200, For=3.3.5.5, For=2001:db7::abcd")],
        "ip=99.99.99.99 src=forwarded[6] fb=null"),
    // Theirs uses the whole Cloudflare list; one of its ranges is enough here.
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Cloudflare ranges",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,2400:cb00::/32")],
        &[("X-Forwarded-For", "2.2.2.2:3384, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4"),
          ("X-Forwarded-For", "2400:cb00::1")],
        "ip=4.4.4.4 src=x-forwarded-for[1]"),
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Peer untrusted: returns peer, ignores spoofed header",
        &[("CROCODILE_TRUSTED_PROXIES", "10.0.0.0/8")],
        &[("X-Forwarded-For", "1.2.3.4, 10.0.0.1")],
        "ip=127.0.0.9 src=peer fb=untrusted-peer").from(CLIENT),
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Peer untrusted, no header: returns peer",
        &[("CROCODILE_TRUSTED_PROXIES", "10.0.0.0/8")],
        &[],
        "ip=127.0.0.9 src=peer fb=untrusted-peer").from(CLIENT),
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Peer trusted: walks header as normal",
        &[("CROCODILE_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.2")],
        &[("X-Forwarded-For", "3.3.3.3, 10.0.0.1")],
        "ip=3.3.3.3 src=x-forwarded-for[1] fb=null"),
    // Theirs: "" (no untrusted address). Ours: all trusted, so the leftmost.
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Fail: no non-trusted IP",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,2.2.2.0/24")],
        &[("X-Forwarded-For", "2.2.2.2:3384, 2.2.2.3"), ("X-Forwarded-For", "2.2.2.4")],
        "ip=2.2.2.2 src=x-forwarded-for[2] fb=null"),
    // Theirs: "". Ours: the last address vouched for.
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Fail: rightmost non-trusted IP invalid",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,2.2.2.0/24")],
        &[("X-Forwarded-For", "nope, 2.2.2.2:3384, 2.2.2.3"), ("X-Forwarded-For", "2.2.2.4")],
        "ip=2.2.2.2 src=x-forwarded-for[2] fb=malformed-entry"),
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Fail: rightmost non-trusted IP unspecified",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,2.2.2.0/24")],
        &[("X-Forwarded-For", "::, 2.2.2.2:3384, 2.2.2.3"), ("X-Forwarded-For", "2.2.2.4")],
        "ip=2.2.2.2 src=x-forwarded-for[2] fb=malformed-entry"),
    // Theirs: "". Ours: an empty header is an absent one.
    row("realclientip-go realclientip_test.go TestRightmostTrustedRangeStrategy/Fail: no values in header",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,2.2.2.0/24")],
        &[("X-Forwarded-For", "")],
        "ip=127.0.0.2 src=peer fb=header-absent"),

    // --- TestSingleIPHeaderStrategy: single:<name>. Theirs returns "" where
    // ours falls back to the peer.
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv4 with port",
        &[("CROCODILE_CLIENT_IP", "single:true-client-ip")],
        &[("X-Real-Ip", "1.1.1.1"), ("True-Client-Ip", "2.2.2.2:49489"), ("X-Forwarded-For", "3.3.3.3")],
        "ip=2.2.2.2 src=true-client-ip[0] fb=null"),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv4 with no port",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("X-Real-Ip", "1.1.1.1"), ("True-Client-Ip", "2.2.2.2:49489"), ("X-Forwarded-For", "3.3.3.3")],
        "ip=1.1.1.1 src=x-real-ip[0] fb=null"),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv6 with port",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("X-Real-Ip", "[2607:f8b0:4004:83f::18]:3838")],
        "ip=2607:f8b0:4004:83f::18 src=x-real-ip[0]"),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv6 with no port",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("X-Real-Ip", "2607:f8b0:4004:83f::19")],
        "ip=2607:f8b0:4004:83f::19 src=x-real-ip[0]"),
    // Theirs: fe80::1111%zone. Ours: zone ids are malformed.
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv6 with zone and no port",
        &[("CROCODILE_CLIENT_IP", "single:a-b-c-d")],
        &[("X-Real-Ip", "2607:f8b0:4004:83f::19"), ("A-B-C-D", "fe80::1111%zone")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv6 with zone and port",
        &[("CROCODILE_CLIENT_IP", "single:a-b-c-d")],
        &[("A-B-C-D", "[fe80::1111%zone]:4848")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IP-mapped IPv6",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("X-Real-Ip", "::ffff:172.21.0.6")],
        "ip=172.21.0.6 src=x-real-ip[0]"),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv4-mapped IPv6 in IPv6 form",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("X-Real-Ip", "[64:ff9b::188.0.2.128]:4747")],
        "ip=64:ff9b::bc00:280 src=x-real-ip[0]"),
    // 6to4 is not folded to IPv4 (it names a translator).
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/6to4 IPv4-mapped IPv6",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("X-Real-Ip", "2002:c000:204::")],
        "ip=2002:c000:204:: src=x-real-ip[0]"),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/IPv4 loopback",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("X-Real-Ip", "127.0.0.1")],
        "ip=127.0.0.1 src=x-real-ip[0]"),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/Fail: missing header",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip")],
        &[("A-B-C-D", "[fe80::1111%zone]:4848"), ("X-Forwarded-For", "3.3.3.3")],
        "ip=127.0.0.2 src=peer fb=header-absent"),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/Fail: garbage IP",
        &[("CROCODILE_CLIENT_IP", "single:true-client-ip")],
        &[("X-Real-Ip", "::1"), ("True-Client-Ip", "nope")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go TestSingleIPHeaderStrategy/Fail: zero IP",
        &[("CROCODILE_CLIENT_IP", "single:true-client-ip")],
        &[("True-Client-Ip", "0.0.0.0")],
        MALFORMED_AT_PEER),

    // --- TestLeftmostNonPrivateStrategy: leftmost-spoofable:<h>.
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/IPv4 with port",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:x-forwarded-for")],
        &[("X-Real-Ip", "1.1.1.1"), ("X-Forwarded-For", "2.2.2.2:3384, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=2.2.2.2 src=x-forwarded-for[2] fb=null"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/IPv4 with no port",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:forwarded")],
        &[("X-Forwarded-For", "2.2.2.2:3384, 3.3.3.3"), ("Forwarded", "For=5.5.5.5"), ("Forwarded", "For=6.6.6.6")],
        "ip=5.5.5.5 src=forwarded[1] fb=null"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/IPv6 with port",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:x-forwarded-for")],
        &[("X-Forwarded-For", "[2607:f8b0:4004:83f::18]:3838, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=2607:f8b0:4004:83f::18 src=x-forwarded-for[2]"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/IPv6 with no port",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:forwarded")],
        &[("Forwarded", r#"Host=blah;For="2607:f8b0:4004:83f::18";Proto=https"#)],
        "ip=2607:f8b0:4004:83f::18 src=forwarded[0] scheme=https host=blah"),
    // Theirs: 2607:f8b0:4004:83f::18%zone. Ours: both zone entries are
    // malformed and skipped; the leftmost valid public one is 6.6.6.6.
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/IPv6 with port and zone",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:forwarded")],
        &[("Forwarded", r#"For=[fe80::1111%zone], Host=blah;For="[2607:f8b0:4004:83f::18%zone]:9943";Proto=https"#),
          ("Forwarded", "host=what;for=6.6.6.6;proto=https")],
        "ip=6.6.6.6 src=forwarded[0] scheme=https host=what"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/IPv4-mapped IPv6",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:x-forwarded-for")],
        &[("X-Forwarded-For", "::ffff:188.0.2.128, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=188.0.2.128 src=x-forwarded-for[2]"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/IPv4-mapped IPv6 in IPv6 (hex) form",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:forwarded")],
        &[("Forwarded", r#"For="::ffff:bc15:0006""#), ("Forwarded", "host=what;for=6.6.6.6;proto=https")],
        "ip=188.21.0.6 src=forwarded[1] scheme=http host=localhost"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/NAT64 IPv4-mapped IPv6",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:x-forwarded-for")],
        &[("X-Forwarded-For", "64:ff9b::188.0.2.128, 3.3.3.3"), ("X-Forwarded-For", "4.4.4.4")],
        "ip=64:ff9b::bc00:280 src=x-forwarded-for[2]"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/XFF: leftmost not desirable",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:x-forwarded-for")],
        &[("X-Forwarded-For", "::1, nope"), ("X-Forwarded-For", "4.4.4.4, 5.5.5.5")],
        "ip=4.4.4.4 src=x-forwarded-for[1]"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/Forwarded: leftmost not desirable",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:forwarded")],
        &[("Forwarded", r#"For="", For="::ffff:192.168.1.1""#),
          ("Forwarded", r#"host=what;for=:48485;proto=https,For="2607:f8b0:4004:83f::18""#)],
        "ip=2607:f8b0:4004:83f::18 src=forwarded[0]"),
    // Theirs: "". Ours: the peer.
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/Fail: XFF: none acceptable",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:x-forwarded-for")],
        &[("X-Forwarded-For", "::1, nope, ::, 0.0.0.0"), ("X-Forwarded-For", "192.168.1.1, !?!")],
        "ip=127.0.0.2 src=peer fb=no-public-address"),
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/Fail: Forwarded: none acceptable",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:forwarded")],
        &[("Forwarded", r#"For="", For="::ffff:192.168.1.1""#),
          ("Forwarded", r#"host=what;for=:48485;proto=https,For="::ffff:ac15:0006%zone",For="::",For=0.0.0.0"#)],
        "ip=127.0.0.2 src=peer fb=no-public-address"),
    // An absent header reads as "no public address" for this strategy.
    row("realclientip-go realclientip_test.go TestLeftmostNonPrivateStrategy/Fail: Forwarded: no header",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:forwarded")],
        &[("X-Forwarded-For", "64:ff9b::188.0.2.128, 3.3.3.3")],
        "ip=127.0.0.2 src=peer fb=no-public-address"),

    // --- TestRemoteAddrStrategy: peer.
    row("realclientip-go realclientip_test.go TestRemoteAddrStrategy/Garbage header (unused)",
        &[("CROCODILE_CLIENT_IP", "peer")],
        &[("X-Forwarded-For", "!!!")],
        "ip=127.0.0.2 src=peer fb=null"),
    row("realclientip-go realclientip_test.go TestRemoteAddrStrategy/IPv4 loopback",
        &[("CROCODILE_CLIENT_IP", "peer")],
        &[],
        "ip=127.0.0.1 src=peer fb=null").from("127.0.0.1"),

    // Their RemoteAddr "[::ffff:172.21.0.6]:4747": a dual-stack listener's mapped peer.
    row("realclientip-go realclientip_test.go TestRemoteAddrStrategy/IPv4-mapped IPv6",
        &[("LISTEN", "[::]:0"), ("CROCODILE_CLIENT_IP", "peer")],
        &[],
        "ip=127.0.0.2 src=peer fb=null peer=::ffff:127.0.0.2"),
    row("realclientip-go realclientip_test.go TestRemoteAddrStrategy/IPv6 loopback",
        &[("LISTEN", "[::]:0"), ("CROCODILE_CLIENT_IP", "peer")],
        &[],
        "ip=::1 src=peer fb=null").from("::1"),

    // --- Test_forwardedHeaderRFCDeviations: their parser's known deviations;
    // ours follows RFC 7239 (lenient only where documented).
    // Theirs splits inside the quotes ({nil, 2.2.2.2, nil, 4.4.4.4}). Ours:
    // two elements, the first one's `for=` is not an address.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Comma in quotes",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,4.4.4.4")],
        &[("Forwarded", r#"For="1.1.1.1, For=2.2.2.2, For=3.3.3.3", For="4.4.4.4""#)],
        "ip=4.4.4.4 src=forwarded[0] fb=malformed-entry"),
    // Both: the client's unmatched quote can't swallow the element to its right.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Unmatched quote", FWD,
        &[("Forwarded", r#"For="1.1.1.1, For=2.2.2.2"#)],
        "ip=2.2.2.2 src=forwarded[0] fb=null"),
    // Theirs: 1.1.1.1 (only for= is checked). Ours: the element is malformed.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Invalid characters",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,2.2.2.2")],
        &[("Forwarded", "For=1.1.1.1;@!=\u{1F600}, For=2.2.2.2")],
        "ip=2.2.2.2 src=forwarded[0] fb=malformed-entry"),
    // Theirs: 1.1.1.1. Ours: a duplicate parameter makes the element malformed.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Duplicate token",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,3.3.3.3")],
        &[("Forwarded", "For=1.1.1.1;For=2.2.2.2, For=3.3.3.3")],
        "ip=3.3.3.3 src=forwarded[0] fb=malformed-entry"),
    // Theirs: nil. Ours undoes the quoted-pair, as the RFC wants.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Escaped character", FWD,
        &[("Forwarded", r#"For="3.3.3.\3""#)],
        "ip=3.3.3.3 src=forwarded[0] fb=null"),
    // Theirs: {nil, 3.3.3.3}. Ours (lenient): spaces on either side of `=`.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Equal sign spaces (lenient)",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,3.3.3.3")],
        &[("Forwarded", "For =1.1.1.1, For= 3.3.3.3")],
        "ip=1.1.1.1 src=forwarded[1] fb=null"),
    // Ours (strict): what the RFC wants, {nil, nil}.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Equal sign spaces (strict)",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,3.3.3.3"),
          ("CROCODILE_FORWARDED_GRAMMAR", "strict")],
        &[("Forwarded", "For =1.1.1.1, For= 3.3.3.3")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Disallowed characters in unquoted value (lenient)", FWD,
        &[("Forwarded", "For=[2607:f8b0:4004:83f::200e]")],
        "ip=2607:f8b0:4004:83f::200e src=forwarded[0]"),
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/Disallowed characters in unquoted value (strict)", FWD_STRICT,
        &[("Forwarded", "For=[2607:f8b0:4004:83f::200e]")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/IPv6 brackets (lenient)", FWD,
        &[("Forwarded", r#"For="2607:f8b0:4004:83f::200e""#)],
        "ip=2607:f8b0:4004:83f::200e src=forwarded[0]"),
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/IPv6 brackets (strict)", FWD_STRICT,
        &[("Forwarded", r#"For="2607:f8b0:4004:83f::200e""#)],
        MALFORMED_AT_PEER),
    // Theirs: 1.1.1.1 (brackets trimmed). Ours: brackets are for IPv6 only.
    row("realclientip-go realclientip_test.go Test_forwardedHeaderRFCDeviations/IPv4 brackets", FWD,
        &[("Forwarded", r#"For="[1.1.1.1]""#)],
        MALFORMED_AT_PEER),

    // --- Test_parseForwardedListItem: one element each, rightmost:forwarded.
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv6 with port and quotes", FWD,
        &[("Forwarded", r#"For="[2607:f8b0:4004:83f::200e]:4711""#)],
        "ip=2607:f8b0:4004:83f::200e src=forwarded[0]"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv6 with port and no quotes (lenient)", FWD,
        &[("Forwarded", "For=[2607:f8b0:4004:83f::200e]:4711")],
        "ip=2607:f8b0:4004:83f::200e src=forwarded[0]"),
    // Theirs: fe80::abcd%zone. Ours: malformed.
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv6 with port, quotes, and zone", FWD,
        &[("Forwarded", r#"For="[fe80::abcd%zone]:4711""#)],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv4 with port (lenient)", FWD,
        &[("Forwarded", "FoR=192.0.2.60:4711")],
        "ip=192.0.2.60 src=forwarded[0]"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv4 with port (strict)", FWD_STRICT,
        &[("Forwarded", "FoR=192.0.2.60:4711")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv4 with port and quotes (strict)", FWD_STRICT,
        &[("Forwarded", r#"for="192.0.2.60:4823""#)],
        "ip=192.0.2.60 src=forwarded[0]"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Error: invalid IPv4", FWD,
        &[("Forwarded", "for=192.0.2.999")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Error: invalid IPv6", FWD,
        &[("Forwarded", r#"for="2607:f8b0:4004:83f::999999""#)],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Error: non-IP identifier", FWD,
        &[("Forwarded", r#"for="_test""#)],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Error: empty IP value", FWD,
        &[("Forwarded", "for=")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Multiple IPv4 directives", FWD,
        &[("Forwarded", "by=1.1.1.1; for=2.2.2.2;host=myhost; proto=https")],
        "ip=2.2.2.2 src=forwarded[0] scheme=https host=myhost"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Multiple IPv6 directives (lenient)", FWD,
        &[("Forwarded", "by=1::1;host=myhost;for=2::2;proto=https")],
        "ip=2::2 src=forwarded[0] scheme=https host=myhost"),
    // Strict: the unquoted `by=1::1` breaks the element; nothing of it is read.
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Multiple IPv6 directives (strict)", FWD_STRICT,
        &[("Forwarded", "by=1::1;host=myhost;for=2::2;proto=https")],
        "ip=127.0.0.2 src=peer fb=malformed-entry scheme=http host=localhost"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv4-mapped IPv6 in IPv6 form", FWD,
        &[("Forwarded", r#"for="[0:0:0:0:0:ffff:bc15:0006]""#)],
        "ip=188.21.0.6 src=forwarded[0]"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/IPv6 loopback", FWD,
        &[("Forwarded", r#"for="[::1]""#)],
        "ip=::1 src=forwarded[0] fb=null"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Error: Unmatched quote", FWD,
        &[("Forwarded", r#"for="1.1.1.1"#)],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Error: unmatched bracket", FWD,
        &[("Forwarded", r#"for="::1]""#)],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Error: misplaced quote", FWD,
        &[("Forwarded", r#"for="[0:0:0:0:0:ffff:bc15:0006"]"#)],
        MALFORMED_AT_PEER),
    // Theirs: nil, noting the RFC would not care; a backslash outside quotes is no token.
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/RFC deviation: quoted pair", FWD,
        &[("Forwarded", r"for=1.1.1.\1")],
        MALFORMED_AT_PEER),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/RFC deviation: Incorrect whitespace (lenient)", FWD,
        &[("Forwarded", "for= 1.1.1.1")],
        "ip=1.1.1.1 src=forwarded[0]"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/RFC deviation: Incorrect whitespace (strict)", FWD_STRICT,
        &[("Forwarded", "for= 1.1.1.1")],
        MALFORMED_AT_PEER),
];

/// ASP.NET Core, `src/Middleware/HttpOverrides/test/ForwardedHeadersMiddlewareTest.cs`.
/// Their `ForwardLimit` caps a walk over all headers independently; ours
/// reads `X-Forwarded-Proto`/`-Host` at the one hop index `k` the
/// client-address walk stopped at (one entry: an overwriting proxy's; at
/// least `k + 1` entries: entry `k`; otherwise ignored). Their peer
/// `10.0.0.1`/`::1` is our `127.0.0.2`.
#[rustfmt::skip]
const ASPNET: &[Row] = &[
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForDefaultSettingsChangeRemoteIpAndPort", DEFAULT,
        &[("X-Forwarded-For", "11.111.111.11:9090")],
        "ip=11.111.111.11 src=x-forwarded-for[0] fb=null"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForFirstValueIsInvalid(1, 11.111.111.11.12345)",
        &[("CROCODILE_CLIENT_IP", "hops:1:x-forwarded-for")],
        &[("X-Forwarded-For", "11.111.111.11.12345")],
        MALFORMED_AT_PEER),
    // --- XForwardedForForwardLimit (KnownProxies cleared: count only) as hops:<limit>.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(1, one entry)",
        &[("CROCODILE_CLIENT_IP", "hops:1:x-forwarded-for")],
        &[("X-Forwarded-For", "11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0] fb=null"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(1, two entries)",
        &[("CROCODILE_CLIENT_IP", "hops:1:x-forwarded-for")],
        &[("X-Forwarded-For", "12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(2, two entries)",
        &[("CROCODILE_CLIENT_IP", "hops:2:x-forwarded-for")],
        &[("X-Forwarded-For", "12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=12.112.112.12 src=x-forwarded-for[1] fb=null"),
    // Theirs: 12.112.112.12 (the limit is a cap). Ours: hops:<n> is exact.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(10, two entries)",
        &[("CROCODILE_CLIENT_IP", "hops:10:x-forwarded-for")],
        &[("X-Forwarded-For", "12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=127.0.0.2 src=peer fb=chain-too-short"),
    // The cap-like reading is rightmost with everything trusted: agreement.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(10, two entries) as rightmost, all trusted", ALL_TRUSTED,
        &[("X-Forwarded-For", "12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=12.112.112.12 src=x-forwarded-for[1] fb=null"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(10, invalid 2nd value)", ALL_TRUSTED,
        &[("X-Forwarded-For", "12.112.112.12.23456, 11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0] fb=malformed-entry"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(10, three entries, invalid 2nd value)", ALL_TRUSTED,
        &[("X-Forwarded-For", "13.113.113.13:34567, 12.112.112.12.23456, 11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0] fb=malformed-entry"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(2, three entries)",
        &[("CROCODILE_CLIENT_IP", "hops:2:x-forwarded-for")],
        &[("X-Forwarded-For", "13.113.113.13:34567, 12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=12.112.112.12 src=x-forwarded-for[1]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(3, three entries)",
        &[("CROCODILE_CLIENT_IP", "hops:3:x-forwarded-for")],
        &[("X-Forwarded-For", "13.113.113.13:34567, 12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=13.113.113.13 src=x-forwarded-for[2]"),

    // KnownProxies cleared is, exactly, hops:<n> with an empty trusted set:
    // the count alone decides, whoever the peer is.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(1, one entry) [empty trusted set]",
        &[("CROCODILE_CLIENT_IP", "hops:1:x-forwarded-for"), ("CROCODILE_TRUSTED_PROXIES", "")],
        &[("X-Forwarded-For", "11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0] fb=null").from(CLIENT),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardLimit(2, three entries) [empty trusted set]",
        &[("CROCODILE_CLIENT_IP", "hops:2:x-forwarded-for"), ("CROCODILE_TRUSTED_PROXIES", "")],
        &[("X-Forwarded-For", "13.113.113.13:34567, 12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=12.112.112.12 src=x-forwarded-for[1] fb=null").from(CLIENT),
    // With an empty set, hops:<n> also believes the hop's scheme and host (CHANGELOG).
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs AllForwardsEnabledChangeRequestRemoteIpHostProtocolAndPathBase [hops:1, empty trusted set]",
        &[("CROCODILE_CLIENT_IP", "hops:1:x-forwarded-for"), ("CROCODILE_TRUSTED_PROXIES", "")],
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "11.111.111.11"), ("X-Forwarded-Host", "testhost")],
        "ip=11.111.111.11 host=testhost scheme=https").from(CLIENT),
    // Theirs: httpc (proto walked alone). Ours: no chain, so hops:1 falls
    // back and believes no proxy header.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs ForwardersWithDIOptionsRunsOnce(1, httpa httpb httpc) [hops:1, empty trusted set]",
        &[("CROCODILE_CLIENT_IP", "hops:1:x-forwarded-for"), ("CROCODILE_TRUSTED_PROXIES", "")],
        &[("X-Forwarded-Proto", "http, http, https")],
        "ip=127.0.0.9 fb=chain-too-short scheme=http").from(CLIENT),

    // --- XForwardedForForwardKnownIps: KnownProxies as the trusted set.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(1, one entry, 20.0.0.1)",
        &[("CROCODILE_TRUSTED_PROXIES", "20.0.0.1")],
        &[("X-Forwarded-For", "11.111.111.11:12345")],
        "ip=127.0.0.2 src=peer fb=untrusted-peer"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(1, empty header, 10.0.0.1)", ONLY_PROXY,
        &[],
        "ip=127.0.0.2 src=peer fb=header-absent"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(1, one entry, 10.0.0.1)", ONLY_PROXY,
        &[("X-Forwarded-For", "11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0] fb=null"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(1, two entries, 10.0.0.1)", ONLY_PROXY,
        &[("X-Forwarded-For", "12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0]"),
    // Theirs: 11.111.111.11 (ForwardLimit 1 stops after one entry). Ours: no
    // limit but the trusted set, and 11.111.111.11 is trusted.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(1, two entries, 10.0.0.1+11.111.111.11)",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,11.111.111.11")],
        &[("X-Forwarded-For", "12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=12.112.112.12 src=x-forwarded-for[1]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(2, two entries, 10.0.0.1+11.111.111.11)",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,11.111.111.11")],
        &[("X-Forwarded-For", "12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=12.112.112.12 src=x-forwarded-for[1] fb=null"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(3, three entries, 10+11+12)",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,11.111.111.11,12.112.112.12")],
        &[("X-Forwarded-For", "13.113.113.13:34567, 12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=13.113.113.13 src=x-forwarded-for[2] fb=null"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(3, invalid 2nd IP)",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,11.111.111.11,12.112.112.12")],
        &[("X-Forwarded-For", "13.113.113.13:34567, 12.112.112.12;23456, 11.111.111.11:12345")],
        "ip=11.111.111.11 src=x-forwarded-for[0] fb=malformed-entry"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForForwardKnownIps(3, invalid 3rd IP)",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2,11.111.111.11,12.112.112.12")],
        &[("X-Forwarded-For", "13.113.113.13;34567, 12.112.112.12:23456, 11.111.111.11:12345")],
        "ip=12.112.112.12 src=x-forwarded-for[1] fb=malformed-entry"),
    // --- XForwardedForLoopback: the default trusted set is loopback, as theirs.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForLoopback(127.0.1.1, true)", DEFAULT,
        &[("X-Forwarded-For", "10.0.0.1:1234")],
        "ip=10.0.0.1 src=x-forwarded-for[0]").from("127.0.1.1"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForLoopback(11.111.111.11, false)", ONLY_PROXY,
        &[("X-Forwarded-For", "10.0.0.1:1234")],
        "ip=127.0.0.9 src=peer fb=untrusted-peer").from(CLIENT),
    // Their IPAddress.IPv6Loopback peer, for real: a dual-stack listener and ::1.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedForLoopback(::1, true)", DUAL,
        &[("X-Forwarded-For", "10.0.0.1:1234")],
        "ip=10.0.0.1 src=x-forwarded-for[0] peer=::1").from("::1"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByLoopback(h1, F::, ::1, true) [real ::1 peer]", DUAL,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "F::")],
        "ip=f:: src=x-forwarded-for[0] scheme=https").from("::1"),
    // A dual-stack listener reports IPv4 peers mapped: folded before the trust check.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping [mapped socket peer, trusted]",
        &[("LISTEN", "[::]:0"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Forwarded-For", "22.33.44.55")],
        "ip=22.33.44.55 src=x-forwarded-for[0] peer=::ffff:127.0.0.2"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping [mapped socket peer, untrusted]",
        &[("LISTEN", "[::]:0"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Forwarded-For", "22.33.44.55")],
        "ip=127.0.0.9 src=peer fb=untrusted-peer").from(CLIENT),
    // --- XForwardForIPv4ToIPv6Mapping: mapped addresses fold to IPv4, in the
    // header and in the trusted list.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping(::ffff:127.0.0.1)", DEFAULT,
        &[("X-Forwarded-For", "22.33.44.55,::ffff:127.0.0.1")],
        "ip=22.33.44.55 src=x-forwarded-for[1]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping(known 172.123.142.121)",
        &[("CROCODILE_TRUSTED_PROXIES", "loopback,172.123.142.121")],
        &[("X-Forwarded-For", "22.33.44.55,::ffff:172.123.142.121")],
        "ip=22.33.44.55 src=x-forwarded-for[1]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping(known ::ffff:172.123.142.121)",
        &[("CROCODILE_TRUSTED_PROXIES", "loopback,::ffff:172.123.142.121")],
        &[("X-Forwarded-For", "22.33.44.55,::ffff:172.123.142.121")],
        "ip=22.33.44.55 src=x-forwarded-for[1]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping(network 172.0.0.0/8)",
        &[("CROCODILE_TRUSTED_PROXIES", "loopback,172.0.0.0/8")],
        &[("X-Forwarded-For", "22.33.44.55,::ffff:172.123.142.121,172.32.24.23")],
        "ip=22.33.44.55 src=x-forwarded-for[2]"),
    // Theirs writes 2a02:26f0:2d:183::1/64 (host bits set); ours refuses that at start-up.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping(networks 172.0.0.0/8, 2a02:26f0:2d:183::/64)",
        &[("CROCODILE_TRUSTED_PROXIES", "loopback,172.0.0.0/8,2a02:26f0:2d:183::/64")],
        &[("X-Forwarded-For", "2a00:1450:4009:802::200e,2a02:26f0:2d:183::356e,::ffff:172.123.142.121,172.32.24.23")],
        "ip=2a00:1450:4009:802::200e src=x-forwarded-for[3]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardForIPv4ToIPv6Mapping(known 2a02:26f0:2d:183::356e)",
        &[("CROCODILE_TRUSTED_PROXIES", "loopback,2a02:26f0:2d:183::356e")],
        &[("X-Forwarded-For", "22.33.44.55,2a02:26f0:2d:183::356e,::ffff:127.0.0.1")],
        "ip=22.33.44.55 src=x-forwarded-for[2]"),

    // --- X-Forwarded-Proto. No XFF: the walk stops at k = 0.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideChangesRequestProtocol(1, h1)", DEFAULT,
        &[("X-Forwarded-Proto", "https")],
        "ip=127.0.0.2 fb=header-absent scheme=https port=443 origin=https://localhost"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideChangesRequestProtocol(1, h2 h1)", DEFAULT,
        &[("X-Forwarded-Proto", "http, https")],
        "scheme=https"),
    // Theirs: h2 (the limit walks proto alone). Ours: k = 0, entry 0.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideChangesRequestProtocol(2, h2 h1)", DEFAULT,
        &[("X-Forwarded-Proto", "https, http")],
        "scheme=http"),
    // LimitedByXForwardedForCount (RequireHeaderSymmetry = true).
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByXForwardedForCount(1, h1, ::1)", DEFAULT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "::1")],
        "ip=::1 src=x-forwarded-for[0] scheme=https"),
    // Theirs: http (2 proto entries for 1 XFF entry breaks symmetry). Ours: k = 0, entry 0.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByXForwardedForCount(3, h2 h1, ::1)", DEFAULT,
        &[("X-Forwarded-Proto", "http, https"), ("X-Forwarded-For", "::1")],
        "ip=::1 src=x-forwarded-for[0] scheme=https"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByXForwardedForCount(5, h2 h1, ::1 ::1)", DEFAULT,
        &[("X-Forwarded-Proto", "https, http"), ("X-Forwarded-For", "::1, ::1")],
        "ip=::1 src=x-forwarded-for[1] scheme=https"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByXForwardedForCount(10, h3 h2 h1, ::1 x3)", DEFAULT,
        &[("X-Forwarded-Proto", "https, http, http"), ("X-Forwarded-For", "::1, ::1, ::1")],
        "ip=::1 src=x-forwarded-for[2] scheme=https"),
    // Theirs: h1 (the walk stops before badip). Ours: the malformed entry is
    // at 1, so k = 1 and proto is entry 1 (h2); the client is entry 0.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByXForwardedForCount(10, h3 h2 h1, ::1 badip ::1)", DEFAULT,
        &[("X-Forwarded-Proto", "https, http, https"), ("X-Forwarded-For", "::1, badip, ::1")],
        "ip=::1 src=x-forwarded-for[0] fb=malformed-entry scheme=http"),
    // CanBeIndependentOfXForwardedForCount (RequireHeaderSymmetry = false).
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideCanBeIndependentOfXForwardedForCount(1, h1, empty)", DEFAULT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "")],
        "fb=header-absent scheme=https"),
    // One proto entry at k = 1: an overwriting proxy's, used.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideCanBeIndependentOfXForwardedForCount(3, h1, ::1 ::1)", DEFAULT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "::1, ::1")],
        "src=x-forwarded-for[1] scheme=https"),
    // Theirs: h2. Ours: k = 0, entry 0 (h1).
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideCanBeIndependentOfXForwardedForCount(3, h2 h1, ::1)", DEFAULT,
        &[("X-Forwarded-Proto", "https, http"), ("X-Forwarded-For", "::1")],
        "src=x-forwarded-for[0] scheme=http"),
    // Two proto entries at k = 2 (three XFF entries): neither one overwriting
    // proxy nor one per hop, ignored.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideCanBeIndependentOfXForwardedForCount(10, h2 h1, ::1 x3) [inconsistent count]", DEFAULT,
        &[("X-Forwarded-Proto", "https, https"), ("X-Forwarded-For", "::1, ::1, ::1")],
        "src=x-forwarded-for[2] scheme=http"),
    // LimitedByLoopback.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByLoopback(h1, F::, ::1, true)", DEFAULT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "F::")],
        "ip=f:: src=x-forwarded-for[0] scheme=https"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByLoopback(h1, empty, F::, true)", ONLY_PROXY,
        &[("X-Forwarded-Proto", "https")],
        "ip=127.0.0.9 fb=untrusted-peer scheme=http").from(CLIENT),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByLoopback(h1, E::, F::, true)", ONLY_PROXY,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "E::")],
        "ip=127.0.0.9 fb=untrusted-peer scheme=http").from(CLIENT),
    // Theirs: http (proto without XFF breaks symmetry). Ours: k = 0, entry 0.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByLoopback(h2 h1, empty, ::1, true)", DEFAULT,
        &[("X-Forwarded-Proto", "http, https")],
        "scheme=https"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByLoopback(h2 h1, F:: D::, ::1, true)", DEFAULT,
        &[("X-Forwarded-Proto", "http, https"), ("X-Forwarded-For", "F::, D::")],
        "ip=d:: src=x-forwarded-for[0] scheme=https"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoOverrideLimitedByLoopback(h1, F::, E::, false)", ALL_TRUSTED,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "F::")],
        "ip=f:: src=x-forwarded-for[0] scheme=https"),

    // --- X-Forwarded-Host. Theirs ignores an invalid or disallowed value
    // and keeps the request's Host; ours answers 400 (the trusted proxy
    // reported a host the site does not serve).
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostOverrideChangesRequestHost", DEFAULT,
        &[("X-Forwarded-Host", "testhost")],
        "host=testhost port=80 origin=http://testhost home=http://testhost/"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters(y:1)", DEFAULT,
        &[("X-Forwarded-Host", "y:1")],
        "host=y port=1 origin=http://y:1"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters([::1]:80)", DEFAULT,
        &[("X-Forwarded-Host", "[::1]:80")],
        "host=[::1] port=80 origin=http://[::1]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters(foo.BAR.baz:46245)", DEFAULT,
        &[("X-Forwarded-Host", "foo.BAR.baz:46245")],
        "host=foo.bar.baz port=46245"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters(xn--c1yn36f:134)", DEFAULT,
        &[("X-Forwarded-Host", "xn--c1yn36f:134")],
        "host=xn--c1yn36f port=134"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters(-foo:1234)", DEFAULT,
        &[("X-Forwarded-Host", "-foo:1234")],
        "host=-foo port=1234"),
    // Theirs accepts these; ours refuses them as hosts.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters([ABCdef])", DEFAULT,
        &[("X-Forwarded-Host", "[ABCdef]")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters(900.900.900.900:9523547852)", DEFAULT,
        &[("X-Forwarded-Host", "900.900.900.900:9523547852")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsValidCharacters(!)", DEFAULT,
        &[("X-Forwarded-Host", "!")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsForInvalidCharacters(a:b:c)", DEFAULT,
        &[("X-Forwarded-Host", "a:b:c")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsForInvalidCharacters(::1)", DEFAULT,
        &[("X-Forwarded-Host", "::1")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsForInvalidCharacters(1.2.3.4:)", DEFAULT,
        &[("X-Forwarded-Host", "1.2.3.4:")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsForInvalidCharacters(abcd:1.2)", DEFAULT,
        &[("X-Forwarded-Host", "abcd:1.2")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsSpecifiedHost(localHost, localhost)",
        &[("CROCODILE_ALLOWED_HOSTS", "localhost")],
        &[("X-Forwarded-Host", "localHost")],
        "host=localhost port=80"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsSpecifiedHost(localhost:9090, example.com;localHost)",
        &[("CROCODILE_ALLOWED_HOSTS", "example.com,localhost")],
        &[("X-Forwarded-Host", "localhost:9090")],
        "host=localhost port=9090"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsSpecifiedHost(foo.eXample.com:443, *.exampLe.com)",
        &[("CROCODILE_ALLOWED_HOSTS", ".exampLe.com")],
        &[("X-Forwarded-Host", "foo.eXample.com:443")],
        "host=foo.example.com port=443"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsSpecifiedHost([::ABC], [::aBc])",
        &[("CROCODILE_ALLOWED_HOSTS", "[::aBc]")],
        &[("X-Forwarded-Host", "[::ABC]")],
        "host=[::abc]"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsSpecifiedHost(127.0.0.1:443, 127.0.0.1)",
        &[("CROCODILE_ALLOWED_HOSTS", "127.0.0.1")],
        &[("X-Forwarded-Host", "127.0.0.1:443")],
        "host=127.0.0.1 port=443"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsMismatchedHosts(example.com, localhost)",
        &[("CROCODILE_ALLOWED_HOSTS", "localhost")],
        &[("X-Forwarded-Host", "example.com")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsMismatchedHosts(foo.example.com.bar:443, *.example.com)",
        &[("CROCODILE_ALLOWED_HOSTS", ".example.com")],
        &[("X-Forwarded-Host", "foo.example.com.bar:443")],
        "status=400"),
    // Theirs: `*.example.com` does not match the apex. Ours (Django's
    // `.example.com`) matches it and its subdomains.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsMismatchedHosts(example.com:443, *.example.com)",
        &[("CROCODILE_ALLOWED_HOSTS", ".example.com")],
        &[("X-Forwarded-Host", "example.com:443")],
        "host=example.com port=443"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsMismatchedHosts(.example.com:443, *.example.com)",
        &[("CROCODILE_ALLOWED_HOSTS", ".example.com")],
        &[("X-Forwarded-Host", ".example.com:443")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsMismatchedHosts([::1, [::1])",
        &[("CROCODILE_ALLOWED_HOSTS", "[::1]")],
        &[("X-Forwarded-Host", "[::1")],
        "status=400"),
    // Theirs: bar.foo.com:432 (walks hosts until one is not allowed). Ours: k = 0, entry 0.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostStopsAtFirstUnspecifiedHost",
        &[("CROCODILE_ALLOWED_HOSTS", "bar.com,.foo.com")],
        &[("X-Forwarded-Host", "stuff:523, bar.foo.com:432, bar.com:80")],
        "host=bar.com port=80"),

    // An allowed host with a port allows that port only.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsMismatchedHosts(localhost:9090, localhost:80) [port in the allowed host]",
        &[("CROCODILE_ALLOWED_HOSTS", "localhost:80")],
        &[("X-Forwarded-Host", "localhost:9090")],
        "status=400"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostAllowsSpecifiedHost(localhost:9090, localhost:9090) [port in the allowed host]",
        &[("CROCODILE_ALLOWED_HOSTS", "localhost:9090")],
        &[("X-Forwarded-Host", "localhost:9090")],
        "host=localhost port=9090"),
    // The port compared is the effective one: https's 443 here.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedHostFailsMismatchedHosts [https default port vs localhost:80]",
        &[("CROCODILE_ALLOWED_HOSTS", "localhost:80")],
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "localhost")],
        "status=400"),
    // Schemes compare case-insensitively (theirs: any RFC 3986 scheme).
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoAcceptsValidProtocols(Z) [as HTTPS]", DEFAULT,
        &[("X-Forwarded-Proto", "HTTPS")],
        "scheme=https"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedProtoRejectsInvalidProtocols(a b)", DEFAULT,
        &[("X-Forwarded-Proto", "a b")],
        "scheme=http"),
    // --- The other strategies ignore an untrusted peer's headers too.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(unknown) [peer strategy]",
        &[("CROCODILE_CLIENT_IP", "peer"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "testhost")],
        "ip=127.0.0.9 src=peer fb=null scheme=http host=localhost").from(CLIENT),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(known) [peer strategy]",
        &[("CROCODILE_CLIENT_IP", "peer"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Forwarded-For", "11.111.111.11"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "testhost")],
        "ip=127.0.0.2 src=peer fb=null scheme=https host=testhost"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(unknown) [hops:1]",
        &[("CROCODILE_CLIENT_IP", "hops:1:x-forwarded-for"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Forwarded-For", "11.111.111.11"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "testhost")],
        "ip=127.0.0.9 fb=untrusted-peer scheme=http host=localhost").from(CLIENT),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(unknown) [single:x-real-ip]",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Real-Ip", "11.111.111.11"), ("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "testhost")],
        "ip=127.0.0.9 fb=untrusted-peer scheme=http host=localhost").from(CLIENT),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(unknown) [leftmost-spoofable]",
        &[("CROCODILE_CLIENT_IP", "leftmost-spoofable:x-forwarded-for"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Forwarded-For", "11.111.111.11"), ("X-Forwarded-Proto", "https")],
        "ip=127.0.0.9 fb=untrusted-peer scheme=http").from(CLIENT),
    // single: reads the hop at k = 0.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(known) [single:x-real-ip]",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip"), ("CROCODILE_TRUSTED_PROXIES", "127.0.0.2")],
        &[("X-Real-Ip", "11.111.111.11"), ("X-Forwarded-Proto", "http, https"), ("X-Forwarded-Host", "testhost")],
        "ip=11.111.111.11 src=x-real-ip[0] scheme=https host=testhost"),
    // --- X-Forwarded-Port (enabled) and -Prefix at the hop.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs AllForwardsEnabled [X-Forwarded-Port without -Host]", WITH_PORT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-Port", "443")],
        "host=localhost port=443 origin=https://localhost").host("localhost:3000"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs AllForwardsEnabled [invalid X-Forwarded-Port]", WITH_PORT,
        &[("X-Forwarded-Host", "a.example:8080"), ("X-Forwarded-Port", "abc")],
        "host=a.example port=8080"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixReplaceEmptyPathBase [two entries, k = 0]", WITH_PREFIX,
        &[("X-Forwarded-Prefix", "/a, /b")],
        "home=http://localhost/b/"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixReplaceEmptyPathBase [two entries, k = 1]", WITH_PREFIX,
        &[("X-Forwarded-For", "198.51.100.7, 127.0.0.3"), ("X-Forwarded-Prefix", "/a, /b")],
        "ip=198.51.100.7 home=http://localhost/a/"),

    // --- Everything at once; the peer known or not.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(unknown)",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2"), ("CROCODILE_X_FORWARDED", "proto,host,port,prefix")],
        &[("X-Forwarded-For", "11.111.111.11"), ("X-Forwarded-Host", "testhost"),
          ("X-Forwarded-Proto", "https"), ("X-Forwarded-Prefix", "/pathbase")],
        "ip=127.0.0.9 fb=untrusted-peer host=localhost scheme=http home=http://localhost/").from(CLIENT),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs IgnoreXForwardedHeadersFromUnknownProxy(known)",
        &[("CROCODILE_TRUSTED_PROXIES", "127.0.0.2"), ("CROCODILE_X_FORWARDED", "proto,host,port,prefix")],
        &[("X-Forwarded-For", "11.111.111.11"), ("X-Forwarded-Host", "testhost"),
          ("X-Forwarded-Proto", "https"), ("X-Forwarded-Prefix", "/pathbase")],
        "ip=11.111.111.11 host=testhost scheme=https home=https://testhost/pathbase/"),
    // Theirs takes any scheme ("Protocol"); ours only http and https.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs AllForwardsEnabledChangeRequestRemoteIpHostProtocolAndPathBase",
        &[("CROCODILE_X_FORWARDED", "proto,host,port,prefix")],
        &[("X-Forwarded-Proto", "Protocol"), ("X-Forwarded-For", "11.111.111.11"),
          ("X-Forwarded-Host", "testhost"), ("X-Forwarded-Prefix", "/pathbase")],
        "ip=11.111.111.11 host=testhost scheme=http home=http://testhost/pathbase/"),
    // X-Forwarded-Host added to show it is not believed when not enabled.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs PartiallyEnabledForwardsPartiallyChangesRequest",
        &[("CROCODILE_X_FORWARDED", "proto")],
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "11.111.111.11"), ("X-Forwarded-Host", "testhost")],
        "ip=11.111.111.11 host=localhost scheme=https"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs AllOptionsDisabledRequestDoesntChange",
        &[("CROCODILE_CLIENT_IP", "peer"), ("CROCODILE_X_FORWARDED", "none")],
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "11.111.111.11"),
          ("X-Forwarded-Host", "otherhost"), ("X-Forwarded-Prefix", "/pathbase")],
        "ip=127.0.0.2 src=peer host=localhost scheme=http home=http://localhost/"),
    // --- X-Forwarded-Prefix.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixReplaceEmptyPathBase(/foo)", WITH_PREFIX,
        &[("X-Forwarded-Prefix", "/foo")],
        "home=http://localhost/foo/"),
    // Theirs keeps the trailing slash in PathBase; ours trims it (home_url adds one).
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixReplaceEmptyPathBase(/foo/)", WITH_PREFIX,
        &[("X-Forwarded-Prefix", "/foo/")],
        "home=http://localhost/foo/"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixReplaceEmptyPathBase(/foo/bar)", WITH_PREFIX,
        &[("X-Forwarded-Prefix", "/foo/bar")],
        "home=http://localhost/foo/bar/"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixReplaceEmptyPathBase(/foo%20bar)", WITH_PREFIX,
        &[("X-Forwarded-Prefix", "/foo%20bar")],
        "home=http://localhost/foo%20bar/"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixInvalidPath(invalid)", WITH_PREFIX,
        &[("X-Forwarded-Prefix", "invalid")],
        "home=http://localhost/"),
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixInvalidPath(%2Finvalid)", WITH_PREFIX,
        &[("X-Forwarded-Prefix", "%2Finvalid")],
        "home=http://localhost/"),
    // Not enabled by default.
    row("aspnetcore ForwardedHeadersMiddlewareTest.cs XForwardedPrefixReplaceEmptyPathBase(/foo) [prefix not enabled]", DEFAULT,
        &[("X-Forwarded-Prefix", "/foo")],
        "home=http://localhost/"),
];

/// Spring Framework, `spring-web/src/test/java/org/springframework/web/util/ForwardedHeaderUtilsTests.java`.
/// Spring believes the headers of any peer; ours only a trusted one's, so
/// these run from `127.0.0.2`. Spring's server name/port is our `Host`.
/// Spring reads the **first** (leftmost) value of a multi-valued header;
/// ours the entry at the hop index (here 0: the rightmost).
#[rustfmt::skip]
const SPRING: &[Row] = &[
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestResetsPort443(https)", WITH_PORT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "84.198.58.199"), ("X-Forwarded-Port", "443")],
        "scheme=https host=84.198.58.199 port=443 origin=https://84.198.58.199").host("example.com:80"),
    // Theirs: wss. Ours: only http/https are schemes; the connection's holds.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestResetsPort443(wss)", WITH_PORT,
        &[("X-Forwarded-Proto", "wss"), ("X-Forwarded-Host", "84.198.58.199"), ("X-Forwarded-Port", "443")],
        "scheme=http host=84.198.58.199 port=443 origin=http://84.198.58.199:443").host("example.com:80"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestResetsPort80(http)", WITH_PORT,
        &[("X-Forwarded-Proto", "http"), ("X-Forwarded-Host", "84.198.58.199"), ("X-Forwarded-Port", "80")],
        "scheme=http host=84.198.58.199 port=80 origin=http://84.198.58.199").host("example.com:80"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestResetsPort80(ws)", WITH_PORT,
        &[("X-Forwarded-Proto", "ws"), ("X-Forwarded-Host", "84.198.58.199"), ("X-Forwarded-Port", "80")],
        "scheme=http origin=http://84.198.58.199").host("example.com:80"),
    // Theirs keeps the request's https; our connection is plain http.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedIPv4Host", PEER_FWD,
        &[("Forwarded", "host=192.168.0.1")],
        "host=192.168.0.1 origin=http://192.168.0.1"),
    // With rightmost:forwarded an element without for= is a malformed entry;
    // the hop (k = 0) still gives the host.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedIPv4Host [rightmost:forwarded]", FWD,
        &[("Forwarded", "host=192.168.0.1")],
        "ip=127.0.0.2 src=peer fb=malformed-entry host=192.168.0.1"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedIPv6 (lenient)", PEER_FWD,
        &[("Forwarded", "host=[1abc:2abc:3abc::5ABC:6abc]")],
        "host=[1abc:2abc:3abc::5abc:6abc] origin=http://[1abc:2abc:3abc::5abc:6abc]"),
    // Strict: brackets must be quoted, the element is refused, Host holds.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedIPv6 (strict)", PEER_FWD_STRICT,
        &[("Forwarded", "host=[1abc:2abc:3abc::5ABC:6abc]")],
        "host=localhost"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedIPv6Host", DEFAULT,
        &[("X-Forwarded-Host", "[1abc:2abc:3abc::5ABC:6abc]")],
        "host=[1abc:2abc:3abc::5abc:6abc] port=80 origin=http://[1abc:2abc:3abc::5abc:6abc]"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedIPv6HostAndPort", DEFAULT,
        &[("X-Forwarded-Host", "[1abc:2abc:3abc::5ABC:6abc]:8080")],
        "port=8080 origin=http://[1abc:2abc:3abc::5abc:6abc]:8080"),
    // Theirs throws; ours answers 400.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedInvalidIPv6Address", DEFAULT,
        &[("X-Forwarded-Host", "2a02:918:175:ab60:45ee:c12c:dac1:808b")],
        "status=400"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHost", DEFAULT,
        &[("X-Forwarded-Host", "anotherHost")],
        "host=anotherhost origin=http://anotherhost"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostIncludingPort", DEFAULT,
        &[("X-Forwarded-Host", "webtest.foo.bar.com:443")],
        "host=webtest.foo.bar.com port=443 origin=http://webtest.foo.bar.com:443"),
    // Theirs: a.example.org (first value). Ours: k = 0, entry 0 from the right.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostMultiValuedHeader", DEFAULT,
        &[("X-Forwarded-Host", "a.example.org, b.example.org, c.example.org")],
        "host=c.example.org port=80"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostAndPort", WITH_PORT,
        &[("X-Forwarded-Host", "foobarhost"), ("X-Forwarded-Port", "9090")],
        "host=foobarhost port=9090").host("localhost:8080"),
    // Ours by default: X-Forwarded-Port is not believed.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostAndPort [port not enabled]", DEFAULT,
        &[("X-Forwarded-Host", "foobarhost"), ("X-Forwarded-Port", "9090")],
        "host=foobarhost port=80 origin=http://foobarhost").host("localhost:8080"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostWithDefaultPort", DEFAULT,
        &[("X-Forwarded-Host", "example.org")],
        "host=example.org port=80 origin=http://example.org").host("localhost:10080"),
    // Theirs: port reset to the default (-1). Ours: the request's own Host
    // still names 10080; only a forwarded host or X-Forwarded-Port replaces it.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedProtoWithDefaultPort", DEFAULT,
        &[("X-Forwarded-Proto", "https")],
        "scheme=https host=example.org port=10080 origin=https://example.org:10080").host("example.org:10080"),
    // Theirs: https. Ours does not read X-Forwarded-Ssl.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedSsl", DEFAULT,
        &[("X-Forwarded-Ssl", "on")],
        "scheme=http port=10080").host("example.org:10080"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostWithForwardedScheme", DEFAULT,
        &[("X-Forwarded-Host", "example.org"), ("X-Forwarded-Proto", "https")],
        "scheme=https host=example.org port=443 origin=https://example.org").host("localhost:10080"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedProtoAndDefaultPort", WITH_PORT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "84.198.58.199"), ("X-Forwarded-Port", "443")],
        "home=https://84.198.58.199/").host("localhost:80"),
    // Theirs: port 80 (first value). Ours: entry 0 from the right.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedPortMultiValueHeader", WITH_PORT,
        &[("X-Forwarded-Host", "a.example.org"), ("X-Forwarded-Port", "80,52022")],
        "port=52022 origin=http://a.example.org:52022").host("localhost:9090"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedProtoMultiValueHeader", WITH_PORT,
        &[("X-Forwarded-Host", "a.example.org"), ("X-Forwarded-Port", "443"), ("X-Forwarded-Proto", "https,https")],
        "home=https://a.example.org/").host("localhost:8080"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeader", PEER_FWD,
        &[("Forwarded", "proto=https; host=84.198.58.199")],
        "scheme=https host=84.198.58.199 port=443").host("example.com"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeaderQuoted", PEER_FWD,
        &[("Forwarded", r#"proto="https"; host="84.198.58.199""#)],
        "scheme=https host=84.198.58.199").host("example.com"),
    // Theirs: the first line (https, 84.198.58.199). Ours: the nearest element.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestMultipleForwardedHeader", PEER_FWD,
        &[("Forwarded", "host=84.198.58.199;proto=https"), ("Forwarded", "proto=ftp; host=1.2.3.4")],
        "scheme=http host=1.2.3.4").host("example.com"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestMultipleForwardedHeaderComma", PEER_FWD,
        &[("Forwarded", "host=84.198.58.199 ;proto=https, proto=ftp; host=1.2.3.4")],
        "scheme=http host=1.2.3.4").host("example.com"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeaderWithHostPortAndWithoutServerPort", PEER_FWD,
        &[("Forwarded", "proto=https; host=84.198.58.199:9090")],
        "port=9090 origin=https://84.198.58.199:9090").host("example.com"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeaderWithHostPortAndServerPort", PEER_FWD,
        &[("Forwarded", "proto=https; host=84.198.58.199:9090")],
        "port=9090 origin=https://84.198.58.199:9090").host("example.com:8080"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeaderWithoutHostPortAndWithServerPort", PEER_FWD,
        &[("Forwarded", "proto=https; host=84.198.58.199")],
        "port=443 origin=https://84.198.58.199").host("example.com:8080"),
    // Theirs: https://example.com (port reset). Ours: the Host's 8080 holds.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeaderWithProtoAndServerPort", PEER_FWD,
        &[("Forwarded", "proto=https")],
        "scheme=https host=example.com port=8080 origin=https://example.com:8080").host("example.com:8080"),
    // Theirs: for=192.0.2.0 and the first element's (absent) proto/host.
    // Ours: the nearest element, for the client and the hop alike.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeaderComma", FWD,
        &[("Forwarded", "for=192.0.2.0,for=192.0.2.1;proto=https;host=192.0.2.3:9090")],
        "ip=192.0.2.1 src=forwarded[0] scheme=https host=192.0.2.3 port=9090").host("example.com:8080"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedWithPort", FWD,
        &[("Forwarded", "for=192.0.2.1:1920")],
        "ip=192.0.2.1 src=forwarded[0] fb=null"),
    // Theirs: the first value, fd00:fefe:1::4. Ours: rightmost untrusted.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestXForwardedHeaderForIpv6Formatting", DEFAULT,
        &[("X-Forwarded-For", "fd00:fefe:1::4, 192.168.0.1")],
        "ip=192.168.0.1 src=x-forwarded-for[0]"),
    // With the private ranges trusted, all are: the leftmost, as theirs.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestXForwardedHeaderForIpv6Formatting [private trusted]", PRIVATE,
        &[("X-Forwarded-For", "fd00:fefe:1::4, 192.168.0.1")],
        "ip=fd00:fefe:1::4 src=x-forwarded-for[1] fb=null"),
    // Spring's host tests, pushed to what our README promises of `host`:
    // lowercase, no trailing dot, IPv6 canonical, default ports left out of
    // `origin`.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHost [case and trailing dot]", DEFAULT,
        &[("X-Forwarded-Host", "Another.HOST.")],
        "host=another.host origin=http://another.host"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedIPv6HostAndPort [non-canonical IPv6]", DEFAULT,
        &[("X-Forwarded-Host", "[0:0:0:0:0:0:0:1]:8080")],
        "host=[::1] port=8080 origin=http://[::1]:8080"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostIncludingPort [https, default port]", DEFAULT,
        &[("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "webtest.foo.bar.com:443")],
        "port=443 origin=https://webtest.foo.bar.com home=https://webtest.foo.bar.com/"),
    // Quoted-pair in host= (RFC 7230 section 3.2.6), undone.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestForwardedHeaderQuoted [quoted-pair]", PEER_FWD,
        &[("Forwarded", r#"proto="https"; host="84.198.\58.199""#)],
        "scheme=https host=84.198.58.199"),
    // The hop's fields on an earlier header line than the nearest hop's.
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestMultipleForwardedHeader [hop k = 1, first line]", FWD,
        &[("Forwarded", "for=198.51.100.7;host=a.example;proto=https"), ("Forwarded", "for=127.0.0.3;host=b.example")],
        "ip=198.51.100.7 src=forwarded[1] host=a.example scheme=https"),
    row("spring ForwardedHeaderUtilsTests.java fromHttpRequestWithForwardedHostMultiValuedHeader [hop k = 1, two lines]", DEFAULT,
        &[("X-Forwarded-For", "198.51.100.7"), ("X-Forwarded-For", "127.0.0.3"),
          ("X-Forwarded-Host", "a.example"), ("X-Forwarded-Host", "b.example"),
          ("X-Forwarded-Proto", "https"), ("X-Forwarded-Proto", "http")],
        "ip=198.51.100.7 src=x-forwarded-for[1] host=a.example scheme=https"),
];

/// RFC 7239's own examples (sections 4, 5, 6.3, 7.1, 7.4, 7.5).
#[rustfmt::skip]
const RFC7239: &[Row] = &[
    row("RFC 7239 section 4: for=\"_gazonk\"", FWD,
        &[("Forwarded", r#"for="_gazonk""#)],
        MALFORMED_AT_PEER),
    row("RFC 7239 section 4: For=\"[2001:db8:cafe::17]:4711\"", FWD,
        &[("Forwarded", r#"For="[2001:db8:cafe::17]:4711""#)],
        "ip=2001:db8:cafe::17 src=forwarded[0] fb=null"),
    row("RFC 7239 section 4: For=\"[2001:db8:cafe::17]:4711\" (strict)", FWD_STRICT,
        &[("Forwarded", r#"For="[2001:db8:cafe::17]:4711""#)],
        "ip=2001:db8:cafe::17 src=forwarded[0] fb=null"),
    row("RFC 7239 section 4: for=192.0.2.60;proto=http;by=203.0.113.43", FWD,
        &[("Forwarded", "for=192.0.2.60;proto=http;by=203.0.113.43")],
        "ip=192.0.2.60 src=forwarded[0] scheme=http"),
    row("RFC 7239 section 4: for=192.0.2.43, for=198.51.100.17", FWD,
        &[("Forwarded", "for=192.0.2.43, for=198.51.100.17")],
        "ip=198.51.100.17 src=forwarded[0] fb=null"),
    // Section 4: several header lines are one list.
    row("RFC 7239 section 4: the same list on two lines", FWD,
        &[("Forwarded", "for=192.0.2.43"), ("Forwarded", "for=198.51.100.17")],
        "ip=198.51.100.17 src=forwarded[0] fb=null"),
    row("RFC 7239 section 4: for=192.0.2.43, for=198.51.100.17 [198.51.100.17 trusted]",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,198.51.100.17")],
        &[("Forwarded", "for=192.0.2.43, for=198.51.100.17")],
        "ip=192.0.2.43 src=forwarded[1] fb=null"),
    row("RFC 7239 section 5.4: for=192.0.2.60;proto=https", FWD,
        &[("Forwarded", "for=192.0.2.60;proto=https")],
        "ip=192.0.2.60 scheme=https port=443 origin=https://localhost"),
    // Section 5.3: host= is the Host the proxy received; with a port it must be quoted.
    row("RFC 7239 section 5.3: host=\"example.com:8080\" (strict)", FWD_STRICT,
        &[("Forwarded", r#"for=192.0.2.60;host="example.com:8080""#)],
        "ip=192.0.2.60 host=example.com port=8080 origin=http://example.com:8080"),
    row("RFC 7239 section 6.3: for=_hidden, for=_SEVKISEK", FWD,
        &[("Forwarded", "for=_hidden, for=_SEVKISEK")],
        MALFORMED_AT_PEER),
    row("RFC 7239 section 7.1: for=192.0.2.43,for=\"[2001:db8:cafe::17]\",for=unknown", FWD,
        &[("Forwarded", r#"for=192.0.2.43,for="[2001:db8:cafe::17]",for=unknown"#)],
        MALFORMED_AT_PEER),
    row("RFC 7239 section 7.1: ... for=unknown [the proxy writing unknown is trusted at 0, 2001:db8:cafe::17 trusted]",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,2001:db8:cafe::17")],
        &[("Forwarded", r#"for=192.0.2.43,for="[2001:db8:cafe::17]""#)],
        "ip=192.0.2.43 src=forwarded[1] fb=null"),
    row("RFC 7239 section 7.4: X-Forwarded-For: 192.0.2.43, 2001:db8:cafe::17", DEFAULT,
        &[("X-Forwarded-For", "192.0.2.43, 2001:db8:cafe::17")],
        "ip=2001:db8:cafe::17 src=x-forwarded-for[0] fb=null"),
    row("RFC 7239 section 7.4: Forwarded: for=192.0.2.43, for=\"[2001:db8:cafe::17]\"", FWD,
        &[("Forwarded", r#"for=192.0.2.43, for="[2001:db8:cafe::17]""#)],
        "ip=2001:db8:cafe::17 src=forwarded[0] fb=null"),
    row("RFC 7239 section 7.5: for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com", FWD,
        &[("Forwarded", "for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com")],
        "ip=198.51.100.17 src=forwarded[0] scheme=http host=example.com"),
    // The second proxy trusted: the hop is element 1, which names no host.
    row("RFC 7239 section 7.5: ... [198.51.100.17 trusted]",
        &[("CROCODILE_CLIENT_IP", "rightmost:forwarded"), ("CROCODILE_TRUSTED_PROXIES", "loopback,198.51.100.17")],
        &[("Forwarded", "for=192.0.2.43, for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com")],
        "ip=192.0.2.43 src=forwarded[1] scheme=http host=localhost"),
    // hops:<n> over Forwarded: proto= of the n-th element.
    row("RFC 7239 section 7.5: ... as hops:2:forwarded",
        &[("CROCODILE_CLIENT_IP", "hops:2:forwarded")],
        &[("Forwarded", "for=192.0.2.43;proto=https, for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com")],
        "ip=192.0.2.43 src=forwarded[1] scheme=https host=localhost"),
    // single: with the Forwarded family reads element 0.
    row("RFC 7239 section 7.5: ... with single:x-real-ip",
        &[("CROCODILE_CLIENT_IP", "single:x-real-ip"), ("CROCODILE_PROXY_HEADERS", "forwarded")],
        &[("X-Real-Ip", "192.0.2.43"),
          ("Forwarded", "for=192.0.2.43;proto=https, for=198.51.100.17;by=203.0.113.60;proto=http;host=example.com")],
        "ip=192.0.2.43 src=x-real-ip[0] scheme=http host=example.com"),
    // RFC 7239's ABNF has no OWS around `;`, but our grammar table
    // (crates/forwarded/src/grammar.rs) accepts it in both grammars. The
    // CHANGELOG lists "spaces around `=` and `;`" as lenient-only: a docs
    // conflict, reported; the row follows the crate's table.
    row("RFC 7239 section 4: for=192.0.2.60 ; proto=https (strict)", FWD_STRICT,
        &[("Forwarded", "for=192.0.2.60 ; proto=https")],
        "ip=192.0.2.60 src=forwarded[0] scheme=https"),
    row("realclientip-go realclientip_test.go Test_parseForwardedListItem/Multiple IPv4 directives (strict)", FWD_STRICT,
        &[("Forwarded", "by=1.1.1.1; for=2.2.2.2;host=myhost; proto=https")],
        "ip=2.2.2.2 src=forwarded[0] scheme=https host=myhost"),
    // Section 6: an unbracketed IPv6 node never loses a "port" (lenient).
    row("RFC 7239 section 6: for=2001:db8::1:443 (lenient, one address)", FWD,
        &[("Forwarded", "for=2001:db8::1:443")],
        "ip=2001:db8::1:443 src=forwarded[0]"),
    // Section 6.3: an obfuscated port names no port; the address stands.
    row("RFC 7239 section 6.3: for=192.0.2.1:_abc (lenient)", FWD,
        &[("Forwarded", "for=192.0.2.1:_abc")],
        "ip=192.0.2.1 src=forwarded[0] fb=null"),
    row("RFC 7239 section 6.3: for=\"[2001:db8::1]:_abc\" (strict)", FWD_STRICT,
        &[("Forwarded", r#"for="[2001:db8::1]:_abc""#)],
        "ip=2001:db8::1 src=forwarded[0] fb=null"),
    row("RFC 7239 section 6: for=2001:db8::1] (mismatched bracket)", FWD,
        &[("Forwarded", "for=2001:db8::1]")],
        MALFORMED_AT_PEER),
    // Section 5.3, strict: an unquoted host with a port is no token; the
    // element is refused and the request's Host holds.
    row("RFC 7239 section 5.3: host=example.com:8443 unquoted (strict)", FWD_STRICT,
        &[("Forwarded", "for=192.0.2.60;host=example.com:8443")],
        "ip=127.0.0.2 fb=malformed-entry host=localhost port=80"),
    row("RFC 7239 section 5.3: host=example.com:8443 unquoted (lenient)", FWD,
        &[("Forwarded", "for=192.0.2.60;host=example.com:8443")],
        "ip=192.0.2.60 host=example.com port=8443"),
    row("RFC 7239 section 5.3/5.4: host with the default port of proto", FWD,
        &[("Forwarded", r#"for=192.0.2.60;proto=https;host="example.com:443""#)],
        "port=443 origin=https://example.com"),
];

#[tokio::test]
async fn peer_tables_agree_with_our_documented_behaviour() {
    let mut servers = Servers::default();
    let mut failures = Vec::new();
    let mut count = 0;
    for table in [REALCLIENTIP, ASPNET, SPRING, RFC7239] {
        for row in table {
            count += 1;
            if let Err(failure) = check(&mut servers, row).await {
                failures.push(failure);
            }
        }
    }
    assert!(count >= 50, "only {count} rows");
    assert!(
        failures.is_empty(),
        "{} of {count} rows disagree:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// One server per configuration, started on first use.
#[derive(Default)]
struct Servers(HashMap<Vec<(&'static str, &'static str)>, SocketAddr>);

impl Servers {
    async fn get(&mut self, vars: Vars) -> SocketAddr {
        let mut vars = vars.to_vec();
        if !vars
            .iter()
            .any(|(name, _)| *name == "CROCODILE_ALLOWED_HOSTS")
        {
            vars.push(("CROCODILE_ALLOWED_HOSTS", "*"));
        }
        if let Some(addr) = self.0.get(&vars) {
            return *addr;
        }
        let listen = vars
            .iter()
            .find(|(name, _)| *name == "LISTEN")
            .map_or("127.0.0.1:0", |(_, addr)| *addr);
        let config: Vec<_> = vars
            .iter()
            .copied()
            .filter(|(name, _)| *name != "LISTEN")
            .collect();
        let router = common::app::app(&common::config(&config));
        let addr = raw_http::serve(listen, router).await;
        self.0.insert(vars, addr);
        addr
    }
}

/// Sends the row's request and checks the answer; the error says what differs.
async fn check(servers: &mut Servers, row: &Row) -> Result<(), String> {
    let server = servers.get(row.vars).await;
    let (status, body) = send(server, row).await;
    let context = || {
        format!(
            "{}\n  vars {:?}\n  from {} Host: {}\n  headers {:?}\n  want {}\n  got {status} {body}",
            row.source, row.vars, row.peer, row.host, row.headers, row.want
        )
    };
    let mut want_status = 200;
    let mut checks = Vec::new();
    for pair in row.want.split_whitespace() {
        let (key, value) = pair.split_once('=').expect("want is key=value pairs");
        match key {
            "status" => want_status = value.parse().expect("a status code"),
            _ => checks.push((key, value)),
        }
    }
    if status != want_status {
        return Err(context());
    }
    if status != 200 {
        return Ok(());
    }
    let body: Value = serde_json::from_str(&body).map_err(|_| context())?;
    for (key, value) in checks {
        let field = match key {
            "ip" => "client_ip",
            "src" => "client_ip_source",
            "fb" => "client_ip_fallback",
            "home" => "home_url",
            other => other,
        };
        let got = match &body[field] {
            Value::Null => "null".to_owned(),
            Value::String(text) => text.clone(),
            other => other.to_string(),
        };
        if got != value {
            return Err(format!("{}\n  {field}: want {value}, got {got}", context()));
        }
    }
    Ok(())
}

/// One HTTP/1.1 request from the row's source address; the status and body.
async fn send(server: SocketAddr, row: &Row) -> (u16, String) {
    // An IPv6 source talks to the dual-stack listener over ::1, an IPv4
    // source over 127.0.0.1.
    let response = raw_http::get_context(server, row.peer, row.host, row.headers).await;
    (response.status(), response.body().unwrap_or("").to_owned())
}
