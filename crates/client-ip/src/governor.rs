//! A `tower_governor` key extractor on the real client address:
//! [`ClientIpKeyExtractor`] (feature `governor`).
//!
//! `tower_governor`'s own `SmartIpKeyExtractor` believes the leftmost,
//! spoofable `X-Forwarded-For` entry from anyone, and its peer extractor puts
//! every client behind a proxy into one bucket. This one keys by the
//! [`ClientIp`](crate::ClientIp) that `ClientIpLayer` decided, grouped as
//! [`RateLimitKeys`] says (IPv6 by /64). Put `ClientIpLayer` outside the
//! `GovernorLayer`.
//!
//! With tower_governor's `tracing` feature, its `KeyExtractor` trait has two
//! more methods: enable this crate's `governor-tracing` feature instead of
//! (or as well as) tower_governor's `tracing`, and they are provided.
//!
//! ```
//! use std::net::SocketAddr;
//! use std::sync::Arc;
//! use axum::{Router, body::Body, routing::get};
//! use axum::extract::connect_info::MockConnectInfo;
//! use crocodile_client_ip::{ClientIpKeyExtractor, ClientIpLayer, ProxyTrust};
//! use http::Request;
//! use tower::{ServiceBuilder, ServiceExt};
//! use tower_governor::{GovernorLayer, governor::GovernorConfigBuilder};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let trust = ProxyTrust::new("rightmost:x-forwarded-for".parse()?, "loopback".parse()?);
//! let governor = GovernorConfigBuilder::default()
//!     .per_second(60)
//!     .burst_size(2)
//!     .key_extractor(ClientIpKeyExtractor::default())
//!     .finish()
//!     .ok_or("a rate of zero")?;
//! let app = Router::new().route("/", get(|| async { "ok" })).layer(
//!     ServiceBuilder::new()
//!         .layer(ClientIpLayer::new(trust))
//!         .layer(GovernorLayer::new(Arc::new(governor))),
//! );
//! let app = app.layer(MockConnectInfo("127.0.0.1:4000".parse::<SocketAddr>()?));
//! let from = |client: &str| {
//!     Request::get("/").header("x-forwarded-for", client).body(Body::empty()).unwrap()
//! };
//! // Two requests per client, then 429; another client has its own bucket.
//! for _ in 0..2 {
//!     assert_eq!(app.clone().oneshot(from("203.0.113.7")).await?.status(), 200);
//! }
//! assert_eq!(app.clone().oneshot(from("203.0.113.7")).await?.status(), 429);
//! assert_eq!(app.clone().oneshot(from("198.51.100.1")).await?.status(), 200);
//! # Ok(())
//! # }
//! ```

use http::Request;
use tower_governor::GovernorError;
use tower_governor::key_extractor::KeyExtractor;

use crate::rate_limit::{RateLimitKey, RateLimitKeys};

/// A [`KeyExtractor`] for `tower_governor` keyed by
/// [`ClientIp`](crate::ClientIp), grouped as its [`RateLimitKeys`] say. A
/// request without a key (no `ClientIpLayer` before the limiter, or a proxy
/// fallback refused by [`OnProxyFallback::Refuse`](crate::OnProxyFallback))
/// gets `GovernorError::UnableToExtractKey` (a 500).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientIpKeyExtractor {
    keys: RateLimitKeys,
}

impl ClientIpKeyExtractor {
    /// An extractor making keys as `keys` says.
    pub fn new(keys: RateLimitKeys) -> Self {
        Self { keys }
    }

    /// How it makes keys.
    pub fn keys(&self) -> RateLimitKeys {
        self.keys
    }
}

impl KeyExtractor for ClientIpKeyExtractor {
    type Key = RateLimitKey;

    #[cfg(feature = "governor-tracing")]
    fn name(&self) -> &'static str {
        "crocodile client ip"
    }

    fn extract<T>(&self, req: &Request<T>) -> Result<Self::Key, GovernorError> {
        self.keys.key_for(req).map_err(|why| {
            tracing::debug!(reason = %why, "no rate-limit key for the request");
            GovernorError::UnableToExtractKey
        })
    }

    #[cfg(feature = "governor-tracing")]
    fn key_name(&self, key: &Self::Key) -> Option<String> {
        Some(key.to_string())
    }
}
