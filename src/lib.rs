//! # Crocodile
//!
//! Leak-free tower middleware for axum. Each layer computes plain values once
//! per request and inserts them as request extensions; handlers read them with
//! extractors. Nothing in a request's extensions can reach the request, so
//! nothing per request outlives the response.
//!
//! This umbrella crate re-exports each capability behind a feature of the same
//! name:
//!
//! | Feature | Default | Crate | What it gives |
//! |---|---|---|---|
//! | `client-ip` | yes | [`client_ip`] (`crocodile-client-ip`) and [`forwarded`] | `ClientIpLayer`, `ClientIp`: the real client address behind trusted proxies |
//! | `i18n` | yes | [`i18n`] (`crocodile-i18n`) | `I18nLayer`, `Localizer`: Fluent catalogs and locale negotiation |
//! | `base-context` | yes | [`base_context`] (`crocodile-base-context`) and [`forwarded`] | `BaseContextLayer`, `BaseContext`: request id, trusted scheme and host, `home_url()` |
//!
//! Each crate can also be used on its own.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "client-ip")]
#[doc(inline)]
pub use crocodile_client_ip as client_ip;

#[cfg(any(feature = "client-ip", feature = "base-context"))]
#[doc(inline)]
pub use crocodile_forwarded as forwarded;

#[cfg(feature = "i18n")]
#[doc(inline)]
pub use crocodile_i18n as i18n;

#[cfg(feature = "base-context")]
#[doc(inline)]
pub use crocodile_base_context as base_context;
