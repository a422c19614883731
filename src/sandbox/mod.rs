//! The Batigest sandbox: a SQL Server stand-in that speaks TDS over TCP, backed by SQLite.
//!
//! This module imports nothing else of the crate: it could be its own crate.

pub mod browser;
pub mod generate;
pub mod protocol;
pub mod sql;
pub mod types;
