//! Testing rule sets the way their authors change them: `gouji test` runs report fixtures
//! through a rule set and compares the findings with hand-written, reviewable expectations;
//! `gouji diff` replays two versions of a rule set over an archive of reports. The layout and
//! the expectation format are documented for rule authors in docs/testing-rules.md.
//!
//! Layout: the cases of the rule file `DIR/NAME.gouji` live in `DIR/tests/NAME/` (sub-folders
//! allowed). A case is a report fixture `CASE.txt` (or `.html`, `.htm`, `.shtml`, `.toml`,
//! `.json`) and its expectation `CASE.expect.toml` ([`expect`]). A report named by an
//! expectation's `上年报告` is last year's report for that case, not a case of its own.
//!
//! Every case runs through the real pipeline: a [`Checker`] over the rule set under test alone
//! (which may `继承` a built-in set), the same reading and evaluation as `gouji check`.

pub mod diff;
pub mod expect;
pub mod output;
pub mod replay;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::check::Checker;
use crate::compile::Loader;
use crate::extract::Input;
use crate::findings::{FindingKind, ReportFindings};
use crate::ruleset::{RuleSet, Severity};
use crate::source::SourceFile;
use diff::{Actual, Difference, Place};
use expect::Expectation;

/// The folder beside a rule file that holds its cases.
pub const TESTS_DIR: &str = "tests";

/// The extensions of report files, as `gouji check` reads them.
pub const REPORT_EXTENSIONS: [&str; 8] =
    ["txt", "html", "htm", "shtml", "toml", "json", "docx", "pdf"];

/// Folders that discovery does not enter: build output and hidden folders.
fn skipped_dir(name: &str) -> bool {
    name == "target" || name.starts_with('.')
}

/// Whether a path names a report file by its extension.
#[must_use]
pub fn is_report_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| REPORT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        && !path.to_string_lossy().ends_with(expect::SUFFIX)
}

/// Renders a diagnostic (a rule-file error, an unreadable fixture, a bad expectation) as text.
pub type RenderDiagnostic = fn(&dyn miette::Diagnostic) -> String;

/// What `gouji test` is asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Rule files, folders to search for rule files, or case files and folders.
    pub paths: Vec<PathBuf>,
    /// Extra rule roots (`--rules`), for `继承` by path or by id.
    pub roots: Vec<PathBuf>,
    /// Write the current findings as the new expectations where they differ.
    pub bless: bool,
    pub render: RenderDiagnostic,
}

/// One rule file and its cases.
#[derive(Debug)]
pub struct Suite {
    /// The rule file, as found.
    pub rule_file: String,
    /// Its cases folder.
    pub cases_dir: String,
    /// The rule set, when the file compiles.
    pub rule_set: Option<RuleSet>,
    /// The rule file's errors, rendered, when it does not compile.
    pub error: Option<String>,
    pub cases: Vec<CaseResult>,
}

impl Suite {
    /// The rule set's id, or the file when it did not compile.
    #[must_use]
    pub fn name(&self) -> &str {
        self.rule_set
            .as_ref()
            .map_or(self.rule_file.as_str(), |r| r.id.as_str())
    }
}

/// One case and how it went.
#[derive(Debug)]
pub struct CaseResult {
    /// The fixture's path under the cases folder, without its extension (`S1不平`, `2020/乡镇`).
    pub name: String,
    pub fixture: Option<String>,
    pub expectation: Option<String>,
    pub outcome: Outcome,
    /// What `--bless` wrote.
    pub blessed: Option<Blessed>,
    /// The rules the case's expectation names (after `--bless`), for coverage.
    pub expected_rules: Vec<String>,
}

#[derive(Debug)]
pub enum Outcome {
    Passed,
    Failed(Failure),
    /// `跳过 = "理由"`.
    Skipped(String),
    /// The case could not be run: the text says why (rendered diagnostics).
    Error(String),
}

#[derive(Debug)]
pub enum Failure {
    /// The findings differ from the expectation.
    Mismatch {
        difference: Difference,
        /// The expectation file (for the lines of its entries).
        source: SourceFile,
    },
    /// A fixture without an expectation; these are its findings.
    NoExpectation { actual: Vec<Actual> },
    /// An expectation without a fixture.
    NoFixture,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blessed {
    /// A new expectation file.
    Created,
    /// An expectation file rewritten; the text says what changed (「缺少 1 条，多出 2 条」).
    Updated(String),
}

/// A whole run.
#[derive(Debug, Default)]
pub struct Run {
    pub suites: Vec<Suite>,
    /// Paths that could not be used (do not exist, are not rule files); a usage error.
    pub problems: Vec<String>,
    /// Things worth saying that are not errors (a rule file given without cases).
    pub notes: Vec<String>,
}

/// Counts over a run. A case that could not be run counts as failed (and as an error).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    /// Of the failed: cases that could not be run.
    pub errors: usize,
}

impl Run {
    #[must_use]
    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for suite in &self.suites {
            for case in &suite.cases {
                match case.outcome {
                    Outcome::Passed => c.passed += 1,
                    Outcome::Failed(_) => c.failed += 1,
                    Outcome::Skipped(_) => c.skipped += 1,
                    Outcome::Error(_) => {
                        c.failed += 1;
                        c.errors += 1;
                    }
                }
            }
        }
        c
    }

    /// Whether anything could not be run: a bad path, a rule file with errors, a fixture or
    /// expectation that cannot be read.
    #[must_use]
    pub fn has_errors(&self) -> bool {
        !self.problems.is_empty()
            || self.suites.iter().any(|s| s.error.is_some())
            || self.counts().errors > 0
    }

    /// The number of cases found.
    #[must_use]
    pub fn cases(&self) -> usize {
        self.suites.iter().map(|s| s.cases.len()).sum()
    }
}

// ───────────────────────────────────────────────────────────────────────────── discovery

/// A rule file to test, and which of its cases (all, or those under the given names).
#[derive(Debug, Clone)]
struct Target {
    rule_file: PathBuf,
    /// `None`: every case. Otherwise case names or folder prefixes (`2020/`).
    only: Option<BTreeSet<String>>,
}

/// The cases folder of a rule file.
#[must_use]
pub fn cases_dir(rule_file: &Path) -> PathBuf {
    let stem = rule_file.file_stem().unwrap_or_default();
    rule_file
        .parent()
        .unwrap_or(Path::new(""))
        .join(TESTS_DIR)
        .join(stem)
}

/// The rule file whose cases folder holds `path`, and the case name (or folder prefix) that
/// `path` stands for.
fn owning_rule_file(path: &Path) -> Option<(PathBuf, String)> {
    let mut rest: Vec<String> = Vec::new();
    let mut at = path;
    loop {
        let name = at.file_name()?.to_string_lossy().into_owned();
        let parent = at.parent()?;
        if parent.file_name().is_some_and(|n| n == TESTS_DIR) {
            let rule_file = parent
                .parent()
                .unwrap_or(Path::new(""))
                .join(format!("{name}.gouji"));
            if rule_file.is_file() {
                rest.reverse();
                return Some((rule_file, rest.join("/")));
            }
        }
        rest.push(name);
        at = parent;
    }
}

/// The rule files under the paths that have cases, and what was wrong with the paths.
fn discover(paths: &[PathBuf], run: &mut Run) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    let mut add = |target: Target| {
        let key = target
            .rule_file
            .canonicalize()
            .unwrap_or_else(|_| target.rule_file.clone());
        if let Some(t) = targets.iter_mut().find(|t| {
            t.rule_file
                .canonicalize()
                .unwrap_or_else(|_| t.rule_file.clone())
                == key
        }) {
            match (&mut t.only, target.only) {
                (Some(mine), Some(theirs)) => mine.extend(theirs),
                (mine, _) => *mine = None,
            }
        } else {
            targets.push(target);
        }
    };
    for path in paths {
        let shown = path.display();
        if !path.exists() {
            run.problems.push(format!(
                "gouji: 「{shown}」不存在 / no such file or directory"
            ));
            continue;
        }
        if path.is_file() && path.extension().is_some_and(|e| e == "gouji") {
            if !cases_dir(path).is_dir() {
                run.notes.push(format!(
                    "规则文件「{shown}」没有用例：用例应放在「{}」中",
                    cases_dir(path).display()
                ));
            }
            add(Target {
                rule_file: path.clone(),
                only: None,
            });
            continue;
        }
        // A case, or a folder of cases, of some rule file.
        if let Some((rule_file, case)) = owning_rule_file(path) {
            let only = if case.is_empty() {
                None
            } else if path.is_dir() {
                Some(BTreeSet::from([format!("{case}/")]))
            } else {
                let name = case
                    .strip_suffix(expect::SUFFIX)
                    .map(str::to_owned)
                    .or_else(|| {
                        Path::new(&case)
                            .extension()
                            .map(|e| case[..case.len() - e.len() - 1].to_owned())
                    })
                    .unwrap_or(case);
                Some(BTreeSet::from([name]))
            };
            add(Target { rule_file, only });
            continue;
        }
        if path.is_dir() {
            let is_rule_file = |p: &Path| p.extension().is_some_and(|e| e == "gouji");
            let files = crate::files::files_under(path, &is_rule_file, &|name| !skipped_dir(name));
            for file in files {
                // `gouji test` in a folder shows `rules/a.gouji`, not `./rules/a.gouji`.
                let file = file
                    .strip_prefix(".")
                    .map_or(file.clone(), Path::to_path_buf);
                if cases_dir(&file).is_dir() {
                    add(Target {
                        rule_file: file,
                        only: None,
                    });
                }
            }
            continue;
        }
        run.problems.push(format!(
            "gouji: 「{shown}」不是规则文件（.gouji），也不在某个规则文件的用例目录（tests/规则文件名/）中"
        ));
    }
    targets
}

/// A case as found on disk, before it runs.
struct Found {
    name: String,
    fixture: Option<PathBuf>,
    /// Another fixture with the same name (`X.txt` and `X.html`).
    clash: Option<PathBuf>,
    expectation: Option<PathBuf>,
}

fn collect_case_files(dir: &Path, rel: &str, out: &mut Vec<(String, PathBuf)>, depth: usize) {
    const MAX_DEPTH: usize = 16;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        let rel_name = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        if kind.is_dir() && depth < MAX_DEPTH {
            collect_case_files(&entry.path(), &rel_name, out, depth + 1);
        } else if kind.is_file() {
            out.push((rel_name, entry.path()));
        }
    }
}

/// The cases in a cases folder, by name. `previous` are the files (relative names) that
/// expectations name as last year's reports: they are not cases.
fn list_cases(dir: &Path, previous: &BTreeSet<String>) -> Vec<Found> {
    let mut files = Vec::new();
    collect_case_files(dir, "", &mut files, 0);
    let mut cases: BTreeMap<String, Found> = BTreeMap::new();
    files.sort();
    for (rel, path) in files {
        if let Some(name) = rel.strip_suffix(expect::SUFFIX) {
            entry(&mut cases, name).expectation = Some(path);
        } else if is_report_file(&path) && !previous.contains(&rel) {
            let ext_len = path.extension().map_or(0, |e| e.len() + 1);
            let found = entry(&mut cases, &rel[..rel.len() - ext_len]);
            if found.fixture.is_some() {
                found.clash = Some(path);
            } else {
                found.fixture = Some(path);
            }
        }
    }
    cases.into_values().collect()
}

fn entry<'a>(cases: &'a mut BTreeMap<String, Found>, name: &str) -> &'a mut Found {
    cases.entry(name.to_owned()).or_insert_with(|| Found {
        name: name.to_owned(),
        fixture: None,
        clash: None,
        expectation: None,
    })
}

/// A path relative to a folder, with `/` separators, if it lies inside it (lexically).
fn relative_to(path: &Path, dir: &Path) -> Option<String> {
    let normal = |p: &Path| -> Vec<String> {
        let mut parts: Vec<String> = Vec::new();
        for c in p.components() {
            match c {
                std::path::Component::ParentDir => {
                    parts.pop();
                }
                std::path::Component::CurDir => {}
                other => parts.push(other.as_os_str().to_string_lossy().into_owned()),
            }
        }
        parts
    };
    let (path, dir) = (normal(path), normal(dir));
    path.starts_with(&dir).then(|| path[dir.len()..].join("/"))
}

// ───────────────────────────────────────────────────────────────────────────── running

/// Runs every case found under the options' paths.
#[must_use]
pub fn run(options: &Options) -> Run {
    let mut run = Run::default();
    let paths = if options.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        options.paths.clone()
    };
    let targets = discover(&paths, &mut run);
    // Patterns are built up front, as `gouji check` does, so that one too large to build is an
    // error of the rule file rather than a check left unevaluated.
    let loader = Loader::new(options.roots.clone()).building_patterns();
    run.suites = targets
        .iter()
        .map(|target| run_suite(&loader, target, options))
        .collect();
    run
}

fn run_suite(loader: &Loader, target: &Target, options: &Options) -> Suite {
    let dir = cases_dir(&target.rule_file);
    let compiled = loader.compile_file(&target.rule_file);
    let mut suite = Suite {
        rule_file: target.rule_file.display().to_string(),
        cases_dir: dir.display().to_string(),
        rule_set: None,
        error: None,
        cases: Vec::new(),
    };
    if compiled.has_errors() {
        let mut text = String::new();
        for d in compiled.diagnostics.iter().filter(|d| d.is_error()) {
            text.push_str(&(options.render)(d));
        }
        suite.error = Some(text);
    } else {
        suite.rule_set = compiled.rule_set;
    }
    // Read every expectation first: the reports they name as last year's are not cases.
    let mut expectations: HashMap<PathBuf, Result<(SourceFile, Expectation), String>> =
        HashMap::new();
    let mut previous = BTreeSet::new();
    let mut all = Vec::new();
    collect_case_files(&dir, "", &mut all, 0);
    for (_, path) in all.iter().filter(|(rel, _)| rel.ends_with(expect::SUFFIX)) {
        let read = expect::read(path, &path.display().to_string())
            .map_err(|e| (options.render)(e.as_ref()));
        if let Ok((_, e)) = &read {
            if let Some((p, _)) = &e.previous {
                let target = path.parent().unwrap_or(Path::new("")).join(p);
                if let Some(rel) = relative_to(&target, &dir) {
                    previous.insert(rel);
                }
            }
        }
        expectations.insert(path.clone(), read);
    }
    let found: Vec<Found> = list_cases(&dir, &previous)
        .into_iter()
        .filter(|f| {
            target.only.as_ref().is_none_or(|only| {
                only.iter()
                    .any(|o| *o == f.name || (o.ends_with('/') && f.name.starts_with(o.as_str())))
            })
        })
        .collect();
    suite.cases = found
        .par_iter()
        .map(|f| {
            let expectation = f.expectation.as_ref().and_then(|p| expectations.get(p));
            run_case(f, expectation, &suite, options)
        })
        .collect();
    suite
}

fn run_case(
    found: &Found,
    expectation: Option<&Result<(SourceFile, Expectation), String>>,
    suite: &Suite,
    options: &Options,
) -> CaseResult {
    let mut result = CaseResult {
        name: found.name.clone(),
        fixture: found.fixture.as_ref().map(|p| p.display().to_string()),
        expectation: found.expectation.as_ref().map(|p| p.display().to_string()),
        outcome: Outcome::Passed,
        blessed: None,
        expected_rules: Vec::new(),
    };
    let expectation = match expectation {
        Some(Err(text)) => {
            result.outcome = Outcome::Error(text.clone());
            return result;
        }
        Some(Ok(e)) => Some(e),
        None => None,
    };
    if let Some((_, e)) = expectation {
        if let Some(reason) = &e.skip {
            result.outcome = Outcome::Skipped(reason.clone());
            return result;
        }
        result.expected_rules = e.findings.iter().map(|f| f.rule.clone()).collect();
    }
    if let Some(other) = &found.clash {
        result.outcome = Outcome::Error(format!(
            "gouji: 用例「{}」有两个报告文件：「{}」和「{}」；一个用例只能有一份报告\n",
            found.name,
            result.fixture.as_deref().unwrap_or(""),
            other.display()
        ));
        return result;
    }
    let Some(fixture) = &found.fixture else {
        result.outcome = Outcome::Failed(Failure::NoFixture);
        return result;
    };
    let Some(rule_set) = &suite.rule_set else {
        result.outcome = Outcome::Error(format!(
            "gouji: 规则文件「{}」有错误，用例没有运行\n",
            suite.rule_file
        ));
        return result;
    };
    let rule_dir = Path::new(&suite.rule_file)
        .parent()
        .unwrap_or(Path::new(""));
    match observe_case(fixture, expectation, rule_set, rule_dir, options.render) {
        Err(text) => result.outcome = Outcome::Error(text),
        Ok(actual) => {
            result.outcome = judge(&mut result, expectation, actual, rule_set, options);
        }
    }
    result
}

/// Reads a fixture (and last year's report, which must lie in `rule_dir`, the rule set's
/// folder) and checks it with the rule set under test.
fn observe_case(
    fixture: &Path,
    expectation: Option<&(SourceFile, Expectation)>,
    rule_set: &RuleSet,
    rule_dir: &Path,
    render: RenderDiagnostic,
) -> Result<Vec<Actual>, String> {
    let input = load_input(fixture, render)?;
    let mut previous = None;
    let mut params: &[(String, String)] = &[];
    if let Some((source, written)) = expectation {
        params = &written.params;
        if let Some((p, span)) = &written.previous {
            let path = fixture.parent().unwrap_or(Path::new("")).join(p);
            // A test case reads nothing outside its rule set's folder.
            let inside = |root: &Path| {
                let root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
                path.canonicalize().map_or(true, |p| p.starts_with(root))
            };
            if !inside(if rule_dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                rule_dir
            }) {
                return Err(render(&expect::ExpectError {
                    message: format!(
                        "上年报告「{}」不在规则集所在的目录「{}」之内",
                        p,
                        rule_dir.display()
                    ),
                    source: source.clone(),
                    span: Some(*span),
                    help: Some("上年报告应放在用例目录中，路径相对于预期文件所在的目录".into()),
                }));
            }
            match load_input(&path, render) {
                Ok(input) => previous = Some(input),
                Err(reason) => {
                    let error = expect::ExpectError {
                        message: format!("无法读取上年报告「{}」", path.display()),
                        source: source.clone(),
                        span: Some(*span),
                        help: Some(format!(
                            "路径相对于预期文件所在的目录。\n{}",
                            reason.trim_end()
                        )),
                    };
                    return Err(render(&error));
                }
            }
        }
        let checker = Checker::new(std::slice::from_ref(rule_set), params).map_err(|e| {
            render(&expect::ExpectError {
                message: e.to_string(),
                source: source.clone(),
                span: param_span(source, written.params_span, &e.name).or(written.params_span),
                help: Some(format!(
                    "规则集「{}」的参数：{}",
                    rule_set.id,
                    rule_set
                        .params
                        .iter()
                        .map(|p| p.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                )),
            })
        })?;
        return Ok(observe(&checker, &input, previous.as_ref()));
    }
    let checker = Checker::new(std::slice::from_ref(rule_set), params)
        .map_err(|e| format!("gouji: {e}\n"))?;
    Ok(observe(&checker, &input, previous.as_ref()))
}

/// Where a parameter's name is written in an expectation's `参数` (`within`).
fn param_span(
    source: &SourceFile,
    within: Option<crate::source::Span>,
    name: &str,
) -> Option<crate::source::Span> {
    let within = within?;
    let text = source.text().get(within.start..within.end)?;
    let at = text
        .find(&format!("{name} ="))
        .or_else(|| text.find(&format!("{name}=")))?;
    let start = within.start + at;
    Some(crate::source::Span::new(start, start + name.len()))
}

fn load_input(path: &Path, render: RenderDiagnostic) -> Result<Input, String> {
    let name = path.display().to_string();
    let bytes = crate::files::read_file(path)
        .map_err(|e| format!("gouji: 无法读取报告「{name}」：{}\n", io_reason(&e)))?;
    crate::extract::load(&name, &bytes).map_err(|e| render(&e))
}

/// The findings of one report as `gouji test` and `gouji diff` compare them.
#[must_use]
pub fn observe(checker: &Checker<'_>, input: &Input, previous: Option<&Input>) -> Vec<Actual> {
    let Some(findings) = checker.check(input, previous) else {
        return Vec::new();
    };
    // Extraction anomalies carry their table, row and column in the report, not in the
    // finding: read the report again (only when there is an anomaly) to find them.
    let anomalies = if findings
        .findings
        .iter()
        .any(|f| f.kind == FindingKind::Extraction)
    {
        checker
            .read(input)
            .map(|(_, report, _)| report.anomalies)
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    actuals(&findings, &anomalies)
}

fn actuals(r: &ReportFindings, anomalies: &[crate::report::Anomaly]) -> Vec<Actual> {
    // A related finding is still a failure of its own check: expectations name it.
    r.with_related()
        .map(|f| {
            let places = match f.kind {
                FindingKind::Check => f
                    .cells
                    .iter()
                    .map(|c| Place {
                        table: Some(c.table.clone()),
                        row: Some(c.row.clone()),
                        row_label: Some(c.row_label.clone()),
                        column: Some(c.column.clone()),
                        column_label: Some(c.column_label.clone()),
                    })
                    .collect(),
                FindingKind::Extraction => anomalies
                    .iter()
                    .find(|a| {
                        a.kind.id() == f.rule && Some(a.span) == f.span && a.message == f.message
                    })
                    .filter(|a| a.table.is_some() || a.row.is_some() || a.column.is_some())
                    .map(|a| Place {
                        table: a.table.clone(),
                        row: a.row.clone(),
                        row_label: None,
                        column: a.column.clone(),
                        column_label: None,
                    })
                    .into_iter()
                    .collect(),
            };
            Actual {
                rule: f.rule.clone(),
                kind: f.kind,
                severity: f.severity,
                message: f.message.clone(),
                bindings: f.bindings.clone(),
                places,
                left: f.comparison.as_ref().map(|c| c.left.clone()),
                right: f.comparison.as_ref().map(|c| c.right.clone()),
                line: f.span.map(|s| r.source.line_col(s.start).0),
            }
        })
        .collect()
}

/// Whether a rule id names a check of the rule set or an extraction anomaly; if not, a note
/// saying so, with the nearest id.
fn unknown_rule(rule_set: &RuleSet, id: &str) -> Option<String> {
    let anomaly = |id: &str| crate::report::AnomalyKind::ALL.iter().any(|k| k.id() == id);
    if rule_set.check(id).is_some() || anomaly(id) {
        return None;
    }
    let candidates = rule_set
        .checks
        .iter()
        .map(|c| c.id.as_str())
        .chain(crate::report::AnomalyKind::ALL.iter().map(|k| k.id()));
    let hint = crate::diagnostic::suggest(id, candidates)
        .map(|s| format!("；是不是「{s}」？"))
        .unwrap_or_default();
    Some(format!(
        "（规则集「{}」中没有检查「{id}」{hint}）",
        rule_set.id
    ))
}

/// Compares a case's findings with its expectation, and blesses if asked.
fn judge(
    result: &mut CaseResult,
    expectation: Option<&(SourceFile, Expectation)>,
    mut actual: Vec<Actual>,
    rule_set: &RuleSet,
    options: &Options,
) -> Outcome {
    let Some((source, e)) = expectation else {
        // A fixture without an expectation.
        if !options.bless {
            return Outcome::Failed(Failure::NoExpectation { actual });
        }
        let path = expectation_path(result);
        let new = Expectation {
            findings: actual.iter().map(Actual::to_expected).collect(),
            ..Expectation::default()
        };
        let comment = format!(
            "# 报告「{}」按规则集「{}」检查应得到的问题（由 gouji test --bless 生成，可以手工修改）。",
            result
                .fixture
                .as_deref()
                .and_then(|f| Path::new(f).file_name())
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default(),
            rule_set.id
        );
        let text = expect::render(&new, &comment);
        if let Err(e) = write_atomically(&path, text.as_bytes()) {
            return Outcome::Error(format!(
                "gouji: 无法写入「{}」：{}\n",
                path.display(),
                io_reason(&e)
            ));
        }
        result.expectation = Some(path.display().to_string());
        result.expected_rules = new.findings.iter().map(|f| f.rule.clone()).collect();
        result.blessed = Some(Blessed::Created);
        return Outcome::Passed;
    };
    if e.ignore_reading {
        actual.retain(|a| a.kind != FindingKind::Extraction);
    }
    let known = |id: &str| unknown_rule(rule_set, id);
    let difference = diff::compare(&e.findings, &actual, e.allow_others, Some(&known));
    if difference.is_empty() {
        return Outcome::Passed;
    }
    if !options.bless {
        return Outcome::Failed(Failure::Mismatch {
            difference,
            source: source.clone(),
        });
    }
    let edits = expect::Edits {
        remove: difference.missing.iter().map(|m| m.index).collect(),
        replace: difference
            .changed
            .iter()
            .map(|c| (c.index, diff::updated(&c.expected, &c.fields)))
            .collect(),
        add: difference
            .unexpected
            .iter()
            .map(Actual::to_expected)
            .collect(),
    };
    let text = expect::apply(source, e, &edits);
    let path = PathBuf::from(source.name());
    if let Err(err) = write_atomically(&path, text.as_bytes()) {
        return Outcome::Error(format!(
            "gouji: 无法写入「{}」：{}\n",
            path.display(),
            io_reason(&err)
        ));
    }
    if let Ok(new) = expect::parse(&SourceFile::new(source.name(), text.as_str())) {
        result.expected_rules = new.findings.iter().map(|f| f.rule.clone()).collect();
    }
    result.blessed = Some(Blessed::Updated(difference.summary()));
    Outcome::Passed
}

/// Where a case's expectation is, or would be written.
fn expectation_path(result: &CaseResult) -> PathBuf {
    if let Some(e) = &result.expectation {
        return PathBuf::from(e);
    }
    let fixture = PathBuf::from(result.fixture.as_deref().unwrap_or_default());
    let stem = fixture.file_stem().unwrap_or_default().to_string_lossy();
    fixture.with_file_name(format!("{stem}{}", expect::SUFFIX))
}

/// Writes a file whole or not at all: to a temporary file beside it, renamed over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path
        .file_name()
        .ok_or_else(|| std::io::Error::other("不是文件路径 / not a file path"))?;
    let temporary = path.with_file_name(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = std::fs::write(&temporary, bytes).and_then(|()| std::fs::rename(&temporary, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// Why a file could not be read or written, in words.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件或目录不存在 / not found".to_owned(),
        std::io::ErrorKind::PermissionDenied => "没有权限 / permission denied".to_owned(),
        std::io::ErrorKind::IsADirectory => "这是一个目录 / is a directory".to_owned(),
        _ => e.to_string(),
    }
}

// ───────────────────────────────────────────────────────────────────────────── coverage

/// Which checks of one tested rule set some case's expectation names.
#[derive(Debug, Clone)]
pub struct Coverage {
    pub rule_set: String,
    pub rule_file: String,
    /// The checks the rule file itself declares, in its order.
    pub own: Vec<CheckCoverage>,
    /// Checks inherited from other rule sets (not counted: their own cases cover them).
    pub inherited: usize,
    /// Of those, the ones some case names all the same.
    pub inherited_triggered: usize,
}

#[derive(Debug, Clone)]
pub struct CheckCoverage {
    pub id: String,
    pub severity: Severity,
    /// The rule file and 1-based line where the check is written.
    pub location: Option<(String, usize)>,
    pub triggered: bool,
}

impl Coverage {
    /// The share of the rule set's own checks that some case triggers, in percent (100 for a
    /// rule set without checks of its own).
    #[must_use]
    pub fn percent(&self) -> f64 {
        if self.own.is_empty() {
            return 100.0;
        }
        let triggered = self.own.iter().filter(|c| c.triggered).count();
        #[allow(clippy::cast_precision_loss)]
        let share = triggered as f64 * 100.0 / self.own.len() as f64;
        share
    }

    #[must_use]
    pub fn triggered(&self) -> usize {
        self.own.iter().filter(|c| c.triggered).count()
    }
}

/// Coverage of every rule set that compiled. A check is triggered when it appears as a
/// finding in the expectation of some case that is not skipped.
#[must_use]
pub fn coverage(run: &Run) -> Vec<Coverage> {
    run.suites
        .iter()
        .filter_map(|suite| {
            let rule_set = suite.rule_set.as_ref()?;
            let named: BTreeSet<&str> = suite
                .cases
                .iter()
                .filter(|c| !matches!(c.outcome, Outcome::Skipped(_)))
                .flat_map(|c| c.expected_rules.iter().map(String::as_str))
                .collect();
            let mut own = Vec::new();
            let (mut inherited, mut inherited_triggered) = (0, 0);
            for check in &rule_set.checks {
                let triggered = named.contains(check.id.as_str());
                if check.origin == rule_set.id {
                    own.push(CheckCoverage {
                        id: check.id.clone(),
                        severity: check.severity,
                        location: rule_set.sources.resolve(check.span).map(|(file, local)| {
                            (file.name().to_owned(), file.line_col(local.start).0)
                        }),
                        triggered,
                    });
                } else {
                    inherited += 1;
                    inherited_triggered += usize::from(triggered);
                }
            }
            Some(Coverage {
                rule_set: rule_set.id.clone(),
                rule_file: suite.rule_file.clone(),
                own,
                inherited,
                inherited_triggered,
            })
        })
        .collect()
}
