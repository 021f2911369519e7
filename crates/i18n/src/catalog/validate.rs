//! Build-time checks on parsed resources: duplicate ids and dangling references.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use fluent_bundle::FluentResource;
use fluent_syntax::ast;

use super::error::{Diagnostic, DiagnosticKind, Location, line_column};

/// The ids one locale defines: messages and terms (without the `-`), each with
/// its attributes and where it is defined.
#[derive(Debug, Default)]
pub(crate) struct Defined {
    pub(crate) messages: HashMap<String, Entry>,
    pub(crate) terms: HashMap<String, Entry>,
    /// Ids (terms with their `-`) that start an entry the parser gave up on:
    /// a reference to one is explained by the syntax error, so it is not
    /// reported again as unknown.
    pub(crate) junk: HashSet<String>,
}

#[derive(Debug)]
pub(crate) struct Entry {
    pub(crate) location: Location,
    pub(crate) attributes: Vec<String>,
    /// The variables (`$name`, without the `$`) the entry's value and
    /// attributes use directly (not through the messages they reference).
    pub(crate) variables: BTreeSet<String>,
}

/// The id a junk entry (text the parser could not read) was meant to
/// define: `name =` or `-name =` at its start.
fn junk_id(content: &str) -> Option<&str> {
    let (head, _) = content.split_once('=')?;
    let head = head.trim_end();
    let name = head.strip_prefix('-').unwrap_or(head);
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    valid.then_some(head)
}

/// The variables a pattern uses, directly.
fn collect_variables(pattern: &ast::Pattern<&str>, out: &mut BTreeSet<String>) {
    fn expression(e: &ast::Expression<&str>, out: &mut BTreeSet<String>) {
        match e {
            ast::Expression::Inline(i) => inline(i, out),
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                for variant in variants {
                    collect_variables(&variant.value, out);
                }
            }
        }
    }
    fn inline(i: &ast::InlineExpression<&str>, out: &mut BTreeSet<String>) {
        match i {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name.to_owned());
            }
            ast::InlineExpression::FunctionReference { arguments, .. }
            | ast::InlineExpression::TermReference {
                arguments: Some(arguments),
                ..
            } => {
                for positional in &arguments.positional {
                    inline(positional, out);
                }
                for named in &arguments.named {
                    inline(&named.value, out);
                }
            }
            ast::InlineExpression::Placeable { expression: e } => expression(e, out),
            ast::InlineExpression::TermReference { .. }
            | ast::InlineExpression::MessageReference { .. }
            | ast::InlineExpression::StringLiteral { .. }
            | ast::InlineExpression::NumberLiteral { .. } => {}
        }
    }
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression: e } = element {
            expression(e, out);
        }
    }
}

/// Where `slice` (a sub-slice of `source`) starts.
pub(crate) fn locate(path: &Path, source: &str, slice: &str) -> Location {
    let offset = (slice.as_ptr() as usize).wrapping_sub(source.as_ptr() as usize);
    let offset = if offset <= source.len() { offset } else { 0 };
    let (line, column) = line_column(source, offset);
    Location {
        path: path.to_owned(),
        line,
        column,
    }
}

/// Locates entries in the order they appear in one source, counting lines
/// only over the text between one entry and the next: linear in the source,
/// where locating each entry from the start would be quadratic (a catalog of
/// 10,000 messages took seconds to build).
struct LineCursor<'a> {
    source: &'a str,
    offset: usize,
    line: usize,
    line_start: usize,
}

impl<'a> LineCursor<'a> {
    fn new(source: &'a str) -> Self {
        Self {
            source,
            offset: 0,
            line: 1,
            line_start: 0,
        }
    }

    /// Where `slice` (a sub-slice of the source) starts.
    fn locate(&mut self, path: &Path, slice: &str) -> Location {
        let offset = (slice.as_ptr() as usize).wrapping_sub(self.source.as_ptr() as usize);
        if offset > self.source.len() || offset < self.offset {
            // Not in order (or not in this source): the slow, exact way.
            return locate(path, self.source, slice);
        }
        let skipped = &self.source.as_bytes()[self.offset..offset];
        for (i, &b) in skipped.iter().enumerate() {
            if b == b'\n' {
                self.line += 1;
                self.line_start = self.offset + i + 1;
            }
        }
        self.offset = offset;
        let column = self.source[self.line_start..offset].chars().count() + 1;
        Location {
            path: path.to_owned(),
            line: self.line,
            column,
        }
    }
}

impl Defined {
    /// Records the entries of `resource`, reporting ids defined twice.
    pub(crate) fn add(
        &mut self,
        path: &Path,
        resource: &FluentResource,
        out: &mut Vec<Diagnostic>,
    ) {
        let source = resource.source();
        let mut lines = LineCursor::new(source);
        for entry in resource.entries() {
            let (map, id, attributes, shown, value) = match entry {
                ast::Entry::Message(m) => (
                    &mut self.messages,
                    &m.id,
                    &m.attributes,
                    m.id.name.to_owned(),
                    m.value.as_ref(),
                ),
                ast::Entry::Term(t) => (
                    &mut self.terms,
                    &t.id,
                    &t.attributes,
                    format!("-{}", t.id.name),
                    // A term's variables are its own parameters.
                    None,
                ),
                ast::Entry::Junk { content } => {
                    if let Some(id) = junk_id(content) {
                        self.junk.insert(id.to_owned());
                    }
                    continue;
                }
                _ => continue,
            };
            let location = lines.locate(path, id.name);
            if let Some(first) = map.get(id.name) {
                out.push(Diagnostic::new(
                    Some(location),
                    DiagnosticKind::Duplicate {
                        id: shown,
                        first: first.location.clone(),
                    },
                ));
                continue;
            }
            let mut variables = BTreeSet::new();
            if let Some(value) = value {
                collect_variables(value, &mut variables);
            }
            if matches!(entry, ast::Entry::Message(_)) {
                for attribute in attributes {
                    collect_variables(&attribute.value, &mut variables);
                }
            }
            let attributes = attributes.iter().map(|a| a.id.name.to_owned()).collect();
            map.insert(
                id.name.to_owned(),
                Entry {
                    location,
                    attributes,
                    variables,
                },
            );
        }
    }

    /// Reports every message or term reference in `resource` that this locale
    /// cannot resolve (Fluent resolves references inside one bundle only).
    pub(crate) fn check_references(
        &self,
        path: &Path,
        resource: &FluentResource,
        out: &mut Vec<Diagnostic>,
    ) {
        let mut checker = Checker {
            defined: self,
            path,
            source: resource.source(),
            out,
        };
        for entry in resource.entries() {
            let (value, attributes) = match entry {
                ast::Entry::Message(m) => (m.value.as_ref(), &m.attributes),
                ast::Entry::Term(t) => (Some(&t.value), &t.attributes),
                _ => continue,
            };
            if let Some(value) = value {
                checker.pattern(value);
            }
            for attribute in attributes {
                checker.pattern(&attribute.value);
            }
        }
    }
}

struct Checker<'a> {
    defined: &'a Defined,
    path: &'a Path,
    source: &'a str,
    out: &'a mut Vec<Diagnostic>,
}

impl Checker<'_> {
    fn pattern(&mut self, pattern: &ast::Pattern<&str>) {
        for element in &pattern.elements {
            if let ast::PatternElement::Placeable { expression } = element {
                self.expression(expression);
            }
        }
    }

    fn expression(&mut self, expression: &ast::Expression<&str>) {
        match expression {
            ast::Expression::Inline(inline) => self.inline(inline),
            ast::Expression::Select { selector, variants } => {
                self.inline(selector);
                for variant in variants {
                    self.pattern(&variant.value);
                }
            }
        }
    }

    fn arguments(&mut self, arguments: &ast::CallArguments<&str>) {
        for positional in &arguments.positional {
            self.inline(positional);
        }
        for named in &arguments.named {
            self.inline(&named.value);
        }
    }

    fn inline(&mut self, inline: &ast::InlineExpression<&str>) {
        match inline {
            ast::InlineExpression::MessageReference { id, attribute } => {
                self.reference(&self.defined.messages, id, attribute.as_ref(), false);
            }
            ast::InlineExpression::TermReference {
                id,
                attribute,
                arguments,
            } => {
                self.reference(&self.defined.terms, id, attribute.as_ref(), true);
                if let Some(arguments) = arguments {
                    self.arguments(arguments);
                }
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => {
                self.arguments(arguments);
            }
            ast::InlineExpression::Placeable { expression } => self.expression(expression),
            ast::InlineExpression::StringLiteral { .. }
            | ast::InlineExpression::NumberLiteral { .. }
            | ast::InlineExpression::VariableReference { .. } => {}
        }
    }

    fn reference(
        &mut self,
        map: &HashMap<String, Entry>,
        id: &ast::Identifier<&str>,
        attribute: Option<&ast::Identifier<&str>>,
        term: bool,
    ) {
        let shown = if term {
            format!("-{}", id.name)
        } else {
            id.name.to_owned()
        };
        if map.get(id.name).is_none() && self.defined.junk.contains(&shown) {
            // Its definition is a syntax error, already reported.
            return;
        }
        let kind = match (map.get(id.name), attribute) {
            (None, _) if term => DiagnosticKind::UnknownTerm(id.name.to_owned()),
            (None, _) => DiagnosticKind::UnknownMessage(id.name.to_owned()),
            (Some(entry), Some(attribute))
                if !entry.attributes.iter().any(|a| a == attribute.name) =>
            {
                DiagnosticKind::UnknownAttribute {
                    id: shown,
                    attribute: attribute.name.to_owned(),
                }
            }
            _ => return,
        };
        let location = locate(self.path, self.source, id.name);
        self.out.push(Diagnostic::new(Some(location), kind));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_cursor_agrees_with_locating_from_the_start() {
        let source = "a = 1\nbé = 2\n\n-t = 3\n  .x = y\nlast = é\n";
        let path = Path::new("x.ftl");
        let mut cursor = LineCursor::new(source);
        let mut starts: Vec<usize> = source
            .char_indices()
            .filter(|(_, c)| c.is_ascii_alphabetic())
            .map(|(i, _)| i)
            .collect();
        starts.push(source.len());
        for &start in &starts {
            let slice = &source[start..];
            assert_eq!(
                cursor.locate(path, slice),
                locate(path, source, slice),
                "offset {start}"
            );
        }
        // Out of order falls back to the exact way.
        assert_eq!(
            cursor.locate(path, &source[6..]),
            locate(path, source, &source[6..])
        );
    }
}
