//! Dataset generator.
