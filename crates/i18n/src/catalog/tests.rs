use std::borrow::Cow;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::{FluentArgs, FormatError, Localizer};

/// A fresh directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(files: &[(&str, &str)]) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "crocodile-i18n-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        for (path, text) in files {
            let path = dir.join(path);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        }
        Self(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

fn lines(error: &CatalogError) -> Vec<String> {
    error.to_string().lines().map(str::to_owned).collect()
}

#[test]
fn a_directory_catalog_keeps_the_directory_spelling() {
    let dir = TempDir::new(&[
        ("en/main.ftl", "hello = Hello\n"),
        ("en/extra.ftl", "bye = Bye\n"),
        ("zh-Hans/main.ftl", "hello = 你好\nbye = 再见\n"),
        ("fr/main.ftl", "hello = Bonjour\nbye = Au revoir\n"),
        ("fr/notes.txt", "not fluent"),
        ("README.md", "ignored"),
    ]);
    let catalog = Catalog::builder()
        .default_locale("en")
        .dir(dir.path())
        .build()
        .unwrap();
    assert_eq!(
        catalog.locales().collect::<Vec<_>>(),
        ["en", "fr", "zh-Hans"]
    );
    assert_eq!(catalog.default_locale(), "en");
    assert!(catalog.missing_messages().is_empty());
    let zh = Localizer::new(Arc::new(catalog), "zh-hans").unwrap();
    assert_eq!(zh.tag(), "zh-Hans");
    assert_eq!(zh.text("bye"), "再见");
}

#[test]
fn a_syntax_error_names_path_line_and_column() {
    let dir = TempDir::new(&[
        ("en/main.ftl", "hello = Hello\n"),
        ("fr/main.ftl", "hello = Bonjour\n\n# comment\nbroken { $x\n"),
    ]);
    let error = Catalog::builder()
        .default_locale("en")
        .dir(dir.path())
        .build()
        .unwrap_err();
    let path = dir.path().join("fr/main.ftl");
    assert_eq!(
        lines(&error),
        [format!(
            "{}:4:8: Expected a token starting with \"=\"",
            path.display()
        )]
    );
    let location = error.diagnostics()[0].location().unwrap();
    assert_eq!((location.line, location.column), (4, 8));
}

#[test]
fn two_broken_files_give_both_errors() {
    let dir = TempDir::new(&[
        ("en/a.ftl", "a = { \n"),
        ("en/b.ftl", "ok = fine\n\n-term =\n"),
        ("de/c.ftl", "x = { $y\n"),
    ]);
    let error = Catalog::builder()
        .default_locale("en")
        .dir(dir.path())
        .build()
        .unwrap_err();
    let d = dir.path().display();
    // The parser reports where it gave up: for an unclosed placeable, the
    // start of the next line.
    assert_eq!(
        lines(&error),
        [
            format!("{d}/de/c.ftl:2:1: Expected a token starting with \"}}\""),
            format!("{d}/en/a.ftl:2:1: Expected an inline expression"),
            format!("{d}/en/b.ftl:3:1: Expected a term field for \"term\""),
        ]
    );
    let lines = lines(&error);
    for (diagnostic, line) in error.diagnostics().iter().zip(&lines) {
        assert!(
            matches!(diagnostic.kind(), DiagnosticKind::Syntax(_)),
            "{line}"
        );
    }
}

#[test]
fn a_bad_locale_directory_is_named() {
    let dir = TempDir::new(&[
        ("en/main.ftl", "hello = Hello\n"),
        ("not a tag!/main.ftl", "hello = ?\n"),
    ]);
    let error = Catalog::builder()
        .default_locale("en")
        .dir(dir.path())
        .build()
        .unwrap_err();
    assert_eq!(
        lines(&error),
        [format!(
            "{}: locale \"not a tag!\" is not a BCP 47 language tag",
            dir.path().join("not a tag!").display()
        )]
    );
}

#[test]
fn a_missing_directory_is_an_error() {
    let error = Catalog::builder()
        .default_locale("en")
        .dir("/definitely/not/here")
        .build()
        .unwrap_err();
    assert!(matches!(
        error.diagnostics()[0].kind(),
        DiagnosticKind::Io { .. }
    ));
    assert!(error.to_string().starts_with("/definitely/not/here: "));
}

#[test]
fn the_default_locale_must_exist() {
    let error = Catalog::builder()
        .default_locale("de")
        .source("en", "m.ftl", "a = A")
        .build()
        .unwrap_err();
    assert_eq!(lines(&error), ["the default locale \"de\" has no sources"]);
    let error = Catalog::builder()
        .source("en", "m.ftl", "a = A")
        .build()
        .unwrap_err();
    assert_eq!(
        error.diagnostics()[0].kind(),
        &DiagnosticKind::NoDefaultLocale
    );
}

#[test]
fn duplicate_ids_name_both_places() {
    let error = Catalog::builder()
        .default_locale("en")
        .source("en", "a.ftl", "a = A\n-t = T\n")
        .source("en", "b.ftl", "b = B\na = again\n-t = again\n")
        .build()
        .unwrap_err();
    assert_eq!(
        lines(&error),
        [
            "en/b.ftl:2:1: duplicate id \"a\" (first defined at en/a.ftl:1:1)",
            "en/b.ftl:3:2: duplicate id \"-t\" (first defined at en/a.ftl:2:2)",
        ]
    );
}

#[test]
fn dangling_references_are_errors() {
    let error = Catalog::builder()
        .default_locale("en")
        .source(
            "en",
            "m.ftl",
            "a = { b } and { -brand } and { c.title }\nc = C\n    .label = L\n-real = R\nd = { -real.gender ->\n   *[x] { NUMBER(missing) }\n}\n",
        )
        // `fr` may not borrow `-brand` from `en`: Fluent resolves inside one bundle.
        .source("en", "t.ftl", "-brand = Croc\n")
        .source("fr", "m.ftl", "a = { -brand }\n")
        .build()
        .unwrap_err();
    assert_eq!(
        lines(&error),
        [
            "en/m.ftl:1:7: reference to unknown message \"b\"",
            "en/m.ftl:1:32: reference to unknown attribute c.title",
            "en/m.ftl:5:8: reference to unknown attribute -real.gender",
            "en/m.ftl:6:18: reference to unknown message \"missing\"",
            "fr/m.ftl:1:8: reference to unknown term \"-brand\"",
        ]
    );
}

#[test]
fn missing_messages_are_listed_or_refused_in_strict_mode() {
    let builder = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "a = A\nb = B\nc = C\n")
        .source("fr", "m.ftl", "a = A\n")
        .source("fr-CA", "m.ftl", "b = B\n");
    let catalog = builder.clone().build().unwrap();
    let missing: Vec<String> = catalog
        .missing_messages()
        .iter()
        .map(ToString::to_string)
        .collect();
    // fr-CA gets `a` from fr: only what would fall back to `en` is listed.
    assert_eq!(
        missing,
        [
            "fr: missing message \"b\" (falls back to en)",
            "fr: missing message \"c\" (falls back to en)",
            "fr-CA: missing message \"c\" (falls back to en)",
        ]
    );
    let error = builder.strict(true).build().unwrap_err();
    assert_eq!(error.diagnostics().len(), 3);
    assert!(matches!(
        error.diagnostics()[0].kind(),
        DiagnosticKind::MissingMessage(m) if m.locale() == "fr" && m.id() == "b"
    ));
}

#[test]
fn fallback_chains_are_resolved_at_build_time() {
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "a = A\n")
        .source("fr", "m.ftl", "a = A\n")
        .source("fr-CA", "m.ftl", "a = A\n")
        .source("zh-Hant-TW", "m.ftl", "a = A\n")
        .source("zh-Hant", "m.ftl", "a = A\n")
        .build()
        .unwrap();
    let chain = |tag| catalog.fallback_chain(tag).unwrap().collect::<Vec<_>>();
    assert_eq!(chain("fr-CA"), ["fr-CA", "fr", "en"]);
    assert_eq!(chain("zh-Hant-TW"), ["zh-Hant-TW", "zh-Hant", "en"]);
    assert_eq!(chain("en"), ["en"]);
}

fn localizer(tag: &str, isolating: bool) -> Localizer {
    let catalog = Catalog::builder()
        .default_locale("en")
        .use_isolating(isolating)
        .source(
            "en",
            "m.ftl",
            "plain = Just text\nhello = Hello, { $name }!\nlink = Link\n    .title = Go there\nonly-attr =\n    .x = X\n",
        )
        .source("fr", "m.ftl", "plain = Juste du texte\n")
        .build()
        .unwrap();
    Localizer::new(Arc::new(catalog), tag).unwrap()
}

#[test]
fn a_message_without_placeables_is_borrowed() {
    let l = localizer("fr", true);
    assert!(matches!(l.text("plain"), Cow::Borrowed("Juste du texte")));
    assert!(matches!(l.text("missing-id"), Cow::Borrowed("missing-id")));
    assert!(matches!(
        l.attribute("link", "title", None),
        Cow::Borrowed("Go there")
    ));
}

#[test]
fn placeables_are_isolated_unless_turned_off() {
    let mut args = FluentArgs::new();
    args.set("name", "Ada");
    assert_eq!(
        localizer("en", true).format("hello", &args),
        "Hello, \u{2068}Ada\u{2069}!"
    );
    assert_eq!(localizer("en", false).format("hello", &args), "Hello, Ada!");
}

#[test]
fn missing_things_are_reported_not_panicked() {
    let l = localizer("fr", false);
    assert!(matches!(
        l.try_format("nope", None),
        Err(FormatError::MissingMessage { .. })
    ));
    assert_eq!(l.attribute("link", "nope", None), "link.nope");
    assert!(l.has_message("hello"));
    // A missing variable is a formatting error: traced, and Fluent shows `{$name}`.
    assert_eq!(l.text("hello"), "Hello, {$name}!");
}

/// `try_format` and `try_attribute`: one row per outcome, `Ok(text)` or
/// `Err(message)`; the lenient `format` of the same row never fails.
#[test]
fn try_format_returns_fluents_errors() {
    let l = localizer("fr", false);
    let mut ada = FluentArgs::new();
    ada.set("name", "Ada");
    let rows: [(
        &str,
        Option<&str>,
        Option<&FluentArgs<'_>>,
        Result<&str, &str>,
    ); 8] = [
        // The locale's own message, then a fallback's.
        ("plain", None, None, Ok("Juste du texte")),
        ("hello", None, Some(&ada), Ok("Hello, Ada!")),
        ("link", Some("title"), None, Ok("Go there")),
        // A missing variable: `format` renders `{$name}`, `try_format` says so.
        (
            "hello",
            None,
            None,
            Err(r#"formatting "hello" in en: Resolver error: Unknown variable: $name"#),
        ),
        (
            "hello",
            None,
            Some(&FluentArgs::new()),
            Err(r#"formatting "hello" in en: Resolver error: Unknown variable: $name"#),
        ),
        (
            "nope",
            None,
            None,
            Err(r#"missing Fluent message "nope" in fr (and its fallbacks)"#),
        ),
        // A message with attributes only has no value.
        (
            "only-attr",
            None,
            None,
            Err(r#"missing Fluent message "only-attr" in fr (and its fallbacks)"#),
        ),
        (
            "link",
            Some("nope"),
            None,
            Err(r#"missing Fluent attribute "link.nope" in fr (and its fallbacks)"#),
        ),
    ];
    for (id, attribute, args, expected) in rows {
        let got = match attribute {
            None => l.try_format(id, args),
            Some(attribute) => l.try_attribute(id, attribute, args),
        };
        let got = got.as_deref().map_err(ToString::to_string);
        assert_eq!(got, expected.map_err(str::to_owned), "{id} {attribute:?}");
    }
    // The errors are Fluent's own, for callers that match on them.
    let Err(FormatError::Fluent { errors, locale, .. }) = l.try_format("hello", None) else {
        panic!("expected a Fluent error");
    };
    assert_eq!(locale, "en");
    assert_eq!(errors.len(), 1);
    assert!(matches!(errors[0], crate::FluentError::ResolverError(_)));
}

#[test]
fn references_are_checked_in_a_locale_with_syntax_errors_too() {
    let error = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "ok = fine\n")
        .source(
            "fr",
            "m.ftl",
            "broken = { $x\nok = { nope }\nuses = { broken } { -gone }\n-gone = { \n",
        )
        .build()
        .unwrap_err();
    // `broken` and `-gone` are explained by their syntax errors; `nope` is
    // reported although the file also has them.
    assert_eq!(
        lines(&error),
        [
            "fr/m.ftl:2:1: Expected a token starting with \"}\"",
            "fr/m.ftl:5:1: Expected an inline expression",
            "fr/m.ftl:2:8: reference to unknown message \"nope\"",
        ]
    );
}

#[test]
fn tags_are_found_whatever_their_case() {
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "hi = Hi")
        .source("zh-Hant", "m.ftl", "hi = 你好")
        .build()
        .unwrap();
    let zh = catalog.find_tag("zh-Hant");
    assert!(zh.is_some());
    for tag in ["zh-hant", "ZH-HANT", "zH-hAnT"] {
        assert_eq!(catalog.find_tag(tag), zh, "{tag}");
    }
    assert_eq!(catalog.find_tag("EN"), catalog.find_tag("en"));
    // Not tags of the catalog: a path segment, a longer one, non-ASCII.
    let long = "A".repeat(65);
    for tag in ["docs", "Docs", "zh-Hans", "ÉN", "en-", "", long.as_str()] {
        assert_eq!(catalog.find_tag(tag), None, "{tag}");
    }
}
