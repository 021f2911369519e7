//! One definition of "an extension as an axum extractor" for the crate's
//! two extractors ([`Localizer`](crate::Localizer) and
//! [`Alternates`](crate::prefix::Alternates)), so their rejections cannot
//! drift apart: a `Missing*` unit struct answered with a 500 whose `const`
//! message names the layer, logged at `trace` on `axum::rejection` as axum's
//! own rejections are, and `Option<X>` through `OptionalFromRequestParts`.

/// `extension_extractor!(Value, MissingValue, "Layer", "path::to::Layer", "message", "path::MissingValue")`.
macro_rules! extension_extractor {
    ($value:ident, $missing:ident, $layer:literal, $layer_path:literal, $message:literal, $type_name:literal) => {
        #[doc = concat!("The rejection of the [`", stringify!($value), "`] extractor when no")]
        #[doc = concat!("[`", $layer, "`](", $layer_path, ") ran: a 500, since it is a server bug, with a `const`")]
        /// message naming the layer.
        ///
        /// Logged at `trace` on target `axum::rejection`, as axum's own rejections
        /// are; nothing is allocated but the response.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
        #[non_exhaustive]
        #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
        pub struct $missing;

        impl $missing {
            const MESSAGE: &'static str = $message;

            /// The response body: the message, which names the layer.
            pub const fn body_text(&self) -> &'static str {
                Self::MESSAGE
            }

            /// The response status: 500.
            pub const fn status(&self) -> ::http::StatusCode {
                ::http::StatusCode::INTERNAL_SERVER_ERROR
            }
        }

        impl ::std::fmt::Display for $missing {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(Self::MESSAGE)
            }
        }

        impl ::std::error::Error for $missing {}

        impl ::axum_core::response::IntoResponse for $missing {
            fn into_response(self) -> ::axum_core::response::Response {
                ::tracing::trace!(
                    target: "axum::rejection",
                    status = self.status().as_u16(),
                    body = Self::MESSAGE,
                    rejection_type = $type_name,
                    "rejecting request",
                );
                ::axum_core::response::IntoResponse::into_response((self.status(), Self::MESSAGE))
            }
        }

        #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
        impl<S: Send + Sync> ::axum_core::extract::FromRequestParts<S> for $value {
            type Rejection = $missing;

            async fn from_request_parts(
                parts: &mut ::http::request::Parts,
                _state: &S,
            ) -> Result<Self, Self::Rejection> {
                parts.extensions.get::<Self>().cloned().ok_or($missing)
            }
        }

        #[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
        impl<S: Send + Sync> ::axum_core::extract::OptionalFromRequestParts<S> for $value {
            type Rejection = ::std::convert::Infallible;

            async fn from_request_parts(
                parts: &mut ::http::request::Parts,
                _state: &S,
            ) -> Result<Option<Self>, Self::Rejection> {
                Ok(parts.extensions.get::<Self>().cloned())
            }
        }
    };
}

pub(crate) use extension_extractor;
