//! Values during evaluation. A value that cannot be computed is [`Val::Missing`] with the
//! reason, and it travels up through every operation that needs it, so a check that could
//! not run says why instead of passing.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::ruleset::{Date, NodeIdx, SectionIdx, TableIdx};

/// Text captured from prose, and where it starts in the report's text.
pub type Captured = (String, Option<usize>);

#[derive(Debug, Clone)]
pub enum Val<'r> {
    Num(Decimal),
    Bool(bool),
    /// Text, and where it starts in the report's text when it is a slice of it (so that a
    /// match can be pointed at).
    Text(Cow<'r, str>, Option<usize>),
    Date(Date),
    List(Vec<Val<'r>>),
    Range(Decimal, Decimal),
    Pattern(&'r crate::ruleset::Pattern),
    Section(SectionIdx),
    Table(TableIdx),
    /// A row or column (or group of them) of a table, and its place among the values of the
    /// variable that holds it.
    Node {
        table: TableIdx,
        node: NodeIdx,
        rows: bool,
        position: usize,
    },
    /// A cell by position, for `对每 单元格`.
    Cell {
        table: TableIdx,
        row: NodeIdx,
        column: NodeIdx,
    },
    /// The groups of a pattern's match: by name, the captured text and its offset.
    Match(Vec<(String, Option<Captured>)>),
    /// A statement of a quantity in the prose: its figure, and which statement it is.
    Stated {
        value: Decimal,
        quantity: usize,
        index: usize,
    },
    Missing(String),
}

impl Val<'_> {
    pub fn missing(reason: impl Into<String>) -> Self {
        Val::Missing(reason.into())
    }

    pub fn is_missing(&self) -> bool {
        matches!(self, Val::Missing(_))
    }
}

/// Reads a number written in prose: `12`, `1,234`, `3.5`, or Chinese numerals (`十二`, `两`).
pub fn number_in_text(text: &str) -> Option<Decimal> {
    let t: String = text
        .trim()
        .chars()
        .filter(|c| *c != ',' && *c != '，' && !c.is_whitespace())
        .collect();
    if let Ok(n) = t.parse::<Decimal>() {
        return Some(n);
    }
    chinese_number(&t).map(Decimal::from)
}

/// `零`–`九千九百九十九万…`: the numerals prose uses for counts.
fn chinese_number(text: &str) -> Option<i64> {
    if text.is_empty() {
        return None;
    }
    let digit = |c: char| {
        "零一二三四五六七八九"
            .find(c)
            .and_then(|i| i64::try_from(i / 3).ok())
            .or((c == '两').then_some(2))
    };
    let mut total = 0i64;
    let mut section = 0i64;
    let mut current: Option<i64> = None;
    for c in text.chars() {
        if let Some(d) = digit(c) {
            current = Some(d);
            continue;
        }
        let unit = match c {
            '十' => 10,
            '百' => 100,
            '千' => 1000,
            '万' => {
                section = (section + current.take().unwrap_or(0)) * 10_000;
                total += section;
                section = 0;
                continue;
            }
            _ => return None,
        };
        section += current.take().unwrap_or(1) * unit;
    }
    Some(total + section + current.unwrap_or(0))
}
