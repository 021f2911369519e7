//! The example's configuration: every `CROCODILE_*` variable, parsed and
//! checked before the server binds.

use std::net::SocketAddr;
use std::sync::Arc;

use crocodile::base_context::{AllowedHosts, ProxyHeaders};
use crocodile::client_ip::ClientIpStrategy;
use crocodile::forwarded::TrustedProxies;
use crocodile::i18n::Catalog;

/// Where the example's catalogs live when `CROCODILE_LOCALES` is not set.
const DEFAULT_LOCALES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/locales");

/// Everything the full-stack example reads from its environment.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// `CROCODILE_ADDR`, default `127.0.0.1:3000`.
    pub(crate) addr: SocketAddr,
    /// `CROCODILE_CLIENT_IP`, default `rightmost:x-forwarded-for`.
    pub(crate) client_ip: ClientIpStrategy,
    /// `CROCODILE_TRUSTED_PROXIES`, default `loopback`.
    pub(crate) trusted_proxies: TrustedProxies,
    /// Built from `CROCODILE_LOCALES` (default `examples/locales` in this
    /// package) and `CROCODILE_DEFAULT_LOCALE` (default `en`).
    pub(crate) catalog: Arc<Catalog>,
    /// `CROCODILE_ALLOWED_HOSTS`, default `localhost,127.0.0.1,[::1]`.
    pub(crate) allowed_hosts: AllowedHosts,
    /// `CROCODILE_PROXY_HEADERS` (`x-forwarded`, the default, or `forwarded`):
    /// the header family trusted proxies write for scheme and host.
    pub(crate) proxy_headers: ProxyHeaders,
}

impl Config {
    /// Reads the process environment.
    pub(crate) fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads variables through `lookup`; an error names the variable and the
    /// bad item.
    pub(crate) fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        fn var<T, E: std::fmt::Display>(
            lookup: &impl Fn(&str) -> Option<String>,
            name: &str,
            default: &str,
            parse: impl Fn(&str) -> Result<T, E>,
        ) -> Result<T, String> {
            let value = lookup(name).unwrap_or_else(|| default.to_owned());
            parse(&value).map_err(|error| format!("{name}={value:?}: {error}"))
        }
        Ok(Self {
            addr: var(
                &lookup,
                "CROCODILE_ADDR",
                "127.0.0.1:3000",
                str::parse::<SocketAddr>,
            )?,
            client_ip: var(
                &lookup,
                "CROCODILE_CLIENT_IP",
                "rightmost:x-forwarded-for",
                str::parse,
            )?,
            trusted_proxies: var(&lookup, "CROCODILE_TRUSTED_PROXIES", "loopback", str::parse)?,
            catalog: catalog(&lookup)?,
            allowed_hosts: var(
                &lookup,
                "CROCODILE_ALLOWED_HOSTS",
                "localhost,127.0.0.1,[::1]",
                str::parse,
            )?,
            proxy_headers: var(
                &lookup,
                "CROCODILE_PROXY_HEADERS",
                "x-forwarded",
                str::parse,
            )?,
        })
    }
}

/// Builds and validates the Fluent catalog; the error lists every problem as
/// `<path>:<line>:<column>: <message>`, one per line.
fn catalog(lookup: &impl Fn(&str) -> Option<String>) -> Result<Arc<Catalog>, String> {
    let dir = lookup("CROCODILE_LOCALES").unwrap_or_else(|| DEFAULT_LOCALES.to_owned());
    let default = lookup("CROCODILE_DEFAULT_LOCALE").unwrap_or_else(|| "en".to_owned());
    let catalog = Catalog::builder()
        .default_locale(default.as_str())
        .dir(&dir)
        .build()
        .map_err(|error| {
            format!("CROCODILE_LOCALES={dir:?} (CROCODILE_DEFAULT_LOCALE={default:?}): the catalog has errors:\n{error}")
        })?;
    for missing in catalog.missing_messages() {
        tracing::warn!("{missing}");
    }
    Ok(Arc::new(catalog))
}
