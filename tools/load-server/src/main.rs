//! The server `scripts/load.sh` measures: one small handler, served bare,
//! behind the whole Crocodile stack, or behind the stack a Rust engineer
//! would assemble from other crates today, so the differences are the layers
//! alone.
//!
//! Run with: `cargo run --release -p crocodile-load-server -- full 127.0.0.1:3001`
//!
//! The first argument picks the stack:
//! - `bare`: axum, the handler, nothing else;
//! - `full`: `ClientIpLayer` (rightmost `X-Forwarded-For`, loopback trusted),
//!   `BaseContextLayer` (allowed hosts `localhost`, `127.0.0.1`; request ids)
//!   and `I18nLayer` (the example catalogs), in the full-stack example's
//!   order, without its `TraceLayer`;
//! - `peers`: the same three jobs done with other crates: tower-http's
//!   `SetRequestIdLayer` + `PropagateRequestIdLayer` with `MakeRequestUuid`
//!   (an `x-request-id` made per request and echoed on the response; with
//!   `uuid`'s default features that is one `getrandom` system call per id),
//!   `axum-client-ip`'s `ClientIpSource::RightmostXForwardedFor` extension,
//!   and a hand-rolled `middleware::from_fn_with_state` that extracts the
//!   `ClientIp` once (as `full` works out the address on every request) and
//!   inserts it, picks a locale with `accept_language::intersection` against
//!   the catalogs' locales (default `en`), inserts the chosen tag and an `Arc`
//!   of its prebuilt `fluent_bundle::concurrent::FluentBundle` (built at
//!   start-up from the same `examples/locales`), and sets `Content-Language`
//!   and `Vary: Accept-Language` (as `full` sets both). No tower-http
//!   `TraceLayer` either, since `full` has none: the two stay comparable.
//!   What `full` does that `peers` does not: the allowed-host check, the
//!   scheme/host/port resolution, the `?lang=` and `lang` cookie sources.
//!   `axum-client-ip` answers 500 when `X-Forwarded-For` is missing, so send
//!   one (the load script does).
//!
//! All three answer `GET /` with the same 13-byte body from the same handler,
//! composed with one `ServiceBuilder` in one `Router::layer` call. No
//! logging, so none pays for a subscriber.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, VARY};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use axum_client_ip::{ClientIp, ClientIpSource};
use crocodile::base_context::BaseContextLayer;
use crocodile::client_ip::ClientIpLayer;
use crocodile::i18n::{Catalog, I18nLayer};
use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// The full-stack example's catalogs, in the root package.
const LOCALES_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/locales");

async fn hello() -> &'static str {
    "hello, world\n"
}

fn full(router: Router) -> Result<Router, String> {
    let trust = crocodile::forwarded::ProxyTrust::new(
        "rightmost:x-forwarded-for"
            .parse()
            .map_err(|e| format!("{e}"))?,
        "loopback".parse().map_err(|e| format!("{e}"))?,
    );
    let catalog = Catalog::builder()
        .default_locale("en")
        .dir(LOCALES_DIR)
        .build()
        .map_err(|e| format!("{e}"))?;
    let allowed = "localhost,127.0.0.1".parse().map_err(|e| format!("{e}"))?;
    // One `Router::layer` call with a `ServiceBuilder`, as the full-stack
    // example does: axum boxes the route once, not once per layer.
    Ok(router.layer(
        ServiceBuilder::new()
            .layer(ClientIpLayer::new(trust.clone()))
            .layer(BaseContextLayer::new(trust, allowed))
            .layer(I18nLayer::new(Arc::new(catalog))),
    ))
}

/// The locales of `examples/locales`, the first the default (the `peers`
/// stack's list; `full` reads the directory).
const LOCALES: [&str; 5] = ["en", "ar", "de", "fr", "zh-Hans"];

type Bundle = FluentBundle<FluentResource>;

/// What the `peers` stack inserts per request: the chosen tag and its bundle.
#[derive(Clone)]
#[allow(dead_code)] // The handler is the same in every mode and reads neither.
struct Locale {
    tag: String,
    bundle: Arc<Bundle>,
}

/// One bundle per locale from its `.ftl` files, built once at start-up.
fn bundles() -> Result<HashMap<String, Arc<Bundle>>, String> {
    let root = LOCALES_DIR;
    let mut bundles = HashMap::new();
    for tag in LOCALES {
        let mut bundle = FluentBundle::new_concurrent(vec![
            tag.parse().map_err(|e| format!("locale {tag}: {e}"))?,
        ]);
        let dir = format!("{root}/{tag}");
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{dir}: {e}"))?;
        for entry in entries {
            let path = entry.map_err(|e| format!("{dir}: {e}"))?.path();
            if path.extension().is_none_or(|ext| ext != "ftl") {
                continue;
            }
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let resource = FluentResource::try_new(text)
                .map_err(|(_, errors)| format!("{}: {errors:?}", path.display()))?;
            bundle
                .add_resource(resource)
                .map_err(|errors| format!("{}: {errors:?}", path.display()))?;
        }
        bundles.insert(tag.to_owned(), Arc::new(bundle));
    }
    Ok(bundles)
}

/// The hand-rolled per-request middleware of the `peers` stack.
async fn peers_context(
    State(bundles): State<Arc<HashMap<String, Arc<Bundle>>>>,
    client_ip: ClientIp,
    mut req: Request,
    next: Next,
) -> Response {
    req.extensions_mut().insert(client_ip);
    let tag = req
        .headers()
        .get(ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|raw| {
            accept_language::intersection(raw, &LOCALES)
                .into_iter()
                .next()
        })
        .unwrap_or_else(|| LOCALES[0].to_owned());
    let bundle = Arc::clone(&bundles[&tag]);
    let content_language = HeaderValue::from_str(&tag).ok();
    req.extensions_mut().insert(Locale { tag, bundle });
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    if let Some(value) = content_language {
        headers.insert(CONTENT_LANGUAGE, value);
    }
    headers.append(VARY, HeaderValue::from_static("accept-language"));
    response
}

fn peers(router: Router) -> Result<Router, String> {
    let bundles = Arc::new(bundles()?);
    Ok(router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(ClientIpSource::RightmostXForwardedFor.into_extension())
            .layer(middleware::from_fn_with_state(bundles, peers_context)),
    ))
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let stack = args.next().unwrap_or_else(|| "full".to_owned());
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:3001".to_owned());
    let router = Router::new().route("/", get(hello));
    let router = match stack.as_str() {
        "bare" => router,
        "full" | "peers" => {
            let built = if stack == "full" {
                full(router)
            } else {
                peers(router)
            };
            match built {
                Ok(router) => router,
                Err(error) => {
                    eprintln!("error: {error}");
                    return ExitCode::from(2);
                }
            }
        }
        other => {
            eprintln!("error: unknown stack {other:?} (bare, full or peers)");
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
    .await;
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
