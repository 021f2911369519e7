#![cfg_attr(all(feature = "axum", feature = "heap"), doc = include_str!("../README.md"))]
#![cfg_attr(
    not(all(feature = "axum", feature = "heap")),
    doc = "Leak checks for tower and axum stacks: see the README (its examples use the `axum` and `heap` features)."
)]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(feature = "heap")]
#[cfg_attr(docsrs, doc(cfg(feature = "heap")))]
pub mod heap;
pub mod retention;

/// The heap profiler [`LeakCheck`] counts with, re-exported so a test binary
/// declares its allocator without a dependency of its own.
#[cfg(feature = "heap")]
#[cfg_attr(docsrs, doc(cfg(feature = "heap")))]
pub use dhat;
#[cfg(feature = "heap")]
#[cfg_attr(docsrs, doc(cfg(feature = "heap")))]
pub use heap::{Leak, LeakCheck, LeakReport};
pub use retention::{RetentionGuardLayer, RetentionHandle, RetentionToken};
