//! How SQL Server compares text under a French collation: trailing spaces never count, accents
//! always do, case only under `_CS_`. Registered on every session as SQLite collations (for `=`,
//! `IN`, joins, `GROUP BY`, `ORDER BY`, `DISTINCT`, `MIN`/`MAX`) and as the `sb_like` function.
//!
//! The order follows a Windows collation's three levels: letters without accent or case first
//! (`e` < `é` < `f`, not the code-point order that puts `é` after `z`), then accents, then case
//! (lower before upper) under `_CS_`. What it does not model: punctuation that Windows' word sort
//! ignores (`co-op` sorts as `coop` there) and ligature expansions (`œ` as `oe`).

use std::cmp::Ordering;

use rusqlite::Connection;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;

use crate::types::Collation;

/// The SQLite collation names the translation writes after `COLLATE`.
pub(crate) const CASE_INSENSITIVE: &str = "sb_ci_as";
pub(crate) const CASE_SENSITIVE: &str = "sb_cs_as";
/// A `_BIN`/`_BIN2` collation: code points, trailing spaces still ignored.
pub(crate) const BINARY: &str = "sb_bin";

/// The SQLite collation that stands for `collation`.
pub(crate) fn sqlite_name(collation: Collation) -> &'static str {
    if collation.ignores_case() { CASE_INSENSITIVE } else { CASE_SENSITIVE }
}

/// The SQLite collation for a collation named in a query (`COLLATE French_CS_AS`, or one of the
/// sandbox's own names), `None` when the sandbox cannot compare that way (accent-insensitive
/// `_AI` collations, unknown names).
pub(crate) fn named(name: &str) -> Option<&'static str> {
    let own = [CASE_INSENSITIVE, CASE_SENSITIVE, BINARY].into_iter().find(|n| n.eq_ignore_ascii_case(name));
    let upper = name.to_ascii_uppercase();
    own.or(if upper.ends_with("_BIN") || upper.ends_with("_BIN2") {
        Some(BINARY)
    } else if upper.ends_with("_CI_AS") {
        Some(CASE_INSENSITIVE)
    } else if upper.ends_with("_CS_AS") {
        Some(CASE_SENSITIVE)
    } else {
        None
    })
}

/// Registers the collations and `sb_like(value, pattern, escape, case_insensitive)`.
pub(crate) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_collation(CASE_INSENSITIVE, |a, b| compare(a, b, true))?;
    conn.create_collation(CASE_SENSITIVE, |a, b| compare(a, b, false))?;
    conn.create_collation(BINARY, |a, b| trim(a).cmp(trim(b)))?;
    let det = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("sb_like", 4, det, like_function)?;
    // SQLite's own UPPER/LOWER only know ASCII; SQL Server's know `é`.
    conn.create_scalar_function("upper", 1, det, |ctx| Ok(change_case(ctx, true)))?;
    conn.create_scalar_function("lower", 1, det, |ctx| Ok(change_case(ctx, false)))?;
    Ok(())
}

fn change_case(ctx: &Context<'_>, upper: bool) -> Option<String> {
    match ctx.get_raw(0) {
        ValueRef::Null => None,
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t);
            Some(if upper { text.to_uppercase() } else { text.to_lowercase() })
        }
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Blob(b) => Some(String::from_utf8_lossy(b).into_owned()),
    }
}

/// Text without its trailing spaces, as every SQL Server comparison sees it.
fn trim(s: &str) -> &str {
    s.trim_end_matches(' ')
}

/// The three weights of a character: its letter without accent or case, its accent, its case.
fn weights(c: char) -> (char, u8, bool) {
    let lower = if c.is_ascii() { c.to_ascii_lowercase() } else { c.to_lowercase().next().unwrap_or(c) };
    let upper = lower != c;
    let (base, accent) = match lower {
        'à' => ('a', 1),
        'á' => ('a', 2),
        'â' => ('a', 3),
        'ã' => ('a', 4),
        'ä' => ('a', 5),
        'å' => ('a', 6),
        'ç' => ('c', 1),
        'è' => ('e', 1),
        'é' => ('e', 2),
        'ê' => ('e', 3),
        'ë' => ('e', 4),
        'ì' => ('i', 1),
        'í' => ('i', 2),
        'î' => ('i', 3),
        'ï' => ('i', 4),
        'ñ' => ('n', 1),
        'ò' => ('o', 1),
        'ó' => ('o', 2),
        'ô' => ('o', 3),
        'õ' => ('o', 4),
        'ö' => ('o', 5),
        'ø' => ('o', 6),
        'ù' => ('u', 1),
        'ú' => ('u', 2),
        'û' => ('u', 3),
        'ü' => ('u', 4),
        'ý' => ('y', 1),
        'ÿ' => ('y', 2),
        other => (other, 0),
    };
    (base, accent, upper)
}

/// Compares two texts as `French_CI_AS` (`ignore_case`) or `French_CS_AS` does.
pub(crate) fn compare(a: &str, b: &str, ignore_case: bool) -> Ordering {
    let (a, b) = (trim(a), trim(b));
    if a == b {
        return Ordering::Equal;
    }
    if a.is_ascii() && b.is_ascii() {
        return compare_ascii(a.as_bytes(), b.as_bytes(), ignore_case);
    }
    let level = |pick: fn((char, u8, bool)) -> u32| {
        a.chars().map(|c| pick(weights(c))).cmp(b.chars().map(|c| pick(weights(c))))
    };
    level(|w| u32::from(w.0))
        .then_with(|| level(|w| u32::from(w.1)))
        .then_with(|| if ignore_case { Ordering::Equal } else { level(|w| u32::from(w.2)) })
}

/// The same three levels for ASCII text (codes, numbers), without decoding characters: letters
/// without case, then (under `_CS_`) lower case before upper case. ASCII has no accents.
fn compare_ascii(a: &[u8], b: &[u8], ignore_case: bool) -> Ordering {
    let primary = a.iter().map(u8::to_ascii_lowercase).cmp(b.iter().map(u8::to_ascii_lowercase));
    if primary != Ordering::Equal || ignore_case {
        return primary;
    }
    a.iter().map(u8::is_ascii_uppercase).cmp(b.iter().map(u8::is_ascii_uppercase))
}

/// Whether two characters are equal under the collation (for `LIKE`).
fn same_char(a: char, b: char, ignore_case: bool) -> bool {
    if a == b {
        return true;
    }
    let (wa, wb) = (weights(a), weights(b));
    wa.0 == wb.0 && wa.1 == wb.1 && (ignore_case || wa.2 == wb.2)
}

/// One element of a `LIKE` pattern.
#[derive(Debug, PartialEq)]
enum Token {
    Any,
    One,
    Char(char),
    /// `[abc]`, `[a-f]`, `[^0-9]`: ranges (single characters as `(c, c)`), negated.
    Set(Vec<(char, char)>, bool),
}

fn tokens(pattern: &str, escape: Option<char>) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            // An escape before the end quotes the next character; a trailing one is itself.
            out.push(Token::Char(chars.next().unwrap_or(c)));
            continue;
        }
        match c {
            '%' => out.push(Token::Any),
            '_' => out.push(Token::One),
            '[' => {
                let mut body: Vec<char> = Vec::new();
                let mut closed = false;
                for d in chars.by_ref() {
                    if d == ']' && !body.is_empty() {
                        closed = true;
                        break;
                    }
                    body.push(d);
                }
                if !closed {
                    // No closing bracket: SQL Server matches nothing with it; a literal `[` is the closest.
                    out.push(Token::Char('['));
                    out.extend(body.into_iter().map(Token::Char));
                    continue;
                }
                let negated = body.first() == Some(&'^') && body.len() > 1;
                let body = if negated { &body[1..] } else { &body[..] };
                let mut ranges = Vec::new();
                let mut i = 0;
                while i < body.len() {
                    if i + 2 < body.len() && body[i + 1] == '-' {
                        ranges.push((body[i], body[i + 2]));
                        i += 3;
                    } else {
                        ranges.push((body[i], body[i]));
                        i += 1;
                    }
                }
                out.push(Token::Set(ranges, negated));
            }
            other => out.push(Token::Char(other)),
        }
    }
    out
}

fn in_set(c: char, ranges: &[(char, char)], ignore_case: bool) -> bool {
    ranges.iter().any(|&(low, high)| {
        if low == high {
            same_char(c, low, ignore_case)
        } else {
            let key = |x: char| {
                let (base, accent, upper) = weights(x);
                (base, accent, if ignore_case { false } else { upper })
            };
            key(low) <= key(c) && key(c) <= key(high)
        }
    })
}

fn matches(text: &[char], pattern: &[Token], ignore_case: bool) -> bool {
    // Iterative matching with backtracking to the last `%` (linear in practice).
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        let step = match pattern.get(p) {
            Some(Token::Any) => {
                star = Some((p, t));
                p += 1;
                continue;
            }
            Some(Token::One) => true,
            Some(Token::Char(c)) => same_char(text[t], *c, ignore_case),
            Some(Token::Set(ranges, negated)) => in_set(text[t], ranges, ignore_case) != *negated,
            None => false,
        };
        if step {
            t += 1;
            p += 1;
        } else if let Some((star_p, star_t)) = star {
            p = star_p + 1;
            t = star_t + 1;
            star = Some((star_p, star_t + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|token| *token == Token::Any)
}

/// `value LIKE pattern [ESCAPE escape]` as SQL Server matches it: `%`, `_`, `[set]`, `[^set]`,
/// characters compared under the collation, and trailing spaces of the value ignored (those of the
/// pattern count).
pub(crate) fn like(value: &str, pattern: &str, escape: Option<char>, ignore_case: bool) -> bool {
    let pattern = tokens(pattern, escape);
    let chars: Vec<char> = value.chars().collect();
    if matches(&chars, &pattern, ignore_case) {
        return true;
    }
    let trimmed = trim(value).chars().count();
    trimmed < chars.len() && matches(&chars[..trimmed], &pattern, ignore_case)
}

fn like_function(ctx: &Context<'_>) -> rusqlite::Result<Option<bool>> {
    let text = |i: usize| -> Option<String> {
        match ctx.get_raw(i) {
            ValueRef::Null => None,
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Integer(n) => Some(n.to_string()),
            ValueRef::Real(f) => Some(f.to_string()),
        }
    };
    let (Some(value), Some(pattern)) = (text(0), text(1)) else { return Ok(None) };
    let escape = text(2).and_then(|e| e.chars().next());
    let ignore_case = ctx.get::<i64>(3)? != 0;
    Ok(Some(like(&value, &pattern, escape, ignore_case)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_ci_as_ignores_case_and_trailing_spaces_but_not_accents_or_leading_spaces() {
        assert_eq!(compare("cli00021", "CLI00021", true), Ordering::Equal);
        assert_eq!(compare("A ", "a", true), Ordering::Equal);
        assert_eq!(compare("ACCEPTE  ", "ACCEPTE", false), Ordering::Equal);
        assert_ne!(compare(" ACCEPTE", "ACCEPTE", true), Ordering::Equal);
        assert_ne!(compare("e", "é", true), Ordering::Equal);
        assert_ne!(compare("a", "A", false), Ordering::Equal);
        assert_eq!(compare("Élise", "ÉLISE", true), Ordering::Equal);
    }

    #[test]
    fn ascii_and_unicode_paths_agree() {
        let words = ["abc", "ABC", "Abd", "ab", "a-b", "A1", "a1 ", "zz", "Zz", "", " x"];
        for a in words {
            for b in words {
                for ignore_case in [true, false] {
                    let slow = {
                        let level = |pick: fn((char, u8, bool)) -> u32| {
                            trim(a).chars().map(|c| pick(weights(c))).cmp(trim(b).chars().map(|c| pick(weights(c))))
                        };
                        level(|w| u32::from(w.0))
                            .then_with(|| if ignore_case { Ordering::Equal } else { level(|w| u32::from(w.2)) })
                    };
                    assert_eq!(compare(a, b, ignore_case), slow, "{a:?} {b:?} {ignore_case}");
                }
            }
        }
    }

    #[test]
    fn order_is_by_letter_then_accent_then_case() {
        let mut words = vec!["zèbre", "Été", "ete", "éte", "Ete", "eta", "fa", "b"];
        words.sort_by(|a, b| compare(a, b, false));
        assert_eq!(words, ["b", "eta", "ete", "Ete", "éte", "Été", "fa", "zèbre"]);
        assert_eq!(compare("é", "f", true), Ordering::Less, "not the code-point order");
    }

    #[test]
    fn like_follows_sql_server() {
        assert!(like("CLI00021", "cli%", None, true));
        assert!(!like("CLI00021", "cli%", None, false));
        assert!(like("abc  ", "abc", None, true), "trailing spaces of the value are ignored");
        assert!(!like("abc", "abc ", None, true), "those of the pattern count");
        assert!(like("abc ", "abc ", None, true));
        assert!(like("Fenêtre PVC", "%PVC", None, true));
        assert!(like("Fenetre", "Fen_tre", None, true));
        assert!(!like("Fenêtre", "Fenetre", None, true), "accent-sensitive");
        assert!(like("A7", "[a-c][0-9]", None, true));
        assert!(!like("D7", "[a-c][0-9]", None, true));
        assert!(like("D7", "[^a-c]7", None, true));
        assert!(like("50%", "50!%", Some('!'), true));
        assert!(!like("500", "50!%", Some('!'), true));
        assert!(like("x", "%%x%", None, true));
        assert!(!like("", "_", None, true));
    }

    #[test]
    fn collations_named_in_queries() {
        assert_eq!(named("French_CS_AS"), Some(CASE_SENSITIVE));
        assert_eq!(named("Latin1_General_CI_AS"), Some(CASE_INSENSITIVE));
        assert_eq!(named("Latin1_General_CI_AI"), None, "accent-insensitive: not served");
        assert_eq!(named("Latin1_General_BIN2"), Some(BINARY));
        assert_eq!(named("Klingon"), None);
    }
}
