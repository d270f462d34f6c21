//! The lines a reading looks at, normalised once.

use super::TableLabels;
use crate::extract::layout::{Document, Line};
use crate::extract::normalize::{
    char_bits, contains_with_bits, normalize_into, trim, uses_traditional,
};

/// A line's cells, normalised and concatenated, with where each cell ends.
#[derive(Clone, Copy)]
pub(super) struct NormalizedLine<'a> {
    pub(super) text: &'a str,
    /// Where each cell ends in `text`.
    pub(super) ends: &'a [usize],
    /// The [`char_bits`] of `text`.
    pub(super) bits: u128,
}

impl<'a> NormalizedLine<'a> {
    pub(super) fn cell(&self, index: usize) -> &'a str {
        let from = index.checked_sub(1).map_or(0, |i| self.ends[i]);
        &self.text[from..self.ends[index]]
    }

    /// The cells `..=last`, concatenated.
    pub(super) fn up_to(&self, last: usize) -> &'a str {
        &self.text[..self.ends[last]]
    }
}

/// Where a normalised line is kept in [`NormalizedLines`].
#[derive(Clone, Copy)]
pub(super) struct Slot {
    pub(super) text: (usize, usize),
    pub(super) ends: (usize, usize),
    pub(super) bits: u128,
    /// Whether the line could be a heading or hold an anchor: not blank, not long prose.
    pub(super) short: bool,
    /// The tables (of the first 64) whose anchor the line holds, as bits.
    pub(super) anchors: u64,
}

/// The lines of a document that a reading looks at (heading candidates, then the regions
/// where tables are), normalised once into one buffer; and for each, the tables whose anchor
/// it holds.
pub(super) struct NormalizedLines<'d> {
    pub(super) document: &'d Document,
    pub(super) tables: &'d [TableLabels],
    pub(super) traditional: bool,
    pub(super) text: String,
    pub(super) ends: Vec<usize>,
    pub(super) slots: Vec<Option<Slot>>,
}

impl<'d> NormalizedLines<'d> {
    /// Lines longer than this (in bytes) are prose: no heading or anchor is that long.
    const MAX_LINE: usize = 600;
    /// Lines longer than this are not even a table's row or header, and are not normalised.
    const MAX_ROW: usize = 4000;

    pub(super) fn new(document: &'d Document, tables: &'d [TableLabels]) -> Self {
        Self {
            document,
            tables,
            traditional: uses_traditional(&document.text),
            text: String::with_capacity(document.text.len()),
            ends: Vec::with_capacity(document.lines.iter().map(|l| l.cells.len()).sum()),
            slots: vec![None; document.lines.len()],
        }
    }

    /// Normalises the lines in `range` that `wanted` accepts (and were not yet).
    pub(super) fn normalize(
        &mut self,
        range: std::ops::Range<usize>,
        wanted: impl Fn(&Line) -> bool,
    ) {
        let document = self.document;
        for index in range {
            let line = &document.lines[index];
            if self.slots[index].is_some()
                || line.cells.is_empty()
                || line.end - line.start > Self::MAX_ROW
                || !wanted(line)
            {
                continue;
            }
            let start = self.text.len();
            let first_end = self.ends.len();
            let mut bits = 0;
            for cell in &line.cells {
                if self.traditional {
                    let mut simplified = String::with_capacity(cell.text.len());
                    normalize_into(&mut simplified, &cell.text);
                    if !simplified.is_ascii() {
                        simplified = fast2s::convert(&simplified);
                    }
                    bits |= char_bits(&simplified);
                    self.text.push_str(&simplified);
                } else {
                    bits |= normalize_into(&mut self.text, &cell.text);
                }
                self.ends.push(self.text.len() - start);
            }
            let text = &self.text[start..];
            let raw = &document.text[line.start..line.end];
            let short = raw.len() <= Self::MAX_LINE && !trim(raw).is_empty();
            let anchors = if short {
                (0..self.tables.len().min(64))
                    .filter(|&t| holds_anchor(&self.tables[t], text, bits))
                    .fold(0, |anchors, t| anchors | 1 << t)
            } else {
                0
            };
            self.slots[index] = Some(Slot {
                text: (start, self.text.len()),
                ends: (first_end, self.ends.len()),
                bits,
                short,
                anchors,
            });
        }
    }

    /// A normalised line; `None` for lines not normalised (blank, too long, or outside what
    /// the reading looks at).
    pub(super) fn line(&self, index: usize) -> Option<NormalizedLine<'_>> {
        let slot = self.slots.get(index)?.as_ref()?;
        Some(NormalizedLine {
            text: &self.text[slot.text.0..slot.text.1],
            ends: &self.ends[slot.ends.0..slot.ends.1],
            bits: slot.bits,
        })
    }

    /// A line that could be a heading or hold an anchor.
    pub(super) fn short(&self, index: usize) -> Option<NormalizedLine<'_>> {
        self.slots[index]
            .filter(|s| s.short)
            .and_then(|_| self.line(index))
    }

    pub(super) fn is_anchor(&self, index: usize, table: usize) -> bool {
        match self.slots[index] {
            Some(slot) if slot.short && table < 64 => slot.anchors & 1 << table != 0,
            Some(slot) if slot.short => self
                .line(index)
                .is_some_and(|n| holds_anchor(&self.tables[table], n.text, n.bits)),
            _ => false,
        }
    }

    /// Whether a line holds the anchor of a table other than `table`.
    pub(super) fn is_other_anchor(&self, index: usize, table: usize) -> bool {
        let others = if table < 64 { !(1u64 << table) } else { !0 };
        self.slots[index].is_some_and(|slot| slot.short && slot.anchors & others != 0)
            || (64..self.tables.len()).any(|t| t != table && self.is_anchor(index, t))
    }
}

pub(super) fn holds_anchor(table: &TableLabels, text: &str, bits: u128) -> bool {
    table
        .anchors
        .iter()
        .any(|(anchor, anchor_bits)| contains_with_bits(text, bits, anchor, *anchor_bits))
}

/// Whether a line could be a section heading: headings are short lines (long ones are prose
/// that happens to contain a title), of one or two cells.
pub(super) fn heading_candidate(document: &Document, line: &Line) -> bool {
    const MAX_CHARS: usize = 60;
    if line.cells.is_empty() || line.cells.len() > 2 {
        return false;
    }
    let text = trim(&document.text[line.start..line.end]);
    if text.len() <= MAX_CHARS {
        return !text.is_empty();
    }
    // More than MAX_CHARS characters start within the first 4 × (MAX_CHARS + 1) bytes
    // exactly when the text has more than MAX_CHARS characters. (A byte that is not a
    // continuation byte starts a character.)
    let head = &text.as_bytes()[..text.len().min(4 * (MAX_CHARS + 1))];
    head.iter()
        .filter(|&&b| !(0x80..=0xbf).contains(&b))
        .count()
        <= MAX_CHARS
}
