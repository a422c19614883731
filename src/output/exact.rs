//! How the typed records write their exact decimals in JSON (`#[serde(serialize_with = …)]`): as
//! JSON numbers carrying the decimal's own text (serde_json's arbitrary precision keeps it), never
//! through a float. [`exact`] writes the value as it is (the API's figures); the scaled forms pad
//! to the column's decimals, as `--format json` writes them (`12.50`, `1.4286`).

use rust_decimal::Decimal;
use serde::Serializer;

use super::format::plain;

fn number<S: Serializer>(text: &str, serializer: S) -> Result<S::Ok, S::Error> {
    let number: serde_json::Number = text.parse().map_err(serde::ser::Error::custom)?;
    serde::Serialize::serialize(&number, serializer)
}

fn scaled<S: Serializer>(value: Decimal, scale: u32, serializer: S) -> Result<S::Ok, S::Error> {
    number(&plain(value, scale), serializer)
}

/// The value as it is: `1234.5`.
pub fn exact<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    number(&value.to_string(), serializer)
}

/// The value as it is, or `null`.
#[allow(clippy::ref_option, reason = "serde hands fields by reference")]
pub fn exact_opt<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => exact(value, serializer),
        None => serializer.serialize_none(),
    }
}

/// Money: two decimals, rounded half away from zero.
pub fn money<S: Serializer>(value: &Decimal, serializer: S) -> Result<S::Ok, S::Error> {
    scaled(*value, 2, serializer)
}

/// A rate in points, or points of difference: two decimals, or `null` where there is none.
#[allow(clippy::ref_option, reason = "serde hands fields by reference")]
pub fn rate<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => scaled(*value, 2, serializer),
        None => serializer.serialize_none(),
    }
}

/// Days: one decimal, or `null`.
#[allow(clippy::ref_option, reason = "serde hands fields by reference")]
pub fn days<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => scaled(*value, 1, serializer),
        None => serializer.serialize_none(),
    }
}

/// A coefficient: four decimals, or `null`.
#[allow(clippy::ref_option, reason = "serde hands fields by reference")]
pub fn coefficient<S: Serializer>(value: &Option<Decimal>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => scaled(*value, 4, serializer),
        None => serializer.serialize_none(),
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use super::*;

    #[derive(serde::Serialize)]
    struct Figures {
        #[serde(serialize_with = "exact")]
        exact: Decimal,
        #[serde(serialize_with = "money")]
        money: Decimal,
        #[serde(serialize_with = "rate")]
        rate: Option<Decimal>,
        #[serde(serialize_with = "rate")]
        none: Option<Decimal>,
        #[serde(serialize_with = "coefficient")]
        coefficient: Option<Decimal>,
    }

    #[test]
    fn decimals_keep_their_exact_text() {
        let dec = |text| Decimal::from_str(text).expect("decimal");
        let figures = Figures {
            exact: dec("12345678901234.5"),
            money: dec("0.125"),
            rate: Some(dec("42.857")),
            none: None,
            coefficient: Some(dec("1.4")),
        };
        assert_eq!(
            serde_json::to_string(&figures).expect("json"),
            r#"{"exact":12345678901234.5,"money":0.13,"rate":42.86,"none":null,"coefficient":1.4000}"#
        );
    }
}
