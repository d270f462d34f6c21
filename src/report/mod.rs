//! The report model: what a report says, whatever it was written in, with every part
//! remembering where in its source it came from. The extractors fill it in; the evaluator
//! reads it. Tables, rows and columns are named by the keys of the rule set that read the
//! report, so a report read under one rule set can be compared with one read under another
//! (this year's and last year's, across a change of format).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::ruleset::Date;
use crate::source::{SourceFile, Span};

/// One report, read.
#[derive(Debug, Clone)]
pub struct Report {
    pub source: SourceFile,
    pub input: InputKind,
    /// How the report's tables were laid out, which says how their cells were read.
    pub layout: Layout,
    /// The encoding the bytes were decoded from (`UTF-8`, `GB18030`, …).
    pub encoding: &'static str,
    /// The rule set whose declarations drove the reading.
    pub rule_set: String,
    /// The text as a reader sees it (for HTML: without tags), which prose checks search.
    pub text: std::sync::Arc<str>,
    pub meta: Metadata,
    pub sections: Vec<SectionData>,
    pub tables: Vec<TableData>,
    /// Problems of reading, as opposed to problems of the report.
    pub anomalies: Vec<Anomaly>,
    /// Where each line of [`Report::text`] starts, and the source span it came from; empty
    /// when the text is the source itself (plain-text reports).
    pub line_map: Vec<(usize, Span)>,
}

impl Report {
    #[must_use]
    pub fn section(&self, key: &str) -> Option<&SectionData> {
        self.sections.iter().find(|s| s.key == key)
    }

    #[must_use]
    pub fn table(&self, key: &str) -> Option<&TableData> {
        self.tables.iter().find(|t| t.key == key)
    }

    /// The source span of a byte range of [`Report::text`]: exact for plain text, the
    /// enclosing line's span otherwise.
    #[must_use]
    pub fn source_span(&self, start: usize, end: usize) -> Span {
        if self.line_map.is_empty() {
            return Span::new(start, end);
        }
        let index = self
            .line_map
            .partition_point(|(at, _)| *at <= start)
            .saturating_sub(1);
        self.line_map[index].1
    }

    /// The byte ranges of the report's text that its tables print on, sorted and merged. The
    /// tables' extents are source spans: the text's own offsets for plain text, Word and PDF;
    /// for HTML, the text lines whose source lies inside them.
    #[must_use]
    pub fn table_ranges(&self) -> Vec<(usize, usize)> {
        let extents = self.tables.iter().filter_map(|t| t.extent);
        let mut ranges: Vec<(usize, usize)> = if self.line_map.is_empty() {
            extents.map(|e| (e.start, e.end)).collect()
        } else {
            let lines = &self.line_map;
            let mut ranges = Vec::new();
            for extent in extents {
                for (i, &(start, span)) in lines.iter().enumerate() {
                    if span.start >= extent.start && span.end <= extent.end {
                        let end = lines.get(i + 1).map_or(self.text.len(), |l| l.0);
                        ranges.push((start, end));
                    }
                }
            }
            ranges
        };
        ranges.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::with_capacity(ranges.len());
        for (start, end) in ranges {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        merged
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum InputKind {
    Text,
    Html,
    Toml,
    Json,
    Docx,
    /// A PDF, read as the layout text of its pages.
    Pdf,
}

impl InputKind {
    /// Whether the text a reader sees is the source itself, so that its offsets are source
    /// spans: plain text, and the text renderings of Word and PDF documents (HTML drops tags).
    #[must_use]
    pub fn text_is_source(self) -> bool {
        matches!(self, InputKind::Text | InputKind::Docx | InputKind::Pdf)
    }
}

/// How a report's tables are laid out: the provenance of every cell read from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Cells separated by tabs (counted).
    Tabs,
    /// Cells between `|` (counted).
    Pipes,
    /// Cells separated by `／` (counted).
    Slashes,
    /// Cells aligned with spaces (placed under their header by position where the lines
    /// line up, counted otherwise).
    Spaces,
    /// Cells on a table's grid (HTML, Word), placed under their header by grid column.
    Grid,
    /// Values under keys (TOML, JSON reports).
    Keys,
    /// No table was read.
    None,
}

/// What the report says about itself. Each field is absent when the report does not say it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metadata {
    pub title: Option<Located<String>>,
    pub agency: Option<Located<String>>,
    pub year: Option<Located<i32>>,
    pub level: Option<Located<String>>,
    pub published: Option<Located<Date>>,
}

/// A value and the span it was read from.
#[derive(Debug, Clone, PartialEq)]
pub struct Located<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Located<T> {
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// A section found in the report.
#[derive(Debug, Clone, PartialEq)]
pub struct SectionData {
    /// The rule set's key for the section.
    pub key: String,
    /// The heading as printed.
    pub heading: String,
    pub heading_span: Span,
    /// How the heading matched the declaration.
    pub matched: LabelMatch,
    /// The text after the heading, up to the next section.
    pub body_span: Span,
    pub text: String,
    /// Where [`SectionData::text`] starts in [`Report::text`].
    pub text_start: usize,
}

/// How a printed label matched a declared one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LabelMatch {
    /// Equal after normalising widths, brackets, quotes and spaces.
    Exact,
    /// Equal to a declared alias that is accepted silently.
    Alias,
    /// Equal to an alias declared 不规范.
    NonstandardAlias,
    /// Equal only after dropping the ordinal (`一、`, `（三）`, `1.`) or with other drift
    /// (traditional characters, a label that differs only by one word).
    Drift,
}

/// A table as read: its leaf rows and columns by key, and a grid of cells.
#[derive(Debug, Clone, PartialEq)]
pub struct TableData {
    pub key: String,
    /// Where the table was found (its caption or first line); `None` if it was not found.
    pub span: Option<Span>,
    /// The lines the table prints on, from its header to its last row (source span); `None`
    /// where the reader does not lay the table out in lines (TOML, JSON). Prose is read
    /// outside it.
    pub extent: Option<Span>,
    /// Leaf row paths, top to bottom.
    pub rows: Vec<String>,
    /// Leaf column paths, left to right.
    pub columns: Vec<String>,
    /// `rows.len() × columns.len()` cells, row by row; `None` where nothing was read.
    pub cells: Vec<Option<Cell>>,
}

impl TableData {
    #[must_use]
    pub fn new(key: String, rows: Vec<String>, columns: Vec<String>) -> Self {
        let cells = vec![None; rows.len() * columns.len()];
        Self {
            key,
            span: None,
            extent: None,
            rows,
            columns,
            cells,
        }
    }

    #[must_use]
    pub fn cell(&self, row: &str, column: &str) -> Option<&Cell> {
        let r = self.rows.iter().position(|x| x == row)?;
        let c = self.columns.iter().position(|x| x == column)?;
        self.cells[r * self.columns.len() + c].as_ref()
    }

    #[must_use]
    pub fn cell_at(&self, row: usize, column: usize) -> Option<&Cell> {
        self.cells.get(row * self.columns.len() + column)?.as_ref()
    }

    pub fn set(&mut self, row: usize, column: usize, cell: Cell) {
        let width = self.columns.len();
        self.cells[row * width + column] = Some(cell);
    }

    #[must_use]
    pub fn is_found(&self) -> bool {
        self.span.is_some()
    }

    /// Whether every cell that was read is blank (a table printed without figures).
    #[must_use]
    pub fn is_blank(&self) -> bool {
        self.cells
            .iter()
            .flatten()
            .all(|c| matches!(c.value, CellValue::Blank))
    }
}

/// One cell as read.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The text as printed (entities decoded, spaces trimmed).
    pub raw: String,
    pub value: CellValue,
    /// A unit written in the cell (`元`, `万元`, `%`).
    pub unit: Option<String>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    Number(Decimal),
    /// Nothing written.
    Blank,
    /// A mark meaning "nothing" or "not applicable": `/`, `-`, `—`, `无`.
    NotApplicable(String),
    /// A text cell's text.
    Text(String),
    /// Something that is not a value of the cell's type; the reason says why.
    Invalid(String),
    /// A cell the reader could not place with confidence (a value between two columns, two
    /// values under one column); the reason says why. Checks that need it are not evaluated.
    Unknown(String),
}

/// A problem of reading, reported as a finding of its own kind so that a user can tell
/// "the report is wrong" from "gouji could not read this".
#[derive(Debug, Clone, PartialEq)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    pub message: String,
    pub span: Span,
    pub table: Option<String>,
    pub row: Option<String>,
    pub column: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AnomalyKind {
    /// A row with more values than the table has columns.
    ExtraValues,
    /// A row with fewer values than the table has columns.
    MissingValues,
    /// A declared row that is not in the table.
    RowNotFound,
    /// A declared column whose header is not in the table.
    ColumnNotFound,
    /// A label that matched only through a nonstandard alias or after normalisation.
    LabelDrift,
    /// A cell that cannot be read as a value of its type.
    InvalidValue,
    /// A declared table that is not in the report.
    TableMissing,
    /// A table whose every cell is blank.
    TableBlank,
    /// Lines that look like a table but match no declaration.
    UnknownTable,
    /// The input could not be read in part (bad structure in a TOML or JSON report, …).
    Unreadable,
    /// Cells of a table that the reader could not place with confidence (one per table).
    UnknownCells,
    /// Bytes that are not valid in the report's encoding, replaced while decoding.
    Encoding,
}

impl AnomalyKind {
    /// The stable id under which the anomaly is reported, like a check's id.
    #[must_use]
    pub fn id(self) -> &'static str {
        match self {
            AnomalyKind::ExtraValues => "读取.多余数值",
            AnomalyKind::MissingValues => "读取.缺少数值",
            AnomalyKind::RowNotFound => "读取.未找到行",
            AnomalyKind::ColumnNotFound => "读取.未找到列",
            AnomalyKind::LabelDrift => "读取.标签偏差",
            AnomalyKind::InvalidValue => "读取.无效数值",
            AnomalyKind::TableMissing => "读取.缺少表格",
            AnomalyKind::TableBlank => "读取.空白表格",
            AnomalyKind::UnknownTable => "读取.未知表格",
            AnomalyKind::Unreadable => "读取.无法读取",
            AnomalyKind::UnknownCells => "读取.无法确定",
            AnomalyKind::Encoding => "读取.编码",
        }
    }

    pub const ALL: [AnomalyKind; 12] = [
        AnomalyKind::ExtraValues,
        AnomalyKind::MissingValues,
        AnomalyKind::RowNotFound,
        AnomalyKind::ColumnNotFound,
        AnomalyKind::LabelDrift,
        AnomalyKind::InvalidValue,
        AnomalyKind::TableMissing,
        AnomalyKind::TableBlank,
        AnomalyKind::UnknownTable,
        AnomalyKind::Unreadable,
        AnomalyKind::UnknownCells,
        AnomalyKind::Encoding,
    ];
}
