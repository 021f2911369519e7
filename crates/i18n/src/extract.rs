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

use crate::Localizer;

crate::rejection::extension_extractor!(
    Localizer,
    MissingLocalizer,
    "I18nLayer",
    "crate::I18nLayer",
    "Missing request extension `Localizer`. Is `I18nLayer` installed?",
    "crocodile_i18n::MissingLocalizer"
);
