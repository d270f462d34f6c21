//! A report read as Word (.docx), checked with the national rule sets, rendered in every
//! format.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    common::check_and_render(
        common::national_checker(),
        common::national(),
        "report.docx",
        bytes,
    );
});
