//! The refresher against a real HTTP server on 127.0.0.1:0 serving
//! synthetic lists (documentation prefixes only) in each provider format.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use common::{
    PEER, Route, Server, aws, cloudflare_json, fastly, start, start_fastly, temp_dir, trusts_peer,
    try_start,
};
use crocodile_forwarded::{ListFormat, Provider, RangesOrigin};

const WITH_PEER: &[&str] = &["192.0.2.0/24", "198.51.100.0/24"];
const WITHOUT_PEER: &[&str] = &["198.51.100.0/24"];

#[tokio::test]
async fn a_list_that_adds_the_peer_trusts_it_and_one_that_drops_it_stops() {
    let server = Server::start().await;
    server.set(
        "/fastly",
        Route::ok(fastly(WITHOUT_PEER, &["2001:db8:f::/48"])),
    );
    let (trust, handle) = start_fastly(&server, "loopback, fastly", |r| r).await;
    assert!(!trusts_peer(&trust));
    let status = &handle.status()[0];
    assert_eq!(status.provider(), Provider::Fastly);
    assert_eq!(status.ranges(), 2);
    assert_eq!(
        status.origin(),
        Some(&RangesOrigin::Network(server.url("/fastly")))
    );
    assert!(status.last_error().is_none());

    server.set(
        "/fastly",
        Route::ok(fastly(WITH_PEER, &["2001:db8:f::/48"])),
    );
    let status = handle.refresh_now().await;
    assert_eq!(status[0].ranges(), 3);
    assert!(trusts_peer(&trust));
    // The model says where the list came from, and when.
    let set = trust.trusted_proxies();
    let list = set.provider_ranges().get(Provider::Fastly).unwrap();
    assert_eq!(list.origin(), &RangesOrigin::Network(server.url("/fastly")));
    assert_eq!(Some(list.updated()), status[0].updated());
    // The other items stay.
    assert!(set.contains("127.0.0.1".parse().unwrap()));

    server.set("/fastly", Route::ok(fastly(WITHOUT_PEER, &[])));
    handle.refresh_now().await;
    assert!(!trusts_peer(&trust));
}

#[tokio::test]
async fn every_format_is_read() {
    let server = Server::start().await;
    server.set(
        "/cf.json",
        Route::ok(cloudflare_json(&["192.0.2.0/25"], &["2001:db8:c::/48"])),
    );
    server.set("/ips-v4", Route::ok("192.0.2.0/25\n"));
    server.set("/ips-v6", Route::ok("2001:db8:d::/48\n"));
    server.set(
        "/aws.json",
        Route::ok(aws(&["192.0.2.0/24"], &["2001:db8:a::/48"])),
    );

    for (provider, trusted) in [
        (Provider::Cloudflare, "cloudflare"),
        (Provider::CloudFront, "cloudfront"),
    ] {
        let url = if provider == Provider::Cloudflare {
            "/cf.json"
        } else {
            "/aws.json"
        };
        let (trust, handle) = start(trusted, |r| r.url(provider, server.url(url))).await;
        assert!(trusts_peer(&trust), "{provider}");
        // AWS: only CLOUDFRONT_ORIGIN_FACING is kept.
        assert_eq!(handle.status()[0].ranges(), 2, "{provider}");
    }

    // Cloudflare's two text lists: the union of both.
    let (trust, handle) = start("cloudflare", |r| {
        r.feed(
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            [server.url("/ips-v4"), server.url("/ips-v6")],
        )
    })
    .await;
    assert!(trusts_peer(&trust));
    assert_eq!(handle.status()[0].ranges(), 2);
    assert!(
        trust
            .trusted_proxies()
            .contains("2001:db8:d::1".parse().unwrap())
    );
}

#[tokio::test]
async fn a_bad_answer_leaves_the_last_good_list() {
    let server = Server::start().await;
    let good = fastly(WITH_PEER, &["2001:db8:f::/48"]);
    server.set("/fastly", Route::ok(good.clone()));
    let (trust, handle) =
        start_fastly(&server, "fastly", |r| r.timeout(Duration::from_millis(500))).await;
    assert!(trusts_peer(&trust));
    let first = handle.status()[0].clone();

    let mut two_mib = good.clone().into_bytes();
    two_mib.resize(2 << 20, b' ');
    let cases: Vec<(&str, Route, &str)> = vec![
        (
            "500",
            Route {
                status: 500,
                ..Route::ok(good.clone())
            },
            "HTTP status 500",
        ),
        (
            "timeout",
            Route {
                delay: Duration::from_secs(3),
                ..Route::ok(good.clone())
            },
            "imeout",
        ),
        (
            "garbage",
            Route::ok("<html>garbage</html>"),
            "invalid fastly list",
        ),
        ("empty", Route::ok(fastly(&[], &[])), "invalid fastly list"),
        ("2 MiB", Route::ok(two_mib), "64 KiB cap"),
        (
            "0.0.0.0/0",
            Route::ok(fastly(&["0.0.0.0/0"], &[])),
            "broader than /8",
        ),
        (
            "::/0",
            Route::ok(fastly(&["192.0.2.0/24"], &["::/0"])),
            "broader than /16",
        ),
        (
            "truncated",
            Route {
                truncate: true,
                ..Route::ok(good.clone())
            },
            "",
        ),
        (
            "404",
            Route {
                status: 404,
                ..Route::ok(good.clone())
            },
            "HTTP status 404",
        ),
    ];
    for (n, (name, route, reason)) in cases.into_iter().enumerate() {
        server.set("/fastly", route);
        let before = trust.trusted_proxies();
        let status = handle.refresh_now().await;
        let status = &status[0];
        let error = status
            .last_error()
            .unwrap_or_else(|| panic!("{name}: no error"));
        assert!(error.contains(reason), "{name}: {error}");
        assert_eq!(status.consecutive_failures(), n as u32 + 1, "{name}");
        // The list in force is the first one, untouched, and so is the set.
        assert_eq!(status.list(), first.list(), "{name}");
        assert!(
            Arc::ptr_eq(&before, &trust.trusted_proxies()),
            "{name}: the set was swapped"
        );
        assert!(trusts_peer(&trust), "{name}");
    }

    // A good answer again: the error is cleared.
    server.set("/fastly", Route::ok(good));
    let status = handle.refresh_now().await;
    assert!(status[0].last_error().is_none());
    assert_eq!(status[0].consecutive_failures(), 0);
}

#[tokio::test]
async fn a_restart_with_the_provider_out_of_reach_starts_from_the_disk_cache() {
    let dir = temp_dir("cache");
    let server = Server::start().await;
    server.set(
        "/cf.json",
        Route::ok(cloudflare_json(WITH_PEER, &["2001:db8:c::/48"])),
    );
    let (_, handle) = start("cloudflare", |r| {
        r.url(Provider::Cloudflare, server.url("/cf.json"))
            .cache_dir(&dir)
    })
    .await;
    drop(handle);
    let file = dir.join("cloudflare.txt");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("192.0.2.0/24\n"), "{text}");
    // No temporary file is left behind.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);

    let (trust, handle) = start("cloudflare", |r| {
        r.url(Provider::Cloudflare, "http://127.0.0.1:1/unreachable")
            .cache_dir(&dir)
    })
    .await;
    assert!(trusts_peer(&trust));
    let status = &handle.status()[0];
    assert_eq!(status.origin(), Some(&RangesOrigin::Disk(file.clone())));
    assert_eq!(status.ranges(), 3);
    assert!(
        status.last_error().unwrap().contains("127.0.0.1:1"),
        "{:?}",
        status.last_error()
    );
    drop(handle);

    // Cache only: nothing is fetched (no attempt, no error), the list comes
    // from the file, and without a file start fails naming the provider.
    let (trust, handle) = start("cloudflare", |r| {
        r.url(Provider::Cloudflare, server.url("/cf.json"))
            .cache_dir(&dir)
            .cache_only()
    })
    .await;
    assert!(trusts_peer(&trust));
    let status = &handle.status()[0];
    assert_eq!(status.origin(), Some(&RangesOrigin::Disk(file.clone())));
    assert_eq!((status.last_attempt(), status.last_error()), (None, None));
    std::fs::remove_file(&file).unwrap();
    let (_, missing) = try_start("cloudflare", |r| r.cache_dir(&dir).cache_only()).await;
    let missing = missing.unwrap_err();
    assert_eq!(missing.missing()[0].0, Provider::Cloudflare);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn start_fails_naming_the_provider_when_it_has_no_range() {
    let (trust, err) = try_start("loopback, fastly, gcp-lb", |r| {
        r.url(Provider::Fastly, "http://127.0.0.1:1/unreachable")
    })
    .await;
    let err = err.unwrap_err();
    let text = err.to_string();
    let names: Vec<Provider> = err.missing().iter().map(|(p, _)| *p).collect();
    assert_eq!(names, [Provider::Fastly, Provider::GcpLb]);
    assert!(
        text.starts_with("no ranges for fastly (fetch failed: http://127.0.0.1:1/unreachable"),
        "{text}"
    );
    assert!(
        text.contains("gcp-lb (gcp-lb publishes no machine-readable list; no cache directory)"),
        "{text}"
    );
    assert!(text.contains("CROCODILE_PROVIDER_CACHE"), "{text}");
    assert!(text.contains("as CIDRs"), "{text}");
    // Nothing was swapped.
    assert!(!trusts_peer(&trust));

    // An empty cache directory is named too.
    let dir = temp_dir("empty-cache");
    let (_, err) = try_start("gcp-lb", |r| r.cache_dir(&dir)).await;
    let err = err.unwrap_err();
    assert!(err.to_string().contains("no cache file"), "{err}");
}

#[tokio::test]
async fn the_background_task_refreshes_on_the_interval_and_stops_when_dropped() {
    let server = Server::start().await;
    server.set("/fastly", Route::ok(fastly(WITHOUT_PEER, &[])));
    let (trust, handle) = start_fastly(&server, "fastly", |r| {
        r.interval(Duration::from_millis(100))
    })
    .await;
    assert!(!trusts_peer(&trust));
    server.set("/fastly", Route::ok(fastly(WITH_PEER, &[])));
    let mut waited = Duration::ZERO;
    while !trusts_peer(&trust) {
        assert!(waited < Duration::from_secs(10), "never refreshed");
        tokio::time::sleep(Duration::from_millis(20)).await;
        waited += Duration::from_millis(20);
    }
    handle.stop();
    server.set("/fastly", Route::ok(fastly(WITHOUT_PEER, &[])));
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(trusts_peer(&trust), "refreshed after stop");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_during_swaps_never_see_a_torn_set() {
    // List A trusts the IPv4 peer and the IPv6 hop 2001:db8:a::1;
    // list B trusts neither. A torn set (A's IPv4 ranges with B's IPv6
    // ones) would give a third answer: 2001:db8:a::1.
    let a = fastly(&["192.0.2.0/24"], &["2001:db8:a::/48"]);
    let b = fastly(&["198.51.100.0/24"], &["2001:db8:b::/48"]);
    let server = Server::start().await;
    server.set("/fastly", Route::ok(a.clone()));
    let (trust, handle) = start_fastly(&server, "fastly", |r| r).await;

    let stop = Arc::new(AtomicBool::new(false));
    let computing = {
        let (trust, stop) = (trust.clone(), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut headers = http::HeaderMap::new();
            headers.insert(
                "x-forwarded-for",
                "203.0.113.5, 2001:db8:b::1, 2001:db8:a::1".parse().unwrap(),
            );
            let peer = PEER.parse().unwrap();
            let (mut seen_a, mut seen_b) = (0u64, 0u64);
            while !stop.load(Ordering::Relaxed) {
                let client = trust
                    .compute(Some(peer), &headers)
                    .client()
                    .unwrap()
                    .to_string();
                match client.as_str() {
                    "2001:db8:b::1" => seen_a += 1,
                    "192.0.2.10" => seen_b += 1,
                    other => panic!("a torn set: the client is {other}"),
                }
            }
            (seen_a, seen_b)
        })
    };
    for i in 0..40 {
        server.set(
            "/fastly",
            Route::ok(if i % 2 == 0 { b.clone() } else { a.clone() }),
        );
        let status = handle.refresh_now().await;
        assert!(status[0].last_error().is_none());
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    stop.store(true, Ordering::Relaxed);
    let (seen_a, seen_b) = computing.join().unwrap();
    assert!(seen_a > 0 && seen_b > 0, "{seen_a} {seen_b}");
}
