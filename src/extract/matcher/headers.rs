//! A table's declared labels, and the columns its header lines name.

use super::lines::NormalizedLine;
use super::placement::{Measure, header_pieces};
use super::{Label, TableLabels};
use crate::extract::layout::{Document, Line, Unit};
use crate::extract::normalize::{char_bits, contains_with_bits, normalize, split_ordinal};
use crate::report::LabelMatch;
use crate::ruleset::{Node, Table};

pub(super) fn table_labels(table: &Table) -> TableLabels {
    let anchors = table
        .anchors
        .iter()
        .map(|a| normalize(a))
        .filter(|a| !a.is_empty())
        .map(|a| {
            let bits = char_bits(&a);
            (a, bits)
        })
        .collect();
    let rows = table
        .leaf_rows()
        .map(|r| {
            let node = &table.rows[r];
            let labels = node_labels(node)
                .into_iter()
                .map(|(full, kind)| {
                    let rest = split_ordinal(&full).1.to_owned();
                    Label { full, rest, kind }
                })
                .collect();
            (r, labels)
        })
        .collect();
    let columns = table
        .columns
        .iter()
        .map(|c| {
            node_labels(c)
                .into_iter()
                .map(|(l, _)| {
                    let bits = char_bits(&l);
                    (l, bits)
                })
                .collect()
        })
        .collect();
    TableLabels {
        anchors,
        rows,
        columns,
        leaf_columns: table.leaf_columns().collect(),
    }
}

pub(super) fn node_labels(node: &Node) -> Vec<(String, LabelMatch)> {
    if node.unlabeled {
        return Vec::new();
    }
    std::iter::once((normalize(&node.label), LabelMatch::Exact))
        .chain(node.aliases.iter().map(|a| {
            (
                normalize(&a.text),
                if a.nonstandard {
                    LabelMatch::NonstandardAlias
                } else {
                    LabelMatch::Alias
                },
            )
        }))
        .filter(|(l, _)| !l.is_empty())
        .collect()
}

/// Marks the columns whose label appears in a header line. A header cell split by a line
/// break (`本年新` over `制作数量`, `商业` over `企业`) is rejoined with the cell above it in
/// the previous header line, matching cells from the left and from the right (a layout that
/// drops empty cells keeps the right edge).
pub(super) fn mark_headers(
    line: NormalizedLine<'_>,
    previous: Option<NormalizedLine<'_>>,
    labels: &TableLabels,
    found: &mut [bool],
) {
    if line.text.is_empty() {
        return;
    }
    let mark = |found: &mut [bool], text: &str, bits: u128| {
        for (c, names) in labels.columns.iter().enumerate() {
            if !found[c]
                && names
                    .iter()
                    .any(|(n, nb)| contains_with_bits(text, bits, n, *nb))
            {
                found[c] = true;
            }
        }
    };
    mark(found, line.text, line.bits);
    let Some(previous) = previous else {
        return;
    };
    if found.iter().all(|&f| f) {
        return;
    }
    let (above, below) = (previous.ends.len(), line.ends.len());
    let mut joined = String::new();
    for (a, b) in (0..above.min(below))
        .map(|i| (i, i))
        .chain((1..=above.min(below)).map(|i| (above - i, below - i)))
    {
        let (top, bottom) = (previous.cell(a), line.cell(b));
        if top.is_empty() || bottom.is_empty() {
            continue;
        }
        joined.clear();
        joined.push_str(top);
        joined.push_str(bottom);
        mark(found, &joined, char_bits(&joined));
    }
}

/// Marks the columns whose label a header cell stacked over the header lines spells (`自`
/// `然` `人` one character a line), in display columns or in characters: for tables whose
/// values could not be placed by position (`pdftotext -layout` squeezes a row's values
/// together), so that a header that is there is not reported missing.
pub(super) fn mark_stacked_headers(
    document: &Document,
    header_lines: &[usize],
    labels: &TableLabels,
    found: &mut [bool],
) {
    let lines: Vec<&Line> = header_lines
        .iter()
        .map(|&i| &document.lines[i])
        .filter(|l| l.unit == Unit::Display && !l.cells.is_empty())
        .collect();
    for measure in [Measure::Extents, Measure::Chars] {
        for piece in header_pieces(document, &lines, measure) {
            let bits = char_bits(&piece.text);
            for (c, names) in labels.columns.iter().enumerate() {
                if !found[c]
                    && names
                        .iter()
                        .any(|(n, nb)| contains_with_bits(&piece.text, bits, n, *nb))
                {
                    found[c] = true;
                }
            }
        }
    }
}
