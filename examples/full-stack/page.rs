//! The localized HTML page of `GET /`.

use std::fmt::Write as _;
use std::sync::Arc;

use crocodile::base_context::BaseContext;
use crocodile::i18n::prefix::Alternates;
use crocodile::i18n::{FluentArgs, Localizer};

/// Renders the page in the request's locale; every text is escaped.
///
/// With locale prefixes (`alternates` is there) the head links every
/// locale's URL with `hreflang` (and `x-default`), absolute, and the
/// language switcher links to the same URLs; without, the switcher sets
/// `?lang=` (the layer keeps the choice in a cookie).
pub(crate) fn render(
    l10n: &Localizer,
    args: &FluentArgs<'_>,
    ctx: &BaseContext,
    alternates: Option<&Alternates>,
) -> String {
    let catalog = l10n.catalog();
    let origin = super::locale_prefix::origin(ctx);
    let mut head_links = String::new();
    let mut hrefs = Vec::new();
    if let Some(alternates) = alternates {
        for alternate in alternates.absolute(&origin) {
            let _ = write!(
                head_links,
                "\n<link rel=\"alternate\" hreflang=\"{}\" href=\"{}\">",
                escape(alternate.hreflang),
                escape(&alternate.href),
            );
            hrefs.push(alternate);
        }
    }
    let mut links = String::new();
    for other in catalog
        .locales()
        .filter_map(|tag| Localizer::new(Arc::clone(catalog), tag))
    {
        let href = hrefs
            .iter()
            .find(|a| a.hreflang == other.tag())
            .map_or_else(|| format!("?lang={}", other.tag()), |a| a.href.clone());
        let _ = write!(
            links,
            r#"<li><a href="{href}" hreflang="{tag}" lang="{tag}" dir="{dir}">{name}</a></li>"#,
            href = escape(&href),
            tag = escape(other.tag()),
            dir = other.direction(),
            name = escape(&other.text("lang-name")),
        );
    }
    // `/context` in the page's locale: under its prefix when it has one.
    let context_path = match alternates.and_then(Alternates::locale) {
        Some(tag) => format!("/{tag}/context"),
        None => "/context".to_owned(),
    };
    format!(
        r#"<!doctype html>
<html lang="{lang}" dir="{dir}">
<head><meta charset="utf-8"><title>{title}</title>{head_links}</head>
<body>
<h1>{title}</h1>
<p>{greeting}</p>
<p>{visits}</p>
<p id="numbers">{numbers}</p>
<p><small>{source}</small></p>
<dl>
<dt>request id</dt><dd><code>{request_id}</code></dd>
<dt>home</dt><dd><a href="{home_url}">{home_url}</a></dd>
<dt>scheme, host, port</dt><dd>{scheme}, {host}, {port}</dd>
<dt>received</dt><dd>{received_at}</dd>
</dl>
<p><a href="{context_url}">{context_path}</a></p>
<nav><h2>{language}</h2><ul>{links}</ul></nav>
</body>
</html>
"#,
        lang = escape(l10n.tag()),
        dir = l10n.direction(),
        title = escape(&l10n.text("page-title")),
        greeting = escape(&l10n.format("greeting", args)),
        visits = escape(&l10n.format("visits", args)),
        numbers = escape(&l10n.format("numbers", args)),
        source = escape(&l10n.format("source", args)),
        language = escape(&l10n.text("language")),
        request_id = escape(ctx.request_id().as_str()),
        home_url = escape(&ctx.home_url()),
        scheme = ctx.scheme(),
        host = escape(ctx.host()),
        port = ctx.port(),
        received_at = ctx.received_at_rfc3339(),
        context_url = escape(&ctx.url_for(&context_path)),
        context_path = escape(&context_path),
    )
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
