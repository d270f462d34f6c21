//! `gouji extract FILE`: a report as read under a rule set — its metadata, sections, every
//! table cell with its text, value, unit and position, and the anomalies of reading. The output
//! is itself a structured report (`docs/report-format.md`): TOML with positions in comments, or
//! JSON with positions in an ignored `详情` object, so that it loads back as the same cells.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::check::load_rule_sets;
use super::exit;
use super::io::{emit, read_input};
use crate::check::Checker;
use crate::extract::{Extent, Fit, Input, Line, ReadError, Unit, detect_kind, load};
use crate::report::{Cell, CellValue, InputKind, LabelMatch, Report};
use crate::ruleset::RuleSet;
use crate::source::{SourceFile, Span};

#[derive(Args, Debug)]
pub struct ExtractArgs {
    /// 报告文件（.txt、.html、.docx、.pdf、.toml、.json）；「-」读标准输入 / the report file; `-` reads stdin
    file: String,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value_t = Format::Toml)]
    format: Format,
    /// 输入的种类，默认按扩展名和内容判断 / the input's kind (default: by extension and content)
    #[arg(long, value_enum, value_name = "KIND")]
    from: Option<Kind>,
    /// 规则文件或目录，可重复；给出时代替内置规则集作为候选 / rule files or directories (repeatable); replace the built-in sets as candidates
    #[arg(long = "rules", value_name = "DIR")]
    roots: Vec<PathBuf>,
    /// 规则集标识或规则文件；默认选用与报告表格最吻合的规则集
    /// / a rule-set id or rule file (default: the set whose tables fit the report best)
    #[arg(long, value_name = "ID")]
    ruleset: Option<String>,
    /// 写入文件（先写临时文件再改名）而不是标准输出 / write to a file (atomically) instead of stdout
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Toml,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Kind {
    Text,
    Html,
    Toml,
    Json,
}

impl Kind {
    fn input_kind(self) -> InputKind {
        match self {
            Kind::Text => InputKind::Text,
            Kind::Html => InputKind::Html,
            Kind::Toml => InputKind::Toml,
            Kind::Json => InputKind::Json,
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Kind::Text => "txt",
            Kind::Html => "html",
            Kind::Toml => "toml",
            Kind::Json => "json",
        }
    }
}

pub fn run(args: &ExtractArgs) -> u8 {
    let (name, bytes) = match read_input(&args.file) {
        Ok(input) => input,
        Err(message) => {
            eprintln!("gouji: {message}");
            return exit::USAGE;
        }
    };
    let kind = args
        .from
        .or_else(|| (args.file == "-").then(|| sniff(&bytes)).flatten());
    // `load` tells the kind by the name: a kind given or sniffed becomes its extension.
    let name = match kind {
        Some(kind) if detect_kind(&name, &bytes) != kind.input_kind() => {
            format!("{name}.{}", kind.extension())
        }
        _ => name,
    };
    let input = match load(&name, &bytes) {
        Ok(input) => input,
        Err(error) => {
            eprint!("{}", render_error(&error));
            return exit::USAGE;
        }
    };
    let Some((rule_set, report, fit)) = choose_and_read(&input, args) else {
        return exit::USAGE;
    };
    let text = match args.format {
        Format::Toml => to_toml(&report, &rule_set, fit, &Pages::new(&input)),
        Format::Json => to_json(&report, fit, &Pages::new(&input)),
    };
    match emit(args.output.as_deref(), &text, &[Path::new(&args.file)]) {
        Ok(()) => exit::OK,
        Err(message) => {
            eprintln!("gouji: {message}");
            exit::USAGE
        }
    }
}

/// Standard input has no name to tell a TOML report by: one whose first line is a table of
/// the schema (`[报告]`, `[表格.申请.一]`, …) or a key of it is taken for TOML.
fn sniff(bytes: &[u8]) -> Option<Kind> {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]);
    let line = head
        .lines()
        .map(|l| l.trim().trim_start_matches('\u{feff}'))
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let body = line.trim_start_matches('[').trim_start_matches('"');
    let schema_key = ["报告", "章节", "表格", "来源"]
        .iter()
        .any(|k| body.starts_with(k));
    let toml_like =
        (line.starts_with('[') && line.ends_with(']')) || body.contains('=') || body.contains('.');
    (schema_key && toml_like).then_some(Kind::Toml)
}

/// Compiles the rule set asked for (an id, or a rule file), or every available one, and
/// reads the input under the one that fits it best.
fn choose_and_read(input: &Input, args: &ExtractArgs) -> Option<(RuleSet, Report, Fit)> {
    let mut rules = args.roots.clone();
    let mut only = args.ruleset.as_deref();
    if let Some(file) = only.filter(|t| Path::new(t).is_file()) {
        rules.push(PathBuf::from(file));
        only = None;
    }
    let sets = match load_rule_sets(&rules, only) {
        Ok(sets) => sets,
        Err(message) => {
            eprint!("{message}");
            return None;
        }
    };
    let checker = match Checker::new(&sets, &[]) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gouji: {e}");
            return None;
        }
    };
    let (index, report, fit) = checker.read(input)?;
    Some((sets[index].clone(), report, fit))
}

fn render_error(error: &ReadError) -> String {
    super::render_for_stderr(error)
}

// ------------------------------------------------------------------------------------ common

fn position(source: &SourceFile, span: Span) -> String {
    let (line, column) = source.line_col(span.start);
    format!("{line}:{column} [{}..{}]", span.start, span.end)
}

/// Where the cells of a paged input (a PDF; text printed with form feeds) stand on its
/// pages: the page, and the display columns of the layout text the cell covers (CJK
/// characters two wide), which are the x positions on the page scaled.
struct Pages<'d> {
    lines: &'d [Line],
}

impl<'d> Pages<'d> {
    fn new(input: &'d Input) -> Self {
        let lines = match input {
            Input::Document(document) if document.lines.iter().any(|l| l.page.is_some()) => {
                document.lines.as_slice()
            }
            _ => &[],
        };
        Self { lines }
    }

    /// The page of a span's line and, if it is a cell of it, the cell's display columns.
    fn at(&self, span: Span) -> Option<(u32, Option<Extent>)> {
        let at = self.lines.partition_point(|l| l.span.end < span.start);
        let line = self.lines.get(at).filter(|l| l.span.start <= span.start)?;
        let x = line
            .cells
            .iter()
            .find(|c| c.span.start <= span.start && span.start < c.span.end.max(c.span.start + 1))
            .filter(|_| line.unit == Unit::Display)
            .map(|c| c.x);
        Some((line.page?, x))
    }
}

/// `第2页 横40..44`: a cell's page and display columns, for a comment.
fn page_position(page: u32, x: Option<Extent>) -> String {
    match x {
        Some(x) => format!("第{page}页 横{}..{}", x.x0, x.x1),
        None => format!("第{page}页"),
    }
}

fn line_col(source: &SourceFile, span: Span) -> String {
    let (line, column) = source.line_col(span.start);
    format!("{line}:{column}")
}

fn input_name(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Text => "text",
        InputKind::Html => "html",
        InputKind::Toml => "toml",
        InputKind::Json => "json",
        InputKind::Docx => "docx",
        InputKind::Pdf => "pdf",
    }
}

fn match_name(how: LabelMatch) -> &'static str {
    match how {
        LabelMatch::Exact => "exact",
        LabelMatch::Alias => "alias",
        LabelMatch::NonstandardAlias => "nonstandard-alias",
        LabelMatch::Drift => "drift",
    }
}

/// Whether a cell's text is a number literal that TOML and JSON both read as written.
fn is_plain_number(raw: &str) -> bool {
    let digits = raw.strip_prefix('-').unwrap_or(raw);
    let (whole, fraction) = match digits.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (digits, None),
    };
    !whole.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && (whole == "0" || !whole.starts_with('0'))
        && fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()))
}

/// What a cell was read as, in words.
fn cell_note(cell: &Cell) -> String {
    let mut note = match &cell.value {
        CellValue::Number(n) => format!("值 {n}"),
        CellValue::Blank => "空白".to_owned(),
        CellValue::NotApplicable(mark) => format!("不适用「{mark}」"),
        CellValue::Text(_) => "文字".to_owned(),
        CellValue::Invalid(reason) => format!("无效：{reason}"),
        CellValue::Unknown(reason) => format!("没有读准：{reason}"),
    };
    if let Some(unit) = &cell.unit {
        let _ = write!(note, "，单位 {unit}");
    }
    note
}

fn fit_text(fit: Fit) -> String {
    format!("{}/{}", fit.found, fit.declared)
}

/// The row label the rule set declares for a leaf row path, for a comment.
fn row_label<'r>(rule_set: &'r RuleSet, table: &str, row: &str) -> Option<&'r str> {
    let table = &rule_set.tables[rule_set.table(table)?];
    table
        .rows
        .iter()
        .find(|n| n.path == row)
        .map(|n| n.label.as_str())
        .filter(|l| !l.is_empty())
}

// ------------------------------------------------------------------------------------ TOML

fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    escape_into(&mut out, text, false);
    out.push('"');
    out
}

/// A multi-line basic string; the newline after the opening quotes is not part of it.
fn toml_multiline(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    out.push_str("\"\"\"\n");
    escape_into(&mut out, text, true);
    out.push_str("\"\"\"");
    out
}

fn escape_into(out: &mut String, text: &str, multiline: bool) {
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' if multiline => out.push('\n'),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
}

fn comment(text: &str) -> String {
    text.replace(['\n', '\r'], " ")
}

fn to_toml(report: &Report, rule_set: &RuleSet, fit: Fit, pages: &Pages) -> String {
    let source = &report.source;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# gouji extract：按规则集「{}」读取「{}」的结果 / as read under rule set {}",
        rule_set.id,
        comment(source.name()),
        rule_set.id
    );
    out.push_str(
        "# 注释中是读取的位置（行:列 [字节起..止]）和读出的值；读回时忽略注释、「来源」和「异常」。\n\
         # Comments give positions (line:column [byte range]) and values read; comments, 来源 and\n\
         # 异常 are ignored when this file is read back.\n",
    );
    if !pages.lines.is_empty() {
        out.push_str(
            "# 分页的输入（PDF）：单元格的注释先写页码和横向位置（版面文字的字宽列，汉字占两列）。\n\
             # Paged input (PDF): a cell's comment starts with its page and its display columns.\n",
        );
    }
    out.push('\n');
    out.push_str("[\"来源\"]\n");
    let _ = writeln!(out, "\"文件\" = {}", toml_string(source.name()));
    let _ = writeln!(out, "\"种类\" = \"{}\"", input_name(report.input));
    let _ = writeln!(out, "\"编码\" = {}", toml_string(report.encoding));
    let _ = writeln!(out, "\"规则集\" = {}", toml_string(&report.rule_set));
    let _ = writeln!(out, "\"匹配度\" = \"{}\"", fit_text(fit));

    out.push_str("\n[\"报告\"]\n");
    let meta = &report.meta;
    let mut missing = Vec::new();
    for (key, value) in [
        (
            "标题",
            meta.title.as_ref().map(|l| (toml_string(&l.value), l.span)),
        ),
        (
            "机关",
            meta.agency
                .as_ref()
                .map(|l| (toml_string(&l.value), l.span)),
        ),
        (
            "年度",
            meta.year.as_ref().map(|l| (l.value.to_string(), l.span)),
        ),
        (
            "层级",
            meta.level.as_ref().map(|l| (toml_string(&l.value), l.span)),
        ),
        (
            "发布日期",
            meta.published
                .as_ref()
                .map(|l| (l.value.to_string(), l.span)),
        ),
    ] {
        match value {
            Some((value, span)) => {
                let _ = writeln!(out, "\"{key}\" = {value}  # {}", position(source, span));
            }
            None => missing.push(key),
        }
    }
    if !missing.is_empty() {
        let _ = writeln!(out, "# 未读出 / not found: {}", missing.join("、"));
    }

    for section in &report.sections {
        let _ = writeln!(out, "\n[\"章节\".{}]", toml_string(&section.key));
        let _ = writeln!(
            out,
            "\"标题\" = {}  # {}，匹配 {}",
            toml_string(&section.heading),
            position(source, section.heading_span),
            match_name(section.matched)
        );
        let _ = writeln!(
            out,
            "\"正文\" = {}  # {}",
            toml_multiline(&section.text),
            position(source, section.body_span)
        );
    }
    let found: Vec<&str> = report.sections.iter().map(|s| s.key.as_str()).collect();
    let absent: Vec<&str> = rule_set
        .sections
        .iter()
        .map(|s| s.key.as_str())
        .filter(|k| !found.contains(k))
        .collect();
    if !absent.is_empty() {
        let _ = writeln!(
            out,
            "\n# 未找到的章节 / sections not found: {}",
            absent.join("、")
        );
    }

    for table in &report.tables {
        let width = table.columns.len();
        let mut any = false;
        for (r, row) in table.rows.iter().enumerate() {
            let cells: Vec<(usize, &Cell)> = (0..width)
                .filter_map(|c| table.cell_at(r, c).map(|cell| (c, cell)))
                .collect();
            if cells.is_empty() {
                continue;
            }
            any = true;
            let _ = write!(
                out,
                "\n[\"表格\".{}.{}]",
                toml_string(&table.key),
                toml_string(row)
            );
            match row_label(rule_set, &table.key, row) {
                Some(label) => {
                    let _ = writeln!(out, "  # {}", comment(label));
                }
                None => out.push('\n'),
            }
            for (c, cell) in &cells {
                let value = if is_plain_number(&cell.raw) {
                    cell.raw.clone()
                } else {
                    toml_string(&cell.raw)
                };
                let on_page = pages
                    .at(cell.span)
                    .map(|(page, x)| format!("{}，", page_position(page, x)))
                    .unwrap_or_default();
                let _ = writeln!(
                    out,
                    "{} = {value}  # {on_page}{}，{}",
                    toml_string(&table.columns[*c]),
                    position(source, cell.span),
                    comment(&cell_note(cell))
                );
            }
            let unread: Vec<&str> = (0..width)
                .filter(|&c| table.cell_at(r, c).is_none())
                .map(|c| table.columns[c].as_str())
                .collect();
            if !unread.is_empty() {
                let _ = writeln!(out, "# 未读取 / not read: {}", unread.join("、"));
            }
        }
        if !any {
            let _ = writeln!(out, "\n# 表格「{}」：未读到 / not read", table.key);
        }
    }

    for anomaly in &report.anomalies {
        out.push_str("\n[[\"异常\"]]\n");
        let _ = writeln!(out, "\"类型\" = {}", toml_string(anomaly.kind.id()));
        let _ = writeln!(out, "\"消息\" = {}", toml_string(&anomaly.message));
        let _ = writeln!(out, "\"位置\" = \"{}\"", line_col(source, anomaly.span));
        let _ = writeln!(
            out,
            "\"字节\" = [{}, {}]",
            anomaly.span.start, anomaly.span.end
        );
        for (key, value) in [
            ("表格", &anomaly.table),
            ("行", &anomaly.row),
            ("列", &anomaly.column),
        ] {
            if let Some(value) = value {
                let _ = writeln!(out, "\"{key}\" = {}", toml_string(value));
            }
        }
    }
    out
}

// ------------------------------------------------------------------------------------ JSON

/// A JSON value, built in order and printed by hand so that keys keep the report's order.
enum Json {
    Object(Vec<(String, Json)>),
    Array(Vec<Json>),
    String(String),
    /// A number, as its literal.
    Number(String),
}

impl Json {
    fn str(text: &str) -> Json {
        Json::String(text.to_owned())
    }

    fn span(source: &SourceFile, span: Span) -> Json {
        Json::Object(vec![
            ("位置".into(), Json::String(line_col(source, span))),
            (
                "字节".into(),
                Json::Array(vec![
                    Json::Number(span.start.to_string()),
                    Json::Number(span.end.to_string()),
                ]),
            ),
        ])
    }

    fn with(mut self, key: &str, value: Json) -> Json {
        if let Json::Object(fields) = &mut self {
            fields.push((key.to_owned(), value));
        }
        self
    }

    fn write(&self, out: &mut String, indent: usize) {
        match self {
            Json::String(s) => out.push_str(&serde_json::Value::from(s.as_str()).to_string()),
            Json::Number(n) => out.push_str(n),
            Json::Array(items) if items.iter().all(|i| !matches!(i, Json::Object(_))) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    item.write(out, indent);
                }
                out.push(']');
            }
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    push_indent(out, indent + 1);
                    item.write(out, indent + 1);
                }
                out.push('\n');
                push_indent(out, indent);
                out.push(']');
            }
            Json::Object(fields) if fields.is_empty() => out.push_str("{}"),
            Json::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    out.push_str(if i > 0 { ",\n" } else { "\n" });
                    push_indent(out, indent + 1);
                    out.push_str(&serde_json::Value::from(key.as_str()).to_string());
                    out.push_str(": ");
                    value.write(out, indent + 1);
                }
                out.push('\n');
                push_indent(out, indent);
                out.push('}');
            }
        }
    }
}

fn push_indent(out: &mut String, indent: usize) {
    for _ in 0..indent {
        out.push_str("  ");
    }
}

fn to_json(report: &Report, fit: Fit, pages: &Pages) -> String {
    let source = &report.source;
    let mut details = Vec::new();
    let origin = Json::Object(vec![
        ("文件".into(), Json::str(source.name())),
        ("种类".into(), Json::str(input_name(report.input))),
        ("编码".into(), Json::str(report.encoding)),
        ("规则集".into(), Json::str(&report.rule_set)),
        ("匹配度".into(), Json::String(fit_text(fit))),
    ]);

    let meta = &report.meta;
    let mut fields = Vec::new();
    for (key, value) in [
        (
            "标题",
            meta.title.as_ref().map(|l| (Json::str(&l.value), l.span)),
        ),
        (
            "机关",
            meta.agency.as_ref().map(|l| (Json::str(&l.value), l.span)),
        ),
        (
            "年度",
            meta.year
                .as_ref()
                .map(|l| (Json::Number(l.value.to_string()), l.span)),
        ),
        (
            "层级",
            meta.level.as_ref().map(|l| (Json::str(&l.value), l.span)),
        ),
        (
            "发布日期",
            meta.published
                .as_ref()
                .map(|l| (Json::String(l.value.to_string()), l.span)),
        ),
    ] {
        if let Some((value, span)) = value {
            fields.push((key.to_owned(), value));
            details.push((format!("报告.{key}"), Json::span(source, span)));
        }
    }
    let meta = Json::Object(fields);

    let mut sections = Vec::new();
    for section in &report.sections {
        sections.push((
            section.key.clone(),
            Json::Object(vec![
                ("标题".into(), Json::str(&section.heading)),
                ("正文".into(), Json::str(&section.text)),
            ]),
        ));
        details.push((
            format!("章节.{}.标题", section.key),
            Json::span(source, section.heading_span)
                .with("匹配", Json::str(match_name(section.matched))),
        ));
        details.push((
            format!("章节.{}.正文", section.key),
            Json::span(source, section.body_span),
        ));
    }

    let mut tables = Vec::new();
    for table in &report.tables {
        let mut rows = Vec::new();
        for (r, row) in table.rows.iter().enumerate() {
            let mut cells = Vec::new();
            for (c, column) in table.columns.iter().enumerate() {
                let Some(cell) = table.cell_at(r, c) else {
                    continue;
                };
                let value = if is_plain_number(&cell.raw) {
                    Json::Number(cell.raw.clone())
                } else {
                    Json::str(&cell.raw)
                };
                cells.push((column.clone(), value));
                let mut detail = Json::span(source, cell.span);
                if let Some((page, x)) = pages.at(cell.span) {
                    detail = detail.with("页", Json::Number(page.to_string()));
                    if let Some(x) = x {
                        detail = detail.with(
                            "横向",
                            Json::Array(vec![
                                Json::Number(x.x0.to_string()),
                                Json::Number(x.x1.to_string()),
                            ]),
                        );
                    }
                }
                detail = match &cell.value {
                    CellValue::Number(n) => detail
                        .with("类别", Json::str("数字"))
                        .with("值", Json::Number(n.to_string())),
                    CellValue::Blank => detail.with("类别", Json::str("空白")),
                    CellValue::NotApplicable(_) => detail.with("类别", Json::str("不适用")),
                    CellValue::Text(t) => detail
                        .with("类别", Json::str("文字"))
                        .with("值", Json::str(t)),
                    CellValue::Invalid(reason) => detail
                        .with("类别", Json::str("无效"))
                        .with("说明", Json::str(reason)),
                    CellValue::Unknown(reason) => detail
                        .with("类别", Json::str("没有读准"))
                        .with("说明", Json::str(reason)),
                };
                if let Some(unit) = &cell.unit {
                    detail = detail.with("单位", Json::str(unit));
                }
                details.push((format!("表格.{}.{row}.{column}", table.key), detail));
            }
            if !cells.is_empty() {
                rows.push((row.clone(), Json::Object(cells)));
            }
        }
        if !rows.is_empty() {
            tables.push((table.key.clone(), Json::Object(rows)));
        }
    }

    let anomalies = report
        .anomalies
        .iter()
        .map(|a| {
            let mut fields = vec![
                ("类型".to_owned(), Json::str(a.kind.id())),
                ("消息".to_owned(), Json::str(&a.message)),
            ];
            if let Json::Object(position) = Json::span(source, a.span) {
                fields.extend(position);
            }
            for (key, value) in [("表格", &a.table), ("行", &a.row), ("列", &a.column)] {
                if let Some(value) = value {
                    fields.push((key.to_owned(), Json::str(value)));
                }
            }
            Json::Object(fields)
        })
        .collect();

    let document = Json::Object(vec![
        ("来源".into(), origin),
        ("报告".into(), meta),
        ("章节".into(), Json::Object(sections)),
        ("表格".into(), Json::Object(tables)),
        ("详情".into(), Json::Object(details)),
        ("异常".into(), Json::Array(anomalies)),
    ]);
    let mut out = String::new();
    document.write(&mut out, 0);
    out.push('\n');
    out
}
