//! The server `scripts/load.sh` and `scripts/measure.sh` measure: one small
//! handler, served bare, behind each Crocodile layer, behind the whole
//! Crocodile stack, or behind the stack a Rust engineer would assemble from
//! other crates today, so the differences are the layers alone.
//!
//! Run with: `cargo run --release -p crocodile-load-server -- full 127.0.0.1:3001`
//!
//! The first argument picks the stack:
//! - `bare`: axum, the handler, nothing else;
//! - `client-ip`, `base-context`, `i18n`: one Crocodile layer alone;
//! - `full`: `ClientIpLayer` (rightmost `X-Forwarded-For`, loopback trusted),
//!   `BaseContextLayer` (allowed hosts `localhost`, `127.0.0.1`; request ids)
//!   and `I18nLayer` (the example catalogs), in the full-stack example's
//!   order, without its `TraceLayer`;
//! - `noop`, `noop-body`, `noop-extensions`: no Crocodile code, for
//!   reference: one `Router::layer` call of tower's `Identity`, of a layer
//!   that wraps the response body (axum then boxes it again, as it does
//!   `BaseContextLayer`'s), and of one that inserts three one-word
//!   extensions (the extension map allocated and grown as for three layers);
//!   `noop-headers`: one that sets three static response headers
//!   (`X-Request-Id`, `Content-Language`, `Vary`); `noop-plumbing`: all of
//!   them in one layer, what the three layers' jobs cost in axum and `http`
//!   before computing anything;
//! - `peers`: the same three jobs done with other crates (see `peers.rs`).
//!   No tower-http `TraceLayer` either, since `full` has none: the two stay
//!   comparable. What `full` does that `peers` does not: the allowed-host
//!   check, the scheme/host/port resolution, the trace context, the `?lang=`
//!   and `lang` cookie sources. `axum-client-ip` answers 500 when
//!   `X-Forwarded-For` is missing, so send one (the scripts do).
//!
//! Every stack answers `GET /` with the same 13-byte body from the same
//! handler, composed with one `ServiceBuilder` in one `Router::layer` call.
//! With the suffix `-message` (`bare-message`, `full-message`,
//! `peers-message`, ...) the handler instead formats one Fluent message
//! (`page-title`, French) and answers with it: through the request's
//! `Localizer` when `I18nLayer` is there, through the peers' bundle in
//! `peers-message`, and through a `Localizer` made at start-up otherwise, so
//! `full-message` minus `bare-message` is again the layers alone.
//!
//! `load-server client ADDR COUNT` is the other half: it sends exactly COUNT
//! keep-alive requests with the measured headers (see `client.rs`).
//!
//! The server stops cleanly on SIGINT or SIGTERM (so callgrind writes its
//! counts). `LOAD_SERVER_WORKERS=N` sets tokio's worker threads (default:
//! one per core). No logging, so none pays for a subscriber.

mod client;
mod peers;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::extract::Request;
use axum::extract::State;
use axum::http::header::{CONTENT_LANGUAGE, VARY};
use axum::http::{HeaderName, HeaderValue};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use crocodile::base_context::BaseContextLayer;
use crocodile::client_ip::ClientIpLayer;
use crocodile::forwarded::ProxyTrust;
use crocodile::i18n::{Catalog, I18nLayer, Localizer};
use tower::ServiceBuilder;
use tower::layer::util::Identity;
use tower::util::{MapRequestLayer, MapResponseLayer};

/// The full-stack example's catalogs, in the root package.
pub(crate) const LOCALES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/locales");

/// The message the `-message` modes format (a term reference, no variables).
const MESSAGE: &str = "page-title";

/// A 26-character id for `noop-plumbing`'s response header.
const STATIC_ID: &str = "01KBF6Z7J8M2W3X4Y5Z6A7B8C9";

/// Three one-word extensions, as three layers' values.
fn insert_markers(mut req: Request) -> Request {
    req.extensions_mut().insert(Marker::<1>(0));
    req.extensions_mut().insert(Marker::<2>(0));
    req.extensions_mut().insert(Marker::<3>(0));
    req
}

/// The three response headers the layers set, as static values.
fn set_static_headers(response: &mut Response) {
    const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");
    let headers = response.headers_mut();
    headers.insert(REQUEST_ID, HeaderValue::from_static(STATIC_ID));
    headers.insert(CONTENT_LANGUAGE, HeaderValue::from_static("fr"));
    headers.insert(VARY, HeaderValue::from_static("Accept-Language"));
}

/// The `noop-extensions` row's extensions: three distinct types, each a
/// word, so each insert boxes as a layer's would (a zero-sized one would
/// not allocate).
#[derive(Clone, Copy)]
struct Marker<const N: u8>(#[expect(dead_code, reason = "only its size matters")] u64);

async fn hello() -> &'static str {
    "hello, world\n"
}

/// `-message` with `I18nLayer`: the request's own `Localizer`.
async fn message_from_layer(localizer: Localizer) -> String {
    localizer.text(MESSAGE).into_owned()
}

/// `-message` without `I18nLayer`: a French `Localizer` made at start-up.
async fn message_from_state(State(localizer): State<Arc<Localizer>>) -> String {
    localizer.text(MESSAGE).into_owned()
}

/// `peers-message`: the bundle the peers' middleware inserted.
async fn message_from_peers(Extension(locale): Extension<peers::Locale>) -> String {
    peers::format(&locale, MESSAGE)
}

fn catalog() -> Result<Arc<Catalog>, String> {
    let catalog = Catalog::builder()
        .default_locale("en")
        .dir(LOCALES_DIR)
        .build()
        .map_err(|e| format!("{e}"))?;
    Ok(Arc::new(catalog))
}

fn trust() -> Result<ProxyTrust, String> {
    Ok(ProxyTrust::new(
        "rightmost:x-forwarded-for"
            .parse()
            .map_err(|e| format!("{e}"))?,
        "loopback".parse().map_err(|e| format!("{e}"))?,
    ))
}

fn base_context_layer(trust: ProxyTrust) -> Result<BaseContextLayer, String> {
    let allowed = "localhost,127.0.0.1".parse().map_err(|e| format!("{e}"))?;
    Ok(BaseContextLayer::new(trust, allowed))
}

/// The router of `stack` (without its `-message` suffix), its handler
/// formatting a message when `message` is set.
fn app(stack: &str, message: bool) -> Result<Router, String> {
    let catalog = catalog()?;
    let route = |with_layer: bool| -> Result<Router, String> {
        Ok(match (message, with_layer) {
            (false, _) => Router::new().route("/", get(hello)),
            (true, true) => Router::new().route("/", get(message_from_layer)),
            (true, false) => {
                let localizer = Localizer::new(Arc::clone(&catalog), "fr")
                    .ok_or("the catalog has no French")?;
                Router::new()
                    .route("/", get(message_from_state))
                    .with_state(Arc::new(localizer))
            }
        })
    };
    // One `Router::layer` call with a `ServiceBuilder`, as the full-stack
    // example does: axum boxes the route once, not once per layer.
    Ok(match stack {
        "bare" => route(false)?,
        // Reference rows, no Crocodile code: what one `Router::layer` call
        // costs by itself, with a response body axum must box again (as
        // `BaseContextLayer`'s is), with three small extensions inserted,
        // and with all of that plus three static response headers: the
        // plumbing the three layers' jobs need before computing anything.
        "noop" => route(false)?.layer(Identity::new()),
        "noop-body" => route(false)?.layer(MapResponseLayer::new(|response: Response| {
            response.map(crocodile::base_context::ResponseBody::new)
        })),
        "noop-extensions" => route(false)?.layer(MapRequestLayer::new(insert_markers)),
        "noop-headers" => route(false)?.layer(MapResponseLayer::new(|mut response: Response| {
            set_static_headers(&mut response);
            response
        })),
        "noop-plumbing" => route(false)?.layer(
            ServiceBuilder::new()
                .layer(MapRequestLayer::new(insert_markers))
                .layer(MapResponseLayer::new(|mut response: Response| {
                    set_static_headers(&mut response);
                    response.map(crocodile::base_context::ResponseBody::new)
                })),
        ),
        "client-ip" => route(false)?.layer(ClientIpLayer::new(trust()?)),
        "base-context" => route(false)?.layer(base_context_layer(trust()?)?),
        "i18n" => route(true)?.layer(I18nLayer::new(Arc::clone(&catalog))),
        "full" => {
            let trust = trust()?;
            route(true)?.layer(
                ServiceBuilder::new()
                    .layer(ClientIpLayer::new(trust.clone()))
                    .layer(base_context_layer(trust)?)
                    .layer(I18nLayer::new(Arc::clone(&catalog))),
            )
        }
        "peers" if message => peers::peers(Router::new().route("/", get(message_from_peers)))?,
        "peers" => peers::peers(route(false)?)?,
        other => {
            return Err(format!(
                "unknown stack {other:?} (bare, client-ip, base-context, i18n, full, peers, \
                 noop, noop-body, noop-extensions, noop-headers or noop-plumbing, each optionally with -message)"
            ));
        }
    })
}

/// Resolves on SIGINT or SIGTERM.
async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                tokio::select! {
                    _ = interrupt => {}
                    _ = terminate.recv() => {}
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}

fn main() -> ExitCode {
    // `LOAD_SERVER_WORKERS=1` (what `scripts/measure.sh` runs callgrind
    // with): one worker thread, so no idle worker wakes to look for work
    // and the instruction counts repeat run to run.
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = std::env::var("LOAD_SERVER_WORKERS")
        .ok()
        .and_then(|n| n.parse().ok())
    {
        runtime.worker_threads(workers);
    }
    match runtime.enable_all().build() {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let stack = args.next().unwrap_or_else(|| "full".to_owned());
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3001".to_owned());
    if stack == "client" {
        let count = args.next().and_then(|n| n.parse().ok());
        let Some(count) = count else {
            eprintln!("usage: load-server client ADDR COUNT");
            return ExitCode::from(2);
        };
        return match tokio::task::spawn_blocking(move || client::run(&addr, count)).await {
            Ok(Ok(())) => ExitCode::SUCCESS,
            Ok(Err(error)) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::FAILURE
            }
        };
    }
    let (name, message) = match stack.strip_suffix("-message") {
        Some(name) => (name, true),
        None => (stack.as_str(), false),
    };
    let router = match app(name, message) {
        Ok(router) => router,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot bind {addr}: {error}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{stack} listening on http://{}",
        listener.local_addr().expect("bound")
    );
    let served = axum::serve(
        listener,
        router.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
