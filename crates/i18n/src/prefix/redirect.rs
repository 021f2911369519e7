//! Redirect mode: which requests are sent to a locale prefix, and where.

use http::header::{LOCATION, SET_COOKIE};
use http::{HeaderValue, Method, Request, Response, StatusCode};

use super::alternates::push_query_without;
use super::layer::PrefixConfig;
use super::service::Prefix;
use crate::LocaleSource;
use crate::future::merge_vary;
use crate::layer::Generation;
use crate::negotiate::sources::query_value;

/// The redirect for `req`, or `None` to serve it where it is.
///
/// Only `GET` and `HEAD` are redirected (another method's body would be
/// lost or sent twice), never an excluded path (matched without the
/// prefix). With a prefix, a request is redirected only to make its URL
/// canonical: `?lang=` (to the locale it names, else the prefix's; without
/// the parameter) or a prefix not spelled as in the catalog (`/FR` -> `/fr`).
/// Without one, it goes to the locale the `I18nLayer` negotiates (query,
/// cookie, `Accept-Language`, default, in its order).
pub(super) fn response<B, ResBody: Default>(
    config: &PrefixConfig,
    generation: &Generation,
    req: &Request<B>,
    prefix: Option<Prefix>,
) -> Option<Response<ResBody>> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        return None;
    }
    let path = req.uri().path();
    let routed = prefix.map_or(path, |prefix| prefix.routed(path));
    if !path.starts_with('/') || config.excluded.excludes(routed) {
        return None;
    }
    let param = &*config.i18n.settings.query_param;
    let catalog = &generation.catalog;
    let (locale, chosen) = match prefix {
        Some(prefix) => {
            let asked = req.uri().query().and_then(|q| query_value(q, param));
            if let Some(asked) = asked {
                let named = catalog.lookup_index(asked);
                (named.unwrap_or(prefix.locale), named.is_some())
            } else if path[1..=prefix.len] != catalog.locales[prefix.locale].tag {
                (prefix.locale, false)
            } else {
                return None;
            }
        }
        None => {
            let decision = config.i18n.decide(generation, req);
            (decision.locale, decision.source == LocaleSource::Query)
        }
    };
    let rest = prefix.map_or(path, |prefix| prefix.rest(path));
    let tag = &catalog.locales[locale].tag;
    let query = req.uri().query();
    let mut location =
        String::with_capacity(1 + tag.len() + rest.len() + query.map_or(0, str::len) + 1);
    location.push('/');
    location.push_str(tag);
    location.push_str(rest);
    push_query_without(&mut location, query, param);
    let Ok(location) = HeaderValue::try_from(location) else {
        tracing::debug!(locale = %tag, "the locale prefix's redirect is not a header value; served as is");
        return None;
    };
    tracing::debug!(locale = %tag, "redirecting to the locale prefix");
    let mut response = Response::new(ResBody::default());
    *response.status_mut() = StatusCode::TEMPORARY_REDIRECT;
    let headers = response.headers_mut();
    headers.insert(LOCATION, location);
    // Where a path without a prefix goes depends on these request headers.
    merge_vary(headers, true, true);
    // `?lang=` chose: remembered, as the `I18nLayer` remembers it.
    if chosen {
        if let Some(cookie) = &generation.set_cookie[locale] {
            headers.append(SET_COOKIE, cookie.clone());
        }
    }
    Some(response)
}
