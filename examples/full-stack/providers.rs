//! CDN provider lists for the trusted set (`cloudflare`, `cloudfront`,
//! `fastly`, `gcp-lb` in `CROCODILE_TRUSTED_PROXIES`): the settings
//! `CROCODILE_PROVIDER_REFRESH`, `CROCODILE_PROVIDER_URLS` and
//! `CROCODILE_PROVIDER_CACHE`, checked before the server binds.

use std::path::PathBuf;
use std::time::Duration;

use crocodile::forwarded::Provider;

use super::config::{number_with_unit, optional_var};

/// How the example keeps provider lists current.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ProviderSettings {
    /// `CROCODILE_PROVIDER_REFRESH`: how often to fetch the lists; `None`
    /// (`none`, the default) fetches nothing and starts from the cache only.
    pub(crate) refresh: Option<Duration>,
    /// `CROCODILE_PROVIDER_URLS`: `name=url,...` overrides (mirrors, tests).
    pub(crate) urls: Vec<(Provider, String)>,
    /// `CROCODILE_PROVIDER_CACHE`: a directory for the last good lists.
    pub(crate) cache: Option<PathBuf>,
}

impl ProviderSettings {
    /// Reads the three variables; an error names the variable and the bad item.
    pub(crate) fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        Ok(Self {
            refresh: optional_var(lookup, "CROCODILE_PROVIDER_REFRESH", parse_interval)?.flatten(),
            urls: optional_var(lookup, "CROCODILE_PROVIDER_URLS", parse_urls)?.unwrap_or_default(),
            cache: optional_var(lookup, "CROCODILE_PROVIDER_CACHE", parse_cache)?.flatten(),
        })
    }
}

/// `none`, or a whole number with a unit: `90s`, `30m`, `1h`, `7d`.
fn parse_interval(value: &str) -> Result<Option<Duration>, String> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let expected =
        "expected `none` or a whole number with a unit, such as `90s`, `30m`, `1h` or `7d`";
    let units = [("s", 1), ("m", 60), ("h", 3_600), ("d", 86_400)];
    match number_with_unit(value, &units) {
        Some(0) => Err("the interval must be at least 1s".to_owned()),
        Some(seconds) => Ok(Some(Duration::from_secs(seconds))),
        None => Err(expected.to_owned()),
    }
}

/// `none`, or `name=url` items separated by commas.
fn parse_urls(value: &str) -> Result<Vec<(Provider, String)>, String> {
    if value.trim().eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| {
            let (name, url) = item
                .split_once('=')
                .ok_or_else(|| format!("{item:?} is not `name=url` (for example `cloudflare=https://mirror.example/cf.json`)"))?;
            let provider: Provider = name.trim().parse().map_err(|error| format!("{error}"))?;
            let url = url.trim();
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(format!("{url:?} for {provider} is not an http:// or https:// URL"));
            }
            Ok((provider, url.to_owned()))
        })
        .collect()
}

/// `none`, or a directory that exists.
fn parse_cache(value: &str) -> Result<Option<PathBuf>, String> {
    if value.trim().eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let path = PathBuf::from(value);
    if !path.is_dir() {
        return Err("not a directory (create it first)".to_owned());
    }
    Ok(Some(path))
}

/// Starts the refresher when the trusted set names a provider: from the
/// cache only with `CROCODILE_PROVIDER_REFRESH=none`, else fetching now and
/// on the interval. `None` when no provider is named.
#[cfg(feature = "providers")]
pub(crate) async fn start(
    config: &super::config::Config,
) -> Result<Option<crocodile_providers::RefreshHandle>, String> {
    use crocodile_providers::ProviderRefresher;

    let configured = config.trust.trusted_proxies();
    if configured.providers().next().is_none() {
        return Ok(None);
    }
    let settings = &config.providers;
    let mut refresher = ProviderRefresher::new(config.trust.clone(), (*configured).clone());
    for (provider, url) in &settings.urls {
        refresher = refresher.url(*provider, url.clone());
    }
    if let Some(dir) = &settings.cache {
        refresher = refresher.cache_dir(dir.clone());
    }
    refresher = match settings.refresh {
        Some(interval) => refresher.interval(interval),
        None => refresher.cache_only(),
    };
    let handle = refresher
        .start()
        .await
        .map_err(|error| format!("CROCODILE_TRUSTED_PROXIES: {error}"))?;
    for status in handle.status() {
        tracing::info!(
            provider = %status.provider(),
            ranges = status.ranges(),
            origin = %status.origin().map_or_else(|| "none".to_owned(), ToString::to_string),
            "provider list in force"
        );
    }
    Ok(Some(handle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_parse_and_bad_ones_say_what_was_expected() {
        let ok = [("90s", 90), ("30m", 1_800), ("1h", 3_600), ("7d", 604_800)];
        for (text, seconds) in ok {
            assert_eq!(
                parse_interval(text),
                Ok(Some(Duration::from_secs(seconds))),
                "{text}"
            );
        }
        assert_eq!(parse_interval("none"), Ok(None));
        for bad in [
            "",
            "1",
            "h",
            "1 h",
            "1x",
            "-1h",
            "0s",
            "99999999999999999999d",
        ] {
            assert!(parse_interval(bad).is_err(), "{bad:?}");
        }
    }
}
