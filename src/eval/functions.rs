//! The evaluation of built-in functions (see the table in `crate::ruleset::FUNCTIONS`),
//! comparisons and text operations.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::support::{
    OUT_OF_RANGE, as_number, checked_sum, conforms, equal, numbers_in, resolve_pick, years_in,
};
use super::value::Val;
use super::{Evaluator, Frame};
use crate::report::CellValue;
use crate::ruleset::{CompareOp, Date, Expr, ExprKind, NodeIdx, Table, TableIdx, TextOp};

/// How a built-in function is evaluated: from its unevaluated arguments, which it evaluates as
/// it needs them (`存在` looks without recording, `有效` reads the cell itself).
pub(crate) type Evaluate = for<'r> fn(&Evaluator<'r>, &'r [Expr], &mut Frame<'r>) -> Val<'r>;

pub(crate) fn exists<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    let recording = frame.recording;
    let v = ev.eval(&args[0], frame);
    frame.recording = recording;
    Val::Bool(match v {
        Val::Missing(_) => false,
        Val::Section(s) => ev.section_found(s, frame),
        Val::Table(t) => ev.grids()[t]
            .data
            .is_some_and(|d| ev.report.tables[d].is_found()),
        _ => true,
    })
}

pub(crate) fn is_empty<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.eval(&args[0], frame) {
        Val::Table(t) => match ev.grids()[t]
            .data
            .map(|d| &ev.report.tables[d])
            .filter(|d| d.is_found())
        {
            Some(data) => Val::Bool(data.is_blank()),
            None => Val::missing(format!(
                "报告中没有找到表格「{}」",
                ev.rule_set.tables[t].key
            )),
        },
        other => other,
    }
}

pub(crate) fn in_order<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.eval(&args[0], frame) {
        Val::Section(s) => ev.in_order(s, frame),
        other => other,
    }
}

pub(crate) fn is_blank<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    ev.with_single_cell(&args[0], frame, |cell, table, row, _| {
        matches!(cell.value, CellValue::Blank)
            || matches!(cell.value, CellValue::NotApplicable(_)) && !table.rows[row].na_allowed
    })
}

pub(crate) fn is_valid<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    ev.with_single_cell(&args[0], frame, |cell, table, row, column| {
        conforms(
            &cell.value,
            cell.unit.as_deref(),
            table.cell_type(row, column),
        )
    })
}

pub(crate) fn capture<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    let text = ev.eval(&args[0], frame);
    let Val::Pattern(pattern) = ev.eval(&args[1], frame) else {
        unreachable!("typed as a pattern")
    };
    // Before the pattern's own matcher is built: most reports match none of the set's
    // whole-text patterns, and a one-report call then builds only the set.
    if !ev.may_match(&args[0], pattern) {
        return Val::missing(pattern.not_found_reason());
    }
    let regex = match pattern.regex() {
        Ok(r) => r,
        Err(reason) => return Val::missing(reason),
    };
    let (text, at) = match ev.text(text) {
        Ok(t) => t,
        Err(m) => return m,
    };
    match regex.captures(&text) {
        None => Val::missing(pattern.not_found_reason()),
        Some(captures) => {
            if frame.recording {
                if let (Some(at), Some(whole)) = (at, captures.get(0)) {
                    let span = ev.report.source_span(at + whole.start(), at + whole.end());
                    frame
                        .evidence
                        .places
                        .push((span, format!("正文：「{}」", whole.as_str())));
                }
            }
            let groups = regex
                .capture_names()
                .enumerate()
                .filter_map(|(i, name)| {
                    Some((
                        name?.to_owned(),
                        captures
                            .get(i)
                            .map(|m| (m.as_str().to_owned(), at.map(|a| a + m.start()))),
                    ))
                })
                .collect();
            Val::Match(groups)
        }
    }
}

pub(crate) fn years<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.text(ev.eval(&args[0], frame)) {
        Ok((text, _)) => Val::List(
            years_in(&text)
                .into_iter()
                .map(|y| Val::Num(y.into()))
                .collect(),
        ),
        Err(m) => m,
    }
}

pub(crate) fn sum_of_numbers<'r>(
    ev: &Evaluator<'r>,
    args: &'r [Expr],
    frame: &mut Frame<'r>,
) -> Val<'r> {
    match ev.text(ev.eval(&args[0], frame)) {
        Ok((text, _)) => checked_sum(numbers_in(&text)),
        Err(m) => m,
    }
}

pub(crate) fn to_number<'r>(
    ev: &Evaluator<'r>,
    args: &'r [Expr],
    frame: &mut Frame<'r>,
) -> Val<'r> {
    match ev.eval(&args[0], frame) {
        m @ Val::Missing(_) => m,
        v => match ev.number(v) {
            Ok(n) => Val::Num(n),
            Err(m) => m,
        },
    }
}

pub(crate) fn length<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.eval(&args[0], frame) {
        Val::List(items) => Val::Num(items.len().into()),
        other => match ev.text(other) {
            Ok((t, _)) => Val::Num(t.chars().count().into()),
            Err(m) => m,
        },
    }
}

pub(crate) fn first<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.eval(&args[0], frame) {
        Val::List(items) => items
            .into_iter()
            .next()
            .unwrap_or_else(|| Val::missing("列表是空的")),
        other => other,
    }
}

pub(crate) fn make_date<'r>(
    ev: &Evaluator<'r>,
    args: &'r [Expr],
    frame: &mut Frame<'r>,
) -> Val<'r> {
    let parts: Result<Vec<Decimal>, Val<'r>> =
        args.iter().map(|a| ev.number(ev.eval(a, frame))).collect();
    let p = match parts {
        Ok(p) => p,
        Err(m) => return m,
    };
    let as_int = |d: Decimal| i64::try_from(d.trunc()).ok();
    match (as_int(p[0]), as_int(p[1]), as_int(p[2])) {
        (Some(y), Some(m), Some(d)) => i32::try_from(y)
            .ok()
            .zip(u32::try_from(m).ok())
            .zip(u32::try_from(d).ok())
            .and_then(|((y, m), d)| Date::new(y, m, d))
            .map_or_else(|| Val::missing("不存在的日期"), Val::Date),
        _ => Val::missing("不存在的日期"),
    }
}

pub(crate) fn abs<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.number(ev.eval(&args[0], frame)) {
        Ok(n) => Val::Num(n.abs()),
        Err(m) => m,
    }
}

pub(crate) fn round<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    let n = match ev.number(ev.eval(&args[0], frame)) {
        Ok(n) => n,
        Err(m) => return m,
    };
    match ev.number(ev.eval(&args[1], frame)) {
        Ok(digits) => Val::Num(n.round_dp(
            u32::try_from(i64::try_from(digits.trunc()).unwrap_or(0).clamp(0, 20)).unwrap_or(0),
        )),
        Err(m) => m,
    }
}

pub(crate) fn sum<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.numbers(args, frame, false) {
        Ok((numbers, _)) => checked_sum(numbers),
        Err(m) => m,
    }
}

pub(crate) fn min<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    extreme(ev, args, frame, Iterator::min)
}

pub(crate) fn max<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    extreme(ev, args, frame, Iterator::max)
}

/// 最小 and 最大: `pick` chooses among the numbers of the arguments.
fn extreme<'r>(
    ev: &Evaluator<'r>,
    args: &'r [Expr],
    frame: &mut Frame<'r>,
    pick: fn(std::vec::IntoIter<Decimal>) -> Option<Decimal>,
) -> Val<'r> {
    match ev.numbers(args, frame, false) {
        Ok((numbers, _)) => {
            pick(numbers.into_iter()).map_or_else(|| Val::missing("没有数值"), Val::Num)
        }
        Err(m) => m,
    }
}

pub(crate) fn count<'r>(ev: &Evaluator<'r>, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
    match ev.numbers(args, frame, true) {
        Ok((_, count)) => Val::Num(count.into()),
        Err(m) => m,
    }
}

impl<'r> Evaluator<'r> {
    /// Every argument's numbers, lists spread out, and how many items there were. An item that
    /// is not a number makes the whole missing, unless `counting` (then it is only counted).
    fn numbers(
        &self,
        args: &'r [Expr],
        frame: &mut Frame<'r>,
        counting: bool,
    ) -> Result<(Vec<Decimal>, usize), Val<'r>> {
        let mut numbers = Vec::new();
        let mut count = 0usize;
        for a in args {
            let items = match self.eval(a, frame) {
                m @ Val::Missing(_) => return Err(m),
                Val::List(items) => items,
                other => vec![other],
            };
            count += items.len();
            for i in items {
                match self.number(i) {
                    Ok(n) => numbers.push(n),
                    Err(m) if !counting => return Err(m),
                    Err(_) => {}
                }
            }
        }
        Ok((numbers, count))
    }

    /// Looks at the single cell `expr` picks, with its table, row and column.
    fn with_single_cell(
        &self,
        expr: &'r Expr,
        frame: &mut Frame<'r>,
        look: impl FnOnce(&crate::report::Cell, &Table, NodeIdx, NodeIdx) -> bool,
    ) -> Val<'r> {
        let Some((previous, table, row, column)) = self.single_cell(expr, frame) else {
            return Val::missing("变量没有取值");
        };
        match self.cell(previous, table, row, column, frame) {
            Ok(cell) => Val::Bool(look(cell, &self.rule_set.tables[table], row, column)),
            Err(m) => m,
        }
    }

    pub(super) fn single_cell(
        &self,
        expr: &'r Expr,
        frame: &mut Frame<'r>,
    ) -> Option<(bool, TableIdx, NodeIdx, NodeIdx)> {
        match &expr.kind {
            ExprKind::Cells {
                prev_year,
                table,
                rows,
                columns,
            } => {
                let rows = resolve_pick(rows, frame)?;
                let columns = resolve_pick(columns, frame)?;
                Some((*prev_year, *table, rows[0], columns[0]))
            }
            _ => match self.eval(expr, frame) {
                Val::Cell { table, row, column } => Some((false, table, row, column)),
                _ => None,
            },
        }
    }

    /// Whether a section comes after every section declared before it that the report has.
    fn in_order(&self, section: usize, frame: &mut Frame<'r>) -> Val<'r> {
        let key = &self.rule_set.sections[section].key;
        let Some(found) = self.report.section(key) else {
            return Val::missing(format!(
                "报告中没有「{}」一节",
                self.rule_set.sections[section].title
            ));
        };
        let Some(position) = self
            .rule_set
            .section_order
            .iter()
            .position(|&s| s == section)
        else {
            return Val::Bool(true);
        };
        for &earlier in &self.rule_set.section_order[..position] {
            if let Some(e) = self.report.section(&self.rule_set.sections[earlier].key) {
                if e.heading_span.start > found.heading_span.start {
                    if frame.recording {
                        frame
                            .evidence
                            .places
                            .push((found.heading_span, format!("「{}」", found.heading)));
                        frame
                            .evidence
                            .places
                            .push((e.heading_span, format!("应在此之前：「{}」", e.heading)));
                    }
                    return Val::Bool(false);
                }
            }
        }
        Val::Bool(true)
    }

    // ------------------------------------------------------------------ comparisons

    pub(super) fn compare(
        &self,
        op: CompareOp,
        lhs: &'r Expr,
        rhs: &'r Expr,
        tolerance: Option<&'r (Box<Expr>, bool)>,
        frame: &mut Frame<'r>,
    ) -> Val<'r> {
        // `x = 无` / `x ≠ 无` ask whether a value is there (`无` itself is not evaluated: it
        // would make a reason, in words, per cell).
        let absent_literal = |e: &Expr| matches!(e.kind, ExprKind::Absent);
        if absent_literal(lhs) || absent_literal(rhs) {
            let other = if absent_literal(lhs) { rhs } else { lhs };
            let absent = self.eval(other, frame).is_missing();
            return Val::Bool(if op == CompareOp::Eq { absent } else { !absent });
        }
        let left = self.eval(lhs, frame);
        let right = self.eval(rhs, frame);
        if let Val::Missing(_) = left {
            return left;
        }
        if let Val::Missing(_) = right {
            return right;
        }
        let (a, b) = (left, right);
        if let Some((amount, relative)) = tolerance {
            let (x, y) = match (self.number(a), self.number(b)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(missing), _) | (_, Err(missing)) => return missing,
            };
            let amount = match self.number(self.eval(amount, frame)) {
                Ok(amount) => amount.abs(),
                Err(missing) => return missing,
            };
            let allowed = if *relative {
                y.abs()
                    .checked_mul(amount)
                    .map(|a| a / Decimal::ONE_HUNDRED)
            } else {
                Some(amount)
            };
            let (Some(allowed), Some(difference)) = (allowed, x.checked_sub(y)) else {
                return Val::missing(OUT_OF_RANGE);
            };
            let within = difference.abs() <= allowed;
            return Val::Bool(match op {
                CompareOp::Eq => within,
                CompareOp::Ne => !within,
                CompareOp::Lt => x < y && !within,
                CompareOp::Le => x <= y || within,
                CompareOp::Gt => x > y && !within,
                CompareOp::Ge => x >= y || within,
            });
        }
        match op {
            CompareOp::Eq | CompareOp::Ne => match equal(&a, &b) {
                Some(eq) => Val::Bool(eq == (op == CompareOp::Eq)),
                None => Val::missing(format!(
                    "无法比较「{}」与「{}」",
                    self.label(&a),
                    self.label(&b)
                )),
            },
            _ => {
                let ordering = match (&a, &b) {
                    (Val::Date(x), Val::Date(y)) => Some(x.cmp(y)),
                    _ => match (as_number(&a), as_number(&b)) {
                        (Some(x), Some(y)) => Some(x.cmp(&y)),
                        _ => None,
                    },
                };
                let Some(ordering) = ordering else {
                    return Val::missing(format!(
                        "无法比较「{}」与「{}」",
                        self.label(&a),
                        self.label(&b)
                    ));
                };
                Val::Bool(match op {
                    CompareOp::Lt => ordering.is_lt(),
                    CompareOp::Le => ordering.is_le(),
                    CompareOp::Gt => ordering.is_gt(),
                    _ => ordering.is_ge(),
                })
            }
        }
    }

    /// Whether the report has a section; when it has, its heading is a place worth showing.
    fn section_found(&self, section: usize, frame: &mut Frame<'r>) -> bool {
        let found = self.report.section(&self.rule_set.sections[section].key);
        if let (Some(d), true) = (found, frame.recording) {
            frame
                .evidence
                .places
                .push((d.heading_span, format!("「{}」", d.heading)));
        }
        found.is_some()
    }

    pub(super) fn text_op(
        &self,
        op: TextOp,
        a: &'r Expr,
        b: &'r Expr,
        frame: &mut Frame<'r>,
    ) -> Val<'r> {
        let (text, at) = match self.text(self.eval(a, frame)) {
            Ok(t) => t,
            Err(m) => return m,
        };
        let found = match self.eval(b, frame) {
            Val::Pattern(pattern) if !self.may_match(a, pattern) => None,
            Val::Pattern(pattern) => match pattern.regex() {
                Ok(regex) => regex.find(&text).map(|m| (m.start(), m.end())),
                Err(reason) => return Val::missing(reason),
            },
            Val::Text(needle, _) => text.find(needle.as_ref()).map(|i| (i, i + needle.len())),
            // A list of words: the first place where any of them is written.
            Val::List(words) => words
                .iter()
                .filter_map(|w| match w {
                    Val::Text(needle, _) => {
                        text.find(needle.as_ref()).map(|i| (i, i + needle.len()))
                    }
                    _ => None,
                })
                .min(),
            m @ Val::Missing(_) => return m,
            _ => unreachable!("typed as text or pattern"),
        };
        if frame.recording {
            if let (Some((start, end)), Some(at)) = (found, at) {
                let span = self.report.source_span(at + start, at + end);
                frame
                    .evidence
                    .places
                    .push((span, format!("「{}」", &text[start..end])));
            } else if let ExprKind::Section(s) = a.kind {
                // Nothing found to point at: point at the section that was searched.
                self.section_found(s, frame);
            }
        }
        Val::Bool(match op {
            TextOp::Contains | TextOp::Matches => found.is_some(),
            TextOp::NotContains | TextOp::NotMatches => found.is_none(),
        })
    }

    // ------------------------------------------------------------------ conversions

    pub(super) fn text(&self, v: Val<'r>) -> Result<(Cow<'r, str>, Option<usize>), Val<'r>> {
        match v {
            Val::Text(t, at) => Ok((t, at)),
            Val::Section(s) => {
                let key = &self.rule_set.sections[s].key;
                match self.report.section(key) {
                    Some(d) => Ok((Cow::Borrowed(&d.text), Some(d.text_start))),
                    None => Err(Val::missing(format!(
                        "报告中没有「{}」一节",
                        self.rule_set.sections[s].title
                    ))),
                }
            }
            Val::Match(groups) => match groups.into_iter().next() {
                Some((_, Some((t, at)))) => Ok((Cow::Owned(t), at)),
                _ => Err(Val::missing("正文中没有找到相应内容")),
            },
            m @ Val::Missing(_) => Err(m),
            other => Ok((Cow::Owned(self.label(&other)), None)),
        }
    }

    pub(super) fn number(&self, v: Val<'r>) -> Result<Decimal, Val<'r>> {
        match v {
            Val::Num(n) => Ok(n),
            m @ Val::Missing(_) => Err(m),
            other => as_number(&other)
                .ok_or_else(|| Val::missing(format!("「{}」不是数字", self.label(&other)))),
        }
    }
}
