//! [`Alternates`] as an axum extractor, required or optional (`axum` feature).

use std::convert::Infallible;
use std::fmt;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use super::Alternates;

/// The rejection of the [`Alternates`] extractor when no
/// [`LocalePrefixLayer`](super::LocalePrefixLayer) ran: a 500, since it is a
/// server bug, with a `const` message naming the layer.
///
/// Logged at `trace` on target `axum::rejection`, as axum's own rejections
/// are; nothing is allocated but the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub struct MissingAlternates;

impl MissingAlternates {
    const MESSAGE: &'static str = "Missing request extension `Alternates`. Is `LocalePrefixLayer` installed around the router?";

    /// The response body: the message, which names the layer.
    pub const fn body_text(&self) -> &'static str {
        Self::MESSAGE
    }

    /// The response status: 500.
    pub const fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

impl fmt::Display for MissingAlternates {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for MissingAlternates {}

impl IntoResponse for MissingAlternates {
    fn into_response(self) -> Response {
        tracing::trace!(
            target: "axum::rejection",
            status = self.status().as_u16(),
            body = Self::MESSAGE,
            rejection_type = "crocodile_i18n::prefix::MissingAlternates",
            "rejecting request",
        );
        (self.status(), Self::MESSAGE).into_response()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S: Send + Sync> FromRequestParts<S> for Alternates {
    type Rejection = MissingAlternates;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(MissingAlternates)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S: Send + Sync> OptionalFromRequestParts<S> for Alternates {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Self>().cloned())
    }
}
