//! Names and table references: paths, members, rows and columns picked by selectors, cells.

use super::{Frame, Resolver};
use crate::diagnostic::{Problem, suggest};
use crate::prose::StatedField;
use crate::ruleset::{
    Domain, Expr, ExprKind, Member, NodeIdx, Pick, ReportField, Table, TableIdx, Type, Value,
};
use crate::source::Span;
use crate::syntax::ast::{self, Ident, Selector};

impl Resolver<'_> {
    pub(super) fn single_name<'s>(
        &mut self,
        selector: &'s Selector,
        what: &'static str,
    ) -> Option<&'s Ident> {
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

    pub(super) fn axis(&self, table: TableIdx, rows: bool) -> &[crate::ruleset::Node] {
        if rows {
            &self.tables[table].rows
        } else {
            &self.tables[table].columns
        }
    }

    /// Finds a row or column by its key or the end of its path (`总计`, `三.总计`).
    pub(super) fn find_node(
        &mut self,
        table: TableIdx,
        rows: bool,
        path: &ast::Path,
    ) -> Option<NodeIdx> {
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
    pub(super) fn pick(
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

    pub(super) fn path(&mut self, path: &ast::Path, frame: &mut Frame) -> Option<Expr> {
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

    pub(super) fn member(&mut self, base: Expr, name: &Ident) -> Option<Expr> {
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
            Type::Statement => {
                if let Some((_, field)) = StatedField::ALL.iter().find(|(n, _)| *n == name.node) {
                    let ty = match field {
                        StatedField::Value | StatedField::Decimals | StatedField::PartsSum => {
                            Type::Number
                        }
                        StatedField::Phrase | StatedField::Sentence | StatedField::Phrasing => {
                            Type::Text
                        }
                        StatedField::First => Type::Statement,
                        StatedField::PartsComplete => Type::Bool,
                    };
                    return Some(Expr {
                        kind: ExprKind::Member(Box::new(base), Member::Stated(*field)),
                        ty,
                        span,
                    });
                }
                let suggestion = suggest(&name.node, StatedField::ALL.iter().map(|(n, _)| *n));
                self.error(
                    Problem::UnknownName {
                        kind: "陈述的成员",
                        name: name.node.clone(),
                        suggestion,
                    },
                    name.span,
                );
                return None;
            }
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

    pub(super) fn cell(
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
