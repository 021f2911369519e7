//! `GET /messages/{id}` in the main example: a message formatted in the
//! negotiated locale, query parameters as Fluent arguments, and hostile
//! queries that are a clear 400, never a 500 or a panic.

mod common;

use std::sync::Arc;

use common::messages::{FLUENT_ERRORS, MAX_FRACTION, MAX_PARAMS, MAX_PART, MAX_QUERY};
use common::{app, config, get, text};
use crocodile::i18n::{Catalog, FluentArgs, FluentValue, Localizer};
use http::{HeaderMap, StatusCode};

/// Unicode bidi isolation around a placeable, as the catalog formats it.
fn isolated(value: &str) -> String {
    format!("\u{2068}{value}\u{2069}")
}

/// `GET uri` through the default example, with no headers.
async fn fetch(uri: &str) -> (StatusCode, HeaderMap, String) {
    text(app(), get(uri, &[])).await
}

/// The example's own catalog, to compare with what it formats.
fn catalog() -> Arc<Catalog> {
    Arc::clone(&config(&[]).catalog)
}

#[tokio::test]
async fn a_known_message_in_english_and_in_french() {
    let (status, headers, body) = fetch("/messages/lang-name").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "English");
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(headers["content-language"], "en");
    assert!(headers.get(FLUENT_ERRORS).is_none());

    let req = get("/messages/lang-name", &[("accept-language", "fr")]);
    let (status, headers, body) = text(app(), req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, "Français");
    assert_eq!(headers["content-language"], "fr");

    // Terms are resolved as the catalog does (Fluent isolates variables only).
    let req = get(
        "/messages/page-title",
        &[("accept-language", "fr-CA, en;q=0.5")],
    );
    let (_, _, body) = text(app(), req).await;
    assert_eq!(body, "Démo i18n de Crocodile");
    let fr = Localizer::new(catalog(), "fr").unwrap();
    assert_eq!(body, fr.try_format("page-title", None).unwrap());
}

#[tokio::test]
async fn query_parameters_are_fluent_arguments() {
    let (status, _, body) = fetch("/messages/greeting?ip=198.51.100.7").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        format!("Hello! Your address is {}.", isolated("198.51.100.7"))
    );

    let req = get(
        "/messages/greeting?ip=a%20b+c",
        &[("accept-language", "fr")],
    );
    let (_, _, body) = text(app(), req).await;
    assert_eq!(
        body,
        format!("Bonjour ! Votre adresse est {}.", isolated("a b c"))
    );

    // Exactly what the catalog itself makes of the same arguments.
    let fr = Localizer::new(catalog(), "fr").unwrap();
    let mut args = FluentArgs::new();
    args.set("ip", "a b c");
    assert_eq!(body, fr.try_format("greeting", Some(&args)).unwrap());
}

#[tokio::test]
async fn a_number_drives_the_plural() {
    let leading_zeros = format!("{}1", "0".repeat(200));
    let cases = [
        ("1", "This page has been viewed once.".to_owned()),
        ("-1", "This page has been viewed once.".to_owned()),
        // Leading zeros are not significant: still one.
        (&leading_zeros, "This page has been viewed once.".to_owned()),
        (
            "5",
            format!("This page has been viewed {} times.", isolated("5")),
        ),
        // Fluent keeps the fraction digits, and `1.0` is not `one` in English.
        (
            "1.0",
            format!("This page has been viewed {} times.", isolated("1.0")),
        ),
        (
            "-0",
            format!("This page has been viewed {} times.", isolated("-0")),
        ),
        // Not plain decimals: strings, which select the default variant.
        (
            "1e400",
            format!("This page has been viewed {} times.", isolated("1e400")),
        ),
        (
            "NaN",
            format!("This page has been viewed {} times.", isolated("NaN")),
        ),
        (
            "inf",
            format!("This page has been viewed {} times.", isolated("inf")),
        ),
        (
            "-inf",
            format!("This page has been viewed {} times.", isolated("-inf")),
        ),
        (
            "%2B1",
            format!("This page has been viewed {} times.", isolated("+1")),
        ),
        (
            ".5",
            format!("This page has been viewed {} times.", isolated(".5")),
        ),
        (
            "1.",
            format!("This page has been viewed {} times.", isolated("1.")),
        ),
        (
            "0x10",
            format!("This page has been viewed {} times.", isolated("0x10")),
        ),
    ];
    for (count, expected) in cases {
        let (status, headers, body) = fetch(&format!("/messages/visits?count={count}")).await;
        assert_eq!(status, StatusCode::OK, "count={count}: {body}");
        assert_eq!(body, expected, "count={count}");
        assert!(headers.get(FLUENT_ERRORS).is_none(), "count={count}");
    }

    // French: 1.5 is `one`; both variants print the number as the catalog
    // does (with the `icu` feature, as French writes it: `1,50`).
    let req = get("/messages/visits?count=1.50", &[("accept-language", "fr")]);
    let (_, _, body) = text(app(), req).await;
    let shown = if cfg!(feature = "icu") {
        "1,50"
    } else {
        "1.50"
    };
    assert_eq!(
        body,
        format!("Cette page a été vue {} fois.", isolated(shown))
    );
    let fr = Localizer::new(catalog(), "fr").unwrap();
    let mut args = FluentArgs::new();
    args.set("count", FluentValue::try_number("1.50"));
    assert_eq!(body, fr.try_format("visits", Some(&args)).unwrap());
}

#[tokio::test]
async fn every_number_within_the_bounds_formats() {
    // The largest magnitudes and the most fraction digits accepted, through
    // the plural (where fluent-bundle computes its operands).
    for significant in 1..=15 {
        for fraction in 0..=MAX_FRACTION.min(significant) {
            let digits = "9".repeat(significant);
            let (integer, frac) = digits.split_at(significant - fraction);
            let integer = if integer.is_empty() { "0" } else { integer };
            let number = if frac.is_empty() {
                integer.to_owned()
            } else {
                format!("{integer}.{frac}")
            };
            for number in [number.clone(), format!("-{number}")] {
                let (status, _, body) = fetch(&format!("/messages/visits?count={number}")).await;
                assert_eq!(status, StatusCode::OK, "count={number}: {body}");
                // Every digit is shown (grouped, with the `icu` feature).
                let shown: String = body.chars().filter(|c| c.is_ascii_digit()).collect();
                let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
                assert_eq!(shown, digits, "count={number}: {body}");
            }
        }
    }
}

#[tokio::test]
async fn an_unknown_id_is_a_404_naming_it() {
    let (status, headers, body) = fetch("/messages/no-such-message").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
    assert_eq!(body, r#"unknown message id "no-such-message""#);

    // A term is not a message.
    let (status, _, _) = fetch("/messages/-brand").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_missing_variable_is_fluents_lenient_text_and_counted() {
    let (status, headers, body) = fetch("/messages/greeting").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[FLUENT_ERRORS], "1");
    let en = Localizer::new(catalog(), "en").unwrap();
    assert_eq!(body, en.format("greeting", &FluentArgs::new()));
    assert!(body.contains("{$ip}"), "{body}");
}

#[tokio::test]
async fn hostile_queries_are_a_400_with_the_reason() {
    let long_value = "a".repeat(MAX_PART + 1);
    let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("p{i}=1")).collect();
    let cases: Vec<(String, &str)> = vec![
        (
            format!("ip={}", "a".repeat(MAX_QUERY)),
            "query is 2051 bytes, more than 2048",
        ),
        (many.join("&"), "more than 16 query parameters"),
        (
            format!("ip={long_value}"),
            r#"query parameter "ip": value is 257 bytes, more than 256"#,
        ),
        // The decoded length counts: 86 escapes of 3 bytes are 258 bytes.
        (
            format!("ip={}", "%E2%82%AC".repeat(86)),
            r#"query parameter "ip": value is 258 bytes, more than 256"#,
        ),
        (
            format!("{long_value}=1"),
            "query parameter 1: name is 257 bytes, more than 256",
        ),
        ("ip=%ff".to_owned(), "query parameter 1: value is not UTF-8"),
        (
            "a=1&%c3%28=1".to_owned(),
            "query parameter 2: name is not UTF-8",
        ),
        (
            "ip=%zz".to_owned(),
            "query parameter 1: value has a malformed escape",
        ),
        (
            "ip=%f".to_owned(),
            "query parameter 1: value has a malformed escape",
        ),
        (
            "ip=%+f".to_owned(),
            "query parameter 1: value has a malformed escape",
        ),
        ("=1".to_owned(), "query parameter 1: empty name"),
        (
            "ip=1&ip=2".to_owned(),
            r#"query parameter "ip" is repeated"#,
        ),
        (
            "count=1.000000000000000000001".to_owned(),
            r#"query parameter "count": number has 22 significant digits, more than 15"#,
        ),
        (
            format!("count={}", "9".repeat(200)),
            r#"query parameter "count": number has 200 significant digits, more than 15"#,
        ),
        (
            format!("count=1{}", "0".repeat(15)),
            r#"query parameter "count": number has 16 significant digits, more than 15"#,
        ),
        (
            "count=0.0000001".to_owned(),
            r#"query parameter "count": number has 7 digits after the point, more than 6"#,
        ),
        (
            format!("count={}", "1".repeat(1000)),
            r#"query parameter "count": value is 1000 bytes, more than 256"#,
        ),
    ];
    for (query, reason) in cases {
        let (status, headers, body) = fetch(&format!("/messages/visits?{query}")).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "?{query}: {body}");
        assert_eq!(headers["content-type"], "text/plain; charset=utf-8");
        assert_eq!(body, reason, "?{query}");
    }

    // The bounds themselves are accepted.
    let most: Vec<String> = (0..MAX_PARAMS).map(|i| format!("p{i}=1")).collect();
    let at_most = [
        most.join("&"),
        format!("ip={}", "a".repeat(MAX_PART)),
        format!("{}=1", "n".repeat(MAX_PART)),
        "a=1&&b=2&".to_owned(),
        "flag".to_owned(),
    ];
    for query in at_most {
        let (status, _, body) = fetch(&format!("/messages/visits?{query}")).await;
        assert_eq!(status, StatusCode::OK, "?{query}: {body}");
    }
}

#[tokio::test]
async fn hostile_ids_are_a_400_or_a_404() {
    let (status, _, body) = fetch(&format!("/messages/{}", "a".repeat(MAX_PART + 1))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body, "message id is 257 bytes, more than 256");

    let (status, _, _) = fetch("/messages/%ff").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // Quotes and control characters are escaped in the answer.
    let (status, _, body) = fetch("/messages/a%22%0Ab").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body, r#"unknown message id "a\"\nb""#);
}

/// Counts the events at `info` or above (`warn`, `error`), keeping their text.
#[derive(Clone, Default)]
struct Loud(Arc<std::sync::Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Loud {
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        if *event.metadata().level() <= tracing::Level::INFO {
            let mut text = format!("{} {}", event.metadata().level(), event.metadata().target());
            event.record(
                &mut |field: &tracing::field::Field, value: &dyn std::fmt::Debug| {
                    text.push_str(&format!(" {}={value:?}", field.name()));
                },
            );
            self.0.lock().unwrap().push(text);
        }
    }
}

#[tokio::test]
async fn what_a_client_sends_logs_nothing_above_debug() {
    use tracing_subscriber::layer::SubscriberExt;

    let loud = Loud::default();
    // The test runtime is single-threaded: the handler runs under this guard.
    let _guard =
        tracing::subscriber::set_default(tracing_subscriber::registry().with(loud.clone()));
    for uri in [
        "/messages/greeting",
        "/messages/visits?ip=1",
        "/messages/no-such-message",
        "/messages/visits?count=1.000000000000000000001",
        "/messages/visits?ip=%ff",
        "/messages/%ff",
    ] {
        let (status, _, body) = fetch(uri).await;
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "{uri}: {body}");
    }
    assert_eq!(*loud.0.lock().unwrap(), Vec::<String>::new());
}
