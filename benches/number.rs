//! What a number costs in a message: `Localizer::format` of a message with
//! one placeable, a string (the baseline) and numbers through the catalog's
//! formatting: ICU4X with the `icu` feature (the default), Fluent's own
//! without it.
//!
//! Run with: `cargo bench --bench number`, and for Fluent's own formatting
//! `cargo bench --bench number --no-default-features --features i18n`.
//! Subtract the `string` row for a number's own cost; the README of
//! `crocodile-i18n` has the callgrind method and figures.

use std::sync::{Arc, LazyLock};

use crocodile::i18n::{Catalog, FluentArgs, Localizer};
use divan::{AllocProfiler, Bencher, black_box};

#[global_allocator]
static ALLOC: AllocProfiler = AllocProfiler::system();

fn main() {
    divan::main();
}

const FTL: &str = r#"string = { $s }
plain = { $n }
rounded = { NUMBER($n, maximumFractionDigits: 1) }
plural = { NUMBER($n, maximumFractionDigits: 0) ->
    [one] { NUMBER($n, maximumFractionDigits: 0) } item
   *[other] { NUMBER($n, maximumFractionDigits: 0) } items
}
"#;

static CATALOG: LazyLock<Arc<Catalog>> = LazyLock::new(|| {
    let mut builder = Catalog::builder().default_locale("en").use_isolating(false);
    for tag in ["en", "fr", "hi"] {
        builder = builder.source(tag, "bench.ftl", FTL);
    }
    Arc::new(builder.build().expect("the bench catalog builds"))
});

fn localizer(tag: &str) -> Localizer {
    Localizer::new(Arc::clone(&CATALOG), tag).expect("a catalog locale")
}

fn run(bencher: Bencher<'_, '_>, tag: &str, id: &str, args: FluentArgs<'static>) {
    let l10n = localizer(tag);
    bencher.bench_local(|| black_box(l10n.format(black_box(id), &args).len()));
}

fn args_with<V: Into<crocodile::i18n::FluentValue<'static>>>(
    name: &'static str,
    value: V,
) -> FluentArgs<'static> {
    let mut args = FluentArgs::new();
    args.set(name, value);
    args
}

/// The baseline: a placeable holding a string.
#[divan::bench]
fn string(bencher: Bencher<'_, '_>) {
    run(bencher, "fr", "string", args_with("s", "1 234,5"));
}

/// `{ $n }` with `1234.5` in French: `1 234,5`.
#[divan::bench]
fn plain_fr(bencher: Bencher<'_, '_>) {
    run(bencher, "fr", "plain", args_with("n", 1234.5));
}

/// `{ $n }` with `1234567` in Hindi: `12,34,567`.
#[divan::bench]
fn plain_hi(bencher: Bencher<'_, '_>) {
    run(bencher, "hi", "plain", args_with("n", 1_234_567));
}

/// `NUMBER($n, maximumFractionDigits: 1)` with `1234.56` in French.
#[divan::bench]
fn rounded_fr(bencher: Bencher<'_, '_>) {
    run(bencher, "fr", "rounded", args_with("n", 1234.56));
}

/// A plural selected on `NUMBER()` and the number shown: `1 item`.
#[divan::bench]
fn plural_en(bencher: Bencher<'_, '_>) {
    run(bencher, "en", "plural", args_with("n", 1.2));
}
