//! [`ResponseBody`]: the body of every response that passes through
//! [`BaseContextService`](crate::BaseContextService).

use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

pin_project! {
    /// The response body of [`BaseContextService`](crate::BaseContextService):
    /// the inner service's body, or the short plain-text reason of a 400 the
    /// layer answered by itself.
    ///
    /// It is an [`http_body::Body`] with the inner body's `Data` and `Error`
    /// types, so the layer composes with `TraceLayer`, `CompressionLayer` and
    /// any other layer in either order, without `map_response` (as
    /// tower-http's `RequestBodyLimit` does). axum's `Router::layer` takes it
    /// as it is.
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        kind: Kind<B>,
    }
}

pin_project! {
    #[project = KindProj]
    #[derive(Debug)]
    enum Kind<B> {
        Inner { #[pin] body: B },
        // `None` once the reason has been sent.
        Reason { reason: Option<&'static str> },
    }
}

impl<B> ResponseBody<B> {
    /// Wraps the inner service's body.
    pub fn new(body: B) -> Self {
        Self {
            kind: Kind::Inner { body },
        }
    }

    /// The layer's own reason (a `'static` text: nothing is allocated).
    pub(crate) fn reason(reason: &'static str) -> Self {
        Self {
            kind: Kind::Reason {
                reason: Some(reason),
            },
        }
    }
}

impl<B: Default> Default for ResponseBody<B> {
    fn default() -> Self {
        Self::new(B::default())
    }
}

impl<B> Body for ResponseBody<B>
where
    B: Body,
    B::Data: From<&'static str>,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        match self.project().kind.project() {
            KindProj::Inner { body } => body.poll_frame(cx),
            KindProj::Reason { reason } => Poll::Ready(
                reason
                    .take()
                    .map(|text| Ok(Frame::data(B::Data::from(text)))),
            ),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Inner { body } => body.is_end_stream(),
            Kind::Reason { reason } => reason.is_none(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Inner { body } => body.size_hint(),
            Kind::Reason { reason } => {
                SizeHint::with_exact(reason.map_or(0, |text| text.len() as u64))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use http_body_util::BodyExt;

    use super::*;

    #[tokio::test]
    async fn the_reason_is_one_frame_of_the_inner_data_type() {
        let body = ResponseBody::<String>::reason("host not allowed");
        assert_eq!(body.size_hint().exact(), Some(16));
        assert!(!body.is_end_stream());
        let bytes = body.collect().await.unwrap().to_bytes();
        assert_eq!(bytes, "host not allowed");

        let inner = ResponseBody::new(String::from("handled"));
        assert_eq!(inner.size_hint().exact(), Some(7));
        assert_eq!(inner.collect().await.unwrap().to_bytes(), "handled");
    }
}
