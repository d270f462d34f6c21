//! What every target shares: the built-in rule sets, and the whole way from an input to
//! every renderer's output.

use std::sync::OnceLock;

use gouji::check::Checker;
use gouji::compile::{BUILTIN, Loader};
use gouji::render;
use gouji::ruleset::RuleSet;

/// The built-in national rule sets, compiled once.
#[allow(dead_code)] // Each target includes this module; `rules` brings its own rule set.
pub fn national() -> &'static [RuleSet] {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        let loader = Loader::new(Vec::new());
        BUILTIN
            .iter()
            .filter_map(|(file, _)| loader.compile_builtin(file))
            .filter_map(|c| c.rule_set)
            .collect()
    })
}

/// Reads `bytes` as the file `name`, checks it with `rule_sets` (with itself as last year's
/// report too), and renders the findings in every format.
pub fn check_and_render(rule_sets: &[RuleSet], name: &str, bytes: &[u8]) {
    let Ok(input) = gouji::extract::load(name, bytes) else {
        return;
    };
    let Ok(checker) = Checker::new(rule_sets, &[]) else {
        return;
    };
    let _ = checker.agency_and_year(&input);
    let Some(findings) = checker.check(&input, Some(&input)) else {
        return;
    };
    let style = render::human::Style {
        colour: false,
        width: 100,
        verbose: true,
    };
    let reports = std::slice::from_ref(&findings);
    let _ = render::human::render(reports, style);
    let _ = render::json::render(reports);
    let _ = render::github::render_report(&findings);
    let mut sarif = render::sarif::Writer::new(rule_sets);
    let _ = (sarif.begin(), sarif.report(&findings), sarif.end());
    let mut junit = render::junit::Writer::new(rule_sets, true);
    let _ = (junit.begin(), junit.report(&findings), junit.end());
}
