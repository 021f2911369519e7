//! Headers that carry exactly one address: `X-Real-IP`, `CF-Connecting-IP`,
//! `True-Client-IP`, `Fly-Client-IP`, `CloudFront-Viewer-Address`, or any
//! header a deployment names.

use std::fmt;

use http::HeaderMap;
use http::header::HeaderName;

use crate::addr::{Malformed, NodeAddr, parse_node, parse_unbracketed_ip_port};
use crate::rfc9110::trim_ows;

/// `X-Real-IP` (nginx `proxy_set_header X-Real-IP $remote_addr`).
pub const X_REAL_IP: HeaderName = HeaderName::from_static("x-real-ip");
/// `CF-Connecting-IP` (Cloudflare).
pub const CF_CONNECTING_IP: HeaderName = HeaderName::from_static("cf-connecting-ip");
/// `True-Client-IP` (Akamai, Cloudflare Enterprise).
pub const TRUE_CLIENT_IP: HeaderName = HeaderName::from_static("true-client-ip");
/// `Fly-Client-IP` (Fly.io).
pub const FLY_CLIENT_IP: HeaderName = HeaderName::from_static("fly-client-ip");
/// `CloudFront-Viewer-Address` (Amazon CloudFront): `address:port`, IPv6 unbracketed.
pub const CLOUDFRONT_VIEWER_ADDRESS: HeaderName =
    HeaderName::from_static("cloudfront-viewer-address");

/// Why a single-address header can't be believed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SingleError {
    /// The header is not there.
    Absent,
    /// The header appears on more than one line.
    MultipleLines,
    /// The one line holds a list, not one address.
    MultipleValues,
    /// The value is not an address.
    Malformed(Malformed),
}

impl fmt::Display for SingleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Absent => f.write_str("header absent"),
            Self::MultipleLines => f.write_str("header repeated on several lines"),
            Self::MultipleValues => f.write_str("header holds a list, not one address"),
            Self::Malformed(why) => write!(f, "header holds {why}"),
        }
    }
}

impl std::error::Error for SingleError {}

/// Reads a header that must hold exactly one address on exactly one line
/// (a port is allowed: `1.2.3.4:5678`, `[2001:db8::1]:443`).
///
/// `CloudFront-Viewer-Address` is read in CloudFront's own `address:port`
/// form, where IPv6 is not bracketed. Allocates nothing.
///
/// ```
/// use http::HeaderMap;
/// use crocodile_forwarded::{single_ip, SingleError, X_REAL_IP};
///
/// let mut headers = HeaderMap::new();
/// headers.insert(X_REAL_IP, " 203.0.113.9 ".parse().unwrap());
/// assert_eq!(single_ip(&headers, &X_REAL_IP).unwrap().ip.to_string(), "203.0.113.9");
/// headers.append(X_REAL_IP, "198.51.100.1".parse().unwrap());
/// assert_eq!(single_ip(&headers, &X_REAL_IP), Err(SingleError::MultipleLines));
/// ```
pub fn single_ip(headers: &HeaderMap, name: &HeaderName) -> Result<NodeAddr, SingleError> {
    let mut lines = headers.get_all(name).iter();
    let line = lines.next().ok_or(SingleError::Absent)?;
    if lines.next().is_some() {
        return Err(SingleError::MultipleLines);
    }
    let value = trim_ows(line.as_bytes());
    if value.contains(&b',') {
        return Err(SingleError::MultipleValues);
    }
    let parsed = if name == CLOUDFRONT_VIEWER_ADDRESS {
        parse_unbracketed_ip_port(value)
    } else {
        parse_node(value)
    };
    parsed.map_err(SingleError::Malformed)
}
