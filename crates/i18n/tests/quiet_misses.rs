//! Run-time misses (an unknown id or attribute, a formatting error) are
//! things a client can trigger per request: traced at `debug`, never louder.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use crocodile_i18n::{Catalog, FluentArgs, Localizer};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Level, Metadata, Subscriber};

/// Counts events by loudness.
#[derive(Default)]
struct Counter {
    loud: AtomicUsize,
    debug: AtomicUsize,
}

struct Counting(Arc<Counter>);

impl Subscriber for Counting {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }
    fn record(&self, _: &Id, _: &Record<'_>) {}
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let level = *event.metadata().level();
        if level <= Level::INFO {
            self.0.loud.fetch_add(1, Ordering::Relaxed);
        } else if level == Level::DEBUG {
            self.0.debug.fetch_add(1, Ordering::Relaxed);
        }
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

#[test]
fn missing_messages_and_formatting_errors_are_traced_at_debug_only() {
    let catalog = Catalog::builder()
        .default_locale("en")
        .use_isolating(false)
        .source(
            "en",
            "m.ftl",
            "hello = Hello, { $name }!\nm = M\n    .a = A",
        )
        .build()
        .unwrap();
    let en = Localizer::new(Arc::new(catalog), "en").unwrap();
    let counter = Arc::new(Counter::default());
    tracing::subscriber::with_default(Counting(Arc::clone(&counter)), || {
        for _ in 0..100 {
            assert_eq!(en.text("nope"), "nope");
            assert_eq!(en.format("hello", &FluentArgs::new()), "Hello, {$name}!");
            assert_eq!(en.attribute("m", "nope", None), "m.nope");
        }
    });
    assert_eq!(counter.loud.load(Ordering::Relaxed), 0);
    assert_eq!(counter.debug.load(Ordering::Relaxed), 300);
}
