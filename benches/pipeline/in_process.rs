//! Per-report costs without process start-up: one function per input format or stage.

use std::time::Instant;

use gouji::extract::Extractor;
use gouji::ruleset::RuleSet;

const HTML: &str = include_str!("../../tests/fixtures/reports/html/seed.html");
/// The same clean report written in Word: merged cells, numbered headings, a text box.
const DOCX: &[u8] = include_bytes!("../../tests/fixtures/docx/handmade/clean-2019.docx");
/// A ten-page report printed to PDF by Chromium (Type 3 fonts) and by `LibreOffice` (CID fonts).
const PDF_CHROMIUM: &[u8] =
    include_bytes!("../../tests/fixtures/published/bench/ten-pages.chromium.pdf");
const PDF_LIBREOFFICE: &[u8] =
    include_bytes!("../../tests/fixtures/published/bench/ten-pages.libreoffice.pdf");

/// Runs every in-process case.
pub fn run() {
    let loader = gouji::compile::Loader::new(Vec::new());
    let compiled = loader
        .compile_builtin("national-2019.gouji")
        .expect("built-in set");
    let rule_set = compiled.rule_set.expect("the built-in set compiles");
    let extractor = Extractor::new(&rule_set);
    extract(
        &extractor,
        "load + extract, text report:",
        "report.txt",
        2000,
        super::corpus::report(0).as_bytes(),
    );
    extract(
        &extractor,
        "load + extract, HTML page:",
        "report.html",
        500,
        HTML.as_bytes(),
    );
    extract(
        &extractor,
        "load + extract, Word report:",
        "report.docx",
        500,
        DOCX,
    );
    extract(
        &extractor,
        "load + extract, 10-page PDF (Chromium):",
        "report.pdf",
        20,
        PDF_CHROMIUM,
    );
    extract(
        &extractor,
        "load + extract, 10-page PDF (LibreOffice):",
        "report.pdf",
        20,
        PDF_LIBREOFFICE,
    );
    evaluate(&rule_set, &extractor);
}

fn extract(extractor: &Extractor<'_>, label: &str, name: &str, runs: u32, bytes: &[u8]) {
    per(label, runs, || {
        let input = gouji::extract::load(name, bytes).expect("loads");
        std::hint::black_box(extractor.read(&input));
    });
}

fn evaluate(rule_set: &RuleSet, extractor: &Extractor<'_>) {
    let text = super::corpus::report(0);
    let input = gouji::extract::load("report.txt", text.as_bytes()).expect("loads");
    let (report, _) = extractor.read(&input);
    let params = gouji::eval::ParamValues::new(rule_set, &[]).expect("defaults");
    per("evaluate the national set:", 2000, || {
        std::hint::black_box(gouji::eval::evaluate(rule_set, &report, None, &params));
    });
}

/// Runs `work` once to warm up, then `runs` times; prints and returns the mean time in µs.
pub(crate) fn per(label: &str, runs: u32, mut work: impl FnMut()) -> f64 {
    work();
    let start = Instant::now();
    for _ in 0..runs {
        work();
    }
    let mean = start.elapsed().as_secs_f64() * 1e6 / f64::from(runs);
    println!("{label:<42}{mean:>8.1} µs");
    mean
}
