//! Pure text formatting of numbers, dates and booleans, French and machine-readable.
//!
//! Every decimal goes through [`plain`]: rounded half away from zero ("half-up" as accountants
//! mean it, so `-0,005 €` becomes `-0,01 €`), padded to its scale, never `-0`. The other
//! functions only dress that text.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::{Decimal, RoundingStrategy};

/// Thousands separator and the space before `€` and `%` in tables: the no-break space U+00A0.
///
/// French typography prefers the narrow no-break space U+202F, but the Windows console fonts
/// Batigest users often have (Consolas, Lucida Console) lack it and fall back to another font,
/// which breaks column alignment; U+00A0 is in every font. Both keep `12 345,67 €` on one line
/// when a table wraps.
pub const SPACE: char = '\u{a0}';

/// `value` rounded half-up to `scale` decimals, with a `.` and no grouping: `-1234.50`.
/// The text of CSV and JSON numbers.
pub fn plain(value: Decimal, scale: u32) -> String {
    let mut rounded = value.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    let text = rounded.to_string();
    let (integer, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::with_capacity(integer.len() + 1 + scale as usize);
    out.push_str(integer);
    if scale > 0 {
        out.push('.');
        out.push_str(fraction);
        out.extend(std::iter::repeat_n('0', scale as usize - fraction.len()));
    }
    out
}

/// Like [`plain`] with a decimal comma and no grouping, `-1234,50`: what French Excel reads as
/// a number.
pub fn comma(value: Decimal, scale: u32) -> String {
    plain(value, scale).replacen('.', ",", 1)
}

/// French display of a decimal: `-12 345,5000` at scale 4.
pub fn decimal_fr(value: Decimal, scale: u32) -> String {
    let text = plain(value, scale);
    let (sign, unsigned) = text.strip_prefix('-').map_or(("", text.as_str()), |rest| ("-", rest));
    let (integer, fraction) = unsigned.split_once('.').map_or((unsigned, None), |(i, f)| (i, Some(f)));
    let mut out = String::with_capacity(text.len() + integer.len() / 3 * SPACE.len_utf8());
    out.push_str(sign);
    for (index, digit) in integer.chars().enumerate() {
        if index > 0 && (integer.len() - index).is_multiple_of(3) {
            out.push(SPACE);
        }
        out.push(digit);
    }
    if let Some(fraction) = fraction {
        out.push(',');
        out.push_str(fraction);
    }
    out
}

/// An amount in euros, rounded half-up to the cent: `-1 234,50 €`.
pub fn money(value: Decimal) -> String {
    let mut out = decimal_fr(value, 2);
    out.push(SPACE);
    out.push('€');
    out
}

/// A percentage given in points (`42.857` is 42,857 %): `42,86 %` at scale 2.
pub fn percent(value: Decimal, scale: u32) -> String {
    let mut out = decimal_fr(value, scale);
    out.push(SPACE);
    out.push('%');
    out
}

/// `31/01/2024`
pub fn date_fr(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// `31/01/2024 10:15`: minutes are enough to read, and what Excel shows by default.
pub fn date_time_fr(date_time: NaiveDateTime) -> String {
    date_time.format("%d/%m/%Y %H:%M").to_string()
}

/// `2024-01-31`
pub fn date_iso(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

/// `2024-01-31T10:15:30`: seconds, never a fraction (Batigest `datetime` columns carry
/// milliseconds nobody needs, and readers parse this shape everywhere).
pub fn date_time_iso(date_time: NaiveDateTime) -> String {
    date_time.format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `oui` / `non`
pub fn yes_no(value: bool) -> &'static str {
    if value { "oui" } else { "non" }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    fn dec(text: &str) -> Decimal {
        Decimal::from_str(text).unwrap()
    }

    #[test]
    fn money_groups_thousands_with_a_no_break_space() {
        assert_eq!(money(dec("12345.67")), "12\u{a0}345,67\u{a0}€");
        assert_eq!(money(dec("-1234.5")), "-1\u{a0}234,50\u{a0}€");
        assert_eq!(money(dec("999.99")), "999,99\u{a0}€");
        assert_eq!(money(dec("1000")), "1\u{a0}000,00\u{a0}€");
        assert_eq!(money(dec("123456789012.345")), "123\u{a0}456\u{a0}789\u{a0}012,35\u{a0}€");
        assert_eq!(money(dec("-100000")), "-100\u{a0}000,00\u{a0}€");
    }

    #[test]
    fn money_of_zero_is_never_negative() {
        assert_eq!(money(Decimal::ZERO), "0,00\u{a0}€");
        assert_eq!(money(dec("-0.00")), "0,00\u{a0}€");
        assert_eq!(money(dec("-0.004")), "0,00\u{a0}€");
        assert_eq!(plain(dec("-0.004"), 2), "0.00");
    }

    #[test]
    fn rounding_is_half_away_from_zero_at_the_last_digit() {
        assert_eq!(money(dec("0.005")), "0,01\u{a0}€");
        assert_eq!(money(dec("0.004999")), "0,00\u{a0}€");
        assert_eq!(money(dec("-0.005")), "-0,01\u{a0}€");
        assert_eq!(money(dec("2.675")), "2,68\u{a0}€");
        assert_eq!(money(dec("2.665")), "2,67\u{a0}€");
        assert_eq!(plain(dec("1.42855"), 4), "1.4286");
        assert_eq!(plain(dec("999.995"), 2), "1000.00");
    }

    #[test]
    fn decimals_are_padded_to_their_scale() {
        assert_eq!(decimal_fr(dec("1.5"), 4), "1,5000");
        assert_eq!(decimal_fr(dec("1.4286"), 4), "1,4286");
        assert_eq!(decimal_fr(dec("12345.5"), 1), "12\u{a0}345,5");
        assert_eq!(decimal_fr(dec("-7"), 0), "-7");
        assert_eq!(decimal_fr(dec("1234.4"), 0), "1\u{a0}234");
        assert_eq!(plain(dec("0.1"), 2), "0.10");
        assert_eq!(plain(dec("12345678.91"), 2), "12345678.91");
        assert_eq!(plain(dec("3"), 0), "3");
    }

    #[test]
    fn excel_numbers_use_a_comma_and_no_grouping() {
        assert_eq!(comma(dec("-1234.567"), 2), "-1234,57");
        assert_eq!(comma(dec("1.5"), 4), "1,5000");
        assert_eq!(comma(dec("42"), 0), "42");
    }

    #[test]
    fn percent_is_in_points() {
        assert_eq!(percent(dec("42.857"), 2), "42,86\u{a0}%");
        assert_eq!(percent(dec("-3"), 1), "-3,0\u{a0}%");
    }

    #[test]
    fn dates_in_both_styles() {
        let date = NaiveDate::from_ymd_opt(2024, 1, 31).unwrap();
        let date_time = date.and_hms_milli_opt(10, 15, 30, 250).unwrap();
        assert_eq!(date_fr(date), "31/01/2024");
        assert_eq!(date_iso(date), "2024-01-31");
        assert_eq!(date_time_fr(date_time), "31/01/2024 10:15");
        assert_eq!(date_time_iso(date_time), "2024-01-31T10:15:30");
        assert_eq!(yes_no(true), "oui");
        assert_eq!(yes_no(false), "non");
    }
}
