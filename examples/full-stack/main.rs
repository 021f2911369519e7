//! The main example: every Crocodile layer in front of `/`, `/context` and `/messages/{id}`.
//!
//! Run with: `cargo run --release --example full-stack`
//!
//! Then `curl -s localhost:3000/context`. Configuration, all optional:
//!
//! | Variable | Default | Meaning |
//! |---|---|---|
//! | `CROCODILE_ADDR` | `127.0.0.1:3000` | where to listen |
//! | `CROCODILE_CLIENT_IP` | `rightmost:x-forwarded-for` | the client-ip strategy |
//! | `CROCODILE_TRUSTED_PROXIES` | `loopback` | proxies whose headers are believed |
//! | `CROCODILE_LOCALES` | `examples/locales` | the Fluent catalog directory (`<dir>/<locale>/*.ftl`) |
//! | `CROCODILE_DEFAULT_LOCALE` | `en` | the default locale |
//! | `CROCODILE_ALLOWED_HOSTS` | `localhost,127.0.0.1,[::1]` | hosts the site answers for (`example.com`, `.example.com`, `*`, `host:port`) |
//! | `CROCODILE_PROXY_HEADERS` | the strategy's | the header family trusted proxies write (`x-forwarded` or `forwarded`); follows `CROCODILE_CLIENT_IP`, which follows it; the two may not disagree |
//! | `CROCODILE_X_FORWARDED` | `proto,host` | the `X-Forwarded-*` headers believed besides `-For` (`proto`, `host`, `port`, `prefix`, `none`) |
//! | `CROCODILE_FORWARDED_GRAMMAR` | `lenient` | the `Forwarded` grammar (`lenient` or `strict`) |
//! | `CROCODILE_RELOAD` | `off` | `watch`: reload the catalog when its files change |
//! | `CROCODILE_RETENTION_AGE` | `30s` | how long a request may be held after its response before `GET /context`'s `retained_requests` counts it |
//! | `CROCODILE_LOCALE_PREFIX` | `off` | `on`: `/fr/...` is served in French (`hreflang` alternates on the page and in `/context`); `redirect`: pages without a prefix also redirect to the negotiated one |
//!
//! A bad value stops the process before it binds, naming the variable.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::process::ExitCode;

use tracing_subscriber::EnvFilter;

mod app;
mod config;
mod locale_prefix;
mod messages;
mod page;
mod providers;
mod retention;

#[tokio::main]
async fn main() -> ExitCode {
    // `RUST_LOG` overrides the default, `info` for everything (the layers'
    // per-request details are at `debug`). Colours only on a terminal, and
    // never with `NO_COLOR` set to anything (https://no-color.org).
    let colour = std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|value| value.is_empty());
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_ansi(colour)
        .init();
    let config = match config::Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    // The CDN lists named in CROCODILE_TRUSTED_PROXIES, before serving: the
    // handle refreshes them in the background while it lives.
    #[cfg(feature = "providers")]
    let _refresh = match providers::start(&config).await {
        Ok(handle) => handle,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    // CROCODILE_RELOAD=watch: the watcher reloads the layer (and so every
    // route's copy of it) while it lives.
    let i18n = crocodile::i18n::I18nLayer::new(std::sync::Arc::clone(&config.catalog));
    let _watcher = match config.reload {
        config::Reload::Off => None,
        config::Reload::Watch => match watch(&i18n) {
            Ok(watcher) => Some(watcher),
            Err(error) => {
                eprintln!("error: CROCODILE_RELOAD=watch: {error}");
                return ExitCode::from(2);
            }
        },
    };
    let router = app::app_with(&config, i18n);
    let listener = match tokio::net::TcpListener::bind(config.addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!(
                "error: CROCODILE_ADDR={}: cannot bind: {error}",
                config.addr
            );
            return ExitCode::from(2);
        }
    };
    let addr = listener
        .local_addr()
        .expect("a bound listener has an address");
    println!("listening on http://{addr}");
    let serve = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal());
    if let Err(error) = serve.await {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Watches the catalog's directories (the umbrella's `watch` feature, on by
/// default).
#[cfg(feature = "watch")]
fn watch(i18n: &crocodile::i18n::I18nLayer) -> Result<crocodile::i18n::CatalogWatcher, String> {
    i18n.watch().map_err(|error| error.to_string())
}

#[cfg(not(feature = "watch"))]
fn watch(_: &crocodile::i18n::I18nLayer) -> Result<std::convert::Infallible, String> {
    Err("this build has no catalog watcher: build the example with the `watch` feature (on by default)".to_owned())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
