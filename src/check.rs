//! The whole pipeline for one report: choose the rule set that fits it, read it, evaluate,
//! collect findings. Used by `gouji check` and by the rule-set test runner.

use crate::eval::{self, ParamError, ParamValues};
use crate::extract::{Extractor, Fit, Input};
use crate::findings::{self, ReportFindings};
use crate::report::Report;
use crate::ruleset::RuleSet;

/// A fit this complete, of a set that applies to the report's year, needs no other set tried.
const GOOD_FIT: f64 = 0.95;

/// Rule sets ready to check any number of reports.
pub struct Checker<'r> {
    extractors: Vec<Extractor<'r>>,
    params: Vec<ParamValues>,
}

impl<'r> Checker<'r> {
    /// `overrides` are `NAME=VALUE` parameter values; each must belong to at least one of
    /// the rule sets, and fit its type there.
    pub fn new(
        rule_sets: &'r [RuleSet],
        overrides: &[(String, String)],
    ) -> Result<Self, ParamError> {
        let mut params = Vec::with_capacity(rule_sets.len());
        for rule_set in rule_sets {
            let known: Vec<(String, String)> = overrides
                .iter()
                .filter(|(name, _)| rule_set.param(name).is_some())
                .cloned()
                .collect();
            params.push(ParamValues::new(rule_set, &known)?);
        }
        if let Some((name, _)) = overrides
            .iter()
            .find(|(name, _)| rule_sets.iter().all(|r| r.param(name).is_none()))
        {
            let known = rule_sets
                .iter()
                .flat_map(|r| r.params.iter().map(|p| p.name.as_str()));
            let hint = crate::diagnostic::suggest(name, known)
                .map(|s| format!("（是不是「{s}」？）"))
                .unwrap_or_default();
            return Err(ParamError {
                name: name.clone(),
                message: format!("没有规则集声明这个参数{hint}"),
            });
        }
        Ok(Self {
            extractors: rule_sets.iter().map(Extractor::new).collect(),
            params,
        })
    }

    /// Reads an input under the rule set that fits it best: the one whose tables are found
    /// most completely, and among near-equal fits the one that applies to the report's year.
    /// A report whose tables are of another format than its year calls for is thus read
    /// with the format it actually uses, and that set's own checks say what is wrong.
    ///
    /// The set is chosen from the report's title before anything is extracted: when exactly
    /// one set applies to what the title says and it fits (nearly) completely, no other set
    /// could be chosen, and the report is read once. Otherwise every set is tried.
    #[must_use]
    pub fn read(&self, input: &Input) -> Option<(usize, Report, Fit)> {
        if let Some(index) = self.chosen_by_title(input) {
            let (report, fit) = self.extractors[index].read(input);
            let applies = self.applies_to(&report);
            let only = applies.iter().enumerate().all(|(i, a)| *a == (i == index));
            // A set that applies gets 0.05 in the search below, so beyond 0.95 no set that
            // does not apply can reach its score.
            if only && fit.ratio() > GOOD_FIT {
                return Some((index, report, fit));
            }
        }
        self.search(input)
    }

    /// The one rule set whose `适用` holds for what the report's title says, if exactly one
    /// does.
    fn chosen_by_title(&self, input: &Input) -> Option<usize> {
        let Input::Document(document) = input else {
            return None;
        };
        let meta = crate::extract::peek_metadata(input)?;
        meta.year.as_ref()?;
        let title_only = Report {
            source: document.source.clone(),
            input: document.input,
            layout: crate::report::Layout::Tabs,
            encoding: document.encoding,
            rule_set: String::new(),
            text: document.text.clone(),
            meta,
            sections: Vec::new(),
            tables: Vec::new(),
            anomalies: Vec::new(),
            line_map: Vec::new(),
        };
        let applies = self.applies_to(&title_only);
        let mut applying = (0..applies.len()).filter(|&i| applies[i]);
        let index = applying.next()?;
        applying.next().is_none().then_some(index)
    }

    /// For each rule set, whether its `适用` holds for the report. `适用` conditions look
    /// only at what the report says about itself, which does not depend on the rule set
    /// that read it.
    fn applies_to(&self, report: &Report) -> Vec<bool> {
        self.extractors
            .iter()
            .zip(&self.params)
            .map(|(e, p)| eval::applies(e.rule_set(), report, p) == Some(true))
            .collect()
    }

    /// Tries the sets: the newest first, and a near-complete fit of a set that applies to
    /// the report's year ends the search.
    fn search(&self, input: &Input) -> Option<(usize, Report, Fit)> {
        let first = self.extractors.len().checked_sub(1)?;
        let (report, fit) = self.extractors[first].read(input);
        let applies = self.applies_to(&report);
        let score = |index: usize, fit: Fit| fit.ratio() + if applies[index] { 0.05 } else { 0.0 };
        if applies[first] && fit.ratio() >= GOOD_FIT {
            return Some((first, report, fit));
        }
        let mut best = (score(first, fit), first, report, fit);
        let mut others: Vec<usize> = (0..first).rev().collect();
        others.sort_by_key(|&i| !applies[i]);
        for index in others {
            let (report, fit) = self.extractors[index].read(input);
            let done = applies[index] && fit.ratio() >= GOOD_FIT;
            if score(index, fit) > best.0 {
                best = (score(index, fit), index, report, fit);
            }
            if done {
                break;
            }
        }
        let (_, index, report, fit) = best;
        Some((index, report, fit))
    }

    /// The agency and year a report states, read as cheaply as possible (for pairing the
    /// reports of consecutive years in a batch).
    #[must_use]
    pub fn agency_and_year(&self, input: &Input) -> Option<(String, i32)> {
        let meta = match crate::extract::peek_metadata(input) {
            Some(meta) => meta,
            None => self.read(input)?.1.meta,
        };
        Some((meta.agency?.value, meta.year?.value))
    }

    /// Checks one report (and last year's, if given) and gathers the findings.
    #[must_use]
    pub fn check(&self, input: &Input, previous: Option<&Input>) -> Option<ReportFindings> {
        let (index, report, _) = self.read(input)?;
        let previous = previous.and_then(|p| self.read(p)).map(|(_, r, _)| r);
        let rule_set = self.extractors[index].rule_set();
        let results = eval::evaluate(rule_set, &report, previous.as_ref(), &self.params[index]);
        Some(findings::collect(rule_set, report, results))
    }
}

/// For each report, given the agency and year each states, the index of the same agency's
/// report for the year before, if the batch has one (the first such report, if several).
pub fn pair_consecutive_years(keys: &[Option<(String, i32)>]) -> Vec<Option<usize>> {
    let mut by_key: std::collections::HashMap<(&str, i32), usize> =
        std::collections::HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        if let Some((agency, year)) = key {
            by_key.entry((agency.as_str(), *year)).or_insert(i);
        }
    }
    keys.iter()
        .map(|key| {
            let (agency, year) = key.as_ref()?;
            by_key.get(&(agency.as_str(), year - 1)).copied()
        })
        .collect()
}
