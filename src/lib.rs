#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "client-ip")]
#[cfg_attr(docsrs, doc(cfg(feature = "client-ip")))]
#[doc(inline)]
pub use crocodile_client_ip as client_ip;

#[cfg(any(feature = "client-ip", feature = "base-context"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "client-ip", feature = "base-context"))))]
#[doc(inline)]
pub use crocodile_forwarded as forwarded;

#[cfg(feature = "i18n")]
#[cfg_attr(docsrs, doc(cfg(feature = "i18n")))]
#[doc(inline)]
pub use crocodile_i18n as i18n;

#[cfg(feature = "base-context")]
#[cfg_attr(docsrs, doc(cfg(feature = "base-context")))]
#[doc(inline)]
pub use crocodile_base_context as base_context;
