//! Named source texts and byte spans into them. Every diagnostic and every finding points into
//! one of these, whether it is a rule file or a report.

use std::fmt;
use std::sync::{Arc, OnceLock};

/// A half-open byte range `start..end` into one source text.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    #[must_use]
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    #[must_use]
    pub const fn len(self) -> usize {
        self.end - self.start
    }

    #[must_use]
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn join(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..{}", self.start, self.end)
    }
}

impl From<Span> for miette::SourceSpan {
    fn from(span: Span) -> Self {
        (span.start, span.len()).into()
    }
}

/// A value together with where it was written.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Spanned<T> {
    pub node: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub const fn new(node: T, span: Span) -> Self {
        Self { node, span }
    }
}

impl<T: fmt::Debug> fmt::Debug for Spanned<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?} @{:?}", self.node, self.span)
    }
}

/// A source text with the name it is shown under (a path, or `<内置>/national-2019.gouji`).
#[derive(Clone, Debug)]
pub struct SourceFile {
    name: Arc<str>,
    text: Arc<str>,
    /// Where lines start, built on first use: finding the line and column of each of many
    /// findings in a large report must not scan the text again each time.
    index: Arc<OnceLock<LineIndex>>,
}

impl SourceFile {
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Self {
            name: name.into(),
            text: text.into(),
            index: Arc::default(),
        }
    }

    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, shared.
    pub fn shared_text(&self) -> Arc<str> {
        Arc::clone(&self.text)
    }

    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// The 1-based line and column (in characters) of a byte offset.
    #[must_use]
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = floor_char_boundary(&self.text, offset.min(self.text.len()));
        let index = self.index();
        let line = index.line_of(offset);
        let column = index.chars_before(&self.text, offset)
            - index.chars_before(&self.text, index.line_starts[line]);
        (line + 1, column + 1)
    }
}

/// Lines longer than this are shown under a diagnostic only in part: around the span, as far
/// as [`SHOWN_AROUND`] on either side. Minified HTML or a JSON report can be one line of
/// megabytes, and miette cannot underline past column 65,535.
const LONG_LINE: usize = 2000;
/// How much of a long line is shown on either side of a span, in bytes.
const SHOWN_AROUND: usize = 160;
/// The widest span of a long line shown at all; wider spans are shown one label at a time.
const WIDEST_SHOWN: usize = 8000;

impl miette::SourceCode for SourceFile {
    fn read_span<'a>(
        &'a self,
        span: &miette::SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn miette::SpanContents<'a> + 'a>, miette::MietteError> {
        let text = &self.text;
        let (start, len) = (span.offset(), span.len());
        if start > text.len() || start + len > text.len() {
            return Err(miette::MietteError::OutOfBounds);
        }
        let index = self.index();
        let first = index.line_of(start);
        let last = index.line_of(if len == 0 { start } else { start + len - 1 });
        let line_end = |line: usize| {
            index
                .line_starts
                .get(line + 1)
                .map_or(text.len(), |&next| next)
        };
        let long = (first..=last).any(|l| line_end(l) - index.line_starts[l] > LONG_LINE);
        if long {
            return self.read_long_line_span(start, len, first, last);
        }
        // miette reads from the start of the text for every span; it is given only the lines
        // around the span (and one more after, which it may look at), so that a report with
        // many findings is rendered in linear time. Its line numbers are then shifted back.
        let base_line = first.saturating_sub(context_lines_before);
        let last_read = (last + context_lines_after + 1).min(index.line_starts.len() - 1);
        let base = index.line_starts[base_line];
        let around = &text[base..line_end(last_read)];
        let contents = around.read_span(
            &(start - base, len).into(),
            context_lines_before,
            context_lines_after,
        )?;
        // miette counts columns in bytes; people count characters (一 is one column, not
        // three).
        let column = if contents.column() == 0 {
            0
        } else {
            self.char_column(start, first)
        };
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            contents.data(),
            (base + contents.span().offset(), contents.span().len()).into(),
            base_line + contents.line(),
            column,
            base_line + contents.line_count(),
        )))
    }
}

impl SourceFile {
    /// The characters between the start of line `line` (0-based) and a byte offset on it.
    fn char_column(&self, offset: usize, line: usize) -> usize {
        let index = self.index();
        index.chars_before(&self.text, floor_char_boundary(&self.text, offset))
            - index.chars_before(&self.text, index.line_starts[line])
    }

    /// A span on lines too long to show whole: the part of them around the span. A span too
    /// wide to show is refused (miette then shows each label on its own).
    fn read_long_line_span(
        &self,
        start: usize,
        len: usize,
        first: usize,
        last: usize,
    ) -> Result<Box<dyn miette::SpanContents<'_> + '_>, miette::MietteError> {
        if len > WIDEST_SHOWN {
            return Err(miette::MietteError::OutOfBounds);
        }
        let (text, index) = (&self.text, self.index());
        let line_end = index
            .line_starts
            .get(last + 1)
            .map_or(text.len(), |&next| next - 1);
        let from = floor_char_boundary(
            text,
            start
                .saturating_sub(SHOWN_AROUND)
                .max(index.line_starts[first]),
        );
        let to = ceil_char_boundary(text, (start + len + SHOWN_AROUND).min(line_end));
        Ok(Box::new(miette::MietteSpanContents::new_named(
            self.name.to_string(),
            &text.as_bytes()[from..to],
            (from, to - from).into(),
            first,
            self.char_column(start, first),
            last + 1,
        )))
    }
}

/// The byte offsets where lines start, and the count of characters before every
/// [`LineIndex::BLOCK`]-th byte: line and column in logarithmic time after one linear pass.
#[derive(Debug)]
struct LineIndex {
    line_starts: Vec<usize>,
    /// Characters before the char boundary at or before `i * BLOCK`.
    block_chars: Vec<usize>,
}

impl LineIndex {
    const BLOCK: usize = 4096;

    fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        let mut block_chars = Vec::with_capacity(text.len() / Self::BLOCK + 1);
        let mut chars = 0;
        let mut from = 0;
        for block in 0..=text.len() / Self::BLOCK {
            let at = floor_char_boundary(text, block * Self::BLOCK);
            chars += text[from..at].chars().count();
            block_chars.push(chars);
            from = at;
        }
        Self {
            line_starts,
            block_chars,
        }
    }

    /// The 0-based line a byte offset is on.
    fn line_of(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset) - 1
    }

    /// The characters before a byte offset (a char boundary).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / Self::BLOCK;
        let from = floor_char_boundary(text, block * Self::BLOCK);
        self.block_chars[block] + text[from..offset].chars().count()
    }
}

/// The smallest char boundary at or after `index` (at most the text's length).
fn ceil_char_boundary(text: &str, mut index: usize) -> usize {
    while index < text.len() && !text.is_char_boundary(index) {
        index += 1;
    }
    index.min(text.len())
}

/// The largest char boundary at or before `index`.
#[must_use]
pub fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}
