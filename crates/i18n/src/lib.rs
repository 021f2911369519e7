#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod catalog;
pub mod config;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod layer;
pub mod localizer;
pub mod negotiate;
#[cfg(feature = "icu")]
#[cfg_attr(docsrs, doc(cfg(feature = "icu")))]
pub mod number;
pub mod prefix;
#[cfg(feature = "pseudo")]
#[cfg_attr(docsrs, doc(cfg(feature = "pseudo")))]
pub mod pseudo;
#[cfg(feature = "axum")]
mod rejection;
mod service;
#[cfg(feature = "watch")]
mod watch;

pub use catalog::{Catalog, CatalogBuilder, CatalogError, MissingMessage, VariableMismatch};
pub use config::{ConfigError, CookieDomain, CookieName, CookiePath, LocaleSources, SameSite};
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use extract::MissingLocalizer;
pub use future::ResponseFuture;
pub use layer::{I18nLayer, ReloadReport};
pub use localizer::{FormatError, Localizer};
pub use negotiate::LocaleSource;
#[cfg(feature = "pseudo")]
#[cfg_attr(docsrs, doc(cfg(feature = "pseudo")))]
pub use pseudo::{PseudoLocale, PseudoLocales};
pub use service::I18nService;
#[cfg(feature = "watch")]
#[cfg_attr(docsrs, doc(cfg(feature = "watch")))]
pub use watch::{CatalogWatcher, WatchError};

/// Fluent's argument map and value type, for [`Localizer::format`], and its
/// error type, in [`FormatError::Fluent`].
pub use fluent_bundle::{FluentArgs, FluentError, FluentValue};
/// The language identifier type of `fluent-bundle` (from `unic-langid`).
pub use unic_langid::LanguageIdentifier;

#[cfg(test)]
mod layer_tests;
