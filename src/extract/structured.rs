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

use super::matcher::{Extractor, Fit, parse_date_prefix};
use super::value::read_cell;
use super::{ReadError, ReadErrorKind};
use crate::diagnostic::suggest;
use crate::report::{
    Anomaly, AnomalyKind, Cell, CellValue, InputKind, LabelMatch, Located, Metadata, Report,
    SectionData, TableData,
};
use crate::ruleset::{Date, Node, RuleSet, Table};
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

/// TOML, through the `toml` crate's span-keeping document tree. Chinese keys may be written
/// without quotes (`[表格.申请.一]`, `自然人 = 0`): TOML itself allows only ASCII bare keys,
/// so the one error TOML reports for such a key is forgiven, and the key is read as written.
mod toml_tree {
    use toml::de::{DeTable, DeValue};

    use super::{Entry, Item, SyntaxError, Value, exact_decimal};
    use crate::ruleset::Date;
    use crate::source::Span;

    pub(super) fn parse(text: &str) -> Result<Item, SyntaxError> {
        let table = crate::lenient_toml::parse(text)
            .map_err(|(message, span)| SyntaxError { message, span })?;
        let span = table.span();
        Ok(Item {
            value: Value::Table(entries(text, table.get_ref())),
            span: Span::new(span.start, span.end),
        })
    }

    fn entries(text: &str, table: &DeTable<'_>) -> Vec<Entry> {
        let mut entries: Vec<Entry> = table
            .iter()
            .map(|(key, value)| {
                let span = key.span();
                Entry {
                    key: key.get_ref().to_string(),
                    key_span: Span::new(span.start, span.end),
                    value: item(text, value),
                }
            })
            .collect();
        entries.sort_by_key(|e| e.key_span.start);
        entries
    }

    fn item(text: &str, value: &toml::Spanned<DeValue<'_>>) -> Item {
        let range = value.span();
        let span = Span::new(range.start, range.end);
        let literal = text.get(range).unwrap_or("").to_owned();
        let value = match value.get_ref() {
            DeValue::String(s) => Value::String(s.to_string()),
            DeValue::Integer(i) => {
                let exact = if i.radix() == 10 {
                    exact_decimal(i.as_str())
                } else {
                    i128::from_str_radix(i.as_str(), i.radix())
                        .ok()
                        .and_then(|n| rust_decimal::Decimal::try_from_i128_with_scale(n, 0).ok())
                };
                Value::Number { literal, exact }
            }
            DeValue::Float(f) => Value::Number {
                exact: exact_decimal(f.as_str()),
                literal,
            },
            DeValue::Boolean(_) => Value::Bool,
            DeValue::Datetime(d) => Value::Datetime {
                date: match (d.date, d.time, d.offset) {
                    (Some(date), None, None) => Date::new(
                        i32::from(date.year),
                        u32::from(date.month),
                        u32::from(date.day),
                    ),
                    _ => None,
                },
            },
            DeValue::Array(_) => Value::Array,
            DeValue::Table(table) => Value::Table(entries(text, table)),
        };
        Item { value, span }
    }
}

/// A small JSON reader that keeps the span of every key and value and the literal of every
/// number (so `160.5964` is never rounded through `f64`). It accepts exactly RFC 8259 JSON,
/// except that a key repeated in one object is an error (as in TOML), and nesting is bounded
/// by [`MAX_DEPTH`].
mod json {
    use super::{Entry, HashSet, Item, MAX_DEPTH, SyntaxError, Value, exact_decimal};
    use crate::source::Span;

    pub(super) fn parse(text: &str) -> Result<Item, SyntaxError> {
        let mut parser = Parser {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            depth: 0,
        };
        parser.skip_whitespace();
        let item = parser.value()?;
        parser.skip_whitespace();
        if parser.pos < parser.bytes.len() {
            return Err(parser.error_here(
                "值之后还有多余的内容（一个 JSON 文件只能有一个顶层值）",
                "trailing characters after the value",
            ));
        }
        Ok(item)
    }

    struct Parser<'a> {
        text: &'a str,
        bytes: &'a [u8],
        pos: usize,
        depth: usize,
    }

    impl Parser<'_> {
        fn peek(&self) -> Option<u8> {
            self.bytes.get(self.pos).copied()
        }

        fn skip_whitespace(&mut self) {
            while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
                self.pos += 1;
            }
        }

        /// The span of the character at the current position; at the end of the input, the
        /// empty span just after the last character that is not white space, so that a
        /// renderer shows the line where the input stops.
        fn here(&self) -> Span {
            if let Some(c) = self.text[self.pos..].chars().next() {
                Span::new(self.pos, self.pos + c.len_utf8())
            } else {
                let end = self.text.trim_end().len();
                Span::new(end, end)
            }
        }

        fn error_at(span: Span, zh: &str, en: &str) -> SyntaxError {
            SyntaxError {
                message: format!("JSON 语法错误：{zh} / {en}"),
                span,
            }
        }

        fn error_here(&self, zh: &str, en: &str) -> SyntaxError {
            Self::error_at(self.here(), zh, en)
        }

        /// "expected …, found …" at the current position.
        fn expected(&self, zh: &str, en: &str) -> SyntaxError {
            let (found_zh, found_en) = match self.text[self.pos..].chars().next() {
                None => ("文件结尾".to_owned(), "the end of the input".to_owned()),
                Some('/') => {
                    return self.error_here("JSON 不能写注释", "JSON has no comments");
                }
                Some('\'') => {
                    return self.error_here("字符串须用双引号「\"」", "strings take double quotes");
                }
                Some(c) => (format!("「{c}」"), format!("`{c}`")),
            };
            self.error_here(
                &format!("这里应是{zh}，却是{found_zh}"),
                &format!("expected {en}, found {found_en}"),
            )
        }

        fn value(&mut self) -> Result<Item, SyntaxError> {
            let start = self.pos;
            let value = match self.peek() {
                Some(b'{') => self.object()?,
                Some(b'[') => self.array()?,
                Some(b'"') => Value::String(self.string()?),
                Some(b'-' | b'0'..=b'9') => self.number()?,
                Some(b't') if self.bytes[self.pos..].starts_with(b"true") => {
                    self.pos += 4;
                    Value::Bool
                }
                Some(b'f') if self.bytes[self.pos..].starts_with(b"false") => {
                    self.pos += 5;
                    Value::Bool
                }
                Some(b'n') if self.bytes[self.pos..].starts_with(b"null") => {
                    self.pos += 4;
                    Value::Null
                }
                _ => {
                    return Err(self.expected(
                        "一个值（对象、数组、字符串、数字、true、false 或 null）",
                        "a value",
                    ));
                }
            };
            Ok(Item {
                value,
                span: Span::new(start, self.pos),
            })
        }

        fn enter(&mut self) -> Result<(), SyntaxError> {
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err(self.error_here(
                    &format!("嵌套超过 {MAX_DEPTH} 层"),
                    &format!("nesting deeper than {MAX_DEPTH} levels"),
                ));
            }
            self.pos += 1;
            Ok(())
        }

        fn object(&mut self) -> Result<Value, SyntaxError> {
            self.enter()?;
            let mut entries = Vec::new();
            let mut seen = HashSet::new();
            self.skip_whitespace();
            if self.peek() == Some(b'}') {
                self.pos += 1;
                self.depth -= 1;
                return Ok(Value::Table(entries));
            }
            loop {
                if self.peek() != Some(b'"') {
                    return Err(if self.peek() == Some(b'}') {
                        self.error_here("「}」前多了一个逗号", "trailing comma before `}`")
                    } else {
                        self.expected("带双引号的键", "a double-quoted key")
                    });
                }
                let key_start = self.pos;
                let key = self.string()?;
                let key_span = Span::new(key_start, self.pos);
                if !seen.insert(key.clone()) {
                    return Err(Self::error_at(
                        key_span,
                        &format!("同一个对象中重复的键「{key}」"),
                        "duplicate key in one object",
                    ));
                }
                self.skip_whitespace();
                if self.peek() != Some(b':') {
                    return Err(self.expected("键后的「:」", "`:` after the key"));
                }
                self.pos += 1;
                self.skip_whitespace();
                let value = self.value()?;
                entries.push(Entry {
                    key,
                    key_span,
                    value,
                });
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_whitespace();
                    }
                    Some(b'}') => {
                        self.pos += 1;
                        self.depth -= 1;
                        return Ok(Value::Table(entries));
                    }
                    _ => return Err(self.expected("「,」或「}」", "`,` or `}`")),
                }
            }
        }

        fn array(&mut self) -> Result<Value, SyntaxError> {
            self.enter()?;
            self.skip_whitespace();
            if self.peek() == Some(b']') {
                self.pos += 1;
                self.depth -= 1;
                return Ok(Value::Array);
            }
            loop {
                if self.peek() == Some(b']') {
                    return Err(self.error_here("「]」前多了一个逗号", "trailing comma before `]`"));
                }
                self.value()?;
                self.skip_whitespace();
                match self.peek() {
                    Some(b',') => {
                        self.pos += 1;
                        self.skip_whitespace();
                    }
                    Some(b']') => {
                        self.pos += 1;
                        self.depth -= 1;
                        return Ok(Value::Array);
                    }
                    _ => return Err(self.expected("「,」或「]」", "`,` or `]`")),
                }
            }
        }

        /// A string, from its opening quote; leaves the position after the closing quote.
        fn string(&mut self) -> Result<String, SyntaxError> {
            let open = Span::new(self.pos, self.pos + 1);
            self.pos += 1;
            let mut out = String::new();
            loop {
                let run = self.pos;
                while let Some(b) = self.peek() {
                    if b == b'"' || b == b'\\' || b < 0x20 {
                        break;
                    }
                    self.pos += 1;
                }
                out.push_str(&self.text[run..self.pos]);
                match self.peek() {
                    None => {
                        return Err(Self::error_at(
                            open,
                            "字符串缺少结尾的引号",
                            "unterminated string",
                        ));
                    }
                    Some(b'"') => {
                        self.pos += 1;
                        return Ok(out);
                    }
                    Some(b'\\') => self.escape(&mut out)?,
                    Some(_) => {
                        return Err(self.error_here(
                            "字符串中不能直接出现控制字符（换行写作 \\n，制表符写作 \\t）",
                            "control character in a string",
                        ));
                    }
                }
            }
        }

        fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
            let start = self.pos;
            self.pos += 1;
            let c = match self.peek() {
                Some(b'"') => '"',
                Some(b'\\') => '\\',
                Some(b'/') => '/',
                Some(b'b') => '\u{8}',
                Some(b'f') => '\u{c}',
                Some(b'n') => '\n',
                Some(b'r') => '\r',
                Some(b't') => '\t',
                Some(b'u') => {
                    self.pos += 1;
                    let high = self.hex4(start)?;
                    let code = if (0xd800..0xdc00).contains(&high) {
                        if !self.bytes[self.pos..].starts_with(b"\\u") {
                            return Err(lone_surrogate(start, self.pos));
                        }
                        self.pos += 2;
                        let low = self.hex4(start)?;
                        if !(0xdc00..0xe000).contains(&low) {
                            return Err(lone_surrogate(start, self.pos));
                        }
                        0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
                    } else if (0xdc00..0xe000).contains(&high) {
                        return Err(lone_surrogate(start, self.pos));
                    } else {
                        high
                    };
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    return Ok(());
                }
                _ => {
                    let end = self.here().end.max(self.pos);
                    return Err(Self::error_at(
                        Span::new(start, end),
                        "无效的转义（只能是 \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX）",
                        "invalid escape",
                    ));
                }
            };
            self.pos += 1;
            out.push(c);
            Ok(())
        }

        fn hex4(&mut self, escape_start: usize) -> Result<u32, SyntaxError> {
            let digits = self.bytes.get(self.pos..self.pos + 4);
            match digits {
                Some(d) if d.iter().all(u8::is_ascii_hexdigit) => {
                    self.pos += 4;
                    Ok(d.iter().fold(0, |n, &b| {
                        n * 16 + char::from(b).to_digit(16).unwrap_or_default()
                    }))
                }
                _ => {
                    let end = self.here().end.max(self.pos);
                    Err(Self::error_at(
                        Span::new(escape_start, end),
                        "\\u 后应是四位十六进制数字",
                        "expected four hex digits after \\u",
                    ))
                }
            }
        }

        fn number(&mut self) -> Result<Value, SyntaxError> {
            let start = self.pos;
            let invalid = |p: &Parser<'_>| {
                let end = p.here().end.max(p.pos);
                Self::error_at(Span::new(start, end), "无效的数字", "invalid number")
            };
            if self.peek() == Some(b'-') {
                self.pos += 1;
            }
            match self.peek() {
                Some(b'0') => self.pos += 1,
                Some(b'1'..=b'9') => self.digits(),
                _ => return Err(invalid(self)),
            }
            if self.peek() == Some(b'.') {
                self.pos += 1;
                if !matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(invalid(self));
                }
                self.digits();
            }
            if matches!(self.peek(), Some(b'e' | b'E')) {
                self.pos += 1;
                if matches!(self.peek(), Some(b'+' | b'-')) {
                    self.pos += 1;
                }
                if !matches!(self.peek(), Some(b'0'..=b'9')) {
                    return Err(invalid(self));
                }
                self.digits();
            }
            let literal = self.text[start..self.pos].to_owned();
            Ok(Value::Number {
                exact: exact_decimal(&literal),
                literal,
            })
        }

        fn digits(&mut self) {
            while matches!(self.peek(), Some(b'0'..=b'9')) {
                self.pos += 1;
            }
        }
    }

    fn lone_surrogate(start: usize, end: usize) -> SyntaxError {
        Parser::error_at(
            Span::new(start, end),
            "\\u 转义是不成对的代理项（UTF-16 surrogate），不是一个字符",
            "lone surrogate in a \\u escape",
        )
    }
}

// ------------------------------------------------------------------------------------ reading

/// Reads a structured report under a rule set.
pub fn read(extractor: &Extractor<'_>, input: &StructuredInput) -> (Report, Fit) {
    let rule_set = extractor.rule_set();
    let mut reader = Reader {
        extractor,
        rule_set,
        source: input.source.text(),
        anomalies: Vec::new(),
        fit: Fit {
            found: 0,
            declared: 0,
        },
    };
    let mut meta = Metadata::default();
    let mut sections = Vec::new();
    let mut tables: Vec<TableData> = rule_set.tables.iter().map(empty_table).collect();
    let mut tables_at = None;
    let mut given = vec![false; rule_set.tables.len()];
    match &input.root.value {
        Value::Table(entries) => {
            for entry in entries {
                match entry.key.as_str() {
                    "报告" => reader.metadata(entry, &mut meta),
                    "章节" => reader.sections(entry, &mut sections),
                    "表格" => {
                        tables_at = Some(entry.key_span);
                        reader.tables(entry, &mut tables, &mut given);
                    }
                    key if OUTPUT_ONLY_KEYS.contains(&key) => {}
                    key => reader.unknown_key(entry, None, key, &TOP_KEYS, "顶层"),
                }
            }
        }
        other => reader.push(
            AnomalyKind::Unreadable,
            format!("报告的顶层应是表（键值对），不是{}", other.kind_name()),
            input.root.span,
        ),
    }
    for (index, table) in rule_set.tables.iter().enumerate() {
        reader.fit.declared += table.leaf_rows().count() + table.leaf_columns().count();
        if !given[index] {
            let span = tables_at.unwrap_or_default();
            reader.anomalies.push(Anomaly {
                kind: AnomalyKind::TableMissing,
                message: format!(
                    "报告中没有表格「{}」（应写在「表格.{}」下）",
                    table.key, table.key
                ),
                span: Span::new(span.start, span.start),
                table: Some(table.key.clone()),
                row: None,
                column: None,
            });
        }
    }
    if meta.year.is_none() || meta.agency.is_none() {
        derive_from_title(input.source.text(), &mut meta);
    }
    let Reader {
        mut anomalies, fit, ..
    } = reader;
    anomalies.sort_by_key(|a| (a.span.start, a.kind));
    let (text, line_map) = report_text(input.source.text(), &meta, &mut sections);
    let report = Report {
        source: input.source.clone(),
        input: input.kind,
        layout: crate::report::Layout::Keys,
        // `parse` is not told which encoding `load` decoded; structured reports are UTF-8.
        encoding: "UTF-8",
        rule_set: rule_set.id.clone(),
        text: text.into(),
        meta,
        sections,
        tables,
        anomalies,
        line_map,
    };
    (report, fit)
}

fn empty_table(table: &Table) -> TableData {
    TableData::new(
        table.key.clone(),
        table
            .leaf_rows()
            .map(|r| table.rows[r].path.clone())
            .collect(),
        table
            .leaf_columns()
            .map(|c| table.columns[c].path.clone())
            .collect(),
    )
}

struct Reader<'a> {
    extractor: &'a Extractor<'a>,
    rule_set: &'a RuleSet,
    source: &'a str,
    anomalies: Vec<Anomaly>,
    fit: Fit,
}

/// Where in a table an anomaly is.
#[derive(Clone, Copy, Default)]
struct Place<'t> {
    table: Option<&'t str>,
    row: Option<&'t str>,
    column: Option<&'t str>,
}

impl Reader<'_> {
    fn push(&mut self, kind: AnomalyKind, message: String, span: Span) {
        self.push_at(kind, message, span, Place::default());
    }

    fn push_at(&mut self, kind: AnomalyKind, message: String, span: Span, place: Place<'_>) {
        self.anomalies.push(Anomaly {
            kind,
            message,
            span,
            table: place.table.map(str::to_owned),
            row: place.row.map(str::to_owned),
            column: place.column.map(str::to_owned),
        });
    }

    /// A key that the schema does not have at this place.
    fn unknown_key(
        &mut self,
        entry: &Entry,
        table: Option<&str>,
        key: &str,
        known: &[&str],
        place: &str,
    ) {
        self.push_at(
            AnomalyKind::Unreadable,
            format!(
                "{place}没有「{key}」这一项，已忽略{}",
                hint(suggest(key, known.iter().copied()))
            ),
            entry.key_span,
            Place {
                table,
                ..Place::default()
            },
        );
    }

    fn entries<'e>(&mut self, entry: &'e Entry, what: &str) -> &'e [Entry] {
        match &entry.value.value {
            Value::Table(entries) => entries,
            other => {
                self.push(
                    AnomalyKind::Unreadable,
                    format!(
                        "「{}」应是表（键值对），不是{}；{what}",
                        entry.key,
                        other.kind_name()
                    ),
                    entry.value.span,
                );
                &[]
            }
        }
    }

    // -------------------------------------------------------------------------- 报告

    fn metadata(&mut self, entry: &Entry, meta: &mut Metadata) {
        for field in self.entries(entry, "其中应写标题、机关、年度、层级、发布日期")
        {
            let item = &field.value;
            match field.key.as_str() {
                "标题" => meta.title = self.meta_text(field),
                "机关" => meta.agency = self.meta_text(field),
                "层级" => meta.level = self.meta_text(field),
                "年度" => meta.year = self.meta_year(field),
                "发布日期" => {
                    let date = match &item.value {
                        Value::Datetime { date, .. } => *date,
                        Value::String(s) => parse_date_prefix(s.trim())
                            .filter(|(len, _)| *len == s.trim().len())
                            .map(|(_, d)| d),
                        _ => None,
                    };
                    match date {
                        Some(date) => meta.published = Some(Located::new(date, item.span)),
                        None => {
                            self.invalid_meta(
                                field,
                                "应是日期，如 2021-01-20 或 \"2021年1月20日\"",
                            );
                        }
                    }
                }
                key => self.unknown_key(field, None, key, &META_KEYS, "「报告」中"),
            }
        }
    }

    fn meta_text(&mut self, field: &Entry) -> Option<Located<String>> {
        if let Value::String(s) = &field.value.value {
            Some(Located::new(s.trim().to_owned(), field.value.span))
        } else {
            self.invalid_meta(field, "应是文字（加引号）");
            None
        }
    }

    fn meta_year(&mut self, field: &Entry) -> Option<Located<i32>> {
        let year = match &field.value.value {
            Value::Number { literal, .. } => literal.parse::<i32>().ok(),
            Value::String(s) => s.trim().trim_end_matches('年').trim().parse::<i32>().ok(),
            _ => None,
        };
        match year {
            Some(y) if (1900..=2200).contains(&y) => Some(Located::new(y, field.value.span)),
            _ => {
                self.invalid_meta(field, "应是四位数的年份，如 2020");
                None
            }
        }
    }

    fn invalid_meta(&mut self, field: &Entry, expected: &str) {
        self.push(
            AnomalyKind::InvalidValue,
            format!(
                "报告.{}：{expected}，不是「{}」",
                field.key,
                shown(self.source, &field.value)
            ),
            field.value.span,
        );
    }

    // -------------------------------------------------------------------------- 章节

    fn sections(&mut self, entry: &Entry, out: &mut Vec<SectionData>) {
        let mut taken: Vec<Option<Span>> = vec![None; self.rule_set.sections.len()];
        for field in self.entries(entry, "其中应以章节的键或标题为键写各章节的正文")
        {
            let (index, printed) = if let Some(i) = self.rule_set.section(&field.key) {
                (i, None)
            } else if let Some((i, how)) = self.extractor.match_heading(&field.key) {
                (i, Some(how))
            } else {
                let keys = self
                    .rule_set
                    .sections
                    .iter()
                    .flat_map(|s| [s.key.as_str(), s.title.as_str()]);
                self.push(
                    AnomalyKind::Unreadable,
                    format!(
                        "规则集「{}」没有「{}」章节，已忽略{}",
                        self.rule_set.id,
                        field.key,
                        hint(suggest(&field.key, keys))
                    ),
                    field.key_span,
                );
                continue;
            };
            let section = &self.rule_set.sections[index];
            if taken[index].is_some() {
                self.push(
                    AnomalyKind::Unreadable,
                    format!("章节「{}」写了不止一次，只读第一处", section.key),
                    field.key_span,
                );
                continue;
            }
            taken[index] = Some(field.key_span);
            let item = &field.value;
            let (heading, body) = match &item.value {
                Value::String(_) => (None, Some(item)),
                Value::Table(fields) => {
                    let mut heading = None;
                    let mut body = None;
                    for f in fields {
                        match (f.key.as_str(), &f.value.value) {
                            ("标题", Value::String(_)) => heading = Some(&f.value),
                            ("正文", Value::String(_)) => body = Some(&f.value),
                            ("标题" | "正文", other) => self.push(
                                AnomalyKind::InvalidValue,
                                format!(
                                    "章节「{}」的{}应是文字，不是{}",
                                    section.key,
                                    f.key,
                                    other.kind_name()
                                ),
                                f.value.span,
                            ),
                            (key, _) => self.unknown_key(
                                f,
                                None,
                                key,
                                &SECTION_KEYS,
                                &format!("章节「{}」中", section.key),
                            ),
                        }
                    }
                    (heading, body)
                }
                other => {
                    self.push(
                        AnomalyKind::InvalidValue,
                        format!(
                            "章节「{}」应是正文（文字）或含标题、正文的表，不是{}",
                            section.key,
                            other.kind_name()
                        ),
                        item.span,
                    );
                    (None, None)
                }
            };
            let (heading, heading_span, matched) = match (heading, printed) {
                (Some(h), _) => {
                    let Value::String(text) = &h.value else {
                        unreachable!("only string headings are kept")
                    };
                    let matched = match self.extractor.match_heading(text) {
                        Some((i, how)) if i == index => how,
                        _ => {
                            self.push(
                                AnomalyKind::LabelDrift,
                                format!(
                                    "章节「{}」的标题「{}」与规定的「{}」不一致",
                                    section.key,
                                    text.trim(),
                                    section.title
                                ),
                                h.span,
                            );
                            LabelMatch::Drift
                        }
                    };
                    (text.trim().to_owned(), h.span, matched)
                }
                (None, Some(how)) => (field.key.trim().to_owned(), field.key_span, how),
                (None, None) => (section.title.clone(), field.key_span, LabelMatch::Exact),
            };
            let (text, body_span) = match body {
                Some(Item {
                    value: Value::String(text),
                    span,
                }) => (text.clone(), *span),
                _ => (String::new(), Span::new(item.span.end, item.span.end)),
            };
            out.push(SectionData {
                key: section.key.clone(),
                heading,
                heading_span,
                matched,
                body_span,
                text,
                text_start: 0,
            });
        }
    }

    // -------------------------------------------------------------------------- 表格

    fn tables(&mut self, entry: &Entry, tables: &mut [TableData], given: &mut [bool]) {
        for field in self.entries(entry, "其中应以表格的键为键写各表") {
            let Some(index) = self.rule_set.table(&field.key) else {
                let keys = self.rule_set.tables.iter().map(|t| t.key.as_str());
                self.push(
                    AnomalyKind::UnknownTable,
                    format!(
                        "规则集「{}」没有表格「{}」，已忽略{}",
                        self.rule_set.id,
                        field.key,
                        hint(suggest(&field.key, keys))
                    ),
                    field.key_span,
                );
                continue;
            };
            given[index] = true;
            self.table(index, field, &mut tables[index]);
        }
    }

    fn table(&mut self, index: usize, entry: &Entry, data: &mut TableData) {
        let table = &self.rule_set.tables[index];
        let rows: Vec<usize> = table.leaf_rows().collect();
        let columns: Vec<usize> = table.leaf_columns().collect();
        let mut state = TableState {
            table,
            rows: rows.iter().map(|&r| table.rows[r].path.as_str()).collect(),
            columns: columns
                .iter()
                .map(|&c| table.columns[c].path.as_str())
                .collect(),
            row_nodes: rows,
            column_nodes: columns,
            row_at: vec![None; data.rows.len()],
            row_invalid: vec![false; data.rows.len()],
            cell_at: vec![None; data.cells.len()],
        };
        let place = Place {
            table: Some(&table.key),
            ..Place::default()
        };
        match &entry.value.value {
            Value::Table(entries) => self.row_level(&mut state, entries, "", data),
            other => {
                self.push_at(
                    AnomalyKind::TableMissing,
                    format!(
                        "表格「{}」应是以行的键为键的表，不是{}；没有读到任何一行",
                        table.key,
                        other.kind_name()
                    ),
                    entry.value.span,
                    place,
                );
                return;
            }
        }
        let found_rows = state.row_at.iter().filter(|r| r.is_some()).count();
        let width = state.columns.len();
        let column_found: Vec<bool> = (0..width)
            .map(|c| (0..state.rows.len()).any(|r| state.cell_at[r * width + c].is_some()))
            .collect();
        self.fit.found += found_rows + column_found.iter().filter(|&&f| f).count();
        if found_rows == 0 {
            self.push_at(
                AnomalyKind::TableMissing,
                format!("表格「{}」中没有任何已声明的行", table.key),
                entry.key_span,
                place,
            );
            return;
        }
        data.span = Some(entry.key_span);
        for (k, at) in state.row_at.iter().enumerate() {
            let node = &table.rows[state.row_nodes[k]];
            if state.row_invalid[k] {
                continue;
            }
            let Some(row_span) = at else {
                self.push_at(
                    AnomalyKind::RowNotFound,
                    format!(
                        "表格「{}」中没有填写「{}」行（键「{}」）",
                        table.key,
                        display_label(node),
                        node.path
                    ),
                    entry.key_span,
                    Place {
                        row: Some(&node.path),
                        ..place
                    },
                );
                continue;
            };
            // A column left out of every row is one anomaly of the column, unless there is
            // only one row to leave it out of.
            let missing: Vec<&str> = (0..width)
                .filter(|&c| {
                    (column_found[c] || found_rows == 1) && state.cell_at[k * width + c].is_none()
                })
                .map(|c| state.columns[c])
                .collect();
            if !missing.is_empty() {
                self.push_at(
                    AnomalyKind::MissingValues,
                    format!(
                        "「{}」行缺少「{}」列的数值",
                        display_label(node),
                        missing.join("」「")
                    ),
                    *row_span,
                    Place {
                        row: Some(&node.path),
                        ..place
                    },
                );
            }
        }
        for (c, found) in column_found.iter().enumerate() {
            if !found && found_rows > 1 {
                let node = &table.columns[state.column_nodes[c]];
                self.push_at(
                    AnomalyKind::ColumnNotFound,
                    format!(
                        "表格「{}」的各行都没有填写「{}」列（键「{}」）",
                        table.key, node.label, node.path
                    ),
                    entry.key_span,
                    Place {
                        column: Some(&node.path),
                        ..place
                    },
                );
            }
        }
        if data.is_blank() {
            self.push_at(
                AnomalyKind::TableBlank,
                format!("表格「{}」的所有单元格都是空白", table.key),
                entry.key_span,
                place,
            );
        }
    }

    /// The entries of a table or of a row group: rows by key, or groups of rows.
    fn row_level(
        &mut self,
        state: &mut TableState<'_>,
        entries: &[Entry],
        prefix: &str,
        data: &mut TableData,
    ) {
        let table = state.table;
        for entry in entries {
            let path = join(prefix, &entry.key);
            let place = Place {
                table: Some(&table.key),
                ..Place::default()
            };
            match (resolve(&state.rows, &path), &entry.value.value) {
                (Resolved::Leaf(k), Value::Table(cells)) => {
                    if state.row_at[k].is_some() {
                        self.push_at(
                            AnomalyKind::Unreadable,
                            format!(
                                "表格「{}」的「{}」行写了不止一次，只读第一处",
                                table.key, state.rows[k]
                            ),
                            entry.key_span,
                            Place {
                                row: Some(state.rows[k]),
                                ..place
                            },
                        );
                        continue;
                    }
                    state.row_at[k] = Some(entry.key_span);
                    self.column_level(state, k, cells, "", data);
                }
                (Resolved::Group, Value::Table(inner)) => {
                    self.row_level(state, inner, &path, data);
                }
                (resolved @ (Resolved::Leaf(_) | Resolved::Group), other) => {
                    if let Resolved::Leaf(k) = resolved {
                        // Written, but unreadable: not also a row left out.
                        state.row_invalid[k] = true;
                    }
                    self.push_at(
                        AnomalyKind::InvalidValue,
                        format!(
                            "表格「{}」的「{path}」行应是以列的键为键的表，不是{}",
                            table.key,
                            other.kind_name()
                        ),
                        entry.value.span,
                        place,
                    );
                }
                (Resolved::Ambiguous(candidates), _) => self.push_at(
                    AnomalyKind::RowNotFound,
                    format!(
                        "表格「{}」中的「{path}」可以是「{}」行，请写出完整的键",
                        table.key,
                        candidates
                            .iter()
                            .map(|&k| state.rows[k])
                            .collect::<Vec<_>>()
                            .join("」或「")
                    ),
                    entry.key_span,
                    place,
                ),
                (Resolved::Unknown, _) => self.push_at(
                    AnomalyKind::RowNotFound,
                    format!(
                        "表格「{}」没有「{path}」行，已忽略{}",
                        table.key,
                        hint(suggest(&path, candidates(&state.rows)))
                    ),
                    entry.key_span,
                    place,
                ),
            }
        }
    }

    /// The entries of a row or of a column group within a row: cells by column key.
    fn column_level(
        &mut self,
        state: &mut TableState<'_>,
        k: usize,
        entries: &[Entry],
        prefix: &str,
        data: &mut TableData,
    ) {
        let table = state.table;
        let row = &table.rows[state.row_nodes[k]];
        let width = state.columns.len();
        for entry in entries {
            let path = join(prefix, &entry.key);
            let place = Place {
                table: Some(&table.key),
                row: Some(&row.path),
                column: None,
            };
            match (resolve(&state.columns, &path), &entry.value.value) {
                (Resolved::Group, Value::Table(inner)) => {
                    self.column_level(state, k, inner, &path, data);
                }
                (Resolved::Leaf(c), _) => {
                    let column = &table.columns[state.column_nodes[c]];
                    let column_name = column_name(state, c);
                    let place = Place {
                        column: Some(&column.path),
                        ..place
                    };
                    if state.cell_at[k * width + c].is_some() {
                        self.push_at(
                            AnomalyKind::Unreadable,
                            format!(
                                "「{}」行「{column_name}」列写了不止一次，只读第一处",
                                display_label(row),
                            ),
                            entry.key_span,
                            place,
                        );
                        continue;
                    }
                    state.cell_at[k * width + c] = Some(entry.key_span);
                    let cell_type = table.cell_type(state.row_nodes[k], state.column_nodes[c]);
                    let cell = make_cell(self.source, &entry.value, cell_type);
                    if let CellValue::Invalid(reason) = &cell.value {
                        self.push_at(
                            AnomalyKind::InvalidValue,
                            format!("「{}」行「{column_name}」列：{reason}", display_label(row)),
                            cell.span,
                            place,
                        );
                    }
                    data.set(k, c, cell);
                }
                (Resolved::Group, _) => {
                    let under: Vec<&str> = state
                        .columns
                        .iter()
                        .filter(|c| under_group(c, &path))
                        .copied()
                        .collect();
                    self.push_at(
                        AnomalyKind::ColumnNotFound,
                        format!(
                            "「{path}」是一组列，应分别填写其下的「{}」，已忽略",
                            under.join("」「")
                        ),
                        entry.key_span,
                        place,
                    );
                }
                (Resolved::Ambiguous(candidates), _) => self.push_at(
                    AnomalyKind::ColumnNotFound,
                    format!(
                        "「{}」行中的「{path}」可以是「{}」列，请写出完整的键，已忽略",
                        display_label(row),
                        candidates
                            .iter()
                            .map(|&c| state.columns[c])
                            .collect::<Vec<_>>()
                            .join("」或「")
                    ),
                    entry.key_span,
                    place,
                ),
                (Resolved::Unknown, _) => self.push_at(
                    AnomalyKind::ColumnNotFound,
                    format!(
                        "表格「{}」没有「{path}」列，已忽略{}",
                        table.key,
                        hint(suggest(&path, candidates(&state.columns)))
                    ),
                    entry.key_span,
                    place,
                ),
            }
        }
    }
}

/// How a leaf column is named in a message: by its label, or by its key where another
/// column has the same label (the 结果维持 of each block of the review table).
fn column_name<'t>(state: &TableState<'t>, c: usize) -> &'t str {
    let table = state.table;
    let label = table.columns[state.column_nodes[c]].label.as_str();
    let shared = state
        .column_nodes
        .iter()
        .filter(|&&n| table.columns[n].label == label)
        .count();
    if label.is_empty() || shared > 1 {
        state.columns[c]
    } else {
        label
    }
}

struct TableState<'t> {
    table: &'t Table,
    /// Leaf row and column paths, in the table's order.
    rows: Vec<&'t str>,
    columns: Vec<&'t str>,
    row_nodes: Vec<usize>,
    column_nodes: Vec<usize>,
    /// The key span of each row, once read.
    row_at: Vec<Option<Span>>,
    /// Rows written with a value that is not a table of cells.
    row_invalid: Vec<bool>,
    /// The key span of each cell, once read.
    cell_at: Vec<Option<Span>>,
}

/// What a written key path names among a table's leaf paths.
#[derive(Debug, PartialEq)]
enum Resolved {
    Leaf(usize),
    /// A group: some leaf paths continue it.
    Group,
    Ambiguous(Vec<usize>),
    Unknown,
}

/// Resolves a key path: a leaf path written in full, a group's path, the end of exactly one
/// leaf path (`商业企业` for `法人或其他组织.商业企业`), or the middle of leaf paths (`直诉` in
/// `诉讼.直诉.维持`), in that order.
fn resolve(leaves: &[&str], path: &str) -> Resolved {
    if let Some(i) = leaves.iter().position(|l| *l == path) {
        return Resolved::Leaf(i);
    }
    if leaves.iter().any(|l| under_group(l, path)) {
        return Resolved::Group;
    }
    let ends: Vec<usize> = leaves
        .iter()
        .enumerate()
        .filter(|(_, l)| l.strip_suffix(path).is_some_and(|head| head.ends_with('.')))
        .map(|(i, _)| i)
        .collect();
    match ends.len() {
        1 => Resolved::Leaf(ends[0]),
        0 if !path.is_empty() && leaves.iter().any(|l| l.contains(&format!(".{path}."))) => {
            Resolved::Group
        }
        0 => Resolved::Unknown,
        _ => Resolved::Ambiguous(ends),
    }
}

/// Whether a leaf path lies under the group path `group`.
fn under_group(leaf: &str, group: &str) -> bool {
    !group.is_empty()
        && leaf
            .strip_prefix(group)
            .is_some_and(|rest| rest.starts_with('.'))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Names to suggest for a mistyped key: every leaf path and its last part.
fn candidates<'a>(leaves: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    leaves.iter().flat_map(|l| {
        let last = l.rsplit('.').next().unwrap_or(l);
        [*l, last]
    })
}

fn hint(suggestion: Option<String>) -> String {
    suggestion
        .map(|s| format!("（是不是「{s}」？）"))
        .unwrap_or_default()
}

fn display_label(node: &Node) -> &str {
    if node.unlabeled || node.label.is_empty() {
        &node.key
    } else {
        &node.label
    }
}

/// The text of a value as written, shortened for a message.
fn shown<'a>(source: &'a str, item: &'a Item) -> &'a str {
    let text = match &item.value {
        Value::String(s) => s.as_str(),
        _ => source.get(item.span.start..item.span.end).unwrap_or(""),
    };
    let end = text.char_indices().nth(40).map_or(text.len(), |(i, _)| i);
    text[..end].lines().next().unwrap_or("")
}

/// One cell from its value: text as printed and numbers go through the same reading as a
/// cell of a text report; other values are invalid.
fn make_cell(source: &str, item: &Item, cell_type: &crate::ruleset::CellType) -> Cell {
    match &item.value {
        Value::String(text) => read_cell(text, cell_type, item.span),
        Value::Null => read_cell("", cell_type, item.span),
        Value::Number { literal, exact } => {
            let raw = if is_plain_decimal(literal) {
                literal.clone()
            } else {
                exact.map_or_else(|| literal.clone(), |d| d.to_string())
            };
            read_cell(&raw, cell_type, item.span)
        }
        other => Cell {
            raw: shown(source, item).to_owned(),
            value: CellValue::Invalid(format!(
                "应是数字或照印刷原样写的文字，不是{}",
                other.kind_name()
            )),
            unit: None,
            span: item.span,
        },
    }
}

/// A title says the year (`2020年`) and, before it, the agency: read them from it when the
/// report does not give them, as the text reader does.
fn derive_from_title(source: &str, meta: &mut Metadata) {
    let Some(title) = meta.title.clone() else {
        return;
    };
    let Some((at, year)) = super::matcher::find_year(&title.value) else {
        return;
    };
    let span_of =
        |start: usize, end: usize| inner_span(source, title.span, &title.value, start, end);
    if meta.year.is_none() {
        meta.year = Some(Located::new(year, span_of(at, at + 4)));
    }
    let agency = title.value[..at].trim();
    if meta.agency.is_none() && !agency.is_empty() {
        meta.agency = Some(Located::new(agency.to_owned(), span_of(0, agency.len())));
    }
}

/// The span of `value[start..end]` within the string literal at `span`, when the literal
/// holds the value as is (no escapes); otherwise the whole literal.
fn inner_span(source: &str, span: Span, value: &str, start: usize, end: usize) -> Span {
    let literal = source.get(span.start..span.end).unwrap_or("");
    for quote in ["\"", "'"] {
        if let Some(inner) = literal
            .strip_prefix(quote)
            .and_then(|l| l.strip_suffix(quote))
        {
            if inner == value {
                return Span::new(span.start + 1 + start, span.start + 1 + end);
            }
        }
    }
    span
}

/// The report's text as a reader sees it, for prose checks: the title, then each section's
/// heading and text; with the source span of each line (exact where a string holds its text
/// without escapes), and where each section's text starts.
fn report_text(
    source: &str,
    meta: &Metadata,
    sections: &mut [SectionData],
) -> (String, Vec<(usize, Span)>) {
    let mut text = String::new();
    let mut map = Vec::new();
    if let Some(title) = &meta.title {
        map.push((text.len(), title.span));
        text.push_str(&title.value);
        text.push_str("\n\n");
    }
    for section in sections {
        map.push((text.len(), section.heading_span));
        text.push_str(&section.heading);
        text.push_str("\n\n");
        section.text_start = text.len();
        let body = section.text.trim_end();
        match verbatim_start(source, section.body_span, &section.text) {
            Some(at) => {
                let mut offset = 0;
                for line in body.split_inclusive('\n') {
                    let content = line.trim_end_matches(['\n', '\r']);
                    let start = at + offset;
                    map.push((text.len() + offset, Span::new(start, start + content.len())));
                    offset += line.len();
                }
            }
            None => map.push((text.len(), section.body_span)),
        }
        text.push_str(body);
        text.push_str("\n\n");
    }
    (text, map)
}

/// Where a string's text starts in the source, when its literal holds the text as is.
fn verbatim_start(source: &str, span: Span, value: &str) -> Option<usize> {
    let literal = source.get(span.start..span.end)?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = literal
            .strip_prefix(quote)
            .and_then(|l| l.strip_suffix(quote))
        {
            // A newline right after `"""` is not part of the string.
            let (skip, inner) = match inner
                .strip_prefix("\r\n")
                .or_else(|| inner.strip_prefix('\n'))
            {
                Some(rest) if quote.len() == 3 => (inner.len() - rest.len(), rest),
                _ => (0, inner),
            };
            return (inner == value).then_some(span.start + quote.len() + skip);
        }
    }
    None
}
