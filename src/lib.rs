//! gouji (勾稽): a rule engine and checking language for 政府信息公开工作年度报告.
//!
//! The pipeline, one module per stage:
//! rule text → [`syntax`] (tree with spans) → [`compile`] (names resolved, types checked) →
//! … → findings → renderers.

pub mod check;
pub mod cli;
pub mod compile;
pub mod diagnostic;
pub mod eval;
pub mod extract;
pub mod files;
pub mod findings;
pub mod lenient_toml;
pub mod prose;
pub mod render;
pub mod report;
pub mod ruleset;
pub mod source;
pub mod syntax;
pub mod testing;
pub mod waivers;
