//! The trusted-proxy set: CIDRs, bare addresses, named groups and providers.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::str::FromStr;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::addr::normalize_ip;
use crate::providers::{Provider, ProviderRanges};

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
    /// A provider's edge ranges (`cloudflare`), supplied at run time: see
    /// [`TrustedProxies::with_provider_ranges`]. Without them it trusts
    /// nobody.
    Provider(Provider),
}

impl fmt::Display for TrustedItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Group(group) => f.write_str(group.name()),
            Self::Addr(addr) => addr.fmt(f),
            Self::Net(net) => net.fmt(f),
            Self::Provider(provider) => f.write_str(provider.name()),
        }
    }
}

/// An error naming the configuration item that could not be parsed, and
/// what to write instead.
///
/// ```
/// use crocodile_forwarded::TrustedProxies;
///
/// let err = "loopback, 10.0.0.1/8".parse::<TrustedProxies>().unwrap_err();
/// assert_eq!(err.item(), "10.0.0.1/8");
/// assert_eq!(
///     err.to_string(),
///     r#"invalid CIDR "10.0.0.1/8" in trusted proxies: host bits are set; did you mean 10.0.0.0/8 or 10.0.0.1/32?"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedProxiesError {
    item: String,
    problem: Problem,
}

/// What is wrong with the item, with what the fix needs.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Problem {
    /// Items separated by spaces: the list as it should be written.
    Spaces(String),
    /// A URL: the address in it, when it has one.
    Url(Option<IpAddr>),
    /// An address with a port: the address.
    Port(IpAddr),
    /// `localhost`.
    Localhost,
    /// A DNS name (holds a dot).
    HostName,
    /// A CIDR whose address has bits set past the prefix: the network and the one address.
    HostBits(IpNet, IpNet),
    /// A CIDR whose prefix length is not a number up to the family's maximum.
    PrefixLength(u8),
    /// A CIDR whose part before `/` is not an address.
    NetworkAddress,
    /// Anything else.
    Other,
}

impl TrustedProxiesError {
    fn new(item: &str, problem: Problem) -> Self {
        Self {
            item: item.to_owned(),
            problem,
        }
    }

    /// The offending item, as written (surrounding whitespace trimmed).
    pub fn item(&self) -> &str {
        &self.item
    }
}

const EXPECTED: &str = "expected an IP address (10.0.0.7), a CIDR (10.0.0.0/8), a group \
    (loopback, private, link-local, unique-local) or a provider (cloudflare, cloudfront, fastly, \
    gcp-lb), separated by commas";

impl fmt::Display for TrustedProxiesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.problem {
            Problem::Spaces(_) => "item",
            Problem::Url(_) => "URL",
            Problem::Port(_) => "address",
            Problem::HostBits(..) | Problem::PrefixLength(_) | Problem::NetworkAddress => "CIDR",
            Problem::Localhost | Problem::HostName | Problem::Other => "address or group",
        };
        write!(f, "invalid {what} {:?} in trusted proxies: ", self.item)?;
        match &self.problem {
            Problem::Spaces(list) => {
                write!(f, "separate items with commas, as in {list:?}")
            }
            Problem::Url(Some(ip)) => {
                write!(f, "a URL is not an address; did you mean {ip}?")
            }
            Problem::Url(None) => write!(f, "a URL is not an address; {EXPECTED}"),
            Problem::Port(ip) => write!(
                f,
                "a trusted proxy is an address, without a port; did you mean {ip}?"
            ),
            Problem::Localhost => {
                f.write_str("host names are not resolved; did you mean loopback?")
            }
            Problem::HostName => write!(f, "host names are not resolved; {EXPECTED}"),
            Problem::HostBits(network, host) => {
                write!(f, "host bits are set; did you mean {network} or {host}?")
            }
            Problem::PrefixLength(max) => {
                write!(f, "the prefix length is a number from 0 to {max}")
            }
            Problem::NetworkAddress => {
                f.write_str("the part before `/` is not an IP address (as in 10.0.0.0/8)")
            }
            Problem::Other => f.write_str(EXPECTED),
        }
    }
}

impl std::error::Error for TrustedProxiesError {}

/// The set of proxies whose forwarding headers are believed.
///
/// Built once at start-up from CIDRs, bare addresses, named groups
/// (see [`NamedGroup`] for their exact ranges) and providers ([`Provider`]);
/// parsed from and displayed as a comma-separated string, so a deployment
/// configures it from one environment variable. The empty string trusts
/// nobody.
///
/// A provider's ranges change, so none are compiled in: a provider item
/// trusts its ranges once they are supplied with
/// [`with_provider_ranges`](Self::with_provider_ranges) or
/// [`resolve`](Self::resolve), and **nobody from that provider** until then
/// (the string still parses; [`missing_providers`](Self::missing_providers)
/// says which are missing, so a start-up check can refuse to run).
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
/// // A bad item is named, with the fix.
/// let err = "loopback 10.0.0.0/8".parse::<TrustedProxies>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"invalid item "loopback 10.0.0.0/8" in trusted proxies: separate items with commas, as in "loopback, 10.0.0.0/8""#,
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    items: Vec<TrustedItem>,
    v4: Vec<(u32, u32)>,
    v6: Vec<(u128, u128)>,
    /// The lists the provider items were resolved with.
    providers: ProviderRanges,
}

impl TrustedProxies {
    /// Trusts nobody: every request's client is its socket peer.
    pub fn none() -> Self {
        Self::default()
    }

    /// Builds a set from items; provider items get no ranges (they trust
    /// nobody): see [`with_provider_ranges`](Self::with_provider_ranges).
    pub fn from_items(items: impl IntoIterator<Item = TrustedItem>) -> Self {
        Self::with_provider_ranges(items, &ProviderRanges::new())
    }

    /// Builds a set from items, each provider item standing for its list in
    /// `ranges` (none, when `ranges` has no list for it).
    ///
    /// ```
    /// use std::time::SystemTime;
    /// use crocodile_forwarded::{
    ///     Provider, ProviderList, ProviderRanges, RangesOrigin, TrustedItem, TrustedProxies,
    /// };
    ///
    /// let ranges = ProviderRanges::new().with(
    ///     Provider::Cloudflare,
    ///     ProviderList::new(
    ///         ["203.0.113.0/24".parse().unwrap(), "2001:db8:cf::/48".parse().unwrap()],
    ///         RangesOrigin::Network("https://api.cloudflare.com/client/v4/ips".into()),
    ///         SystemTime::now(),
    ///     ),
    /// );
    /// let trusted = TrustedProxies::with_provider_ranges(
    ///     [TrustedItem::Provider(Provider::Cloudflare)],
    ///     &ranges,
    /// );
    /// assert!(trusted.contains("203.0.113.9".parse().unwrap()));
    /// assert!(trusted.contains("2001:db8:cf::1".parse().unwrap()));
    /// assert!(!trusted.contains("192.0.2.1".parse().unwrap()));
    /// assert_eq!(trusted.to_string(), "cloudflare");
    /// ```
    pub fn with_provider_ranges(
        items: impl IntoIterator<Item = TrustedItem>,
        ranges: &ProviderRanges,
    ) -> Self {
        let items: Vec<TrustedItem> = items.into_iter().collect();
        let mut providers = ProviderRanges::new();
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
                TrustedItem::Provider(provider) => {
                    if let Some(list) = ranges.get(*provider) {
                        if providers.get(*provider).is_none() {
                            list.ranges().iter().copied().for_each(&mut add);
                            providers.insert(*provider, list.clone());
                        }
                    }
                }
            }
        }
        Self {
            items,
            v4: merge(v4),
            v6: merge(v6),
            providers,
        }
    }

    /// The same items with the providers' ranges taken from `ranges`
    /// (replacing those this set was built with): what a refresher builds
    /// and swaps in with
    /// [`ProxyTrust::set_trusted_proxies`](crate::ProxyTrust::set_trusted_proxies).
    #[must_use]
    pub fn resolve(&self, ranges: &ProviderRanges) -> Self {
        Self::with_provider_ranges(self.items.iter().copied(), ranges)
    }

    /// The providers the set names, each once, in the configured order.
    pub fn providers(&self) -> impl Iterator<Item = Provider> + '_ {
        self.items
            .iter()
            .enumerate()
            .filter_map(|(i, item)| match item {
                TrustedItem::Provider(provider) if !self.items[..i].contains(item) => {
                    Some(*provider)
                }
                _ => None,
            })
    }

    /// The providers the set names that `ranges` has no range for: each of
    /// them trusts nobody. A start-up check refuses to run while this is
    /// not empty.
    pub fn missing_providers<'a>(
        &'a self,
        ranges: &'a ProviderRanges,
    ) -> impl Iterator<Item = Provider> + 'a {
        self.providers()
            .filter(move |provider| !ranges.has_ranges(*provider))
    }

    /// The provider lists this set was built with (only those of the
    /// providers it names): their ranges, origin and time.
    pub fn provider_ranges(&self) -> &ProviderRanges {
        &self.providers
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

    /// Whether the set has no item (trusts nobody). A set whose only items
    /// are providers without ranges is not empty, yet trusts nobody either.
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
    let error = |problem| TrustedProxiesError::new(item, problem);
    if let Some(group) = NamedGroup::ALL
        .into_iter()
        .find(|g| g.name().eq_ignore_ascii_case(item))
    {
        return Ok(TrustedItem::Group(group));
    }
    if let Some(provider) = Provider::ALL
        .into_iter()
        .find(|p| p.name().eq_ignore_ascii_case(item))
    {
        return Ok(TrustedItem::Provider(provider));
    }
    if item.contains(char::is_whitespace) {
        let list = item.split_whitespace().collect::<Vec<_>>().join(", ");
        return Err(error(Problem::Spaces(list)));
    }
    if let Some((_, rest)) = item.split_once("://") {
        return Err(error(Problem::Url(url_address(rest))));
    }
    if item.contains('/') {
        let net: IpNet = item.parse().map_err(|_| error(cidr_problem(item)))?;
        let network = net.trunc();
        if network != net {
            let host = IpNet::from(net.addr());
            return Err(error(Problem::HostBits(
                normalize_net(network),
                normalize_net(host),
            )));
        }
        return Ok(TrustedItem::Net(normalize_net(net)));
    }
    if let Ok(addr) = item.parse::<IpAddr>() {
        return Ok(TrustedItem::Addr(normalize_ip(addr)));
    }
    if let Ok(with_port) = item.parse::<SocketAddr>() {
        return Err(error(Problem::Port(normalize_ip(with_port.ip()))));
    }
    let name_like = item.bytes().any(|b| b.is_ascii_alphabetic())
        && item
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b':'));
    Err(error(if item.eq_ignore_ascii_case("localhost") {
        Problem::Localhost
    } else if name_like && item.contains('.') {
        Problem::HostName
    } else {
        Problem::Other
    }))
}

/// The address a URL's authority names, if it is one (`http://10.0.0.1:8080/x`).
fn url_address(rest: &str) -> Option<IpAddr> {
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let addr = host
        .parse::<IpAddr>()
        .or_else(|_| host.parse::<SocketAddr>().map(|a| a.ip()))
        .or_else(|_| {
            host.strip_prefix('[')
                .and_then(|h| h.strip_suffix(']'))
                .unwrap_or(host)
                .parse::<IpAddr>()
        });
    addr.ok().map(normalize_ip)
}

/// Why `item` (which holds a `/`) is not a CIDR.
fn cidr_problem(item: &str) -> Problem {
    let (addr, _) = item.split_once('/').unwrap_or((item, ""));
    match addr.parse::<IpAddr>() {
        Ok(IpAddr::V4(_)) => Problem::PrefixLength(32),
        Ok(IpAddr::V6(_)) => Problem::PrefixLength(128),
        Err(_) => Problem::NetworkAddress,
    }
}

/// `::ffff:10.0.0.0/104` is the IPv4 network `10.0.0.0/8`: addresses are
/// normalised to IPv4 before lookups, so the set must be too.
pub(crate) fn normalize_net(net: IpNet) -> IpNet {
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
    fn bad_items_are_named_with_the_fix() {
        // (list, the item named, the message after `invalid `)
        let cases: &[(&str, &str, &str)] = &[
            // Host bits: an error, never silently widened.
            (
                "10.0.0.1/8",
                "10.0.0.1/8",
                r#"CIDR "10.0.0.1/8" in trusted proxies: host bits are set; did you mean 10.0.0.0/8 or 10.0.0.1/32?"#,
            ),
            (
                "loopback, 2001:db8::1/32",
                "2001:db8::1/32",
                r#"CIDR "2001:db8::1/32" in trusted proxies: host bits are set; did you mean 2001:db8::/32 or 2001:db8::1/128?"#,
            ),
            (
                "::ffff:10.0.0.1/104",
                "::ffff:10.0.0.1/104",
                r#"CIDR "::ffff:10.0.0.1/104" in trusted proxies: host bits are set; did you mean 10.0.0.0/8 or 10.0.0.1/32?"#,
            ),
            // Spaces where commas were expected.
            (
                "loopback 10.0.0.0/8",
                "loopback 10.0.0.0/8",
                r#"item "loopback 10.0.0.0/8" in trusted proxies: separate items with commas, as in "loopback, 10.0.0.0/8""#,
            ),
            (
                "private, 1.2.3.4 \t5.6.7.8",
                "1.2.3.4 \t5.6.7.8",
                r#"item "1.2.3.4 \t5.6.7.8" in trusted proxies: separate items with commas, as in "1.2.3.4, 5.6.7.8""#,
            ),
            // A URL, or a host name, where an address was expected.
            (
                "http://10.0.0.1:8080/",
                "http://10.0.0.1:8080/",
                r#"URL "http://10.0.0.1:8080/" in trusted proxies: a URL is not an address; did you mean 10.0.0.1?"#,
            ),
            (
                "https://[2001:db8::7]",
                "https://[2001:db8::7]",
                r#"URL "https://[2001:db8::7]" in trusted proxies: a URL is not an address; did you mean 2001:db8::7?"#,
            ),
            (
                "https://proxy.example.com",
                "https://proxy.example.com",
                r#"URL "https://proxy.example.com" in trusted proxies: a URL is not an address; expected an IP address (10.0.0.7), a CIDR (10.0.0.0/8), a group (loopback, private, link-local, unique-local) or a provider (cloudflare, cloudfront, fastly, gcp-lb), separated by commas"#,
            ),
            (
                "proxy.internal",
                "proxy.internal",
                r#"address or group "proxy.internal" in trusted proxies: host names are not resolved; expected an IP address (10.0.0.7), a CIDR (10.0.0.0/8), a group (loopback, private, link-local, unique-local) or a provider (cloudflare, cloudfront, fastly, gcp-lb), separated by commas"#,
            ),
            (
                "LocalHost",
                "LocalHost",
                r#"address or group "LocalHost" in trusted proxies: host names are not resolved; did you mean loopback?"#,
            ),
            // An address with a port.
            (
                "10.0.0.1:8080",
                "10.0.0.1:8080",
                r#"address "10.0.0.1:8080" in trusted proxies: a trusted proxy is an address, without a port; did you mean 10.0.0.1?"#,
            ),
            (
                "[::1]:80",
                "[::1]:80",
                r#"address "[::1]:80" in trusted proxies: a trusted proxy is an address, without a port; did you mean ::1?"#,
            ),
            // Bad prefixes and bad addresses.
            (
                "10.0.0.0/33",
                "10.0.0.0/33",
                r#"CIDR "10.0.0.0/33" in trusted proxies: the prefix length is a number from 0 to 32"#,
            ),
            (
                "::1/129",
                "::1/129",
                r#"CIDR "::1/129" in trusted proxies: the prefix length is a number from 0 to 128"#,
            ),
            (
                "1.2.3.4/",
                "1.2.3.4/",
                r#"CIDR "1.2.3.4/" in trusted proxies: the prefix length is a number from 0 to 32"#,
            ),
            (
                "10.0.0/8",
                "10.0.0/8",
                r#"CIDR "10.0.0/8" in trusted proxies: the part before `/` is not an IP address (as in 10.0.0.0/8)"#,
            ),
            (
                "loopback, 10.0.0.0/8, nonsense",
                "nonsense",
                r#"address or group "nonsense" in trusted proxies: expected an IP address (10.0.0.7), a CIDR (10.0.0.0/8), a group (loopback, private, link-local, unique-local) or a provider (cloudflare, cloudfront, fastly, gcp-lb), separated by commas"#,
            ),
            (
                "1.2.3.4.5",
                "1.2.3.4.5",
                r#"address or group "1.2.3.4.5" in trusted proxies: expected an IP address (10.0.0.7), a CIDR (10.0.0.0/8), a group (loopback, private, link-local, unique-local) or a provider (cloudflare, cloudfront, fastly, gcp-lb), separated by commas"#,
            ),
        ];
        for (list, item, message) in cases {
            let error = list.parse::<TrustedProxies>().unwrap_err();
            assert_eq!(error.item(), *item, "{list:?}");
            assert_eq!(error.to_string(), format!("invalid {message}"), "{list:?}");
            // Every suggested fix parses.
            for suggestion in error.to_string().split("did you mean ").nth(1).into_iter() {
                for fix in suggestion.trim_end_matches('?').split(" or ") {
                    assert!(fix.parse::<TrustedProxies>().is_ok(), "{list:?}: {fix:?}");
                }
            }
        }
    }

    #[test]
    fn display_round_trips() {
        for list in [
            "loopback,private,link-local,unique-local",
            "10.0.0.0/8,::1,2001:db8::/32,192.0.2.7",
            "cloudflare,cloudfront,fastly,gcp-lb,loopback",
            "",
        ] {
            let set: TrustedProxies = list.parse().unwrap();
            assert_eq!(set.to_string(), list);
            assert_eq!(set.to_string().parse::<TrustedProxies>().unwrap(), set);
        }
        // Names are case-insensitive: the display is canonical.
        let set: TrustedProxies = "10.0.0.0/8, LOOPBACK".parse().unwrap();
        assert_eq!(set.to_string(), "10.0.0.0/8,loopback");
    }

    #[test]
    fn providers_parse_without_ranges_and_trust_nobody() {
        use std::time::SystemTime;

        use crate::providers::{ProviderList, RangesOrigin};

        let set: TrustedProxies = "Cloudflare, cloudfront,fastly , gcp-lb, loopback"
            .parse()
            .unwrap();
        assert_eq!(
            set.to_string(),
            "cloudflare,cloudfront,fastly,gcp-lb,loopback"
        );
        assert_eq!(set.providers().collect::<Vec<_>>(), Provider::ALL);
        assert!(!set.contains(ip("192.0.2.1")));
        assert!(set.contains(ip("127.0.0.1")));
        let none = ProviderRanges::new();
        assert_eq!(
            set.missing_providers(&none).collect::<Vec<_>>(),
            Provider::ALL
        );

        let ranges = ProviderRanges::new().with(
            Provider::GcpLb,
            ProviderList::new(
                ["192.0.2.0/24".parse().unwrap()],
                RangesOrigin::Snapshot,
                SystemTime::UNIX_EPOCH,
            ),
        );
        let resolved = set.resolve(&ranges);
        assert!(resolved.contains(ip("192.0.2.1")));
        assert!(resolved.contains(ip("::ffff:192.0.2.1")));
        assert!(!resolved.contains(ip("198.51.100.1")));
        assert_eq!(resolved.to_string(), set.to_string());
        assert_eq!(
            resolved.missing_providers(&ranges).collect::<Vec<_>>(),
            [Provider::Cloudflare, Provider::CloudFront, Provider::Fastly]
        );
        assert!(resolved.provider_ranges().get(Provider::GcpLb).is_some());
        // Unnamed providers' ranges are not kept, and not trusted.
        let only_loopback = TrustedProxies::with_provider_ranges(
            [TrustedItem::Group(NamedGroup::Loopback)],
            &ranges,
        );
        assert!(only_loopback.provider_ranges().is_empty());
        assert!(!only_loopback.contains(ip("192.0.2.1")));
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
