//! The sandbox's SQL engine: T-SQL received from clients, rewritten for SQLite, executed, and its
//! results typed after the declared schema.

use super::types::{Column, Param, ServerError, Value};

/// Where a statement's results go. The server implements it by encoding TDS tokens; the engine
/// calls it in order: for each statement, either `columns` then `row`s then `done`, or `done` alone
/// (a statement without a result set), or `error` (which ends the batch).
pub trait ResultSink {
    /// The client has gone away or cancelled: the engine stops the statement at once.
    type Stop;
    fn columns(&mut self, columns: &[Column]) -> Result<(), Self::Stop>;
    fn row(&mut self, values: &[Value]) -> Result<(), Self::Stop>;
    /// End of one statement. `rowcount` is `Some` for statements that return or touch rows;
    /// `more` is true when another statement of the same batch follows.
    fn done(&mut self, rowcount: Option<u64>, more: bool) -> Result<(), Self::Stop>;
    fn error(&mut self, error: &ServerError) -> Result<(), Self::Stop>;
}

#[allow(dead_code)]
fn _uses(_: &[Param]) {}
