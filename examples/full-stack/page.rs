//! The localized HTML page of `GET /`.

use std::fmt::Write as _;
use std::sync::Arc;

use crocodile::i18n::{FluentArgs, Localizer};

/// Renders the page in the request's locale; every text is escaped.
pub(crate) fn render(l10n: &Localizer, args: &FluentArgs<'_>) -> String {
    let catalog = l10n.catalog();
    let mut links = String::new();
    for other in catalog
        .locales()
        .filter_map(|tag| Localizer::new(Arc::clone(catalog), tag))
    {
        let _ = write!(
            links,
            r#"<li><a href="?lang={tag}" lang="{tag}" dir="{dir}">{name}</a></li>"#,
            tag = escape(other.tag()),
            dir = other.direction(),
            name = escape(&other.text("lang-name")),
        );
    }
    format!(
        r#"<!doctype html>
<html lang="{lang}" dir="{dir}">
<head><meta charset="utf-8"><title>{title}</title></head>
<body>
<h1>{title}</h1>
<p>{greeting}</p>
<p>{visits}</p>
<p><small>{source}</small> <a href="/context">/context</a></p>
<nav><h2>{language}</h2><ul>{links}</ul></nav>
</body>
</html>
"#,
        lang = escape(l10n.tag()),
        dir = l10n.direction(),
        title = escape(&l10n.text("page-title")),
        greeting = escape(&l10n.format("greeting", args)),
        visits = escape(&l10n.format("visits", args)),
        source = escape(&l10n.format("source", args)),
        language = escape(&l10n.text("language")),
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
