//! Request ids: accepted from trusted proxies when valid, otherwise generated
//! as time-sortable ULIDs.
//!
//! # Example
//!
//! ```
//! use http::HeaderValue;
//! use crocodile_base_context::RequestId;
//!
//! let a = RequestId::generate();
//! let b = RequestId::generate();
//! assert_eq!(a.as_str().len(), 26);
//! assert!(a.as_str() < b.as_str(), "ids sort in the order they were made");
//!
//! let incoming = HeaderValue::from_static("req-7f3a");
//! assert_eq!(RequestId::from_header(&incoming).unwrap(), "req-7f3a");
//! assert!(RequestId::from_header(&HeaderValue::from_static("has space")).is_none());
//! ```

use std::cell::Cell;
use std::fmt;
use std::hash::BuildHasher;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use http::HeaderValue;

use crate::header_bytes;
use crate::trace_context::FixedStr;

/// The longest request id accepted from a proxy.
pub const MAX_REQUEST_ID_LEN: usize = 128;

/// A request's id: an incoming `x-request-id` a trusted proxy sent, or one
/// made here.
///
/// Generated ids are [ULID]s: 26 Crockford base32 characters holding 48 bits
/// of Unix milliseconds, then a 16-bit sequence, then 64 bits that mix the
/// thread's number and the sequence with a per-process random key. Each
/// thread keeps its own sequence (no state is shared between threads, so
/// making ids on every core at once never contends): ids sort by creation
/// time to the millisecond, strictly within one thread (even when the clock
/// steps back), and are unique across threads, processes and restarts:
/// within a thread the first 64 bits never repeat, two threads mix different
/// thread numbers into the last 64, and the mix is a bijection, so two
/// processes can only make the same id if they drew the same 64-bit key
/// (probability 2^-64 per pair of processes). Making one costs a
/// thread-local read and write, a few multiplications and the base32
/// encoding, and allocates nothing: the text lives inline. Ids are not
/// secrets: don't use them as tokens.
///
/// Its [`Display`](fmt::Display) writes the id, so it goes straight into a
/// `tracing` span: `info_span!("request", id = %ctx.request_id())`.
///
/// [ULID]: https://github.com/ulid/spec
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct RequestId(Repr);

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    Generated([u8; 26]),
    /// Validated by `is_valid`: visible ASCII, so `to_str` succeeds.
    Header(HeaderValue),
    /// The trace id as 32 lowercase hex digits, of a trace started here.
    NewTrace([u8; 32]),
    /// The trace id as 32 lowercase hex digits, of a trusted caller's trace.
    CallersTrace([u8; 32]),
}

impl RequestId {
    /// Makes a new time-sortable id, stamped with the current time.
    pub fn generate() -> Self {
        Self::generate_at(SystemTime::now())
    }

    /// Makes a new id stamped with `now` (the layer passes the request's
    /// arrival time, so the id and [`received_at`](crate::BaseContext::received_at)
    /// agree).
    pub fn generate_at(now: SystemTime) -> Self {
        Self(Repr::Generated(GENERATOR.with(|cell| {
            let mut generator = cell.get();
            let id = generator.next(now);
            cell.set(generator);
            id
        })))
    }

    /// Accepts `value` as an id when it is 1 to 128 bytes of visible ASCII
    /// (`!` to `~`, so no spaces or control characters).
    pub fn from_header(value: &HeaderValue) -> Option<Self> {
        is_valid(value.as_bytes()).then(|| Self(Repr::Header(value.clone())))
    }

    /// The trace id as the request id ([`RequestIdSource::TraceId`]): made
    /// here when the trace started here.
    pub(crate) fn from_trace(hex: FixedStr<32>, started_here: bool) -> Self {
        let mut bytes = [0u8; 32];
        bytes.copy_from_slice(hex.as_str().as_bytes());
        Self(if started_here {
            Repr::NewTrace(bytes)
        } else {
            Repr::CallersTrace(bytes)
        })
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            // Crockford base32 and hex are ASCII.
            Repr::Generated(bytes) => std::str::from_utf8(bytes).unwrap_or_default(),
            Repr::NewTrace(bytes) | Repr::CallersTrace(bytes) => {
                std::str::from_utf8(bytes).unwrap_or_default()
            }
            Repr::Header(value) => value.to_str().unwrap_or_default(),
        }
    }

    /// The id as a header value (a generated id is copied into a buffer
    /// the thread shares among many ids, so this rarely allocates; an
    /// accepted one is shared).
    pub fn to_header_value(&self) -> HeaderValue {
        match &self.0 {
            Repr::Generated(bytes) => header_bytes::value(bytes),
            Repr::NewTrace(bytes) | Repr::CallersTrace(bytes) => header_bytes::value(bytes),
            Repr::Header(value) => value.clone(),
        }
    }

    /// Whether this id was made here rather than accepted from a proxy (in
    /// [`RequestIdSource::TraceId`] mode: whether the trace started here).
    pub fn is_generated(&self) -> bool {
        matches!(self.0, Repr::Generated(_) | Repr::NewTrace(_))
    }
}

/// Where [`BaseContextLayer`](crate::BaseContextLayer) takes the request id
/// from. `FromStr` and `Display`: `ulid`, `trace-id`.
///
/// ```
/// use crocodile_base_context::RequestIdSource;
///
/// let source: RequestIdSource = "trace-id".parse()?;
/// assert_eq!(source, RequestIdSource::TraceId);
/// assert_eq!(source.to_string(), "trace-id");
/// assert_eq!(RequestIdSource::default(), RequestIdSource::Ulid);
/// let error = "uuid".parse::<RequestIdSource>().unwrap_err();
/// assert_eq!(error.to_string(), "unknown request id source `uuid`: expected `ulid` or `trace-id`");
/// # Ok::<_, crocodile_base_context::ParseRequestIdSourceError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RequestIdSource {
    /// A trusted proxy's `x-request-id`, else a new ULID (the default).
    #[default]
    Ulid,
    /// Always the trace id (32 lowercase hex digits): a trusted caller's
    /// `traceparent`'s, else a new trace's. A trusted proxy's `x-request-id`
    /// is kept as [`upstream_request_id`](crate::BaseContext::upstream_request_id).
    TraceId,
}

impl RequestIdSource {
    /// The configuration string: `ulid`, `trace-id`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ulid => "ulid",
            Self::TraceId => "trace-id",
        }
    }
}

impl fmt::Display for RequestIdSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for RequestIdSource {
    type Err = ParseRequestIdSourceError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "ulid" => Ok(Self::Ulid),
            "trace-id" => Ok(Self::TraceId),
            other => Err(ParseRequestIdSourceError(other.to_owned())),
        }
    }
}

/// A [`RequestIdSource`] string that is neither `ulid` nor `trace-id`; the
/// message names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseRequestIdSourceError(String);

impl fmt::Display for ParseRequestIdSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown request id source `{}`: expected `ulid` or `trace-id`",
            self.0
        )
    }
}

impl std::error::Error for ParseRequestIdSourceError {}

fn is_valid(bytes: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&bytes.len()) && bytes.iter().all(|b| b.is_ascii_graphic())
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RequestId").field(&self.as_str()).finish()
    }
}

impl PartialEq<str> for RequestId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RequestId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl AsRef<str> for RequestId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const MILLIS_MASK: u64 = (1 << 48) - 1;

thread_local! {
    /// This thread's generator: ids are made without touching memory another
    /// thread writes (a shared compare-and-swap made every core wait for the
    /// same cache line).
    static GENERATOR: Cell<Generator> = const { Cell::new(Generator::UNNUMBERED) };
}

/// Thread numbers handed out so far (0 is "not numbered yet").
static THREADS: AtomicU64 = AtomicU64::new(1);

/// The per-process key, drawn once from the operating system's random source
/// (std seeds every `RandomState` from it) and mixed with the process id and
/// the time, so a restart draws a new one.
fn process_key() -> u64 {
    static KEY: OnceLock<u64> = OnceLock::new();
    *KEY.get_or_init(|| {
        std::collections::hash_map::RandomState::new()
            .hash_one((std::process::id(), SystemTime::now()))
    })
}

/// One thread's ULID state.
#[derive(Debug, Clone, Copy)]
struct Generator {
    /// Milliseconds (48 bits) and a sequence (16 bits) of the last id this
    /// thread made; never goes down, so its ids are strictly increasing.
    last: u64,
    /// Unique per thread for the life of the process; 0 until the first id.
    thread: u64,
}

impl Generator {
    const UNNUMBERED: Self = Self { last: 0, thread: 0 };

    #[cfg(test)]
    fn numbered(thread: u64) -> Self {
        Self { last: 0, thread }
    }

    fn next(&mut self, now: SystemTime) -> [u8; 26] {
        if self.thread == 0 {
            // Once per thread: the only write another thread also makes.
            self.thread = THREADS.fetch_add(1, Ordering::Relaxed);
        }
        let millis = now
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
            & MILLIS_MASK;
        let floor = millis << 16;
        // A new millisecond starts its sequence at 0; within a millisecond
        // (or when the clock stepped back) the sequence counts up, carrying
        // into the milliseconds after 65,536 ids.
        let high = if floor > self.last {
            floor
        } else {
            self.last.wrapping_add(1)
        };
        self.last = high;
        // Two ids are equal only if their `high`s are: within a thread they
        // never are, and two threads with the same `high` put different
        // thread numbers (below 2^32) in the top half of what `mix`, a
        // bijection, gets. (A keyed SipHash per id cost ~300 instructions
        // more and guaranteed nothing more than that.)
        let low = mix(process_key() ^ (self.thread << 32) ^ (high & 0xffff_ffff));
        encode((u128::from(high) << 64) | u128::from(low))
    }
}

/// The splitmix64 finalizer: a bijection on `u64` that spreads every input
/// bit over the output, so consecutive ids do not look alike in their tail.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Every 10-bit value as its two base32 characters.
const PAIRS: [[u8; 2]; 1024] = {
    let mut pairs = [[0_u8; 2]; 1024];
    let mut i = 0;
    while i < 1024 {
        pairs[i] = [CROCKFORD[i >> 5], CROCKFORD[i & 31]];
        i += 1;
    }
    pairs
};

/// The 128 bits as 26 base32 characters, 5 bits each from the top (the
/// first holds 3), two at a time from the 64-bit halves: shifting a `u128`
/// by a variable amount, one character at a time, cost about 150
/// instructions more per id.
fn encode(value: u128) -> [u8; 26] {
    let (high, low) = ((value >> 64) as u64, value as u64);
    let pair = |bits: u64| PAIRS[(bits & 1023) as usize];
    let mut out = [0u8; 26];
    let mut pairs = out.chunks_exact_mut(2);
    // Pairs at bits 120, 110, ... 70 (the first pair's top 2 bits are 0).
    for (j, slot) in pairs.by_ref().take(6).enumerate() {
        slot.copy_from_slice(&pair(high >> (56 - 10 * j)));
    }
    // Bits 60 to 69: the low half's top four, the high half's lowest six.
    if let Some(slot) = pairs.next() {
        slot.copy_from_slice(&pair((low >> 60) | (high << 4)));
    }
    for (j, slot) in pairs.enumerate() {
        slot.copy_from_slice(&pair(low >> (50 - 10 * j)));
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::time::Duration;

    use super::*;

    #[test]
    fn validity_table() {
        let long = "a".repeat(MAX_REQUEST_ID_LEN);
        let too_long = "a".repeat(MAX_REQUEST_ID_LEN + 1);
        let cases: &[(&[u8], bool)] = &[
            (b"abc", true),
            (b"0b3c2a66-8a52-4c0e-9a3e-0e2f0b1f2c3d", true),
            (b"!~", true),
            (long.as_bytes(), true),
            (b"", false),
            (too_long.as_bytes(), false),
            (b"has space", false),
            (b"tab\there", false),
            (b"caf\xc3\xa9", false),
            (b"\x7f", false),
        ];
        for (bytes, want) in cases {
            assert_eq!(
                is_valid(bytes),
                *want,
                "{:?}",
                String::from_utf8_lossy(bytes)
            );
        }
    }

    #[test]
    fn generated_ids_are_ulids_that_sort_and_do_not_repeat() {
        let ids: Vec<RequestId> = (0..10_000).map(|_| RequestId::generate()).collect();
        let mut seen = HashSet::new();
        for pair in ids.windows(2) {
            assert!(pair[0].as_str() < pair[1].as_str(), "{pair:?}");
        }
        for id in &ids {
            assert_eq!(id.as_str().len(), 26);
            assert!(id.as_str().bytes().all(|b| CROCKFORD.contains(&b)));
            assert!(id.as_str().as_bytes()[0] <= b'7', "ULIDs hold 128 bits");
            assert!(seen.insert(id.as_str().to_owned()));
            assert!(id.is_generated());
        }
    }

    #[test]
    fn timestamp_is_the_leading_48_bits() {
        // The ULID spec's example: `01ARZ3NDEK` is 1469922850259 ms.
        let mut generator = Generator::numbered(1);
        let id = generator.next(UNIX_EPOCH + Duration::from_millis(1_469_922_850_259));
        assert_eq!(&id[..10], b"01ARZ3NDEK");
        assert_eq!(encode(u128::MAX), *b"7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
        // The two-halves encoding against the plain one, bit by bit.
        let plain = |value: u128| -> [u8; 26] {
            std::array::from_fn(|i| CROCKFORD[((value >> (125 - 5 * i)) & 31) as usize])
        };
        for bit in 0..128 {
            let value = 1_u128 << bit;
            assert_eq!(encode(value), plain(value), "bit {bit}");
            assert_eq!(encode(!value), plain(!value), "all but bit {bit}");
        }
        let mut x = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210_u128;
        for _ in 0..1_000 {
            x = x
                .wrapping_mul(0x2360_ed05_1fc6_5da4_4385_df64_9fcc_f645)
                .wrapping_add(1);
            assert_eq!(encode(x), plain(x));
        }
        assert_eq!(encode(0), [b'0'; 26]);
    }

    #[test]
    fn same_millisecond_counts_up_and_clock_stepping_back_keeps_order() {
        let mut generator = Generator::numbered(1);
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
        let a = generator.next(at);
        let b = generator.next(at);
        let stepped_back = generator.next(at - Duration::from_secs(60));
        assert!(a < b && b < stepped_back);
        assert_eq!(a[..10], b[..10]);
        assert_ne!(a[16..], b[16..], "the keyed part differs too");
    }

    #[test]
    fn threads_making_ids_in_the_same_millisecond_never_collide() {
        let at = UNIX_EPOCH + Duration::from_millis(1_700_000_000_000);
        let mut seen = HashSet::new();
        for thread in 1..=64 {
            let mut generator = Generator::numbered(thread);
            for _ in 0..1_000 {
                assert!(seen.insert(generator.next(at)), "thread {thread}");
            }
        }
        // Real threads, each with its own generator: ordered within each,
        // unique across all.
        let handles: Vec<_> = (0..4)
            .map(|_| {
                std::thread::spawn(|| {
                    let ids: Vec<String> = (0..5_000)
                        .map(|_| RequestId::generate().as_str().to_owned())
                        .collect();
                    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
                    ids
                })
            })
            .collect();
        let mut all = HashSet::new();
        for handle in handles {
            for id in handle.join().unwrap() {
                assert!(all.insert(id));
            }
        }
    }

    #[test]
    fn header_value_round_trip() {
        let id = RequestId::generate();
        assert_eq!(id.to_header_value().to_str().unwrap(), id.as_str());
        let value = HeaderValue::from_static("abc");
        let id = RequestId::from_header(&value).unwrap();
        assert!(!id.is_generated());
        assert_eq!(id.to_header_value(), value);
        assert_eq!(id.to_string(), "abc");
        assert_eq!(format!("{id:?}"), r#"RequestId("abc")"#);
    }
}
