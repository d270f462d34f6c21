//! The rule-driven part of reading: finds the sections, tables, rows and columns that a rule
//! set declares in a laid-out document. Nothing here knows what a 政府信息公开 report is;
//! every label comes from the rule set, normalised once when the [`Extractor`] is built.
//!
//! A document's lines are normalised lazily and at most once per reading (prose that no
//! heading, anchor or row could be is never normalised), and each line remembers which
//! tables' anchors it holds.

use super::Input;
use super::layout::{Document, Line, LineCell};
use super::normalize::{
    char_bits, contains_with_bits, looks_like_value, normalize, normalize_into, split_ordinal,
    trim, uses_traditional,
};
use super::value::read_cell;
use crate::report::{
    Anomaly, AnomalyKind, CellValue, InputKind, LabelMatch, Located, Metadata, Report, SectionData,
    TableData,
};
use crate::ruleset::{Date, Node, RuleSet, Table};
use crate::source::Span;

/// A rule set's labels, normalised, ready to read any number of reports.
#[derive(Debug, Clone)]
pub struct Extractor<'r> {
    rule_set: &'r RuleSet,
    sections: Vec<Vec<SectionLabel>>,
    tables: Vec<TableLabels>,
}

#[derive(Debug, Clone)]
struct SectionLabel {
    full: String,
    /// The label without its ordinal.
    rest: String,
    kind: LabelMatch,
}

#[derive(Debug, Clone)]
struct TableLabels {
    /// Normalised anchors, with their [`char_bits`].
    anchors: Vec<(String, u128)>,
    /// For each leaf row (in `Table::leaf_rows` order): its normalised labels.
    rows: Vec<(usize, Vec<Label>)>,
    /// For each column node: its normalised labels, with their [`char_bits`].
    columns: Vec<Vec<(String, u128)>>,
    /// The leaf columns, left to right (indices into the table's columns).
    leaf_columns: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Label {
    full: String,
    /// The label without its ordinal.
    rest: String,
    kind: LabelMatch,
}

/// How well a report fits a rule set's tables: the share of declared rows and column
/// headers that were found.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Fit {
    pub found: usize,
    pub declared: usize,
}

impl Fit {
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // counts of rows and columns: a few hundred at most
    pub fn ratio(self) -> f64 {
        if self.declared == 0 {
            0.0
        } else {
            self.found as f64 / self.declared as f64
        }
    }
}

impl<'r> Extractor<'r> {
    pub fn new(rule_set: &'r RuleSet) -> Self {
        let sections = rule_set
            .sections
            .iter()
            .map(|s| {
                std::iter::once((normalize(&s.title), LabelMatch::Exact))
                    .chain(s.aliases.iter().map(|a| {
                        let kind = if a.nonstandard {
                            LabelMatch::NonstandardAlias
                        } else {
                            LabelMatch::Alias
                        };
                        (normalize(&a.text), kind)
                    }))
                    .map(|(full, kind)| SectionLabel {
                        rest: split_ordinal(&full).1.to_owned(),
                        full,
                        kind,
                    })
                    .collect()
            })
            .collect();
        let tables = rule_set.tables.iter().map(table_labels).collect();
        Self {
            rule_set,
            sections,
            tables,
        }
    }

    #[must_use]
    pub fn rule_set(&self) -> &'r RuleSet {
        self.rule_set
    }

    /// The section a heading printed anywhere names, and how: a declared title or alias
    /// (before any drift), or else the same label without its ordinal.
    pub(super) fn match_heading(&self, printed: &str) -> Option<(usize, LabelMatch)> {
        let norm = normalize(printed);
        if norm.is_empty() {
            return None;
        }
        let exact = self.sections.iter().enumerate().find_map(|(i, labels)| {
            labels
                .iter()
                .find(|label| label.full == norm)
                .map(|label| (i, label.kind))
        });
        if exact.is_some() {
            return exact;
        }
        let (_, rest) = split_ordinal(&norm);
        if rest.is_empty() {
            return None;
        }
        self.sections
            .iter()
            .position(|labels| labels.iter().any(|label| label.rest == rest))
            .map(|i| (i, LabelMatch::Drift))
    }

    /// Reads an input into the report model, and says how well it fits the rule set.
    #[must_use]
    pub fn read(&self, input: &Input) -> (Report, Fit) {
        match input {
            Input::Document(document) => self.read_document(document),
            Input::Structured(structured) => super::structured::read(self, structured),
        }
    }

    fn read_document(&self, document: &Document) -> (Report, Fit) {
        let mut lines = NormalizedLines::new(document, &self.tables);
        lines.normalize(0..document.lines.len(), |line| {
            heading_candidate(document, line)
        });
        let headings = self.find_sections(document, &lines);
        let regions: Vec<(usize, usize)> = self
            .rule_set
            .tables
            .iter()
            .map(|table| region_of(document, &headings, table.section))
            .collect();
        for &(from, to) in &regions {
            lines.normalize(from..to, |_| true);
        }
        let lines = lines;
        let mut sections: Vec<SectionData> = Vec::new();
        for (i, heading) in headings.iter().enumerate() {
            let next_line = headings.get(i + 1).map_or(document.lines.len(), |h| h.line);
            let body = body_span(document, heading.line + 1, next_line);
            let line = &document.lines[heading.line];
            sections.push(SectionData {
                key: self.rule_set.sections[heading.section].key.clone(),
                heading: document.text[line.start..line.end].trim().to_owned(),
                heading_span: line.span,
                matched: heading.matched,
                body_span: body,
                text: document.text_of(heading.line + 1, next_line).to_owned(),
                text_start: document
                    .lines
                    .get(heading.line + 1)
                    .map_or(line.end, |l| l.start),
            });
        }
        let mut anomalies = Vec::new();
        let mut fit = Fit {
            found: 0,
            declared: 0,
        };
        let mut claimed = vec![false; document.lines.len()];
        let mut tables = Vec::with_capacity(self.rule_set.tables.len());
        let mut scratch = Scratch::default();
        for (index, &region) in regions.iter().enumerate() {
            let data = self.read_table(
                &lines,
                index,
                region,
                &mut claimed,
                &mut anomalies,
                &mut fit,
                &mut scratch,
            );
            tables.push(data);
        }
        unknown_tables(document, &claimed, &headings, &mut anomalies);
        let meta = metadata(
            document,
            headings.first().map_or(document.lines.len(), |h| h.line),
        );
        let report = Report {
            source: document.source.clone(),
            input: document.input,
            encoding: document.encoding,
            rule_set: self.rule_set.id.clone(),
            text: document.text.clone(),
            line_map: match document.input {
                InputKind::Text | InputKind::Pdf => Vec::new(),
                _ => document.lines.iter().map(|l| (l.start, l.span)).collect(),
            },
            meta,
            sections,
            tables,
            anomalies,
        };
        (report, fit)
    }

    fn find_sections(&self, document: &Document, lines: &NormalizedLines) -> Vec<Heading> {
        let mut found: Vec<Heading> = Vec::new();
        let mut taken = vec![false; self.sections.len()];
        for (line_index, line) in document.lines.iter().enumerate() {
            if !heading_candidate(document, line) {
                continue;
            }
            let Some(norm) = lines.short(line_index) else {
                continue;
            };
            let norm = norm.text;
            let (_, rest) = split_ordinal(norm);
            let matched = self.sections.iter().enumerate().find_map(|(i, labels)| {
                if taken[i] {
                    return None;
                }
                labels.iter().find_map(|label| {
                    if label.full == norm {
                        Some((i, label.kind))
                    } else if !rest.is_empty() && label.rest == rest {
                        Some((i, LabelMatch::Drift))
                    } else {
                        None
                    }
                })
            });
            if let Some((section, matched)) = matched {
                taken[section] = true;
                found.push(Heading {
                    section,
                    line: line_index,
                    matched,
                });
            }
        }
        found
    }

    #[allow(clippy::too_many_arguments)]
    fn read_table(
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
            found,
        } = scratch;
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
            let row = match label_end {
                Some(e) => match_row(norm, line, labels, e, matched_rows, cursor, !has_value),
                None if has_value => labels
                    .rows
                    .iter()
                    .position(|(r, _)| table.rows[*r].unlabeled)
                    .filter(|&k| !matched_rows[k])
                    .map(|k| (k, LabelMatch::Exact, Printed::None)),
                None => None,
            };
            let Some((k, how, printed)) = row else {
                if !seen_data {
                    let previous = previous_header.and_then(|p| lines.line(p));
                    mark_headers(norm, previous, labels, header_found);
                    previous_header = Some(i);
                }
                i += 1;
                continue;
            };
            seen_data = true;
            let row_line = i;
            matched_rows[k] = true;
            cursor = k + 1;
            // A label on a line of its own, its values on the next line.
            let mut values_at = (i, values_from);
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
                let read = read_cell(
                    &cell.text,
                    table.cell_type(rows[row.k].0, columns[c]),
                    cell.span,
                );
                if let CellValue::Invalid(reason) = &read.value {
                    anomalies.push(Anomaly {
                        kind: AnomalyKind::InvalidValue,
                        message: format!(
                            "「{}」行「{}」列：{reason}",
                            display_label(node),
                            table.columns[columns[c]].label
                        ),
                        span: cell.span,
                        table: Some(table.key.clone()),
                        row: Some(node.path.clone()),
                        column: Some(table.columns[columns[c]].path.clone()),
                    });
                }
                data.set(row.k, c, read);
            }
        }
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

/// Buffers that reading a table needs, kept from one table to the next.
#[derive(Default)]
struct Scratch {
    /// For each leaf row: whether a line was read as it.
    matched_rows: Vec<bool>,
    /// For each column node: whether a header line names it.
    header_found: Vec<bool>,
    /// The lines read as rows.
    found: Vec<RowLine>,
}

/// How many surplus values an anomaly's message lists.
const MAX_SHOWN: usize = 5;

/// A line read as a row of a table.
struct RowLine {
    line: usize,
    /// The leaf row (index into the table's leaf rows).
    k: usize,
    how: LabelMatch,
    printed: Printed,
    label_end: Option<usize>,
    /// Where the row's values are: the line and the first cell after the label (the next
    /// line when the label stands on a line of its own).
    values_line: usize,
    values_from: usize,
}

/// Which printed text matched a row's label.
#[derive(Debug, Clone, Copy)]
enum Printed {
    /// No label (a table's unlabeled row).
    None,
    /// The last label cell, at this index.
    Cell(usize),
    /// All label cells together.
    Joined,
}

impl Printed {
    fn text(self, line: &Line, label_end: Option<usize>) -> String {
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
fn dominant_first_column(document: &Document, rows: &[RowLine], width: usize) -> Option<usize> {
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
fn place_values<'l>(
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

impl LabelMatch {
    /// A drifted match through an alias is as bad as drift.
    fn max_drift(self) -> LabelMatch {
        match self {
            LabelMatch::Exact | LabelMatch::Drift => LabelMatch::Drift,
            other => other,
        }
    }
}

fn rank(how: LabelMatch) -> u8 {
    match how {
        LabelMatch::Exact => 0,
        LabelMatch::Alias => 1,
        LabelMatch::NonstandardAlias => 2,
        LabelMatch::Drift => 3,
    }
}

/// Two label texts (ordinals removed) are the same if equal, or if one is the other plus a
/// bracketed note (`部分公开` and `部分公开(区分处理的,…)`).
fn same_text(declared: &str, printed: &str) -> bool {
    declared == printed
        || declared
            .strip_prefix(printed)
            .is_some_and(|r| r.starts_with('('))
        || printed
            .strip_prefix(declared)
            .is_some_and(|r| r.starts_with('('))
}

/// A line's cells, normalised and concatenated, with where each cell ends.
#[derive(Clone, Copy)]
struct NormalizedLine<'a> {
    text: &'a str,
    /// Where each cell ends in `text`.
    ends: &'a [usize],
    /// The [`char_bits`] of `text`.
    bits: u128,
}

impl<'a> NormalizedLine<'a> {
    fn cell(&self, index: usize) -> &'a str {
        let from = index.checked_sub(1).map_or(0, |i| self.ends[i]);
        &self.text[from..self.ends[index]]
    }

    /// The cells `..=last`, concatenated.
    fn up_to(&self, last: usize) -> &'a str {
        &self.text[..self.ends[last]]
    }
}

/// Where a normalised line is kept in [`NormalizedLines`].
#[derive(Clone, Copy)]
struct Slot {
    text: (usize, usize),
    ends: (usize, usize),
    bits: u128,
    /// Whether the line could be a heading or hold an anchor: not blank, not long prose.
    short: bool,
    /// The tables (of the first 64) whose anchor the line holds, as bits.
    anchors: u64,
}

/// The lines of a document that a reading looks at (heading candidates, then the regions
/// where tables are), normalised once into one buffer; and for each, the tables whose anchor
/// it holds.
struct NormalizedLines<'d> {
    document: &'d Document,
    tables: &'d [TableLabels],
    traditional: bool,
    text: String,
    ends: Vec<usize>,
    slots: Vec<Option<Slot>>,
}

impl<'d> NormalizedLines<'d> {
    /// Lines longer than this (in bytes) are prose: no heading or anchor is that long.
    const MAX_LINE: usize = 600;
    /// Lines longer than this are not even a table's row or header, and are not normalised.
    const MAX_ROW: usize = 4000;

    fn new(document: &'d Document, tables: &'d [TableLabels]) -> Self {
        Self {
            document,
            tables,
            traditional: uses_traditional(&document.text),
            text: String::with_capacity(document.text.len()),
            ends: Vec::with_capacity(document.lines.iter().map(|l| l.cells.len()).sum()),
            slots: vec![None; document.lines.len()],
        }
    }

    /// Normalises the lines in `range` that `wanted` accepts (and were not yet).
    fn normalize(&mut self, range: std::ops::Range<usize>, wanted: impl Fn(&Line) -> bool) {
        let document = self.document;
        for index in range {
            let line = &document.lines[index];
            if self.slots[index].is_some()
                || line.cells.is_empty()
                || line.end - line.start > Self::MAX_ROW
                || !wanted(line)
            {
                continue;
            }
            let start = self.text.len();
            let first_end = self.ends.len();
            let mut bits = 0;
            for cell in &line.cells {
                if self.traditional {
                    let mut simplified = String::with_capacity(cell.text.len());
                    normalize_into(&mut simplified, &cell.text);
                    if !simplified.is_ascii() {
                        simplified = fast2s::convert(&simplified);
                    }
                    bits |= char_bits(&simplified);
                    self.text.push_str(&simplified);
                } else {
                    bits |= normalize_into(&mut self.text, &cell.text);
                }
                self.ends.push(self.text.len() - start);
            }
            let text = &self.text[start..];
            let raw = &document.text[line.start..line.end];
            let short = raw.len() <= Self::MAX_LINE && !trim(raw).is_empty();
            let anchors = if short {
                (0..self.tables.len().min(64))
                    .filter(|&t| holds_anchor(&self.tables[t], text, bits))
                    .fold(0, |anchors, t| anchors | 1 << t)
            } else {
                0
            };
            self.slots[index] = Some(Slot {
                text: (start, self.text.len()),
                ends: (first_end, self.ends.len()),
                bits,
                short,
                anchors,
            });
        }
    }

    /// A normalised line; `None` for lines not normalised (blank, too long, or outside what
    /// the reading looks at).
    fn line(&self, index: usize) -> Option<NormalizedLine<'_>> {
        let slot = self.slots.get(index)?.as_ref()?;
        Some(NormalizedLine {
            text: &self.text[slot.text.0..slot.text.1],
            ends: &self.ends[slot.ends.0..slot.ends.1],
            bits: slot.bits,
        })
    }

    /// A line that could be a heading or hold an anchor.
    fn short(&self, index: usize) -> Option<NormalizedLine<'_>> {
        self.slots[index]
            .filter(|s| s.short)
            .and_then(|_| self.line(index))
    }

    fn is_anchor(&self, index: usize, table: usize) -> bool {
        match self.slots[index] {
            Some(slot) if slot.short && table < 64 => slot.anchors & 1 << table != 0,
            Some(slot) if slot.short => self
                .line(index)
                .is_some_and(|n| holds_anchor(&self.tables[table], n.text, n.bits)),
            _ => false,
        }
    }

    /// Whether a line holds the anchor of a table other than `table`.
    fn is_other_anchor(&self, index: usize, table: usize) -> bool {
        let others = if table < 64 { !(1u64 << table) } else { !0 };
        self.slots[index].is_some_and(|slot| slot.short && slot.anchors & others != 0)
            || (64..self.tables.len()).any(|t| t != table && self.is_anchor(index, t))
    }
}

fn holds_anchor(table: &TableLabels, text: &str, bits: u128) -> bool {
    table
        .anchors
        .iter()
        .any(|(anchor, anchor_bits)| contains_with_bits(text, bits, anchor, *anchor_bits))
}

/// Whether a line could be a section heading: headings are short lines (long ones are prose
/// that happens to contain a title), of one or two cells.
fn heading_candidate(document: &Document, line: &Line) -> bool {
    const MAX_CHARS: usize = 60;
    if line.cells.is_empty() || line.cells.len() > 2 {
        return false;
    }
    let text = trim(&document.text[line.start..line.end]);
    if text.len() <= MAX_CHARS {
        return !text.is_empty();
    }
    // More than MAX_CHARS characters start within the first 4 × (MAX_CHARS + 1) bytes
    // exactly when the text has more than MAX_CHARS characters. (A byte that is not a
    // continuation byte starts a character.)
    let head = &text.as_bytes()[..text.len().min(4 * (MAX_CHARS + 1))];
    head.iter()
        .filter(|&&b| !(0x80..=0xbf).contains(&b))
        .count()
        <= MAX_CHARS
}

struct Heading {
    section: usize,
    line: usize,
    matched: LabelMatch,
}

fn table_labels(table: &Table) -> TableLabels {
    let anchors = table
        .anchors
        .iter()
        .map(|a| normalize(a))
        .filter(|a| !a.is_empty())
        .map(|a| {
            let bits = char_bits(&a);
            (a, bits)
        })
        .collect();
    let rows = table
        .leaf_rows()
        .map(|r| {
            let node = &table.rows[r];
            let labels = node_labels(node)
                .into_iter()
                .map(|(full, kind)| {
                    let rest = split_ordinal(&full).1.to_owned();
                    Label { full, rest, kind }
                })
                .collect();
            (r, labels)
        })
        .collect();
    let columns = table
        .columns
        .iter()
        .map(|c| {
            node_labels(c)
                .into_iter()
                .map(|(l, _)| {
                    let bits = char_bits(&l);
                    (l, bits)
                })
                .collect()
        })
        .collect();
    TableLabels {
        anchors,
        rows,
        columns,
        leaf_columns: table.leaf_columns().collect(),
    }
}

fn node_labels(node: &Node) -> Vec<(String, LabelMatch)> {
    if node.unlabeled {
        return Vec::new();
    }
    std::iter::once((normalize(&node.label), LabelMatch::Exact))
        .chain(node.aliases.iter().map(|a| {
            (
                normalize(&a.text),
                if a.nonstandard {
                    LabelMatch::NonstandardAlias
                } else {
                    LabelMatch::Alias
                },
            )
        }))
        .filter(|(l, _)| !l.is_empty())
        .collect()
}

/// Marks the columns whose label appears in a header line. A header cell split by a line
/// break (`本年新` over `制作数量`, `商业` over `企业`) is rejoined with the cell above it in
/// the previous header line, matching cells from the left and from the right (a layout that
/// drops empty cells keeps the right edge).
fn mark_headers(
    line: NormalizedLine<'_>,
    previous: Option<NormalizedLine<'_>>,
    labels: &TableLabels,
    found: &mut [bool],
) {
    if line.text.is_empty() {
        return;
    }
    let mark = |found: &mut [bool], text: &str, bits: u128| {
        for (c, names) in labels.columns.iter().enumerate() {
            if !found[c]
                && names
                    .iter()
                    .any(|(n, nb)| contains_with_bits(text, bits, n, *nb))
            {
                found[c] = true;
            }
        }
    };
    mark(found, line.text, line.bits);
    let Some(previous) = previous else {
        return;
    };
    if found.iter().all(|&f| f) {
        return;
    }
    let (above, below) = (previous.ends.len(), line.ends.len());
    let mut joined = String::new();
    for (a, b) in (0..above.min(below))
        .map(|i| (i, i))
        .chain((1..=above.min(below)).map(|i| (above - i, below - i)))
    {
        let (top, bottom) = (previous.cell(a), line.cell(b));
        if top.is_empty() || bottom.is_empty() {
            continue;
        }
        joined.clear();
        joined.push_str(top);
        joined.push_str(bottom);
        mark(found, &joined, char_bits(&joined));
    }
}

/// Trims the empty cells that flattening leaves around a row's values, as long as there are
/// more cells than columns.
fn fit_values(values: &[LineCell], columns: usize) -> &[LineCell] {
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

fn label_span(line: &Line, label_end: Option<usize>) -> Span {
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

fn display_label(node: &Node) -> &str {
    if node.unlabeled {
        &node.key
    } else {
        &node.label
    }
}

fn table_missing(table: &Table, document: &Document, near: usize) -> Anomaly {
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

fn body_span(document: &Document, from: usize, to: usize) -> Span {
    match (
        document.lines.get(from),
        to.checked_sub(1).and_then(|i| document.lines.get(i)),
    ) {
        (Some(a), Some(b)) if from < to => a.span.join(b.span),
        _ => document
            .lines
            .get(from.saturating_sub(1))
            .map_or(Span::default(), |l| Span::new(l.span.end, l.span.end)),
    }
}

/// Reports runs of table-like lines (three or more cells, two or more of them values) that
/// no declared table claimed.
fn unknown_tables(
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

/// The metadata a document's first line states (for a quick look, before any rule set).
pub(super) fn title_metadata(document: &Document) -> Metadata {
    let mut meta = metadata(document, document.lines.len());
    meta.published = None;
    meta
}

/// The report's title (the first non-empty line before the first section), and what it says:
/// the year (`2020年`) and the agency (what precedes the year).
fn metadata(document: &Document, first_heading: usize) -> Metadata {
    let mut meta = Metadata::default();
    if let Some(line) = document.lines[..first_heading.min(document.lines.len())]
        .iter()
        .find(|l| !document.text[l.start..l.end].trim().is_empty())
    {
        let raw = &document.text[line.start..line.end];
        let title = raw.trim();
        let offset = line.start + (raw.len() - raw.trim_start().len());
        let span = document.source_span(offset, offset + title.len());
        meta.title = Some(Located::new(title.to_owned(), span));
        if let Some((at, year)) = find_year(title) {
            let year_span = document.source_span(offset + at, offset + at + 4);
            meta.year = Some(Located::new(year, year_span));
            let agency = title[..at].trim();
            if !agency.is_empty() {
                meta.agency = Some(Located::new(
                    agency.to_owned(),
                    document.source_span(offset, offset + agency.len()),
                ));
            }
        }
    }
    meta.published = find_published(document);
    meta
}

/// The first `YYYY年` (1990–2100) in a text, and its byte offset.
pub(super) fn find_year(text: &str) -> Option<(usize, i32)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let digits = bytes.get(i..i + 4)?;
        if !digits.iter().all(u8::is_ascii_digit) || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            return None;
        }
        let rest = text.get(i + 4..)?.trim_start();
        if !rest.starts_with('年') {
            return None;
        }
        let year: i32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        (1990..=2100).contains(&year).then_some((i, year))
    })
}

/// A publication date stated as `发布日期：2021-01-20` (or 发布时间, 成文日期), or a date alone
/// on one of the last lines (where reports put the date under the signature).
fn find_published(document: &Document) -> Option<Located<Date>> {
    let text = &document.text;
    let keys = if text.contains("日期") || text.contains("时间") {
        &["发布日期", "发布时间", "公开日期", "成文日期"][..]
    } else {
        &[]
    };
    for key in keys {
        // `contains` is a vectorised search; `find` is needed only for the (rare) hit.
        if !text.contains(key) {
            continue;
        }
        if let Some(at) = text.find(key) {
            let after = at + key.len();
            let rest = &text[after..];
            let skip = rest.len() - rest.trim_start_matches([':', '：', ' ', '\u{3000}']).len();
            if let Some((len, date)) = parse_date_prefix(&rest[skip..]) {
                let start = after + skip;
                return Some(Located::new(date, document.source_span(start, start + len)));
            }
        }
    }
    for line in document
        .lines
        .iter()
        .rev()
        .filter(|l| l.end > l.start)
        .take(3)
    {
        let raw = &text[line.start..line.end];
        let trimmed = raw.trim();
        if let Some((len, date)) = parse_date_prefix(trimmed) {
            if len == trimmed.len() {
                let start = line.start + (raw.len() - raw.trim_start().len());
                return Some(Located::new(date, document.source_span(start, start + len)));
            }
        }
    }
    None
}

/// Reads `2021-01-20`, `2021/1/20`, `2021.1.20` or `2021年1月20日` at the start of a text;
/// returns the length read and the date.
#[must_use]
pub fn parse_date_prefix(text: &str) -> Option<(usize, Date)> {
    let mut numbers = Vec::new();
    let mut at = 0;
    let bytes = text.as_bytes();
    for separators in [
        &["-", "/", ".", "年"][..],
        &["-", "/", ".", "月"][..],
        &["日", ""][..],
    ] {
        let digits = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 4 {
            return None;
        }
        numbers.push(text[at..at + digits].parse::<u32>().ok()?);
        at += digits;
        let sep = separators.iter().find(|s| text[at..].starts_with(**s))?;
        at += sep.len();
    }
    let year = i32::try_from(numbers[0]).ok()?;
    if !(1990..=2100).contains(&year) {
        return None;
    }
    Some((at, Date::new(year, numbers[1], numbers[2])?))
}

/// The lines a table of `section` may be in: the section's body, or the whole document
/// when the section was not found.
fn region_of(document: &Document, headings: &[Heading], section: usize) -> (usize, usize) {
    match headings.iter().position(|h| h.section == section) {
        Some(i) => (
            headings[i].line + 1,
            headings.get(i + 1).map_or(document.lines.len(), |h| h.line),
        ),
        None => (0, document.lines.len()),
    }
}

/// Finds the declared row that a line's label cells name: the most specific (last)
/// label cell first, then all label cells together; rows after the previous match first.
/// For a line without any value (`strict`), a label printed without its ordinal that
/// matches only by its text is no row: a header cell `总计` is not the row `（七）总计`.
fn match_row(
    norm: NormalizedLine<'_>,
    line: &Line,
    labels: &TableLabels,
    label_end: usize,
    matched: &[bool],
    cursor: usize,
    strict: bool,
) -> Option<(usize, LabelMatch, Printed)> {
    let last = line.cells[..=label_end]
        .iter()
        .rposition(|c| !c.text.is_empty())?;
    let single = norm.cell(last);
    let joined = norm.up_to(label_end);
    let candidates = [(single, Printed::Cell(last)), (joined, Printed::Joined)];
    // All label cells together are the last one alone when the others are empty.
    let count = if joined.len() == single.len() { 1 } else { 2 };
    for &(candidate, printed) in &candidates[..count] {
        let (ordinal, rest) = split_ordinal(candidate);
        let order = (cursor..labels.rows.len()).chain(0..cursor.min(labels.rows.len()));
        let mut best: Option<(usize, LabelMatch)> = None;
        for k in order {
            if matched[k] {
                continue;
            }
            for label in &labels.rows[k].1 {
                let how = if label.full == candidate {
                    Some(label.kind)
                } else if !rest.is_empty() && same_text(&label.rest, rest) {
                    Some(if label.kind == LabelMatch::Exact {
                        LabelMatch::Drift
                    } else {
                        label.kind.max_drift()
                    })
                } else {
                    None
                };
                if let Some(how) = how {
                    if best.is_none_or(|(_, b)| rank(how) < rank(b)) {
                        best = Some((k, how));
                    }
                }
            }
            if best.is_some_and(|(_, how)| how == LabelMatch::Exact) {
                break;
            }
        }
        match best {
            Some((_, LabelMatch::Drift)) if strict && ordinal.is_empty() => {}
            Some((k, how)) => return Some((k, how, printed)),
            None => {}
        }
    }
    None
}
