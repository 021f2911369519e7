//! Which `Forwarded` grammar to accept: [`ForwardedGrammar`].

use std::fmt;
use std::str::FromStr;

/// How strictly `Forwarded` (RFC 7239) elements are parsed.
///
/// Both grammars split each header line into elements from the right,
/// quote-aware, and report a malformed element on its own; they differ only
/// in what an unquoted value (a `for=`/`by=` node above all) and the space
/// around `=` may look like.
///
/// | Form | `lenient` (default) | `strict` |
/// |---|---|---|
/// | `for=192.0.2.1`, `for="192.0.2.1"` | yes | yes |
/// | `for=192.0.2.1:8080` (unquoted port) | yes | no: a `:` is not a token character |
/// | `for="[2001:db8::1]:443"` | yes | yes |
/// | `for=[2001:db8::1]`, `for=[2001:db8::1]:443` (unquoted brackets) | yes | no |
/// | `for=192.0.2.1:_abc`, `for=[2001:db8::1]:_abc` (unquoted obfuscated port) | yes, no port | no |
/// | `for=2001:db8::1`, `for="2001:db8::1"` (bare IPv6, whole value) | yes | no: RFC 7239 brackets IPv6 |
/// | `for=2001:db8::1:443` | yes: the address `2001:db8::1:443`, no port split off | no |
/// | `host=example.com:8443`, `host=[::1]:80` (unquoted) | yes | no |
/// | `for = 192.0.2.1`, `for= 192.0.2.1` | yes | no: whitespace around `=` |
/// | `for=192.0.2.1 ; proto=https` | yes | yes |
/// | duplicate parameters, unterminated quotes, mismatched brackets (`for=[2001:db8::1`, `for=2001:db8::1]`), zone ids, `[192.0.2.1]`, `for=2001:db8::1:_abc` | no | no |
///
/// The lenient forms are what real emitters write even though the RFC wants
/// them quoted: nginx with `proxy_set_header Forwarded "for=$remote_addr"`,
/// AWS API Gateway, and several Java and Go proxies. A strict parser collapses
/// every such IPv6 client onto the proxy's address. Nothing ambiguous is
/// accepted: a "port" is never stripped from an unbracketed IPv6 address.
///
/// ```
/// use crocodile_forwarded::ForwardedGrammar;
///
/// assert_eq!(ForwardedGrammar::default(), ForwardedGrammar::Lenient);
/// let strict: ForwardedGrammar = "strict".parse()?;
/// assert_eq!(strict.to_string(), "strict");
/// # Ok::<(), crocodile_forwarded::ParseGrammarError>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForwardedGrammar {
    /// Accept the unambiguous forms real proxies write (see the table).
    #[default]
    Lenient,
    /// RFC 7239 to the letter.
    Strict,
}

impl ForwardedGrammar {
    /// `"lenient"` or `"strict"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Lenient => "lenient",
            Self::Strict => "strict",
        }
    }
}

impl fmt::Display for ForwardedGrammar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A string that names no [`ForwardedGrammar`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseGrammarError {
    input: String,
}

impl fmt::Display for ParseGrammarError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown Forwarded grammar {:?} (expected `lenient` or `strict`)",
            self.input
        )
    }
}

impl std::error::Error for ParseGrammarError {}

impl FromStr for ForwardedGrammar {
    type Err = ParseGrammarError;

    /// `lenient` or `strict`, case-insensitive, surrounding whitespace ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("lenient") {
            Ok(Self::Lenient)
        } else if s.eq_ignore_ascii_case("strict") {
            Ok(Self::Strict)
        } else {
            Err(ParseGrammarError {
                input: s.to_owned(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip_and_bad_ones_are_named() {
        for grammar in [ForwardedGrammar::Lenient, ForwardedGrammar::Strict] {
            assert_eq!(grammar.to_string().parse::<ForwardedGrammar>(), Ok(grammar));
        }
        assert_eq!(" STRICT ".parse(), Ok(ForwardedGrammar::Strict));
        let error = "rfc".parse::<ForwardedGrammar>().unwrap_err();
        assert!(error.to_string().contains("\"rfc\""), "{error}");
    }
}
