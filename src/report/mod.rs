//! The business rules of DESIGN §5 as pure functions over the domain rows of `model`: no I/O, exact
//! decimals. Commands fetch the rows, call these, and hand the results to a renderer.
//!
//! Values keep full `Decimal` precision (28 significant digits) inside. Results holding values that are
//! not already exact to the cent have a `rounded()` applying the display precision (two decimals for
//! money and rates, four for coefficients); `numbers` has the same roundings, all half away from zero.

pub mod coefficients;
pub mod factures;
pub mod kpi;
pub mod numbers;
