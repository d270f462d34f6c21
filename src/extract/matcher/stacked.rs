//! Row labels stacked in a narrow column of space-aligned text. A table printed with narrow
//! label columns (a browser's or a word processor's PDF, then `pdftotext -layout`) wraps each
//! label over two to five lines and prints the row's values on one of them, often the middle
//! one:
//!
//! ```text
//!                     2.其他法
//!                     律行政法     0    0   0
//!                     规禁止公
//!                     开
//! ```
//!
//! The label is the text that stands in the label's column on those lines, read top to
//! bottom; a group label in a column to its left (`（三）不予公开`) is not part of it. A
//! stack is a row only when its joined text names a declared row exactly (or by an alias):
//! wrapped text is never matched loosely.

use super::TableLabels;
use super::lines::{NormalizedLine, NormalizedLines};
use super::rows::match_row;
use super::tables::Printed;
use crate::extract::layout::{Document, Extent, Line, LineCell, Unit};
use crate::extract::normalize::{char_bits, looks_like_value};
use crate::report::LabelMatch;

/// How many lines a stacked label may run over.
const MAX_LINES: usize = 6;

/// A row whose label is stacked over lines.
pub(super) struct Stacked {
    pub(super) row: (usize, LabelMatch, Printed),
    /// The last line of the label.
    pub(super) last_line: usize,
    /// The line with the row's values and the first cell after its label.
    pub(super) values: (usize, usize),
}

/// What the lines from a label line on say about it.
pub(super) enum Stack {
    /// A row whose label starts on the line.
    Row(Stacked),
    /// The line joins no label, but the values line below it is a row on its own: the line
    /// is a caption or header line that stands over the table (`量` under `上一年项目数`).
    NotALabel,
    /// Nothing found: the line is read as before.
    Unknown,
}

/// Reads the stacked label that starts at line `first` (of a space-aligned table), with the
/// values on it or on one of the next lines.
pub(super) fn stacked_row(
    lines: &NormalizedLines,
    (first, end): (usize, usize),
    labels: &TableLabels,
    matched: &[bool],
    cursor: usize,
) -> Stack {
    let document = lines.document;
    let non_blank: Vec<usize> = (first..end)
        .filter(|&j| !document.lines[j].cells.is_empty())
        .take(2 * MAX_LINES)
        .collect();
    let Some(values_at) = non_blank
        .iter()
        .take(MAX_LINES)
        .position(|&j| values_from(&document.lines[j]).is_some())
    else {
        return Stack::Unknown;
    };
    let values_line = non_blank[values_at];
    let Some(from) = values_from(&document.lines[values_line]) else {
        return Stack::Unknown;
    };
    // A label stacks over two lines at least, one of them without values.
    let label_only_below = non_blank
        .get(values_at + 1)
        .is_some_and(|&j| values_from(&document.lines[j]).is_none());
    if values_at == 0 && !label_only_below {
        return Stack::Unknown;
    }
    // The label's column: the last label cell of the first line (or of the values line when
    // the first line is it).
    let column = |j: usize| {
        let line = &document.lines[j];
        let end = values_from(line).unwrap_or(line.cells.len());
        line.cells[..end].iter().rposition(|c| !c.text.is_empty())
    };
    let Some(head) = column(first) else {
        return Stack::Unknown;
    };
    let head_line = &document.lines[first];
    let x = positions(document, head_line, &head_line.cells[head]);
    let mut joined = String::new();
    // The stacked label as one cell of the first line, for the row matcher.
    let mut label = Line {
        start: head_line.start,
        end: head_line.end,
        span: head_line.span,
        cells: vec![LineCell {
            text: String::new(),
            span: head_line.cells[head].span,
            x: head_line.cells[head].x,
        }],
        table_row: head_line.table_row,
        unit: head_line.unit,
        page: head_line.page,
    };
    for (n, &j) in non_blank.iter().enumerate().take(values_at + MAX_LINES) {
        let line = &document.lines[j];
        if n > values_at && values_from(line).is_some() {
            break;
        }
        let Some(norm) = lines.line(j) else { break };
        let label_cells = values_from(line).unwrap_or(line.cells.len());
        // Text laid out page by page sets each page's columns apart from the others': on the
        // next page the label goes on in its last label cell, wherever that stands.
        let next_page = line.page != head_line.page;
        let cell = (0..label_cells).rev().find(|&c| {
            let cell = &line.cells[c];
            !cell.text.is_empty()
                && (j == first && c == head
                    || next_page
                    || overlaps(positions(document, line, cell), x))
        });
        if let Some(c) = cell {
            joined.push_str(norm.cell(c));
            let stacked = &mut label.cells[0];
            stacked.text.push_str(&line.cells[c].text);
            stacked.span = stacked.span.join(line.cells[c].span);
        }
        if n < values_at || joined.is_empty() {
            continue;
        }
        let ends = [joined.len()];
        let norm = NormalizedLine {
            text: &joined,
            ends: &ends,
            bits: char_bits(&joined),
        };
        if let Some(row) = match_row(norm, &label, labels, 0, matched, cursor, true) {
            return Stack::Row(Stacked {
                row,
                last_line: j,
                values: (values_line, from),
            });
        }
    }
    let values_row_alone = from.checked_sub(1).is_some_and(|label_end| {
        lines.line(values_line).is_some_and(|norm| {
            let line = &document.lines[values_line];
            match_row(norm, line, labels, label_end, matched, cursor, true).is_some()
        })
    });
    if values_at > 0 && values_row_alone {
        Stack::NotALabel
    } else {
        Stack::Unknown
    }
}

/// Where a line's values start, if it has any: the cell after its last label cell.
fn values_from(line: &Line) -> Option<usize> {
    let from = line
        .cells
        .iter()
        .rposition(|c| !looks_like_value(&c.text))
        .map_or(0, |e| e + 1);
    line.cells[from..]
        .iter()
        .any(|c| !c.text.is_empty())
        .then_some(from)
}

/// A cell's extent in display columns and in characters: `pdftotext -layout` lines up
/// characters whatever their width, a viewer's copy lines up display columns.
fn positions(document: &Document, line: &Line, cell: &LineCell) -> [Extent; 2] {
    let counted = line.unit == Unit::Display && line.span.start == line.start;
    if !counted {
        return [cell.x; 2];
    }
    let chars = |text: &str| u32::try_from(text.chars().count()).unwrap_or(u32::MAX);
    let before = chars(&document.text[line.start..cell.span.start.max(line.start)]);
    [cell.x, Extent::new(before, before + chars(&cell.text))]
}

fn overlaps(a: [Extent; 2], b: [Extent; 2]) -> bool {
    a[0].overlap(b[0]) > 0 || a[1].overlap(b[1]) > 0
}
