//! `NUMBER()`: Fluent's options, rounded so that plurals agree with the digits shown.

use fixed_decimal::{Decimal, FloatPrecision};
use fluent_bundle::FluentArgs;
use fluent_bundle::types::{FluentNumber, FluentNumberStyle, FluentValue};

use super::{MAX_DIGITS, round};

/// `NUMBER($n, ...)`: merges the options (Fluent's names: `style`,
/// `minimumFractionDigits`, `maximumFractionDigits`, `useGrouping`,
/// `minimumIntegerDigits`, `type`), multiplies a percent by 100, then rounds
/// to the fraction digits it will show (ECMA-402's defaults: at most 3, or
/// 0 for a percent) and records them, so the value Fluent selects a plural
/// category (or an exact key such as `[0]`) with is the one shown: `1.0` with `maximumFractionDigits: 0`
/// is `1` and `[one]`; `1` with `minimumFractionDigits: 1` is `1.0` and,
/// in English, `[other]`.
///
/// The fraction digits an argument brings (Fluent keeps those of a number
/// parsed from a string: `"1.50"` shows two) are a minimum that an explicit
/// `maximumFractionDigits` lowers, as written options win.
///
/// A number whose style already is `percent` holds the percentage shown,
/// so `NUMBER(NUMBER($r, style: "percent"))` does not multiply twice. A
/// non-number argument is Fluent's error value, as with its own `NUMBER`.
pub(super) fn number<'a>(
    positional: &[FluentValue<'a>],
    named: &FluentArgs<'_>,
) -> FluentValue<'a> {
    let Some(FluentValue::Number(input)) = positional.first() else {
        return FluentValue::Error;
    };
    let mut number = input.clone();
    number.options.merge(named);
    let Ok(mut decimal) = Decimal::try_from_f64(number.value, FloatPrecision::RoundTrip) else {
        // NaN and infinities: nothing to round.
        return FluentValue::Number(number);
    };
    let percent = number.options.style == FluentNumberStyle::Percent;
    let scaled = percent && input.options.style != FluentNumberStyle::Percent;
    if scaled {
        decimal.multiply_pow10(2);
    }
    let options = &mut number.options;
    let named_min = named.get("minimumFractionDigits").is_some();
    let named_max = named.get("maximumFractionDigits").is_some();
    let mut min = options.minimum_fraction_digits.unwrap_or(0).min(MAX_DIGITS);
    if !named_min {
        // An argument's own digits (`"0.256"` from a string keeps three):
        // a percentage shows two fewer, and an explicit maximum wins.
        if scaled {
            min = min.saturating_sub(2);
        }
        if named_max {
            min = min.min(options.maximum_fraction_digits.unwrap_or(MAX_DIGITS));
        }
    }
    let default_max = if percent { 0 } else { 3 };
    // A minimum named in the call wins over a smaller maximum.
    let max = options
        .maximum_fraction_digits
        .unwrap_or(default_max)
        .clamp(min, MAX_DIGITS);
    round(&mut decimal, max);
    let fraction = usize::from(
        decimal
            .absolute
            .nonzero_magnitude_end()
            .min(0)
            .unsigned_abs(),
    );
    let shown = fraction.max(min);
    // The value now holds exactly the digits to show; the minimum keeps the
    // trailing zeros (`1.0`, the plural operand `v`). Nothing else is set,
    // so a rounded integer still matches an exact variant key (`[1]`).
    options.minimum_fraction_digits = (shown > 0).then_some(shown);
    options.maximum_fraction_digits = None;
    options.minimum_integer_digits = options.minimum_integer_digits.map(|d| d.min(MAX_DIGITS));
    number.value = decimal.to_string().parse().unwrap_or(number.value);
    FluentValue::Number(FluentNumber::new(number.value, number.options))
}
