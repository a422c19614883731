//! Decimal helpers shared by the rules: display rounding, guarded division, mean, square root.

use rust_decimal::{Decimal, RoundingStrategy};

/// Money to the cent, half away from zero (`0.005 → 0.01`, `-0.005 → -0.01`).
pub fn round_money(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A rate in percent (or in points) to two decimals, half away from zero.
pub fn round_rate(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A coefficient to four decimals, half away from zero.
pub fn round_coefficient(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(4, RoundingStrategy::MidpointAwayFromZero)
}

/// A number of days to one decimal, half away from zero.
pub(super) fn round_days(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero)
}

/// `numerator / denominator`, or `None` when the denominator is zero (DESIGN §5: no value, never 0).
pub(super) fn ratio(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    numerator.checked_div(denominator)
}

/// `100 × numerator / denominator`, or `None` when the denominator is zero. Multiplying first keeps
/// the numerator exact.
pub(super) fn percent(numerator: Decimal, denominator: Decimal) -> Option<Decimal> {
    ratio(numerator * Decimal::ONE_HUNDRED, denominator)
}

/// Arithmetic mean, `None` for no values.
pub(super) fn mean(values: &[Decimal]) -> Option<Decimal> {
    ratio(values.iter().sum(), Decimal::from(values.len()))
}

/// Sample standard deviation as T-SQL `STDEV` computes it (denominator n − 1); `None` below two values.
pub(super) fn sample_std_dev(values: &[Decimal]) -> Option<Decimal> {
    if values.len() < 2 {
        return None;
    }
    let mean = mean(values)?;
    let squares: Decimal = values.iter().map(|value| (value - mean) * (value - mean)).sum();
    sqrt(ratio(squares, Decimal::from(values.len() - 1))?)
}

/// Square root by Newton's iteration on `Decimal` (about 28 significant digits); `None` for a negative
/// value. Going through `f64` would cap the result at 15–17 digits.
pub(super) fn sqrt(value: Decimal) -> Option<Decimal> {
    if value.is_sign_negative() && !value.is_zero() {
        return None;
    }
    if value.is_zero() {
        return Some(Decimal::ZERO);
    }
    // (value + 1) / 2 is at or above the root (arithmetic–geometric mean inequality), written so that it
    // cannot overflow. From above the root the iterates decrease; the first one that does not means
    // decimal rounding has reached its floor. The cap only guards against a pathological cycle.
    let half = Decimal::new(5, 1);
    let mut root = value * half + half;
    for _ in 0..200 {
        let next = (root + value / root) * half;
        if next >= root {
            break;
        }
        root = next;
    }
    Some(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    #[test]
    fn rounding_goes_half_away_from_zero() {
        assert_eq!(round_money(d("2.345")), d("2.35"));
        assert_eq!(round_money(d("-2.345")), d("-2.35"));
        assert_eq!(round_money(d("2.3449")), d("2.34"));
        assert_eq!(round_rate(d("12.005")), d("12.01"));
        assert_eq!(round_coefficient(d("1.42855")), d("1.4286"));
        assert_eq!(round_coefficient(d("-0.00005")), d("-0.0001"));
        assert_eq!(round_days(d("12.25")), d("12.3"));
    }

    #[test]
    fn division_by_zero_gives_no_value() {
        assert_eq!(ratio(d("1"), Decimal::ZERO), None);
        assert_eq!(percent(d("1"), Decimal::ZERO), None);
        assert_eq!(percent(d("1"), d("3")).map(round_rate), Some(d("33.33")));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn square_roots_are_exact_to_many_digits() {
        assert_eq!(sqrt(d("0.04")).map(|root| root.round_dp(20)), Some(d("0.2")));
        assert_eq!(sqrt(d("144")).map(|root| root.round_dp(20)), Some(d("12")));
        assert_eq!(sqrt(Decimal::ZERO), Some(Decimal::ZERO));
        assert_eq!(sqrt(d("-1")), None);
        // √2 = 1.41421356237309504880168872420969807…
        assert_eq!(sqrt(d("2")).map(|root| root.round_dp(26)), Some(d("1.41421356237309504880168872")));
        // Large and tiny values converge too.
        assert_eq!(sqrt(Decimal::MAX).map(|root| root.round()), Some(d("281474976710656")));
        assert_eq!(sqrt(d("0.0000000001")).map(|root| root.round_dp(20)), Some(d("0.00001")));
    }

    #[test]
    fn standard_deviation_matches_tsql_stdev() {
        // Mean 1.4; squared deviations 0.04 + 0 + 0.04 = 0.08; 0.08 / (3 − 1) = 0.04; √0.04 = 0.2.
        let values = [d("1.2"), d("1.4"), d("1.6")];
        assert_eq!(sample_std_dev(&values).map(round_coefficient), Some(d("0.2")));
        assert_eq!(sample_std_dev(&[d("1.5")]), None);
        assert_eq!(sample_std_dev(&[]), None);
        assert_eq!(sample_std_dev(&[d("1.5"), d("1.5")]), Some(Decimal::ZERO));
    }
}
