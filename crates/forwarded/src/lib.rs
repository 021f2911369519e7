#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod addr;
mod compute;
mod grammar;
mod hop;
mod host;
mod list;
mod peer;
mod providers;
mod rfc7239;
mod rfc9110;
mod single;
mod span;
mod strategy;
mod trust;
mod trusted;
mod walk;
mod warnings;
mod x_forwarded;
mod xff;

pub use addr::{Malformed, NodeAddr, normalize_ip, parse_node, parse_unbracketed_ip_port};
pub use grammar::{ForwardedGrammar, ParseGrammarError};
pub use hop::{Fallback, Hop, Ignored, Source};
pub use host::{HostError, HostPort, ParseSchemeError, Scheme, parse_host, parse_port_value};
pub use list::ListEntries;
pub use peer::{PeerAddr, peer_addr};
#[cfg(feature = "providers")]
#[cfg_attr(docsrs, doc(cfg(feature = "providers")))]
pub use providers::parse::{
    MIN_IPV4_PREFIX_LEN, MIN_IPV6_PREFIX_LEN, ProviderListError, ProviderListErrorKind,
    parse_provider_list,
};
pub use providers::{
    AWS_IP_RANGES_URL, CLOUDFLARE_API_URL, CLOUDFLARE_IPS_V4_URL, CLOUDFLARE_IPS_V6_URL,
    CLOUDFRONT_ORIGIN_FACING, FASTLY_PUBLIC_IP_LIST_URL, ListFormat, ParseListFormatError,
    ParseProviderError, Provider, ProviderFeed, ProviderList, ProviderRanges, RangesDiff,
    RangesOrigin,
};
pub use rfc7239::{Element, ElementError, ForNodesRev, ForwardedRev, Value};
#[doc(hidden)]
pub use rfc9110::{is_tchar, trim_ows};
pub use single::{
    CF_CONNECTING_IP, CLOUDFRONT_VIEWER_ADDRESS, FLY_CLIENT_IP, SingleError, TRUE_CLIENT_IP,
    X_REAL_IP, single_ip,
};
pub use strategy::{ClientIpStrategy, ParseStrategyError, ProxyHeaders, ProxyHeadersError};
pub use trust::{ProxyTrust, ProxyTrustBuilder, ProxyTrustError, SourceLabel};
pub use trusted::{NamedGroup, TrustedItem, TrustedProxies, TrustedProxiesError};
pub use walk::{Walk, rightmost_untrusted};
pub use warnings::OnceWarnings;
pub use x_forwarded::{XForwardedHeaders, XForwardedHeadersError};
pub use xff::{X_FORWARDED_FOR, XForwardedFor};

use http::header::HeaderName;

/// The `X-Forwarded-Proto` header name.
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
/// The `X-Forwarded-Host` header name.
pub const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");
/// The `X-Forwarded-Port` header name.
pub const X_FORWARDED_PORT: HeaderName = HeaderName::from_static("x-forwarded-port");
/// The `X-Forwarded-Prefix` header name.
pub const X_FORWARDED_PREFIX: HeaderName = HeaderName::from_static("x-forwarded-prefix");

/// The custom header names as statics, for the crate's per-request reads:
/// each use of a custom `HeaderName` constant builds a temporary and drops
/// it (a call through its `Bytes` vtable); a static is built once.
pub(crate) mod statics {
    use http::header::HeaderName;

    pub(crate) static X_FORWARDED_FOR: HeaderName = crate::X_FORWARDED_FOR;
    pub(crate) static X_FORWARDED_PROTO: HeaderName = crate::X_FORWARDED_PROTO;
    pub(crate) static X_FORWARDED_HOST: HeaderName = crate::X_FORWARDED_HOST;
    pub(crate) static X_FORWARDED_PORT: HeaderName = crate::X_FORWARDED_PORT;
    pub(crate) static X_FORWARDED_PREFIX: HeaderName = crate::X_FORWARDED_PREFIX;
}
