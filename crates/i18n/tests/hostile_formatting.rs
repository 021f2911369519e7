//! Hostile Fluent input: exponential ("billion laughs") message references,
//! deep nesting, many and huge arguments. Formatting must stay bounded,
//! return text, and never panic.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crocodile_i18n::{Catalog, FluentArgs, Localizer};

fn localizer(ftl: &str) -> Localizer {
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "hostile.ftl", ftl.to_owned())
        .build()
        .unwrap_or_else(|error| panic!("{error}"));
    Localizer::new(Arc::new(catalog), "en").expect("the default locale exists")
}

#[test]
fn exponential_references_are_cut_off_not_expanded() {
    // Each level doubles: fully expanded, lol30 would be 2^30 copies of "lol".
    let mut ftl = String::from("lol0 = lol\n");
    for level in 1..=30 {
        let prev = level - 1;
        ftl.push_str(&format!("lol{level} = {{ lol{prev} }}{{ lol{prev} }}\n"));
    }
    let l10n = localizer(&ftl);
    let started = Instant::now();
    let text = l10n.text("lol30");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "took {:?}",
        started.elapsed()
    );
    // Fluent stops after a bounded number of placeables; the result is short.
    assert!(text.len() < 1 << 20, "{} bytes", text.len());
}

/// A catalog whose `top` resolves through `depth` chained term references.
fn reference_chain(depth: usize) -> Localizer {
    let mut ftl = String::from("-t0 = base\n");
    for level in 1..=depth {
        ftl.push_str(&format!("-t{level} = {{ -t{} }}\n", level - 1));
    }
    ftl.push_str(&format!("top = {{ -t{depth} }}\n"));
    localizer(&ftl)
}

#[test]
fn deep_reference_chains_resolve_or_stop_at_fluents_limit() {
    // Within Fluent's limit of 100 placeables per message: fully resolved.
    assert_eq!(reference_chain(50).text("top"), "base");
    // Beyond it Fluent stops expanding and reports an error, which the
    // localizer traces; the text is short and nothing panics.
    let deep = reference_chain(10_000);
    let text = deep.text("top");
    assert!(
        !text.is_empty() && text.len() < 64 * 1024,
        "{} bytes",
        text.len()
    );
}

#[test]
fn many_and_huge_arguments_format() {
    let l10n = localizer("greeting = Hello { $name }, you have { $count } items.\n");
    let mut args = FluentArgs::new();
    for i in 0..10_000 {
        args.set(format!("unused{i}"), i);
    }
    let huge = "x".repeat(64 * 1024);
    args.set("name", huge.as_str());
    args.set("count", f64::MAX);
    let text = l10n.format("greeting", &args);
    assert!(text.contains(&huge));
    // A missing variable is traced and rendered, never a panic.
    let text = l10n.format("greeting", &FluentArgs::new());
    assert!(text.starts_with("Hello"), "{text}");
}
