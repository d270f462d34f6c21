//! Which declared row a printed label names.

use super::TableLabels;
use super::lines::NormalizedLine;
use super::tables::Printed;
use crate::extract::labels::{closest, row_distance};
use crate::extract::layout::Line;
use crate::extract::normalize::{normalize, split_ordinal};
use crate::report::LabelMatch;

impl LabelMatch {
    /// A drifted match through an alias is as bad as drift.
    pub(super) fn max_drift(self) -> LabelMatch {
        match self {
            LabelMatch::Exact | LabelMatch::Drift => LabelMatch::Drift,
            other => other,
        }
    }
}

pub(super) fn rank(how: LabelMatch) -> u8 {
    match how {
        LabelMatch::Exact => 0,
        LabelMatch::Alias => 1,
        LabelMatch::NonstandardAlias => 2,
        LabelMatch::Drift => 3,
    }
}

/// Two label texts (ordinals removed) are the same if equal, or if one is the other plus a
/// bracketed note (`部分公开` and `部分公开(区分处理的,…)`).
pub(super) fn same_text(declared: &str, printed: &str) -> bool {
    declared == printed
        || declared
            .strip_prefix(printed)
            .is_some_and(|r| r.starts_with('('))
        || printed
            .strip_prefix(declared)
            .is_some_and(|r| r.starts_with('('))
}

/// Finds the declared row that a line's label cells name: the most specific (last)
/// label cell first, then all label cells together; rows after the previous match first.
/// For a line without any value (`strict`), a label printed without its ordinal that
/// matches only by its text is no row: a header cell `总计` is not the row `（七）总计`.
pub(super) fn match_row(
    norm: NormalizedLine<'_>,
    line: &Line,
    labels: &TableLabels,
    label_end: usize,
    matched: &[bool],
    cursor: usize,
    strict: bool,
) -> Option<(usize, LabelMatch, Printed)> {
    let last = line.cells[..=label_end]
        .iter()
        .rposition(|c| !c.text.is_empty())?;
    let single = norm.cell(last);
    let joined = norm.up_to(label_end);
    let candidates = [(single, Printed::Cell(last)), (joined, Printed::Joined)];
    // All label cells together are the last one alone when the others are empty.
    let count = if joined.len() == single.len() { 1 } else { 2 };
    for &(candidate, printed) in &candidates[..count] {
        let (ordinal, rest) = split_ordinal(candidate);
        let order = (cursor..labels.rows.len()).chain(0..cursor.min(labels.rows.len()));
        let mut best: Option<(usize, LabelMatch)> = None;
        for k in order {
            if matched[k] {
                continue;
            }
            for label in &labels.rows[k].1 {
                let how = if label.full == candidate {
                    Some(label.kind)
                } else if !rest.is_empty() && same_text(&label.rest, rest) {
                    Some(if label.kind == LabelMatch::Exact {
                        LabelMatch::Drift
                    } else {
                        label.kind.max_drift()
                    })
                } else {
                    None
                };
                if let Some(how) = how {
                    if best.is_none_or(|(_, b)| rank(how) < rank(b)) {
                        best = Some((k, how));
                    }
                }
            }
            if best.is_some_and(|(_, how)| how == LabelMatch::Exact) {
                break;
            }
        }
        match best {
            Some((_, LabelMatch::Drift)) if strict && ordinal.is_empty() => {}
            Some((k, how)) => return Some((k, how, printed)),
            None => {}
        }
    }
    if strict {
        return None;
    }
    // A row with values whose label differs a little from every declared spelling: the
    // closest of the rows expected here (the unmatched ones just before and after the
    // cursor). Normalised again: traditional characters in a report otherwise written in
    // simplified ones were not converted.
    let printed = normalize(single);
    let (_, rest) = split_ordinal(&printed);
    let near = cursor.saturating_sub(NEAR_ROWS)..(cursor + NEAR_ROWS).min(labels.rows.len());
    let candidates = near
        .filter(|&k| !matched[k])
        .flat_map(|k| labels.rows[k].1.iter().map(move |l| (k, l.rest.as_str())));
    closest(rest, candidates, row_distance).map(|k| (k, LabelMatch::Drift, Printed::Cell(last)))
}

/// How many declared rows before and after the cursor a drifted row label may name.
const NEAR_ROWS: usize = 3;
