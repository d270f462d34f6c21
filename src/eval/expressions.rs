//! Evaluating expressions: constants, variables, report fields, members, cells of the
//! report's tables (and of last year's), with the blank policy of each cell.

use std::borrow::Cow;

use rust_decimal::Decimal;

use super::support::{OUT_OF_RANGE, cell_value_text, equal, node_label, resolve_pick};
use super::value::Val;
use super::{CellEvidence, Evaluator, Frame, Grid};
use crate::report::{CellValue, LabelMatch, Report};
use crate::ruleset::{
    ArithOp, BlankPolicy, CellType, Expr, ExprKind, Member, NodeIdx, Pick, ReportField, TableIdx,
    Value,
};

impl<'r> Evaluator<'r> {
    pub(super) fn eval(&self, expr: &'r Expr, frame: &mut Frame<'r>) -> Val<'r> {
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
            ExprKind::Local(slot) => {
                let value = match frame.slots.get(*slot) {
                    Some(Some(value)) => value.clone(),
                    _ => Val::missing("变量没有取值"),
                };
                super::prose::note_statement(&value, frame);
                value
            }
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
            ExprKind::Call(function, args) => (function.evaluate)(self, args, frame),
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
                for position in 0..self.domain_size(&binder.domain) {
                    frame.slots[*slot] = Some(self.domain_item(&binder.domain, position));
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
            (
                Val::Stated {
                    quantity, index, ..
                },
                Member::Stated(field),
            ) => self.stated_member(quantity, index, *field, frame),
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

    pub(super) fn grid(
        &self,
        previous: bool,
        table: TableIdx,
    ) -> Result<(&'r Report, &Grid), Val<'r>> {
        if previous {
            let Some(report) = self.previous else {
                return Err(Val::missing(
                    "没有提供上年度报告，无法比较（用 --prev 指定）",
                ));
            };
            Ok((report, &self.previous_grids()[table]))
        } else {
            Ok((self.report, &self.grids()[table]))
        }
    }

    pub(super) fn cell(
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
        // Repeats are removed only when the check fails: searching the list at every read
        // made a sum over many cells quadratic.
        if frame.recording {
            frame.cells_read.push((previous, table, row, column));
        }
        Ok(cell)
    }

    /// A cell that was read, described for a finding.
    pub(super) fn cell_evidence(
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

    pub(super) fn cells(
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
}
