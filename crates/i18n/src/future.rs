//! [`ResponseFuture`]: sets `Content-Language`, `Vary` and `Set-Cookie`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

use http::header::{CONTENT_LANGUAGE, SET_COOKIE, VARY};
use http::{HeaderMap, HeaderValue, Response};
use pin_project_lite::pin_project;

use crate::LocaleSource;
use crate::service::{Decision, Shared};

pin_project! {
    /// Response future of [`I18n`](crate::I18n).
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        post: Option<(Arc<Shared>, Decision)>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, shared: Arc<Shared>, decision: Decision) -> Self {
        Self {
            inner,
            post: Some((shared, decision)),
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
        if let Some((shared, decision)) = this.post.take() {
            let headers = response.headers_mut();
            if !headers.contains_key(CONTENT_LANGUAGE) {
                if let Some(value) = &shared.content_language[decision.locale] {
                    headers.insert(CONTENT_LANGUAGE, value.clone());
                }
            }
            merge_vary(headers, decision.vary_accept_language, decision.vary_cookie);
            if decision.source == LocaleSource::Query {
                if let Some(cookie) = &shared.set_cookie[decision.locale] {
                    headers.append(SET_COOKIE, cookie.clone());
                }
            }
        }
        Poll::Ready(Ok(response))
    }
}

/// Adds `Accept-Language` and/or `Cookie` to `Vary` unless already there
/// (case-insensitive, in any `Vary` line) or `Vary: *`; existing lines are
/// kept byte for byte and the missing names appended as one new line.
pub(crate) fn merge_vary(headers: &mut HeaderMap, accept_language: bool, cookie: bool) {
    let (mut need_accept_language, mut need_cookie) = (accept_language, cookie);
    if !need_accept_language && !need_cookie {
        return;
    }
    for value in headers.get_all(VARY) {
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
    let add = match (need_accept_language, need_cookie) {
        (true, true) => "Accept-Language, Cookie",
        (true, false) => "Accept-Language",
        (false, true) => "Cookie",
        (false, false) => return,
    };
    headers.append(VARY, HeaderValue::from_static(add));
}
