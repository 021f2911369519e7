//! Computing a [`Hop`]: the client address by the strategy, then the
//! scheme, host, port and prefix written by the same hop. One walk over the
//! chain, no allocation.

use std::net::{IpAddr, SocketAddr};
use std::sync::LazyLock;

use http::HeaderMap;
use http::header::{GetAll, HeaderName, HeaderValue};

use crate::addr::{Malformed, NodeAddr, normalize_ip};
use crate::hop::{Fallback, Hop, Ignored, Source};
use crate::host::{Scheme, parse_port_value};
use crate::list::take_last;
use crate::rfc7239::{Element, ElementError, ForwardedRev};
use crate::single::{SingleError, single_ip};
use crate::span::Span;
use crate::statics::{X_FORWARDED_HOST, X_FORWARDED_PORT, X_FORWARDED_PREFIX, X_FORWARDED_PROTO};
use crate::strategy::{ClientIpStrategy, ProxyHeaders};
use crate::trust::Inner;
use crate::trusted::TrustedProxies;
use crate::walk::{Walk, rightmost_untrusted};
use crate::xff::XForwardedFor;

/// Addresses `leftmost-spoofable` skips: nobody's public address.
static NON_PUBLIC: LazyLock<TrustedProxies> = LazyLock::new(|| {
    "loopback,private,link-local,unique-local,100.64.0.0/10"
        .parse()
        .expect("constant list parses")
});

/// `proto=` and `host=` of one `Forwarded` element, as positions.
#[derive(Debug, Clone, Copy)]
struct ElementFields {
    proto: Result<Scheme, Ignored>,
    host: Result<Span, Ignored>,
}

impl ElementFields {
    /// Nothing to read: no element at the hop, or one that does not parse.
    const fn none(why: Ignored) -> Self {
        Self {
            proto: Err(why),
            host: Err(why),
        }
    }

    fn of(rev: &ForwardedRev<'_>, element: &Result<Element<'_>, ElementError>) -> Self {
        let Ok(element) = element else {
            return Self::none(Ignored::Invalid);
        };
        let proto = match element.proto() {
            None => Err(Ignored::Absent),
            Some(value) => Scheme::parse(&value.unescaped()).ok_or(Ignored::Invalid),
        };
        let host = match element.host() {
            None => Err(Ignored::Absent),
            Some(value) => rev.span_of(&value).ok_or(Ignored::Invalid),
        };
        Self { proto, host }
    }
}

/// The chain's entries, nearest hop first, each with the fields of its
/// `Forwarded` element (for `X-Forwarded-For`, the fields are read later
/// from the other `X-Forwarded-*` headers).
enum Chain<'a> {
    Xff(std::iter::Rev<XForwardedFor<'a>>),
    Forwarded(ForwardedRev<'a>),
}

impl<'a> Chain<'a> {
    fn new(inner: &Inner, family: ProxyHeaders, headers: &'a HeaderMap) -> Self {
        match family {
            ProxyHeaders::XForwarded => Self::Xff(XForwardedFor::new(headers).rev()),
            ProxyHeaders::Forwarded => {
                Self::Forwarded(ForwardedRev::with_grammar(headers, inner.grammar))
            }
        }
    }
}

impl Iterator for Chain<'_> {
    type Item = (Result<NodeAddr, Malformed>, Option<ElementFields>);

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Xff(entries) => entries.next().map(|entry| (entry, None)),
            Self::Forwarded(rev) => {
                let element = rev.next()?;
                let fields = ElementFields::of(rev, &element);
                let node = match element {
                    Ok(element) => element.for_node().unwrap_or(Err(Malformed::Syntax)),
                    Err(_) => Err(Malformed::Syntax),
                };
                Some((node, Some(fields)))
            }
        }
    }
}

/// What the strategy decided: the client, and the hop index (with the
/// element's fields for `Forwarded`) when proxy headers are believed.
struct Decided {
    client: IpAddr,
    source: Source,
    fallback: Option<Fallback>,
    believed: Option<(usize, Option<ElementFields>)>,
}

impl Decided {
    fn peer(peer: IpAddr, fallback: Option<Fallback>, believed: bool) -> Self {
        Self {
            client: peer,
            source: Source::Peer,
            fallback,
            believed: believed.then_some((0, None)),
        }
    }
}

pub(crate) fn compute(inner: &Inner, peer: Option<SocketAddr>, headers: &HeaderMap) -> Hop {
    let family = inner.family;
    let Some(peer) = peer else {
        return Hop::without_peer(inner.id, family);
    };
    let peer_ip = normalize_ip(peer.ip());
    let trusted = inner.trusted.load();
    let decided = decide(inner, &trusted, peer_ip, headers);
    let mut hop = Hop {
        model: inner.id,
        family,
        peer: Some(peer),
        client: Some(decided.client),
        source: decided.source,
        fallback: decided.fallback,
        believed: None,
        proto: Err(Ignored::NotBelieved),
        host: Err(Ignored::NotBelieved),
        port: Err(Ignored::NotBelieved),
        prefix: Err(Ignored::NotBelieved),
    };
    if let Some(fallback) = decided.fallback {
        if fallback != Fallback::PeerUntrusted && fallback != Fallback::HeaderAbsent {
            tracing::debug!(
                peer = %peer_ip,
                strategy = %inner.strategy,
                fallback = fallback.code(),
                detail = %fallback,
                "proxy trust: the client address fell back"
            );
        }
    }
    let Some((k, element)) = decided.believed else {
        return hop;
    };
    hop.believed = Some(k);
    match family {
        ProxyHeaders::Forwarded => {
            let fields = match element {
                Some(fields) => fields,
                // `peer` and `single:` walk no chain: read the element at `k`.
                None => forwarded_element(inner, headers, k),
            };
            hop.proto = fields.proto;
            hop.host = fields.host;
            // `Forwarded` has no port or prefix parameter: the host's port holds.
            hop.port = Err(Ignored::Absent);
            hop.prefix = Err(Ignored::Absent);
        }
        ProxyHeaders::XForwarded => read_x_forwarded(inner, headers, k, &mut hop),
    }
    hop
}

/// The client address by the strategy.
fn decide(inner: &Inner, trusted: &TrustedProxies, peer: IpAddr, headers: &HeaderMap) -> Decided {
    match &inner.strategy {
        ClientIpStrategy::Peer => Decided::peer(peer, None, trusted.contains(peer)),
        ClientIpStrategy::Rightmost(family) => {
            if !trusted.contains(peer) {
                return Decided::peer(peer, Some(Fallback::PeerUntrusted), false);
            }
            rightmost(trusted, peer, *family, Chain::new(inner, *family, headers))
        }
        ClientIpStrategy::Hops { n, header } => {
            if !trusted.is_empty() && !trusted.contains(peer) {
                return Decided::peer(peer, Some(Fallback::PeerUntrusted), false);
            }
            let hops = n.get();
            let mut len = 0;
            for (index, (entry, fields)) in Chain::new(inner, *header, headers).enumerate() {
                len = index + 1;
                if index + 1 < hops {
                    continue;
                }
                return match entry {
                    Ok(node) => Decided {
                        client: node.ip,
                        source: Source::Chain {
                            family: *header,
                            index,
                        },
                        fallback: None,
                        believed: Some((index, fields)),
                    },
                    // The deployment is misconfigured or the request bypassed
                    // the proxies: believe none of its proxy headers.
                    Err(why) => {
                        Decided::peer(peer, Some(Fallback::MalformedEntry { index, why }), false)
                    }
                };
            }
            Decided::peer(peer, Some(Fallback::ChainTooShort { len, hops }), false)
        }
        ClientIpStrategy::Single(name) => {
            if !trusted.contains(peer) {
                return Decided::peer(peer, Some(Fallback::PeerUntrusted), false);
            }
            match single_ip(headers, name) {
                Ok(node) => Decided {
                    client: node.ip,
                    source: Source::Single,
                    fallback: None,
                    believed: Some((0, None)),
                },
                Err(why) => {
                    let fallback = match why {
                        SingleError::Absent => Fallback::HeaderAbsent,
                        SingleError::MultipleLines => Fallback::RepeatedHeader,
                        SingleError::MultipleValues => Fallback::NotOneAddress,
                        SingleError::Malformed(why) => Fallback::MalformedEntry { index: 0, why },
                    };
                    Decided::peer(peer, Some(fallback), true)
                }
            }
        }
        ClientIpStrategy::LeftmostSpoofable(family) => {
            if !trusted.contains(peer) {
                return Decided::peer(peer, Some(Fallback::PeerUntrusted), false);
            }
            let leftmost = Chain::new(inner, *family, headers)
                .enumerate()
                .filter_map(|(index, (entry, fields))| {
                    entry.ok().map(|node| (index, node.ip, fields))
                })
                .filter(|(_, ip, _)| !NON_PUBLIC.contains(*ip))
                .last();
            match leftmost {
                Some((index, ip, fields)) => Decided {
                    client: ip,
                    source: Source::Chain {
                        family: *family,
                        index,
                    },
                    fallback: None,
                    believed: Some((index, fields)),
                },
                None => Decided::peer(peer, Some(Fallback::NoPublicAddress), true),
            }
        }
    }
}

/// The rightmost address that is not a trusted proxy, by the one walk
/// ([`rightmost_untrusted`]). It stops at the first untrusted or malformed
/// entry, right after reading it, so the fields last read are the stop's.
fn rightmost(
    trusted: &TrustedProxies,
    peer: IpAddr,
    family: ProxyHeaders,
    chain: Chain<'_>,
) -> Decided {
    let mut fields = None;
    let walk = rightmost_untrusted(
        trusted,
        chain.map(|(entry, element)| {
            fields = element;
            entry
        }),
    );
    let at = |index| Source::Chain { family, index };
    match walk {
        Walk::Untrusted { ip, index } | Walk::AllTrusted { ip, index } => Decided {
            client: ip,
            source: at(index),
            fallback: None,
            believed: Some((index, fields)),
        },
        // A trusted proxy wrote the bad entry; what lies to its left was
        // written by whoever sent it. The client is the last address vouched
        // for, and the hop is the proxy that wrote the bad entry.
        Walk::Malformed { index, why, last } => Decided {
            client: last.unwrap_or(peer),
            source: match last {
                Some(_) => at(index - 1),
                None => Source::Peer,
            },
            fallback: Some(Fallback::MalformedEntry { index, why }),
            believed: Some((index, fields)),
        },
        _ => Decided::peer(peer, Some(Fallback::HeaderAbsent), true),
    }
}

/// The fields of the `Forwarded` element at hop index `k`.
fn forwarded_element(inner: &Inner, headers: &HeaderMap, k: usize) -> ElementFields {
    let mut rev = ForwardedRev::with_grammar(headers, inner.grammar);
    for _ in 0..k {
        if rev.next().is_none() {
            return ElementFields::none(Ignored::Absent);
        }
    }
    match rev.next() {
        Some(element) => ElementFields::of(&rev, &element),
        None => ElementFields::none(Ignored::Absent),
    }
}

/// `X-Forwarded-Proto`, `-Host`, `-Port`, `-Prefix` at hop index `k`.
fn read_x_forwarded(inner: &Inner, headers: &HeaderMap, k: usize, hop: &mut Hop) {
    let enabled = inner.x_forwarded;
    let present = Present::scan(headers);
    let read = |on: bool, present: bool, name: &HeaderName| -> Result<(Span, &[u8]), Ignored> {
        if !on {
            return Err(Ignored::NotEnabled);
        }
        if !present {
            return Err(Ignored::Absent);
        }
        entry_at(headers.get_all(name), k)
    };
    hop.proto = read(enabled.proto(), present.proto, &X_FORWARDED_PROTO)
        .and_then(|(_, value)| Scheme::parse(value).ok_or(Ignored::Invalid));
    hop.host = read(enabled.host(), present.host, &X_FORWARDED_HOST).map(|(span, _)| span);
    hop.port = read(enabled.port(), present.port, &X_FORWARDED_PORT)
        .and_then(|(_, value)| parse_port_value(value).ok_or(Ignored::Invalid));
    hop.prefix = read(enabled.prefix(), present.prefix, &X_FORWARDED_PREFIX).map(|(span, _)| span);
    for (header, field) in [
        ("x-forwarded-proto", hop.proto.err()),
        ("x-forwarded-host", hop.host.err()),
        ("x-forwarded-port", hop.port.err()),
        ("x-forwarded-prefix", hop.prefix.err()),
    ] {
        if let Some(why @ (Ignored::InconsistentCount | Ignored::Invalid)) = field {
            tracing::debug!(
                header,
                k,
                ignored = why.code(),
                "proxy trust: ignored a proxy header"
            );
        }
    }
}

/// Entry `k` from the right of a comma list: one entry is an overwriting
/// proxy's (use it), at least `k + 1` entries are one per appending proxy
/// (use entry `k`; those further left were written by the client); anything
/// in between can't be attributed to the hop.
fn entry_at<'a>(lines: GetAll<'a, HeaderValue>, k: usize) -> Result<(Span, &'a [u8]), Ignored> {
    let mut count = 0;
    let mut first = None;
    for (line_from_back, line) in lines.iter().rev().enumerate() {
        let line = line.as_bytes();
        let mut rest = line;
        while let Some(entry) = take_last(&mut rest) {
            let found = || Span::of(line_from_back, line, entry, false).map(|span| (span, entry));
            if count == 0 {
                first = found();
            }
            if count == k {
                return found().ok_or(Ignored::Invalid);
            }
            count += 1;
        }
    }
    match count {
        0 => Err(Ignored::Absent),
        1 => first.ok_or(Ignored::Invalid),
        _ => Err(Ignored::InconsistentCount),
    }
}

/// Which `X-Forwarded-*` headers a request may carry, found in one pass over
/// its header names: looking each custom name up hashes it byte by byte
/// even when it is absent (about 180 instructions apiece), while comparing
/// the few names a request has costs a fraction of that.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Present {
    proto: bool,
    host: bool,
    port: bool,
    prefix: bool,
}

impl Present {
    /// Above this many distinct names, looking the four headers up is
    /// cheaper than comparing every name, so the scan reports them present.
    const MAX_SCANNED: usize = 32;

    fn scan(headers: &HeaderMap) -> Self {
        if headers.keys_len() > Self::MAX_SCANNED {
            return Self {
                proto: true,
                host: true,
                port: true,
                prefix: true,
            };
        }
        let mut present = Self::default();
        // `HeaderName`s are lowercase, so plain comparisons suffice; the
        // length rules out most names first (the four are 16 to 18 bytes).
        for name in headers.keys().map(HeaderName::as_str) {
            if (16..=18).contains(&name.len()) {
                match name.strip_prefix("x-forwarded-") {
                    Some("proto") => present.proto = true,
                    Some("host") => present.host = true,
                    Some("port") => present.port = true,
                    Some("prefix") => present.prefix = true,
                    _ => {}
                }
            }
        }
        present
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::trust::ProxyTrust;
    use crate::x_forwarded::XForwardedHeaders;
    use http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, HeaderValue::from_static(value));
        }
        map
    }

    fn trust(strategy: &str, trusted: &str) -> ProxyTrust {
        ProxyTrust::builder()
            .strategy(strategy.parse().unwrap())
            .trusted_proxies(trusted.parse().unwrap())
            .x_forwarded(XForwardedHeaders::all())
            .build()
            .unwrap()
    }

    fn peer() -> Option<SocketAddr> {
        Some("127.0.0.1:1".parse().unwrap())
    }

    /// Which `X-Forwarded-Proto` entry the hop takes: (strategy, XFF,
    /// X-Forwarded-Proto, expected scheme or why none).
    #[test]
    fn x_forwarded_values_come_from_the_clients_hop() {
        use Ignored::{Absent, InconsistentCount};
        let https = Ok(Scheme::Https);
        let cases: &[(&str, &str, Option<&'static str>, Result<Scheme, Ignored>)] = &[
            // One overwriting proxy, whatever the chain length.
            (
                "rightmost:x-forwarded-for",
                "203.0.113.7",
                Some("https"),
                https,
            ),
            (
                "rightmost:x-forwarded-for",
                "203.0.113.7, 10.0.0.2, 10.0.0.3",
                Some("https"),
                https,
            ),
            // Appending proxies: one entry per hop, entry k from the right.
            (
                "rightmost:x-forwarded-for",
                "203.0.113.7, 10.0.0.2",
                Some("https, http"),
                https,
            ),
            (
                "rightmost:x-forwarded-for",
                "6.6.6.6, 203.0.113.7, 10.0.0.2",
                Some("http, https, http"),
                https,
            ),
            // The client forged entries further left: never read.
            (
                "rightmost:x-forwarded-for",
                "203.0.113.7, 10.0.0.2",
                Some("ftp, https, http"),
                https,
            ),
            // Two entries for a hop at index 2: neither can be attributed.
            (
                "rightmost:x-forwarded-for",
                "203.0.113.7, 10.0.0.2, 10.0.0.3",
                Some("https, http"),
                Err(InconsistentCount),
            ),
            (
                "rightmost:x-forwarded-for",
                "203.0.113.7",
                None,
                Err(Absent),
            ),
            // hops:<n> reads index n-1; peer and single: index 0.
            (
                "hops:2:x-forwarded-for",
                "203.0.113.7, 10.0.0.2",
                Some("https, http"),
                https,
            ),
            ("peer", "203.0.113.7, 10.0.0.2", Some("http, https"), https),
        ];
        for (strategy, xff, proto, want) in cases {
            let mut pairs = vec![("x-forwarded-for", *xff)];
            if let Some(proto) = proto {
                pairs.push(("x-forwarded-proto", *proto));
            }
            let hop = trust(strategy, "loopback, 10.0.0.0/8").compute(peer(), &headers(&pairs));
            assert_eq!(hop.proto(), *want, "{strategy} xff {xff:?} proto {proto:?}");
        }
    }

    #[test]
    fn forwarded_values_come_from_the_element_where_the_walk_stopped() {
        let trust = trust("rightmost:forwarded", "loopback, 10.0.0.0/8");
        let map = headers(&[(
            "forwarded",
            "for=6.6.6.6;proto=http;host=evil.example, for=203.0.113.7;proto=https;host=example.com, for=10.0.0.2;host=internal",
        )]);
        let hop = trust.compute(peer(), &map);
        assert_eq!(hop.client(), Some("203.0.113.7".parse().unwrap()));
        assert_eq!(hop.index(), Some(1));
        assert_eq!(hop.proto(), Ok(Scheme::Https));
        assert_eq!(hop.host(&map).unwrap().as_ref(), b"example.com");
        // A parameter missing at the stop is not taken from another element.
        let map = headers(&[(
            "forwarded",
            "for=203.0.113.7, for=10.0.0.2;proto=https;host=internal",
        )]);
        let hop = trust.compute(peer(), &map);
        assert_eq!(hop.proto(), Err(Ignored::Absent));
        assert_eq!(hop.host(&map), Err(Ignored::Absent));
        // An obfuscated client at the edge: the walk stops at its element,
        // whose proto and host the trusted edge wrote.
        let map = headers(&[("forwarded", "for=_hidden;proto=https;host=example.com")]);
        let hop = trust.compute(peer(), &map);
        assert_eq!(hop.client(), Some("127.0.0.1".parse().unwrap()));
        assert_eq!(hop.fallback().map(|f| f.code()), Some("malformed-entry"));
        assert_eq!(hop.proto(), Ok(Scheme::Https));
    }

    #[test]
    fn nothing_is_believed_from_an_untrusted_peer_or_a_short_hops_chain() {
        let map = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-proto", "https"),
            ("x-forwarded-host", "evil.example"),
        ]);
        let untrusted = trust("rightmost:x-forwarded-for", "10.0.0.0/8").compute(peer(), &map);
        assert!(!untrusted.is_proxied());
        assert_eq!(untrusted.proto(), Err(Ignored::NotBelieved));
        assert_eq!(untrusted.fallback(), Some(Fallback::PeerUntrusted));
        let short = trust("hops:2:x-forwarded-for", "").compute(peer(), &map);
        assert!(!short.is_proxied());
        assert_eq!(
            short.fallback(),
            Some(Fallback::ChainTooShort { len: 1, hops: 2 })
        );
        let none = trust("rightmost:x-forwarded-for", "loopback").compute(None, &map);
        assert_eq!((none.client(), none.source()), (None, Source::None));
    }

    #[test]
    fn ports_and_prefixes_only_when_enabled() {
        let map = headers(&[
            ("x-forwarded-for", "203.0.113.7"),
            ("x-forwarded-port", "6666"),
            ("x-forwarded-prefix", "/app"),
        ]);
        let default = ProxyTrust::new(
            "rightmost:x-forwarded-for".parse().unwrap(),
            "loopback".parse().unwrap(),
        );
        let hop = default.compute(peer(), &map);
        assert_eq!(hop.port(), Err(Ignored::NotEnabled));
        assert_eq!(hop.prefix(&map), Err(Ignored::NotEnabled));
        let all = trust("rightmost:x-forwarded-for", "loopback").compute(peer(), &map);
        assert_eq!(all.port(), Ok(6666));
        assert_eq!(all.prefix(&map).unwrap().as_ref(), b"/app");
    }
}
