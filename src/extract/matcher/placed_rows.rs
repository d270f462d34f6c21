//! Storing the values of rows placed under their columns by position, and the one reading
//! warning per table for the cells the reader could not place.

use super::Extractor;
use super::placement::{Columns, place};
use super::tables::{MAX_SHOWN, RowLine, display_label};
use crate::extract::layout::{Document, Unit};
use crate::report::{Anomaly, AnomalyKind, Cell, CellValue, TableData};
use crate::ruleset::Table;
use crate::source::Span;

/// Cells a table's reader was unsure of: what each is (row, column and why) and where.
pub(super) type UnknownCells = Vec<(String, Span)>;

impl Extractor<'_> {
    /// Stores a row's values in the columns they stand under; a column with two values, or a
    /// value between two columns, is unknown (listed in `unknown`); a grid column no cell of
    /// the row reaches is reported missing.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn store_placed(
        &self,
        document: &Document,
        index: usize,
        data: &mut TableData,
        anomalies: &mut Vec<Anomaly>,
        unknown: &mut UnknownCells,
        row: &RowLine,
        columns: &Columns,
    ) {
        let table = &self.rule_set.tables[index];
        let labels = &self.tables[index];
        let node = &table.rows[labels.rows[row.k].0];
        let values_line = &document.lines[row.values_line];
        let placed = place(
            document,
            columns,
            values_line,
            &values_line.cells[row.values_from..],
        );
        let blank_at = Span::new(values_line.span.end, values_line.span.end);
        let mut missing = None;
        for (c, &column) in labels.leaf_columns.iter().enumerate() {
            let value = placed.values[c];
            let span = value
                .or(placed.blanks[c])
                .map_or(blank_at, |cell| cell.span);
            let reasons: Vec<&str> = placed
                .unknown
                .iter()
                .filter(|(u, _)| *u == c)
                .map(|(_, why)| why.as_str())
                .collect();
            if value.is_none()
                && placed.blanks[c].is_none()
                && reasons.is_empty()
                && columns.unit == Unit::Grid
            {
                // No cell of the row's grid reaches under the column (a row cut short, or
                // a label cell spanning it): nothing was read there.
                missing.get_or_insert(column);
                continue;
            }
            if reasons.is_empty() {
                let text = value.map_or("", |cell| cell.text.as_str());
                self.store(index, data, anomalies, (row.k, c), text, span);
                continue;
            }
            let reason = reasons.join("；");
            let raw = value.map_or(String::new(), |cell| cell.text.clone());
            unknown_cell(
                table,
                node,
                column,
                (row.k, c),
                (raw, reason),
                span,
                data,
                unknown,
            );
        }
        if let Some(column) = missing {
            let read = placed.values.iter().flatten().count();
            anomalies.push(Anomaly {
                kind: AnomalyKind::MissingValues,
                message: format!(
                    "「{}」行只有 {read} 个数值，但表格有 {} 列；缺少「{}」等列的数值",
                    display_label(node),
                    labels.leaf_columns.len(),
                    table.columns[column].label
                ),
                span: values_line.span,
                table: Some(table.key.clone()),
                row: Some(node.path.clone()),
                column: None,
            });
        }
    }

    /// Marks every cell of a grid row unknown: its values are fewer or more than the
    /// columns, and neither the header nor a complete row says where the columns stand.
    pub(super) fn store_unplaced(
        &self,
        document: &Document,
        index: usize,
        data: &mut TableData,
        unknown: &mut UnknownCells,
        row: &RowLine,
    ) {
        let table = &self.rule_set.tables[index];
        let labels = &self.tables[index];
        let node = &table.rows[labels.rows[row.k].0];
        let values_line = &document.lines[row.values_line];
        let values: Vec<&str> = values_line.cells[row.values_from..]
            .iter()
            .filter(|c| !c.text.is_empty())
            .map(|c| c.text.as_str())
            .collect();
        let reason = format!(
            "表头没有标明各列的位置，无法确定「{}」各在哪一列",
            values.join("、")
        );
        let span = values_line.span;
        for (c, &column) in labels.leaf_columns.iter().enumerate() {
            let cell = (String::new(), reason.clone());
            unknown_cell(table, node, column, (row.k, c), cell, span, data, unknown);
        }
    }
}

/// Records a cell as unknown: in the table, and in the list for the table's warning.
#[allow(clippy::too_many_arguments)]
fn unknown_cell(
    table: &Table,
    node: &crate::ruleset::Node,
    column: usize,
    (k, c): (usize, usize),
    (raw, reason): (String, String),
    span: Span,
    data: &mut TableData,
    unknown: &mut UnknownCells,
) {
    unknown.push((
        format!(
            "「{}」行「{}」列（{reason}）",
            display_label(node),
            table.columns[column].label
        ),
        span,
    ));
    data.set(
        k,
        c,
        Cell {
            raw,
            value: CellValue::Unknown(reason),
            unit: None,
            span,
        },
    );
}

/// One reading warning for the cells of a table that were not read with confidence.
pub(super) fn unknown_cells_anomaly(table: &Table, unknown: &UnknownCells) -> Option<Anomaly> {
    let first = unknown.first()?;
    let shown: Vec<&str> = unknown
        .iter()
        .take(MAX_SHOWN)
        .map(|(what, _)| what.as_str())
        .collect();
    let more = if unknown.len() > MAX_SHOWN { "等" } else { "" };
    Some(Anomaly {
        kind: AnomalyKind::UnknownCells,
        message: format!(
            "表格「{}」有 {} 个单元格没有读准，需要它们的检查未评估：{}{more}",
            table.key,
            unknown.len(),
            shown.join("、")
        ),
        span: unknown
            .iter()
            .map(|(_, span)| *span)
            .fold(first.1, Span::join),
        table: Some(table.key.clone()),
        row: None,
        column: None,
    })
}
