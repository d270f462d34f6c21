//! Stage 4: applies a compiled rule set to a report (and, for cross-year checks, to last
//! year's report of the same agency). Every check yields, per instance, a pass, a failure
//! with its evidence, or *not evaluated* with the reason; nothing stops at the first
//! failure. Arithmetic is exact decimal arithmetic.

mod expressions;
pub(crate) mod functions;
mod prose;
mod support;
mod value;

use std::cell::RefCell;
use std::fmt::Write as _;

use value::Val;
pub use value::number_in_text;

use crate::report::{CellValue, Report};
use crate::ruleset::{
    ArithOp, Check, CompareOp, Expr, ExprKind, NodeIdx, RuleSet, TableIdx, TemplatePart, TextOp,
    Value,
};
use crate::source::Span;
use support::{as_number, display, grid, node_label, number_text, pick_label};

/// The values of a rule set's parameters for one run: defaults, then the user's.
#[derive(Debug, Clone)]
pub struct ParamValues(Vec<Option<Value>>);

/// A `--param` or config value that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParamError {
    pub name: String,
    pub message: String,
}

impl std::fmt::Display for ParamError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "参数「{}」：{}", self.name, self.message)
    }
}

impl ParamValues {
    /// The defaults, overridden by `NAME=VALUE` pairs. Unknown names and values that do not
    /// fit the parameter's type are errors.
    pub fn new(rule_set: &RuleSet, overrides: &[(String, String)]) -> Result<Self, ParamError> {
        let mut values: Vec<Option<Value>> =
            rule_set.params.iter().map(|p| p.default.clone()).collect();
        for (name, text) in overrides {
            let Some(index) = rule_set.param(name) else {
                let hint = crate::diagnostic::suggest(
                    name,
                    rule_set.params.iter().map(|p| p.name.as_str()),
                )
                .map(|s| format!("（是不是「{s}」？）"))
                .unwrap_or_default();
                return Err(ParamError {
                    name: name.clone(),
                    message: format!("规则集「{}」没有这个参数{hint}", rule_set.id),
                });
            };
            let param = &rule_set.params[index];
            values[index] = Some(crate::compile::parse_param_value(&param.ty, text).map_err(
                |expected| ParamError {
                    name: name.clone(),
                    message: format!("取值应为{expected}，这里是「{text}」"),
                },
            )?);
        }
        Ok(Self(values))
    }
}

/// What one instance of a check came to.
#[derive(Debug, Clone)]
pub enum Outcome {
    Pass,
    Fail(Box<Failure>),
    NotEvaluated(String),
}

/// One instance of one check: the check, the values of its variables, the outcome.
#[derive(Debug, Clone)]
pub struct CheckResult {
    /// Index into [`RuleSet::checks`].
    pub check: usize,
    /// Each variable's name and the label of its value (`c` → `自然人`).
    pub bindings: Vec<(String, String)>,
    pub outcome: Outcome,
}

#[derive(Debug, Clone, Default)]
pub struct Failure {
    pub message: String,
    pub evidence: Evidence,
    /// When the check defines a total (`总计 = 和(…)`) and fails only because that total cell
    /// is blank while its parts are not all zero: the blank cell. The omission is one defect of
    /// the table, reported once for all such cells (see `findings`), not an arithmetic error.
    pub blank_total: Option<CellEvidence>,
}

/// What a failed check looked at.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    pub cells: Vec<CellEvidence>,
    /// Other places in the report worth pointing at (a phrase in the prose, a heading).
    pub places: Vec<(Span, String)>,
    pub comparison: Option<Comparison>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CellEvidence {
    /// Whether the cell is in last year's report.
    pub previous: bool,
    pub table: String,
    pub row: String,
    pub column: String,
    pub row_label: String,
    pub column_label: String,
    pub raw: String,
    pub value: String,
    pub span: Span,
}

impl CellEvidence {
    /// Whether two pieces of evidence are the same cell. Spans do not tell: blank cells of
    /// space-aligned text can share one empty span.
    #[must_use]
    pub fn is_same_cell(&self, other: &CellEvidence) -> bool {
        self.previous == other.previous
            && self.table == other.table
            && self.row == other.row
            && self.column == other.column
    }
}

/// The two sides of a failed comparison, evaluated.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Comparison {
    pub left: String,
    pub right: String,
    pub difference: Option<String>,
    /// The comparison with names and numbers: `一[自然人] + 二[自然人] = 3 + 0 = 3 ≠ …`.
    pub formula: String,
}

/// Evaluates every check of a rule set on a report.
#[must_use]
pub fn evaluate(
    rule_set: &RuleSet,
    report: &Report,
    previous: Option<&Report>,
    params: &ParamValues,
) -> Vec<CheckResult> {
    let evaluator = Evaluator::new(rule_set, report, previous, params);
    let mut results = Vec::new();
    for (index, check) in rule_set.checks.iter().enumerate() {
        evaluator.check(index, check, &mut results);
    }
    results
}

/// Whether a rule set applies to a report by its `适用` condition: `None` when the condition
/// cannot be decided (the report does not state its year, …).
#[must_use]
pub fn applies(rule_set: &RuleSet, report: &Report, params: &ParamValues) -> Option<bool> {
    let Some(condition) = &rule_set.applies else {
        return Some(true);
    };
    let evaluator = Evaluator::new(rule_set, report, None, params);
    let mut frame = Frame::new(&[]);
    match evaluator.eval(condition, &mut frame) {
        Val::Bool(b) => Some(b),
        _ => None,
    }
}

/// Where a table's rows and columns are in one report's grid.
struct Grid {
    /// The report's table index, if the report has the table.
    data: Option<usize>,
    rows: Vec<Option<usize>>,
    columns: Vec<Option<usize>>,
}

pub(crate) struct Evaluator<'r> {
    rule_set: &'r RuleSet,
    report: &'r Report,
    previous: Option<&'r Report>,
    params: &'r ParamValues,
    /// Where each table of the rule set is in the report, and in last year's: found on first
    /// use (a `适用` condition reads no table).
    grids: std::cell::OnceCell<Vec<Grid>>,
    previous_grids: std::cell::OnceCell<Vec<Grid>>,
    lets: RefCell<Vec<Option<Val<'r>>>>,
    /// The statements of the rule set's quantities in the report, found on first use.
    statements: std::cell::OnceCell<Vec<Vec<crate::prose::Statement>>>,
    /// Which of the set's whole-text patterns match the report's text, found on first use in
    /// one pass for all of them (`None`: each pattern is run on its own).
    whole_text: std::cell::OnceCell<Option<regex::SetMatches>>,
}

/// Variable values of one instance, and the evidence gathered while evaluating it.
pub(crate) struct Frame<'r> {
    /// The variables' names, for writing expressions out.
    names: &'r [String],
    slots: Vec<Option<Val<'r>>>,
    evidence: Evidence,
    /// The cells read, as (last year's?, table, row, column), repeats included; turned into
    /// evidence (repeats removed) only when the check fails, so that passing checks cost no
    /// copies.
    cells_read: Vec<(bool, TableIdx, NodeIdx, NodeIdx)>,
    /// The statements in the prose read, as (quantity, index); like the cells, turned into
    /// evidence only when the check fails.
    statements_read: Vec<(usize, usize)>,
    /// Whether to record the cells read (off for filters and preconditions).
    recording: bool,
}

impl<'r> Frame<'r> {
    /// A frame for a check whose variables have these names (none for a rule-set-wide 令).
    fn new(names: &'r [String]) -> Self {
        Self {
            names,
            slots: vec![None; names.len()],
            evidence: Evidence::default(),
            cells_read: Vec::new(),
            statements_read: Vec::new(),
            recording: false,
        }
    }
}

impl<'r> Evaluator<'r> {
    fn new(
        rule_set: &'r RuleSet,
        report: &'r Report,
        previous: Option<&'r Report>,
        params: &'r ParamValues,
    ) -> Self {
        Self {
            rule_set,
            report,
            previous,
            params,
            grids: std::cell::OnceCell::new(),
            previous_grids: std::cell::OnceCell::new(),
            lets: RefCell::new(vec![None; rule_set.lets.len()]),
            statements: std::cell::OnceCell::new(),
            whole_text: std::cell::OnceCell::new(),
        }
    }

    /// Whether a pattern may match a text: false only when the text is the whole text (`全文`)
    /// and the one pass of all the set's whole-text patterns found no match of the pattern.
    fn may_match(&self, text: &Expr, pattern: &crate::ruleset::Pattern) -> bool {
        if !matches!(text.kind, ExprKind::FullText) {
            return true;
        }
        let patterns = &self.rule_set.whole_text;
        let Some(position) = patterns.position(pattern.as_str()) else {
            return true;
        };
        self.whole_text
            .get_or_init(|| patterns.matching(&self.report.text))
            .as_ref()
            .is_none_or(|matching| matching.matched(position))
    }

    /// Where each table of the rule set is in the report.
    fn grids(&self) -> &[Grid] {
        self.grids
            .get_or_init(|| Self::grids_in(self.rule_set, self.report))
    }

    /// Where each table of the rule set is in last year's report (none without one).
    fn previous_grids(&self) -> &[Grid] {
        self.previous_grids.get_or_init(|| {
            self.previous
                .map_or_else(Vec::new, |p| Self::grids_in(self.rule_set, p))
        })
    }

    fn grids_in(rule_set: &RuleSet, report: &Report) -> Vec<Grid> {
        rule_set.tables.iter().map(|t| grid(t, report)).collect()
    }

    fn check(&self, index: usize, check: &'r Check, results: &mut Vec<CheckResult>) {
        let mut frame = Frame::new(&check.slot_names);
        for condition in &check.when {
            match self.eval(condition, &mut frame) {
                Val::Bool(true) => {}
                Val::Bool(false) => {
                    let text = self.rule_set.expr_text(condition, &check.slot_names);
                    results.push(CheckResult {
                        check: index,
                        bindings: Vec::new(),
                        outcome: Outcome::NotEvaluated(format!("前提条件不成立：{text}")),
                    });
                    return;
                }
                Val::Missing(reason) => {
                    results.push(CheckResult {
                        check: index,
                        bindings: Vec::new(),
                        outcome: Outcome::NotEvaluated(reason),
                    });
                    return;
                }
                _ => unreachable!("preconditions are typed as booleans"),
            }
        }
        self.instances(index, check, 0, &mut frame, results);
    }

    /// Runs the check for every combination of its variables' values (those the filters let
    /// through).
    fn instances(
        &self,
        index: usize,
        check: &'r Check,
        depth: usize,
        frame: &mut Frame<'r>,
        results: &mut Vec<CheckResult>,
    ) {
        let Some(binder) = check.binders.get(depth) else {
            let outcome = self.instance(check, frame);
            // Which values the variables had matters only for what did not pass.
            let bindings = if matches!(outcome, Outcome::Pass) {
                Vec::new()
            } else {
                self.bindings(check, depth, frame)
            };
            results.push(CheckResult {
                check: index,
                bindings,
                outcome,
            });
            return;
        };
        if let Some(reason) = self.nothing_stated(&binder.domain) {
            results.push(CheckResult {
                check: index,
                bindings: Vec::new(),
                outcome: Outcome::NotEvaluated(reason),
            });
            return;
        }
        for position in 0..self.domain_size(&binder.domain) {
            frame.slots[binder.slot] = Some(self.domain_item(&binder.domain, position));
            if let Some(filter) = &binder.filter {
                match self.eval(filter, frame) {
                    Val::Bool(true) => {}
                    Val::Bool(false) => continue,
                    Val::Missing(reason) => {
                        let bindings = self.bindings(check, depth + 1, frame);
                        results.push(CheckResult {
                            check: index,
                            bindings,
                            outcome: Outcome::NotEvaluated(reason),
                        });
                        continue;
                    }
                    _ => unreachable!("filters are typed as booleans"),
                }
            }
            self.instances(index, check, depth + 1, frame, results);
        }
    }

    /// The first `depth` variables of a check and the labels of their current values.
    fn bindings(&self, check: &Check, depth: usize, frame: &Frame<'r>) -> Vec<(String, String)> {
        check.binders[..depth]
            .iter()
            .map(|b| {
                let value = frame.slots[b.slot]
                    .as_ref()
                    .map_or_else(String::new, |v| self.label(v));
                (b.name.clone(), value)
            })
            .collect()
    }

    fn instance(&self, check: &'r Check, frame: &mut Frame<'r>) -> Outcome {
        frame.evidence = Evidence::default();
        frame.cells_read.clear();
        frame.statements_read.clear();
        frame.recording = true;
        for (l, &slot) in check.lets.iter().zip(&check.let_slots) {
            frame.slots[slot] = Some(self.eval(&l.value, frame));
        }
        let result = self.eval(&check.assertion, frame);
        frame.recording = false;
        match result {
            Val::Bool(true) => Outcome::Pass,
            Val::Missing(reason) => Outcome::NotEvaluated(reason),
            Val::Bool(false) => {
                let statements_read = std::mem::take(&mut frame.statements_read);
                let places = statements_read
                    .into_iter()
                    .map(|(q, i)| self.statement_place(q, i));
                frame.evidence.places.splice(0..0, places);
                let mut cells_read = std::mem::take(&mut frame.cells_read);
                let mut seen = std::collections::HashSet::new();
                cells_read.retain(|&cell| seen.insert(cell));
                frame.evidence.cells = cells_read
                    .into_iter()
                    .filter_map(|(p, t, r, c)| self.cell_evidence(p, t, r, c))
                    .collect();
                let blank_total = self.blank_total(check, frame);
                let comparison = self.comparison(check, frame);
                let mut failure = Failure {
                    message: String::new(),
                    evidence: std::mem::take(&mut frame.evidence),
                    blank_total,
                };
                failure.evidence.comparison = comparison;
                failure.message = self.message(check, frame, failure.evidence.comparison.as_ref());
                Outcome::Fail(Box::new(failure))
            }
            _ => unreachable!("assertions are typed as booleans"),
        }
    }

    /// For a failed `cell = parts` whose cell is blank (counted as 0) and whose parts are not
    /// 0: that cell. Such a check defines a total, and a blank total is an omission.
    fn blank_total(&self, check: &'r Check, frame: &mut Frame<'r>) -> Option<CellEvidence> {
        let ExprKind::Compare {
            op: CompareOp::Eq,
            lhs,
            rhs,
            ..
        } = &check.assertion.kind
        else {
            return None;
        };
        let ExprKind::Cells { .. } = lhs.kind else {
            return None;
        };
        let recording = std::mem::replace(&mut frame.recording, false);
        let cell = self.single_cell(lhs, frame);
        let parts = self.eval(rhs, frame);
        frame.recording = recording;
        let (previous, table, row, column) = cell?;
        let (report, grid) = self.grid(previous, table).ok()?;
        let data = &report.tables[grid.data?];
        let value = &data.cell_at(grid.rows[row]?, grid.columns[column]?)?.value;
        let blank = match value {
            CellValue::Blank => true,
            CellValue::NotApplicable(_) => !self.rule_set.tables[table].rows[row].na_allowed,
            _ => false,
        };
        let parts_nonzero = matches!(parts, Val::Num(n) if !n.is_zero());
        (blank && parts_nonzero)
            .then(|| self.cell_evidence(previous, table, row, column))
            .flatten()
    }

    fn label(&self, value: &Val<'r>) -> String {
        match value {
            Val::Node {
                table, node, rows, ..
            } => {
                let t = &self.rule_set.tables[*table];
                node_label(if *rows { &t.rows } else { &t.columns }, *node)
            }
            Val::Section(s) => self.rule_set.sections[*s].title.clone(),
            Val::Table(t) => self.rule_set.tables[*t].key.clone(),
            Val::Cell { table, row, column } => {
                let t = &self.rule_set.tables[*table];
                format!(
                    "{}[{}, {}]",
                    t.key,
                    node_label(&t.rows, *row),
                    node_label(&t.columns, *column)
                )
            }
            other => {
                let text = display(other);
                if text.chars().count() > 60 {
                    format!("{}…", text.chars().take(60).collect::<String>())
                } else {
                    text
                }
            }
        }
    }

    // ------------------------------------------------------------------ messages

    fn message(
        &self,
        check: &'r Check,
        frame: &mut Frame<'r>,
        comparison: Option<&Comparison>,
    ) -> String {
        let mut out = String::new();
        for part in &check.message.parts {
            match part {
                TemplatePart::Text(t) => out.push_str(t),
                TemplatePart::Left => out.push_str(comparison.map_or("?", |c| c.left.as_str())),
                TemplatePart::Right => out.push_str(comparison.map_or("?", |c| c.right.as_str())),
                TemplatePart::Difference => {
                    out.push_str(
                        comparison
                            .and_then(|c| c.difference.as_deref())
                            .unwrap_or("?"),
                    );
                }
                TemplatePart::Formula => out.push_str(&comparison.map_or_else(
                    || self.rule_set.expr_text(&check.assertion, &check.slot_names),
                    |c| c.formula.clone(),
                )),
                TemplatePart::Value(e) => {
                    let value = self.eval(e, frame);
                    out.push_str(&self.label(&value));
                }
            }
        }
        out
    }

    /// For an assertion that compares two things: both sides, evaluated and written out.
    fn comparison(&self, check: &'r Check, frame: &mut Frame<'r>) -> Option<Comparison> {
        let (lhs, rhs, symbol) = match &check.assertion.kind {
            ExprKind::Compare { op, lhs, rhs, .. } => (lhs, rhs, op.negated_symbol()),
            ExprKind::TextOp(op, lhs, rhs) => (
                lhs,
                rhs,
                match op {
                    TextOp::Contains => "不包含",
                    TextOp::NotContains => "包含",
                    TextOp::Matches => "不匹配",
                    TextOp::NotMatches => "匹配",
                },
            ),
            ExprKind::In(lhs, rhs) => (lhs, rhs, "不在"),
            _ => return None,
        };
        frame.recording = false;
        let left = self.eval(lhs, frame);
        let right = self.eval(rhs, frame);
        if matches!(check.assertion.kind, ExprKind::TextOp(..)) {
            // A long text searched (a section, the whole report) is shown by its name; a short
            // one (the title) by itself.
            let name = match &left {
                Val::Text(t, _) if !t.is_empty() && t.chars().count() <= 60 => t.to_string(),
                _ => self.written(lhs, frame, false),
            };
            let needle = self.label(&right);
            return Some(Comparison {
                formula: format!("{name} {symbol}「{needle}」"),
                left: name,
                right: needle,
                difference: None,
            });
        }
        let difference = match (&left, &right) {
            (Val::Num(a), Val::Num(b)) => a.checked_sub(*b).map(number_text),
            _ => as_number(&left)
                .zip(as_number(&right))
                .and_then(|(a, b)| a.checked_sub(b))
                .map(number_text),
        };
        let side = |expr: &'r Expr, value: &Val<'r>, frame: &mut Frame<'r>| {
            let names = self.written(expr, frame, false);
            let numbers = self.written(expr, frame, true);
            let value = self.label(value);
            let mut parts = vec![names];
            if numbers != parts[0] {
                parts.push(numbers);
            }
            if parts.last() != Some(&value) {
                parts.push(value);
            }
            parts.join(" = ")
        };
        let formula = format!(
            "{} {symbol} {}",
            side(lhs, &left, frame),
            side(rhs, &right, frame)
        );
        Some(Comparison {
            left: self.label(&left),
            right: self.label(&right),
            difference,
            formula,
        })
    }

    /// An expression written with its variables' labels (`一[自然人]`), or with the values
    /// of its cells (`3`).
    fn written(&self, expr: &'r Expr, frame: &mut Frame<'r>, values: bool) -> String {
        let mut out = String::new();
        self.write(expr, frame, values, &mut out, 0);
        out
    }

    fn write(
        &self,
        expr: &'r Expr,
        frame: &mut Frame<'r>,
        values: bool,
        out: &mut String,
        parent: u8,
    ) {
        let precedence = match &expr.kind {
            ExprKind::Arith(ArithOp::Add | ArithOp::Sub, ..) => 4,
            ExprKind::Arith(..) => 5,
            _ => u8::MAX,
        };
        if precedence < parent {
            out.push('(');
        }
        match &expr.kind {
            ExprKind::Arith(op, a, b) => {
                self.write(a, frame, values, out, precedence);
                let _ = write!(out, " {} ", op.symbol());
                self.write(b, frame, values, out, precedence + 1);
            }
            ExprKind::Cells {
                prev_year,
                table,
                rows,
                columns,
            } if !values => {
                let t = &self.rule_set.tables[*table];
                let row = pick_label(&t.rows, rows, frame, true);
                let column = pick_label(&t.columns, columns, frame, false);
                let prefix = if *prev_year { "上年." } else { "" };
                let rows_in_table = t.leaf_rows().count();
                if rows_in_table == 1 {
                    let _ = write!(out, "{prefix}{column}");
                } else {
                    let _ = write!(out, "{prefix}{row}[{column}]");
                }
            }
            ExprKind::Call(function, args) if !values => {
                out.push_str(function.name);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write(a, frame, false, out, 0);
                }
                out.push(')');
            }
            ExprKind::Local(slot) if !values => {
                let value = frame.slots.get(*slot).cloned().flatten();
                out.push_str(&value.map_or_else(|| "?".into(), |v| self.label(&v)));
            }
            _ if !values && !matches!(expr.kind, ExprKind::Const(_)) => {
                out.push_str(&self.rule_set.expr_text(expr, frame.names));
            }
            _ => {
                let v = self.eval(expr, frame);
                out.push_str(&self.label(&v));
            }
        }
        if precedence < parent {
            out.push(')');
        }
    }
}
