//! One report's part of the page: its findings, its tables with the cells the findings name
//! marked, the findings that waivers accepted, and (verbose) the checks not evaluated.
//!
//! A part depends on nothing but its report, so it is rendered on any thread; only its
//! anchor (`r3`, the report's place in the run) is known later. The part is written with
//! [`ANCHOR`] where the anchor goes, and [`super::Writer`] puts the anchor in, in input order.

use std::collections::HashMap;

use askama::Template;

use super::table::{CellMarks, Layouts, Mark, TableView, layouts_of, table_views};
use super::{input_kind, severity_class};
use crate::findings::{Finding, FindingKind, ReportFindings};
use crate::render::Totals;
use crate::report::InputKind;
use crate::source::{Span, floor_char_boundary};

/// Where the report's anchor goes in a rendered part. Text from the report is escaped, and
/// an escaped `&` is always followed by `amp;`, `lt;`, …: this can only be the template's.
pub(super) const ANCHOR: &str = "&anchor;";

/// The part of the page for one report, with [`ANCHOR`] where its anchor goes.
/// `verbose`: list the checks that could not be evaluated.
pub(super) fn render(r: &ReportFindings, layouts: &Layouts, verbose: bool) -> String {
    let rule_set = match layouts.title(&r.rule_set) {
        Some(title) => format!("{}（{title}）", r.rule_set),
        None => r.rule_set.clone(),
    };
    let marks = cell_marks(r);
    let drawn = layouts_of(&r.tables, &r.rule_set, layouts);
    let part = ReportPart {
        anchor: ANCHOR,
        title: r.agency.as_deref().unwrap_or_else(|| r.source.name()),
        file: r.source.name(),
        year: r.year.map(|y| y.to_string()).unwrap_or_default(),
        format: input_kind(r.input),
        encoding: r.encoding,
        rule_set,
        totals: Totals::of(std::slice::from_ref(r)),
        findings: r.findings.iter().map(|f| finding_view(r, f)).collect(),
        tables: table_views(&r.tables, &drawn, &marks),
        waived: r
            .waivers
            .waived
            .iter()
            .map(|w| WaivedView {
                rule: &w.finding.rule,
                severity: severity_class(w.finding.severity),
                severity_label: w.finding.severity.chinese(),
                bindings: bindings_text(&w.finding.bindings),
                message: &w.finding.message,
                waiver: crate::waivers::render::waiver_text(&w.entry),
                place: &w.place,
            })
            .collect(),
        lapsed: r
            .waivers
            .lapsed
            .iter()
            .map(|l| LapsedView {
                rule: &l.rule,
                bindings: bindings_text(&l.bindings),
                why: &l.why,
                place: &l.place,
            })
            .collect(),
        not_evaluated: r
            .not_evaluated
            .iter()
            .filter(|_| verbose)
            .map(|n| NotEvaluatedView {
                rule: &n.rule,
                bindings: bindings_text(&n.bindings),
                reason: &n.reason,
            })
            .collect(),
    };
    let mut part = part.render().expect("writing into a String cannot fail");
    part.push('\n');
    part
}

#[derive(Template)]
#[template(path = "html/report.html", whitespace = "minimize")]
struct ReportPart<'a> {
    /// [`ANCHOR`], written unescaped.
    anchor: &'static str,
    title: &'a str,
    file: &'a str,
    year: String,
    format: &'static str,
    encoding: &'static str,
    rule_set: String,
    totals: Totals,
    findings: Vec<FindingView<'a>>,
    tables: Vec<TableView<'a>>,
    waived: Vec<WaivedView<'a>>,
    lapsed: Vec<LapsedView<'a>>,
    not_evaluated: Vec<NotEvaluatedView<'a>>,
}

struct FindingView<'a> {
    rule: &'a str,
    severity: &'static str,
    severity_label: &'static str,
    /// `（读取问题）` for what gouji could not read.
    kind: &'static str,
    message: &'a str,
    bindings: String,
    comparison: Option<&'a crate::eval::Comparison>,
    previous: Option<String>,
    quotes: Vec<Quote<'a>>,
    help: Option<&'a str>,
    basis: Option<&'a str>,
    /// The failures the same wrong cell explains, shown under the finding.
    related: Vec<RelatedView<'a>>,
}

/// A failure that a finding explains: what it says, and its formula.
struct RelatedView<'a> {
    rule: &'a str,
    severity: &'static str,
    severity_label: &'static str,
    message: &'a str,
    formula: Option<&'a str>,
}

/// A passage of the report with the part a finding is about marked.
struct Quote<'a> {
    label: &'a str,
    before: String,
    marked: &'a str,
    after: String,
}

/// A finding a waiver accepted: not counted, listed apart with the waiver's reason.
struct WaivedView<'a> {
    rule: &'a str,
    severity: &'static str,
    severity_label: &'static str,
    bindings: String,
    message: &'a str,
    /// `理由：…；到期 …；登记人 …`.
    waiver: String,
    /// Where the waiver is written: `豁免.toml:12`.
    place: &'a str,
}

/// A waiver about a finding that is shown again, and why it no longer applies.
struct LapsedView<'a> {
    rule: &'a str,
    bindings: String,
    why: &'a str,
    place: &'a str,
}

struct NotEvaluatedView<'a> {
    rule: &'a str,
    bindings: String,
    reason: &'a str,
}

fn finding_view<'a>(r: &'a ReportFindings, f: &'a Finding) -> FindingView<'a> {
    let text = r.source.text();
    let html = r.input == InputKind::Html;
    let mut quotes: Vec<Quote<'a>> = f
        .places
        .iter()
        .filter(|(s, _)| s.end <= text.len())
        .map(|(s, label)| quote(text, *s, label, html))
        .collect();
    // A reading problem names no cell and no place: quote where it is.
    if quotes.is_empty() && f.kind == FindingKind::Extraction {
        quotes.extend(
            f.span
                .filter(|s| s.end <= text.len())
                .map(|s| quote(text, s, "", html)),
        );
    }
    FindingView {
        rule: &f.rule,
        severity: severity_class(f.severity),
        severity_label: f.severity.chinese(),
        kind: match f.kind {
            FindingKind::Check => "",
            FindingKind::Extraction => "（读取问题）",
        },
        message: &f.message,
        bindings: bindings_text(&f.bindings),
        comparison: f.comparison.as_ref(),
        previous: crate::render::previous_cells(f),
        quotes,
        help: f.help.as_deref(),
        basis: f.basis.as_deref(),
        related: f
            .related
            .iter()
            .map(|g| RelatedView {
                rule: &g.rule,
                severity: severity_class(g.severity),
                severity_label: g.severity.chinese(),
                message: &g.message,
                formula: g.comparison.as_ref().map(|c| c.formula.as_str()),
            })
            .collect(),
    }
}

/// `（类别=申请，列=自然人）`, or nothing.
fn bindings_text(bindings: &[(String, String)]) -> String {
    crate::waivers::render::bindings(bindings)
}

/// How many characters of context a quote shows on each side, at most.
const QUOTE_CONTEXT: usize = 60;

/// The sentence around `span` (up to a line break or a `。`, and for an HTML source a tag),
/// with the span marked; the mark stops at the end of its line (or tag).
fn quote<'a>(text: &'a str, span: Span, label: &'a str, html: bool) -> Quote<'a> {
    let is_edge = |c: char| matches!(c, '\n' | '。') || (html && matches!(c, '<' | '>'));
    let start = floor_char_boundary(text, span.start);
    let stop = text[start..]
        .find(|c: char| c == '\n' || (html && c == '<'))
        .map_or(text.len(), |i| start + i);
    let end = floor_char_boundary(text, span.end.min(stop).max(start));
    let before: String = {
        let head = &text[..start];
        let from = head.rfind(is_edge).map_or(0, |i| {
            i + head[i..].chars().next().map_or(0, char::len_utf8)
        });
        let chars: Vec<char> = head[from..].chars().collect();
        chars[chars.len().saturating_sub(QUOTE_CONTEXT)..]
            .iter()
            .collect()
    };
    let after: String = {
        let tail = &text[end..];
        let to = tail.find(is_edge).map_or(tail.len(), |i| {
            // Keep the full stop that ends the sentence.
            if tail[i..].starts_with('。') {
                i + '。'.len_utf8()
            } else {
                i
            }
        });
        tail[..to].chars().take(QUOTE_CONTEXT).collect()
    };
    Quote {
        label,
        before,
        marked: &text[start..end],
        after,
    }
}

/// The findings that name each cell of this year's report: the highest severity, the rules
/// and the findings' anchors. A cell that only a related failure names links to the finding
/// that explains it.
fn cell_marks(r: &ReportFindings) -> CellMarks<'_> {
    let mut marks: CellMarks<'_> = HashMap::new();
    let named = r.findings.iter().enumerate().flat_map(|(index, primary)| {
        std::iter::once(primary)
            .chain(&primary.related)
            .map(move |f| (index, f))
    });
    for (index, f) in named {
        let id = finding_anchor(index);
        for c in f.cells.iter().filter(|c| !c.previous) {
            let mark = marks
                .entry((c.table.as_str(), c.row.as_str(), c.column.as_str()))
                .or_insert_with(|| Mark {
                    severity: f.severity,
                    rules: String::new(),
                    findings: String::new(),
                    first: id.clone(),
                });
            mark.severity = mark.severity.max(f.severity);
            if !mark.rules.split(' ').any(|rule| rule == f.rule) {
                if !mark.rules.is_empty() {
                    mark.rules.push(' ');
                }
                mark.rules.push_str(&f.rule);
            }
            if !mark.findings.split(' ').any(|named| named == id) {
                if !mark.findings.is_empty() {
                    mark.findings.push(' ');
                }
                mark.findings.push_str(&id);
            }
        }
    }
    marks
}

/// The anchor of a report's finding: `r3-2` for the second finding of the third report
/// (here with [`ANCHOR`] for `r3`).
fn finding_anchor(index: usize) -> String {
    format!("{ANCHOR}-{}", index + 1)
}
