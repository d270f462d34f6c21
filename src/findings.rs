//! Stage 5: what the checks and the reading found, as findings with their evidence, ready for
//! any renderer. Extraction anomalies are findings of their own kind (`extraction`), so that
//! "the report is wrong" and "gouji could not read this" stay apart.

use serde::Serialize;

use crate::eval::{CellEvidence, CheckResult, Comparison, Outcome};
use crate::report::{AnomalyKind, Report};
use crate::ruleset::{RuleSet, Severity};
use crate::source::{SourceFile, Span};

/// Everything found in one report.
#[derive(Debug, Clone)]
pub struct ReportFindings {
    pub source: SourceFile,
    pub rule_set: String,
    pub rule_set_title: Option<String>,
    pub year: Option<i32>,
    pub agency: Option<String>,
    pub input: crate::report::InputKind,
    pub encoding: &'static str,
    pub findings: Vec<Finding>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Check instances that passed.
    pub passed: usize,
    /// The checks with at least one instance that passed, in the rule set's order, each with
    /// the number of its instances that passed (together they add up to `passed`).
    pub passed_checks: Vec<(String, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FindingKind {
    /// A check of the rule set failed: the report is wrong.
    Check,
    /// The report could not be read as declared.
    Extraction,
}

#[derive(Debug, Clone)]
pub struct Finding {
    pub rule: String,
    pub kind: FindingKind,
    pub severity: Severity,
    pub tags: Vec<String>,
    pub message: String,
    pub help: Option<String>,
    pub basis: Option<String>,
    pub bindings: Vec<(String, String)>,
    /// The main place in the report, if there is one.
    pub span: Option<Span>,
    pub cells: Vec<CellEvidence>,
    pub places: Vec<(Span, String)>,
    pub comparison: Option<Comparison>,
    /// Where the rule is written: file and 1-based line.
    pub rule_location: Option<(String, usize)>,
}

#[derive(Debug, Clone)]
pub struct NotEvaluated {
    pub rule: String,
    pub bindings: Vec<(String, String)>,
    pub reason: String,
}

impl ReportFindings {
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// Whether any finding is at or above `level`.
    #[must_use]
    pub fn fails_at(&self, level: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= level)
    }
}

/// The default severity of each kind of extraction anomaly: what makes figures unreadable is
/// an error; what gouji could read despite a deviation is a warning.
#[must_use]
pub fn anomaly_severity(kind: AnomalyKind) -> Severity {
    match kind {
        AnomalyKind::TableMissing
        | AnomalyKind::TableBlank
        | AnomalyKind::InvalidValue
        | AnomalyKind::Unreadable => Severity::Error,
        AnomalyKind::ExtraValues
        | AnomalyKind::MissingValues
        | AnomalyKind::RowNotFound
        | AnomalyKind::ColumnNotFound
        | AnomalyKind::LabelDrift
        | AnomalyKind::Encoding => Severity::Warning,
        AnomalyKind::UnknownTable => Severity::Info,
    }
}

/// Gathers the findings of one report: anomalies first by place, then failed checks.
#[must_use]
pub fn collect(rule_set: &RuleSet, report: &Report, results: Vec<CheckResult>) -> ReportFindings {
    let mut findings: Vec<Finding> = report
        .anomalies
        .iter()
        .map(|a| Finding {
            rule: a.kind.id().to_owned(),
            kind: FindingKind::Extraction,
            severity: anomaly_severity(a.kind),
            tags: vec!["读取".to_owned()],
            message: a.message.clone(),
            help: None,
            basis: None,
            bindings: Vec::new(),
            span: Some(a.span),
            cells: Vec::new(),
            places: Vec::new(),
            comparison: None,
            rule_location: None,
        })
        .collect();
    let mut not_evaluated = Vec::new();
    let mut passed = 0;
    let mut passed_checks: Vec<(String, usize)> = Vec::new();
    for result in results {
        let check = &rule_set.checks[result.check];
        match result.outcome {
            Outcome::Pass => {
                passed += 1;
                // The instances of a check come one after another.
                match passed_checks.last_mut() {
                    Some((id, n)) if *id == check.id => *n += 1,
                    _ => passed_checks.push((check.id.clone(), 1)),
                }
            }
            Outcome::NotEvaluated(reason) => {
                not_evaluated.push(NotEvaluated {
                    rule: check.id.clone(),
                    bindings: result.bindings,
                    reason,
                });
            }
            Outcome::Fail(failure) => {
                let evidence = failure.evidence;
                let span = evidence
                    .cells
                    .iter()
                    .find(|c| !c.previous)
                    .map(|c| c.span)
                    .or_else(|| evidence.places.first().map(|p| p.0));
                let rule_location = rule_set
                    .sources
                    .resolve(check.span)
                    .map(|(file, local)| (file.name().to_owned(), file.line_col(local.start).0));
                findings.push(Finding {
                    rule: check.id.clone(),
                    kind: FindingKind::Check,
                    severity: check.severity,
                    tags: check.tags.clone(),
                    message: failure.message,
                    help: check.help.clone(),
                    basis: check.basis.clone(),
                    bindings: result.bindings,
                    span,
                    cells: evidence.cells,
                    places: evidence.places,
                    comparison: evidence.comparison,
                    rule_location,
                });
            }
        }
    }
    // A stable order: by place in the report, then by rule and variables.
    findings.sort_by(|a, b| {
        let key = |f: &Finding| {
            (
                f.span.map_or(usize::MAX, |s| s.start),
                f.rule.clone(),
                f.bindings.clone(),
            )
        };
        key(a).cmp(&key(b))
    });
    ReportFindings {
        source: report.source.clone(),
        rule_set: rule_set.id.clone(),
        rule_set_title: rule_set.title.clone(),
        year: report.meta.year.as_ref().map(|y| y.value),
        agency: report.meta.agency.as_ref().map(|a| a.value.clone()),
        input: report.input,
        encoding: report.encoding,
        findings,
        not_evaluated,
        passed,
        passed_checks,
    }
}
