//! Rule text → syntax tree. pest does the recognising; this module turns its pairs into the
//! spanned tree of [`ast`](super::ast) and its failures into [`SyntaxError`]s that a rule
//! author can read.

use pest::Parser as _;
use pest::iterators::Pair;

use super::ast::{Expr, ExprKind, Ident, RuleFile};
use super::error::{self as err, SyntaxError};
use crate::source::{Span, Spanned};

mod exprs;
mod items;

use exprs::build_expr;
use items::build_item;

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
