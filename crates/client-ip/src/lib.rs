#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "axum")]
mod extract;
#[cfg(feature = "governor")]
mod governor;
mod layer;
mod rate_limit;

/// Re-exported from `crocodile-forwarded`: the trust model and what it decides.
pub use crocodile_forwarded::{
    ClientIpStrategy, Fallback, Hop, ParseStrategyError, PeerAddr, ProxyHeaders, ProxyTrust,
    Source, TrustedProxies, TrustedProxiesError,
};
#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub use extract::MissingClientIp;
#[cfg(feature = "governor")]
#[cfg_attr(docsrs, doc(cfg(feature = "governor")))]
pub use governor::ClientIpKeyExtractor;
pub use layer::{ClientIp, ClientIpLayer, ClientIpService};
pub use rate_limit::{
    Ipv6Prefix, Ipv6PrefixError, NoKey, OnProxyFallback, RateLimitKey, RateLimitKeys,
};
