//! SQL Server column types and values as the sandbox serves them.
//!
//! This is the contract between the SQL engine (which turns SQLite values into typed [`Value`]s)
//! and the protocol codec (which encodes them as TDS tokens). Neither side knows the other.

use chrono::{NaiveDate, NaiveDateTime};

/// A SQL Server data type, as announced in COLMETADATA and as declared in the schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqlType {
    /// `BIT`
    Bit,
    /// `INT` (32 bits)
    Int,
    /// `BIGINT`
    BigInt,
    /// `FLOAT` (64 bits)
    Float,
    /// `DECIMAL(precision, scale)` / `NUMERIC`; precision 1..=38, scale <= precision.
    Decimal { precision: u8, scale: u8 },
    /// `NVARCHAR(n)` with `n` in UTF-16 units (1..=4000), or `NVARCHAR(MAX)` when `None`.
    NVarChar { max_chars: Option<u16> },
    /// `DATE`
    Date,
    /// `DATETIME2(scale)`, scale 0..=7.
    DateTime2 { scale: u8 },
}

/// One value of a result row or of an RPC parameter.
///
/// In a result row, a value always matches its column's [`SqlType`]: `Int` for `BIT`/`INT`/`BIGINT`
/// (`Bit` is also accepted for `BIT`), `Decimal` carries the unscaled integer at the column's scale
/// (`12345` for `123.45` in a `DECIMAL(18,2)` column).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bit(bool),
    Int(i64),
    Float(f64),
    /// Unscaled integer and its scale: `Decimal { unscaled: 12345, scale: 2 }` is `123.45`.
    Decimal {
        unscaled: i128,
        scale: u8,
    },
    Text(String),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

/// A result column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub name: String,
    pub ty: SqlType,
    pub nullable: bool,
}

/// A typed parameter of an RPC call (`sp_executesql`), named as sent (`@P1`).
#[derive(Debug, Clone, PartialEq)]
pub struct Param {
    pub name: String,
    pub ty: SqlType,
    pub value: Value,
}

/// An error reported to the client as an ERROR token, with SQL Server's number and wording.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    pub number: i32,
    pub state: u8,
    pub class: u8,
    pub message: String,
}

impl ServerError {
    /// A statement-level error of class 16 (the usual class for bad SQL).
    pub fn statement(number: i32, message: impl Into<String>) -> Self {
        Self { number, state: 1, class: 16, message: message.into() }
    }
}
