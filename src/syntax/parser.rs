//! Rule text → syntax tree. pest does the recognising; this module turns its pairs into the
//! spanned tree of [`ast`](super::ast) and its failures into [`SyntaxError`]s that a rule
//! author can read.

use pest::Parser as _;
use pest::iterators::Pair;
use rust_decimal::Decimal;

use super::ast::{
    AliasAst, Assertion, BinaryOp, Binder, BlankAst, CellTypeAst, CheckDecl, ColumnAst, CompareOp,
    Date, DomainKind, Expr, ExprKind, ExtendsTarget, Ident, Item, LabelAst, LetDecl, Literal,
    MemberDecl, MemberKind, Modification, ModifyDecl, OverrideDecl, ParamDecl, ParamTypeAst, Path,
    Placement, RowAst, RuleFile, SectionDecl, Selector, Severity, Str, TableDecl, TableItem,
    Tolerance, TypeArg, UnaryOp,
};
use super::error::{self as err, SyntaxError};
use crate::source::{Span, Spanned};

#[derive(pest_derive::Parser)]
#[grammar = "grammar/rules.pest"]
pub(crate) struct RuleParser;

/// How deeply brackets may nest. Real rules need a handful; the bound keeps the recursive
/// parser far from the stack's end whatever the input.
pub const MAX_NESTING: usize = 64;

thread_local! {
    /// Where the text being parsed starts in the source map: spans are global offsets, so
    /// that a table declared in one file and modified in another still knows its files.
    static BASE: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Parses a whole rule file whose first byte sits at `base` in the source map.
pub fn parse_rule_file(text: &str, base: usize) -> Result<RuleFile, SyntaxError> {
    on_parser_stack(|| with_base(base, || parse_file_at_base(text, base)))
}

/// Runs a parse on a thread with a stack large enough for the deepest nesting the limits
/// allow, whatever the calling thread's stack (test threads have 2 MiB).
fn on_parser_stack<T: Send>(parse: impl FnOnce() -> T + Send) -> T {
    const STACK: usize = 64 * 1024 * 1024;
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("gouji-parser".into())
            .stack_size(STACK)
            .spawn_scoped(scope, parse)
            .map_or_else(
                |_| unreachable!("spawning the parser thread failed"),
                std::thread::ScopedJoinHandle::join,
            )
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })
}

fn with_base<T>(base: usize, parse: impl FnOnce() -> T) -> T {
    BASE.with(|b| b.set(base));
    CONTENT_ENDS.with(|c| c.borrow_mut().clear());
    let result = parse();
    BASE.with(|b| b.set(0));
    CONTENT_ENDS.with(|c| c.borrow_mut().clear());
    result
}

fn parse_file_at_base(text: &str, base: usize) -> Result<RuleFile, SyntaxError> {
    let unclosed = check_nesting(text).map_err(|e| e.shifted(base))?;
    let mut pairs = RuleParser::parse(Rule::file, text).map_err(|_| {
        // Parse again, recording the literal tokens tried, so that a missing `}` or `：` can
        // be named. Recording costs several times the parse, so only a failing file pays it.
        pest::set_error_detail(true);
        let detailed = RuleParser::parse(Rule::file, text);
        pest::set_error_detail(false);
        match detailed {
            Err(e) => err::from_pest(&e, text, unclosed).shifted(base),
            Ok(_) => unreachable!("the same text failed to parse a moment ago"),
        }
    })?;
    let file = pairs.next().expect("the file rule always yields one pair");
    reject_keyword_names(&file)?;
    let mut items = Vec::new();
    for pair in file.into_inner() {
        if pair.as_rule() == Rule::EOI {
            break;
        }
        let span = span_of(&pair);
        items.push(Spanned::new(build_item(pair)?, span));
    }
    Ok(RuleFile { items })
}

/// A name that is a keyword (`令 若 = 1`, or a keyword where a value should be) reads as a
/// name to the grammar; here it becomes the syntax error it is.
fn reject_keyword_names(file: &Pair<'_, Rule>) -> Result<(), SyntaxError> {
    match file
        .clone()
        .into_inner()
        .flatten()
        .find(|p| p.as_rule() == Rule::ident && super::KEYWORDS.contains(&p.as_str()))
    {
        Some(pair) => Err(err::keyword_as_name(span_of(&pair), pair.as_str())),
        None => Ok(()),
    }
}

/// Parses the `{…}` placeholder of a message template; `offset` is where its text starts in
/// the rule file, so spans point into the file.
pub fn parse_placeholder(text: &str, offset: usize) -> Result<Expr, SyntaxError> {
    if let Some(path) = simple_path(text, offset) {
        return Ok(path);
    }
    let parse = || {
        let unclosed = check_nesting(text).map_err(|e| e.shifted(offset))?;
        let mut pairs = RuleParser::parse(Rule::placeholder, text)
            .map_err(|e| err::from_pest(&e, text, unclosed).shifted(offset))?;
        let placeholder = pairs
            .next()
            .expect("the placeholder rule always yields one pair");
        reject_keyword_names(&placeholder).map_err(|e| e.shifted(offset))?;
        let expr = placeholder
            .into_inner()
            .next()
            .expect("a placeholder holds one expression");
        with_base(offset, || build_expr(expr))
    };
    // Placeholders are nearly always a name or two; only a long one could nest deeply.
    if text.len() <= 64 {
        parse()
    } else {
        on_parser_stack(parse)
    }
}

/// Most placeholders are a name or a dotted name (`{c}`, `{r.标签}`): read directly, without
/// the parser.
fn simple_path(text: &str, offset: usize) -> Option<Expr> {
    let lead = text.len() - text.trim_start().len();
    let trimmed = text.trim();
    let mut parts = Vec::new();
    let mut at = offset + lead;
    for (i, part) in trimmed.split('.').enumerate() {
        let mut chars = part.chars();
        let first = chars.next()?;
        let is_name = (unicode_ident::is_xid_start(first) || first == '_')
            && chars.all(unicode_ident::is_xid_continue);
        if !is_name
            || (i == 0 && super::KEYWORDS.contains(&part) && part != "参数" && part != "上年")
        {
            return None;
        }
        parts.push(Spanned::new(
            part.to_owned(),
            Span::new(at, at + part.len()),
        ));
        at += part.len() + 1;
    }
    let span = Span::new(offset + lead, offset + lead + trimmed.len());
    Some(Spanned::new(
        ExprKind::Path(Spanned::new(parts, span)),
        span,
    ))
}

/// Rejects bracket nesting deeper than [`MAX_NESTING`] before pest sees the text. Brackets
/// inside strings, patterns and comments do not count. Returns the first bracket that is
/// never closed, for a better message if pest then fails at the end of the file.
fn check_nesting(text: &str) -> Result<Option<(usize, char)>, SyntaxError> {
    let mut open: Vec<(usize, char)> = Vec::new();
    let mut chars = text.char_indices().peekable();
    // The last word or punctuation mark before the current character, to tell a pattern's
    // `/` (after 匹配, `(`, `,` …) from a division's (after an operand).
    let mut previous_word = String::new();
    while let Some((at, c)) = chars.next() {
        match c {
            '"' => skip_until(&mut chars, '"', true),
            '“' => skip_until(&mut chars, '”', false),
            '「' => skip_until(&mut chars, '」', false),
            '#' => skip_until(&mut chars, '\n', false),
            '/' if chars.peek().is_some_and(|&(_, n)| n == '/') => {
                skip_until(&mut chars, '\n', false);
            }
            '/' if starts_pattern(&previous_word) => skip_until(&mut chars, '/', true),
            '(' | '（' | '[' | '【' | '{' | '｛' => {
                open.push((at, c));
                if open.len() > MAX_NESTING {
                    return Err(err::too_deep(Span::new(at, at + c.len_utf8())));
                }
            }
            ')' | '）' | ']' | '】' | '}' | '｝' => {
                open.pop();
            }
            _ => {}
        }
        if c.is_whitespace() {
            continue;
        }
        if c.is_alphanumeric() || c == '_' {
            if !previous_word
                .chars()
                .last()
                .is_some_and(|p| p.is_alphanumeric() || p == '_')
            {
                previous_word.clear();
            }
            previous_word.push(c);
        } else {
            previous_word.clear();
            previous_word.push(c);
        }
    }
    Ok(open.first().copied())
}

/// Whether a `/` after this word or mark begins a pattern rather than a division.
fn starts_pattern(previous: &str) -> bool {
    previous.is_empty()
        || previous.ends_with("匹配")
        || matches!(
            previous,
            "(" | "（" | "," | "，" | "、" | "=" | "＝" | "[" | "【" | "：" | ":"
        )
        || super::KEYWORDS.contains(&previous)
}

fn skip_until(
    chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    end: char,
    escapes: bool,
) {
    while let Some((_, c)) = chars.next() {
        if escapes && c == '\\' {
            chars.next();
        } else if c == end || c == '\n' {
            return;
        }
    }
}

type Build<T> = Result<T, SyntaxError>;

fn span_of(pair: &Pair<'_, Rule>) -> Span {
    let s = pair.as_span();
    let base = BASE.with(std::cell::Cell::get);
    Span::new(base + s.start(), base + content_end(pair))
}

/// Where a pair's content ends. pest counts the spaces and comments it skipped before an
/// optional part that then did not match as part of the pair; they are not.
fn content_end(pair: &Pair<'_, Rule>) -> usize {
    let span = pair.as_span();
    let key = (span.start(), span.end());
    if let Some(end) = CONTENT_ENDS.with(|c| c.borrow().get(&key).copied()) {
        return end;
    }
    let end = match pair.clone().into_inner().last() {
        None => span.end(),
        Some(last) => {
            let input = span.get_input();
            let mut end = content_end(&last);
            let mut at = end;
            while at < span.end() {
                let rest = &input[at..span.end()];
                let c = rest.chars().next().expect("at is before the end");
                if c.is_whitespace() || c == '\u{feff}' {
                    at += c.len_utf8();
                } else if c == '#' || rest.starts_with("//") {
                    at += rest.find('\n').unwrap_or(rest.len());
                } else {
                    // Punctuation that closes the pair (`]`, `)`, `}`).
                    at += c.len_utf8();
                    end = at;
                }
            }
            end
        }
    };
    CONTENT_ENDS.with(|c| c.borrow_mut().insert(key, end));
    end
}

thread_local! {
    /// Content ends already found during the current parse: a pair's end depends on its last
    /// child's, so without this, finding every span would cost the depth of the tree each.
    static CONTENT_ENDS: std::cell::RefCell<std::collections::HashMap<(usize, usize), usize>> =
        std::cell::RefCell::new(std::collections::HashMap::new());
}

fn ident(pair: &Pair<'_, Rule>) -> Ident {
    Spanned::new(pair.as_str().to_owned(), span_of(pair))
}

fn build_item(pair: Pair<'_, Rule>) -> Build<Item> {
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
        other => unreachable!("not an item: {other:?}"),
    })
}

/// Keyword tokens carry no information once the enclosing rule is known.
fn is_keyword(rule: Rule) -> bool {
    super::error::keyword_text(rule).is_some()
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

fn domain_kind(pair: &Pair<'_, Rule>) -> Spanned<DomainKind> {
    let kind = match pair.clone().into_inner().next().map(|p| p.as_rule()) {
        Some(Rule::kw_col) => DomainKind::Column,
        Some(Rule::kw_row) => DomainKind::Row,
        Some(Rule::kw_colgroup) => DomainKind::ColumnGroup,
        Some(Rule::kw_rowgroup) => DomainKind::RowGroup,
        Some(Rule::kw_section) => DomainKind::Section,
        Some(Rule::kw_table) => DomainKind::Table,
        _ => DomainKind::Cell,
    };
    Spanned::new(kind, span_of(pair))
}

fn build_binder(pair: Pair<'_, Rule>) -> Build<Binder> {
    let span = span_of(&pair);
    Ok(binder_parts(pair, span, false)?.0)
}

/// Reads the parts shared by `对每 …：` and `全都(… ： body)`.
fn binder_parts(pair: Pair<'_, Rule>, span: Span, has_body: bool) -> Build<(Binder, Option<Expr>)> {
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

fn path(pair: Pair<'_, Rule>) -> Path {
    let span = span_of(&pair);
    Spanned::new(pair.into_inner().map(|p| ident(&p)).collect(), span)
}

fn selector(pair: Pair<'_, Rule>) -> Selector {
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

fn string(pair: &Pair<'_, Rule>) -> Build<Str> {
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

fn decimal(pair: &Pair<'_, Rule>) -> Build<Decimal> {
    pair.as_str()
        .parse::<Decimal>()
        .map_err(|_| err::bad_number(span_of(pair), pair.as_str()))
}

fn date(pair: &Pair<'_, Rule>) -> Build<Date> {
    let text = pair.as_str();
    let year = text[0..4].parse().unwrap_or(0);
    let month = text[5..7].parse().unwrap_or(0);
    let day = text[8..10].parse().unwrap_or(0);
    Date::new(year, month, day).ok_or_else(|| err::bad_date(span_of(pair), text))
}

// ------------------------------------------------------------------ expressions

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

fn build_expr(pair: Pair<'_, Rule>) -> Build<Expr> {
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
