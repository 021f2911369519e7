//! Matching one requested language against the catalog's locales.
//!
//! The steps are `fluent-langneg`'s (its `filter_matches`, after Unicode
//! TR35 section 4.4), taking the first hit, and skipping excluded locales:
//!
//! 1. the same tag (case-insensitive);
//! 2. a catalog locale that is a prefix of the request (`fr-CA` -> `fr`): so a
//!    parent beats a sibling region;
//! 3. the request with likely subtags added (`zh-TW` -> `zh-Hant-TW` ->
//!    `zh-Hant`; `zh-CN` -> `zh-Hans`);
//! 4. the same without variants, both sides as ranges;
//! 5. the request's language alone, maximized (`en-GB` -> `en-Latn-US` ->
//!    `en-US`);
//! 6. the language alone, both sides as ranges (any region of it).

use unic_langid::LanguageIdentifier;

use crate::Catalog;

/// The best catalog locale for `requested`, skipping those `excluded` names.
pub(crate) fn lookup(
    catalog: &Catalog,
    requested: &LanguageIdentifier,
    excluded: impl Fn(usize) -> bool,
) -> Option<usize> {
    let find = |req: &LanguageIdentifier, available_as_range: bool, requested_as_range: bool| {
        catalog.locales.iter().enumerate().find_map(|(i, locale)| {
            (!excluded(i)
                && locale
                    .id
                    .matches(req, available_as_range, requested_as_range))
            .then_some(i)
        })
    };
    if let Some(i) = find(requested, false, false).or_else(|| find(requested, true, false)) {
        return Some(i);
    }
    // TR35 4.4: likely subtags are not added to `und`.
    if requested.language.is_empty() {
        return None;
    }
    let mut req = requested.clone();
    if req.maximize() {
        if let Some(i) = find(&req, true, false) {
            return Some(i);
        }
    }
    req.clear_variants();
    if let Some(i) = find(&req, true, true) {
        return Some(i);
    }
    req.region = None;
    if req.maximize() {
        if let Some(i) = find(&req, true, false) {
            return Some(i);
        }
    }
    req.region = None;
    find(&req, true, true)
}

/// How many subtags a range has; a more specific range has more.
pub(crate) fn specificity(id: &LanguageIdentifier) -> usize {
    usize::from(!id.language.is_empty())
        + usize::from(id.script.is_some())
        + usize::from(id.region.is_some())
        + id.variants().len()
}

/// RFC 4647 section 3.3.1 basic filtering, by subtags: `range` matches `tag`
/// when each subtag `range` has equals `tag`'s (`en` matches `en-US`).
pub(crate) fn range_matches(range: &LanguageIdentifier, tag: &LanguageIdentifier) -> bool {
    range.matches(tag, true, false)
}
