//! [`ResponseFuture`]: the inner service's response, or a redirect.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::SET_COOKIE;
use http::{HeaderValue, Response};
use pin_project_lite::pin_project;

pin_project! {
    /// Response future of [`LocalePrefixService`](super::LocalePrefixService).
    #[derive(Debug)]
    pub struct ResponseFuture<F, B> {
        #[pin]
        kind: Kind<F, B>,
    }
}

pin_project! {
    #[project = KindProj]
    #[derive(Debug)]
    enum Kind<F, B> {
        Inner {
            #[pin]
            future: F,
            // Remembers the prefix's locale in the cookie.
            set_cookie: Option<HeaderValue>,
        },
        Redirect {
            response: Option<Response<B>>,
        },
    }
}

impl<F, B> ResponseFuture<F, B> {
    pub(super) fn inner(future: F, set_cookie: Option<HeaderValue>) -> Self {
        Self {
            kind: Kind::Inner { future, set_cookie },
        }
    }

    pub(super) fn redirect(response: Response<B>) -> Self {
        Self {
            kind: Kind::Redirect {
                response: Some(response),
            },
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F, B>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match self.project().kind.project() {
            KindProj::Inner { future, set_cookie } => {
                let mut response = ready!(future.poll(cx))?;
                if let Some(cookie) = set_cookie.take() {
                    response.headers_mut().append(SET_COOKIE, cookie);
                }
                Poll::Ready(Ok(response))
            }
            KindProj::Redirect { response } => Poll::Ready(Ok(response
                .take()
                .expect("ResponseFuture polled after completion"))),
        }
    }
}
