//! [`Localizer`] as an axum extractor, required or optional (`axum` feature).
//!
//! # Example
//!
//! ```
//! use axum::{Router, body::Body, routing::get};
//! use crocodile_i18n::{Catalog, I18nLayer, Localizer};
//! use http::Request;
//! use tower::ServiceExt;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = Router::new()
//!     .route("/", get(|l10n: Localizer| async move { l10n.tag().to_owned() }))
//!     .route("/maybe", get(|l10n: Option<Localizer>| async move { l10n.is_some().to_string() }));
//!
//! // Without the layer: a 500 naming it; `Option<Localizer>` is `None`.
//! let res = app.clone().oneshot(Request::get("/").body(Body::empty())?).await?;
//! assert_eq!(res.status(), 500);
//! let res = app.clone().oneshot(Request::get("/maybe").body(Body::empty())?).await?;
//! assert_eq!(res.status(), 200);
//!
//! let catalog = Catalog::builder()
//!     .default_locale("en")
//!     .source("en", "m.ftl", "hi = Hi")
//!     .source("fr", "m.ftl", "hi = Salut")
//!     .build()?;
//! let app = app.layer(I18nLayer::new(catalog));
//! let res = app.oneshot(Request::get("/?lang=fr").body(Body::empty())?).await?;
//! let body = axum::body::to_bytes(res.into_body(), 1024).await?;
//! assert_eq!(body, "fr");
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;

use axum_core::extract::{FromRequestParts, OptionalFromRequestParts};
use axum_core::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::Localizer;

/// The rejection of the [`Localizer`] extractor when no
/// [`I18nLayer`](crate::I18nLayer) ran: a 500, since it is a server bug, with
/// a `const` message naming the layer.
///
/// Logged at `trace` on target `axum::rejection`, as axum's own rejections
/// are; nothing is allocated but the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub struct MissingLocalizer;

impl MissingLocalizer {
    const MESSAGE: &'static str =
        "Missing request extension `Localizer`. Is `I18nLayer` installed?";

    /// The response body: the message, which names the layer.
    pub const fn body_text(&self) -> &'static str {
        Self::MESSAGE
    }

    /// The response status: 500.
    pub const fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

impl fmt::Display for MissingLocalizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for MissingLocalizer {}

impl IntoResponse for MissingLocalizer {
    fn into_response(self) -> Response {
        tracing::trace!(
            target: "axum::rejection",
            status = self.status().as_u16(),
            body = Self::MESSAGE,
            rejection_type = "crocodile_i18n::MissingLocalizer",
            "rejecting request",
        );
        (self.status(), Self::MESSAGE).into_response()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
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

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S: Send + Sync> OptionalFromRequestParts<S> for Localizer {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Self>().cloned())
    }
}
