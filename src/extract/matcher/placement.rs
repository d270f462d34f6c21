//! Placing values by position: where a table's lines say where their cells stand (grid
//! columns of HTML and Word tables, display columns of space-aligned text), each declared
//! column gets the extent of its header cell, and each value goes to the column it stands
//! under, never to the column its count in the row suggests. A blank stays blank in its own
//! column; a value the reader cannot place with confidence makes its cells unknown.

use super::TableLabels;
use crate::extract::layout::{Document, Extent, Line, LineCell, Unit};
use crate::extract::normalize::normalize;

/// Where each leaf column of a table stands, in the unit of its header lines.
pub(super) struct Columns {
    pub(super) unit: Unit,
    /// For each leaf column (left to right): the extent it claims. Display columns are
    /// widened to meet their neighbours halfway, so every value under the header lands in
    /// one of them; grid columns are the header cells' own extents.
    pub(super) claims: Vec<Extent>,
}

/// A piece of header text: one cell, or cells stacked over consecutive header lines
/// (`商业` over `企业`, `尚未审` over `结`) joined because their extents overlap.
struct Piece {
    text: String,
    x: Extent,
    /// How many lines it joins: single cells are preferred.
    lines: u8,
}

/// Whether a line gives positions: HTML and Word table rows, space-aligned text.
pub(super) fn is_positional(line: &Line) -> bool {
    line.table_row || line.unit.is_positional()
}

/// The unit a positional line's extents are in (a text line marked as a table row has one
/// cell per grid column).
pub(super) fn unit_of(line: &Line) -> Unit {
    if line.table_row && line.unit == Unit::Ordinal {
        Unit::Grid
    } else {
        line.unit
    }
}

/// The columns' extents from the header lines of a table; `None` unless every leaf column's
/// label is found, left to right, in positional header lines of one unit.
pub(super) fn locate_columns(
    document: &Document,
    header_lines: &[usize],
    labels: &TableLabels,
) -> Option<Columns> {
    let lines: Vec<&Line> = header_lines
        .iter()
        .map(|&i| &document.lines[i])
        .filter(|l| is_positional(l) && !l.cells.is_empty())
        .collect();
    let unit = unit_of(lines.first()?);
    if lines.iter().any(|l| unit_of(l) != unit) {
        return None;
    }
    let normalized: Vec<Vec<(String, Extent)>> = lines
        .iter()
        .map(|l| {
            l.cells
                .iter()
                .filter(|c| !c.text.is_empty())
                .map(|c| (normalize(&c.text), c.x))
                .collect()
        })
        .collect();
    let mut pieces = Vec::new();
    for (i, line) in normalized.iter().enumerate() {
        for (text, x) in line {
            pieces.push(Piece {
                text: text.clone(),
                x: *x,
                lines: 1,
            });
            // Stacked words: the cells below that overlap this one, one and two lines down.
            for (below, bx) in normalized.get(i + 1).into_iter().flatten() {
                if x.overlap(*bx) == 0 {
                    continue;
                }
                pieces.push(Piece {
                    text: format!("{text}{below}"),
                    x: x.join(*bx),
                    lines: 2,
                });
                for (third, tx) in normalized.get(i + 2).into_iter().flatten() {
                    if bx.overlap(*tx) > 0 {
                        pieces.push(Piece {
                            text: format!("{text}{below}{third}"),
                            x: x.join(*bx).join(*tx),
                            lines: 3,
                        });
                    }
                }
            }
        }
    }
    let mut found: Vec<Extent> = Vec::with_capacity(labels.leaf_columns.len());
    for &column in &labels.leaf_columns {
        let names = &labels.columns[column];
        let after = found.last().map(|x| x.x0 + x.x1);
        let right_of = |p: &&Piece| after.is_none_or(|a| p.x.x0 + p.x.x1 > a);
        // A header cell that is the label beats one that contains it (`其他` is in
        // `法人或其他组织`); then the leftmost, then the fewest lines joined.
        let best = |exact: bool| {
            pieces
                .iter()
                .filter(right_of)
                .filter(|p| {
                    names.iter().any(|(n, _)| {
                        if exact {
                            p.text == *n
                        } else {
                            p.text.contains(n.as_str())
                        }
                    })
                })
                .min_by_key(|p| (p.x.x0, p.lines))
        };
        found.push(best(true).or_else(|| best(false))?.x);
    }
    let claims = match unit {
        Unit::Display => widen(&found),
        _ => found,
    };
    Some(Columns { unit, claims })
}

/// Display extents widened to meet their neighbours halfway (headers are seldom as wide as
/// the values under them, nor exactly above them); the last reaches to the line's end.
fn widen(found: &[Extent]) -> Vec<Extent> {
    let meet = |a: Extent, b: Extent| {
        if a.x1 <= b.x0 {
            (a.x1 + b.x0) / 2
        } else {
            (a.x0 + a.x1 + b.x0 + b.x1) / 4
        }
    };
    (0..found.len())
        .map(|i| {
            let x0 = match i.checked_sub(1) {
                Some(p) => meet(found[p], found[i]),
                None => {
                    let margin = found.get(1).map_or(0, |&n| meet(found[0], n) - found[0].x1);
                    found[0].x0.saturating_sub(margin)
                }
            };
            let x1 = found.get(i + 1).map_or(u32::MAX, |&n| meet(found[i], n));
            Extent::new(x0, x1)
        })
        .collect()
}

/// Where a row's values went.
pub(super) struct Placed<'l> {
    /// For each column: the value placed in it, if any.
    pub(super) values: Vec<Option<&'l LineCell>>,
    /// For each column: the empty cell under it, if the line has one (the span of a blank).
    pub(super) blanks: Vec<Option<&'l LineCell>>,
    /// Columns the reader is unsure of, with why.
    pub(super) unknown: Vec<(usize, String)>,
}

/// Places the value cells of a line (`cells`, after its label) in the columns they stand
/// under.
pub(super) fn place<'l>(columns: &Columns, cells: &'l [LineCell]) -> Placed<'l> {
    let width = columns.claims.len();
    let mut placed = Placed {
        values: vec![None; width],
        blanks: vec![None; width],
        unknown: Vec::new(),
    };
    for cell in cells {
        let overlaps: Vec<u32> = columns.claims.iter().map(|c| c.overlap(cell.x)).collect();
        let mut order: Vec<usize> = (0..width).filter(|&c| overlaps[c] > 0).collect();
        order.sort_by_key(|&c| std::cmp::Reverse(overlaps[c]));
        if cell.text.is_empty() {
            if let Some(&c) = order.first() {
                placed.blanks[c].get_or_insert(cell);
            }
            continue;
        }
        let Some(&best) = order.first() else {
            // Left of every column: nearest is the first.
            placed
                .unknown
                .push((0, format!("「{}」不在任何一列之下", cell.text)));
            continue;
        };
        // Columns about as much under the value as the best one.
        let close: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&c| 2 * overlaps[c] >= overlaps[best])
            .collect();
        let column = if close.len() == 1 {
            Some(best)
        } else {
            // A value over two grid columns under two headers: the header whose column has no
            // value yet (the other took the value before it) is the one.
            let free: Vec<usize> = close
                .iter()
                .copied()
                .filter(|&c| placed.values[c].is_none())
                .collect();
            (columns.unit == Unit::Grid && free.len() == 1).then(|| free[0])
        };
        match column {
            Some(c) if placed.values[c].is_none() => placed.values[c] = Some(cell),
            Some(c) => {
                let first = placed.values[c].map_or("", |v| v.text.as_str());
                placed.unknown.push((
                    c,
                    format!("同一列下有两个数值「{first}」和「{}」", cell.text),
                ));
            }
            None => {
                for &c in &close {
                    placed
                        .unknown
                        .push((c, format!("「{}」落在两列之间", cell.text)));
                }
            }
        }
    }
    placed
}

/// Whether a row with a value for every column places them one per column, in order: the
/// test that a table's lines really are aligned under its header (text whose cells are
/// merely separated by two spaces is not, and is read by counting).
pub(super) fn agrees(columns: &Columns, cells: &[LineCell]) -> bool {
    let values: Vec<&LineCell> = cells.iter().filter(|c| !c.text.is_empty()).collect();
    if values.len() != columns.claims.len() {
        return true;
    }
    let placed = place(columns, cells);
    placed.unknown.is_empty()
        && placed
            .values
            .iter()
            .zip(&values)
            .all(|(p, v)| p.is_some_and(|p| std::ptr::eq(p, *v)))
}
