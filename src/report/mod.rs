//! The business rules of DESIGN §5 as pure functions over the domain rows of `model`: no I/O, exact
//! decimals. Commands fetch the rows, call these, and hand the results to a renderer.
//!
//! Values keep full `Decimal` precision (28 significant digits) inside; each result type has a
//! `rounded()` that applies the display precision (cents for money, two decimals for rates, four for
//! coefficients), always rounding half away from zero.

pub mod coefficients;
pub mod factures;
pub mod kpi;
mod numbers;

pub use numbers::{round_coefficient, round_money, round_rate};
