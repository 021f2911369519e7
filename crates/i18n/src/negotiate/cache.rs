//! A small, fixed-size cache of `Accept-Language` negotiation results.
//!
//! Most clients send one of a handful of `Accept-Language` values (a browser
//! sends the same bytes on every request), and the result of negotiating one
//! depends only on those bytes and the catalog. Parsing and matching cost a
//! few thousand instructions; a cache hit costs a hash, a lock and a compare.
//!
//! The cache is direct-mapped: [`SLOTS`] slots, each holding one header's
//! bytes inline (up to [`MAX_KEY_LEN`]) and its result, chosen by a hash
//! keyed with secret seeds drawn (from std's `RandomState`) per cache, so a
//! client cannot choose headers that land in the same slot. A new header
//! simply replaces whatever its slot held, and a hit compares the whole
//! header, so a collision costs a miss, never a wrong answer: even aimed
//! collisions would only bring back the uncached cost.
//!
//! Memory is bounded by construction: the slots are allocated once, when the
//! layer is built, and nothing is allocated afterwards, so the cache takes
//! `SLOTS * size_of::<Slot>()` = 64 x 280 = 17,920 bytes (64-bit targets) per
//! [`I18nLayer`](crate::I18nLayer) whatever clients send (see
//! [`NegotiationCache::MEMORY_BOUND`]). A cached header is traced (at `debug`,
//! for its malformed elements) only when it is first negotiated.
//!
//! Each slot is a sequence lock made of atomics: a hit only *reads* shared
//! memory (the slot's version before and after its words), so requests on
//! every core can hit the same slot without writing a cache line another
//! core reads (a `RwLock`'s reader count is such a write, twice per hit). A
//! writer first claims the slot by making its version odd; a slot another
//! thread is writing, or one that changed while it was read, is a miss, and
//! the caller negotiates uncached. A request never waits and never panics
//! because of the cache.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::atomic::{AtomicU64, Ordering, fence};

/// How many headers the cache remembers at most (a power of two).
pub(crate) const SLOTS: usize = 64;

/// The longest header the cache stores; longer ones are negotiated uncached.
/// Real browsers send well under 100 bytes.
pub(crate) const MAX_KEY_LEN: usize = 256;

/// The key's 8-byte words.
const WORDS: usize = MAX_KEY_LEN / 8;

/// `info` of an empty slot.
const EMPTY: u64 = 0;

/// One remembered header and what it negotiated to, as a sequence lock:
/// `version` is odd while a writer changes the other fields.
struct Slot {
    version: AtomicU64,
    /// The header's keyed hash.
    hash: AtomicU64,
    /// [`EMPTY`], or the key's length (bits 0..16), a 1 (bit 16), and the
    /// locale index plus one, 0 for `None` (bits 17..).
    info: AtomicU64,
    /// The header's bytes, 8 to a word, zero-padded.
    key: [AtomicU64; WORDS],
}

/// Calls `each` with the words of `key` (at most [`MAX_KEY_LEN`] bytes),
/// zero-padded, until it returns `false`; whether it never did. Whole words
/// are read straight from the slice, only the last one is copied (a plain
/// loop: an iterator adapter here cost a hit about 70 instructions).
fn for_words(key: &[u8], mut each: impl FnMut(usize, u64) -> bool) -> bool {
    let mut whole = key.chunks_exact(8);
    let mut i = 0;
    for chunk in &mut whole {
        if !each(i, u64::from_le_bytes(chunk.try_into().unwrap_or_default())) {
            return false;
        }
        i += 1;
    }
    let rest = whole.remainder();
    if rest.is_empty() {
        return true;
    }
    let mut word = [0_u8; 8];
    word[..rest.len()].copy_from_slice(rest);
    each(i, u64::from_le_bytes(word))
}

fn info(len: usize, locale: Option<usize>) -> u64 {
    let locale = locale.map_or(0, |i| i as u64 + 1);
    len as u64 | 1 << 16 | locale << 17
}

impl Slot {
    fn new() -> Self {
        Self {
            version: AtomicU64::new(0),
            hash: AtomicU64::new(0),
            info: AtomicU64::new(EMPTY),
            key: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// The remembered result for `key`, if this slot holds it and no writer
    /// changed it meanwhile. Reads only.
    fn get(&self, hash: u64, key: &[u8]) -> Option<Option<usize>> {
        let before = self.version.load(Ordering::Acquire);
        if before & 1 == 1 {
            return None;
        }
        let info = self.info.load(Ordering::Relaxed);
        if info == EMPTY || self.hash.load(Ordering::Relaxed) != hash {
            return None;
        }
        if (info & 0xffff) as usize != key.len() {
            return None;
        }
        let same = for_words(key, |i, word| {
            self.key
                .get(i)
                .is_some_and(|stored| stored.load(Ordering::Relaxed) == word)
        });
        // Orders the reads above before the version is read again.
        fence(Ordering::Acquire);
        if !same || self.version.load(Ordering::Relaxed) != before {
            return None;
        }
        let locale = info >> 17;
        Some(locale.checked_sub(1).map(|i| i as usize))
    }

    /// Remembers `key` (at most [`MAX_KEY_LEN`] bytes) unless another
    /// thread is writing this slot.
    fn set(&self, hash: u64, key: &[u8], locale: Option<usize>) {
        let before = self.version.load(Ordering::Relaxed);
        if before & 1 == 1
            || self
                .version
                .compare_exchange(before, before + 1, Ordering::Acquire, Ordering::Relaxed)
                .is_err()
        {
            return;
        }
        // Orders the odd version before the writes below.
        fence(Ordering::Release);
        self.hash.store(hash, Ordering::Relaxed);
        self.info.store(info(key.len(), locale), Ordering::Relaxed);
        for_words(key, |i, word| {
            if let Some(stored) = self.key.get(i) {
                stored.store(word, Ordering::Relaxed);
            }
            true
        });
        self.version.store(before + 2, Ordering::Release);
    }
}

// Checked when compiling: the bound the docs promise (17,920 bytes on 64-bit).
const _: () = assert!(NegotiationCache::MEMORY_BOUND <= 20 * 1024);

/// Remembers the catalog locale (an index, or `None`) that each of the last
/// few `Accept-Language` values negotiated to. Belongs to one catalog.
pub(crate) struct NegotiationCache {
    hasher: SeededHash,
    slots: Box<[Slot]>,
}

impl NegotiationCache {
    /// The cache's heap use, fixed at construction: what "bounded" means.
    pub(crate) const MEMORY_BOUND: usize = SLOTS * size_of::<Slot>();

    pub(crate) fn new() -> Self {
        Self {
            hasher: SeededHash::new(),
            slots: (0..SLOTS).map(|_| Slot::new()).collect(),
        }
    }

    /// The result for `key`: from the cache when it holds `key`, else from
    /// `negotiate` (then remembered when `key` is short enough).
    pub(crate) fn get_or_negotiate(
        &self,
        key: &[u8],
        negotiate: impl FnOnce() -> Option<usize>,
    ) -> Option<usize> {
        if key.len() > MAX_KEY_LEN {
            return negotiate();
        }
        let hash = self.hasher.hash(key);
        // The top bits pick the slot; `SLOTS` is a power of two.
        let slot = &self.slots[(hash >> (64 - SLOTS.trailing_zeros())) as usize];
        if let Some(found) = slot.get(hash, key) {
            return found;
        }
        let locale = negotiate();
        slot.set(hash, key, locale);
        locale
    }

    /// How many slots hold a header (for tests of the bound).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.info.load(Ordering::Relaxed) != EMPTY)
            .count()
    }
}

impl fmt::Debug for NegotiationCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NegotiationCache")
            .field("slots", &SLOTS)
            .field("max_key_len", &MAX_KEY_LEN)
            .finish_non_exhaustive()
    }
}

/// A keyed hash of a header's bytes: folded 64x64->128-bit multiplies (as in
/// `foldhash`), 8 bytes at a time. SipHash (std's `DefaultHasher`) costs
/// about 250 instructions for a typical 25-byte header, this about 40; its
/// seeds are secret, and a collision only costs a cache miss.
struct SeededHash {
    seed: u64,
    multiplier: u64,
}

impl SeededHash {
    fn new() -> Self {
        let random = RandomState::new();
        Self {
            seed: random.hash_one(0_u8),
            // Odd, so that no multiplier zeroes the state's low bits.
            multiplier: random.hash_one(1_u8) | 1,
        }
    }

    fn hash(&self, key: &[u8]) -> u64 {
        // The length first: keys differing only in trailing zero padding differ.
        let mut state = self.seed ^ key.len() as u64;
        for_words(key, |_, word| {
            state = fold_multiply(state ^ word, self.multiplier);
            true
        });
        fold_multiply(state, self.seed.rotate_left(32))
    }
}

/// The high and low halves of the full product, XORed: every input bit
/// reaches many output bits.
fn fold_multiply(a: u64, b: u64) -> u64 {
    let product = u128::from(a) * u128::from(b);
    (product as u64) ^ ((product >> 64) as u64)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::Catalog;

    fn catalog() -> Catalog {
        let mut builder = Catalog::builder().default_locale("en");
        for tag in [
            "en", "fr", "de", "zh-Hans", "zh-Hant", "ar", "en-GB", "pt-BR",
        ] {
            builder = builder.source(tag, "m.ftl", "x = x");
        }
        builder.build().unwrap()
    }

    fn cached(cache: &NegotiationCache, catalog: &Catalog, header: &[u8]) -> Option<usize> {
        cache.get_or_negotiate(header, || catalog.negotiate_header([header]))
    }

    #[test]
    fn ten_thousand_distinct_headers_leave_at_most_slots_entries() {
        let catalog = catalog();
        let cache = NegotiationCache::new();
        for i in 0..10_000 {
            let header = format!("x{i}, fr;q=0.{}", i % 10);
            let found = cached(&cache, &catalog, header.as_bytes());
            assert_eq!(found, catalog.negotiate_header([header.as_bytes()]));
        }
        assert!(cache.len() <= SLOTS, "{}", cache.len());
        assert!(
            cache.len() > SLOTS / 2,
            "a hash that spreads fills most slots"
        );
    }

    #[test]
    fn long_headers_are_negotiated_uncached() {
        let catalog = catalog();
        let cache = NegotiationCache::new();
        let mut header = "ja;q=0.1, ".repeat(30);
        header.push_str("de");
        assert!(header.len() > MAX_KEY_LEN);
        for _ in 0..2 {
            assert_eq!(
                cached(&cache, &catalog, header.as_bytes()),
                catalog.find_tag("de")
            );
        }
        assert_eq!(cache.len(), 0);
        // Exactly at the limit it is cached.
        let header = format!("{}de", " ".repeat(MAX_KEY_LEN - 2));
        assert_eq!(
            cached(&cache, &catalog, header.as_bytes()),
            catalog.find_tag("de")
        );
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_hit_answers_without_negotiating() {
        let catalog = catalog();
        let cache = NegotiationCache::new();
        let header = b"fr-CA, fr;q=0.9, en;q=0.5";
        let fr = catalog.find_tag("fr");
        assert!(fr.is_some());
        assert_eq!(cached(&cache, &catalog, header), fr);
        let again = cache.get_or_negotiate(header, || panic!("negotiated twice"));
        assert_eq!(again, fr);
        // A prefix or an extension of a cached key is a different key.
        assert_eq!(cached(&cache, &catalog, b"ja, fr"), fr);
        assert_eq!(cached(&cache, &catalog, b"ja"), None);
        // (Checked at once: a later key may share the slot and replace it.)
        assert_eq!(
            cache.get_or_negotiate(b"ja", || panic!("negotiated twice")),
            None
        );
        assert_eq!(
            cached(&cache, &catalog, b"ja, fr;q=0, de"),
            catalog.find_tag("de")
        );
    }

    #[test]
    fn a_slot_being_written_is_a_miss_not_a_wait() {
        let catalog = catalog();
        let cache = NegotiationCache::new();
        let header = b"fr-CA, fr;q=0.9, en;q=0.5";
        let fr = catalog.find_tag("fr");
        assert_eq!(cached(&cache, &catalog, header), fr);
        // Every slot claimed by a writer that never finishes (as a thread
        // stopped mid-write would leave it).
        for slot in &*cache.slots {
            slot.version.fetch_add(1, Ordering::Relaxed);
        }
        let mut negotiated = 0;
        for _ in 0..2 {
            let found = cache.get_or_negotiate(header, || {
                negotiated += 1;
                catalog.negotiate_header([&header[..]])
            });
            assert_eq!(found, fr);
        }
        assert_eq!(negotiated, 2, "neither a hit nor remembered");
    }

    #[test]
    fn threads_hitting_and_replacing_slots_never_see_a_wrong_answer() {
        let catalog = catalog();
        let cache = NegotiationCache::new();
        let headers: Vec<String> = (0..200)
            .map(|i| format!("x{i}, {};q=0.5", ["fr", "de", "ar", "en-GB"][i % 4]))
            .collect();
        std::thread::scope(|scope| {
            for t in 0..4 {
                let (cache, catalog, headers) = (&cache, &catalog, &headers);
                scope.spawn(move || {
                    for i in 0..5_000 {
                        let header = headers[(i * 7 + t * 13) % headers.len()].as_bytes();
                        assert_eq!(
                            cached(cache, catalog, header),
                            catalog.negotiate_header([header])
                        );
                    }
                });
            }
        });
    }

    /// Header-like text, often repeated (so hits happen) and sometimes past
    /// the cacheable length.
    fn headers() -> impl Strategy<Value = Vec<String>> {
        let header = prop_oneof![
            8 => "([a-zA-Z*]{0,9}(-[a-zA-Z0-9]{0,9}){0,3}(;[qQ]=[0-9.]{0,6})?[ ,]{0,2}){0,8}",
            2 => "(en|fr|de|zh|zh-TW|zh-Hant|pt|en-GB|ar|\\*)(;q=0(\\.[0-9]{1,3})?)?(, ?(en|fr|de|ja|\\*)(;q=0\\.[0-9])?){0,4}",
            1 => "(ja;q=0.1, ){20,40}(de|fr)",
        ];
        proptest::collection::vec(header, 1..40).prop_flat_map(|distinct| {
            let n = distinct.len();
            proptest::collection::vec(0..n, 1..200)
                .prop_map(move |picks| picks.into_iter().map(|i| distinct[i].clone()).collect())
        })
    }

    proptest! {
        #[test]
        fn cached_and_uncached_negotiation_agree(sequence in headers()) {
            let catalog = catalog();
            let cache = NegotiationCache::new();
            for header in &sequence {
                let uncached = catalog.negotiate_header([header.as_bytes()]);
                prop_assert_eq!(cached(&cache, &catalog, header.as_bytes()), uncached, "{:?}", header);
            }
            prop_assert!(cache.len() <= SLOTS);
        }
    }
}
