//! Issue 18: reports in the style of real published ones (HTML pages as agencies publish them,
//! text copied out of their PDFs) give about one finding per defect.
//!
//! The fixtures under `fixtures/real-style/` are written by `fixtures/real-style/make.py`,
//! which also writes `manifest.toml`: each report's agency and year as its title states them,
//! and its planted defects, each with the rule that must find it and where (a cell's table,
//! row and column labels, or words of the message), and how many failures it must explain.
//!
//! For every report: each planted defect is found; findings at warning or error are at most
//! twice the planted defects; a report without defects has no warning and no error. The
//! findings of each report (rule, severity, cells, related failures, counts) are an insta
//! snapshot, reviewed line by line.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use gouji::check::Checker;
use gouji::findings::{Finding, ReportFindings};
use gouji::ruleset::Severity;
use serde::Deserialize;

use crate::support::national_rule_sets;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/real-style");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    agency: String,
    year: i32,
    defects: Vec<Defect>,
}

/// A planted defect and where it must be found.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Defect {
    what: String,
    rule: String,
    table: Option<String>,
    row: Option<String>,
    column: Option<String>,
    /// Words the finding's message contains.
    text: Option<String>,
    /// How many failing checks the finding explains (attached as related findings).
    related: Option<usize>,
}

impl Defect {
    fn found_by(&self, f: &Finding) -> bool {
        let cell = f.cells.iter().any(|c| {
            !c.previous
                && self.table.as_ref().is_none_or(|t| *t == c.table)
                && self.row.as_ref().is_none_or(|r| *r == c.row_label)
                && self
                    .column
                    .as_ref()
                    .is_none_or(|col| *col == c.column_label)
        });
        let wants_cell = self.table.is_some() || self.row.is_some() || self.column.is_some();
        f.rule == self.rule
            && (!wants_cell || cell)
            && self.text.as_ref().is_none_or(|t| f.message.contains(t))
            && self.related.is_none_or(|n| f.related.len() == n)
    }
}

fn manifest() -> BTreeMap<String, Report> {
    let text = std::fs::read_to_string(Path::new(DIR).join("manifest.toml"))
        .expect("make.py writes the manifest");
    toml::from_str(&text).expect("the manifest is valid")
}

fn check(name: &str) -> ReportFindings {
    let path = Path::new(DIR).join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let input = gouji::extract::load(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
    Checker::new(national_rule_sets(), &[])
        .expect("no parameters")
        .check(&input, None)
        .unwrap_or_else(|| panic!("{name}: no rule set fits"))
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// How many of a finding's cells the snapshot shows: a per-table finding can list a hundred
/// blank cells; the first few show which.
const SHOWN: usize = 6;

/// One finding as a reviewer reads it: severity, rule, the cells it names (row and column
/// labels with the text printed there), then its related findings indented.
fn describe(out: &mut String, f: &Finding, indent: &str) {
    let cells: Vec<String> = f
        .cells
        .iter()
        .map(|c| {
            format!(
                "{}{}[{} | {}]={:?}",
                if c.previous { "上年." } else { "" },
                c.table,
                c.row_label,
                c.column_label,
                c.raw
            )
        })
        .collect();
    let _ = writeln!(
        out,
        "{indent}{} {}: {}",
        severity(f.severity),
        f.rule,
        f.message
    );
    if !cells.is_empty() {
        let more = if cells.len() > SHOWN { " …" } else { "" };
        let shown = &cells[..cells.len().min(SHOWN)];
        let _ = writeln!(
            out,
            "{indent}  cells ({}): {}{more}",
            cells.len(),
            shown.join(" ")
        );
    }
    for r in &f.related {
        describe(out, r, &format!("{indent}  related: "));
    }
}

fn summary(name: &str, report: &Report, findings: &ReportFindings) -> String {
    let at_least_warning = findings
        .findings
        .iter()
        .filter(|f| f.severity >= Severity::Warning)
        .count();
    let mut out = format!(
        "{name}: {} planted, {at_least_warning} at warning or error, {} notes, {} related\n",
        report.defects.len(),
        findings.count(Severity::Info),
        findings
            .findings
            .iter()
            .map(|f| f.related.len())
            .sum::<usize>()
    );
    for f in &findings.findings {
        describe(&mut out, f, "");
    }
    out
}

#[test]
fn findings_track_the_planted_defects() {
    let manifest = manifest();
    assert!(manifest.len() >= 10, "at least ten real-style reports");
    for year in [2020, 2021] {
        assert!(
            manifest.values().any(|r| r.year == year),
            "reports of the {year} format"
        );
    }
    let mut all = Vec::new();
    for (name, report) in &manifest {
        let mut failures = Vec::new();
        let findings = check(name);
        let text = summary(name, report, &findings);
        let loud = findings
            .findings
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .count();
        if loud > 2 * report.defects.len() {
            failures.push(format!(
                "{loud} findings at warning or error for {} planted defects",
                report.defects.len()
            ));
        }
        if report.defects.is_empty() && findings.fails_at(Severity::Warning) {
            failures.push("a report without defects has a warning or an error".to_owned());
        }
        for defect in &report.defects {
            if !findings.findings.iter().any(|f| defect.found_by(f)) {
                failures.push(format!("not found: {} ({})", defect.what, defect.rule));
            }
        }
        if findings.year != Some(report.year) || findings.agency.as_ref() != Some(&report.agency) {
            failures.push(format!(
                "title read as {:?} {:?}, expected {} {}",
                findings.agency, findings.year, report.agency, report.year
            ));
        }
        insta::with_settings!({snapshot_suffix => name.as_str()}, {
            insta::assert_snapshot!(text);
        });
        if !failures.is_empty() {
            all.push(format!("{text}  ✗ {}", failures.join("\n  ✗ ")));
        }
    }
    assert!(all.is_empty(), "{}", all.join("\n\n"));
}
