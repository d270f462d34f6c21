//! Helpers of evaluation: a table's grid in the report, labels and display of values, numbers
//! and years in text, exact sums and equality.

use rust_decimal::Decimal;

use super::value::{Val, number_in_text};
use super::{Frame, Grid};

use crate::report::{CellValue, Report};
use crate::ruleset::{CellType, Domain, MoneyUnit, Node, NodeIdx, Pick};

pub(super) fn grid(table: &crate::ruleset::Table, report: &Report) -> Grid {
    let data = report.tables.iter().position(|t| t.key == table.key);
    // The report's rows and columns usually come in the rule set's order (its reader made
    // them): the node's own index is tried before the search.
    let position = |paths: Option<&Vec<String>>, (index, node): (usize, &Node)| {
        let paths = paths?;
        if paths.get(index) == Some(&node.path) {
            return Some(index);
        }
        paths.iter().position(|x| *x == node.path)
    };
    let rows = table
        .rows
        .iter()
        .enumerate()
        .map(|n| position(data.map(|d| &report.tables[d].rows), n))
        .collect();
    let columns = table
        .columns
        .iter()
        .enumerate()
        .map(|n| position(data.map(|d| &report.tables[d].columns), n))
        .collect();
    Grid {
        data,
        rows,
        columns,
    }
}

pub(super) fn domain_value<'r>(domain: &Domain, position: usize) -> Val<'r> {
    match domain {
        Domain::Columns(t, nodes) => Val::Node {
            table: *t,
            node: nodes[position],
            rows: false,
            position,
        },
        Domain::Rows(t, nodes) => Val::Node {
            table: *t,
            node: nodes[position],
            rows: true,
            position,
        },
        Domain::Sections(s) => Val::Section(s[position]),
        Domain::Tables(t) => Val::Table(t[position]),
        Domain::Cells(cells) => {
            let (table, row, column) = cells[position];
            Val::Cell { table, row, column }
        }
        Domain::Statements(_) => Val::missing("陈述由求值器取得"),
    }
}

/// The nodes a pick selects for the current values of the variables.
pub(super) fn resolve_pick<'p>(pick: &'p Pick, frame: &Frame<'_>) -> Option<&'p [NodeIdx]> {
    match pick {
        Pick::Fixed(nodes) => Some(nodes),
        Pick::ByVar {
            slot, per_value, ..
        } => {
            let Some(Some(Val::Node { position, .. })) = frame.slots.get(*slot) else {
                return None;
            };
            per_value.get(*position).map(Vec::as_slice)
        }
    }
}

pub(super) fn pick_label(nodes: &[Node], pick: &Pick, frame: &Frame<'_>, _rows: bool) -> String {
    match resolve_pick(pick, frame) {
        Some([one]) => node_label_short(nodes, *one),
        Some([first, .., last]) => format!(
            "{}..{}",
            node_label_short(nodes, *first),
            node_label_short(nodes, *last)
        ),
        _ => "?".into(),
    }
}

/// A row's or column's printed label; qualified by its group's (`行政复议·总计`) when another
/// node of the table prints the same label.
pub(super) fn node_label(nodes: &[Node], index: NodeIdx) -> String {
    let node = &nodes[index];
    if node.unlabeled {
        return node.key.clone();
    }
    qualified(nodes, index, node.label.clone())
}

/// A row's key is shorter than its printed label and reads well in formulas (`一[自然人]`).
fn node_label_short(nodes: &[Node], index: NodeIdx) -> String {
    let node = &nodes[index];
    if node.label.chars().count() <= 8 && !node.unlabeled {
        qualified(nodes, index, node.label.clone())
    } else {
        node.path.clone()
    }
}

fn qualified(nodes: &[Node], index: NodeIdx, label: String) -> String {
    let node = &nodes[index];
    let ambiguous = nodes
        .iter()
        .enumerate()
        .any(|(i, n)| i != index && n.label == node.label && !n.is_group);
    match node.parent {
        Some(parent) if ambiguous => format!("{}·{label}", nodes[parent].label),
        _ => label,
    }
}

pub(super) fn cell_value_text(value: &CellValue) -> String {
    match value {
        CellValue::Number(n) => number_text(*n),
        CellValue::Blank => "（空白）".into(),
        CellValue::NotApplicable(mark) | CellValue::Text(mark) => mark.clone(),
        CellValue::Invalid(_) => "（无效）".into(),
        CellValue::Unknown(_) => "（没有读准）".into(),
    }
}

pub(super) fn number_text(n: Decimal) -> String {
    n.normalize().to_string()
}

pub(super) fn display(v: &Val<'_>) -> String {
    match v {
        Val::Num(n) | Val::Stated { value: n, .. } => number_text(*n),
        Val::Bool(b) => if *b { "是" } else { "否" }.into(),
        Val::Text(t, _) => t.to_string(),
        Val::Date(d) => d.to_string(),
        Val::List(items) => items.iter().map(display).collect::<Vec<_>>().join("、"),
        Val::Range(a, b) => format!("{a}..{b}"),
        Val::Pattern(r) => format!("/{}/", r.as_str()),
        Val::Match(groups) => groups
            .iter()
            .filter_map(|(_, g)| g.as_ref().map(|(t, _)| t.clone()))
            .collect::<Vec<_>>()
            .join("、"),
        // `无` written in a rule is the absence itself, not a reason.
        Val::Missing(reason) if reason == "无" => "无".to_owned(),
        Val::Missing(reason) => format!("（{reason}）"),
        Val::Section(_) | Val::Table(_) | Val::Node { .. } | Val::Cell { .. } => "?".into(),
    }
}

/// The units that may follow a count.
const COUNTING_WORDS: [&str; 4] = ["件", "条", "个", "项"];

/// Whether a cell's value is a value of its declared type.
#[must_use]
pub fn conforms(value: &CellValue, unit: Option<&str>, cell_type: &CellType) -> bool {
    let CellValue::Number(n) = value else {
        return !matches!(value, CellValue::Invalid(_) | CellValue::Unknown(_));
    };
    match cell_type {
        // A counting word after a count (`18件`) is how some agencies print counts, not an error.
        CellType::Count => {
            n.is_integer()
                && !n.is_sign_negative()
                && unit.is_none_or(|u| COUNTING_WORDS.contains(&u))
        }
        CellType::Integer => n.is_integer() && unit.is_none(),
        CellType::Money { units, decimals } => {
            let unit_ok = match unit {
                None => true,
                Some("元") => units.contains(&MoneyUnit::Yuan),
                Some("万元") => units.contains(&MoneyUnit::WanYuan),
                Some(_) => false,
            };
            unit_ok && n.normalize().scale() <= *decimals
        }
        CellType::Percent => unit.is_none_or(|u| u == "%"),
        CellType::Text => true,
    }
}

/// Four-digit years followed by 年 (1990–2100).
pub(super) fn years_in(text: &str) -> Vec<i64> {
    let bytes = text.as_bytes();
    let mut years = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && text[i + 4..].trim_start().starts_with('年')
        {
            if let Ok(y) = text[i..i + 4].parse::<i64>() {
                if (1990..=2100).contains(&y) {
                    years.push(y);
                }
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    years
}

pub(super) fn numbers_in(text: &str) -> Vec<Decimal> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty()) {
            current.push(c);
        } else if !current.is_empty() {
            if let Ok(n) = current.trim_end_matches('.').parse() {
                out.push(n);
            }
            current.clear();
        }
    }
    out
}

/// Why a value could not be computed exactly: it is beyond what decimal arithmetic holds.
pub(super) const OUT_OF_RANGE: &str = "数值超出范围";

/// The sum, or why it could not be computed.
pub(super) fn checked_sum<'r>(numbers: impl IntoIterator<Item = Decimal>) -> Val<'r> {
    numbers
        .into_iter()
        .try_fold(Decimal::ZERO, Decimal::checked_add)
        .map_or_else(|| Val::missing(OUT_OF_RANGE), Val::Num)
}

/// A value read as a number: numbers, and text or captured groups that spell one.
pub(super) fn as_number(v: &Val<'_>) -> Option<Decimal> {
    match v {
        Val::Num(n) | Val::Stated { value: n, .. } => Some(*n),
        Val::Text(t, _) => number_in_text(t),
        Val::Match(groups) => groups
            .first()
            .and_then(|(_, g)| g.as_ref())
            .and_then(|(t, _)| number_in_text(t)),
        _ => None,
    }
}

/// Whether two values are equal; `None` when they cannot be compared.
pub(super) fn equal(a: &Val<'_>, b: &Val<'_>) -> Option<bool> {
    match (a, b) {
        (Val::Bool(x), Val::Bool(y)) => Some(x == y),
        (
            Val::Node {
                table: t1,
                node: n1,
                rows: r1,
                ..
            },
            Val::Node {
                table: t2,
                node: n2,
                rows: r2,
                ..
            },
        ) => Some((t1, n1, r1) == (t2, n2, r2)),
        (Val::Date(x), Val::Date(y)) => Some(x == y),
        (Val::Num(x), Val::Num(y)) => Some(x == y),
        (Val::Text(x, _), Val::Text(y, _)) if as_number(a).is_none() || as_number(b).is_none() => {
            Some(x == y)
        }
        _ => Some(as_number(a)? == as_number(b)?),
    }
}
