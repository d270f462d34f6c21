//! The built-in functions and the types of their arguments.

use super::types::is_numeric;
use super::{Frame, Resolver};
use crate::diagnostic::{Problem, suggest};
use crate::ruleset::function_name;
use crate::ruleset::{Expr, ExprKind, Function, Type};
use crate::source::Span;
use crate::syntax::ast::{self, Ident};

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

impl Resolver<'_> {
    pub(super) fn call(
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
