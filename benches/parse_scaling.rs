//! How parsing time grows with the header: `X-Forwarded-For`, `Forwarded` and
//! `Accept-Language` values of 1 KiB, 8 KiB and 64 KiB, each in its worst
//! shape (every hop trusted, so the walk reads the whole chain; every
//! language range weighted higher than the last, so each one is parsed).
//!
//! Run with: `cargo bench --bench parse_scaling`. Linear growth shows as the
//! same bytes/s on every row of a group (8x the bytes, 8x the time).

use std::sync::LazyLock;

use crocodile::forwarded::{ForwardedRev, TrustedProxies, XForwardedFor, rightmost_untrusted};
use crocodile::i18n::Catalog;
use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use http::header::{FORWARDED, HeaderMap, HeaderValue};

fn main() {
    divan::main();
}

const SIZES: [usize; 3] = [1024, 8 * 1024, 64 * 1024];

static TRUSTED: LazyLock<TrustedProxies> =
    LazyLock::new(|| "loopback,private".parse().expect("valid trusted set"));

static CATALOG: LazyLock<Catalog> = LazyLock::new(|| {
    ["en", "fr", "de", "zh-Hans", "ar"]
        .into_iter()
        .fold(Catalog::builder().default_locale("en"), |builder, tag| {
            builder.source(tag, "m.ftl", "hi = hi")
        })
        .build()
        .expect("valid catalog")
});

/// `item(i)` joined with `", "` until the value is at least `len` bytes.
fn value(len: usize, item: impl Fn(usize) -> String) -> HeaderValue {
    let mut text = String::with_capacity(len + 64);
    for i in 0.. {
        if text.len() >= len {
            break;
        }
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&item(i));
    }
    HeaderValue::from_str(&text).expect("a valid header value")
}

fn headers(name: http::HeaderName, value: HeaderValue) -> HeaderMap {
    let mut map = HeaderMap::new();
    map.insert(name, value);
    map
}

/// The rightmost-untrusted walk over a chain of trusted private addresses.
#[divan::bench(args = SIZES)]
fn x_forwarded_for(bencher: Bencher<'_, '_>, len: usize) {
    let value = value(len, |i| {
        format!("10.{}.{}.{}", i / 65_536 % 256, i / 256 % 256, i % 256)
    });
    let map = headers(crocodile::forwarded::X_FORWARDED_FOR, value);
    bencher
        .counter(BytesCount::new(len))
        .bench(|| rightmost_untrusted(&TRUSTED, XForwardedFor::new(black_box(&map)).rev()));
}

/// The same walk over RFC 7239 elements with quoted IPv6 nodes and a `proto=`.
#[divan::bench(args = SIZES)]
fn forwarded(bencher: Bencher<'_, '_>, len: usize) {
    let value = value(len, |i| {
        format!(
            "for=\"[fd00::{:x}]:{}\";proto=https",
            i % 65_536,
            i % 60_000 + 1
        )
    });
    let map = headers(FORWARDED, value);
    bencher
        .counter(BytesCount::new(len))
        .bench(|| rightmost_untrusted(&TRUSTED, ForwardedRev::new(black_box(&map)).for_nodes()));
}

/// Negotiation over ranges of rising weight (each one parsed and ranked),
/// none of which the catalog has.
#[divan::bench(args = SIZES)]
fn accept_language(bencher: Bencher<'_, '_>, len: usize) {
    let value = value(len, |i| {
        format!(
            "x{}-YY;q=0.{:03}",
            char::from(b'a' + (i % 26) as u8),
            i % 999 + 1
        )
    });
    let text = value.to_str().expect("ASCII").to_owned();
    bencher
        .counter(BytesCount::new(len))
        .bench(|| CATALOG.negotiate(black_box(&text)));
}
