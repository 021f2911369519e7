//! [`ClientIp`] as an axum extractor, required or optional (`axum` feature).
//!
//! # Example
//!
//! ```
//! use std::net::SocketAddr;
//! use axum::{Router, routing::get, body::Body, extract::connect_info::MockConnectInfo};
//! use http::Request;
//! use tower::ServiceExt;
//! use crocodile_client_ip::{ClientIp, ClientIpLayer};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let app = Router::new()
//!     .route("/", get(|ClientIp(ip): ClientIp| async move { ip.to_string() }))
//!     .route("/maybe", get(|ip: Option<ClientIp>| async move { ip.is_some().to_string() }));
//!
//! // Without the layer: 500 naming it; `Option<ClientIp>` is `None`.
//! let res = app.clone().oneshot(Request::get("/").body(Body::empty())?).await?;
//! assert_eq!(res.status(), 500);
//! let res = app.clone().oneshot(Request::get("/maybe").body(Body::empty())?).await?;
//! assert_eq!(res.status(), 200);
//!
//! let peer: SocketAddr = "203.0.113.9:50000".parse()?;
//! let app = app.layer(ClientIpLayer::default()).layer(MockConnectInfo(peer));
//! let res = app.oneshot(Request::get("/").body(Body::empty())?).await?;
//! let body = axum::body::to_bytes(res.into_body(), 1024).await?;
//! assert_eq!(body, "203.0.113.9");
//! # Ok(())
//! # }
//! ```

use std::convert::Infallible;
use std::fmt;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;

use crate::layer::ClientIp;

/// The rejection of the [`ClientIp`] extractor: a 500, since a request
/// without a client address is the server's misconfiguration, never the
/// client's fault.
///
/// One shape for both causes, with one `const` message that names both
/// fixes: [`ClientIpLayer`](crate::ClientIpLayer) did not run, or it ran
/// without a peer address (served without
/// `into_make_service_with_connect_info::<SocketAddr>()` and no
/// [`PeerAddr`](crate::PeerAddr)). The layer tells the second case apart
/// itself: it warns once, naming the fix, and the request's
/// [`Hop`](crate::Hop) says `no-peer-address`.
///
/// Logged at `trace` on target `axum::rejection`, as axum's own rejections
/// are; nothing is allocated but the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub struct MissingClientIp;

impl MissingClientIp {
    const MESSAGE: &'static str = "Missing request extension `ClientIp`. \
        Is `ClientIpLayer` installed? Does it get the peer address (serve with \
        `into_make_service_with_connect_info::<SocketAddr>()`, or insert a `PeerAddr` \
        extension per connection)?";

    /// The response body: the message, which names the layer and the fix.
    pub const fn body_text(&self) -> &'static str {
        Self::MESSAGE
    }

    /// The response status: 500.
    pub const fn status(&self) -> StatusCode {
        StatusCode::INTERNAL_SERVER_ERROR
    }
}

impl fmt::Display for MissingClientIp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

impl std::error::Error for MissingClientIp {}

impl IntoResponse for MissingClientIp {
    fn into_response(self) -> Response {
        tracing::trace!(
            target: "axum::rejection",
            status = self.status().as_u16(),
            body = Self::MESSAGE,
            rejection_type = "crocodile_client_ip::MissingClientIp",
            "rejecting request",
        );
        (self.status(), Self::MESSAGE).into_response()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = MissingClientIp;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        ClientIp::from_extensions(&parts.extensions).ok_or(MissingClientIp)
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
impl<S: Send + Sync> OptionalFromRequestParts<S> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _state: &S,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(ClientIp::from_extensions(&parts.extensions))
    }
}
