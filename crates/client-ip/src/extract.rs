//! `ClientIp` as an axum extractor, required or optional.

use std::fmt;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crocodile_forwarded::{Fallback, Hop};

use crate::layer::ClientIp;

/// Why `ClientIp` could not be extracted: answered with 500, since it is a
/// server misconfiguration, never the client's fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ClientIpRejection {
    /// `ClientIpLayer` did not run for this request.
    MissingLayer,
    /// The layer ran but had no peer address.
    NoPeerAddress,
}

impl fmt::Display for ClientIpRejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::MissingLayer => "Missing request extension `ClientIp`. Is `ClientIpLayer` installed?",
            Self::NoPeerAddress => {
                "`ClientIpLayer` found no peer address. Serve the router with \
                 `into_make_service_with_connect_info::<SocketAddr>()`, or insert a `PeerAddr` extension."
            }
        })
    }
}

impl std::error::Error for ClientIpRejection {}

impl IntoResponse for ClientIpRejection {
    fn into_response(self) -> Response {
        tracing::error!(rejection = %self, "ClientIp extractor rejected the request");
        (StatusCode::INTERNAL_SERVER_ERROR, self.to_string()).into_response()
    }
}

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = ClientIpRejection;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        if let Some(ip) = parts.extensions.get::<ClientIp>() {
            return Ok(*ip);
        }
        match parts.extensions.get::<Hop>().map(Hop::fallback) {
            Some(Some(Fallback::NoPeerAddress)) => Err(ClientIpRejection::NoPeerAddress),
            _ => Err(ClientIpRejection::MissingLayer),
        }
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<ClientIp>().copied())
    }
}
