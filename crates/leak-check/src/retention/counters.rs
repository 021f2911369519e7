//! Per-route counters of tokens alive after their response finished, exact
//! without a lock: a total, and time buckets for the ones still too young to
//! count as retained.

use std::sync::Weak;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use super::shared::Shared;

/// Ring of epoch-tagged buckets; more than the window ever spans (at most
/// 8 epochs, see [`Clock::new`]), so a young epoch never shares a slot.
const BUCKETS: usize = 16;

/// Time in epochs of `width` since `origin`; a token is young while fewer
/// than `window` epochs have passed since its response finished.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clock {
    origin: Instant,
    width_ms: u64,
    window: u32,
}

impl Clock {
    /// Epochs of a quarter of `age` (at least 1 ms), so a token is counted
    /// retained between `age` and about `1.5 * age` after its response
    /// finished; `age` zero counts it at once.
    pub(crate) fn new(age: Duration) -> Self {
        let age_ms = u64::try_from(age.as_millis()).unwrap_or(u64::MAX);
        let width_ms = (age_ms / 4).max(1);
        // A token finished in epoch `e` is young through epoch `e + window - 1`:
        // at epoch `e + window`, at least `(window - 1) * width >= age` passed.
        let window = if age_ms == 0 {
            0
        } else {
            u32::try_from(age_ms.div_ceil(width_ms) + 1).unwrap_or(u32::MAX)
        };
        Self {
            origin: Instant::now(),
            width_ms,
            window,
        }
    }

    /// The current epoch (wraps after `2^32` epochs: 49 days of 1 ms epochs).
    pub(crate) fn epoch(&self) -> u32 {
        let elapsed = u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX);
        (elapsed / self.width_ms) as u32
    }

    /// The length of an epoch, in milliseconds.
    pub(crate) fn width_ms(&self) -> u64 {
        self.width_ms
    }

    /// Milliseconds since the origin.
    pub(crate) fn now_ms(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn is_young(&self, tag: u32, now: u32) -> bool {
        now.wrapping_sub(tag) < self.window
    }
}

/// One route's counters.
#[derive(Debug)]
pub(crate) struct RouteCounters {
    route: Box<str>,
    clock: Clock,
    /// The guard these counters belong to, for its warning; weak, since it
    /// holds them.
    owner: Weak<Shared>,
    /// Tokens alive after their response finished, of any age.
    alive: AtomicUsize,
    /// `epoch << 32 | count`: tokens whose response finished in `epoch` and
    /// still alive; a slot holding an older epoch is stale and reused.
    young: [AtomicU64; BUCKETS],
}

impl RouteCounters {
    pub(crate) fn new(route: &str, clock: Clock, owner: Weak<Shared>) -> Self {
        Self {
            route: route.into(),
            clock,
            owner,
            alive: AtomicUsize::new(0),
            young: std::array::from_fn(|_| AtomicU64::new(0)),
        }
    }

    /// The route's name: its `MatchedPath`, or a placeholder.
    pub(crate) fn route(&self) -> &str {
        &self.route
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    pub(crate) fn owner(&self) -> Weak<Shared> {
        self.owner.clone()
    }

    /// A token was still alive when its response finished, in `epoch`. The
    /// young bucket first, so a concurrent read undercounts, never reports a
    /// phantom.
    pub(crate) fn finished_alive(&self, epoch: u32) {
        if self.clock.window > 0 {
            let slot = &self.young[epoch as usize % BUCKETS];
            let mut current = slot.load(Ordering::Acquire);
            loop {
                let tag = (current >> 32) as u32;
                let next = if tag == epoch {
                    current + 1
                } else if (epoch.wrapping_sub(tag) as i32) > 0 {
                    // Stale: its tokens are old now, counted by `alive` alone.
                    (u64::from(epoch) << 32) | 1
                } else {
                    // The slot moved on past this epoch while we were
                    // slow: the token is old already.
                    break;
                };
                match slot.compare_exchange_weak(current, next, Ordering::AcqRel, Ordering::Acquire)
                {
                    Ok(_) => break,
                    Err(actual) => current = actual,
                }
            }
        }
        self.alive.fetch_add(1, Ordering::AcqRel);
    }

    /// A token counted by [`finished_alive`](Self::finished_alive) in
    /// `epoch` was dropped.
    pub(crate) fn released(&self, epoch: u32) {
        self.alive.fetch_sub(1, Ordering::AcqRel);
        if self.clock.window == 0 {
            return;
        }
        let slot = &self.young[epoch as usize % BUCKETS];
        let mut current = slot.load(Ordering::Acquire);
        // Only while the slot still counts that epoch: once reused, the
        // token had aged out of it.
        while (current >> 32) as u32 == epoch && current as u32 > 0 {
            match slot.compare_exchange_weak(
                current,
                current - 1,
                Ordering::AcqRel,
                Ordering::Acquire,
            ) {
                Ok(_) => break,
                Err(actual) => current = actual,
            }
        }
    }

    /// Tokens alive past the age after their response finished.
    pub(crate) fn retained(&self, now: u32) -> usize {
        let alive = self.alive.load(Ordering::Acquire);
        if alive == 0 {
            return 0;
        }
        let young: usize = self
            .young
            .iter()
            .map(|slot| slot.load(Ordering::Acquire))
            .filter(|&value| self.clock.is_young((value >> 32) as u32, now))
            .map(|value| value as u32 as usize)
            .sum();
        alive.saturating_sub(young)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn age_zero_counts_every_token_alive_after_its_response() {
        let counters = RouteCounters::new("/", Clock::new(Duration::ZERO), Weak::new());
        counters.finished_alive(0);
        counters.finished_alive(0);
        assert_eq!(counters.retained(0), 2);
        counters.released(0);
        assert_eq!(counters.retained(0), 1);
        counters.released(0);
        assert_eq!(counters.retained(0), 0);
    }

    #[test]
    fn a_token_is_retained_once_its_window_passed() {
        // 100 ms: epochs of 25 ms, young for 5 epochs.
        let clock = Clock::new(Duration::from_millis(100));
        assert_eq!((clock.width_ms, clock.window), (25, 5));
        let counters = RouteCounters::new("/", clock, Weak::new());
        counters.finished_alive(7);
        for now in 7..12 {
            assert_eq!(counters.retained(now), 0, "young at epoch {now}");
        }
        assert_eq!(counters.retained(12), 1);
        assert_eq!(counters.retained(40), 1, "long after");
    }

    #[test]
    fn a_reused_slot_keeps_old_tokens_retained_and_releases_them_right() {
        let counters = RouteCounters::new("/", Clock::new(Duration::from_millis(100)), Weak::new());
        counters.finished_alive(3);
        // 16 epochs later the same slot holds the new epoch's tokens.
        counters.finished_alive(3 + BUCKETS as u32);
        let now = 3 + BUCKETS as u32;
        assert_eq!(counters.retained(now), 1, "the old one");
        counters.released(3);
        assert_eq!(
            counters.retained(now),
            0,
            "the young one is not retained yet"
        );
        counters.released(now);
        assert_eq!(counters.retained(now + 100), 0);
    }

    #[test]
    fn the_window_never_spans_more_epochs_than_the_ring() {
        for ms in [
            1,
            2,
            3,
            4,
            5,
            6,
            7,
            8,
            9,
            10,
            11,
            13,
            17,
            99,
            1_000,
            30_000,
            u64::MAX / 2,
        ] {
            let clock = Clock::new(Duration::from_millis(ms));
            assert!(clock.window as usize <= BUCKETS / 2, "{ms} ms: {clock:?}");
            assert!(
                u64::from(clock.window - 1) * clock.width_ms >= ms,
                "{ms} ms: {clock:?}"
            );
        }
    }
}
