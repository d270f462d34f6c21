//! Any UTF-8 text given to the rule parser returns a tree or a diagnostic whose span lies in the
//! text, on character boundaries: never a panic, never a stack overflow. (Text that is not
//! UTF-8 is the loader's concern, not the parser's.)

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(error) = gouji::syntax::parse_rule_file(text, 0) {
        let span = error.span;
        assert!(span.start <= span.end && span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    }
});
