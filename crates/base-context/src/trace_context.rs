//! W3C Trace Context: `traceparent` parsed without allocating, `tracestate`
//! kept opaque and bounded, and this request's own span id.
//!
//! # Example
//!
//! ```
//! use crocodile_base_context::{TraceContext, Traceparent};
//!
//! let incoming = Traceparent::parse(b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")?;
//! assert_eq!(incoming.trace_id().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
//! assert!(incoming.sampled());
//!
//! // This request's context: same trace, a fresh span id of its own.
//! let ctx = TraceContext::child_of(&incoming);
//! assert_eq!(ctx.trace_id(), incoming.trace_id());
//! assert_eq!(ctx.parent_span_id(), Some(incoming.parent_id()));
//! let outgoing = ctx.traceparent();
//! assert!(outgoing.as_str().starts_with("00-4bf92f3577b34da6a3ce929d0e0e4736-"));
//! assert!(outgoing.as_str().ends_with("-01"));
//! assert_eq!(&outgoing.as_str()[36..52], ctx.span_id().to_string());
//!
//! // Uppercase hex is not valid (section 3.2.2.3).
//! assert!(Traceparent::parse(b"00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01").is_err());
//! # Ok::<_, crocodile_base_context::InvalidTraceparent>(())
//! ```

use std::fmt;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::SystemTime;

use http::{HeaderMap, HeaderValue};

/// The `traceparent` header name.
pub const TRACEPARENT: http::HeaderName = http::HeaderName::from_static("traceparent");
/// The `tracestate` header name.
pub const TRACESTATE: http::HeaderName = http::HeaderName::from_static("tracestate");

/// The longest `tracestate` kept, in bytes (W3C Trace Context section
/// 3.3.1.5: vendors propagate at least 512 characters); a longer one is
/// dropped whole.
pub const MAX_TRACESTATE_LEN: usize = 512;
/// The most `tracestate` list members kept (section 3.3.1.1: at most 32); more
/// and it is dropped whole.
pub const MAX_TRACESTATE_MEMBERS: usize = 32;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Text of a fixed length held inline: a hex id or an outgoing
/// `traceparent`. [`as_str`](Self::as_str), [`Display`](fmt::Display),
/// [`to_header_value`](Self::to_header_value).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct FixedStr<const N: usize>([u8; N]);

impl<const N: usize> FixedStr<N> {
    /// The text.
    pub fn as_str(&self) -> &str {
        // Only ever built from ASCII hex digits and `-`.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    /// The text as a header value (copies it).
    pub fn to_header_value(&self) -> HeaderValue {
        HeaderValue::from_bytes(&self.0).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
    }
}

impl<const N: usize> fmt::Display for FixedStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<const N: usize> fmt::Debug for FixedStr<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl<const N: usize> PartialEq<str> for FixedStr<N> {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl<const N: usize> PartialEq<&str> for FixedStr<N> {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl<const N: usize> AsRef<str> for FixedStr<N> {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

fn hex_into(bytes: &[u8], out: &mut [u8]) {
    for (i, b) in bytes.iter().enumerate() {
        out[2 * i] = HEX[usize::from(b >> 4)];
        out[2 * i + 1] = HEX[usize::from(b & 15)];
    }
}

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident, $len:literal, $hex:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash)]
        pub struct $name([u8; $len]);

        impl $name {
            /// The id from its bytes; `None` when they are all zero (not a
            /// valid id).
            pub fn from_bytes(bytes: [u8; $len]) -> Option<Self> {
                (bytes != [0; $len]).then_some(Self(bytes))
            }

            /// The id's bytes.
            pub fn to_bytes(self) -> [u8; $len] {
                self.0
            }

            /// The id as lowercase hex, inline.
            pub fn to_hex(self) -> FixedStr<$hex> {
                let mut out = [0u8; $hex];
                hex_into(&self.0, &mut out);
                FixedStr(out)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.to_hex().as_str())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_tuple(stringify!($name)).field(&self.to_hex().as_str()).finish()
            }
        }
    };
}

id_type!(
    /// A 16-byte trace id, never all zero; displays as 32 lowercase hex
    /// digits.
    TraceId,
    16,
    32
);
id_type!(
    /// An 8-byte span id (a `traceparent`'s parent-id), never all zero;
    /// displays as 16 lowercase hex digits.
    SpanId,
    8,
    16
);

/// Why a `traceparent` value was not believed: what the debug line says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidTraceparent {
    /// Not 55 bytes (version `00`), or shorter than 55 (a later version).
    Length,
    /// The version is not two lowercase hex digits, or is `ff`.
    Version,
    /// A `-` is missing where one belongs.
    Separator,
    /// The trace-id is not 32 lowercase hex digits.
    TraceId,
    /// The trace-id is all zero.
    ZeroTraceId,
    /// The parent-id is not 16 lowercase hex digits.
    ParentId,
    /// The parent-id is all zero.
    ZeroParentId,
    /// The trace-flags are not two lowercase hex digits.
    Flags,
    /// More than one `traceparent` header.
    Repeated,
}

impl InvalidTraceparent {
    /// A short kebab-case code, for logs: `zero-trace-id`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Length => "length",
            Self::Version => "version",
            Self::Separator => "separator",
            Self::TraceId => "trace-id",
            Self::ZeroTraceId => "zero-trace-id",
            Self::ParentId => "parent-id",
            Self::ZeroParentId => "zero-parent-id",
            Self::Flags => "flags",
            Self::Repeated => "repeated",
        }
    }
}

impl fmt::Display for InvalidTraceparent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid traceparent: {}", self.code())
    }
}

impl std::error::Error for InvalidTraceparent {}

/// A parsed incoming `traceparent` (W3C Trace Context level 1, section
/// 3.2): version, trace-id, parent-id and trace-flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traceparent {
    version: u8,
    trace_id: TraceId,
    parent_id: SpanId,
    flags: u8,
}

/// Decodes lowercase hex (section 3.2.2: `HEXDIGLC`); `None` on anything else.
fn lower_hex<const N: usize>(text: &[u8]) -> Option<[u8; N]> {
    fn digit(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        }
    }
    if text.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (slot, pair) in out.iter_mut().zip(text.chunks_exact(2)) {
        *slot = (digit(pair[0])? << 4) | digit(pair[1])?;
    }
    Some(out)
}

impl Traceparent {
    /// Parses a `traceparent` value, allocating nothing.
    ///
    /// Version `00`: exactly `00-<32 hex>-<16 hex>-<2 hex>`, lowercase, ids
    /// not all zero (sections 3.2.2.1 to 3.2.2.5). Version `ff` is invalid
    /// (3.2.2.1). A later version is read as section 3.2.4 says: the same
    /// first four fields, then either the end or a `-` and whatever that
    /// version adds (ignored).
    pub fn parse(value: &[u8]) -> Result<Self, InvalidTraceparent> {
        use InvalidTraceparent as E;
        if value.len() < 55 {
            return Err(E::Length);
        }
        let version = lower_hex::<1>(&value[0..2]).ok_or(E::Version)?[0];
        if version == 0xff {
            return Err(E::Version);
        }
        if version == 0 && value.len() != 55 {
            return Err(E::Length);
        }
        if value[2] != b'-' || value[35] != b'-' || value[52] != b'-' {
            return Err(E::Separator);
        }
        if value.len() > 55 && value[55] != b'-' {
            return Err(E::Separator);
        }
        let trace_id = lower_hex::<16>(&value[3..35]).ok_or(E::TraceId)?;
        let trace_id = TraceId::from_bytes(trace_id).ok_or(E::ZeroTraceId)?;
        let parent_id = lower_hex::<8>(&value[36..52]).ok_or(E::ParentId)?;
        let parent_id = SpanId::from_bytes(parent_id).ok_or(E::ZeroParentId)?;
        let flags = lower_hex::<1>(&value[53..55]).ok_or(E::Flags)?[0];
        Ok(Self {
            version,
            trace_id,
            parent_id,
            flags,
        })
    }

    /// The version (`0` for `00`).
    pub fn version(&self) -> u8 {
        self.version
    }

    /// The trace-id.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The parent-id: the caller's span.
    pub fn parent_id(&self) -> SpanId {
        self.parent_id
    }

    /// The trace-flags as sent (all eight bits).
    pub fn flags(&self) -> u8 {
        self.flags
    }

    /// Whether the caller sampled the trace (bit 0 of the flags, section
    /// 3.2.2.5.1).
    pub fn sampled(&self) -> bool {
        self.flags & 1 == 1
    }
}

/// One request's trace context: the trace it belongs to, the caller's span
/// (when a trusted caller named one), the sampled flag, and this request's
/// own fresh span id. `Copy`, 34 bytes, no heap.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceContext {
    trace_id: TraceId,
    parent_span_id: Option<SpanId>,
    span_id: SpanId,
    sampled: bool,
}

impl TraceContext {
    /// A new trace: random trace id and span id, no parent.
    pub fn new_root(sampled: bool) -> Self {
        let (trace_id, span_id) = ids::new_trace();
        Self {
            trace_id,
            parent_span_id: None,
            span_id,
            sampled,
        }
    }

    /// This request inside the caller's trace: same trace id and sampled
    /// flag, the caller's parent-id as the parent, a new span id.
    pub fn child_of(parent: &Traceparent) -> Self {
        Self {
            trace_id: parent.trace_id,
            parent_span_id: Some(parent.parent_id),
            span_id: ids::new_span(),
            sampled: parent.sampled(),
        }
    }

    /// The trace id.
    pub fn trace_id(&self) -> TraceId {
        self.trace_id
    }

    /// The trace id as 32 lowercase hex digits, inline.
    pub fn trace_id_hex(&self) -> FixedStr<32> {
        self.trace_id.to_hex()
    }

    /// The incoming parent-id (the caller's span), when a trusted caller
    /// sent a valid `traceparent`.
    pub fn parent_span_id(&self) -> Option<SpanId> {
        self.parent_span_id
    }

    /// This request's own span id: the parent-id of its outgoing calls.
    pub fn span_id(&self) -> SpanId {
        self.span_id
    }

    /// Whether the trace is sampled.
    pub fn sampled(&self) -> bool {
        self.sampled
    }

    /// The trace-flags this request sends: the sampled bit only (section
    /// 3.2.2.5.2: flags a version-00 implementation does not know are sent as
    /// zero).
    pub fn flags(&self) -> u8 {
        u8::from(self.sampled)
    }

    /// The `traceparent` for this request's outgoing calls:
    /// `00-<trace id>-<this request's span id>-<flags>`, 55 bytes inline.
    pub fn traceparent(&self) -> FixedStr<55> {
        let mut out = [b'-'; 55];
        out[0] = b'0';
        out[1] = b'0';
        hex_into(&self.trace_id.0, &mut out[3..35]);
        hex_into(&self.span_id.0, &mut out[36..52]);
        hex_into(&[self.flags()], &mut out[53..55]);
        FixedStr(out)
    }
}

/// Reads a trusted caller's `traceparent` from `headers`: `Ok(None)` when
/// there is none, the reason when it is not valid. A repeated header is not
/// believed (the W3C test suite's "duplicated traceparent" case).
pub(crate) fn incoming_traceparent(
    headers: &HeaderMap,
) -> Result<Option<Traceparent>, InvalidTraceparent> {
    let mut lines = headers.get_all(TRACEPARENT).iter();
    match (lines.next(), lines.next()) {
        (None, _) => Ok(None),
        (Some(_), Some(_)) => Err(InvalidTraceparent::Repeated),
        (Some(line), None) => Traceparent::parse(line.as_bytes()).map(Some),
    }
}

/// Why a `tracestate` was dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DroppedTracestate {
    TooLong,
    TooManyMembers,
    NotText,
}

impl DroppedTracestate {
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::TooLong => "too-long",
            Self::TooManyMembers => "too-many-members",
            Self::NotText => "not-text",
        }
    }
}

/// A trusted caller's `tracestate`, kept opaque: several header lines are
/// joined with `,` (section 3.3.1: they are one list; joining copies them
/// once); dropped whole when longer than [`MAX_TRACESTATE_LEN`] bytes, with
/// more than [`MAX_TRACESTATE_MEMBERS`] non-empty members, or holding bytes
/// other than visible ASCII, space and tab. An empty value counts as none.
pub(crate) fn incoming_tracestate(
    headers: &HeaderMap,
) -> Result<Option<HeaderValue>, DroppedTracestate> {
    let mut lines = headers.get_all(TRACESTATE).iter();
    let Some(first) = lines.next() else {
        return Ok(None);
    };
    let value = match lines.next() {
        None => first.clone(),
        Some(second) => {
            let mut joined = Vec::with_capacity(first.len() + second.len() + 1);
            for line in [first, second].into_iter().chain(lines) {
                if joined.len() + line.len() > MAX_TRACESTATE_LEN + 1 {
                    return Err(DroppedTracestate::TooLong);
                }
                if !joined.is_empty() {
                    joined.push(b',');
                }
                joined.extend_from_slice(line.as_bytes());
            }
            HeaderValue::from_bytes(&joined).map_err(|_| DroppedTracestate::NotText)?
        }
    };
    check_tracestate(value.as_bytes())?;
    Ok((!value
        .as_bytes()
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b',')))
    .then_some(value))
}

fn check_tracestate(bytes: &[u8]) -> Result<(), DroppedTracestate> {
    if bytes.len() > MAX_TRACESTATE_LEN {
        return Err(DroppedTracestate::TooLong);
    }
    if !bytes
        .iter()
        .all(|&b| b == b'\t' || (b' '..=b'~').contains(&b))
    {
        return Err(DroppedTracestate::NotText);
    }
    // Empty members (`a=1,,b=2`, OWS only) are allowed and do not count
    // (section 3.3.1.1).
    let members = bytes
        .split(|&b| b == b',')
        .filter(|member| member.iter().any(|&b| b != b' ' && b != b'\t'))
        .count();
    if members > MAX_TRACESTATE_MEMBERS {
        return Err(DroppedTracestate::TooManyMembers);
    }
    Ok(())
}

/// Random ids, the way `request_id.rs` makes its ULIDs' tail: a counter that
/// never repeats within the process, mixed with per-process keys that std's
/// `RandomState` draws from the operating system. Each 64-bit part is a
/// bijection of the counter, so ids never repeat within a process; across
/// processes they collide only if the keys do. Not secrets, not tokens.
mod ids {
    use super::{AtomicU64, BuildHasher, OnceLock, Ordering, SpanId, SystemTime, TraceId};

    static COUNTER: AtomicU64 = AtomicU64::new(0);

    fn keys() -> &'static [u64; 3] {
        static KEYS: OnceLock<[u64; 3]> = OnceLock::new();
        KEYS.get_or_init(|| {
            let state = std::collections::hash_map::RandomState::new();
            let seed = (std::process::id(), SystemTime::now());
            [0u8, 1, 2].map(|i| state.hash_one((seed, i)))
        })
    }

    /// The splitmix64 finalizer (as in `request_id.rs`): a bijection.
    fn mix(mut z: u64) -> u64 {
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn next() -> u64 {
        COUNTER.fetch_add(1, Ordering::Relaxed)
    }

    pub(super) fn new_trace() -> (TraceId, SpanId) {
        let [a, b, c] = *keys();
        loop {
            let n = next();
            let mut trace = [0u8; 16];
            trace[..8].copy_from_slice(&mix(n ^ a).to_be_bytes());
            trace[8..].copy_from_slice(&mix(n ^ b).to_be_bytes());
            // All zero has probability 2^-64 per part: draw again.
            if let (Some(trace), Some(span)) = (
                TraceId::from_bytes(trace),
                SpanId::from_bytes(mix(n ^ c).to_be_bytes()),
            ) {
                return (trace, span);
            }
        }
    }

    pub(super) fn new_span() -> SpanId {
        let c = keys()[2];
        loop {
            if let Some(span) = SpanId::from_bytes(mix(next() ^ c).to_be_bytes()) {
                return span;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    const VALID: &str = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    #[test]
    fn traceparent_table() {
        use InvalidTraceparent as E;
        let long_future = format!(
            "cc-{}-00f067aa0ba902b7-01-what-the-future-holds",
            &VALID[3..35]
        );
        // (value, expected: Ok((version, sampled)) or the reason). Sections
        // are W3C Trace Context level 1's; the categories follow its test
        // suite (test/test.py: traceparent version, trace-id, parent-id,
        // trace-flags, ows, future version).
        let cases: &[(&str, Result<(u8, bool), E>)] = &[
            // 3.2.3 Examples: the spec's own example, sampled and not.
            (VALID, Ok((0, true))),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
                Ok((0, false)),
            ),
            // 3.2.2.5: flags are a bit field; 0x09 has the sampled bit.
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09",
                Ok((0, true)),
            ),
            // 3.2.2.1 version: two lowercase hex digits, `ff` invalid.
            (
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Err(E::Version),
            ),
            (
                "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Err(E::Version),
            ),
            (
                "0A-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Err(E::Version),
            ),
            // 3.2.4 Versioning: a later version with the same four fields
            // and nothing more, or `-` and more, is read.
            (
                "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Ok((0xcc, true)),
            ),
            (&long_future, Ok((0xcc, true))),
            // 3.2.4: after the flags, a later version needs a `-`.
            (
                "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.what",
                Err(E::Separator),
            ),
            // 3.2.4: a later version is still at least 55 bytes.
            (
                "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
                Err(E::Length),
            ),
            // 3.2.2 and 3.2.4: version 00 has exactly four fields.
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
                Err(E::Length),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-",
                Err(E::Length),
            ),
            // 3.2.2.3 trace-id: 32 lowercase hex digits, not all zero.
            (
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
                Err(E::TraceId),
            ),
            (
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
                Err(E::ZeroTraceId),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e473-000f067aa0ba902b7-01",
                Err(E::Separator),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e47z6-00f067aa0ba902b7-01",
                Err(E::TraceId),
            ),
            // 3.2.2.4 parent-id: 16 lowercase hex digits, not all zero.
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",
                Err(E::ParentId),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
                Err(E::ZeroParentId),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-701",
                Err(E::Separator),
            ),
            // 3.2.2.5 trace-flags: two lowercase hex digits.
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0A",
                Err(E::Flags),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0x",
                Err(E::Flags),
            ),
            // 3.2.2 lengths: too short, too long.
            ("", Err(E::Length)),
            ("00", Err(E::Length)),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
                Err(E::Length),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-011",
                Err(E::Length),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e47360-0f067aa0ba902b7-01",
                Err(E::Separator),
            ),
            // 3.2.2 separators: `-` only, no spaces (test suite: ows inside).
            (
                "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
                Err(E::Separator),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736 00f067aa0ba902b7-01",
                Err(E::Separator),
            ),
            (
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7 01",
                Err(E::Separator),
            ),
            (
                " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                Err(E::Version),
            ),
        ];
        for (value, want) in cases {
            let got = Traceparent::parse(value.as_bytes()).map(|tp| (tp.version(), tp.sampled()));
            assert_eq!(got, *want, "{value:?}");
        }
        // Non-ASCII never panics (slicing is by byte).
        for value in ["00-é", "é".repeat(40).as_str(), &"\u{1F600}".repeat(14)] {
            assert!(Traceparent::parse(value.as_bytes()).is_err(), "{value:?}");
        }
    }

    #[test]
    fn parsed_fields_and_outgoing_value() {
        let tp = Traceparent::parse(VALID.as_bytes()).unwrap();
        assert_eq!(
            tp.trace_id().to_string(),
            "4bf92f3577b34da6a3ce929d0e0e4736"
        );
        assert_eq!(tp.parent_id().to_string(), "00f067aa0ba902b7");
        assert_eq!(tp.flags(), 1);
        let ctx = TraceContext::child_of(&tp);
        assert_eq!(ctx.trace_id_hex(), "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_ne!(ctx.span_id(), tp.parent_id());
        let out = ctx.traceparent();
        let again = Traceparent::parse(out.as_str().as_bytes()).unwrap();
        assert_eq!(again.trace_id(), tp.trace_id());
        assert_eq!(again.parent_id(), ctx.span_id());
        assert_eq!(again.flags(), 1);
        // Unknown flag bits are not passed on (3.2.2.5.2).
        let other =
            Traceparent::parse(b"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-08").unwrap();
        assert!(
            TraceContext::child_of(&other)
                .traceparent()
                .as_str()
                .ends_with("-00")
        );
        assert_eq!(
            format!("{:?}", tp.parent_id()),
            r#"SpanId("00f067aa0ba902b7")"#
        );
    }

    #[test]
    fn new_traces_are_random_unique_and_flagged_as_configured() {
        let mut traces = HashSet::new();
        let mut spans = HashSet::new();
        for _ in 0..10_000 {
            let ctx = TraceContext::new_root(false);
            assert!(!ctx.sampled());
            assert_eq!(ctx.parent_span_id(), None);
            assert!(traces.insert(ctx.trace_id()));
            assert!(spans.insert(ctx.span_id()));
            assert!(ctx.traceparent().as_str().ends_with("-00"));
            Traceparent::parse(ctx.traceparent().as_str().as_bytes()).unwrap();
        }
        assert!(
            TraceContext::new_root(true)
                .traceparent()
                .as_str()
                .ends_with("-01")
        );
    }

    #[test]
    fn tracestate_bounds() {
        let members = |n: usize| {
            (0..n)
                .map(|i| format!("k{i}=v"))
                .collect::<Vec<_>>()
                .join(",")
        };
        let at_len = format!("a={}", "x".repeat(MAX_TRACESTATE_LEN - 2));
        let over_len = format!("a={}", "x".repeat(MAX_TRACESTATE_LEN - 1));
        // (header lines, kept value or why dropped). Section 3.3.1.1: at most
        // 32 list members, empty ones allowed; 3.3.1.5: 512 characters.
        let m32 = members(32);
        let m33 = members(33);
        let cases: &[(&[&str], Result<Option<&str>, DroppedTracestate>)] = &[
            (&[], Ok(None)),
            (
                &["rojo=00f067aa0ba902b7"],
                Ok(Some("rojo=00f067aa0ba902b7")),
            ),
            (&["a=1", "b=2"], Ok(Some("a=1,b=2"))),
            (&[m32.as_str()], Ok(Some(m32.as_str()))),
            (&[m33.as_str()], Err(DroppedTracestate::TooManyMembers)),
            (&["a=1,, ,b=2"], Ok(Some("a=1,, ,b=2"))),
            (&[at_len.as_str()], Ok(Some(at_len.as_str()))),
            (&[over_len.as_str()], Err(DroppedTracestate::TooLong)),
            (
                &[&at_len[..300], &at_len[..300]],
                Err(DroppedTracestate::TooLong),
            ),
            (&[""], Ok(None)),
            (&[" , "], Ok(None)),
        ];
        for (lines, want) in cases {
            let mut headers = HeaderMap::new();
            for line in *lines {
                headers.append(TRACESTATE, HeaderValue::from_str(line).unwrap());
            }
            let got = incoming_tracestate(&headers);
            let got = got
                .as_ref()
                .map(|v| v.as_ref().map(|v| v.to_str().unwrap()))
                .map_err(|why| *why);
            assert_eq!(got, *want, "{lines:?}");
        }
        let mut headers = HeaderMap::new();
        headers.insert(
            TRACESTATE,
            HeaderValue::from_bytes(b"a=caf\xc3\xa9").unwrap(),
        );
        assert_eq!(
            incoming_tracestate(&headers),
            Err(DroppedTracestate::NotText)
        );
    }

    #[test]
    fn repeated_traceparent_is_not_believed() {
        let mut headers = HeaderMap::new();
        headers.append(TRACEPARENT, HeaderValue::from_static(VALID));
        assert!(incoming_traceparent(&headers).unwrap().is_some());
        headers.append(TRACEPARENT, HeaderValue::from_static(VALID));
        assert_eq!(
            incoming_traceparent(&headers),
            Err(InvalidTraceparent::Repeated)
        );
    }
}
