//! [`BaseContext`] as an axum extractor (`axum` feature).
//!
//! # Example
//!
//! ```
//! use axum::{Router, routing::get, body::Body};
//! use http::Request;
//! use tower::ServiceExt;
//! use crocodile_base_context::{BaseContext, BaseContextLayer, ProxyTrust};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = Router::new()
//!     .route("/", get(|ctx: BaseContext| async move { ctx.home_url() }))
//!     .route("/maybe", get(|ctx: Option<BaseContext>| async move { ctx.is_some().to_string() }));
//!
//! // Without the layer: 500 naming it; `Option<BaseContext>` is `None`.
//! let res = app.clone().oneshot(Request::get("/").body(Body::empty())?).await?;
//! assert_eq!(res.status(), 500);
//! let res = app.clone().oneshot(Request::get("/maybe").body(Body::empty())?).await?;
//! assert_eq!(res.status(), 200);
//!
//! let app = app.layer(BaseContextLayer::new(ProxyTrust::default(), "localhost".parse()?));
//! let req = Request::get("/").header("host", "localhost:3000").body(Body::empty())?;
//! let res = app.oneshot(req).await?;
//! let body = axum::body::to_bytes(res.into_body(), 1024).await?;
//! assert_eq!(body, "http://localhost:3000/");
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::context::BaseContext;

/// The rejection of the [`BaseContext`] extractor when
/// [`BaseContextLayer`](crate::BaseContextLayer) did not run: a 500 that
/// names the layer.
///
/// Like axum's own rejections (`MissingExtension`), it is logged at `trace`
/// on the target `axum::rejection`, and its body is the `const`
/// [`MESSAGE`](Self::MESSAGE), sent without being copied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct MissingBaseContext;

impl MissingBaseContext {
    /// The body of the 500.
    pub const MESSAGE: &'static str =
        "Missing request extension `BaseContext`. Is `BaseContextLayer` installed?";

    /// The status: 500, a server misconfiguration.
    pub const STATUS: StatusCode = StatusCode::INTERNAL_SERVER_ERROR;
}

/// The message at one address, so a test can see that the body is not a copy.
static BODY: &str = MissingBaseContext::MESSAGE;

impl fmt::Display for MissingBaseContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for MissingBaseContext {}

impl IntoResponse for MissingBaseContext {
    fn into_response(self) -> Response {
        tracing::trace!(
            target: "axum::rejection",
            status = Self::STATUS.as_u16(),
            body = Self::MESSAGE,
            rejection_type = std::any::type_name::<Self>(),
            "rejecting request",
        );
        // A `&'static str` body is `Bytes::from_static`: the message is not copied.
        (Self::STATUS, BODY).into_response()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S: Send + Sync> FromRequestParts<S> for BaseContext {
    type Rejection = MissingBaseContext;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<BaseContext>()
            .cloned()
            .ok_or(MissingBaseContext)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S: Send + Sync> OptionalFromRequestParts<S> for BaseContext {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<BaseContext>().cloned())
    }
}

#[cfg(test)]
mod tests {
    use http::Request;

    use super::*;

    #[tokio::test]
    async fn missing_layer_is_a_500_naming_it() {
        let (mut parts, ()) = Request::new(()).into_parts();
        let rejection = <BaseContext as FromRequestParts<()>>::from_request_parts(&mut parts, &())
            .await
            .unwrap_err();
        let response = rejection.into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert!(
            std::str::from_utf8(&body)
                .unwrap()
                .contains("Is `BaseContextLayer` installed?")
        );
        // The body is the constant itself, not a copy of it.
        assert_eq!(body.as_ptr(), BODY.as_ptr());
        let none =
            <BaseContext as OptionalFromRequestParts<()>>::from_request_parts(&mut parts, &())
                .await
                .unwrap();
        assert!(none.is_none());
    }
}
