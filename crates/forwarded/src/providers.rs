//! CDN and load-balancer providers whose edge ranges a trusted set can name.
//!
//! A [`Provider`] is written in the trusted-set string beside `loopback` and
//! `private` (`"loopback, cloudflare"`). Its ranges are not compiled in: they
//! change, so they are supplied at run time as [`ProviderRanges`] (read from
//! the provider's published list with `parse_provider_list`, feature
//! `providers`, by a refresher or at start-up) and merged into the set with
//! [`TrustedProxies::with_provider_ranges`](crate::TrustedProxies::with_provider_ranges).
//! A provider named without ranges trusts nobody from that provider.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::SystemTime;

use ipnet::IpNet;

#[cfg(feature = "providers")]
pub(crate) mod parse;

/// Cloudflare's IPv4 edge ranges: text, one CIDR per line.
pub const CLOUDFLARE_IPS_V4_URL: &str = "https://www.cloudflare.com/ips-v4";
/// Cloudflare's IPv6 edge ranges: text, one CIDR per line.
pub const CLOUDFLARE_IPS_V6_URL: &str = "https://www.cloudflare.com/ips-v6";
/// Cloudflare's API for both families: JSON
/// `{"result":{"ipv4_cidrs":[...],"ipv6_cidrs":[...]},"success":true}`.
pub const CLOUDFLARE_API_URL: &str = "https://api.cloudflare.com/client/v4/ips";
/// AWS's `ip-ranges.json`: every AWS service; CloudFront's origin-facing
/// ranges are the entries whose `service` is `CLOUDFRONT_ORIGIN_FACING`.
pub const AWS_IP_RANGES_URL: &str = "https://ip-ranges.amazonaws.com/ip-ranges.json";
/// Fastly's public IP list: JSON `{"addresses":[...],"ipv6_addresses":[...]}`.
pub const FASTLY_PUBLIC_IP_LIST_URL: &str = "https://api.fastly.com/public-ip-list";

/// The AWS `ip-ranges.json` service whose prefixes are CloudFront's
/// origin-facing edges (the addresses that connect to your origin).
pub const CLOUDFRONT_ORIGIN_FACING: &str = "CLOUDFRONT_ORIGIN_FACING";

/// A provider whose edge servers connect to your origin, named in a trusted
/// set.
///
/// | Name | Provider | Published list ([`Provider::feeds`]) |
/// |---|---|---|
/// | `cloudflare` | Cloudflare | [`CLOUDFLARE_API_URL`] (JSON), or [`CLOUDFLARE_IPS_V4_URL`] + [`CLOUDFLARE_IPS_V6_URL`] (text) |
/// | `cloudfront` | Amazon CloudFront, origin-facing | [`AWS_IP_RANGES_URL`], service [`CLOUDFRONT_ORIGIN_FACING`] |
/// | `fastly` | Fastly | [`FASTLY_PUBLIC_IP_LIST_URL`] |
/// | `gcp-lb` | Google Cloud load balancers and health checks | none: no machine-readable feed; supply the ranges from Google's load-balancing documentation |
///
/// ```
/// use crocodile_forwarded::Provider;
///
/// let provider: Provider = "cloudfront".parse().unwrap();
/// assert_eq!(provider, Provider::CloudFront);
/// assert_eq!(provider.to_string(), "cloudfront");
/// assert!(Provider::GcpLb.feeds().is_empty());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Provider {
    /// `cloudflare`.
    Cloudflare,
    /// `cloudfront`: AWS `ip-ranges.json` entries whose service is
    /// `CLOUDFRONT_ORIGIN_FACING`.
    CloudFront,
    /// `fastly`.
    Fastly,
    /// `gcp-lb`: Google Cloud's load-balancer and health-check ranges, which
    /// have no machine-readable feed.
    GcpLb,
}

impl Provider {
    /// Every provider, in the order of the table above.
    pub const ALL: [Provider; 4] = [
        Self::Cloudflare,
        Self::CloudFront,
        Self::Fastly,
        Self::GcpLb,
    ];

    /// The name used in configuration strings.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Cloudflare => "cloudflare",
            Self::CloudFront => "cloudfront",
            Self::Fastly => "fastly",
            Self::GcpLb => "gcp-lb",
        }
    }

    /// The provider's official lists, the preferred one first; empty for
    /// `gcp-lb`.
    ///
    /// Each [`ProviderFeed`] is complete on its own: Cloudflare publishes
    /// its JSON API (one document, both families) and the two text lists
    /// (fetch both and join them).
    pub fn feeds(&self) -> &'static [ProviderFeed] {
        const CLOUDFLARE: [ProviderFeed; 2] = [
            ProviderFeed {
                format: ListFormat::CloudflareJson,
                urls: &[CLOUDFLARE_API_URL],
            },
            ProviderFeed {
                format: ListFormat::CloudflareText,
                urls: &[CLOUDFLARE_IPS_V4_URL, CLOUDFLARE_IPS_V6_URL],
            },
        ];
        const CLOUDFRONT: [ProviderFeed; 1] = [ProviderFeed {
            format: ListFormat::AwsIpRanges,
            urls: &[AWS_IP_RANGES_URL],
        }];
        const FASTLY: [ProviderFeed; 1] = [ProviderFeed {
            format: ListFormat::FastlyJson,
            urls: &[FASTLY_PUBLIC_IP_LIST_URL],
        }];
        match self {
            Self::Cloudflare => &CLOUDFLARE,
            Self::CloudFront => &CLOUDFRONT,
            Self::Fastly => &FASTLY,
            Self::GcpLb => &[],
        }
    }

    /// The preferred feed ([`Provider::feeds`]'s first), if the provider
    /// publishes one.
    ///
    /// Cloudflare's is the JSON API: one request for both families, and a
    /// truncated JSON document does not parse, where a truncated text list
    /// could still look like a shorter list.
    pub fn default_feed(&self) -> Option<ProviderFeed> {
        self.feeds().first().copied()
    }

    /// The formats this provider publishes (a list in another format is
    /// refused for it).
    pub fn formats(&self) -> impl Iterator<Item = ListFormat> + 'static {
        self.feeds().iter().map(|feed| feed.format)
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Provider {
    type Err = ParseProviderError;

    /// Parses a name, case-insensitively, surrounding whitespace trimmed.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| ParseProviderError {
                input: name.to_owned(),
            })
    }
}

/// A provider name that is not one of [`Provider::ALL`].
///
/// ```
/// let err = "akamai".parse::<crocodile_forwarded::Provider>().unwrap_err();
/// assert_eq!(
///     err.to_string(),
///     r#"unknown provider "akamai": expected cloudflare, cloudfront, fastly or gcp-lb"#,
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseProviderError {
    input: String,
}

impl ParseProviderError {
    /// The name as written (trimmed).
    pub fn input(&self) -> &str {
        &self.input
    }
}

impl fmt::Display for ParseProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown provider {:?}: expected cloudflare, cloudfront, fastly or gcp-lb",
            self.input
        )
    }
}

impl std::error::Error for ParseProviderError {}

/// One of a provider's official lists: its format and the URLs that
/// together make the whole list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProviderFeed {
    format: ListFormat,
    urls: &'static [&'static str],
}

impl ProviderFeed {
    /// The format of every document of the feed.
    pub fn format(&self) -> ListFormat {
        self.format
    }

    /// The URLs to fetch; the list is the union of their ranges (Cloudflare's
    /// text lists: one URL per family).
    pub fn urls(&self) -> &'static [&'static str] {
        self.urls
    }
}

/// The format of a provider's published list, and the largest body of it
/// that is believed.
///
/// | Format | Name | Document | Size cap |
/// |---|---|---|---|
/// | [`CloudflareText`](Self::CloudflareText) | `cloudflare-text` | one CIDR per line ([`CLOUDFLARE_IPS_V4_URL`], [`CLOUDFLARE_IPS_V6_URL`]) | 64 KiB |
/// | [`CloudflareJson`](Self::CloudflareJson) | `cloudflare-json` | `{"result":{"ipv4_cidrs":[..],"ipv6_cidrs":[..]},"success":true}` | 64 KiB |
/// | [`AwsIpRanges`](Self::AwsIpRanges) | `aws-ip-ranges` | `{"syncToken","createDate","prefixes":[{"ip_prefix","region","service","network_border_group"}],"ipv6_prefixes":[{"ipv6_prefix",..}]}` | 4 MiB (the whole file is already about 1 MB) |
/// | [`FastlyJson`](Self::FastlyJson) | `fastly-json` | `{"addresses":[..],"ipv6_addresses":[..]}` | 64 KiB |
///
/// The caps are a few tens of times what each list holds today: a body
/// over its cap is refused before it is parsed, so a refresher can stop
/// reading there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum ListFormat {
    /// Cloudflare's `ips-v4` / `ips-v6`: one CIDR per line.
    CloudflareText,
    /// Cloudflare's API `client/v4/ips`.
    CloudflareJson,
    /// AWS's `ip-ranges.json`.
    AwsIpRanges,
    /// Fastly's `public-ip-list`.
    FastlyJson,
}

impl ListFormat {
    /// Every format.
    pub const ALL: [ListFormat; 4] = [
        Self::CloudflareText,
        Self::CloudflareJson,
        Self::AwsIpRanges,
        Self::FastlyJson,
    ];

    /// The name used in configuration strings and messages.
    pub fn name(&self) -> &'static str {
        match self {
            Self::CloudflareText => "cloudflare-text",
            Self::CloudflareJson => "cloudflare-json",
            Self::AwsIpRanges => "aws-ip-ranges",
            Self::FastlyJson => "fastly-json",
        }
    }

    /// The largest body believed, in bytes (see the table above).
    pub fn max_body_len(&self) -> usize {
        const KIB: usize = 1024;
        match self {
            Self::CloudflareText | Self::CloudflareJson | Self::FastlyJson => 64 * KIB,
            Self::AwsIpRanges => 4 * KIB * KIB,
        }
    }
}

impl fmt::Display for ListFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ListFormat {
    type Err = ParseListFormatError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        Self::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name))
            .ok_or_else(|| ParseListFormatError {
                input: name.to_owned(),
            })
    }
}

/// A list format name that is not one of [`ListFormat::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseListFormatError {
    input: String,
}

impl fmt::Display for ParseListFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown list format {:?}: expected cloudflare-text, cloudflare-json, aws-ip-ranges \
             or fastly-json",
            self.input
        )
    }
}

impl std::error::Error for ParseListFormatError {}

/// Where a provider's ranges came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum RangesOrigin {
    /// Built into the application (this crate ships no snapshot: see its
    /// README), or configured by hand.
    Snapshot,
    /// The last good list kept on disk, at this path.
    Disk(PathBuf),
    /// Fetched from this URL.
    Network(String),
}

impl fmt::Display for RangesOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Snapshot => f.write_str("snapshot"),
            Self::Disk(path) => write!(f, "disk ({})", path.display()),
            Self::Network(url) => write!(f, "network ({url})"),
        }
    }
}

/// One provider's ranges, where they came from and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderList {
    ranges: Arc<[IpNet]>,
    origin: RangesOrigin,
    updated: SystemTime,
}

impl ProviderList {
    /// A list of ranges, sorted and deduplicated, host bits cleared and
    /// IPv4-mapped IPv6 networks stored as IPv4.
    ///
    /// No sanity check here: ranges read from a provider's document go
    /// through `parse_provider_list` (feature `providers`) first, which
    /// refuses a prefix broader than /8 (IPv4) or /16 (IPv6).
    pub fn new(
        ranges: impl IntoIterator<Item = IpNet>,
        origin: RangesOrigin,
        updated: SystemTime,
    ) -> Self {
        let mut ranges: Vec<IpNet> = ranges
            .into_iter()
            .map(|net| crate::trusted::normalize_net(net.trunc()))
            .collect();
        ranges.sort_unstable();
        ranges.dedup();
        Self {
            ranges: ranges.into(),
            origin,
            updated,
        }
    }

    /// The ranges, sorted.
    pub fn ranges(&self) -> &[IpNet] {
        &self.ranges
    }

    /// The ranges, shared.
    pub fn shared_ranges(&self) -> Arc<[IpNet]> {
        Arc::clone(&self.ranges)
    }

    /// Where they came from.
    pub fn origin(&self) -> &RangesOrigin {
        &self.origin
    }

    /// When they were read (fetched, or loaded from disk).
    pub fn updated(&self) -> SystemTime {
        self.updated
    }

    /// The ranges in `newer` that are not in `self` (added) and those in
    /// `self` that are not in `newer` (removed), each sorted: what a
    /// refresh changed.
    pub fn diff(&self, newer: &ProviderList) -> RangesDiff {
        let (old, new) = (&*self.ranges, &*newer.ranges);
        RangesDiff {
            added: new
                .iter()
                .filter(|n| old.binary_search(n).is_err())
                .copied()
                .collect(),
            removed: old
                .iter()
                .filter(|n| new.binary_search(n).is_err())
                .copied()
                .collect(),
        }
    }
}

/// What changed between two lists of one provider ([`ProviderList::diff`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangesDiff {
    /// Ranges only in the newer list.
    pub added: Vec<IpNet>,
    /// Ranges only in the older list.
    pub removed: Vec<IpNet>,
}

impl RangesDiff {
    /// Whether the lists hold the same ranges.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty()
    }
}

/// The ranges of each provider, as last read; cheap to clone (the ranges
/// are shared).
///
/// ```
/// use std::time::SystemTime;
/// use crocodile_forwarded::{Provider, ProviderList, ProviderRanges, RangesOrigin, TrustedProxies};
///
/// let ranges = ProviderRanges::new().with(
///     Provider::Fastly,
///     ProviderList::new(["198.51.100.0/24".parse().unwrap()], RangesOrigin::Snapshot, SystemTime::now()),
/// );
/// let items = TrustedProxies::parse("loopback, fastly, cloudflare").unwrap();
/// let trusted = items.resolve(&ranges);
/// assert!(trusted.contains("198.51.100.7".parse().unwrap()));
/// assert_eq!(trusted.to_string(), "loopback,fastly,cloudflare");
/// // Cloudflare was named but has no ranges: nobody is trusted as Cloudflare.
/// assert_eq!(trusted.missing_providers(&ranges).collect::<Vec<_>>(), [Provider::Cloudflare]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProviderRanges {
    lists: BTreeMap<Provider, ProviderList>,
}

impl ProviderRanges {
    /// No provider's ranges.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a provider's list, returning the one it replaces.
    pub fn insert(&mut self, provider: Provider, list: ProviderList) -> Option<ProviderList> {
        self.lists.insert(provider, list)
    }

    /// Sets a provider's list (builder style).
    #[must_use]
    pub fn with(mut self, provider: Provider, list: ProviderList) -> Self {
        self.insert(provider, list);
        self
    }

    /// Removes a provider's list.
    pub fn remove(&mut self, provider: Provider) -> Option<ProviderList> {
        self.lists.remove(&provider)
    }

    /// A provider's list, if there is one.
    pub fn get(&self, provider: Provider) -> Option<&ProviderList> {
        self.lists.get(&provider)
    }

    /// Whether a provider has a list with at least one range.
    pub fn has_ranges(&self, provider: Provider) -> bool {
        self.get(provider)
            .is_some_and(|list| !list.ranges.is_empty())
    }

    /// Every provider's list, in [`Provider`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Provider, &ProviderList)> {
        self.lists.iter().map(|(provider, list)| (*provider, list))
    }

    /// Whether no provider has a list.
    pub fn is_empty(&self) -> bool {
        self.lists.is_empty()
    }
}
