//! Statements of quantities in the prose (`对每 陈述 x 属于 收到申请`): found once per report,
//! bound to variables one by one, and pointed at when a check that read one fails.

use std::borrow::Cow;

use super::support::domain_value;
use super::value::Val;
use super::{Evaluator, Frame};
use crate::prose::{StatedField, Statement, parts};
use crate::ruleset::Domain;
use crate::source::Span;

impl<'r> Evaluator<'r> {
    /// Every statement of every quantity in the report, found on first use: the text is
    /// scanned once per report, for all quantities, outside the tables.
    fn statements(&self) -> &[Vec<Statement>] {
        self.statements.get_or_init(|| {
            let tables = self.report.table_ranges();
            self.rule_set.prose.statements(&self.report.text, &tables)
        })
    }

    /// How many values a variable over `domain` takes in this report.
    pub(super) fn domain_size(&self, domain: &Domain) -> usize {
        match domain {
            Domain::Statements(quantities) => {
                let statements = self.statements();
                quantities.iter().map(|&q| statements[q].len()).sum()
            }
            other => other.len(),
        }
    }

    /// The value at `position` of a variable over `domain`.
    pub(super) fn domain_item(&self, domain: &Domain, position: usize) -> Val<'r> {
        let Domain::Statements(quantities) = domain else {
            return domain_value(domain, position);
        };
        let statements = self.statements();
        let mut position = position;
        for &q in quantities {
            if position < statements[q].len() {
                return self.stated(q, position);
            }
            position -= statements[q].len();
        }
        Val::missing("陈述的序号超出范围")
    }

    /// Why a variable over the statements of quantities has no value, in words.
    pub(super) fn nothing_stated(&self, domain: &Domain) -> Option<String> {
        let Domain::Statements(quantities) = domain else {
            return None;
        };
        if self.domain_size(domain) > 0 {
            return None;
        }
        let names: Vec<String> = quantities
            .iter()
            .map(|&q| format!("『{}』", self.rule_set.prose.quantities[q].description))
            .collect();
        Some(format!("正文中没有找到{}的数量", names.join("、")))
    }

    fn stated(&self, quantity: usize, index: usize) -> Val<'r> {
        Val::Stated {
            value: self.statements()[quantity][index].value,
            quantity,
            index,
        }
    }

    /// Where a statement is, with its sentence and the phrasing that found it.
    pub(super) fn statement_place(&self, quantity: usize, index: usize) -> (Span, String) {
        let statement = &self.statements()[quantity][index];
        let span = self
            .report
            .source_span(statement.phrase.0, statement.phrase.1);
        let q = &self.rule_set.prose.quantities[quantity];
        let sentence = &self.report.text[statement.sentence.0..statement.sentence.1];
        let what = format!(
            "正文：「{}」（{}，按说法「{}」找到）",
            sentence.trim(),
            q.description,
            q.phrasings[statement.phrasing]
        );
        (span, what)
    }

    /// `x.原文`, `x.说法` … of a statement.
    pub(super) fn stated_member(
        &self,
        quantity: usize,
        index: usize,
        field: StatedField,
        frame: &mut Frame<'r>,
    ) -> Val<'r> {
        let statements = self.statements();
        let statement = &statements[quantity][index];
        let text = &self.report.text;
        let slice = |(start, end): (usize, usize)| {
            Val::Text(Cow::Borrowed(text[start..end].trim()), Some(start))
        };
        match field {
            StatedField::Value => Val::Num(statement.value),
            StatedField::Phrase => slice(statement.phrase),
            StatedField::Sentence => slice(statement.sentence),
            StatedField::Phrasing => Val::Text(
                Cow::Borrowed(
                    &self.rule_set.prose.quantities[quantity].phrasings[statement.phrasing],
                ),
                None,
            ),
            StatedField::Decimals => Val::Num(statement.decimals.into()),
            StatedField::PartsSum | StatedField::PartsComplete => {
                let listed = parts(
                    &self.rule_set.prose.quantities,
                    statements,
                    quantity,
                    index,
                    text,
                );
                match (listed, field) {
                    (Some(listed), StatedField::PartsSum) => Val::Num(listed.sum),
                    (Some(listed), _) => Val::Bool(listed.complete),
                    // Nothing listed is not a complete list; it has no sum.
                    (None, StatedField::PartsComplete) => Val::Bool(false),
                    (None, _) => Val::missing(format!(
                        "正文在「{}」之后没有用「其中」列出两项以上的分项",
                        text[statement.phrase.0..statement.phrase.1].trim()
                    )),
                }
            }
            StatedField::First => {
                let first = self.stated(quantity, 0);
                note_statement(&first, frame);
                first
            }
        }
    }
}

/// Notes that a statement was read, when the check is gathering evidence.
pub(super) fn note_statement(value: &Val<'_>, frame: &mut Frame<'_>) {
    if let Val::Stated {
        quantity, index, ..
    } = value
    {
        if frame.recording && !frame.statements_read.contains(&(*quantity, *index)) {
            frame.statements_read.push((*quantity, *index));
        }
    }
}
