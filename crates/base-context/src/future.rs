//! The response future of [`BaseContextService`](crate::BaseContextService).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::header::{CONTENT_TYPE, Entry, HeaderName, HeaderValue};
use http::{Response, StatusCode};
use pin_project_lite::pin_project;

use crate::body::ResponseBody;
use crate::request_id::RequestId;

pin_project! {
    /// Either the inner service's future or a ready 400; echoes the request
    /// id on the response unless the response already has that header.
    ///
    /// Its response body is a [`ResponseBody`]: the inner body, or the 400's
    /// reason.
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        kind: Kind<F>,
        echo: Option<(HeaderName, RequestId)>,
    }
}

pin_project! {
    #[project = KindProj]
    #[derive(Debug)]
    enum Kind<F> {
        Inner { #[pin] future: F },
        Rejected { reason: &'static str },
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn inner(future: F, echo: Option<(HeaderName, RequestId)>) -> Self {
        Self {
            kind: Kind::Inner { future },
            echo,
        }
    }

    pub(crate) fn rejected(reason: &'static str, echo: Option<(HeaderName, RequestId)>) -> Self {
        Self {
            kind: Kind::Rejected { reason },
            echo,
        }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let mut response = match this.kind.project() {
            KindProj::Inner { future } => ready!(future.poll(cx))?.map(ResponseBody::new),
            KindProj::Rejected { reason } => bad_request(reason),
        };
        if let Some((name, id)) = this.echo.take() {
            // One lookup (the name is hashed once) for "set, don't clobber".
            if let Entry::Vacant(slot) = response.headers_mut().entry(name) {
                slot.insert(id.to_header_value());
            }
        }
        Poll::Ready(Ok(response))
    }
}

fn bad_request<B>(reason: &'static str) -> Response<ResponseBody<B>> {
    let mut response = Response::new(ResponseBody::reason(reason));
    *response.status_mut() = StatusCode::BAD_REQUEST;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
