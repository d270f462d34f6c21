//! The rule-driven part of reading: finds the sections, tables, rows and columns that a rule
//! set declares in a laid-out document. Nothing here knows what a 政府信息公开 report is;
//! every label comes from the rule set, normalised once when the [`Extractor`] is built.
//!
//! A document's lines are normalised lazily and at most once per reading (prose that no
//! heading, anchor or row could be is never normalised), and each line remembers which
//! tables' anchors it holds.

mod headers;
mod lines;
mod metadata;
mod placed_rows;
mod placement;
mod rows;
mod stacked;
mod tables;

use headers::table_labels;
use lines::{NormalizedLines, heading_candidate};
use metadata::metadata;
use tables::{Scratch, unknown_tables};

use super::Input;
use super::labels::{closest_heading, same_ordinal_style};
use super::layout::{Document, Unit};
use super::normalize::{normalize, split_ordinal};
use crate::report::{LabelMatch, Layout, Report, SectionData};
use crate::ruleset::RuleSet;
use crate::source::Span;

/// A rule set's labels, normalised, ready to read any number of reports.
#[derive(Debug, Clone)]
pub struct Extractor<'r> {
    rule_set: &'r RuleSet,
    sections: Vec<Vec<SectionLabel>>,
    tables: Vec<TableLabels>,
}

#[derive(Debug, Clone)]
struct SectionLabel {
    full: String,
    /// The label without its ordinal.
    rest: String,
    kind: LabelMatch,
}

#[derive(Debug, Clone)]
struct TableLabels {
    /// Normalised anchors, with their [`char_bits`].
    anchors: Vec<(String, u128)>,
    /// For each leaf row (in `Table::leaf_rows` order): its normalised labels.
    rows: Vec<(usize, Vec<Label>)>,
    /// For each column node: its normalised labels, with their [`char_bits`].
    columns: Vec<Vec<(String, u128)>>,
    /// The leaf columns, left to right (indices into the table's columns).
    leaf_columns: Vec<usize>,
}

#[derive(Debug, Clone)]
struct Label {
    full: String,
    /// The label without its ordinal.
    rest: String,
    kind: LabelMatch,
}

/// How well a report fits a rule set's tables: the share of declared rows and column
/// headers that were found.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd)]
pub struct Fit {
    pub found: usize,
    pub declared: usize,
}

impl Fit {
    #[must_use]
    #[allow(clippy::cast_precision_loss)] // counts of rows and columns: a few hundred at most
    pub fn ratio(self) -> f64 {
        if self.declared == 0 {
            0.0
        } else {
            self.found as f64 / self.declared as f64
        }
    }
}

impl<'r> Extractor<'r> {
    pub fn new(rule_set: &'r RuleSet) -> Self {
        let sections = rule_set
            .sections
            .iter()
            .map(|s| {
                std::iter::once((normalize(&s.title), LabelMatch::Exact))
                    .chain(s.aliases.iter().map(|a| {
                        let kind = if a.nonstandard {
                            LabelMatch::NonstandardAlias
                        } else {
                            LabelMatch::Alias
                        };
                        (normalize(&a.text), kind)
                    }))
                    .map(|(full, kind)| SectionLabel {
                        rest: split_ordinal(&full).1.to_owned(),
                        full,
                        kind,
                    })
                    .collect()
            })
            .collect();
        let tables = rule_set.tables.iter().map(table_labels).collect();
        Self {
            rule_set,
            sections,
            tables,
        }
    }

    #[must_use]
    pub fn rule_set(&self) -> &'r RuleSet {
        self.rule_set
    }

    /// The section a heading printed anywhere names, and how: a declared title or alias
    /// (before any drift), or else the same label without its ordinal.
    pub(in crate::extract) fn match_heading(&self, printed: &str) -> Option<(usize, LabelMatch)> {
        let norm = normalize(printed);
        if norm.is_empty() {
            return None;
        }
        let exact = self.sections.iter().enumerate().find_map(|(i, labels)| {
            labels
                .iter()
                .find(|label| label.full == norm)
                .map(|label| (i, label.kind))
        });
        if exact.is_some() {
            return exact;
        }
        let (ordinal, rest) = split_ordinal(&norm);
        if rest.is_empty() {
            return None;
        }
        self.sections
            .iter()
            .position(|labels| {
                labels.iter().any(|label| {
                    label.rest == rest && same_ordinal_style(split_ordinal(&label.full).0, ordinal)
                })
            })
            .map(|i| (i, LabelMatch::Drift))
    }

    /// Reads an input into the report model, and says how well it fits the rule set.
    #[must_use]
    pub fn read(&self, input: &Input) -> (Report, Fit) {
        match input {
            Input::Document(document) => self.read_document(document),
            Input::Structured(structured) => super::structured::read(self, structured),
        }
    }

    fn read_document(&self, document: &Document) -> (Report, Fit) {
        let mut lines = NormalizedLines::new(document, &self.tables);
        lines.normalize(0..document.lines.len(), |line| {
            heading_candidate(document, line)
        });
        let headings = self.find_sections(document, &lines);
        let regions: Vec<(usize, usize)> = self
            .rule_set
            .tables
            .iter()
            .map(|table| region_of(document, &headings, table.section))
            .collect();
        for &(from, to) in &regions {
            lines.normalize(from..to, |_| true);
        }
        let lines = lines;
        let mut sections: Vec<SectionData> = Vec::new();
        for (i, heading) in headings.iter().enumerate() {
            let next_line = headings.get(i + 1).map_or(document.lines.len(), |h| h.line);
            let body = body_span(document, heading.line + 1, next_line);
            let line = &document.lines[heading.line];
            sections.push(SectionData {
                key: self.rule_set.sections[heading.section].key.clone(),
                heading: document.text[line.start..line.end].trim().to_owned(),
                heading_span: line.span,
                matched: heading.matched,
                body_span: body,
                text: document.text_of(heading.line + 1, next_line).to_owned(),
                text_start: document
                    .lines
                    .get(heading.line + 1)
                    .map_or(line.end, |l| l.start),
            });
        }
        let mut anomalies = document.notes.clone();
        let mut fit = Fit {
            found: 0,
            declared: 0,
        };
        let mut claimed = vec![false; document.lines.len()];
        let mut tables = Vec::with_capacity(self.rule_set.tables.len());
        let mut scratch = Scratch::default();
        for (index, &region) in regions.iter().enumerate() {
            let data = self.read_table(
                &lines,
                index,
                region,
                &mut claimed,
                &mut anomalies,
                &mut fit,
                &mut scratch,
            );
            tables.push(data);
        }
        unknown_tables(document, &claimed, &headings, &mut anomalies);
        let meta = metadata(
            document,
            headings.first().map_or(document.lines.len(), |h| h.line),
        );
        let report = Report {
            source: document.source.clone(),
            input: document.input,
            layout: layout_of(document, &claimed),
            encoding: document.encoding,
            rule_set: self.rule_set.id.clone(),
            text: document.text.clone(),
            line_map: if document.input.text_is_source() {
                Vec::new()
            } else {
                document.lines.iter().map(|l| (l.start, l.span)).collect()
            },
            meta,
            sections,
            tables,
            anomalies,
        };
        (report, fit)
    }

    /// Finds the sections' headings: first the lines that print a declared title or alias;
    /// then, for the sections still missing, a line that prints one without its ordinal
    /// (a subsection's `（二）` is no section's `二、`, nor a section declared without one),
    /// else, for a required section, the heading closest to one
    /// ([`super::labels::heading_distance`]) between the neighbouring sections found. An
    /// optional section (the old format's, whose presence is the defect) is found only by its
    /// words: a near miss would be an error on a correct report.
    fn find_sections(&self, document: &Document, lines: &NormalizedLines) -> Vec<Heading> {
        let mut found: Vec<Heading> = Vec::new();
        let mut taken = vec![false; self.sections.len()];
        let candidates: Vec<(usize, &str)> = (0..document.lines.len())
            .filter(|&i| heading_candidate(document, &document.lines[i]))
            .filter_map(|i| lines.short(i).map(|n| (i, n.text)))
            .collect();
        for &(line, norm) in &candidates {
            let matched = self.sections.iter().enumerate().find_map(|(i, labels)| {
                let label = labels.iter().find(|l| !taken[i] && l.full == norm)?;
                Some((i, label.kind))
            });
            if let Some((section, matched)) = matched {
                taken[section] = true;
                found.push(Heading {
                    section,
                    line,
                    matched,
                });
            }
        }
        for &(line, norm) in &candidates {
            let (ordinal, rest) = split_ordinal(norm);
            if rest.is_empty() || found.iter().any(|h| h.line == line) {
                continue;
            }
            let matched = self.sections.iter().enumerate().position(|(i, labels)| {
                !taken[i]
                    && labels.iter().any(|l| {
                        let declared = split_ordinal(&l.full).0;
                        let subsection = declared.is_empty() && ordinal.starts_with('(');
                        l.rest == rest && same_ordinal_style(declared, ordinal) && !subsection
                    })
            });
            if let Some(section) = matched {
                taken[section] = true;
                found.push(Heading {
                    section,
                    line,
                    matched: LabelMatch::Drift,
                });
            }
        }
        let missing: Vec<usize> = (0..self.sections.len())
            .filter(|&s| !taken[s] && self.rule_set.sections[s].required)
            .collect();
        for section in missing {
            let after = found.iter().filter(|h| h.section < section).map(|h| h.line);
            let before = found.iter().filter(|h| h.section > section).map(|h| h.line);
            let free = candidates
                .iter()
                .copied()
                .filter(|&(line, _)| !found.iter().any(|h| h.line == line));
            let declared: Vec<&str> = self.sections[section]
                .iter()
                .map(|l| l.full.as_str())
                .collect();
            let between = (after.max(), before.min());
            let line = closest_heading(free.clone(), between, &declared)
                .or_else(|| numbered_in_place(free, between, &self.sections[section]));
            if let Some(line) = line {
                taken[section] = true;
                found.push(Heading {
                    section,
                    line,
                    matched: LabelMatch::Drift,
                });
            }
        }
        found.sort_by_key(|h| h.line);
        found
    }
}

/// For a required section found no other way: the heading between the neighbouring sections
/// found (`after`, `before`) that bears its number (`四、`, `4.`, or `（四）` when no heading
/// numbered as a section does) and whose words are mostly the section's: a variant wording
/// in its place (`四、行政复议和行政诉讼情况`, `四、复议诉讼`). A row label on a line of its
/// own (`四、结转下年度继续办理`) shares too few characters with the title to be taken.
fn numbered_in_place<'a>(
    lines: impl IntoIterator<Item = (usize, &'a str)>,
    (after, before): (Option<usize>, Option<usize>),
    labels: &[SectionLabel],
) -> Option<usize> {
    let value = |ordinal: &str| {
        let core = ordinal.trim_matches(['(', ')', ',', '.']);
        core.parse::<usize>().ok().or_else(|| {
            let mut chars = core.chars();
            let first = chars.next()?;
            let position = "一二三四五六七八九十".chars().position(|c| c == first)?;
            chars.next().is_none().then_some(position + 1)
        })
    };
    // Three in four of the printed characters are the title's, and at least four.
    let shares_words = |printed: &str, declared: &str| {
        let shared = printed.chars().filter(|&c| declared.contains(c)).count();
        shared >= 4 && 4 * shared >= 3 * printed.chars().count()
    };
    lines
        .into_iter()
        .filter(|&(line, _)| after.is_none_or(|a| line > a) && before.is_none_or(|b| line < b))
        .filter_map(|(line, printed)| {
            let (ordinal, rest) = split_ordinal(printed);
            let number = value(ordinal)?;
            labels
                .iter()
                .any(|l| {
                    let declared = split_ordinal(&l.full).0;
                    value(declared) == Some(number) && shares_words(rest, &l.rest)
                })
                .then_some((ordinal.starts_with('('), line))
        })
        .min()
        .map(|(_, line)| line)
}

struct Heading {
    section: usize,
    line: usize,
    matched: LabelMatch,
}

/// The lines a table of `section` may be in: the section's body, or the whole document
/// when the section was not found.
fn region_of(document: &Document, headings: &[Heading], section: usize) -> (usize, usize) {
    match headings.iter().position(|h| h.section == section) {
        Some(i) => (
            headings[i].line + 1,
            headings.get(i + 1).map_or(document.lines.len(), |h| h.line),
        ),
        None => (0, document.lines.len()),
    }
}

fn body_span(document: &Document, from: usize, to: usize) -> Span {
    match (
        document.lines.get(from),
        to.checked_sub(1).and_then(|i| document.lines.get(i)),
    ) {
        (Some(a), Some(b)) if from < to => a.span.join(b.span),
        _ => document
            .lines
            .get(from.saturating_sub(1))
            .map_or(Span::default(), |l| Span::new(l.span.end, l.span.end)),
    }
}

pub use metadata::parse_date_prefix;
pub(super) use metadata::{TITLE_LINES, find_year, title_metadata};

/// The layout most of a document's table lines (those the tables claimed, with two cells or
/// more) are in.
fn layout_of(document: &Document, claimed: &[bool]) -> Layout {
    const LAYOUTS: [Layout; 5] = [
        Layout::Grid,
        Layout::Spaces,
        Layout::Tabs,
        Layout::Pipes,
        Layout::Slashes,
    ];
    let mut counts = [0usize; 5];
    for (line, _) in document
        .lines
        .iter()
        .zip(claimed)
        .filter(|(l, c)| **c && l.cells.len() > 1)
    {
        let raw = &document.text[line.start..line.end];
        let at = if line.table_row || line.unit == Unit::Grid {
            0
        } else if line.unit == Unit::Display {
            1
        } else if raw.contains('\t') {
            2
        } else if raw.contains(['|', '｜']) {
            3
        } else {
            4
        };
        counts[at] += 1;
    }
    // The most frequent; among equals, the first.
    (0..LAYOUTS.len())
        .filter(|&i| counts[i] > 0)
        .max_by_key(|&i| (counts[i], std::cmp::Reverse(i)))
        .map_or(Layout::None, |i| LAYOUTS[i])
}
