//! The `peers` stack: the same three jobs done with other crates.
//!
//! tower-http's `SetRequestIdLayer` + `PropagateRequestIdLayer` with
//! `MakeRequestUuid` (an `x-request-id` made per request and echoed on the
//! response; with `uuid`'s default features that is one `getrandom` system
//! call per id), `axum-client-ip`'s `ClientIpSource::RightmostXForwardedFor`
//! extension, and a hand-rolled `middleware::from_fn_with_state` that
//! extracts the `ClientIp` once (as `full` works out the address on every
//! request) and inserts it, picks a locale with `accept_language::intersection`
//! against the catalogs' locales (default `en`), inserts the chosen tag and
//! an `Arc` of its prebuilt `fluent_bundle::concurrent::FluentBundle` (built
//! at start-up from the same `examples/locales`), and sets `Content-Language`
//! and `Vary: Accept-Language` (as `full` sets both).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::HeaderValue;
use axum::http::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, VARY};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum_client_ip::{ClientIp, ClientIpSource};
use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

use crate::LOCALES_DIR;

/// The locales of `examples/locales`, the first the default (the `peers`
/// stack's list; `full` reads the directory).
const LOCALES: [&str; 5] = ["en", "ar", "de", "fr", "zh-Hans"];

/// A concurrent Fluent bundle, shared by every request of its locale.
pub(crate) type Bundle = FluentBundle<FluentResource>;

/// What the `peers` stack inserts per request: the chosen tag and its bundle.
#[derive(Clone)]
pub(crate) struct Locale {
    #[allow(dead_code)] // Inserted as a real stack would; no handler reads it.
    pub(crate) tag: String,
    pub(crate) bundle: Arc<Bundle>,
}

/// One bundle per locale from its `.ftl` files, built once at start-up.
fn bundles() -> Result<HashMap<String, Arc<Bundle>>, String> {
    let mut bundles = HashMap::new();
    for tag in LOCALES {
        let mut bundle = FluentBundle::new_concurrent(vec![
            tag.parse().map_err(|e| format!("locale {tag}: {e}"))?,
        ]);
        let dir = format!("{LOCALES_DIR}/{tag}");
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

/// `router` behind the peers' stack.
pub(crate) fn peers(router: Router) -> Result<Router, String> {
    let bundles = Arc::new(bundles()?);
    Ok(router.layer(
        ServiceBuilder::new()
            .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
            .layer(PropagateRequestIdLayer::x_request_id())
            .layer(ClientIpSource::RightmostXForwardedFor.into_extension())
            .layer(middleware::from_fn_with_state(bundles, peers_context)),
    ))
}

/// The message handler's job with the peers' bundle: one Fluent message
/// formatted in the request's locale.
pub(crate) fn format(locale: &Locale, id: &str) -> String {
    let Some(pattern) = locale.bundle.get_message(id).and_then(|m| m.value()) else {
        return id.to_owned();
    };
    let mut errors = Vec::new();
    locale
        .bundle
        .format_pattern(pattern, None, &mut errors)
        .into_owned()
}
