#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
mod extract;
mod layer;

/// Re-exported from `crocodile-forwarded`: the trust model and what it decides.
pub use crocodile_forwarded::{
    ClientIpStrategy, Fallback, Hop, ParseStrategyError, PeerAddr, ProxyHeaders, ProxyTrust,
    Source, TrustedProxies, TrustedProxiesError,
};
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use extract::MissingClientIp;
pub use layer::{ClientIp, ClientIpLayer, ClientIpService};
