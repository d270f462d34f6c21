//! Any bytes loaded as a plain-text report give an error or a document whose every cell is
//! cut from the decoded source (its span covers exactly its text, on character boundaries),
//! and which both national rule sets read without a panic into tables whose cells and
//! anomalies point into the source. Reading is bounded: no quadratic blow-up on long lines or
//! many cells (libFuzzer's `-timeout` catches a hang).

#![no_main]

mod common;

use gouji::extract::{Extractor, Input, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(input) = load("fuzz.txt", data) else {
        return;
    };
    let Input::Document(document) = &input else {
        panic!("a .txt file is read as a document");
    };
    let src = document.source.text();
    let mut previous_end = 0;
    for line in &document.lines {
        assert!(previous_end <= line.start && line.start <= line.end);
        assert!(line.end <= document.text.len());
        previous_end = line.end;
        for cell in &line.cells {
            assert!(cell.span.start <= cell.span.end && cell.span.end <= src.len());
            assert_eq!(&src[cell.span.start..cell.span.end], cell.text);
            assert!(!cell.text.contains(['\t', '\n']));
        }
    }
    for rule_set in common::national() {
        let (report, fit) = Extractor::new(rule_set).read(&input);
        assert!(fit.found <= fit.declared);
        let spans = report
            .anomalies
            .iter()
            .map(|a| a.span)
            .chain(
                report
                    .tables
                    .iter()
                    .flat_map(|t| t.cells.iter().flatten().map(|c| c.span)),
            )
            .chain(
                report
                    .sections
                    .iter()
                    .flat_map(|s| [s.heading_span, s.body_span]),
            );
        for span in spans {
            assert!(span.start <= span.end && span.end <= src.len());
            assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
        }
    }
});
