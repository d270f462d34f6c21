//! The prose checks alone (issue 12: under 100 µs per report): the checks tagged 正文 of the
//! national 2021 set, on a report whose prose agrees with its tables and on one whose prose
//! contradicts them eight times. Each run evaluates afresh, so the scan of the text for every
//! quantity's statements is counted.

use gouji::extract::Extractor;

const CONSISTENT: &str = include_str!("../../tests/fixtures/prose/2021-clean-receive-variants.txt");
const CONTRADICTING: &str = include_str!("../../tests/fixtures/prose/2021-wrong-figures.txt");

pub fn run() {
    let loader = gouji::compile::Loader::new(Vec::new());
    let compiled = loader
        .compile_builtin("national-2021.gouji")
        .expect("built-in set");
    let mut rule_set = compiled.rule_set.expect("the built-in set compiles");
    let extractor = Extractor::new(&rule_set);
    let reports = [
        ("prose checks, prose consistent:", CONSISTENT),
        ("prose checks, 8 contradictions:", CONTRADICTING),
    ]
    .map(|(label, text)| {
        let input = gouji::extract::load("report.txt", text.as_bytes()).expect("loads");
        (label, extractor.read(&input).0)
    });
    rule_set
        .checks
        .retain(|c| c.tags.iter().any(|t| t == "正文"));
    let params = gouji::eval::ParamValues::new(&rule_set, &[]).expect("defaults");
    for (label, report) in &reports {
        super::in_process::per(label, 5000, || {
            std::hint::black_box(gouji::eval::evaluate(&rule_set, report, None, &params));
        });
    }
}
