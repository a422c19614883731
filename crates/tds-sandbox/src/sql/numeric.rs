//! Exact decimal numbers read from text and from doubles, as SQL Server rounds them when it narrows
//! a decimal: where the conversions (`convert`) and the exact arithmetic (`decimal`) both start.

use std::io::Write as _;

/// Parses a decimal number written in text (`-12.345`, `1e-3`, `.5`) into the unscaled integer at
/// `scale`, rounding half away from zero as SQL Server does when it narrows a decimal.
/// Returns `None` for text that is not a number or does not fit in an `i128`.
pub(crate) fn parse_decimal(text: &str, scale: u8) -> Option<i128> {
    let text = text.trim();
    let (negative, body) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (&body[..at], body[at + 1..].parse::<i32>().ok()?),
        None => (body, 0),
    };
    let (int_part, frac_part) = match mantissa.find('.') {
        Some(at) => (&mantissa[..at], &mantissa[at + 1..]),
        None => (mantissa, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return None;
    }
    if !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    // All digits as one integer, with `shift` = how far the point must move right to reach `scale`.
    let digits = int_part.bytes().chain(frac_part.bytes()).skip_while(|&b| b == b'0');
    let shift = exponent + i32::from(scale) - frac_part.len() as i32;
    let digits: Vec<u8> = digits.collect();
    let mut unscaled: i128 = 0;
    if shift >= 0 {
        for &d in &digits {
            unscaled = unscaled.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
        }
        for _ in 0..shift {
            unscaled = unscaled.checked_mul(10)?;
        }
    } else {
        let drop = (-shift) as usize;
        let keep = digits.len().saturating_sub(drop);
        for &d in &digits[..keep] {
            unscaled = unscaled.checked_mul(10)?.checked_add(i128::from(d - b'0'))?;
        }
        // The first dropped digit decides the rounding (half away from zero).
        let first_dropped = if drop <= digits.len() { digits.get(keep).copied() } else { None };
        if first_dropped.is_some_and(|d| d >= b'5') {
            unscaled = unscaled.checked_add(1)?;
        }
    }
    Some(if negative { -unscaled } else { unscaled })
}

/// The shortest decimal text of `f` that reads back as the same double, without an exponent,
/// written into `buf` (no allocation). Display of `f64` is exactly that in Rust.
fn float_text(f: f64, buf: &mut [u8; 400]) -> Option<&str> {
    let mut cursor = std::io::Cursor::new(&mut buf[..]);
    write!(cursor, "{f}").ok()?;
    let len = cursor.position() as usize;
    std::str::from_utf8(&buf[..len]).ok()
}

/// `f` rounded exactly (through its shortest decimal text) to `scale` decimals.
pub(crate) fn float_to_unscaled(f: f64, scale: u8) -> Option<i128> {
    if !f.is_finite() {
        return None;
    }
    if let Some(unscaled) = float_to_unscaled_fast(f, scale) {
        return Some(unscaled);
    }
    let mut buf = [0u8; 400];
    parse_decimal(float_text(f, &mut buf)?, scale)
}

/// The common case without text: a double that is the nearest double to some decimal `u·10⁻ˢ`
/// (money stored as REAL: `1913.1`, `2663.01`). Then that decimal is the shortest text's value:
/// below 2⁵⁰·10⁻ˢ two decimals 10⁻ˢ apart never share a double, so no other decimal of `scale`
/// digits — the shortest text included — reads back as `f`. `None` when the check fails; the
/// caller then goes through the text.
// Exact float equality is the point of the check, not an oversight.
#[allow(clippy::float_cmp)]
fn float_to_unscaled_fast(f: f64, scale: u8) -> Option<i128> {
    const LIMIT: f64 = (1_u64 << 50) as f64;
    if scale > 15 {
        return None;
    }
    // Powers of ten up to 10¹⁵ are exact doubles, so the division below is correctly rounded:
    // it gives back `f` exactly when the decimal `u·10⁻ˢ` reads as `f`.
    let power = 10_f64.powi(i32::from(scale));
    let u = (f * power).round();
    (u.abs() < LIMIT && u / power == f).then_some(u as i128)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fast path agrees with the text path wherever it answers, over amounts and rates as
    /// stored (cents, basis points), sums of them, and arbitrary doubles.
    #[test]
    fn float_fast_path_agrees_with_the_shortest_text() {
        let text_path = |f: f64, scale: u8| {
            let mut buf = [0u8; 400];
            parse_decimal(float_text(f, &mut buf).unwrap(), scale)
        };
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut answered = 0;
        for i in 0..400_000 {
            let f = match i % 4 {
                0 => (next() % 10_000_000_000) as f64 / 100.0,
                1 => (next() % 1_000_000) as f64 / 10_000.0 - 50.0,
                2 => (next() % 100_000) as f64 / 100.0 + (next() % 100_000) as f64 / 100.0,
                _ => f64::from_bits(next() >> 2) * if next() % 2 == 0 { 1.0 } else { -1.0 },
            };
            if !f.is_finite() {
                continue;
            }
            for scale in [0, 2, 4, 7] {
                if let Some(fast) = float_to_unscaled_fast(f, scale) {
                    answered += 1;
                    assert_eq!(Some(fast), text_path(f, scale), "{f:?} at scale {scale}");
                }
            }
        }
        assert!(answered > 600_000, "the fast path should answer the stored amounts: {answered}");
    }

    #[test]
    fn decimal_parsing_rounds_half_away_from_zero() {
        assert_eq!(parse_decimal("123.455", 2), Some(12346));
        assert_eq!(parse_decimal("-123.455", 2), Some(-12346));
        assert_eq!(parse_decimal("123.454", 2), Some(12345));
        assert_eq!(parse_decimal("12", 2), Some(1200));
        assert_eq!(parse_decimal(".5", 0), Some(1));
        assert_eq!(parse_decimal("0.004", 2), Some(0));
        assert_eq!(parse_decimal("0.005", 2), Some(1));
        assert_eq!(parse_decimal("1.5e2", 1), Some(1500));
        assert_eq!(parse_decimal("1e-3", 2), Some(0));
        assert_eq!(parse_decimal("abc", 2), None);
        assert_eq!(parse_decimal("", 2), None);
        assert_eq!(parse_decimal("1.2.3", 2), None);
        // 0.1 + 0.2 = 0.30000000000000004 as a double: exactly 0.30 at scale 2.
        assert_eq!(float_to_unscaled(0.1 + 0.2, 2), Some(30));
        assert_eq!(float_to_unscaled(2.675, 2), Some(268));
        assert_eq!(float_to_unscaled(1e300, 2), None);
        assert_eq!(float_to_unscaled(-1913.1, 2), Some(-191_310));
        assert_eq!(float_to_unscaled(0.0, 4), Some(0));
        assert_eq!(float_to_unscaled(1.005, 2), Some(101), "shortest text 1.005, half away from zero");
    }
}
