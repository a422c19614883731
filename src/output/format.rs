//! Pure text formatting of numbers, dates and booleans, French and machine-readable.
//!
//! Every decimal goes through [`plain`]: rounded half away from zero ("half-up" as accountants
//! mean it, so `-0,005 €` becomes `-0,01 €`), padded to its scale, never `-0`. The other
//! functions only dress that text.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};
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
    let mut out = String::with_capacity(24);
    push_plain(&mut out, value, scale, '.');
    out
}

/// Appends [`plain`]'s text to `out`, with `point` as the decimal separator: the allocation-free
/// form that CSV export uses for every number.
pub fn push_plain(out: &mut String, value: Decimal, scale: u32, point: char) {
    let mut rounded = value.round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
    if rounded.is_zero() {
        rounded.set_sign_positive(true);
    }
    // Rounding never leaves more decimals than asked for; padding adds the missing ones.
    let own = rounded.scale().min(scale) as usize;
    let mut digits = [0_u8; 40];
    let text = digits_of(rounded.mantissa().unsigned_abs(), &mut digits);
    if rounded.is_sign_negative() {
        out.push('-');
    }
    let integer_len = text.len().saturating_sub(own);
    if integer_len == 0 {
        out.push('0');
    } else {
        out.push_str(&text[..integer_len]);
    }
    if scale > 0 {
        out.push(point);
        out.extend(std::iter::repeat_n('0', own.saturating_sub(text.len())));
        out.push_str(&text[integer_len..]);
        out.extend(std::iter::repeat_n('0', scale as usize - own));
    }
}

/// The decimal digits of `n`, written at the end of `buf`.
fn digits_of(n: u128, buf: &mut [u8; 40]) -> &str {
    const CHUNK: u128 = 10_u128.pow(19);
    let mut start = buf.len();
    let mut rest = n;
    loop {
        // 19 digits at a time in 64 bits, several times cheaper than 128-bit division per digit;
        // amounts fit in one chunk.
        let (mut chunk, high) = match u64::try_from(rest) {
            Ok(low) => (low, 0),
            Err(_) => ((rest % CHUNK) as u64, rest / CHUNK),
        };
        rest = high;
        let end = start;
        loop {
            start -= 1;
            buf[start] = b'0' + (chunk % 10) as u8;
            chunk /= 10;
            // A chunk below the highest one keeps its leading zeros.
            if chunk == 0 && (rest == 0 || end - start == 19) {
                break;
            }
        }
        if rest == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[start..]).expect("ASCII digits")
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
    let mut out = String::with_capacity(10);
    push_date_fr(&mut out, date);
    out
}

/// `31/01/2024 10:15`: minutes are enough to read, and what Excel shows by default.
pub fn date_time_fr(date_time: NaiveDateTime) -> String {
    let mut out = String::with_capacity(16);
    push_date_time_fr(&mut out, date_time);
    out
}

/// `2024-01-31`
#[cfg(test)]
pub fn date_iso(date: NaiveDate) -> String {
    let mut out = String::with_capacity(10);
    push_date_iso(&mut out, date);
    out
}

/// `2024-01-31T10:15:30`
#[cfg(test)]
pub fn date_time_iso(date_time: NaiveDateTime) -> String {
    let mut out = String::with_capacity(19);
    push_date_time_iso(&mut out, date_time);
    out
}

// The `push_*` forms append to a buffer without going through chrono's format strings, which
// cost more than the rest of a CSV row. They write what `%Y-%m-%d`, `%d/%m/%Y`, `%H:%M` and
// `%H:%M:%S` would.

/// Appends `2024-01-31`.
pub fn push_date_iso(out: &mut String, date: NaiveDate) {
    push_year(out, date);
    out.push('-');
    push_two(out, date.month());
    out.push('-');
    push_two(out, date.day());
}

/// Appends `31/01/2024`.
pub fn push_date_fr(out: &mut String, date: NaiveDate) {
    push_two(out, date.day());
    out.push('/');
    push_two(out, date.month());
    out.push('/');
    push_year(out, date);
}

/// Appends `2024-01-31T10:15:30`: seconds, never a fraction (Batigest `datetime` columns carry
/// milliseconds nobody needs, and readers parse this shape everywhere).
pub fn push_date_time_iso(out: &mut String, date_time: NaiveDateTime) {
    push_date_iso(out, date_time.date());
    out.push('T');
    push_two(out, date_time.hour());
    out.push(':');
    push_two(out, date_time.minute());
    out.push(':');
    // A leap second (nanoseconds past 10⁹ in chrono) is second 60, as `%S` writes it.
    push_two(out, date_time.second() + u32::from(date_time.nanosecond() >= 1_000_000_000));
}

/// Appends `31/01/2024 10:15`.
pub fn push_date_time_fr(out: &mut String, date_time: NaiveDateTime) {
    push_date_fr(out, date_time.date());
    out.push(' ');
    push_two(out, date_time.hour());
    out.push(':');
    push_two(out, date_time.minute());
}

fn push_two(out: &mut String, value: u32) {
    out.push(char::from(b'0' + (value / 10 % 10) as u8));
    out.push(char::from(b'0' + (value % 10) as u8));
}

/// Four digits from year 0 to 9999 (SQL Server's range); chrono's own text beyond.
fn push_year(out: &mut String, date: NaiveDate) {
    match u32::try_from(date.year()) {
        Ok(year) if year <= 9999 => {
            push_two(out, year / 100);
            push_two(out, year % 100);
        }
        _ => out.push_str(&date.format("%Y").to_string()),
    }
}

/// `oui` / `non`
pub fn yes_no(value: bool) -> &'static str {
    if value { "oui" } else { "non" }
}

/// `n` and its noun phrase, its last word in the plural above 1, as French counts them:
/// `0 erreur`, `1 devis synchronisé`, `3 mois relus`.
pub fn count(n: impl Into<i64>, words: &str) -> String {
    let n = n.into();
    let invariable = words.ends_with('s') || words.ends_with('x') || words.ends_with('z');
    if n > 1 && !invariable { format!("{n} {words}s") } else { format!("{n} {words}") }
}

/// A duration as people say it: `250 ms`, `60 s`, `5 min`, `1 min 30 s`, `1 h 30 min`.
pub fn duration_fr(duration: std::time::Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        return format!("{millis} ms");
    }
    let seconds = duration.as_secs();
    match (seconds / 3600, seconds % 3600 / 60, seconds % 60) {
        (0, 0, s) => format!("{s} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, s) => format!("{m} min {s} s"),
        (h, 0, 0) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[test]
    fn counts_and_durations_as_people_say_them() {
        assert_eq!(count(0, "erreur"), "0 erreur");
        assert_eq!(count(1, "devis synchronisé"), "1 devis synchronisé");
        assert_eq!(count(2_i64, "devis synchronisé"), "2 devis synchronisés");
        assert_eq!(count(3_u32, "mois relu"), "3 mois relus");
        assert_eq!(count(2, "mois"), "2 mois");
        let said = |millis: u64| duration_fr(std::time::Duration::from_millis(millis));
        assert_eq!(said(250), "250 ms");
        assert_eq!(said(1_000), "1 s");
        assert_eq!(said(90_000), "1 min 30 s");
        assert_eq!(said(900_000), "15 min");
        assert_eq!(said(3_600_000), "1 h");
        assert_eq!(said(5_400_000), "1 h 30 min");
    }

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
    fn plain_agrees_with_the_decimal_text() {
        // The digit-by-digit writer against rust_decimal's own text, rounded the same way.
        for text in [
            "0",
            "-0",
            "0.001",
            "-0.001",
            "12.3456",
            "-12.3456",
            "1000000",
            "0.5",
            "-0.5",
            "7.1",
            "99.999",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "0.0000000000000000000000000001",
            "10000000000000000000",
            "100000000000000000000.05",
            "9999999999999999999",
            "18446744073709551616",
        ] {
            for scale in [0, 1, 2, 4, 6] {
                let mut rounded = dec(text).round_dp_with_strategy(scale, RoundingStrategy::MidpointAwayFromZero);
                if rounded.is_zero() {
                    rounded.set_sign_positive(true);
                }
                let own = rounded.to_string();
                let (integer, fraction) = own.split_once('.').unwrap_or((&own, ""));
                let expected = if scale == 0 {
                    integer.to_owned()
                } else {
                    format!("{integer}.{fraction:0<width$}", width = scale as usize)
                };
                assert_eq!(plain(dec(text), scale), expected, "{text} at {scale}");
            }
        }
    }

    fn comma(value: Decimal, scale: u32) -> String {
        let mut out = String::new();
        push_plain(&mut out, value, scale, ',');
        out
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
        let leap = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap().and_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap();
        assert_eq!(date_time_iso(leap), leap.format("%Y-%m-%dT%H:%M:%S").to_string());
        let early = NaiveDate::from_ymd_opt(7, 3, 9).unwrap().and_hms_opt(1, 2, 3).unwrap();
        assert_eq!(date_time_iso(early), "0007-03-09T01:02:03");
        assert_eq!(date_time_fr(early), "09/03/0007 01:02");
        assert_eq!(yes_no(false), "non");
    }
}
