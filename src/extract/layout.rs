//! A report's layout, before any rule set is applied: its text as lines, each line split
//! into cells, every line and cell with its span in the source. Plain text is split here;
//! HTML is projected into the same shape by [`super::html`], so one matcher serves both.

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
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Where the line lies in [`Document::text`].
    pub start: usize,
    pub end: usize,
    /// Where the line lies in the source.
    pub span: Span,
    pub cells: Vec<LineCell>,
    /// Whether the line is a row of a real table (an HTML `<tr>`); plain-text lines are
    /// judged by their cells.
    pub table_row: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LineCell {
    pub text: String,
    pub span: Span,
}

impl Document {
    /// The source span of a range of [`Document::text`]: exact for plain text, the enclosing
    /// lines for HTML.
    #[must_use]
    pub fn source_span(&self, start: usize, end: usize) -> Span {
        if self.input == InputKind::Text {
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
pub fn lay_out_text(source: &SourceFile) -> Vec<Line> {
    let text = source.text();
    let mut lines = Vec::new();
    let mut start = 0;
    for raw in text.split_inclusive('\n') {
        let end = start + raw.trim_end_matches(['\n', '\r']).len();
        let cells = split_cells(&text[start..end], start);
        lines.push(Line {
            start,
            end,
            span: Span::new(start, end),
            cells,
            table_row: false,
        });
        start += raw.len();
    }
    lines
}

/// Splits a line into cells: at tabs if it has any, else at `|` or `／`, else at runs of two
/// or more spaces (a single space splits only between numbers: `0 0 0`).
pub fn split_cells(line: &str, offset: usize) -> Vec<LineCell> {
    let trimmed = line.trim_end();
    if trimmed.trim().is_empty() {
        return Vec::new();
    }
    let pieces: Vec<(usize, &str)> = if trimmed.contains('\t') {
        split_keep_offsets(trimmed, |s| s.find('\t').map(|i| (i, 1)))
    } else if trimmed.contains('|') || trimmed.contains('｜') {
        let mut p = split_keep_offsets(trimmed, |s| {
            s.char_indices()
                .find(|&(_, c)| c == '|' || c == '｜')
                .map(|(i, c)| (i, c.len_utf8()))
        });
        // `| a | b |`: the empty pieces outside the outer pipes are not cells.
        if p.first().is_some_and(|(_, t)| t.trim().is_empty()) {
            p.remove(0);
        }
        if p.last().is_some_and(|(_, t)| t.trim().is_empty()) {
            p.pop();
        }
        p
    } else if trimmed.contains('／') && !trimmed.trim().eq("／") {
        split_keep_offsets(trimmed, |s| s.find('／').map(|i| (i, '／'.len_utf8())))
    } else {
        split_spaces(trimmed)
    };
    pieces
        .into_iter()
        .map(|(at, piece)| {
            let lead = piece.len() - piece.trim_start().len();
            let text = piece.trim();
            let start = offset + at + lead;
            LineCell {
                text: text.to_owned(),
                span: Span::new(start, start + text.len()),
            }
        })
        .collect()
}

fn split_keep_offsets(
    line: &str,
    next: impl Fn(&str) -> Option<(usize, usize)>,
) -> Vec<(usize, &str)> {
    let mut pieces = Vec::new();
    let mut at = 0;
    while let Some((i, len)) = next(&line[at..]) {
        pieces.push((at, &line[at..at + i]));
        at += i + len;
    }
    pieces.push((at, &line[at..]));
    pieces
}

/// Splits at runs of two or more spaces (ASCII or ideographic), and at single spaces that
/// stand between two numbers.
fn split_spaces(line: &str) -> Vec<(usize, &str)> {
    let leading = line.len() - line.trim_start().len();
    let mut pieces = Vec::new();
    let mut start = leading;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (at, c) = chars[i];
        if at < leading || !is_space(c) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && is_space(chars[j].1) {
            j += 1;
        }
        let run_end = chars.get(j).map_or(line.len(), |&(a, _)| a);
        let wide = j - i >= 2 || c == '\u{3000}';
        let value_follows =
            j < chars.len() && super::normalize::looks_like_value(word_at(line, run_end));
        if wide || value_follows {
            pieces.push((start, &line[start..at]));
            start = run_end;
        }
        i = j;
    }
    pieces.push((start, &line[start..]));
    pieces
}

/// The word that starts at `start`: up to the next space.
fn word_at(line: &str, start: usize) -> &str {
    let rest = &line[start..];
    &rest[..rest.find(is_space).unwrap_or(rest.len())]
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\u{3000}' || c == '\u{a0}'
}
