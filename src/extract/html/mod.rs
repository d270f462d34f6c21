//! HTML → the same lines of cells as plain text, so that one matcher reads both.
//!
//! A page is parsed in two halves. A light scanner here finds the tags, comments and text of
//! the source and remembers where each lies; it feeds them, as tokens, to html5ever's tree
//! builder, the WHATWG tree-construction algorithm (implied `tbody`, unclosed `td` and `tr`,
//! misnested tags, foster parenting). The tree comes back through a sink of ours, which gives
//! every element the position of the start tag being fed when it was created (elements the
//! parser implies get none) and every text the source position of each of its characters, so
//! spans survive tree building exactly.
//!
//! The tree is then projected into lines:
//! - the page's title first (the first `<h1>` if the `<title>` contains it, since pages add
//!   the site's name to `<title>`; else the `<title>`; else the first `<h1>`), unless the
//!   body starts with the same line;
//! - each prose block (`p`, `div`, `h1`–`h6`, `li`, …, and each run between `<br>`s) is one
//!   line with one cell; empty blocks give no line; `<pre>` is laid out line by line with
//!   cells split as in plain text;
//! - each `<tr>` of a data table is one line with `table_row`, whose cells are the row of the
//!   table's grid: `rowspan` and `colspan` are expanded. A label cell (one that does not read
//!   as a value) is repeated, same text and span, in every row and column it covers, so that a
//!   row's last label is always its most specific one; a value cell counts once: its text is
//!   in the first row and column it covers, and the others get an empty cell (empty span at
//!   its content), so that merging never adds a value. A row whose every cell comes from one
//!   source cell (a caption row, a section title in the table) is one cell;
//! - inside a cell, `<br>` and block boundaries join (a line break next to a CJK character
//!   disappears, elsewhere it is a space), so `商业<br>企业` reads `商业企业`; the same goes
//!   for line breaks in the source, so Chinese prose wrapped in the source gets no spaces;
//! - a table used for layout (one cell per row, a nested table, or a cell holding long
//!   paragraphs) is read as blocks, not as a grid;
//! - whitespace collapses, `&nbsp;` and other references are decoded (a cell of `&nbsp;`
//!   alone is empty), `<script>`, `<style>`, `<head>`, comments and other non-text are
//!   ignored.
//!
//! A cell's span covers its trimmed text in the source (from its first character to its
//! last, tags and references inside included); an empty cell's span is empty, at the start of
//! the cell's content. Nesting is bounded: an element deeper than [`MAX_DEPTH`] is closed at
//! once, so its content joins its parent, which keeps the parser linear on hostile input.

mod project;
mod scan;
mod tree;

use super::layout::{Line, lay_out_text};
use crate::source::SourceFile;
use project::Projector;
pub(super) use project::is_wide;
use scan::parse;

/// Elements nested deeper than this are closed as soon as they open. Real pages stay under
/// 50; the tree builder's scope checks cost up to this much per tag.
const MAX_DEPTH: u32 = 256;

/// Bounds on `colspan` and `rowspan`, tighter than the HTML standard's (1000 and 65534): no
/// report's table comes near them. Copies of merged cells are also bounded in all, by
/// [`Projector::allow`].
const MAX_COLSPAN: usize = 100;
const MAX_ROWSPAN: usize = 1000;
/// A cell with more text than this (in bytes) and paragraphs inside is page layout.
const LONG_CELL: usize = 600;

/// Projects an HTML page into text and lines with source spans.
pub fn lay_out_html(source: &SourceFile) -> (String, Vec<Line>) {
    let src = source.text();
    // The tree builder is fuzzed upstream and our part is written not to panic; should either
    // fail all the same, the page is still read, as text.
    let projected = std::panic::catch_unwind(|| {
        let dom = parse(src);
        Projector::new(src, &dom).run()
    });
    match projected {
        Ok(result) => result,
        Err(_) => (src.to_owned(), lay_out_text(source)),
    }
}
