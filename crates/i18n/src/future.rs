//! [`ResponseFuture`]: sets `Content-Language`, `Vary` and `Set-Cookie`.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Mutex, PoisonError};
use std::task::{Context, Poll, ready};

use http::header::Entry;
use http::header::{CONTENT_LANGUAGE, SET_COOKIE, VARY};
use http::{HeaderMap, HeaderValue, Response};
use pin_project_lite::pin_project;

use crate::LocaleSource;
use crate::layer::Generation;
use crate::service::Decision;

pin_project! {
    /// Response future of [`I18nService`](crate::I18nService).
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        headers: Option<ResponseHeaders>,
    }
}

/// What the response gets, taken from the request's catalog generation when
/// it was negotiated (so the headers match its locale index, whatever reload
/// happens meanwhile): the generation itself is not kept.
#[derive(Debug)]
pub(crate) struct ResponseHeaders {
    /// Prebuilt per locale: a clone is a copy or a reference count.
    content_language: Option<HeaderValue>,
    /// Only when the query parameter chose the locale.
    set_cookie: Option<HeaderValue>,
    vary_accept_language: bool,
    vary_cookie: bool,
}

impl ResponseHeaders {
    pub(crate) fn new(generation: &Generation, decision: Decision) -> Self {
        let set_cookie = if decision.source == LocaleSource::Query {
            generation.set_cookie[decision.locale].clone()
        } else {
            None
        };
        Self {
            content_language: generation.content_language[decision.locale].clone(),
            set_cookie,
            vary_accept_language: decision.vary_accept_language,
            vary_cookie: decision.vary_cookie,
        }
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, headers: ResponseHeaders) -> Self {
        Self {
            inner,
            headers: Some(headers),
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = ready!(this.inner.poll(cx))?;
        if let Some(post) = this.headers.take() {
            let headers = response.headers_mut();
            set_content_language(headers, post.content_language);
            merge_vary(headers, post.vary_accept_language, post.vary_cookie);
            if let Some(cookie) = post.set_cookie {
                headers.append(SET_COOKIE, cookie);
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// Sets `Content-Language` unless the handler did. One lookup (the entry).
fn set_content_language(headers: &mut HeaderMap, value: Option<HeaderValue>) {
    if let (Entry::Vacant(entry), Some(value)) = (headers.entry(CONTENT_LANGUAGE), value) {
        entry.insert(value);
    }
}

/// The `Vary` line naming what is still missing; `None` when nothing is.
fn vary_value(accept_language: bool, cookie: bool) -> Option<HeaderValue> {
    // Constants: no validation or allocation per response.
    const BOTH: HeaderValue = HeaderValue::from_static("Accept-Language, Cookie");
    const ACCEPT_LANGUAGE: HeaderValue = HeaderValue::from_static("Accept-Language");
    const COOKIE: HeaderValue = HeaderValue::from_static("Cookie");
    match (accept_language, cookie) {
        (true, true) => Some(BOTH),
        (true, false) => Some(ACCEPT_LANGUAGE),
        (false, true) => Some(COOKIE),
        (false, false) => None,
    }
}

/// Adds `Accept-Language` and/or `Cookie` to `Vary` unless already there
/// (case-insensitive, in any `Vary` line) or `Vary: *`; existing lines are
/// kept byte for byte and the missing names appended as one new line.
pub(crate) fn merge_vary(headers: &mut HeaderMap, accept_language: bool, cookie: bool) {
    if !accept_language && !cookie {
        return;
    }
    // One lookup: most responses have no `Vary` yet, and then there is
    // nothing to merge with.
    match headers.entry(VARY) {
        Entry::Vacant(entry) => {
            if let Some(value) = vary_value(accept_language, cookie) {
                entry.insert(value);
            }
        }
        Entry::Occupied(mut entry) => {
            let (mut need_accept_language, mut need_cookie) = (accept_language, cookie);
            for value in entry.iter() {
                let Ok(value) = value.to_str() else { continue };
                for name in value.split(',').map(str::trim) {
                    if name == "*" {
                        return;
                    }
                    if name.eq_ignore_ascii_case("accept-language") {
                        need_accept_language = false;
                    } else if name.eq_ignore_ascii_case("cookie") {
                        need_cookie = false;
                    }
                }
            }
            if let Some(value) = vary_value(need_accept_language, need_cookie) {
                entry.append(value);
            }
        }
    }
}

/// The most locale tags [`content_language`] keeps: past it, values are
/// built per catalog as before.
const MAX_INTERNED_TAGS: usize = 1024;

/// A locale tag as a `Content-Language` value. Interned as a `'static`
/// value, so the clone each response takes is a copy: a value built from a
/// string shares one reference count that every core's responses would
/// write. Each distinct tag is kept once for the life of the process (a
/// reload with the same tags finds them), at most [`MAX_INTERNED_TAGS`].
pub(crate) fn content_language(tag: &str) -> Option<HeaderValue> {
    static TAGS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    // `from_static` accepts exactly visible ASCII (tags are letters, digits
    // and hyphens); anything else takes the checked, non-static path.
    if tag.is_empty() || !tag.bytes().all(|b| b.is_ascii_graphic()) {
        return HeaderValue::from_str(tag).ok();
    }
    let mut tags = TAGS.lock().unwrap_or_else(PoisonError::into_inner);
    let interned = match tags.iter().find(|interned| **interned == tag) {
        Some(interned) => *interned,
        None if tags.len() < MAX_INTERNED_TAGS => {
            let leaked: &'static str = Box::leak(tag.into());
            tags.push(leaked);
            leaked
        }
        None => return HeaderValue::from_str(tag).ok(),
    };
    Some(HeaderValue::from_static(interned))
}
