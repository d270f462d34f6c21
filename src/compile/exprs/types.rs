//! Expressions and their types: operators, comparisons and the type rules they follow.

use std::sync::Arc;

use super::{Frame, Resolver};
use crate::diagnostic::Problem;
use crate::ruleset::{ArithOp, Domain, Expr, ExprKind, TextOp, Type, Value};
use crate::source::Span;
use crate::syntax::ast::{self, BinaryOp, UnaryOp};

impl Resolver<'_> {
    pub(super) fn expect(&mut self, e: &Expr, want: &Type, context: &str) -> bool {
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
    pub(super) fn expr(&mut self, e: &ast::Expr, frame: &mut Frame) -> Option<Expr> {
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
                self.note_whole_text(&lhs, &rhs);
                (
                    ExprKind::TextOp(text_op, Box::new(lhs), Box::new(rhs)),
                    Type::Bool,
                )
            }
        };
        Some(Expr { kind, ty, span })
    }
}

/// How deeply a compiled expression may nest. The parser already bounds the operators of an
/// expression; this bounds what else nests (calls, members, placeholders), since the
/// evaluator recurses once per level on a thread's stack.
const MAX_EXPRESSION_DEPTH: usize = 256;

pub(super) fn is_numeric(ty: &Type) -> bool {
    matches!(
        ty,
        Type::Number | Type::Captured | Type::Match(_) | Type::Statement
    )
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
