//! Reading the values of a row as real dossiers hold them (DESIGN §3): amounts in MONEY,
//! DECIMAL/NUMERIC of any scale or INT, exactly; dates in DATE, SMALLDATETIME, DATETIME or
//! DATETIME2; codes and names in CHAR or VARCHAR, without the blanks that pad a CHAR; flags in BIT
//! or an integer. A type that cannot be read exactly (a FLOAT amount) is refused, naming the
//! column: never a plausible wrong figure.
//!
//! `readable` says the same for a column type as `INFORMATION_SCHEMA` names it, for
//! `schema inspect` and `test-connection --check-schema`.

use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use tiberius::{ColumnType, Row};

use super::connection::{Cause, Failure};
use super::schema::FieldType;

/// A value read that does not fit what the mapping says (exit 2: the mapping or the data is wrong).
pub(super) fn data_failure(message: String, hint: Option<String>) -> Failure {
    Failure { cause: Cause::Data, message, hint, detail: None }
}

fn name(row: &Row, index: usize) -> &str {
    row.columns().get(index).map_or("?", tiberius::Column::name)
}

fn column_type(row: &Row, index: usize) -> Option<ColumnType> {
    row.columns().get(index).map(tiberius::Column::column_type)
}

/// Column `index` of `row`, with a message naming the column when the type or value is wrong.
pub(super) fn get<'a, T: tiberius::FromSql<'a>>(row: &'a Row, index: usize) -> Result<Option<T>, Failure> {
    row.try_get::<T, _>(index).map_err(|e| {
        data_failure(
            format!(
                "colonne « {} » illisible : elle n'a pas le type que la correspondance du schéma attend",
                name(row, index)
            ),
            Some("vérifiez le type de cette colonne avec « jlm-batigest schema inspect »".to_owned()),
        )
        .with_detail(e)
    })
}

/// A value that must be there.
pub(super) fn required<T>(row: &Row, index: usize, value: Option<T>) -> Result<T, Failure> {
    value.ok_or_else(|| {
        data_failure(format!("colonne « {} » vide alors qu'elle est obligatoire", name(row, index)), None)
    })
}

/// Text as SQL Server compares it: a CHAR(n) code comes back blank-padded to n characters, and
/// its trailing blanks mean nothing (`'CLI7    '` is `CLI7`). Leading blanks do mean something.
pub(super) fn optional_text(row: &Row, index: usize) -> Result<Option<String>, Failure> {
    Ok(get::<&str>(row, index)?.map(|text| text.trim_end_matches(' ').to_owned()))
}

pub(super) fn text(row: &Row, index: usize) -> Result<String, Failure> {
    let value = optional_text(row, index)?;
    required(row, index, value)
}

/// A stored status as text, whatever its SQL type: `ACCEPTE`, or `2` from an integer column;
/// without the trailing blanks of a CHAR.
pub(super) fn stored_text(row: &Row, index: usize) -> Result<String, Failure> {
    let stored = match integer(row, index) {
        Some(n) => n?.map(|n| n.to_string()),
        None => optional_text(row, index)?,
    };
    required(row, index, stored)
}

/// An integer column of any width, `None` when the column is not an integer.
fn integer(row: &Row, index: usize) -> Option<Result<Option<i64>, Failure>> {
    Some(match column_type(row, index)? {
        ColumnType::Int1 => get::<u8>(row, index).map(|n| n.map(i64::from)),
        ColumnType::Int2 => get::<i16>(row, index).map(|n| n.map(i64::from)),
        ColumnType::Int4 => get::<i32>(row, index).map(|n| n.map(i64::from)),
        ColumnType::Int8 => get::<i64>(row, index),
        ColumnType::Intn => match row.try_get::<i32, _>(index) {
            Ok(n) => Ok(n.map(i64::from)),
            Err(_) => get::<i64>(row, index),
        },
        _ => return None,
    })
}

/// MONEY as tiberius hands it over: `((high << 32) + low) / 10⁴` in a double. Below 2⁵¹
/// ten-thousandths (225 billion) that division can be undone exactly: the nearest integer to
/// `f × 10⁴` is the value sent, which the check below proves by redoing tiberius' division.
fn money(f: f64) -> Option<Decimal> {
    const LIMIT: f64 = (1_u64 << 51) as f64;
    let units = (f * 1e4).round();
    if !units.is_finite() || units.abs() >= LIMIT {
        return None;
    }
    let units = units as i64;
    // Exactly tiberius' operation on the same integer: equality proves `units` is what was sent.
    #[allow(clippy::float_cmp, reason = "the round trip must be exact, not close")]
    let same = units as f64 / 1e4 == f;
    same.then(|| Decimal::new(units, 4))
}

/// An amount or a rate, exactly: DECIMAL/NUMERIC of any scale, MONEY/SMALLMONEY, or an integer.
/// A FLOAT/REAL is refused: a binary fraction is not the amount the dossier meant.
pub(super) fn amount(row: &Row, index: usize) -> Result<Option<Decimal>, Failure> {
    if let Some(n) = integer(row, index) {
        return Ok(n?.map(Decimal::from));
    }
    match column_type(row, index) {
        Some(ColumnType::Money | ColumnType::Money4) => match get::<f64>(row, index)? {
            None => Ok(None),
            Some(f) => money(f).map(Some).ok_or_else(|| {
                data_failure(
                    format!(
                        "colonne « {} » : le montant MONEY {f} dépasse ce que l'outil lit exactement",
                        name(row, index)
                    ),
                    Some("au-delà de 225 milliards, convertissez la colonne en DECIMAL dans une vue".to_owned()),
                )
            }),
        },
        Some(ColumnType::Float4 | ColumnType::Float8 | ColumnType::Floatn) => Err(data_failure(
            format!(
                "colonne « {} » illisible : un nombre à virgule flottante (float, real) ne donne pas un montant exact",
                name(row, index)
            ),
            Some(
                "reliez ce champ à une colonne DECIMAL, NUMERIC, MONEY ou INT ; « jlm-batigest schema inspect » \
                 montre le type de chaque colonne"
                    .to_owned(),
            ),
        )),
        _ => get::<Decimal>(row, index),
    }
}

pub(super) fn required_amount(row: &Row, index: usize) -> Result<Decimal, Failure> {
    let value = amount(row, index)?;
    required(row, index, value)
}

/// A date-time from DATETIME2, DATETIME or SMALLDATETIME; a DATE is its midnight.
pub(super) fn datetime(row: &Row, index: usize) -> Result<Option<NaiveDateTime>, Failure> {
    match column_type(row, index) {
        Some(ColumnType::Daten) => Ok(get::<NaiveDate>(row, index)?.map(|d| d.and_time(chrono::NaiveTime::MIN))),
        _ => get::<NaiveDateTime>(row, index),
    }
}

pub(super) fn required_datetime(row: &Row, index: usize) -> Result<NaiveDateTime, Failure> {
    let value = datetime(row, index)?;
    required(row, index, value)
}

/// The day of a DATE, DATETIME, SMALLDATETIME or DATETIME2.
pub(super) fn date(row: &Row, index: usize) -> Result<Option<NaiveDate>, Failure> {
    match column_type(row, index) {
        Some(ColumnType::Daten) => get::<NaiveDate>(row, index),
        _ => Ok(get::<NaiveDateTime>(row, index)?.map(|dt| dt.date())),
    }
}

pub(super) fn required_date(row: &Row, index: usize) -> Result<NaiveDate, Failure> {
    let value = date(row, index)?;
    required(row, index, value)
}

/// A flag: BIT, or an integer (0 is false).
pub(super) fn flag(row: &Row, index: usize) -> Result<bool, Failure> {
    let value = match integer(row, index) {
        Some(n) => n?.map(|n| n != 0),
        None => get::<bool>(row, index)?,
    };
    required(row, index, value)
}

/// Whether a column of `INFORMATION_SCHEMA.COLUMNS.DATA_TYPE` `data_type` holding `field` is
/// read exactly by the readers above: `Err` says why not, in French.
pub fn readable(field: FieldType, data_type: &str) -> Result<(), String> {
    const TEXT: &[&str] = &["char", "varchar", "nchar", "nvarchar", "text", "ntext"];
    const INTEGER: &[&str] = &["int", "bigint", "smallint", "tinyint"];
    const EXACT: &[&str] = &["decimal", "numeric", "money", "smallmoney"];
    const DATE: &[&str] = &["date", "datetime", "datetime2", "smalldatetime"];
    let data_type = data_type.to_ascii_lowercase();
    let is = |types: &[&str]| types.contains(&data_type.as_str());
    let ok = match field {
        FieldType::Key | FieldType::Status => is(TEXT) || is(INTEGER),
        FieldType::Text => is(TEXT),
        FieldType::Amount | FieldType::Rate => {
            if data_type == "float" || data_type == "real" {
                return Err("virgule flottante : pas un montant exact".to_owned());
            }
            is(EXACT) || is(INTEGER)
        }
        FieldType::DateTime | FieldType::Date => is(DATE),
        FieldType::Flag => data_type == "bit" || is(INTEGER),
    };
    let expected = match field {
        FieldType::Key | FieldType::Status => "un texte ou un entier",
        FieldType::Text => "un texte (CHAR, VARCHAR, NVARCHAR…)",
        FieldType::Amount | FieldType::Rate => "un nombre exact (DECIMAL, NUMERIC, MONEY, INT…)",
        FieldType::DateTime | FieldType::Date => "une date (DATE, DATETIME, DATETIME2…)",
        FieldType::Flag => "un BIT ou un entier",
    };
    if ok { Ok(()) } else { Err(format!("{expected} est attendu")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_as_tiberius_decodes_it_reads_back_exactly() {
        // tiberius: ((high << 32) as f64 + low as f64) / 1e4, with the integer the server sent.
        let tiberius = |units: i64| (((units >> 32) << 32) as f64 + (units & 0xFFFF_FFFF) as f64) / 1e4;
        for units in [0_i64, 1, -1, 123_456, 12_345_678_912, -99_999_999_990_000, (1 << 51) - 1, 3_333_333_333_333] {
            assert_eq!(money(tiberius(units)), Some(Decimal::new(units, 4)), "{units}");
        }
        // Every cent up to a million euros, and sub-cent values.
        for cents in (0..100_000_000_i64).step_by(7_919) {
            assert_eq!(money(tiberius(cents * 100)), Some(Decimal::new(cents, 2)));
        }
        assert_eq!(money(tiberius(1 << 52)), None, "beyond what the round trip proves");
        assert_eq!(money(0.1 + 0.2), None, "a double no MONEY decodes to");
    }

    #[test]
    fn readable_types() {
        assert!(readable(FieldType::Amount, "money").is_ok());
        assert!(readable(FieldType::Amount, "numeric").is_ok());
        assert!(readable(FieldType::Rate, "int").is_ok());
        assert!(readable(FieldType::Amount, "float").unwrap_err().contains("virgule flottante"));
        assert!(readable(FieldType::DateTime, "smalldatetime").is_ok());
        assert!(readable(FieldType::Date, "datetimeoffset").is_err());
        assert!(readable(FieldType::Key, "char").is_ok());
        assert!(readable(FieldType::Text, "int").is_err());
        assert!(readable(FieldType::Flag, "tinyint").is_ok());
    }
}
