//! Parsing a provider's published list, with the sanity checks that keep a
//! broken or hostile document from changing who is trusted.

use std::fmt;

use ipnet::IpNet;
use serde_json::{Map, Value};

use super::{CLOUDFRONT_ORIGIN_FACING, ListFormat, Provider};
use crate::trusted::normalize_net;

/// The broadest IPv4 prefix a list may hold.
pub const MIN_IPV4_PREFIX_LEN: u8 = 8;
/// The broadest IPv6 prefix a list may hold.
pub const MIN_IPV6_PREFIX_LEN: u8 = 16;

/// The longest value from a document quoted in an error.
const QUOTE_MAX: usize = 64;

/// Parses `body`, a provider's list in `format`, into its ranges: sorted,
/// deduplicated, IPv4-mapped IPv6 networks stored as IPv4.
///
/// The whole document is refused, with a [`ProviderListError`] naming the
/// provider and what was wrong, when
///
/// - the provider does not publish `format` (for example a `fastly-json`
///   document for `cloudfront`);
/// - the body is longer than [`ListFormat::max_body_len`] (64 KiB, or 4 MiB
///   for AWS's `ip-ranges.json`), checked before anything else;
/// - it is not UTF-8, not JSON (for the JSON formats), or not the
///   documented shape (a field missing or of the wrong type);
/// - Cloudflare's API answered `"success": false`;
/// - an entry is not a CIDR, is in the wrong family's field, has host
///   bits set (`192.0.2.1/24`), or is broader than /8 (IPv4) or /16 (IPv6):
///   a mirror serving `0.0.0.0/0` must not make every client trusted;
/// - it holds no range at all (for AWS: no `CLOUDFRONT_ORIGIN_FACING`
///   entry).
///
/// For AWS, only the entries whose `service` is `CLOUDFRONT_ORIGIN_FACING`
/// are checked and kept; the other services' prefixes are ignored.
///
/// ```
/// use crocodile_forwarded::{ListFormat, Provider, parse_provider_list};
///
/// let body = br#"{"addresses":["192.0.2.0/24"],"ipv6_addresses":["2001:db8:f::/48"]}"#;
/// let ranges = parse_provider_list(Provider::Fastly, ListFormat::FastlyJson, body).unwrap();
/// assert_eq!(ranges.len(), 2);
///
/// let err = parse_provider_list(Provider::Cloudflare, ListFormat::CloudflareText, b"0.0.0.0/0\n")
///     .unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     "invalid cloudflare list (cloudflare-text): line 1: 0.0.0.0/0 is broader than /8, \
///      which would trust nearly every client",
/// );
/// ```
pub fn parse_provider_list(
    provider: Provider,
    format: ListFormat,
    body: &[u8],
) -> Result<Vec<IpNet>, ProviderListError> {
    let error = |kind| ProviderListError {
        provider,
        format,
        kind,
    };
    if !provider.formats().any(|f| f == format) {
        return Err(error(ProviderListErrorKind::WrongFormat));
    }
    let max = format.max_body_len();
    if body.len() > max {
        return Err(error(ProviderListErrorKind::TooLarge {
            len: body.len(),
            max,
        }));
    }
    let text = std::str::from_utf8(body).map_err(|e| {
        error(ProviderListErrorKind::NotUtf8 {
            valid_up_to: e.valid_up_to(),
        })
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut ranges = Vec::new();
    match format {
        ListFormat::CloudflareText => {
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if !line.is_empty() {
                    ranges.push(cidr(line, None, || format!("line {}", i + 1)).map_err(error)?);
                }
            }
        }
        ListFormat::CloudflareJson => {
            let doc = json(text).map_err(error)?;
            let root = object(&doc, "the document").map_err(error)?;
            match field(root, "success", "").map_err(error)? {
                Value::Bool(true) => {}
                Value::Bool(false) => return Err(error(ProviderListErrorKind::NotSuccess)),
                _ => return Err(error(wrong_type("success", "true or false"))),
            }
            let result =
                object(field(root, "result", "").map_err(error)?, "result").map_err(error)?;
            cidr_array(result, "ipv4_cidrs", "result.", Family::V4, &mut ranges).map_err(error)?;
            cidr_array(result, "ipv6_cidrs", "result.", Family::V6, &mut ranges).map_err(error)?;
        }
        ListFormat::FastlyJson => {
            let doc = json(text).map_err(error)?;
            let root = object(&doc, "the document").map_err(error)?;
            cidr_array(root, "addresses", "", Family::V4, &mut ranges).map_err(error)?;
            cidr_array(root, "ipv6_addresses", "", Family::V6, &mut ranges).map_err(error)?;
        }
        ListFormat::AwsIpRanges => {
            let doc = json(text).map_err(error)?;
            let root = object(&doc, "the document").map_err(error)?;
            for (list, key, family) in [
                ("prefixes", "ip_prefix", Family::V4),
                ("ipv6_prefixes", "ipv6_prefix", Family::V6),
            ] {
                let entries = array(field(root, list, "").map_err(error)?, list, "an array")
                    .map_err(error)?;
                for (i, entry) in entries.iter().enumerate() {
                    let at = format!("{list}[{i}]");
                    let entry = object(entry, &at).map_err(error)?;
                    let service = string(field(entry, "service", &at).map_err(error)?, || {
                        format!("{at}.service")
                    })
                    .map_err(error)?;
                    if service != CLOUDFRONT_ORIGIN_FACING {
                        continue;
                    }
                    let prefix = string(field(entry, key, &at).map_err(error)?, || {
                        format!("{at}.{key}")
                    })
                    .map_err(error)?;
                    ranges
                        .push(cidr(prefix, Some(family), || format!("{at}.{key}")).map_err(error)?);
                }
            }
        }
    }
    if ranges.is_empty() {
        return Err(error(ProviderListErrorKind::Empty));
    }
    ranges.sort_unstable();
    ranges.dedup();
    Ok(ranges)
}

/// A provider's list that was refused, and why: nothing of it is used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderListError {
    provider: Provider,
    format: ListFormat,
    kind: ProviderListErrorKind,
}

impl ProviderListError {
    /// The provider whose list it was.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The format it was read as.
    pub fn format(&self) -> ListFormat {
        self.format
    }

    /// What was wrong.
    pub fn kind(&self) -> &ProviderListErrorKind {
        &self.kind
    }
}

/// What was wrong with a provider's list. Values quoted from the document
/// are cut to 64 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProviderListErrorKind {
    /// The provider does not publish this format.
    WrongFormat,
    /// The body is longer than the format's cap.
    TooLarge {
        /// The body's length, in bytes.
        len: usize,
        /// The cap ([`ListFormat::max_body_len`]).
        max: usize,
    },
    /// The body is not UTF-8.
    NotUtf8 {
        /// The length of the valid prefix, in bytes.
        valid_up_to: usize,
    },
    /// The body is not JSON (serde_json's message, with line and column).
    Json(String),
    /// A field the format requires is absent.
    MissingField {
        /// Where (`result.ipv4_cidrs`).
        at: String,
    },
    /// A field has the wrong type.
    WrongType {
        /// Where.
        at: String,
        /// What the format has there.
        expected: &'static str,
    },
    /// Cloudflare's API answered `"success": false`.
    NotSuccess,
    /// An entry is not a CIDR.
    NotACidr {
        /// Where (`line 3`, `prefixes[2].ip_prefix`).
        at: String,
        /// The entry, as written.
        value: String,
    },
    /// An IPv4 network in an IPv6 field, or the other way round.
    WrongFamily {
        /// Where.
        at: String,
        /// The network.
        net: IpNet,
    },
    /// A network with host bits set (`192.0.2.1/24`).
    HostBits {
        /// Where.
        at: String,
        /// The network, as written.
        net: IpNet,
    },
    /// A prefix broader than /8 (IPv4) or /16 (IPv6).
    TooBroad {
        /// Where.
        at: String,
        /// The network.
        net: IpNet,
    },
    /// No range at all.
    Empty,
}

impl fmt::Display for ProviderListError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (provider, format) = (self.provider, self.format);
        write!(f, "invalid {provider} list ({format}): ")?;
        match &self.kind {
            ProviderListErrorKind::WrongFormat => {
                write!(
                    f,
                    "{provider} does not publish {format} documents; expected "
                )?;
                for (i, known) in provider.formats().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    known.fmt(f)?;
                }
                if provider.formats().next().is_none() {
                    f.write_str("none (no published list: supply its ranges yourself)")?;
                }
                Ok(())
            }
            ProviderListErrorKind::TooLarge { len, max } => write!(
                f,
                "the body is {len} bytes, over the {max}-byte cap for {format} documents"
            ),
            ProviderListErrorKind::NotUtf8 { valid_up_to } => write!(
                f,
                "the body is not UTF-8 (an invalid byte at offset {valid_up_to})"
            ),
            ProviderListErrorKind::Json(message) => write!(f, "not JSON: {message}"),
            ProviderListErrorKind::MissingField { at } => write!(f, "`{at}` is missing"),
            ProviderListErrorKind::WrongType { at, expected } => {
                write!(f, "`{at}` is not {expected}")
            }
            ProviderListErrorKind::NotSuccess => f.write_str("the API answered \"success\": false"),
            ProviderListErrorKind::NotACidr { at, value } => write!(
                f,
                "{at}: {value:?} is not a CIDR (as in 192.0.2.0/24 or 2001:db8::/32)"
            ),
            ProviderListErrorKind::WrongFamily { at, net } => {
                let family = if net.addr().is_ipv4() { "IPv6" } else { "IPv4" };
                write!(f, "{at}: {net} is not an {family} network")
            }
            ProviderListErrorKind::HostBits { at, net } => write!(
                f,
                "{at}: {net} has host bits set (the network would be {})",
                net.trunc()
            ),
            ProviderListErrorKind::TooBroad { at, net } => {
                let min = match net {
                    IpNet::V4(_) => MIN_IPV4_PREFIX_LEN,
                    IpNet::V6(_) => MIN_IPV6_PREFIX_LEN,
                };
                write!(
                    f,
                    "{at}: {net} is broader than /{min}, which would trust nearly every client"
                )
            }
            ProviderListErrorKind::Empty => match format {
                ListFormat::AwsIpRanges => {
                    write!(f, "no {CLOUDFRONT_ORIGIN_FACING} prefix in the document")
                }
                _ => f.write_str("the list holds no ranges"),
            },
        }
    }
}

impl std::error::Error for ProviderListError {}

#[derive(Clone, Copy)]
enum Family {
    V4,
    V6,
}

fn quote(value: &str) -> String {
    match value.char_indices().nth(QUOTE_MAX) {
        Some((end, _)) => format!("{}...", &value[..end]),
        None => value.to_owned(),
    }
}

fn wrong_type(at: &str, expected: &'static str) -> ProviderListErrorKind {
    ProviderListErrorKind::WrongType {
        at: at.to_owned(),
        expected,
    }
}

fn json(text: &str) -> Result<Value, ProviderListErrorKind> {
    serde_json::from_str(text).map_err(|e| ProviderListErrorKind::Json(e.to_string()))
}

fn object<'a>(value: &'a Value, at: &str) -> Result<&'a Map<String, Value>, ProviderListErrorKind> {
    value.as_object().ok_or_else(|| wrong_type(at, "an object"))
}

fn array<'a>(
    value: &'a Value,
    at: &str,
    expected: &'static str,
) -> Result<&'a [Value], ProviderListErrorKind> {
    value
        .as_array()
        .map(Vec::as_slice)
        .ok_or_else(|| wrong_type(at, expected))
}

fn string(value: &Value, at: impl FnOnce() -> String) -> Result<&str, ProviderListErrorKind> {
    value
        .as_str()
        .ok_or_else(|| ProviderListErrorKind::WrongType {
            at: at(),
            expected: "a string",
        })
}

/// `parent.name` of an object at `parent` (`""` for the root).
fn field<'a>(
    object: &'a Map<String, Value>,
    name: &str,
    parent: &str,
) -> Result<&'a Value, ProviderListErrorKind> {
    let at = || {
        if parent.is_empty() {
            name.to_owned()
        } else {
            format!("{parent}.{name}")
        }
    };
    object
        .get(name)
        .ok_or_else(|| ProviderListErrorKind::MissingField { at: at() })
}

/// An array of CIDR strings of one family at `object[name]`.
fn cidr_array(
    object: &Map<String, Value>,
    name: &str,
    prefix: &str,
    family: Family,
    ranges: &mut Vec<IpNet>,
) -> Result<(), ProviderListErrorKind> {
    let at = format!("{prefix}{name}");
    let value = object
        .get(name)
        .ok_or_else(|| ProviderListErrorKind::MissingField { at: at.clone() })?;
    let entries = value
        .as_array()
        .ok_or_else(|| wrong_type(&at, "an array of strings"))?;
    for (i, entry) in entries.iter().enumerate() {
        let entry_at = || format!("{at}[{i}]");
        let text = string(entry, entry_at)?;
        ranges.push(cidr(text, Some(family), entry_at)?);
    }
    Ok(())
}

/// One entry: a CIDR of the family, network address only, not too broad.
fn cidr(
    text: &str,
    family: Option<Family>,
    at: impl Fn() -> String,
) -> Result<IpNet, ProviderListErrorKind> {
    let net = match text.parse::<IpNet>() {
        Ok(net) if text.contains('/') => net,
        _ => {
            return Err(ProviderListErrorKind::NotACidr {
                at: at(),
                value: quote(text),
            });
        }
    };
    match (family, net) {
        (Some(Family::V4), IpNet::V6(_)) | (Some(Family::V6), IpNet::V4(_)) => {
            return Err(ProviderListErrorKind::WrongFamily { at: at(), net });
        }
        _ => {}
    }
    if net.trunc() != net {
        return Err(ProviderListErrorKind::HostBits { at: at(), net });
    }
    let net = normalize_net(net);
    let too_broad = match net {
        IpNet::V4(v4) => v4.prefix_len() < MIN_IPV4_PREFIX_LEN,
        IpNet::V6(v6) => v6.prefix_len() < MIN_IPV6_PREFIX_LEN,
    };
    if too_broad {
        return Err(ProviderListErrorKind::TooBroad { at: at(), net });
    }
    Ok(net)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(provider: Provider, format: ListFormat, body: &str) -> Result<Vec<IpNet>, String> {
        parse_provider_list(provider, format, body.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn text_lines_are_trimmed_and_blank_lines_skipped() {
        let ranges = parse(
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            "\u{feff}203.0.113.0/24\r\n\r\n 198.51.100.0/25 \n2001:db8:cf::/48",
        )
        .unwrap();
        assert_eq!(
            ranges,
            ["198.51.100.0/25", "203.0.113.0/24", "2001:db8:cf::/48"]
                .map(|n| n.parse::<IpNet>().unwrap())
        );
    }

    #[test]
    fn a_mapped_network_is_checked_as_the_ipv4_one_it_maps() {
        let err = parse(
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            "::ffff:0.0.0.0/96\n",
        )
        .unwrap_err();
        assert!(
            err.ends_with(
                "line 1: 0.0.0.0/0 is broader than /8, which would trust nearly every client"
            ),
            "{err}"
        );
        let ranges = parse(
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            "::ffff:192.0.2.0/120\n",
        )
        .unwrap();
        assert_eq!(ranges, ["192.0.2.0/24".parse::<IpNet>().unwrap()]);
    }

    #[test]
    fn long_values_are_cut_in_messages() {
        let body = "x".repeat(1000);
        let err = parse(Provider::Cloudflare, ListFormat::CloudflareText, &body).unwrap_err();
        assert!(err.len() < 250, "{err}");
        assert!(err.contains("..."), "{err}");
    }

    #[test]
    fn the_broadest_allowed_prefixes_pass() {
        let ranges = parse(
            Provider::Cloudflare,
            ListFormat::CloudflareText,
            "10.0.0.0/8\n2001::/16\n",
        )
        .unwrap();
        assert_eq!(ranges.len(), 2);
        for broad in ["10.0.0.0/7", "2000::/15", "::/0"] {
            assert!(parse(Provider::Cloudflare, ListFormat::CloudflareText, broad).is_err());
        }
    }
}
