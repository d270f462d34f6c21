//! Any bytes loaded as an HTML page give an error or a document whose every line and cell
//! span lies in the decoded source on character boundaries, whose lines lie in its text in
//! order, and whose cells hold no tab or line break: never a panic, never a stack overflow,
//! never a hang on deep nesting. (`lay_out_html` falls back to plain text if the projection
//! panics; libFuzzer's panic hook aborts first, so a panic is still found here.)

#![no_main]

use gouji::extract::{Input, load};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(Input::Document(document)) = load("fuzz.html", data) else {
        return;
    };
    let src = document.source.text();
    let mut previous_end = 0;
    for line in &document.lines {
        assert!(previous_end <= line.start && line.start <= line.end);
        assert!(line.end <= document.text.len());
        previous_end = line.end;
        for span in line.cells.iter().map(|c| c.span).chain([line.span]) {
            assert!(span.start <= span.end && span.end <= src.len());
            assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
        }
        for cell in &line.cells {
            assert!(!cell.text.contains(['\t', '\n']));
        }
    }
});
