//! `gouji diff`: replays two versions of a rule set over the same reports and shows what the
//! change does — findings that appear, disappear, or change severity or message — per report
//! and in total. The old findings are taken as the expectation and the new ones as the actual
//! findings of [`super::diff::compare`], so a finding keeps its identity by rule, variables and
//! cells, as in `gouji test`. The JSON schema (`gouji-diff/1`) is in docs/testing-rules.md.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use super::diff::{self, Actual, DIFF_WORDS, Difference, FieldChange, Paint};
use crate::check::Checker;
use crate::extract::Input;
use crate::findings::FindingKind;
use crate::ruleset::{RuleSet, Severity};

/// The schema's name and version; bumped on any incompatible change.
pub const SCHEMA: &str = "gouji-diff/1";

/// One side of the comparison: a rule set and the file it came from.
#[derive(Debug, Clone, Copy)]
pub struct Side<'r> {
    pub rule_set: &'r RuleSet,
    pub file: &'r str,
}

/// What the change does to one report.
#[derive(Debug)]
pub struct ReportChange {
    pub path: String,
    /// The old findings, in the report's order (`difference` indexes them).
    pub old: Vec<Actual>,
    /// Old findings as expectations, new findings as the actual ones.
    pub difference: Difference,
}

/// The whole replay.
#[derive(Debug)]
pub struct Replay {
    pub old_id: String,
    pub old_file: String,
    pub new_id: String,
    pub new_file: String,
    pub reports: Vec<ReportChange>,
    /// Reports that could not be read, with the reason (rendered).
    pub errors: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub reports: usize,
    pub changed_reports: usize,
    pub appeared: usize,
    pub disappeared: usize,
    pub changed: usize,
    pub unchanged: usize,
    pub unreadable: usize,
}

impl Replay {
    #[must_use]
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            reports: self.reports.len(),
            unreadable: self.errors.len(),
            ..Summary::default()
        };
        for r in &self.reports {
            let d = &r.difference;
            s.changed_reports += usize::from(!d.is_empty());
            s.appeared += d.unexpected.len();
            s.disappeared += d.missing.len();
            s.changed += d.changed.len();
            s.unchanged += d.matched;
        }
        s
    }

    /// Whether the change changes anything.
    #[must_use]
    pub fn has_changes(&self) -> bool {
        self.reports.iter().any(|r| !r.difference.is_empty())
    }
}

/// Report files under the given paths: files as given, folders searched (in a stable order).
/// Paths that do not exist, and folders without reports, come back as errors.
#[must_use]
pub fn report_paths(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if path.is_dir() {
            let found = crate::files::files_under(path, &super::is_report_file, &|_| true);
            if found.is_empty() {
                errors.push(format!(
                    "gouji: 目录「{}」中没有报告文件（.txt .html .htm .shtml .toml .json .docx）\n",
                    path.display()
                ));
            }
            files.extend(found);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            errors.push(format!(
                "gouji: 「{}」不存在 / no such file or directory\n",
                path.display()
            ));
        }
    }
    (files, errors)
}

/// A checker for one side, given the parameters that side declares. Parameters that neither
/// side declares are an error (the caller checks).
fn checker<'r>(rule_set: &'r RuleSet, params: &[(String, String)]) -> Result<Checker<'r>, String> {
    let own: Vec<(String, String)> = params
        .iter()
        .filter(|(name, _)| rule_set.param(name).is_some())
        .cloned()
        .collect();
    Checker::new(std::slice::from_ref(rule_set), &own)
        .map_err(|e| format!("gouji: 规则集「{}」：{e}\n", rule_set.id))
}

/// Replays both rule sets over the reports. As in `gouji check`, each report is paired with
/// last year's report of the same agency when the batch has it, for the checks across years.
pub fn replay(
    old: Side<'_>,
    new: Side<'_>,
    params: &[(String, String)],
    reports: &[PathBuf],
    render: super::RenderDiagnostic,
) -> Result<Replay, String> {
    if let Some((name, _)) = params
        .iter()
        .find(|(name, _)| old.rule_set.param(name).is_none() && new.rule_set.param(name).is_none())
    {
        return Err(format!(
            "gouji: 参数「{name}」：新旧两个规则集都没有声明这个参数\n"
        ));
    }
    let old_checker = checker(old.rule_set, params)?;
    let new_checker = checker(new.rule_set, params)?;
    let load = |path: &Path| -> Result<Input, String> {
        let name = path.display().to_string();
        let bytes = crate::files::read_file(path)
            .map_err(|e| format!("gouji: 无法读取「{name}」：{e}\n"))?;
        crate::extract::load(&name, &bytes).map_err(|e| render(&e))
    };
    let pairs = pair_years(&new_checker, reports, &load);
    let results: Vec<Result<ReportChange, String>> = reports
        .par_iter()
        .zip(pairs.par_iter())
        .map(|(path, previous)| {
            let input = load(path)?;
            let previous = previous.as_ref().and_then(|p| load(p).ok());
            let before = super::observe(&old_checker, &input, previous.as_ref());
            let after = super::observe(&new_checker, &input, previous.as_ref());
            let expected: Vec<_> = before.iter().map(Actual::to_expected).collect();
            let difference = diff::compare(&expected, &after, false, None);
            Ok(ReportChange {
                path: path.display().to_string(),
                old: before,
                difference,
            })
        })
        .collect();
    let mut replay = Replay {
        old_id: old.rule_set.id.clone(),
        old_file: old.file.to_owned(),
        new_id: new.rule_set.id.clone(),
        new_file: new.file.to_owned(),
        reports: Vec::new(),
        errors: Vec::new(),
    };
    for r in results {
        match r {
            Ok(change) => replay.reports.push(change),
            Err(e) => replay.errors.push(e),
        }
    }
    Ok(replay)
}

/// For each report, the report of the same agency for the year before, if the batch has one.
fn pair_years(
    checker: &Checker<'_>,
    paths: &[PathBuf],
    load: &(dyn Fn(&Path) -> Result<Input, String> + Sync),
) -> Vec<Option<PathBuf>> {
    if paths.len() < 2 {
        return vec![None; paths.len()];
    }
    let keys: Vec<Option<(String, i32)>> = paths
        .par_iter()
        .map(|p| checker.agency_and_year(&load(p).ok()?))
        .collect();
    crate::check::pair_consecutive_years(&keys)
        .into_iter()
        .map(|i| i.map(|i| paths[i].clone()))
        .collect()
}

// ───────────────────────────────────────────────────────────────────────────── text

/// For people: the two rule sets, then each report that changes with its changes, then the
/// totals. `all`: also list the reports that do not change.
#[must_use]
pub fn human(replay: &Replay, all: bool, paint: Paint) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "旧：{}（{}）", replay.old_id, replay.old_file);
    let _ = writeln!(out, "新：{}（{}）", replay.new_id, replay.new_file);
    for r in &replay.reports {
        let d = &r.difference;
        if d.is_empty() {
            if all {
                let _ = writeln!(out, "\n{}：没有变化（{} 条问题不变）", r.path, d.matched);
            }
            continue;
        }
        let _ = writeln!(
            out,
            "\n{}  {}",
            paint.bold(&r.path),
            paint.dim(&d_summary(d))
        );
        out.push_str(&diff::render(
            d,
            None,
            Some(&r.old),
            DIFF_WORDS,
            "  ",
            paint,
        ));
    }
    let s = replay.summary();
    let _ = writeln!(
        out,
        "\n合计：{} 份报告，{} 份有变化；新出现 {} 条，不再出现 {} 条，有变化 {} 条，不变 {} 条",
        s.reports, s.changed_reports, s.appeared, s.disappeared, s.changed, s.unchanged
    );
    if s.unreadable > 0 {
        let _ = writeln!(out, "另有 {} 份报告无法读取（见标准错误）", s.unreadable);
    }
    out
}

fn d_summary(d: &Difference) -> String {
    let mut parts = Vec::new();
    if !d.unexpected.is_empty() {
        parts.push(format!("新出现 {}", d.unexpected.len()));
    }
    if !d.missing.is_empty() {
        parts.push(format!("不再出现 {}", d.missing.len()));
    }
    if !d.changed.is_empty() {
        parts.push(format!("有变化 {}", d.changed.len()));
    }
    if d.matched > 0 {
        parts.push(format!("不变 {}", d.matched));
    }
    parts.join("，")
}

// ───────────────────────────────────────────────────────────────────────────── JSON

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    gouji_version: &'static str,
    old: SideJson<'a>,
    new: SideJson<'a>,
    reports: Vec<ReportJson<'a>>,
    summary: Summary,
}

#[derive(Serialize)]
struct SideJson<'a> {
    rule_set: &'a str,
    file: &'a str,
}

#[derive(Serialize)]
struct ReportJson<'a> {
    path: &'a str,
    appeared: Vec<FindingJson<'a>>,
    disappeared: Vec<FindingJson<'a>>,
    changed: Vec<ChangedJson<'a>>,
    unchanged: usize,
}

#[derive(Serialize)]
struct Binding<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    kind: FindingKind,
    severity: Severity,
    message: &'a str,
    bindings: Vec<Binding<'a>>,
    table: Option<String>,
    row: Option<String>,
    column: Option<String>,
    line: Option<usize>,
}

#[derive(Serialize)]
struct VersionJson<'a> {
    severity: Severity,
    message: &'a str,
}

#[derive(Serialize)]
struct ChangedJson<'a> {
    rule: &'a str,
    bindings: Vec<Binding<'a>>,
    table: Option<String>,
    row: Option<String>,
    column: Option<String>,
    line: Option<usize>,
    /// What changed: `severity`, `message`.
    fields: Vec<&'static str>,
    old: VersionJson<'a>,
    new: VersionJson<'a>,
}

fn bindings(b: &[(String, String)]) -> Vec<Binding<'_>> {
    b.iter()
        .map(|(name, value)| Binding { name, value })
        .collect()
}

fn finding(a: &Actual) -> FindingJson<'_> {
    let (table, row, column) = a.common_place();
    FindingJson {
        rule: &a.rule,
        kind: a.kind,
        severity: a.severity,
        message: &a.message,
        bindings: bindings(&a.bindings),
        table,
        row,
        column,
        line: a.line,
    }
}

/// For scripts: one JSON document (schema `gouji-diff/1`), every report in it, changed or not.
#[must_use]
pub fn json(replay: &Replay) -> String {
    let reports = replay
        .reports
        .iter()
        .map(|r| {
            let d = &r.difference;
            ReportJson {
                path: &r.path,
                appeared: d.unexpected.iter().map(finding).collect(),
                disappeared: d.missing.iter().map(|m| finding(&r.old[m.index])).collect(),
                changed: d
                    .changed
                    .iter()
                    .map(|c| {
                        let old = &r.old[c.index];
                        let (table, row, column) = old.common_place();
                        ChangedJson {
                            rule: &old.rule,
                            bindings: bindings(&old.bindings),
                            table,
                            row,
                            column,
                            line: c.actual.line,
                            fields: c
                                .fields
                                .iter()
                                .map(|f| match f {
                                    FieldChange::Severity { .. } => "severity",
                                    FieldChange::Message { .. } => "message",
                                    FieldChange::Value { .. } => "value",
                                })
                                .collect(),
                            old: VersionJson {
                                severity: old.severity,
                                message: &old.message,
                            },
                            new: VersionJson {
                                severity: c.actual.severity,
                                message: &c.actual.message,
                            },
                        }
                    })
                    .collect(),
                unchanged: d.matched,
            }
        })
        .collect();
    let document = Document {
        schema: SCHEMA,
        gouji_version: env!("CARGO_PKG_VERSION"),
        old: SideJson {
            rule_set: &replay.old_id,
            file: &replay.old_file,
        },
        new: SideJson {
            rule_set: &replay.new_id,
            file: &replay.new_file,
        },
        reports,
        summary: replay.summary(),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("a replay always serialises");
    text.push('\n');
    text
}
