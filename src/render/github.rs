//! Findings as GitHub Actions workflow commands: one annotation per finding, which the runner
//! shows on the report's file in the workflow run and on pull requests.
//!
//! ```text
//! ::error file=s1.txt,line=48,col=19,endLine=48,endColumn=19,title=S1::「自然人」列：…%0A公式：…
//! ```
//!
//! Errors are `::error`, warnings `::warning`, infos `::notice`; the findings waivers
//! accepted are one `::notice` per report titled 已豁免 (see `write_waived`). `line`/`col` are where the
//! finding is (1-based; columns count characters), `endLine`/`endColumn` its last character
//! (GitHub's positions are inclusive). The title is the rule's id; the message is the
//! finding's, with its formula on a second line. Property values and the message are escaped
//! as the runner requires.

use std::fmt::Write as _;

use crate::findings::{Finding, ReportFindings};
use crate::ruleset::Severity;

/// The workflow command for a severity.
#[must_use]
pub fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escapes a command's message (its data): `%`, `\r` and `\n`.
#[must_use]
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => out.push(c),
        }
    }
    out
}

/// Escapes a property value: as the data, and `:` and `,` too.
#[must_use]
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The annotations of one report, a line each.
#[must_use]
pub fn render_report(r: &ReportFindings) -> String {
    let mut out = String::new();
    for f in &r.findings {
        write_finding(&mut out, r, f);
    }
    write_waived(&mut out, r);
    out
}

/// The findings waivers accepted: not annotations of their own (they do not fail the run, and
/// a step shows only a few annotations of each kind), but one notice on the report that names
/// each of them with its waiver's reason.
fn write_waived(out: &mut String, r: &ReportFindings) {
    let waived = &r.waivers.waived;
    if waived.is_empty() {
        return;
    }
    let mut message = format!("已豁免 {} 个问题，不计入失败：", waived.len());
    for w in waived {
        let _ = write!(
            message,
            "\n{}：{}（理由：{}；{}）",
            w.finding.rule, w.finding.message, w.entry.reason, w.place
        );
    }
    let _ = writeln!(
        out,
        "::notice file={},title=已豁免::{}",
        escape_property(r.source.name()),
        escape_data(&message)
    );
}

fn write_finding(out: &mut String, r: &ReportFindings, f: &Finding) {
    let mut properties = format!("file={}", escape_property(r.source.name()));
    if let Some(span) = f.span.filter(|s| s.end <= r.source.text().len()) {
        let (line, col) = r.source.line_col(span.start);
        // The last character: the one before the end, unless the span is empty.
        let last = if span.is_empty() {
            span.start
        } else {
            crate::source::floor_char_boundary(r.source.text(), span.end - 1)
        };
        let (end_line, end_column) = r.source.line_col(last);
        let _ = write!(
            properties,
            ",line={line},col={col},endLine={end_line},endColumn={end_column}"
        );
    }
    let _ = write!(properties, ",title={}", escape_property(&f.rule));
    let mut message = f.message.clone();
    if let Some(c) = &f.comparison {
        let _ = write!(message, "\n公式：{}", c.formula);
    }
    for related in &f.related {
        let _ = write!(message, "\n相关：{}：{}", related.rule, related.message);
    }
    let _ = writeln!(
        out,
        "::{} {properties}::{}",
        command(f.severity),
        escape_data(&message)
    );
}
