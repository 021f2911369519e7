//! The RFC 9110 pieces every reader shares: `tchar` and optional whitespace.
//!
//! One implementation of each for the whole workspace; the other crates call
//! these (they are public for them, and hidden from the docs).

/// `tchar` from RFC 9110 section 5.6.2: the bytes of a token.
///
/// ```
/// use crocodile_forwarded::is_tchar;
///
/// assert!(b"for".iter().all(|&b| is_tchar(b)));
/// assert!(!is_tchar(b'='));
/// ```
#[doc(hidden)]
#[inline]
pub fn is_tchar(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// `bytes` without the optional whitespace (space and horizontal tab, RFC
/// 9110 section 5.6.3) around it.
///
/// ```
/// use crocodile_forwarded::trim_ows;
///
/// assert_eq!(trim_ows(b" \t10.0.0.1 "), b"10.0.0.1");
/// ```
#[doc(hidden)]
#[inline]
pub fn trim_ows(bytes: &[u8]) -> &[u8] {
    let mut bytes = trim_start_ows(bytes);
    while let [rest @ .., b' ' | b'\t'] = bytes {
        bytes = rest;
    }
    bytes
}

/// `bytes` without the optional whitespace it starts with.
#[inline]
pub(crate) fn trim_start_ows(mut bytes: &[u8]) -> &[u8] {
    while let [b' ' | b'\t', rest @ ..] = bytes {
        bytes = rest;
    }
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tchar_is_the_rfc_9110_set() {
        let tchars: Vec<u8> = (0..=255u8).filter(|&b| is_tchar(b)).collect();
        let mut want: Vec<u8> = b"!#$%&'*+-.^_`|~".to_vec();
        want.extend(b'0'..=b'9');
        want.extend(b'A'..=b'Z');
        want.extend(b'a'..=b'z');
        want.sort_unstable();
        assert_eq!(tchars, want);
    }

    #[test]
    fn ows_is_space_and_tab_only() {
        // (input, trimmed, start trimmed)
        let cases: &[(&[u8], &[u8], &[u8])] = &[
            (b"", b"", b""),
            (b" \t ", b"", b""),
            (b" a b\t", b"a b", b"a b\t"),
            (b"\r\na\n", b"\r\na\n", b"\r\na\n"),
        ];
        for (input, trimmed, start) in cases {
            assert_eq!(trim_ows(input), *trimmed);
            assert_eq!(trim_start_ows(input), *start);
        }
    }
}
