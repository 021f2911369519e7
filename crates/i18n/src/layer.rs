//! [`I18nLayer`]: negotiation and cookie configuration.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use arc_swap::ArcSwap;
use http::HeaderValue;
use tower_layer::Layer;

use crate::negotiate::cache::NegotiationCache;
use crate::service::I18nService;
use crate::{
    Catalog, CatalogBuilder, CatalogError, CookieDomain, CookieName, CookiePath, LocaleSource,
    SameSite,
};

/// Negotiates each request's locale, inserts a [`Localizer`](crate::Localizer)
/// and sets `Content-Language`, `Vary` and (for `?lang=`) `Set-Cookie`.
///
/// Sources, in the default order: the query parameter `lang`, the cookie
/// `lang`, `Accept-Language`; then the catalog's default locale. The first
/// source naming a locale the catalog can serve decides (see
/// [`negotiate`](crate::negotiate)).
///
/// On the response:
/// - `Content-Language: <tag>` unless the handler set one;
/// - `Vary` gains the request headers that were consulted before the deciding
///   source (`Accept-Language`, `Cookie`), keeping what is there, adding no
///   duplicate, and nothing when `Vary: *`; the query and path are part of
///   the URL already;
/// - when the query parameter decided and the cookie source is on,
///   `Set-Cookie: lang=<tag>; Path=/; Max-Age=31536000; SameSite=Lax`
///   (appended, so other cookies stay).
///
/// Per request it costs one `Arc` clone and the extension insert (the
/// `Localizer`'s box); negotiation allocates nothing. `Accept-Language`
/// results are remembered per layer in a fixed-size cache (64 headers of up to 256 bytes, 17,920 bytes
/// allocated once by [`I18nLayer::new`] and by each
/// [`reload`](I18nLayer::reload), and shared by every service the
/// layer and its clones build; see the crate's README), so a
/// browser's repeated header is hashed and compared, not parsed again. It
/// trusts nothing in the request: every value is only ever matched against
/// the catalog.
///
/// # Example
/// ```
/// use std::convert::Infallible;
/// use crocodile_i18n::{Catalog, I18nLayer, Localizer};
/// use http::{Request, Response};
/// use tower::{ServiceBuilder, ServiceExt};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let catalog = Catalog::builder()
///     .default_locale("en")
///     .source("en", "m.ftl", "hi = Hi")
///     .source("fr", "m.ftl", "hi = Salut")
///     .build()
///     .unwrap();
/// let svc = ServiceBuilder::new()
///     .layer(I18nLayer::new(catalog))
///     .service_fn(|req: Request<()>| async move {
///         let l10n = req.extensions().get::<Localizer>().unwrap();
///         Ok::<_, Infallible>(Response::new(l10n.text("hi").into_owned()))
///     });
///
/// let response = svc.oneshot(Request::get("/?lang=fr").body(()).unwrap()).await.unwrap();
/// assert_eq!(response.body(), "Salut");
/// assert_eq!(response.headers()["content-language"], "fr");
/// assert_eq!(
///     response.headers()["set-cookie"],
///     "lang=fr; Path=/; Max-Age=31536000; SameSite=Lax"
/// );
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct I18nLayer {
    /// Built once by `new` and each builder method; `layer()` clones it.
    config: Arc<Config>,
}

/// What every request needs, computed when the layer is configured.
#[derive(Debug)]
pub(crate) struct Config {
    pub(crate) settings: Settings,
    /// The catalog and everything derived from it, replaced as one unit by
    /// [`I18nLayer::reload`]; a request loads it once and keeps it.
    pub(crate) generation: ArcSwap<Generation>,
    /// Serializes reloads, so generations are numbered in order and the
    /// last files read win.
    reloading: Mutex<()>,
}

/// One catalog and what is derived from it: a request that negotiated with
/// this cache (locale indices) formats with this catalog and answers with
/// these headers, whatever reload happens meanwhile.
#[derive(Debug)]
pub(crate) struct Generation {
    pub(crate) catalog: Arc<Catalog>,
    /// `Accept-Language` value -> locale index of `catalog`. Kept by every
    /// builder method (same catalog), new with each reload.
    pub(crate) cache: Arc<NegotiationCache>,
    /// Per locale index.
    pub(crate) content_language: Box<[Option<HeaderValue>]>,
    /// Per locale index; all `None` when the cookie source is off.
    pub(crate) set_cookie: Box<[Option<HeaderValue>]>,
    /// 0 for the layer's first catalog, then one more per reload.
    number: u64,
}

/// The settings as the builder methods set them.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) sources: Vec<LocaleSource>,
    pub(crate) query_param: Box<str>,
    pub(crate) cookie_name: CookieName,
    cookie_path: Option<CookiePath>,
    cookie_domain: Option<CookieDomain>,
    cookie_max_age: Option<u64>,
    cookie_same_site: Option<SameSite>,
    cookie_secure: bool,
    cookie_http_only: bool,
}

impl Config {
    fn new(settings: Settings, generation: Generation) -> Self {
        Self {
            generation: ArcSwap::from_pointee(generation),
            reloading: Mutex::new(()),
            settings,
        }
    }
}

impl Generation {
    fn new(
        catalog: Arc<Catalog>,
        cache: Arc<NegotiationCache>,
        settings: &Settings,
        number: u64,
    ) -> Self {
        let locales = &catalog.locales;
        let content_language = locales
            .iter()
            .map(|l| crate::future::content_language(&l.tag))
            .collect();
        let set_cookie = if settings.sources.contains(&LocaleSource::Cookie) {
            locales
                .iter()
                .map(|l| settings.set_cookie_value(&l.tag))
                .collect()
        } else {
            locales.iter().map(|_| None).collect()
        };
        Self {
            catalog,
            cache,
            content_language,
            set_cookie,
            number,
        }
    }
}

/// What [`I18nLayer::reload`] installed.
///
/// It holds the new catalog (so its
/// [`missing_messages`](Catalog::missing_messages) and
/// [`variable_mismatches`](Catalog::variable_mismatches) can be logged):
/// drop it once read, or it keeps that catalog alive after the next reload.
/// `Display` gives one line for a log.
#[derive(Debug, Clone)]
pub struct ReloadReport {
    generation: u64,
    catalog: Arc<Catalog>,
    added: Vec<String>,
    removed: Vec<String>,
}

impl ReloadReport {
    /// The new generation's number: the layer's first catalog is 0, each
    /// successful reload adds one.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The catalog now served.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// Locales the new catalog has and the old one lacked.
    pub fn added_locales(&self) -> &[String] {
        &self.added
    }

    /// Locales the old catalog had and the new one lacks. Requests that
    /// negotiated one of them before the reload finish with it.
    pub fn removed_locales(&self) -> &[String] {
        &self.removed
    }
}

impl fmt::Display for ReloadReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "catalog generation {}: {} locales",
            self.generation,
            self.catalog.locales.len()
        )?;
        if !self.added.is_empty() {
            write!(f, ", added {}", self.added.join(" "))?;
        }
        if !self.removed.is_empty() {
            write!(f, ", removed {}", self.removed.join(" "))?;
        }
        write!(
            f,
            ", {} missing messages, {} variable mismatches",
            self.catalog.missing_messages().len(),
            self.catalog.variable_mismatches().len()
        )
    }
}

impl Settings {
    fn set_cookie_value(&self, tag: &str) -> Option<HeaderValue> {
        use std::fmt::Write as _;
        let mut cookie = format!("{}={tag}", self.cookie_name);
        if let Some(path) = &self.cookie_path {
            let _ = write!(cookie, "; Path={path}");
        }
        if let Some(domain) = &self.cookie_domain {
            let _ = write!(cookie, "; Domain={domain}");
        }
        if let Some(max_age) = self.cookie_max_age {
            let _ = write!(cookie, "; Max-Age={max_age}");
        }
        if let Some(same_site) = self.cookie_same_site {
            let _ = write!(cookie, "; SameSite={same_site}");
        }
        if self.cookie_secure {
            cookie.push_str("; Secure");
        }
        if self.cookie_http_only {
            cookie.push_str("; HttpOnly");
        }
        HeaderValue::try_from(cookie).ok()
    }
}

impl I18nLayer {
    /// A layer serving `catalog` (a [`Catalog`] or an `Arc<Catalog>`).
    pub fn new(catalog: impl Into<Arc<Catalog>>) -> Self {
        let settings = Settings {
            sources: vec![
                LocaleSource::Query,
                LocaleSource::Cookie,
                LocaleSource::AcceptLanguage,
            ],
            query_param: "lang".into(),
            cookie_name: CookieName::default(),
            cookie_path: Some(CookiePath::default()),
            cookie_domain: None,
            cookie_max_age: Some(31_536_000),
            cookie_same_site: Some(SameSite::Lax),
            cookie_secure: false,
            cookie_http_only: false,
        };
        let generation = Generation::new(
            catalog.into(),
            Arc::new(NegotiationCache::new()),
            &settings,
            0,
        );
        Self {
            config: Arc::new(Config::new(settings, generation)),
        }
    }

    /// Applies one change to the settings and computes the configuration
    /// again, keeping the catalog and the negotiation cache. The result is
    /// a new layer: reloading it does not reload `self`, and the reverse.
    fn with(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.config.settings.clone();
        change(&mut settings);
        let current = self.config.generation.load();
        let generation = Generation::new(
            Arc::clone(&current.catalog),
            Arc::clone(&current.cache),
            &settings,
            current.number,
        );
        Self {
            config: Arc::new(Config::new(settings, generation)),
        }
    }

    /// The sources to ask, in order (duplicates are dropped;
    /// [`LocaleSource::Default`] is always last and need not be listed).
    /// A list from configuration parses as
    /// [`LocaleSources`](crate::LocaleSources): `"query,cookie,accept-language"`.
    pub fn sources(self, sources: impl IntoIterator<Item = LocaleSource>) -> Self {
        self.with(|settings| {
            settings.sources.clear();
            for source in sources {
                if source != LocaleSource::Default && !settings.sources.contains(&source) {
                    settings.sources.push(source);
                }
            }
        })
    }

    /// With `true`, turns on the path source (`/fr/...`: a first segment
    /// that is a catalog tag, compared case-insensitively), first in order
    /// unless [`sources`](Self::sources) placed it; with `false`, turns it
    /// off. The segment stays in the URI, for routes that name it
    /// (`/{lang}/about`); to route without it (`/about`), with redirects and
    /// `hreflang` alternates, wrap the router in a
    /// [`LocalePrefixLayer`](crate::prefix::LocalePrefixLayer) instead.
    pub fn path_source(self, on: bool) -> Self {
        self.with(|settings| {
            let listed = settings.sources.contains(&LocaleSource::Path);
            if on && !listed {
                settings.sources.insert(0, LocaleSource::Path);
            } else if !on {
                settings.sources.retain(|&s| s != LocaleSource::Path);
            }
        })
    }

    /// The query parameter of the query source (default `lang`), compared
    /// byte for byte with the raw (undecoded) key.
    pub fn query_param(self, name: impl Into<String>) -> Self {
        let name = name.into().into_boxed_str();
        self.with(|settings| settings.query_param = name)
    }

    /// The cookie read by the cookie source and written when the query source
    /// decides (default `lang`).
    pub fn cookie_name(self, name: CookieName) -> Self {
        self.with(|settings| settings.cookie_name = name)
    }

    /// The cookie's `Path` (default `/`; `None` leaves it out).
    pub fn cookie_path(self, path: Option<CookiePath>) -> Self {
        self.with(|settings| settings.cookie_path = path)
    }

    /// The cookie's `Domain` (default: none, a host-only cookie).
    pub fn cookie_domain(self, domain: Option<CookieDomain>) -> Self {
        self.with(|settings| settings.cookie_domain = domain)
    }

    /// The cookie's `Max-Age` in seconds (default one year; `None` makes it
    /// a session cookie).
    pub fn cookie_max_age(self, seconds: Option<u64>) -> Self {
        self.with(|settings| settings.cookie_max_age = seconds)
    }

    /// The cookie's `SameSite` (default `Lax`; `None` leaves it out).
    pub fn cookie_same_site(self, same_site: Option<SameSite>) -> Self {
        self.with(|settings| settings.cookie_same_site = same_site)
    }

    /// Adds `Secure` to the cookie (default off, so it works over plain HTTP
    /// in development; turn it on behind HTTPS).
    pub fn cookie_secure(self, secure: bool) -> Self {
        self.with(|settings| settings.cookie_secure = secure)
    }

    /// Adds `HttpOnly` to the cookie (default off: a language choice is not
    /// a secret and client scripts may want to read it).
    pub fn cookie_http_only(self, http_only: bool) -> Self {
        self.with(|settings| settings.cookie_http_only = http_only)
    }

    /// The catalog this layer serves now (the last one installed by
    /// [`reload`](Self::reload); requests already under way keep theirs).
    pub fn catalog(&self) -> Arc<Catalog> {
        Arc::clone(&self.config.generation.load().catalog)
    }

    /// The number of the catalog served now: 0 for the first, one more per
    /// successful reload.
    pub fn generation(&self) -> u64 {
        self.config.generation.load().number
    }

    /// Builds the catalog again from the sources it was built from
    /// ([`Catalog::rebuild`]: directories read again) and, when it builds,
    /// serves it from the next request on, with a new negotiation cache
    /// and headers, all replaced at once. Every clone of this layer and
    /// every service made from them see the change; a layer made from this
    /// one by a builder method afterwards is a separate layer. A request
    /// under way keeps the catalog it started with, even when its locale is
    /// gone from the new one.
    ///
    /// Reloads are serialized; a request never waits for one.
    ///
    /// # Errors
    /// The new catalog's [`CatalogError`], from exactly the validation of
    /// start-up (every problem, each in a source as `path:line:col`); the
    /// old catalog stays.
    ///
    /// # Example
    /// ```
    /// use crocodile_i18n::{Catalog, I18nLayer};
    ///
    /// let layer = I18nLayer::new(
    ///     Catalog::builder().default_locale("en").source("en", "m.ftl", "hi = Hi").build().unwrap(),
    /// );
    /// let report = layer.reload().unwrap();
    /// assert_eq!(report.generation(), 1);
    /// assert_eq!(layer.generation(), 1);
    ///
    /// let broken = Catalog::builder().default_locale("en").source("en", "m.ftl", "hi = { -x }");
    /// let error = layer.reload_from(broken).unwrap_err();
    /// assert_eq!(error.to_string(), r#"en/m.ftl:1:9: reference to unknown term "-x""#);
    /// assert_eq!(layer.generation(), 1); // the old catalog stays
    /// ```
    pub fn reload(&self) -> Result<ReloadReport, CatalogError> {
        let _reloading = self
            .config
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let catalog = self.config.generation.load().catalog.rebuild()?;
        Ok(self.install(Arc::new(catalog)))
    }

    /// As [`reload`](Self::reload), from `builder`'s sources and settings
    /// (which later reloads then use).
    ///
    /// # Errors
    /// As [`reload`](Self::reload); the old catalog stays.
    pub fn reload_from(&self, builder: CatalogBuilder) -> Result<ReloadReport, CatalogError> {
        let _reloading = self
            .config
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let catalog = builder.build()?;
        Ok(self.install(Arc::new(catalog)))
    }

    /// Serves `catalog` from the next request on, as a successful
    /// [`reload`](Self::reload) does.
    pub fn replace_catalog(&self, catalog: impl Into<Arc<Catalog>>) -> ReloadReport {
        let _reloading = self
            .config
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.install(catalog.into())
    }

    /// Swaps in a generation for `catalog`; the caller holds `reloading`.
    fn install(&self, catalog: Arc<Catalog>) -> ReloadReport {
        let old = self.config.generation.load_full();
        let number = old.number + 1;
        let generation = Generation::new(
            Arc::clone(&catalog),
            Arc::new(NegotiationCache::new()),
            &self.config.settings,
            number,
        );
        self.config.generation.store(Arc::new(generation));
        let tags = |c: &Catalog| c.locales().map(str::to_owned).collect::<Vec<_>>();
        let (before, after) = (tags(&old.catalog), tags(&catalog));
        drop(old);
        ReloadReport {
            generation: number,
            added: after
                .iter()
                .filter(|t| !before.contains(t))
                .cloned()
                .collect(),
            removed: before
                .iter()
                .filter(|t| !after.contains(t))
                .cloned()
                .collect(),
            catalog,
        }
    }

    pub(crate) fn config(&self) -> &Arc<Config> {
        &self.config
    }
}

impl<S> Layer<S> for I18nLayer {
    type Service = I18nService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        I18nService::new(inner, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// axum calls `layer()` once per route: every service shares the one
    /// configuration (and so the one negotiation cache), and builder
    /// methods keep the cache of the layer they start from.
    #[test]
    fn layer_only_clones_the_configuration() {
        let catalog = Catalog::builder()
            .default_locale("en")
            .source("en", "m.ftl", "hi = Hi")
            .build()
            .unwrap();
        let layer = I18nLayer::new(catalog);
        let a = layer.layer(());
        let b = layer.layer(());
        assert!(Arc::ptr_eq(a.config(), layer.config()));
        assert!(Arc::ptr_eq(b.config(), layer.config()));
        let secure = layer.clone().cookie_secure(true);
        assert!(!Arc::ptr_eq(secure.config(), layer.config()));
        assert!(Arc::ptr_eq(
            &secure.config().generation.load().cache,
            &layer.config().generation.load().cache
        ));
    }
}
