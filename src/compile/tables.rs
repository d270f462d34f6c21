//! Table declarations → [`Table`]s: rows and columns as trees of nodes with full paths,
//! cell types and blank policies resolved.

use std::collections::HashMap;

use rust_decimal::prelude::ToPrimitive;

use super::merge::Declarations;
use crate::diagnostic::{Diagnostic, Problem, suggest};
use crate::ruleset::{Alias, BlankPolicy, CellType, MoneyUnit, Node, NodeIdx, Table};
use crate::source::Span;
use crate::syntax::ast::{
    AliasAst, BlankAst, CellTypeAst, ColumnAst, LabelAst, ParamTypeAst, RowAst, TableDecl,
    TableItem, TypeArg,
};

const CELL_TYPES: &str = "计数、整数、金额(单位, 小数位数)、百分比、文本";

/// The most columns (groups included) one table may have once every `同` is copied out. The
/// national tables have a few dozen; without a bound, groups that each copy the one before
/// twice double the table with every line of the rule file.
const MAX_COLUMNS: usize = 10_000;

pub(super) fn compile_tables(
    decls: &Declarations,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Table> {
    decls
        .tables
        .iter()
        .map(|t| compile_table(decls, t, diagnostics))
        .collect()
}

fn compile_table(
    decls: &Declarations,
    decl: &TableDecl,
    diagnostics: &mut Vec<Diagnostic>,
) -> Table {
    let section = if let Some(i) = decls
        .sections
        .iter()
        .position(|s| s.key.node == decl.section.node)
    {
        i
    } else {
        let suggestion = suggest(
            &decl.section.node,
            decls.sections.iter().map(|s| s.key.node.as_str()),
        );
        diagnostics.push(Diagnostic::error(
            Problem::UnknownName {
                kind: "章节",
                name: decl.section.node.clone(),
                suggestion,
            },
            decl.section.span,
        ));
        0
    };
    let mut anchors = Vec::new();
    let mut default_type = CellType::Count;
    let mut default_blank = BlankPolicy::Zero;
    for item in &decl.items {
        match item {
            TableItem::Anchors(a) => anchors = a.iter().map(|s| s.node.clone()).collect(),
            TableItem::Type(t) => {
                if let Some(t) = cell_type(t, diagnostics) {
                    default_type = t;
                }
            }
            TableItem::Blank(b) => {
                default_blank = blank_policy(decls, &b.node, b.span, diagnostics);
            }
            TableItem::Column(_) | TableItem::Row(_) => {}
        }
    }
    let mut builder = Builder {
        nodes: Vec::new(),
        diagnostics,
        kind: "列",
        over_limit: false,
        by_path: HashMap::new(),
    };
    for item in &decl.items {
        if let TableItem::Column(c) = item {
            builder.column(c, None, &default_type, None);
        }
    }
    let columns = std::mem::take(&mut builder.nodes);
    builder.by_path.clear();
    builder.kind = "行";
    for item in &decl.items {
        if let TableItem::Row(r) = item {
            builder.row(decls, r, None, &default_blank);
        }
    }
    let rows = builder.nodes;
    if columns.iter().all(|c| c.is_group) {
        diagnostics.push(Diagnostic::error(
            Problem::BadTable {
                reason: format!("表格「{}」没有声明任何列", decl.key.node),
            },
            decl.key.span,
        ));
    }
    if rows.iter().all(|r| r.is_group) {
        diagnostics.push(Diagnostic::error(
            Problem::BadTable {
                reason: format!("表格「{}」没有声明任何行", decl.key.node),
            },
            decl.key.span,
        ));
    }
    Table {
        key: decl.key.node.clone(),
        section,
        anchors,
        columns,
        rows,
        span: decl.key.span,
    }
}

struct Builder<'d> {
    nodes: Vec<Node>,
    diagnostics: &'d mut Vec<Diagnostic>,
    kind: &'static str,
    /// Whether a copy has been refused for making the table too large: reported once, as
    /// every later copy of the grown groups would be refused for the same reason.
    over_limit: bool,
    /// Each node's path: a duplicate is found without rescanning the nodes (copies may make
    /// thousands of them).
    by_path: HashMap<String, NodeIdx>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        key: &crate::syntax::ast::Ident,
        label: &LabelAst,
        parent: Option<NodeIdx>,
    ) -> NodeIdx {
        let path = match parent {
            Some(p) => format!("{}.{}", self.nodes[p].path, key.node),
            None => key.node.clone(),
        };
        if let Some(&first) = self.by_path.get(&path) {
            let first = &self.nodes[first];
            self.diagnostics.push(
                Diagnostic::error(
                    Problem::Duplicate {
                        kind: self.kind,
                        name: key.node.clone(),
                    },
                    key.span,
                )
                .with_related(first.span, "第一次声明在这里"),
            );
        }
        let index = self.nodes.len();
        self.by_path.entry(path.clone()).or_insert(index);
        self.nodes.push(Node {
            key: key.node.clone(),
            path,
            label: label
                .label
                .as_ref()
                .map_or_else(|| key.node.clone(), |l| l.node.clone()),
            aliases: label.aliases.iter().map(alias).collect(),
            parent,
            children: Vec::new(),
            is_group: false,
            cell_type: CellType::Count,
            explicit_type: false,
            blank: BlankPolicy::Zero,
            na_allowed: false,
            unlabeled: false,
            span: key.span,
        });
        if let Some(p) = parent {
            self.nodes[p].children.push(index);
        }
        index
    }

    fn column(
        &mut self,
        column: &ColumnAst,
        parent: Option<NodeIdx>,
        default_type: &CellType,
        // For `同 X`: the key of the copy, so that its members get the copy's paths.
        renamed: Option<&crate::syntax::ast::Ident>,
    ) {
        match column {
            ColumnAst::Leaf { key, label, ty } => {
                let index = self.push(renamed.unwrap_or(key), label, parent);
                let node = &mut self.nodes[index];
                node.cell_type = default_type.clone();
                if let Some(t) = ty.as_ref().and_then(|t| cell_type(t, self.diagnostics)) {
                    self.nodes[index].cell_type = t;
                    self.nodes[index].explicit_type = true;
                }
            }
            ColumnAst::Group {
                key,
                label,
                same_as,
                children,
            } => {
                let index = self.push(renamed.unwrap_or(key), label, parent);
                self.nodes[index].is_group = true;
                if let Some(template) = same_as {
                    self.copy_group(template, index);
                }
                // A failed `同` has been reported already.
                let copy_failed = same_as.is_some() && self.nodes[index].children.is_empty();
                for child in children {
                    self.column(child, Some(index), default_type, None);
                }
                if self.nodes[index].children.is_empty() && !copy_failed {
                    self.diagnostics.push(Diagnostic::error(
                        Problem::BadTable {
                            reason: format!("列组「{}」没有任何列", key.node),
                        },
                        key.span,
                    ));
                }
            }
        }
    }

    /// `列组 直诉 "未经复议直接起诉" 同 复议`: gives the group copies of 复议's members.
    fn copy_group(&mut self, template: &crate::syntax::ast::Ident, into: NodeIdx) {
        let candidates: Vec<NodeIdx> = (0..self.nodes.len())
            .filter(|&i| self.nodes[i].is_group && i != into)
            .filter(|&i| self.nodes[i].key == template.node || self.nodes[i].path == template.node)
            .collect();
        let Some(&source) = candidates.first() else {
            let suggestion = suggest(
                &template.node,
                self.nodes
                    .iter()
                    .filter(|n| n.is_group)
                    .map(|n| n.key.as_str()),
            );
            self.diagnostics.push(Diagnostic::error(
                Problem::UnknownName {
                    kind: "列组",
                    name: template.node.clone(),
                    suggestion,
                },
                template.span,
            ));
            return;
        };
        let problem = if self.is_ancestor(source, into) {
            Some(format!(
                "列组「{}」在列组「{}」之内，复制它会把自己也复制进去，永远复制不完",
                self.nodes[into].key, self.nodes[source].key
            ))
        } else if self.over_limit {
            return;
        } else if self.nodes.len() + self.descendants(source) > MAX_COLUMNS {
            self.over_limit = true;
            Some(format!(
                "复制「{}」之后表格的列（含列组）会超过 {MAX_COLUMNS} 个",
                self.nodes[source].key
            ))
        } else {
            None
        };
        if let Some(reason) = problem {
            self.diagnostics.push(Diagnostic::error(
                Problem::BadCopy { reason },
                template.span,
            ));
            return;
        }
        self.copy_children(source, into);
    }

    fn is_ancestor(&self, ancestor: NodeIdx, mut node: NodeIdx) -> bool {
        while let Some(parent) = self.nodes[node].parent {
            if parent == ancestor {
                return true;
            }
            node = parent;
        }
        false
    }

    /// How many nodes lie under `node` (its children, theirs, …).
    fn descendants(&self, node: NodeIdx) -> usize {
        let mut count = 0;
        let mut pending = vec![node];
        while let Some(n) = pending.pop() {
            count += self.nodes[n].children.len();
            pending.extend(&self.nodes[n].children);
        }
        count
    }

    fn copy_children(&mut self, source: NodeIdx, into: NodeIdx) {
        for child in self.nodes[source].children.clone() {
            let original = self.nodes[child].clone();
            let index = self.nodes.len();
            let path = format!("{}.{}", self.nodes[into].path, original.key);
            self.by_path.entry(path.clone()).or_insert(index);
            self.nodes.push(Node {
                path,
                parent: Some(into),
                children: Vec::new(),
                ..original
            });
            self.nodes[into].children.push(index);
            self.copy_children(child, index);
        }
    }

    fn row(
        &mut self,
        decls: &Declarations,
        row: &RowAst,
        parent: Option<NodeIdx>,
        default_blank: &BlankPolicy,
    ) {
        match row {
            RowAst::Leaf {
                key,
                label,
                unlabeled,
                ty,
                blank,
                na_allowed,
            } => {
                let index = self.push(key, label, parent);
                let blank = blank.as_ref().map_or_else(
                    || default_blank.clone(),
                    |b| blank_policy(decls, &b.node, b.span, self.diagnostics),
                );
                let cell_type = ty.as_ref().and_then(|t| cell_type(t, self.diagnostics));
                let node = &mut self.nodes[index];
                node.blank = blank;
                node.na_allowed = *na_allowed;
                node.unlabeled = *unlabeled;
                if *unlabeled {
                    node.label.clear();
                }
                if let Some(t) = cell_type {
                    node.cell_type = t;
                    node.explicit_type = true;
                }
            }
            RowAst::Group {
                key,
                label,
                children,
            } => {
                let index = self.push(key, label, parent);
                self.nodes[index].is_group = true;
                for child in children {
                    self.row(decls, child, Some(index), default_blank);
                }
                if self.nodes[index].children.is_empty() {
                    self.diagnostics.push(Diagnostic::error(
                        Problem::BadTable {
                            reason: format!("行组「{}」没有任何行", key.node),
                        },
                        key.span,
                    ));
                }
            }
        }
    }
}

fn alias(a: &AliasAst) -> Alias {
    Alias {
        text: a.text.node.clone(),
        nonstandard: a.nonstandard,
    }
}

pub(super) fn cell_type(t: &CellTypeAst, diagnostics: &mut Vec<Diagnostic>) -> Option<CellType> {
    let no_args = |diagnostics: &mut Vec<Diagnostic>, ty: CellType| {
        if t.args.is_empty() {
            Some(ty)
        } else {
            diagnostics.push(Diagnostic::error(
                Problem::WrongArity {
                    function: t.name.node.clone(),
                    expected: "0 个参数".into(),
                    found: t.args.len(),
                },
                t.span,
            ));
            None
        }
    };
    match t.name.node.as_str() {
        "计数" => no_args(diagnostics, CellType::Count),
        "整数" => no_args(diagnostics, CellType::Integer),
        "百分比" => no_args(diagnostics, CellType::Percent),
        "文本" => no_args(diagnostics, CellType::Text),
        "金额" => {
            let mut units = Vec::new();
            let mut decimals = None;
            for arg in &t.args {
                match &arg.node {
                    TypeArg::Word(w) if w == "元" => units.push(MoneyUnit::Yuan),
                    TypeArg::Word(w) if w == "万元" => units.push(MoneyUnit::WanYuan),
                    TypeArg::Number(n)
                        if decimals.is_none() && n.fract().is_zero() && *n <= 10.into() =>
                    {
                        decimals = n.to_u32();
                    }
                    other => {
                        let found = match other {
                            TypeArg::Word(w) => w.clone(),
                            TypeArg::Number(n) => n.to_string(),
                        };
                        diagnostics.push(Diagnostic::error(
                            Problem::BadValue {
                                name: "金额".into(),
                                expected: "单位（元 或 万元）或小数位数（0 到 10）".into(),
                                found,
                            },
                            arg.span,
                        ));
                        return None;
                    }
                }
            }
            if units.is_empty() {
                units = vec![MoneyUnit::Yuan, MoneyUnit::WanYuan];
            }
            Some(CellType::Money {
                units,
                decimals: decimals.unwrap_or(4),
            })
        }
        other => {
            diagnostics.push(Diagnostic::error(
                Problem::UnknownType {
                    name: other.to_owned(),
                    known: CELL_TYPES,
                },
                t.name.span,
            ));
            None
        }
    }
}

/// A parameter's type as written: `数`, `选项("省级", "县级")`.
fn param_type_text(ty: &ParamTypeAst) -> String {
    match ty {
        ParamTypeAst::Named(name) => name.clone(),
        ParamTypeAst::Choice(options) => format!(
            "选项({})",
            options
                .iter()
                .map(|o| format!("\"{}\"", o.node))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn blank_policy(
    decls: &Declarations,
    blank: &BlankAst,
    span: Span,
    diagnostics: &mut Vec<Diagnostic>,
) -> BlankPolicy {
    match blank {
        BlankAst::Zero => BlankPolicy::Zero,
        BlankAst::Missing => BlankPolicy::Missing,
        BlankAst::Param(name) => {
            let Some(index) = decls.params.iter().position(|p| p.name.node == name.node) else {
                let suggestion = suggest(
                    &name.node,
                    decls.params.iter().map(|p| p.name.node.as_str()),
                );
                diagnostics.push(Diagnostic::error(
                    Problem::UnknownName {
                        kind: "参数",
                        name: name.node.clone(),
                        suggestion,
                    },
                    name.span,
                ));
                return BlankPolicy::Zero;
            };
            let param = &decls.params[index];
            let ok = matches!(&param.ty.node, ParamTypeAst::Choice(options)
                if options.iter().all(|o| o.node == "计零" || o.node == "缺失"));
            if !ok {
                diagnostics.push(Diagnostic::error(
                    Problem::TypeMismatch {
                        context: "空白策略".into(),
                        expected: "选项(\"计零\", \"缺失\") 类型的参数".into(),
                        found: format!("{} 类型的参数", param_type_text(&param.ty.node)),
                    },
                    span,
                ));
            }
            BlankPolicy::Param(index)
        }
    }
}
