//! The trusted-proxy set: CIDRs, bare addresses and named groups.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::addr::normalize_ip;

/// A named group of ranges, as a deployment writes it in configuration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum NamedGroup {
    /// `loopback`: `127.0.0.0/8`, `::1/128`.
    Loopback,
    /// `private`: `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` (RFC 1918),
    /// and `fc00::/7` (RFC 4193, the IPv6 counterpart).
    Private,
    /// `link-local`: `169.254.0.0/16` (RFC 3927), `fe80::/10` (RFC 4291).
    LinkLocal,
    /// `unique-local`: `fc00::/7` (RFC 4193).
    UniqueLocal,
}

impl NamedGroup {
    const ALL: [NamedGroup; 4] = [
        Self::Loopback,
        Self::Private,
        Self::LinkLocal,
        Self::UniqueLocal,
    ];

    /// The name used in configuration strings.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Loopback => "loopback",
            Self::Private => "private",
            Self::LinkLocal => "link-local",
            Self::UniqueLocal => "unique-local",
        }
    }

    /// The ranges the group stands for.
    pub fn ranges(&self) -> &'static [IpNet] {
        const fn v4(a: u8, b: u8, len: u8) -> IpNet {
            IpNet::V4(match Ipv4Net::new(Ipv4Addr::new(a, b, 0, 0), len) {
                Ok(net) => net,
                Err(_) => panic!("bad constant prefix"),
            })
        }
        const fn v6(first: u16, len: u8) -> IpNet {
            IpNet::V6(
                match Ipv6Net::new(Ipv6Addr::new(first, 0, 0, 0, 0, 0, 0, 0), len) {
                    Ok(net) => net,
                    Err(_) => panic!("bad constant prefix"),
                },
            )
        }
        const LOOPBACK: [IpNet; 2] = [
            v4(127, 0, 8),
            IpNet::V6(match Ipv6Net::new(Ipv6Addr::LOCALHOST, 128) {
                Ok(net) => net,
                Err(_) => panic!("bad constant prefix"),
            }),
        ];
        const PRIVATE: [IpNet; 4] = [
            v4(10, 0, 8),
            v4(172, 16, 12),
            v4(192, 168, 16),
            v6(0xfc00, 7),
        ];
        const LINK_LOCAL: [IpNet; 2] = [v4(169, 254, 16), v6(0xfe80, 10)];
        const UNIQUE_LOCAL: [IpNet; 1] = [v6(0xfc00, 7)];
        match self {
            Self::Loopback => &LOOPBACK,
            Self::Private => &PRIVATE,
            Self::LinkLocal => &LINK_LOCAL,
            Self::UniqueLocal => &UNIQUE_LOCAL,
        }
    }
}

/// One item of a [`TrustedProxies`] list, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TrustedItem {
    /// A named group such as `private`.
    Group(NamedGroup),
    /// A bare address (`10.1.2.3`, `::1`), displayed without a prefix.
    Addr(IpAddr),
    /// A network (`10.0.0.0/8`); an IPv4-mapped IPv6 network is stored as
    /// the IPv4 network it maps.
    Net(IpNet),
}

impl fmt::Display for TrustedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Group(group) => f.write_str(group.name()),
            Self::Addr(addr) => addr.fmt(f),
            Self::Net(net) => net.fmt(f),
        }
    }
}

/// An error naming the configuration item that could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxiesError {
    item: String,
}

impl TrustedProxiesError {
    /// The offending item, as written.
    pub fn item(&self) -> &str {
        &self.item
    }
}

impl fmt::Display for TrustedProxiesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = if self.item.contains('/') {
            "CIDR"
        } else {
            "address or group"
        };
        write!(f, "invalid {what} {:?} in trusted proxies", self.item)
    }
}

impl std::error::Error for TrustedProxiesError {}

/// The set of proxies whose forwarding headers are believed.
///
/// Built once at start-up from CIDRs, bare addresses and named groups
/// (see [`NamedGroup`] for their exact ranges); parsed from and displayed as
/// a comma-separated string, so a deployment configures it from one
/// environment variable. The empty string trusts nobody.
///
/// Lookups normalise IPv4-mapped IPv6 first and then binary-search merged,
/// sorted ranges: `O(log n)` in the number of ranges, no allocation.
///
/// ```
/// use crocodile_forwarded::TrustedProxies;
///
/// let trusted: TrustedProxies = "loopback, 10.0.0.0/8, 2001:db8::7".parse().unwrap();
/// assert!(trusted.contains("127.0.0.1".parse().unwrap()));
/// assert!(trusted.contains("::ffff:10.1.2.3".parse().unwrap()));
/// assert!(!trusted.contains("192.0.2.1".parse().unwrap()));
/// assert_eq!(trusted.to_string(), "loopback,10.0.0.0/8,2001:db8::7");
///
/// let err = "10.0.0.0/33".parse::<TrustedProxies>().unwrap_err();
/// assert_eq!(err.to_string(), r#"invalid CIDR "10.0.0.0/33" in trusted proxies"#);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    items: Vec<TrustedItem>,
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
}

impl TrustedProxies {
    /// Trusts nobody: every request's client is its socket peer.
    pub fn none() -> Self {
        Self::default()
    }

    /// Builds a set from items.
    pub fn from_items(items: impl IntoIterator<Item = TrustedItem>) -> Self {
        let items: Vec<TrustedItem> = items.into_iter().collect();
        let mut v4 = Vec::new();
        let mut v6 = Vec::new();
        let mut add = |net: IpNet| match net {
            IpNet::V4(net) => v4.push((u32::from(net.network()), u32::from(net.broadcast()))),
            IpNet::V6(net) => v6.push((u128::from(net.network()), u128::from(net.broadcast()))),
        };
        for item in &items {
            match item {
                TrustedItem::Group(group) => group.ranges().iter().copied().for_each(&mut add),
                TrustedItem::Addr(addr) => add(IpNet::from(*addr)),
                TrustedItem::Net(net) => add(*net),
            }
        }
        Self {
            items,
            v4: merge(v4),
            v6: merge(v6),
        }
    }

    /// Parses a comma-separated list such as `"loopback, 10.0.0.0/8, ::1"`.
    pub fn parse(list: &str) -> Result<Self, TrustedProxiesError> {
        list.parse()
    }

    /// Whether `ip` (normalised first) is a trusted proxy.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match normalize_ip(ip) {
            IpAddr::V4(v4) => in_ranges(&self.v4, u32::from(v4)),
            IpAddr::V6(v6) => in_ranges(&self.v6, u128::from(v6)),
        }
    }

    /// Whether the set trusts nobody.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The items as configured (after normalisation).
    pub fn items(&self) -> &[TrustedItem] {
        &self.items
    }
}

fn merge<T: Ord + Copy + Successor>(mut ranges: Vec<(T, T)>) -> Vec<(T, T)> {
    ranges.sort_unstable();
    let mut merged: Vec<(T, T)> = Vec::with_capacity(ranges.len());
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if last.1.successor().is_none_or(|next| start <= next) => {
                last.1 = last.1.max(end);
            }
            _ => merged.push((start, end)),
        }
    }
    merged.shrink_to_fit();
    merged
}

trait Successor: Sized {
    fn successor(self) -> Option<Self>;
}

impl Successor for u32 {
    fn successor(self) -> Option<Self> {
        self.checked_add(1)
    }
}

impl Successor for u128 {
    fn successor(self) -> Option<Self> {
        self.checked_add(1)
    }
}

fn in_ranges<T: Ord + Copy>(ranges: &[(T, T)], ip: T) -> bool {
    // The last range starting at or before `ip` is the only one that can hold it.
    let after = ranges.partition_point(|&(start, _)| start <= ip);
    after > 0 && ranges[after - 1].1 >= ip
}

impl FromStr for TrustedProxies {
    type Err = TrustedProxiesError;

    fn from_str(list: &str) -> Result<Self, Self::Err> {
        let items = list
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(parse_item)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self::from_items(items))
    }
}

fn parse_item(item: &str) -> Result<TrustedItem, TrustedProxiesError> {
    let error = || TrustedProxiesError {
        item: item.to_owned(),
    };
    if let Some(group) = NamedGroup::ALL
        .into_iter()
        .find(|g| g.name().eq_ignore_ascii_case(item))
    {
        return Ok(TrustedItem::Group(group));
    }
    if item.contains('/') {
        let net: IpNet = item.parse().map_err(|_| error())?;
        return Ok(TrustedItem::Net(normalize_net(net.trunc())));
    }
    let addr: IpAddr = item.parse().map_err(|_| error())?;
    Ok(TrustedItem::Addr(normalize_ip(addr)))
}

/// `::ffff:10.0.0.0/104` is the IPv4 network `10.0.0.0/8`: addresses are
/// normalised to IPv4 before lookups, so the set must be too.
fn normalize_net(net: IpNet) -> IpNet {
    match net {
        IpNet::V6(v6) if v6.prefix_len() >= 96 => match v6.network().to_ipv4_mapped() {
            Some(v4) => Ipv4Net::new(v4, v6.prefix_len() - 96).map_or(net, IpNet::V4),
            None => net,
        },
        net => net,
    }
}

impl fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, item) in self.items.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            item.fmt(f)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn groups_hold_their_documented_ranges() {
        let cases: &[(&str, &[&str], &[&str])] = &[
            (
                "loopback",
                &["127.0.0.1", "127.255.255.254", "::1"],
                &["128.0.0.1", "::2"],
            ),
            (
                "private",
                &[
                    "10.0.0.1",
                    "172.16.0.1",
                    "172.31.255.255",
                    "192.168.1.1",
                    "fd00::1",
                    "fc00::1",
                ],
                &["172.32.0.1", "11.0.0.1", "192.169.0.1", "fe80::1"],
            ),
            (
                "link-local",
                &["169.254.1.1", "fe80::1", "febf::1"],
                &["169.255.0.1", "fec0::1"],
            ),
            (
                "unique-local",
                &["fc00::1", "fdff::1"],
                &["10.0.0.1", "fe00::1"],
            ),
        ];
        for (group, inside, outside) in cases {
            let set: TrustedProxies = group.parse().unwrap();
            for addr in *inside {
                assert!(set.contains(ip(addr)), "{group} should hold {addr}");
            }
            for addr in *outside {
                assert!(!set.contains(ip(addr)), "{group} should not hold {addr}");
            }
        }
    }

    #[test]
    fn mapped_addresses_and_networks_match_as_ipv4() {
        let set: TrustedProxies = "::ffff:10.0.0.0/104".parse().unwrap();
        assert_eq!(set.to_string(), "10.0.0.0/8");
        assert!(set.contains(ip("10.9.8.7")));
        assert!(set.contains(ip("::ffff:10.9.8.7")));
        assert!(!set.contains(ip("11.0.0.1")));
        let set: TrustedProxies = "::ffff:192.0.2.1".parse().unwrap();
        assert!(set.contains(ip("192.0.2.1")));
    }

    #[test]
    fn empty_trusts_nobody() {
        for list in ["", " ", ",", " , "] {
            let set: TrustedProxies = list.parse().unwrap();
            assert!(set.is_empty());
            assert!(!set.contains(ip("127.0.0.1")));
            assert_eq!(set.to_string(), "");
        }
    }

    #[test]
    fn bad_items_are_named() {
        let cases = [
            (
                "10.0.0.0/33",
                r#"invalid CIDR "10.0.0.0/33" in trusted proxies"#,
            ),
            (
                "loopback, 10.0.0.0/8, nonsense",
                r#"invalid address or group "nonsense" in trusted proxies"#,
            ),
            ("::1/129", r#"invalid CIDR "::1/129" in trusted proxies"#),
            ("1.2.3.4/", r#"invalid CIDR "1.2.3.4/" in trusted proxies"#),
            (
                "1.2.3.4 5.6.7.8",
                r#"invalid address or group "1.2.3.4 5.6.7.8" in trusted proxies"#,
            ),
        ];
        for (list, message) in cases {
            assert_eq!(
                list.parse::<TrustedProxies>().unwrap_err().to_string(),
                message
            );
        }
    }

    #[test]
    fn display_round_trips() {
        for list in [
            "loopback,private,link-local,unique-local",
            "10.0.0.0/8,::1,2001:db8::/32,192.0.2.7",
            "",
        ] {
            let set: TrustedProxies = list.parse().unwrap();
            assert_eq!(set.to_string(), list);
            assert_eq!(set.to_string().parse::<TrustedProxies>().unwrap(), set);
        }
        // Host bits are dropped, names are case-insensitive: the display is canonical.
        let set: TrustedProxies = "10.1.2.3/8, LOOPBACK".parse().unwrap();
        assert_eq!(set.to_string(), "10.0.0.0/8,loopback");
    }

    #[test]
    fn overlapping_and_adjacent_ranges_merge() {
        let set: TrustedProxies = "10.0.0.0/9, 10.128.0.0/9, 10.1.0.0/16, 0.0.0.0/0"
            .parse()
            .unwrap();
        assert_eq!(set.v4.len(), 1);
        assert!(set.contains(ip("255.255.255.255")));
        let set: TrustedProxies = "::/0".parse().unwrap();
        assert!(set.contains(ip("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
        // IPv6 ranges never hold IPv4 addresses (mapped ones are IPv4 by then).
        assert!(!set.contains(ip("10.0.0.1")));
    }

    #[test]
    fn large_sets_stay_exact() {
        let list: Vec<String> = (0..5000u32)
            .map(|i| format!("10.{}.{}.0/24", i / 256, i % 256))
            .collect();
        let set: TrustedProxies = list.join(",").parse().unwrap();
        assert!(set.contains(ip("10.19.135.9")));
        assert!(!set.contains(ip("10.19.136.9")));
    }
}
