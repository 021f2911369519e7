//! `CROCODILE_LOCALE_PREFIX`: the locale in the URL (`/fr/`, `/de/context`).

use axum::Router;
use crocodile::base_context::BaseContext;
use crocodile::i18n::I18nLayer;
use crocodile::i18n::prefix::{Alternates, ExcludedPaths, LocalePrefixLayer};
use serde_json::{Value, json};
use tower::Layer;

/// The paths redirect mode leaves where they are: what scripts and browsers
/// fetch by a fixed URL (`/context`, `/messages/{id}`, the favicon, static
/// assets, health checks). With a prefix they are still served in its locale.
const EXCLUDED: &str = "/context,/messages,/health,/static,/favicon.ico,/robots.txt";

/// `CROCODILE_LOCALE_PREFIX`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum LocalePrefix {
    /// No prefixes: `/fr/` is a path like any other (the default).
    #[default]
    Off,
    /// `/fr/...` is served in French; paths without a prefix negotiate.
    On,
    /// As `on`, and a page without a prefix redirects to the negotiated one.
    Redirect,
}

impl LocalePrefix {
    /// Every mode, in the order the error lists them.
    pub(crate) const ALL: [Self; 3] = [Self::Off, Self::On, Self::Redirect];

    fn as_str(self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::On => "on",
            Self::Redirect => "redirect",
        }
    }
}

impl std::str::FromStr for LocalePrefix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let value = s.trim();
        Self::ALL
            .into_iter()
            .find(|mode| mode.as_str().eq_ignore_ascii_case(value))
            .ok_or_else(|| format!("{value:?} is not a mode: expected `off`, `on` or `redirect`"))
    }
}

impl std::fmt::Display for LocalePrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `router` as the mode wants it: unchanged when `off`; otherwise wrapped in
/// a `LocalePrefixLayer` built from `i18n` (the router's own, so reloads
/// change the prefixes too) and made the fallback of an empty `Router`, so
/// it is served exactly as before and `OriginalUri` keeps the prefix.
pub(crate) fn wrap(mode: LocalePrefix, i18n: &I18nLayer, router: Router) -> Router {
    let prefix = match mode {
        LocalePrefix::Off => return router,
        LocalePrefix::On => LocalePrefixLayer::new(i18n),
        LocalePrefix::Redirect => LocalePrefixLayer::new(i18n)
            .redirect(true)
            .exclude(EXCLUDED.parse::<ExcludedPaths>().expect("the list parses")),
    };
    Router::new().fallback_service(prefix.layer(router))
}

/// The base every absolute alternate starts with: the origin and the base
/// path the proxy mounts the site under.
pub(crate) fn origin(ctx: &BaseContext) -> String {
    format!("{}{}", ctx.origin(), ctx.base_path())
}

/// `GET /context`'s `alternates`: `[{"hreflang", "href"}]`, absolute; empty
/// with `CROCODILE_LOCALE_PREFIX=off` (no page has a URL per locale then).
pub(crate) fn context_json(alternates: Option<&Alternates>, ctx: &BaseContext) -> Value {
    let Some(alternates) = alternates else {
        return json!([]);
    };
    let origin = origin(ctx);
    alternates
        .absolute(&origin)
        .map(|a| json!({ "hreflang": a.hreflang, "href": a.href }))
        .collect()
}
