//! Locale-aware numbers (the `icu` feature): every number a message shows,
//! and Fluent's `NUMBER()`, formatted by ICU4X with the locale's CLDR data.
//!
//! fluent-bundle prints numbers the same in every locale (`1234.5`,
//! fluent-rs #269). With this feature each catalog locale gets ICU4X
//! decimal formatters (grouping, separators, the locale's digits where CLDR
//! says so: `1,234.5` in `en`, `1.234,5` in `de`, `1 234,5` in `fr` with
//! U+202F, `12,34,567` in `hi`, Arabic-Indic digits in `ar`), installed with
//! `FluentBundle::set_formatter`, and a `NUMBER()` function that understands
//! `minimumFractionDigits`, `maximumFractionDigits`, `useGrouping` and
//! `style: "percent"`.
//!
//! Plural selection stays Fluent's (numeric), and it agrees with the digits
//! shown: `NUMBER()` rounds the value first and records the fraction digits
//! it shows, so `NUMBER($n, maximumFractionDigits: 0)` with `1.2` shows `1`
//! and selects `[one]`, and `NUMBER($n, minimumFractionDigits: 1)` with `1`
//! shows `1.0` and selects `[other]` in English. A plain `{ $n }` is shown
//! with all its digits, as Fluent does, so a selector on it agrees too.
//!
//! # Example
//! ```
//! use std::sync::Arc;
//! use crocodile_i18n::{Catalog, FluentArgs, Localizer};
//!
//! let ftl = "total = { $n }\nrounded = { NUMBER($n, maximumFractionDigits: 0) ->\n    [one] { NUMBER($n, maximumFractionDigits: 0) } item\n   *[other] { NUMBER($n, maximumFractionDigits: 0) } items\n}\n";
//! let catalog = Arc::new(
//!     Catalog::builder()
//!         .default_locale("en")
//!         .use_isolating(false)
//!         .source("en", "m.ftl", ftl)
//!         .source("fr", "m.ftl", ftl)
//!         .build()
//!         .unwrap(),
//! );
//! let mut args = FluentArgs::new();
//! args.set("n", 1234.5);
//! let fr = Localizer::new(Arc::clone(&catalog), "fr").unwrap();
//! assert_eq!(fr.format("total", &args), "1\u{202f}234,5");
//! args.set("n", 1.2);
//! let en = Localizer::new(catalog, "en").unwrap();
//! assert_eq!(en.format("rounded", &args), "1 item");
//! ```

mod function;
mod percent;
mod percent_data;

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::Arc;

use fixed_decimal::{Decimal, FloatPrecision, SignedRoundingMode, UnsignedRoundingMode};
use fluent_bundle::FluentResource;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberStyle, FluentValue};
use icu_decimal::DecimalFormatter;
use icu_decimal::options::{DecimalFormatterOptions, GroupingStrategy};
use unic_langid::LanguageIdentifier;

/// The most fraction (and integer) digits an option may ask for: beyond
/// them an `f64` has no digits left to show, and fluent-bundle's plural
/// operands overflow (`10^digits` in a `u64`).
pub(crate) const MAX_DIGITS: usize = 15;

/// One locale's number formatters, built once with its catalog.
#[derive(Debug)]
pub(crate) struct LocaleNumbers {
    grouped: DecimalFormatter,
    ungrouped: DecimalFormatter,
    percent: percent::Affixes,
}

impl LocaleNumbers {
    /// The formatters for `id`; ICU4X falls back through its parents to
    /// the root locale, so every language tag gets some data.
    fn new(id: &LanguageIdentifier) -> Option<Self> {
        let locale = icu_locale_core::Locale::try_from_str(&id.to_string()).ok()?;
        let with = |grouping| {
            let options = DecimalFormatterOptions::from(grouping);
            DecimalFormatter::try_new((&locale).into(), options).ok()
        };
        let grouped = with(GroupingStrategy::Auto)?;
        let ungrouped = with(GroupingStrategy::Never)?;
        let percent = percent::affixes(&locale);
        Some(Self {
            grouped,
            ungrouped,
            percent,
        })
    }

    /// `number` as this locale writes it; `None` (Fluent's own formatting)
    /// for NaN and infinities.
    fn format(&self, number: &FluentNumber) -> Option<String> {
        let options = &number.options;
        let mut decimal = Decimal::try_from_f64(number.value, FloatPrecision::RoundTrip).ok()?;
        if let Some(max) = options.maximum_fraction_digits {
            round(&mut decimal, max.min(MAX_DIGITS));
        }
        if let Some(min) = options.minimum_fraction_digits {
            decimal.absolute.pad_end(-(min.min(MAX_DIGITS) as i16));
        }
        if let Some(min) = options.minimum_integer_digits {
            decimal.absolute.pad_start(min.clamp(1, MAX_DIGITS) as i16);
        }
        let formatter = if options.use_grouping {
            &self.grouped
        } else {
            &self.ungrouped
        };
        let formatted = formatter.format(&decimal);
        let (prefix, suffix) = match (options.style, &options.currency) {
            (FluentNumberStyle::Percent, _) => self.percent,
            // No currency data in ICU4X's stable crates yet: the code follows
            // the number, so the amount is never shown without its unit.
            (FluentNumberStyle::Currency, Some(code)) => {
                return Some(format!("{formatted}\u{a0}{code}"));
            }
            _ => ("", ""),
        };
        let mut out = String::with_capacity(prefix.len() + suffix.len() + 16);
        out.push_str(prefix);
        let _ = write!(out, "{formatted}");
        out.push_str(suffix);
        Some(out)
    }
}

/// Rounds half away from zero at `digits` fraction digits (ECMA-402's
/// `halfExpand`, what `Intl.NumberFormat` and ICU do by default) and drops
/// the fraction's trailing zeros.
pub(super) fn round(decimal: &mut Decimal, digits: usize) {
    decimal.round_with_mode(
        -(digits as i16),
        SignedRoundingMode::Unsigned(UnsignedRoundingMode::HalfExpand),
    );
    decimal.absolute.trim_end();
}

thread_local! {
    /// The formatters of the locale whose bundle this thread is formatting
    /// with. fluent-bundle's formatter hook is a plain `fn` that only sees
    /// the bundle's memoizer, whose cache is behind a mutex; the
    /// [`Localizer`](crate::Localizer) names the locale here instead, so a
    /// number costs no lock. Kept between calls: in steady state selecting
    /// is a pointer comparison.
    static CURRENT: RefCell<Option<Arc<LocaleNumbers>>> = const { RefCell::new(None) };
}

/// Makes `numbers` the formatters of this thread's next `format_pattern`;
/// `None` (a locale ICU4X made none for) leaves numbers to Fluent.
pub(crate) fn select(numbers: Option<&Arc<LocaleNumbers>>) {
    CURRENT.with(|current| {
        let mut current = current.borrow_mut();
        let same = match (current.as_ref(), numbers) {
            (Some(current), Some(numbers)) => Arc::ptr_eq(current, numbers),
            (None, None) => true,
            _ => false,
        };
        if !same {
            *current = numbers.cloned();
        }
    });
}

/// fluent-bundle's formatter hook: numbers through the selected locale's
/// formatters, everything else (strings) as Fluent writes it.
fn format_value<M>(value: &FluentValue<'_>, _: &M) -> Option<String> {
    let FluentValue::Number(number) = value else {
        return None;
    };
    CURRENT.with(|current| current.borrow().as_ref()?.format(number))
}

/// Gives `bundle` (of locale `id`) locale-aware numbers and `NUMBER()`;
/// returns the formatters for [`select`]. `None` if ICU4X cannot make
/// formatters for `id` (then Fluent's own formatting and `NUMBER()` stay).
pub(crate) fn install(
    bundle: &mut FluentBundle<FluentResource>,
    id: &LanguageIdentifier,
) -> Option<Arc<LocaleNumbers>> {
    let numbers = Arc::new(LocaleNumbers::new(id)?);
    bundle.set_formatter(Some(format_value));
    // A fresh bundle has no functions: this cannot collide.
    let _ = bundle.add_function("NUMBER", function::number);
    Some(numbers)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn numbers(tag: &str) -> LocaleNumbers {
        LocaleNumbers::new(&tag.parse().unwrap()).unwrap()
    }

    #[test]
    fn rounding_is_half_away_from_zero_and_trims() {
        let en = numbers("en");
        let row = |value: f64, max: usize| {
            let mut number = FluentNumber::from(value);
            number.options.maximum_fraction_digits = Some(max);
            en.format(&number).unwrap()
        };
        assert_eq!(row(2.5, 0), "3");
        assert_eq!(row(-2.5, 0), "-3");
        assert_eq!(row(1.005, 2), "1.01"); // the shortest digits of the f64, as ICU
        assert_eq!(row(1.5, 3), "1.5");
        assert_eq!(row(0.0001, 3), "0");
    }

    #[test]
    fn not_a_number_is_left_to_fluent() {
        assert_eq!(numbers("en").format(&FluentNumber::from(f64::NAN)), None);
        assert_eq!(
            numbers("en").format(&FluentNumber::from(f64::INFINITY)),
            None
        );
    }

    #[test]
    fn selecting_none_leaves_numbers_to_fluent() {
        let value = FluentValue::from(1234.5);
        let fr = Arc::new(numbers("fr"));
        select(Some(&fr));
        assert_eq!(format_value(&value, &()).as_deref(), Some("1\u{202f}234,5"));
        select(None);
        assert_eq!(format_value(&value, &()), None);
        assert_eq!(format_value(&FluentValue::from("text"), &()), None);
    }

    #[test]
    fn options_are_clamped() {
        let mut number = FluentNumber::from(1.0);
        number.options.minimum_fraction_digits = Some(1_000_000);
        number.options.minimum_integer_digits = Some(1_000_000);
        let shown = numbers("en").format(&number).unwrap();
        assert_eq!(shown.len(), 15 + 4 + 1 + 15); // 15 digits, 4 commas, a point, 15 digits
    }
}
