//! Calls of built-in functions, checked against their entries in [`FUNCTIONS`]: the number of
//! arguments and what each one accepts.

use super::types::is_numeric;
use super::{Frame, Resolver};
use crate::diagnostic::{Problem, suggest};
use crate::ruleset::functions::{Arg, Returns};
use crate::ruleset::{Expr, ExprKind, FUNCTIONS, Function, Type, function};
use crate::source::Span;
use crate::syntax::ast::{self, Ident};

impl Resolver<'_> {
    pub(super) fn call(
        &mut self,
        name: &Ident,
        args: &[ast::Expr],
        frame: &mut Frame,
        span: Span,
    ) -> Option<Expr> {
        let Some(function) = function(&name.node) else {
            let suggestion = suggest(&name.node, FUNCTIONS.iter().map(|f| f.name));
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
        if !function.takes(args.len()) {
            self.error(
                Problem::WrongArity {
                    function: name.node.clone(),
                    expected: function.arity(),
                    found: args.len(),
                },
                span,
            );
            return None;
        }
        let context = format!("「{}」的参数", name.node);
        for (index, arg) in args.iter().enumerate() {
            if !self.accepts(function.accepts(index), arg, &context) {
                return None;
            }
        }
        let ty = self.result_type(function, &args);
        if let [text, pattern, ..] = args.as_slice() {
            self.note_whole_text(text, pattern);
        }
        Some(Expr {
            kind: ExprKind::Call(function, args),
            ty,
            span,
        })
    }

    /// Whether an argument is what its parameter accepts; when not, says so.
    fn accepts(&mut self, accepts: Arg, arg: &Expr, context: &str) -> bool {
        let numbers = || Type::List(Box::new(Type::Number));
        let fits = match accepts {
            Arg::Any => true,
            Arg::Number => return self.expect(arg, &Type::Number, context),
            Arg::Section => return self.expect(arg, &Type::Section, context),
            Arg::Table => return self.expect(arg, &Type::Table, context),
            Arg::TextOrList if matches!(arg.ty, Type::List(_)) => true,
            Arg::Text | Arg::TextOrList => return self.expect(arg, &Type::Text, context),
            Arg::Numbers => is_numeric(&arg.ty) || arg.ty == numbers(),
            Arg::List => matches!(arg.ty, Type::List(_)),
            Arg::Pattern => self.pattern_in(arg).is_some(),
            Arg::Cell => {
                arg.ty == Type::Cell
                    || matches!(arg.kind, ExprKind::Cells { .. })
                        && !matches!(arg.ty, Type::List(_))
            }
        };
        if !fits {
            let wanted = match accepts {
                Arg::Numbers | Arg::List => numbers(),
                Arg::Pattern => Type::Pattern,
                _ => Type::Cell,
            };
            self.expect(arg, &wanted, context);
        }
        fits
    }

    /// The pattern an argument is, written in place or held by a `令`.
    fn pattern_in<'e>(&'e self, arg: &'e Expr) -> Option<&'e crate::ruleset::Pattern> {
        let kind = match &arg.kind {
            ExprKind::Let(l) => &self.lets[*l].value.kind,
            other => other,
        };
        match kind {
            ExprKind::Pattern(pattern) => Some(pattern),
            _ => None,
        }
    }

    /// The type of a call whose arguments have been checked.
    fn result_type(&self, function: &Function, args: &[Expr]) -> Type {
        match function.returns {
            Returns::Number => Type::Number,
            Returns::Bool => Type::Bool,
            Returns::Date => Type::Date,
            Returns::Numbers => Type::List(Box::new(Type::Number)),
            Returns::ItemOfList => match &args[0].ty {
                Type::List(item) => (**item).clone(),
                other => other.clone(),
            },
            // The pattern's groups name the match's fields.
            Returns::Match => {
                let names = args
                    .iter()
                    .zip(0..)
                    .filter(|&(_, i)| function.accepts(i) == Arg::Pattern)
                    .find_map(|(a, _)| self.pattern_in(a))
                    .map_or_else(Vec::new, |p| p.names().to_vec());
                Type::Match(names)
            }
        }
    }
}
