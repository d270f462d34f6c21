//! pest's failures, in words a rule author understands: the expected things are phrases, not
//! grammar rule names, and the span sits on the offending characters.

use pest::error::{ErrorVariant, InputLocation};

use super::parser::Rule;
use crate::diagnostic::{Diagnostic, Problem};
use crate::source::{Span, floor_char_boundary};

pub type SyntaxError = Diagnostic;

/// Turns a pest failure into a diagnostic. `unclosed` is the first bracket the text opens
/// and never closes, if any: at the end of the file it is the likely culprit.
pub fn from_pest(
    error: &pest::error::Error<Rule>,
    text: &str,
    unclosed: Option<(usize, char)>,
) -> SyntaxError {
    let at = match error.location {
        InputLocation::Pos(p) => p,
        InputLocation::Span((s, _)) => s,
    };
    let at = floor_char_boundary(text, at.min(text.len()));
    if let ErrorVariant::CustomError { message } = &error.variant {
        // pest's own guard against deep recursion.
        if message.contains("limit") {
            return Diagnostic::error(
                Problem::TooDeep {
                    limit: super::parser::MAX_NESTING,
                },
                Span::new(at, at),
            );
        }
    }
    let rest = &text[at..];
    if at == text.len() || rest.trim().is_empty() {
        if let Some((open_at, open)) = unclosed {
            let close = closing(open);
            return Diagnostic::error(
                Problem::Unclosed { open, close },
                Span::new(open_at, open_at + open.len_utf8()),
            );
        }
    }
    if let Some(quote) = rest
        .chars()
        .next()
        .filter(|c| matches!(c, '"' | '“' | '「'))
    {
        let line_rest = &rest[quote.len_utf8()..rest.find('\n').unwrap_or(rest.len())];
        let close = match quote {
            '“' => '”',
            '「' => '」',
            _ => '"',
        };
        if !line_rest.contains(close) {
            return Diagnostic::error(
                Problem::UnclosedString { quote, close },
                Span::new(at, at + quote.len_utf8()),
            );
        }
    }
    let mut expected: Vec<&'static str> = match &error.variant {
        ErrorVariant::ParsingError { positives, .. } => {
            positives.iter().filter_map(|r| describe(*r)).collect()
        }
        ErrorVariant::CustomError { .. } => Vec::new(),
    };
    if let Some(attempts) = error.parse_attempts() {
        for token in attempts.expected_tokens() {
            // pest does not export the token type; its debug form is
            // `Sensitive { token: "}" }` for a literal.
            let debug = format!("{token:?}");
            let literal = debug
                .strip_prefix("Sensitive { token: \"")
                .and_then(|rest| rest.strip_suffix("\" }"));
            if let Some(phrase) = literal.and_then(punctuation) {
                expected.push(phrase);
            }
        }
    }
    tidy(&mut expected);
    let (found, span) = found_at(text, at);
    let hint = glued_keyword(text, at);
    Diagnostic::error(
        Problem::Unexpected {
            expected,
            found,
            hint,
        },
        span,
    )
}

fn closing(open: char) -> char {
    match open {
        '(' => ')',
        '（' => '）',
        '[' => ']',
        '【' => '】',
        '｛' => '｝',
        _ => '}',
    }
}

/// Closing and separating punctuation, which the grammar keeps silent, as phrases.
fn punctuation(token: &str) -> Option<&'static str> {
    Some(match token {
        "}" | "｝" => "「}」",
        ")" | "）" => "「)」",
        "]" | "】" => "「]」",
        ":" | "：" => "「：」",
        "," | "，" | "、" => "「，」",
        "=" | "＝" => "「=」",
        "{" | "｛" => "「{」",
        "(" | "（" => "「(」",
        "[" | "【" => "「[」",
        _ => return None,
    })
}

/// Sorts the phrases and drops those that add nothing next to the others.
fn tidy(expected: &mut Vec<&'static str>) {
    expected.sort_unstable();
    expected.dedup();
    if expected.contains(&"表达式") {
        expected.retain(|e| !matches!(*e, "「非」或负号" | "「(」" | "「[」"));
    }
    if expected.iter().any(|e| e.starts_with("运算符")) {
        expected.retain(|e| !matches!(*e, "「=」" | "「(」" | "「[」"));
    }
    if expected.len() > 1 {
        expected.retain(|e| !matches!(*e, "关键字" | "文件结尾"));
    }
}

/// A keyword written against the next word (`若报告`) makes one name of both, and the
/// error then appears later, where the parser gives up. Says so.
fn glued_keyword(text: &str, at: usize) -> Option<String> {
    const STARTERS: &[&str] = &[
        "对每", "若", "非", "断言", "消息", "帮助", "令", "仅当", "标签", "依据", "检查", "表格",
        "章节", "参数", "属于", "其中", "全都", "任一", "上年",
    ];
    let line_start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    let line = &text[line_start..at];
    let mut words = Vec::new();
    let mut start = None;
    for (i, c) in line
        .char_indices()
        .chain(std::iter::once((line.len(), ' ')))
    {
        match (is_word(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                words.push(&line[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    words.into_iter().rev().find_map(|word| {
        let keyword = STARTERS.iter().find(|k| word.starts_with(**k) && word.len() > k.len())?;
        let next = word[keyword.len()..].chars().next()?;
        // A keyword that is only part of a longer keyword (对每 … is fine; 非 in 非常 is rare).
        (!super::KEYWORDS.contains(&word)).then(|| {
            format!("「{word}」被读作一个名称：关键字「{keyword}」后面要留一个空格，写成「{keyword} {next}…」")
        })
    })
}

/// Describes what stands at `at`, and the span to underline: the whole word, one
/// punctuation mark, or the end of the file.
fn found_at(text: &str, at: usize) -> (String, Span) {
    let rest = &text[at..];
    let Some(first) = rest.chars().next() else {
        return ("文件结尾".into(), Span::new(at, at));
    };
    if first == '\n' || first == '\r' {
        return ("换行".into(), Span::new(at, at + first.len_utf8()));
    }
    let is_word = |c: char| c.is_alphanumeric() || c == '_';
    if is_word(first) {
        let len: usize = rest
            .chars()
            .take_while(|&c| is_word(c))
            .map(char::len_utf8)
            .sum();
        let word = &rest[..len];
        let kind = if super::KEYWORDS.contains(&word) {
            "关键字"
        } else {
            ""
        };
        let shown: String = word.chars().take(20).collect();
        return (format!("{kind}「{shown}」"), Span::new(at, at + len));
    }
    (format!("「{first}」"), Span::new(at, at + first.len_utf8()))
}

pub fn too_deep(span: Span) -> SyntaxError {
    Diagnostic::error(
        Problem::TooDeep {
            limit: super::parser::MAX_NESTING,
        },
        span,
    )
}

pub fn bad_escape(span: Span, c: char) -> SyntaxError {
    Diagnostic::error(Problem::BadEscape(c), span)
}

pub fn bad_number(span: Span, text: &str) -> SyntaxError {
    Diagnostic::error(Problem::BadNumber(text.into()), span)
}

pub fn bad_date(span: Span, text: &str) -> SyntaxError {
    Diagnostic::error(Problem::BadDate(text.into()), span)
}

pub fn misplaced_tolerance(span: Span) -> SyntaxError {
    Diagnostic::error(Problem::MisplacedTolerance, span)
}

/// The text of a keyword rule, or `None` for other rules.
pub fn keyword_text(rule: Rule) -> Option<&'static str> {
    Some(match rule {
        Rule::kw_ruleset => "规则集",
        Rule::kw_title => "标题",
        Rule::kw_version => "版本",
        Rule::kw_basis => "依据",
        Rule::kw_applies => "适用",
        Rule::kw_extends => "继承",
        Rule::kw_param => "参数",
        Rule::kw_doc => "说明",
        Rule::kw_let => "令",
        Rule::kw_section => "章节",
        Rule::kw_required => "必需",
        Rule::kw_alias => "别名",
        Rule::kw_nonstd => "不规范",
        Rule::kw_order => "章节顺序",
        Rule::kw_table => "表格",
        Rule::kw_in => "属于",
        Rule::kw_anchor => "锚点",
        Rule::kw_type => "类型",
        Rule::kw_blank => "空白",
        Rule::kw_colgroup => "列组",
        Rule::kw_rowgroup => "行组",
        Rule::kw_col => "列",
        Rule::kw_row => "行",
        Rule::kw_same => "同",
        Rule::kw_unlabeled => "无标签",
        Rule::kw_na => "允许不适用",
        Rule::kw_modify => "修改",
        Rule::kw_replace => "替换",
        Rule::kw_add => "增加",
        Rule::kw_remove => "删除",
        Rule::kw_as => "为",
        Rule::kw_at => "在",
        Rule::kw_after => "之后",
        Rule::kw_before => "之前",
        Rule::kw_check => "检查",
        Rule::kw_error => "错误",
        Rule::kw_warning => "警告",
        Rule::kw_info => "提示",
        Rule::kw_on => "于",
        Rule::kw_tags => "标签",
        Rule::kw_when => "仅当",
        Rule::kw_assert => "断言",
        Rule::kw_message => "消息",
        Rule::kw_help => "帮助",
        Rule::kw_per_table => "按表合并",
        Rule::kw_override => "覆盖",
        Rule::kw_severity => "严重性",
        Rule::kw_disable => "停用",
        Rule::kw_forall => "对每",
        Rule::kw_where => "其中",
        Rule::kw_if => "若",
        Rule::kw_then => "则",
        Rule::kw_else => "否则",
        Rule::kw_and => "且",
        Rule::kw_or => "或",
        Rule::kw_not => "非",
        Rule::kw_contains => "包含",
        Rule::kw_ncontains => "不包含",
        Rule::kw_matches => "匹配",
        Rule::kw_nmatches => "不匹配",
        Rule::kw_within => "容差",
        Rule::kw_prev => "上年",
        Rule::kw_zero => "计零",
        Rule::kw_missing => "缺失",
        Rule::kw_all => "全都",
        Rule::kw_any => "任一",
        Rule::kw_quantity => "数量",
        Rule::kw_phrasing => "说法",
        Rule::kw_object => "对象",
        Rule::kw_unit => "单位",
        Rule::kw_excluded => "不算",
        _ => return None,
    })
}

/// A phrase for what a grammar rule stands for, as it appears in "这里应当是：…".
fn describe(rule: Rule) -> Option<&'static str> {
    if let Some(k) = keyword_text(rule) {
        return Some(match k {
            "规则集" => "「规则集」",
            "检查" => "「检查」",
            "表格" => "「表格」",
            "章节" => "「章节」",
            "参数" => "「参数」",
            "令" => "「令」",
            "断言" => "「断言」",
            "消息" => "「消息」",
            "帮助" => "「帮助」",
            "标签" => "「标签」",
            "依据" => "「依据」",
            "仅当" => "「仅当」",
            "错误" | "警告" | "提示" => "严重性（错误、警告或提示）",
            "列" | "列组" => "「列」或「列组」",
            "行" | "行组" => "「行」或「行组」",
            "且" | "或" => "「且」或「或」",
            "包含" | "不包含" | "匹配" | "不匹配" | "在" => "运算符（包含、匹配、在 …）",
            "之后" | "之前" => "「之后」或「之前」",
            "容差" => "「容差」",
            "别名" => "「别名」",
            "于" => "「于」",
            "属于" => "「属于」",
            "其中" => "「其中」",
            "则" => "「则」",
            "否则" => "「否则」",
            "为" => "「为」",
            _ => "关键字",
        });
    }
    Some(match rule {
        Rule::ident | Rule::member | Rule::path => "名称",
        Rule::check_id => "编号（字母、数字、汉字或 -）",
        Rule::string | Rule::plain_string | Rule::curly_string | Rule::corner_string => {
            "用引号括起的文字"
        }
        Rule::number | Rule::signed_number => "数字",
        Rule::date => "日期",
        Rule::regex => "正则表达式 /…/",
        Rule::expr | Rule::operand | Rule::expr_noif => "表达式",
        Rule::infix
        | Rule::op_le
        | Rule::op_ge
        | Rule::op_ne
        | Rule::op_eq
        | Rule::op_lt
        | Rule::op_gt
        | Rule::op_add
        | Rule::op_sub
        | Rule::op_mul
        | Rule::op_div => "运算符（+ - × ÷ = ≠ < > …）",
        Rule::prefix | Rule::neg => "「非」或负号",
        Rule::cell_ref => "单元格引用，如 申请[新收, 自然人]",
        Rule::selector | Rule::selectors | Rule::range | Rule::star => "行或列的名称",
        Rule::severity => "严重性（错误、警告或提示）",
        Rule::binder => "「对每 …：」",
        Rule::domain_kind => "列、行、列组、行组、章节、表格、单元格或陈述",
        Rule::cell_type => "单元格类型，如 计数",
        Rule::blank_policy => "空白策略（计零、缺失或 参数.名称）",
        Rule::param_type | Rule::choice_type => "参数类型，如 数、文本、日期、选项(…)",
        Rule::literal => "取值",
        Rule::percent => "「%」",
        Rule::list => "列表 […]",
        Rule::tolerance => "「容差」",
        Rule::required => "「必需」",
        Rule::nonstandard => "「不规范」",
        Rule::unlabeled => "「无标签」",
        Rule::na_allowed => "「允许不适用」",
        Rule::position => "位置（在 … 之后/之前）",
        Rule::EOI => "文件结尾",
        Rule::ruleset_decl
        | Rule::title_decl
        | Rule::version_decl
        | Rule::basis_decl
        | Rule::applies_decl
        | Rule::extends_decl
        | Rule::param_decl
        | Rule::let_decl
        | Rule::order_decl
        | Rule::section_decl
        | Rule::table_decl
        | Rule::replace_table_decl
        | Rule::remove_table_decl
        | Rule::modify_decl
        | Rule::check_decl
        | Rule::override_decl
        | Rule::disable_decl
        | Rule::quantity_decl => {
            "一项声明（规则集、标题、版本、依据、适用、继承、参数、令、章节、章节顺序、表格、修改、替换、检查、覆盖、停用）"
        }
        Rule::anchor_decl
        | Rule::type_decl
        | Rule::blank_decl
        | Rule::col_decl
        | Rule::colgroup_decl
        | Rule::row_decl
        | Rule::rowgroup_decl => "表格的内容（锚点、类型、空白、列、行 …）",
        Rule::add_mod | Rule::remove_mod | Rule::replace_mod => "修改（增加、删除、替换 …）",
        Rule::tags_decl
        | Rule::when_decl
        | Rule::local_let
        | Rule::assert_decl
        | Rule::message_decl
        | Rule::help_decl
        | Rule::per_table_decl => "检查的内容（断言、消息、帮助、标签、依据、仅当、令、按表合并）",
        Rule::phrasing_decl
        | Rule::object_decl
        | Rule::unit_decl
        | Rule::excluded_decl
        | Rule::parts_decl => "数量的内容（说法、对象、单位、不算、其中）",
        Rule::words | Rule::word | Rule::bare_word => "词语（用逗号或顿号分开）",
        Rule::severity_set => "「严重性」",
        Rule::alias_decl | Rule::aliases | Rule::alias_item => "「别名」",
        Rule::tag => "标签",
        Rule::if_expr => "「若 … 则 …」",
        Rule::quantified => "「全都(…)」或「任一(…)」",
        Rule::call => "函数调用",
        _ => return None,
    })
}

/// An expression with more than `limit` operators (3,500 terms added with `+`).
pub fn too_many_operators(span: Span, limit: usize) -> SyntaxError {
    Diagnostic::error(Problem::ExpressionTooDeep { limit }, span)
}

pub fn too_deep_expression(span: Span, limit: usize) -> SyntaxError {
    Diagnostic::error(Problem::TooDeep { limit }, span)
}

/// A clause that a check may have only once (`消息`, `帮助`, `依据`, `标签`), written twice.
pub fn written_twice(span: Span, keyword: &'static str) -> SyntaxError {
    Diagnostic::error(
        Problem::Misplaced {
            what: keyword,
            why: "在一条检查中只能写一次",
        },
        span,
    )
}

/// A keyword where a name or a value should be: `令 若 = 1`, `断言 消息 "…"`.
pub fn keyword_as_name(span: Span, word: &str) -> SyntaxError {
    let expected = vec!["名称（关键字不能用作名称）"];
    let found = format!("关键字「{word}」");
    Diagnostic::error(
        Problem::Unexpected {
            expected,
            found,
            hint: None,
        },
        span,
    )
}
