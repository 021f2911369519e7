//! The example's configuration: every `CROCODILE_*` variable, parsed and
//! checked before the server binds.

use std::net::SocketAddr;

use crocodile::client_ip::ClientIpStrategy;
use crocodile::forwarded::TrustedProxies;

/// Everything the full-stack example reads from its environment.
#[derive(Debug, Clone)]
pub(crate) struct Config {
    /// `CROCODILE_ADDR`, default `127.0.0.1:3000`.
    pub(crate) addr: SocketAddr,
    /// `CROCODILE_CLIENT_IP`, default `rightmost:x-forwarded-for`.
    pub(crate) client_ip: ClientIpStrategy,
    /// `CROCODILE_TRUSTED_PROXIES`, default `loopback`.
    pub(crate) trusted_proxies: TrustedProxies,
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
        })
    }
}
