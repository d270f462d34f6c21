//! A cell's printed text → its value, by the type the rule set declares for the cell.
//! Signs and units are read as real reports write them: `+1`, `-11`, `减4`, `251000元`,
//! `160.5964万元`, `12.5%`.

use rust_decimal::Decimal;

use super::normalize::is_nothing_mark;
use crate::report::{Cell, CellValue};
use crate::ruleset::CellType;
use crate::source::Span;

/// Reads one cell.
pub fn read_cell(raw: &str, cell_type: &CellType, span: Span) -> Cell {
    let raw = raw.trim_matches(|c: char| c.is_whitespace() || c == '\u{200b}');
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
    if is_nothing_mark(raw) {
        return (CellValue::NotApplicable(raw.to_owned()), None);
    }
    let mut text: String = raw
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - 0xfee0).unwrap_or(c),
            '．' => '.',
            '＋' => '+',
            '－' | '−' | '—' => '-',
            '％' => '%',
            other => other,
        })
        .collect();
    let mut unit = None;
    for suffix in ["万元", "元", "%"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            unit = Some(suffix.to_owned());
            text = rest.to_owned();
            break;
        }
    }
    let negative = if let Some(rest) = text.strip_prefix('减') {
        text = rest.to_owned();
        true
    } else if let Some(rest) = text.strip_prefix('增') {
        text = rest.to_owned();
        false
    } else {
        false
    };
    // Thousands separators: `1,234` but not a decimal comma.
    if text.contains(',') && text.split(',').skip(1).all(|g| g.len() == 3) {
        text = text.replace(',', "");
    }
    match text.parse::<Decimal>() {
        Ok(n)
            if text
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_digit() || c == '+' || c == '-') =>
        {
            let n = if negative { -n } else { n };
            (CellValue::Number(n), unit)
        }
        _ => (CellValue::Invalid(format!("「{raw}」不是数字")), unit),
    }
}
