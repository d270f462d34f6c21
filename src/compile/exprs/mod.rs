//! Name resolution and type checking: turns the merged declarations into a [`RuleSet`].
//! Every error is recorded and compilation goes on, so an author sees all of them at once;
//! an expression with an error compiles to `None` and its enclosing check is dropped
//! silently (its error is already recorded).
//! Here: the resolver, its scopes and the parameters; a check's parts are in `checks`,
//! names and table references in `selectors`, expressions and their types in `types`, the
//! built-in functions in `functions`.

mod checks;
mod functions;
mod quantities;
mod selectors;
mod types;

use rust_decimal::Decimal;

use super::merge::Declarations;
use crate::diagnostic::{Diagnostic, Problem, suggest};
use crate::ruleset::{
    Domain, Expr, ExprKind, Let, Param, ParamType, RuleSet, Section, Slot, SourceMap, Table,
    TableIdx, Type, Value,
};
use crate::source::Span;
use crate::syntax::ast::{self, Ident, Literal, ParamTypeAst};

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
    quantities: Vec<crate::prose::Quantity>,
    /// The patterns applied to the whole text, found while resolving the checks.
    whole_text: crate::ruleset::WholeTextPatterns,
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
            quantities: Vec::new(),
            whole_text: crate::ruleset::WholeTextPatterns::default(),
        }
    }

    /// Notes a pattern applied to the whole text (`全文` and a pattern, in that order), so that
    /// the set's whole-text patterns are matched together.
    fn note_whole_text(&mut self, text: &Expr, pattern: &Expr) {
        if let (ExprKind::FullText, ExprKind::Pattern(pattern)) = (&text.kind, &pattern.kind) {
            self.whole_text.add(pattern.as_str());
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
        self.compile_quantities();
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
            prose: crate::prose::Prose::new(std::mem::take(&mut self.quantities)),
            whole_text: std::mem::take(&mut self.whole_text),
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
}

/// A parameter default as the rule author wrote it, for the message when it has the wrong type.
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
