//! Comparing the findings a report should yield with those it yields: which are missing, which
//! are unexpected, and which are there but changed (severity, message, values). Used by
//! `gouji test` (expectation ↔ findings) and by `gouji diff` (old rule set ↔ new rule set).
//!
//! Matching is order-insensitive. An expected finding *locates* an actual one when the rule is
//! the same, the table/row/column it names are those of one of the finding's cells, and the
//! variables it names have those values; it *matches* when, moreover, the severity, the message
//! and the values it names agree. First as many expected findings as possible are paired with
//! findings they match (a maximum matching, so that a loose expectation never takes the finding
//! a precise one needs); the rest are paired, most similar first, with findings they locate —
//! those are the changed ones; what is left is missing or unexpected.

use std::fmt::Write as _;

use super::expect::Expected;
use crate::findings::FindingKind;
use crate::ruleset::Severity;
use crate::source::SourceFile;

/// A cell (or, for an extraction anomaly, the table/row/column) a finding is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Place {
    pub table: Option<String>,
    /// The row's key (`三.总计`) and, for a cell, its printed label (`（七）总计`).
    pub row: Option<String>,
    pub row_label: Option<String>,
    pub column: Option<String>,
    pub column_label: Option<String>,
}

/// A finding as `gouji test` and `gouji diff` compare it.
#[derive(Debug, Clone, PartialEq)]
pub struct Actual {
    pub rule: String,
    pub kind: FindingKind,
    pub severity: Severity,
    pub message: String,
    pub bindings: Vec<(String, String)>,
    pub places: Vec<Place>,
    pub left: Option<String>,
    pub right: Option<String>,
    /// The 1-based line in the report, if the finding has a place there.
    pub line: Option<usize>,
}

impl Actual {
    /// The table, row and column shared by every place of the finding (what `--bless` writes).
    #[must_use]
    pub fn common_place(&self) -> (Option<String>, Option<String>, Option<String>) {
        fn common<'a>(mut values: impl Iterator<Item = Option<&'a String>>) -> Option<String> {
            let first = values.next()??;
            values.all(|v| v == Some(first)).then(|| first.clone())
        }
        (
            common(self.places.iter().map(|p| p.table.as_ref())),
            common(self.places.iter().map(|p| p.row.as_ref())),
            common(self.places.iter().map(|p| p.column.as_ref())),
        )
    }

    /// The expectation that says exactly this finding: rule, severity, the place its cells
    /// share, its variables and its whole message.
    #[must_use]
    pub fn to_expected(&self) -> Expected {
        let (table, row, column) = self.common_place();
        Expected {
            rule: self.rule.clone(),
            severity: Some(self.severity),
            table,
            row,
            column,
            bindings: self.bindings.clone(),
            message: Some(self.message.clone()),
            ..Expected::default()
        }
    }
}

/// The expectation updated to say what the finding says, changing only the fields that differ
/// (what `--bless` writes for a changed finding): a part of the message that is no longer in it
/// becomes the whole message.
#[must_use]
pub fn updated(e: &Expected, fields: &[FieldChange]) -> Expected {
    let mut new = e.clone();
    for f in fields {
        match f {
            FieldChange::Severity { actual, .. } => new.severity = Some(*actual),
            FieldChange::Message { actual, .. } => {
                new.message_contains = None;
                new.message = Some(actual.clone());
            }
            FieldChange::Value { side, actual, .. } => {
                if *side == "左" {
                    new.left.clone_from(actual);
                } else {
                    new.right.clone_from(actual);
                }
            }
        }
    }
    new
}

/// One field of a located finding that differs from what was expected.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldChange {
    Severity {
        expected: Severity,
        actual: Severity,
    },
    /// `contains`: the expectation gave a part of the message (`消息包含`).
    Message {
        expected: String,
        actual: String,
        contains: bool,
    },
    /// `左` or `右`; `actual` is `None` when the finding has no comparison.
    Value {
        side: &'static str,
        expected: String,
        actual: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Missing {
    /// The entry's index in the expectation.
    pub index: usize,
    pub expected: Expected,
    /// Why it may be missing, when that can be told (a rule the rule set does not have).
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub index: usize,
    pub expected: Expected,
    pub actual: Actual,
    pub fields: Vec<FieldChange>,
}

/// What differs between the expected and the actual findings of one report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Difference {
    pub missing: Vec<Missing>,
    pub unexpected: Vec<Actual>,
    pub changed: Vec<Changed>,
    /// Expected findings that were found as expected.
    pub matched: usize,
}

impl Difference {
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty() && self.unexpected.is_empty() && self.changed.is_empty()
    }

    /// How many findings differ.
    #[must_use]
    pub fn count(&self) -> usize {
        self.missing.len() + self.unexpected.len() + self.changed.len()
    }

    /// 「缺少 1 条，多出 2 条，有变化 1 条」
    #[must_use]
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.missing.is_empty() {
            parts.push(format!("缺少 {} 条", self.missing.len()));
        }
        if !self.unexpected.is_empty() {
            parts.push(format!("多出 {} 条", self.unexpected.len()));
        }
        if !self.changed.is_empty() {
            parts.push(format!("有变化 {} 条", self.changed.len()));
        }
        parts.join("，")
    }
}

/// A row or column as written in an expectation names a place's row or column by its key
/// (`三.总计`), by the last part of its key (`总计`), or by its printed label (`（七）总计`).
fn names(written: &str, key: Option<&String>, label: Option<&String>) -> bool {
    key.is_some_and(|k| {
        k == written
            || k.strip_suffix(written)
                .is_some_and(|rest| rest.ends_with('.'))
    }) || label.is_some_and(|l| l == written)
}

fn locates(e: &Expected, a: &Actual) -> bool {
    if e.rule != a.rule {
        return false;
    }
    let bindings = e
        .bindings
        .iter()
        .all(|(name, value)| a.bindings.iter().any(|(n, v)| n == name && v == value));
    if !bindings {
        return false;
    }
    if e.table.is_none() && e.row.is_none() && e.column.is_none() {
        return true;
    }
    a.places.iter().any(|p| {
        e.table.as_ref().is_none_or(|t| p.table.as_ref() == Some(t))
            && e.row
                .as_ref()
                .is_none_or(|r| names(r, p.row.as_ref(), p.row_label.as_ref()))
            && e.column
                .as_ref()
                .is_none_or(|c| names(c, p.column.as_ref(), p.column_label.as_ref()))
    })
}

/// Two values as written: the same number (`20`, `20.0`), or the same text.
fn same_value(expected: &str, actual: &str) -> bool {
    use std::str::FromStr as _;
    let (e, a) = (expected.trim(), actual.trim());
    match (
        rust_decimal::Decimal::from_str(e),
        rust_decimal::Decimal::from_str(a),
    ) {
        (Ok(x), Ok(y)) => x == y,
        _ => e == a,
    }
}

/// The fields of a located finding that differ from the expectation.
fn changes(e: &Expected, a: &Actual) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if let Some(s) = e.severity.filter(|s| *s != a.severity) {
        out.push(FieldChange::Severity {
            expected: s,
            actual: a.severity,
        });
    }
    if let Some(m) = e.message.as_ref().filter(|m| **m != a.message) {
        out.push(FieldChange::Message {
            expected: m.clone(),
            actual: a.message.clone(),
            contains: false,
        });
    }
    if let Some(m) = e
        .message_contains
        .as_ref()
        .filter(|m| !a.message.contains(m.as_str()))
    {
        out.push(FieldChange::Message {
            expected: m.clone(),
            actual: a.message.clone(),
            contains: true,
        });
    }
    for (side, expected, actual) in [("左", &e.left, &a.left), ("右", &e.right, &a.right)] {
        if let Some(x) = expected {
            if !actual.as_ref().is_some_and(|y| same_value(x, y)) {
                out.push(FieldChange::Value {
                    side,
                    expected: x.clone(),
                    actual: actual.clone(),
                });
            }
        }
    }
    out
}

/// A maximum matching of a bipartite graph (Kuhn's algorithm): for each left node, the right
/// node it is paired with.
fn maximum_matching(
    left: usize,
    right: usize,
    edge: impl Fn(usize, usize) -> bool,
) -> Vec<Option<usize>> {
    fn augment(
        l: usize,
        adjacency: &[Vec<usize>],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for &r in &adjacency[l] {
            if seen[r] {
                continue;
            }
            seen[r] = true;
            if owner[r].is_none_or(|other| augment(other, adjacency, seen, owner)) {
                owner[r] = Some(l);
                return true;
            }
        }
        false
    }
    let adjacency: Vec<Vec<usize>> = (0..left)
        .map(|l| (0..right).filter(|&r| edge(l, r)).collect())
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; right];
    for l in 0..left {
        let mut seen = vec![false; right];
        augment(l, &adjacency, &mut seen, &mut owner);
    }
    let mut pairs = vec![None; left];
    for (r, l) in owner.iter().enumerate() {
        if let Some(l) = l {
            pairs[*l] = Some(r);
        }
    }
    pairs
}

/// Says whether a rule id exists; if not, a note for a missing finding.
pub type KnownRule<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// Compares expected findings with actual ones. With `allow_others`, actual findings that no
/// expectation names are not reported. `known` says whether a rule id exists (for a note on a
/// missing finding whose rule the rule set does not have), with the ids to suggest from.
#[must_use]
pub fn compare(
    expected: &[Expected],
    actual: &[Actual],
    allow_others: bool,
    known: Option<&KnownRule<'_>>,
) -> Difference {
    let full = maximum_matching(expected.len(), actual.len(), |e, a| {
        locates(&expected[e], &actual[a]) && changes(&expected[e], &actual[a]).is_empty()
    });
    let mut taken = vec![false; actual.len()];
    let mut done = vec![false; expected.len()];
    let mut matched = 0;
    for (e, a) in full.iter().enumerate() {
        if let Some(a) = a {
            taken[*a] = true;
            done[e] = true;
            matched += 1;
        }
    }
    // The rest: located pairs, the most similar first.
    let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
    for (e, exp) in expected.iter().enumerate().filter(|(e, _)| !done[*e]) {
        for (a, act) in actual.iter().enumerate().filter(|(a, _)| !taken[*a]) {
            if locates(exp, act) {
                let message = exp
                    .message
                    .as_deref()
                    .or(exp.message_contains.as_deref())
                    .unwrap_or("");
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                let similarity =
                    (strsim::normalized_levenshtein(message, &act.message) * 1000.0) as usize;
                let score = usize::from(exp.severity == Some(act.severity)) * 10_000 + similarity;
                candidates.push((score, e, a));
            }
        }
    }
    candidates.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(&y.1)).then(x.2.cmp(&y.2)));
    let mut difference = Difference {
        matched,
        ..Difference::default()
    };
    for (_, e, a) in candidates {
        if done[e] || taken[a] {
            continue;
        }
        done[e] = true;
        taken[a] = true;
        difference.changed.push(Changed {
            index: e,
            expected: expected[e].clone(),
            actual: actual[a].clone(),
            fields: changes(&expected[e], &actual[a]),
        });
    }
    difference.changed.sort_by_key(|c| c.index);
    for (e, exp) in expected.iter().enumerate().filter(|(e, _)| !done[*e]) {
        difference.missing.push(Missing {
            index: e,
            expected: exp.clone(),
            note: known.and_then(|k| k(&exp.rule)),
        });
    }
    if !allow_others {
        difference.unexpected = actual
            .iter()
            .enumerate()
            .filter(|(a, _)| !taken[*a])
            .map(|(_, a)| a.clone())
            .collect();
    }
    difference
}

// ───────────────────────────────────────────────────────────────────────────── text

/// Colours for a terminal, or none.
#[derive(Debug, Clone, Copy, Default)]
pub struct Paint {
    pub colour: bool,
}

impl Paint {
    fn wrap(self, code: &str, text: &str) -> String {
        if self.colour {
            format!("\u{1b}[{code}m{text}\u{1b}[0m")
        } else {
            text.to_owned()
        }
    }

    #[must_use]
    pub fn red(self, text: &str) -> String {
        self.wrap("31", text)
    }

    #[must_use]
    pub fn green(self, text: &str) -> String {
        self.wrap("32", text)
    }

    #[must_use]
    pub fn yellow(self, text: &str) -> String {
        self.wrap("33", text)
    }

    #[must_use]
    pub fn bold(self, text: &str) -> String {
        self.wrap("1", text)
    }

    #[must_use]
    pub fn dim(self, text: &str) -> String {
        self.wrap("2", text)
    }
}

fn place_text(
    table: Option<&String>,
    row: Option<&String>,
    column: Option<&String>,
) -> Vec<String> {
    let mut parts = Vec::new();
    if let Some(t) = table {
        parts.push(format!("表格 {t}"));
    }
    if let Some(r) = row {
        parts.push(format!("行 {r}"));
    }
    if let Some(c) = column {
        parts.push(format!("列 {c}"));
    }
    parts
}

fn bindings_text(bindings: &[(String, String)]) -> Option<String> {
    (!bindings.is_empty()).then(|| {
        bindings
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .collect::<Vec<_>>()
            .join("，")
    })
}

/// `S1 错误 · 表格 申请 · 列 自然人 · c=自然人`
#[must_use]
pub fn expected_title(e: &Expected) -> String {
    let mut parts = vec![match e.severity {
        Some(s) => format!("{} {}", e.rule, s.chinese()),
        None => e.rule.clone(),
    }];
    parts.extend(place_text(
        e.table.as_ref(),
        e.row.as_ref(),
        e.column.as_ref(),
    ));
    parts.extend(bindings_text(&e.bindings));
    parts.join(" · ")
}

/// The same for a finding, with its line in the report.
#[must_use]
pub fn actual_title(a: &Actual) -> String {
    let (table, row, column) = a.common_place();
    let mut parts = vec![format!("{} {}", a.rule, a.severity.chinese())];
    parts.extend(place_text(table.as_ref(), row.as_ref(), column.as_ref()));
    parts.extend(bindings_text(&a.bindings));
    if let Some(line) = a.line {
        parts.push(format!("报告第 {line} 行"));
    }
    parts.join(" · ")
}

/// Words for the three kinds of difference, and whether the findings are an expectation's.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    pub missing: &'static str,
    pub unexpected: &'static str,
    pub changed: &'static str,
    pub expected_side: &'static str,
    pub actual_side: &'static str,
}

/// For `gouji test`: what the expectation says against what the rule set finds.
pub const TEST_WORDS: Words = Words {
    missing: "缺少",
    unexpected: "多出",
    changed: "有变化",
    expected_side: "预期",
    actual_side: "实际",
};

/// For `gouji diff`: the old rule set against the new one.
pub const DIFF_WORDS: Words = Words {
    missing: "不再出现",
    unexpected: "新出现",
    changed: "有变化",
    expected_side: "旧",
    actual_side: "新",
};

/// The difference as text, each line starting with `indent`: `-` for what is expected but
/// missing, `+` for what is found but not expected, `~` for what changed. `source` is the
/// expectation file, for the line of each entry; `originals` are the findings the expectations
/// were made from (`gouji diff`: the old findings), shown instead of the expectations.
#[must_use]
pub fn render(
    d: &Difference,
    source: Option<&SourceFile>,
    originals: Option<&[Actual]>,
    words: Words,
    indent: &str,
    paint: Paint,
) -> String {
    let mut out = String::new();
    let at = |e: &Expected| {
        source
            .and_then(|s| {
                e.line(s)
                    .map(|l| format!("（{} 第 {l} 行）", file_name(s.name())))
            })
            .unwrap_or_default()
    };
    let title = |index: usize, e: &Expected| match originals.and_then(|o| o.get(index)) {
        Some(a) => actual_title(a),
        None => expected_title(e),
    };
    // Continuation lines line up under the title: `- 缺少  ` is 2 + 4 + 2 columns wide.
    let body = |label: &str| format!("{indent}{}", " ".repeat(2 + 2 * label.chars().count() + 2));
    let mut ordered: Vec<(usize, String)> = Vec::new();
    for m in &d.missing {
        let body = body(words.missing);
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{indent}{}",
            paint.red(&format!(
                "- {}  {}{}",
                words.missing,
                title(m.index, &m.expected),
                at(&m.expected)
            ))
        );
        message_lines(&mut text, &body, &m.expected, paint, true);
        if let Some(note) = &m.note {
            let _ = writeln!(text, "{body}{}", paint.dim(note));
        }
        ordered.push((m.index, text));
    }
    for c in &d.changed {
        let body = body(words.changed);
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{indent}{}",
            paint.yellow(&format!(
                "~ {}  {}{}",
                words.changed,
                title(c.index, &c.expected),
                at(&c.expected)
            ))
        );
        for f in &c.fields {
            match f {
                FieldChange::Severity { expected, actual } => {
                    let _ = writeln!(
                        text,
                        "{body}严重性：{} → {}",
                        paint.red(expected.chinese()),
                        paint.green(actual.chinese())
                    );
                }
                FieldChange::Message {
                    expected,
                    actual,
                    contains,
                } => {
                    let label = if *contains { "消息包含" } else { "消息" };
                    let _ = writeln!(
                        text,
                        "{body}{label}：{}",
                        paint.red(&format!("- {}", super::expect::quote(expected)))
                    );
                    let pad: String = " ".repeat(label.chars().count() * 2 + 2);
                    let actual_label = if *contains { "实际消息：" } else { "" };
                    let _ = writeln!(
                        text,
                        "{body}{pad}{}",
                        paint.green(&format!("+ {actual_label}{}", super::expect::quote(actual)))
                    );
                    if !*contains {
                        if let Some(column) = first_difference(expected, actual) {
                            let _ = writeln!(
                                text,
                                "{body}{pad}  {}{}",
                                " ".repeat(column + 1),
                                paint.dim("^ 从这里起不同")
                            );
                        }
                    }
                }
                FieldChange::Value {
                    side,
                    expected,
                    actual,
                } => {
                    let actual = actual.as_deref().unwrap_or("（没有比较）");
                    let _ = writeln!(
                        text,
                        "{body}{side}：{} → {}",
                        paint.red(expected),
                        paint.green(actual)
                    );
                }
            }
        }
        if c.fields.is_empty() {
            let _ = writeln!(text, "{body}{}", actual_title(&c.actual));
        }
        ordered.push((c.index, text));
    }
    ordered.sort_by_key(|(i, _)| *i);
    for (_, text) in ordered {
        out.push_str(&text);
    }
    for a in &d.unexpected {
        let body = body(words.unexpected);
        let _ = writeln!(
            out,
            "{indent}{}",
            paint.green(&format!("+ {}  {}", words.unexpected, actual_title(a)))
        );
        let _ = writeln!(out, "{body}消息：{}", super::expect::quote(&a.message));
    }
    out
}

fn message_lines(out: &mut String, body: &str, e: &Expected, paint: Paint, _missing: bool) {
    if let Some(m) = &e.message {
        let _ = writeln!(out, "{body}消息：{}", paint.dim(&super::expect::quote(m)));
    }
    if let Some(m) = &e.message_contains {
        let _ = writeln!(
            out,
            "{body}消息包含：{}",
            paint.dim(&super::expect::quote(m))
        );
    }
    for (side, value) in [("左", &e.left), ("右", &e.right)] {
        if let Some(v) = value {
            let _ = writeln!(out, "{body}{side}：{v}");
        }
    }
}

/// The display column (a Chinese character is two columns wide) at which two messages start
/// to differ, when they share a beginning worth pointing past.
fn first_difference(a: &str, b: &str) -> Option<usize> {
    use unicode_width::UnicodeWidthChar as _;
    let mut column = 0;
    let mut shared = 0;
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            break;
        }
        column += x.width().unwrap_or(0);
        shared += 1;
    }
    (shared >= 4 && shared < a.chars().count().max(b.chars().count())).then_some(column)
}

/// The last part of a path, for short references.
fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}
