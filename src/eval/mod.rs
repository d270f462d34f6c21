//! Stage 4: applies a compiled rule set to a report (and, for cross-year checks, to last
//! year's report of the same agency). Every check yields, per instance, a pass, a failure
//! with its evidence, or *not evaluated* with the reason; nothing stops at the first
//! failure. Arithmetic is exact decimal arithmetic.

mod value;

use std::borrow::Cow;
use std::cell::RefCell;
use std::fmt::Write as _;

use rust_decimal::Decimal;

use value::Val;
pub use value::number_in_text;

use crate::report::{CellValue, LabelMatch, Report};
use crate::ruleset::{
    ArithOp, BlankPolicy, CellType, Check, CompareOp, Date, Domain, Expr, ExprKind, Function,
    Member, MoneyUnit, Node, NodeIdx, Pick, ReportField, RuleSet, TableIdx, TemplatePart, TextOp,
    Value,
};
use crate::source::Span;

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

struct Evaluator<'r> {
    rule_set: &'r RuleSet,
    report: &'r Report,
    previous: Option<&'r Report>,
    params: &'r ParamValues,
    grids: Vec<Grid>,
    previous_grids: Vec<Grid>,
    lets: RefCell<Vec<Option<Val<'r>>>>,
}

/// Variable values of one instance, and the evidence gathered while evaluating it.
struct Frame<'r> {
    /// The variables' names, for writing expressions out.
    names: &'r [String],
    slots: Vec<Option<Val<'r>>>,
    evidence: Evidence,
    /// The cells read, as (last year's?, table, row, column); turned into evidence only when
    /// the check fails, so that passing checks cost no copies.
    cells_read: Vec<(bool, TableIdx, NodeIdx, NodeIdx)>,
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
        let grids = rule_set.tables.iter().map(|t| grid(t, report)).collect();
        let previous_grids = match previous {
            Some(p) => rule_set.tables.iter().map(|t| grid(t, p)).collect(),
            None => Vec::new(),
        };
        Self {
            rule_set,
            report,
            previous,
            params,
            grids,
            previous_grids,
            lets: RefCell::new(vec![None; rule_set.lets.len()]),
        }
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
        for position in 0..binder.domain.len() {
            frame.slots[binder.slot] = Some(domain_value(&binder.domain, position));
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
                let cells_read = std::mem::take(&mut frame.cells_read);
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
                out.push_str(crate::ruleset::function_name(*function));
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

    // ------------------------------------------------------------------ expressions

    fn eval(&self, expr: &'r Expr, frame: &mut Frame<'r>) -> Val<'r> {
        match &expr.kind {
            ExprKind::Const(v) => match v {
                Value::Number(n) => Val::Num(*n),
                Value::Bool(b) => Val::Bool(*b),
                Value::Text(t) => Val::Text(Cow::Borrowed(t), None),
                Value::Date(d) => Val::Date(*d),
            },
            ExprKind::Absent => Val::missing("无"),
            ExprKind::Pattern(r) => Val::Pattern(r),
            ExprKind::Range(a, b) => Val::Range(*a, *b),
            ExprKind::List(items) => {
                let items: Vec<Val<'r>> = items.iter().map(|i| self.eval(i, frame)).collect();
                match items.iter().find(|v| v.is_missing()) {
                    Some(m) => m.clone(),
                    None => Val::List(items),
                }
            }
            ExprKind::Param(p) => match &self.params.0[*p] {
                Some(Value::Number(n)) => Val::Num(*n),
                Some(Value::Bool(b)) => Val::Bool(*b),
                Some(Value::Text(t)) => Val::Text(Cow::Owned(t.clone()), None),
                Some(Value::Date(d)) => Val::Date(*d),
                None => Val::missing(format!("参数「{}」没有设置", self.rule_set.params[*p].name)),
            },
            ExprKind::Let(l) => {
                if let Some(v) = self.lets.borrow()[*l].clone() {
                    return v;
                }
                let mut inner = Frame::new(&[]);
                let v = self.eval(&self.rule_set.lets[*l].value, &mut inner);
                self.lets.borrow_mut()[*l] = Some(v.clone());
                v
            }
            ExprKind::Local(slot) => frame
                .slots
                .get(*slot)
                .cloned()
                .flatten()
                .unwrap_or_else(|| Val::missing("变量没有取值")),
            ExprKind::Report(field) => self.report_field(*field, frame),
            ExprKind::FullText => Val::Text(Cow::Borrowed(&self.report.text), Some(0)),
            ExprKind::Section(s) => Val::Section(*s),
            ExprKind::Table(t) => Val::Table(*t),
            ExprKind::Node { table, node, rows } => Val::Node {
                table: *table,
                node: *node,
                rows: *rows,
                position: 0,
            },
            ExprKind::Member(base, member) => {
                let base = self.eval(base, frame);
                self.member(base, member, frame)
            }
            ExprKind::Cells {
                prev_year,
                table,
                rows,
                columns,
            } => self.cells(*prev_year, *table, rows, columns, frame),
            ExprKind::Call(function, args) => self.call(*function, args, frame),
            ExprKind::Not(inner) => match self.eval(inner, frame) {
                Val::Bool(b) => Val::Bool(!b),
                other => other,
            },
            ExprKind::Neg(inner) => match self.number(self.eval(inner, frame)) {
                Ok(n) => Val::Num(-n),
                Err(m) => m,
            },
            ExprKind::Arith(op, a, b) => {
                let a = self.number(self.eval(a, frame));
                let b = self.number(self.eval(b, frame));
                match (a, b) {
                    (Err(m), _) | (_, Err(m)) => m,
                    (Ok(a), Ok(b)) => match op {
                        ArithOp::Add => a
                            .checked_add(b)
                            .map_or_else(|| Val::missing(OUT_OF_RANGE), Val::Num),
                        ArithOp::Sub => a
                            .checked_sub(b)
                            .map_or_else(|| Val::missing(OUT_OF_RANGE), Val::Num),
                        ArithOp::Mul => a
                            .checked_mul(b)
                            .map_or_else(|| Val::missing(OUT_OF_RANGE), Val::Num),
                        ArithOp::Div if b.is_zero() => Val::missing("除数为零"),
                        ArithOp::Div => a
                            .checked_div(b)
                            .map_or_else(|| Val::missing(OUT_OF_RANGE), Val::Num),
                    },
                }
            }
            // Three-valued logic: a known false decides 且, a known true decides 或.
            ExprKind::And(a, b) => match self.eval(a, frame) {
                Val::Bool(false) => Val::Bool(false),
                Val::Bool(true) => self.eval(b, frame),
                missing => match self.eval(b, frame) {
                    Val::Bool(false) => Val::Bool(false),
                    _ => missing,
                },
            },
            ExprKind::Or(a, b) => match self.eval(a, frame) {
                Val::Bool(true) => Val::Bool(true),
                Val::Bool(false) => self.eval(b, frame),
                missing => match self.eval(b, frame) {
                    Val::Bool(true) => Val::Bool(true),
                    _ => missing,
                },
            },
            ExprKind::Compare {
                op,
                lhs,
                rhs,
                tolerance,
            } => self.compare(*op, lhs, rhs, tolerance.as_ref(), frame),
            ExprKind::In(a, b) => {
                let a = self.eval(a, frame);
                match (a, self.eval(b, frame)) {
                    (m @ Val::Missing(_), _) | (_, m @ Val::Missing(_)) => m,
                    (a, Val::Range(low, high)) => match self.number(a) {
                        Ok(n) => Val::Bool(low <= n && n <= high),
                        Err(m) => m,
                    },
                    (a, Val::List(items)) => {
                        Val::Bool(items.iter().any(|i| equal(&a, i) == Some(true)))
                    }
                    _ => unreachable!("在 is typed against ranges and lists"),
                }
            }
            ExprKind::TextOp(op, a, b) => self.text_op(*op, a, b, frame),
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => match self.eval(cond, frame) {
                Val::Bool(true) => self.eval(then, frame),
                Val::Bool(false) => match otherwise {
                    Some(o) => self.eval(o, frame),
                    None => Val::Bool(true),
                },
                missing => missing,
            },
            ExprKind::Quantified {
                all,
                binder,
                slot,
                body,
            } => {
                let mut unknown = None;
                for position in 0..binder.domain.len() {
                    frame.slots[*slot] = Some(domain_value(&binder.domain, position));
                    if let Some(filter) = &binder.filter {
                        match self.eval(filter, frame) {
                            Val::Bool(true) => {}
                            Val::Bool(false) => continue,
                            missing => {
                                unknown.get_or_insert(missing);
                                continue;
                            }
                        }
                    }
                    match self.eval(body, frame) {
                        Val::Bool(b) if b != *all => return Val::Bool(b),
                        Val::Bool(_) => {}
                        missing => {
                            unknown.get_or_insert(missing);
                        }
                    }
                }
                unknown.unwrap_or(Val::Bool(*all))
            }
        }
    }

    fn report_field(&self, field: ReportField, frame: &mut Frame<'r>) -> Val<'r> {
        let meta = &self.report.meta;
        let mut place = |span: crate::source::Span, what: &str| {
            if frame.recording && !frame.evidence.places.iter().any(|(s, _)| *s == span) {
                frame.evidence.places.push((span, what.to_owned()));
            }
        };
        let text = |v: &'r Option<crate::report::Located<String>>,
                    what: &str,
                    place: &mut dyn FnMut(crate::source::Span, &str)| match v {
            Some(l) => {
                place(l.span, what);
                Val::Text(Cow::Borrowed(&l.value), None)
            }
            None => Val::missing(format!("报告没有写明{what}")),
        };
        match field {
            ReportField::Year => meta.year.as_ref().map_or_else(
                || Val::missing("报告没有写明年度"),
                |y| {
                    place(y.span, "年度");
                    Val::Num(y.value.into())
                },
            ),
            ReportField::Title => text(&meta.title, "标题", &mut place),
            ReportField::Agency => text(&meta.agency, "机关", &mut place),
            ReportField::Level => text(&meta.level, "机关层级", &mut place),
            ReportField::PublishedOn => meta.published.as_ref().map_or_else(
                || Val::missing("报告没有写明发布日期"),
                |d| {
                    place(d.span, "发布日期");
                    Val::Date(d.value)
                },
            ),
            ReportField::Path => Val::Text(Cow::Borrowed(self.report.source.name()), None),
        }
    }

    fn member(&self, base: Val<'r>, member: &Member, frame: &mut Frame<'r>) -> Val<'r> {
        match (base, member) {
            (m @ Val::Missing(_), _) => m,
            (v @ (Val::Node { .. } | Val::Table(_)), Member::Label) => {
                Val::Text(Cow::Owned(self.label(&v)), None)
            }
            (Val::Section(s), member) => {
                let key = &self.rule_set.sections[s].key;
                let found = self.report.section(key);
                match (member, found) {
                    (Member::Label, _) => {
                        Val::Text(Cow::Borrowed(&self.rule_set.sections[s].title), None)
                    }
                    (_, None) => Val::missing(format!(
                        "报告中没有「{}」一节",
                        self.rule_set.sections[s].title
                    )),
                    (Member::PrintedTitle, Some(d)) => Val::Text(Cow::Borrowed(&d.heading), None),
                    (Member::Standard, Some(d)) => {
                        if frame.recording {
                            frame
                                .evidence
                                .places
                                .push((d.heading_span, format!("标题「{}」", d.heading)));
                        }
                        Val::Bool(matches!(d.matched, LabelMatch::Exact | LabelMatch::Alias))
                    }
                    (_, Some(d)) => Val::Text(Cow::Borrowed(&d.text), Some(d.text_start)),
                }
            }
            (Val::Cell { table, row, column }, member) => {
                let cell = self.cell(false, table, row, column, frame);
                match (member, cell) {
                    (_, Err(m)) => m,
                    (Member::CellValue, Ok(_)) => {
                        self.cell_number(false, table, row, column, frame)
                    }
                    (Member::Text, Ok(c)) => Val::Text(Cow::Borrowed(&c.raw), None),
                    (_, Ok(c)) => Val::Text(Cow::Borrowed(c.unit.as_deref().unwrap_or("")), None),
                }
            }
            (Val::Match(groups), Member::Group(name)) => {
                match groups.into_iter().find(|(n, _)| n == name) {
                    Some((_, Some((text, at)))) => Val::Text(Cow::Owned(text), at),
                    _ => Val::missing(format!("正文中没有「{name}」对应的内容")),
                }
            }
            _ => Val::missing("无法取得这个值"),
        }
    }

    // ------------------------------------------------------------------ cells

    fn grid(&self, previous: bool, table: TableIdx) -> Result<(&'r Report, &Grid), Val<'r>> {
        if previous {
            let Some(report) = self.previous else {
                return Err(Val::missing(
                    "没有提供上年度报告，无法比较（用 --prev 指定）",
                ));
            };
            Ok((report, &self.previous_grids[table]))
        } else {
            Ok((self.report, &self.grids[table]))
        }
    }

    fn cell(
        &self,
        previous: bool,
        table: TableIdx,
        row: NodeIdx,
        column: NodeIdx,
        frame: &mut Frame<'r>,
    ) -> Result<&'r crate::report::Cell, Val<'r>> {
        let (report, grid) = self.grid(previous, table)?;
        let t = &self.rule_set.tables[table];
        let which = if previous {
            "上年度报告"
        } else {
            "报告"
        };
        let Some(data) = grid
            .data
            .map(|d| &report.tables[d])
            .filter(|d| d.is_found())
        else {
            return Err(Val::missing(format!("{which}中没有找到表格「{}」", t.key)));
        };
        let (Some(r), Some(c)) = (grid.rows[row], grid.columns[column]) else {
            return Err(Val::missing(format!(
                "{which}的表格「{}」中没有「{}」行「{}」列",
                t.key,
                node_label(&t.rows, row),
                node_label(&t.columns, column)
            )));
        };
        let Some(cell) = data.cell_at(r, c) else {
            return Err(Val::missing(format!(
                "{which}的表格「{}」中没有读到「{}」行「{}」列的数值",
                t.key,
                node_label(&t.rows, row),
                node_label(&t.columns, column)
            )));
        };
        if let CellValue::Unknown(reason) = &cell.value {
            // A cell the reader could not place: whatever a check asks of it is missing.
            return Err(Val::missing(format!(
                "{which}的表格「{}」中「{}」行「{}」列没有读准（{reason}）",
                t.key,
                node_label(&t.rows, row),
                node_label(&t.columns, column)
            )));
        }
        if frame.recording && !frame.cells_read.contains(&(previous, table, row, column)) {
            frame.cells_read.push((previous, table, row, column));
        }
        Ok(cell)
    }

    /// A cell that was read, described for a finding.
    fn cell_evidence(
        &self,
        previous: bool,
        table: TableIdx,
        row: NodeIdx,
        column: NodeIdx,
    ) -> Option<CellEvidence> {
        let (report, grid) = self.grid(previous, table).ok()?;
        let cell = report.tables[grid.data?].cell_at(grid.rows[row]?, grid.columns[column]?)?;
        let t = &self.rule_set.tables[table];
        Some(CellEvidence {
            previous,
            table: t.key.clone(),
            row: t.rows[row].path.clone(),
            column: t.columns[column].path.clone(),
            row_label: node_label(&t.rows, row),
            column_label: node_label(&t.columns, column),
            raw: cell.raw.clone(),
            value: cell_value_text(&cell.value),
            span: cell.span,
        })
    }

    /// A numeric cell's value, with the blank policy applied.
    fn cell_number(
        &self,
        previous: bool,
        table: TableIdx,
        row: NodeIdx,
        column: NodeIdx,
        frame: &mut Frame<'r>,
    ) -> Val<'r> {
        let cell = match self.cell(previous, table, row, column, frame) {
            Ok(c) => c,
            Err(m) => return m,
        };
        let t = &self.rule_set.tables[table];
        let node = &t.rows[row];
        let where_ = || {
            format!(
                "「{}」行「{}」列",
                node_label(&t.rows, row),
                node_label(&t.columns, column)
            )
        };
        match &cell.value {
            CellValue::Number(n) => Val::Num(*n),
            CellValue::NotApplicable(_) if node.na_allowed => Val::Num(Decimal::ZERO),
            CellValue::Blank | CellValue::NotApplicable(_) => {
                match self.blank_policy(&node.blank) {
                    BlankPolicy::Zero => Val::Num(Decimal::ZERO),
                    _ => Val::missing(format!("{}是空白（空白策略为「缺失」）", where_())),
                }
            }
            CellValue::Text(t) => Val::Text(Cow::Borrowed(t), None),
            CellValue::Invalid(reason) => Val::missing(format!("{}：{reason}", where_())),
            // `cell` refuses unknown cells: no check rests on a cell the reader guessed.
            CellValue::Unknown(_) => Val::missing(format!("{}没有读准", where_())),
        }
    }

    fn blank_policy(&self, policy: &BlankPolicy) -> BlankPolicy {
        match policy {
            BlankPolicy::Param(p) => match &self.params.0[*p] {
                Some(Value::Text(t)) if t == "缺失" => BlankPolicy::Missing,
                _ => BlankPolicy::Zero,
            },
            other => other.clone(),
        }
    }

    fn cells(
        &self,
        previous: bool,
        table: TableIdx,
        rows: &Pick,
        columns: &Pick,
        frame: &mut Frame<'r>,
    ) -> Val<'r> {
        let rows = resolve_pick(rows, frame);
        let columns = resolve_pick(columns, frame);
        let (Some(rows), Some(columns)) = (rows, columns) else {
            return Val::missing("变量没有取值");
        };
        let text_cells = matches!(
            self.rule_set.tables[table].cell_type(rows[0], columns[0]),
            CellType::Text
        );
        let mut values = Vec::with_capacity(rows.len() * columns.len());
        for &r in rows {
            for &c in columns {
                let v = if text_cells {
                    match self.cell(previous, table, r, c, frame) {
                        Ok(cell) => Val::Text(Cow::Borrowed(&cell.raw), None),
                        Err(m) => m,
                    }
                } else {
                    self.cell_number(previous, table, r, c, frame)
                };
                values.push(v);
            }
        }
        if values.len() == 1 && rows.len() == 1 && columns.len() == 1 {
            return values.pop().expect("one value");
        }
        match values.iter().find(|v| v.is_missing()) {
            Some(m) => m.clone(),
            None => Val::List(values),
        }
    }

    // ------------------------------------------------------------------ functions

    fn call(&self, function: Function, args: &'r [Expr], frame: &mut Frame<'r>) -> Val<'r> {
        match function {
            Function::Exists => {
                let recording = frame.recording;
                let v = self.eval(&args[0], frame);
                frame.recording = recording;
                Val::Bool(match v {
                    Val::Missing(_) => false,
                    Val::Section(s) => self.section_found(s, frame),
                    Val::Table(t) => self.grids[t]
                        .data
                        .is_some_and(|d| self.report.tables[d].is_found()),
                    _ => true,
                })
            }
            Function::IsEmpty => match self.eval(&args[0], frame) {
                Val::Table(t) => match self.grids[t]
                    .data
                    .map(|d| &self.report.tables[d])
                    .filter(|d| d.is_found())
                {
                    Some(data) => Val::Bool(data.is_blank()),
                    None => Val::missing(format!(
                        "报告中没有找到表格「{}」",
                        self.rule_set.tables[t].key
                    )),
                },
                other => other,
            },
            Function::InOrder => match self.eval(&args[0], frame) {
                Val::Section(s) => self.in_order(s, frame),
                other => other,
            },
            Function::IsBlank | Function::IsValid => {
                let Some((previous, table, row, column)) = self.single_cell(&args[0], frame) else {
                    return Val::missing("变量没有取值");
                };
                let cell = match self.cell(previous, table, row, column, frame) {
                    Ok(c) => c,
                    Err(m) => return m,
                };
                let t = &self.rule_set.tables[table];
                let node = &t.rows[row];
                if function == Function::IsBlank {
                    let blank = matches!(cell.value, CellValue::Blank)
                        || matches!(cell.value, CellValue::NotApplicable(_)) && !node.na_allowed;
                    return Val::Bool(blank);
                }
                Val::Bool(conforms(
                    &cell.value,
                    cell.unit.as_deref(),
                    t.cell_type(row, column),
                ))
            }
            Function::Capture => {
                let text = self.eval(&args[0], frame);
                let Val::Pattern(pattern) = self.eval(&args[1], frame) else {
                    unreachable!("typed as a pattern")
                };
                let regex = match pattern.regex() {
                    Ok(r) => r,
                    Err(reason) => return Val::missing(reason),
                };
                let (text, at) = match self.text(text) {
                    Ok(t) => t,
                    Err(m) => return m,
                };
                match regex.captures(&text) {
                    None => Val::missing(crate::syntax::pattern_words::not_found_in_text(
                        regex.as_str(),
                    )),
                    Some(captures) => {
                        if frame.recording {
                            if let (Some(at), Some(whole)) = (at, captures.get(0)) {
                                let span = self
                                    .report
                                    .source_span(at + whole.start(), at + whole.end());
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
                                    captures.get(i).map(|m| {
                                        (m.as_str().to_owned(), at.map(|a| a + m.start()))
                                    }),
                                ))
                            })
                            .collect();
                        Val::Match(groups)
                    }
                }
            }
            Function::Years => match self.text(self.eval(&args[0], frame)) {
                Ok((text, _)) => Val::List(
                    years_in(&text)
                        .into_iter()
                        .map(|y| Val::Num(y.into()))
                        .collect(),
                ),
                Err(m) => m,
            },
            Function::SumOfNumbers => match self.text(self.eval(&args[0], frame)) {
                Ok((text, _)) => checked_sum(numbers_in(&text)),
                Err(m) => m,
            },
            Function::ToNumber => match self.eval(&args[0], frame) {
                m @ Val::Missing(_) => m,
                v => match self.number(v) {
                    Ok(n) => Val::Num(n),
                    Err(m) => m,
                },
            },
            Function::Length => match self.eval(&args[0], frame) {
                Val::List(items) => Val::Num(items.len().into()),
                other => match self.text(other) {
                    Ok((t, _)) => Val::Num(t.chars().count().into()),
                    Err(m) => m,
                },
            },
            Function::First => match self.eval(&args[0], frame) {
                Val::List(items) => items
                    .into_iter()
                    .next()
                    .unwrap_or_else(|| Val::missing("列表是空的")),
                other => other,
            },
            Function::MakeDate => {
                let parts: Result<Vec<Decimal>, Val<'r>> = args
                    .iter()
                    .map(|a| self.number(self.eval(a, frame)))
                    .collect();
                match parts {
                    Err(m) => m,
                    Ok(p) => {
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
                }
            }
            Function::Abs | Function::Round => {
                let n = match self.number(self.eval(&args[0], frame)) {
                    Ok(n) => n,
                    Err(m) => return m,
                };
                if function == Function::Abs {
                    return Val::Num(n.abs());
                }
                match self.number(self.eval(&args[1], frame)) {
                    Ok(digits) => Val::Num(
                        n.round_dp(
                            u32::try_from(i64::try_from(digits.trunc()).unwrap_or(0).clamp(0, 20))
                                .unwrap_or(0),
                        ),
                    ),
                    Err(m) => m,
                }
            }
            Function::Sum | Function::Min | Function::Max | Function::Count => {
                let mut numbers = Vec::new();
                let mut count = 0usize;
                for a in args {
                    match self.eval(a, frame) {
                        m @ Val::Missing(_) => return m,
                        Val::List(items) => {
                            count += items.len();
                            for i in items {
                                match self.number(i) {
                                    Ok(n) => numbers.push(n),
                                    Err(m) if function != Function::Count => return m,
                                    Err(_) => {}
                                }
                            }
                        }
                        other => {
                            count += 1;
                            match self.number(other) {
                                Ok(n) => numbers.push(n),
                                Err(m) if function != Function::Count => return m,
                                Err(_) => {}
                            }
                        }
                    }
                }
                match function {
                    Function::Count => Val::Num(count.into()),
                    Function::Sum => checked_sum(numbers),
                    Function::Min => numbers
                        .into_iter()
                        .min()
                        .map_or_else(|| Val::missing("没有数值"), Val::Num),
                    _ => numbers
                        .into_iter()
                        .max()
                        .map_or_else(|| Val::missing("没有数值"), Val::Num),
                }
            }
        }
    }

    fn single_cell(
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

    fn compare(
        &self,
        op: CompareOp,
        lhs: &'r Expr,
        rhs: &'r Expr,
        tolerance: Option<&'r (Box<Expr>, bool)>,
        frame: &mut Frame<'r>,
    ) -> Val<'r> {
        let left = self.eval(lhs, frame);
        let right = self.eval(rhs, frame);
        // `x = 无` / `x ≠ 无` ask whether a value is there.
        let absent_literal = |e: &Expr| matches!(e.kind, ExprKind::Absent);
        if absent_literal(lhs) || absent_literal(rhs) {
            let other = if absent_literal(lhs) { &right } else { &left };
            let absent = other.is_missing();
            return Val::Bool(if op == CompareOp::Eq { absent } else { !absent });
        }
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

    fn text_op(&self, op: TextOp, a: &'r Expr, b: &'r Expr, frame: &mut Frame<'r>) -> Val<'r> {
        let (text, at) = match self.text(self.eval(a, frame)) {
            Ok(t) => t,
            Err(m) => return m,
        };
        let found = match self.eval(b, frame) {
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

    fn text(&self, v: Val<'r>) -> Result<(Cow<'r, str>, Option<usize>), Val<'r>> {
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

    fn number(&self, v: Val<'r>) -> Result<Decimal, Val<'r>> {
        match v {
            Val::Num(n) => Ok(n),
            m @ Val::Missing(_) => Err(m),
            other => as_number(&other)
                .ok_or_else(|| Val::missing(format!("「{}」不是数字", self.label(&other)))),
        }
    }
}

fn grid(table: &crate::ruleset::Table, report: &Report) -> Grid {
    let data = report.tables.iter().position(|t| t.key == table.key);
    let position = |paths: Option<&Vec<String>>, node: &Node| {
        paths.and_then(|p| p.iter().position(|x| *x == node.path))
    };
    let rows = table
        .rows
        .iter()
        .map(|n| position(data.map(|d| &report.tables[d].rows), n))
        .collect();
    let columns = table
        .columns
        .iter()
        .map(|n| position(data.map(|d| &report.tables[d].columns), n))
        .collect();
    Grid {
        data,
        rows,
        columns,
    }
}

fn domain_value<'r>(domain: &Domain, position: usize) -> Val<'r> {
    match domain {
        Domain::Columns(t, nodes) => Val::Node {
            table: *t,
            node: nodes[position],
            rows: false,
            position,
        },
        Domain::Rows(t, nodes) => Val::Node {
            table: *t,
            node: nodes[position],
            rows: true,
            position,
        },
        Domain::Sections(s) => Val::Section(s[position]),
        Domain::Tables(t) => Val::Table(t[position]),
        Domain::Cells(cells) => {
            let (table, row, column) = cells[position];
            Val::Cell { table, row, column }
        }
    }
}

/// The nodes a pick selects for the current values of the variables.
fn resolve_pick<'p>(pick: &'p Pick, frame: &Frame<'_>) -> Option<&'p [NodeIdx]> {
    match pick {
        Pick::Fixed(nodes) => Some(nodes),
        Pick::ByVar {
            slot, per_value, ..
        } => {
            let Some(Some(Val::Node { position, .. })) = frame.slots.get(*slot) else {
                return None;
            };
            per_value.get(*position).map(Vec::as_slice)
        }
    }
}

fn pick_label(nodes: &[Node], pick: &Pick, frame: &Frame<'_>, _rows: bool) -> String {
    match resolve_pick(pick, frame) {
        Some([one]) => node_label_short(nodes, *one),
        Some([first, .., last]) => format!(
            "{}..{}",
            node_label_short(nodes, *first),
            node_label_short(nodes, *last)
        ),
        _ => "?".into(),
    }
}

/// A row's or column's printed label; qualified by its group's (`行政复议·总计`) when another
/// node of the table prints the same label.
fn node_label(nodes: &[Node], index: NodeIdx) -> String {
    let node = &nodes[index];
    if node.unlabeled {
        return node.key.clone();
    }
    qualified(nodes, index, node.label.clone())
}

/// A row's key is shorter than its printed label and reads well in formulas (`一[自然人]`).
fn node_label_short(nodes: &[Node], index: NodeIdx) -> String {
    let node = &nodes[index];
    if node.label.chars().count() <= 8 && !node.unlabeled {
        qualified(nodes, index, node.label.clone())
    } else {
        node.path.clone()
    }
}

fn qualified(nodes: &[Node], index: NodeIdx, label: String) -> String {
    let node = &nodes[index];
    let ambiguous = nodes
        .iter()
        .enumerate()
        .any(|(i, n)| i != index && n.label == node.label && !n.is_group);
    match node.parent {
        Some(parent) if ambiguous => format!("{}·{label}", nodes[parent].label),
        _ => label,
    }
}

fn cell_value_text(value: &CellValue) -> String {
    match value {
        CellValue::Number(n) => number_text(*n),
        CellValue::Blank => "（空白）".into(),
        CellValue::NotApplicable(mark) | CellValue::Text(mark) => mark.clone(),
        CellValue::Invalid(_) => "（无效）".into(),
        CellValue::Unknown(_) => "（没有读准）".into(),
    }
}

fn number_text(n: Decimal) -> String {
    n.normalize().to_string()
}

fn display(v: &Val<'_>) -> String {
    match v {
        Val::Num(n) => number_text(*n),
        Val::Bool(b) => if *b { "是" } else { "否" }.into(),
        Val::Text(t, _) => t.to_string(),
        Val::Date(d) => d.to_string(),
        Val::List(items) => items.iter().map(display).collect::<Vec<_>>().join("、"),
        Val::Range(a, b) => format!("{a}..{b}"),
        Val::Pattern(r) => format!("/{}/", r.as_str()),
        Val::Match(groups) => groups
            .iter()
            .filter_map(|(_, g)| g.as_ref().map(|(t, _)| t.clone()))
            .collect::<Vec<_>>()
            .join("、"),
        // `无` written in a rule is the absence itself, not a reason.
        Val::Missing(reason) if reason == "无" => "无".to_owned(),
        Val::Missing(reason) => format!("（{reason}）"),
        Val::Section(_) | Val::Table(_) | Val::Node { .. } | Val::Cell { .. } => "?".into(),
    }
}

/// The units that may follow a count.
const COUNTING_WORDS: [&str; 4] = ["件", "条", "个", "项"];

/// Whether a cell's value is a value of its declared type.
#[must_use]
pub fn conforms(value: &CellValue, unit: Option<&str>, cell_type: &CellType) -> bool {
    let CellValue::Number(n) = value else {
        return !matches!(value, CellValue::Invalid(_) | CellValue::Unknown(_));
    };
    match cell_type {
        // A counting word after a count (`18件`) is how some agencies print counts, not an error.
        CellType::Count => {
            n.fract().is_zero()
                && !n.is_sign_negative()
                && unit.is_none_or(|u| COUNTING_WORDS.contains(&u))
        }
        CellType::Integer => n.fract().is_zero() && unit.is_none(),
        CellType::Money { units, decimals } => {
            let unit_ok = match unit {
                None => true,
                Some("元") => units.contains(&MoneyUnit::Yuan),
                Some("万元") => units.contains(&MoneyUnit::WanYuan),
                Some(_) => false,
            };
            unit_ok && n.normalize().scale() <= *decimals
        }
        CellType::Percent => unit.is_none_or(|u| u == "%"),
        CellType::Text => true,
    }
}

/// Four-digit years followed by 年 (1990–2100).
fn years_in(text: &str) -> Vec<i64> {
    let bytes = text.as_bytes();
    let mut years = Vec::new();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && text[i + 4..].trim_start().starts_with('年')
        {
            if let Ok(y) = text[i..i + 4].parse::<i64>() {
                if (1990..=2100).contains(&y) {
                    years.push(y);
                }
            }
            i += 4;
        } else {
            i += 1;
        }
    }
    years
}

fn numbers_in(text: &str) -> Vec<Decimal> {
    let mut out = Vec::new();
    let mut current = String::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_digit() || (c == '.' && !current.is_empty()) {
            current.push(c);
        } else if !current.is_empty() {
            if let Ok(n) = current.trim_end_matches('.').parse() {
                out.push(n);
            }
            current.clear();
        }
    }
    out
}

/// Why a value could not be computed exactly: it is beyond what decimal arithmetic holds.
const OUT_OF_RANGE: &str = "数值超出范围";

/// The sum, or why it could not be computed.
fn checked_sum<'r>(numbers: impl IntoIterator<Item = Decimal>) -> Val<'r> {
    numbers
        .into_iter()
        .try_fold(Decimal::ZERO, Decimal::checked_add)
        .map_or_else(|| Val::missing(OUT_OF_RANGE), Val::Num)
}

/// A value read as a number: numbers, and text or captured groups that spell one.
fn as_number(v: &Val<'_>) -> Option<Decimal> {
    match v {
        Val::Num(n) => Some(*n),
        Val::Text(t, _) => number_in_text(t),
        Val::Match(groups) => groups
            .first()
            .and_then(|(_, g)| g.as_ref())
            .and_then(|(t, _)| number_in_text(t)),
        _ => None,
    }
}

/// Whether two values are equal; `None` when they cannot be compared.
fn equal(a: &Val<'_>, b: &Val<'_>) -> Option<bool> {
    match (a, b) {
        (Val::Bool(x), Val::Bool(y)) => Some(x == y),
        (
            Val::Node {
                table: t1,
                node: n1,
                rows: r1,
                ..
            },
            Val::Node {
                table: t2,
                node: n2,
                rows: r2,
                ..
            },
        ) => Some((t1, n1, r1) == (t2, n2, r2)),
        (Val::Date(x), Val::Date(y)) => Some(x == y),
        (Val::Num(x), Val::Num(y)) => Some(x == y),
        (Val::Text(x, _), Val::Text(y, _)) if as_number(a).is_none() || as_number(b).is_none() => {
            Some(x == y)
        }
        _ => Some(as_number(a)? == as_number(b)?),
    }
}
