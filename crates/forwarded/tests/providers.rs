//! Provider lists: each format parses its fixture, every sanity failure is
//! refused with a message naming it, and a trusted set naming a provider
//! trusts exactly the ranges it was given.
//!
//! The fixtures under `tests/fixtures/` are synthetic, in each provider's
//! documented format, with documentation prefixes only (see the README
//! there): real samples could not be fetched where these tests were written.

use std::net::IpAddr;
use std::time::SystemTime;

use crocodile_forwarded::{
    ListFormat, Provider, ProviderList, ProviderListErrorKind, ProviderRanges, RangesOrigin,
    TrustedItem, TrustedProxies, parse_provider_list,
};
use ipnet::IpNet;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn nets(list: &[&str]) -> Vec<IpNet> {
    let mut nets: Vec<IpNet> = list.iter().map(|n| n.parse().unwrap()).collect();
    nets.sort();
    nets
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn each_format_parses_its_fixture() {
    let cloudflare_v4 = ["203.0.113.0/24", "198.51.100.0/25", "192.0.2.64/26"];
    let cloudflare_v6 = ["2001:db8:cf00::/40", "2001:db8:cf80::/44"];
    let cases: &[(Provider, ListFormat, &str, Vec<IpNet>)] = &[
        (
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            "cloudflare-ips-v4.txt",
            nets(&cloudflare_v4),
        ),
        (
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            "cloudflare-ips-v6.txt",
            nets(&cloudflare_v6),
        ),
        (
            Provider::Cloudflare,
            ListFormat::CloudflareJson,
            "cloudflare-api.json",
            nets(&[cloudflare_v4.as_slice(), cloudflare_v6.as_slice()].concat()),
        ),
        (
            // Only CLOUDFRONT_ORIGIN_FACING, deduplicated; AMAZON, CLOUDFRONT
            // and EC2 entries are left out.
            Provider::CloudFront,
            ListFormat::AwsIpRanges,
            "aws-ip-ranges.json",
            nets(&["198.51.100.0/26", "203.0.113.128/25", "2001:db8:a0f0::/44"]),
        ),
        (
            Provider::Fastly,
            ListFormat::FastlyJson,
            "fastly-public-ip-list.json",
            nets(&[
                "192.0.2.0/25",
                "198.51.100.128/25",
                "203.0.113.192/26",
                "2001:db8:f000::/36",
                "2001:db8:fa00::/40",
            ]),
        ),
    ];
    for (provider, format, file, expected) in cases {
        let ranges = parse_provider_list(*provider, *format, &fixture(file))
            .unwrap_or_else(|e| panic!("{file}: {e}"));
        assert_eq!(&ranges, expected, "{file}");
    }
}

#[test]
fn every_sanity_failure_is_refused_and_named() {
    use ListFormat::*;
    use Provider::*;
    // (provider, format, body, the message after "invalid <provider> list (<format>): ")
    let cases: &[(Provider, ListFormat, &[u8], &str)] = &[
        (
            CloudFront,
            FastlyJson,
            br#"{"addresses":["192.0.2.0/24"],"ipv6_addresses":[]}"#,
            "cloudfront does not publish fastly-json documents; expected aws-ip-ranges",
        ),
        (
            GcpLb,
            CloudflareText,
            b"192.0.2.0/24",
            "gcp-lb does not publish cloudflare-text documents; expected none (no published list: supply its ranges yourself)",
        ),
        (
            Cloudflare,
            CloudflareText,
            b"192.0.2.0/24\n\xff\xfe\n",
            "the body is not UTF-8 (an invalid byte at offset 13)",
        ),
        (
            Cloudflare,
            CloudflareText,
            b"<html><body>502 Bad Gateway</body></html>\n",
            r#"line 1: "<html><body>502 Bad Gateway</body></html>" is not a CIDR (as in 192.0.2.0/24 or 2001:db8::/32)"#,
        ),
        (
            Cloudflare,
            CloudflareText,
            b"192.0.2.0/24\n192.0.2.7\n",
            r#"line 2: "192.0.2.7" is not a CIDR (as in 192.0.2.0/24 or 2001:db8::/32)"#,
        ),
        (
            Cloudflare,
            CloudflareText,
            b"192.0.2.0/24\n198.51.100.1/24\n",
            "line 2: 198.51.100.1/24 has host bits set (the network would be 198.51.100.0/24)",
        ),
        (
            Cloudflare,
            CloudflareText,
            b"0.0.0.0/0\n",
            "line 1: 0.0.0.0/0 is broader than /8, which would trust nearly every client",
        ),
        (
            Cloudflare,
            CloudflareText,
            b"2001:db8::/32\n::/0\n",
            "line 2: ::/0 is broader than /16, which would trust nearly every client",
        ),
        (
            Cloudflare,
            CloudflareText,
            b"\n \r\n",
            "the list holds no ranges",
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"{"result":{"ipv4_cidrs":["192.0.2.0/24"],"ipv6_cidrs":[]},"success":true"#,
            "not JSON: EOF while parsing an object at line 1 column 72",
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"{"result":null,"success":false,"errors":[{"code":10000,"message":"x"}]}"#,
            r#"the API answered "success": false"#,
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"{"result":{"ipv4_cidrs":["192.0.2.0/24"],"ipv6_cidrs":[]}}"#,
            "`success` is missing",
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"{"result":{"ipv4_cidrs":["192.0.2.0/24"]},"success":true}"#,
            "`result.ipv6_cidrs` is missing",
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"{"result":{"ipv4_cidrs":"192.0.2.0/24","ipv6_cidrs":[]},"success":true}"#,
            "`result.ipv4_cidrs` is not an array of strings",
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"{"result":{"ipv4_cidrs":[],"ipv6_cidrs":["192.0.2.0/24"]},"success":true}"#,
            "result.ipv6_cidrs[0]: 192.0.2.0/24 is not an IPv6 network",
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"{"result":{"ipv4_cidrs":[],"ipv6_cidrs":[]},"success":true}"#,
            "the list holds no ranges",
        ),
        (
            Cloudflare,
            CloudflareJson,
            br#"["192.0.2.0/24"]"#,
            "`the document` is not an object",
        ),
        (
            Fastly,
            FastlyJson,
            br#"{"addresses":["192.0.2.0/24",7],"ipv6_addresses":[]}"#,
            "`addresses[1]` is not a string",
        ),
        (
            Fastly,
            FastlyJson,
            br#"{"addresses":["0.0.0.0/1"],"ipv6_addresses":[]}"#,
            "addresses[0]: 0.0.0.0/1 is broader than /8, which would trust nearly every client",
        ),
        (
            Fastly,
            FastlyJson,
            br#"{"addresses":["192.0.2.0/24"]}"#,
            "`ipv6_addresses` is missing",
        ),
        (
            Fastly,
            FastlyJson,
            br#"{"addresses":[],"ipv6_addresses":["2001:db8::1/32"]}"#,
            "ipv6_addresses[0]: 2001:db8::1/32 has host bits set (the network would be 2001:db8::/32)",
        ),
        (
            CloudFront,
            AwsIpRanges,
            br#"{"prefixes":[{"ip_prefix":"192.0.2.0/24","service":"AMAZON"}],"ipv6_prefixes":[]}"#,
            "no CLOUDFRONT_ORIGIN_FACING prefix in the document",
        ),
        (
            CloudFront,
            AwsIpRanges,
            br#"{"prefixes":[{"ip_prefix":"0.0.0.0/0","service":"CLOUDFRONT_ORIGIN_FACING"}],"ipv6_prefixes":[]}"#,
            "prefixes[0].ip_prefix: 0.0.0.0/0 is broader than /8, which would trust nearly every client",
        ),
        (
            CloudFront,
            AwsIpRanges,
            br#"{"prefixes":[{"ip_prefix":"192.0.2.0/24"}],"ipv6_prefixes":[]}"#,
            "`prefixes[0].service` is missing",
        ),
        (
            CloudFront,
            AwsIpRanges,
            br#"{"prefixes":[{"service":"CLOUDFRONT_ORIGIN_FACING"}],"ipv6_prefixes":[]}"#,
            "`prefixes[0].ip_prefix` is missing",
        ),
        (
            CloudFront,
            AwsIpRanges,
            br#"{"prefixes":[]}"#,
            "`ipv6_prefixes` is missing",
        ),
        (
            CloudFront,
            AwsIpRanges,
            br#"{"prefixes":[],"ipv6_prefixes":[{"ipv6_prefix":"192.0.2.0/24","service":"CLOUDFRONT_ORIGIN_FACING"}]}"#,
            "ipv6_prefixes[0].ipv6_prefix: 192.0.2.0/24 is not an IPv6 network",
        ),
        (
            CloudFront,
            AwsIpRanges,
            b"",
            "not JSON: EOF while parsing a value at line 1 column 0",
        ),
    ];
    for (provider, format, body, message) in cases {
        let err = parse_provider_list(*provider, *format, body).expect_err(&format!(
            "{provider} {format}: {}",
            String::from_utf8_lossy(body)
        ));
        assert_eq!(err.provider(), *provider);
        assert_eq!(err.format(), *format);
        assert_eq!(
            err.to_string(),
            format!("invalid {provider} list ({format}): {message}"),
        );
    }
}

#[test]
fn a_body_over_the_cap_is_refused_before_it_is_read() {
    let two_mib = vec![b'x'; 2 * 1024 * 1024];
    for format in [ListFormat::CloudflareText, ListFormat::CloudflareJson] {
        let err = parse_provider_list(Provider::Cloudflare, format, &two_mib).unwrap_err();
        assert_eq!(
            err.kind(),
            &ProviderListErrorKind::TooLarge {
                len: 2 * 1024 * 1024,
                max: 64 * 1024,
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "invalid cloudflare list ({format}): the body is 2097152 bytes, over the 65536-byte cap for {format} documents"
            )
        );
    }
    let err = parse_provider_list(Provider::Fastly, ListFormat::FastlyJson, &two_mib).unwrap_err();
    assert!(matches!(err.kind(), ProviderListErrorKind::TooLarge { .. }));
    // AWS's cap is 4 MiB: a 2 MiB body is read (and here is not JSON).
    let err =
        parse_provider_list(Provider::CloudFront, ListFormat::AwsIpRanges, &two_mib).unwrap_err();
    assert!(
        matches!(err.kind(), ProviderListErrorKind::Json(_)),
        "{err}"
    );
    let five_mib = vec![b' '; 5 * 1024 * 1024];
    let err =
        parse_provider_list(Provider::CloudFront, ListFormat::AwsIpRanges, &five_mib).unwrap_err();
    assert!(
        matches!(err.kind(), ProviderListErrorKind::TooLarge { max, .. } if *max == 4 * 1024 * 1024)
    );
}

#[test]
fn the_whole_universe_is_never_a_provider() {
    for (provider, format, body) in [
        (
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            "0.0.0.0/0",
        ),
        (Provider::Cloudflare, ListFormat::CloudflareText, "::/0"),
        (
            Provider::Cloudflare,
            ListFormat::CloudflareJson,
            r#"{"result":{"ipv4_cidrs":["0.0.0.0/0"],"ipv6_cidrs":["::/0"]},"success":true}"#,
        ),
        (
            Provider::Fastly,
            ListFormat::FastlyJson,
            r#"{"addresses":["192.0.2.0/24","0.0.0.0/0"],"ipv6_addresses":[]}"#,
        ),
        (
            Provider::CloudFront,
            ListFormat::AwsIpRanges,
            r#"{"prefixes":[],"ipv6_prefixes":[{"ipv6_prefix":"::/0","service":"CLOUDFRONT_ORIGIN_FACING"}]}"#,
        ),
    ] {
        let err = parse_provider_list(provider, format, body.as_bytes()).unwrap_err();
        assert!(
            matches!(err.kind(), ProviderListErrorKind::TooBroad { .. }),
            "{body}: {err}"
        );
    }
}

#[test]
fn provider_names_parse_and_display() {
    for provider in Provider::ALL {
        assert_eq!(provider.name().parse::<Provider>().unwrap(), provider);
        assert_eq!(provider.to_string(), provider.name());
        let set: TrustedProxies = provider.name().to_uppercase().parse().unwrap();
        assert_eq!(set.items(), [TrustedItem::Provider(provider)]);
        assert_eq!(set.to_string(), provider.name());
    }
    let names: Vec<&str> = Provider::ALL.iter().map(Provider::name).collect();
    assert_eq!(names, ["cloudflare", "cloudfront", "fastly", "gcp-lb"]);
}

fn list(ranges: &[&str]) -> ProviderList {
    ProviderList::new(
        nets(ranges),
        RangesOrigin::Network("http://127.0.0.1:1/list".into()),
        SystemTime::UNIX_EPOCH,
    )
}

#[test]
fn a_provider_with_ranges_trusts_them_and_nothing_else() {
    let body = fixture("cloudflare-api.json");
    let parsed =
        parse_provider_list(Provider::Cloudflare, ListFormat::CloudflareJson, &body).unwrap();
    let ranges = ProviderRanges::new().with(
        Provider::Cloudflare,
        ProviderList::new(
            parsed,
            RangesOrigin::Disk("/var/cache/cloudflare.json".into()),
            SystemTime::UNIX_EPOCH,
        ),
    );
    let items: TrustedProxies = "loopback, cloudflare".parse().unwrap();
    let trusted = items.resolve(&ranges);
    for inside in [
        "203.0.113.9",
        "192.0.2.100",
        "2001:db8:cf12::1",
        "127.0.0.1",
    ] {
        assert!(trusted.contains(ip(inside)), "{inside}");
    }
    for outside in [
        "192.0.2.1",
        "198.51.100.200",
        "2001:db8:d000::1",
        "10.0.0.1",
    ] {
        assert!(!trusted.contains(ip(outside)), "{outside}");
    }
    assert_eq!(trusted.to_string(), "loopback,cloudflare");
    assert_eq!(trusted.missing_providers(&ranges).count(), 0);
    let kept = trusted.provider_ranges().get(Provider::Cloudflare).unwrap();
    assert_eq!(
        kept.origin(),
        &RangesOrigin::Disk("/var/cache/cloudflare.json".into())
    );
    assert_eq!(kept.updated(), SystemTime::UNIX_EPOCH);
}

#[test]
fn a_provider_without_ranges_trusts_nobody_from_it() {
    let items: TrustedProxies = "cloudflare, fastly, cloudflare".parse().unwrap();
    assert!(!items.is_empty());
    assert_eq!(
        items.providers().collect::<Vec<_>>(),
        [Provider::Cloudflare, Provider::Fastly]
    );
    for addr in ["203.0.113.9", "198.51.100.7", "2001:db8::1", "127.0.0.1"] {
        assert!(!items.contains(ip(addr)), "{addr}");
    }
    // Fastly's ranges only: Cloudflare's edges are still nobody.
    let ranges = ProviderRanges::new().with(Provider::Fastly, list(&["198.51.100.0/24"]));
    let trusted = items.resolve(&ranges);
    assert!(trusted.contains(ip("198.51.100.7")));
    assert!(!trusted.contains(ip("203.0.113.9")));
    assert_eq!(
        trusted.missing_providers(&ranges).collect::<Vec<_>>(),
        [Provider::Cloudflare]
    );
    // An empty list counts as missing.
    let ranges = ranges.with(Provider::Cloudflare, list(&[]));
    assert_eq!(
        items.missing_providers(&ranges).collect::<Vec<_>>(),
        [Provider::Cloudflare]
    );
    // The display keeps the names, so the string round-trips.
    assert_eq!(trusted.to_string(), "cloudflare,fastly,cloudflare");
    assert_eq!(
        trusted
            .to_string()
            .parse::<TrustedProxies>()
            .unwrap()
            .items(),
        trusted.items()
    );
}

#[test]
fn a_refresh_swaps_the_ranges_and_reports_the_drift() {
    let items: TrustedProxies = "fastly".parse().unwrap();
    let old = list(&["192.0.2.0/24", "198.51.100.0/24"]);
    let new = list(&["198.51.100.0/24", "203.0.113.0/24"]);
    let before = items.resolve(&ProviderRanges::new().with(Provider::Fastly, old.clone()));
    let after = before.resolve(&ProviderRanges::new().with(Provider::Fastly, new.clone()));
    assert!(before.contains(ip("192.0.2.1")) && !before.contains(ip("203.0.113.1")));
    assert!(!after.contains(ip("192.0.2.1")) && after.contains(ip("203.0.113.1")));
    let diff = old.diff(&new);
    assert_eq!(diff.added, nets(&["203.0.113.0/24"]));
    assert_eq!(diff.removed, nets(&["192.0.2.0/24"]));
    assert!(new.diff(&new).is_empty());
}

#[test]
fn feeds_name_the_official_urls_and_formats() {
    let feed = Provider::Cloudflare.default_feed().unwrap();
    assert_eq!(feed.format(), ListFormat::CloudflareJson);
    assert_eq!(feed.urls(), ["https://api.cloudflare.com/client/v4/ips"]);
    let text = Provider::Cloudflare.feeds()[1];
    assert_eq!(text.format(), ListFormat::CloudflareText);
    assert_eq!(
        text.urls(),
        [
            "https://www.cloudflare.com/ips-v4",
            "https://www.cloudflare.com/ips-v6"
        ]
    );
    let feed = Provider::CloudFront.default_feed().unwrap();
    assert_eq!(feed.format(), ListFormat::AwsIpRanges);
    assert_eq!(
        feed.urls(),
        ["https://ip-ranges.amazonaws.com/ip-ranges.json"]
    );
    let feed = Provider::Fastly.default_feed().unwrap();
    assert_eq!(feed.format(), ListFormat::FastlyJson);
    assert_eq!(feed.urls(), ["https://api.fastly.com/public-ip-list"]);
    assert!(Provider::GcpLb.default_feed().is_none());
    for format in ListFormat::ALL {
        assert_eq!(format.name().parse::<ListFormat>().unwrap(), format);
    }
}
