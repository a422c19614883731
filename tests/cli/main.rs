//! One integration binary: the real `jlm-batigest` binary against its sandbox over TCP, checked by
//! independent clients (tiberius, FreeTDS `tsql`, python-tds).

mod common;
mod conformance_pytds;
mod conformance_tiberius;
mod conformance_tsql;
mod sandbox_cli;
