//! One integration test binary for the whole crate (a 2-core machine links it once).

mod cli;
mod compile;
mod docs;
mod docx;
mod extract;
mod first_hour;
mod fmt;
mod hostile;
mod html;
mod html_output;
mod national;
mod pdf;
mod prose;
mod real_style;
mod render;
mod rule_tests;
mod support;
mod syntax;
mod text;
mod waivers;
