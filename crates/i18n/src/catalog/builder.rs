//! [`CatalogBuilder`]: gathers sources, then validates and builds a [`Catalog`].

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use unic_langid::LanguageIdentifier;

use super::error::{
    CatalogError, Diagnostic, DiagnosticKind, MissingMessage, VariableMismatch, line_column,
};
use super::validate::Defined;
use super::{Catalog, Locale};

/// Builds a [`Catalog`]; see [`Catalog::builder`].
///
/// Nothing is read or checked until [`build`](Self::build), which reports
/// every problem at once.
#[derive(Debug, Clone)]
#[must_use]
pub struct CatalogBuilder {
    default_locale: Option<String>,
    dirs: Vec<PathBuf>,
    sources: Vec<(String, String, String)>,
    strict: bool,
    use_isolating: bool,
    #[cfg(feature = "pseudo")]
    pseudo: crate::PseudoLocales,
}

impl Default for CatalogBuilder {
    fn default() -> Self {
        Self {
            default_locale: None,
            dirs: Vec::new(),
            sources: Vec::new(),
            strict: false,
            use_isolating: true,
            #[cfg(feature = "pseudo")]
            pseudo: crate::PseudoLocales::default(),
        }
    }
}

/// One locale's tag (as first spelled), id and parsed resources.
type Group = (String, LanguageIdentifier, Vec<(PathBuf, FluentResource)>);

/// One FTL text and where it came from.
struct RawSource {
    locale: String,
    origin: PathBuf,
    text: String,
}

impl CatalogBuilder {
    /// The locale used when negotiation finds nothing, and the last step of
    /// every fallback chain. Required; it must have at least one source.
    pub fn default_locale(mut self, tag: impl Into<String>) -> Self {
        self.default_locale = Some(tag.into());
        self
    }

    /// Reads `<dir>/<locale>/*.ftl`: each subdirectory is a locale named by a
    /// BCP 47 tag (the directory's spelling is the catalog's, e.g. `zh-Hans`),
    /// each `.ftl` file in it (not in deeper folders) a resource. Other files
    /// are ignored. May be called more than once.
    pub fn dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.dirs.push(dir.into());
        self
    }

    /// The directories given to [`dir`](Self::dir), in order.
    #[cfg(feature = "watch")]
    pub(crate) fn dirs(&self) -> &[PathBuf] {
        &self.dirs
    }

    /// Adds an in-memory FTL source (e.g. from `include_str!`) to `locale`.
    /// `name` appears in error messages as `<locale>/<name>`.
    pub fn source(
        mut self,
        locale: impl Into<String>,
        name: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        self.sources.push((locale.into(), name.into(), text.into()));
        self
    }

    /// In strict mode a message of the default locale that another locale
    /// lacks is an error; otherwise it is listed in
    /// [`Catalog::missing_messages`]. Default: off.
    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    /// Whether formatted placeables are wrapped in Unicode bidi isolation
    /// marks (U+2068 ... U+2069), Fluent's `set_use_isolating`. Default: on,
    /// as in Fluent.
    ///
    /// The marks keep an interpolated value (a Latin name inside an Arabic
    /// sentence) from reordering its neighbours. In HTML they are invisible
    /// and harmless, but text that is compared, put in attributes that are
    /// parsed (URLs, ids) or sent to non-rendering consumers (logs, JSON for
    /// machines) should turn them off; in markup, `<bdi>` around the value
    /// does the same job.
    pub fn use_isolating(mut self, on: bool) -> Self {
        self.use_isolating = on;
        self
    }

    /// Adds these pseudo-locales (`en-XA`, `ar-XB`), made of the default
    /// locale's messages (see [`crate::pseudo`]); a locale of the catalog
    /// with the same tag is kept instead. Default: none.
    #[cfg(feature = "pseudo")]
    #[cfg_attr(docsrs, doc(cfg(feature = "pseudo")))]
    pub fn pseudo_locales(mut self, pseudo: crate::PseudoLocales) -> Self {
        self.pseudo = pseudo;
        self
    }

    /// Reads, parses and validates every source; fails with every problem.
    ///
    /// # Errors
    /// [`CatalogError`] lists: FTL syntax errors (`<path>:<line>:<column>:
    /// <message>`), unreadable files, directory names that are not language
    /// tags, a missing default locale, duplicate ids, references to messages,
    /// terms or attributes that do not exist in the same locale (also in a
    /// locale with syntax errors, except references to an entry the parser
    /// could not read), and, in strict mode, messages missing from a locale
    /// and [variable mismatches](Catalog::variable_mismatches).
    pub fn build(self) -> Result<Catalog, CatalogError> {
        let builder = self.clone();
        let mut diagnostics = Vec::new();
        let mut raw = Vec::new();
        for dir in &self.dirs {
            read_dir(dir, &mut raw, &mut diagnostics);
        }
        for (locale, name, text) in self.sources {
            let origin = PathBuf::from(format!("{locale}/{name}"));
            raw.push(RawSource {
                locale,
                origin,
                text,
            });
        }

        // Group the sources by locale (tags compare case-insensitively; the
        // first spelling seen is the catalog's).
        let mut groups: Vec<Group> = Vec::new();
        for source in raw {
            let Ok(id) = source.locale.parse::<LanguageIdentifier>() else {
                diagnostics.push(Diagnostic::new(
                    None,
                    DiagnosticKind::InvalidLocale {
                        path: source.origin,
                        tag: source.locale,
                    },
                ));
                continue;
            };
            let index = match groups.iter().position(|(_, g, _)| *g == id) {
                Some(i) => i,
                None => {
                    groups.push((source.locale, id, Vec::new()));
                    groups.len() - 1
                }
            };
            let resource = match FluentResource::try_new(source.text) {
                Ok(resource) => resource,
                Err((resource, errors)) => {
                    for error in errors {
                        let (line, column) = line_column(resource.source(), error.pos.start);
                        diagnostics.push(Diagnostic::new(
                            Some(super::Location {
                                path: source.origin.clone(),
                                line,
                                column,
                            }),
                            DiagnosticKind::Syntax(error.kind.to_string()),
                        ));
                    }
                    resource
                }
            };
            groups[index].2.push((source.origin, resource));
        }

        // The default locale goes first; the others in tag order.
        let default_index = match &self.default_locale {
            None => {
                diagnostics.push(Diagnostic::new(None, DiagnosticKind::NoDefaultLocale));
                None
            }
            Some(tag) => match tag.parse::<LanguageIdentifier>() {
                Err(_) => {
                    diagnostics.push(Diagnostic::new(
                        None,
                        DiagnosticKind::InvalidLocale {
                            path: PathBuf::from("default_locale"),
                            tag: tag.clone(),
                        },
                    ));
                    None
                }
                Ok(id) => {
                    let found = groups.iter().position(|(_, g, _)| *g == id);
                    if found.is_none() {
                        diagnostics.push(Diagnostic::new(
                            None,
                            DiagnosticKind::DefaultLocaleMissing(tag.clone()),
                        ));
                    }
                    found
                }
            },
        };
        let mut order: Vec<usize> = (0..groups.len()).collect();
        order.sort_by(|&a, &b| {
            (Some(a) != default_index, &groups[a].0).cmp(&(Some(b) != default_index, &groups[b].0))
        });

        // Per-locale definitions, duplicates and references.
        let mut defined: Vec<Defined> = Vec::with_capacity(groups.len());
        for &g in &order {
            let mut d = Defined::default();
            for (path, resource) in &groups[g].2 {
                d.add(path, resource, &mut diagnostics);
            }
            // Also with syntax errors in the locale: a reference to an entry
            // the parser gave up on is left out (`Defined::junk`).
            for (path, resource) in &groups[g].2 {
                d.check_references(path, resource, &mut diagnostics);
            }
            defined.push(d);
        }

        let Some(default_index) = default_index else {
            return Err(CatalogError { diagnostics });
        };
        // The pseudo-locales' messages: the default locale's, parsed again
        // (a resource belongs to one bundle); copied only when there are any.
        #[cfg(feature = "pseudo")]
        let default_texts: Vec<String> = if self.pseudo.as_slice().is_empty() {
            Vec::new()
        } else {
            groups[default_index]
                .2
                .iter()
                .map(|(_, resource)| resource.source().to_owned())
                .collect()
        };
        #[cfg(not(feature = "pseudo"))]
        let _ = default_index;

        let mut groups: Vec<Option<_>> = groups.into_iter().map(Some).collect();
        let mut locales: Vec<Locale> = order
            .iter()
            .filter_map(|&g| groups[g].take())
            .map(|(tag, id, resources)| {
                let (mut bundle, numbers) = new_bundle(&id, self.use_isolating);
                for (_, resource) in resources {
                    // Duplicates were reported above, with locations.
                    let _ = bundle.add_resource(resource);
                }
                Locale {
                    tag,
                    rtl: is_rtl(&id),
                    id,
                    bundle,
                    chain: Box::new([]),
                    pseudo: false,
                    numbers,
                }
            })
            .collect();

        for i in 0..locales.len() {
            locales[i].chain = fallback_chain(&locales, i);
        }

        let missing = missing_messages(&locales, &defined);
        let mismatches = variable_mismatches(&locales, &defined);
        #[cfg(feature = "pseudo")]
        for &pseudo in self.pseudo.as_slice() {
            let id: LanguageIdentifier = pseudo.tag().parse().expect("a valid tag");
            if locales.iter().any(|l| l.id == id) {
                continue;
            }
            let (mut bundle, numbers) = new_bundle(&id, self.use_isolating);
            bundle.set_transform(Some(pseudo.transform()));
            for text in &default_texts {
                // Already parsed and reported above as the default locale's.
                let resource = FluentResource::try_new(text.clone()).unwrap_or_else(|(r, _)| r);
                let _ = bundle.add_resource(resource);
            }
            locales.push(Locale {
                tag: pseudo.tag().to_owned(),
                rtl: is_rtl(&id),
                id,
                bundle,
                // Every message is its own: only the default after it.
                chain: vec![locales.len(), 0].into_boxed_slice(),
                pseudo: true,
                numbers,
            });
        }
        if self.strict {
            diagnostics.extend(
                missing
                    .iter()
                    .cloned()
                    .map(|m| Diagnostic::new(None, DiagnosticKind::MissingMessage(m))),
            );
            diagnostics.extend(mismatches.iter().cloned().map(|m| {
                Diagnostic::new(
                    Some(m.location.clone()),
                    DiagnosticKind::VariableMismatch(m),
                )
            }));
        }
        if !diagnostics.is_empty() {
            return Err(CatalogError { diagnostics });
        }
        let index = locales
            .iter()
            .enumerate()
            .map(|(i, l)| (l.tag.to_ascii_lowercase(), i))
            .collect::<HashMap<_, _>>();
        Ok(Catalog {
            locales,
            index,
            missing,
            mismatches,
            builder,
        })
    }
}

/// An empty bundle for `id` with the catalog's settings and its numbers:
/// ICU4X's formatters and `NUMBER()` with the `icu` feature, Fluent's own
/// `NUMBER()` (the same digits in every locale) without.
fn new_bundle(
    id: &LanguageIdentifier,
    use_isolating: bool,
) -> (FluentBundle<FluentResource>, super::Numbers) {
    let mut bundle = FluentBundle::new_concurrent(vec![id.clone()]);
    bundle.set_use_isolating(use_isolating);
    #[cfg(feature = "icu")]
    {
        let numbers = crate::number::install(&mut bundle, id);
        (bundle, numbers)
    }
    #[cfg(not(feature = "icu"))]
    {
        // A fresh bundle has no functions: this cannot collide.
        let _ = bundle.add_builtins();
        (bundle, ())
    }
}

/// Whether `id`'s script is written right to left.
fn is_rtl(id: &LanguageIdentifier) -> bool {
    matches!(
        id.character_direction(),
        unic_langid::CharacterDirection::RTL
    )
}

/// Collects `<dir>/<locale>/*.ftl`, each directory and file in sorted order.
fn read_dir(dir: &Path, raw: &mut Vec<RawSource>, diagnostics: &mut Vec<Diagnostic>) {
    let io = |path: &Path, e: std::io::Error| {
        Diagnostic::new(
            None,
            DiagnosticKind::Io {
                path: path.to_owned(),
                message: e.to_string(),
            },
        )
    };
    let mut locale_dirs = match sorted_entries(dir) {
        Ok(entries) => entries,
        Err(e) => return diagnostics.push(io(dir, e)),
    };
    locale_dirs.retain(|p| p.is_dir());
    for locale_dir in locale_dirs {
        let Some(locale) = locale_dir.file_name().and_then(|n| n.to_str()) else {
            diagnostics.push(Diagnostic::new(
                None,
                DiagnosticKind::InvalidLocale {
                    path: locale_dir.clone(),
                    tag: locale_dir.to_string_lossy().into_owned(),
                },
            ));
            continue;
        };
        if locale.parse::<LanguageIdentifier>().is_err() {
            diagnostics.push(Diagnostic::new(
                None,
                DiagnosticKind::InvalidLocale {
                    path: locale_dir.clone(),
                    tag: locale.to_owned(),
                },
            ));
            continue;
        }
        let locale = locale.to_owned();
        let files = match sorted_entries(&locale_dir) {
            Ok(files) => files,
            Err(e) => {
                diagnostics.push(io(&locale_dir, e));
                continue;
            }
        };
        for file in files {
            if file.extension().is_none_or(|e| e != "ftl") || !file.is_file() {
                continue;
            }
            match fs::read_to_string(&file) {
                Ok(text) => raw.push(RawSource {
                    locale: locale.clone(),
                    origin: file,
                    text,
                }),
                Err(e) => diagnostics.push(io(&file, e)),
            }
        }
    }
}

fn sorted_entries(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut entries = fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

/// `locale`, its parents in the catalog (drop variants, then region, then
/// script: `zh-Hant-TW -> zh-Hant -> zh`), then the default (index 0).
fn fallback_chain(locales: &[Locale], i: usize) -> Box<[usize]> {
    let mut chain = vec![i];
    let mut id = locales[i].id.clone();
    let push = |id: &LanguageIdentifier, chain: &mut Vec<usize>| {
        if let Some(j) = locales.iter().position(|l| l.id == *id) {
            if !chain.contains(&j) {
                chain.push(j);
            }
        }
    };
    if id.variants().len() > 0 {
        id.clear_variants();
        push(&id, &mut chain);
    }
    if id.region.take().is_some() {
        push(&id, &mut chain);
    }
    if id.script.take().is_some() {
        push(&id, &mut chain);
    }
    if !chain.contains(&0) {
        chain.push(0);
    }
    chain.into_boxed_slice()
}

/// Messages of the default locale that a locale's chain (before the default)
/// does not define.
fn missing_messages(locales: &[Locale], defined: &[Defined]) -> Vec<MissingMessage> {
    let Some(default) = defined.first() else {
        return Vec::new();
    };
    let mut ids: Vec<&String> = default.messages.keys().collect();
    ids.sort();
    let mut missing = Vec::new();
    for (i, locale) in locales.iter().enumerate().skip(1) {
        for id in &ids {
            let found = locale
                .chain
                .iter()
                .filter(|&&j| j != 0)
                .any(|&j| defined[j].messages.contains_key(id.as_str()));
            if !found {
                missing.push(MissingMessage {
                    locale: locales[i].tag.clone(),
                    id: (*id).clone(),
                    default_locale: locales[0].tag.clone(),
                });
            }
        }
    }
    missing
}

/// Translations (each locale's own definition of a default-locale message)
/// whose variables differ from the default's: extra and dropped ones, by
/// locale, id and variable.
fn variable_mismatches(locales: &[Locale], defined: &[Defined]) -> Vec<VariableMismatch> {
    let Some(default) = defined.first() else {
        return Vec::new();
    };
    let mut ids: Vec<(&String, &super::validate::Entry)> = default.messages.iter().collect();
    ids.sort_by_key(|&(id, _)| id);
    let mut out = Vec::new();
    for (i, d) in defined.iter().enumerate().skip(1) {
        for &(id, expected) in &ids {
            let Some(found) = d.messages.get(id.as_str()) else {
                continue;
            };
            let extra = found
                .variables
                .difference(&expected.variables)
                .map(|v| (v, true));
            let dropped = expected
                .variables
                .difference(&found.variables)
                .map(|v| (v, false));
            let mut differ: Vec<(&String, bool)> = extra.chain(dropped).collect();
            differ.sort();
            out.extend(
                differ
                    .into_iter()
                    .map(|(variable, extra)| VariableMismatch {
                        locale: locales[i].tag.clone(),
                        id: id.clone(),
                        variable: variable.clone(),
                        extra,
                        location: found.location.clone(),
                        default_locale: locales[0].tag.clone(),
                    }),
            );
        }
    }
    out
}
