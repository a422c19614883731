//! Parsers for the values users type: dates in both French and ISO forms, devis statuses.

use chrono::NaiveDate;

use crate::model::Statut;

/// `2024-01-31` or `31/01/2024`; anything else names the accepted forms.
pub fn date(text: &str) -> Result<NaiveDate, String> {
    let text = text.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d/%m/%Y"))
        .ok()
        // chrono accepts years of any width; a date a user means has four digits.
        .filter(|_| text.len() == 10)
        .ok_or_else(|| "date attendue au format AAAA-MM-JJ ou JJ/MM/AAAA (ex. 2024-01-31 ou 31/01/2024)".to_owned())
}

/// A devis status, in any case.
pub fn statut(text: &str) -> Result<Statut, String> {
    text.parse().map_err(|_| {
        let known: Vec<&str> = Statut::ALL.iter().map(|s| s.code()).collect();
        format!("statut inconnu ; valeurs possibles : {}", known.join(", "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_forms() {
        let expected = NaiveDate::from_ymd_opt(2024, 1, 31);
        assert_eq!(date("2024-01-31").ok(), expected);
        assert_eq!(date("31/01/2024").ok(), expected);
        for bad in ["2024-02-30", "31-01-2024", "2024/01/31", "1/2/2024", "demain", "", "20240131"] {
            assert!(date(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn statuses_in_any_case() {
        assert_eq!(statut("valide"), Ok(Statut::Valide));
        assert!(statut("VALIDÉ").is_err_and(|e| e.contains("BROUILLON, VALIDE, ENVOYE, ACCEPTE, REFUSE")));
    }
}
