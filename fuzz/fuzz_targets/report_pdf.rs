//! A report read as PDF, checked with the national rule sets, rendered in every format.
//! `lopdf`, the crate the reader parses with, may panic on some damaged files; the reader
//! catches that and refuses the file as damaged, so here too such a panic unwinds instead of
//! counting as a crash.
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    common::let_caught_panics_unwind(&["/lopdf-"]);
    common::check_and_render(
        common::national_checker(),
        common::national(),
        "report.pdf",
        bytes,
    );
});
