//! A cell's printed text → its value, by the type the rule set declares for the cell.
//! Signs and units are read as real reports write them: `+1`, `-11`, `减4`, `251000元`,
//! `160.5964万元`, `12.5%`.

use rust_decimal::Decimal;

use super::normalize::{is_html_space, is_nothing_mark, trim};
use crate::report::{Cell, CellValue};
use crate::ruleset::CellType;
use crate::source::Span;

/// Units read off the end of a number, longest first: money, percent, and the counting
/// words reports write after counts (`18件`), which make a count cell the wrong type rather
/// than unreadable.
const UNITS: [&str; 7] = ["万元", "元", "%", "件", "条", "个", "项"];

/// Numbers from this size on are not read: a cell is unknown rather than summed past what
/// exact decimal arithmetic holds. Every 18-digit count is below it.
const LARGEST_EXACT: u64 = 1_000_000_000_000_000_000;

/// Reads one cell.
pub fn read_cell(raw: &str, cell_type: &CellType, span: Span) -> Cell {
    let mut raw = trim(raw);
    if raw.starts_with('\u{200b}') || raw.ends_with('\u{200b}') {
        raw = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}');
    }
    // `&nbsp;` copied from a page's source is an empty cell, as it is on the page.
    let raw = if is_html_space(raw) { "" } else { raw };
    let (value, unit) = parse(raw, cell_type);
    Cell {
        raw: raw.to_owned(),
        value,
        unit,
        span,
    }
}

fn parse(raw: &str, cell_type: &CellType) -> (CellValue, Option<String>) {
    if raw.is_empty() {
        return (CellValue::Blank, None);
    }
    if matches!(cell_type, CellType::Text) {
        return (CellValue::Text(raw.to_owned()), None);
    }
    // Most cells are a plain count.
    if raw.len() <= 18 && raw.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = raw.parse::<u64>() {
            return (CellValue::Number(Decimal::from(n)), None);
        }
    }
    if is_nothing_mark(raw) {
        return (CellValue::NotApplicable(raw.to_owned()), None);
    }
    let text: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '．' => '.',
            '，' => ',',
            '＋' => '+',
            '－' | '−' | '—' => '-',
            '％' => '%',
            // Traditional characters, in reports copied in them.
            '萬' => '万',
            '減' => '减',
            '條' => '条',
            '個' => '个',
            '項' => '项',
            other => other,
        })
        .collect();
    let mut text = text.as_str();
    let mut unit = None;
    for suffix in UNITS {
        if let Some(rest) = text.strip_suffix(suffix) {
            unit = Some(suffix.to_owned());
            text = rest;
            break;
        }
    }
    let negative = if let Some(rest) = text.strip_prefix('减') {
        text = rest;
        true
    } else if let Some(rest) = text.strip_prefix('增') {
        text = rest;
        false
    } else {
        false
    };
    // Thousands separators: `1,234` and `1,234.5678`, but not a decimal comma.
    let plain;
    let integer = text.split_once('.').map_or(text, |(integer, _)| integer);
    let fraction = &text[integer.len()..];
    if integer.contains(',')
        && integer.split(',').skip(1).all(|g| g.len() == 3)
        && !fraction.contains(',')
    {
        plain = text.replace(',', "");
        text = &plain;
    }
    match text.parse::<Decimal>() {
        Ok(n)
            if text
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '+' || c == '-') =>
        {
            // Sums of such values could overflow exact arithmetic; no report counts that far.
            if n.abs() >= Decimal::from(LARGEST_EXACT) {
                return (
                    CellValue::Invalid(format!("「{raw}」太大，无法精确计算")),
                    unit,
                );
            }
            let n = if negative { -n } else { n };
            (CellValue::Number(n), unit)
        }
        _ => (CellValue::Invalid(format!("「{raw}」不是数字")), unit),
    }
}
