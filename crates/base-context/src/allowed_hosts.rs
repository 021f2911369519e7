//! The hosts an application answers for, checked before any URL is built
//! from the request's host.
//!
//! # Example
//!
//! ```
//! use crocodile_base_context::AllowedHosts;
//!
//! let allowed: AllowedHosts = "example.com, .example.org, [::1]:8443".parse()?;
//! assert!(allowed.allows("EXAMPLE.com.", 443));
//! assert!(allowed.allows("a.b.example.org", 80));
//! assert!(allowed.allows("example.org", 80));
//! assert!(!allowed.allows("evil-example.org", 80));
//! assert!(allowed.allows("[0:0::1]", 8443));
//! assert!(!allowed.allows("[::1]", 443));
//! assert_eq!(allowed.to_string(), "example.com, .example.org, [::1]:8443");
//! assert!("".parse::<AllowedHosts>().is_err());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::net::Ipv6Addr;
use std::str::FromStr;
use std::sync::Arc;

use crocodile_forwarded::{HostError, parse_host, parse_port_value};

/// A non-empty list of allowed hosts, as Django's `ALLOWED_HOSTS` has it.
///
/// Written comma-separated; each item is one of
///
/// | Item | Matches |
/// |---|---|
/// | `example.com` | that host only |
/// | `.example.com` | `example.com` and its subdomains at any depth |
/// | `*` | any valid host |
/// | `127.0.0.1`, `[::1]` | that address (IPv6 compared as addresses, so `[0::1]` is `[::1]`) |
///
/// and any of them may end in `:port` to allow that port only (`*:8080`,
/// `example.com:8443`); without one every port is allowed. The port compared
/// is the request's effective port: the one in the host, or the scheme's
/// default. Matching is case-insensitive and ignores one trailing dot on either
/// side. Empty items are skipped, but a list with none is an error: "allow
/// nothing" is not a deployment, and "allow all" must be said with `*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    pattern: Pattern,
    port: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Any,
    /// A lowercase name or IPv4 address without a trailing dot; shared with
    /// every request that matches it, so an exact match allocates nothing.
    Exact(Arc<str>),
    /// `.example.com`, stored lowercase without the leading dot.
    Domain(Box<str>),
    /// `[::1]`: the address, and its canonical bracketed text.
    Ipv6(Ipv6Addr, Arc<str>),
}

/// Why an allowed-hosts list was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum AllowedHostsError {
    /// The list has no items.
    Empty,
    /// An item is not a host, `.domain`, `*` or one of them with `:port`.
    Invalid {
        /// The item as written.
        item: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// An item is a URL (`https://example.com/`) where a host was expected.
    Url {
        /// The item as written.
        item: String,
        /// The host (and port) to write instead: `example.com`.
        host: String,
    },
    /// Hosts separated by spaces (`example.com example.org`) instead of commas.
    SpaceSeparated {
        /// The item as written, spaces included.
        item: String,
        /// The same hosts, comma-separated: `example.com, example.org`.
        list: String,
    },
}

impl AllowedHostsError {
    /// The item at fault, as written; `None` for an empty list.
    pub fn item(&self) -> Option<&str> {
        match self {
            Self::Empty => None,
            Self::Invalid { item, .. }
            | Self::Url { item, .. }
            | Self::SpaceSeparated { item, .. } => Some(item),
        }
    }
}

impl fmt::Display for AllowedHostsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => {
                f.write_str("the allowed-hosts list is empty (use `*` to allow any host)")
            }
            Self::Invalid { item, reason } => write!(f, "invalid allowed host {item:?}: {reason}"),
            Self::Url { item, host } => write!(
                f,
                "invalid allowed host {item:?}: a URL was given where a host was expected; write {host:?}"
            ),
            Self::SpaceSeparated { item, list } => write!(
                f,
                "invalid allowed host {item:?}: separate hosts with commas, not spaces: {list:?}"
            ),
        }
    }
}

impl std::error::Error for AllowedHostsError {}

/// A request host ready for matching: validated, without its port and
/// trailing dot, case as written.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CandidateHost<'a> {
    /// ASCII, validated by `parse_host`; bracketed for IPv6.
    pub(crate) text: &'a str,
    pub(crate) ipv6: Option<Ipv6Addr>,
}

impl<'a> CandidateHost<'a> {
    /// Prepares a host as `HostPort::host` returns it.
    pub(crate) fn new(host: &'a str) -> Self {
        let ipv6 = host
            .strip_prefix('[')
            .and_then(|h| h.strip_suffix(']'))
            .and_then(|h| h.parse().ok());
        let text = if ipv6.is_some() {
            host
        } else {
            host.strip_suffix('.').unwrap_or(host)
        };
        Self { text, ipv6 }
    }
}

/// The outcome of a successful match.
#[derive(Debug)]
pub(crate) enum Matched<'a> {
    /// An exact item matched: its shared lowercase text is the host.
    Shared(&'a Arc<str>),
    /// A pattern matched: the host must be copied.
    Pattern,
}

impl AllowedHosts {
    /// Allows any valid host (`*`). Only for development: every URL built from
    /// the request then uses whatever host the client sent.
    pub fn any() -> Self {
        Self {
            entries: vec![Entry {
                pattern: Pattern::Any,
                port: None,
            }],
        }
    }

    /// Parses a comma-separated list such as `"example.com, .example.org"`.
    pub fn parse(list: &str) -> Result<Self, AllowedHostsError> {
        list.parse()
    }

    /// Whether `host` (bare: no port, IPv6 in brackets) on `port` is allowed.
    /// An invalid host is never allowed.
    pub fn allows(&self, host: &str, port: u16) -> bool {
        match parse_host(host.as_bytes()) {
            Ok(parsed) if parsed.port().is_none() => {
                self.find(CandidateHost::new(parsed.host()), port).is_some()
            }
            _ => false,
        }
    }

    pub(crate) fn find(&self, host: CandidateHost<'_>, port: u16) -> Option<Matched<'_>> {
        self.entries.iter().find_map(|entry| {
            if entry.port.is_some_and(|pinned| pinned != port) {
                return None;
            }
            match &entry.pattern {
                Pattern::Any => Some(Matched::Pattern),
                // Hosts usually arrive lowercase, as items are stored: the
                // plain comparison is a memcmp, the folding one goes byte by byte.
                Pattern::Exact(name) => (host.text == &**name
                    || host.text.eq_ignore_ascii_case(name))
                .then_some(Matched::Shared(name)),
                Pattern::Domain(domain) => {
                    let text = host.text.as_bytes();
                    let domain = domain.as_bytes();
                    let is_sub = text.len() > domain.len()
                        && text[text.len() - domain.len() - 1] == b'.'
                        && text[text.len() - domain.len()..].eq_ignore_ascii_case(domain);
                    (host.ipv6.is_none() && (is_sub || text.eq_ignore_ascii_case(domain)))
                        .then_some(Matched::Pattern)
                }
                Pattern::Ipv6(addr, text) => {
                    (host.ipv6 == Some(*addr)).then_some(Matched::Shared(text))
                }
            }
        })
    }
}

impl FromStr for AllowedHosts {
    type Err = AllowedHostsError;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let entries = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(parse_entry)
            .collect::<Result<Vec<_>, _>>()?;
        if entries.is_empty() {
            return Err(AllowedHostsError::Empty);
        }
        Ok(Self { entries })
    }
}

fn parse_entry(item: &str) -> Result<Entry, AllowedHostsError> {
    let invalid = |reason: &'static str| AllowedHostsError::Invalid {
        item: item.to_owned(),
        reason,
    };
    if let Some(error) = misplaced_list_or_url(item) {
        return Err(error);
    }
    if let Some(rest) = item.strip_prefix('*') {
        let port = match rest {
            "" => None,
            _ => Some(
                rest.strip_prefix(':')
                    .and_then(|p| parse_port_value(p.as_bytes()))
                    .ok_or_else(|| {
                        invalid(
                            "`*` stands alone or with a port; for subdomains write `.example.com`",
                        )
                    })?,
            ),
        };
        return Ok(Entry {
            pattern: Pattern::Any,
            port,
        });
    }
    let (domain, rest) = match item.strip_prefix('.') {
        Some(rest) => (true, rest),
        None => (false, item),
    };
    let parsed = parse_host(rest.as_bytes()).map_err(|e| invalid(host_error_reason(e)))?;
    let host = CandidateHost::new(parsed.host());
    let pattern = match (domain, host.ipv6) {
        (false, Some(addr)) => Pattern::Ipv6(addr, Arc::from(format!("[{addr}]"))),
        (true, Some(_)) => return Err(invalid("an IPv6 address has no subdomains")),
        (true, None) => Pattern::Domain(host.text.to_ascii_lowercase().into_boxed_str()),
        (false, None) => Pattern::Exact(Arc::from(host.text.to_ascii_lowercase())),
    };
    Ok(Entry {
        pattern,
        port: parsed.port(),
    })
}

/// The two mistakes a deployment makes most, said as such: a URL where a
/// host was expected, and spaces where commas were expected. `None` when
/// `item` is neither.
fn misplaced_list_or_url(item: &str) -> Option<AllowedHostsError> {
    // Every word an item of its own, and none a bare label (`exa mple.com`
    // is a typo, not a list; `localhost` is the one bare label deployments list).
    let looks_like_an_item = |word: &&str| {
        (word.contains(['.', ':', '[']) || matches!(*word, "*" | "localhost"))
            && parse_entry(word).is_ok()
    };
    let words: Vec<&str> = item.split_whitespace().collect();
    if words.len() > 1 && words.iter().all(looks_like_an_item) {
        return Some(AllowedHostsError::SpaceSeparated {
            item: item.to_owned(),
            list: words.join(", "),
        });
    }
    let (_, rest) = item.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    // `user@` is not part of a host.
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = authority.to_ascii_lowercase();
    parse_entry(&host).ok()?;
    Some(AllowedHostsError::Url {
        item: item.to_owned(),
        host,
    })
}

/// A short, static reason for a host error (`HostError` is non-exhaustive).
pub(crate) fn host_error_reason(error: HostError) -> &'static str {
    match error {
        HostError::Empty => "empty host",
        HostError::InvalidCharacter => "invalid character in host",
        HostError::InvalidName => "invalid host name",
        HostError::InvalidIpv6 => "invalid IPv6 literal",
        HostError::InvalidPort => "invalid port",
        _ => "invalid host",
    }
}

impl fmt::Display for AllowedHosts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, entry) in self.entries.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match &entry.pattern {
                Pattern::Any => f.write_str("*")?,
                Pattern::Exact(name) => f.write_str(name)?,
                Pattern::Domain(domain) => write!(f, ".{domain}")?,
                Pattern::Ipv6(_, text) => f.write_str(text)?,
            }
            if let Some(port) = entry.port {
                write!(f, ":{port}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_table() {
        // (allowed list, host, port, allowed?)
        let cases: &[(&str, &str, u16, bool)] = &[
            // Django `ALLOWED_HOSTS` docs and `validate_host` tests.
            ("example.com", "example.com", 80, true),
            ("example.com", "EXAMPLE.COM", 80, true),
            ("example.com", "example.com.", 80, true),
            ("example.com.", "example.com", 80, true),
            ("example.com", "www.example.com", 80, false),
            ("example.com", "example.com.evil.tld", 80, false),
            ("example.com", "evilexample.com", 80, false),
            (".example.com", "example.com", 80, true),
            (".example.com", "www.example.com", 80, true),
            (".example.com", "a.b.c.example.com", 80, true),
            (".example.com", "A.EXAMPLE.COM.", 80, true),
            (".example.com", "anything.example.com.evil.tld", 80, false),
            (".example.com", "evilexample.com", 80, false),
            (".example.com", "xexample.com", 80, false),
            ("*", "anything.tld", 80, true),
            ("*", "[2001:db8::1]", 80, true),
            // Django: an empty ALLOWED_HOSTS allows nothing; ours refuses to build (see below).
            // IP literals.
            ("127.0.0.1", "127.0.0.1", 80, true),
            ("127.0.0.1", "127.1", 80, false),
            ("[::1]", "[::1]", 80, true),
            ("[::1]", "[0:0:0:0:0:0:0:1]", 80, true),
            ("[2001:db8::1]", "[2001:DB8::1]", 80, true),
            ("[::1]", "::1", 80, false),
            // Port pins compare against the effective port.
            ("example.com:8443", "example.com", 8443, true),
            ("example.com:8443", "example.com", 443, false),
            ("*:8080", "x.test", 8080, true),
            ("*:8080", "x.test", 80, false),
            (".example.com:443", "a.example.com", 443, true),
            ("[::1]:3000", "[::1]", 3000, true),
            ("[::1]:3000", "[::1]", 3001, false),
            // Lists.
            ("a.test, b.test", "b.test", 80, true),
            ("a.test,,b.test,", "c.test", 80, false),
            // Injection strings (Django host-header tests): never allowed.
            ("*", "example.com@evil.tld", 80, false),
            ("*", "example.com:80", 80, false),
            ("*", "example.com/evil", 80, false),
            ("*", "example.com\r\nX-Injected: 1", 80, false),
            ("*", "", 80, false),
            ("*", " example.com", 80, false),
        ];
        for (list, host, port, want) in cases {
            let allowed: AllowedHosts = list.parse().unwrap();
            assert_eq!(
                allowed.allows(host, *port),
                *want,
                "{list:?} allows {host:?}:{port}?"
            );
        }
    }

    #[test]
    fn parse_errors_name_the_item() {
        assert_eq!(AllowedHosts::parse(""), Err(AllowedHostsError::Empty));
        assert_eq!(AllowedHosts::parse(" , ,"), Err(AllowedHostsError::Empty));
        for bad in [
            "example.com@evil.tld",
            "*.example.com",
            "exa mple.com",
            "example.com:99999",
            "example.com:",
            ".[::1]",
            "[::1",
            "..example.com",
            "http://",
            "a b c",
        ] {
            let err = AllowedHosts::parse(&format!("ok.test, {bad}")).unwrap_err();
            assert!(
                matches!(&err, AllowedHostsError::Invalid { item, .. } if item == bad),
                "{bad}: {err:?}"
            );
            assert_eq!(err.item(), Some(bad));
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn urls_and_spaces_are_named_with_the_fix() {
        // (list, item at fault, the fix in the message)
        let cases = [
            (
                "https://example.com",
                "https://example.com",
                r#"write "example.com""#,
            ),
            (
                "http://example.com",
                "http://example.com",
                r#"write "example.com""#,
            ),
            (
                "ok.test, https://Example.com:8443/app/",
                "https://Example.com:8443/app/",
                r#"write "example.com:8443""#,
            ),
            (
                "https://user@example.com",
                "https://user@example.com",
                r#"write "example.com""#,
            ),
            (
                "example.com example.org",
                "example.com example.org",
                r#"not spaces: "example.com, example.org""#,
            ),
            (
                "ok.test, .example.com  *:8080",
                ".example.com  *:8080",
                r#"not spaces: ".example.com, *:8080""#,
            ),
            (
                "localhost 127.0.0.1 [::1]",
                "localhost 127.0.0.1 [::1]",
                r#"not spaces: "localhost, 127.0.0.1, [::1]""#,
            ),
        ];
        for (list, item, fix) in cases {
            let err = AllowedHosts::parse(list).unwrap_err();
            assert_eq!(err.item(), Some(item), "{list}");
            let message = err.to_string();
            assert!(message.contains(fix), "{list}: {message}");
            assert!(message.contains(&format!("{item:?}")), "{list}: {message}");
        }
        let err = AllowedHosts::parse("https://example.com").unwrap_err();
        assert!(
            err.to_string()
                .contains("a URL was given where a host was expected"),
            "{err}"
        );
        assert_eq!(
            err,
            AllowedHostsError::Url {
                item: "https://example.com".to_owned(),
                host: "example.com".to_owned()
            }
        );
    }

    #[test]
    fn display_round_trips() {
        for list in [
            "example.com",
            ".example.com:8443, *, [::1], 127.0.0.1:80",
            "*:8080",
        ] {
            let parsed: AllowedHosts = list.parse().unwrap();
            assert_eq!(parsed.to_string(), list);
            assert_eq!(parsed.to_string().parse::<AllowedHosts>().unwrap(), parsed);
        }
        assert_eq!(
            "EXAMPLE.com., [0::1]"
                .parse::<AllowedHosts>()
                .unwrap()
                .to_string(),
            "example.com, [::1]"
        );
    }

    #[test]
    fn exact_match_shares_the_configured_text() {
        let allowed: AllowedHosts = "example.com".parse().unwrap();
        assert!(matches!(
            allowed.find(CandidateHost::new("Example.COM"), 80),
            Some(Matched::Shared(text)) if &**text == "example.com"
        ));
    }
}
