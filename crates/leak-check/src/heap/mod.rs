//! The test helper: the live heap after N requests must be exactly the live
//! heap after N more, counted by [`dhat`].
//!
//! Rules of use, all checked where they can be:
//!
//! - The test binary counts with dhat, in one line (no `unsafe`):
//!   `#[global_allocator] static ALLOC: crocodile_leak_check::dhat::Alloc =
//!   crocodile_leak_check::dhat::Alloc;`. With no allocation counted at all,
//!   [`LeakCheck::measure`] panics naming the missing line.
//! - **One measured test per test binary.** dhat's profiler and counters are
//!   process-wide: the allocations of any test running beside the measured
//!   one would be counted with it. [`LeakCheck`] starts the profiler itself
//!   and a second measurement in the same process panics saying so (put each
//!   measured test in a file of its own under `tests/`).
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

mod check;
mod profiler;
mod report;

pub use check::LeakCheck;
pub use report::{Heap, Leak, LeakReport, Round};
