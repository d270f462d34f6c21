//! `gouji schema`: the JSON Schema of `gouji check --format json`, as published in
//! `docs/gouji-check-1.schema.json` (tests validate real output against that file).

use super::exit;

/// The schema, embedded from the published file so that the two cannot differ.
pub const JSON_SCHEMA: &str = include_str!("../../docs/gouji-check-1.schema.json");

pub fn run() -> u8 {
    use std::io::Write as _;
    // A closed pipe (`gouji schema | head`) is not an error.
    let _ = std::io::stdout().lock().write_all(JSON_SCHEMA.as_bytes());
    exit::OK
}
