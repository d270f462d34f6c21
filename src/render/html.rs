//! Findings as one self-contained web page for the staff who read and forward results: a
//! summary of the run, a sortable list of the reports, and for each report its findings and
//! its tables drawn as the rule set declares them, the cells a finding names marked.
//!
//! The page is made with askama templates (templates/html/): they are compiled into the
//! binary and checked when it is built, so a mistake in a template fails the build rather
//! than a user's run, and everything inserted is HTML-escaped unless marked otherwise. The
//! CSS and the small script are inline, so the page opens from a file and needs no network.
//!
//! The summary comes first on the page but is known only at the end of a run, so each
//! report's part is rendered as it arrives and kept; [`Writer::end`] writes the whole page.

use std::collections::{BTreeMap, HashMap};

use askama::Template;

use super::Totals;
use crate::findings::{Finding, FindingKind, ReportFindings};
use crate::report::{CellValue, InputKind, TableData};
use crate::ruleset::{Node, RuleSet, Severity, Table};
use crate::source::{Span, floor_char_boundary};

/// The page's renderer: report parts as they arrive, the page at the end.
pub struct Writer<'r> {
    rule_sets: &'r [RuleSet],
    /// List the checks that could not be evaluated, as the terminal output does.
    verbose: bool,
    /// Each report's part of the page, rendered, one after another.
    parts: String,
    rows: Vec<ReportRow>,
    totals: Totals,
    with_errors: usize,
    with_warnings: usize,
    /// Per rule: its severity, its findings, and the reports it was found in.
    by_rule: BTreeMap<String, RuleCount>,
    /// Per rule set id: the reports read under it.
    rule_set_use: BTreeMap<String, usize>,
}

struct RuleCount {
    severity: Severity,
    /// Where the rule is written, `file:line`.
    location: Option<String>,
    findings: usize,
    reports: usize,
}

impl<'r> Writer<'r> {
    #[must_use]
    pub fn new(rule_sets: &'r [RuleSet], verbose: bool) -> Self {
        Self {
            rule_sets,
            verbose,
            parts: String::new(),
            rows: Vec::new(),
            totals: Totals::default(),
            with_errors: 0,
            with_warnings: 0,
            by_rule: BTreeMap::new(),
            rule_set_use: BTreeMap::new(),
        }
    }

    fn rule_set(&self, id: &str) -> Option<&'r RuleSet> {
        self.rule_sets.iter().find(|s| s.id == id)
    }
}

impl super::Renderer for Writer<'_> {
    fn report(&mut self, r: &ReportFindings) -> String {
        let anchor = format!("r{}", self.rows.len() + 1);
        let errors = r.count(Severity::Error);
        let warnings = r.count(Severity::Warning);
        self.totals.reports += 1;
        self.totals.add(r);
        self.with_errors += usize::from(errors > 0);
        self.with_warnings += usize::from(warnings > 0);
        *self.rule_set_use.entry(r.rule_set.clone()).or_default() += 1;
        let mut rules_here: Vec<&str> = Vec::new();
        for f in &r.findings {
            let count = self.by_rule.entry(f.rule.clone()).or_insert(RuleCount {
                severity: f.severity,
                location: f
                    .rule_location
                    .as_ref()
                    .map(|(file, line)| format!("{file}:{line}")),
                findings: 0,
                reports: 0,
            });
            count.severity = count.severity.max(f.severity);
            count.findings += 1;
            if !rules_here.contains(&f.rule.as_str()) {
                rules_here.push(&f.rule);
                count.reports += 1;
            }
        }
        let part = report_part(&anchor, r, self.rule_set(&r.rule_set), self.verbose);
        self.parts
            .push_str(&part.render().expect("writing into a String cannot fail"));
        self.rows.push(ReportRow {
            anchor,
            agency: r.agency.clone().unwrap_or_else(|| "（未写明）".to_owned()),
            year: r.year.map(|y| y.to_string()).unwrap_or_default(),
            format: input_kind(r.input),
            file: r.source.name().to_owned(),
            errors,
            warnings,
        });
        String::new()
    }

    fn end(&mut self) -> String {
        let rule_sets = self
            .rule_set_use
            .iter()
            .map(|(id, reports)| {
                let set = self.rule_set(id);
                RuleSetRow {
                    id: id.clone(),
                    title: set.and_then(|s| s.title.clone()).unwrap_or_default(),
                    version: set.and_then(|s| s.version.clone()).unwrap_or_default(),
                    reports: *reports,
                }
            })
            .collect();
        let rules = self
            .by_rule
            .iter()
            .map(|(rule, c)| RuleRow {
                rule: rule.clone(),
                severity: severity_class(c.severity),
                severity_label: c.severity.chinese(),
                location: c.location.clone().unwrap_or_default(),
                findings: c.findings,
                reports: c.reports,
            })
            .collect();
        let page = Page {
            version: env!("CARGO_PKG_VERSION"),
            totals: self.totals,
            with_errors: self.with_errors,
            with_warnings: self.with_warnings,
            rules,
            rule_sets,
            reports: std::mem::take(&mut self.rows),
            parts: std::mem::take(&mut self.parts),
        };
        page.render().expect("writing into a String cannot fail")
    }
}

// ─────────────────────────────────────────────────────────────────────── the page

#[derive(Template)]
#[template(path = "html/page.html", whitespace = "minimize")]
struct Page {
    version: &'static str,
    totals: Totals,
    with_errors: usize,
    with_warnings: usize,
    rules: Vec<RuleRow>,
    rule_sets: Vec<RuleSetRow>,
    reports: Vec<ReportRow>,
    /// The reports' parts, already rendered (and escaped).
    parts: String,
}

struct RuleRow {
    rule: String,
    severity: &'static str,
    severity_label: &'static str,
    location: String,
    findings: usize,
    reports: usize,
}

struct RuleSetRow {
    id: String,
    title: String,
    version: String,
    reports: usize,
}

struct ReportRow {
    anchor: String,
    agency: String,
    year: String,
    format: &'static str,
    file: String,
    errors: usize,
    warnings: usize,
}

// ─────────────────────────────────────────────────────────────────── one report

#[derive(Template)]
#[template(path = "html/report.html", whitespace = "minimize")]
struct ReportPart {
    anchor: String,
    title: String,
    file: String,
    year: String,
    format: &'static str,
    encoding: &'static str,
    rule_set: String,
    totals: Totals,
    findings: Vec<FindingView>,
    tables: Vec<TableView>,
    not_evaluated: Vec<NotEvaluatedView>,
}

struct FindingView {
    /// The finding's anchor, which the cells it names link to.
    id: String,
    rule: String,
    severity: &'static str,
    severity_label: &'static str,
    /// `（读取问题）` for what gouji could not read.
    kind: &'static str,
    message: String,
    bindings: String,
    comparison: Option<crate::eval::Comparison>,
    previous: Option<String>,
    quotes: Vec<Quote>,
    help: Option<String>,
    basis: Option<String>,
    /// The failures the same wrong cell explains, shown under the finding.
    related: Vec<RelatedView>,
}

/// A failure that a finding explains: what it says, and its formula.
struct RelatedView {
    rule: String,
    severity: &'static str,
    severity_label: &'static str,
    message: String,
    formula: Option<String>,
}

/// A passage of the report with the part a finding is about marked.
struct Quote {
    label: String,
    before: String,
    marked: String,
    after: String,
}

struct NotEvaluatedView {
    rule: String,
    bindings: String,
    reason: String,
}

struct TableView {
    key: String,
    /// The heading of the section the table is in, as the rule set declares it.
    section: String,
    /// Whether the table is the first of its section (which then gets a heading).
    first_of_section: bool,
    found: bool,
    /// Width and height of the top-left corner above the row labels.
    corner_columns: usize,
    header: Vec<Vec<Label>>,
    rows: Vec<RowView>,
}

/// A row or column label: its text and how many rows and columns it spans.
struct Label {
    text: String,
    rows: usize,
    columns: usize,
}

struct RowView {
    labels: Vec<Label>,
    cells: Vec<CellView>,
}

struct CellView {
    text: String,
    /// For a marked cell, its row and column keys (as in the JSON output).
    row: String,
    column: String,
    /// `b` blank, `u` not read, `i` not a value, `m e`/`m w`/`m i` marked with a severity.
    class: &'static str,
    rules: Option<String>,
    /// For a marked cell, the anchors of the findings that name it (the first is linked).
    findings: Vec<String>,
    title: Option<String>,
}

/// `verbose`: list the checks that could not be evaluated.
fn report_part(
    anchor: &str,
    r: &ReportFindings,
    rule_set: Option<&RuleSet>,
    verbose: bool,
) -> ReportPart {
    let rule_set_name = match rule_set.and_then(|s| s.title.as_deref()) {
        Some(title) => format!("{}（{title}）", r.rule_set),
        None => r.rule_set.clone(),
    };
    let marks = cell_marks(anchor, r);
    let mut tables: Vec<TableView> = r
        .tables
        .iter()
        .map(|t| {
            let declared = rule_set.and_then(|s| {
                s.table(&t.key)
                    .map(|i| (&s.tables[i], s.sections[s.tables[i].section].title.as_str()))
            });
            table_view(t, declared, &marks)
        })
        .collect();
    for i in 1..tables.len() {
        tables[i].first_of_section = tables[i].section != tables[i - 1].section;
    }
    ReportPart {
        anchor: anchor.to_owned(),
        title: r
            .agency
            .clone()
            .unwrap_or_else(|| r.source.name().to_owned()),
        file: r.source.name().to_owned(),
        year: r.year.map(|y| y.to_string()).unwrap_or_default(),
        format: input_kind(r.input),
        encoding: r.encoding,
        rule_set: rule_set_name,
        totals: Totals::of(std::slice::from_ref(r)),
        findings: r
            .findings
            .iter()
            .enumerate()
            .map(|(i, f)| finding_view(finding_anchor(anchor, i), r, f))
            .collect(),
        tables,
        not_evaluated: r
            .not_evaluated
            .iter()
            .filter(|_| verbose)
            .map(|n| NotEvaluatedView {
                rule: n.rule.clone(),
                bindings: bindings_text(&n.bindings),
                reason: n.reason.clone(),
            })
            .collect(),
    }
}

fn finding_view(id: String, r: &ReportFindings, f: &Finding) -> FindingView {
    let text = r.source.text();
    let html = r.input == InputKind::Html;
    let mut quotes: Vec<Quote> = f
        .places
        .iter()
        .filter(|(s, _)| s.end <= text.len())
        .map(|(s, label)| quote(text, *s, label, html))
        .collect();
    // A reading problem names no cell and no place: quote where it is.
    if quotes.is_empty() && f.kind == FindingKind::Extraction {
        quotes.extend(
            f.span
                .filter(|s| s.end <= text.len())
                .map(|s| quote(text, s, "", html)),
        );
    }
    FindingView {
        id,
        rule: f.rule.clone(),
        severity: severity_class(f.severity),
        severity_label: f.severity.chinese(),
        kind: match f.kind {
            FindingKind::Check => "",
            FindingKind::Extraction => "（读取问题）",
        },
        message: f.message.clone(),
        bindings: bindings_text(&f.bindings),
        comparison: f.comparison.clone(),
        previous: super::previous_cells(f),
        quotes,
        help: f.help.clone(),
        basis: f.basis.clone(),
        related: f
            .related
            .iter()
            .map(|g| RelatedView {
                rule: g.rule.clone(),
                severity: severity_class(g.severity),
                severity_label: g.severity.chinese(),
                message: g.message.clone(),
                formula: g.comparison.as_ref().map(|c| c.formula.clone()),
            })
            .collect(),
    }
}

/// `（类别=申请，列=自然人）`, or nothing.
fn bindings_text(bindings: &[(String, String)]) -> String {
    if bindings.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = bindings.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("（{}）", pairs.join("，"))
}

/// How many characters of context a quote shows on each side, at most.
const QUOTE_CONTEXT: usize = 60;

/// The sentence around `span` (up to a line break or a `。`, and for an HTML source a tag),
/// with the span marked; the mark stops at the end of its line (or tag).
fn quote(text: &str, span: Span, label: &str, html: bool) -> Quote {
    let is_edge = |c: char| matches!(c, '\n' | '。') || (html && matches!(c, '<' | '>'));
    let start = floor_char_boundary(text, span.start);
    let stop = text[start..]
        .find(|c: char| c == '\n' || (html && c == '<'))
        .map_or(text.len(), |i| start + i);
    let end = floor_char_boundary(text, span.end.min(stop).max(start));
    let before: String = {
        let head = &text[..start];
        let from = head.rfind(is_edge).map_or(0, |i| {
            i + head[i..].chars().next().map_or(0, char::len_utf8)
        });
        let chars: Vec<char> = head[from..].chars().collect();
        chars[chars.len().saturating_sub(QUOTE_CONTEXT)..]
            .iter()
            .collect()
    };
    let after: String = {
        let tail = &text[end..];
        let to = tail.find(is_edge).map_or(tail.len(), |i| {
            // Keep the full stop that ends the sentence.
            if tail[i..].starts_with('。') {
                i + '。'.len_utf8()
            } else {
                i
            }
        });
        tail[..to].chars().take(QUOTE_CONTEXT).collect()
    };
    Quote {
        label: label.to_owned(),
        before,
        marked: text[start..end].to_owned(),
        after,
    }
}

/// The findings that name each cell of this year's report: (table, row, column) → the
/// highest severity, the rules (space-separated, in order) and the findings' anchors. A cell
/// that only a related failure names links to the finding that explains it.
type CellMarks = HashMap<(String, String, String), (Severity, String, Vec<String>)>;

fn cell_marks(anchor: &str, r: &ReportFindings) -> CellMarks {
    let mut marks: CellMarks = HashMap::new();
    let named = r.findings.iter().enumerate().flat_map(|(index, primary)| {
        std::iter::once(primary)
            .chain(&primary.related)
            .map(move |f| (index, f))
    });
    for (index, f) in named {
        for c in f.cells.iter().filter(|c| !c.previous) {
            let key = (c.table.clone(), c.row.clone(), c.column.clone());
            let entry = marks
                .entry(key)
                .or_insert_with(|| (f.severity, String::new(), Vec::new()));
            entry.0 = entry.0.max(f.severity);
            if !entry.1.split(' ').any(|rule| rule == f.rule) {
                if !entry.1.is_empty() {
                    entry.1.push(' ');
                }
                entry.1.push_str(&f.rule);
            }
            let id = finding_anchor(anchor, index);
            if !entry.2.contains(&id) {
                entry.2.push(id);
            }
        }
    }
    marks
}

/// The anchor of a report's finding: `r3-2` for the second finding of the third report.
fn finding_anchor(report: &str, index: usize) -> String {
    format!("{report}-{}", index + 1)
}

/// A table as the rule set declares it (groups of rows and columns spanning their members),
/// with the values read; without a declaration, a plain grid of the keys read.
fn table_view(t: &TableData, declared: Option<(&Table, &str)>, marks: &CellMarks) -> TableView {
    let (header, row_labels, corner_columns, columns, rows) = if let Some((d, _)) = declared {
        let columns: Vec<usize> = d.leaf_columns().collect();
        let rows: Vec<usize> = d.leaf_rows().collect();
        let row_tree = Tree::new(&d.rows, &rows);
        (
            Tree::new(&d.columns, &columns).header(),
            row_tree.row_labels(),
            row_tree.levels,
            columns.iter().map(|&i| d.columns[i].path.clone()).collect(),
            rows.iter().map(|&i| d.rows[i].path.clone()).collect(),
        )
    } else {
        let flat = |keys: &[String]| -> Vec<Label> {
            keys.iter()
                .map(|k| Label {
                    text: k.clone(),
                    rows: 1,
                    columns: 1,
                })
                .collect()
        };
        (
            vec![flat(&t.columns)],
            flat(&t.rows).into_iter().map(|l| vec![l]).collect(),
            1,
            t.columns.clone(),
            t.rows.clone(),
        )
    };
    let row_index: HashMap<&str, usize> = t
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| (r.as_str(), i))
        .collect();
    let column_index: HashMap<&str, usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| (c.as_str(), i))
        .collect();
    let rows = rows
        .iter()
        .zip(row_labels)
        .map(|(row, labels)| RowView {
            labels,
            cells: columns
                .iter()
                .map(|column| {
                    let cell = match (
                        row_index.get(row.as_str()),
                        column_index.get(column.as_str()),
                    ) {
                        (Some(&r), Some(&c)) => t.cell_at(r, c),
                        _ => None,
                    };
                    let mark = marks.get(&(t.key.clone(), row.clone(), column.clone()));
                    cell_view(cell, mark, row, column)
                })
                .collect(),
        })
        .collect();
    TableView {
        key: t.key.clone(),
        section: declared.map(|d| d.1.to_owned()).unwrap_or_default(),
        first_of_section: true,
        found: t.is_found(),
        corner_columns,
        header,
        rows,
    }
}

fn cell_view(
    cell: Option<&crate::report::Cell>,
    mark: Option<&(Severity, String, Vec<String>)>,
    row: &str,
    column: &str,
) -> CellView {
    let (text, class, title) = match cell {
        // The legend explains 空 and ？ once for the page.
        None => ("？".to_owned(), "u", None),
        Some(c) => match &c.value {
            CellValue::Blank => ("空".to_owned(), "b", None),
            CellValue::Invalid(reason) => (c.raw.clone(), "i", Some(reason.clone())),
            _ => (c.raw.clone(), "", None),
        },
    };
    match mark {
        Some((severity, rules, findings)) => CellView {
            text,
            class: match severity {
                Severity::Error => "m e",
                Severity::Warning => "m w",
                Severity::Info => "m i",
            },
            rules: Some(rules.clone()),
            findings: findings.clone(),
            // The script puts the findings' messages here: written out, they would repeat
            // each message in every cell it names.
            title: None,
            row: row.to_owned(),
            column: column.to_owned(),
        },
        None => CellView {
            text,
            row: String::new(),
            column: String::new(),
            class,
            rules: None,
            findings: Vec::new(),
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

fn severity_class(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

fn input_kind(kind: InputKind) -> &'static str {
    match kind {
        InputKind::Text => "文本",
        InputKind::Html => "网页",
        InputKind::Toml => "TOML 数据",
        InputKind::Json => "JSON 数据",
        InputKind::Docx => "Word 文档",
        InputKind::Pdf => "PDF",
    }
}
