//! A rule file: compiled, and if it compiles, evaluated on a real report and rendered, its
//! diagnostics rendered otherwise.
#![no_main]

mod common;

/// A township report laid out like a real one (the command-line tests' fixture).
const REPORT: &[u8] = include_bytes!("../../tests/fixtures/cli/s1.txt");

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    let loader = gouji::compile::Loader::new(Vec::new()).building_patterns();
    let compiled = loader.compile_text("fuzz.gouji", text);
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor());
    for diagnostic in &compiled.diagnostics {
        let mut out = String::new();
        let _ = handler.render_report(&mut out, diagnostic);
    }
    if let Some(rule_set) = compiled.rule_set {
        let rule_sets = std::slice::from_ref(&rule_set);
        if let Ok(checker) = gouji::check::Checker::new(rule_sets, &[]) {
            common::check_and_render(&checker, rule_sets, "report.txt", REPORT);
        }
    }
});
