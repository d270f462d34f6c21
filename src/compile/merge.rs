//! Lays a chain of rule files on top of each other: the root ancestor's declarations first,
//! then each descendant's additions, replacements, modifications, overrides and disables.
//! The result is one set of declarations, compiled as a whole, so an inherited check is
//! checked against the tables as the descendant changed them.

use super::exprs::Resolver;
use super::tables;
use crate::diagnostic::{Diagnostic, Problem, suggest};
use crate::ruleset::{RuleSet, SourceMap};
use crate::source::Span;
use crate::syntax::ast::{
    CheckDecl, ColumnAst, Expr, Ident, Item, LetDecl, MemberDecl, MemberKind, Modification,
    ModifyDecl, ParamDecl, Placement, QuantityDecl, RowAst, RuleFile, SectionDecl, Str, TableDecl,
    TableItem,
};

/// Everything a chain of files declares, after inheritance.
#[derive(Default)]
pub(super) struct Declarations {
    pub id: Option<Ident>,
    pub lineage: Vec<String>,
    pub title: Option<Str>,
    pub version: Option<Str>,
    pub basis: Option<Str>,
    pub applies: Option<Expr>,
    pub params: Vec<ParamDecl>,
    pub lets: Vec<LetDecl>,
    pub sections: Vec<SectionDecl>,
    pub order: Option<Vec<Ident>>,
    pub tables: Vec<TableDecl>,
    pub checks: Vec<(CheckDecl, String)>,
    pub quantities: Vec<QuantityDecl>,
    /// Where the leaf file starts and ends: warnings about unused declarations are only
    /// given for the file being compiled, not for its ancestors.
    pub leaf_span: Span,
}

pub(super) fn merge_and_compile(
    chain: &[&RuleFile],
    sources: SourceMap,
    diagnostics: &mut Vec<Diagnostic>,
    build_patterns: bool,
) -> Option<RuleSet> {
    let mut decls = Declarations::default();
    for (depth, file) in chain.iter().enumerate() {
        let is_leaf = depth + 1 == chain.len();
        merge_file(&mut decls, file, is_leaf, diagnostics);
    }
    let id = decls.id.clone()?;
    let tables = tables::compile_tables(&decls, diagnostics);
    let mut resolver = Resolver::new(&decls, tables, sources, diagnostics, build_patterns);
    let rule_set = resolver.compile(id);
    Some(rule_set)
}

fn merge_file(
    decls: &mut Declarations,
    file: &RuleFile,
    is_leaf: bool,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let mut seen_header = false;
    let mut seen_other = false;
    let mut seen_extends = false;
    let mut seen_once: Vec<(&'static str, Span)> = Vec::new();
    let file_span = file
        .items
        .iter()
        .map(|i| i.span)
        .reduce(Span::join)
        .unwrap_or_default();
    if is_leaf {
        decls.leaf_span = file_span;
    }
    let mut own_id: Option<Ident> = None;
    for item in &file.items {
        let span = item.span;
        match &item.node {
            Item::RuleSet(id) => {
                if seen_header {
                    diagnostics.push(Diagnostic::error(
                        Problem::Misplaced {
                            what: "规则集",
                            why: "在一个文件中只能声明一次",
                        },
                        span,
                    ));
                    continue;
                }
                if seen_other {
                    diagnostics.push(Diagnostic::error(
                        Problem::Misplaced {
                            what: "规则集",
                            why: "必须写在文件的开头",
                        },
                        span,
                    ));
                }
                seen_header = true;
                own_id = Some(id.clone());
                decls.lineage.push(id.node.clone());
                decls.id = Some(id.clone());
            }
            Item::Extends(_) if seen_extends => {
                diagnostics.push(Diagnostic::error(
                    Problem::Misplaced {
                        what: "继承",
                        why: "在一个文件中只能写一次（一个规则集只继承一个上级）",
                    },
                    span,
                ));
            }
            Item::Extends(_) => {
                seen_extends = true;
                if seen_other {
                    diagnostics.push(Diagnostic::error(
                        Problem::Misplaced {
                            what: "继承",
                            why: "必须紧跟在「规则集」之后",
                        },
                        span,
                    ));
                }
            }
            other => {
                seen_other = true;
                if let Some(what) = once_per_file(other) {
                    if let Some(first) = seen_once.iter().find(|(w, _)| *w == what).map(|(_, s)| *s)
                    {
                        diagnostics.push(
                            Diagnostic::error(
                                Problem::Misplaced {
                                    what,
                                    why: "在一个文件中只能写一次",
                                },
                                span,
                            )
                            .with_related(first, "第一次写在这里"),
                        );
                        continue;
                    }
                    seen_once.push((what, span));
                }
                merge_item(decls, other, span, own_id.as_ref(), diagnostics);
            }
        }
    }
    if !seen_header {
        diagnostics.push(Diagnostic::error(
            Problem::MissingHeader { what: "规则集" },
            Span::new(file_span.start, file_span.start),
        ));
    }
}

/// The header items a file may write only once.
fn once_per_file(item: &Item) -> Option<&'static str> {
    Some(match item {
        Item::Title(_) => "标题",
        Item::Version(_) => "版本",
        Item::Basis(_) => "依据",
        Item::Applies(_) => "适用",
        Item::Order(_) => "章节顺序",
        _ => return None,
    })
}

fn duplicate(kind: &'static str, name: &Ident, first: Span) -> Diagnostic {
    Diagnostic::error(
        Problem::Duplicate {
            kind,
            name: name.node.clone(),
        },
        name.span,
    )
    .with_related(first, "第一次声明在这里")
}

fn merge_item(
    decls: &mut Declarations,
    item: &Item,
    span: Span,
    own_id: Option<&Ident>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let origin = own_id.map_or_else(String::new, |i| i.node.clone());
    match item {
        Item::RuleSet(_) | Item::Extends(_) => unreachable!("handled by merge_file"),
        Item::Title(s) => decls.title = Some(s.clone()),
        Item::Version(s) => decls.version = Some(s.clone()),
        Item::Basis(s) => decls.basis = Some(s.clone()),
        Item::Applies(e) => decls.applies = Some(e.clone()),
        Item::Param(p) => {
            if let Some(first) = decls.params.iter().find(|q| q.name.node == p.name.node) {
                diagnostics.push(duplicate("参数", &p.name, first.name.span));
            } else {
                decls.params.push(p.clone());
            }
        }
        Item::Quantity(q) => {
            if let Some(first) = decls.quantities.iter().find(|d| d.name.node == q.name.node) {
                diagnostics.push(duplicate("数量", &q.name, first.name.span));
            } else {
                decls.quantities.push(q.clone());
            }
        }
        Item::Let(l) => {
            if let Some(first) = decls.lets.iter().find(|q| q.name.node == l.name.node) {
                diagnostics.push(duplicate("定义", &l.name, first.name.span));
            } else {
                decls.lets.push(l.clone());
            }
        }
        Item::Order(keys) => {
            for (i, key) in keys.iter().enumerate() {
                if let Some(first) = keys[..i].iter().find(|k| k.node == key.node) {
                    diagnostics.push(duplicate("章节顺序中的章节", key, first.span));
                }
            }
            decls.order = Some(keys.clone());
        }
        Item::Section(s) => {
            if let Some(first) = decls.sections.iter().find(|q| q.key.node == s.key.node) {
                diagnostics.push(duplicate("章节", &s.key, first.key.span));
            } else {
                decls.sections.push(s.clone());
            }
        }
        Item::Table(t) => {
            if let Some(first) = decls.tables.iter().find(|q| q.key.node == t.key.node) {
                diagnostics.push(
                    duplicate("表格", &t.key, first.key.span)
                        .with_related(span, "要改动继承来的表格，请用「修改 表格」或「替换 表格」"),
                );
            } else {
                decls.tables.push(t.clone());
            }
        }
        Item::RemoveTable(key) => match decls.tables.iter().position(|q| q.key.node == key.node) {
            Some(index) => {
                decls.tables.remove(index);
            }
            None => diagnostics.push(unknown_table(decls, key)),
        },
        Item::ReplaceTable(t) => match decls.tables.iter_mut().find(|q| q.key.node == t.key.node) {
            Some(existing) => *existing = t.clone(),
            None => diagnostics.push(unknown_table(decls, &t.key)),
        },
        Item::Modify(m) => modify_table(decls, m, diagnostics),
        Item::Check(c) => {
            if let Some((first, first_origin)) =
                decls.checks.iter().find(|(q, _)| q.id.node == c.id.node)
            {
                let mut diagnostic = duplicate("检查", &c.id, first.id.span);
                if *first_origin != origin {
                    diagnostic = diagnostic.with_related(
                        span,
                        format!(
                            "「{}」继承自「{first_origin}」；要改动它，请用「覆盖」或「停用」",
                            c.id.node
                        ),
                    );
                }
                diagnostics.push(diagnostic);
            } else {
                decls.checks.push(((**c).clone(), origin));
            }
        }
        Item::Override(o) => {
            if let Some(check) = find_check(decls, &o.id, diagnostics) {
                if let Some(s) = &o.severity {
                    check.severity = s.clone();
                }
                if let Some(m) = &o.message {
                    check.message = Some(m.clone());
                }
                if let Some(h) = &o.help {
                    check.help = Some(h.clone());
                }
                if let Some(t) = &o.tags {
                    check.tags.clone_from(t);
                }
                if let Some(b) = &o.basis {
                    check.basis = Some(b.clone());
                }
            }
        }
        Item::Disable(ids) => {
            for id in ids {
                if find_check(decls, id, diagnostics).is_some() {
                    decls.checks.retain(|(c, _)| c.id.node != id.node);
                }
            }
        }
    }
}

fn find_check<'a>(
    decls: &'a mut Declarations,
    id: &Ident,
    diagnostics: &mut Vec<Diagnostic>,
) -> Option<&'a mut CheckDecl> {
    let index = decls.checks.iter().position(|(c, _)| c.id.node == id.node);
    if index.is_none() {
        let suggestion = suggest(
            &id.node,
            decls.checks.iter().map(|(c, _)| c.id.node.as_str()),
        );
        diagnostics.push(Diagnostic::error(
            Problem::UnknownCheck {
                id: id.node.clone(),
                suggestion,
            },
            id.span,
        ));
    }
    index.map(|i| &mut decls.checks[i].0)
}

fn unknown_table(decls: &Declarations, key: &Ident) -> Diagnostic {
    let suggestion = suggest(&key.node, decls.tables.iter().map(|t| t.key.node.as_str()));
    Diagnostic::error(
        Problem::UnknownName {
            kind: "表格",
            name: key.node.clone(),
            suggestion,
        },
        key.span,
    )
}

fn modify_table(decls: &mut Declarations, m: &ModifyDecl, diagnostics: &mut Vec<Diagnostic>) {
    let Some(index) = decls.tables.iter().position(|t| t.key.node == m.table.node) else {
        diagnostics.push(unknown_table(decls, &m.table));
        return;
    };
    let table = &mut decls.tables[index];
    for modification in &m.modifications {
        if let Err(reason) = apply_modification(table, &modification.node) {
            diagnostics.push(Diagnostic::error(
                Problem::BadModification { reason: reason.0 },
                reason.1.unwrap_or(modification.span),
            ));
        }
    }
}

/// Why a modification cannot be made, and where (if more precise than the whole line).
struct Refusal(String, Option<Span>);

fn apply_modification(table: &mut TableDecl, modification: &Modification) -> Result<(), Refusal> {
    match modification {
        Modification::Anchors(a) => {
            table.items.retain(|i| !matches!(i, TableItem::Anchors(_)));
            table.items.insert(0, TableItem::Anchors(a.clone()));
        }
        Modification::Type(t) => {
            table.items.retain(|i| !matches!(i, TableItem::Type(_)));
            table.items.insert(0, TableItem::Type(t.clone()));
        }
        Modification::Blank(b) => {
            table.items.retain(|i| !matches!(i, TableItem::Blank(_)));
            table.items.insert(0, TableItem::Blank(b.clone()));
        }
        Modification::Add { decl, position } => {
            let mut members = Members::of(table, decl.kind());
            if members.find(&decl.key().node).is_some() {
                return Err(Refusal(
                    format!("表格「{}」已经有「{}」", table.key.node, decl.key().node),
                    Some(decl.key().span),
                ));
            }
            match position {
                None => members.push_top(decl.clone()),
                Some((anchor, placement)) => {
                    let Some(at) = members.find(&anchor.node) else {
                        return Err(not_in_table(table, decl.kind(), anchor));
                    };
                    members.insert(&at, *placement, decl.clone());
                }
            }
            members.store(table);
        }
        Modification::Remove { kind, keys } => {
            let mut members = Members::of(table, *kind);
            for key in keys {
                let Some(at) = members.find(&key.node) else {
                    return Err(not_in_table(table, *kind, key));
                };
                members.remove(&at);
            }
            members.store(table);
        }
        Modification::Replace { kind, key, decl } => {
            if decl.kind() != *kind {
                return Err(Refusal(
                    "行只能替换为行（或行组），列只能替换为列（或列组）".into(),
                    Some(decl.key().span),
                ));
            }
            let mut members = Members::of(table, *kind);
            let Some(at) = members.find(&key.node) else {
                return Err(not_in_table(table, *kind, key));
            };
            members.insert(&at, Placement::After, decl.clone());
            members.remove(&at);
            members.store(table);
        }
    }
    Ok(())
}

fn not_in_table(table: &TableDecl, kind: MemberKind, key: &Ident) -> Refusal {
    let what = if kind == MemberKind::Row {
        "行"
    } else {
        "列"
    };
    let mut keys = Vec::new();
    collect_keys(&Members::of(table, kind).top, &mut keys);
    let hint = suggest(&key.node, keys.iter().map(String::as_str))
        .map(|s| format!("（是不是「{s}」？）"))
        .unwrap_or_default();
    Refusal(
        format!(
            "表格「{}」中没有{what}「{}」{hint}",
            table.key.node, key.node
        ),
        Some(key.span),
    )
}

fn collect_keys(nodes: &[MemberDecl], keys: &mut Vec<String>) {
    for node in nodes {
        keys.push(node.key().node.clone());
        collect_keys(&children(node), keys);
    }
}

/// The rows (or the columns) of a table as one tree, for editing by key.
struct Members {
    kind: MemberKind,
    top: Vec<MemberDecl>,
}

/// Where a member sits: the indices down the tree.
type TreePath = Vec<usize>;

impl Members {
    fn of(table: &TableDecl, kind: MemberKind) -> Self {
        let top = table
            .items
            .iter()
            .filter_map(|i| match (i, kind) {
                (TableItem::Column(c), MemberKind::Column) => Some(MemberDecl::Column(c.clone())),
                (TableItem::Row(r), MemberKind::Row) => Some(MemberDecl::Row(r.clone())),
                _ => None,
            })
            .collect();
        Self { kind, top }
    }

    /// Puts the edited tree back where the old one was, keeping the table's other items.
    fn store(self, table: &mut TableDecl) {
        let kind = self.kind;
        let is_member = |i: &TableItem| {
            matches!(
                (i, kind),
                (TableItem::Column(_), MemberKind::Column) | (TableItem::Row(_), MemberKind::Row)
            )
        };
        let first = table.items.iter().position(is_member);
        table.items.retain(|i| !is_member(i));
        let at = first.unwrap_or(table.items.len()).min(table.items.len());
        let new_items = self.top.into_iter().map(|m| match m {
            MemberDecl::Column(c) => TableItem::Column(c),
            MemberDecl::Row(r) => TableItem::Row(r),
        });
        table.items.splice(at..at, new_items);
    }

    fn find(&self, key: &str) -> Option<TreePath> {
        fn search(nodes: &[MemberDecl], key: &str, path: &mut TreePath) -> bool {
            for (i, node) in nodes.iter().enumerate() {
                path.push(i);
                if node.key().node == key || search(&children(node), key, path) {
                    return true;
                }
                path.pop();
            }
            false
        }
        let mut path = Vec::new();
        search(&self.top, key, &mut path).then_some(path)
    }

    fn push_top(&mut self, decl: MemberDecl) {
        self.top.push(decl);
    }

    fn insert(&mut self, at: &TreePath, placement: Placement, decl: MemberDecl) {
        let (last, parent) = at.split_last().expect("a found path is never empty");
        let index = if placement == Placement::After {
            last + 1
        } else {
            *last
        };
        self.edit_siblings(parent, |siblings| siblings.insert(index, decl));
    }

    fn remove(&mut self, at: &TreePath) {
        let (last, parent) = at.split_last().expect("a found path is never empty");
        self.edit_siblings(parent, |siblings| {
            siblings.remove(*last);
        });
    }

    /// Runs `edit` on the children of the group at `parent` (the top level for `[]`).
    fn edit_siblings(&mut self, parent: &[usize], edit: impl FnOnce(&mut Vec<MemberDecl>)) {
        fn walk(
            nodes: &mut Vec<MemberDecl>,
            parent: &[usize],
            edit: impl FnOnce(&mut Vec<MemberDecl>),
        ) {
            let Some((first, rest)) = parent.split_first() else {
                edit(nodes);
                return;
            };
            let mut kids = children(&nodes[*first]);
            walk(&mut kids, rest, edit);
            set_children(&mut nodes[*first], kids);
        }
        walk(&mut self.top, parent, edit);
    }
}

fn children(node: &MemberDecl) -> Vec<MemberDecl> {
    match node {
        MemberDecl::Column(ColumnAst::Group { children, .. }) => {
            children.iter().cloned().map(MemberDecl::Column).collect()
        }
        MemberDecl::Row(RowAst::Group { children, .. }) => {
            children.iter().cloned().map(MemberDecl::Row).collect()
        }
        _ => Vec::new(),
    }
}

fn set_children(node: &mut MemberDecl, kids: Vec<MemberDecl>) {
    match node {
        MemberDecl::Column(ColumnAst::Group { children, .. }) => {
            *children = kids
                .into_iter()
                .filter_map(|k| match k {
                    MemberDecl::Column(c) => Some(c),
                    MemberDecl::Row(_) => None,
                })
                .collect();
        }
        MemberDecl::Row(RowAst::Group { children, .. }) => {
            *children = kids
                .into_iter()
                .filter_map(|k| match k {
                    MemberDecl::Row(r) => Some(r),
                    MemberDecl::Column(_) => None,
                })
                .collect();
        }
        _ => {}
    }
}
