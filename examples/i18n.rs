//! Run with: cargo run --example i18n
//!
//! A small localized page served by `crocodile-i18n` alone: the catalog in
//! `examples/locales/` (or `CROCODILE_LOCALES`), negotiated per request from
//! `?lang=`, the `lang` cookie and `Accept-Language`. Try:
//!
//! ```text
//! curl -H 'Accept-Language: fr-CA, en;q=0.5' http://127.0.0.1:3000/
//! curl -i 'http://127.0.0.1:3000/?lang=ar'     # sets the cookie
//! ```
//!
//! A catalog with errors stops the process before it binds, printing every
//! error as `<path>:<line>:<column>: <message>`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::Router;
use axum::extract::ConnectInfo;
use axum::response::Html;
use axum::routing::get;
use crocodile_i18n::{Catalog, FluentArgs, I18nLayer, Localizer};
use tracing_subscriber::EnvFilter;

static VIEWS: AtomicU64 = AtomicU64::new(0);

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();

    let dir = std::env::var("CROCODILE_LOCALES")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/examples/locales").to_owned());
    let default = std::env::var("CROCODILE_DEFAULT_LOCALE").unwrap_or_else(|_| "en".to_owned());
    let catalog = match Catalog::builder().default_locale(default).dir(&dir).build() {
        Ok(catalog) => Arc::new(catalog),
        Err(error) => {
            eprintln!("the catalog in {dir} has errors:\n{error}");
            std::process::exit(1);
        }
    };
    for missing in catalog.missing_messages() {
        tracing::warn!("{missing}");
    }

    let app = Router::new()
        .route("/", get(page))
        .layer(I18nLayer::new(catalog));

    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000")
        .await
        .unwrap();
    println!("listening on http://{}", listener.local_addr().unwrap());
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .await
    .unwrap();
}

async fn page(l10n: Localizer, ConnectInfo(peer): ConnectInfo<SocketAddr>) -> Html<String> {
    let views = VIEWS.fetch_add(1, Ordering::Relaxed) + 1;
    let mut args = FluentArgs::new();
    args.set("ip", peer.ip().to_string());
    args.set("count", views);
    args.set("source", l10n.source().as_str());

    // One link per catalog locale, each named in its own language.
    let catalog = l10n.catalog();
    let links: String = catalog
        .locales()
        .filter_map(|tag| Localizer::new(Arc::clone(catalog), tag))
        .map(|other| {
            format!(
                r#"<li><a href="?lang={tag}" lang="{tag}" dir="{dir}">{name}</a></li>"#,
                tag = other.tag(),
                dir = other.direction(),
                name = escape(&other.text("lang-name")),
            )
        })
        .collect();

    Html(format!(
        r#"<!doctype html>
<html lang="{lang}" dir="{dir}">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
<p>{greeting}</p>
<p>{visits}</p>
<p><small>{source}</small></p>
<nav><h2>{language}</h2><ul>{links}</ul></nav>
</body>
</html>
"#,
        lang = l10n.tag(),
        dir = l10n.direction(),
        title = escape(&l10n.text("page-title")),
        greeting = escape(&l10n.format("greeting", &args)),
        visits = escape(&l10n.format("visits", &args)),
        source = escape(&l10n.format("source", &args)),
        language = escape(&l10n.text("language")),
    ))
}

/// Minimal HTML escaping for text content and attribute values.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
