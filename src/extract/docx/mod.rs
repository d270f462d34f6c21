//! Word (`.docx`) → a text rendering that the text reader lays out, so that one matcher reads
//! Word, HTML and plain text alike.
//!
//! The package is opened with the `zip` crate (every part inflated within a bound, so a zip
//! bomb is a reading error) and `word/document.xml` is read with `quick-xml` into a small tree
//! of paragraphs and tables ([`tree`]); `docx-rs` was passed over: its reader keeps merged
//! cells but not the generated numbers of numbered paragraphs, and it cannot bound inflation.
//! The rendering follows the HTML reader's conventions (see [`super::html`]):
//! - one line per paragraph, its generated number (`一、`, `（一）`, `1.`) in front, a soft line
//!   break (`w:br`) starting a new line; text split across runs is joined; text boxes
//!   (`w:txbxContent`) follow the paragraph that anchors them; headers, footers, footnotes,
//!   deleted text and field codes are not read;
//! - one line per table row, its cells joined by tabs, exactly one cell per grid column:
//!   `gridSpan`, `vMerge` and `gridBefore`/`gridAfter` are expanded; a label cell is repeated
//!   in every row and column it covers, a value cell counts once and the other positions it
//!   covers are empty; a row whose every cell comes from one source cell is one cell; inside
//!   a cell, paragraphs and line breaks join (without a space next to a CJK character);
//! - a table used for layout (one column, a table inside a cell, or a cell holding long
//!   paragraphs) is read as its paragraphs.

mod numbering;
mod tree;

use std::io::{Cursor, Read};

use quick_xml::events::BytesStart;

use super::html::is_wide;
use super::layout::{Extent, Line, LineCell, Unit, lay_out_text};
use super::normalize::{looks_like_value, trim_end, trim_start};
use crate::source::{SourceFile, Span};
use tree::{Block, Cell, Merge, Table};

/// The most bytes the parts of a package that are read may inflate to, together: far above
/// any report (a 200-page report's `document.xml` is a few megabytes), far below what a zip
/// bomb would take.
pub const MAX_INFLATED_BYTES: u64 = 32 * 1024 * 1024;
/// A cell with more text than this (in bytes) and several paragraphs is page layout.
const LONG_CELL: usize = 600;
/// Bounds on a table's grid: no report's table comes near them.
const MAX_GRID_COLUMNS: usize = 64;
const MAX_GRID_CELLS: usize = 1 << 20;

/// Why a `.docx` cannot be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocxError {
    /// Not a zip package with a `word/document.xml`.
    NotDocx,
    /// The parts read inflate to more than [`MAX_INFLATED_BYTES`]; `part` is the one that
    /// went over.
    TooLarge { part: String },
    /// The package or its XML is damaged.
    Malformed(String),
}

impl DocxError {
    fn xml(error: &quick_xml::Error) -> Self {
        DocxError::Malformed(format!("XML 有误：{error}"))
    }
}

/// What a Word document renders to: its text, and which of its lines are table rows, with
/// where each of their cells stands on the table's grid.
#[derive(Debug, Default)]
pub struct Rendering {
    pub text: String,
    /// For each line of `text`: if the line is a table row, the grid columns each of its
    /// tab-separated cells covers (the source cell's `gridSpan`, for its copies too).
    pub rows: Vec<Option<Vec<Extent>>>,
}

/// Whether bytes are a zip package that holds a Word document.
pub fn is_docx(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
        && zip::ZipArchive::new(Cursor::new(bytes))
            .is_ok_and(|archive| archive.index_for_name("word/document.xml").is_some())
}

/// Renders a `.docx` package as text.
pub fn render(bytes: &[u8]) -> Result<Rendering, DocxError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| DocxError::NotDocx)?;
    let mut budget = MAX_INFLATED_BYTES;
    let document =
        read_part(&mut archive, "word/document.xml", &mut budget)?.ok_or(DocxError::NotDocx)?;
    let numbering = read_part(&mut archive, "word/numbering.xml", &mut budget)?;
    let styles = read_part(&mut archive, "word/styles.xml", &mut budget)?;
    let mut numbering = numbering::Numbering::read(numbering.as_deref(), styles.as_deref())?;
    let blocks = tree::parse(&document, &mut numbering)?;
    let mut out = Rendering::default();
    // The title first when the title in the document's properties contains one of its first
    // paragraphs and something else (a breadcrumb, a file number) stands above it, as the
    // HTML reader does with a page's `<title>` (which adds the site's name).
    let core = read_part(&mut archive, "docProps/core.xml", &mut budget)?;
    if let Some(title) = core.as_deref().and_then(tree::core_title) {
        let named = blocks.iter().take(TITLE_WITHIN).position(|b| {
            matches!(b, Block::Paragraph(p)
                if p.trim().chars().count() >= MIN_TITLE_CHARS && title.contains(p.trim()))
        });
        if let Some(Block::Paragraph(p)) = named.filter(|&at| at > 0).map(|at| &blocks[at]) {
            push_line(&mut out, p.trim(), None);
        }
    }
    render_blocks(&blocks, &mut out);
    Ok(out)
}

/// How many blocks from the start the title named in the document's properties may stand.
const TITLE_WITHIN: usize = 8;
/// A shorter paragraph that the properties' title contains is a word of it, not the title.
const MIN_TITLE_CHARS: usize = 8;

/// A part's bytes, inflated within what is left of `budget` (which it uses up); `None` if
/// the package lacks it.
fn read_part(
    archive: &mut zip::ZipArchive<Cursor<&[u8]>>,
    name: &str,
    budget: &mut u64,
) -> Result<Option<Vec<u8>>, DocxError> {
    let file = match archive.by_name(name) {
        Ok(file) => file,
        Err(zip::result::ZipError::FileNotFound) => return Ok(None),
        Err(e) => return Err(DocxError::Malformed(format!("{name}：{e}"))),
    };
    let too_large = || DocxError::TooLarge {
        part: name.to_owned(),
    };
    // The declared size is only a hint (a bomb may lie about it); the reading is bounded.
    let declared = file.size();
    if declared > *budget {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
    file.take(*budget + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| DocxError::Malformed(format!("{name}：{e}")))?;
    let read = bytes.len() as u64;
    if read > *budget {
        return Err(too_large());
    }
    *budget -= read;
    Ok(Some(bytes))
}

/// An attribute's value, unescaped; `None` if absent or unreadable.
fn attribute(e: &BytesStart, key: &[u8]) -> Option<String> {
    e.try_get_attribute(key).ok().flatten().and_then(|a| {
        a.normalized_value(quick_xml::XmlVersion::default())
            .ok()
            .map(std::borrow::Cow::into_owned)
    })
}

fn render_blocks(blocks: &[Block], out: &mut Rendering) {
    for block in blocks {
        match block {
            Block::Paragraph(text) => {
                for line in text.split('\n') {
                    push_line(out, line, None);
                }
            }
            Block::Table(table) => {
                if is_layout(table) {
                    for cell in table.rows.iter().flat_map(|r| &r.cells) {
                        render_blocks(&cell.blocks, out);
                    }
                } else {
                    render_table(table, out);
                }
            }
        }
    }
}

fn push_line(out: &mut Rendering, line: &str, row: Option<Vec<Extent>>) {
    let line = line.trim_end();
    if line.trim().is_empty() {
        return;
    }
    out.text.push_str(line);
    out.text.push('\n');
    out.rows.push(row);
}

/// Whether a table lays out the page rather than holding data: one column, a table inside
/// a cell, or a cell holding long paragraphs.
fn is_layout(table: &Table) -> bool {
    let mut widest = 0;
    for row in &table.rows {
        let mut columns = row.before + row.after;
        for cell in &row.cells {
            columns += cell.span;
            let mut paragraphs = 0;
            let mut text = 0;
            for block in &cell.blocks {
                match block {
                    Block::Table(_) => return true,
                    Block::Paragraph(p) => {
                        paragraphs += 1;
                        text += p.trim().len();
                    }
                }
            }
            if paragraphs > 1 && text > LONG_CELL {
                return true;
            }
        }
        widest = widest.max(columns);
    }
    widest <= 1
}

/// A cell of the source, placed on the grid.
struct Placed {
    text: String,
    label: bool,
    /// The first row and column it covers.
    at: (usize, usize),
    /// The grid columns it covers.
    x: Extent,
}

fn render_table(table: &Table, out: &mut Rendering) {
    let width = table
        .rows
        .iter()
        .map(|r| r.before + r.cells.iter().map(|c| c.span).sum::<usize>() + r.after)
        .max()
        .unwrap_or(0)
        .max(table.grid_columns)
        .min(MAX_GRID_COLUMNS);
    if width == 0 || width.saturating_mul(table.rows.len()) > MAX_GRID_CELLS {
        return;
    }
    let mut placed: Vec<Placed> = Vec::new();
    // For each row, the source cell at each grid column.
    let mut grid: Vec<Vec<Option<usize>>> = Vec::with_capacity(table.rows.len());
    for (r, row) in table.rows.iter().enumerate() {
        let mut line = vec![None; width];
        let mut col = row.before;
        for cell in &row.cells {
            let span = cell.span.max(1);
            if col >= width {
                break;
            }
            let above = r
                .checked_sub(1)
                .and_then(|p| grid[p][col])
                .filter(|_| cell.merge == Merge::Continue);
            let id = above.unwrap_or_else(|| {
                let text = cell_text(cell);
                placed.push(Placed {
                    label: !looks_like_value(&text),
                    text,
                    at: (r, col),
                    x: grid_extent(col, (col + span).min(width)),
                });
                placed.len() - 1
            });
            for slot in &mut line[col..(col + span).min(width)] {
                *slot = Some(id);
            }
            col += span;
        }
        grid.push(line);
    }
    for (r, line) in grid.iter().enumerate() {
        let mut owners = line.iter().flatten();
        let first = owners.next();
        if let Some(&f) = first.filter(|&&f| line.iter().all(|o| *o == Some(f))) {
            push_line(out, &placed[f].text, Some(vec![placed[f].x]));
            continue;
        }
        let (cells, extents): (Vec<&str>, Vec<Extent>) = line
            .iter()
            .enumerate()
            .map(|(c, owner)| match owner {
                Some(o) if placed[*o].label || placed[*o].at == (r, c) => {
                    (placed[*o].text.as_str(), placed[*o].x)
                }
                Some(o) => ("", placed[*o].x),
                None => ("", grid_extent(c, c + 1)),
            })
            .unzip();
        push_line(out, &cells.join("\t"), Some(extents));
    }
}

/// Grid columns `from..to` as an extent (grids are bounded far below `u32::MAX`).
fn grid_extent(from: usize, to: usize) -> Extent {
    let x = |c: usize| u32::try_from(c).unwrap_or(u32::MAX);
    Extent::new(x(from), x(to))
}

/// Lays out a rendering's text as lines: table rows get one cell per grid column, split at
/// tabs (a cell's own text has none), each with the grid columns its source cell covers, so
/// that values are placed under the header they stand under; other lines are laid out as
/// plain text.
pub(super) fn lay_out(source: &SourceFile, rows: Vec<Option<Vec<Extent>>>) -> Vec<Line> {
    let mut lines = lay_out_text(source);
    let text = source.text();
    for (line, extents) in lines.iter_mut().zip(rows) {
        let Some(extents) = extents else { continue };
        line.table_row = true;
        line.unit = Unit::Grid;
        let mut pieces = text[line.start..line.end].split('\t');
        let mut at = line.start;
        line.cells = extents
            .into_iter()
            .map(|x| {
                // Trailing empty cells were trimmed with the line's end: they are cells
                // all the same.
                let piece = pieces.next().unwrap_or_default();
                let trimmed = trim_start(piece);
                let start = at + piece.len() - trimmed.len();
                let cell_text = trim_end(trimmed);
                at = (at + piece.len() + 1).min(line.end);
                LineCell {
                    text: cell_text.to_owned(),
                    span: Span::new(start.min(line.end), (start + cell_text.len()).min(line.end)),
                    x,
                }
            })
            .collect();
    }
    lines
}

/// A cell's text on one line: paragraphs and line breaks joined (without a space next to a
/// CJK character), whitespace collapsed.
fn cell_text(cell: &Cell) -> String {
    let mut text = String::new();
    for block in &cell.blocks {
        let Block::Paragraph(paragraph) = block else {
            continue;
        };
        for piece in paragraph.split('\n') {
            let piece = piece.split_whitespace().collect::<Vec<_>>().join(" ");
            if piece.is_empty() {
                continue;
            }
            let joins_tight = match (text.chars().last(), piece.chars().next()) {
                (Some(a), Some(b)) => is_wide(a) || is_wide(b),
                _ => true,
            };
            if !joins_tight {
                text.push(' ');
            }
            text.push_str(&piece);
        }
    }
    text
}
