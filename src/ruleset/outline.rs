//! The compiled rule set written back as text: an outline of what it declares (for
//! `gouji rules show` and snapshot tests) and any expression in the language's own syntax
//! (for formulas in findings).

use std::fmt::Write as _;

use super::{
    BlankPolicy, Check, Domain, Expr, ExprKind, Member, Node, Pick, ReportField, RuleSet, Table,
    TemplatePart, TextOp, Value,
};

impl RuleSet {
    /// A readable outline of everything the set declares, in a stable order.
    pub fn outline(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "规则集 {}（{}）", self.id, self.lineage.join(" → "));
        for (label, value) in [
            ("标题", &self.title),
            ("版本", &self.version),
            ("依据", &self.basis),
        ] {
            if let Some(v) = value {
                let _ = writeln!(out, "  {label}：{v}");
            }
        }
        if let Some(applies) = &self.applies {
            let _ = writeln!(out, "  适用：{}", self.expr_text(applies, &[]));
        }
        for p in &self.params {
            let default = p
                .default
                .as_ref()
                .map_or_else(|| "（未设置）".to_owned(), value_text);
            let _ = writeln!(out, "参数 {}：{} = {default}", p.name, p.ty.chinese());
        }
        for l in &self.lets {
            let _ = writeln!(
                out,
                "令 {}（{}）= {}",
                l.name,
                l.value.ty.chinese(),
                self.expr_text(&l.value, &[])
            );
        }
        for (i, s) in self.sections.iter().enumerate() {
            let order = self
                .section_order
                .iter()
                .position(|&o| o == i)
                .map_or("-".to_owned(), |o| (o + 1).to_string());
            let required = if s.required { " 必需" } else { "" };
            let _ = writeln!(out, "章节 {} [{order}] 「{}」{required}", s.key, s.title);
            for a in &s.aliases {
                let note = if a.nonstandard { " 不规范" } else { "" };
                let _ = writeln!(out, "  别名「{}」{note}", a.text);
            }
        }
        for t in &self.tables {
            self.write_table(&mut out, t);
        }
        for c in &self.checks {
            self.write_check(&mut out, c);
        }
        out
    }

    fn write_table(&self, out: &mut String, t: &Table) {
        let _ = writeln!(
            out,
            "表格 {} 属于 {}，锚点：{}",
            t.key,
            self.sections[t.section].key,
            if t.anchors.is_empty() {
                "（无）".to_owned()
            } else {
                t.anchors.join(" / ")
            }
        );
        let write_nodes = |out: &mut String, nodes: &[Node], rows: bool| {
            for n in nodes {
                let depth = n.path.matches('.').count();
                let indent = "  ".repeat(depth + 2);
                let kind = match (rows, n.is_group) {
                    (true, true) => "行组",
                    (true, false) => "行",
                    (false, true) => "列组",
                    (false, false) => "列",
                };
                let mut extra = String::new();
                if !n.is_group && (!rows || n.explicit_type) {
                    let _ = write!(extra, " {}", n.cell_type.chinese());
                }
                if rows && !n.is_group {
                    match n.blank {
                        BlankPolicy::Zero => {}
                        BlankPolicy::Missing => extra.push_str(" 空白=缺失"),
                        BlankPolicy::Param(p) => {
                            let _ = write!(extra, " 空白=参数.{}", self.params[p].name);
                        }
                    }
                    if n.na_allowed {
                        extra.push_str(" 允许不适用");
                    }
                }
                for a in &n.aliases {
                    let _ = write!(
                        extra,
                        " 别名「{}」{}",
                        a.text,
                        if a.nonstandard { "不规范" } else { "" }
                    );
                }
                let label = if n.unlabeled {
                    "（无标签）".to_owned()
                } else {
                    format!("「{}」", n.label)
                };
                let _ = writeln!(out, "{indent}{kind} {} {label}{extra}", n.path);
            }
        };
        write_nodes(out, &t.columns, false);
        write_nodes(out, &t.rows, true);
    }

    /// One check: its outline, and the text it was written as.
    #[must_use]
    pub fn check_text(&self, c: &Check) -> String {
        let mut out = String::new();
        self.write_check(&mut out, c);
        if let Some((file, local)) = self.sources.resolve(c.span) {
            let (line, _) = file.line_col(local.start);
            let _ = writeln!(out, "\n位置：{}:{line}", file.name());
            let text = file.text();
            let start = text[..local.start].rfind('\n').map_or(0, |i| i + 1);
            let end = find_block_end(text, local.start);
            let _ = writeln!(out, "{}", &text[start..end]);
        }
        out
    }

    fn write_check(&self, out: &mut String, c: &Check) {
        let table = c
            .table
            .map_or(String::new(), |t| format!(" 于 {}", self.tables[t].key));
        let _ = writeln!(
            out,
            "检查 {} {}{table}（来自 {}）",
            c.id,
            c.severity.chinese(),
            c.origin
        );
        if !c.tags.is_empty() {
            let _ = writeln!(out, "  标签：{}", c.tags.join("、"));
        }
        if let Some(b) = &c.basis {
            let _ = writeln!(out, "  依据：{b}");
        }
        for w in &c.when {
            let _ = writeln!(out, "  仅当 {}", self.expr_text(w, &c.slot_names));
        }
        for b in &c.binders {
            let filter = b.filter.as_ref().map_or(String::new(), |f| {
                format!(" 其中 {}", self.expr_text(f, &c.slot_names))
            });
            let _ = writeln!(
                out,
                "  对每 {} 属于 {}{filter}",
                b.name,
                self.domain_text(&b.domain)
            );
        }
        for l in &c.lets {
            let _ = writeln!(
                out,
                "  令 {} = {}",
                l.name,
                self.expr_text(&l.value, &c.slot_names)
            );
        }
        let _ = writeln!(
            out,
            "  断言 {}",
            self.expr_text(&c.assertion, &c.slot_names)
        );
        let _ = writeln!(out, "  消息 {}", self.template_text(c));
        if let Some(h) = &c.help {
            let _ = writeln!(out, "  帮助 {h}");
        }
        if c.per_table {
            let _ = writeln!(out, "  按表合并");
        }
    }

    fn template_text(&self, c: &Check) -> String {
        let mut out = String::from("\"");
        for part in &c.message.parts {
            match part {
                TemplatePart::Text(t) => out.push_str(&t.replace('{', "\\{").replace('}', "\\}")),
                TemplatePart::Left => out.push_str("{左}"),
                TemplatePart::Right => out.push_str("{右}"),
                TemplatePart::Difference => out.push_str("{差}"),
                TemplatePart::Formula => out.push_str("{公式}"),
                TemplatePart::Value(e) => {
                    let _ = write!(out, "{{{}}}", self.expr_text(e, &c.slot_names));
                }
            }
        }
        out.push('"');
        out
    }

    /// The values a variable takes, by their labels.
    #[must_use]
    pub fn domain_text(&self, domain: &Domain) -> String {
        let list = |items: Vec<String>| format!("[{}]", items.join(", "));
        match domain {
            Domain::Columns(t, nodes) | Domain::Rows(t, nodes) => {
                let table = &self.tables[*t];
                let rows = matches!(domain, Domain::Rows(..));
                let axis = if rows { &table.rows } else { &table.columns };
                let groups = nodes.iter().any(|&n| axis[n].is_group);
                let kind = match (rows, groups) {
                    (true, true) => "行组",
                    (true, false) => "行",
                    (false, true) => "列组",
                    (false, false) => "列",
                };
                let names = nodes.iter().map(|&n| axis[n].path.clone()).collect();
                format!("{} 的{kind} {}", table.key, list(names))
            }
            Domain::Sections(s) => format!(
                "章节 {}",
                list(s.iter().map(|&i| self.sections[i].key.clone()).collect())
            ),
            Domain::Tables(t) => format!(
                "表格 {}",
                list(t.iter().map(|&i| self.tables[i].key.clone()).collect())
            ),
            Domain::Cells(cells) => format!("{} 个单元格", cells.len()),
            Domain::Statements(q) => format!(
                "陈述 {}",
                list(
                    q.iter()
                        .map(|&i| self.prose.quantities[i].name.clone())
                        .collect()
                )
            ),
        }
    }

    /// An expression in the rule language's syntax, with variables by name.
    #[must_use]
    pub fn expr_text(&self, expr: &Expr, slot_names: &[String]) -> String {
        let mut out = String::new();
        self.write_expr(&mut out, expr, slot_names, 0);
        out
    }

    fn write_expr(&self, out: &mut String, expr: &Expr, slots: &[String], parent: u8) {
        let precedence = precedence(&expr.kind);
        let wrap = precedence < parent;
        if wrap {
            out.push('(');
        }
        let slot = |s: usize| slots.get(s).cloned().unwrap_or_else(|| format!("#{s}"));
        match &expr.kind {
            ExprKind::Const(Value::Text(t)) => {
                let _ = write!(out, "\"{t}\"");
            }
            ExprKind::Const(other) => out.push_str(&value_text(other)),
            ExprKind::Absent => out.push('无'),
            ExprKind::Pattern(r) => {
                let _ = write!(out, "/{}/", r.as_str());
            }
            ExprKind::Range(a, b) => {
                let _ = write!(out, "{a}..{b}");
            }
            ExprKind::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_expr(out, item, slots, 0);
                }
                out.push(']');
            }
            ExprKind::Param(p) => {
                let _ = write!(out, "参数.{}", self.params[*p].name);
            }
            ExprKind::Let(l) => out.push_str(&self.lets[*l].name),
            ExprKind::Local(s) => out.push_str(&slot(*s)),
            ExprKind::Report(field) => {
                let name = ReportField::ALL
                    .iter()
                    .find(|(_, f, _)| f == field)
                    .map_or("?", |(n, _, _)| n);
                let _ = write!(out, "报告.{name}");
            }
            ExprKind::FullText => out.push_str("全文"),
            ExprKind::Section(s) => out.push_str(&self.sections[*s].key),
            ExprKind::Table(t) => out.push_str(&self.tables[*t].key),
            ExprKind::Node { table, node, rows } => {
                let t = &self.tables[*table];
                out.push_str(&if *rows { &t.rows } else { &t.columns }[*node].path);
            }
            ExprKind::Member(base, member) => {
                self.write_expr(out, base, slots, u8::MAX);
                let name = match member {
                    Member::Label => "标签",
                    Member::PrintedTitle => "标题",
                    Member::Standard => "规范",
                    Member::Text if base.ty == super::Type::Cell => "原文",
                    Member::Text => "文本",
                    Member::CellValue => "值",
                    Member::Unit => "单位",
                    Member::Group(g) => g,
                    Member::Stated(field) => field.name(),
                };
                let _ = write!(out, ".{name}");
            }
            ExprKind::Cells {
                prev_year,
                table,
                rows,
                columns,
            } => {
                let t = &self.tables[*table];
                if *prev_year {
                    out.push_str("上年.");
                }
                let _ = write!(
                    out,
                    "{}[{}, {}]",
                    t.key,
                    pick_text(&t.rows, rows),
                    pick_text(&t.columns, columns)
                );
            }
            ExprKind::Call(function, args) => {
                out.push_str(function.name);
                out.push('(');
                for (i, a) in args.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    self.write_expr(out, a, slots, 0);
                }
                out.push(')');
            }
            ExprKind::Not(inner) => {
                out.push_str("非 ");
                self.write_expr(out, inner, slots, 3);
            }
            ExprKind::Neg(inner) => {
                out.push('-');
                self.write_expr(out, inner, slots, 6);
            }
            ExprKind::Arith(op, a, b) => {
                self.write_infix(out, a, op.symbol(), b, slots, precedence);
            }
            ExprKind::And(a, b) => self.write_infix(out, a, "且", b, slots, precedence),
            ExprKind::Or(a, b) => self.write_infix(out, a, "或", b, slots, precedence),
            ExprKind::Compare {
                op,
                lhs,
                rhs,
                tolerance,
            } => {
                self.write_infix(out, lhs, op.symbol(), rhs, slots, precedence);
                if let Some((amount, relative)) = tolerance {
                    out.push_str(" 容差 ");
                    self.write_expr(out, amount, slots, u8::MAX);
                    if *relative {
                        out.push('%');
                    }
                }
            }
            ExprKind::In(a, b) => self.write_infix(out, a, "在", b, slots, precedence),
            ExprKind::TextOp(op, a, b) => {
                let symbol = match op {
                    TextOp::Contains => "包含",
                    TextOp::NotContains => "不包含",
                    TextOp::Matches => "匹配",
                    TextOp::NotMatches => "不匹配",
                };
                self.write_infix(out, a, symbol, b, slots, precedence);
            }
            ExprKind::If {
                cond,
                then,
                otherwise,
            } => {
                out.push_str("若 ");
                self.write_expr(out, cond, slots, 1);
                out.push_str(" 则 ");
                self.write_expr(out, then, slots, 1);
                if let Some(o) = otherwise {
                    out.push_str(" 否则 ");
                    self.write_expr(out, o, slots, 1);
                }
            }
            ExprKind::Quantified {
                all, binder, body, ..
            } => {
                let _ = write!(
                    out,
                    "{}({} 属于 {}",
                    if *all { "全都" } else { "任一" },
                    binder.name,
                    self.domain_text(&binder.domain)
                );
                if let Some(f) = &binder.filter {
                    out.push_str(" 其中 ");
                    self.write_expr(out, f, slots, 0);
                }
                out.push('：');
                self.write_expr(out, body, slots, 0);
                out.push(')');
            }
        }
        if wrap {
            out.push(')');
        }
    }

    fn write_infix(
        &self,
        out: &mut String,
        a: &Expr,
        op: &str,
        b: &Expr,
        slots: &[String],
        precedence: u8,
    ) {
        self.write_expr(out, a, slots, precedence);
        let _ = write!(out, " {op} ");
        // Right operands bind one tighter, so `a - (b - c)` keeps its brackets.
        self.write_expr(out, b, slots, precedence + 1);
    }
}

/// The end of the `{…}` block that follows `from`, braces counted.
fn find_block_end(text: &str, from: usize) -> usize {
    let mut depth = 0usize;
    for (i, c) in text[from..].char_indices() {
        match c {
            '{' | '｛' => depth += 1,
            '}' | '｝' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return from + i + c.len_utf8();
                }
            }
            _ => {}
        }
    }
    text.len()
}

fn precedence(kind: &ExprKind) -> u8 {
    match kind {
        ExprKind::If { .. } => 0,
        ExprKind::Or(..) => 1,
        ExprKind::And(..) => 2,
        ExprKind::Not(_) | ExprKind::Compare { .. } | ExprKind::In(..) | ExprKind::TextOp(..) => 3,
        ExprKind::Arith(op, ..) => {
            if matches!(op, super::ArithOp::Add | super::ArithOp::Sub) {
                4
            } else {
                5
            }
        }
        ExprKind::Neg(_) => 6,
        _ => u8::MAX,
    }
}

fn pick_text(nodes: &[Node], pick: &Pick) -> String {
    match pick {
        Pick::Fixed(leaves) => match leaves.as_slice() {
            [one] => nodes[*one].path.clone(),
            [first, .., last] => format!("{}..{}", nodes[*first].path, nodes[*last].path),
            [] => "∅".into(),
        },
        Pick::ByVar { text, .. } => text.clone(),
    }
}

#[must_use]
pub fn value_text(value: &Value) -> String {
    match value {
        Value::Number(n) => n.normalize().to_string(),
        Value::Bool(b) => if *b { "是" } else { "否" }.into(),
        Value::Text(t) => t.clone(),
        Value::Date(d) => d.to_string(),
    }
}
