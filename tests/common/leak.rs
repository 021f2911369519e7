//! Leak checks with dhat: after a warm-up, the live heap after 2N requests
//! must be exactly the live heap after N.
//!
//! Self-contained (`std` and `dhat` only), so it can become a crate of its
//! own. Rules of use, all checked where they can be:
//!
//! - The test binary counts with dhat:
//!   `#[global_allocator] static ALLOC: dhat::Alloc = dhat::Alloc;`, and the
//!   test starts the profiler before measuring:
//!   `let _profiler = dhat::Profiler::builder().testing().build();`.
//!   Without a running profiler [`LeakCheck::measure`] panics saying so; with
//!   no allocation counted at all it panics naming the missing allocator.
//! - **One measured test per test binary.** dhat's profiler and counters are
//!   process-wide: a second profiler in the same process panics, and the
//!   allocations of any test running beside the measured one are counted
//!   with it.
//! - The requests must all be done (responses read, connections idle) when
//!   `send` returns: what is still in flight is counted as live.
//!
//! # Why up to three rounds
//!
//! A leak grows the live heap in every round. A block another thread takes
//! during one measurement (the test harness, a runtime's worker, on a loaded
//! machine) does not recur. So the snapshots after N, 2N, 3N and 4N requests
//! give up to three rounds (N -> 2N, 2N -> 3N, 3N -> 4N), measuring stops at
//! the first round whose live heap did not change at all, and
//! [`LeakReport::assert_no_growth`] requires one such round, while
//! [`LeakReport::assert_leaks`] (for a negative control) requires growth in
//! every round.
//!
//! # Example
//!
//! ```ignore
//! #[global_allocator]
//! static ALLOC: dhat::Alloc = dhat::Alloc;
//!
//! #[tokio::test]
//! async fn the_stack_does_not_leak() {
//!     let _profiler = dhat::Profiler::builder().testing().build();
//!     let router = app();
//!     let report = LeakCheck::new(2_000)
//!         .warm_up(20)
//!         .measure(async |count| {
//!             for _ in 0..count {
//!                 send(&router, request()).await;
//!             }
//!         })
//!         .await;
//!     eprintln!("{report}");
//!     report.assert_no_growth();
//! }
//! ```

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
    /// dhat's counters now; panics, saying what is missing, if no
    /// `dhat::Profiler` is running.
    pub fn now() -> Self {
        let Ok(stats) = std::panic::catch_unwind(dhat::HeapStats::get) else {
            panic!(
                "LeakCheck needs a running dhat heap profiler: start one at the top of the \
                 test (`let _profiler = dhat::Profiler::builder().testing().build();`), with \
                 `#[global_allocator] static ALLOC: dhat::Alloc = dhat::Alloc;` in the test \
                 binary, and only one measured test per test binary (dhat's profiler is \
                 process-wide)"
            )
        };
        Self {
            blocks: stats.curr_blocks,
            bytes: stats.curr_bytes,
            total_blocks: stats.total_blocks,
        }
    }
}

/// What to measure: `n` requests per step, after `warm_up` requests, for at
/// most `max_rounds` rounds.
#[derive(Debug, Clone, Copy)]
#[must_use]
pub struct LeakCheck {
    n: usize,
    warm_up: usize,
    max_rounds: usize,
}

impl LeakCheck {
    /// Compares the live heap after `n` requests with the live heap after `n`
    /// more; no warm-up, at most three rounds. Panics if `n` is 0.
    pub fn new(n: usize) -> Self {
        assert!(n > 0, "LeakCheck::new: N must be at least 1 request");
        Self {
            n,
            warm_up: 0,
            max_rounds: 3,
        }
    }

    /// Sends `requests` requests before the first snapshot, so lazy statics,
    /// pools and caches are filled before anything is counted.
    pub fn warm_up(self, requests: usize) -> Self {
        Self {
            warm_up: requests,
            ..self
        }
    }

    /// Measures at most `rounds` rounds (three by default). Panics if
    /// `rounds` is 0.
    pub fn max_rounds(self, rounds: usize) -> Self {
        assert!(rounds > 0, "LeakCheck::max_rounds: at least 1 round");
        Self {
            max_rounds: rounds,
            ..self
        }
    }

    /// Runs the measurement: `send(count)` must send `count` requests and
    /// return once they are all done. Stops at the first round whose live
    /// heap did not change.
    pub async fn measure(self, mut send: impl AsyncFnMut(usize)) -> LeakReport {
        // Fails clearly before any request if no profiler is running.
        Heap::now();
        // Allocated before the first snapshot, so the report's own blocks
        // are not counted as the requests'.
        let mut rounds = Vec::with_capacity(self.max_rounds);
        if self.warm_up > 0 {
            send(self.warm_up).await;
        }
        let after_warm_up = Heap::now();
        send(self.n).await;
        let mut after_n = Heap::now();
        assert!(
            after_n.total_blocks > 0,
            "dhat counted no allocation at all during the warm-up and {} requests: is \
             `#[global_allocator] static ALLOC: dhat::Alloc = dhat::Alloc;` in the test binary?",
            self.n
        );
        while rounds.len() < self.max_rounds {
            send(self.n).await;
            let after_2n = Heap::now();
            let round = Round { after_n, after_2n };
            rounds.push(round);
            if round.is_unchanged() {
                break;
            }
            after_n = after_2n;
        }
        LeakReport {
            n: self.n,
            warm_up: self.warm_up,
            after_warm_up,
            rounds,
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
    i64::try_from(count).expect("a heap count fits in i64")
}

/// What [`LeakCheck::measure`] saw. Its accessors speak of the deciding
/// round: the first unchanged one, or the last one measured.
#[derive(Debug, Clone)]
pub struct LeakReport {
    n: usize,
    warm_up: usize,
    after_warm_up: Heap,
    rounds: Vec<Round>,
}

impl LeakReport {
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
            .expect("measure records at least one round")
    }

    /// Live blocks after the deciding round's first N requests.
    pub fn live_blocks_after_n(&self) -> usize {
        self.round().after_n.blocks
    }

    /// Live bytes after the deciding round's first N requests.
    pub fn live_bytes_after_n(&self) -> usize {
        self.round().after_n.bytes
    }

    /// Live blocks after the deciding round's N more requests.
    pub fn live_blocks_after_2n(&self) -> usize {
        self.round().after_2n.blocks
    }

    /// Live bytes after the deciding round's N more requests.
    pub fn live_bytes_after_2n(&self) -> usize {
        self.round().after_2n.bytes
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

    /// Panics unless some round left the live heap exactly as it found it
    /// (same blocks, same bytes); the message gives blocks and bytes per
    /// request of every round.
    pub fn assert_no_growth(&self) {
        assert!(
            self.has_unchanged_round(),
            "the live heap changed in every one of {} rounds of N = {} requests:\n{self}",
            self.rounds.len(),
            self.n
        );
    }

    /// Panics unless every round (all of them measured: none unchanged) grew
    /// by at least `blocks` live blocks per request, and by some bytes: the
    /// negative control's proof that the measurement sees a leak.
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
