//! [`ResponseFuture`]: finishes the request when it fails or is dropped, or
//! hands the finish to the body.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use http::Response;
use pin_project_lite::pin_project;

use super::body::ResponseBody;
use super::token::Finisher;

pin_project! {
    /// The response future of [`RetentionGuardService`](super::RetentionGuardService).
    /// Dropped before it completes (the client went away), it counts the
    /// response as finished.
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        finisher: Option<Finisher>,
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn new(inner: F, finisher: Option<Finisher>) -> Self {
        Self { inner, finisher }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
{
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let result = ready!(this.inner.poll(cx));
        // An error finishes the response here (the finisher drops); a
        // response finishes with its body.
        let finisher = this.finisher.take();
        Poll::Ready(result.map(|response| response.map(|body| ResponseBody::new(body, finisher))))
    }
}
