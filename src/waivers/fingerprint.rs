//! Fingerprints: short hashes that change exactly when what a waiver accepted changes.
//!
//! - A finding's fingerprint covers the values involved: each cell it read (this year's and
//!   last year's, by table, row and column) with its value, or the sentence it is about — for
//!   the finding and the failures shown under it. Not its message, which the rule's author
//!   may reword, nor positions, which move when text is added elsewhere in the report.
//! - A check's version covers what the check asserts, written back as canonical text from the
//!   compiled rule set (table, variables, conditions, local definitions, assertion): a change
//!   of layout, comments, message, help or severity leaves it as it was.
//!
//! SHA-256 (the `sha2` crate, already built for reading PDF) cut to 12 hex digits: stable
//! across gouji versions and platforms, unlike `std`'s hasher, and short enough to read.

use std::fmt::Write as _;

use sha2::{Digest, Sha256};

use crate::eval::CellEvidence;
use crate::findings::{Finding, ReportFindings};
use crate::ruleset::{Check, RuleSet};

/// Hex digits kept of a hash.
const DIGITS: usize = 12;

/// The longest sentence written into a register, in characters.
const SENTENCE_SHOWN: usize = 60;

fn hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut out = String::with_capacity(DIGITS);
    for byte in digest.iter().take(DIGITS / 2) {
        let _ = write!(out, "{byte:02x}");
    }
    out
}

/// The fingerprint of the values a finding (and those shown under it) is about.
#[must_use]
pub fn of_finding(report: &ReportFindings, finding: &Finding) -> String {
    let mut text = String::new();
    for f in std::iter::once(finding).chain(&finding.related) {
        let _ = writeln!(text, "{}", f.rule);
        // A set: the order a check reads its cells in is the assertion's, not the values'.
        let mut cells: Vec<String> = f
            .cells
            .iter()
            .map(|c| format!("{}={}", cell_place(c), c.value))
            .collect();
        cells.sort();
        for c in cells {
            let _ = writeln!(text, "{c}");
        }
        if f.cells.is_empty() {
            if let Some(s) = sentence(report, f) {
                let _ = writeln!(text, "{s}");
            }
        }
    }
    hash(&text)
}

/// A cell by its place: `申请·一·自然人`, with `上年·` before a cell of last year's report.
fn cell_place(c: &CellEvidence) -> String {
    let year = if c.previous { "上年·" } else { "" };
    format!("{year}{}·{}·{}", c.table, c.row, c.column)
}

/// A cell for people: its place and its text as written (`申请·一·自然人 = 0`).
#[must_use]
pub fn cell_text(c: &CellEvidence) -> String {
    let shown = if c.raw.is_empty() {
        "（空白）"
    } else {
        &c.raw
    };
    format!("{} = {shown}", cell_place(c))
}

/// The sentence a finding without cells is about: the text of its first place, else of its
/// span, with runs of white space made one space; `None` when it points nowhere.
#[must_use]
pub fn sentence(report: &ReportFindings, finding: &Finding) -> Option<String> {
    let span = finding.places.first().map(|p| p.0).or(finding.span)?;
    let text = report.source.text().get(span.start..span.end)?;
    let words: Vec<&str> = text.split_whitespace().collect();
    (!words.is_empty()).then(|| words.join(" "))
}

/// A sentence cut to a length that reads in a register (the fingerprint has it whole).
#[must_use]
pub fn shorten(sentence: &str) -> String {
    if sentence.chars().count() <= SENTENCE_SHOWN {
        return sentence.to_owned();
    }
    let mut cut: String = sentence.chars().take(SENTENCE_SHOWN).collect();
    cut.push('…');
    cut
}

/// The version of a check: a hash of what it asserts.
#[must_use]
pub fn check_version(rule_set: &RuleSet, check: &Check) -> String {
    hash(&assertion_text(rule_set, check))
}

/// What a check asserts, as canonical text.
#[must_use]
pub fn assertion_text(rule_set: &RuleSet, check: &Check) -> String {
    let names = &check.slot_names;
    let mut out = String::new();
    if let Some(t) = check.table {
        let _ = writeln!(out, "于 {}", rule_set.tables[t].key);
    }
    for b in &check.binders {
        let _ = write!(
            out,
            "对每 {} 属于 {}",
            b.name,
            rule_set.domain_text(&b.domain)
        );
        if let Some(filter) = &b.filter {
            let _ = write!(out, " 其中 {}", rule_set.expr_text(filter, names));
        }
        out.push('\n');
    }
    for w in &check.when {
        let _ = writeln!(out, "仅当 {}", rule_set.expr_text(w, names));
    }
    for l in &check.lets {
        let _ = writeln!(
            out,
            "令 {} = {}",
            l.name,
            rule_set.expr_text(&l.value, names)
        );
    }
    let _ = writeln!(out, "断言 {}", rule_set.expr_text(&check.assertion, names));
    if check.per_table {
        out.push_str("按表合并\n");
    }
    out
}
