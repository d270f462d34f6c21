//! Findings for people: the report's own lines with the cells in question underlined and
//! labelled with their values, the rule's message, the formula with the numbers written in,
//! and a summary per report and per run.

use std::fmt::{self, Write as _};

use super::{Totals, marked_spans, previous_cells};
use crate::findings::{Finding, FindingKind, ReportFindings};
use crate::ruleset::Severity;
use crate::source::SourceFile;

/// How to draw: colour only for a terminal that wants it.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub colour: bool,
    pub width: usize,
    /// List the checks that could not be evaluated, with their reasons.
    pub verbose: bool,
}

/// One finding as a miette diagnostic over the report's source.
struct FindingDiagnostic<'a> {
    finding: &'a Finding,
    source: &'a SourceFile,
}

impl fmt::Debug for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl fmt::Display for FindingDiagnostic<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.finding.message)
    }
}

impl std::error::Error for FindingDiagnostic<'_> {}

impl miette::Diagnostic for FindingDiagnostic<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let kind = match self.finding.kind {
            FindingKind::Check => "",
            FindingKind::Extraction => "（读取问题）",
        };
        Some(Box::new(format!("{}{kind}", self.finding.rule)))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.finding.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        let f = self.finding;
        let mut lines = Vec::new();
        if let Some(c) = &f.comparison {
            lines.push(format!("公式：{}", c.formula));
        }
        if let Some(previous) = previous_cells(f) {
            lines.push(format!("上年度报告：{previous}"));
        }
        if let Some(h) = &f.help {
            lines.push(h.clone());
        }
        if let Some(b) = &f.basis {
            lines.push(format!("依据：{b}"));
        }
        if let Some((file, line)) = &f.rule_location {
            lines.push(format!("规则：{file}:{line}"));
        }
        (!lines.is_empty()).then(|| Box::new(lines.join("\n")) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let f = self.finding;
        let len = self.source.text().len();
        let mut labels: Vec<miette::LabeledSpan> =
            marked_spans(f, len, |c| short(&c.row_label, &c.row))
                .map(|(span, label)| miette::LabeledSpan::new_with_span(Some(label), span))
                .collect();
        if labels.is_empty() {
            if let Some(span) = f.span.filter(|s| s.end <= len) {
                labels.push(miette::LabeledSpan::new_primary_with_span(None, span));
            }
        }
        Some(Box::new(labels.into_iter()))
    }
}

/// Row labels can be long (`一、本年新收政府信息公开申请数量`); then the row's key (`一`),
/// which the rule set chose to be short, names it.
fn short(label: &str, path: &str) -> String {
    if label.chars().count() <= 12 {
        return label.to_owned();
    }
    path.rsplit('.').next().unwrap_or(path).to_owned()
}

/// Renders the findings of a run.
pub fn render(reports: &[ReportFindings], style: Style) -> String {
    let mut out: String = reports.iter().map(|r| render_report(r, style)).collect();
    out.push_str(&render_end(&Totals::of(reports)));
    out
}

/// One report: its heading, its findings, what could not be evaluated (if verbose), and its
/// summary line.
pub fn render_report(report: &ReportFindings, style: Style) -> String {
    let theme = if style.colour {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false);
    let mut out = String::new();
    let _ = writeln!(out, "{}", heading(report));
    for finding in &report.findings {
        let diagnostic = FindingDiagnostic {
            finding,
            source: &report.source,
        };
        let _ = handler.render_report(&mut out, &diagnostic);
        if !finding.related.is_empty() {
            let _ = writeln!(
                out,
                "  ↳ 以下 {} 项检查不成立，也是由上面这处数字引起的：",
                finding.related.len()
            );
        }
        for related in &finding.related {
            let diagnostic = FindingDiagnostic {
                finding: related,
                source: &report.source,
            };
            let mut block = String::new();
            let _ = handler.render_report(&mut block, &diagnostic);
            for line in block.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
    }
    if style.verbose && !report.not_evaluated.is_empty() {
        let _ = writeln!(out, "未评估的检查：");
        for n in &report.not_evaluated {
            let bindings = if n.bindings.is_empty() {
                String::new()
            } else {
                let pairs: Vec<String> =
                    n.bindings.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("（{}）", pairs.join("，"))
            };
            let _ = writeln!(out, "  - {}{bindings}：{}", n.rule, n.reason);
        }
    }
    out.push_str(&crate::waivers::render::human(report, style.verbose));
    let _ = writeln!(
        out,
        "{}\n",
        summary_line(&Totals::of(std::slice::from_ref(report)))
    );
    out
}

/// The run's summary, when it checked more than one report.
pub fn render_end(totals: &Totals) -> String {
    if totals.reports > 1 {
        format!(
            "共检查 {} 份报告：{}\n",
            totals.reports,
            summary_line(totals)
        )
    } else {
        String::new()
    }
}

fn heading(report: &ReportFindings) -> String {
    let mut about = vec![format!("规则集 {}", report.rule_set)];
    if let Some(y) = report.year {
        about.push(format!("{y} 年度"));
    }
    if let Some(a) = &report.agency {
        about.push(a.clone());
    }
    format!("■ {}（{}）", report.source.name(), about.join("，"))
}

/// `2 个错误，1 个警告，0 个提示；通过 40 项，未评估 7 项`
#[must_use]
pub fn summary_line(t: &Totals) -> String {
    let waived = if t.waived > 0 {
        format!("；已豁免 {} 项", t.waived)
    } else {
        String::new()
    };
    format!(
        "{} 个错误，{} 个警告，{} 个提示；通过 {} 项，未评估 {} 项{waived}",
        t.errors, t.warnings, t.infos, t.passed, t.not_evaluated
    )
}
