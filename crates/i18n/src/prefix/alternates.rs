//! [`Alternates`]: the current page's URL in every catalog locale.

use std::sync::Arc;

use http::Uri;

use super::layer::PrefixConfig;
use crate::layer::Generation;

/// The URL of the current page in each catalog locale, plus `x-default`
/// (the URL without a prefix, which negotiates), for
/// `<link rel="alternate" hreflang="..." href="...">` and a language
/// switcher. Inserted by [`LocalePrefixService`](super::LocalePrefixService)
/// into every request it routes; with the `axum` feature it is an extractor.
///
/// Hrefs are path-absolute (`/fr/about?page=2`) from [`iter`](Self::iter),
/// or absolute from [`absolute`](Self::absolute) with an origin such as
/// `BaseContext::origin()` (add the base path when a proxy mounts the site
/// under one). The query is kept byte for byte except the layer's language
/// parameter (`lang`), which the prefix replaces. Hrefs are as URI-safe as
/// the request's own URI, not HTML-escaped: escape `&` in an attribute.
///
/// Holds the request's catalog (one `Arc`) and its URI; nothing is formatted
/// until asked.
///
/// # Example
/// ```
/// use std::convert::Infallible;
/// use crocodile_i18n::prefix::{Alternates, LocalePrefixLayer};
/// use crocodile_i18n::{Catalog, I18nLayer};
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
/// let i18n = I18nLayer::new(catalog);
/// let svc = ServiceBuilder::new()
///     .layer(LocalePrefixLayer::new(&i18n))
///     .service_fn(|req: Request<()>| async move {
///         let alternates = req.extensions().get::<Alternates>().unwrap();
///         let links: Vec<String> = alternates
///             .absolute("https://example.com")
///             .map(|a| format!("{} {}", a.hreflang, a.href))
///             .collect();
///         Ok::<_, Infallible>(Response::new(links.join("\n")))
///     });
///
/// let request = Request::get("/fr/docs/intro?lang=de&page=2").body(()).unwrap();
/// let response = svc.oneshot(request).await.unwrap();
/// assert_eq!(
///     response.body(),
///     "en https://example.com/en/docs/intro?page=2\n\
///      fr https://example.com/fr/docs/intro?page=2\n\
///      x-default https://example.com/docs/intro?page=2"
/// );
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Alternates {
    pub(crate) generation: Arc<Generation>,
    /// The prefix's locale (an index into `generation`'s catalog).
    pub(crate) locale: Option<usize>,
    /// The URI the router sees: the prefix removed.
    uri: Uri,
    config: Arc<PrefixConfig>,
}

/// One `hreflang` and its URL, from [`Alternates`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alternate<'a> {
    /// A catalog tag as the catalog spells it (`fr`, `zh-Hant`), or
    /// `x-default`.
    pub hreflang: &'a str,
    /// The page's URL in that locale.
    pub href: String,
}

impl Alternates {
    pub(crate) fn new(
        generation: Arc<Generation>,
        locale: Option<usize>,
        uri: Uri,
        config: Arc<PrefixConfig>,
    ) -> Self {
        Self {
            generation,
            locale,
            uri,
            config,
        }
    }

    /// The locale the path's prefix named, as the catalog spells it; `None`
    /// for a path without one.
    pub fn locale(&self) -> Option<&str> {
        self.locale
            .map(|i| self.generation.catalog.locales[i].tag.as_str())
    }

    /// The path the router sees: without the prefix (`/about` for
    /// `/fr/about`, `/` for `/fr`).
    pub fn path(&self) -> &str {
        self.uri.path()
    }

    /// Every catalog locale's URL, in catalog order, then `x-default`, as
    /// path-absolute references (`/fr/about`). Pseudo-locales (`en-XA`) are
    /// left out: they are for development, and an `hreflang` link would ask
    /// search engines to index them. Their prefixes still route.
    pub fn iter(&self) -> impl Iterator<Item = Alternate<'_>> + '_ {
        self.absolute("")
    }

    /// As [`iter`](Self::iter), each URL starting with `origin`
    /// (`https://example.com`, or with a base path `https://example.com/app`;
    /// a trailing `/` is dropped).
    pub fn absolute<'a>(&'a self, origin: &'a str) -> impl Iterator<Item = Alternate<'a>> + 'a {
        let origin = origin.strip_suffix('/').unwrap_or(origin);
        self.generation
            .catalog
            .locales
            .iter()
            .filter(|locale| !locale.pseudo)
            .map(|locale| Some(locale.tag.as_str()))
            .chain([None])
            .map(move |tag| Alternate {
                hreflang: tag.unwrap_or("x-default"),
                href: self.href(origin, tag),
            })
    }

    /// `origin`, `/<tag>` when given, the path, and the query without the
    /// language parameter.
    fn href(&self, origin: &str, tag: Option<&str>) -> String {
        let path = self.uri.path();
        let query = self.uri.query().unwrap_or("");
        let mut href = String::with_capacity(
            origin.len() + tag.map_or(0, |t| t.len() + 1) + path.len() + query.len() + 1,
        );
        href.push_str(origin);
        if let Some(tag) = tag {
            href.push('/');
            href.push_str(tag);
        }
        href.push_str(path);
        push_query_without(
            &mut href,
            self.uri.query(),
            &self.config.i18n.settings.query_param,
        );
        href
    }
}

/// Appends `?query` to `out` without the pairs named `param` (the key
/// compared raw, as the query source does); nothing when none is left.
pub(super) fn push_query_without(out: &mut String, query: Option<&str>, param: &str) {
    let Some(query) = query else { return };
    let mut separator = '?';
    for pair in query.split('&') {
        let key = pair.split_once('=').map_or(pair, |(key, _)| key);
        if pair.is_empty() || key == param {
            continue;
        }
        out.push(separator);
        separator = '&';
        out.push_str(pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_parameter_leaves_the_query() {
        // (query, what is kept)
        for (query, kept) in [
            (None, ""),
            (Some(""), ""),
            (Some("lang=fr"), ""),
            (Some("a=1&lang=fr&b=2"), "?a=1&b=2"),
            (Some("lang=fr&lang=de"), ""),
            (Some("lang"), ""),
            (Some("language=fr&xlang=de"), "?language=fr&xlang=de"),
            (Some("a=1&&b=%26"), "?a=1&b=%26"),
            (Some("q=a%20b+c&page=2"), "?q=a%20b+c&page=2"),
        ] {
            let mut out = String::new();
            push_query_without(&mut out, query, "lang");
            assert_eq!(out, kept, "{query:?}");
        }
    }
}
