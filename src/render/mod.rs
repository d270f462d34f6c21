//! Stage 6: findings → text. One renderer per output format; each takes the findings of a
//! whole run and writes them out, in a stable order.

pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::findings::ReportFindings;
use crate::ruleset::Severity;

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
