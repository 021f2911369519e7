//! [`Localizer`] as an axum extractor (feature `axum`).

use std::convert::Infallible;
use std::fmt;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::Localizer;

/// Rejection of the [`Localizer`] extractor when no [`I18nLayer`](crate::I18nLayer)
/// ran: a 500, since it is a server bug, naming the layer.
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct MissingLocalizer;

impl fmt::Display for MissingLocalizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Missing request extension `Localizer`. Is `I18nLayer` installed?")
    }
}

impl std::error::Error for MissingLocalizer {}

impl IntoResponse for MissingLocalizer {
    fn into_response(self) -> Response {
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Localizer {
    type Rejection = MissingLocalizer;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Self>()
            .cloned()
            .ok_or(MissingLocalizer)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Localizer {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Self>().cloned())
    }
}
