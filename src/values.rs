//! Parsers for the values users type, on the command line and in the API's parameters: dates in
//! both French and ISO forms, devis statuses, numbers. Each error says in French what is expected
//! (clap's own parsers answer in English).

use std::num::{IntErrorKind, ParseIntError};

use chrono::{Datelike, NaiveDate};

use crate::model::Statut;

/// `2024-01-31` or `31/01/2024`; anything else names the accepted forms. Year 0 is refused: SQL
/// Server's dates start on 1 January of year 1, and the driver cannot even send an earlier one.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
        // chrono accepts years of any width; a date a user means has four digits.
        .filter(|_| text.len() == 10)
        .ok_or_else(|| "date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA (ex. 2024-01-31 ou 31/01/2024)".to_owned())?;
    if date.year() < 1 {
        return Err("année 0 : les dates de SQL Server commencent le 01/01/0001".to_owned());
    }
    Ok(date)
}

/// A devis status, in any case.
pub fn statut(text: &str) -> Result<Statut, String> {
    text.parse().map_err(|_| {
        let known: Vec<&str> = Statut::ALL.iter().map(|s| s.code()).collect();
        format!("statut inconnu ; valeurs possibles : {}", known.join(", "))
    })
}

/// A whole number of at least 0: a count, milliseconds, a seed.
pub fn number(text: &str) -> Result<u64, String> {
    let text = text.trim();
    if text.starts_with('-') && text[1..].parse::<u64>().is_ok() {
        return Err("nombre négatif refusé : un nombre entier positif est attendu (ex. 20)".to_owned());
    }
    text.parse().map_err(|e| number_error(&e))
}

/// The largest limit: SQL Server's `TOP` and SQL's `LIMIT` take a signed 64-bit number.
const MAX_LIMIT: u64 = i64::MAX as u64;

/// A whole number of at least 1, at most [`MAX_LIMIT`]: a limit.
pub fn positive(text: &str) -> Result<u64, String> {
    match number(text)? {
        0 => Err("nombre entier d'au moins 1 attendu".to_owned()),
        n if n > MAX_LIMIT => Err(format!("nombre trop grand (au plus {MAX_LIMIT})")),
        n => Ok(n),
    }
}

/// The bounds of the automatic sync's interval: a pass every 100 ms at most, once a day at least.
const SHORTEST_INTERVAL: std::time::Duration = std::time::Duration::from_millis(100);
const LONGEST_INTERVAL: std::time::Duration = std::time::Duration::from_hours(24);

/// A duration between two passes: a whole number with its unit, `ms`, `s`, `m` (or `min`) or `h`
/// (`60s`, `5m`, `1h`); a bare number is seconds. From 100 ms to 24 h.
pub fn interval(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let expected = "durée attendue : un nombre entier et son unité, ms, s, m ou h (ex. 60s, 5m, 1h)";
    let split = text.find(|c: char| !c.is_ascii_digit()).unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    if text.starts_with('-') {
        return Err(format!("durée négative refusée ; {expected}"));
    }
    let count: u64 = digits.parse().map_err(|_| expected.to_owned())?;
    let millis = match unit.trim().to_lowercase().as_str() {
        "ms" => Some(count),
        "" | "s" => count.checked_mul(1000),
        "m" | "min" => count.checked_mul(60_000),
        "h" => count.checked_mul(3_600_000),
        _ => return Err(expected.to_owned()),
    };
    match millis.map(std::time::Duration::from_millis) {
        Some(duration) if (SHORTEST_INTERVAL..=LONGEST_INTERVAL).contains(&duration) => Ok(duration),
        _ => Err("durée hors bornes : de 100ms à 24h".to_owned()),
    }
}

/// A TCP port, 1 to 65535.
pub fn port(text: &str) -> Result<u16, String> {
    let expected = || "nombre entier de 1 à 65535 attendu".to_owned();
    match text.trim().parse::<u16>() {
        Ok(0) | Err(_) => Err(expected()),
        Ok(port) => Ok(port),
    }
}

/// A record identifier of the JLM store: text (a UUID in JLM ERP, but any non-empty text without
/// control characters is accepted, as the ERP's varchar ids are).
pub fn id(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("identifiant attendu, la valeur est vide (ex. 7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11)".to_owned());
    }
    if text.chars().any(char::is_control) {
        return Err("identifiant sans caractère de contrôle attendu".to_owned());
    }
    Ok(text.to_owned())
}

fn number_error(error: &ParseIntError) -> String {
    match error.kind() {
        IntErrorKind::Empty => "nombre attendu, la valeur est vide".to_owned(),
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "nombre trop grand".to_owned(),
        _ => "nombre entier attendu (chiffres seulement, ex. 20)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_with_their_unit() {
        let ok = |text: &str| interval(text).map(|d| d.as_millis());
        assert_eq!(ok("60s"), Ok(60_000));
        assert_eq!(ok("60"), Ok(60_000));
        assert_eq!(ok(" 5m "), Ok(300_000));
        assert_eq!(ok("2MIN"), Ok(120_000));
        assert_eq!(ok("1h"), Ok(3_600_000));
        assert_eq!(ok("250ms"), Ok(250));
        for bad in
            ["", "s", "0s", "99ms", "25h", "-5s", "1.5s", "5 jours", "99999999999999999999h", "18446744073709551615h"]
        {
            assert!(interval(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_in_both_forms() {
        let expected = NaiveDate::from_ymd_opt(2024, 1, 31);
        assert_eq!(date("2024-01-31").ok(), expected);
        assert_eq!(date("31/01/2024").ok(), expected);
        for bad in ["2024-02-30", "31-01-2024", "2024/01/31", "1/2/2024", "demain", "", "20240131"] {
            assert!(date(bad).is_err(), "{bad}");
        }
        assert!(date("0000-06-01").is_err_and(|e| e.contains("année 0")));
        assert!(date("01/06/0000").is_err());
        assert_eq!(date("0001-01-01").ok(), NaiveDate::from_ymd_opt(1, 1, 1));
    }

    #[test]
    fn statuses_in_any_case() {
        assert_eq!(statut("valide"), Ok(Statut::Valide));
        assert!(statut("VALIDÉ").is_err_and(|e| e.contains("BROUILLON, VALIDE, ENVOYE, ACCEPTE, REFUSE")));
    }

    #[test]
    fn numbers_say_in_french_what_is_expected() {
        assert_eq!(number("0"), Ok(0));
        assert_eq!(positive(" 20 "), Ok(20));
        assert_eq!(positive("0"), Err("nombre entier d'au moins 1 attendu".to_owned()));
        assert!(number("abc").is_err_and(|e| e.contains("nombre entier attendu")));
        assert!(number("-3").is_err_and(|e| e.contains("nombre négatif refusé")));
        assert!(number("-x").is_err_and(|e| e.contains("nombre entier attendu")));
        assert_eq!(positive("9223372036854775807"), Ok(9_223_372_036_854_775_807));
        assert!(
            positive("18446744073709551615").is_err_and(|e| e.contains("trop grand (au plus 9223372036854775807)"))
        );
        assert!(number("").is_err_and(|e| e.contains("vide")));
        assert!(number("99999999999999999999").is_err_and(|e| e.contains("trop grand")));
        assert_eq!(port("1433"), Ok(1433));
        for bad in ["0", "65536", "14x33", ""] {
            assert!(port(bad).is_err_and(|e| e.contains("1 à 65535")), "{bad}");
        }
        let uuid = "7f3c1a52-9d4e-4b8a-a1f0-2c6d8e9b0a11";
        assert_eq!(id(&format!(" {uuid} ")), Ok(uuid.to_owned()));
        assert_eq!(id("OFFRE-42"), Ok("OFFRE-42".to_owned()), "any varchar id");
        assert!(id("  ").is_err_and(|e| e.contains("vide")));
        assert!(id("a\u{7}b").is_err());
    }
}
