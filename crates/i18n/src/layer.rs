//! [`I18nLayer`]: negotiation and cookie configuration.

use std::fmt;
use std::sync::Arc;

use http::HeaderValue;
use tower_layer::Layer;

use crate::negotiate::cache::NegotiationCache;
use crate::service::{I18n, Shared};
use crate::{Catalog, LocaleSource};

/// The `SameSite` attribute of the language cookie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    /// `SameSite=Strict`.
    Strict,
    /// `SameSite=Lax` (the default).
    Lax,
    /// `SameSite=None` (browsers then require `Secure`).
    None,
}

/// A layer setting was not valid; names the setting and the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    setting: &'static str,
    value: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid {}: {:?}", self.setting, self.value)
    }
}

impl std::error::Error for ConfigError {}

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
/// allocated once when the layer is built; see the crate's README), so a
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
    catalog: Arc<Catalog>,
    /// Shared by every service this layer (and its clones) wraps: the
    /// catalog never changes, so neither do the cached results.
    cache: Arc<NegotiationCache>,
    sources: Vec<LocaleSource>,
    strip_path: bool,
    query_param: String,
    cookie_name: String,
    cookie_path: Option<String>,
    cookie_domain: Option<String>,
    cookie_max_age: Option<u64>,
    cookie_same_site: Option<SameSite>,
    cookie_secure: bool,
    cookie_http_only: bool,
}

impl I18nLayer {
    /// A layer serving `catalog` (a [`Catalog`] or an `Arc<Catalog>`).
    pub fn new(catalog: impl Into<Arc<Catalog>>) -> Self {
        Self {
            catalog: catalog.into(),
            cache: Arc::new(NegotiationCache::new()),
            sources: vec![
                LocaleSource::Query,
                LocaleSource::Cookie,
                LocaleSource::AcceptLanguage,
            ],
            strip_path: false,
            query_param: "lang".to_owned(),
            cookie_name: "lang".to_owned(),
            cookie_path: Some("/".to_owned()),
            cookie_domain: None,
            cookie_max_age: Some(31_536_000),
            cookie_same_site: Some(SameSite::Lax),
            cookie_secure: false,
            cookie_http_only: false,
        }
    }

    /// The sources to ask, in order (duplicates are dropped;
    /// [`LocaleSource::Default`] is always last and need not be listed).
    pub fn sources(mut self, sources: impl IntoIterator<Item = LocaleSource>) -> Self {
        self.sources.clear();
        for source in sources {
            if source != LocaleSource::Default && !self.sources.contains(&source) {
                self.sources.push(source);
            }
        }
        self
    }

    /// Turns on the path source (`/fr/...`: a first segment that is a catalog
    /// tag, compared case-insensitively), first in order unless
    /// [`sources`](Self::sources) placed it. With `strip`, that segment is
    /// removed from the request's URI (`/fr/about?x` -> `/about?x`) so routes
    /// need not repeat it.
    ///
    /// To route on the stripped path, the layer must run before routing:
    /// wrap the whole `Router` (`I18nLayer::layer(&layer, router)` or
    /// `ServiceBuilder::new().layer(layer).service(router)`); axum's
    /// `Router::layer` runs a layer after the route is chosen.
    pub fn path_prefix(mut self, strip: bool) -> Self {
        if !self.sources.contains(&LocaleSource::Path) {
            self.sources.insert(0, LocaleSource::Path);
        }
        self.strip_path = strip;
        self
    }

    /// The query parameter of the query source (default `lang`), compared
    /// byte for byte with the raw (undecoded) key.
    pub fn query_param(mut self, name: impl Into<String>) -> Self {
        self.query_param = name.into();
        self
    }

    /// The cookie read by the cookie source and written when the query source
    /// decides (default `lang`).
    ///
    /// # Errors
    /// When `name` is not an RFC 6265 cookie name (an HTTP token).
    pub fn cookie_name(mut self, name: impl Into<String>) -> Result<Self, ConfigError> {
        let name = name.into();
        if name.is_empty() || !name.bytes().all(is_tchar) {
            return Err(ConfigError {
                setting: "cookie name",
                value: name,
            });
        }
        self.cookie_name = name;
        Ok(self)
    }

    /// The cookie's `Path` (default `/`; `None` leaves it out).
    ///
    /// # Errors
    /// When `path` holds `;` or a control character.
    pub fn cookie_path(mut self, path: Option<&str>) -> Result<Self, ConfigError> {
        self.cookie_path = attribute_value("cookie path", path)?;
        Ok(self)
    }

    /// The cookie's `Domain` (default: none, a host-only cookie).
    ///
    /// # Errors
    /// When `domain` holds `;` or a control character.
    pub fn cookie_domain(mut self, domain: Option<&str>) -> Result<Self, ConfigError> {
        self.cookie_domain = attribute_value("cookie domain", domain)?;
        Ok(self)
    }

    /// The cookie's `Max-Age` in seconds (default one year; `None` makes it
    /// a session cookie).
    pub fn cookie_max_age(mut self, seconds: Option<u64>) -> Self {
        self.cookie_max_age = seconds;
        self
    }

    /// The cookie's `SameSite` (default `Lax`; `None` leaves it out).
    pub fn cookie_same_site(mut self, same_site: Option<SameSite>) -> Self {
        self.cookie_same_site = same_site;
        self
    }

    /// Adds `Secure` to the cookie (default off, so it works over plain HTTP
    /// in development; turn it on behind HTTPS).
    pub fn cookie_secure(mut self, secure: bool) -> Self {
        self.cookie_secure = secure;
        self
    }

    /// Adds `HttpOnly` to the cookie (default off: a language choice is not
    /// a secret and client scripts may want to read it).
    pub fn cookie_http_only(mut self, http_only: bool) -> Self {
        self.cookie_http_only = http_only;
        self
    }

    /// The catalog this layer serves.
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

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
            cookie.push_str(match same_site {
                SameSite::Strict => "; SameSite=Strict",
                SameSite::Lax => "; SameSite=Lax",
                SameSite::None => "; SameSite=None",
            });
        }
        if self.cookie_secure {
            cookie.push_str("; Secure");
        }
        if self.cookie_http_only {
            cookie.push_str("; HttpOnly");
        }
        HeaderValue::try_from(cookie).ok()
    }

    pub(crate) fn shared(&self) -> Shared {
        let locales = &self.catalog.locales;
        Shared {
            catalog: Arc::clone(&self.catalog),
            cache: Arc::clone(&self.cache),
            sources: self.sources.clone().into_boxed_slice(),
            path: self.sources.contains(&LocaleSource::Path),
            strip_path: self.strip_path,
            query_param: self.query_param.clone().into_boxed_str(),
            cookie_name: self.cookie_name.clone().into_boxed_str(),
            content_language: locales
                .iter()
                .map(|l| HeaderValue::from_str(&l.tag).ok())
                .collect(),
            set_cookie: if self.sources.contains(&LocaleSource::Cookie) {
                locales
                    .iter()
                    .map(|l| self.set_cookie_value(&l.tag))
                    .collect()
            } else {
                locales.iter().map(|_| None).collect()
            },
        }
    }
}

impl<S> Layer<S> for I18nLayer {
    type Service = I18n<S>;

    fn layer(&self, inner: S) -> Self::Service {
        I18n::new(inner, Arc::new(self.shared()))
    }
}

/// RFC 9110 section 5.6.2 `tchar`.
fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn attribute_value(
    setting: &'static str,
    value: Option<&str>,
) -> Result<Option<String>, ConfigError> {
    match value {
        None => Ok(None),
        Some(v) if v.bytes().all(|b| (0x20..0x7f).contains(&b) && b != b';') => {
            Ok(Some(v.to_owned()))
        }
        Some(v) => Err(ConfigError {
            setting,
            value: v.to_owned(),
        }),
    }
}
