//! RFC 3339 timestamps (`2024-05-01T12:34:56.789Z`) for
//! [`BaseContext::received_at`](crate::BaseContext::received_at), without a
//! date-time dependency.
//!
//! # Example
//!
//! ```
//! use std::time::{Duration, UNIX_EPOCH};
//! use crocodile_base_context::Rfc3339;
//!
//! let at = UNIX_EPOCH + Duration::from_millis(1_714_566_896_789);
//! assert_eq!(Rfc3339::new(at).to_string(), "2024-05-01T12:34:56.789Z");
//! ```

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// Formats a [`SystemTime`] as an RFC 3339 UTC timestamp with milliseconds.
///
/// `Display` writes straight into the formatter: no allocation unless you
/// call `to_string()`. Times before 1970 are written correctly; years past
/// 9999 are written with more digits than RFC 3339 allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rfc3339(SystemTime);

impl Rfc3339 {
    /// Wraps `time` for formatting.
    pub fn new(time: SystemTime) -> Self {
        Self(time)
    }

    /// The wrapped time.
    pub fn time(&self) -> SystemTime {
        self.0
    }
}

impl From<SystemTime> for Rfc3339 {
    fn from(time: SystemTime) -> Self {
        Self(time)
    }
}

impl fmt::Display for Rfc3339 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole milliseconds since the epoch, rounded towards the past.
        let millis: i128 = match self.0.duration_since(UNIX_EPOCH) {
            Ok(after) => i128::try_from(after.as_millis()).unwrap_or(i128::MAX),
            Err(before) => {
                let d = before.duration();
                let ms = i128::try_from(d.as_millis()).unwrap_or(i128::MAX);
                -ms - i128::from(d.subsec_nanos() % 1_000_000 != 0)
            }
        };
        let secs = millis.div_euclid(1000);
        let ms = millis.rem_euclid(1000);
        let days = secs.div_euclid(86_400);
        let sod = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{ms:03}Z",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )
    }
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a proleptic
/// Gregorian (year, month, day).
fn civil_from_days(days: i128) -> (i128, i128, i128) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i128::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn known_instants() {
        let cases: &[(i64, &str)] = &[
            (0, "1970-01-01T00:00:00.000Z"),
            (951_782_400_000, "2000-02-29T00:00:00.000Z"),
            (951_868_799_999, "2000-02-29T23:59:59.999Z"),
            (1_709_251_199_000, "2024-02-29T23:59:59.000Z"),
            (4_102_444_800_000, "2100-01-01T00:00:00.000Z"),
            (253_402_300_799_999, "9999-12-31T23:59:59.999Z"),
            (-1, "1969-12-31T23:59:59.999Z"),
            (-86_400_000, "1969-12-31T00:00:00.000Z"),
            (-2_208_988_800_000, "1900-01-01T00:00:00.000Z"),
        ];
        for (millis, want) in cases {
            let time = if *millis >= 0 {
                UNIX_EPOCH + Duration::from_millis(millis.unsigned_abs())
            } else {
                UNIX_EPOCH - Duration::from_millis(millis.unsigned_abs())
            };
            assert_eq!(Rfc3339::new(time).to_string(), *want, "{millis}");
        }
        // Sub-millisecond parts are cut, towards the past.
        let before = UNIX_EPOCH - Duration::from_micros(1);
        assert_eq!(Rfc3339::new(before).to_string(), "1969-12-31T23:59:59.999Z");
        let after = UNIX_EPOCH + Duration::from_micros(1_999);
        assert_eq!(Rfc3339::new(after).to_string(), "1970-01-01T00:00:00.001Z");
    }

    #[test]
    fn every_day_of_four_centuries_is_consecutive() {
        let mut previous = (1969, 12, 31);
        for days in 0..146_097 {
            let (y, m, d) = civil_from_days(days);
            let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            let month_len = [
                31,
                28 + i128::from(leap),
                31,
                30,
                31,
                30,
                31,
                31,
                30,
                31,
                30,
                31,
            ];
            assert!(d <= month_len[(m - 1) as usize], "{:?}", (y, m, d));
            let next_day = (previous.0, previous.1, previous.2 + 1);
            let next_month = (previous.0, previous.1 + 1, 1);
            let next_year = (previous.0 + 1, 1, 1);
            assert!(
                [next_day, next_month, next_year].contains(&(y, m, d)),
                "{previous:?} -> {:?}",
                (y, m, d)
            );
            previous = (y, m, d);
        }
        assert_eq!(previous, (2369, 12, 31));
    }
}
