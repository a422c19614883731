//! TDS codec.
