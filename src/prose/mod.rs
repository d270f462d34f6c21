//! Quantities stated in prose.

pub mod numbers;
