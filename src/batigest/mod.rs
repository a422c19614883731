//! The Batigest side: the SQL Server connection and the schema mapping. Read-only, always.

pub mod analytics;
pub mod connection;
pub mod inspect;
pub mod queries;
pub mod read;
pub mod schema;
mod sql;
pub mod statuses;
