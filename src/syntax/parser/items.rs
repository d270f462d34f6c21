//! Declarations: the items of a rule file (rule set, parameters, sections, tables, checks,
//! overrides) and their literals.

use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::{Build, Rule, build_expr, ident, span_of};
use crate::source::{Span, Spanned};
use crate::syntax::ast::{
    AliasAst, Assertion, Binder, BlankAst, CellTypeAst, CheckDecl, ColumnAst, Date, DomainKind,
    Expr, ExtendsTarget, Ident, Item, LabelAst, LetDecl, Literal, MemberDecl, MemberKind,
    Modification, ModifyDecl, OverrideDecl, ParamDecl, ParamTypeAst, Path, Placement, QuantityDecl,
    RowAst, SectionDecl, Selector, Severity, Str, TableDecl, TableItem, TypeArg,
};
use crate::syntax::error as err;

pub(super) fn build_item(pair: Pair<'_, Rule>) -> Build<Item> {
    let rule = pair.as_rule();
    let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
    Ok(match rule {
        Rule::ruleset_decl => Item::RuleSet(ident(&inner.next().unwrap())),
        Rule::title_decl => Item::Title(string(&inner.next().unwrap())?),
        Rule::version_decl => Item::Version(string(&inner.next().unwrap())?),
        Rule::basis_decl => Item::Basis(string(&inner.next().unwrap())?),
        Rule::applies_decl => Item::Applies(build_expr(inner.next().unwrap())?),
        Rule::extends_decl => {
            let target = inner.next().unwrap();
            Item::Extends(if target.as_rule() == Rule::string {
                ExtendsTarget::Path(string(&target)?)
            } else {
                ExtendsTarget::Id(ident(&target))
            })
        }
        Rule::param_decl => Item::Param(build_param(inner)?),
        Rule::let_decl => Item::Let(build_let(inner)?),
        Rule::order_decl => Item::Order(inner.map(|p| ident(&p)).collect()),
        Rule::section_decl => Item::Section(build_section(inner)?),
        Rule::table_decl => Item::Table(build_table(inner)?),
        Rule::replace_table_decl => Item::ReplaceTable(build_table(inner)?),
        Rule::remove_table_decl => Item::RemoveTable(ident(&inner.next().unwrap())),
        Rule::modify_decl => Item::Modify(build_modify(inner)?),
        Rule::check_decl => Item::Check(Box::new(build_check(inner)?)),
        Rule::override_decl => Item::Override(build_override(inner)?),
        Rule::disable_decl => Item::Disable(inner.map(|p| ident(&p)).collect()),
        Rule::quantity_decl => Item::Quantity(build_quantity(inner)?),
        other => unreachable!("not an item: {other:?}"),
    })
}

/// Keyword tokens carry no information once the enclosing rule is known.
pub(super) fn is_keyword(rule: Rule) -> bool {
    err::keyword_text(rule).is_some()
}

fn build_param<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<ParamDecl> {
    let name = ident(&inner.next().unwrap());
    let ty_pair = inner.next().unwrap();
    let ty_span = span_of(&ty_pair);
    let ty_inner = ty_pair.into_inner().next().unwrap();
    let ty = match ty_inner.as_rule() {
        Rule::choice_type => ParamTypeAst::Choice(
            ty_inner
                .into_inner()
                .map(|p| string(&p))
                .collect::<Build<_>>()?,
        ),
        _ => ParamTypeAst::Named(ty_inner.as_str().to_owned()),
    };
    let mut default = None;
    let mut doc = None;
    for pair in inner {
        match pair.as_rule() {
            Rule::literal => default = Some(literal(pair)?),
            Rule::string => doc = Some(string(&pair)?),
            _ => {}
        }
    }
    Ok(ParamDecl {
        name,
        ty: Spanned::new(ty, ty_span),
        default,
        doc,
    })
}

fn literal(pair: Pair<'_, Rule>) -> Build<Spanned<Literal>> {
    let span = span_of(&pair);
    let inner = pair.into_inner().next().unwrap();
    let value = match inner.as_rule() {
        Rule::date => Literal::Date(date(&inner)?),
        Rule::signed_number => Literal::Number(decimal(&inner)?),
        Rule::string => Literal::Text(string(&inner)?.node),
        _ => Literal::Word(inner.as_str().to_owned()),
    };
    Ok(Spanned::new(value, span))
}

fn build_let<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<LetDecl> {
    let name = ident(&inner.next().unwrap());
    let value = build_expr(inner.next().unwrap())?;
    Ok(LetDecl { name, value })
}

fn build_section<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<SectionDecl> {
    let key = ident(&inner.next().unwrap());
    let title = string(&inner.next().unwrap())?;
    let mut required = false;
    let mut aliases = Vec::new();
    for pair in inner {
        match pair.as_rule() {
            Rule::required => required = true,
            Rule::alias_decl => {
                let mut parts = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
                let text = string(&parts.next().unwrap())?;
                aliases.push(AliasAst {
                    text,
                    nonstandard: parts.next().is_some(),
                });
            }
            _ => {}
        }
    }
    Ok(SectionDecl {
        key,
        title,
        required,
        aliases,
    })
}

fn build_table<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<TableDecl> {
    let key = ident(&inner.next().unwrap());
    let section = ident(&inner.next().unwrap());
    let items = inner.map(build_table_item).collect::<Build<_>>()?;
    Ok(TableDecl {
        key,
        section,
        items,
    })
}

fn build_table_item(pair: Pair<'_, Rule>) -> Build<TableItem> {
    Ok(match pair.as_rule() {
        Rule::anchor_decl => TableItem::Anchors(strings(pair)?),
        Rule::type_decl => TableItem::Type(cell_type(last_inner(pair))?),
        Rule::blank_decl => TableItem::Blank(blank_policy(last_inner(pair))),
        Rule::col_decl | Rule::colgroup_decl => TableItem::Column(build_column(pair)?),
        Rule::row_decl | Rule::rowgroup_decl => TableItem::Row(build_row(pair)?),
        other => unreachable!("not a table item: {other:?}"),
    })
}

fn last_inner(pair: Pair<'_, Rule>) -> Pair<'_, Rule> {
    pair.into_inner().last().unwrap()
}

fn strings(pair: Pair<'_, Rule>) -> Build<Vec<Str>> {
    pair.into_inner()
        .filter(|p| p.as_rule() == Rule::string)
        .map(|p| string(&p))
        .collect()
}

fn cell_type(pair: Pair<'_, Rule>) -> Build<CellTypeAst> {
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let name = ident(&inner.next().unwrap());
    let mut args = Vec::new();
    for arg in inner {
        let arg_span = span_of(&arg);
        let value = arg.into_inner().next().unwrap();
        let value = match value.as_rule() {
            Rule::number => TypeArg::Number(decimal(&value)?),
            Rule::string => TypeArg::Word(string(&value)?.node),
            _ => TypeArg::Word(value.as_str().to_owned()),
        };
        args.push(Spanned::new(value, arg_span));
    }
    Ok(CellTypeAst { name, args, span })
}

fn blank_policy(pair: Pair<'_, Rule>) -> Spanned<BlankAst> {
    let span = span_of(&pair);
    let inner = pair.into_inner().next().unwrap();
    let policy = match inner.as_rule() {
        Rule::kw_zero => BlankAst::Zero,
        Rule::kw_missing => BlankAst::Missing,
        _ => BlankAst::Param(ident(&inner.into_inner().last().unwrap())),
    };
    Spanned::new(policy, span)
}

/// Reads the optional printed label and `别名` list shared by columns and rows.
fn label_part(pair: Pair<'_, Rule>, label: &mut LabelAst) -> Build<bool> {
    match pair.as_rule() {
        Rule::string => label.label = Some(string(&pair)?),
        Rule::aliases => {
            for item in pair.into_inner() {
                let mut parts = item.into_inner();
                let text = string(&parts.next().unwrap())?;
                label.aliases.push(AliasAst {
                    text,
                    nonstandard: parts.next().is_some(),
                });
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

fn build_column(pair: Pair<'_, Rule>) -> Build<ColumnAst> {
    let is_group = pair.as_rule() == Rule::colgroup_decl;
    let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
    let key = ident(&inner.next().unwrap());
    let mut label = LabelAst::default();
    let mut ty = None;
    let mut same_as = None;
    let mut children = Vec::new();
    for part in inner {
        let rule = part.as_rule();
        if label_part(part.clone(), &mut label)? {
            continue;
        }
        match rule {
            Rule::cell_type => ty = Some(cell_type(part)?),
            Rule::ident => same_as = Some(ident(&part)),
            Rule::col_decl | Rule::colgroup_decl => children.push(build_column(part)?),
            _ => {}
        }
    }
    Ok(if is_group {
        ColumnAst::Group {
            key,
            label,
            same_as,
            children,
        }
    } else {
        ColumnAst::Leaf { key, label, ty }
    })
}

fn build_row(pair: Pair<'_, Rule>) -> Build<RowAst> {
    let is_group = pair.as_rule() == Rule::rowgroup_decl;
    let mut inner = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
    let key = ident(&inner.next().unwrap());
    let mut label = LabelAst::default();
    let mut unlabeled = false;
    let mut ty = None;
    let mut blank = None;
    let mut na_allowed = false;
    let mut children = Vec::new();
    for part in inner {
        let rule = part.as_rule();
        if label_part(part.clone(), &mut label)? {
            continue;
        }
        match rule {
            Rule::unlabeled => unlabeled = true,
            Rule::row_option => {
                let option = part
                    .into_inner()
                    .find(|p| !is_keyword(p.as_rule()))
                    .unwrap();
                match option.as_rule() {
                    Rule::cell_type => ty = Some(cell_type(option)?),
                    Rule::blank_policy => blank = Some(blank_policy(option)),
                    _ => na_allowed = true,
                }
            }
            Rule::row_decl | Rule::rowgroup_decl => children.push(build_row(part)?),
            _ => {}
        }
    }
    Ok(if is_group {
        RowAst::Group {
            key,
            label,
            children,
        }
    } else {
        RowAst::Leaf {
            key,
            label,
            unlabeled,
            ty,
            blank,
            na_allowed,
        }
    })
}

fn member_decl(pair: Pair<'_, Rule>) -> Build<MemberDecl> {
    Ok(match pair.as_rule() {
        Rule::col_decl | Rule::colgroup_decl => MemberDecl::Column(build_column(pair)?),
        _ => MemberDecl::Row(build_row(pair)?),
    })
}

fn member_kind(pair: &Pair<'_, Rule>) -> MemberKind {
    match pair.as_rule() {
        Rule::kw_col | Rule::kw_colgroup => MemberKind::Column,
        _ => MemberKind::Row,
    }
}

fn build_modify<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<ModifyDecl> {
    let table = ident(&inner.next().unwrap());
    let mut modifications = Vec::new();
    for pair in inner {
        let span = span_of(&pair);
        let modification = match pair.as_rule() {
            Rule::add_mod => {
                let mut parts = pair.into_inner().filter(|p| !is_keyword(p.as_rule()));
                let decl = member_decl(parts.next().unwrap())?;
                let position = parts.next().map(|position| {
                    let mut p = position.into_inner().filter(|p| !is_keyword(p.as_rule()));
                    let anchor = ident(&p.next().unwrap());
                    let placement = if p.next().unwrap().as_rule() == Rule::after {
                        Placement::After
                    } else {
                        Placement::Before
                    };
                    (anchor, placement)
                });
                Modification::Add { decl, position }
            }
            Rule::remove_mod => {
                let mut parts = pair.into_inner().skip(1);
                let kind = member_kind(&parts.next().unwrap());
                Modification::Remove {
                    kind,
                    keys: parts.map(|p| ident(&p)).collect(),
                }
            }
            Rule::replace_mod => {
                let mut parts = pair.into_inner().skip(1);
                let kind = member_kind(&parts.next().unwrap());
                let key = ident(&parts.next().unwrap());
                let decl = member_decl(parts.find(|p| !is_keyword(p.as_rule())).unwrap())?;
                Modification::Replace { kind, key, decl }
            }
            Rule::anchor_decl => Modification::Anchors(strings(pair)?),
            Rule::type_decl => Modification::Type(cell_type(last_inner(pair))?),
            Rule::blank_decl => Modification::Blank(blank_policy(last_inner(pair))),
            other => unreachable!("not a modification: {other:?}"),
        };
        modifications.push(Spanned::new(modification, span));
    }
    Ok(ModifyDecl {
        table,
        modifications,
    })
}

fn severity(pair: &Pair<'_, Rule>) -> Spanned<Severity> {
    let value = match pair.clone().into_inner().next().unwrap().as_rule() {
        Rule::kw_error => Severity::Error,
        Rule::kw_warning => Severity::Warning,
        _ => Severity::Info,
    };
    Spanned::new(value, span_of(pair))
}

fn build_check<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<CheckDecl> {
    let id = ident(&inner.next().unwrap());
    let severity = severity(&inner.next().unwrap());
    let mut check = CheckDecl {
        id,
        severity,
        table: None,
        tags: Vec::new(),
        basis: None,
        when: Vec::new(),
        lets: Vec::new(),
        asserts: Vec::new(),
        message: None,
        help: None,
        per_table: false,
    };
    let mut seen: Vec<Rule> = Vec::new();
    for pair in inner {
        let rule = pair.as_rule();
        if matches!(
            rule,
            Rule::tags_decl
                | Rule::basis_decl
                | Rule::message_decl
                | Rule::help_decl
                | Rule::per_table_decl
        ) {
            if seen.contains(&rule) {
                let keyword = pair
                    .clone()
                    .into_inner()
                    .next()
                    .map_or("", |k| err::keyword_text(k.as_rule()).unwrap_or(""));
                return Err(err::written_twice(span_of(&pair), keyword));
            }
            seen.push(rule);
        }
        match rule {
            Rule::ident => check.table = Some(ident(&pair)),
            Rule::tags_decl => check.tags = tags(pair),
            Rule::basis_decl => check.basis = Some(string(&last_inner(pair))?),
            Rule::when_decl => check.when.push(build_expr(last_inner(pair))?),
            Rule::local_let => {
                check.lets.push(build_let(
                    pair.into_inner().filter(|p| !is_keyword(p.as_rule())),
                )?);
            }
            Rule::assert_decl => {
                let assert_span = span_of(&pair);
                let mut binders = Vec::new();
                let mut expr = None;
                for part in pair.into_inner() {
                    match part.as_rule() {
                        Rule::binder => binders.push(build_binder(part)?),
                        Rule::expr => expr = Some(build_expr(part)?),
                        _ => {}
                    }
                }
                check.asserts.push(Assertion {
                    binders,
                    expr: expr.unwrap(),
                    span: assert_span,
                });
            }
            Rule::message_decl => check.message = Some(string(&last_inner(pair))?),
            Rule::help_decl => check.help = Some(string(&last_inner(pair))?),
            Rule::per_table_decl => check.per_table = true,
            _ => {}
        }
    }
    Ok(check)
}

fn tags(pair: Pair<'_, Rule>) -> Vec<Ident> {
    pair.into_inner()
        .filter(|p| p.as_rule() == Rule::tag)
        .map(|p| ident(&p))
        .collect()
}

fn build_override<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<OverrideDecl> {
    let id = ident(&inner.next().unwrap());
    let mut decl = OverrideDecl {
        id,
        severity: None,
        message: None,
        help: None,
        tags: None,
        basis: None,
    };
    for pair in inner {
        match pair.as_rule() {
            Rule::severity_set => decl.severity = Some(severity(&last_inner(pair))),
            Rule::message_decl => decl.message = Some(string(&last_inner(pair))?),
            Rule::help_decl => decl.help = Some(string(&last_inner(pair))?),
            Rule::tags_decl => decl.tags = Some(tags(pair)),
            Rule::basis_decl => decl.basis = Some(string(&last_inner(pair))?),
            _ => {}
        }
    }
    Ok(decl)
}

fn build_quantity<'a>(mut inner: impl Iterator<Item = Pair<'a, Rule>>) -> Build<QuantityDecl> {
    let mut decl = QuantityDecl {
        name: ident(&inner.next().unwrap()),
        description: None,
        phrasings: Vec::new(),
        objects: Vec::new(),
        units: Vec::new(),
        excluded: Vec::new(),
        parts: Vec::new(),
    };
    for pair in inner {
        let rule = pair.as_rule();
        if rule == Rule::string {
            decl.description = Some(string(&pair)?);
            continue;
        }
        let list = match rule {
            Rule::phrasing_decl => &mut decl.phrasings,
            Rule::object_decl => &mut decl.objects,
            Rule::unit_decl => &mut decl.units,
            Rule::excluded_decl => &mut decl.excluded,
            Rule::parts_decl => {
                let names = pair.into_inner().filter(|p| p.as_rule() == Rule::ident);
                decl.parts.extend(names.map(|p| ident(&p)));
                continue;
            }
            _ => continue,
        };
        let words = pair.into_inner().filter(|p| p.as_rule() == Rule::words);
        for word in words.flat_map(Pair::into_inner) {
            let part = word.into_inner().next().unwrap();
            list.push(if part.as_rule() == Rule::string {
                string(&part)?
            } else {
                Spanned::new(part.as_str().to_owned(), span_of(&part))
            });
        }
    }
    Ok(decl)
}

fn domain_kind(pair: &Pair<'_, Rule>) -> Spanned<DomainKind> {
    let kind = match pair.clone().into_inner().next().map(|p| p.as_rule()) {
        Some(Rule::kw_col) => DomainKind::Column,
        Some(Rule::kw_row) => DomainKind::Row,
        Some(Rule::kw_colgroup) => DomainKind::ColumnGroup,
        Some(Rule::kw_rowgroup) => DomainKind::RowGroup,
        Some(Rule::kw_section) => DomainKind::Section,
        Some(Rule::kw_table) => DomainKind::Table,
        _ if pair.as_str().starts_with("陈述") => DomainKind::Statement,
        _ => DomainKind::Cell,
    };
    Spanned::new(kind, span_of(pair))
}

fn build_binder(pair: Pair<'_, Rule>) -> Build<Binder> {
    let span = span_of(&pair);
    Ok(binder_parts(pair, span, false)?.0)
}

/// Reads the parts shared by `对每 …：` and `全都(… ： body)`.
pub(super) fn binder_parts(
    pair: Pair<'_, Rule>,
    span: Span,
    has_body: bool,
) -> Build<(Binder, Option<Expr>)> {
    let mut kind = None;
    let mut var = None;
    let mut selectors = Vec::new();
    let mut exprs = Vec::new();
    for part in pair.into_inner() {
        match part.as_rule() {
            Rule::domain_kind => kind = Some(domain_kind(&part)),
            Rule::ident => var = Some(ident(&part)),
            Rule::selectors => selectors = part.into_inner().map(selector).collect(),
            Rule::expr => exprs.push(build_expr(part)?),
            _ => {}
        }
    }
    // The body, if any, is the last expression; a filter (`其中`) comes before it.
    let body = if has_body { exprs.pop() } else { None };
    let filter = exprs.pop();
    Ok((
        Binder {
            kind: kind.unwrap(),
            var: var.unwrap(),
            selectors,
            filter,
            span,
        },
        body,
    ))
}

pub(super) fn path(pair: Pair<'_, Rule>) -> Path {
    let span = span_of(&pair);
    Spanned::new(pair.into_inner().map(|p| ident(&p)).collect(), span)
}

pub(super) fn selector(pair: Pair<'_, Rule>) -> Selector {
    let inner = pair.into_inner().next().unwrap();
    match inner.as_rule() {
        Rule::star => Selector::All(span_of(&inner)),
        Rule::range => {
            let mut parts = inner.into_inner();
            Selector::Range(path(parts.next().unwrap()), path(parts.next().unwrap()))
        }
        _ => Selector::One(path(inner)),
    }
}

pub(super) fn string(pair: &Pair<'_, Rule>) -> Build<Str> {
    let span = span_of(pair);
    let inner = pair.clone().into_inner().next().unwrap();
    let raw = inner.as_str();
    let body = if inner.as_rule() == Rule::plain_string {
        &raw[1..raw.len() - 1]
    } else {
        // “…” and 「…」: three-byte quotes, no escapes.
        let open = raw.chars().next().unwrap().len_utf8();
        let close = raw.chars().last().unwrap().len_utf8();
        return Ok(Spanned::new(raw[open..raw.len() - close].to_owned(), span));
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some((_, 'n')) => out.push('\n'),
            Some((_, 't')) => out.push('\t'),
            // `\{` and `\}` are braces; in a message template they are not placeholders (the
            // template reader sees the escapes in the source).
            Some((_, e @ ('"' | '\\' | '{' | '}'))) => out.push(e),
            Some((_, other)) => {
                let start = span.start + 1 + at;
                return Err(err::bad_escape(
                    Span::new(start, start + 1 + other.len_utf8()),
                    other,
                ));
            }
            None => unreachable!("the grammar never ends a string on a backslash"),
        }
    }
    Ok(Spanned::new(out, span))
}

pub(super) fn decimal(pair: &Pair<'_, Rule>) -> Build<Decimal> {
    pair.as_str()
        .parse::<Decimal>()
        .map_err(|_| err::bad_number(span_of(pair), pair.as_str()))
}

pub(super) fn date(pair: &Pair<'_, Rule>) -> Build<Date> {
    let text = pair.as_str();
    let year = text[0..4].parse().unwrap_or(0);
    let month = text[5..7].parse().unwrap_or(0);
    let day = text[8..10].parse().unwrap_or(0);
    Date::new(year, month, day).ok_or_else(|| err::bad_date(span_of(pair), text))
}
