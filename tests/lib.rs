//! One integration test binary for the whole crate (a 2-core machine links it once).

mod compile;
mod docs;
mod extract;
mod html;
mod support;
mod syntax;
