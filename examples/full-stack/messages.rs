//! `GET /messages/{id}`: one catalog message formatted in the negotiated
//! locale, as plain text, with the query parameters as Fluent arguments.
//!
//! Everything in the query is untrusted, so it is bounded before Fluent sees
//! it: the raw query ([`MAX_QUERY`] bytes), the number of parameters
//! ([`MAX_PARAMS`]), each decoded name and value ([`MAX_PART`] bytes), and the
//! digits of a number ([`MAX_SIGNIFICANT`] significant, [`MAX_FRACTION`]
//! after the point). fluent-bundle panics computing the plural operands of a
//! decimal such as `1.000000000000000000001`, and reads `1e400`, `inf` or
//! `NaN` as numbers it cannot pluralize: here only a plain decimal
//! (`-?[0-9]+(\.[0-9]+)?`) is a number, and one with too many digits is a
//! 400 naming the parameter. Every other value is a string.

use axum::extract::Path;
use axum::response::{IntoResponse, Response};
use crocodile::i18n::{FluentArgs, FluentValue, FormatError, Localizer};
use http::{HeaderValue, StatusCode, Uri};

/// The longest raw (still percent-encoded) query accepted, in bytes.
pub(crate) const MAX_QUERY: usize = 2048;
/// The most query parameters accepted.
pub(crate) const MAX_PARAMS: usize = 16;
/// The longest message id, and decoded parameter name or value, in bytes.
pub(crate) const MAX_PART: usize = 256;
/// The most significant digits of a number argument (what an `f64` holds).
pub(crate) const MAX_SIGNIFICANT: usize = 15;
/// The most digits after the point of a number argument.
pub(crate) const MAX_FRACTION: usize = 6;

/// The header that counts Fluent's errors when the answer is its best effort.
pub(crate) const FLUENT_ERRORS: &str = "x-fluent-errors";

/// `GET /messages/{id}`: 200 with the message exactly as the catalog formats
/// it (`text/plain; charset=utf-8`), 404 naming the id when neither the
/// locale nor its fallbacks have it, 400 with the reason for a query outside
/// the bounds. A message that Fluent formats with errors (a variable missing
/// from the query) is still 200 with Fluent's lenient text (`{$name}` in
/// place of the variable), and `X-Fluent-Errors` counts the errors.
pub(crate) async fn message(Path(id): Path<String>, uri: Uri, l10n: Localizer) -> Response {
    if id.len() > MAX_PART {
        return bad_request(format!(
            "message id is {} bytes, more than {MAX_PART}",
            id.len()
        ));
    }
    let params = match parse_query(uri.query().unwrap_or_default()) {
        Ok(params) => params,
        Err(reason) => return bad_request(reason),
    };
    let args = match arguments(&params) {
        Ok(args) => args,
        Err(reason) => return bad_request(reason),
    };
    match l10n.try_format(&id, Some(&args)) {
        Ok(text) => text.into_owned().into_response(),
        Err(FormatError::MissingMessage { .. }) => {
            tracing::debug!(id, locale = l10n.tag(), "unknown message id");
            (StatusCode::NOT_FOUND, format!("unknown message id {id:?}")).into_response()
        }
        Err(error) => {
            let count = match &error {
                FormatError::Fluent { errors, .. } => errors.len(),
                _ => 1,
            };
            tracing::debug!(%error, "message formatted with Fluent errors");
            // Fluent's best effort, as the catalog formats it for a page.
            let text = l10n.format(&id, &args).into_owned();
            let mut response = text.into_response();
            response
                .headers_mut()
                .insert(FLUENT_ERRORS, HeaderValue::from(count));
            response
        }
    }
}

/// A 400 with the reason as plain text.
fn bad_request(reason: String) -> Response {
    tracing::debug!(%reason, "bad /messages request");
    (StatusCode::BAD_REQUEST, reason).into_response()
}

/// The query's `name=value` pairs, decoded (`%XX` escapes, `+` for a space),
/// within the bounds. Empty pairs (`a=1&&b=2`) are skipped; a pair without
/// `=` has an empty value.
///
/// # Errors
/// The reason, naming the parameter by position (and by name once decoded):
/// a query, name or value too long, too many parameters, an empty or
/// repeated name, a malformed escape, or escapes that are not UTF-8.
pub(crate) fn parse_query(query: &str) -> Result<Vec<(String, String)>, String> {
    if query.len() > MAX_QUERY {
        return Err(format!(
            "query is {} bytes, more than {MAX_QUERY}",
            query.len()
        ));
    }
    let mut params: Vec<(String, String)> = Vec::new();
    for pair in query.split('&').filter(|pair| !pair.is_empty()) {
        let position = params.len() + 1;
        if position > MAX_PARAMS {
            return Err(format!("more than {MAX_PARAMS} query parameters"));
        }
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = decode(name).map_err(|why| format!("query parameter {position}: name {why}"))?;
        let value =
            decode(value).map_err(|why| format!("query parameter {position}: value {why}"))?;
        if name.is_empty() {
            return Err(format!("query parameter {position}: empty name"));
        }
        if name.len() > MAX_PART {
            return Err(format!(
                "query parameter {position}: name is {} bytes, more than {MAX_PART}",
                name.len()
            ));
        }
        if value.len() > MAX_PART {
            return Err(format!(
                "query parameter {name:?}: value is {} bytes, more than {MAX_PART}",
                value.len()
            ));
        }
        if params.iter().any(|(seen, _)| *seen == name) {
            return Err(format!("query parameter {name:?} is repeated"));
        }
        params.push((name, value));
    }
    Ok(params)
}

/// The Fluent arguments: a plain decimal within the digit bounds is a
/// number, any other value a string.
///
/// # Errors
/// A plain decimal with more than [`MAX_SIGNIFICANT`] significant digits or
/// [`MAX_FRACTION`] digits after the point, naming the parameter.
pub(crate) fn arguments(params: &[(String, String)]) -> Result<FluentArgs<'_>, String> {
    let mut args = FluentArgs::with_capacity(params.len());
    for (name, value) in params {
        let value = match decimal_digits(value) {
            None => FluentValue::from(value.as_str()),
            Some((significant, _)) if significant > MAX_SIGNIFICANT => {
                return Err(format!(
                    "query parameter {name:?}: number has {significant} significant digits, more than {MAX_SIGNIFICANT}"
                ));
            }
            Some((_, fraction)) if fraction > MAX_FRACTION => {
                return Err(format!(
                    "query parameter {name:?}: number has {fraction} digits after the point, more than {MAX_FRACTION}"
                ));
            }
            // Fluent's own parse: `1.50` keeps its two fraction digits.
            Some(_) => FluentValue::try_number(value.as_str()),
        };
        args.set(name.as_str(), value);
    }
    Ok(args)
}

/// For a plain decimal (`-?[0-9]+(\.[0-9]+)?`), its significant digits (from
/// the first non-zero one to the end) and its digits after the point;
/// `None` for anything else (`+1`, `1.`, `.5`, `1e5`, `inf`, `NaN`, ...).
pub(crate) fn decimal_digits(value: &str) -> Option<(usize, usize)> {
    let unsigned = value.strip_prefix('-').unwrap_or(value);
    let (integer, fraction) = match unsigned.split_once('.') {
        Some((integer, fraction)) => (integer, fraction),
        None => (unsigned, ""),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(integer) || (unsigned.contains('.') && !all_digits(fraction)) {
        return None;
    }
    let digits = integer.len() + fraction.len();
    let leading_zeros = integer
        .bytes()
        .chain(fraction.bytes())
        .take_while(|&b| b == b'0')
        .count();
    Some((digits - leading_zeros, fraction.len()))
}

/// Percent-decodes `part` (`+` is a space, as in HTML forms) into UTF-8.
///
/// # Errors
/// `"has a malformed escape"` (a `%` not followed by two hex digits) or
/// `"is not UTF-8"`.
fn decode(part: &str) -> Result<String, &'static str> {
    let bytes = part.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&byte) = bytes.get(i) {
        match byte {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = |at: usize| bytes.get(at).copied().and_then(hex_digit);
                let (Some(high), Some(low)) = (hex(i + 1), hex(i + 2)) else {
                    return Err("has a malformed escape");
                };
                out.push(high << 4 | low);
                i += 2;
            }
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8(out).map_err(|_| "is not UTF-8")
}

/// The value of one hex digit.
fn hex_digit(byte: u8) -> Option<u8> {
    match byte {
        b'0'..=b'9' => Some(byte - b'0'),
        b'a'..=b'f' => Some(byte - b'a' + 10),
        b'A'..=b'F' => Some(byte - b'A' + 10),
        _ => None,
    }
}
