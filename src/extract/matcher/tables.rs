//! Reading one declared table: its rows, its header, and the values placed in its columns.

use super::headers::{mark_headers, mark_stacked_headers};
use super::lines::{NormalizedLine, NormalizedLines};
use super::placed_rows::{UnknownCells, unknown_cells_anomaly};
use super::placement::{columns_from_rows, locate_columns};
use super::rows::match_row;
use super::stacked::{Stack, stacked_row};
use super::{Extractor, Fit, Heading, TableLabels};
use crate::extract::layout::{Document, Line, LineCell, Unit};
use crate::extract::normalize::{char_bits, looks_like_value};
use crate::extract::value::read_cell;
use crate::report::{Anomaly, AnomalyKind, CellValue, LabelMatch, TableData};
use crate::ruleset::{Node, Table};
use crate::source::Span;

impl Extractor<'_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn read_table(
        &self,
        lines: &NormalizedLines,
        index: usize,
        (region_start, region_end): (usize, usize),
        claimed: &mut [bool],
        anomalies: &mut Vec<Anomaly>,
        fit: &mut Fit,
        scratch: &mut Scratch,
    ) -> TableData {
        let document = lines.document;
        let table = &self.rule_set.tables[index];
        let labels = &self.tables[index];
        let rows = &labels.rows;
        let columns = &labels.leaf_columns;
        let width = columns.len();
        let mut data = TableData::new(
            table.key.clone(),
            rows.iter()
                .map(|&(r, _)| table.rows[r].path.clone())
                .collect(),
            columns
                .iter()
                .map(|&c| table.columns[c].path.clone())
                .collect(),
        );
        fit.declared += rows.len() + width;
        let anchor_line = (region_start..region_end).find(|&i| lines.is_anchor(i, index));
        let siblings_in_section = self
            .rule_set
            .tables
            .iter()
            .filter(|t| t.section == table.section)
            .count();
        let start = match anchor_line {
            Some(line) => line,
            None if siblings_in_section == 1 => region_start,
            None => {
                anomalies.push(table_missing(table, document, region_start));
                return data;
            }
        };
        let end = ((start + 1)..region_end)
            .find(|&i| lines.is_other_anchor(i, index))
            .unwrap_or(region_end);

        // Which lines are rows, and which row each is; header lines before the first row
        // say which columns are present.
        let Scratch {
            matched_rows,
            header_found,
            header_lines,
            found,
        } = scratch;
        header_lines.clear();
        matched_rows.clear();
        matched_rows.resize(rows.len(), false);
        header_found.clear();
        header_found.resize(table.columns.len(), false);
        found.clear();
        let mut cursor = 0;
        let mut seen_data = false;
        let mut previous_header: Option<usize> = None;
        let mut i = start;
        while i < end {
            let line = &document.lines[i];
            if line.cells.is_empty() {
                i += 1;
                continue;
            }
            // Lines too long to be a row or header were not normalised.
            let Some(norm) = lines.line(i) else {
                i += 1;
                continue;
            };
            let label_end = line.cells.iter().rposition(|c| !looks_like_value(&c.text));
            let values_from = label_end.map_or(0, |e| e + 1);
            let has_value = line.cells[values_from..].iter().any(|c| !c.text.is_empty());
            let mut row = match label_end {
                Some(e) => match_row(norm, line, labels, e, matched_rows, cursor, !has_value),
                None if has_value => labels
                    .rows
                    .iter()
                    .position(|(r, _)| table.rows[*r].unlabeled)
                    .filter(|&k| !matched_rows[k])
                    .map(|k| (k, LabelMatch::Exact, Printed::None)),
                None => None,
            };
            // A label wrapped onto the next lines, its values on one of them.
            let mut values_at = (i, values_from);
            let mut has_value = has_value;
            let mut label_lines = i;
            let mut not_a_label = false;
            if line.unit == Unit::Display && row.as_ref().is_none_or(|r| r.1 == LabelMatch::Drift) {
                match stacked_row(lines, (i, end), labels, matched_rows, cursor) {
                    Stack::Row(stacked) => {
                        row = Some(stacked.row);
                        label_lines = stacked.last_line;
                        values_at = stacked.values;
                        has_value = true;
                    }
                    Stack::NotALabel => not_a_label = true,
                    Stack::Unknown => {}
                }
            }
            if not_a_label {
                row = None;
            } else if row.is_none() && !has_value {
                if let Some(wrapped) = wrapped_row(lines, (i, end), labels, matched_rows, cursor) {
                    row = Some(wrapped.row);
                    label_lines = wrapped.last_line;
                    values_at = wrapped.values;
                    has_value = wrapped.has_value;
                }
            }
            let Some((k, how, printed)) = row else {
                if !seen_data {
                    let previous = previous_header.and_then(|p| lines.line(p));
                    mark_headers(norm, previous, labels, header_found);
                    previous_header = Some(i);
                    header_lines.push(i);
                }
                i += 1;
                continue;
            };
            seen_data = true;
            let row_line = i;
            matched_rows[k] = true;
            cursor = k + 1;
            i = label_lines;
            // A label on a line of its own, its values on the next line.
            if !has_value {
                if let Some(next) = ((i + 1)..end).find(|&j| !document.lines[j].cells.is_empty()) {
                    let cells = &document.lines[next].cells;
                    if cells.iter().all(|c| looks_like_value(&c.text))
                        && cells.iter().any(|c| !c.text.is_empty())
                    {
                        values_at = (next, 0);
                        i = next;
                    }
                }
            }
            found.push(RowLine {
                line: row_line,
                k,
                how,
                printed,
                label_end,
                values_line: values_at.0,
                values_from: values_at.1,
            });
            i += 1;
        }

        // The cell in which the first column's value stands, as the complete rows show it:
        // where a row has empty cells, it says which column each value is in.
        let first_column = dominant_first_column(document, found, width);
        // Where the header says each column stands, if its lines give positions.
        let row_lines: Vec<(usize, usize)> = found
            .iter()
            .map(|r| (r.values_line, r.values_from))
            .collect();
        let positions = locate_columns(document, header_lines, labels, &row_lines);
        if positions.is_some() {
            // Every column's header was found where it stands (stacked words included).
            for &c in columns {
                header_found[c] = true;
            }
        } else {
            mark_stacked_headers(document, header_lines, labels, header_found);
        }
        // A grid table whose header does not say where its columns stand: where its
        // complete rows put their values.
        let positions = positions.or_else(|| columns_from_rows(document, &row_lines, width));
        let mut unknown_cells = UnknownCells::new();
        let mut own_columns;

        for row in found.iter() {
            let node = &table.rows[rows[row.k].0];
            let line = &document.lines[row.line];
            if matches!(row.how, LabelMatch::Drift | LabelMatch::NonstandardAlias) {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::LabelDrift,
                    message: format!(
                        "行标签「{}」与规定的「{}」不一致",
                        row.printed.text(line, row.label_end),
                        node.label
                    ),
                    span: label_span(line, row.label_end),
                    table: Some(table.key.clone()),
                    row: Some(node.path.clone()),
                    column: None,
                });
            }
            let values_line = &document.lines[row.values_line];
            let row_at = (row.values_line, row.values_from);
            let placed_by = match &positions {
                Some(p) if values_line.unit == p.unit => Some(p),
                // A complete row of a grid whose columns are not known otherwise says
                // where its own values stand.
                _ if values_line.unit == Unit::Grid => {
                    own_columns = columns_from_rows(document, &[row_at], width);
                    own_columns.as_ref()
                }
                _ => None,
            };
            if let Some(placed_by) = placed_by {
                self.store_placed(
                    document,
                    index,
                    &mut data,
                    anomalies,
                    &mut unknown_cells,
                    row,
                    placed_by,
                );
                continue;
            }
            let has_value = values_line.cells[row.values_from..]
                .iter()
                .any(|c| !c.text.is_empty());
            if values_line.unit == Unit::Grid && has_value {
                self.store_unplaced(document, index, &mut data, &mut unknown_cells, row);
                continue;
            }
            let values = place_values(values_line, row, width, first_column);
            let Some(values) = values else {
                // A row printed without any value: every cell is blank.
                let at = label_span(line, row.label_end).end;
                for (c, &column) in columns.iter().enumerate() {
                    let cell_type = table.cell_type(rows[row.k].0, column);
                    data.set(row.k, c, read_cell("", cell_type, Span::new(at, at)));
                }
                continue;
            };
            if values.len() > width {
                let extra = &values[width..];
                let mut shown: Vec<&str> = extra
                    .iter()
                    .take(MAX_SHOWN)
                    .map(|c| {
                        if c.text.is_empty() {
                            "（空）"
                        } else {
                            c.text.as_str()
                        }
                    })
                    .collect();
                if extra.len() > MAX_SHOWN {
                    shown.push("…");
                }
                anomalies.push(Anomaly {
                    kind: AnomalyKind::ExtraValues,
                    message: format!(
                        "「{}」行有 {} 个数值，但表格只有 {} 列；多出的「{}」未计入",
                        display_label(node),
                        values.len(),
                        width,
                        shown.join("、")
                    ),
                    span: extra[0].span.join(extra[extra.len() - 1].span),
                    table: Some(table.key.clone()),
                    row: Some(node.path.clone()),
                    column: None,
                });
            } else if values.len() < width {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::MissingValues,
                    message: format!(
                        "「{}」行只有 {} 个数值，但表格有 {} 列；缺少「{}」等列的数值",
                        display_label(node),
                        values.len(),
                        width,
                        table.columns[columns[values.len()]].label
                    ),
                    span: if row.values_line == row.line {
                        line.span
                    } else {
                        line.span.join(values_line.span)
                    },
                    table: Some(table.key.clone()),
                    row: Some(node.path.clone()),
                    column: None,
                });
            }
            for (c, cell) in values.iter().take(width).enumerate() {
                self.store(
                    index,
                    &mut data,
                    anomalies,
                    (row.k, c),
                    &cell.text,
                    cell.span,
                );
            }
        }
        anomalies.extend(unknown_cells_anomaly(table, &unknown_cells));
        // The table's own caption and header lines are not an unknown table.
        claimed[start..end].iter_mut().for_each(|c| *c = true);
        let found_rows = matched_rows.iter().filter(|&&m| m).count();
        let found_columns = columns.iter().filter(|&&c| header_found[c]).count();
        fit.found += found_rows + found_columns;
        if found_rows == 0 {
            anomalies.push(table_missing(table, document, start));
            return data;
        }
        data.span = Some(document.lines[start].span);
        data.extent = extent(document, header_lines, found);
        for (k, matched) in matched_rows.iter().enumerate() {
            if !matched {
                let node = &table.rows[rows[k].0];
                anomalies.push(Anomaly {
                    kind: AnomalyKind::RowNotFound,
                    message: format!(
                        "表格「{}」中没有找到「{}」行",
                        table.key,
                        display_label(node)
                    ),
                    span: document.lines[start].span,
                    table: Some(table.key.clone()),
                    row: Some(node.path.clone()),
                    column: None,
                });
            }
        }
        if found_columns > 0 {
            for &c in columns {
                if !header_found[c] {
                    let node = &table.columns[c];
                    anomalies.push(Anomaly {
                        kind: AnomalyKind::ColumnNotFound,
                        message: format!(
                            "表格「{}」的表头中没有找到「{}」列",
                            table.key, node.label
                        ),
                        span: document.lines[start].span,
                        table: Some(table.key.clone()),
                        row: None,
                        column: Some(node.path.clone()),
                    });
                }
            }
        }
        if data.is_blank() {
            anomalies.push(Anomaly {
                kind: AnomalyKind::TableBlank,
                message: format!("表格「{}」的所有单元格都是空白", table.key),
                span: document.lines[start].span,
                table: Some(table.key.clone()),
                row: None,
                column: None,
            });
        }
        data
    }
}

impl Extractor<'_> {
    /// Reads one cell's text as a value of its declared type into the table, with an
    /// anomaly if it is not one.
    pub(super) fn store(
        &self,
        index: usize,
        data: &mut TableData,
        anomalies: &mut Vec<Anomaly>,
        (k, c): (usize, usize),
        text: &str,
        span: Span,
    ) {
        let table = &self.rule_set.tables[index];
        let labels = &self.tables[index];
        let node = &table.rows[labels.rows[k].0];
        let column = &table.columns[labels.leaf_columns[c]];
        let read = read_cell(
            text,
            table.cell_type(labels.rows[k].0, labels.leaf_columns[c]),
            span,
        );
        if let CellValue::Invalid(reason) = &read.value {
            anomalies.push(Anomaly {
                kind: AnomalyKind::InvalidValue,
                message: format!(
                    "「{}」行「{}」列：{reason}",
                    display_label(node),
                    column.label
                ),
                span,
                table: Some(table.key.clone()),
                row: Some(node.path.clone()),
                column: Some(column.path.clone()),
            });
        }
        data.set(k, c, read);
    }
}

/// Buffers that reading a table needs, kept from one table to the next.
#[derive(Default)]
pub(super) struct Scratch {
    /// For each leaf row: whether a line was read as it.
    pub(super) matched_rows: Vec<bool>,
    /// For each column node: whether a header line names it.
    pub(super) header_found: Vec<bool>,
    /// The lines before the first row that are not rows: captions and header lines.
    pub(super) header_lines: Vec<usize>,
    /// The lines read as rows.
    pub(super) found: Vec<RowLine>,
}

/// How many surplus values an anomaly's message lists.
pub(super) const MAX_SHOWN: usize = 5;

/// A line read as a row of a table.
pub(super) struct RowLine {
    pub(super) line: usize,
    /// The leaf row (index into the table's leaf rows).
    pub(super) k: usize,
    pub(super) how: LabelMatch,
    pub(super) printed: Printed,
    pub(super) label_end: Option<usize>,
    /// Where the row's values are: the line and the first cell after the label (the next
    /// line when the label stands on a line of its own).
    pub(super) values_line: usize,
    pub(super) values_from: usize,
}

/// Which printed text matched a row's label.
#[derive(Debug, Clone, Copy)]
pub(super) enum Printed {
    /// No label (a table's unlabeled row).
    None,
    /// The last label cell, at this index.
    Cell(usize),
    /// All label cells together.
    Joined,
}

impl Printed {
    pub(super) fn text(self, line: &Line, label_end: Option<usize>) -> String {
        match self {
            Printed::None => String::new(),
            Printed::Cell(i) => line.cells[i].text.trim().to_owned(),
            Printed::Joined => line.cells[..=label_end.unwrap_or(0)]
                .iter()
                .map(|c| c.text.as_str())
                .collect::<String>()
                .trim()
                .to_owned(),
        }
    }
}

/// The most frequent cell index at which the values of a complete row (one value for every
/// column, from the first to the last non-empty cell) begin, if any row is complete.
pub(super) fn dominant_first_column(
    document: &Document,
    rows: &[RowLine],
    width: usize,
) -> Option<usize> {
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for row in rows.iter().filter(|r| r.values_line == r.line) {
        let cells = &document.lines[row.line].cells[row.values_from..];
        let Some(first) = cells.iter().position(|c| !c.text.is_empty()) else {
            continue;
        };
        let last = cells
            .iter()
            .rposition(|c| !c.text.is_empty())
            .unwrap_or(first);
        if last - first + 1 == width {
            let at = row.values_from + first;
            match counts.iter_mut().find(|(c, _)| *c == at) {
                Some((_, n)) => *n += 1,
                None => counts.push((at, 1)),
            }
        }
    }
    // The most frequent; among equals, the first seen.
    let mut best: Option<(usize, usize)> = None;
    for &(at, n) in &counts {
        if best.is_none_or(|(_, m)| n > m) {
            best = Some((at, n));
        }
    }
    best.map(|(at, _)| at)
}

/// The cells that hold a row's values, one per column from the first (more or fewer when
/// the row has more or fewer); `None` for a row printed without any value.
pub(super) fn place_values<'l>(
    line: &'l Line,
    row: &RowLine,
    width: usize,
    first_column: Option<usize>,
) -> Option<&'l [LineCell]> {
    let values = &line.cells[row.values_from..];
    let first = values.iter().position(|c| !c.text.is_empty())?;
    let last = values
        .iter()
        .rposition(|c| !c.text.is_empty())
        .unwrap_or(first);
    if last - first + 1 < width && row.values_line == row.line {
        // Fewer values than columns: where the other rows show the columns' cells, an empty
        // cell under a column is a blank and a value missing at the end is missing.
        if let Some(at) = first_column {
            let fits = row.label_end.is_none_or(|e| e < at)
                && row.values_from + first >= at
                && row.values_from + last < at + width;
            if fits {
                return Some(&line.cells[at..line.cells.len().min(at + width)]);
            }
        }
    }
    Some(fit_values(values, width))
}

/// Trims the empty cells that flattening leaves around a row's values, as long as there are
/// more cells than columns.
pub(super) fn fit_values(values: &[LineCell], columns: usize) -> &[LineCell] {
    let mut from = 0;
    let mut to = values.len();
    while to > from && values[to - 1].text.is_empty() && (to - from > columns || to - from == 0) {
        to -= 1;
    }
    while to - from > columns && values[from].text.is_empty() {
        from += 1;
    }
    while to - from > columns && values[to - 1].text.is_empty() {
        to -= 1;
    }
    &values[from..to]
}

pub(super) fn label_span(line: &Line, label_end: Option<usize>) -> Span {
    match label_end {
        Some(i) => line.cells[..=i]
            .iter()
            .filter(|c| !c.text.is_empty())
            .map(|c| c.span)
            .reduce(Span::join)
            .unwrap_or(line.span),
        None => line.span,
    }
}

pub(super) fn display_label(node: &Node) -> &str {
    if node.unlabeled {
        &node.key
    } else {
        &node.label
    }
}

pub(super) fn table_missing(table: &Table, document: &Document, near: usize) -> Anomaly {
    let span = document
        .lines
        .get(near)
        .map_or(Span::default(), |l| Span::new(l.span.start, l.span.start));
    Anomaly {
        kind: AnomalyKind::TableMissing,
        message: format!(
            "没有找到表格「{}」（锚点：{}）",
            table.key,
            table.anchors.join("、")
        ),
        span,
        table: Some(table.key.clone()),
        row: None,
        column: None,
    }
}

/// Reports runs of table-like lines (three or more cells, two or more of them values) that
/// no declared table claimed.
pub(super) fn unknown_tables(
    document: &Document,
    claimed: &[bool],
    headings: &[Heading],
    anomalies: &mut Vec<Anomaly>,
) {
    let heading_lines: Vec<usize> = headings.iter().map(|h| h.line).collect();
    let table_like = |i: usize| {
        let line = &document.lines[i];
        !claimed[i]
            && !heading_lines.contains(&i)
            && line.cells.len() >= 3
            && line
                .cells
                .iter()
                .filter(|c| !c.text.is_empty() && looks_like_value(&c.text))
                .count()
                >= 2
    };
    let mut i = 0;
    while i < document.lines.len() {
        if !table_like(i) {
            i += 1;
            continue;
        }
        let start = i;
        while i < document.lines.len()
            && (table_like(i)
                || document.lines[i].cells.is_empty()
                    && i + 1 < document.lines.len()
                    && table_like(i + 1))
        {
            i += 1;
        }
        if i - start >= 2 {
            // A header row right above the values (as wide, no value in it) is part of it.
            let width = document.lines[start].cells.len();
            let header = start.checked_sub(1).filter(|&h| {
                let line = &document.lines[h];
                !claimed[h]
                    && !heading_lines.contains(&h)
                    && line.cells.len() == width
                    && line.cells.iter().all(|c| !looks_like_value(&c.text))
            });
            let start = header.unwrap_or(start);
            anomalies.push(Anomaly {
                kind: AnomalyKind::UnknownTable,
                message: format!(
                    "第 {} 行起的 {} 行像是表格，但与规则集声明的任何表格都不对应",
                    start + 1,
                    i - start
                ),
                span: document.lines[start].span.join(document.lines[i - 1].span),
                table: None,
                row: None,
                column: None,
            });
        }
    }
}

/// How many lines a row label may wrap onto after its first.
const MAX_WRAPPED: usize = 2;

/// A row label found wrapped over lines.
struct Wrapped {
    row: (usize, LabelMatch, Printed),
    /// The last line of the label.
    last_line: usize,
    /// The line that holds the row's values (the last line when none does) and where they
    /// start in it.
    values: (usize, usize),
    has_value: bool,
}

/// A row label wrapped over lines (`一、本年新收政府信` over `息公开申请数量  30 6 …`): the
/// last label cell of line `first` joined with the label of the next one or two lines (each a
/// single label cell), matched as one label. Values on two of the lines are no wrapped label.
fn wrapped_row(
    lines: &NormalizedLines,
    (first, end): (usize, usize),
    labels: &TableLabels,
    matched: &[bool],
    cursor: usize,
) -> Option<Wrapped> {
    let document = lines.document;
    let line = &document.lines[first];
    let last_label = line.cells.iter().rposition(|c| !c.text.is_empty())?;
    let mut joined = lines.line(first)?.cell(last_label).to_owned();
    let mut raw = line.cells[last_label].text.clone();
    let mut span = line.cells[last_label].span;
    let mut next = first;
    let mut with_values: Option<(usize, usize)> = None;
    for _ in 0..MAX_WRAPPED {
        next = ((next + 1)..end).find(|&j| !document.lines[j].cells.is_empty())?;
        let below = &document.lines[next];
        let label_end = below
            .cells
            .iter()
            .rposition(|c| !looks_like_value(&c.text))?;
        if below.cells[..label_end].iter().any(|c| !c.text.is_empty()) {
            return None;
        }
        if below.cells[label_end + 1..]
            .iter()
            .any(|c| !c.text.is_empty())
        {
            if with_values.is_some() {
                return None;
            }
            with_values = Some((next, label_end + 1));
        }
        joined.push_str(lines.line(next)?.cell(label_end));
        raw.push_str(&below.cells[label_end].text);
        span = span.join(below.cells[label_end].span);
        let ends = [joined.len()];
        let norm = NormalizedLine {
            text: &joined,
            ends: &ends,
            bits: char_bits(&joined),
        };
        // Field by field: cloning the line would copy every one of its cells.
        let label = Line {
            start: line.start,
            end: line.end,
            span: line.span,
            cells: vec![LineCell {
                text: raw.clone(),
                span,
                x: line.cells[last_label].x,
            }],
            table_row: line.table_row,
            unit: line.unit,
            page: line.page,
        };
        let has_value = with_values.is_some();
        if let Some(row) = match_row(norm, &label, labels, 0, matched, cursor, !has_value) {
            return Some(Wrapped {
                row,
                last_line: next,
                values: with_values.unwrap_or((next, label_end + 1)),
                has_value,
            });
        }
    }
    None
}

/// The lines a table prints on: from its first header line (a line of several cells, or a row
/// of a real table; a header wrapped onto lines of one cell stays inside) down to its last
/// row's values. Lines of one cell before that are prose or a caption.
fn extent(document: &Document, header_lines: &[usize], found: &[RowLine]) -> Option<Span> {
    let first_row = found.iter().map(|r| r.line).min()?;
    let last = found.iter().map(|r| r.values_line.max(r.line)).max()?;
    let first = header_lines
        .iter()
        .copied()
        .filter(|&h| h < first_row)
        .find(|&h| {
            let line = &document.lines[h];
            line.table_row || line.cells.len() > 1
        })
        .unwrap_or(first_row);
    Some(document.lines[first].span.join(document.lines[last].span))
}
