//! A floor under what checking a report can cost, whatever the reader and the evaluator:
//! reading the file, and the two passes over its text that the national set's own rules ask
//! for, each made by a library built for it: the set's patterns on the whole text (one pass of
//! a `regex::RegexSet`) and the search for its quantities' phrasings in the prose (one pass of
//! an Aho-Corasick automaton, outside the tables). `main` sets the floor beside the processor
//! time that 20× the Python script allows a report.

use std::path::Path;

use gouji::extract::Extractor;

/// Prints the cost of each part on `report` (report 0 of the corpus, written to disk) and
/// returns their sum in µs. The reader's first step, laying the text out, is printed beside
/// them.
pub fn run(report: &Path) -> f64 {
    let loader = gouji::compile::Loader::new(Vec::new());
    let compiled = loader
        .compile_builtin("national-2019.gouji")
        .expect("built-in set");
    let rule_set = compiled.rule_set.expect("the built-in set compiles");
    let bytes = std::fs::read(report).expect("the report");
    let input = gouji::extract::load("report.txt", &bytes).expect("loads");
    let (read, _) = Extractor::new(&rule_set).read(&input);
    let text = &read.text[..];
    let tables = read.table_ranges();

    let parts = [
        super::in_process::per("floor: read the file:", 5000, || {
            std::hint::black_box(std::fs::read(report).ok());
        }),
        super::in_process::per("floor: whole-text patterns, one pass:", 5000, || {
            std::hint::black_box(rule_set.whole_text.matching(text));
        }),
        super::in_process::per("floor: phrasings, one pass:", 5000, || {
            std::hint::black_box(rule_set.prose.count_phrasings(text, &tables));
        }),
    ];
    let floor = parts.iter().sum();
    println!("{:<42}{floor:>8.1} µs", "floor: the three together:");
    super::in_process::per("beside it: decode and lay the text out:", 5000, || {
        std::hint::black_box(gouji::extract::load("report.txt", &bytes).ok());
    });
    floor
}
