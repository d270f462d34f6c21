//! Quantities stated in prose (`数量` declarations): what the text of a report says a figure
//! is, found by words, not by patterns. A quantity is introduced by one of its phrasings
//! (`收到`, `受理`), may name its object (`政府信息公开申请`), and ends in a figure with one of
//! its units (`12件`, `十二件`, `75%`); a clause with one of its excluded words near the figure
//! (`12345热线`, `同比增长`) is about something else, and a negation before the phrasing
//! (`未收到…申请`, `无行政复议`) states 0. A phrasing written with `…` frames the figure
//! instead of introducing it (`本年度（…年）`). Every statement is kept, each with its place.

pub mod numbers;
mod scan;

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;
use rust_decimal::Decimal;

use crate::source::Span;

/// A compiled `数量` declaration.
#[derive(Debug, Clone)]
pub struct Quantity {
    pub name: String,
    /// How the quantity is called in messages (`收到政府信息公开申请的数量`).
    pub description: String,
    /// The words that introduce the figure, or frame it (`…年，`, see [`frame`]).
    pub phrasings: Vec<String>,
    pub objects: Vec<String>,
    pub units: Vec<String>,
    pub excluded: Vec<String>,
    /// The quantities that `其中 …` lists after a statement of this one.
    pub parts: Vec<usize>,
    pub span: Span,
}

/// One statement of a quantity in the report's text. Offsets are bytes into the text scanned.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    pub value: Decimal,
    /// The figure (`12件` without the unit), or for a negation the words that state 0 (`未收到`).
    pub figure: (usize, usize),
    /// From the phrasing (or the negation before it) to the end of the unit.
    pub phrase: (usize, usize),
    pub sentence: (usize, usize),
    /// Index into the quantity's phrasings.
    pub phrasing: usize,
    /// Decimals printed after the point (`66.7%` → 1).
    pub decimals: u32,
    pub negated: bool,
}

/// What a statement offers to a rule (`x.原文`, `x.说法` …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatedField {
    /// `x.值`: the figure.
    Value,
    /// `x.原文`: the words of the statement, from the phrasing to the unit.
    Phrase,
    /// `x.句子`: the sentence it is in.
    Sentence,
    /// `x.说法`: the phrasing that introduced it.
    Phrasing,
    /// `x.小数位`: how many decimals the figure prints.
    Decimals,
    /// `x.分项之和`: the sum of the parts `其中 …` lists right after it.
    PartsSum,
    /// `x.首次`: the first statement of the same quantity in the report.
    First,
    /// `x.分项齐全`: whether `其中 …` lists every part the quantity declares.
    PartsComplete,
}

impl StatedField {
    /// Every field, by the name a rule writes after the dot.
    pub const ALL: [(&'static str, StatedField); 8] = [
        ("值", StatedField::Value),
        ("原文", StatedField::Phrase),
        ("句子", StatedField::Sentence),
        ("说法", StatedField::Phrasing),
        ("小数位", StatedField::Decimals),
        ("分项之和", StatedField::PartsSum),
        ("首次", StatedField::First),
        ("分项齐全", StatedField::PartsComplete),
    ];

    #[must_use]
    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("?", |(n, _)| n)
    }
}

/// The quantities of a rule set, with the matcher of all their phrasings, built on first use.
#[derive(Debug, Clone, Default)]
pub struct Prose {
    pub quantities: Vec<Quantity>,
    matcher: OnceLock<Option<Phrasings>>,
}

/// Every phrasing of every quantity in one automaton; pattern `i` is `owners[i]`.
#[derive(Debug, Clone)]
struct Phrasings {
    automaton: AhoCorasick,
    /// (quantity, phrasing) of each pattern.
    owners: Vec<(usize, usize)>,
}

impl Prose {
    #[must_use]
    pub fn new(quantities: Vec<Quantity>) -> Self {
        Self {
            quantities,
            matcher: OnceLock::new(),
        }
    }

    #[must_use]
    pub fn quantity(&self, name: &str) -> Option<usize> {
        self.quantities.iter().position(|q| q.name == name)
    }

    /// Every statement of every quantity in `text`, by quantity, in the order of the text,
    /// in one pass for all quantities. `tables` are the byte ranges of `text` that tables
    /// print on (sorted): a phrasing there is a header or a label, not prose.
    #[must_use]
    pub fn statements(&self, text: &str, tables: &[(usize, usize)]) -> Vec<Vec<Statement>> {
        match self.phrasings() {
            Some(phrasings) => scan::scan(&self.quantities, phrasings, text, tables),
            None => vec![Vec::new(); self.quantities.len()],
        }
    }

    /// How many occurrences of phrasings `statements` finds in `text` outside `tables`, before
    /// it reads any of them: the automaton's pass alone, for measuring it.
    #[must_use]
    pub fn count_phrasings(&self, text: &str, tables: &[(usize, usize)]) -> usize {
        self.phrasings()
            .map_or(0, |phrasings| scan::find(phrasings, text, tables).len())
    }

    /// The automaton of every phrasing, built on first use.
    fn phrasings(&self) -> Option<&Phrasings> {
        self.matcher.get_or_init(|| self.build()).as_ref()
    }

    fn build(&self) -> Option<Phrasings> {
        let mut words = Vec::new();
        let mut owners = Vec::new();
        for (q, quantity) in self.quantities.iter().enumerate() {
            for (p, phrasing) in quantity.phrasings.iter().enumerate() {
                // A frame is found by the words after the figure (`…年，` by `年，`).
                let word = match frame(phrasing) {
                    Some((before, "")) => before,
                    Some((_, after)) => after,
                    None => phrasing,
                };
                if !word.is_empty() {
                    words.push(word);
                    owners.push((q, p));
                }
            }
        }
        if words.is_empty() {
            return None;
        }
        // Every occurrence of every phrasing, overlaps included: one word may introduce two
        // quantities (`予以公开12件，占…48%`), and a longer phrasing may contain a shorter one.
        let automaton = AhoCorasick::new(&words).ok()?;
        Some(Phrasings { automaton, owners })
    }
}

/// A phrasing with `…` is a frame around the figure (`本年度（…年）`, `…年，`): the words
/// before and after it.
#[must_use]
pub fn frame(phrasing: &str) -> Option<(&str, &str)> {
    phrasing.split_once('…')
}

/// The parts that `其中 …` lists right after a statement of a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parts {
    pub sum: Decimal,
    /// Whether every part the whole declares is listed (so that they must add up to it).
    pub complete: bool,
}

/// The parts that `其中 …` lists right after `statements[quantity][index]` in the same
/// sentence; `None` unless at least two parts are listed.
#[must_use]
pub fn parts(
    quantities: &[Quantity],
    statements: &[Vec<Statement>],
    quantity: usize,
    index: usize,
    text: &str,
) -> Option<Parts> {
    let whole = &statements[quantity][index];
    let after = text.get(whole.phrase.1..whole.sentence.1)?;
    // `其中` opens the list right after the whole (`办结13件，其中予以公开8件…`).
    let opening = after.find("其中")?;
    if after[..opening].chars().count() > 2 {
        return None;
    }
    let list_start = whole.phrase.1 + opening;
    // The list ends where the same quantity is stated again.
    let list_end = statements[quantity]
        .iter()
        .map(|s| s.phrase.0)
        .find(|&s| s > list_start && s < whole.sentence.1)
        .unwrap_or(whole.sentence.1);
    let mut sum = Decimal::ZERO;
    let mut count = 0;
    let mut complete = true;
    for &part in &quantities[quantity].parts {
        let mut listed = false;
        for s in &statements[part] {
            if s.phrase.0 >= list_start && s.phrase.1 <= list_end {
                sum = sum.checked_add(s.value)?;
                count += 1;
                listed = true;
            }
        }
        complete &= listed;
    }
    (count >= 2).then_some(Parts { sum, complete })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quantity(name: &str, phrasings: &[&str], objects: &[&str], units: &[&str]) -> Quantity {
        let words = |w: &[&str]| w.iter().map(|s| (*s).to_owned()).collect();
        Quantity {
            name: name.into(),
            description: name.into(),
            phrasings: words(phrasings),
            objects: words(objects),
            units: words(units),
            excluded: words(&["12345", "同比", "办结率"]),
            parts: Vec::new(),
            span: Span::default(),
        }
    }

    fn prose() -> Prose {
        let mut finished = quantity("办结", &["办结", "答复"], &[], &["件"]);
        finished.parts = vec![2, 3];
        Prose::new(vec![
            quantity("收到", &["收到", "受理"], &["申请"], &["件"]),
            finished,
            quantity("予以公开", &["予以公开"], &[], &["件"]),
            quantity("部分公开", &["部分公开"], &[], &["件"]),
            quantity("复议", &["行政复议"], &[], &["件", "起"]),
            quantity("年度", &["…年，"], &[], &[]),
        ])
    }

    fn values(text: &str, q: usize) -> Vec<String> {
        prose().statements(text, &[])[q]
            .iter()
            .map(|s| format!("{}@{}", s.value, &text[s.phrase.0..s.phrase.1]))
            .collect()
    }

    #[test]
    fn every_statement_with_its_own_words() {
        let text = "全年共受理政府信息公开申请12件。下文再次说到收到申请13件。";
        assert_eq!(
            values(text, 0),
            ["12@受理政府信息公开申请12件", "13@收到申请13件"]
        );
    }

    #[test]
    fn excluded_words_and_other_units_do_not_count() {
        assert!(values("收到12345热线工单30件申请。", 0).is_empty());
        assert!(values("办结率100%。", 1).is_empty());
        assert_eq!(
            values("收到2023年度申请12件。", 0),
            ["12@收到2023年度申请12件"]
        );
    }

    #[test]
    fn a_later_phrasing_claims_the_figure() {
        let text = "收到申请，办结13件。";
        assert!(values(text, 0).is_empty());
        assert_eq!(values(text, 1), ["13@办结13件"]);
    }

    #[test]
    fn a_negation_states_zero() {
        assert_eq!(values("全年未发生行政复议。", 4), ["0@未发生行政复议"]);
        assert_eq!(
            values("本年度未收到政府信息公开申请。", 0),
            ["0@未收到政府信息公开申请"]
        );
        assert!(values("全年未收到咨询。", 0).is_empty());
    }

    #[test]
    fn parts_listed_after_the_whole_are_summed() {
        let text = "全年答复申请13件，其中予以公开8件、部分公开2件。";
        let p = prose();
        let statements = p.statements(text, &[]);
        let listed = parts(&p.quantities, &statements, 1, 0, text);
        let ten = Decimal::from(10);
        assert_eq!(
            listed,
            Some(Parts {
                sum: ten,
                complete: true
            })
        );
        let some = "全年办结申请13件，其中予以公开8件、部分公开2件、不予公开1件。";
        let mut p = prose();
        p.quantities[1].parts = vec![2, 3, 4];
        let statements = p.statements(some, &[]);
        let listed = parts(&p.quantities, &statements, 1, 0, some);
        assert_eq!(
            listed,
            Some(Parts {
                sum: ten,
                complete: false
            }),
            "不予公开 is not a part here"
        );
    }

    #[test]
    fn tables_are_not_prose() {
        let header = "未经行政复议直接起诉\t复议后起诉\n";
        let text = format!("{header}全年发生行政复议1件。");
        let p = prose();
        assert_eq!(
            p.statements(&text, &[])[4].len(),
            2,
            "the header reads as 0"
        );
        let statements = p.statements(&text, &[(0, header.len())]);
        assert_eq!(statements[4].len(), 1);
        assert_eq!(statements[4][0].value, Decimal::ONE);
    }

    #[test]
    fn the_automaton_pass_counts_what_the_scan_reads() {
        let header = "未经行政复议直接起诉\t复议后起诉\n";
        let text = format!("{header}全年发生行政复议1件，收到申请3件。");
        let p = prose();
        // 行政复议 and 收到 after the header; the header's 行政复议 only where tables are not
        // skipped.
        assert_eq!(p.count_phrasings(&text, &[(0, header.len())]), 2);
        assert_eq!(p.count_phrasings(&text, &[]), 3);
    }

    #[test]
    fn a_phrasing_before_a_table_may_run_into_it() {
        let text = "发生行政复议1件\t0\n全年发生行政复议2件。";
        let p = prose();
        // The table starts inside the first `行政复议`: that one is found all the same.
        let table = (text.find("复议").unwrap(), text.find('\n').unwrap());
        let statements = p.statements(text, &[table]);
        let values: Vec<String> = statements[4].iter().map(|s| s.value.to_string()).collect();
        assert_eq!(values, ["1", "2"]);
        let table = (text.find("行政").unwrap(), text.find('\n').unwrap());
        assert_eq!(p.statements(text, &[table])[4].len(), 1);
    }

    #[test]
    fn a_frame_surrounds_its_figure() {
        assert_eq!(values("我局2022年，共制定……", 5), ["2022@2022年，"]);
        assert!(values("2022年出台的办法", 5).is_empty());
    }
}
