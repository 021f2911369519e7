//! What a measurement saw: [`LeakReport`], its rounds, and the [`Leak`] it
//! may show.

use std::fmt;

/// dhat's counters at one moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heap {
    /// Live blocks.
    pub blocks: usize,
    /// Live bytes.
    pub bytes: usize,
    /// Allocations since the profiler started.
    pub total_blocks: u64,
}

impl Heap {
    /// dhat's counters now; only called while the measurement's profiler runs.
    pub(crate) fn now() -> Self {
        let stats = dhat::HeapStats::get();
        Self {
            blocks: stats.curr_blocks,
            bytes: stats.curr_bytes,
            total_blocks: stats.total_blocks,
        }
    }
}

/// One round: the heap after N requests, and after N more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    /// The heap before the round's N requests.
    pub after_n: Heap,
    /// The heap after them.
    pub after_2n: Heap,
}

impl Round {
    /// Whether the live heap is exactly the same: same blocks, same bytes.
    pub fn is_unchanged(&self) -> bool {
        self.after_n.blocks == self.after_2n.blocks && self.after_n.bytes == self.after_2n.bytes
    }

    /// How many live blocks the round's N requests added (negative: freed).
    pub fn live_blocks_growth(&self) -> i64 {
        signed(self.after_2n.blocks) - signed(self.after_n.blocks)
    }

    /// How many live bytes the round's N requests added (negative: freed).
    pub fn live_bytes_growth(&self) -> i64 {
        signed(self.after_2n.bytes) - signed(self.after_n.bytes)
    }

    /// How many allocations the round's N requests made, freed or not.
    pub fn allocations(&self) -> u64 {
        self.after_2n.total_blocks - self.after_n.total_blocks
    }
}

fn signed(count: usize) -> i64 {
    i64::try_from(count).unwrap_or(i64::MAX)
}

/// What [`LeakCheck::measure`](super::LeakCheck::measure) saw. Its accessors
/// speak of the deciding round: the first unchanged one, or the last one
/// measured.
#[derive(Debug, Clone)]
pub struct LeakReport {
    n: usize,
    warm_up: usize,
    after_warm_up: Heap,
    rounds: Vec<Round>,
}

impl LeakReport {
    /// A report of `rounds` (at least one).
    pub(crate) fn new(n: usize, warm_up: usize, after_warm_up: Heap, rounds: Vec<Round>) -> Self {
        assert!(!rounds.is_empty(), "a measurement has at least one round");
        Self {
            n,
            warm_up,
            after_warm_up,
            rounds,
        }
    }

    /// N, the requests per round.
    pub fn n(&self) -> usize {
        self.n
    }

    /// The heap after the warm-up.
    pub fn after_warm_up(&self) -> Heap {
        self.after_warm_up
    }

    /// Every round measured, in order (at least one).
    pub fn rounds(&self) -> &[Round] {
        &self.rounds
    }

    /// The deciding round: the first unchanged one, or else the last.
    pub fn round(&self) -> &Round {
        self.rounds
            .last()
            .expect("a measurement has at least one round")
    }

    /// Live blocks each request of the deciding round left behind.
    pub fn per_request_blocks(&self) -> f64 {
        self.round().live_blocks_growth() as f64 / self.n as f64
    }

    /// Live bytes each request of the deciding round left behind.
    pub fn per_request_bytes(&self) -> f64 {
        self.round().live_bytes_growth() as f64 / self.n as f64
    }

    /// Allocations per request in the deciding round, freed or not: what a
    /// request costs, and proof that the counter counts.
    pub fn allocations_per_request(&self) -> f64 {
        self.round().allocations() as f64 / self.n as f64
    }

    /// Whether some round left the live heap exactly as it found it.
    pub fn has_unchanged_round(&self) -> bool {
        self.rounds.iter().any(Round::is_unchanged)
    }

    /// `Ok` if some round left the live heap exactly as it found it (same
    /// blocks, same bytes); else the [`Leak`], blocks and bytes per request.
    pub fn check(&self) -> Result<(), Leak> {
        if self.has_unchanged_round() {
            Ok(())
        } else {
            Err(Leak {
                report: self.clone(),
            })
        }
    }

    /// Panics with the [`Leak`]'s message unless some round left the live
    /// heap exactly as it found it.
    #[track_caller]
    pub fn assert_no_growth(&self) {
        if let Err(leak) = self.check() {
            panic!("{leak}");
        }
    }

    /// Panics unless every round (all of them measured: none unchanged) grew
    /// by at least `blocks` live blocks per request, and by some bytes: a
    /// negative control's proof that the measurement sees a leak.
    #[track_caller]
    pub fn assert_leaks(&self, blocks: f64) {
        let grew = |round: &Round| {
            round.live_blocks_growth() as f64 >= blocks * self.n as f64
                && round.live_bytes_growth() > 0
        };
        assert!(
            self.rounds.iter().all(grew),
            "the measurement missed a leak of {blocks:.2} blocks per request in some \
             round of N = {} requests:\n{self}",
            self.n
        );
    }
}

impl fmt::Display for LeakReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Heap { blocks, bytes, .. } = self.after_warm_up;
        writeln!(
            f,
            "after a warm-up of {} requests: {blocks} live blocks, {bytes} live bytes",
            self.warm_up
        )?;
        for (i, round) in self.rounds.iter().enumerate() {
            let n = self.n as f64;
            writeln!(
                f,
                "round {} (N = {}): live blocks {} -> {}, bytes {} -> {}; per request \
                 {:+.2} blocks, {:+.1} bytes, {:.1} allocations",
                i + 1,
                self.n,
                round.after_n.blocks,
                round.after_2n.blocks,
                round.after_n.bytes,
                round.after_2n.bytes,
                round.live_blocks_growth() as f64 / n,
                round.live_bytes_growth() as f64 / n,
                round.allocations() as f64 / n,
            )?;
        }
        Ok(())
    }
}

/// The live heap grew in every round: something kept part of each request.
#[derive(Debug, Clone)]
pub struct Leak {
    report: LeakReport,
}

impl Leak {
    /// The measurement that showed it.
    pub fn report(&self) -> &LeakReport {
        &self.report
    }
}

impl fmt::Display for Leak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let report = &self.report;
        write!(
            f,
            "the live heap grew in every one of {} rounds of N = {} requests: each request \
             left {:+.2} live blocks and {:+.1} live bytes behind in the last round. Something \
             outlives its request (a clone of the request's extensions in a cache or a \
             global, a spawned task that never ends, a channel nobody drains, a reference \
             cycle); `RetentionGuardLayer` counts which route keeps them.\n{report}",
            report.rounds.len(),
            report.n,
            report.per_request_blocks(),
            report.per_request_bytes(),
        )
    }
}

impl std::error::Error for Leak {}
