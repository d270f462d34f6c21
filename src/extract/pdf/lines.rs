//! Glyphs → lines: glyphs that share a baseline form a line, read left to right; a line
//! splits into runs where a wide gap or a ruling line separates its glyphs.

use super::glyphs::{Glyph, Page};
use unicode_width::UnicodeWidthStr;

/// Glyphs whose baselines differ by less than this share a line (fraction of the font size).
const SAME_BASELINE: f64 = 0.3;
/// A gap wider than this between two glyphs separates table cells (fraction of the font size).
const CELL_GAP: f64 = 0.8;
/// After a CJK character, a gap wider than this separates table cells: CJK text runs on
/// without gaps, `LibreOffice` spaces CJK and Latin text 0.2 em apart, and its narrow table
/// columns leave little more between cells (`1.属于国家秘密` and `0`, 0.27 em; `本年废止件数`
/// and `现行有效件数`, 0.32 em).
const AFTER_CJK_CELL_GAP: f64 = 0.24;
/// A gap wider than this between two glyphs is a space between words.
const WORD_GAP: f64 = 0.2;

/// The glyphs of one baseline on one page, left to right, spaces left out (gaps stand for them).
#[derive(Debug, Clone)]
pub struct TextLine {
    pub page: u32,
    pub y: f64,
    pub size: f64,
    pub glyphs: Vec<Glyph>,
}

impl TextLine {
    pub fn left(&self) -> f64 {
        self.glyphs.first().map_or(0.0, |g| g.x)
    }

    pub fn right(&self) -> f64 {
        self.glyphs.iter().map(Glyph::end).fold(0.0, f64::max)
    }

    /// The middle of the line's body.
    pub fn middle(&self) -> f64 {
        self.y - self.size * 0.35
    }

    pub fn text(&self) -> String {
        text_of(&self.glyphs)
    }
}

/// A stretch of a line with no cell gap in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Run {
    pub left: f64,
    pub right: f64,
    pub text: String,
}

/// The lines of a page, top to bottom.
pub fn lines_of(page: &Page) -> Vec<TextLine> {
    let mut glyphs: Vec<&Glyph> = page.glyphs.iter().filter(|g| !g.is_space()).collect();
    glyphs.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut lines: Vec<TextLine> = Vec::new();
    for glyph in glyphs {
        match lines.last_mut() {
            Some(line) if (glyph.y - line.y).abs() <= SAME_BASELINE * line.size.max(glyph.size) => {
                line.size = line.size.max(glyph.size);
                line.glyphs.push(glyph.clone());
            }
            _ => lines.push(TextLine {
                page: page.number,
                y: glyph.y,
                size: glyph.size,
                glyphs: vec![glyph.clone()],
            }),
        }
    }
    for line in &mut lines {
        line.glyphs.sort_by(|a, b| a.x.total_cmp(&b.x));
        // Some producers draw a glyph twice for a bold effect; one copy is the text.
        line.glyphs
            .dedup_by(|b, a| a.text == b.text && (a.x - b.x).abs() < a.size * 0.1);
    }
    lines
}

/// Splits glyphs (left to right) into runs at cell gaps and at the x positions in `cuts`.
pub fn runs(glyphs: &[Glyph], cuts: &[f64]) -> Vec<Run> {
    let mut runs = Vec::new();
    let mut from = 0;
    for i in 1..=glyphs.len() {
        let split = glyphs.get(i).is_none_or(|next| {
            let previous = &glyphs[i - 1];
            let gap = next.x - previous.end();
            let size = previous.size.max(next.size);
            gap > CELL_GAP * size
                || (gap > AFTER_CJK_CELL_GAP * size && display_width(&previous.text) == 2)
                || cuts.iter().any(|&cut| {
                    previous.x + previous.advance / 2.0 < cut && cut < next.x + next.advance / 2.0
                })
        });
        if split {
            let piece = &glyphs[from..i];
            runs.push(Run {
                left: piece[0].x,
                right: piece.iter().map(Glyph::end).fold(0.0, f64::max),
                text: text_of(piece),
            });
            from = i;
        }
    }
    runs
}

/// The text of glyphs on one line, with a space where a gap separates two words.
pub fn text_of(glyphs: &[Glyph]) -> String {
    let mut text = String::new();
    for (i, glyph) in glyphs.iter().enumerate() {
        if let Some(previous) = i.checked_sub(1).map(|p| &glyphs[p]) {
            // Gaps next to CJK characters are typography (LibreOffice's autospacing between
            // CJK and Latin text), not spaces.
            if glyph.x - previous.end() > WORD_GAP * glyph.size
                && !text.ends_with(' ')
                && display_width(&previous.text) == 1
                && display_width(&glyph.text) == 1
            {
                text.push(' ');
            }
        }
        text.push_str(&glyph.text);
    }
    text
}

/// Joins the texts of lines stacked inside one cell: CJK text runs on without a break,
/// words of other scripts get a space.
pub fn join_stacked(parts: &[String]) -> String {
    let mut text = String::new();
    for part in parts {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let word_end = text
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        let word_start = part
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if word_end && word_start {
            text.push(' ');
        }
        text.push_str(part);
    }
    text
}

/// Columns `text` takes on a terminal: CJK characters two, others one.
pub fn display_width(text: &str) -> usize {
    text.width()
}
