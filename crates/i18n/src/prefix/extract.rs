//! [`Alternates`] as an axum extractor, required or optional (`axum` feature).

use super::Alternates;

crate::rejection::extension_extractor!(
    Alternates,
    MissingAlternates,
    "LocalePrefixLayer",
    "crate::prefix::LocalePrefixLayer",
    "Missing request extension `Alternates`. Is `LocalePrefixLayer` installed around the router?",
    "crocodile_i18n::prefix::MissingAlternates"
);
