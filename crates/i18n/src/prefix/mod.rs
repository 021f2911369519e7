//! The locale in the URL: `/fr/about` routed as `/about` in French, optional
//! redirects to the negotiated prefix, and `hreflang` alternates.
//!
//! [`LocalePrefixLayer`] goes around the whole router, outside the
//! [`I18nLayer`](crate::I18nLayer) it is built from (axum's `Router::layer`
//! runs after routing, too late to change the path that is routed):
//!
//! - a path whose first segment is a catalog locale, compared
//!   case-insensitively (`/fr/about`, `/FR/about`, `/zh-hant`), is routed
//!   without it (`/about`, `/`), and that locale is the request's: the
//!   `I18nLayer` inside takes it before any other source, as
//!   [`LocaleSource::Path`](crate::LocaleSource::Path). With the cookie
//!   source on, a `Set-Cookie` remembers it when the request's cookie names
//!   another locale, so a visitor who follows a language switcher keeps the
//!   choice on paths without a prefix;
//! - any other path (`/api`, `/css/site.css`, `/xx/about`) passes through
//!   unchanged; the `I18nLayer` negotiates as usual;
//! - every request gets [`Alternates`]: the page's URL in each catalog
//!   locale and `x-default`;
//! - the locales are the current catalog's: after
//!   [`I18nLayer::reload`](crate::I18nLayer::reload), a new locale is a
//!   prefix on the next request.
//!
//! With [`redirect(true)`](LocalePrefixLayer::redirect), for canonical
//! prefixed URLs, a `GET` or `HEAD` is answered with
//! `307 Temporary Redirect` (an empty body, `Location` a path-absolute
//! reference with the query kept, and `Vary: Accept-Language, Cookie`) when:
//!
//! | request | `Location` |
//! | --- | --- |
//! | `/about?x=1`, no prefix | `/<negotiated>/about?x=1` (query, cookie, `Accept-Language`, default) |
//! | `/about?lang=de` | `/de/about` (and `Set-Cookie`, as `?lang=` always sets) |
//! | `/fr/about?lang=de` | `/de/about` (and `Set-Cookie`) |
//! | `/fr/about?lang=xx`, not a catalog locale | `/fr/about` |
//! | `/FR/about` | `/fr/about` (the catalog's spelling) |
//!
//! A path in [`ExcludedPaths`] (matched without the prefix) and any other
//! method are never redirected.
//!
//! # Serving it
//!
//! Make the wrapped router the fallback of an empty `Router`: one line, and
//! the result is a `Router` again, served with
//! `into_make_service_with_connect_info::<SocketAddr>()` like any other. The
//! outer router records axum's `OriginalUri` (`/fr/about`) before the prefix
//! is removed, as `Router::nest` does, and the inner one keeps it.
//!
//! ```no_run
//! # use axum::{Router, routing::get};
//! # use crocodile_i18n::{Catalog, I18nLayer, prefix::LocalePrefixLayer};
//! # use std::net::SocketAddr;
//! # use tower_layer::Layer;
//! # #[tokio::main]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! # let i18n = I18nLayer::new(Catalog::builder().default_locale("en").source("en", "m.ftl", "hi = Hi").build()?);
//! # let router: Router = Router::new().route("/", get(|| async { "hi" })).layer(i18n.clone());
//! let app = Router::new().fallback_service(LocalePrefixLayer::new(&i18n).layer(router));
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Example
//! ```
//! use axum::extract::OriginalUri;
//! use axum::{Router, body::Body, routing::get};
//! use crocodile_i18n::prefix::{ExcludedPaths, LocalePrefixLayer};
//! use crocodile_i18n::{Catalog, I18nLayer, Localizer};
//! use http::Request;
//! use tower::ServiceExt;
//! use tower_layer::Layer;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let catalog = Catalog::builder()
//!     .default_locale("en")
//!     .source("en", "m.ftl", "hi = Hi")
//!     .source("fr", "m.ftl", "hi = Salut")
//!     .build()?;
//! let i18n = I18nLayer::new(catalog);
//! let router = Router::new()
//!     .route(
//!         "/about",
//!         get(|l10n: Localizer, OriginalUri(uri): OriginalUri| async move {
//!             format!("{} {} {uri}", l10n.tag(), l10n.text("hi"))
//!         }),
//!     )
//!     .route("/health", get(|| async { "ok" }))
//!     .layer(i18n.clone());
//! let prefix = LocalePrefixLayer::new(&i18n);
//! let app = Router::new().fallback_service(prefix.clone().layer(router.clone()));
//!
//! let res = app.oneshot(Request::get("/fr/about").body(Body::empty())?).await?;
//! let body = axum::body::to_bytes(res.into_body(), 1024).await?;
//! assert_eq!(body, "fr Salut /fr/about");
//!
//! // Redirect mode: a path without a prefix goes to the negotiated one.
//! let prefix = prefix.redirect(true).exclude("/health".parse::<ExcludedPaths>()?);
//! let app = Router::new().fallback_service(prefix.layer(router));
//! let req = Request::get("/about?x=1").header("accept-language", "fr-CA").body(Body::empty())?;
//! let res = app.clone().oneshot(req).await?;
//! assert_eq!(res.status(), 307);
//! assert_eq!(res.headers()["location"], "/fr/about?x=1");
//! assert_eq!(res.headers()["vary"], "Accept-Language, Cookie");
//! let res = app.oneshot(Request::get("/health").body(Body::empty())?).await?;
//! assert_eq!(res.status(), 200);
//! # Ok(())
//! # }
//! ```

mod alternates;
mod excluded;
#[cfg(feature = "axum")]
mod extract;
mod future;
mod layer;
mod redirect;
mod service;

use std::sync::Arc;

use http::Request;

pub use alternates::{Alternate, Alternates};
pub use excluded::ExcludedPaths;
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use extract::MissingAlternates;
pub use future::ResponseFuture;
pub use layer::LocalePrefixLayer;
pub use service::LocalePrefixService;

use crate::layer::Generation;

/// The locale a [`LocalePrefixService`] found in the path, as an index into
/// `generation`'s catalog: the `I18nLayer`'s explicit choice. Read from the
/// extension, never from the path again. A prefix layer built from another
/// `I18nLayer`, or a reload between the two layers, is matched by tag.
pub(crate) fn prefix_locale<B>(generation: &Generation, req: &Request<B>) -> Option<usize> {
    let alternates = req.extensions().get::<Alternates>()?;
    let locale = alternates.locale?;
    if std::ptr::eq(Arc::as_ptr(&alternates.generation), generation) {
        return Some(locale);
    }
    let tag = &alternates.generation.catalog.locales[locale].tag;
    generation.catalog.find_tag(tag)
}
