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
//! `SLOTS * size_of::<RwLock<Slot>>()` = 64 x 304 = 19,456 bytes (64-bit
//! targets) per [`I18nLayer`](crate::I18nLayer) whatever clients send (see
//! [`NegotiationCache::MEMORY_BOUND`]). A cached header is traced (at `debug`,
//! for its malformed elements) only when it is first negotiated.
//!
//! Locks are only ever *tried*: a slot another thread is writing, or a
//! poisoned one, is a miss, and the caller negotiates uncached. A request
//! never waits and never panics because of the cache.

use std::fmt;
use std::hash::{BuildHasher, RandomState};
use std::sync::RwLock;

/// How many headers the cache remembers at most (a power of two).
pub(crate) const SLOTS: usize = 64;

/// The longest header the cache stores; longer ones are negotiated uncached.
/// Real browsers send well under 100 bytes.
pub(crate) const MAX_KEY_LEN: usize = 256;

/// One remembered header and what it negotiated to.
struct Slot {
    /// `None` while the slot is empty.
    entry: Option<Entry>,
    /// The header's bytes; only `key[..entry.len]` is meaningful.
    key: [u8; MAX_KEY_LEN],
}

#[derive(Clone, Copy)]
struct Entry {
    hash: u64,
    len: u16,
    locale: Option<usize>,
}

impl Slot {
    const EMPTY: Self = Self {
        entry: None,
        key: [0; MAX_KEY_LEN],
    };

    fn get(&self, hash: u64, key: &[u8]) -> Option<Option<usize>> {
        let entry = self.entry?;
        (entry.hash == hash && &self.key[..usize::from(entry.len)] == key).then_some(entry.locale)
    }

    fn set(&mut self, hash: u64, key: &[u8], locale: Option<usize>) {
        let len = key.len().min(MAX_KEY_LEN);
        self.key[..len].copy_from_slice(&key[..len]);
        self.entry = Some(Entry {
            hash,
            len: u16::try_from(len).unwrap_or(0),
            locale,
        });
    }
}

// Checked when compiling: the bound the docs promise (19,456 bytes on 64-bit).
const _: () = assert!(NegotiationCache::MEMORY_BOUND <= 20 * 1024);

/// Remembers the catalog locale (an index, or `None`) that each of the last
/// few `Accept-Language` values negotiated to. Belongs to one catalog.
pub(crate) struct NegotiationCache {
    hasher: SeededHash,
    slots: Box<[RwLock<Slot>]>,
}

impl NegotiationCache {
    /// The cache's heap use, fixed at construction: what "bounded" means.
    pub(crate) const MEMORY_BOUND: usize = SLOTS * size_of::<RwLock<Slot>>();

    pub(crate) fn new() -> Self {
        Self {
            hasher: SeededHash::new(),
            slots: (0..SLOTS).map(|_| RwLock::new(Slot::EMPTY)).collect(),
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
        if let Some(found) = slot.try_read().ok().and_then(|s| s.get(hash, key)) {
            return found;
        }
        let locale = negotiate();
        if let Ok(mut slot) = slot.try_write() {
            slot.set(hash, key, locale);
        }
        locale
    }

    /// How many slots hold a header (for tests of the bound).
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.read().is_ok_and(|s| s.entry.is_some()))
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
        let mut words = key.chunks_exact(8);
        for word in &mut words {
            state = self.mix(state, word);
        }
        let rest = words.remainder();
        if !rest.is_empty() {
            state = self.mix(state, rest);
        }
        fold_multiply(state, self.seed.rotate_left(32))
    }

    /// Mixes up to 8 bytes (zero-padded) into the state.
    fn mix(&self, state: u64, bytes: &[u8]) -> u64 {
        let mut word = [0_u8; 8];
        word[..bytes.len()].copy_from_slice(bytes);
        fold_multiply(state ^ u64::from_le_bytes(word), self.multiplier)
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
    fn a_poisoned_slot_is_a_miss_not_a_panic() {
        let catalog = catalog();
        let cache = NegotiationCache::new();
        for slot in &*cache.slots {
            let result = std::panic::catch_unwind(|| {
                let _guard = slot.write().unwrap();
                panic!("poison the slot");
            });
            assert!(result.is_err());
            assert!(slot.is_poisoned());
        }
        for header in ["fr", "de-CH, en;q=0.5", "ja"] {
            let found = cached(&cache, &catalog, header.as_bytes());
            assert_eq!(found, catalog.negotiate_header([header.as_bytes()]));
        }
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
