//! A check's parts: its conditions, binders and their domains, and its message template.

use super::types::is_numeric;
use super::{Frame, Resolver, Sides};
use crate::diagnostic::Problem;
use crate::ruleset::{
    Binder, Check, Domain, ExprKind, Let, Pick, Slot, Template, TemplatePart, Type,
};
use crate::source::Span;
use crate::syntax::ast::{self, DomainKind, Selector};
use crate::syntax::parse_placeholder;

impl Resolver<'_> {
    pub(super) fn check(&mut self, decl: &ast::CheckDecl, origin: &str) -> Option<Check> {
        let table = match &decl.table {
            Some(t) => Some(self.table_index(t)?),
            None => None,
        };
        let mut frame = Frame::new(table);
        let mut ok = true;
        let mut when = Vec::new();
        frame.later_lets = decl.lets.iter().map(|l| l.name.node.clone()).collect();
        for condition in &decl.when {
            match self.expr(condition, &mut frame) {
                Some(e) if self.expect(&e, &Type::Bool, "「仅当」条件") => when.push(e),
                _ => ok = false,
            }
        }
        frame.later_lets.clear();
        let assertion_decl = match decl.asserts.as_slice() {
            [one] => Some(one),
            [] => {
                self.error(
                    Problem::CheckShape {
                        problem: "缺少「断言」",
                    },
                    decl.id.span,
                );
                None
            }
            [_, second, ..] => {
                self.error(
                    Problem::CheckShape {
                        problem: "只能有一个「断言」",
                    },
                    // The keyword alone: the assertion after it may run over several lines.
                    Span::new(second.span.start, second.span.start + "断言".len()),
                );
                None
            }
        };
        if decl.message.is_none() {
            self.error(
                Problem::CheckShape {
                    problem: "缺少「消息」",
                },
                decl.id.span,
            );
            ok = false;
        }
        let assertion_decl = assertion_decl?;
        let mut binders = Vec::new();
        for b in &assertion_decl.binders {
            if let Some((binder, _)) = self.binder(b, &mut frame) {
                binders.push(binder);
            } else {
                frame.poisoned.push(b.var.node.clone());
                ok = false;
            }
        }
        let mut lets = Vec::new();
        let mut let_slots = Vec::new();
        for l in &decl.lets {
            if let Some(value) = self.expr(&l.value, &mut frame) {
                let_slots.push(frame.push(&l.name.node, value.ty.clone(), None));
                lets.push(Let {
                    name: l.name.node.clone(),
                    value,
                    span: l.name.span,
                });
            } else {
                frame.poisoned.push(l.name.node.clone());
                ok = false;
            }
        }
        let assertion = self.expr(&assertion_decl.expr, &mut frame);
        let assertion = match assertion {
            Some(a) if self.expect(&a, &Type::Bool, "「断言」") => a,
            _ => return None,
        };
        frame.sides = match &assertion.kind {
            ExprKind::Compare { lhs, .. } if is_numeric(&lhs.ty) => Sides::BothNumeric,
            ExprKind::Compare { .. } | ExprKind::TextOp(..) | ExprKind::In(..) => Sides::Both,
            _ => Sides::None,
        };
        let message = self.template(decl.message.as_ref()?, &mut frame)?;
        if !ok {
            return None;
        }
        Some(Check {
            id: decl.id.node.clone(),
            severity: decl.severity.node,
            tags: decl.tags.iter().map(|t| t.node.clone()).collect(),
            basis: decl.basis.as_ref().map(|b| b.node.clone()),
            table,
            when,
            binders,
            lets,
            assertion,
            message,
            help: decl.help.as_ref().map(|h| h.node.clone()),
            per_table: decl.per_table,
            origin: origin.to_owned(),
            slot_names: frame.slot_names,
            let_slots,
            span: decl.id.span,
        })
    }

    /// Compiles a binder and brings its variable into scope.
    pub(super) fn binder(&mut self, b: &ast::Binder, frame: &mut Frame) -> Option<(Binder, Slot)> {
        let domain = self.domain(b, frame)?;
        // A quantity's statements are known only when a report is read.
        if domain.is_empty() && !matches!(domain, Domain::Statements(_)) {
            self.error(
                Problem::BadValue {
                    name: b.var.node.clone(),
                    expected: "至少一个取值".into(),
                    found: "空的范围".into(),
                },
                b.span,
            );
            return None;
        }
        let slot = frame.push(&b.var.node, domain.element_type(), Some(domain.clone()));
        let filter = match &b.filter {
            Some(f) => {
                let e = self.expr(f, frame)?;
                if !self.expect(&e, &Type::Bool, "「其中」条件") {
                    return None;
                }
                Some(e)
            }
            None => None,
        };
        Some((
            Binder {
                name: b.var.node.clone(),
                domain,
                filter,
                slot,
                span: b.span,
            },
            slot,
        ))
    }

    fn domain(&mut self, b: &ast::Binder, frame: &Frame) -> Option<Domain> {
        let kind = b.kind.node;
        match kind {
            DomainKind::Column
            | DomainKind::Row
            | DomainKind::ColumnGroup
            | DomainKind::RowGroup => {
                let Some(table) = frame.table else {
                    self.error(
                        Problem::NeedsTable {
                            what: "「对每 行/列」",
                        },
                        b.kind.span,
                    );
                    return None;
                };
                let rows = matches!(kind, DomainKind::Row | DomainKind::RowGroup);
                let groups = matches!(kind, DomainKind::ColumnGroup | DomainKind::RowGroup);
                let nodes = self.axis(table, rows);
                let mut picked = Vec::new();
                if b.selectors.is_empty() {
                    picked = (0..nodes.len())
                        .filter(|&i| nodes[i].is_group == groups)
                        .collect();
                }
                for selector in &b.selectors {
                    if groups {
                        let Selector::One(path) = selector else {
                            self.error(
                                Problem::TypeMismatch {
                                    context: "「对每 列组/行组」".into(),
                                    expected: "组的名称".into(),
                                    found: "范围".into(),
                                },
                                selector.span(),
                            );
                            return None;
                        };
                        let node = self.find_node(table, rows, path)?;
                        if !self.axis(table, rows)[node].is_group {
                            self.error(
                                Problem::TypeMismatch {
                                    context: "「对每 列组/行组」".into(),
                                    expected: "组".into(),
                                    found: format!(
                                        "{}「{}」",
                                        if rows { "行" } else { "列" },
                                        self.axis(table, rows)[node].key
                                    ),
                                },
                                path.span,
                            );
                            return None;
                        }
                        picked.push(node);
                    } else {
                        match self.pick(table, rows, selector, frame)? {
                            Pick::Fixed(leaves) => picked.extend(leaves),
                            Pick::ByVar { .. } => {
                                self.error(
                                    Problem::TypeMismatch {
                                        context: "「对每」的范围".into(),
                                        expected: "固定的行或列".into(),
                                        found: "依赖于另一个变量的行或列".into(),
                                    },
                                    selector.span(),
                                );
                                return None;
                            }
                        }
                    }
                }
                Some(if rows {
                    Domain::Rows(table, picked)
                } else {
                    Domain::Columns(table, picked)
                })
            }
            DomainKind::Section => {
                let mut picked = Vec::new();
                if b.selectors.is_empty() {
                    picked = (0..self.decls.sections.len()).collect();
                }
                for selector in &b.selectors {
                    let key = self.single_name(selector, "章节")?;
                    picked.push(self.section_index(key)?);
                }
                Some(Domain::Sections(picked))
            }
            DomainKind::Table => {
                let mut picked = Vec::new();
                if b.selectors.is_empty() {
                    picked = (0..self.tables.len()).collect();
                    self.used_tables.iter_mut().for_each(|u| *u = true);
                }
                for selector in &b.selectors {
                    let key = self.single_name(selector, "表格")?;
                    picked.push(self.table_index(key)?);
                }
                Some(Domain::Tables(picked))
            }
            DomainKind::Cell => {
                let mut tables = Vec::new();
                for selector in &b.selectors {
                    let key = self.single_name(selector, "表格")?;
                    tables.push(self.table_index(key)?);
                }
                if tables.is_empty() {
                    // The check's table, or else every table the rule set declares (so that a
                    // check over all cells keeps working when a revision drops a table).
                    if let Some(table) = frame.table {
                        tables.push(table);
                    } else {
                        tables = (0..self.tables.len()).collect();
                        self.used_tables.iter_mut().for_each(|u| *u = true);
                    }
                }
                let mut cells = Vec::new();
                for t in tables {
                    let table = &self.tables[t];
                    for r in table.leaf_rows() {
                        cells.extend(table.leaf_columns().map(|c| (t, r, c)));
                    }
                }
                Some(Domain::Cells(cells))
            }
            DomainKind::Statement => {
                if b.selectors.is_empty() {
                    self.error(
                        Problem::TypeMismatch {
                            context: "「对每 陈述」".into(),
                            expected: "数量的名称（属于 …）".into(),
                            found: "没有".into(),
                        },
                        b.kind.span,
                    );
                    return None;
                }
                let mut picked = Vec::new();
                for selector in &b.selectors {
                    let key = self.single_name(selector, "数量")?;
                    picked.push(self.quantity_index(key)?);
                }
                Some(Domain::Statements(picked))
            }
        }
    }

    // ------------------------------------------------------------------ templates

    fn template(&mut self, message: &ast::Str, frame: &mut Frame) -> Option<Template> {
        // Read the message as written, so that `\{` is told from `{` and every placeholder's
        // span is exact.
        let raw = self.sources.snippet(message.span).to_owned();
        let escapes = raw.starts_with('"');
        let quote = raw.chars().next().map_or(0, char::len_utf8);
        let close = raw.chars().last().map_or(0, char::len_utf8);
        let body = raw
            .get(quote..raw.len().saturating_sub(close))
            .unwrap_or_default();
        let base = message.span.start + quote;
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut chars = body.char_indices().peekable();
        let mut ok = true;
        while let Some((at, c)) = chars.next() {
            match c {
                '\\' if escapes => match chars.next().map(|(_, e)| e) {
                    Some('n') => literal.push('\n'),
                    Some('t') => literal.push('\t'),
                    Some(e) => literal.push(e),
                    None => {}
                },
                '{' => {
                    let start = at + 1;
                    let Some(close) = body[start..].find('}') else {
                        self.error(
                            Problem::BadTemplate {
                                reason: "「{」没有对应的「}」",
                            },
                            message.span,
                        );
                        return None;
                    };
                    let inner = &body[start..start + close];
                    while chars.peek().is_some_and(|&(i, _)| i < start + close + 1) {
                        chars.next();
                    }
                    if !literal.is_empty() {
                        parts.push(TemplatePart::Text(std::mem::take(&mut literal)));
                    }
                    let offset = base + start;
                    let span = Span::new(offset, offset + inner.len());
                    match self.placeholder(inner, offset, span, frame) {
                        Some(part) => parts.push(part),
                        None => ok = false,
                    }
                }
                '}' => {
                    self.error(
                        Problem::BadTemplate {
                            reason: "多余的「}」",
                        },
                        message.span,
                    );
                    return None;
                }
                other => literal.push(other),
            }
        }
        if !literal.is_empty() {
            parts.push(TemplatePart::Text(literal));
        }
        ok.then_some(Template {
            parts,
            span: message.span,
        })
    }

    fn placeholder(
        &mut self,
        inner: &str,
        offset: usize,
        span: Span,
        frame: &mut Frame,
    ) -> Option<TemplatePart> {
        let name = inner.trim();
        let special = match name {
            "左" => Some((TemplatePart::Left, false)),
            "右" => Some((TemplatePart::Right, false)),
            "差" => Some((TemplatePart::Difference, true)),
            "公式" => Some((TemplatePart::Formula, false)),
            _ => None,
        };
        if let Some((part, numeric)) = special {
            if frame.find(name).is_none() {
                let available = match frame.sides {
                    _ if matches!(part, TemplatePart::Formula) => true,
                    Sides::BothNumeric => true,
                    Sides::Both => !numeric,
                    Sides::None => false,
                };
                if !available {
                    self.error(
                        Problem::TypeMismatch {
                            context: format!("占位符「{{{name}}}」"),
                            expected: if numeric {
                                "两边都是数的比较式断言".into()
                            } else {
                                "比较式断言（甲 = 乙、甲 包含 乙 …）".into()
                            },
                            found: "其他形式的断言".into(),
                        },
                        span,
                    );
                    return None;
                }
                return Some(part);
            }
        }
        match parse_placeholder(inner, offset) {
            Ok(expr) => self.expr(&expr, frame).map(TemplatePart::Value),
            Err(mut d) => {
                if span.is_empty() {
                    d.span = span;
                }
                self.diagnostics.push(d);
                None
            }
        }
    }
}
