//! [`I18nLayer`]: negotiation and cookie configuration.

use std::sync::Arc;

use http::HeaderValue;
use tower_layer::Layer;

use crate::negotiate::cache::NegotiationCache;
use crate::service::I18nService;
use crate::{Catalog, CookieDomain, CookieName, CookiePath, LocaleSource, SameSite};

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
/// `Localizer`'s box); negotiation allocates nothing, and stripping a path
/// prefix rebuilds the URI. `Accept-Language` results are remembered per
/// layer in a fixed-size cache (64 headers of up to 256 bytes, 19,456 bytes
/// allocated once by [`I18nLayer::new`] and shared by every service the
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
    /// `Accept-Language` value -> negotiated locale, for this catalog. Made
    /// by [`I18nLayer::new`] and kept by every builder method (the catalog
    /// never changes, so neither do the cached results).
    pub(crate) cache: Arc<NegotiationCache>,
    /// Whether the path source is on.
    pub(crate) path: bool,
    /// Per locale index.
    pub(crate) content_language: Box<[Option<HeaderValue>]>,
    /// Per locale index; all `None` when the cookie source is off.
    pub(crate) set_cookie: Box<[Option<HeaderValue>]>,
}

/// The settings as the builder methods set them.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) sources: Vec<LocaleSource>,
    pub(crate) strip_path: bool,
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
    fn new(settings: Settings, cache: Arc<NegotiationCache>) -> Self {
        let locales = &settings.catalog.locales;
        let content_language = locales
            .iter()
            .map(|l| HeaderValue::from_str(&l.tag).ok())
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
            path: settings.sources.contains(&LocaleSource::Path),
            cache,
            content_language,
            set_cookie,
            settings,
        }
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
            catalog: catalog.into(),
            sources: vec![
                LocaleSource::Query,
                LocaleSource::Cookie,
                LocaleSource::AcceptLanguage,
            ],
            strip_path: false,
            query_param: "lang".into(),
            cookie_name: CookieName::default(),
            cookie_path: Some(CookiePath::default()),
            cookie_domain: None,
            cookie_max_age: Some(31_536_000),
            cookie_same_site: Some(SameSite::Lax),
            cookie_secure: false,
            cookie_http_only: false,
        };
        Self {
            config: Arc::new(Config::new(settings, Arc::new(NegotiationCache::new()))),
        }
    }

    /// Applies one change to the settings and computes the configuration
    /// again, keeping the negotiation cache.
    fn with(self, change: impl FnOnce(&mut Settings)) -> Self {
        let mut settings = self.config.settings.clone();
        change(&mut settings);
        Self {
            config: Arc::new(Config::new(settings, Arc::clone(&self.config.cache))),
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
    /// off. The segment stays in the URI unless
    /// [`strip_path_prefix`](Self::strip_path_prefix) is on.
    pub fn path_source(self, on: bool) -> Self {
        self.with(|settings| {
            let listed = settings.sources.contains(&LocaleSource::Path);
            if on && !listed {
                settings.sources.insert(0, LocaleSource::Path);
            } else if !on {
                settings.sources.retain(|&s| s != LocaleSource::Path);
                settings.strip_path = false;
            }
        })
    }

    /// With `true`, removes the locale segment from the request's URI
    /// (`/fr/about?x` -> `/about?x`) so routes need not repeat it, and turns
    /// on the path source as [`path_source(true)`](Self::path_source) does.
    /// With `false` (the default), the URI is left as it is.
    ///
    /// To route on the stripped path, the layer must run before routing:
    /// wrap the whole `Router` (`I18nLayer::layer(&layer, router)` or
    /// `ServiceBuilder::new().layer(layer).service(router)`); axum's
    /// `Router::layer` runs a layer after the route is chosen.
    pub fn strip_path_prefix(self, strip: bool) -> Self {
        let layer = if strip { self.path_source(true) } else { self };
        layer.with(|settings| settings.strip_path = strip)
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

    /// The catalog this layer serves.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.config.settings.catalog
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
        assert!(Arc::ptr_eq(&secure.config().cache, &layer.config().cache));
    }
}
