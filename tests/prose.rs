//! Issue 12: figures stated in prose against the tables, on the phrasing corpus.
//!
//! The reports under `fixtures/prose/` are written by `fixtures/prose/make.py`, which also
//! writes `manifest.toml`: every contradiction planted in each report's prose, as a quote
//! (unique in the report), the figure inside it, and the cell it contradicts. The built binary
//! checks each report with `--format json`; a planted contradiction is found when a finding
//! tagged 正文 has a span (its location or one of its places) covering the figure and, where
//! the manifest names one, the cell among its cells. Findings are matched by span and cells,
//! never by rule id. A 正文 finding that covers no planted figure is a false alarm (the
//! distractors: 12345热线, 网民留言, 咨询, 办结率, 同比增长, 较上年增加, years that are references).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use gouji::prose::numbers::number_at;
use serde::Deserialize;
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/prose");

/// Share of planted contradictions that must be found (issue 12, "Done when").
const RECALL: f64 = 0.85;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Report {
    year: i32,
    contradictions: Vec<Contradiction>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contradiction {
    quote: String,
    figure: String,
    quantity: String,
    table: Option<String>,
    row: Option<String>,
    column: Option<String>,
}

impl Contradiction {
    /// The figure's byte range in the report's text.
    fn figure_span(&self, name: &str, text: &str) -> (usize, usize) {
        let at = text
            .find(&self.quote)
            .unwrap_or_else(|| panic!("{name}: {}", self.quote));
        assert_eq!(
            text.matches(&self.quote).count(),
            1,
            "{name}: quote {} unique",
            self.quote
        );
        let offset = self
            .quote
            .find(&self.figure)
            .expect("the quote holds the figure");
        (at + offset, at + offset + self.figure.len())
    }

    fn names_cell(&self, finding: &Value) -> bool {
        let Some(table) = &self.table else {
            return true;
        };
        cells(finding).any(|c| {
            c["previous_year"] == false
                && c["table"] == table.as_str()
                && self
                    .row
                    .as_ref()
                    .is_none_or(|r| c["row_label"] == r.as_str())
                && self
                    .column
                    .as_ref()
                    .is_none_or(|col| c["column_label"] == col.as_str())
        })
    }
}

fn cells(finding: &Value) -> impl Iterator<Item = &Value> {
    finding["cells"].as_array().into_iter().flatten()
}

/// The byte ranges a finding points at: its location and its places.
fn spans(finding: &Value) -> Vec<(u64, u64)> {
    let places = finding["places"].as_array().into_iter().flatten();
    std::iter::once(&finding["location"])
        .chain(places)
        .filter_map(|p| Some((p["start"].as_u64()?, p["end"].as_u64()?)))
        .collect()
}

fn covers(finding: &Value, (start, end): (usize, usize)) -> bool {
    spans(finding)
        .iter()
        .any(|&(s, e)| s <= start as u64 && e >= end as u64)
}

fn overlaps(finding: &Value, (start, end): (usize, usize)) -> bool {
    spans(finding)
        .iter()
        .any(|&(s, e)| s < end as u64 && e > start as u64)
}

fn manifest() -> BTreeMap<String, Report> {
    let text = std::fs::read_to_string(Path::new(DIR).join("manifest.toml"))
        .expect("make.py writes the manifest");
    toml::from_str(&text).expect("the manifest is valid")
}

fn text_of(name: &str) -> String {
    std::fs::read_to_string(Path::new(DIR).join(name)).expect("make.py writes the report")
}

/// The findings tagged 正文 of one report, as `gouji check --format json` prints them.
fn prose_findings(name: &str, year: i32) -> Vec<Value> {
    let output = Command::new(env!("CARGO_BIN_EXE_gouji"))
        .args(["check", "--format", "json", "--color", "never"])
        .arg(Path::new(DIR).join(name))
        .output()
        .expect("the binary runs");
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "{name}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).expect("JSON output");
    let report = &json["reports"][0];
    assert_eq!(report["year"], year, "{name}: the year is read");
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| {
            f["tags"]
                .as_array()
                .is_some_and(|t| t.iter().any(|t| t == "正文"))
        })
        .cloned()
        .collect()
}

fn rule(f: &Value) -> &str {
    f["rule"].as_str().unwrap_or("?")
}

#[test]
fn planted_contradictions_are_found_and_nothing_else() {
    let mut planted = 0;
    let mut found = 0;
    let mut missed = Vec::new();
    let mut false_alarms = Vec::new();
    for (name, report) in manifest() {
        let text = text_of(&name);
        let findings = prose_findings(&name, report.year);
        let figures: Vec<(usize, usize)> = report
            .contradictions
            .iter()
            .map(|c| c.figure_span(&name, &text))
            .collect();
        for (c, &span) in report.contradictions.iter().zip(&figures) {
            planted += 1;
            if findings.iter().any(|f| covers(f, span) && c.names_cell(f)) {
                found += 1;
            } else {
                missed.push(format!("{name}: {} 「{}」", c.quantity, c.quote));
            }
        }
        for f in &findings {
            if !figures.iter().any(|&span| overlaps(f, span)) {
                false_alarms.push(format!("{name}: {} — {}", rule(f), f["message"]));
            }
        }
    }
    let recall = f64::from(found) / f64::from(planted);
    eprintln!(
        "prose corpus: {found} of {planted} planted contradictions found (recall {recall:.2})"
    );
    for m in &missed {
        eprintln!("  missed: {m}");
    }
    assert!(
        false_alarms.is_empty(),
        "正文 findings on no planted figure: {false_alarms:#?}"
    );
    assert!(
        recall >= RECALL,
        "recall {recall:.2} < {RECALL}: missed {missed:#?}"
    );
}

/// A finding in a compact, stable form for its snapshot: rule, severity, where it points,
/// its message, the cells it compared (with their values) and the sentences it quotes.
fn compact(f: &Value) -> String {
    let at = |p: &Value| format!("{}:{}", p["line"], p["column"]);
    let mut out = format!(
        "{} {} {} {}\n",
        rule(f),
        f["severity"].as_str().unwrap_or("?"),
        at(&f["location"]),
        f["message"].as_str().unwrap_or("?")
    );
    for c in cells(f) {
        let _ = writeln!(
            out,
            "  单元格 {}[{}, {}] = {}",
            c["table"].as_str().unwrap_or("?"),
            c["row"].as_str().unwrap_or("?"),
            c["column"].as_str().unwrap_or("?"),
            c["raw"].as_str().unwrap_or("?")
        );
    }
    for p in f["places"].as_array().into_iter().flatten() {
        let _ = writeln!(out, "  {} {}", at(p), p["label"].as_str().unwrap_or("?"));
    }
    out
}

/// Every report's 正文 findings, as reviewed (a snapshot recording a wrong answer is a bug):
/// the clean reports have none; each planted contradiction is one finding.
#[test]
fn findings_of_each_report() {
    for (name, report) in manifest() {
        let findings = prose_findings(&name, report.year);
        let text: String = findings.iter().map(compact).collect();
        insta::assert_snapshot!(format!("prose@{name}"), text);
    }
}

/// Every planted figure written as a number is read by `prose::numbers` exactly where it
/// stands (figures in words, 未收到/无, are the rule set's business).
#[test]
fn planted_figures_are_read_as_numbers() {
    let mut numeric = 0;
    for (name, report) in manifest() {
        let text = text_of(&name);
        for c in &report.contradictions {
            let (start, end) = c.figure_span(&name, &text);
            if c.figure.starts_with(['未', '无']) {
                continue;
            }
            numeric += 1;
            let n = number_at(&text, start)
                .unwrap_or_else(|| panic!("{name}: 「{}」 not read", c.quote));
            assert_eq!((n.start, n.end), (start, end), "{name}: 「{}」", c.quote);
        }
    }
    assert!(
        numeric >= 20,
        "the corpus plants figures written as numbers"
    );
}
