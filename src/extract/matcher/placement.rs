//! Placing values by position: where a table's lines say where their cells stand (grid
//! columns of HTML and Word tables, display columns of space-aligned text), each declared
//! column gets the extent of its header cell, and each value goes to the column it stands
//! under, never to the column its count in the row suggests. A blank stays blank in its own
//! column; a value the reader cannot place with confidence makes its cells unknown.

use super::TableLabels;
use crate::extract::layout::{Document, Extent, Line, LineCell, Unit, display_width};
use crate::extract::normalize::normalize;

/// How a line's cells are measured. Text aligned by a viewer or by hand lines up in display
/// columns (CJK two wide), the cells' own extents; `pdftotext -layout` lines up characters,
/// whatever their width. Each table is read in the measure under which its values stand
/// under its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Measure {
    Extents,
    Chars,
}

/// Where each leaf column of a table stands, in the unit of its header lines.
pub(super) struct Columns {
    pub(super) unit: Unit,
    measure: Measure,
    /// For each leaf column: the extent of its header text.
    header: Vec<Extent>,
    /// For each leaf column (left to right): the extent it claims. Display columns are
    /// widened to meet their neighbours halfway, so every value under the header lands in
    /// one of them; grid columns are the header cells' own extents.
    claims: Vec<Extent>,
}

/// A piece of header text: one word, or words stacked over header lines (`商业` over `企业`,
/// `尚未审` over `结`) joined because their extents overlap.
pub(super) struct Piece {
    pub(super) text: String,
    x: Extent,
    /// How many lines it joins: single words are preferred.
    lines: u8,
}

/// How many header lines a header cell's stacked words may run over.
const MAX_STACKED: u8 = 8;

/// Whether a line gives positions: HTML and Word table rows, space-aligned text.
pub(super) fn is_positional(line: &Line) -> bool {
    line.unit.is_positional()
}

/// A cell's extent in a measure.
fn extent(document: &Document, line: &Line, cell: &LineCell, measure: Measure) -> Extent {
    match measure {
        Measure::Extents => cell.x,
        Measure::Chars => {
            let before = chars(&document.text[line.start..cell.span.start.max(line.start)]);
            Extent::new(before, before + chars(&cell.text))
        }
    }
}

fn chars(text: &str) -> u32 {
    u32::try_from(text.chars().count()).unwrap_or(u32::MAX)
}

/// The words of a header cell with their extents: in aligned text a single space between
/// header words can be a column gap (`务 其他`), so each word is a piece of its own.
fn words(
    document: &Document,
    line: &Line,
    cell: &LineCell,
    measure: Measure,
) -> Vec<(String, Extent)> {
    let x = extent(document, line, cell, measure);
    if line.unit != Unit::Display || !cell.text.contains(' ') {
        return vec![(normalize(&cell.text), x)];
    }
    let mut out = Vec::new();
    let mut at = x.x0;
    for word in cell.text.split(' ') {
        let width = match measure {
            Measure::Extents => display_width(word),
            Measure::Chars => chars(word),
        };
        if !word.is_empty() {
            out.push((normalize(word), Extent::new(at, at + width)));
        }
        at += width + 1;
    }
    out
}

/// The columns' extents from the header lines of a table, in the measure under which the
/// rows' values stand best under them; `None` unless every leaf column's label is found, left
/// to right, in positional header lines of one unit. The rows of a table's grid are placed
/// on it whatever they hold (a caption or note outside the grid is not a header line); in
/// aligned text every row with a value for every column must place them one per column
/// (text whose cells are merely separated by spaces is read by counting).
pub(super) fn locate_columns(
    document: &Document,
    header_lines: &[usize],
    labels: &TableLabels,
    rows: &[(usize, usize)],
) -> Option<Columns> {
    let grid = rows
        .iter()
        .any(|&(line, _)| document.lines[line].unit == Unit::Grid);
    let lines: Vec<&Line> = header_lines
        .iter()
        .map(|&i| &document.lines[i])
        .filter(|l| is_positional(l) && !l.cells.is_empty() && (!grid || l.unit == Unit::Grid))
        .collect();
    let unit = lines.first()?.unit;
    if lines.iter().any(|l| l.unit != unit) {
        return None;
    }
    // Characters can be counted where cells' spans are in the document's text.
    let counted = unit == Unit::Display && lines.iter().all(|l| l.span.start == l.start);
    let measures: &[Measure] = if counted {
        &[Measure::Extents, Measure::Chars]
    } else {
        &[Measure::Extents]
    };
    measures
        .iter()
        .filter_map(|&measure| {
            let columns = locate_in(document, &lines, labels, unit, measure)?;
            let mut misses = 0;
            // Between measures that place every value, the one whose values stand nearer
            // the middle of their headers.
            let mut distance = 0;
            for &(line, values_from) in rows {
                let line = &document.lines[line];
                if line.unit != unit {
                    continue;
                }
                let cells = &line.cells[values_from..];
                if unit != Unit::Grid && !agrees(document, &columns, line, cells) {
                    return None;
                }
                let placed = place(document, &columns, line, cells);
                misses += placed.unknown.len();
                for (c, value) in placed.values.iter().enumerate() {
                    if let Some(value) = value {
                        let x = extent(document, line, value, measure);
                        let header = columns.header[c];
                        distance += (x.x0 + x.x1).abs_diff(header.x0 + header.x1);
                    }
                }
                misses += placed
                    .values
                    .iter()
                    .enumerate()
                    .filter(|(c, v)| {
                        v.is_some_and(|v| {
                            extent(document, line, v, measure).overlap(columns.header[*c]) == 0
                        })
                    })
                    .count();
            }
            Some(((misses, distance), columns))
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, columns)| columns)
}

/// The pieces of text of header lines in a measure: every word, and every word with the
/// words stacked under it (`商业` over `企业`; a narrow column prints `法人或其他组织` one
/// character a line).
pub(super) fn header_pieces(document: &Document, lines: &[&Line], measure: Measure) -> Vec<Piece> {
    let words: Vec<Vec<(String, Extent)>> = lines
        .iter()
        .map(|l| {
            l.cells
                .iter()
                .filter(|c| !c.text.is_empty())
                .flat_map(|c| words(document, l, c, measure))
                .collect()
        })
        .collect();
    let mut pieces = Vec::new();
    for (i, line) in words.iter().enumerate() {
        for (text, x) in line {
            pieces.push(Piece {
                text: text.clone(),
                x: *x,
                lines: 1,
            });
            // Stacked words: the nearest overlapping words below.
            let mut joined = text.clone();
            let mut span = *x;
            let mut last = *x;
            let mut stacked = 1;
            for below in words.iter().skip(i + 1).take(usize::from(MAX_STACKED) + 1) {
                let Some((word, bx)) = below.iter().find(|(_, bx)| last.overlap(*bx) > 0) else {
                    continue;
                };
                joined.push_str(word);
                span = span.join(*bx);
                last = *bx;
                stacked += 1;
                pieces.push(Piece {
                    text: joined.clone(),
                    x: span,
                    lines: stacked,
                });
                if stacked >= MAX_STACKED {
                    break;
                }
            }
        }
    }
    pieces
}

fn locate_in(
    document: &Document,
    lines: &[&Line],
    labels: &TableLabels,
    unit: Unit,
    measure: Measure,
) -> Option<Columns> {
    let pieces = header_pieces(document, lines, measure);
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
        _ => found.clone(),
    };
    Some(Columns {
        unit,
        measure,
        header: found,
        claims,
    })
}
/// Display extents widened to meet their neighbours halfway (headers are seldom as wide as
/// the values under them, nor exactly above them); the last reaches to the line's end.
fn widen(found: &[Extent]) -> Vec<Extent> {
    let meet = |a: Extent, b: Extent| {
        if a.x1 <= b.x0 {
            u32::midpoint(a.x1, b.x0)
        } else {
            (a.x0 + a.x1 + b.x0 + b.x1) / 4
        }
    };
    (0..found.len())
        .map(|i| {
            let x0 = if let Some(p) = i.checked_sub(1) {
                meet(found[p], found[i])
            } else {
                // Overlapping first columns meet left of the first one's end: no margin.
                let margin = found
                    .get(1)
                    .map_or(0, |&n| meet(found[0], n).saturating_sub(found[0].x1));
                found[0].x0.saturating_sub(margin)
            };
            let x1 = found.get(i + 1).map_or(u32::MAX, |&n| meet(found[i], n));
            Extent::new(x0, x1)
        })
        .collect()
}

/// The columns of a grid table whose header does not say where they stand: where the values
/// of its complete rows (a value for every column, left to right) stand, the arrangement
/// most rows share; `None` without a complete row.
pub(super) fn columns_from_rows(
    document: &Document,
    rows: &[(usize, usize)],
    width: usize,
) -> Option<Columns> {
    let mut arrangements: Vec<(Vec<Extent>, usize)> = Vec::new();
    for &(line, values_from) in rows {
        let line = &document.lines[line];
        if line.unit != Unit::Grid {
            continue;
        }
        let extents: Vec<Extent> = line.cells[values_from..]
            .iter()
            .filter(|c| !c.text.is_empty())
            .map(|c| c.x)
            .collect();
        if extents.len() != width || extents.windows(2).any(|w| w[0].x1 > w[1].x0) {
            continue;
        }
        match arrangements.iter_mut().find(|(e, _)| *e == extents) {
            Some((_, n)) => *n += 1,
            None => arrangements.push((extents, 1)),
        }
    }
    // The most frequent; among equals, the first seen.
    let (claims, _) = arrangements
        .into_iter()
        .reduce(|best, next| if next.1 > best.1 { next } else { best })?;
    Some(Columns {
        unit: Unit::Grid,
        measure: Measure::Extents,
        header: claims.clone(),
        claims,
    })
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
pub(super) fn place<'l>(
    document: &Document,
    columns: &Columns,
    line: &Line,
    cells: &'l [LineCell],
) -> Placed<'l> {
    let width = columns.claims.len();
    let mut placed = Placed {
        values: vec![None; width],
        blanks: vec![None; width],
        unknown: Vec::new(),
    };
    for cell in cells {
        let x = extent(document, line, cell, columns.measure);
        let overlaps: Vec<u32> = columns.claims.iter().map(|c| c.overlap(x)).collect();
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
fn agrees(document: &Document, columns: &Columns, line: &Line, cells: &[LineCell]) -> bool {
    let values: Vec<&LineCell> = cells.iter().filter(|c| !c.text.is_empty()).collect();
    if values.len() != columns.claims.len() {
        return true;
    }
    let placed = place(document, columns, line, cells);
    placed.unknown.is_empty()
        && placed
            .values
            .iter()
            .zip(&values)
            .all(|(p, v)| p.is_some_and(|p| std::ptr::eq(p, *v)))
}
