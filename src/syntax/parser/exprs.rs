//! Expressions: operator precedence over the flat sequence the grammar produces, operands
//! and primaries, with a depth bound.

use pest::iterators::Pair;

use super::items::{binder_parts, date, decimal, is_keyword, path, selector, string};
use super::{BASE, Build, MAX_NESTING, Rule, content_end, ident, span_of};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{BinaryOp, CompareOp, Expr, ExprKind, Tolerance, UnaryOp};
use crate::syntax::error as err;

/// One element of the flat operand/operator sequence that the grammar produces.
enum Token<'a> {
    Prefix(Spanned<UnaryOp>),
    Operand(Pair<'a, Rule>),
    Infix(Spanned<Infix>),
    Tolerance(Pair<'a, Rule>),
}

#[derive(Clone, Copy)]
enum Infix {
    Binary(BinaryOp),
    Compare(CompareOp),
}

impl Infix {
    /// Binding power: higher binds tighter.
    fn precedence(self) -> u8 {
        match self {
            Infix::Binary(BinaryOp::Or) => 1,
            Infix::Binary(BinaryOp::And) => 2,
            Infix::Compare(_)
            | Infix::Binary(
                BinaryOp::In
                | BinaryOp::Contains
                | BinaryOp::NotContains
                | BinaryOp::Matches
                | BinaryOp::NotMatches,
            ) => 3,
            Infix::Binary(BinaryOp::Add | BinaryOp::Sub) => 4,
            Infix::Binary(BinaryOp::Mul | BinaryOp::Div) => 5,
        }
    }
}

thread_local! {
    /// How many expressions are being built one inside another.
    static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// How many operators the outermost expression being built has so far, brackets included.
    static OPERATORS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many operators one expression may have. Real rules use a few dozen; each operator can
/// add a level to the tree, which is cloned, compiled, evaluated and dropped by recursion.
pub const MAX_OPERATORS: usize = 200;

/// How deeply expressions may nest (through `若`, `非` and brackets together); real rules
/// use a handful of levels.
const MAX_EXPRESSION_DEPTH: usize = MAX_NESTING;

pub(super) fn build_expr(pair: Pair<'_, Rule>) -> Build<Expr> {
    let depth = DEPTH.with(|d| {
        d.set(d.get() + 1);
        d.get()
    });
    if depth == 1 {
        OPERATORS.with(|o| o.set(0));
    }
    let result = if depth > MAX_EXPRESSION_DEPTH {
        Err(err::too_deep_expression(
            span_of(&pair),
            MAX_EXPRESSION_DEPTH,
        ))
    } else {
        build_expr_at_depth(pair)
    };
    DEPTH.with(|d| d.set(d.get() - 1));
    result
}

fn build_expr_at_depth(pair: Pair<'_, Rule>) -> Build<Expr> {
    let span = span_of(&pair);
    let mut tokens = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::prefix => {
                let op = match part.clone().into_inner().next().unwrap().as_rule() {
                    Rule::kw_not => UnaryOp::Not,
                    _ => UnaryOp::Neg,
                };
                tokens.push(Token::Prefix(Spanned::new(op, span_of(&part))));
            }
            Rule::operand => tokens.push(Token::Operand(part)),
            Rule::infix => {
                let span = span_of(&part);
                let op = match part.into_inner().next().unwrap().as_rule() {
                    Rule::op_le => Infix::Compare(CompareOp::Le),
                    Rule::op_ge => Infix::Compare(CompareOp::Ge),
                    Rule::op_ne => Infix::Compare(CompareOp::Ne),
                    Rule::op_eq => Infix::Compare(CompareOp::Eq),
                    Rule::op_lt => Infix::Compare(CompareOp::Lt),
                    Rule::op_gt => Infix::Compare(CompareOp::Gt),
                    Rule::op_add => Infix::Binary(BinaryOp::Add),
                    Rule::op_sub => Infix::Binary(BinaryOp::Sub),
                    Rule::op_mul => Infix::Binary(BinaryOp::Mul),
                    Rule::op_div => Infix::Binary(BinaryOp::Div),
                    Rule::kw_and => Infix::Binary(BinaryOp::And),
                    Rule::kw_or => Infix::Binary(BinaryOp::Or),
                    Rule::kw_contains => Infix::Binary(BinaryOp::Contains),
                    Rule::kw_ncontains => Infix::Binary(BinaryOp::NotContains),
                    Rule::kw_matches => Infix::Binary(BinaryOp::Matches),
                    Rule::kw_nmatches => Infix::Binary(BinaryOp::NotMatches),
                    _ => Infix::Binary(BinaryOp::In),
                };
                tokens.push(Token::Infix(Spanned::new(op, span)));
            }
            Rule::tolerance => tokens.push(Token::Tolerance(part)),
            other => unreachable!("not an expression part: {other:?}"),
        }
    }
    let operators = tokens
        .iter()
        .filter(|t| matches!(t, Token::Prefix(_) | Token::Infix(_)))
        .count();
    let total = OPERATORS.with(|o| {
        o.set(o.get() + operators);
        o.get()
    });
    if total > MAX_OPERATORS {
        // Pointed at the first operator past the limit, not at the whole (long) expression.
        let before = total - operators;
        let past_limit = tokens
            .iter()
            .filter_map(|t| match t {
                Token::Prefix(op) => Some(op.span),
                Token::Infix(op) => Some(op.span),
                _ => None,
            })
            .nth(MAX_OPERATORS.saturating_sub(before))
            .unwrap_or(span);
        return Err(err::too_many_operators(past_limit, MAX_OPERATORS));
    }
    let mut climber = Climber {
        tokens: tokens.into_iter().peekable(),
    };
    climber.expression(0)
}

struct Climber<'a> {
    tokens: std::iter::Peekable<std::vec::IntoIter<Token<'a>>>,
}

impl Climber<'_> {
    /// Precedence climbing over the flat token list. Recursion depth is bounded by the number
    /// of precedence levels, not by the length of the expression.
    fn expression(&mut self, min_precedence: u8) -> Build<Expr> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.tokens.peek() {
                Some(Token::Infix(op)) if op.node.precedence() >= min_precedence.max(1) => op.node,
                // Inside the right-hand side of a comparison: the comparison takes it.
                Some(Token::Tolerance(_)) if min_precedence > COMPARISON => return Ok(lhs),
                Some(Token::Tolerance(pair)) => {
                    return Err(err::misplaced_tolerance(span_of(pair)));
                }
                _ => return Ok(lhs),
            };
            self.tokens.next();
            lhs = self.combine(lhs, op)?;
        }
    }

    /// Parses the right-hand side of `op` and builds `lhs op rhs`; a comparison takes the
    /// `容差` that follows it.
    fn combine(&mut self, lhs: Expr, op: Infix) -> Build<Expr> {
        let rhs = self.expression(op.precedence() + 1)?;
        let span = lhs.span.join(rhs.span);
        Ok(match op {
            Infix::Binary(op) => {
                Spanned::new(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span)
            }
            Infix::Compare(op) => {
                let tolerance = if let Some(Token::Tolerance(_)) = self.tokens.peek() {
                    let Some(Token::Tolerance(pair)) = self.tokens.next() else {
                        unreachable!()
                    };
                    Some(tolerance(pair)?)
                } else {
                    None
                };
                let span = tolerance
                    .as_ref()
                    .map_or(span, |t| span.join(t.amount.span));
                Spanned::new(
                    ExprKind::Compare {
                        op,
                        lhs: Box::new(lhs),
                        rhs: Box::new(rhs),
                        tolerance,
                    },
                    span,
                )
            }
        })
    }

    fn unary(&mut self) -> Build<Expr> {
        let mut prefixes = Vec::new();
        while let Some(Token::Prefix(_)) = self.tokens.peek() {
            let Some(Token::Prefix(op)) = self.tokens.next() else {
                unreachable!()
            };
            prefixes.push(op);
        }
        if prefixes.len() > MAX_NESTING {
            return Err(err::too_deep(prefixes[MAX_NESTING].span));
        }
        let Some(Token::Operand(pair)) = self.tokens.next() else {
            unreachable!("the grammar puts an operand after every prefix and infix")
        };
        let mut expr = build_operand(pair)?;
        // `非` binds looser than comparison: `非 a = b` means `非 (a = b)`.
        for op in prefixes.into_iter().rev() {
            if op.node == UnaryOp::Not {
                expr = self.continue_comparison(expr)?;
            }
            let span = op.span.join(expr.span);
            expr = Spanned::new(ExprKind::Unary(op.node, Box::new(expr)), span);
        }
        Ok(expr)
    }

    /// After `非 operand`, absorb the operators that bind at least as tightly as comparison.
    fn continue_comparison(&mut self, mut lhs: Expr) -> Build<Expr> {
        while let Some(Token::Infix(op)) = self.tokens.peek() {
            if op.node.precedence() < COMPARISON {
                break;
            }
            let op = op.node;
            self.tokens.next();
            lhs = self.combine(lhs, op)?;
        }
        Ok(lhs)
    }
}

/// The precedence of comparisons and the text operators.
const COMPARISON: u8 = 3;

fn tolerance(pair: Pair<'_, Rule>) -> Build<Tolerance> {
    let mut parts = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
    let amount = build_operand(parts.next().unwrap())?;
    Ok(Tolerance {
        amount: Box::new(amount),
        relative: parts.next().is_some(),
    })
}

fn build_operand(pair: Pair<'_, Rule>) -> Build<Expr> {
    let operand_start = span_of(&pair).start;
    let input = pair.as_span().get_input();
    let mut inner = pair.into_inner();
    let primary = inner.next().unwrap();
    let parenthesised = primary.as_rule() == Rule::expr;
    let inner_end = content_end(&primary);
    let mut expr = build_primary(primary)?;
    if parenthesised {
        // The brackets belong to the expression they enclose: `(a + b)` underlines both.
        let close = input[inner_end..]
            .char_indices()
            .find(|&(_, c)| c == ')' || c == '）')
            .map_or(inner_end, |(i, c)| inner_end + i + c.len_utf8());
        let base = BASE.with(std::cell::Cell::get);
        expr.span = Span::new(operand_start, base + close);
    }
    for member in inner {
        let name = ident(&member);
        let span = expr.span.join(name.span);
        expr = Spanned::new(ExprKind::Member(Box::new(expr), name), span);
    }
    Ok(expr)
}

fn build_primary(pair: Pair<'_, Rule>) -> Build<Expr> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::number => ExprKind::Number(decimal(&pair)?),
        Rule::date => ExprKind::Date(date(&pair)?),
        Rule::string => ExprKind::Text(string(&pair)?.node),
        Rule::regex => {
            let raw = pair.as_str();
            ExprKind::Regex(raw[1..raw.len() - 1].replace("\\/", "/"))
        }
        Rule::range_lit => {
            let mut parts = pair.into_inner();
            let low = decimal(&parts.next().unwrap())?;
            let high = decimal(&parts.next().unwrap())?;
            ExprKind::Range(low, high)
        }
        Rule::list => ExprKind::List(pair.into_inner().map(build_expr).collect::<Build<_>>()?),
        Rule::path => ExprKind::Path(path(pair)),
        Rule::expr => return build_expr(pair),
        Rule::call => {
            let mut parts = pair.into_inner();
            let name = ident(&parts.next().unwrap());
            ExprKind::Call(name, parts.map(build_expr).collect::<Build<_>>()?)
        }
        Rule::cell_ref => {
            let mut parts = pair.into_inner().peekable();
            let prev_year = parts.next_if(|p| p.as_rule() == Rule::prev).is_some();
            let target = path(parts.next().unwrap());
            let first = selector(parts.next().unwrap());
            let second = parts.next().map(selector);
            ExprKind::Cell {
                prev_year,
                target,
                first,
                second,
            }
        }
        Rule::if_expr => {
            let mut parts = pair
                .into_inner()
                .filter(|p| p.as_rule() == Rule::expr_noif)
                .map(|p| build_expr(p.into_inner().next().unwrap()));
            let cond = Box::new(parts.next().unwrap()?);
            let then = Box::new(parts.next().unwrap()?);
            let otherwise = parts.next().transpose()?.map(Box::new);
            ExprKind::If {
                cond,
                then,
                otherwise,
            }
        }
        Rule::quantified => {
            let mut parts = pair.into_inner();
            let all = parts.next().unwrap().as_rule() == Rule::kw_all;
            let body_pair = parts.next().unwrap();
            let body_span = span_of(&body_pair);
            let (binder, body) = binder_parts(body_pair, body_span, true)?;
            ExprKind::Quantified {
                all,
                binder: Box::new(binder),
                body: Box::new(body.expect("the grammar requires a body")),
            }
        }
        other => unreachable!("not a primary: {other:?}"),
    };
    Ok(Spanned::new(kind, span))
}
