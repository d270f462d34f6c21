//! The canonical layout of a rule file (`gouji fmt`).
//!
//! Only whitespace at the edges of lines changes; every token and every comment stays where
//! it is in the line, so formatting cannot change what a file means and keeps what its author
//! wrote. The layout:
//! - two spaces of indentation per open brace (`{` `｛`), a closing brace back at its
//!   opener's level;
//! - a line that continues a statement (`说明 "…"` under `参数`, `且 …` under `断言`: any line
//!   not starting with a keyword that begins a declaration) two spaces deeper than the
//!   statement;
//! - a comment line indented like the code line it precedes;
//! - no trailing whitespace, no tabs or full-width spaces in indentation, at most one blank
//!   line in a row, none at the start or the end, `\n` line ends, one final newline, no
//!   byte-order mark.
//!
//! The shipped rule files are written this way, and tests keep it so.

use unicode_ident::{is_xid_continue, is_xid_start};

/// Keywords that begin a declaration, inside or outside a block. A line starting with any
/// other word continues the statement above it.
const DECLARATION_STARTS: &[&str] = &[
    "规则集",
    "标题",
    "版本",
    "依据",
    "适用",
    "继承",
    "参数",
    "令",
    "章节顺序",
    "章节",
    "表格",
    "替换",
    "删除",
    "修改",
    "增加",
    "检查",
    "覆盖",
    "停用",
    "别名",
    "锚点",
    "类型",
    "空白",
    "列组",
    "行组",
    "列",
    "行",
    "标签",
    "仅当",
    "断言",
    "消息",
    "帮助",
    "按表合并",
    "严重性",
    "数量",
    "说法",
    "对象",
    "单位",
    "不算",
    "其中",
];

/// Indentation per level.
const INDENT: &str = "  ";

/// Lays `text` out canonically. `text` should be a rule file that parses: the braces of a
/// broken file may be unbalanced, and its layout is then only a best effort.
pub fn format(text: &str) -> String {
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut lines: Vec<Line> = Vec::new();
    let mut depth = 0usize;
    for raw in text.split('\n') {
        let content = raw
            .trim_start_matches(is_indentation)
            .trim_end_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}');
        let scan = scan(content);
        // A line starting with closing braces stands at the level they close to.
        let level = depth.saturating_sub(scan.leading_closers);
        let kind = if content.is_empty() {
            Kind::Blank
        } else if scan.comment_only {
            Kind::Comment
        } else if scan.leading_closers > 0 || starts_declaration(content) {
            Kind::Statement
        } else {
            Kind::Continuation
        };
        lines.push(Line {
            content,
            level,
            kind,
        });
        depth = (depth + scan.opened).saturating_sub(scan.closed);
    }

    let mut out = String::with_capacity(text.len());
    let mut blank_pending = false;
    for (i, line) in lines.iter().enumerate() {
        let indent = match line.kind {
            Kind::Blank => {
                blank_pending = !out.is_empty();
                continue;
            }
            Kind::Statement => line.level,
            Kind::Continuation => line.level + 1,
            // Like the code it comments on: the next line that is not a comment or blank.
            Kind::Comment => lines[i + 1..]
                .iter()
                .find(|l| matches!(l.kind, Kind::Statement | Kind::Continuation))
                .map_or(line.level, |next| match next.kind {
                    Kind::Continuation if next.level == line.level => line.level + 1,
                    _ => line.level,
                }),
        };
        if blank_pending {
            out.push('\n');
            blank_pending = false;
        }
        for _ in 0..indent {
            out.push_str(INDENT);
        }
        out.push_str(line.content);
        out.push('\n');
    }
    out
}

/// Whether `text` is already laid out canonically.
pub fn is_formatted(text: &str) -> bool {
    format(text) == text
}

fn is_indentation(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\u{3000}' | '\u{FEFF}')
}

struct Line<'t> {
    content: &'t str,
    level: usize,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Blank,
    Comment,
    Statement,
    Continuation,
}

/// Whether a line begins with a declaration keyword standing alone (`参数 x：数`, not the
/// path `参数.x` nor a longer name).
fn starts_declaration(line: &str) -> bool {
    let word_end = line
        .char_indices()
        .find(|&(_, c)| !is_word_char(c))
        .map_or(line.len(), |(i, _)| i);
    let (word, rest) = line.split_at(word_end);
    DECLARATION_STARTS.contains(&word) && !rest.starts_with(['.', '．'])
}

fn is_word_char(c: char) -> bool {
    c == '_' || is_xid_continue(c)
}

/// What a line holds that matters to the layout, strings, regular expressions and comments
/// aside.
#[derive(Default)]
struct Scan {
    /// Closing braces before anything else on the line.
    leading_closers: usize,
    opened: usize,
    closed: usize,
    comment_only: bool,
}

/// The token before a `/`, which tells a division from the start of a regular expression.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Before {
    /// An operand ended (a number, a name, a string, a closing bracket): `/` divides.
    Operand,
    /// An operator, a keyword, an opening bracket, or the start of the line: `/` starts a
    /// regular expression.
    Operator,
}

fn scan(line: &str) -> Scan {
    let mut result = Scan::default();
    let mut seen_other = false;
    let mut before = Before::Operator;
    let mut after_dot = false;
    let mut chars = line.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '}' | '｝') && !c.is_whitespace() {
            if !seen_other
                && result.leading_closers == 0
                && (c == '#' || line[i..].starts_with("//"))
            {
                result.comment_only = true;
            }
            seen_other = true;
        }
        match c {
            '#' => break,
            '/' if line[i..].starts_with("//") => break,
            '/' if before == Before::Operator => {
                // A regular expression: up to the next unescaped `/`.
                while let Some((_, r)) = chars.next() {
                    match r {
                        '\\' => {
                            chars.next();
                        }
                        '/' => break,
                        _ => {}
                    }
                }
                before = Before::Operand;
            }
            '"' => {
                while let Some((_, s)) = chars.next() {
                    match s {
                        '\\' => {
                            chars.next();
                        }
                        '"' => break,
                        _ => {}
                    }
                }
                before = Before::Operand;
            }
            '“' | '「' => {
                let close = if c == '“' { '”' } else { '」' };
                for (_, s) in chars.by_ref() {
                    if s == close {
                        break;
                    }
                }
                before = Before::Operand;
            }
            '{' | '｛' => {
                result.opened += 1;
                before = Before::Operator;
            }
            '}' | '｝' => {
                if seen_other {
                    result.closed += 1;
                } else {
                    result.leading_closers += 1;
                    result.closed += 1;
                }
                before = Before::Operator;
            }
            ')' | ']' | '）' | '】' => before = Before::Operand,
            c if is_xid_start(c) || c == '_' || c.is_ascii_digit() => {
                let mut end = i + c.len_utf8();
                while let Some(&(j, next)) = chars.peek() {
                    if !is_word_char(next) {
                        break;
                    }
                    end = j + next.len_utf8();
                    chars.next();
                }
                let word = &line[i..end];
                // A keyword expects an operand after it, except as a member (`报告.标题`).
                before = if !after_dot && super::KEYWORDS.contains(&word) {
                    Before::Operator
                } else {
                    Before::Operand
                };
            }
            c if c.is_whitespace() => continue,
            _ => before = Before::Operator,
        }
        after_dot = matches!(c, '.' | '．');
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indents_blocks_and_continuations() {
        let messy = "\u{FEFF}规则集 t   \r\n\n\n参数 p：数 = 1\r\n说明 \"x\"\n检查 A 错误 {\n\t断言 1 = 1\n 且 2 = 2\n   }\n\n";
        let tidy = "规则集 t\n\n参数 p：数 = 1\n  说明 \"x\"\n检查 A 错误 {\n  断言 1 = 1\n    且 2 = 2\n}\n";
        assert_eq!(format(messy), tidy);
        assert!(is_formatted(tidy));
    }

    #[test]
    fn braces_in_strings_regexes_and_comments_do_not_count() {
        let text =
            "令 a = 报告.标题 匹配 /\\d{4}年/\n令 b = \"{\" # {\n令 c = 「}」\n令 d = 1 / 2 / 3\n";
        assert_eq!(format(text), text);
    }

    #[test]
    fn comments_follow_the_code_they_precede() {
        let text = "检查 A 错误 {\n# 为什么\n断言 1 = 1\n# 再且\n且 2 = 2\n# 结束\n}\n";
        let tidy =
            "检查 A 错误 {\n  # 为什么\n  断言 1 = 1\n    # 再且\n    且 2 = 2\n  # 结束\n}\n";
        assert_eq!(format(text), tidy);
    }

    #[test]
    fn a_path_starting_with_a_keyword_continues() {
        let text = "令 a =\n参数.p + 1\n";
        assert_eq!(format(text), "令 a =\n  参数.p + 1\n");
    }
}
