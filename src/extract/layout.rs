//! The page model: a report's layout before any rule set is applied. Every reader produces
//! it, and the matcher reads nothing else.
//!
//! A document is lines; a line is cells. Every line and cell has its span in the source, and
//! every cell a horizontal extent `[x0, x1)` in the line's [`Unit`], so that the matcher can
//! place a value under the column header it stands under rather than by counting cells:
//!
//! | reader | unit | extent of a cell |
//! |---|---|---|
//! | text split at tabs, `|` or `／` | [`Unit::Ordinal`] | its index `i`: `[i, i + 1)` |
//! | HTML and Word tables | [`Unit::Grid`] | the grid columns the source cell covers (`colspan`, `gridSpan`) |
//! | text aligned by spaces (`pdftotext -layout`, copies from PDF viewers) | [`Unit::Display`] | its display columns (CJK and full-width characters are two wide) |
//!
//! Plain text is split here ([`lay_out_text`]); the PDF and Word readers render their
//! document as text and call it too, then mark table rows and set [`Line::page`]. HTML is
//! projected into the same shape by [`super::html`].

use super::normalize::{trim_end, trim_start};
use crate::report::InputKind;
use crate::source::{SourceFile, Span};

/// A decoded report, laid out as lines of cells.
#[derive(Debug, Clone)]
pub struct Document {
    pub source: SourceFile,
    pub input: InputKind,
    pub encoding: &'static str,
    /// The text as a reader sees it: for plain text the source itself (shared, not copied);
    /// for HTML the text of the page with tags removed, one block or table row per line,
    /// cells joined by tabs.
    pub text: std::sync::Arc<str>,
    pub lines: Vec<Line>,
    /// What decoding noticed (bytes not valid in the encoding), for the report's anomalies.
    pub notes: Vec<crate::report::Anomaly>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Where the line lies in [`Document::text`].
    pub start: usize,
    pub end: usize,
    /// Where the line lies in the source.
    pub span: Span,
    pub cells: Vec<LineCell>,
    /// Whether the line is a row of a real table (an HTML `<tr>`, a Word table row); other
    /// lines are judged by their cells. Such a line has one cell per grid column, in
    /// [`Unit::Grid`].
    pub table_row: bool,
    /// What the cells' extents are measured in.
    pub unit: Unit,
    /// The page the line is printed on (1-based), for readers of paged documents (PDF).
    pub page: Option<u32>,
}

/// What a line's cell extents are measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// The cell's index in the line: separators (tab, `|`, `／`) give no positions.
    Ordinal,
    /// Columns of the table's grid (HTML `colspan`, Word `gridSpan`).
    Grid,
    /// Display columns of fixed-width text: CJK and full-width characters are two wide.
    Display,
}

impl Unit {
    /// Whether extents in this unit say where a cell stands, so that values are placed under
    /// their column by overlap rather than by counting.
    #[must_use]
    pub fn is_positional(self) -> bool {
        matches!(self, Unit::Grid | Unit::Display)
    }
}

/// A horizontal extent `[x0, x1)` in a line's [`Unit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Extent {
    pub x0: u32,
    pub x1: u32,
}

impl Extent {
    #[must_use]
    pub fn new(x0: u32, x1: u32) -> Self {
        Self { x0, x1: x1.max(x0) }
    }

    /// The extent of the `i`th cell of a line in [`Unit::Ordinal`] or [`Unit::Grid`].
    #[must_use]
    pub fn ordinal(i: usize) -> Self {
        let i = u32::try_from(i).unwrap_or(u32::MAX - 1);
        Self::new(i, i + 1)
    }

    /// How many units two extents share.
    #[must_use]
    pub fn overlap(self, other: Extent) -> u32 {
        self.x1.min(other.x1).saturating_sub(self.x0.max(other.x0))
    }

    #[must_use]
    pub fn join(self, other: Extent) -> Extent {
        Extent::new(self.x0.min(other.x0), self.x1.max(other.x1))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineCell {
    pub text: String,
    pub span: Span,
    /// Where the cell stands in its line, in the line's [`Unit`].
    pub x: Extent,
}

impl Document {
    /// The source span of a range of [`Document::text`]: exact for plain text and Word, the
    /// enclosing lines for HTML.
    #[must_use]
    pub fn source_span(&self, start: usize, end: usize) -> Span {
        if self.input.text_is_source() {
            return Span::new(start, end);
        }
        let first = self.lines.partition_point(|l| l.end < start);
        let last = self.lines.partition_point(|l| l.start < end.max(start + 1));
        match (
            self.lines.get(first),
            last.checked_sub(1).and_then(|i| self.lines.get(i)),
        ) {
            (Some(a), Some(b)) if first < last => a.span.join(b.span),
            (Some(a), _) => a.span,
            _ => Span::default(),
        }
    }

    /// The text of lines `from..to`.
    #[must_use]
    pub fn text_of(&self, from: usize, to: usize) -> &str {
        match (
            self.lines.get(from),
            to.checked_sub(1).and_then(|i| self.lines.get(i)),
        ) {
            (Some(a), Some(b)) if from < to => &self.text[a.start..b.end],
            _ => "",
        }
    }
}

/// Lays out plain text: one line per line, cells split as the line's separators suggest.
/// Lines split at separators are in [`Unit::Ordinal`], others in [`Unit::Display`].
pub fn lay_out_text(source: &SourceFile) -> Vec<Line> {
    let text = source.text();
    // Room for lines of 64 bytes on average, which reports seldom go under.
    let mut lines = Vec::with_capacity(text.len() / 64 + 1);
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let end = start + raw.trim_end_matches(['\n', '\r']).len();
        let (cells, unit) = split_cells(&text[start..end], start);
        lines.push(Line {
            start,
            end,
            span: Span::new(start, end),
            cells,
            table_row: false,
            unit,
            page: None,
        });
        start += raw.len();
    }
    if text.contains('\u{c}') {
        mark_pages(text, &mut lines);
    }
    lines
}

/// Text printed from a paged document (`pdftotext -layout` puts a form feed before each
/// page): every line gets its page, and the running headers and footers lose their cells, so
/// that no heading, title or table header is read from them. A running line is the first or
/// last line of a page that repeats on at least half the pages, digits aside (`1/4`, `2/4`),
/// or a page number there.
fn mark_pages(text: &str, lines: &mut [Line]) {
    let mut page = 1;
    // The first and last lines with cells of each page.
    let mut edges: Vec<(Option<usize>, Option<usize>)> = Vec::new();
    for (i, line) in lines.iter_mut().enumerate() {
        let raw = &text[line.start..line.end];
        page += u32::try_from(raw.matches('\u{c}').count()).unwrap_or(0);
        line.page = Some(page);
        if line
            .cells
            .iter()
            .all(|c| c.text.trim_matches('\u{c}').is_empty())
        {
            continue;
        }
        let at = page as usize - 1;
        if edges.len() <= at {
            edges.resize(at + 1, (None, None));
        }
        edges[at].0.get_or_insert(i);
        edges[at].1 = Some(i);
    }
    let key = |i: usize| -> String {
        text[lines[i].start..lines[i].end]
            .split_whitespace()
            .flat_map(|word| word.chars().chain([' ']))
            .map(|c| if c.is_ascii_digit() { '#' } else { c })
            .collect()
    };
    let pages = edges.iter().filter(|(first, _)| first.is_some()).count();
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for &(first, last) in &edges {
        let mut keys: Vec<String> = [first, last].into_iter().flatten().map(key).collect();
        keys.dedup();
        for k in keys {
            *counts.entry(k).or_default() += 1;
        }
    }
    let running: Vec<usize> = edges
        .iter()
        .flat_map(|&(first, last)| [first, last])
        .flatten()
        .filter(|&i| {
            let n = counts.get(&key(i)).copied().unwrap_or(0);
            (pages >= 2 && n >= 2 && 2 * n >= pages)
                || is_page_number(&text[lines[i].start..lines[i].end])
        })
        .collect();
    for i in running {
        lines[i].cells.clear();
    }
}

/// Whether a line is a page number: `3`, `- 3 -`, `第3页`, `3/10`, `第 3 页 共 10 页`.
#[must_use]
pub fn is_page_number(line: &str) -> bool {
    static PAGE_NUMBER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^[-—–\s]*(第\s*)?\d+\s*(页)?\s*([/／]\s*\d+|共\s*\d+\s*页)?[-—–\s]*$")
            .expect("a valid pattern")
    });
    PAGE_NUMBER.is_match(line)
}

/// Splits a line into cells: at tabs if it has any, else at `|` or `／`, else at runs of two
/// or more spaces (a single space splits only between numbers: `0 0 0`). A line with `／`
/// that runs of spaces split into as many cells or more is split at the spaces: there `／`
/// is part of a label (`本年增／减`) or a mark for nothing (`政府集中采购  ／  ／`).
/// Returns the cells and the unit of their extents: ordinal when split at a separator,
/// display columns otherwise.
pub fn split_cells(line: &str, offset: usize) -> (Vec<LineCell>, Unit) {
    let trimmed = trim_end(line);
    if trim_start(trimmed).is_empty() {
        return (Vec::new(), Unit::Display);
    }
    // Extents are ordinal here, and set to display columns below where spaces split.
    let mut index = 0;
    let mut cell = |from: usize, to: usize| {
        let piece = trim_start(&trimmed[from..to]);
        let text = trim_end(piece);
        let start = offset + to - piece.len();
        index += 1;
        LineCell {
            text: text.to_owned(),
            span: Span::new(start, start + text.len()),
            x: Extent::ordinal(index - 1),
        }
    };
    let bytes = trimmed.as_bytes();
    if bytes.contains(&b'\t') {
        let tabs: usize = bytes.iter().map(|&b| usize::from(b == b'\t')).sum();
        let mut cells = Vec::with_capacity(tabs + 1);
        let mut from = 0;
        for (at, &b) in bytes.iter().enumerate() {
            if b == b'\t' {
                cells.push(cell(from, at));
                from = at + 1;
            }
        }
        cells.push(cell(from, bytes.len()));
        return (cells, Unit::Ordinal);
    }
    let found = Separators::scan(trimmed);
    let mut cells = Vec::new();
    if found.pipes > 0 {
        // `| a | b |`: the empty pieces outside the outer pipes are not cells.
        let mut pieces = Vec::with_capacity(found.pipes + 1);
        split_at(
            trimmed,
            |c| c == '|' || c == '｜',
            |from, to| pieces.push((from, to)),
        );
        let blank = |&(from, to): &(usize, usize)| trimmed[from..to].trim().is_empty();
        let first = usize::from(pieces.first().is_some_and(blank));
        let last =
            pieces.len() - usize::from(pieces.len() > first && pieces.last().is_some_and(blank));
        cells.reserve(last - first);
        for &(from, to) in &pieces[first..last] {
            cells.push(cell(from, to));
        }
        return (cells, Unit::Ordinal);
    } else if found.slashes > 0
        && trimmed.trim_start() != "／"
        && split_spaces(trimmed, found.wide_spaces, |_, _| {}) < found.slashes + 1
    {
        cells.reserve(found.slashes + 1);
        let mut from = 0;
        for piece in trimmed.split('／') {
            cells.push(cell(from, from + piece.len()));
            from += piece.len() + '／'.len_utf8();
        }
        return (cells, Unit::Ordinal);
    } else if found.spaces == 0 && !found.wide_spaces {
        // Prose and labels: one cell.
        cells.push(cell(0, trimmed.len()));
    } else {
        split_spaces(trimmed, found.wide_spaces, |from, to| {
            cells.push(cell(from, to));
        });
    }
    set_display_extents(line, offset, &mut cells);
    (cells, Unit::Display)
}

/// Sets the extents of cells split at spaces to their display columns in the line.
fn set_display_extents(line: &str, offset: usize, cells: &mut [LineCell]) {
    let mut column = 0u32;
    let mut at = 0;
    for cell in cells {
        let start = cell.span.start - offset;
        column += display_width(&line[at..start]);
        let width = display_width(&cell.text);
        cell.x = Extent::new(column, column + width);
        column += width;
        at = start + cell.text.len();
    }
}

/// The display width of a text: CJK and full-width characters are two columns, an
/// ideographic space too.
#[must_use]
pub fn display_width(text: &str) -> u32 {
    // Reports are almost all Han characters, CJK punctuation, quotes, dashes and ASCII, whose
    // widths are known without the library's tables (where a tenth of laying out a text report
    // went). Any other character, which may combine with its neighbours, sends the whole text
    // to the library.
    let mut width = 0usize;
    for c in text.chars() {
        width += match u32::from(c) {
            0x20..=0x7e | 0x2010..=0x2027 => 1,
            0x3000..=0x3029 | 0x4e00..=0x9fff | 0xff01..=0xff60 => 2,
            _ => {
                return u32::try_from(unicode_width::UnicodeWidthStr::width(text))
                    .unwrap_or(u32::MAX);
            }
        };
    }
    u32::try_from(width).unwrap_or(u32::MAX)
}

/// What separators a line (without tabs) has, found in one pass over its bytes.
#[derive(Default)]
struct Separators {
    /// `|` and `｜`.
    pipes: usize,
    /// `／`.
    slashes: usize,
    /// ASCII spaces.
    spaces: usize,
    /// Ideographic or no-break spaces.
    wide_spaces: bool,
}

impl Separators {
    /// The bytes that start a separator: `|`, space, and the lead bytes of `｜` `／`
    /// (U+FF5C, U+FF0F), U+3000 and U+00A0.
    const STARTS: [bool; 256] = {
        let mut starts = [false; 256];
        starts[b'|' as usize] = true;
        starts[b' ' as usize] = true;
        starts[0xef] = true;
        starts[0xe3] = true;
        starts[0xc2] = true;
        starts
    };

    fn scan(line: &str) -> Self {
        // Long lines (prose) are searched for each separator with the library's vectorised
        // searches: there the separators are rare.
        if line.len() >= 64 {
            let count = |needle: char| {
                if line.contains(needle) {
                    line.matches(needle).count()
                } else {
                    0
                }
            };
            return Self {
                pipes: count('|') + count('｜'),
                slashes: count('／'),
                spaces: usize::from(line.as_bytes().contains(&b' ')),
                wide_spaces: line.contains("\u{3000}") || line.contains("\u{a0}"),
            };
        }
        let bytes = line.as_bytes();
        let mut found = Self::default();
        let mut i = 0;
        while let Some(at) = bytes[i..]
            .iter()
            .position(|&b| Self::STARTS[usize::from(b)])
        {
            let at = i + at;
            match &bytes[at..] {
                [b'|', ..] | [0xef, 0xbd, 0x9c, ..] => found.pipes += 1,
                [b' ', ..] => found.spaces += 1,
                [0xef, 0xbc, 0x8f, ..] => found.slashes += 1,
                [0xe3, 0x80, 0x80, ..] | [0xc2, 0xa0, ..] => found.wide_spaces = true,
                _ => {}
            }
            i = at + 1;
        }
        found
    }
}

/// Calls `piece` with the byte range of every piece of `line` between separators.
fn split_at(line: &str, is_separator: impl Fn(char) -> bool, mut piece: impl FnMut(usize, usize)) {
    let mut from = 0;
    for (at, c) in line.char_indices() {
        if is_separator(c) {
            piece(from, at);
            from = at + c.len_utf8();
        }
    }
    piece(from, line.len());
}

/// Splits at runs of two or more spaces (ASCII or ideographic), and at single spaces that
/// stand before a number or between two CJK characters; calls `piece` with the byte range of every piece and returns
/// their number. `line` has no trailing spaces; `wide_spaces` says whether it has any
/// ideographic or no-break space.
fn split_spaces(line: &str, wide_spaces: bool, mut piece: impl FnMut(usize, usize)) -> usize {
    let mut count = 0;
    let mut start = line.len() - line.trim_start().len();
    let mut i = start;
    // Lines with only ASCII spaces (nearly all) are searched with a byte search.
    let next_space = |from: &str| {
        if wide_spaces {
            from.find(is_space)
        } else {
            from.find(' ')
        }
    };
    while let Some(found) = next_space(&line[i..]) {
        let at = i + found;
        let first = line[at..].chars().next().unwrap_or(' ');
        let run = line[at..]
            .find(|c: char| !is_space(c))
            .unwrap_or(line.len() - at);
        let run_end = at + run;
        let wide = line[at..run_end].chars().nth(1).is_some() || first == '\u{3000}';
        let value_follows =
            run_end < line.len() && super::normalize::looks_like_value(word_at(line, run_end));
        // Text laid out from a PDF puts one space between cells (`（六） 1.申请人…`);
        // CJK prose has no spaces inside.
        let between_wide = line[..at].chars().next_back().is_some_and(is_wide)
            && line[run_end..]
                .chars()
                .next()
                .is_some_and(|c| is_wide(c) || c.is_ascii_digit());
        if wide || value_follows || between_wide {
            piece(start, at);
            count += 1;
            start = run_end;
        }
        i = run_end;
        if i >= line.len() {
            break;
        }
    }
    piece(start, line.len());
    count + 1
}

/// The word that starts at `start`: up to the next space.
fn word_at(line: &str, start: usize) -> &str {
    let rest = &line[start..];
    &rest[..rest.find(is_space).unwrap_or(rest.len())]
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\u{a0}'
}

/// Whether a character is two columns wide (CJK, full-width forms).
fn is_wide(c: char) -> bool {
    unicode_width::UnicodeWidthChar::width(c) == Some(2)
}

#[cfg(test)]
mod tests {
    use super::display_width;

    /// The ranges `display_width` counts itself agree with the library, character by character
    /// and in mixed text; other characters (combining, emoji) still go to the library.
    #[test]
    fn display_width_agrees_with_unicode_width() {
        let known = (0x20..=0x7e_u32)
            .chain(0x2010..=0x2027)
            .chain(0x3000..=0x3029)
            .chain(0x4e00..=0x9fff)
            .chain(0xff01..=0xff60);
        for code in known {
            let c = char::from_u32(code).expect("a character");
            let text = c.to_string();
            assert_eq!(
                display_width(&text) as usize,
                unicode_width::UnicodeWidthStr::width(text.as_str()),
                "U+{code:04X}"
            );
        }
        for text in [
            "二、主动公开 12 件",
            "（一）　合计",
            "e\u{301}件",
            "👨‍👩‍👧 3",
            "\u{302a}年",
        ] {
            assert_eq!(
                display_width(text) as usize,
                unicode_width::UnicodeWidthStr::width(text),
                "{text}"
            );
        }
    }
}
