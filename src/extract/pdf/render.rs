//! Pages of lines and tables → layout text, like `pdftotext -layout`: every run stands at a
//! display column computed from its x position (CJK characters two columns wide), runs of a
//! row are at least two spaces apart, and a ruled table's cells start at the columns of its
//! vertical rules, the same columns on every page the table runs over, so every value stands
//! under its header. Running headers, footers and page numbers are left out; a paragraph
//! wrapped over lines (or pages) is one line.

use super::glyphs::Page;
use super::lines::{TextLine, display_width, join_stacked, lines_of, runs};
use super::tables::{Table, cluster, take_tables};
use crate::extract::layout::is_page_number;
use std::collections::HashMap;

/// Lines this close to the top or bottom of a page (fraction of its height) may be running
/// headers or footers.
const MARGIN_ZONE: f64 = 0.1;
/// Running headers and footers repeat at the same height to within this many points.
const RUNNING_LINE_TOLERANCE: f64 = 4.0;
/// Cell texts of a row stand at least this many spaces apart.
const CELL_SPACING: usize = 2;

/// The layout text of a document, with the page each of its lines comes from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendering {
    pub text: String,
    /// The page (from 1) of each line of `text`.
    pub line_pages: Vec<u32>,
}

impl Rendering {
    fn push(&mut self, line: &str, page: u32) {
        self.text.push_str(line.trim_end());
        self.text.push('\n');
        self.line_pages.push(page);
    }
}

/// What a page holds, top to bottom.
enum Block {
    Line(TextLine),
    Table(Table),
}

impl Block {
    fn top(&self) -> f64 {
        match self {
            Block::Line(l) => l.middle(),
            Block::Table(t) => t.top,
        }
    }
}

pub fn render(pages: &[Page]) -> Rendering {
    let mut blocks: Vec<Block> = Vec::new();
    let mut page_lines: Vec<Vec<TextLine>> = pages.iter().map(lines_of).collect();
    // Tables first: a row of numbers low on a page is no running footer.
    let page_tables: Vec<Vec<Table>> = pages
        .iter()
        .zip(&mut page_lines)
        .map(|(page, lines)| take_tables(page, lines))
        .collect();
    drop_running_lines(pages, &mut page_lines);
    for (lines, tables) in page_lines.into_iter().zip(page_tables) {
        let mut on_page: Vec<Block> = lines
            .into_iter()
            .map(Block::Line)
            .chain(tables.into_iter().map(Block::Table))
            .collect();
        on_page.sort_by(|a, b| a.top().total_cmp(&b.top()));
        for block in on_page {
            // A table that goes on at the top of the next page is one table.
            match (blocks.last_mut(), block) {
                (Some(Block::Table(above)), Block::Table(next)) if above.continues_onto(&next) => {
                    above.extend(next);
                }
                (_, block) => blocks.push(block),
            }
        }
    }
    let scale = Scale::of(pages);
    let mut out = Rendering::default();
    let paragraphs = join_paragraphs(&blocks, &scale);
    for (block, joined) in blocks.iter().zip(paragraphs) {
        match block {
            Block::Line(line) => {
                if let Some(text) = joined {
                    out.push(&text, line.page);
                }
            }
            Block::Table(table) => render_table(table, &scale, &mut out),
        }
    }
    out
}

/// How x positions become display columns: the page's left text edge is column 0, and a
/// column is as wide as the narrowest text needs, so runs never overlap.
struct Scale {
    left: f64,
    unit: f64,
}

impl Scale {
    fn of(pages: &[Page]) -> Self {
        let glyphs = pages
            .iter()
            .flat_map(|p| &p.glyphs)
            .filter(|g| !g.is_space());
        let left = glyphs.clone().map(|g| g.x).fold(f64::INFINITY, f64::min);
        let mut units: Vec<f64> = glyphs
            .filter_map(|g| {
                let width = display_width(&g.text);
                #[allow(clippy::cast_precision_loss)] // a glyph's width is a few columns
                (width > 0 && g.advance > 0.0).then(|| g.advance / width as f64)
            })
            .collect();
        units.sort_by(f64::total_cmp);
        // The 10th percentile: the small print of tables, not the body text, sets the unit.
        let unit = units.get(units.len() / 10).copied().unwrap_or(5.0).max(1.0);
        Self {
            left: if left.is_finite() { left } else { 0.0 },
            unit,
        }
    }

    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)] // clamped, page-sized
    fn column(&self, x: f64) -> usize {
        ((x - self.left) / self.unit).round().clamp(0.0, 1000.0) as usize
    }
}

/// Drops running headers and footers: lines near the top or bottom of a page that repeat at
/// the same height on at least half the pages (digits aside, so `1/3`, `2/3` repeat), and page
/// numbers. The height matters: a table row that ends one page (`7.属于行`) and one that
/// starts the next (`8.属于行`) read alike with their digits masked.
fn drop_running_lines(pages: &[Page], page_lines: &mut [Vec<TextLine>]) {
    let in_margin = |page: &Page, line: &TextLine| {
        line.y < page.height * MARGIN_ZONE || line.y > page.height * (1.0 - MARGIN_ZONE)
    };
    let key = |line: &TextLine| -> String {
        let key: String = line
            .text()
            .chars()
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect();
        // Running lines stand at the same height on every page, to a point or two.
        #[allow(clippy::cast_possible_truncation)] // a page's height in points
        let height = (line.y / RUNNING_LINE_TOLERANCE).round() as i64;
        format!("{key}@{height}")
    };
    let mut pages_with: HashMap<String, usize> = HashMap::new();
    for (page, lines) in pages.iter().zip(page_lines.iter()) {
        let mut keys: Vec<String> = lines
            .iter()
            .filter(|l| in_margin(page, l))
            .map(key)
            .collect();
        keys.sort();
        keys.dedup();
        for k in keys {
            *pages_with.entry(k).or_default() += 1;
        }
    }
    let repeated = |k: &str| {
        pages.len() >= 2
            && pages_with
                .get(k)
                .is_some_and(|&n| n >= 2 && 2 * n >= pages.len())
    };
    for (page, lines) in pages.iter().zip(page_lines.iter_mut()) {
        lines.retain(|l| !(in_margin(page, l) && (repeated(&key(l)) || is_page_number(&l.text()))));
    }
}

/// For each block, the text of the paragraph it starts (`None` for a line that continues the
/// paragraph above it; tables get `Some` of nothing). A line continues the one above when
/// that one runs to the right edge of the text and this one does not start further in.
fn join_paragraphs(blocks: &[Block], scale: &Scale) -> Vec<Option<String>> {
    let right_edge = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Line(l) => Some(l.right()),
            Block::Table(_) => None,
        })
        .fold(0.0, f64::max);
    let mut out: Vec<Option<String>> = Vec::with_capacity(blocks.len());
    let mut open: Option<usize> = None;
    let mut previous: Option<&TextLine> = None;
    for block in blocks {
        let Block::Line(line) = block else {
            out.push(Some(String::new()));
            open = None;
            previous = None;
            continue;
        };
        let single_run = runs(&line.glyphs, &[]).len() == 1;
        let continues = previous.is_some_and(|above| {
            above.right() >= right_edge - 1.5 * above.size
                && line.left() <= above.left() + 0.5 * line.size
                && (line.size - above.size).abs() < 0.5
                && line.page <= above.page + 1
        });
        match open {
            Some(at) if continues && single_run => {
                if let Some(Some(text)) = out.get_mut(at) {
                    let indent = text.len() - text.trim_start().len();
                    let joined = join_stacked(&[text[indent..].to_owned(), line.text()]);
                    text.truncate(indent);
                    text.push_str(&joined);
                }
                out.push(None);
            }
            _ => {
                out.push(Some(line_text(line, scale)));
                open = single_run.then_some(out.len() - 1);
            }
        }
        previous = single_run.then_some(line);
    }
    out
}

/// A line outside ruled tables: each run at the column of its x position (so that the runs
/// of a table without rules stand under one another), at least [`CELL_SPACING`] apart.
fn line_text(line: &TextLine, scale: &Scale) -> String {
    let mut text = String::new();
    let mut width = 0;
    for run in runs(&line.glyphs, &[]) {
        let at = scale.column(run.left);
        let at = if width == 0 {
            at
        } else {
            at.max(width + CELL_SPACING)
        };
        text.push_str(&" ".repeat(at - width));
        text.push_str(&run.text);
        width = at + display_width(&run.text);
    }
    text
}

/// A ruled table: the columns of its vertical rules are set so that every cell's text fits
/// between its rules with [`CELL_SPACING`] to spare and no rule comes before its place on
/// the page; each row is one line, each cell's text at its left rule's column.
fn render_table(table: &Table, scale: &Scale, out: &mut Rendering) {
    let edges = cluster(
        table
            .rows
            .iter()
            .flat_map(|r| r.cells.iter().flat_map(|c| [c.left, c.right]))
            .collect(),
    );
    let index = |x: f64| {
        edges
            .iter()
            .position(|&e| (e - x).abs() <= 2.0)
            .unwrap_or(0)
    };
    let spans: Vec<Vec<(usize, usize, &str)>> = table
        .rows
        .iter()
        .map(|r| {
            r.cells
                .iter()
                .map(|c| (index(c.left), index(c.right), c.text.as_str()))
                .collect()
        })
        .collect();
    let mut columns = vec![0usize; edges.len()];
    for (k, &edge) in edges.iter().enumerate() {
        let mut column = scale.column(edge);
        if k > 0 {
            column = column.max(columns[k - 1] + CELL_SPACING);
        }
        for &(from, to, text) in spans.iter().flatten() {
            if to == k && from < k {
                column = column.max(columns[from] + display_width(text) + CELL_SPACING);
            }
        }
        columns[k] = column;
    }
    for (row, cells) in table.rows.iter().zip(&spans) {
        let mut line = String::new();
        let mut width = 0;
        for &(from, _, text) in cells {
            if text.is_empty() {
                continue;
            }
            let at = columns[from].max(width);
            line.push_str(&" ".repeat(at - width));
            line.push_str(text);
            width = at + display_width(text);
        }
        out.push(&line, row.page);
    }
}
