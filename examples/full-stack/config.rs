//! The example's configuration: every `CROCODILE_*` variable, parsed and
//! checked before the server binds.

use std::net::SocketAddr;
use std::sync::Arc;

use crocodile::base_context::{AllowedHosts, RequestIdSource};
use crocodile::forwarded::{
    ClientIpStrategy, ForwardedGrammar, ProxyHeaders, ProxyTrust, TrustedProxies, XForwardedHeaders,
};
use crocodile::i18n::{Catalog, CatalogBuilder};

use super::providers::ProviderSettings;
use super::retention::RetentionSettings;

/// Where the example's catalogs live when `CROCODILE_LOCALES` is not set.
const DEFAULT_LOCALES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/locales");

/// Everything the full-stack example reads from its environment.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// `CROCODILE_ADDR`, default `127.0.0.1:3000`.
    pub(crate) addr: SocketAddr,
    /// The one trust model both layers share, built from
    /// `CROCODILE_CLIENT_IP` (default `rightmost:x-forwarded-for`),
    /// `CROCODILE_PROXY_HEADERS` (default: the strategy's family),
    /// `CROCODILE_TRUSTED_PROXIES` (default `loopback`), `CROCODILE_X_FORWARDED`
    /// (default `proto,host`) and `CROCODILE_FORWARDED_GRAMMAR` (default
    /// `lenient`).
    pub(crate) trust: ProxyTrust,
    /// Built from `CROCODILE_LOCALES` (default `examples/locales` in this
    /// package) and `CROCODILE_DEFAULT_LOCALE` (default `en`).
    pub(crate) catalog: Arc<Catalog>,
    /// `CROCODILE_ALLOWED_HOSTS`, default `localhost,127.0.0.1,[::1]`.
    pub(crate) allowed_hosts: AllowedHosts,
    /// `CROCODILE_PROVIDER_REFRESH`, `CROCODILE_PROVIDER_URLS`,
    /// `CROCODILE_PROVIDER_CACHE`: how the CDN lists named in
    /// `CROCODILE_TRUSTED_PROXIES` are kept current.
    pub(crate) providers: ProviderSettings,
    /// `CROCODILE_REQUEST_ID`, default `ulid`: `trace-id` makes the request
    /// id the W3C trace id.
    pub(crate) request_id: RequestIdSource,
    /// `CROCODILE_RELOAD`: `off` (the default) or `watch` (reload the
    /// catalog when its files change).
    pub(crate) reload: Reload,
    /// `CROCODILE_RETENTION_AGE`, default `30s`: how long a request may be
    /// held after its response before the retention guard counts it.
    pub(crate) retention: RetentionSettings,
    /// `CROCODILE_LOCALE_PREFIX`: `off` (the default), `on` (`/fr/...` is
    /// served in French) or `redirect` (and pages without a prefix redirect
    /// to the negotiated one).
    pub(crate) locale_prefix: super::locale_prefix::LocalePrefix,
}

/// `CROCODILE_RELOAD`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Reload {
    /// The catalog is read once, at start-up.
    #[default]
    Off,
    /// Files in the catalog directory are watched; a good edit is served on
    /// the next request, a broken one keeps the old catalog and is logged.
    Watch,
}

impl std::str::FromStr for Reload {
    type Err = &'static str;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            s if s.eq_ignore_ascii_case("off") => Ok(Self::Off),
            s if s.eq_ignore_ascii_case("watch") => Ok(Self::Watch),
            _ => Err("expected `off` or `watch`"),
        }
    }
}

impl Config {
    /// Reads the process environment.
    pub(crate) fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`; an error names the variable and the
    /// bad item.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let config = Self {
            addr: var(
                &lookup,
                "CROCODILE_ADDR",
                "127.0.0.1:3000",
                str::parse::<SocketAddr>,
            )?,
            providers: ProviderSettings::from_lookup(&lookup)?,
            reload: var(&lookup, "CROCODILE_RELOAD", "off", str::parse)?,
            retention: RetentionSettings::from_lookup(&lookup)?,
            locale_prefix: var(&lookup, "CROCODILE_LOCALE_PREFIX", "off", str::parse)?,
            trust: trust(&lookup)?,
            catalog: catalog(&lookup)?,
            allowed_hosts: var(
                &lookup,
                "CROCODILE_ALLOWED_HOSTS",
                "localhost,127.0.0.1,[::1]",
                str::parse,
            )?,
            request_id: var(&lookup, "CROCODILE_REQUEST_ID", "ulid", str::parse)?,
        };
        config.check_providers(&lookup)?;
        Ok(config)
    }

    /// A provider in the trusted set needs its list from somewhere: this
    /// build ships no snapshot, so from the network (`providers` feature and
    /// `CROCODILE_PROVIDER_REFRESH`) or the cache. Said before binding.
    fn check_providers(&self, lookup: &impl Fn(&str) -> Option<String>) -> Result<(), String> {
        let trusted = self.trust.trusted_proxies();
        let Some(provider) = trusted.providers().next() else {
            return Ok(());
        };
        let named = format!(
            "CROCODILE_TRUSTED_PROXIES={:?}",
            lookup("CROCODILE_TRUSTED_PROXIES").unwrap_or_default()
        );
        if !cfg!(feature = "providers") {
            return Err(format!(
                "{named}: `{provider}` needs its published list, which this build cannot load: \
                 run the example with `--features providers` and set CROCODILE_PROVIDER_REFRESH \
                 (such as 1h) or CROCODILE_PROVIDER_CACHE, or list the ranges as CIDRs"
            ));
        }
        let settings = &self.providers;
        if settings.refresh.is_none() && settings.cache.is_none() {
            return Err(format!(
                "{named}: `{provider}` needs its published list and none ships with this build: \
                 set CROCODILE_PROVIDER_REFRESH (such as 1h) to fetch it, or \
                 CROCODILE_PROVIDER_CACHE to a directory holding the last good list"
            ));
        }
        Ok(())
    }
}

/// The variable `name` parsed, or `default` parsed when it is unset; an
/// error names the variable, its value and what is wrong with it.
pub(crate) fn var<T, E: std::fmt::Display>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<T, String> {
    let value = lookup(name).unwrap_or_else(|| default.to_owned());
    parse(&value).map_err(|error| format!("{name}={value:?}: {error}"))
}

/// The variable `name` parsed, or `None` when it is unset; errors as [`var`]'s.
pub(crate) fn optional_var<T, E: std::fmt::Display>(
    lookup: &impl Fn(&str) -> Option<String>,
    name: &str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<T>, String> {
    lookup(name)
        .map(|value| parse(&value).map_err(|error| format!("{name}={value:?}: {error}")))
        .transpose()
}

/// The trust model. `CROCODILE_CLIENT_IP` and `CROCODILE_PROXY_HEADERS`
/// name one header family: when only one is set the other follows it, and
/// when both are set and disagree, start-up fails naming both.
fn trust(lookup: &impl Fn(&str) -> Option<String>) -> Result<ProxyTrust, String> {
    let strategy: Option<ClientIpStrategy> =
        optional_var(lookup, "CROCODILE_CLIENT_IP", str::parse)?;
    let family: Option<ProxyHeaders> = optional_var(lookup, "CROCODILE_PROXY_HEADERS", str::parse)?;
    let trusted: TrustedProxies = optional_var(lookup, "CROCODILE_TRUSTED_PROXIES", str::parse)?
        .unwrap_or_else(|| "loopback".parse().expect("the default parses"));
    let x_forwarded: XForwardedHeaders =
        optional_var(lookup, "CROCODILE_X_FORWARDED", str::parse)?.unwrap_or_default();
    let grammar: ForwardedGrammar =
        optional_var(lookup, "CROCODILE_FORWARDED_GRAMMAR", str::parse)?.unwrap_or_default();
    let mut builder = ProxyTrust::builder()
        .trusted_proxies(trusted)
        .x_forwarded(x_forwarded)
        .forwarded_grammar(grammar);
    if let Some(strategy) = strategy {
        builder = builder.strategy(strategy);
    }
    if let Some(family) = family {
        builder = builder.proxy_headers(family);
    }
    builder.build().map_err(|error| {
        format!(
            "CROCODILE_CLIENT_IP={:?} and CROCODILE_PROXY_HEADERS={:?} disagree: {error}",
            lookup("CROCODILE_CLIENT_IP").unwrap_or_default(),
            lookup("CROCODILE_PROXY_HEADERS").unwrap_or_default(),
        )
    })
}

/// Builds and validates the Fluent catalog; the error lists every problem as
/// `<path>:<line>:<column>: <message>`, one per line.
fn catalog(lookup: &impl Fn(&str) -> Option<String>) -> Result<Arc<Catalog>, String> {
    let dir = lookup("CROCODILE_LOCALES").unwrap_or_else(|| DEFAULT_LOCALES.to_owned());
    let default = lookup("CROCODILE_DEFAULT_LOCALE").unwrap_or_else(|| "en".to_owned());
    let builder = Catalog::builder()
        .default_locale(default.as_str())
        .dir(&dir);
    let catalog = with_pseudo_locales(lookup, builder)?
        .build()
        .map_err(|error| {
            format!("CROCODILE_LOCALES={dir:?} (CROCODILE_DEFAULT_LOCALE={default:?}): the catalog has errors:\n{error}")
        })?;
    for missing in catalog.missing_messages() {
        tracing::warn!("{missing}");
    }
    for mismatch in catalog.variable_mismatches() {
        tracing::warn!("{mismatch}");
    }
    Ok(Arc::new(catalog))
}

/// `CROCODILE_PSEUDO_LOCALES`: `none` (the default) or a comma-separated
/// list of pseudo-locales (`en-XA,ar-XB`), served only when asked for by
/// name (`?lang=en-XA`, the cookie, the path), never negotiated.
fn with_pseudo_locales(
    lookup: &impl Fn(&str) -> Option<String>,
    builder: CatalogBuilder,
) -> Result<CatalogBuilder, String> {
    const NAME: &str = "CROCODILE_PSEUDO_LOCALES";
    let Some(value) = lookup(NAME) else {
        return Ok(builder);
    };
    let list = value.trim();
    if list.is_empty() || list.eq_ignore_ascii_case("none") {
        return Ok(builder);
    }
    #[cfg(feature = "pseudo")]
    {
        let pseudo: crocodile::i18n::PseudoLocales = list
            .parse()
            .map_err(|error| format!("{NAME}={value:?}: {error}"))?;
        Ok(builder.pseudo_locales(pseudo))
    }
    #[cfg(not(feature = "pseudo"))]
    {
        let _ = builder;
        Err(format!(
            "{NAME}={value:?}: this build has no pseudo-locales: run the example with `--features pseudo`"
        ))
    }
}

/// A whole number with one of `units` right after it (`30s` with
/// `("s", 1)`), as that many base units; `None` for anything else or an
/// overflow. The durations of `CROCODILE_RETENTION_AGE` and
/// `CROCODILE_PROVIDER_REFRESH` are read with it, each with its own units.
pub(crate) fn number_with_unit(value: &str, units: &[(&str, u64)]) -> Option<u64> {
    let split = value.find(|c: char| !c.is_ascii_digit())?;
    let (number, unit) = value.split_at(split);
    let number: u64 = number.parse().ok()?;
    let (_, scale) = units.iter().find(|(name, _)| *name == unit)?;
    number.checked_mul(*scale)
}
