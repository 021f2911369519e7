#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod fetch;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

pub use crocodile_forwarded::{ListFormat, Provider, ProviderList, RangesOrigin};
use crocodile_forwarded::{ProviderRanges, ProxyTrust, TrustedProxies};
use ipnet::IpNet;
use tokio::task::JoinHandle;
use tokio::time::Instant;

/// The refresh interval when none is set: one hour.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(60 * 60);
/// The time one fetch may take, body included, when none is set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The first retry after a failed fetch; each further failure doubles it,
/// up to the interval.
pub const FIRST_RETRY: Duration = Duration::from_secs(60);
/// The most added or removed ranges quoted in a refresh's log line.
const QUOTED: usize = 10;

/// Keeps the provider items of a trusted set (`cloudflare`, `cloudfront`,
/// `fastly`) current: configure it, then [`start`](Self::start) it.
///
/// Every list is fetched from its provider's official URL (or the one set
/// with [`url`](Self::url) / [`feed`](Self::feed)), checked (status 200,
/// timeout, size cap, format, sanity checks of
/// [`parse_provider_list`](crocodile_forwarded::parse_provider_list)) and
/// only then swapped into the [`ProxyTrust`]: a failed fetch changes
/// nothing.
#[derive(Debug)]
pub struct ProviderRefresher {
    trust: ProxyTrust,
    configured: TrustedProxies,
    interval: Duration,
    timeout: Duration,
    cache_dir: Option<PathBuf>,
    feeds: BTreeMap<Provider, Feed>,
    /// Whether to fetch at all (`false`: the disk cache only).
    fetch: bool,
}

#[derive(Debug, Clone)]
struct Feed {
    format: ListFormat,
    urls: Vec<String>,
}

impl ProviderRefresher {
    /// A refresher that keeps `trust`'s trusted set equal to `configured`
    /// (the set as written, provider items included) with each provider's
    /// newest good list.
    ///
    /// Lists `configured` was built with (for example a snapshot passed to
    /// [`TrustedProxies::with_provider_ranges`]) are the starting point;
    /// a newer disk cache or a successful fetch replaces them.
    pub fn new(trust: ProxyTrust, configured: TrustedProxies) -> Self {
        let feeds = configured
            .providers()
            .filter_map(|provider| {
                let feed = provider.default_feed()?;
                Some((
                    provider,
                    Feed {
                        format: feed.format(),
                        urls: feed.urls().iter().map(|url| (*url).to_owned()).collect(),
                    },
                ))
            })
            .collect();
        Self {
            trust,
            configured,
            interval: DEFAULT_INTERVAL,
            timeout: DEFAULT_TIMEOUT,
            cache_dir: None,
            feeds,
            fetch: true,
        }
    }

    /// How often each list is fetched (default: one hour). Also the longest
    /// wait between retries after failures.
    #[must_use]
    pub fn interval(mut self, interval: Duration) -> Self {
        self.interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The time one fetch may take, from connecting to the last byte of the
    /// body (default: 10 s).
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Fetches `provider`'s list from `url` instead of the official one, in
    /// the provider's default format (Cloudflare: its JSON API; CloudFront:
    /// AWS `ip-ranges.json`; Fastly: `public-ip-list`). `https://` is
    /// verified against Mozilla's roots; `http://` is allowed for a mirror
    /// on a network you trust and for tests. A provider the configured set
    /// does not name is not fetched.
    #[must_use]
    pub fn url(self, provider: Provider, url: impl Into<String>) -> Self {
        let format = provider
            .default_feed()
            .map_or(ListFormat::CloudflareText, |feed| feed.format());
        self.feed(provider, format, [url])
    }

    /// Fetches `provider`'s list in `format` from `urls`, its ranges being
    /// the union over them: for example Cloudflare's two text lists,
    /// `ips-v4` and `ips-v6`, with [`ListFormat::CloudflareText`]. A format
    /// the provider does not publish fails every fetch.
    #[must_use]
    pub fn feed<U: Into<String>>(
        mut self,
        provider: Provider,
        format: ListFormat,
        urls: impl IntoIterator<Item = U>,
    ) -> Self {
        let urls = urls.into_iter().map(Into::into).collect();
        self.feeds.insert(provider, Feed { format, urls });
        self
    }

    /// Keeps each provider's last good list in `dir` (`<provider>.txt`, one
    /// CIDR a line, written to a temporary file then renamed), and starts
    /// from those lists, so that a restart while the provider is out of
    /// reach still trusts its edges.
    #[must_use]
    pub fn cache_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cache_dir = Some(dir.into());
        self
    }

    /// Fetch nothing: start from the disk cache only, and never refresh (the
    /// main example's `CROCODILE_PROVIDER_REFRESH=none`, for hosts that must
    /// not reach the network). Every configured provider then needs a cache
    /// file.
    pub fn cache_only(mut self) -> Self {
        self.fetch = false;
        self
    }

    /// Loads the disk cache (if set), fetches every configured provider's
    /// list once, swaps the resolved set into the [`ProxyTrust`], then
    /// refreshes on the interval in a tokio task until the handle is
    /// dropped.
    ///
    /// Fails, changing nothing, when a configured provider still has no
    /// range: no cache, the fetch failed, or it has no feed (`gcp-lb`). The
    /// error names each such provider and the fix.
    pub async fn start(self) -> Result<RefreshHandle, StartError> {
        let fetch = self.fetch;
        let shared = Arc::new(Shared::new(self));
        shared.load_cache().await;
        if fetch {
            shared.refresh(true, false).await;
        }
        let missing = shared.missing();
        if !missing.is_empty() {
            return Err(StartError { missing });
        }
        shared.publish();
        let task = fetch.then(|| tokio::spawn(run(Arc::clone(&shared))));
        Ok(RefreshHandle { shared, task })
    }
}

/// Refreshes in the background while it lives; dropping it (or
/// [`stop`](Self::stop)) ends the task. The trusted set in force stays.
#[derive(Debug)]
pub struct RefreshHandle {
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl RefreshHandle {
    /// Each configured provider's state, in the configured order.
    pub fn status(&self) -> Vec<ProviderStatus> {
        self.shared.status()
    }

    /// Fetches every provider's list now (whatever its schedule), swaps the
    /// result in when one succeeded, and returns the state after it. Used by
    /// tests, and by an operator's "refresh now" endpoint.
    pub async fn refresh_now(&self) -> Vec<ProviderStatus> {
        self.shared.refresh(true, true).await;
        self.shared.status()
    }

    /// Ends the background task (a fetch under way finishes, unused).
    pub fn stop(mut self) {
        self.abort();
    }

    fn abort(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

impl Drop for RefreshHandle {
    fn drop(&mut self) {
        self.abort();
    }
}

/// One provider's list as the refresher holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderStatus {
    provider: Provider,
    urls: Vec<String>,
    list: Option<ProviderList>,
    last_attempt: Option<SystemTime>,
    last_error: Option<String>,
    failures: u32,
}

impl ProviderStatus {
    /// The provider.
    pub fn provider(&self) -> Provider {
        self.provider
    }

    /// The URLs fetched (none for `gcp-lb`).
    pub fn urls(&self) -> &[String] {
        &self.urls
    }

    /// When the list in force was obtained (fetched, or written to the disk
    /// cache); `None` when there is none.
    pub fn updated(&self) -> Option<SystemTime> {
        self.list.as_ref().map(ProviderList::updated)
    }

    /// Where the list in force came from: snapshot, disk (path) or network
    /// (URL).
    pub fn origin(&self) -> Option<&RangesOrigin> {
        self.list.as_ref().map(ProviderList::origin)
    }

    /// The number of ranges in force.
    pub fn ranges(&self) -> usize {
        self.list.as_ref().map_or(0, |list| list.ranges().len())
    }

    /// The list in force.
    pub fn list(&self) -> Option<&ProviderList> {
        self.list.as_ref()
    }

    /// When the last fetch was attempted.
    pub fn last_attempt(&self) -> Option<SystemTime> {
        self.last_attempt
    }

    /// Why the last attempt failed; `None` when it succeeded (or none was
    /// made).
    pub fn last_error(&self) -> Option<&str> {
        self.last_error.as_deref()
    }

    /// Failed attempts since the last success.
    pub fn consecutive_failures(&self) -> u32 {
        self.failures
    }
}

/// [`ProviderRefresher::start`] found configured providers with no range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StartError {
    missing: Vec<(Provider, String)>,
}

impl StartError {
    /// The providers with no range, each with why.
    pub fn missing(&self) -> &[(Provider, String)] {
        &self.missing
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("no ranges for ")?;
        for (i, (provider, why)) in self.missing.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{provider} ({why})")?;
        }
        f.write_str(
            ": keep a last good list in a cache directory (CROCODILE_PROVIDER_CACHE), make the \
             list's URL reachable (CROCODILE_PROVIDER_URLS for a mirror), or list the ranges as \
             CIDRs in the trusted set instead of the name",
        )
    }
}

impl std::error::Error for StartError {}

#[derive(Debug)]
struct Shared {
    trust: ProxyTrust,
    configured: TrustedProxies,
    interval: Duration,
    cache_dir: Option<PathBuf>,
    agent: ureq::Agent,
    /// One refresh at a time.
    refreshing: tokio::sync::Mutex<()>,
    state: Mutex<Vec<Entry>>,
}

#[derive(Debug)]
struct Entry {
    status: ProviderStatus,
    feed: Option<Feed>,
    next_due: Instant,
    /// Why the disk cache gave nothing, for the start error.
    cache_note: Option<String>,
}

impl Shared {
    fn new(refresher: ProviderRefresher) -> Self {
        let ProviderRefresher {
            trust,
            configured,
            interval,
            timeout,
            cache_dir,
            mut feeds,
            fetch: _,
        } = refresher;
        let now = Instant::now();
        let entries = configured
            .providers()
            .map(|provider| {
                let feed = feeds.remove(&provider);
                Entry {
                    status: ProviderStatus {
                        provider,
                        urls: feed.as_ref().map(|f| f.urls.clone()).unwrap_or_default(),
                        list: configured
                            .provider_ranges()
                            .get(provider)
                            .filter(|list| !list.ranges().is_empty())
                            .cloned(),
                        last_attempt: None,
                        last_error: None,
                        failures: 0,
                    },
                    feed,
                    next_due: now,
                    cache_note: None,
                }
            })
            .collect();
        Self {
            trust,
            configured,
            interval,
            cache_dir,
            agent: fetch::agent(timeout),
            refreshing: tokio::sync::Mutex::new(()),
            state: Mutex::new(entries),
        }
    }

    fn state(&self) -> MutexGuard<'_, Vec<Entry>> {
        // A panic while holding the lock leaves whole values behind.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn status(&self) -> Vec<ProviderStatus> {
        self.state().iter().map(|e| e.status.clone()).collect()
    }

    async fn load_cache(&self) {
        let Some(dir) = self.cache_dir.clone() else {
            return;
        };
        let providers: Vec<Provider> = self.state().iter().map(|e| e.status.provider).collect();
        let loaded = tokio::task::spawn_blocking(move || {
            providers
                .into_iter()
                .map(|provider| {
                    let path = fetch::cache_path(&dir, provider);
                    let read = fetch::read_cache(&path);
                    (provider, path, read)
                })
                .collect::<Vec<_>>()
        })
        .await
        .unwrap_or_default();
        let mut state = self.state();
        for (provider, path, read) in loaded {
            let Some(entry) = state.iter_mut().find(|e| e.status.provider == provider) else {
                continue;
            };
            match read {
                Ok(Some((ranges, written))) => {
                    let newer = entry
                        .status
                        .list
                        .as_ref()
                        .is_none_or(|list| list.updated() < written);
                    if newer {
                        tracing::info!(
                            provider = %provider,
                            path = %path.display(),
                            ranges = ranges.len(),
                            "provider list loaded from the disk cache"
                        );
                        entry.status.list =
                            Some(ProviderList::new(ranges, RangesOrigin::Disk(path), written));
                    }
                }
                Ok(None) => {
                    entry.cache_note = Some(format!("no cache file {}", path.display()));
                }
                Err(e) => {
                    tracing::warn!(
                        provider = %provider,
                        path = %path.display(),
                        reason = %e,
                        "provider cache file ignored"
                    );
                    entry.cache_note = Some(format!("cache file {} ignored: {e}", path.display()));
                }
            }
        }
    }

    /// Fetches the lists that are due (all with `force`), records each
    /// outcome, and swaps the set in when one succeeded and `publish`.
    async fn refresh(&self, force: bool, publish: bool) {
        let _one = self.refreshing.lock().await;
        let now = Instant::now();
        let due: Vec<(Provider, Feed)> = self
            .state()
            .iter()
            .filter(|e| force || e.next_due <= now)
            .filter_map(|e| Some((e.status.provider, e.feed.clone()?)))
            .collect();
        let mut succeeded = false;
        for (provider, feed) in due {
            let agent = self.agent.clone();
            let urls = feed.urls.clone();
            let result = tokio::task::spawn_blocking(move || {
                fetch::fetch_feed(&agent, provider, feed.format, &feed.urls)
            })
            .await
            .unwrap_or_else(|e| Err(format!("the fetch task failed: {e}")));
            succeeded |= self.record(provider, &urls, result).await;
        }
        if succeeded && publish {
            self.publish();
        }
    }

    /// Records one attempt; true when it brought a good list.
    async fn record(
        &self,
        provider: Provider,
        urls: &[String],
        result: Result<Vec<IpNet>, String>,
    ) -> bool {
        let origin = urls.join(", ");
        let attempt = SystemTime::now();
        let ranges = match result {
            Ok(ranges) => ranges,
            Err(reason) => {
                let mut state = self.state();
                let Some(entry) = state.iter_mut().find(|e| e.status.provider == provider) else {
                    return false;
                };
                entry.status.failures = entry.status.failures.saturating_add(1);
                let delay = retry_delay(entry.status.failures, self.interval);
                tracing::warn!(
                    provider = %provider,
                    url = %origin,
                    reason = %reason,
                    retry_in_secs = delay.as_secs(),
                    "provider list refresh failed; the last good list stays"
                );
                entry.status.last_attempt = Some(attempt);
                entry.status.last_error = Some(reason);
                entry.next_due = Instant::now() + delay;
                return false;
            }
        };
        let list = ProviderList::new(ranges, RangesOrigin::Network(origin.clone()), attempt);
        if let Some(dir) = self.cache_dir.clone() {
            let ranges = list.shared_ranges();
            let from = origin.clone();
            let written = tokio::task::spawn_blocking(move || {
                fetch::write_cache(&dir, provider, &from, &ranges)
            })
            .await;
            match written {
                Ok(Ok(path)) => {
                    tracing::debug!(provider = %provider, path = %path.display(), "provider cache written");
                }
                Ok(Err(e)) => tracing::warn!(
                    provider = %provider,
                    reason = %e,
                    "provider cache not written; the list is used all the same"
                ),
                Err(e) => {
                    tracing::warn!(provider = %provider, reason = %e, "provider cache not written")
                }
            }
        }
        let mut state = self.state();
        let Some(entry) = state.iter_mut().find(|e| e.status.provider == provider) else {
            return false;
        };
        let diff = match &entry.status.list {
            Some(old) => old.diff(&list),
            None => ProviderList::new([], RangesOrigin::Snapshot, attempt).diff(&list),
        };
        tracing::info!(
            provider = %provider,
            url = %origin,
            ranges = list.ranges().len(),
            added = diff.added.len(),
            removed = diff.removed.len(),
            added_ranges = %Quoted(&diff.added),
            removed_ranges = %Quoted(&diff.removed),
            "provider list refreshed"
        );
        entry.status.list = Some(list);
        entry.status.last_attempt = Some(attempt);
        entry.status.last_error = None;
        entry.status.failures = 0;
        entry.next_due = Instant::now() + self.interval;
        true
    }

    /// The configured providers still without a range, each with why.
    fn missing(&self) -> Vec<(Provider, String)> {
        self.state()
            .iter()
            .filter(|e| e.status.list.as_ref().is_none_or(|l| l.ranges().is_empty()))
            .map(|e| {
                let mut why = match (&e.feed, &e.status.last_error) {
                    (None, _) => {
                        format!("{} publishes no machine-readable list", e.status.provider)
                    }
                    (Some(_), Some(error)) => format!("fetch failed: {error}"),
                    (Some(_), None) => "not fetched".to_owned(),
                };
                match &e.cache_note {
                    Some(note) => {
                        why.push_str("; ");
                        why.push_str(note);
                    }
                    None if self.cache_dir.is_none() => why.push_str("; no cache directory"),
                    None => {}
                }
                (e.status.provider, why)
            })
            .collect()
    }

    /// Swaps the configured set, resolved with the lists in force, into the
    /// model: one atomic store; requests under way keep their set.
    fn publish(&self) {
        let mut ranges = ProviderRanges::new();
        for entry in self.state().iter() {
            if let Some(list) = &entry.status.list {
                ranges.insert(entry.status.provider, list.clone());
            }
        }
        self.trust
            .set_trusted_proxies(self.configured.resolve(&ranges));
    }

    fn next_due(&self) -> Option<Instant> {
        self.state()
            .iter()
            .filter(|e| e.feed.is_some())
            .map(|e| e.next_due)
            .min()
    }
}

async fn run(shared: Arc<Shared>) {
    while let Some(due) = shared.next_due() {
        tokio::time::sleep_until(due).await;
        shared.refresh(false, true).await;
    }
}

/// The wait before the next attempt after `failures` failures in a row:
/// one minute, doubled each time, never more than `interval`.
fn retry_delay(failures: u32, interval: Duration) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    FIRST_RETRY.saturating_mul(1 << doublings).min(interval)
}

/// Up to ten ranges, then how many more.
struct Quoted<'a>(&'a [IpNet]);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, net) in self.0.iter().take(QUOTED).enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{net}")?;
        }
        if self.0.len() > QUOTED {
            write!(f, " (+{} more)", self.0.len() - QUOTED)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_from_one_minute_up_to_the_interval() {
        let hour = Duration::from_secs(3600);
        let delays: Vec<u64> = (1..=8).map(|n| retry_delay(n, hour).as_secs()).collect();
        assert_eq!(delays, [60, 120, 240, 480, 960, 1920, 3600, 3600]);
        assert_eq!(retry_delay(u32::MAX, hour), hour);
        // An interval under a minute is the retry delay too.
        assert_eq!(
            retry_delay(1, Duration::from_secs(5)),
            Duration::from_secs(5)
        );
    }

    #[test]
    fn log_lines_quote_at_most_ten_ranges() {
        let nets: Vec<IpNet> = (0..12)
            .map(|i| format!("198.51.100.{}/32", i).parse().unwrap())
            .collect();
        let text = Quoted(&nets).to_string();
        assert!(text.ends_with("198.51.100.9/32 (+2 more)"), "{text}");
        assert_eq!(Quoted(&[]).to_string(), "");
    }
}
