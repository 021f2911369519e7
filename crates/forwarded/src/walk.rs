//! The rightmost-untrusted walk over a forwarding chain, shared by the
//! client-ip and base-context layers.

use std::net::IpAddr;

use crate::addr::{Malformed, NodeAddr};
use crate::trusted::TrustedProxies;

/// Where a walk from the nearest hop stopped.
///
/// Indices count hops from the right: 0 is the entry the nearest proxy (the
/// socket peer) wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Walk {
    /// The first address that is not a trusted proxy: the client.
    Untrusted {
        /// The client's address.
        ip: IpAddr,
        /// Its hop index.
        index: usize,
    },
    /// Every address was a trusted proxy; the leftmost one is the client.
    AllTrusted {
        /// The leftmost address.
        ip: IpAddr,
        /// Its hop index.
        index: usize,
    },
    /// A malformed entry ended the walk. The client is the last address the
    /// walk vouched for: the entry at `index - 1`, or the peer when `index`
    /// is 0. What lies to the left was written by whoever sent the bad value.
    Malformed {
        /// The hop index of the malformed entry.
        index: usize,
        /// What was wrong with it.
        why: Malformed,
        /// The last address vouched for (`None`: the peer).
        last: Option<IpAddr>,
    },
    /// The header had no entries.
    Empty,
}

impl Walk {
    /// The client address the walk decided on, or `None` when it falls back
    /// to the socket peer (a malformed first entry, or no entries).
    pub fn client(&self) -> Option<IpAddr> {
        match *self {
            Self::Untrusted { ip, .. } | Self::AllTrusted { ip, .. } => Some(ip),
            Self::Malformed { last, .. } => last,
            Self::Empty => None,
        }
    }
}

/// Walks `entries_rev` (nearest hop first, as from `XForwardedFor::new(..).rev()`)
/// and returns the rightmost address that `trusted` does not hold.
///
/// The caller checks that the socket peer itself is trusted first: if it is
/// not, no header it sent is believed. Stops at the first malformed entry.
/// Constant memory, linear time, no allocation.
///
/// ```
/// use http::HeaderMap;
/// use crocodile_forwarded::{rightmost_untrusted, TrustedProxies, Walk, XForwardedFor};
///
/// let trusted: TrustedProxies = "10.0.0.0/8".parse().unwrap();
/// let mut headers = HeaderMap::new();
/// headers.insert("x-forwarded-for", "1.1.1.1, 198.51.100.4, 10.0.0.3".parse().unwrap());
/// let walk = rightmost_untrusted(&trusted, XForwardedFor::new(&headers).rev());
/// assert_eq!(walk, Walk::Untrusted { ip: "198.51.100.4".parse().unwrap(), index: 1 });
/// ```
pub fn rightmost_untrusted<I>(trusted: &TrustedProxies, entries_rev: I) -> Walk
where
    I: IntoIterator<Item = Result<NodeAddr, Malformed>>,
{
    let mut last = None;
    for (index, entry) in entries_rev.into_iter().enumerate() {
        match entry {
            Err(why) => {
                return Walk::Malformed {
                    index,
                    why,
                    last: last.map(|(ip, _)| ip),
                };
            }
            Ok(node) if !trusted.contains(node.ip) => {
                return Walk::Untrusted { ip: node.ip, index };
            }
            Ok(node) => last = Some((node.ip, index)),
        }
    }
    match last {
        Some((ip, index)) => Walk::AllTrusted { ip, index },
        None => Walk::Empty,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::parse_node;

    fn walk(trusted: &str, chain: &str) -> Walk {
        let trusted: TrustedProxies = trusted.parse().unwrap();
        let entries: Vec<&str> = chain
            .split(',')
            .map(str::trim)
            .filter(|e| !e.is_empty())
            .collect();
        rightmost_untrusted(
            &trusted,
            entries.iter().rev().map(|e| parse_node(e.as_bytes())),
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn walk_table() {
        // Cases mirror Express `proxy-addr` and nginx `real_ip_recursive on`.
        let cases: &[(&str, &str, Walk)] = &[
            (
                "10.0.0.0/8",
                "1.1.1.1, 10.0.0.2",
                Walk::Untrusted {
                    ip: ip("1.1.1.1"),
                    index: 1,
                },
            ),
            (
                "10.0.0.0/8",
                "6.6.6.6, 1.1.1.1, 10.0.0.2",
                Walk::Untrusted {
                    ip: ip("1.1.1.1"),
                    index: 1,
                },
            ),
            (
                "10.0.0.0/8",
                "10.0.0.3, 10.0.0.2",
                Walk::AllTrusted {
                    ip: ip("10.0.0.3"),
                    index: 1,
                },
            ),
            (
                "10.0.0.0/8",
                "1.1.1.1",
                Walk::Untrusted {
                    ip: ip("1.1.1.1"),
                    index: 0,
                },
            ),
            ("10.0.0.0/8", "", Walk::Empty),
            (
                "10.0.0.0/8",
                "1.1.1.1, unknown, 10.0.0.2",
                Walk::Malformed {
                    index: 1,
                    why: Malformed::Unknown,
                    last: Some(ip("10.0.0.2")),
                },
            ),
            (
                "10.0.0.0/8",
                "1.1.1.1, garbage",
                Walk::Malformed {
                    index: 0,
                    why: Malformed::Syntax,
                    last: None,
                },
            ),
            (
                "",
                "1.1.1.1, 2.2.2.2",
                Walk::Untrusted {
                    ip: ip("2.2.2.2"),
                    index: 0,
                },
            ),
            (
                "loopback",
                "::ffff:127.0.0.1, 2001:db8::1, ::1",
                Walk::Untrusted {
                    ip: ip("2001:db8::1"),
                    index: 1,
                },
            ),
        ];
        for (trusted, chain, want) in cases {
            assert_eq!(
                walk(trusted, chain),
                *want,
                "trusted {trusted:?}, chain {chain:?}"
            );
        }
    }

    #[test]
    fn client_of_each_outcome() {
        assert_eq!(walk("10.0.0.0/8", "1.1.1.1").client(), Some(ip("1.1.1.1")));
        assert_eq!(walk("10.0.0.0/8", "garbage").client(), None);
        assert_eq!(
            walk("10.0.0.0/8", "x, 10.0.0.9").client(),
            Some(ip("10.0.0.9"))
        );
        assert_eq!(walk("10.0.0.0/8", "").client(), None);
    }
}
