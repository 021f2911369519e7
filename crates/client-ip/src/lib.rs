#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod decide;
mod decision;
#[cfg(feature = "axum")]
mod extract;
mod layer;
mod strategy;

pub use crocodile_forwarded::{PeerAddr, TrustedProxies, TrustedProxiesError};
pub use decision::{ClientIp, ClientIpDecision, Fallback, Source};
#[cfg(feature = "axum")]
pub use extract::ClientIpRejection;
pub use layer::{ClientIpLayer, ClientIpService};
pub use strategy::{ChainHeader, ClientIpStrategy, ParseStrategyError};
