//! Reading a parsed structured report under a rule set: metadata, sections, and every table's
//! cells by their key paths, with an anomaly for everything that does not fit.

use super::keys::{
    Resolved, TableState, candidates, column_name, display_label, hint, join, resolve, under_group,
};
use super::text::{derive_from_title, make_cell, report_text, shown};
use super::{
    Entry, Item, META_KEYS, OUTPUT_ONLY_KEYS, SECTION_KEYS, StructuredInput, TOP_KEYS, Value,
};
use crate::diagnostic::suggest;
use crate::extract::matcher::{Extractor, Fit, parse_date_prefix};
use crate::report::{
    Anomaly, AnomalyKind, CellValue, LabelMatch, Located, Metadata, Report, SectionData, TableData,
};
use crate::ruleset::{RuleSet, Table};
use crate::source::Span;

/// Reads a structured report under a rule set.
pub fn read(extractor: &Extractor<'_>, input: &StructuredInput) -> (Report, Fit) {
    let rule_set = extractor.rule_set();
    let mut reader = Reader {
        extractor,
        rule_set,
        source: input.source.text(),
        anomalies: Vec::new(),
        fit: Fit {
            found: 0,
            declared: 0,
        },
    };
    let mut meta = Metadata::default();
    let mut sections = Vec::new();
    let mut tables: Vec<TableData> = rule_set.tables.iter().map(empty_table).collect();
    let mut tables_at = None;
    let mut given = vec![false; rule_set.tables.len()];
    match &input.root.value {
        Value::Table(entries) => {
            for entry in entries {
                match entry.key.as_str() {
                    "报告" => reader.metadata(entry, &mut meta),
                    "章节" => reader.sections(entry, &mut sections),
                    "表格" => {
                        tables_at = Some(entry.key_span);
                        reader.tables(entry, &mut tables, &mut given);
                    }
                    key if OUTPUT_ONLY_KEYS.contains(&key) => {}
                    key => reader.unknown_key(entry, None, key, &TOP_KEYS, "顶层"),
                }
            }
        }
        other => reader.push(
            AnomalyKind::Unreadable,
            format!("报告的顶层应是表（键值对），不是{}", other.kind_name()),
            input.root.span,
        ),
    }
    for (index, table) in rule_set.tables.iter().enumerate() {
        reader.fit.declared += table.leaf_rows().count() + table.leaf_columns().count();
        if !given[index] {
            let span = tables_at.unwrap_or_default();
            reader.anomalies.push(Anomaly {
                kind: AnomalyKind::TableMissing,
                message: format!(
                    "报告中没有表格「{}」（应写在「表格.{}」下）",
                    table.key, table.key
                ),
                span: Span::new(span.start, span.start),
                table: Some(table.key.clone()),
                row: None,
                column: None,
            });
        }
    }
    if meta.year.is_none() || meta.agency.is_none() {
        derive_from_title(input.source.text(), &mut meta);
    }
    let Reader {
        mut anomalies, fit, ..
    } = reader;
    anomalies.sort_by_key(|a| (a.span.start, a.kind));
    let (text, line_map) = report_text(input.source.text(), &meta, &mut sections);
    let report = Report {
        source: input.source.clone(),
        input: input.kind,
        layout: crate::report::Layout::Keys,
        // `parse` is not told which encoding `load` decoded; structured reports are UTF-8.
        encoding: "UTF-8",
        rule_set: rule_set.id.clone(),
        text: text.into(),
        meta,
        sections,
        tables,
        anomalies,
        line_map,
    };
    (report, fit)
}

fn empty_table(table: &Table) -> TableData {
    TableData::new(
        table.key.clone(),
        table
            .leaf_rows()
            .map(|r| table.rows[r].path.clone())
            .collect(),
        table
            .leaf_columns()
            .map(|c| table.columns[c].path.clone())
            .collect(),
    )
}

struct Reader<'a> {
    extractor: &'a Extractor<'a>,
    rule_set: &'a RuleSet,
    source: &'a str,
    anomalies: Vec<Anomaly>,
    fit: Fit,
}

/// Where in a table an anomaly is.
#[derive(Clone, Copy, Default)]
struct Place<'t> {
    table: Option<&'t str>,
    row: Option<&'t str>,
    column: Option<&'t str>,
}

impl Reader<'_> {
    fn push(&mut self, kind: AnomalyKind, message: String, span: Span) {
        self.push_at(kind, message, span, Place::default());
    }

    fn push_at(&mut self, kind: AnomalyKind, message: String, span: Span, place: Place<'_>) {
        self.anomalies.push(Anomaly {
            kind,
            message,
            span,
            table: place.table.map(str::to_owned),
            row: place.row.map(str::to_owned),
            column: place.column.map(str::to_owned),
        });
    }

    /// A key that the schema does not have at this place.
    fn unknown_key(
        &mut self,
        entry: &Entry,
        table: Option<&str>,
        key: &str,
        known: &[&str],
        place: &str,
    ) {
        self.push_at(
            AnomalyKind::Unreadable,
            format!(
                "{place}没有「{key}」这一项，已忽略{}",
                hint(suggest(key, known.iter().copied()))
            ),
            entry.key_span,
            Place {
                table,
                ..Place::default()
            },
        );
    }

    fn entries<'e>(&mut self, entry: &'e Entry, what: &str) -> &'e [Entry] {
        match &entry.value.value {
            Value::Table(entries) => entries,
            other => {
                self.push(
                    AnomalyKind::Unreadable,
                    format!(
                        "「{}」应是表（键值对），不是{}；{what}",
                        entry.key,
                        other.kind_name()
                    ),
                    entry.value.span,
                );
                &[]
            }
        }
    }

    // -------------------------------------------------------------------------- 报告

    fn metadata(&mut self, entry: &Entry, meta: &mut Metadata) {
        for field in self.entries(entry, "其中应写标题、机关、年度、层级、发布日期")
        {
            let item = &field.value;
            match field.key.as_str() {
                "标题" => meta.title = self.meta_text(field),
                "机关" => meta.agency = self.meta_text(field),
                "层级" => meta.level = self.meta_text(field),
                "年度" => meta.year = self.meta_year(field),
                "发布日期" => {
                    let date = match &item.value {
                        Value::Datetime { date, .. } => *date,
                        Value::String(s) => parse_date_prefix(s.trim())
                            .filter(|(len, _)| *len == s.trim().len())
                            .map(|(_, d)| d),
                        _ => None,
                    };
                    match date {
                        Some(date) => meta.published = Some(Located::new(date, item.span)),
                        None => {
                            self.invalid_meta(
                                field,
                                "应是日期，如 2021-01-20 或 \"2021年1月20日\"",
                            );
                        }
                    }
                }
                key => self.unknown_key(field, None, key, &META_KEYS, "「报告」中"),
            }
        }
    }

    fn meta_text(&mut self, field: &Entry) -> Option<Located<String>> {
        if let Value::String(s) = &field.value.value {
            Some(Located::new(s.trim().to_owned(), field.value.span))
        } else {
            self.invalid_meta(field, "应是文字（加引号）");
            None
        }
    }

    fn meta_year(&mut self, field: &Entry) -> Option<Located<i32>> {
        let year = match &field.value.value {
            Value::Number { literal, .. } => literal.parse::<i32>().ok(),
            Value::String(s) => s.trim().trim_end_matches('年').trim().parse::<i32>().ok(),
            _ => None,
        };
        match year {
            Some(y) if (1900..=2200).contains(&y) => Some(Located::new(y, field.value.span)),
            _ => {
                self.invalid_meta(field, "应是四位数的年份，如 2020");
                None
            }
        }
    }

    fn invalid_meta(&mut self, field: &Entry, expected: &str) {
        self.push(
            AnomalyKind::InvalidValue,
            format!(
                "报告.{}：{expected}，不是「{}」",
                field.key,
                shown(self.source, &field.value)
            ),
            field.value.span,
        );
    }

    // -------------------------------------------------------------------------- 章节

    fn sections(&mut self, entry: &Entry, out: &mut Vec<SectionData>) {
        let mut taken: Vec<Option<Span>> = vec![None; self.rule_set.sections.len()];
        for field in self.entries(entry, "其中应以章节的键或标题为键写各章节的正文")
        {
            let (index, printed) = if let Some(i) = self.rule_set.section(&field.key) {
                (i, None)
            } else if let Some((i, how)) = self.extractor.match_heading(&field.key) {
                (i, Some(how))
            } else {
                let keys = self
                    .rule_set
                    .sections
                    .iter()
                    .flat_map(|s| [s.key.as_str(), s.title.as_str()]);
                self.push(
                    AnomalyKind::Unreadable,
                    format!(
                        "规则集「{}」没有「{}」章节，已忽略{}",
                        self.rule_set.id,
                        field.key,
                        hint(suggest(&field.key, keys))
                    ),
                    field.key_span,
                );
                continue;
            };
            let section = &self.rule_set.sections[index];
            if taken[index].is_some() {
                self.push(
                    AnomalyKind::Unreadable,
                    format!("章节「{}」写了不止一次，只读第一处", section.key),
                    field.key_span,
                );
                continue;
            }
            taken[index] = Some(field.key_span);
            let item = &field.value;
            let (heading, body) = match &item.value {
                Value::String(_) => (None, Some(item)),
                Value::Table(fields) => {
                    let mut heading = None;
                    let mut body = None;
                    for f in fields {
                        match (f.key.as_str(), &f.value.value) {
                            ("标题", Value::String(_)) => heading = Some(&f.value),
                            ("正文", Value::String(_)) => body = Some(&f.value),
                            ("标题" | "正文", other) => self.push(
                                AnomalyKind::InvalidValue,
                                format!(
                                    "章节「{}」的{}应是文字，不是{}",
                                    section.key,
                                    f.key,
                                    other.kind_name()
                                ),
                                f.value.span,
                            ),
                            (key, _) => self.unknown_key(
                                f,
                                None,
                                key,
                                &SECTION_KEYS,
                                &format!("章节「{}」中", section.key),
                            ),
                        }
                    }
                    (heading, body)
                }
                other => {
                    self.push(
                        AnomalyKind::InvalidValue,
                        format!(
                            "章节「{}」应是正文（文字）或含标题、正文的表，不是{}",
                            section.key,
                            other.kind_name()
                        ),
                        item.span,
                    );
                    (None, None)
                }
            };
            let (heading, heading_span, matched) = match (heading, printed) {
                (Some(h), _) => {
                    let Value::String(text) = &h.value else {
                        unreachable!("only string headings are kept")
                    };
                    let matched = match self.extractor.match_heading(text) {
                        Some((i, how)) if i == index => how,
                        _ => {
                            self.push(
                                AnomalyKind::LabelDrift,
                                format!(
                                    "章节「{}」的标题「{}」与规定的「{}」不一致",
                                    section.key,
                                    text.trim(),
                                    section.title
                                ),
                                h.span,
                            );
                            LabelMatch::Drift
                        }
                    };
                    (text.trim().to_owned(), h.span, matched)
                }
                (None, Some(how)) => (field.key.trim().to_owned(), field.key_span, how),
                (None, None) => (section.title.clone(), field.key_span, LabelMatch::Exact),
            };
            let (text, body_span) = match body {
                Some(Item {
                    value: Value::String(text),
                    span,
                }) => (text.clone(), *span),
                _ => (String::new(), Span::new(item.span.end, item.span.end)),
            };
            out.push(SectionData {
                key: section.key.clone(),
                heading,
                heading_span,
                matched,
                body_span,
                text,
                text_start: 0,
            });
        }
    }

    // -------------------------------------------------------------------------- 表格

    fn tables(&mut self, entry: &Entry, tables: &mut [TableData], given: &mut [bool]) {
        for field in self.entries(entry, "其中应以表格的键为键写各表") {
            let Some(index) = self.rule_set.table(&field.key) else {
                let keys = self.rule_set.tables.iter().map(|t| t.key.as_str());
                self.push(
                    AnomalyKind::UnknownTable,
                    format!(
                        "规则集「{}」没有表格「{}」，已忽略{}",
                        self.rule_set.id,
                        field.key,
                        hint(suggest(&field.key, keys))
                    ),
                    field.key_span,
                );
                continue;
            };
            given[index] = true;
            self.table(index, field, &mut tables[index]);
        }
    }

    fn table(&mut self, index: usize, entry: &Entry, data: &mut TableData) {
        let table = &self.rule_set.tables[index];
        let rows: Vec<usize> = table.leaf_rows().collect();
        let columns: Vec<usize> = table.leaf_columns().collect();
        let mut state = TableState {
            table,
            rows: rows.iter().map(|&r| table.rows[r].path.as_str()).collect(),
            columns: columns
                .iter()
                .map(|&c| table.columns[c].path.as_str())
                .collect(),
            row_nodes: rows,
            column_nodes: columns,
            row_at: vec![None; data.rows.len()],
            row_invalid: vec![false; data.rows.len()],
            cell_at: vec![None; data.cells.len()],
        };
        let place = Place {
            table: Some(&table.key),
            ..Place::default()
        };
        match &entry.value.value {
            Value::Table(entries) => self.row_level(&mut state, entries, "", data),
            other => {
                self.push_at(
                    AnomalyKind::TableMissing,
                    format!(
                        "表格「{}」应是以行的键为键的表，不是{}；没有读到任何一行",
                        table.key,
                        other.kind_name()
                    ),
                    entry.value.span,
                    place,
                );
                return;
            }
        }
        let found_rows = state.row_at.iter().filter(|r| r.is_some()).count();
        let width = state.columns.len();
        let column_found: Vec<bool> = (0..width)
            .map(|c| (0..state.rows.len()).any(|r| state.cell_at[r * width + c].is_some()))
            .collect();
        self.fit.found += found_rows + column_found.iter().filter(|&&f| f).count();
        if found_rows == 0 {
            self.push_at(
                AnomalyKind::TableMissing,
                format!("表格「{}」中没有任何已声明的行", table.key),
                entry.key_span,
                place,
            );
            return;
        }
        data.span = Some(entry.key_span);
        for (k, at) in state.row_at.iter().enumerate() {
            let node = &table.rows[state.row_nodes[k]];
            if state.row_invalid[k] {
                continue;
            }
            let Some(row_span) = at else {
                self.push_at(
                    AnomalyKind::RowNotFound,
                    format!(
                        "表格「{}」中没有填写「{}」行（键「{}」）",
                        table.key,
                        display_label(node),
                        node.path
                    ),
                    entry.key_span,
                    Place {
                        row: Some(&node.path),
                        ..place
                    },
                );
                continue;
            };
            // A column left out of every row is one anomaly of the column, unless there is
            // only one row to leave it out of.
            let missing: Vec<&str> = (0..width)
                .filter(|&c| {
                    (column_found[c] || found_rows == 1) && state.cell_at[k * width + c].is_none()
                })
                .map(|c| state.columns[c])
                .collect();
            if !missing.is_empty() {
                self.push_at(
                    AnomalyKind::MissingValues,
                    format!(
                        "「{}」行缺少「{}」列的数值",
                        display_label(node),
                        missing.join("」「")
                    ),
                    *row_span,
                    Place {
                        row: Some(&node.path),
                        ..place
                    },
                );
            }
        }
        for (c, found) in column_found.iter().enumerate() {
            if !found && found_rows > 1 {
                let node = &table.columns[state.column_nodes[c]];
                self.push_at(
                    AnomalyKind::ColumnNotFound,
                    format!(
                        "表格「{}」的各行都没有填写「{}」列（键「{}」）",
                        table.key, node.label, node.path
                    ),
                    entry.key_span,
                    Place {
                        column: Some(&node.path),
                        ..place
                    },
                );
            }
        }
        if data.is_blank() {
            self.push_at(
                AnomalyKind::TableBlank,
                format!("表格「{}」的所有单元格都是空白", table.key),
                entry.key_span,
                place,
            );
        }
    }

    /// The entries of a table or of a row group: rows by key, or groups of rows.
    fn row_level(
        &mut self,
        state: &mut TableState<'_>,
        entries: &[Entry],
        prefix: &str,
        data: &mut TableData,
    ) {
        let table = state.table;
        for entry in entries {
            let path = join(prefix, &entry.key);
            let place = Place {
                table: Some(&table.key),
                ..Place::default()
            };
            match (resolve(&state.rows, &path), &entry.value.value) {
                (Resolved::Leaf(k), Value::Table(cells)) => {
                    if state.row_at[k].is_some() {
                        self.push_at(
                            AnomalyKind::Unreadable,
                            format!(
                                "表格「{}」的「{}」行写了不止一次，只读第一处",
                                table.key, state.rows[k]
                            ),
                            entry.key_span,
                            Place {
                                row: Some(state.rows[k]),
                                ..place
                            },
                        );
                        continue;
                    }
                    state.row_at[k] = Some(entry.key_span);
                    self.column_level(state, k, cells, "", data);
                }
                (Resolved::Group, Value::Table(inner)) => {
                    self.row_level(state, inner, &path, data);
                }
                (resolved @ (Resolved::Leaf(_) | Resolved::Group), other) => {
                    if let Resolved::Leaf(k) = resolved {
                        // Written, but unreadable: not also a row left out.
                        state.row_invalid[k] = true;
                    }
                    self.push_at(
                        AnomalyKind::InvalidValue,
                        format!(
                            "表格「{}」的「{path}」行应是以列的键为键的表，不是{}",
                            table.key,
                            other.kind_name()
                        ),
                        entry.value.span,
                        place,
                    );
                }
                (Resolved::Ambiguous(candidates), _) => self.push_at(
                    AnomalyKind::RowNotFound,
                    format!(
                        "表格「{}」中的「{path}」可以是「{}」行，请写出完整的键",
                        table.key,
                        candidates
                            .iter()
                            .map(|&k| state.rows[k])
                            .collect::<Vec<_>>()
                            .join("」或「")
                    ),
                    entry.key_span,
                    place,
                ),
                (Resolved::Unknown, _) => self.push_at(
                    AnomalyKind::RowNotFound,
                    format!(
                        "表格「{}」没有「{path}」行，已忽略{}",
                        table.key,
                        hint(suggest(&path, candidates(&state.rows)))
                    ),
                    entry.key_span,
                    place,
                ),
            }
        }
    }

    /// The entries of a row or of a column group within a row: cells by column key.
    fn column_level(
        &mut self,
        state: &mut TableState<'_>,
        k: usize,
        entries: &[Entry],
        prefix: &str,
        data: &mut TableData,
    ) {
        let table = state.table;
        let row = &table.rows[state.row_nodes[k]];
        let width = state.columns.len();
        for entry in entries {
            let path = join(prefix, &entry.key);
            let place = Place {
                table: Some(&table.key),
                row: Some(&row.path),
                column: None,
            };
            match (resolve(&state.columns, &path), &entry.value.value) {
                (Resolved::Group, Value::Table(inner)) => {
                    self.column_level(state, k, inner, &path, data);
                }
                (Resolved::Leaf(c), _) => {
                    let column = &table.columns[state.column_nodes[c]];
                    let column_name = column_name(state, c);
                    let place = Place {
                        column: Some(&column.path),
                        ..place
                    };
                    if state.cell_at[k * width + c].is_some() {
                        self.push_at(
                            AnomalyKind::Unreadable,
                            format!(
                                "「{}」行「{column_name}」列写了不止一次，只读第一处",
                                display_label(row),
                            ),
                            entry.key_span,
                            place,
                        );
                        continue;
                    }
                    state.cell_at[k * width + c] = Some(entry.key_span);
                    let cell_type = table.cell_type(state.row_nodes[k], state.column_nodes[c]);
                    let cell = make_cell(self.source, &entry.value, cell_type);
                    if let CellValue::Invalid(reason) = &cell.value {
                        self.push_at(
                            AnomalyKind::InvalidValue,
                            format!("「{}」行「{column_name}」列：{reason}", display_label(row)),
                            cell.span,
                            place,
                        );
                    }
                    data.set(k, c, cell);
                }
                (Resolved::Group, _) => {
                    let under: Vec<&str> = state
                        .columns
                        .iter()
                        .filter(|c| under_group(c, &path))
                        .copied()
                        .collect();
                    self.push_at(
                        AnomalyKind::ColumnNotFound,
                        format!(
                            "「{path}」是一组列，应分别填写其下的「{}」，已忽略",
                            under.join("」「")
                        ),
                        entry.key_span,
                        place,
                    );
                }
                (Resolved::Ambiguous(candidates), _) => self.push_at(
                    AnomalyKind::ColumnNotFound,
                    format!(
                        "「{}」行中的「{path}」可以是「{}」列，请写出完整的键，已忽略",
                        display_label(row),
                        candidates
                            .iter()
                            .map(|&c| state.columns[c])
                            .collect::<Vec<_>>()
                            .join("」或「")
                    ),
                    entry.key_span,
                    place,
                ),
                (Resolved::Unknown, _) => self.push_at(
                    AnomalyKind::ColumnNotFound,
                    format!(
                        "表格「{}」没有「{path}」列，已忽略{}",
                        table.key,
                        hint(suggest(&path, candidates(&state.columns)))
                    ),
                    entry.key_span,
                    place,
                ),
            }
        }
    }
}
