//! Resolves a request's scheme, host, port and base path, believing proxy
//! headers only from trusted peers, and checks the host against the allowed
//! hosts.

use std::borrow::Cow;
use std::sync::Arc;

use crocodile_forwarded::{
    ForwardedRev, HostError, ListEntries, Scheme, Walk, X_FORWARDED_HOST, X_FORWARDED_PORT,
    X_FORWARDED_PREFIX, X_FORWARDED_PROTO, parse_host, parse_port_value, rightmost_untrusted,
};
use http::header::{HOST, HeaderName};
use http::{HeaderMap, Uri};

use crate::allowed_hosts::{CandidateHost, Matched};
use crate::base_path::BasePath;
use crate::layer::Config;
use crate::present::Present;
use crate::proxy_headers::ProxyHeaders;

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
/// `trusted_peer` says whether the socket peer is a trusted proxy; when it is
/// not, only the request URI and `Host` count. `present` says which
/// `X-Forwarded-*` headers the request may carry (the others are not looked
/// up).
pub(crate) fn resolve(
    config: &Config,
    uri: &Uri,
    headers: &HeaderMap,
    trusted_peer: bool,
    present: Present,
) -> Result<Origin, Rejection> {
    let mut scheme = uri
        .scheme_str()
        .and_then(|s| Scheme::parse(s.as_bytes()))
        .unwrap_or(config.default_scheme);
    let mut host: Option<Cow<'_, [u8]>> = own_host(uri, headers, scheme)?.map(Cow::Borrowed);
    let mut port_override = None;
    let mut prefix = None;

    if trusted_peer {
        match config.proxy_headers {
            ProxyHeaders::XForwarded => {
                let hops = config.hops;
                let nth = |present: bool, name: &HeaderName, hops: u8| {
                    present
                        .then(|| nth_from_right(headers, name, hops))
                        .flatten()
                };
                if let Some(value) = nth(present.proto, &X_FORWARDED_PROTO, hops.proto_hops()) {
                    match Scheme::parse(value) {
                        Some(proto) => scheme = proto,
                        None => ignored("X-Forwarded-Proto", value),
                    }
                }
                if let Some(value) = nth(present.host, &X_FORWARDED_HOST, hops.host_hops()) {
                    host = Some(Cow::Borrowed(value));
                }
                if let Some(value) = nth(present.port, &X_FORWARDED_PORT, hops.port_hops()) {
                    match parse_port_value(value) {
                        Some(port) => port_override = Some(port),
                        None => ignored("X-Forwarded-Port", value),
                    }
                }
                if let Some(value) = nth(present.prefix, &X_FORWARDED_PREFIX, hops.prefix_hops()) {
                    match BasePath::validate(value) {
                        Some(path) => prefix = Some(path),
                        None => ignored("X-Forwarded-Prefix", value),
                    }
                }
            }
            ProxyHeaders::Forwarded => {
                let (proto, forwarded_host) = forwarded(config, headers);
                if let Some(proto) = proto {
                    scheme = proto;
                }
                if let Some(forwarded_host) = forwarded_host {
                    host = Some(forwarded_host);
                }
            }
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
        Some(path) => Arc::from(path),
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

/// The `n`-th value from the right of a comma-separated header (werkzeug
/// `ProxyFix`): `None` when `n` is 0 or the header has fewer values.
fn nth_from_right<'a>(headers: &'a HeaderMap, name: &HeaderName, hops: u8) -> Option<&'a [u8]> {
    let n = usize::from(hops).checked_sub(1)?;
    ListEntries::new(headers.get_all(name)).rev().nth(n)
}

/// `proto=` and `host=` from the `Forwarded` element the outermost trusted
/// proxy wrote: the one where the rightmost-untrusted walk over `for=` stops.
///
/// Element `k` (counted from the right) was appended by the proxy named in
/// element `k - 1`'s `for=` (element 0 by the socket peer), so every element
/// up to and including the stop was written by a trusted proxy, even when
/// the walk stopped because the stop's own `for=` is `unknown`, obfuscated,
/// missing or broken. A parameter missing there (or an element that does not
/// parse) falls back to the nearest element to its right that has it.
fn forwarded<'a>(
    config: &Config,
    headers: &'a HeaderMap,
) -> (Option<Scheme>, Option<Cow<'a, [u8]>>) {
    let walk = rightmost_untrusted(&config.trusted, ForwardedRev::new(headers).for_nodes());
    let (Walk::Untrusted { index: stop, .. }
    | Walk::AllTrusted { index: stop, .. }
    | Walk::Malformed { index: stop, .. }) = walk
    else {
        return (None, None);
    };
    let (mut proto, mut host) = (None, None);
    // Nearest first; a later (farther) element overrides, so what is left is
    // the value nearest the stop.
    for element in ForwardedRev::new(headers).take(stop.saturating_add(1)) {
        let Ok(element) = element else { continue };
        if let Some(value) = element.proto() {
            match Scheme::parse(&value.unescaped()) {
                Some(scheme) => proto = Some(scheme),
                None => ignored("Forwarded proto=", value.raw()),
            }
        }
        if let Some(value) = element.host() {
            host = Some(value.unescaped());
        }
    }
    (proto, host)
}

fn ignored(header: &'static str, value: &[u8]) {
    tracing::debug!(
        header,
        value = %String::from_utf8_lossy(&value[..value.len().min(64)]),
        "ignored an unrecognised value from a trusted proxy"
    );
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
