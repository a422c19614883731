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
    /// `NCHAR(n)`: fixed length, blank-padded to `n` UTF-16 units (1..=4000).
    NChar { len: u16 },
    /// `CHAR(n)`: fixed length, blank-padded, single-byte in the collation's code page (1..=8000).
    Char { len: u16 },
    /// `VARCHAR(n)` (1..=8000), single-byte in the collation's code page, or `VARCHAR(MAX)` when `None`.
    VarChar { max_chars: Option<u16> },
    /// `MONEY`: an exact 4-decimal fixed point on 8 bytes.
    Money,
    /// `SMALLMONEY`: the same on 4 bytes.
    SmallMoney,
    /// `DATE`
    Date,
    /// `SMALLDATETIME`: to the minute.
    SmallDateTime,
    /// `DATETIME`: to 1/300 of a second.
    DateTime,
    /// `DATETIME2(scale)`, scale 0..=7.
    DateTime2 { scale: u8 },
}

impl SqlType {
    /// Character data, whatever its width and encoding.
    #[must_use]
    pub fn is_text(self) -> bool {
        matches!(
            self,
            SqlType::NVarChar { .. } | SqlType::NChar { .. } | SqlType::Char { .. } | SqlType::VarChar { .. }
        )
    }

    /// A date, with or without a time of day.
    #[must_use]
    pub fn is_date(self) -> bool {
        matches!(self, SqlType::Date | SqlType::SmallDateTime | SqlType::DateTime | SqlType::DateTime2 { .. })
    }

    /// Exact numbers with a fractional part: DECIMAL/NUMERIC and the money types.
    #[must_use]
    pub fn is_exact_fraction(self) -> bool {
        matches!(self, SqlType::Decimal { .. } | SqlType::Money | SqlType::SmallMoney)
    }

    /// Any number (what SQL Server converts text to when the two meet).
    #[must_use]
    pub fn is_number(self) -> bool {
        matches!(self, SqlType::Bit | SqlType::Int | SqlType::BigInt | SqlType::Float) || self.is_exact_fraction()
    }

    /// The scale values of this type carry (0 for integers), for exact decimal arithmetic.
    #[must_use]
    pub fn scale(self) -> Option<u8> {
        match self {
            SqlType::Decimal { scale, .. } => Some(scale),
            SqlType::Money | SqlType::SmallMoney => Some(4),
            SqlType::Bit | SqlType::Int | SqlType::BigInt => Some(0),
            _ => None,
        }
    }

    /// SQL Server's data type precedence (higher wins an implicit conversion), for the types the
    /// sandbox serves: datetime2 > datetime > smalldatetime > date > float > decimal > money >
    /// smallmoney > bigint > int > bit > nvarchar > nchar > varchar > char.
    #[must_use]
    pub fn precedence(self) -> u8 {
        match self {
            SqlType::DateTime2 { .. } => 17,
            SqlType::DateTime => 16,
            SqlType::SmallDateTime => 15,
            SqlType::Date => 14,
            SqlType::Float => 13,
            SqlType::Decimal { .. } => 12,
            SqlType::Money => 11,
            SqlType::SmallMoney => 10,
            SqlType::BigInt => 9,
            SqlType::Int => 8,
            SqlType::Bit => 7,
            SqlType::NVarChar { .. } => 4,
            SqlType::NChar { .. } => 3,
            SqlType::VarChar { .. } => 2,
            SqlType::Char { .. } => 1,
        }
    }
}

/// A database collation the sandbox can serve (DESIGN §3: Batigest's French dossiers are
/// `French_CI_AS`). Both ignore trailing spaces in comparisons and are accent-sensitive, as every
/// SQL Server collation with `_AS` is; `CI` ignores case, `CS` does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Collation {
    #[default]
    FrenchCiAs,
    FrenchCsAs,
}

impl Collation {
    /// The name SQL Server gives it (`SERVERPROPERTY('Collation')`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Collation::FrenchCiAs => "French_CI_AS",
            Collation::FrenchCsAs => "French_CS_AS",
        }
    }

    /// Whether case is ignored.
    #[must_use]
    pub fn ignores_case(self) -> bool {
        self == Collation::FrenchCiAs
    }

    /// The collation as TDS sends it (MS-TDS 2.2.5.1.2): LCID 0x040C (French, code page 1252),
    /// IgnoreKanaType and IgnoreWidth, IgnoreCase for CI, sort id 0 (a Windows collation).
    #[must_use]
    pub const fn wire(self) -> [u8; 5] {
        let flags = match self {
            Collation::FrenchCiAs => 0xD0,
            Collation::FrenchCsAs => 0xC0,
        };
        [0x0C, 0x04, flags, 0x00, 0x00]
    }
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
