//! A report's tables on the page, drawn as the rule set declares them: groups of rows and
//! columns spanning their members, the values read in the cells, the cells that findings
//! name marked. The labels of a declared table are the same in every report read under its
//! rule set, so they are laid out once per run ([`Layouts`]) and shared by every report.

use std::borrow::Cow;
use std::collections::HashMap;

use crate::report::{CellValue, TableData};
use crate::ruleset::{Node, RuleSet, Severity, Table};

/// The title of every rule set and the layout of each of its tables, by rule set id and
/// table key: built once per run, read on every thread that renders a report.
pub(super) struct Layouts {
    sets: HashMap<String, SetLayouts>,
}

struct SetLayouts {
    title: Option<String>,
    tables: HashMap<String, Layout>,
}

impl Layouts {
    pub(super) fn new(rule_sets: &[RuleSet]) -> Self {
        let mut sets = HashMap::new();
        // As elsewhere, the first set of an id is the one a report's id names.
        for set in rule_sets {
            sets.entry(set.id.clone()).or_insert_with(|| SetLayouts {
                title: set.title.clone(),
                tables: set
                    .tables
                    .iter()
                    .map(|t| {
                        let section = set.sections[t.section].title.as_str();
                        (t.key.clone(), Layout::declared(t, section))
                    })
                    .collect(),
            });
        }
        Self { sets }
    }

    pub(super) fn title(&self, rule_set: &str) -> Option<&str> {
        self.sets.get(rule_set)?.title.as_deref()
    }

    fn table(&self, rule_set: &str, key: &str) -> Option<&Layout> {
        self.sets.get(rule_set)?.tables.get(key)
    }
}

/// How a table is drawn: its header rows, and for each leaf row its key and the labels
/// before its values.
#[derive(Clone)]
pub(super) struct Layout {
    /// The heading of the section the table is in (empty for a table no rule set declares).
    pub(super) section: String,
    /// Width of the top-left corner above the row labels.
    pub(super) corner_columns: usize,
    pub(super) header: Vec<Vec<Label>>,
    pub(super) rows: Vec<(String, Vec<Label>)>,
    pub(super) columns: Vec<String>,
}

/// A row or column label: its text and how many rows and columns it spans.
#[derive(Clone)]
pub(super) struct Label {
    pub(super) text: String,
    pub(super) rows: usize,
    pub(super) columns: usize,
}

impl Layout {
    fn declared(d: &Table, section: &str) -> Self {
        let columns: Vec<usize> = d.leaf_columns().collect();
        let rows: Vec<usize> = d.leaf_rows().collect();
        let row_tree = Tree::new(&d.rows, &rows);
        Self {
            section: section.to_owned(),
            corner_columns: row_tree.levels,
            header: Tree::new(&d.columns, &columns).header(),
            rows: rows
                .iter()
                .map(|&i| d.rows[i].path.clone())
                .zip(row_tree.row_labels())
                .collect(),
            columns: columns.iter().map(|&i| d.columns[i].path.clone()).collect(),
        }
    }

    /// Without a declaration: a plain grid of the keys read.
    fn plain(t: &TableData) -> Self {
        let label = |key: &String| Label {
            text: key.clone(),
            rows: 1,
            columns: 1,
        };
        Self {
            section: String::new(),
            corner_columns: 1,
            header: vec![t.columns.iter().map(label).collect()],
            rows: t.rows.iter().map(|k| (k.clone(), vec![label(k)])).collect(),
            columns: t.columns.clone(),
        }
    }
}

/// A table of one report, for the template.
pub(super) struct TableView<'a> {
    pub(super) key: &'a str,
    /// Whether the table is the first of its section (which then gets a heading).
    pub(super) first_of_section: bool,
    pub(super) found: bool,
    pub(super) layout: &'a Layout,
    /// The cells of each of the layout's rows.
    pub(super) cells: Vec<Vec<CellView<'a>>>,
}

impl TableView<'_> {
    pub(super) fn section(&self) -> &str {
        &self.layout.section
    }
}

pub(super) struct CellView<'a> {
    pub(super) text: &'a str,
    /// `b` blank, `u` not read, `i` not a value, `m e`/`m w`/`m i` marked with a severity.
    pub(super) class: &'static str,
    /// For a marked cell, the findings that name it and its row and column keys.
    pub(super) mark: Option<(&'a Mark, &'a str, &'a str)>,
    pub(super) title: Option<&'a str>,
}

/// The findings that name a cell of this year's report.
pub(super) struct Mark {
    pub(super) severity: Severity,
    /// The rules, space-separated, in order.
    pub(super) rules: String,
    /// The anchors of the findings, space-separated.
    pub(super) findings: String,
    /// The anchor of the first, which the cell links to.
    pub(super) first: String,
}

/// The marks of a report's cells, by (table, row, column) keys (as in the JSON output).
pub(super) type CellMarks<'a> = HashMap<(&'a str, &'a str, &'a str), Mark>;

/// The layout of each of a report's tables: its rule set's, or for a table the set does not
/// declare, a plain grid.
pub(super) fn layouts_of<'a>(
    tables: &[TableData],
    rule_set: &str,
    layouts: &'a Layouts,
) -> Vec<Cow<'a, Layout>> {
    tables
        .iter()
        .map(|t| {
            layouts
                .table(rule_set, &t.key)
                .map_or_else(|| Cow::Owned(Layout::plain(t)), Cow::Borrowed)
        })
        .collect()
}

/// The tables of a report in the order read, each drawn with its layout (of
/// [`layouts_of`]).
pub(super) fn table_views<'a>(
    tables: &'a [TableData],
    layouts: &'a [Cow<'_, Layout>],
    marks: &'a CellMarks<'_>,
) -> Vec<TableView<'a>> {
    let mut views: Vec<TableView<'a>> = tables
        .iter()
        .zip(layouts)
        .map(|(t, layout)| table_view(t, layout, marks))
        .collect();
    for i in 1..views.len() {
        views[i].first_of_section = views[i].section() != views[i - 1].section();
    }
    views
}

fn table_view<'a>(t: &'a TableData, layout: &'a Layout, marks: &'a CellMarks<'_>) -> TableView<'a> {
    let position = |keys: &'a [String]| -> HashMap<&'a str, usize> {
        keys.iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect()
    };
    let (row_index, column_index) = (position(&t.rows), position(&t.columns));
    let columns_read: Vec<Option<usize>> = layout
        .columns
        .iter()
        .map(|c| column_index.get(c.as_str()).copied())
        .collect();
    let cells = layout
        .rows
        .iter()
        .map(|(row, _)| {
            let r = row_index.get(row.as_str()).copied();
            layout
                .columns
                .iter()
                .zip(&columns_read)
                .map(|(column, c)| {
                    let cell = r.zip(*c).and_then(|(r, c)| t.cell_at(r, c));
                    let mark = marks
                        .get(&(t.key.as_str(), row.as_str(), column.as_str()))
                        .map(|m| (m, row.as_str(), column.as_str()));
                    cell_view(cell, mark)
                })
                .collect()
        })
        .collect();
    TableView {
        key: &t.key,
        first_of_section: true,
        found: t.is_found(),
        layout,
        cells,
    }
}

fn cell_view<'a>(
    cell: Option<&'a crate::report::Cell>,
    mark: Option<(&'a Mark, &'a str, &'a str)>,
) -> CellView<'a> {
    let (text, class, title) = match cell {
        // The legend explains 空 and ？ once for the page.
        None => ("？", "u", None),
        Some(c) => match &c.value {
            CellValue::Blank => ("空", "b", None),
            CellValue::Invalid(reason) => (c.raw.as_str(), "i", Some(reason.as_str())),
            _ => (c.raw.as_str(), "", None),
        },
    };
    match mark {
        Some((m, ..)) => CellView {
            text,
            class: match m.severity {
                Severity::Error => "m e",
                Severity::Warning => "m w",
                Severity::Info => "m i",
            },
            mark,
            // The script puts the findings' messages here: written out, they would repeat
            // each message in every cell it names.
            title: None,
        },
        None => CellView {
            text,
            class,
            mark: None,
            title,
        },
    }
}

fn depth(nodes: &[Node], mut node: usize) -> usize {
    let mut depth = 0;
    while let Some(parent) = nodes[node].parent {
        depth += 1;
        node = parent;
    }
    depth
}

/// A tree of rows or columns laid out over its leaves (the declared leaves, in order).
struct Tree<'a> {
    nodes: &'a [Node],
    leaves: &'a [usize],
    /// How many levels of labels: the depth of the deepest leaf, plus one.
    levels: usize,
}

impl<'a> Tree<'a> {
    fn new(nodes: &'a [Node], leaves: &'a [usize]) -> Self {
        let levels = leaves
            .iter()
            .map(|&i| depth(nodes, i) + 1)
            .max()
            .unwrap_or(1);
        Self {
            nodes,
            leaves,
            levels,
        }
    }

    fn text(&self, i: usize) -> String {
        let n = &self.nodes[i];
        if n.label.is_empty() {
            n.key.clone()
        } else {
            n.label.clone()
        }
    }

    /// The declared leaves under a node, in order.
    fn leaves_under(&self, i: usize) -> Vec<usize> {
        Table::leaves_under(self.nodes, i)
            .into_iter()
            .filter(|l| self.leaves.contains(l))
            .collect()
    }

    /// As header rows: one per level, each label spanning its leaves, a leaf reaching down
    /// to the last level.
    fn header(&self) -> Vec<Vec<Label>> {
        let mut header: Vec<Vec<Label>> = (0..self.levels).map(|_| Vec::new()).collect();
        for i in 0..self.nodes.len() {
            let span = self.leaves_under(i).len();
            if span == 0 {
                continue;
            }
            let level = depth(self.nodes, i);
            header[level].push(Label {
                text: self.text(i),
                rows: if self.leaves.contains(&i) {
                    self.levels - level
                } else {
                    1
                },
                columns: span,
            });
        }
        header
    }

    /// The labels before each leaf row: the groups that start at it, each spanning its
    /// leaves, then the leaf itself reaching to the values.
    fn row_labels(&self) -> Vec<Vec<Label>> {
        self.leaves
            .iter()
            .map(|&leaf| {
                let mut ancestors = Vec::new();
                let mut at = self.nodes[leaf].parent;
                while let Some(a) = at {
                    ancestors.push(a);
                    at = self.nodes[a].parent;
                }
                ancestors.reverse();
                let mut labels: Vec<Label> = ancestors
                    .into_iter()
                    .filter_map(|a| {
                        let under = self.leaves_under(a);
                        (under.first() == Some(&leaf)).then(|| Label {
                            text: self.text(a),
                            rows: under.len(),
                            columns: 1,
                        })
                    })
                    .collect();
                labels.push(Label {
                    text: self.text(leaf),
                    rows: 1,
                    columns: self.levels - depth(self.nodes, leaf),
                });
                labels
            })
            .collect()
    }
}
