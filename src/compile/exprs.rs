//! Name resolution and type checking: turns the merged declarations into a [`RuleSet`].
//! Every error is recorded and compilation goes on, so an author sees all of them at once;
//! an expression with an error compiles to `None` and its enclosing check is dropped
//! silently (its error is already recorded).

use std::sync::Arc;

use rust_decimal::Decimal;

use super::merge::Declarations;
use crate::diagnostic::{Diagnostic, Problem, suggest};
use crate::ruleset::function_name;
use crate::ruleset::{
    ArithOp, Binder, Check, Domain, Expr, ExprKind, Function, Let, Member, NodeIdx, Param,
    ParamType, Pick, ReportField, RuleSet, Section, Slot, SourceMap, Table, TableIdx, Template,
    TemplatePart, TextOp, Type, Value,
};
use crate::source::Span;
use crate::syntax::ast::{
    self, BinaryOp, DomainKind, Ident, Literal, ParamTypeAst, Selector, UnaryOp,
};
use crate::syntax::parse_placeholder;

/// Every built-in function; their Chinese names are in [`function_name`].
const FUNCTIONS: &[Function] = &[
    Function::Sum,
    Function::Count,
    Function::Min,
    Function::Max,
    Function::Abs,
    Function::Round,
    Function::Capture,
    Function::Exists,
    Function::IsEmpty,
    Function::IsBlank,
    Function::IsValid,
    Function::InOrder,
    Function::Years,
    Function::First,
    Function::MakeDate,
    Function::ToNumber,
    Function::SumOfNumbers,
    Function::Length,
];

const PARAM_TYPES: &str = "数、整数、文本、日期、布尔、选项(\"甲\", \"乙\")";

/// The names a check's expressions can see beyond the rule set's own.
struct Frame {
    table: Option<TableIdx>,
    vars: Vec<Var>,
    /// Every slot ever handed out, by name; a slot is never reused within a check.
    slot_names: Vec<String>,
    /// What `{左}`/`{右}`/`{差}` may mean: set while compiling a message template.
    sides: Sides,
    /// Variables and local definitions whose declaration had an error (already reported):
    /// their uses are skipped silently instead of being reported as undeclared.
    poisoned: Vec<String>,
    /// The check's own `令` names while its `仅当` conditions are compiled, which cannot see
    /// them: a use there gets its own explanation.
    later_lets: Vec<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Sides {
    None,
    Both,
    BothNumeric,
}

struct Var {
    name: String,
    ty: Type,
    domain: Option<Domain>,
    slot: Slot,
}

impl Frame {
    fn new(table: Option<TableIdx>) -> Self {
        Self {
            table,
            vars: Vec::new(),
            slot_names: Vec::new(),
            sides: Sides::None,
            poisoned: Vec::new(),
            later_lets: Vec::new(),
        }
    }

    fn push(&mut self, name: &str, ty: Type, domain: Option<Domain>) -> Slot {
        let slot = self.slot_names.len();
        self.slot_names.push(name.to_owned());
        self.vars.push(Var {
            name: name.to_owned(),
            ty,
            domain,
            slot,
        });
        slot
    }

    fn find(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    fn is_poisoned(&self, name: &str) -> bool {
        self.find(name).is_none() && self.poisoned.iter().any(|p| p == name)
    }
}

pub(super) struct Resolver<'a> {
    decls: &'a Declarations,
    tables: Vec<Table>,
    diagnostics: &'a mut Vec<Diagnostic>,
    params: Vec<Param>,
    lets: Vec<Let>,
    used_tables: Vec<bool>,
    used_params: Vec<bool>,
    /// The rule files, for reading message templates as written (with their escapes).
    sources: SourceMap,
    /// How many expressions are being resolved one inside another.
    depth: usize,
    /// Whether each pattern's matcher is built now (see `Loader::building_patterns`).
    build_patterns: bool,
}

impl<'a> Resolver<'a> {
    pub(super) fn new(
        decls: &'a Declarations,
        tables: Vec<Table>,
        sources: SourceMap,
        diagnostics: &'a mut Vec<Diagnostic>,
        build_patterns: bool,
    ) -> Self {
        let used_tables = vec![false; tables.len()];
        Self {
            decls,
            sources,
            tables,
            diagnostics,
            params: Vec::new(),
            lets: Vec::new(),
            used_tables,
            used_params: Vec::new(),
            depth: 0,
            build_patterns,
        }
    }

    fn error(&mut self, problem: Problem, span: Span) {
        self.diagnostics.push(Diagnostic::error(problem, span));
    }

    pub(super) fn compile(&mut self, id: Ident) -> RuleSet {
        let sources = self.sources.clone();
        let decls = self.decls;
        self.params = decls.params.iter().filter_map(|p| self.param(p)).collect();
        self.used_params = vec![false; self.params.len()];
        for table in &self.tables {
            for node in &table.rows {
                if let crate::ruleset::BlankPolicy::Param(p) = node.blank {
                    if let Some(used) = self.used_params.get_mut(p) {
                        *used = true;
                    }
                }
            }
        }
        for decl in &decls.lets {
            let mut frame = Frame::new(None);
            if let Some(value) = self.expr(&decl.value, &mut frame) {
                self.lets.push(Let {
                    name: decl.name.node.clone(),
                    value,
                    span: decl.name.span,
                });
            }
        }
        let applies = decls.applies.as_ref().and_then(|e| {
            let mut frame = Frame::new(None);
            let compiled = self.expr(e, &mut frame)?;
            self.expect(&compiled, &Type::Bool, "「适用」条件")
                .then_some(compiled)
        });
        let sections = decls
            .sections
            .iter()
            .map(|s| Section {
                key: s.key.node.clone(),
                title: s.title.node.clone(),
                aliases: s
                    .aliases
                    .iter()
                    .map(|a| crate::ruleset::Alias {
                        text: a.text.node.clone(),
                        nonstandard: a.nonstandard,
                    })
                    .collect(),
                required: s.required,
                span: s.key.span,
            })
            .collect::<Vec<_>>();
        let section_order = match &decls.order {
            Some(keys) => keys.iter().filter_map(|k| self.section_index(k)).collect(),
            None => (0..sections.len()).collect(),
        };
        let checks = decls
            .checks
            .iter()
            .filter_map(|(c, origin)| self.check(c, origin))
            .collect();
        self.warn_unused();
        RuleSet {
            id: id.node,
            title: decls.title.as_ref().map(|s| s.node.clone()),
            version: decls.version.as_ref().map(|s| s.node.clone()),
            basis: decls.basis.as_ref().map(|s| s.node.clone()),
            applies,
            lineage: decls.lineage.clone(),
            params: std::mem::take(&mut self.params),
            lets: std::mem::take(&mut self.lets),
            sections,
            section_order,
            tables: std::mem::take(&mut self.tables),
            checks,
            sources,
            span: id.span,
        }
    }

    fn warn_unused(&mut self) {
        let leaf = self.decls.leaf_span;
        let inside = |span: Span| span.start >= leaf.start && span.end <= leaf.end;
        // A misspelt or misplaced reference leaves the table or parameter it meant unused:
        // the warning would only repeat that error, so it waits until the error is fixed.
        let unresolved = |wanted: &str| {
            self.diagnostics.iter().any(|d| match &d.problem {
                Problem::UnknownName { kind, .. } => kind.starts_with(wanted),
                Problem::NeedsTable { .. } => wanted == "表格",
                _ => false,
            })
        };
        let (tables_unresolved, params_unresolved) = (unresolved("表格"), unresolved("参数"));
        for (table, used) in self.tables.iter().zip(&self.used_tables) {
            if !used && !tables_unresolved && inside(table.span) {
                self.diagnostics.push(Diagnostic::warning(
                    Problem::UnusedTable {
                        name: table.key.clone(),
                    },
                    table.span,
                ));
            }
        }
        for (param, used) in self.params.iter().zip(&self.used_params) {
            if !used && !params_unresolved && inside(param.span) {
                self.diagnostics.push(Diagnostic::warning(
                    Problem::UnusedParam {
                        name: param.name.clone(),
                    },
                    param.span,
                ));
            }
        }
    }

    fn section_index(&mut self, key: &Ident) -> Option<usize> {
        let found = self
            .decls
            .sections
            .iter()
            .position(|s| s.key.node == key.node);
        if found.is_none() {
            let suggestion = suggest(
                &key.node,
                self.decls.sections.iter().map(|s| s.key.node.as_str()),
            );
            self.error(
                Problem::UnknownName {
                    kind: "章节",
                    name: key.node.clone(),
                    suggestion,
                },
                key.span,
            );
        }
        found
    }

    fn table_index(&mut self, key: &Ident) -> Option<TableIdx> {
        let found = self.tables.iter().position(|t| t.key == key.node);
        if let Some(i) = found {
            self.used_tables[i] = true;
        } else {
            let suggestion = suggest(&key.node, self.tables.iter().map(|t| t.key.as_str()));
            self.error(
                Problem::UnknownName {
                    kind: "表格",
                    name: key.node.clone(),
                    suggestion,
                },
                key.span,
            );
        }
        found
    }

    // ------------------------------------------------------------------ parameters

    fn param(&mut self, decl: &ast::ParamDecl) -> Option<Param> {
        let ty = match &decl.ty.node {
            ParamTypeAst::Named(name) => match name.as_str() {
                "数" => ParamType::Number,
                "整数" => ParamType::Integer,
                "文本" => ParamType::Text,
                "日期" => ParamType::Date,
                "布尔" => ParamType::Bool,
                other => {
                    self.error(
                        Problem::UnknownType {
                            name: other.to_owned(),
                            known: PARAM_TYPES,
                        },
                        decl.ty.span,
                    );
                    return None;
                }
            },
            ParamTypeAst::Choice(options) => {
                ParamType::Choice(options.iter().map(|o| o.node.clone()).collect())
            }
        };
        let default = match &decl.default {
            None => None,
            Some(literal) => match literal_value(&ty, &literal.node) {
                Ok(v) => Some(v),
                Err(expected) => {
                    self.error(
                        Problem::BadValue {
                            name: decl.name.node.clone(),
                            expected,
                            found: literal_text(&literal.node),
                        },
                        literal.span,
                    );
                    return None;
                }
            },
        };
        Some(Param {
            name: decl.name.node.clone(),
            ty,
            default,
            doc: decl.doc.as_ref().map(|d| d.node.clone()),
            span: decl.name.span,
        })
    }

    // ------------------------------------------------------------------ checks

    fn check(&mut self, decl: &ast::CheckDecl, origin: &str) -> Option<Check> {
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
    fn binder(&mut self, b: &ast::Binder, frame: &mut Frame) -> Option<(Binder, Slot)> {
        let domain = self.domain(b, frame)?;
        if domain.is_empty() {
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
        }
    }

    fn single_name<'s>(&mut self, selector: &'s Selector, what: &'static str) -> Option<&'s Ident> {
        match selector {
            Selector::One(path) if path.node.len() == 1 => Some(&path.node[0]),
            other => {
                self.error(
                    Problem::TypeMismatch {
                        context: format!("{what}的范围"),
                        expected: format!("{what}的名称"),
                        found: "范围或带点的名称".into(),
                    },
                    other.span(),
                );
                None
            }
        }
    }

    fn axis(&self, table: TableIdx, rows: bool) -> &[crate::ruleset::Node] {
        if rows {
            &self.tables[table].rows
        } else {
            &self.tables[table].columns
        }
    }

    /// Finds a row or column by its key or the end of its path (`总计`, `三.总计`).
    fn find_node(&mut self, table: TableIdx, rows: bool, path: &ast::Path) -> Option<NodeIdx> {
        let wanted = path
            .node
            .iter()
            .map(|i| i.node.as_str())
            .collect::<Vec<_>>()
            .join(".");
        let nodes = self.axis(table, rows);
        let suffix = format!(".{wanted}");
        let matches: Vec<NodeIdx> = (0..nodes.len())
            .filter(|&i| nodes[i].path == wanted || nodes[i].path.ends_with(&suffix))
            .collect();
        let exact = matches.iter().copied().find(|&i| nodes[i].path == wanted);
        match (exact, matches.as_slice()) {
            (Some(i), _) => Some(i),
            (None, [i]) => Some(*i),
            (None, []) => {
                let kind = if rows { "行" } else { "列" };
                let suggestion = suggest(
                    &wanted,
                    nodes
                        .iter()
                        .map(|n| n.key.as_str())
                        .chain(nodes.iter().map(|n| n.path.as_str())),
                );
                let table = self.tables[table].key.clone();
                self.error(
                    Problem::NotInTable {
                        table,
                        kind,
                        name: wanted,
                        suggestion,
                        when: None,
                    },
                    path.span,
                );
                None
            }
            (None, many) => {
                let options: Vec<String> = many.iter().map(|&i| nodes[i].path.clone()).collect();
                self.error(
                    Problem::Ambiguous {
                        name: wanted,
                        options,
                    },
                    path.span,
                );
                None
            }
        }
    }

    /// Resolves a selector to the leaves it picks in one axis of a table.
    fn pick(
        &mut self,
        table: TableIdx,
        rows: bool,
        selector: &Selector,
        frame: &Frame,
    ) -> Option<Pick> {
        match selector {
            Selector::All(_) => {
                let t = &self.tables[table];
                Some(Pick::Fixed(if rows {
                    t.leaf_rows().collect()
                } else {
                    t.leaf_columns().collect()
                }))
            }
            Selector::One(path) => self.pick_path(table, rows, path, frame, Endpoint::Whole),
            Selector::Range(from, to) => {
                let start = self.pick_path(table, rows, from, frame, Endpoint::First)?;
                let end = self.pick_path(table, rows, to, frame, Endpoint::Last)?;
                let leaves: Vec<NodeIdx> = {
                    let t = &self.tables[table];
                    if rows {
                        t.leaf_rows().collect()
                    } else {
                        t.leaf_columns().collect()
                    }
                };
                let span = from.span.join(to.span);
                let between = |a: NodeIdx, b: NodeIdx| -> Option<Vec<NodeIdx>> {
                    let i = leaves.iter().position(|&l| l == a)?;
                    let j = leaves.iter().position(|&l| l == b)?;
                    (i <= j).then(|| leaves[i..=j].to_vec())
                };
                let single = |p: &Pick, k: usize| -> NodeIdx {
                    match p {
                        Pick::Fixed(v) => v[0],
                        Pick::ByVar { per_value, .. } => per_value[k][0],
                    }
                };
                let result = match (&start, &end) {
                    (Pick::Fixed(_), Pick::Fixed(_)) => {
                        between(single(&start, 0), single(&end, 0)).map(Pick::Fixed)
                    }
                    (
                        Pick::ByVar {
                            slot, per_value, ..
                        },
                        Pick::Fixed(_),
                    )
                    | (
                        Pick::Fixed(_),
                        Pick::ByVar {
                            slot, per_value, ..
                        },
                    ) => (0..per_value.len())
                        .map(|k| between(single(&start, k), single(&end, k)))
                        .collect::<Option<Vec<_>>>()
                        .map(|per_value| Pick::ByVar {
                            slot: *slot,
                            per_value,
                            text: range_text(from, to),
                        }),
                    (
                        Pick::ByVar {
                            slot: a, per_value, ..
                        },
                        Pick::ByVar { slot: b, .. },
                    ) if a == b => (0..per_value.len())
                        .map(|k| between(single(&start, k), single(&end, k)))
                        .collect::<Option<Vec<_>>>()
                        .map(|per_value| Pick::ByVar {
                            slot: *a,
                            per_value,
                            text: range_text(from, to),
                        }),
                    _ => {
                        self.error(
                            Problem::TypeMismatch {
                                context: "范围".into(),
                                expected: "两端依赖同一个变量".into(),
                                found: "两个不同的变量".into(),
                            },
                            span,
                        );
                        return None;
                    }
                };
                if result.is_none() {
                    self.error(
                        Problem::TypeMismatch {
                            context: "范围 甲..乙".into(),
                            expected: "甲在乙之前".into(),
                            found: "甲在乙之后".into(),
                        },
                        span,
                    );
                }
                result
            }
        }
    }

    fn pick_path(
        &mut self,
        table: TableIdx,
        rows: bool,
        path: &ast::Path,
        frame: &Frame,
        end: Endpoint,
    ) -> Option<Pick> {
        let head = &path.node[0];
        let axis_type = if rows { Type::Row } else { Type::Column };
        if let Some(var) = frame.find(&head.node) {
            let Some(domain) = &var.domain else {
                return self.wrong_var(head, &var.ty.clone(), &axis_type);
            };
            if var.ty != axis_type {
                return self.wrong_var(head, &var.ty.clone(), &axis_type);
            }
            let (var_table, values) = match domain {
                Domain::Columns(t, v) | Domain::Rows(t, v) => (*t, v.clone()),
                _ => unreachable!("row and column variables range over rows and columns"),
            };
            let slot = var.slot;
            let rest: Vec<&str> = path.node[1..].iter().map(|i| i.node.as_str()).collect();
            let mut per_value = Vec::with_capacity(values.len());
            for value in values {
                let mut wanted = self.axis(var_table, rows)[value].path.clone();
                for part in &rest {
                    wanted.push('.');
                    wanted.push_str(part);
                }
                let Some(node) = self.axis(table, rows).iter().position(|n| n.path == wanted)
                else {
                    let value_label = self.axis(var_table, rows)[value].label.clone();
                    let table_key = self.tables[table].key.clone();
                    self.error(
                        Problem::NotInTable {
                            table: table_key,
                            kind: if rows { "行" } else { "列" },
                            name: wanted,
                            suggestion: None,
                            when: Some(format!("{} 取「{value_label}」时", head.node)),
                        },
                        path.span,
                    );
                    return None;
                };
                per_value.push(end.take(Table::leaves_under(self.axis(table, rows), node)));
            }
            return Some(Pick::ByVar {
                slot,
                per_value,
                text: path_text(path),
            });
        }
        if frame.is_poisoned(&head.node) {
            return None;
        }
        let node = self.find_node(table, rows, path)?;
        Some(Pick::Fixed(
            end.take(Table::leaves_under(self.axis(table, rows), node)),
        ))
    }

    fn wrong_var<T>(&mut self, name: &Ident, found: &Type, expected: &Type) -> Option<T> {
        self.error(
            Problem::TypeMismatch {
                context: format!("「{}」的位置", name.node),
                expected: expected.chinese(),
                found: found.chinese(),
            },
            name.span,
        );
        None
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

    // ------------------------------------------------------------------ expressions

    fn expect(&mut self, e: &Expr, want: &Type, context: &str) -> bool {
        if accepts(want, &e.ty) {
            return true;
        }
        self.error(
            Problem::TypeMismatch {
                context: context.to_owned(),
                expected: want.chinese(),
                found: e.ty.chinese(),
            },
            e.span,
        );
        false
    }

    /// Resolves an expression, refusing one nested deeper than [`MAX_EXPRESSION_DEPTH`]: the
    /// resolver here and the evaluator later both recurse once per level.
    fn expr(&mut self, e: &ast::Expr, frame: &mut Frame) -> Option<Expr> {
        if self.depth >= MAX_EXPRESSION_DEPTH {
            let limit = MAX_EXPRESSION_DEPTH;
            self.error(Problem::ExpressionTooDeep { limit }, e.span);
            return None;
        }
        self.depth += 1;
        let resolved = self.expr_within_depth(e, frame);
        self.depth -= 1;
        resolved
    }

    fn expr_within_depth(&mut self, e: &ast::Expr, frame: &mut Frame) -> Option<Expr> {
        let span = e.span;
        let make = |kind, ty| Some(Expr { kind, ty, span });
        match &e.node {
            ast::ExprKind::Number(n) => make(ExprKind::Const(Value::Number(*n)), Type::Number),
            ast::ExprKind::Text(t) => make(ExprKind::Const(Value::Text(t.clone())), Type::Text),
            ast::ExprKind::Date(d) => make(ExprKind::Const(Value::Date(*d)), Type::Date),
            ast::ExprKind::Range(a, b) => make(ExprKind::Range(*a, *b), Type::Range),
            ast::ExprKind::Regex(pattern) => match crate::ruleset::Pattern::new(pattern) {
                Ok(p) if self.build_patterns && p.regex().is_err() => {
                    let reason = p.regex().err().unwrap_or_default().to_owned();
                    self.error(Problem::BadPattern { reason }, span);
                    None
                }
                Ok(p) => make(ExprKind::Pattern(Arc::new(p)), Type::Pattern),
                Err(err) => {
                    let reason = pattern_reason(&err);
                    self.error(Problem::BadPattern { reason }, span);
                    None
                }
            },
            ast::ExprKind::List(items) => {
                let items: Vec<Expr> = items
                    .iter()
                    .map(|i| self.expr(i, frame))
                    .collect::<Option<_>>()?;
                let ty = items.first().map_or(Type::Number, |i| i.ty.clone());
                for item in &items[1.min(items.len())..] {
                    if !self.expect(item, &ty, "列表的各项") {
                        return None;
                    }
                }
                make(ExprKind::List(items), Type::List(Box::new(ty)))
            }
            ast::ExprKind::Path(path) => self.path(path, frame),
            ast::ExprKind::Member(base, name) => {
                let base = self.expr(base, frame)?;
                self.member(base, name)
            }
            ast::ExprKind::Cell {
                prev_year,
                target,
                first,
                second,
            } => self.cell(*prev_year, target, first, second.as_ref(), frame, span),
            ast::ExprKind::Call(name, args) => self.call(name, args, frame, span),
            ast::ExprKind::Unary(UnaryOp::Not, inner) => {
                let inner = self.expr(inner, frame)?;
                self.expect(&inner, &Type::Bool, "「非」").then_some(())?;
                make(ExprKind::Not(Box::new(inner)), Type::Bool)
            }
            ast::ExprKind::Unary(UnaryOp::Neg, inner) => {
                let inner = self.expr(inner, frame)?;
                self.expect(&inner, &Type::Number, "负号").then_some(())?;
                make(ExprKind::Neg(Box::new(inner)), Type::Number)
            }
            ast::ExprKind::Binary(op, lhs, rhs) => {
                let lhs = self.expr(lhs, frame);
                let rhs = self.expr(rhs, frame);
                let (lhs, rhs) = (lhs?, rhs?);
                self.binary(*op, lhs, rhs, span)
            }
            ast::ExprKind::Compare {
                op,
                lhs,
                rhs,
                tolerance,
            } => {
                // `其中 c ≠ 总计` (or `总计 ≠ c`): a row or column variable compared with the
                // name of a row or column of its table.
                let (lhs, rhs) = if self.is_unknown_bare_name(lhs, frame) {
                    let rhs = self.expr(rhs, frame);
                    let lhs = match rhs.as_ref().and_then(|r| self.node_named(r, lhs, frame)) {
                        Some(named) => named,
                        None => self.expr(lhs, frame),
                    };
                    (lhs, rhs)
                } else {
                    let lhs = self.expr(lhs, frame);
                    let rhs = match lhs.as_ref().and_then(|l| self.node_named(l, rhs, frame)) {
                        Some(named) => named,
                        None => self.expr(rhs, frame),
                    };
                    (lhs, rhs)
                };
                let (lhs, rhs) = (lhs?, rhs?);
                let tolerance = match tolerance {
                    Some(t) => {
                        let amount = self.expr(&t.amount, frame)?;
                        if !self.expect(&amount, &Type::Number, "「容差」") {
                            return None;
                        }
                        if !(is_numeric(&lhs.ty) && is_numeric(&rhs.ty)) {
                            self.error(
                                Problem::TypeMismatch {
                                    context: "「容差」".into(),
                                    expected: "两边都是数的比较".into(),
                                    found: format!(
                                        "{}与{}的比较",
                                        lhs.ty.chinese(),
                                        rhs.ty.chinese()
                                    ),
                                },
                                span,
                            );
                            return None;
                        }
                        Some((Box::new(amount), t.relative))
                    }
                    None => None,
                };
                if !comparable(&lhs.ty, &rhs.ty) {
                    self.error(
                        Problem::TypeMismatch {
                            context: format!("比较「{}」", op.symbol()),
                            expected: format!("与左边（{}）同类的值", lhs.ty.chinese()),
                            found: rhs.ty.chinese(),
                        },
                        rhs.span,
                    );
                    return None;
                }
                let ordered = !matches!(op, ast::CompareOp::Eq | ast::CompareOp::Ne);
                if ordered
                    && !(is_numeric(&lhs.ty) || lhs.ty == Type::Date || lhs.ty == Type::Absent)
                {
                    self.error(
                        Problem::TypeMismatch {
                            context: format!("比较「{}」", op.symbol()),
                            expected: "数或日期".into(),
                            found: lhs.ty.chinese(),
                        },
                        lhs.span,
                    );
                    return None;
                }
                make(
                    ExprKind::Compare {
                        op: *op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                        tolerance,
                    },
                    Type::Bool,
                )
            }
            ast::ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                let cond = self.expr(cond, frame)?;
                if !self.expect(&cond, &Type::Bool, "「若」的条件") {
                    return None;
                }
                let then = self.expr(then, frame)?;
                let otherwise = match otherwise {
                    Some(o) => Some(self.expr(o, frame)?),
                    None => None,
                };
                let ty = match &otherwise {
                    None => {
                        // `若 甲 则 乙` without 否则 is an implication.
                        if !self.expect(&then, &Type::Bool, "没有「否则」的「若 … 则 …」")
                        {
                            return None;
                        }
                        Type::Bool
                    }
                    Some(o) if then.ty == Type::Absent => o.ty.clone(),
                    Some(o) => {
                        if !comparable(&then.ty, &o.ty) {
                            self.expect(o, &then.ty, "「否则」的值");
                            return None;
                        }
                        then.ty.clone()
                    }
                };
                make(
                    ExprKind::If {
                        cond: Box::new(cond),
                        then: Box::new(then),
                        otherwise: otherwise.map(Box::new),
                    },
                    ty,
                )
            }
            ast::ExprKind::Quantified { all, binder, body } => {
                let depth = frame.vars.len();
                let (compiled, slot) = self.binder(binder, frame)?;
                let body = self.expr(body, frame);
                frame.vars.truncate(depth);
                let body = body?;
                if !self.expect(
                    &body,
                    &Type::Bool,
                    if *all { "「全都」" } else { "「任一」" },
                ) {
                    return None;
                }
                make(
                    ExprKind::Quantified {
                        all: *all,
                        binder: Box::new(compiled),
                        slot,
                        body: Box::new(body),
                    },
                    Type::Bool,
                )
            }
        }
    }

    /// If `lhs` is a row or column variable and `rhs` a bare name that is not otherwise
    /// known, the row or column of that name in the variable's table.
    /// If `var` is a row or column variable and `name` a bare name that is not otherwise
    /// known, the row or column of that name in the variable's table: `Some(Some(node))`, or
    /// `Some(None)` when the table has no such row or column (the error is reported once,
    /// there). `None` when the comparison is not of that kind.
    #[allow(clippy::option_option)]
    fn node_named(&mut self, var: &Expr, name: &ast::Expr, frame: &Frame) -> Option<Option<Expr>> {
        let ExprKind::Local(slot) = var.kind else {
            return None;
        };
        let ast::ExprKind::Path(path) = &name.node else {
            return None;
        };
        if !self.is_unknown_bare_name(name, frame) {
            return None;
        }
        let variable = frame.vars.iter().find(|v| v.slot == slot)?;
        let (table, rows) = match &variable.domain {
            Some(Domain::Rows(t, _)) => (*t, true),
            Some(Domain::Columns(t, _)) => (*t, false),
            _ => return None,
        };
        let node = self.find_node(table, rows, path);
        Some(node.map(|node| Expr {
            kind: ExprKind::Node { table, node, rows },
            ty: var.ty.clone(),
            span: name.span,
        }))
    }

    /// A path whose first name is no variable, definition, section, table or built-in name.
    fn is_unknown_bare_name(&self, expr: &ast::Expr, frame: &Frame) -> bool {
        let ast::ExprKind::Path(path) = &expr.node else {
            return false;
        };
        let Some(first) = path.node.first() else {
            return false;
        };
        let name = first.node.as_str();
        !(frame.find(name).is_some()
            || self.lets.iter().any(|l| l.name == name)
            || self.decls.sections.iter().any(|s| s.key.node == name)
            || self.tables.iter().any(|t| t.key == name)
            || matches!(name, "参数" | "报告" | "全文" | "无" | "是" | "否"))
    }

    fn binary(&mut self, op: BinaryOp, lhs: Expr, rhs: Expr, span: Span) -> Option<Expr> {
        let (kind, ty) = match op {
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div => {
                let context = format!("运算「{}」", op.symbol());
                if !(self.expect(&lhs, &Type::Number, &context)
                    & self.expect(&rhs, &Type::Number, &context))
                {
                    return None;
                }
                let arith = match op {
                    BinaryOp::Add => ArithOp::Add,
                    BinaryOp::Sub => ArithOp::Sub,
                    BinaryOp::Mul => ArithOp::Mul,
                    _ => ArithOp::Div,
                };
                (
                    ExprKind::Arith(arith, Box::new(lhs), Box::new(rhs)),
                    Type::Number,
                )
            }
            BinaryOp::And | BinaryOp::Or => {
                let context = format!("「{}」", op.symbol());
                if !(self.expect(&lhs, &Type::Bool, &context)
                    & self.expect(&rhs, &Type::Bool, &context))
                {
                    return None;
                }
                let kind = if op == BinaryOp::And {
                    ExprKind::And(Box::new(lhs), Box::new(rhs))
                } else {
                    ExprKind::Or(Box::new(lhs), Box::new(rhs))
                };
                (kind, Type::Bool)
            }
            BinaryOp::In => {
                let ok = match &rhs.ty {
                    Type::Range => is_numeric(&lhs.ty),
                    Type::List(item) => comparable(&lhs.ty, item),
                    _ => false,
                };
                if !ok {
                    self.error(
                        Problem::TypeMismatch {
                            context: "「在」".into(),
                            expected: format!("包含{}的范围或列表", lhs.ty.chinese()),
                            found: rhs.ty.chinese(),
                        },
                        rhs.span,
                    );
                    return None;
                }
                (ExprKind::In(Box::new(lhs), Box::new(rhs)), Type::Bool)
            }
            BinaryOp::Contains
            | BinaryOp::NotContains
            | BinaryOp::Matches
            | BinaryOp::NotMatches => {
                let context = format!("「{}」", op.symbol());
                if !self.expect(&lhs, &Type::Text, &context) {
                    return None;
                }
                let (text_op, want) = match op {
                    BinaryOp::Contains => (TextOp::Contains, Type::Text),
                    BinaryOp::NotContains => (TextOp::NotContains, Type::Text),
                    BinaryOp::Matches => (TextOp::Matches, Type::Pattern),
                    _ => (TextOp::NotMatches, Type::Pattern),
                };
                // `包含` also takes a list of words: any of them (phrasings are data).
                let word_list = matches!(text_op, TextOp::Contains | TextOp::NotContains)
                    && accepts(&Type::List(Box::new(Type::Text)), &rhs.ty);
                if !word_list && !self.expect(&rhs, &want, &context) {
                    return None;
                }
                (
                    ExprKind::TextOp(text_op, Box::new(lhs), Box::new(rhs)),
                    Type::Bool,
                )
            }
        };
        Some(Expr { kind, ty, span })
    }

    fn path(&mut self, path: &ast::Path, frame: &mut Frame) -> Option<Expr> {
        let head = &path.node[0];
        let rest = &path.node[1..];
        let span = head.span;
        let mut consumed = 1;
        let mut expr = match head.node.as_str() {
            "参数" => {
                let Some(name) = rest.first() else {
                    self.error(
                        Problem::UnknownName {
                            kind: "参数",
                            name: String::new(),
                            suggestion: None,
                        },
                        path.span,
                    );
                    return None;
                };
                consumed = 2;
                let Some(index) = self.params.iter().position(|p| p.name == name.node) else {
                    let suggestion =
                        suggest(&name.node, self.params.iter().map(|p| p.name.as_str()));
                    self.error(
                        Problem::UnknownName {
                            kind: "参数",
                            name: name.node.clone(),
                            suggestion,
                        },
                        name.span,
                    );
                    return None;
                };
                self.used_params[index] = true;
                let ty = self.params[index].ty.value_type();
                Expr {
                    kind: ExprKind::Param(index),
                    ty,
                    span: span.join(name.span),
                }
            }
            "报告" => {
                let Some(name) = rest.first() else {
                    self.error(
                        Problem::UnknownName {
                            kind: "报告信息",
                            name: String::new(),
                            suggestion: None,
                        },
                        path.span,
                    );
                    return None;
                };
                consumed = 2;
                let Some((_, field, ty)) =
                    ReportField::ALL.iter().find(|(n, _, _)| *n == name.node)
                else {
                    let suggestion =
                        suggest(&name.node, ReportField::ALL.iter().map(|(n, _, _)| *n));
                    self.error(
                        Problem::UnknownName {
                            kind: "报告信息",
                            name: name.node.clone(),
                            suggestion,
                        },
                        name.span,
                    );
                    return None;
                };
                Expr {
                    kind: ExprKind::Report(*field),
                    ty: ty.clone(),
                    span: span.join(name.span),
                }
            }
            "全文" => Expr {
                kind: ExprKind::FullText,
                ty: Type::Text,
                span,
            },
            "无" => Expr {
                kind: ExprKind::Absent,
                ty: Type::Absent,
                span,
            },
            "是" => Expr {
                kind: ExprKind::Const(Value::Bool(true)),
                ty: Type::Bool,
                span,
            },
            "否" => Expr {
                kind: ExprKind::Const(Value::Bool(false)),
                ty: Type::Bool,
                span,
            },
            name => {
                if let Some(var) = frame.find(name) {
                    Expr {
                        kind: ExprKind::Local(var.slot),
                        ty: var.ty.clone(),
                        span,
                    }
                } else if let Some(index) = self.lets.iter().position(|l| l.name == name) {
                    Expr {
                        kind: ExprKind::Let(index),
                        ty: self.lets[index].value.ty.clone(),
                        span,
                    }
                } else if let Some(index) =
                    self.decls.sections.iter().position(|s| s.key.node == name)
                {
                    Expr {
                        kind: ExprKind::Section(index),
                        ty: Type::Section,
                        span,
                    }
                } else if let Some(index) = self.tables.iter().position(|t| t.key == name) {
                    self.used_tables[index] = true;
                    Expr {
                        kind: ExprKind::Table(index),
                        ty: Type::Table,
                        span,
                    }
                } else if frame.is_poisoned(name) {
                    return None;
                } else if frame.later_lets.iter().any(|l| l == name) {
                    self.error(
                        Problem::Misplaced {
                            what: "仅当",
                            why: "不能使用本检查中「令」定义的名称：「仅当」在「令」之前求值。\
                                  可以把这个「令」移到规则集的顶层",
                        },
                        span,
                    );
                    return None;
                } else {
                    let visible: Vec<String> = frame
                        .vars
                        .iter()
                        .map(|v| v.name.clone())
                        .chain(self.lets.iter().map(|l| l.name.clone()))
                        .chain(self.decls.sections.iter().map(|s| s.key.node.clone()))
                        .chain(self.tables.iter().map(|t| t.key.clone()))
                        .chain(["全文", "报告", "参数", "无"].map(String::from))
                        .collect();
                    let suggestion = suggest(name, visible.iter().map(String::as_str));
                    let row_hint = frame.table.is_some_and(|t| {
                        self.tables[t]
                            .rows
                            .iter()
                            .chain(&self.tables[t].columns)
                            .any(|n| n.key == name)
                    });
                    let kind = if row_hint {
                        "名称（行和列要写成单元格引用，如 行[列]）"
                    } else {
                        "名称"
                    };
                    self.error(
                        Problem::UnknownName {
                            kind,
                            name: name.to_owned(),
                            suggestion,
                        },
                        span,
                    );
                    return None;
                }
            }
        };
        for member in &rest[consumed - 1..] {
            expr = self.member(expr, member)?;
        }
        Some(expr)
    }

    fn member(&mut self, base: Expr, name: &Ident) -> Option<Expr> {
        let span = base.span.join(name.span);
        let members: &[(&str, Member, Type)] = match &base.ty {
            Type::Row | Type::Column | Type::Table => &[("标签", Member::Label, Type::Text)],
            Type::Section => &[
                ("标签", Member::Label, Type::Text),
                ("标题", Member::PrintedTitle, Type::Text),
                ("规范", Member::Standard, Type::Bool),
                ("文本", Member::Text, Type::Text),
            ],
            Type::Cell => &[
                ("值", Member::CellValue, Type::Number),
                ("原文", Member::Text, Type::Text),
                ("单位", Member::Unit, Type::Text),
            ],
            Type::Match(groups) => {
                if groups.contains(&name.node) {
                    return Some(Expr {
                        kind: ExprKind::Member(Box::new(base), Member::Group(name.node.clone())),
                        ty: Type::Captured,
                        span,
                    });
                }
                let suggestion = suggest(&name.node, groups.iter().map(String::as_str));
                self.error(
                    Problem::UnknownName {
                        kind: "捕获组",
                        name: name.node.clone(),
                        suggestion,
                    },
                    name.span,
                );
                return None;
            }
            _ => &[],
        };
        if let Some((_, member, ty)) = members.iter().find(|(n, _, _)| *n == name.node) {
            return Some(Expr {
                kind: ExprKind::Member(Box::new(base), member.clone()),
                ty: ty.clone(),
                span,
            });
        }
        let suggestion = suggest(&name.node, members.iter().map(|(n, _, _)| *n));
        self.error(
            Problem::UnknownName {
                kind: if members.is_empty() {
                    "成员（这个值没有成员）"
                } else {
                    "成员"
                },
                name: name.node.clone(),
                suggestion,
            },
            name.span,
        );
        None
    }

    fn cell(
        &mut self,
        prev_year: bool,
        target: &ast::Path,
        first: &Selector,
        second: Option<&Selector>,
        frame: &mut Frame,
        span: Span,
    ) -> Option<Expr> {
        let head = &target.node[0];
        let var_row = frame
            .find(&head.node)
            .filter(|v| v.ty == Type::Row)
            .map(|v| match &v.domain {
                Some(Domain::Rows(t, _)) => *t,
                _ => unreachable!("row variables range over rows"),
            });
        let table_key = self.tables.iter().position(|t| t.key == head.node);
        let (table, rows, columns) = if let Some(table) = var_row {
            if second.is_some() {
                return self.too_many_indices(span);
            }
            (
                table,
                self.pick_path(table, true, target, frame, Endpoint::Whole)?,
                first,
            )
        } else if let Some(table) = table_key {
            self.used_tables[table] = true;
            if target.node.len() > 1 {
                if second.is_some() {
                    return self.too_many_indices(span);
                }
                let row_path = ast::Path::new(
                    target.node[1..].to_vec(),
                    target.node[1].span.join(target.span),
                );
                (
                    table,
                    self.pick_path(table, true, &row_path, frame, Endpoint::Whole)?,
                    first,
                )
            } else if let Some(columns) = second {
                (table, self.pick(table, true, first, frame)?, columns)
            } else {
                let leaf_rows: Vec<NodeIdx> = self.tables[table].leaf_rows().collect();
                if leaf_rows.len() != 1 {
                    self.error(
                        Problem::WrongArity {
                            function: format!("{}[行, 列]", head.node),
                            expected: "2 个下标（行和列）".into(),
                            found: 1,
                        },
                        span,
                    );
                    return None;
                }
                (table, Pick::Fixed(leaf_rows), first)
            }
        } else if let Some(table) = frame.table {
            if second.is_some() {
                return self.too_many_indices(span);
            }
            (
                table,
                self.pick_path(table, true, target, frame, Endpoint::Whole)?,
                first,
            )
        } else if frame.is_poisoned(&head.node) {
            return None;
        } else if self
            .tables
            .iter()
            .any(|t| t.rows.iter().any(|r| r.key == head.node))
        {
            self.error(
                Problem::NeedsTable {
                    what: "直接写行名"
                },
                head.span,
            );
            return None;
        } else {
            let suggestion = suggest(&head.node, self.tables.iter().map(|t| t.key.as_str()));
            self.error(
                Problem::UnknownName {
                    kind: "表格",
                    name: head.node.clone(),
                    suggestion,
                },
                head.span,
            );
            return None;
        };
        self.used_tables[table] = true;
        let columns = self.pick(table, false, columns, frame)?;
        let t = &self.tables[table];
        let mut numeric = true;
        let mut text = true;
        let mut single = true;
        for (row_set, col_set) in pick_sets(&rows)
            .iter()
            .flat_map(|r| pick_sets(&columns).into_iter().map(move |c| (r.clone(), c)))
        {
            single &= row_set.len() == 1 && col_set.len() == 1;
            for &r in &row_set {
                for &c in &col_set {
                    let is_numeric = t.cell_type(r, c).is_numeric();
                    numeric &= is_numeric;
                    text &= !is_numeric;
                }
            }
        }
        let item = if numeric {
            Type::Number
        } else if text {
            Type::Text
        } else {
            self.error(
                Problem::TypeMismatch {
                    context: "单元格引用".into(),
                    expected: "同一类型的单元格".into(),
                    found: "数与文本混合".into(),
                },
                span,
            );
            return None;
        };
        let ty = if single {
            item
        } else {
            Type::List(Box::new(item))
        };
        Some(Expr {
            kind: ExprKind::Cells {
                prev_year,
                table,
                rows,
                columns,
            },
            ty,
            span,
        })
    }

    fn too_many_indices<T>(&mut self, span: Span) -> Option<T> {
        self.error(
            Problem::WrongArity {
                function: "行[列]".into(),
                expected: "1 个下标（行已确定，只写列）".into(),
                found: 2,
            },
            span,
        );
        None
    }

    fn call(
        &mut self,
        name: &Ident,
        args: &[ast::Expr],
        frame: &mut Frame,
        span: Span,
    ) -> Option<Expr> {
        let Some(&function) = FUNCTIONS.iter().find(|&&f| function_name(f) == name.node) else {
            let suggestion = suggest(&name.node, FUNCTIONS.iter().map(|&f| function_name(f)));
            self.error(
                Problem::UnknownName {
                    kind: "函数",
                    name: name.node.clone(),
                    suggestion,
                },
                name.span,
            );
            return None;
        };
        let args: Vec<Expr> = args
            .iter()
            .map(|a| self.expr(a, frame))
            .collect::<Vec<_>>()
            .into_iter()
            .collect::<Option<_>>()?;
        let arity = |this: &mut Self, expected: &str, ok: bool| -> Option<()> {
            if ok {
                Some(())
            } else {
                this.error(
                    Problem::WrongArity {
                        function: name.node.clone(),
                        expected: expected.into(),
                        found: args.len(),
                    },
                    span,
                );
                None
            }
        };
        let context = format!("「{}」的参数", name.node);
        let ty = match function {
            Function::Sum | Function::Min | Function::Max => {
                arity(self, "至少 1 个参数", !args.is_empty())?;
                for a in &args {
                    if !(is_numeric(&a.ty) || a.ty == Type::List(Box::new(Type::Number))) {
                        self.expect(a, &Type::List(Box::new(Type::Number)), &context);
                        return None;
                    }
                }
                Type::Number
            }
            Function::Count => {
                arity(self, "1 个参数", args.len() == 1)?;
                if !matches!(args[0].ty, Type::List(_)) {
                    self.expect(&args[0], &Type::List(Box::new(Type::Number)), &context);
                    return None;
                }
                Type::Number
            }
            Function::Abs | Function::ToNumber => {
                arity(self, "1 个参数", args.len() == 1)?;
                let want = if function == Function::Abs {
                    Type::Number
                } else {
                    Type::Text
                };
                self.expect(&args[0], &want, &context).then_some(())?;
                Type::Number
            }
            Function::Round => {
                arity(self, "2 个参数", args.len() == 2)?;
                (self.expect(&args[0], &Type::Number, &context)
                    && self.expect(&args[1], &Type::Number, &context))
                .then_some(())?;
                Type::Number
            }
            Function::Capture => {
                arity(self, "2 个参数", args.len() == 2)?;
                self.expect(&args[0], &Type::Text, &context).then_some(())?;
                // The pattern's groups name the match's fields, so it must be known here: written
                // in place, or a 令 that holds one.
                let pattern = match &args[1].kind {
                    ExprKind::Let(l) => &self.lets[*l].value.kind,
                    other => other,
                };
                let ExprKind::Pattern(regex) = pattern else {
                    self.expect(&args[1], &Type::Pattern, &context);
                    return None;
                };
                Type::Match(regex.names().to_vec())
            }
            Function::Exists => {
                arity(self, "1 个参数", args.len() == 1)?;
                Type::Bool
            }
            Function::IsEmpty => {
                arity(self, "1 个参数", args.len() == 1)?;
                self.expect(&args[0], &Type::Table, &context)
                    .then_some(())?;
                Type::Bool
            }
            Function::IsBlank | Function::IsValid => {
                arity(self, "1 个参数", args.len() == 1)?;
                let single_cell = args[0].ty == Type::Cell
                    || matches!(args[0].kind, ExprKind::Cells { .. })
                        && !matches!(args[0].ty, Type::List(_));
                if !single_cell {
                    self.expect(&args[0], &Type::Cell, &context);
                    return None;
                }
                Type::Bool
            }
            Function::InOrder => {
                arity(self, "1 个参数", args.len() == 1)?;
                self.expect(&args[0], &Type::Section, &context)
                    .then_some(())?;
                Type::Bool
            }
            Function::Years => {
                arity(self, "1 个参数", args.len() == 1)?;
                self.expect(&args[0], &Type::Text, &context).then_some(())?;
                Type::List(Box::new(Type::Number))
            }
            Function::SumOfNumbers => {
                arity(self, "1 个参数", args.len() == 1)?;
                self.expect(&args[0], &Type::Text, &context).then_some(())?;
                Type::Number
            }
            Function::Length => {
                arity(self, "1 个参数", args.len() == 1)?;
                if !matches!(args[0].ty, Type::List(_)) {
                    self.expect(&args[0], &Type::Text, &context).then_some(())?;
                }
                Type::Number
            }
            Function::First => {
                arity(self, "1 个参数", args.len() == 1)?;
                let Type::List(item) = &args[0].ty else {
                    self.expect(&args[0], &Type::List(Box::new(Type::Number)), &context);
                    return None;
                };
                (**item).clone()
            }
            Function::MakeDate => {
                arity(self, "3 个参数（年、月、日）", args.len() == 3)?;
                for a in &args {
                    self.expect(a, &Type::Number, &context).then_some(())?;
                }
                Type::Date
            }
        };
        Some(Expr {
            kind: ExprKind::Call(function, args),
            ty,
            span,
        })
    }
}

/// For ranges, which end of a group counts: `三..四` runs from the first leaf of 三 to the
/// last leaf of 四.
#[derive(Clone, Copy)]
enum Endpoint {
    Whole,
    First,
    Last,
}

impl Endpoint {
    fn take(self, leaves: Vec<NodeIdx>) -> Vec<NodeIdx> {
        match self {
            Endpoint::Whole => leaves,
            Endpoint::First => leaves.into_iter().take(1).collect(),
            Endpoint::Last => leaves.into_iter().last().into_iter().collect(),
        }
    }
}

/// How deeply a compiled expression may nest. The parser already bounds the operators of an
/// expression; this bounds what else nests (calls, members, placeholders), since the
/// evaluator recurses once per level on a thread's stack.
pub const MAX_EXPRESSION_DEPTH: usize = 256;

fn path_text(path: &ast::Path) -> String {
    path.node
        .iter()
        .map(|i| i.node.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

fn range_text(from: &ast::Path, to: &ast::Path) -> String {
    format!("{}..{}", path_text(from), path_text(to))
}

fn pick_sets(pick: &Pick) -> Vec<Vec<NodeIdx>> {
    match pick {
        Pick::Fixed(v) => vec![v.clone()],
        Pick::ByVar { per_value, .. } => per_value.clone(),
    }
}

fn is_numeric(ty: &Type) -> bool {
    matches!(ty, Type::Number | Type::Captured | Type::Match(_))
}

fn is_textual(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Text | Type::Section | Type::Captured | Type::Match(_)
    )
}

/// Whether a value of type `found` can stand where `want` is needed.
fn accepts(want: &Type, found: &Type) -> bool {
    match want {
        Type::Number => is_numeric(found),
        Type::Text => is_textual(found),
        Type::List(item) => matches!(found, Type::List(f) if accepts(item, f)),
        other => other == found,
    }
}

/// Whether two values can be compared with `=`.
fn comparable(a: &Type, b: &Type) -> bool {
    *a == Type::Absent
        || *b == Type::Absent
        || (is_numeric(a) && is_numeric(b))
        || (is_textual(a)
            && is_textual(b)
            && !(is_numeric(a) && *b == Type::Section || is_numeric(b) && *a == Type::Section))
        || a == b
}

/// The regex engine's explanation, in Chinese for the mistakes rule authors make; the
/// engine's own (English) words otherwise.
fn pattern_reason(message: &str) -> String {
    const KNOWN: &[(&str, &str)] = &[
        ("unclosed group", "圆括号「(」没有闭合"),
        ("unopened group", "多了一个「)」"),
        ("unclosed character class", "方括号「[」没有闭合"),
        (
            "invalid character class range",
            "方括号中的范围写反了（应如 [0-9]）",
        ),
        (
            "repetition operator missing expression",
            "「*」「+」「?」前面缺少要重复的内容",
        ),
        (
            "unclosed counted repetition",
            "重复次数的「{」没有闭合（写作 {m,n}）",
        ),
        (
            "invalid repetition count range",
            "重复次数的范围写反了（应如 {1,3}）",
        ),
        ("incomplete escape sequence", "反斜杠「\\」后面缺少字符"),
        (
            "unrecognized escape sequence",
            "无法识别的转义（反斜杠「\\」后面的字符）",
        ),
        ("duplicate capture group name", "捕获组的名称重复了"),
        ("empty capture group name", "捕获组缺少名称"),
        ("exceeds size limit", "正则表达式太复杂"),
    ];
    let last = message.lines().last().unwrap_or_default().trim();
    let last = last.trim_start_matches("error: ");
    KNOWN
        .iter()
        .find(|(english, _)| last.contains(english))
        .map_or_else(|| last.to_owned(), |(_, chinese)| (*chinese).to_owned())
}

/// Whether a string literal used escapes: its decoded text is then shorter than the quoted
/// source.
fn literal_text(literal: &Literal) -> String {
    match literal {
        Literal::Number(n) => n.to_string(),
        Literal::Date(d) => d.to_string(),
        Literal::Text(t) | Literal::Word(t) => t.clone(),
    }
}

/// Checks a parameter's default against its type; on failure, says what was expected.
fn literal_value(ty: &ParamType, literal: &Literal) -> Result<Value, String> {
    match (ty, literal) {
        (ParamType::Number, Literal::Number(n)) => Ok(Value::Number(*n)),
        (ParamType::Integer, Literal::Number(n)) if n.fract().is_zero() => Ok(Value::Number(*n)),
        // A bare word is text too: `参数 统计口径：文本 = 自然年`.
        (ParamType::Text, Literal::Text(t) | Literal::Word(t)) => Ok(Value::Text(t.clone())),
        (ParamType::Date, Literal::Date(d)) => Ok(Value::Date(*d)),
        (ParamType::Bool, Literal::Word(w)) if w == "是" || w == "否" => {
            Ok(Value::Bool(w == "是"))
        }
        (ParamType::Choice(options), Literal::Text(t) | Literal::Word(t))
            if options.contains(t) =>
        {
            Ok(Value::Text(t.clone()))
        }
        (ParamType::Choice(options), _) => Err(format!("以下之一：{}", options.join("、"))),
        (other, found) => {
            // `= "0.5"`: the value is right but quoted, which is easy to miss.
            let quoted = matches!(found, Literal::Text(_));
            Err(match other {
                ParamType::Date if quoted => {
                    "日期，写作 年-月-日（例如 2022-03-31），不加引号".into()
                }
                ParamType::Date => "日期，写作 年-月-日（例如 2022-03-31）".into(),
                ParamType::Bool => "「是」或「否」（不加引号）".into(),
                _ if quoted => format!("{}（不加引号）", other.chinese()),
                _ => other.chinese(),
            })
        }
    }
}

/// Parses a parameter value given on the command line or in a config file.
pub fn parse_param_value(ty: &ParamType, text: &str) -> Result<Value, String> {
    let text = text.trim();
    let literal = match ty {
        ParamType::Number | ParamType::Integer => {
            Literal::Number(text.parse::<Decimal>().map_err(|_| ty.chinese())?)
        }
        ParamType::Date => {
            let parts: Vec<&str> = text.split(['-', '/', '.']).collect();
            let [y, m, d] = parts.as_slice() else {
                return Err("日期（年-月-日）".into());
            };
            let date = (|| ast::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))();
            Literal::Date(date.ok_or_else(|| "存在的日期（年-月-日）".to_owned())?)
        }
        // `true`/`false` as a TOML config file writes them, 是/否 as the rule language does.
        ParamType::Bool => Literal::Word(match text {
            "true" => "是".to_owned(),
            "false" => "否".to_owned(),
            other => other.to_owned(),
        }),
        ParamType::Text | ParamType::Choice(_) => Literal::Text(text.to_owned()),
    };
    literal_value(ty, &literal)
}
