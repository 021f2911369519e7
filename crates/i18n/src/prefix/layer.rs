//! [`LocalePrefixLayer`]: the locale prefix's configuration.

use std::sync::Arc;

use tower_layer::Layer;

use super::{ExcludedPaths, LocalePrefixService};
use crate::I18nLayer;
use crate::layer::Config as I18nConfig;

/// Routes `/fr/about` as `/about` in French: wraps a whole router (it must
/// run before routing), takes a first path segment that is a catalog locale
/// off the URI, and hands that locale to the [`I18nLayer`] inside as the
/// request's choice. Every request gets [`Alternates`](super::Alternates),
/// the page's URL in each catalog locale.
///
/// Built from the `I18nLayer` the router uses, so both read one catalog:
/// after a [`reload`](I18nLayer::reload) the new catalog's locales are the
/// prefixes. Build it from the final layer (a builder method makes a new,
/// separate `I18nLayer`).
///
/// With [`redirect(true)`](Self::redirect), a `GET` or `HEAD` without a
/// prefix is sent to the negotiated one; see the [module](super) for every
/// rule.
#[derive(Debug, Clone)]
#[must_use]
pub struct LocalePrefixLayer {
    pub(super) config: Arc<PrefixConfig>,
}

/// What every request needs; one `Arc` per layer value.
#[derive(Debug, Clone)]
pub(crate) struct PrefixConfig {
    /// The `I18nLayer`'s configuration: its current catalog generation, its
    /// query parameter, cookie name and sources.
    pub(crate) i18n: Arc<I18nConfig>,
    pub(crate) redirect: bool,
    pub(crate) excluded: ExcludedPaths,
}

impl LocalePrefixLayer {
    /// Prefixes for the locales of `i18n`'s catalog; no redirects, no
    /// excluded paths.
    pub fn new(i18n: &I18nLayer) -> Self {
        Self {
            config: Arc::new(PrefixConfig {
                i18n: Arc::clone(i18n.config()),
                redirect: false,
                excluded: ExcludedPaths::new(),
            }),
        }
    }

    fn with(self, change: impl FnOnce(&mut PrefixConfig)) -> Self {
        let mut config = PrefixConfig::clone(&self.config);
        change(&mut config);
        Self {
            config: Arc::new(config),
        }
    }

    /// With `true`, redirects a `GET` or `HEAD` whose path has no locale
    /// prefix to the negotiated one (`/about` -> `/fr/about`), an uppercase
    /// prefix to the catalog's spelling, and `?lang=de` on `/fr/about` to
    /// `/de/about`. Default `false`: every path is served where it is.
    pub fn redirect(self, on: bool) -> Self {
        self.with(|config| config.redirect = on)
    }

    /// Paths that are never redirected (default: none); see
    /// [`ExcludedPaths`].
    pub fn exclude(self, paths: ExcludedPaths) -> Self {
        self.with(|config| config.excluded = paths)
    }

    /// Whether paths without a prefix are redirected.
    pub fn redirects(&self) -> bool {
        self.config.redirect
    }

    /// The paths that are never redirected.
    pub fn excluded(&self) -> &ExcludedPaths {
        &self.config.excluded
    }
}

impl<S> Layer<S> for LocalePrefixLayer {
    type Service = LocalePrefixService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        LocalePrefixService::new(inner, self)
    }
}
