//! Waivers: findings that staff have looked at and accepted, recorded in a register (a TOML
//! file kept beside the reports, in version control) so that they stay quiet — and come back
//! as soon as anything about them changes.
//!
//! A waiver names a finding by its rule, rule set, report (agency and year where read, else
//! the file) and variables; it applies only while the fingerprint of the values involved (the
//! cells and their values, or the sentence) is the same, the check's assertion is the same
//! (its [`fingerprint::check_version`], which the message does not enter), and its 到期 date
//! has not passed. Findings it applies to leave [`ReportFindings::findings`] for
//! [`ReportWaivers::waived`]: they are not counted for `--fail-on` and renderers show them only
//! on request.
//!
//! [`parse`] reads a register with spans for its errors, [`write`] writes one in a stable
//! order, and [`Waivers`] matches a run's findings against one, report by report, from any
//! number of threads.

pub mod fingerprint;
pub mod parse;
pub mod render;
pub mod write;

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};

use jiff::civil::Date;

use crate::findings::{Finding, FindingKind, ReportFindings};
use crate::ruleset::RuleSet;

pub use parse::{RegisterError, parse};
pub use write::write;

/// The register's table of entries: `[[豁免]]`.
pub const ENTRY_TABLE: &str = "豁免";

/// Which report a waiver is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReportKey {
    /// The agency and year the report states: the same report under any file name.
    Agency { agency: String, year: i32 },
    /// A report whose agency or year could not be read: its path, relative to the register's
    /// directory where it lies under it, with `/` between directories.
    File(String),
}

impl ReportKey {
    /// The key of a checked report; `base` is the register's directory.
    #[must_use]
    pub fn of(report: &ReportFindings, base: &Path) -> Self {
        match (&report.agency, report.year) {
            (Some(agency), Some(year)) => ReportKey::Agency {
                agency: agency.clone(),
                year,
            },
            _ => ReportKey::File(relative_path(report.source.name(), base)),
        }
    }
}

impl std::fmt::Display for ReportKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReportKey::Agency { agency, year } => write!(f, "{agency} {year} 年度"),
            ReportKey::File(path) => write!(f, "「{path}」"),
        }
    }
}

/// `path` relative to `base` when it lies under it (both resolved), else as given.
fn relative_path(path: &str, base: &Path) -> String {
    let resolved = std::fs::canonicalize(path).ok();
    let base = std::fs::canonicalize(base).ok();
    let relative = resolved
        .as_ref()
        .zip(base.as_ref())
        .and_then(|(p, b)| p.strip_prefix(b).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from(path));
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// One accepted finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// 规则: the check's id (or the id of an extraction anomaly).
    pub rule: String,
    /// 规则集: the rule set's id.
    pub rule_set: String,
    /// 版本: the version of the check when the waiver was written; `None` for what gouji
    /// itself reports (extraction anomalies, totals left blank).
    pub version: Option<String>,
    /// 报告.
    pub report: ReportKey,
    /// 变量: the check's variables, sorted by name.
    pub bindings: Vec<(String, String)>,
    /// 单元格: the cells the finding is about, with their values as written (for people;
    /// the fingerprint is what is compared).
    pub cells: Vec<String>,
    /// 语句: the sentence it is about, when it is about no cell.
    pub sentence: Option<String>,
    /// 指纹: of the values involved.
    pub fingerprint: String,
    /// 理由.
    pub reason: String,
    /// 到期: the last day the waiver applies.
    pub expires: Option<Date>,
    /// 登记人.
    pub by: Option<String>,
    /// The 1-based line of the entry's `[[豁免]]` in its register file, when read from one.
    pub line: Option<usize>,
}

impl Entry {
    /// The entry that accepts `finding` of `report`.
    #[must_use]
    pub fn for_finding(
        report: &ReportFindings,
        finding: &Finding,
        version: Option<String>,
        base: &Path,
    ) -> Self {
        Entry {
            rule: finding.rule.clone(),
            rule_set: report.rule_set.clone(),
            version,
            report: ReportKey::of(report, base),
            bindings: sorted(&finding.bindings),
            cells: finding.cells.iter().map(fingerprint::cell_text).collect(),
            sentence: finding
                .cells
                .is_empty()
                .then(|| fingerprint::sentence(report, finding))
                .flatten()
                .map(|s| fingerprint::shorten(&s)),
            fingerprint: fingerprint::of_finding(report, finding),
            reason: String::new(),
            expires: None,
            by: None,
            line: None,
        }
    }

    /// Whether the waiver is about this finding (whatever its values now).
    fn names(&self, rule_set: &str, key: &ReportKey, finding: &Finding) -> bool {
        self.rule == finding.rule
            && self.rule_set == rule_set
            && self.report == *key
            && self.bindings == sorted(&finding.bindings)
    }

    /// Where the entry is written, for messages: `豁免.toml:12`.
    #[must_use]
    pub fn place(&self, register: &str) -> String {
        match self.line {
            Some(line) => format!("{register}:{line}"),
            None => register.to_owned(),
        }
    }
}

fn sorted(bindings: &[(String, String)]) -> Vec<(String, String)> {
    let mut b = bindings.to_vec();
    b.sort();
    b
}

/// A register: every entry, in the order written.
#[derive(Debug, Clone, Default)]
pub struct Register {
    pub entries: Vec<Entry>,
}

/// What the waivers did to one report: the findings they accepted, and the waivers about a
/// finding of the report that no longer apply, each with why.
#[derive(Debug, Clone, Default)]
pub struct ReportWaivers {
    pub waived: Vec<Waived>,
    pub lapsed: Vec<Lapsed>,
}

/// A finding and the waiver that accepted it.
#[derive(Debug, Clone)]
pub struct Waived {
    pub finding: Finding,
    pub entry: Entry,
    /// Where the waiver is written: `豁免.toml:12`.
    pub place: String,
}

/// A waiver about a finding that is shown again, and why it no longer applies.
#[derive(Debug, Clone)]
pub struct Lapsed {
    pub rule: String,
    pub bindings: Vec<(String, String)>,
    pub why: String,
    /// Where the waiver is written: `豁免.toml:12`.
    pub place: String,
}

/// How an entry was used in a run, as bits (entries are matched from many threads).
const USED_WAIVED: u8 = 1;
const USED_LAPSED: u8 = 2;
const USED_EXPIRED: u8 = 4;

/// A register ready to match the findings of a run against.
pub struct Waivers {
    register: Register,
    /// The register's name for messages.
    name: String,
    /// The register's directory: report paths in it are relative to it.
    base: PathBuf,
    /// The version of each check, by rule set and check id.
    versions: HashMap<(String, String), String>,
    today: Date,
    /// The entries about each report, so that a batch costs one look-up per report.
    by_report: HashMap<ReportKey, Vec<usize>>,
    used: Vec<AtomicU8>,
    /// The reports checked, whose waivers can be judged stale.
    seen: Mutex<HashSet<ReportKey>>,
}

impl Waivers {
    /// `path` is where the register was read from; `today` decides what has expired.
    #[must_use]
    pub fn new(register: Register, path: &Path, rule_sets: &[RuleSet], today: Date) -> Self {
        let used = register.entries.iter().map(|_| AtomicU8::new(0)).collect();
        let mut by_report: HashMap<ReportKey, Vec<usize>> = HashMap::new();
        for (i, e) in register.entries.iter().enumerate() {
            by_report.entry(e.report.clone()).or_default().push(i);
        }
        Self {
            by_report,
            register,
            name: path.display().to_string(),
            base: register_dir(path),
            versions: versions(rule_sets),
            today,
            used,
            seen: Mutex::new(HashSet::new()),
        }
    }

    /// The version of a finding's check, `None` for what gouji itself reports.
    #[must_use]
    pub fn version_of(&self, rule_set: &str, finding: &Finding) -> Option<String> {
        version_of(&self.versions, rule_set, finding)
    }

    /// The register's directory.
    #[must_use]
    pub fn base(&self) -> &Path {
        &self.base
    }

    /// Moves the findings of `report` that a live waiver accepts to its waived findings, and
    /// notes each waiver about a remaining finding that no longer applies, with why.
    pub fn apply(&self, report: &mut ReportFindings) {
        let key = ReportKey::of(report, &self.base);
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(key.clone());
        let about: Vec<usize> = self
            .by_report
            .get(&key)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| self.register.entries[i].rule_set == report.rule_set)
            .collect();
        if about.is_empty() {
            return;
        }
        let findings = std::mem::take(&mut report.findings);
        for finding in findings {
            match self.judge(report, &key, &about, &finding) {
                Judgement::Waived(i) => {
                    let entry = self.register.entries[i].clone();
                    report.waivers.waived.push(Waived {
                        place: entry.place(&self.name),
                        finding,
                        entry,
                    });
                }
                Judgement::Lapsed(i, why) => {
                    report.waivers.lapsed.push(Lapsed {
                        rule: finding.rule.clone(),
                        bindings: finding.bindings.clone(),
                        why,
                        place: self.register.entries[i].place(&self.name),
                    });
                    report.findings.push(finding);
                }
                Judgement::None => report.findings.push(finding),
            }
        }
    }

    fn judge(
        &self,
        report: &ReportFindings,
        key: &ReportKey,
        about: &[usize],
        finding: &Finding,
    ) -> Judgement {
        let named: Vec<usize> = about
            .iter()
            .copied()
            .filter(|&i| self.register.entries[i].names(&report.rule_set, key, finding))
            .collect();
        if named.is_empty() {
            return Judgement::None;
        }
        let fingerprint = fingerprint::of_finding(report, finding);
        let version = self.version_of(&report.rule_set, finding);
        let entry = |i: usize| &self.register.entries[i];
        let same_values = |i: &usize| entry(*i).fingerprint == fingerprint;
        let same_version = |i: &usize| entry(*i).version.is_none() || entry(*i).version == version;
        let live = |i: &usize| entry(*i).expires.is_none_or(|d| d >= self.today);
        if let Some(i) = named
            .iter()
            .copied()
            .find(|i| same_values(i) && same_version(i) && live(i))
        {
            self.used[i].fetch_or(USED_WAIVED, Ordering::Relaxed);
            return Judgement::Waived(i);
        }
        // The closest waiver says why: expired, else a new version of the check, else new
        // values.
        if let Some(i) = named
            .iter()
            .copied()
            .find(|i| same_values(i) && same_version(i))
        {
            self.used[i].fetch_or(USED_EXPIRED, Ordering::Relaxed);
            let date = entry(i).expires.map(|d| d.to_string()).unwrap_or_default();
            return Judgement::Lapsed(i, format!("豁免已于 {date} 到期"));
        }
        let i = named.iter().copied().find(same_values).unwrap_or(named[0]);
        self.used[i].fetch_or(USED_LAPSED, Ordering::Relaxed);
        let why = if same_values(&i) {
            format!(
                "规则「{}」的检查内容改了（登记时版本 {}，现在 {}）",
                finding.rule,
                entry(i).version.as_deref().unwrap_or("-"),
                version.as_deref().unwrap_or("-")
            )
        } else {
            let what = if finding.cells.is_empty() {
                "所涉的语句"
            } else {
                "所涉单元格的值"
            };
            format!(
                "{what}变了（登记时指纹 {}，现在 {fingerprint}）",
                entry(i).fingerprint
            )
        };
        Judgement::Lapsed(i, why)
    }

    /// The entries about reports of this run that matched no finding at all: stale.
    #[must_use]
    pub fn stale(&self) -> Vec<&Entry> {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.register
            .entries
            .iter()
            .zip(&self.used)
            .filter(|(e, used)| used.load(Ordering::Relaxed) == 0 && seen.contains(&e.report))
            .map(|(e, _)| e)
            .collect()
    }

    /// The entries to keep when the register is pruned: all but those about reports of this
    /// run that accepted no finding (stale, expired, or whose values or check changed).
    #[must_use]
    pub fn kept(&self) -> Vec<Entry> {
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        self.register
            .entries
            .iter()
            .zip(&self.used)
            .filter(|(e, used)| {
                used.load(Ordering::Relaxed) & USED_WAIVED != 0 || !seen.contains(&e.report)
            })
            .map(|(e, _)| e.clone())
            .collect()
    }

    /// Every entry, as read.
    #[must_use]
    pub fn entries(&self) -> &[Entry] {
        &self.register.entries
    }

    /// The warnings about stale waivers, one line each, for standard error.
    #[must_use]
    pub fn stale_warnings(&self) -> String {
        let mut out = String::new();
        for e in self.stale() {
            let _ = writeln!(
                out,
                "gouji: 警告：豁免（{}）不再对应任何问题，可以删除（gouji baseline --prune）：{}，{}，{}",
                e.place(&self.name),
                e.report,
                e.rule,
                e.reason
            );
        }
        out
    }
}

enum Judgement {
    Waived(usize),
    Lapsed(usize, String),
    None,
}

/// The directory report paths of a register are relative to.
#[must_use]
pub fn register_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn versions(rule_sets: &[RuleSet]) -> HashMap<(String, String), String> {
    rule_sets
        .iter()
        .flat_map(|s| {
            s.checks.iter().map(move |c| {
                (
                    (s.id.clone(), c.id.clone()),
                    fingerprint::check_version(s, c),
                )
            })
        })
        .collect()
}

fn version_of(
    versions: &HashMap<(String, String), String>,
    rule_set: &str,
    finding: &Finding,
) -> Option<String> {
    match finding.kind {
        FindingKind::Extraction => None,
        FindingKind::Check => versions
            .get(&(rule_set.to_owned(), finding.rule.clone()))
            .cloned(),
    }
}

/// Today's date where gouji runs: what has expired.
#[must_use]
pub fn today() -> Date {
    jiff::ZonedDateTime::now().date()
}
