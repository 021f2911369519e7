//! Resolves a request's scheme, host, port and base path, believing proxy
//! headers only from trusted peers, and checks the host against the allowed
//! hosts.

use std::borrow::Cow;
use std::sync::Arc;

use crocodile_forwarded::{Hop, HostError, Ignored, Scheme, parse_host};
use http::header::HOST;
use http::{HeaderMap, Uri};

use crate::allowed_hosts::{CandidateHost, Matched};
use crate::base_path::BasePath;
use crate::layer::Config;

/// Where the request says it was addressed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) scheme: Scheme,
    /// Lowercase, no port, no trailing dot, IPv6 bracketed and canonical.
    pub(crate) host: Arc<str>,
    pub(crate) port: u16,
    pub(crate) base_path: Arc<str>,
}

/// Why a request is answered 400 before the handler.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    MissingHost,
    MultipleHosts,
    AuthorityMismatch,
    InvalidHost(HostError),
    NotAllowed,
}

impl Rejection {
    /// The short plain-text body of the 400.
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::MissingHost => "missing Host header",
            Self::MultipleHosts => "more than one Host header",
            Self::AuthorityMismatch => "Host header does not match the request authority",
            Self::InvalidHost(error) => match error {
                HostError::Empty => "invalid host: empty",
                HostError::InvalidCharacter => "invalid host: invalid character",
                HostError::InvalidName => "invalid host: invalid name",
                HostError::InvalidIpv6 => "invalid host: invalid IPv6 literal",
                HostError::InvalidPort => "invalid host: invalid port",
                _ => "invalid host",
            },
            Self::NotAllowed => "host not allowed",
        }
    }
}

/// Resolves the origin of a request.
///
/// The request URI and `Host` give the connection's own scheme and host; the
/// hop's scheme, host, port and prefix (all from the one proxy that saw the
/// client, and only when its headers are believed) replace them one by one.
pub(crate) fn resolve(
    config: &Config,
    uri: &Uri,
    headers: &HeaderMap,
    hop: &Hop,
) -> Result<Origin, Rejection> {
    let mut scheme = uri
        .scheme_str()
        .and_then(|s| Scheme::parse(s.as_bytes()))
        .unwrap_or(config.default_scheme);
    let mut host: Option<Cow<'_, [u8]>> = own_host(uri, headers, scheme)?.map(Cow::Borrowed);
    let mut port_override = None;
    let mut prefix = None;

    if hop.is_proxied() {
        match hop.proto() {
            Ok(proto) => scheme = proto,
            Err(why) => ignored("proto", why),
        }
        match hop.host(headers) {
            Ok(value) => host = Some(value),
            Err(why) => ignored("host", why),
        }
        match hop.port() {
            Ok(port) => port_override = Some(port),
            Err(why) => ignored("port", why),
        }
        match hop.prefix(headers) {
            Ok(value) => match BasePath::validate(&value) {
                Some(path) => prefix = Some(Arc::<str>::from(path)),
                None => tracing::debug!(
                    field = "prefix",
                    "ignored an invalid prefix from a trusted proxy"
                ),
            },
            Err(why) => ignored("prefix", why),
        }
    }

    let host = host.ok_or(Rejection::MissingHost)?;
    let parsed = parse_host(&host).map_err(Rejection::InvalidHost)?;
    let port = port_override
        .or(parsed.port())
        .unwrap_or_else(|| scheme.default_port());
    let candidate = CandidateHost::new(parsed.host());
    let host = match config.allowed_hosts.find(candidate, port) {
        None => {
            tracing::debug!(host = parsed.host(), port, "host not allowed");
            return Err(Rejection::NotAllowed);
        }
        Some(Matched::Shared(text)) => Arc::clone(text),
        Some(Matched::Pattern) => lowercase(candidate),
    };
    let base_path = match prefix {
        Some(path) => path,
        None => Arc::clone(config.base_path.shared()),
    };
    Ok(Origin {
        scheme,
        host,
        port,
        base_path,
    })
}

/// The request's own host: the URI authority (HTTP/2 `:authority`, HTTP/1.1
/// absolute form) or `Host`. Both present and naming different hosts is a
/// 400 (RFC 9113 section 8.3.1); so is more than one `Host` (RFC 9112
/// section 3.2).
fn own_host<'a>(
    uri: &'a Uri,
    headers: &'a HeaderMap,
    scheme: Scheme,
) -> Result<Option<&'a [u8]>, Rejection> {
    let mut lines = headers.get_all(HOST).iter();
    let host_header = lines.next();
    if lines.next().is_some() {
        return Err(Rejection::MultipleHosts);
    }
    Ok(match (uri.authority(), host_header) {
        (Some(authority), Some(header)) => {
            let authority = authority.as_str().as_bytes();
            if !authority.eq_ignore_ascii_case(header.as_bytes())
                && !same_host(authority, header.as_bytes(), scheme)?
            {
                return Err(Rejection::AuthorityMismatch);
            }
            Some(authority)
        }
        (Some(authority), None) => Some(authority.as_str().as_bytes()),
        (None, Some(header)) => Some(header.as_bytes()),
        (None, None) => None,
    })
}

/// Whether two host values name the same host and effective port.
fn same_host(a: &[u8], b: &[u8], scheme: Scheme) -> Result<bool, Rejection> {
    let a = parse_host(a).map_err(Rejection::InvalidHost)?;
    let b = parse_host(b).map_err(Rejection::InvalidHost)?;
    let default = scheme.default_port();
    let (ha, hb) = (CandidateHost::new(a.host()), CandidateHost::new(b.host()));
    let same_name = match (ha.ipv6, hb.ipv6) {
        (Some(x), Some(y)) => x == y,
        (None, None) => ha.text.eq_ignore_ascii_case(hb.text),
        _ => false,
    };
    Ok(same_name && a.port().unwrap_or(default) == b.port().unwrap_or(default))
}

/// Traces why a hop field was not used, when that is news: a proxy header
/// that was there but could not be believed.
fn ignored(field: &'static str, why: Ignored) {
    if matches!(
        why,
        Ignored::InconsistentCount | Ignored::Invalid | Ignored::Changed
    ) {
        tracing::debug!(field, ignored = why.code(), "kept the request's own value");
    }
}

/// The host's text for the context, when no allowed-hosts item shares it.
fn lowercase(host: CandidateHost<'_>) -> Arc<str> {
    if let Some(addr) = host.ipv6 {
        return Arc::from(format!("[{addr}]"));
    }
    // Names are at most 253 bytes (validated); copy on the stack, then once
    // into the `Arc`.
    let mut buf = [0u8; 256];
    match buf.get_mut(..host.text.len()) {
        Some(slot) => {
            slot.copy_from_slice(host.text.as_bytes());
            slot.make_ascii_lowercase();
            Arc::from(std::str::from_utf8(slot).unwrap_or_default())
        }
        None => Arc::from(host.text.to_ascii_lowercase()),
    }
}
