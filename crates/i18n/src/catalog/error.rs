//! Errors and reports from [`CatalogBuilder::build`](super::CatalogBuilder::build).

use std::fmt;
use std::path::PathBuf;

/// Where in a catalog source something is: a file path (or, for an in-memory
/// source, `<locale>/<name>`), and a line and column counted from 1.
///
/// Displays as `<path>:<line>:<column>`, the form editors and terminals link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file, or `<locale>/<name>` for a source given with
    /// [`CatalogBuilder::source`](super::CatalogBuilder::source).
    pub path: PathBuf,
    /// Line, counted from 1.
    pub line: usize,
    /// Column in characters (Unicode scalar values), counted from 1.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

/// What is wrong with one item of a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiagnosticKind {
    /// An FTL syntax error; the text is the Fluent parser's message.
    Syntax(String),
    /// A file or directory could not be read (or is not UTF-8).
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The operating system's message.
        message: String,
    },
    /// A locale directory name (or a locale given to the builder) is not a
    /// BCP 47 language tag.
    InvalidLocale {
        /// The directory, or the in-memory source's `<locale>/<name>`.
        path: PathBuf,
        /// The name that is not a tag.
        tag: String,
    },
    /// No default locale was configured.
    NoDefaultLocale,
    /// The default locale has no sources.
    DefaultLocaleMissing(String),
    /// A message or term id is defined twice in one locale.
    Duplicate {
        /// The id (terms keep their leading `-`).
        id: String,
        /// Where it was first defined.
        first: Location,
    },
    /// A message or term references a message that the locale lacks.
    UnknownMessage(String),
    /// A message or term references a term that the locale lacks.
    UnknownTerm(String),
    /// A reference names an attribute the message or term lacks (`msg.attr`).
    UnknownAttribute {
        /// The message or term id.
        id: String,
        /// The missing attribute.
        attribute: String,
    },
    /// A message of the default locale is missing in another locale (an error
    /// only in [strict](super::CatalogBuilder::strict) mode).
    MissingMessage(MissingMessage),
    /// A translation uses a variable the default locale's message does not,
    /// or drops one it uses (an error only in
    /// [strict](super::CatalogBuilder::strict) mode).
    VariableMismatch(VariableMismatch),
}

/// One problem found while building a catalog.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub(crate) location: Option<Location>,
    pub(crate) kind: DiagnosticKind,
}

impl Diagnostic {
    pub(crate) fn new(location: Option<Location>, kind: DiagnosticKind) -> Self {
        Self { location, kind }
    }

    /// Where the problem is, when it is in a source.
    pub fn location(&self) -> Option<&Location> {
        self.location.as_ref()
    }

    /// What the problem is.
    pub fn kind(&self) -> &DiagnosticKind {
        &self.kind
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(location) = &self.location {
            write!(f, "{location}: ")?;
        }
        match &self.kind {
            DiagnosticKind::Syntax(message) => f.write_str(message),
            DiagnosticKind::Io { path, message } => write!(f, "{}: {message}", path.display()),
            DiagnosticKind::InvalidLocale { path, tag } => write!(
                f,
                "{}: locale {tag:?} is not a BCP 47 language tag",
                path.display()
            ),
            DiagnosticKind::NoDefaultLocale => f.write_str(
                "no default locale: call `CatalogBuilder::default_locale` with a tag of the catalog",
            ),
            DiagnosticKind::DefaultLocaleMissing(tag) => {
                write!(f, "the default locale {tag:?} has no sources")
            }
            DiagnosticKind::Duplicate { id, first } => {
                write!(f, "duplicate id {id:?} (first defined at {first})")
            }
            DiagnosticKind::UnknownMessage(id) => {
                write!(f, "reference to unknown message {id:?}")
            }
            DiagnosticKind::UnknownTerm(id) => write!(f, "reference to unknown term \"-{id}\""),
            DiagnosticKind::UnknownAttribute { id, attribute } => {
                write!(f, "reference to unknown attribute {id}.{attribute}")
            }
            DiagnosticKind::MissingMessage(missing) => write!(f, "{missing}"),
            DiagnosticKind::VariableMismatch(mismatch) => mismatch.fmt_problem(f),
        }
    }
}

/// A catalog failed to build. Lists every problem found, not just the first.
///
/// `Display` writes one problem per line; each problem in a source starts with
/// `<path>:<line>:<column>: `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CatalogError {
    pub(crate) diagnostics: Vec<Diagnostic>,
}

impl CatalogError {
    /// Every problem, in the order found (locales and files in sorted order).
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }
}

impl fmt::Display for CatalogError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, diagnostic) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogError {}

/// A message of the default locale that a locale (and every locale in its
/// fallback chain before the default) lacks; it is shown in the default
/// locale's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingMessage {
    pub(crate) locale: String,
    pub(crate) id: String,
    pub(crate) default_locale: String,
}

impl MissingMessage {
    /// The locale that lacks the message, spelled as in the catalog.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The message id.
    pub fn id(&self) -> &str {
        &self.id
    }
}

impl fmt::Display for MissingMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: missing message {:?} (falls back to {})",
            self.locale, self.id, self.default_locale
        )
    }
}

/// A translation whose variables differ from the default locale's message:
/// it uses one the default's does not (a `{$name}` the application never
/// passes), or drops one it uses. Listed by
/// [`Catalog::variable_mismatches`](super::Catalog::variable_mismatches), an
/// error in [strict](super::CatalogBuilder::strict) mode.
///
/// Displays as `<path>:<line>:<column>: <locale>: message "<id>" uses
/// variable $<name>, which <default>'s does not` (or `does not use variable
/// $<name>, which <default>'s uses`), the location being the translation's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VariableMismatch {
    pub(crate) locale: String,
    pub(crate) id: String,
    pub(crate) variable: String,
    pub(crate) extra: bool,
    pub(crate) location: Location,
    pub(crate) default_locale: String,
}

impl VariableMismatch {
    /// The translation's locale, spelled as in the catalog.
    pub fn locale(&self) -> &str {
        &self.locale
    }

    /// The message id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The variable's name, without the `$`.
    pub fn variable(&self) -> &str {
        &self.variable
    }

    /// `true` when the translation uses the variable and the default
    /// locale's message does not; `false` when the translation drops it.
    pub fn is_extra(&self) -> bool {
        self.extra
    }

    /// Where the translation's message is defined.
    pub fn location(&self) -> &Location {
        &self.location
    }

    fn fmt_problem(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (locale, id, var, default) =
            (&self.locale, &self.id, &self.variable, &self.default_locale);
        if self.extra {
            write!(
                f,
                "{locale}: message {id:?} uses variable ${var}, which {default}'s does not"
            )
        } else {
            write!(
                f,
                "{locale}: message {id:?} does not use variable ${var}, which {default}'s uses"
            )
        }
    }
}

impl fmt::Display for VariableMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.location)?;
        self.fmt_problem(f)
    }
}

/// Line and column (both from 1, the column in characters) of byte `offset` in `source`.
pub(crate) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn line_and_column_count_from_one() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 6), (2, 1));
        // column counts characters, not bytes: `=` follows "bé " (3 chars, 4 bytes)
        assert_eq!(line_column(text, 6 + 4), (2, 4));
        assert_eq!(line_column(text, 1000), (3, 1));
    }
}
