//! Findings as one self-contained web page for the staff who read and forward results: a
//! summary of the run, a sortable list of the reports, and for each report its findings and
//! its tables drawn as the rule set declares them, the cells a finding names marked.
//!
//! The page is made with askama templates (templates/html/): they are compiled into the
//! binary and checked when it is built, so a mistake in a template fails the build rather
//! than a user's run, and everything inserted is HTML-escaped unless marked otherwise. The
//! CSS and the small script are inline, so the page opens from a file and needs no network.
//!
//! The page is written as the run goes, in bounded memory whatever the size of the batch:
//! the head, then each report's part as it arrives (rendered on the thread that checked the
//! report, see [`report`]), then the summary, which is known only at the end and which the
//! style sheet shows first. Of each report only its row in the list of reports is kept
//! until then ([`contents`]), and a count per rule and per rule set.

mod contents;
mod report;
mod table;

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;

use super::{Detached, Totals};
use crate::findings::ReportFindings;
use crate::report::InputKind;
use crate::ruleset::{RuleSet, Severity};

/// The page's renderer.
pub struct Writer<'r> {
    rule_sets: &'r [RuleSet],
    /// Shared with the threads that render the reports' parts.
    layouts: Arc<table::Layouts>,
    /// List the checks that could not be evaluated, as the terminal output does.
    verbose: bool,
    contents: contents::Contents,
    totals: Totals,
    with_errors: usize,
    with_warnings: usize,
    /// Per rule: its severity, its findings, and the reports it was found in.
    by_rule: BTreeMap<String, RuleCount>,
    /// Per rule set id: the reports read under it.
    rule_set_use: BTreeMap<String, usize>,
}

struct RuleCount {
    severity: Severity,
    /// Where the rule is written, `file:line`.
    location: Option<String>,
    findings: usize,
    reports: usize,
}

impl<'r> Writer<'r> {
    #[must_use]
    pub fn new(rule_sets: &'r [RuleSet], verbose: bool) -> Self {
        Self {
            rule_sets,
            layouts: Arc::new(table::Layouts::new(rule_sets)),
            verbose,
            contents: contents::Contents::default(),
            totals: Totals::default(),
            with_errors: 0,
            with_warnings: 0,
            by_rule: BTreeMap::new(),
            rule_set_use: BTreeMap::new(),
        }
    }

    fn rule_set(&self, id: &str) -> Option<&'r RuleSet> {
        self.rule_sets.iter().find(|s| s.id == id)
    }

    /// Counts a report in the summary and adds its row to the list of reports; returns its
    /// anchor.
    fn count(&mut self, r: &ReportFindings) -> String {
        let errors = r.count(Severity::Error);
        let warnings = r.count(Severity::Warning);
        self.totals.reports += 1;
        self.totals.add(r);
        self.with_errors += usize::from(errors > 0);
        self.with_warnings += usize::from(warnings > 0);
        if let Some(count) = self.rule_set_use.get_mut(&r.rule_set) {
            *count += 1;
        } else {
            self.rule_set_use.insert(r.rule_set.clone(), 1);
        }
        let mut rules_here: Vec<&str> = Vec::new();
        for f in &r.findings {
            let count = match self.by_rule.get_mut(&f.rule) {
                Some(count) => count,
                None => self.by_rule.entry(f.rule.clone()).or_insert(RuleCount {
                    severity: f.severity,
                    location: f
                        .rule_location
                        .as_ref()
                        .map(|(file, line)| format!("{file}:{line}")),
                    findings: 0,
                    reports: 0,
                }),
            };
            count.severity = count.severity.max(f.severity);
            count.findings += 1;
            if !rules_here.contains(&f.rule.as_str()) {
                rules_here.push(&f.rule);
                count.reports += 1;
            }
        }
        self.contents.add(
            r.agency.as_deref().unwrap_or("（未写明）"),
            r.year,
            r.input,
            errors,
            warnings,
            r.source.name(),
        )
    }
}

impl super::Renderer for Writer<'_> {
    fn begin(&mut self) -> String {
        let mut head = Head {
            version: env!("CARGO_PKG_VERSION"),
        }
        .render()
        .expect("writing into a String cannot fail");
        // A template's last line break is trimmed; the next part starts on a line of its own.
        head.push('\n');
        head
    }

    fn report(&mut self, r: &ReportFindings) -> String {
        let part = report::render(r, &self.layouts, self.verbose);
        self.place(r, part)
    }

    fn detached(&self) -> Option<Detached> {
        let layouts = Arc::clone(&self.layouts);
        let verbose = self.verbose;
        Some(Box::new(move |r| report::render(r, &layouts, verbose)))
    }

    fn place(&mut self, r: &ReportFindings, rendered: String) -> String {
        let anchor = self.count(r);
        rendered.replace(report::ANCHOR, &anchor)
    }

    fn end(&mut self) -> String {
        let mut page = String::new();
        self.end_in_pieces(&mut |text| page.push_str(text));
        page
    }

    fn end_in_pieces(&mut self, write: &mut dyn FnMut(&str)) {
        let rule_sets = self
            .rule_set_use
            .iter()
            .map(|(id, reports)| {
                let set = self.rule_set(id);
                RuleSetRow {
                    id: id.clone(),
                    title: set.and_then(|s| s.title.clone()).unwrap_or_default(),
                    version: set.and_then(|s| s.version.clone()).unwrap_or_default(),
                    reports: *reports,
                }
            })
            .collect();
        let rules: Vec<RuleRow> = self
            .by_rule
            .iter()
            .map(|(rule, c)| RuleRow {
                rule: rule.clone(),
                severity: severity_class(c.severity),
                severity_label: c.severity.chinese(),
                location: c.location.clone().unwrap_or_default(),
                findings: c.findings,
                reports: c.reports,
            })
            .collect();
        let summary = Summary {
            totals: self.totals,
            with_errors: self.with_errors,
            with_warnings: self.with_warnings,
            rules: &rules,
            rule_sets,
        };
        let mut summary = summary.render().expect("writing into a String cannot fail");
        summary.push('\n');
        write(&summary);
        self.contents.write_rows(write);
        let tail = Tail { rules: &rules };
        write(&tail.render().expect("writing into a String cannot fail"));
    }
}

// ─────────────────────────────────────────────────────────────────────── the page

/// The page up to its first report: the style sheet, and the heading (`#top`).
#[derive(Template)]
#[template(path = "html/head.html", whitespace = "minimize")]
struct Head {
    version: &'static str,
}

/// The summary, up to the rows of the list of reports.
#[derive(Template)]
#[template(path = "html/summary.html", whitespace = "minimize")]
struct Summary<'a> {
    totals: Totals,
    with_errors: usize,
    with_warnings: usize,
    rules: &'a [RuleRow],
    rule_sets: Vec<RuleSetRow>,
}

/// After the rows of the list of reports: the legend, the filters (by rule, so known at the
/// end), the script.
#[derive(Template)]
#[template(path = "html/tail.html", whitespace = "minimize")]
struct Tail<'a> {
    rules: &'a [RuleRow],
}

struct RuleRow {
    rule: String,
    severity: &'static str,
    severity_label: &'static str,
    location: String,
    findings: usize,
    reports: usize,
}

struct RuleSetRow {
    id: String,
    title: String,
    version: String,
    reports: usize,
}

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn input_kind(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Text => "文本",
        InputKind::Html => "网页",
        InputKind::Toml => "TOML 数据",
        InputKind::Json => "JSON 数据",
        InputKind::Docx => "Word 文档",
        InputKind::Pdf => "PDF",
    }
}
