//! Stage 6: findings → text. One renderer per output format; each takes the findings of a
//! whole run and writes them out, in a stable order.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::eval::CellEvidence;
use crate::findings::{Finding, ReportFindings};
use crate::ruleset::Severity;
use crate::source::Span;

/// Totals over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub reports: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub passed: usize,
    pub not_evaluated: usize,
}

impl Totals {
    #[must_use]
    pub fn of(reports: &[ReportFindings]) -> Self {
        let mut totals = Totals {
            reports: reports.len(),
            ..Totals::default()
        };
        for r in reports {
            totals.add(r);
        }
        totals
    }

    pub fn add(&mut self, r: &ReportFindings) {
        self.errors += r.count(Severity::Error);
        self.warnings += r.count(Severity::Warning);
        self.infos += r.count(Severity::Info);
        self.passed += r.passed;
        self.not_evaluated += r.not_evaluated.len();
    }
}

/// The places in this year's report that a finding points at, each with its label: every
/// cell it read (`行·列 = 原文`, the row named by `row_name`), then every place it names.
/// Spans beyond the end of `text_len` are left out: they would underline nothing.
fn marked_spans<'a>(
    f: &'a Finding,
    text_len: usize,
    row_name: impl Fn(&CellEvidence) -> String + 'a,
) -> impl Iterator<Item = (Span, String)> + 'a {
    let within = move |s: Span| s.end <= text_len;
    let cells = f
        .cells
        .iter()
        .filter(move |c| !c.previous && within(c.span))
        .map(move |c| {
            let shown = if c.raw.is_empty() {
                "（空白）"
            } else {
                &c.raw
            };
            (
                c.span,
                format!("{}·{} = {shown}", row_name(c), c.column_label),
            )
        });
    let places = f
        .places
        .iter()
        .filter(move |(s, _)| within(*s))
        .map(|(s, label)| (*s, label.clone()));
    cells.chain(places)
}

/// The cells of last year's report that a finding read, as `行·列 = 原文；…`; `None` when it
/// read none.
fn previous_cells(f: &Finding) -> Option<String> {
    let previous: Vec<String> = f
        .cells
        .iter()
        .filter(|c| c.previous)
        .map(|c| format!("{}·{} = {}", c.row_label, c.column_label, c.raw))
        .collect();
    (!previous.is_empty()).then(|| previous.join("；"))
}
