//! Stage 5: what the checks and the reading found, as findings with their evidence, ready for
//! any renderer. Extraction anomalies are findings of their own kind (`extraction`), so that
//! "the report is wrong" and "gouji could not read this" stay apart.

use serde::Serialize;

use crate::eval::{CellEvidence, CheckResult, Comparison, Failure, Outcome};
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
    /// The name of last year's report it was checked against (`--prev`, or paired in a batch).
    pub previous: Option<String>,
    pub input: crate::report::InputKind,
    /// How the report's tables were laid out (which reader placed the cells, and how).
    pub layout: crate::report::Layout,
    pub encoding: &'static str,
    pub findings: Vec<Finding>,
    pub not_evaluated: Vec<NotEvaluated>,
    /// Check instances that passed.
    pub passed: usize,
    /// The checks with at least one instance that passed, in the rule set's order, each with
    /// the number of its instances that passed (together they add up to `passed`).
    pub passed_checks: Vec<(String, usize)>,
    /// The report's tables as read, for renderers that draw them (`--format html`).
    pub tables: Vec<crate::report::TableData>,
    /// The findings that waivers accepted (`--waivers`), and the waivers that no longer apply.
    pub waivers: crate::waivers::ReportWaivers,
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
    /// Failures that the same wrong cell explains, shown under this one.
    pub related: Vec<Finding>,
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

    /// Every finding, each followed by its related ones (every check that failed).
    pub fn with_related(&self) -> impl Iterator<Item = &Finding> {
        self.findings
            .iter()
            .flat_map(|f| std::iter::once(f).chain(&f.related))
    }

    /// Whether any finding is at or above `level`.
    #[must_use]
    pub fn fails_at(&self, level: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= level)
    }
}

/// The default severity of each kind of extraction anomaly: what makes figures unreadable is
/// an error; what gouji could read despite a deviation is a warning. A table whose every cell
/// is blank is a warning: agencies that leave zeros blank print a table of zeros that way
/// (the one-cell fee table most often), so it is not surely wrong.
#[must_use]
pub fn anomaly_severity(kind: AnomalyKind) -> Severity {
    match kind {
        AnomalyKind::TableMissing | AnomalyKind::InvalidValue | AnomalyKind::Unreadable => {
            Severity::Error
        }
        AnomalyKind::TableBlank
        | AnomalyKind::ExtraValues
        | AnomalyKind::MissingValues
        | AnomalyKind::RowNotFound
        | AnomalyKind::ColumnNotFound
        | AnomalyKind::LabelDrift
        | AnomalyKind::UnknownCells
        | AnomalyKind::Encoding => Severity::Warning,
        AnomalyKind::UnknownTable => Severity::Info,
    }
}

/// Gathers the findings of one report: anomalies first by place, then failed checks.
///
/// One defect, one finding: totals left blank become one finding per table (the checks that
/// need them are not evaluated); a check marked `按表合并` makes one finding per table; and a
/// failure that the same wrong cell explains is attached to the first such failure (in the
/// rule set's order) as a related finding.
#[must_use]
pub fn collect(rule_set: &RuleSet, report: Report, results: Vec<CheckResult>) -> ReportFindings {
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
            related: Vec::new(),
        })
        .collect();
    let blank_totals: Vec<CellEvidence> = results
        .iter()
        .filter_map(|r| match &r.outcome {
            Outcome::Fail(f) => f.blank_total.clone(),
            _ => None,
        })
        .collect();
    let mut not_evaluated = Vec::new();
    let mut passed = 0;
    // By the check's index: comparing ids cost a string comparison per passing instance.
    let mut passed_checks: Vec<(usize, usize)> = Vec::new();
    let mut omissions: Vec<(usize, CellEvidence)> = Vec::new();
    let mut failed: Vec<(usize, Finding)> = Vec::new();
    for result in results {
        let check = &rule_set.checks[result.check];
        match result.outcome {
            Outcome::Pass => {
                passed += 1;
                // The instances of a check come one after another.
                match passed_checks.last_mut() {
                    Some((index, n)) if *index == result.check => *n += 1,
                    _ => passed_checks.push((result.check, 1)),
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
                if let Some(total) = failure.blank_total {
                    omissions.push((result.check, total));
                    continue;
                }
                let blank = failure
                    .evidence
                    .cells
                    .iter()
                    .find(|c| !c.previous && blank_totals.iter().any(|b| b.is_same_cell(c)));
                if let Some(blank) = blank {
                    not_evaluated.push(NotEvaluated {
                        rule: check.id.clone(),
                        bindings: result.bindings,
                        reason: format!(
                            "「{}」表「{}」行「{}」列是未填的总计",
                            blank.table, blank.row_label, blank.column_label
                        ),
                    });
                    continue;
                }
                let finding = check_finding(rule_set, result.check, result.bindings, *failure);
                failed.push((result.check, finding));
            }
        }
    }
    findings.extend(blank_total_findings(rule_set, omissions));
    let (per_table, single): (Vec<_>, Vec<_>) = failed
        .into_iter()
        .partition(|(check, _)| rule_set.checks[*check].per_table);
    findings.extend(merge_per_table(per_table));
    findings.extend(root_causes(single.into_iter().map(|(_, f)| f)));
    // A stable order: by place in the report, then by rule and variables.
    findings.sort_by(|a, b| order_key(a).cmp(&order_key(b)));
    ReportFindings {
        source: report.source,
        rule_set: rule_set.id.clone(),
        rule_set_title: rule_set.title.clone(),
        year: report.meta.year.as_ref().map(|y| y.value),
        agency: report.meta.agency.map(|a| a.value),
        previous: None,
        input: report.input,
        layout: report.layout,
        encoding: report.encoding,
        findings,
        not_evaluated,
        passed,
        passed_checks: passed_checks
            .into_iter()
            .map(|(index, n)| (rule_set.checks[index].id.clone(), n))
            .collect(),
        tables: report.tables,
        waivers: crate::waivers::ReportWaivers::default(),
    }
}

/// Findings are ordered by place in the report, then by rule and variables.
fn order_key(f: &Finding) -> (usize, &str, &[(String, String)]) {
    (f.span.map_or(usize::MAX, |s| s.start), &f.rule, &f.bindings)
}

/// The rule id of the finding that a table's totals are blank.
pub const BLANK_TOTAL_RULE: &str = "总计未填";

fn check_finding(
    rule_set: &RuleSet,
    index: usize,
    bindings: Vec<(String, String)>,
    failure: Failure,
) -> Finding {
    let check = &rule_set.checks[index];
    let evidence = failure.evidence;
    let span = first_cell_span(&evidence.cells).or_else(|| evidence.places.first().map(|p| p.0));
    Finding {
        rule: check.id.clone(),
        kind: FindingKind::Check,
        severity: check.severity,
        tags: check.tags.clone(),
        message: failure.message,
        help: check.help.clone(),
        basis: check.basis.clone(),
        bindings,
        span,
        cells: evidence.cells,
        places: evidence.places,
        comparison: evidence.comparison,
        rule_location: rule_location(rule_set, index),
        related: Vec::new(),
    }
}

fn first_cell_span(cells: &[CellEvidence]) -> Option<Span> {
    cells.iter().find(|c| !c.previous).map(|c| c.span)
}

/// Where a check is written: file and 1-based line.
fn rule_location(rule_set: &RuleSet, index: usize) -> Option<(String, usize)> {
    rule_set
        .sources
        .resolve(rule_set.checks[index].span)
        .map(|(file, local)| (file.name().to_owned(), file.line_col(local.start).0))
}

/// One finding per table for the totals left blank while their parts are not all zero, at
/// the severity of the strictest check that needed them.
fn blank_total_findings(rule_set: &RuleSet, omissions: Vec<(usize, CellEvidence)>) -> Vec<Finding> {
    let mut tables: Vec<(String, Vec<(usize, CellEvidence)>)> = Vec::new();
    for (check, cell) in omissions {
        if !tables.iter().any(|(t, _)| *t == cell.table) {
            tables.push((cell.table.clone(), Vec::new()));
        }
        let (_, cells) = tables
            .iter_mut()
            .find(|(t, _)| *t == cell.table)
            .expect("just added");
        if !cells.iter().any(|(_, c)| c.is_same_cell(&cell)) {
            cells.push((check, cell));
        }
    }
    tables
        .into_iter()
        .map(|(table, mut cells)| {
            cells.sort_by_key(|(_, c)| c.span.start);
            let strictest = cells
                .iter()
                .map(|(check, _)| *check)
                .max_by_key(|check| rule_set.checks[*check].severity)
                .expect("a table with a blank total has one");
            let check = &rule_set.checks[strictest];
            let cells: Vec<CellEvidence> = cells.into_iter().map(|(_, c)| c).collect();
            Finding {
                rule: BLANK_TOTAL_RULE.to_owned(),
                kind: FindingKind::Check,
                severity: check.severity,
                tags: check.tags.clone(),
                message: blank_total_message(&table, &cells),
                help: Some(
                    "请填写这些总计（各分项之和）；用到它们的勾稽检查在填写之前未评估".to_owned(),
                ),
                basis: check.basis.clone(),
                bindings: Vec::new(),
                span: first_cell_span(&cells),
                cells,
                places: Vec::new(),
                comparison: None,
                rule_location: rule_location(rule_set, strictest),
                related: Vec::new(),
            }
        })
        .collect()
}

/// 「申请」表「（一）予以公开」至「（六）其他处理」等 6 行的「总计」栏未填…
fn blank_total_message(table: &str, cells: &[CellEvidence]) -> String {
    let mut columns: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in cells {
        match columns.iter_mut().find(|(col, _)| *col == c.column_label) {
            Some((_, rows)) => rows.push(&c.row_label),
            None => columns.push((&c.column_label, vec![&c.row_label])),
        }
    }
    let parts: Vec<String> = columns
        .iter()
        .map(|(column, rows)| {
            let rows = match rows.as_slice() {
                [one] => format!("「{one}」行"),
                [a, b] => format!("「{a}」「{b}」两行"),
                [first, .., last] => format!("「{first}」至「{last}」等 {} 行", rows.len()),
                [] => String::new(),
            };
            format!("{rows}的「{column}」栏")
        })
        .collect();
    format!(
        "「{table}」表{}未填（共 {} 格），而各分项之和不为 0；用到这些总计的勾稽检查未评估",
        parts.join("，"),
        cells.len()
    )
}

/// Merges the failing instances of each `按表合并` check into one finding per table, listing
/// every cell.
fn merge_per_table(failed: Vec<(usize, Finding)>) -> Vec<Finding> {
    let mut merged: Vec<(usize, String, Finding, usize)> = Vec::new();
    for (check, f) in failed {
        let table = f
            .cells
            .iter()
            .find(|c| !c.previous)
            .map(|c| c.table.clone())
            .unwrap_or_default();
        match merged
            .iter_mut()
            .find(|(c, t, _, _)| *c == check && *t == table)
        {
            Some((_, _, first, count)) => {
                *count += 1;
                for cell in f.cells {
                    if !first.cells.iter().any(|c| c.is_same_cell(&cell)) {
                        first.cells.push(cell);
                    }
                }
                first.places.extend(f.places);
                first.comparison = None;
            }
            None => merged.push((check, table, f, 1)),
        }
    }
    merged
        .into_iter()
        .map(|(_, _, mut f, count)| {
            if count > 1 {
                const SHOWN: usize = 8;
                let mut list: Vec<String> = f
                    .cells
                    .iter()
                    .filter(|c| !c.previous)
                    .take(SHOWN)
                    .map(|c| format!("「{}」行「{}」列", c.row_label, c.column_label))
                    .collect();
                if f.cells.len() > SHOWN {
                    list.push("等".to_owned());
                }
                f.message = format!("{}（本表共 {count} 处：{}）", f.message, list.join("、"));
                f.bindings.clear();
            }
            f
        })
        .collect()
}

/// Attaches each failure to the first earlier one (in the rule set's order) that the same
/// wrong cell explains: they share a cell of this year's report, differ by the same amount
/// (one mistyped figure shifts every sum that includes it alike), and the later one is no
/// more severe.
fn root_causes(failed: impl Iterator<Item = Finding>) -> Vec<Finding> {
    let mut primaries: Vec<Finding> = Vec::new();
    for f in failed {
        match primaries.iter_mut().find(|p| explains(p, &f)) {
            Some(primary) => primary.related.push(f),
            None => primaries.push(f),
        }
    }
    primaries
}

fn explains(primary: &Finding, other: &Finding) -> bool {
    let shares_cell = other.cells.iter().filter(|c| !c.previous).any(|c| {
        primary
            .cells
            .iter()
            .any(|p| !p.previous && p.is_same_cell(c))
    });
    let amount = |f: &Finding| {
        f.comparison
            .as_ref()
            .and_then(|c| c.difference.as_deref())
            .map(|d| d.trim_start_matches('-').to_owned())
    };
    let same_amount = match (amount(primary), amount(other)) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    shares_cell && same_amount && other.severity <= primary.severity
}
