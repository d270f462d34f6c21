//! The rule-driven part of reading: finds the sections, tables, rows and columns that a rule
//! set declares in a laid-out document. Nothing here knows what a 政府信息公开 report is;
//! every label comes from the rule set, normalised once when the [`Extractor`] is built.

use super::Input;
use super::layout::{Document, Line, LineCell};
use super::normalize::{
    looks_like_value, normalize, normalize_simplified, split_ordinal, uses_traditional,
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
    sections: Vec<Vec<(String, LabelMatch)>>,
    tables: Vec<TableLabels>,
}

#[derive(Debug, Clone)]
struct TableLabels {
    anchors: Vec<String>,
    /// For each leaf row (in `Table::leaf_rows` order): its normalised labels.
    rows: Vec<(usize, Vec<Label>)>,
    /// For each column node: its normalised labels.
    columns: Vec<Vec<String>>,
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

    /// Reads an input into the report model, and says how well it fits the rule set.
    #[must_use]
    pub fn read(&self, input: &Input) -> (Report, Fit) {
        match input {
            Input::Document(document) => self.read_document(document),
            Input::Structured(structured) => super::structured::read(self, structured),
        }
    }

    fn read_document(&self, document: &Document) -> (Report, Fit) {
        let normalized = NormalizedLines::new(document);
        let headings = self.find_sections(document, &normalized);
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
        let mut tables = Vec::new();
        for (index, table) in self.rule_set.tables.iter().enumerate() {
            let region = region_of(document, &headings, table.section);
            let data = self.read_table(
                document,
                &normalized,
                index,
                region,
                &mut claimed,
                &mut anomalies,
                &mut fit,
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
                InputKind::Text => Vec::new(),
                _ => document.lines.iter().map(|l| (l.start, l.span)).collect(),
            },
            meta,
            sections,
            tables,
            anomalies,
        };
        (report, fit)
    }

    fn find_sections(&self, document: &Document, normalized: &NormalizedLines) -> Vec<Heading> {
        let mut found: Vec<Heading> = Vec::new();
        let mut taken = vec![false; self.sections.len()];
        for (line_index, line) in document.lines.iter().enumerate() {
            let text = document.text[line.start..line.end].trim();
            // Headings are short lines; long ones are prose that happens to contain a title.
            if text.is_empty() || text.chars().count() > 60 || line.cells.len() > 2 {
                continue;
            }
            let Some(norm) = normalized.line(line_index) else {
                continue;
            };
            let (_, rest) = split_ordinal(norm);
            let matched = self.sections.iter().enumerate().find_map(|(i, labels)| {
                if taken[i] {
                    return None;
                }
                labels.iter().find_map(|(label, kind)| {
                    if label == norm {
                        Some((i, *kind))
                    } else if !rest.is_empty() && split_ordinal(label).1 == rest {
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
        document: &Document,
        normalized: &NormalizedLines,
        index: usize,
        (region_start, region_end): (usize, usize),
        claimed: &mut [bool],
        anomalies: &mut Vec<Anomaly>,
        fit: &mut Fit,
    ) -> TableData {
        let table = &self.rule_set.tables[index];
        let labels = &self.tables[index];
        let rows: Vec<usize> = table.leaf_rows().collect();
        let columns: Vec<usize> = table.leaf_columns().collect();
        let mut data = TableData::new(
            table.key.clone(),
            rows.iter().map(|&r| table.rows[r].path.clone()).collect(),
            columns
                .iter()
                .map(|&c| table.columns[c].path.clone())
                .collect(),
        );
        fit.declared += rows.len() + columns.len();
        let anchor_line =
            (region_start..region_end).find(|&i| self.is_anchor(normalized, i, index));
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
            .find(|&i| {
                (0..self.tables.len())
                    .any(|other| other != index && self.is_anchor(normalized, i, other))
            })
            .unwrap_or(region_end);

        let mut matched_rows = vec![false; rows.len()];
        let mut header_found = vec![false; table.columns.len()];
        let mut cursor = 0;
        let mut seen_data = false;
        for line in &document.lines[start..end] {
            if line.cells.is_empty() {
                continue;
            }
            let label_end = line.cells.iter().rposition(|c| !looks_like_value(&c.text));
            let values: &[LineCell] = match label_end {
                Some(i) => &line.cells[i + 1..],
                None => &line.cells,
            };
            let has_number = values
                .iter()
                .any(|c| c.text.chars().any(|ch| ch.is_ascii_digit()))
                || values.iter().any(|c| !c.text.is_empty());
            let row = match label_end {
                Some(i) if has_number => {
                    match_row(normalized, labels, &line.cells[..=i], &matched_rows, cursor)
                }
                None if has_number => labels
                    .rows
                    .iter()
                    .position(|(r, _)| table.rows[*r].unlabeled)
                    .filter(|&k| !matched_rows[k])
                    .map(|k| (k, LabelMatch::Exact, String::new())),
                _ => None,
            };
            let Some((k, how, printed)) = row else {
                if !seen_data {
                    mark_headers(normalized, labels, line, &mut header_found);
                }
                continue;
            };
            seen_data = true;
            matched_rows[k] = true;
            cursor = k + 1;
            let node = &table.rows[rows[k]];
            if matches!(how, LabelMatch::Drift | LabelMatch::NonstandardAlias) {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::LabelDrift,
                    message: format!("行标签「{printed}」与规定的「{}」不一致", node.label),
                    span: label_span(line, label_end),
                    table: Some(table.key.clone()),
                    row: Some(node.path.clone()),
                    column: None,
                });
            }
            let values = fit_values(values, columns.len());
            if values.len() > columns.len() {
                let extra = &values[columns.len()..];
                let shown: Vec<&str> = extra
                    .iter()
                    .map(|c| {
                        if c.text.is_empty() {
                            "（空）"
                        } else {
                            c.text.as_str()
                        }
                    })
                    .collect();
                anomalies.push(Anomaly {
                    kind: AnomalyKind::ExtraValues,
                    message: format!(
                        "「{}」行有 {} 个数值，但表格只有 {} 列；多出的「{}」未计入",
                        display_label(node),
                        values.len(),
                        columns.len(),
                        shown.join("、")
                    ),
                    span: extra[0].span.join(extra[extra.len() - 1].span),
                    table: Some(table.key.clone()),
                    row: Some(node.path.clone()),
                    column: None,
                });
            } else if values.len() < columns.len() {
                anomalies.push(Anomaly {
                    kind: AnomalyKind::MissingValues,
                    message: format!(
                        "「{}」行只有 {} 个数值，但表格有 {} 列；缺少「{}」等列的数值",
                        display_label(node),
                        values.len(),
                        columns.len(),
                        table.columns[columns[values.len()]].label
                    ),
                    span: line.span,
                    table: Some(table.key.clone()),
                    row: Some(node.path.clone()),
                    column: None,
                });
            }
            for (c, cell) in values.iter().take(columns.len()).enumerate() {
                let read = read_cell(&cell.text, table.cell_type(rows[k], columns[c]), cell.span);
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
                data.set(k, c, read);
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
                let node = &table.rows[rows[k]];
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
            for &c in &columns {
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

    fn is_anchor(&self, normalized: &NormalizedLines, line: usize, table: usize) -> bool {
        let anchors = &self.tables[table].anchors;
        normalized
            .line(line)
            .is_some_and(|norm| anchors.iter().any(|a| norm.contains(a.as_str())))
    }
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

/// Each short line of a document, normalised once; prose lines (long) are left out, as no
/// heading, anchor or label is that long.
struct NormalizedLines {
    traditional: bool,
    lines: Vec<Option<String>>,
}

impl NormalizedLines {
    const MAX_LINE: usize = 600;

    fn new(document: &Document) -> Self {
        let traditional = uses_traditional(&document.text);
        let mut this = Self {
            traditional,
            lines: Vec::with_capacity(document.lines.len()),
        };
        for line in &document.lines {
            let text = &document.text[line.start..line.end];
            let norm =
                (text.len() <= Self::MAX_LINE && !text.trim().is_empty()).then(|| this.text(text));
            this.lines.push(norm);
        }
        this
    }

    fn line(&self, index: usize) -> Option<&str> {
        self.lines.get(index)?.as_deref()
    }

    fn text(&self, text: &str) -> String {
        if self.traditional {
            normalize(text)
        } else {
            normalize_simplified(text)
        }
    }
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
        .map(|c| node_labels(c).into_iter().map(|(l, _)| l).collect())
        .collect();
    TableLabels {
        anchors,
        rows,
        columns,
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

/// Marks the columns whose label appears in a header line.
fn mark_headers(
    normalized: &NormalizedLines,
    labels: &TableLabels,
    line: &Line,
    found: &mut [bool],
) {
    let cells: Vec<String> = line
        .cells
        .iter()
        .map(|c| normalized.text(&c.text))
        .filter(|c| !c.is_empty())
        .collect();
    if cells.is_empty() {
        return;
    }
    // Header cells split by a line break ("商业 企业") are rejoined for a second look.
    let joined = cells.concat();
    for (c, names) in labels.columns.iter().enumerate() {
        if names.iter().any(|n| {
            cells.iter().any(|cell| cell.contains(n.as_str())) || joined.contains(n.as_str())
        }) {
            found[c] = true;
        }
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

/// The report's title (the first non-empty line before the first section), and what it says:
/// the year (`2020年`) and the agency (what precedes the year).
/// The metadata a document's first line states (for a quick look, before any rule set).
pub(super) fn title_metadata(document: &Document) -> Metadata {
    let mut meta = metadata(document, document.lines.len());
    meta.published = None;
    meta
}

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
fn find_year(text: &str) -> Option<(usize, i32)> {
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
    for key in ["发布日期", "发布时间", "公开日期", "成文日期"] {
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
fn match_row(
    normalized: &NormalizedLines,
    labels: &TableLabels,
    label_cells: &[LineCell],
    matched: &[bool],
    cursor: usize,
) -> Option<(usize, LabelMatch, String)> {
    let printed: Vec<&str> = label_cells
        .iter()
        .map(|c| c.text.as_str())
        .filter(|t| !t.is_empty())
        .collect();
    let last = *printed.last()?;
    let joined = printed.concat();
    for candidate in [last, joined.as_str()] {
        let norm = normalized.text(candidate);
        let (_, rest) = split_ordinal(&norm);
        let order = (cursor..labels.rows.len()).chain(0..cursor.min(labels.rows.len()));
        let mut best: Option<(usize, LabelMatch)> = None;
        for k in order {
            if matched[k] {
                continue;
            }
            for label in &labels.rows[k].1 {
                let how = if label.full == norm {
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
        if let Some((k, how)) = best {
            return Some((k, how, candidate.trim().to_owned()));
        }
    }
    None
}
