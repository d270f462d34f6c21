//! TOML and JSON reports: a tree of keys and values, every key and value with its byte span,
//! read into the report model by the rule set's keys. The schema is written for the people who
//! fill a report in, in `docs/report-format.md`:
//!
//! ```toml
//! [报告]
//! 标题 = "某某镇人民政府2020年政府信息公开工作年度报告"
//! 年度 = 2020
//!
//! [章节]
//! 总体情况 = "……"
//!
//! [表格.申请.一]
//! 自然人 = 3
//! 法人或其他组织.商业企业 = 1
//! ```
//!
//! Parsing ([`parse`]) knows no rule set and fails only on a syntax error; everything that does
//! not fit the rule set (an unknown table, row or column, a value of the wrong type, a table
//! left out) is an anomaly of the report, found by [`read`].

use std::collections::HashSet;

use rust_decimal::Decimal;

use super::{ReadError, ReadErrorKind};
use crate::report::InputKind;
use crate::ruleset::Date;
use crate::source::{SourceFile, Span, floor_char_boundary};

/// How deeply a JSON report may nest. The schema needs six levels (表格 → table → row group →
/// row → column group → column); TOML has a limit of its own (80).
pub const MAX_DEPTH: usize = 64;

/// The top-level keys of the schema.
const TOP_KEYS: [&str; 3] = ["报告", "章节", "表格"];
/// Top-level keys that `gouji extract` writes for people and that are ignored on input.
const OUTPUT_ONLY_KEYS: [&str; 3] = ["来源", "详情", "异常"];
const META_KEYS: [&str; 5] = ["标题", "机关", "年度", "层级", "发布日期"];
const SECTION_KEYS: [&str; 2] = ["标题", "正文"];

/// A parsed structured report: the tree of its keys and values, ready for any rule set.
#[derive(Debug, Clone)]
pub struct StructuredInput {
    pub source: SourceFile,
    pub kind: InputKind,
    root: Item,
}

/// A value and the span of its text in the source (for a string: with its quotes).
#[derive(Debug, Clone)]
struct Item {
    value: Value,
    span: Span,
}

#[derive(Debug, Clone)]
enum Value {
    /// Entries in the order they are written.
    Table(Vec<Entry>),
    /// An array: the schema has none, so only its span is kept.
    Array,
    String(String),
    /// A number: its literal as written, and its exact value when it has one (never an `f64`).
    Number {
        literal: String,
        exact: Option<Decimal>,
    },
    Bool,
    /// A TOML date or date-time; `date` is set for a plain local date.
    Datetime {
        date: Option<Date>,
    },
    /// JSON `null`: a blank.
    Null,
}

#[derive(Debug, Clone)]
struct Entry {
    key: String,
    key_span: Span,
    value: Item,
}

impl Value {
    /// What the value is, in words, for messages.
    fn kind_name(&self) -> &'static str {
        match self {
            Value::Table(_) => "表（键值对）",
            Value::Array => "数组",
            Value::String(_) => "文字",
            Value::Number { .. } => "数字",
            Value::Bool => "真假值",
            Value::Datetime { .. } => "日期时间",
            Value::Null => "null",
        }
    }
}

// ------------------------------------------------------------------------------------ parsing

/// Parses a TOML or JSON report. Fails only on a syntax error, at its exact position.
pub fn parse(kind: InputKind, source: SourceFile) -> Result<StructuredInput, ReadError> {
    let text = source.text();
    let root = match kind {
        InputKind::Json => json::parse(text),
        _ => toml_tree::parse(text),
    };
    match root {
        Ok(root) => Ok(StructuredInput { source, kind, root }),
        Err(SyntaxError { message, span }) => {
            let start = floor_char_boundary(text, span.start.min(text.len()));
            let end = floor_char_boundary(text, span.end.clamp(start, text.len()));
            Err(ReadError {
                name: source.name().to_owned(),
                kind: ReadErrorKind::Syntax(message),
                at: Some((source, Span::new(start, end))),
            })
        }
    }
}

struct SyntaxError {
    message: String,
    span: Span,
}

/// Whether a number is written as plain decimal digits (`12`, `-3`, `160.5964`): such a
/// literal is kept as the cell's text; any other (`1_000`, `0x1f`, `1e3`) is replaced by its
/// exact value, so that the text always reads back as the same number.
fn is_plain_decimal(literal: &str) -> bool {
    let digits = literal.strip_prefix(['-', '+']).unwrap_or(literal);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// The exact value of a decimal literal, with or without an exponent.
fn exact_decimal(literal: &str) -> Option<Decimal> {
    let literal = literal.replace('_', "");
    if literal.contains(['e', 'E']) {
        Decimal::from_scientific(&literal).ok()
    } else {
        literal.parse().ok()
    }
}

mod json;
mod keys;
mod read;
mod text;
mod toml_tree;

pub use read::read;
