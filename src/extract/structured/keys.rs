//! Key paths of a table: how a written path resolves to a leaf row or column, and how it is
//! named in a message.

use crate::ruleset::{Node, Table};
use crate::source::Span;

/// How a leaf column is named in a message: by its label, or by its key where another
/// column has the same label (the 结果维持 of each block of the review table).
pub(super) fn column_name<'t>(state: &TableState<'t>, c: usize) -> &'t str {
    let table = state.table;
    let label = table.columns[state.column_nodes[c]].label.as_str();
    let shared = state
        .column_nodes
        .iter()
        .filter(|&&n| table.columns[n].label == label)
        .count();
    if label.is_empty() || shared > 1 {
        state.columns[c]
    } else {
        label
    }
}

pub(super) struct TableState<'t> {
    pub(super) table: &'t Table,
    /// Leaf row and column paths, in the table's order.
    pub(super) rows: Vec<&'t str>,
    pub(super) columns: Vec<&'t str>,
    pub(super) row_nodes: Vec<usize>,
    pub(super) column_nodes: Vec<usize>,
    /// The key span of each row, once read.
    pub(super) row_at: Vec<Option<Span>>,
    /// Rows written with a value that is not a table of cells.
    pub(super) row_invalid: Vec<bool>,
    /// The key span of each cell, once read.
    pub(super) cell_at: Vec<Option<Span>>,
}

/// What a written key path names among a table's leaf paths.
#[derive(Debug, PartialEq)]
pub(super) enum Resolved {
    Leaf(usize),
    /// A group: some leaf paths continue it.
    Group,
    Ambiguous(Vec<usize>),
    Unknown,
}

/// Resolves a key path: a leaf path written in full, a group's path, the end of exactly one
/// leaf path (`商业企业` for `法人或其他组织.商业企业`), or the middle of leaf paths (`直诉` in
/// `诉讼.直诉.维持`), in that order.
pub(super) fn resolve(leaves: &[&str], path: &str) -> Resolved {
    if let Some(i) = leaves.iter().position(|l| *l == path) {
        return Resolved::Leaf(i);
    }
    if leaves.iter().any(|l| under_group(l, path)) {
        return Resolved::Group;
    }
    let ends: Vec<usize> = leaves
        .iter()
        .enumerate()
        .filter(|(_, l)| l.strip_suffix(path).is_some_and(|head| head.ends_with('.')))
        .map(|(i, _)| i)
        .collect();
    match ends.len() {
        1 => Resolved::Leaf(ends[0]),
        0 if !path.is_empty() && leaves.iter().any(|l| l.contains(&format!(".{path}."))) => {
            Resolved::Group
        }
        0 => Resolved::Unknown,
        _ => Resolved::Ambiguous(ends),
    }
}

/// Whether a leaf path lies under the group path `group`.
pub(super) fn under_group(leaf: &str, group: &str) -> bool {
    !group.is_empty()
        && leaf
            .strip_prefix(group)
            .is_some_and(|rest| rest.starts_with('.'))
}

pub(super) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Names to suggest for a mistyped key: every leaf path and its last part.
pub(super) fn candidates<'a>(leaves: &'a [&'a str]) -> impl Iterator<Item = &'a str> {
    leaves.iter().flat_map(|l| {
        let last = l.rsplit('.').next().unwrap_or(l);
        [*l, last]
    })
}

pub(super) fn hint(suggestion: Option<String>) -> String {
    suggestion
        .map(|s| format!("（是不是「{s}」？）"))
        .unwrap_or_default()
}

pub(super) fn display_label(node: &Node) -> &str {
    if node.unlabeled || node.label.is_empty() {
        &node.key
    } else {
        &node.label
    }
}
