//! The projection: tree → lines of cells.

use std::rc::Rc;

use super::LONG_CELL;
use super::tree::{DOCUMENT, Data, Elem, Id, Kind, NONE, Node, Text};
use crate::extract::layout::{Extent, Line, LineCell, Unit, split_cells};
use crate::extract::normalize::looks_like_value;
use crate::source::{Span, floor_char_boundary};

/// Whether a line break next to a character disappears, as in CJK text.
pub(in crate::extract) fn is_wide(c: char) -> bool {
    matches!(c,
        '\u{2e80}'..='\u{9fff}'
        | '\u{f900}'..='\u{faff}'
        | '\u{fe30}'..='\u{fe4f}'
        | '\u{ff00}'..='\u{ffef}'
        | '\u{20000}'..='\u{3ffff}')
}

/// A text without its spaces.
pub(super) fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Collects the visible text of a run of inline content: whitespace collapsed, trimmed,
/// with the source span of what it kept.
#[derive(Default)]
pub(super) struct Acc {
    pub(super) text: String,
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) last: char,
    /// Spaces seen since the last visible character: `' '` for collapsible whitespace,
    /// `'\u{a0}'` and `'\u{3000}'` as written.
    pub(super) pending: String,
    pub(super) newline: bool,
    /// Inside `<pre>`: every character as written, each with its source (a line is split
    /// into cells afterwards).
    pub(super) pre: Option<Vec<(usize, usize, usize)>>,
}

impl Acc {
    pub(super) fn push(&mut self, c: char, start: usize, end: usize) {
        if let Some(map) = &mut self.pre {
            if c != '\r' {
                map.push((self.text.len(), start, end));
                self.text.push(c);
            }
            return;
        }
        match c {
            ' ' | '\t' | '\n' | '\r' | '\u{c}' | '\u{b}' => {
                if !self.pending.ends_with(' ') {
                    self.pending.push(' ');
                }
                self.newline |= c == '\n';
            }
            '\u{a0}' | '\u{3000}' => self.pending.push(c),
            _ => {
                if !self.text.is_empty() && !self.pending.is_empty() {
                    let joined =
                        self.pending == " " && self.newline && (is_wide(self.last) || is_wide(c));
                    if !joined {
                        for p in self.pending.chars() {
                            self.text.push(if p == '\u{a0}' { ' ' } else { p });
                        }
                    }
                }
                if self.text.is_empty() {
                    self.start = start;
                }
                self.pending.clear();
                self.newline = false;
                self.text.push(c);
                self.end = end;
                self.last = c;
            }
        }
    }

    /// A line break that is not a new line (a `<br>` or a paragraph inside a cell).
    pub(super) fn soft_break(&mut self) {
        self.push('\n', 0, 0);
    }

    pub(super) fn push_text(&mut self, text: &Text) {
        for seg in &text.segs {
            let Some(piece) = text.text.get(seg.at..seg.at + seg.len) else {
                continue;
            };
            if seg.literal {
                for (i, c) in piece.char_indices() {
                    let at = seg.src + i;
                    self.push(c, at, at + c.len_utf8());
                }
            } else {
                for c in piece.chars() {
                    self.push(c, seg.src, seg.src + seg.src_len);
                }
            }
        }
    }

    pub(super) fn take(&mut self) -> (String, Option<Span>) {
        let text = std::mem::take(&mut self.text);
        let span = (!text.is_empty()).then(|| Span::new(self.start, self.end));
        self.pending.clear();
        self.newline = false;
        (text, span)
    }
}

/// A line before it is written into the document's text.
pub(super) struct Projected {
    pub(super) cells: Vec<LineCell>,
    pub(super) span: Span,
    pub(super) table_row: bool,
    pub(super) unit: Unit,
}

/// A table cell's text and where it came from.
pub(super) struct SourceCell {
    /// Tells the cell from the table's other cells.
    pub(super) id: usize,
    pub(super) text: String,
    pub(super) span: Span,
    /// Where the cell's content starts (an empty cell's span).
    pub(super) content: usize,
    pub(super) value: bool,
    pub(super) colspan: usize,
    pub(super) rowspan: usize,
    /// The grid columns the cell covers.
    pub(super) x: Extent,
}

pub(super) struct Projector<'a> {
    pub(super) src: &'a str,
    pub(super) nodes: &'a [Node],
    pub(super) lines: Vec<Projected>,
    pub(super) acc: Acc,
    /// Reused while reading a cell.
    pub(super) cell: Acc,
    pub(super) scratch: Vec<(Id, bool)>,
    /// How many source cells' spans were repeated: bounded by the number of cells.
    pub(super) copies_left: usize,
}

impl<'a> Projector<'a> {
    pub(super) fn new(src: &'a str, nodes: &'a [Node]) -> Self {
        let cells = nodes
            .iter()
            .filter(|n| matches!(&n.data, Data::Element(e) if e.kind == Kind::Cell))
            .count();
        Self {
            src,
            nodes,
            lines: Vec::new(),
            acc: Acc::default(),
            cell: Acc::default(),
            scratch: Vec::new(),
            copies_left: cells.saturating_mul(32).saturating_add(10_000),
        }
    }

    pub(super) fn elem(&self, id: Id) -> Option<&'a Elem> {
        match &self.nodes.get(id)?.data {
            Data::Element(e) => Some(e),
            _ => None,
        }
    }

    pub(super) fn kind(&self, id: Id) -> Option<Kind> {
        self.elem(id).map(|e| e.kind)
    }

    pub(super) fn children(&self, id: Id) -> impl Iterator<Item = Id> + 'a {
        let nodes = self.nodes;
        std::iter::successors(Some(nodes[id].first).filter(|&c| c != NONE), move |&c| {
            Some(nodes[c].next).filter(|&n| n != NONE)
        })
    }

    pub(super) fn run(mut self) -> (String, Vec<Line>) {
        let title = self.title();
        self.walk(DOCUMENT);
        self.flush();
        if let Some(title) = title {
            let repeated = self
                .lines
                .first()
                .is_some_and(|l| l.cells.len() == 1 && l.cells[0].text == title.cells[0].text);
            if !repeated {
                self.lines.insert(0, title);
            }
        }
        self.finish()
    }

    /// The page's title line: see the module documentation.
    pub(super) fn title(&mut self) -> Option<Projected> {
        let mut title = None;
        let mut h1 = None;
        let mut stack = vec![DOCUMENT];
        while let Some(id) = stack.pop() {
            match self.kind(id) {
                Some(Kind::Title) if title.is_none() => title = Some(id),
                Some(Kind::H1) if h1.is_none() => h1 = Some(id),
                Some(Kind::Skip) => continue,
                _ => {}
            }
            if title.is_some() && h1.is_some() {
                break;
            }
            let first = stack.len();
            stack.extend(self.children(id));
            stack[first..].reverse();
        }
        let text_of = |this: &mut Self, id: Option<Id>| {
            let (text, span) = this.inline_text(id?);
            span.map(|span| (text, span))
        };
        let title = text_of(self, title);
        let h1 = text_of(self, h1);
        let (text, span) = match (title, h1) {
            (Some(t), Some(h)) if squash(&t.0).contains(&squash(&h.0)) => h,
            (Some(t), _) => t,
            (None, h) => h?,
        };
        Some(Projected {
            cells: vec![LineCell {
                text,
                span,
                x: Extent::ordinal(0),
            }],
            span,
            table_row: false,
            unit: Unit::Ordinal,
        })
    }

    /// The document in order: blocks become lines, data tables become rows.
    pub(super) fn walk(&mut self, root: Id) {
        let mut stack: Vec<(Id, bool)> = vec![(root, false)];
        while let Some((id, exit)) = stack.pop() {
            if exit {
                self.flush();
                if self.kind(id) == Some(Kind::Pre) {
                    self.acc.pre = None;
                }
                continue;
            }
            match &self.nodes[id].data {
                Data::Text(text) => {
                    self.acc.push_text(text);
                    continue;
                }
                Data::Other => continue,
                Data::Document | Data::Element(_) => {}
            }
            let kind = self.kind(id).unwrap_or(Kind::Inline);
            match kind {
                Kind::Skip | Kind::Head | Kind::Title => continue,
                Kind::Br => {
                    self.flush();
                    continue;
                }
                Kind::Table if self.data_table(id) => continue,
                Kind::Inline => {}
                Kind::Pre => {
                    self.flush();
                    self.acc.pre = Some(Vec::new());
                    stack.push((id, true));
                }
                _ => {
                    self.flush();
                    stack.push((id, true));
                }
            }
            let first = stack.len();
            stack.extend(self.children(id).map(|c| (c, false)));
            stack[first..].reverse();
        }
    }

    /// Ends the current prose line (or, in `<pre>`, lines).
    pub(super) fn flush(&mut self) {
        if self.acc.pre.is_some() {
            let map = self.acc.pre.replace(Vec::new()).unwrap_or_default();
            let (text, _) = self.acc.take();
            let mut offset = 0;
            for line in text.split('\n') {
                let (cells, unit) = split_cells(line, offset);
                let cells: Vec<LineCell> = cells
                    .into_iter()
                    .map(|cell| {
                        let first = map.partition_point(|&(at, ..)| at < cell.span.start);
                        let last = map.partition_point(|&(at, ..)| at < cell.span.end);
                        let span = match (map.get(first), last.checked_sub(1).map(|l| map[l])) {
                            (Some(&(_, start, _)), Some((_, _, end))) if first < last => {
                                Span::new(start, end)
                            }
                            _ => Span::default(),
                        };
                        LineCell {
                            text: cell.text,
                            span,
                            x: cell.x,
                        }
                    })
                    .collect();
                offset += line.len() + 1;
                if let (Some(a), Some(b)) = (cells.first(), cells.last()) {
                    let span = a.span.join(b.span);
                    self.lines.push(Projected {
                        cells,
                        span,
                        table_row: false,
                        unit,
                    });
                }
            }
            return;
        }
        let (text, span) = self.acc.take();
        if let Some(span) = span {
            self.lines.push(Projected {
                cells: vec![LineCell {
                    text,
                    span,
                    x: Extent::ordinal(0),
                }],
                span,
                table_row: false,
                unit: Unit::Ordinal,
            });
        }
    }

    /// The text of an element read as one cell: line breaks and blocks inside join.
    pub(super) fn inline_text(&mut self, root: Id) -> (String, Option<Span>) {
        let mut stack = std::mem::take(&mut self.scratch);
        let mut acc = std::mem::take(&mut self.cell);
        stack.push((root, false));
        while let Some((id, exit)) = stack.pop() {
            if exit {
                acc.soft_break();
                continue;
            }
            match &self.nodes[id].data {
                Data::Text(text) => {
                    acc.push_text(text);
                    continue;
                }
                Data::Other => continue,
                Data::Document | Data::Element(_) => {}
            }
            match self.kind(id) {
                Some(Kind::Skip | Kind::Head) if id != root => continue,
                Some(Kind::Inline | Kind::Title | Kind::Skip | Kind::Head) | None => {}
                Some(Kind::Br) => acc.soft_break(),
                Some(_) => {
                    acc.soft_break();
                    stack.push((id, true));
                }
            }
            let first = stack.len();
            stack.extend(self.children(id).map(|c| (c, false)));
            stack[first..].reverse();
        }
        let result = acc.take();
        self.cell = acc;
        self.scratch = stack;
        result
    }

    /// The rows of a table, by row group, and its captions.
    pub(super) fn table_parts(&self, table: Id) -> (Vec<Vec<Id>>, Vec<Id>) {
        let mut groups: Vec<Vec<Id>> = Vec::new();
        let mut captions = Vec::new();
        let mut loose = false;
        for child in self.children(table) {
            match self.kind(child) {
                Some(Kind::Group) => {
                    groups.push(
                        self.children(child)
                            .filter(|&r| self.kind(r) == Some(Kind::Tr))
                            .collect(),
                    );
                    loose = false;
                }
                Some(Kind::Tr) => {
                    if !loose {
                        groups.push(Vec::new());
                        loose = true;
                    }
                    if let Some(group) = groups.last_mut() {
                        group.push(child);
                    }
                }
                Some(Kind::Caption) => captions.push(child),
                _ => {}
            }
        }
        (groups, captions)
    }

    pub(super) fn cells_of(&self, row: Id) -> impl Iterator<Item = Id> + '_ {
        self.children(row)
            .filter(move |&c| self.kind(c) == Some(Kind::Cell))
    }

    /// Whether a table lays out the page rather than holding data: one cell per row, a
    /// table inside a cell, or a cell holding long paragraphs.
    pub(super) fn is_layout(&self, groups: &[Vec<Id>]) -> bool {
        let mut widest = 0;
        for &row in groups.iter().flatten() {
            let mut cells = 0;
            for cell in self.cells_of(row) {
                cells += 1;
                let mut text = 0;
                let mut blocks = false;
                let mut stack = vec![cell];
                while let Some(id) = stack.pop() {
                    match &self.nodes[id].data {
                        Data::Text(t) => text += t.text.trim().len(),
                        Data::Element(e) => match e.kind {
                            Kind::Table => return true,
                            Kind::Skip | Kind::Head => continue,
                            Kind::Inline | Kind::Cell | Kind::Title => {}
                            _ => blocks = true,
                        },
                        _ => {}
                    }
                    stack.extend(self.children(id));
                }
                if blocks && text > LONG_CELL {
                    return true;
                }
            }
            widest = widest.max(cells);
        }
        widest <= 1
    }

    /// Lays out a data table as rows of its grid; `false` (and nothing done) if the table
    /// is page layout.
    pub(super) fn data_table(&mut self, table: Id) -> bool {
        let (groups, captions) = self.table_parts(table);
        if self.is_layout(&groups) {
            return false;
        }
        self.flush();
        for caption in captions {
            if let (text, Some(span)) = self.inline_text(caption) {
                self.lines.push(Projected {
                    cells: vec![LineCell {
                        text,
                        span,
                        x: Extent::ordinal(0),
                    }],
                    span,
                    table_row: false,
                    unit: Unit::Ordinal,
                });
            }
        }
        let table_at = self.elem(table).and_then(|e| e.content).unwrap_or_default();
        for group in &groups {
            // For each column, the cell above that reaches into this row, and for how many
            // more rows.
            let mut above: Vec<Above> = Vec::new();
            for (r, &row) in group.iter().enumerate() {
                let row_at = self.elem(row).and_then(|e| e.content).unwrap_or(table_at);
                let mut line: Vec<(LineCell, usize)> = Vec::new();
                let mut own: Option<Span> = None;
                let mut col = 0;
                for cell in self.cells_of(row).collect::<Vec<_>>() {
                    fill_from_above(&mut above, &mut line, &mut col, None);
                    let mut source = self.source_cell(cell, row_at, cell);
                    let colspan = if self.allow(source.colspan - 1) {
                        source.colspan
                    } else {
                        1
                    };
                    source.x = Extent::new(grid_x(col), grid_x(col + colspan));
                    let source = Rc::new(source);
                    let rowspan = match source.rowspan {
                        0 => group.len() - r,
                        n => n,
                    };
                    let rowspan = if rowspan > 1 && self.allow((rowspan - 1) * colspan) {
                        rowspan
                    } else {
                        1
                    };
                    own = Some(own.map_or(source.span, |s| s.join(source.span)));
                    for k in 0..colspan {
                        line.push((copy_of(&source, k == 0), source.id));
                        if above.len() <= col + k {
                            above.resize(col + k + 1, None);
                        }
                        above[col + k] = (rowspan > 1).then(|| (source.clone(), rowspan - 1));
                    }
                    col += colspan;
                }
                fill_from_above(&mut above, &mut line, &mut col, Some(row_at));
                if line.iter().all(|(_, o)| *o == line[0].1) {
                    line.truncate(1);
                }
                let span = own
                    .or_else(|| line.iter().map(|(c, _)| c.span).reduce(Span::join))
                    .unwrap_or(Span::new(row_at, row_at));
                self.lines.push(Projected {
                    cells: line.into_iter().map(|(c, _)| c).collect(),
                    span,
                    table_row: true,
                    unit: Unit::Grid,
                });
            }
        }
        true
    }

    /// Takes `extra` copies of cells from the budget, if it has them.
    pub(super) fn allow(&mut self, extra: usize) -> bool {
        if extra <= self.copies_left {
            self.copies_left -= extra;
            true
        } else {
            false
        }
    }

    pub(super) fn source_cell(&mut self, cell: Id, row_at: usize, id: usize) -> SourceCell {
        let (text, span) = self.inline_text(cell);
        let elem = self.elem(cell);
        let content = elem.and_then(|e| e.content).unwrap_or(row_at);
        let value = !text.is_empty() && looks_like_value(&text);
        SourceCell {
            id,
            span: span.unwrap_or(Span::new(content, content)),
            text,
            content,
            value,
            colspan: elem.map_or(1, |e| e.colspan),
            rowspan: elem.map_or(1, |e| e.rowspan),
            x: Extent::default(),
        }
    }

    /// Writes the lines into the document's text.
    pub(super) fn finish(self) -> (String, Vec<Line>) {
        let mut text = String::new();
        let mut lines = Vec::with_capacity(self.lines.len());
        for (i, line) in self.lines.into_iter().enumerate() {
            if i > 0 {
                text.push('\n');
            }
            let start = text.len();
            let mut cells = line.cells;
            for (k, cell) in cells.iter_mut().enumerate() {
                if k > 0 {
                    text.push('\t');
                }
                text.push_str(&cell.text);
                cell.span = within(self.src, cell.span);
            }
            lines.push(Line {
                start,
                end: text.len(),
                span: within(self.src, line.span),
                cells,
                table_row: line.table_row,
                unit: line.unit,
                page: None,
            });
        }
        (text, lines)
    }
}

/// A cell of a row above that reaches down, and into how many more rows.
pub(super) type Above = Option<(Rc<SourceCell>, usize)>;

/// Places the cells of rows above that reach down into this row, from column `col`: those
/// at `col` and after, up to a free column (for the row's next cell), or, at the row's end
/// (`row_at` given), all that remain, with empty cells for any gap.
pub(super) fn fill_from_above(
    above: &mut [Above],
    line: &mut Vec<(LineCell, usize)>,
    col: &mut usize,
    row_at: Option<usize>,
) {
    let end = match row_at {
        Some(_) => above.iter().rposition(Option::is_some).map_or(0, |i| i + 1),
        None => above.len(),
    };
    while *col < end {
        match above[*col].take() {
            Some((source, left)) => {
                line.push((copy_of(&source, false), source.id));
                if left > 1 {
                    above[*col] = Some((source, left - 1));
                }
            }
            None => match row_at {
                Some(at) => line.push((
                    LineCell {
                        text: String::new(),
                        span: Span::new(at, at),
                        x: Extent::new(grid_x(*col), grid_x(*col + 1)),
                    },
                    usize::MAX - *col,
                )),
                None => break,
            },
        }
        *col += 1;
    }
}

/// A grid cell made from a source cell: the cell itself, or a copy of it in another row or
/// column (a label's copy says the same; a value's copy is empty).
pub(super) fn copy_of(source: &SourceCell, first: bool) -> LineCell {
    if first || !source.value {
        LineCell {
            text: source.text.clone(),
            span: source.span,
            x: source.x,
        }
    } else {
        LineCell {
            text: String::new(),
            span: Span::new(source.content, source.content),
            x: source.x,
        }
    }
}

/// A span clamped into the source, on character boundaries.
pub(super) fn within(src: &str, span: Span) -> Span {
    let end = floor_char_boundary(src, span.end.min(src.len()));
    let start = floor_char_boundary(src, span.start.min(end));
    Span::new(start, end)
}

/// A grid column index as an extent coordinate (grids are bounded far below `u32::MAX`).
fn grid_x(col: usize) -> u32 {
    u32::try_from(col).unwrap_or(u32::MAX)
}
