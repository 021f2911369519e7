//! Placeholder until the per-request benchmark lands.
fn main() {}
