//! [`ResponseFuture`]: sets `Content-Language`, `Vary` and `Set-Cookie`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
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
        // The request's catalog generation: its headers match its locale index.
        post: Option<(Arc<Generation>, Decision)>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, generation: Arc<Generation>, decision: Decision) -> Self {
        Self {
            inner,
            post: Some((generation, decision)),
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
        if let Some((generation, decision)) = this.post.take() {
            let headers = response.headers_mut();
            set_content_language(
                headers,
                generation.content_language[decision.locale].as_ref(),
            );
            merge_vary(headers, decision.vary_accept_language, decision.vary_cookie);
            if decision.source == LocaleSource::Query {
                if let Some(cookie) = &generation.set_cookie[decision.locale] {
                    headers.append(SET_COOKIE, cookie.clone());
                }
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// Sets `Content-Language` unless the handler did. One lookup (the entry);
/// `value` is precomputed per locale, so the clone is a reference count.
fn set_content_language(headers: &mut HeaderMap, value: Option<&HeaderValue>) {
    if let (Entry::Vacant(entry), Some(value)) = (headers.entry(CONTENT_LANGUAGE), value) {
        entry.insert(value.clone());
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
