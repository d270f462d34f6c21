//! Reading a register. Like a rule file or `gouji.toml`, a register that cannot be used is an
//! error with its place (line and column, the text underlined), never half-read: a waiver
//! misread could hide a finding.

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{ENTRY_TABLE, Entry, Register, ReportKey};
use crate::source::{SourceFile, Span};

/// The keys of an entry, in the order they are written.
pub const KEYS: [&str; 11] = [
    "规则",
    "规则集",
    "版本",
    "报告",
    "变量",
    "单元格",
    "语句",
    "指纹",
    "理由",
    "到期",
    "登记人",
];

/// A register that cannot be used.
pub type RegisterError = crate::lenient_toml::FileError;

/// How errors in a waiver register are named.
const REGISTER_FILE: crate::lenient_toml::FileKind = crate::lenient_toml::FileKind {
    name: "豁免登记表",
    code: "gouji::waivers",
    help: "每条豁免写作 [[豁免]]，可用的键：规则、规则集、版本、报告、变量、单元格、语句、指纹、理由、到期、登记人（见 docs/waivers.md）",
};

/// Reads a register from its text.
pub fn parse(source: &SourceFile) -> Result<Register, Box<RegisterError>> {
    let fail =
        |message: String, span: Span| RegisterError::at(REGISTER_FILE, source, message, span);
    let table =
        crate::lenient_toml::parse(source.text()).map_err(|(message, span)| fail(message, span))?;
    let mut register = Register::default();
    for (key, value) in table.get_ref() {
        if key.get_ref() != ENTRY_TABLE {
            let hint = crate::diagnostic::suggest(key.get_ref(), [ENTRY_TABLE])
                .map(|s| format!("（是不是「{s}」？）"))
                .unwrap_or_default();
            return Err(fail(
                format!(
                    "未知的键「{}」：登记表里只有 [[豁免]] 条目{hint}",
                    key.get_ref()
                ),
                span_of(key),
            ));
        }
        let DeValue::Array(items) = value.get_ref() else {
            return Err(fail(
                "「豁免」应写作 [[豁免]] 条目，每条一个".to_owned(),
                span_of(value),
            ));
        };
        for item in items {
            let DeValue::Table(fields) = item.get_ref() else {
                return Err(fail(
                    "「豁免」的每一项都应是一个表".to_owned(),
                    span_of(item),
                ));
            };
            let entry = read_entry(source, fields, span_of(item)).map_err(|(m, s)| fail(m, s))?;
            register.entries.push(entry);
        }
    }
    Ok(register)
}

fn span_of<T>(value: &Spanned<T>) -> Span {
    Span::new(value.span().start, value.span().end)
}

type Failure = (String, Span);

fn read_entry(source: &SourceFile, fields: &DeTable<'_>, at: Span) -> Result<Entry, Failure> {
    let mut entry = Entry {
        rule: String::new(),
        rule_set: String::new(),
        version: None,
        report: ReportKey::File(String::new()),
        bindings: Vec::new(),
        cells: Vec::new(),
        sentence: None,
        fingerprint: String::new(),
        reason: String::new(),
        expires: None,
        by: None,
        line: Some(source.line_col(header_span(source, fields, at).start).0),
    };
    let mut report = None;
    for (key, value) in fields {
        let name = key.get_ref().as_ref();
        match name {
            "规则" => entry.rule = text(name, value)?,
            "规则集" => entry.rule_set = text(name, value)?,
            "版本" => entry.version = Some(text(name, value)?),
            "指纹" => entry.fingerprint = text(name, value)?,
            "理由" => entry.reason = text(name, value)?,
            "语句" => entry.sentence = Some(text(name, value)?),
            "登记人" => entry.by = Some(text(name, value)?),
            "报告" => report = Some(report_key(value)?),
            "变量" => {
                let DeValue::Table(bindings) = value.get_ref() else {
                    return Err(wrong_type(name, "一个表，如 { c = \"自然人\" }", value));
                };
                for (variable, v) in bindings {
                    entry
                        .bindings
                        .push((variable.get_ref().to_string(), text("变量的值", v)?));
                }
                entry.bindings.sort();
            }
            "单元格" => {
                let DeValue::Array(cells) = value.get_ref() else {
                    return Err(wrong_type(name, "用引号括起的单元格组成的数组", value));
                };
                for cell in cells {
                    entry.cells.push(text("单元格的每一项", cell)?);
                }
            }
            "到期" => entry.expires = Some(date(value)?),
            other => {
                let hint = crate::diagnostic::suggest(other, KEYS)
                    .map(|s| format!("（是不是「{s}」？）"))
                    .unwrap_or_default();
                return Err((format!("未知的键「{other}」{hint}"), span_of(key)));
            }
        }
    }
    for (key, missing) in [
        ("规则", entry.rule.is_empty()),
        ("规则集", entry.rule_set.is_empty()),
        ("报告", report.is_none()),
        ("指纹", entry.fingerprint.is_empty()),
        ("理由", entry.reason.trim().is_empty()),
    ] {
        if missing {
            let note = if key == "理由" {
                "（理由不能为空：写下为什么接受这个问题）"
            } else {
                ""
            };
            return Err((
                format!("这条豁免缺少「{key}」{note}"),
                header_span(source, fields, at),
            ));
        }
    }
    entry.report = report.expect("checked above");
    Ok(entry)
}

/// The span of an entry's `[[豁免]]` header: the last one before its first key (the
/// parser's span of an array-of-tables item need not include its header).
fn header_span(source: &SourceFile, fields: &DeTable<'_>, at: Span) -> Span {
    let text = source.text();
    let first_key = fields
        .keys()
        .map(|k| k.span().start)
        .min()
        .unwrap_or(at.end)
        .min(text.len());
    match text[..first_key].rfind("[[") {
        Some(start) => {
            let end = text[start..].find('\n').map_or(text.len(), |n| start + n);
            Span::new(start, end)
        }
        None => at,
    }
}

fn text(name: &str, value: &Spanned<DeValue<'_>>) -> Result<String, Failure> {
    match value.get_ref() {
        DeValue::String(s) => Ok(Cow::to_string(s)),
        _ => Err(wrong_type(name, "用引号括起的文字", value)),
    }
}

fn wrong_type(name: &str, expected: &str, value: &Spanned<DeValue<'_>>) -> Failure {
    (
        format!(
            "「{name}」应是{expected}，这里是{}",
            type_name(value.get_ref())
        ),
        span_of(value),
    )
}

fn type_name(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "文字",
        DeValue::Integer(_) | DeValue::Float(_) => "数",
        DeValue::Boolean(_) => "true/false",
        DeValue::Datetime(_) => "日期",
        DeValue::Array(_) => "数组",
        DeValue::Table(_) => "表",
    }
}

/// `报告 = { 机关 = "…", 年度 = 2020 }` or `报告 = { 文件 = "…" }`.
fn report_key(value: &Spanned<DeValue<'_>>) -> Result<ReportKey, Failure> {
    const EXPECTED: &str = "一个表：{ 机关 = \"…\", 年度 = 2020 } 或 { 文件 = \"报告.txt\" }";
    let DeValue::Table(fields) = value.get_ref() else {
        return Err(wrong_type("报告", EXPECTED, value));
    };
    let (mut agency, mut year, mut file) = (None, None, None);
    for (key, v) in fields {
        match key.get_ref().as_ref() {
            "机关" => agency = Some(text("机关", v)?),
            "文件" => file = Some(text("文件", v)?),
            "年度" => match v.get_ref() {
                DeValue::Integer(i) if i.radix() == 10 => {
                    let parsed = i.as_str().replace('_', "").parse::<i32>().ok();
                    year = Some(parsed.ok_or_else(|| ("年度不是一个年份".to_owned(), span_of(v)))?);
                }
                _ => return Err(wrong_type("年度", "一个年份，如 2020", v)),
            },
            other => {
                let hint = crate::diagnostic::suggest(other, ["机关", "年度", "文件"])
                    .map(|s| format!("（是不是「{s}」？）"))
                    .unwrap_or_default();
                return Err((format!("「报告」里未知的键「{other}」{hint}"), span_of(key)));
            }
        }
    }
    match (agency, year, file) {
        (Some(agency), Some(year), None) => Ok(ReportKey::Agency { agency, year }),
        (None, None, Some(file)) => Ok(ReportKey::File(file)),
        _ => Err((format!("「报告」应是{EXPECTED}"), span_of(value))),
    }
}

/// `到期 = 2027-06-30`: a TOML date, without a time.
fn date(value: &Spanned<DeValue<'_>>) -> Result<jiff::civil::Date, Failure> {
    const EXPECTED: &str = "一个日期，如 2027-06-30（不加引号）";
    let DeValue::Datetime(datetime) = value.get_ref() else {
        return Err(wrong_type("到期", EXPECTED, value));
    };
    match (datetime.date, datetime.time, datetime.offset) {
        (Some(d), None, None) => jiff::civil::Date::new(
            i16::try_from(d.year).unwrap_or(i16::MAX),
            i8::try_from(d.month).unwrap_or(0),
            i8::try_from(d.day).unwrap_or(0),
        )
        .map_err(|_| ("这个日期不存在".to_owned(), span_of(value))),
        _ => Err((format!("「到期」应是{EXPECTED}，只写日期"), span_of(value))),
    }
}
