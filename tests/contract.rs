//! The main example's contract, read from the README: every `CROCODILE_*`
//! variable in the "## The main example" variables table is read by the
//! example, and the `/context` keys table is exactly the keys `GET /context`
//! answers. A rename, a drop, or an undocumented key fails here.

mod common;

use std::collections::BTreeSet;

use common::{app, get, json, try_config};

/// The README, as the test was built with it.
const README: &str = include_str!("../README.md");

/// The rows of the first table under the README section `heading` whose
/// header's first cell is `first_column`: each row's cells, trimmed.
fn table(heading: &str, first_column: &str) -> Vec<Vec<String>> {
    let section = README
        .split("\n## ")
        .find(|section| section.starts_with(heading))
        .unwrap_or_else(|| panic!("README has no `## {heading}` section"));
    let cells = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|cell| cell.trim().to_owned())
            .collect()
    };
    let mut lines = section.lines().skip_while(|line| {
        !(line.starts_with('|') && cells(line).first().is_some_and(|c| c == first_column))
    });
    assert!(
        lines.next().is_some(),
        "README `## {heading}` has no table whose first column is {first_column:?}"
    );
    let separator = lines.next().unwrap_or_default();
    assert!(
        separator.starts_with("|---"),
        "not a table separator: {separator:?}"
    );
    let rows: Vec<Vec<String>> = lines
        .take_while(|line| line.starts_with('|'))
        .map(cells)
        .collect();
    assert!(!rows.is_empty(), "README's {first_column:?} table is empty");
    rows
}

/// The text of the first code span in a cell: `` `x` and more `` -> `x`.
fn code(cell: &str) -> Option<&str> {
    let (_, rest) = cell.split_once('`')?;
    Some(rest.split_once('`')?.0)
}

/// `(variable, documented default)` for every row of the variables table.
fn documented_variables() -> Vec<(String, String)> {
    table("The main example", "Variable")
        .into_iter()
        .map(|row| {
            let name = code(&row[0])
                .unwrap_or_else(|| panic!("variable cell without a code span: {:?}", row[0]));
            assert!(
                name.starts_with("CROCODILE_"),
                "not a CROCODILE_ variable: {name}"
            );
            let default = code(&row[1]).unwrap_or_else(|| {
                panic!("{name}: default cell without a code span: {:?}", row[1])
            });
            (name.to_owned(), default.to_owned())
        })
        .collect()
}

/// A value no variable accepts: not an address, a strategy, a CIDR, a tag,
/// a host list, a header family or grammar; as a catalog directory, one that
/// does not exist.
const BAD: &str = "/nonexistent/crocodile contract!";

#[test]
fn the_readme_documents_the_variables_the_example_reads() {
    let variables = documented_variables();
    let names: BTreeSet<&str> = variables.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(
        names.len(),
        variables.len(),
        "a variable is documented twice"
    );
    for must in [
        "CROCODILE_ADDR",
        "CROCODILE_TRUSTED_PROXIES",
        "CROCODILE_LOCALES",
    ] {
        assert!(names.contains(must), "the README's table lost {must}");
    }
}

#[test]
fn every_documented_variable_is_read_by_the_example() {
    for (name, _) in documented_variables() {
        // The example reads the variable if a bad value stops it, and the
        // error names the variable with the value it read.
        let Err(error) = try_config(&[(name.as_str(), BAD)]) else {
            panic!("{name}={BAD:?} was accepted: does the example still read {name}?");
        };
        let named = format!("{name}={BAD:?}");
        assert!(
            error.contains(&named),
            "{name}: the error does not name `{named}`: {error}"
        );
    }
}

#[test]
fn every_documented_default_is_a_valid_value() {
    for (name, default) in documented_variables() {
        if let Err(error) = try_config(&[(name.as_str(), default.as_str())]) {
            panic!("{name}: the documented default {default:?} is rejected: {error}");
        }
    }
}

#[tokio::test]
async fn context_answers_exactly_the_documented_keys() {
    let documented: BTreeSet<String> = table("The main example", "Key")
        .into_iter()
        .map(|row| {
            code(&row[0])
                .unwrap_or_else(|| panic!("key cell without a code span: {:?}", row[0]))
                .to_owned()
        })
        .collect();
    // Untrusted and proxied: the keys are the same either way.
    let requests = [
        ("203.0.113.9:5000", get("/context", &[])),
        (
            "127.0.0.1:5001",
            get(
                "/context",
                &[
                    ("x-forwarded-for", "198.51.100.7"),
                    ("x-forwarded-proto", "https"),
                ],
            ),
        ),
    ];
    for (peer, req) in requests {
        let (status, body) = json(app(), peer, req).await;
        assert_eq!(status, 200, "{body}");
        let answered: BTreeSet<String> = body
            .as_object()
            .unwrap_or_else(|| panic!("GET /context is not a JSON object: {body}"))
            .keys()
            .cloned()
            .collect();
        let undocumented: Vec<_> = answered.difference(&documented).collect();
        let missing: Vec<_> = documented.difference(&answered).collect();
        assert!(
            missing.is_empty(),
            "documented in the README but not in GET /context (a key was renamed or dropped): {missing:?}"
        );
        assert!(
            undocumented.is_empty(),
            "GET /context answers keys the README's table does not document: {undocumented:?}"
        );
    }
}
