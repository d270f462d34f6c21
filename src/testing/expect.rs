//! Expectation files (`<用例>.expect.toml`): the findings a report fixture should yield, written
//! so that a person can write one by hand before any output exists and read a change to one in a
//! code review. The format is documented in docs/testing-rules.md:
//!
//! ```toml
//! 说明 = "上年结转多填 1 件：自然人、总计两列不平"
//! 参数 = { 机关层级 = "乡镇" }
//!
//! [[问题]]
//! 规则 = "S1"
//! 严重性 = "错误"
//! 表格 = "申请"
//! 列 = "自然人"
//! 消息包含 = "相差 -1"
//! ```
//!
//! Reading keeps the place of every entry, so that `--bless` can rewrite only the entries that
//! changed and keep the rest of the file (comments included) as it was written.

use std::fmt::Write as _;

use toml::de::DeValue;

use crate::ruleset::Severity;
use crate::source::{SourceFile, Span};

/// How an expectation file's name ends.
pub const SUFFIX: &str = ".expect.toml";

/// The keys of an expectation file and of one expected finding, for suggestions.
const TOP_KEYS: [&str; 7] = [
    "说明",
    "参数",
    "上年报告",
    "允许其他问题",
    "忽略读取问题",
    "跳过",
    "问题",
];
const ENTRY_KEYS: [&str; 10] = [
    "规则",
    "严重性",
    "表格",
    "行",
    "列",
    "变量",
    "消息",
    "消息包含",
    "左",
    "右",
];

/// One expectation file, read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expectation {
    /// `说明`: what the case is about.
    pub description: Option<String>,
    /// `参数`: values for the rule set's parameters, as `--param` would give them.
    pub params: Vec<(String, String)>,
    /// Where `参数` is written.
    pub params_span: Option<Span>,
    /// `上年报告`: last year's report, relative to the expectation file, and where it is written.
    pub previous: Option<(String, Span)>,
    /// `允许其他问题 = true`: findings not listed do not fail the case.
    pub allow_others: bool,
    /// `忽略读取问题 = true`: extraction anomalies (`读取.…`) are left out on both sides.
    pub ignore_reading: bool,
    /// `跳过 = "理由"`: the case is not run.
    pub skip: Option<String>,
    /// `[[问题]]`, in the file's order.
    pub findings: Vec<Expected>,
}

/// One expected finding. Only `规则` and `严重性` are required; every other field that is
/// given must agree with the finding, and one that is left out is not compared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Expected {
    pub rule: String,
    pub severity: Option<Severity>,
    pub table: Option<String>,
    pub row: Option<String>,
    pub column: Option<String>,
    /// `变量`: values of the check's `对每` variables (a subset of them).
    pub bindings: Vec<(String, String)>,
    /// `消息`: the whole message.
    pub message: Option<String>,
    /// `消息包含`: a part of the message.
    pub message_contains: Option<String>,
    /// `左`, `右`: the two sides of the failed comparison.
    pub left: Option<String>,
    pub right: Option<String>,
    /// Where the entry is written (`[[问题]]` up to its last value); `None` for an entry that
    /// was made, not read.
    pub span: Option<Span>,
    /// Where the fields that `--bless` may change (`严重性`, `消息`, `消息包含`, `左`, `右`) are
    /// written: the field's whole line, and its value.
    pub fields: Vec<(&'static str, Span, Span)>,
}

impl Expected {
    /// The 1-based line of the entry in its file.
    #[must_use]
    pub fn line(&self, source: &SourceFile) -> Option<usize> {
        self.span.map(|s| source.line_col(s.start).0)
    }

    /// The same entry without its place (for comparing what two entries say).
    #[must_use]
    pub fn unplaced(&self) -> Expected {
        Expected {
            span: None,
            fields: Vec::new(),
            ..self.clone()
        }
    }
}

/// An expectation file that cannot be used: where, and why. Renders with the file's text.
#[derive(Debug, Clone)]
pub struct ExpectError {
    pub message: String,
    pub source: SourceFile,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl std::fmt::Display for ExpectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "预期文件「{}」有误：{}",
            self.source.name(),
            self.message
        )
    }
}

impl std::error::Error for ExpectError {}

impl miette::Diagnostic for ExpectError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new("gouji::expectation"))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.span.map(|_| &self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(None, span),
        )))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h.as_str()) as Box<dyn std::fmt::Display>)
    }
}

fn span_of<T>(s: &toml::Spanned<T>) -> Span {
    Span::new(s.span().start, s.span().end)
}

/// Reads an expectation file's text; `name` is the name it is shown under.
pub fn parse(source: &SourceFile) -> Result<Expectation, Box<ExpectError>> {
    let text = source.text();
    let fail = |message: String, span: Option<Span>, help: Option<String>| {
        Box::new(ExpectError {
            message,
            source: source.clone(),
            span,
            help,
        })
    };
    let table = crate::lenient_toml::parse(text).map_err(|(message, span)| {
        fail(
            message,
            Some(span),
            Some("预期文件是 TOML；中文的键可以不加引号，文字要加引号".to_owned()),
        )
    })?;
    let mut expectation = Expectation::default();
    // The map does not keep the file's order; reading in the order of the text makes the first
    // problem reported the first one in the file.
    let mut keys: Vec<_> = table.get_ref().iter().collect();
    keys.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in keys {
        let key_span = span_of(key);
        let value_span = span_of(value);
        let name = key.get_ref().as_ref();
        match name {
            "说明" => expectation.description = Some(string(source, name, value)?),
            "跳过" => expectation.skip = Some(string(source, name, value)?),
            "上年报告" => {
                expectation.previous = Some((string(source, name, value)?, value_span));
            }
            "允许其他问题" => expectation.allow_others = boolean(source, name, value)?,
            "忽略读取问题" => expectation.ignore_reading = boolean(source, name, value)?,
            "参数" => {
                expectation.params_span = Some(value_span);
                let DeValue::Table(params) = value.get_ref() else {
                    return Err(fail(
                        "「参数」应是一个表，如 参数 = { 机关层级 = \"乡镇\" }".to_owned(),
                        Some(value_span),
                        None,
                    ));
                };
                let mut params: Vec<_> = params.iter().collect();
                params.sort_by_key(|(k, _)| k.span().start);
                for (param, value) in params {
                    let span = span_of(value);
                    let text = match value.get_ref() {
                        DeValue::String(s) => s.to_string(),
                        DeValue::Table(_) | DeValue::Array(_) => {
                            return Err(fail(
                                "参数的值应是一个数、文字、日期或 true/false".to_owned(),
                                Some(span),
                                None,
                            ));
                        }
                        _ => text[span.start..span.end].to_owned(),
                    };
                    expectation.params.push((param.get_ref().to_string(), text));
                }
            }
            "问题" => {
                let DeValue::Array(items) = value.get_ref() else {
                    return Err(fail(
                        "「问题」应写成一组 [[问题]]（没有问题时写 问题 = []）".to_owned(),
                        Some(value_span),
                        None,
                    ));
                };
                for item in items {
                    expectation.findings.push(entry(source, item)?);
                }
            }
            other => {
                let hint = crate::diagnostic::suggest(other, TOP_KEYS)
                    .map(|s| format!("（是不是「{s}」？）"))
                    .unwrap_or_default();
                return Err(fail(
                    format!("未知的键「{other}」{hint}"),
                    Some(key_span),
                    Some(format!(
                        "可用的键：{}；每条问题写在 [[问题]] 下",
                        TOP_KEYS.join("、")
                    )),
                ));
            }
        }
    }
    if expectation.ignore_reading {
        if let Some(e) = expectation
            .findings
            .iter()
            .find(|e| e.rule.starts_with("读取."))
        {
            return Err(fail(
                format!("写了 忽略读取问题 = true，却又预期读取问题「{}」", e.rule),
                e.span,
                Some("去掉这条问题，或者去掉「忽略读取问题」".to_owned()),
            ));
        }
    }
    Ok(expectation)
}

fn string(
    source: &SourceFile,
    name: &str,
    value: &toml::Spanned<DeValue<'_>>,
) -> Result<String, Box<ExpectError>> {
    match value.get_ref() {
        DeValue::String(s) => Ok(s.to_string()),
        // Numbers are written as numbers (`左 = 20`); they are compared as written.
        DeValue::Integer(_) | DeValue::Float(_) if matches!(name, "左" | "右") => {
            Ok(source.text()[value.span()].to_owned())
        }
        _ => Err(Box::new(ExpectError {
            message: format!("「{name}」的值应是加引号的文字"),
            source: source.clone(),
            span: Some(span_of(value)),
            help: None,
        })),
    }
}

fn boolean(
    source: &SourceFile,
    name: &str,
    value: &toml::Spanned<DeValue<'_>>,
) -> Result<bool, Box<ExpectError>> {
    match value.get_ref() {
        DeValue::Boolean(b) => Ok(*b),
        _ => Err(Box::new(ExpectError {
            message: format!("「{name}」的值应是 true 或 false（不加引号）"),
            source: source.clone(),
            span: Some(span_of(value)),
            help: None,
        })),
    }
}

/// Parses a severity as the rule language writes it (English names are accepted too).
#[must_use]
pub fn severity(text: &str) -> Option<Severity> {
    match text.trim() {
        "错误" | "error" => Some(Severity::Error),
        "警告" | "warning" => Some(Severity::Warning),
        "提示" | "info" => Some(Severity::Info),
        _ => None,
    }
}

fn entry(
    source: &SourceFile,
    item: &toml::Spanned<DeValue<'_>>,
) -> Result<Expected, Box<ExpectError>> {
    let header = span_of(item);
    let fail = |message: String, span: Span, help: Option<String>| {
        Box::new(ExpectError {
            message,
            source: source.clone(),
            span: Some(span),
            help,
        })
    };
    let DeValue::Table(table) = item.get_ref() else {
        return Err(fail(
            "「问题」中的每一项都应是一个表（写成 [[问题]]）".to_owned(),
            header,
            None,
        ));
    };
    let mut expected = Expected::default();
    let mut rule = None;
    let mut end = header.end;
    let mut keys: Vec<_> = table.iter().collect();
    keys.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in keys {
        let name = key.get_ref().as_ref();
        let value_span = span_of(value);
        end = end.max(value_span.end);
        if let Some(field) = ["严重性", "消息", "消息包含", "左", "右"]
            .into_iter()
            .find(|f| *f == name)
        {
            let text = source.text();
            let key_start = span_of(key).start;
            let line_start = text[..key_start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[value_span.end..]
                .find('\n')
                .map_or(text.len(), |i| value_span.end + i + 1);
            // Only a field alone on its lines can be edited by lines.
            if text[line_start..key_start].trim().is_empty() {
                expected
                    .fields
                    .push((field, Span::new(line_start, line_end), value_span));
            }
        }
        match name {
            "规则" => rule = Some(string(source, name, value)?),
            "严重性" => {
                let text = string(source, name, value)?;
                expected.severity = Some(severity(&text).ok_or_else(|| {
                    fail(
                        format!("严重性「{text}」不是「错误」「警告」「提示」之一"),
                        value_span,
                        None,
                    )
                })?);
            }
            "表格" => expected.table = Some(string(source, name, value)?),
            "行" => expected.row = Some(string(source, name, value)?),
            "列" => expected.column = Some(string(source, name, value)?),
            "消息" => expected.message = Some(string(source, name, value)?),
            "消息包含" => expected.message_contains = Some(string(source, name, value)?),
            "左" => expected.left = Some(string(source, name, value)?),
            "右" => expected.right = Some(string(source, name, value)?),
            "变量" => {
                let DeValue::Table(bindings) = value.get_ref() else {
                    return Err(fail(
                        "「变量」应是一个表，如 变量 = { c = \"自然人\" }".to_owned(),
                        value_span,
                        None,
                    ));
                };
                let mut bindings: Vec<_> = bindings.iter().collect();
                bindings.sort_by_key(|(k, _)| k.span().start);
                for (variable, value) in bindings {
                    let value = string(source, "变量", value)?;
                    expected
                        .bindings
                        .push((variable.get_ref().to_string(), value));
                }
            }
            other => {
                let hint = crate::diagnostic::suggest(other, ENTRY_KEYS)
                    .map(|s| format!("（是不是「{s}」？）"))
                    .unwrap_or_default();
                return Err(fail(
                    format!("未知的键「{other}」{hint}"),
                    span_of(key),
                    Some(format!("一条问题可以写：{}", ENTRY_KEYS.join("、"))),
                ));
            }
        }
    }
    let Some(rule) = rule else {
        return Err(fail(
            "这条问题没有写「规则」（检查的编号，如 规则 = \"S1\"）".to_owned(),
            header,
            None,
        ));
    };
    expected.rule = rule;
    if expected.severity.is_none() {
        return Err(fail(
            format!(
                "问题「{}」没有写「严重性」（错误、警告或提示）",
                expected.rule
            ),
            header,
            None,
        ));
    }
    if expected.message.is_some() && expected.message_contains.is_some() {
        return Err(fail(
            "「消息」和「消息包含」只能写一个".to_owned(),
            header,
            None,
        ));
    }
    // An entry runs from its `[[问题]]` to the end of the line of its last value.
    let text = source.text();
    let end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    expected.span = Some(Span::new(header.start, end));
    Ok(expected)
}

// ───────────────────────────────────────────────────────────────────────────── writing

/// A TOML basic string.
#[must_use]
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A key as the lenient reader takes it: bare if it can be, quoted otherwise.
fn key(text: &str) -> String {
    let bare = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if bare { text.to_owned() } else { quote(text) }
}

fn inline_table(pairs: &[(String, String)]) -> String {
    let inner: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{} = {}", key(k), quote(v)))
        .collect();
    format!("{{ {} }}", inner.join(", "))
}

/// One `[[问题]]` entry, without a trailing newline.
#[must_use]
pub fn render_entry(e: &Expected) -> String {
    let mut lines = vec!["[[问题]]".to_owned(), format!("规则 = {}", quote(&e.rule))];
    if let Some(s) = e.severity {
        lines.push(format!("严重性 = {}", quote(s.chinese())));
    }
    for (name, value) in [("表格", &e.table), ("行", &e.row), ("列", &e.column)] {
        if let Some(v) = value {
            lines.push(format!("{name} = {}", quote(v)));
        }
    }
    if !e.bindings.is_empty() {
        lines.push(format!("变量 = {}", inline_table(&e.bindings)));
    }
    if let Some(m) = &e.message {
        lines.push(format!("消息 = {}", quote(m)));
    }
    if let Some(m) = &e.message_contains {
        lines.push(format!("消息包含 = {}", quote(m)));
    }
    for (name, written) in [("左", &e.left), ("右", &e.right)] {
        if let Some(v) = written {
            lines.push(format!("{name} = {}", value(v)));
        }
    }
    lines.join("\n")
}

/// A whole expectation file. `comment` is put first (each line already starting with `#`).
#[must_use]
pub fn render(e: &Expectation, comment: &str) -> String {
    let mut out = String::new();
    if !comment.is_empty() {
        out.push_str(comment.trim_end());
        out.push('\n');
    }
    if let Some(d) = &e.description {
        let _ = writeln!(out, "说明 = {}", quote(d));
    }
    if let Some(s) = &e.skip {
        let _ = writeln!(out, "跳过 = {}", quote(s));
    }
    if !e.params.is_empty() {
        let _ = writeln!(out, "参数 = {}", inline_table(&e.params));
    }
    if let Some((p, _)) = &e.previous {
        let _ = writeln!(out, "上年报告 = {}", quote(p));
    }
    if e.allow_others {
        out.push_str("允许其他问题 = true\n");
    }
    if e.ignore_reading {
        out.push_str("忽略读取问题 = true\n");
    }
    if e.findings.is_empty() {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str("# 这份报告不应有任何问题。\n问题 = []\n");
        return out;
    }
    for f in &e.findings {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&render_entry(f));
        out.push('\n');
    }
    out
}

/// The comment lines at the top of a file (kept when the file is written again).
#[must_use]
pub fn leading_comment(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with('#') {
            out.push_str(line);
            out.push('\n');
        } else if trimmed.is_empty() && !out.is_empty() {
            // A blank line ends the leading comment only once something else follows.
            out.push('\n');
        } else if !trimmed.is_empty() {
            break;
        }
    }
    let kept = out.trim_end();
    if kept.is_empty() {
        String::new()
    } else {
        format!("{kept}\n")
    }
}

/// The edits `--bless` makes to an expectation file.
#[derive(Debug, Default)]
pub struct Edits {
    /// Entries (by index) to remove.
    pub remove: Vec<usize>,
    /// Entries (by index) to replace by a new one.
    pub replace: Vec<(usize, Expected)>,
    /// Entries to add at the end.
    pub add: Vec<Expected>,
}

/// Applies edits to an expectation file's text, keeping everything else as it was written:
/// comments, the order of the entries, and the entries that did not change. An entry that is
/// removed takes the comment lines directly above it with it.
///
/// Falls back to writing the whole file anew when the text cannot be edited in place (the
/// entries are written inline, or no entry is left), and checks that the text it returns
/// reads back as the expectation intended.
#[must_use]
pub fn apply(source: &SourceFile, old: &Expectation, edits: &Edits) -> String {
    let intended = {
        let mut e = old.clone();
        for (i, new) in &edits.replace {
            e.findings[*i] = new.clone();
        }
        let mut keep: Vec<Expected> = e
            .findings
            .iter()
            .enumerate()
            .filter(|(i, _)| !edits.remove.contains(i))
            .map(|(_, f)| f.clone())
            .collect();
        keep.extend(edits.add.iter().cloned());
        e.findings = keep;
        e
    };
    let whole = || render(&intended, &leading_comment(source.text()));
    if intended.findings.is_empty() {
        return whole();
    }
    let Some(text) = edit_in_place(source.text(), old, edits) else {
        return whole();
    };
    let reread = parse(&SourceFile::new(source.name(), text.as_str()));
    let same = reread.is_ok_and(|r| {
        r.findings
            .iter()
            .map(Expected::unplaced)
            .collect::<Vec<_>>()
            == intended
                .findings
                .iter()
                .map(Expected::unplaced)
                .collect::<Vec<_>>()
    });
    if same { text } else { whole() }
}

fn edit_in_place(text: &str, old: &Expectation, edits: &Edits) -> Option<String> {
    // Every entry must have been read from `[[问题]]` headers in this text.
    let spans: Vec<Span> = old.findings.iter().map(|f| f.span).collect::<Option<_>>()?;
    if spans
        .iter()
        .any(|s| !text[s.start..].starts_with("[[问题]]"))
    {
        return None;
    }
    // `问题 = []` cannot stay beside entries written as `[[问题]]`.
    if old.findings.is_empty() && !edits.add.is_empty() {
        return None;
    }
    let mut pieces: Vec<(Span, String)> = Vec::new();
    for &i in &edits.remove {
        let span = spans[i];
        let start = attached_comment_start(text, span.start);
        let end = if text[span.end..].starts_with('\n') {
            span.end + 1
        } else {
            span.end
        };
        // A blank line that separated the entry from the next one goes too.
        let end = if text[end..].starts_with('\n') {
            end + 1
        } else {
            end
        };
        pieces.push((Span::new(start, end), String::new()));
    }
    for (i, new) in &edits.replace {
        match field_edits(&old.findings[*i], new) {
            Some(edits) => pieces.extend(edits),
            None => pieces.push((spans[*i], render_entry(new))),
        }
    }
    pieces.sort_by_key(|(s, _)| s.start);
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (span, replacement) in pieces {
        if span.start < at {
            return None;
        }
        out.push_str(&text[at..span.start]);
        out.push_str(&replacement);
        at = span.end;
    }
    out.push_str(&text[at..]);
    for new in &edits.add {
        let trimmed = out.trim_end_matches('\n').len();
        out.truncate(trimmed);
        out.push_str("\n\n");
        out.push_str(&render_entry(new));
        out.push('\n');
    }
    // An entry removed at the end leaves no blank lines behind.
    let end = out.trim_end_matches('\n').len();
    out.truncate(end);
    out.push('\n');
    Some(out)
}

/// The edits that turn one entry into another by changing only the fields that differ, line by
/// line (comments and the other fields stay as written); `None` when that is not possible.
fn field_edits(old: &Expected, new: &Expected) -> Option<Vec<(Span, String)>> {
    let span = old.span?;
    let same_identity = old.rule == new.rule
        && old.table == new.table
        && old.row == new.row
        && old.column == new.column
        && old.bindings == new.bindings;
    if !same_identity {
        return None;
    }
    let severity = |e: &Expected| e.severity.map(|s| quote(s.chinese()));
    let pairs = [
        ("严重性", severity(old), severity(new)),
        (
            "消息",
            old.message.as_deref().map(quote),
            new.message.as_deref().map(quote),
        ),
        (
            "消息包含",
            old.message_contains.as_deref().map(quote),
            new.message_contains.as_deref().map(quote),
        ),
        (
            "左",
            old.left.as_deref().map(value),
            new.left.as_deref().map(value),
        ),
        (
            "右",
            old.right.as_deref().map(value),
            new.right.as_deref().map(value),
        ),
    ];
    let mut out = Vec::new();
    let mut removed: Vec<Span> = Vec::new();
    let mut added: Vec<String> = Vec::new();
    for (field, before, after) in pairs {
        if before == after {
            continue;
        }
        let written = old.fields.iter().find(|(f, ..)| *f == field);
        match (before, after, written) {
            (Some(_), Some(after), Some((_, _, value))) => out.push((*value, after)),
            (Some(_), None, Some((_, line, _))) => removed.push(*line),
            (None, Some(after), _) => added.push(format!("{field} = {after}")),
            _ => return None,
        }
    }
    // A field that takes the place of another (`消息` for `消息包含`) goes on its line.
    let mut removed = removed.into_iter();
    for line in added {
        match removed.next() {
            Some(span) => out.push((span, format!("{line}\n"))),
            None => out.push((Span::new(span.end, span.end), format!("\n{line}"))),
        }
    }
    out.extend(removed.map(|span| (span, String::new())));
    Some(out)
}

/// A value of `左` or `右`: a number as a number, anything else as text.
fn value(text: &str) -> String {
    use std::str::FromStr as _;
    if rust_decimal::Decimal::from_str(text.trim()).is_ok() && !text.trim().starts_with('+') {
        text.trim().to_owned()
    } else {
        quote(text)
    }
}

/// Where the comment lines directly above `start` (no blank line between) begin.
fn attached_comment_start(text: &str, start: usize) -> usize {
    let mut at = start;
    loop {
        let before = &text[..at];
        let Some(prev_end) = before.strip_suffix('\n').map(str::len) else {
            return at;
        };
        let line_start = text[..prev_end].rfind('\n').map_or(0, |i| i + 1);
        if text[line_start..prev_end].trim_start().starts_with('#') {
            at = line_start;
        } else {
            return at;
        }
    }
}

/// Reads a file as an expectation, or says why it cannot be read.
pub fn read(
    path: &std::path::Path,
    name: &str,
) -> Result<(SourceFile, Expectation), Box<ExpectError>> {
    let bytes = crate::files::read_file(path).map_err(|e| {
        Box::new(ExpectError {
            message: format!("无法读取：{e}"),
            source: SourceFile::new(name, ""),
            span: None,
            help: None,
        })
    })?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Box::new(ExpectError {
            message: "不是 UTF-8 文本".to_owned(),
            source: SourceFile::new(name, ""),
            span: None,
            help: Some("预期文件须以 UTF-8 保存".to_owned()),
        })
    })?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_owned();
    let source = SourceFile::new(name, text);
    let expectation = parse(&source)?;
    Ok((source, expectation))
}
