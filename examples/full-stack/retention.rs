//! The retention guard of the example: every request carries a token, and
//! `GET /context` answers how many requests are still held past
//! `CROCODILE_RETENTION_AGE` after their response (`retained_requests`,
//! 0 unless something in the stack keeps requests).

use std::time::Duration;

use crocodile_leak_check::RetentionGuardLayer;

use super::config::{number_with_unit, var};

/// `CROCODILE_RETENTION_AGE`, default `30s`: how long after its response a
/// request may still be held before it counts as retained.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RetentionSettings {
    pub(crate) age: Duration,
}

impl RetentionSettings {
    pub(crate) fn from_lookup(lookup: &impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let age = var(lookup, "CROCODILE_RETENTION_AGE", "30s", parse_age)?;
        Ok(Self { age })
    }
}

/// A whole number with a unit: `0s`, `500ms`, `30s`, `5m`, `1h`.
fn parse_age(value: &str) -> Result<Duration, String> {
    let expected =
        "expected a whole number with a unit, such as `0s`, `500ms`, `30s`, `5m` or `1h`";
    let units = [("ms", 1), ("s", 1_000), ("m", 60_000), ("h", 3_600_000)];
    number_with_unit(value.trim(), &units)
        .map(Duration::from_millis)
        .ok_or_else(|| expected.to_owned())
}

/// The guard, outermost in the router's stack so its token is in the
/// extensions before any layer or handler could keep them. It warns (at
/// most once a minute) with the count and the route that keeps requests.
pub(crate) fn guard(settings: &RetentionSettings) -> RetentionGuardLayer {
    RetentionGuardLayer::new().age(settings.age)
}
