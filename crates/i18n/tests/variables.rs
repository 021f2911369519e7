//! The check across locales: a translation that uses a variable the default
//! locale's message does not, or drops one it uses, is listed (and refused in
//! strict mode), located at the translation.

use crocodile_i18n::Catalog;
use crocodile_i18n::catalog::DiagnosticKind;

/// One row: what it checks, the default (`en`) and the translation (`fr`),
/// and the mismatches expected, as displayed.
const CASES: &[(&str, &str, &str, &[&str])] = &[
    (
        "same variables",
        "hi = Hi { $name }",
        "hi = Salut { $name }",
        &[],
    ),
    ("no variables", "hi = Hi", "hi = Salut", &[]),
    (
        "a variable the default does not use",
        "hi = Hi",
        "hi = Salut { $name }",
        &[r#"fr/m.ftl:1:1: fr: message "hi" uses variable $name, which en's does not"#],
    ),
    (
        "a variable dropped",
        "hi = Hi { $name }",
        "hi = Salut",
        &[r#"fr/m.ftl:1:1: fr: message "hi" does not use variable $name, which en's uses"#],
    ),
    (
        "a misspelt variable: one extra, one dropped, by name",
        "hi = Hi { $name }",
        "\nhi = Salut { $nom }",
        &[
            r#"fr/m.ftl:2:1: fr: message "hi" does not use variable $name, which en's uses"#,
            r#"fr/m.ftl:2:1: fr: message "hi" uses variable $nom, which en's does not"#,
        ],
    ),
    (
        "a selector counts as a use, in either locale",
        "n = { $count ->\n    [one] One\n   *[other] { $count } items\n}",
        "n = { $count ->\n   *[other] articles\n}",
        &[],
    ),
    (
        "function arguments count",
        "-brand = B\nn = { NUMBER($count, minimumFractionDigits: 2) } { -brand(case: \"gen\") }",
        "-brand = B\nn = { $count } { -brand }",
        &[],
    ),
    (
        "attributes count with the message",
        "m = M\n    .title = { $who }",
        "m = { $who }",
        &[],
    ),
    (
        "a term's own parameters are not the message's",
        "-t = { $case }\nm = { -t }",
        "-t = T\nm = { -t }",
        &[],
    ),
    (
        "a message only the translation has is not compared",
        "a = A",
        "a = A\nb = { $x }",
        &[],
    ),
    (
        "variables of referenced messages are theirs",
        "a = { $x }\nb = { a }",
        "a = { $x }\nb = { a } { $y }",
        &[r#"fr/m.ftl:2:1: fr: message "b" uses variable $y, which en's does not"#],
    ),
];

#[test]
fn variable_mismatches_are_listed_or_refused_in_strict_mode() {
    for &(case, en, fr, expected) in CASES {
        let builder = Catalog::builder()
            .default_locale("en")
            .source("en", "m.ftl", en)
            .source("fr", "m.ftl", fr);
        let catalog = builder
            .clone()
            .build()
            .unwrap_or_else(|e| panic!("{case}: {e}"));
        let found: Vec<String> = catalog
            .variable_mismatches()
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(found, expected, "{case}");

        let strict = builder.strict(true).build();
        let refused: Vec<String> = match &strict {
            Ok(_) => Vec::new(),
            Err(error) => error
                .diagnostics()
                .iter()
                .filter(|d| matches!(d.kind(), DiagnosticKind::VariableMismatch(_)))
                .map(ToString::to_string)
                .collect(),
        };
        assert_eq!(refused, expected, "{case} (strict)");
    }
}

#[test]
fn a_mismatch_names_its_parts() {
    let catalog = Catalog::builder()
        .default_locale("en")
        .source("en", "m.ftl", "hi = Hi { $name }")
        .source("fr", "m.ftl", "hi = Salut { $nom }")
        .build()
        .unwrap();
    let [dropped, extra] = catalog.variable_mismatches() else {
        panic!("{:?}", catalog.variable_mismatches());
    };
    assert_eq!(
        (dropped.locale(), dropped.id(), dropped.variable()),
        ("fr", "hi", "name")
    );
    assert!(!dropped.is_extra());
    assert_eq!(extra.variable(), "nom");
    assert!(extra.is_extra());
    assert_eq!(extra.location().to_string(), "fr/m.ftl:1:1");
}
