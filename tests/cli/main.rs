//! One integration binary: the real `jlm-batigest` binary against its sandbox over TCP, checked by
//! independent clients (tiberius, FreeTDS `tsql`, python-tds), and its settings and credentials
//! against the real OS keyring.

mod alertes;
mod analytics;
mod analytics_drift;
mod common;
mod config;
mod conformance_pytds;
mod conformance_tiberius;
mod conformance_tsql;
mod credentials;
mod credit_notes;
mod dashboard;
mod demo;
mod docs;
mod erp_proxy;
mod erp_store;
mod errors;
mod kpi_generated;
mod options;
mod output_file;
mod reading;
mod real_layout;
mod real_types;
mod sandbox_cli;
mod serve;
mod surface;
mod sync_offer;
mod tds8_strict;
mod terminal;
mod test_connection;
mod tresorerie;
mod typed_json;
mod watch;
mod windows;
mod windows_login;
