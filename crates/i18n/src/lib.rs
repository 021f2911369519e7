#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod catalog;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod layer;
pub mod localizer;
pub mod negotiate;
mod service;

pub use catalog::{Catalog, CatalogBuilder, CatalogError, MissingMessage};
#[cfg(feature = "axum")]
pub use extract::MissingLocalizer;
pub use future::ResponseFuture;
pub use layer::{ConfigError, I18nLayer, SameSite};
pub use localizer::Localizer;
pub use negotiate::LocaleSource;
pub use service::I18n;

/// Fluent's argument map, for [`Localizer::format`].
pub use fluent_bundle::{FluentArgs, FluentValue};
/// The language identifier type of `fluent-bundle` (from `unic-langid`).
pub use unic_langid::LanguageIdentifier;

#[cfg(test)]
mod layer_tests;
