//! The business rules of DESIGN §5 as pure functions over the domain rows of `model`: no I/O, exact
//! decimals. Commands fetch the rows, call these, and hand the results to a renderer.
//!
//! Values keep full `Decimal` precision (28 significant digits) inside; `output` rounds them for display.
//! `numbers` holds the roundings the rules themselves apply (money to the cent, days to one decimal),
//! all half away from zero.

pub mod alertes;
pub mod coefficients;
pub mod factures;
pub mod kpi;
pub mod numbers;
pub mod relances;
pub mod tresorerie;
