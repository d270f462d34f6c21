//! Findings for test dashboards: `JUnit` XML, as CI systems (GitLab, Jenkins, Azure DevOps…)
//! read it.
//!
//! One `<testsuite>` per report, named by its path; in it one `<testcase>` per check of the
//! rule set that had an outcome in the report, in the rule set's order, named by the check's
//! id (and with the report's path as `classname`):
//! - a check with any failing instance has a `<failure>` listing every failing instance (its
//!   place, message and formula), `type` its severity;
//! - otherwise a check with an instance that could not be evaluated is `<skipped>`, with the
//!   reasons — a check that could not run never looks like a pass;
//! - otherwise it passed.
//!
//! - a check whose only failures waivers accepted is `<skipped>` too, its message starting
//!   with 已豁免 and listing each waiver's reason; waived failures of a check that also fails
//!   are listed under its `<failure>`.
//!
//! Reading the report is a test case of its own, `读取`, failing with the extraction anomalies.
//! Suites count their `tests`, `failures` and `skipped`; the enclosing `<testsuites>` has no
//! counts, so that the document can be written a report at a time.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use super::previous_cells;
use crate::findings::{Finding, FindingKind, NotEvaluated, ReportFindings};
use crate::ruleset::{RuleSet, Severity};
use crate::waivers::Waived;

/// The name of the test case for reading the report.
pub const READING: &str = "读取";

/// Writes the document a report at a time.
pub struct Writer {
    /// For each rule set, the position of each check in it.
    order: HashMap<String, HashMap<String, usize>>,
    /// Whether to write the `读取` test case (not when a selection leaves out every anomaly).
    reading: bool,
}

/// What happened to one check in one report.
#[derive(Default)]
struct Case<'a> {
    failures: Vec<&'a Finding>,
    skipped: Vec<&'a NotEvaluated>,
    waived: Vec<&'a Waived>,
}

impl Writer {
    #[must_use]
    pub fn new(rule_sets: &[RuleSet], reading: bool) -> Self {
        let order = rule_sets
            .iter()
            .map(|s| {
                let checks = s
                    .checks
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (c.id.clone(), i))
                    .collect();
                (s.id.clone(), checks)
            })
            .collect();
        Self { order, reading }
    }

    pub fn begin(&mut self) -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"gouji\">\n".to_owned()
    }

    pub fn report(&mut self, r: &ReportFindings) -> String {
        let order = self.order.get(&r.rule_set);
        let position = |id: &str| order.and_then(|o| o.get(id).copied()).unwrap_or(usize::MAX);
        // Keyed by (position in the rule set, id): the rule set's order, and a stable one for
        // a check the rule set does not know.
        let mut cases: BTreeMap<(usize, &str), Case<'_>> = BTreeMap::new();
        let mut reading: Vec<&Finding> = Vec::new();
        // A related finding is still its own check's failure: each check is a test case.
        for f in r.with_related() {
            match f.kind {
                FindingKind::Extraction => reading.push(f),
                FindingKind::Check => cases
                    .entry((position(&f.rule), &f.rule))
                    .or_default()
                    .failures
                    .push(f),
            }
        }
        let mut reading_waived: Vec<&Waived> = Vec::new();
        for w in &r.waivers.waived {
            match w.finding.kind {
                FindingKind::Extraction => reading_waived.push(w),
                FindingKind::Check => cases
                    .entry((position(&w.finding.rule), &w.finding.rule))
                    .or_default()
                    .waived
                    .push(w),
            }
        }
        for n in &r.not_evaluated {
            cases
                .entry((position(&n.rule), &n.rule))
                .or_default()
                .skipped
                .push(n);
        }
        for (id, _) in &r.passed_checks {
            cases.entry((position(id), id)).or_default();
        }

        let path = r.source.name();
        let mut body = String::new();
        let (mut tests, mut failures, mut skipped) = (0, 0, 0);
        if self.reading {
            tests += 1;
            if !reading.is_empty() {
                failures += 1;
                write_failures(&mut body, r, READING, &reading, &[], &reading_waived);
            } else if !reading_waived.is_empty() {
                skipped += 1;
                write_waived(&mut body, path, READING, &reading_waived);
            } else {
                write_failures(&mut body, r, READING, &[], &[], &[]);
            }
        }
        for ((_, id), case) in &cases {
            tests += 1;
            if !case.failures.is_empty() {
                failures += 1;
                write_failures(
                    &mut body,
                    r,
                    id,
                    &case.failures,
                    &case.skipped,
                    &case.waived,
                );
            } else if !case.waived.is_empty() {
                skipped += 1;
                write_waived(&mut body, path, id, &case.waived);
            } else if !case.skipped.is_empty() {
                skipped += 1;
                write_skipped(&mut body, path, id, &case.skipped);
            } else {
                let _ = writeln!(
                    body,
                    "    <testcase name=\"{}\" classname=\"{}\"/>",
                    escape(id),
                    escape(path)
                );
            }
        }

        let mut out = String::new();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
            escape(path)
        );
        out.push_str("    <properties>\n");
        let mut property = |name: &str, value: &str| {
            let _ = writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                escape(value)
            );
        };
        property("rule_set", &r.rule_set);
        if let Some(year) = r.year {
            property("year", &year.to_string());
        }
        if let Some(agency) = &r.agency {
            property("agency", agency);
        }
        property("passed", &r.passed.to_string());
        property("not_evaluated", &r.not_evaluated.len().to_string());
        if !r.waivers.waived.is_empty() {
            property("waived", &r.waivers.waived.len().to_string());
        }
        out.push_str("    </properties>\n");
        out.push_str(&body);
        out.push_str("  </testsuite>\n");
        out
    }

    pub fn end(&mut self) -> String {
        "</testsuites>\n".to_owned()
    }
}

/// A test case that passes when `failures` is empty, and otherwise fails with each of them.
fn write_failures(
    out: &mut String,
    r: &ReportFindings,
    name: &str,
    failures: &[&Finding],
    not_evaluated: &[&NotEvaluated],
    waived: &[&Waived],
) {
    let path = r.source.name();
    let Some(first) = failures.first() else {
        let _ = writeln!(
            out,
            "    <testcase name=\"{}\" classname=\"{}\"/>",
            escape(name),
            escape(path)
        );
        return;
    };
    let message = if failures.len() == 1 {
        first.message.clone()
    } else {
        format!("{}（另有 {} 处）", first.message, failures.len() - 1)
    };
    let severity = failures
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Error);
    let mut text = String::new();
    for f in failures {
        match f.span {
            Some(span) if span.end <= r.source.text().len() => {
                let (line, column) = r.source.line_col(span.start);
                let _ = writeln!(text, "{path}:{line}:{column}: {}", f.message);
            }
            _ => {
                let _ = writeln!(text, "{path}: {}", f.message);
            }
        }
        if let Some(c) = &f.comparison {
            let _ = writeln!(text, "    公式：{}", c.formula);
        }
        if let Some(previous) = previous_cells(f) {
            let _ = writeln!(text, "    上年度报告：{previous}");
        }
    }
    for n in not_evaluated {
        let _ = writeln!(text, "未评估{}：{}", bindings(&n.bindings), n.reason);
    }
    for w in waived {
        let _ = writeln!(text, "{}", waived_line(w));
    }
    if let Some(h) = &first.help {
        let _ = writeln!(text, "帮助：{h}");
    }
    if let Some(b) = &first.basis {
        let _ = writeln!(text, "依据：{b}");
    }
    if let Some((file, line)) = &first.rule_location {
        let _ = writeln!(text, "规则：{file}:{line}");
    }
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\">\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    </testcase>",
        escape(name),
        escape(path),
        escape(&message),
        severity_name(severity),
        escape_text(text.trim_end())
    );
}

/// A check none of whose instances failed, some of which could not be evaluated.
fn write_skipped(out: &mut String, path: &str, name: &str, skipped: &[&NotEvaluated]) {
    let mut reasons: Vec<&str> = Vec::new();
    for n in skipped {
        if !reasons.contains(&n.reason.as_str()) {
            reasons.push(&n.reason);
        }
    }
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\">\n      <skipped message=\"{}\"",
        escape(name),
        escape(path),
        escape(&reasons.join("；"))
    );
    if skipped.iter().all(|n| n.bindings.is_empty()) {
        out.push_str("/>\n");
    } else {
        let lines: Vec<String> = skipped
            .iter()
            .map(|n| {
                let pairs: Vec<String> =
                    n.bindings.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("{}：{}", pairs.join("，"), n.reason)
            })
            .collect();
        let _ = writeln!(out, ">{}</skipped>", escape_text(&lines.join("\n")));
    }
    out.push_str("    </testcase>\n");
}

/// A check whose only failures waivers accepted: skipped, with each waiver.
fn write_waived(out: &mut String, path: &str, name: &str, waived: &[&Waived]) {
    let mut reasons: Vec<&str> = Vec::new();
    for w in waived {
        if !reasons.contains(&w.entry.reason.as_str()) {
            reasons.push(&w.entry.reason);
        }
    }
    let lines: Vec<String> = waived.iter().map(|w| waived_line(w)).collect();
    let _ = writeln!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\">\n      <skipped message=\"{}\">{}</skipped>\n    </testcase>",
        escape(name),
        escape(path),
        escape(&format!("已豁免：{}", reasons.join("；"))),
        escape_text(&lines.join("\n"))
    );
}

/// `已豁免（c=自然人）：消息 —— 理由：…〔豁免.toml:12〕`
fn waived_line(w: &Waived) -> String {
    format!(
        "已豁免{}：{} —— {}〔{}〕",
        bindings(&w.finding.bindings),
        w.finding.message,
        crate::waivers::render::waiver_text(&w.entry),
        w.place
    )
}

/// `（c=自然人）`, or nothing for a check without variables.
fn bindings(b: &[(String, String)]) -> String {
    if b.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = b.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("（{}）", pairs.join("，"))
}

fn severity_name(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

/// Escapes text for an XML attribute value: the five special characters, and line breaks and
/// tabs as character references (an attribute keeps them only so); characters XML 1.0 does not
/// allow at all become U+FFFD.
#[must_use]
pub fn escape(text: &str) -> String {
    escape_xml(text, true)
}

/// Escapes text for element content: as [`escape`], but line breaks and tabs stay as they
/// are, so that the text reads as it is in the file.
#[must_use]
pub fn escape_text(text: &str) -> String {
    escape_xml(text, false)
}

fn escape_xml(text: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}
