//! TOML as Chinese users write it: keys in Chinese without quotes (`自然人 = 0`,
//! `[表格.申请.一]`). TOML allows only ASCII bare keys, so the one error it reports for such a
//! key is forgiven; every other error comes back with its span and a Chinese gloss.

use toml::de::DeTable;

use crate::source::Span;

const UNQUOTED_KEY: &str = "invalid unquoted key";

/// The `toml` crate's commonest messages, in Chinese (the English follows).
const MESSAGES: &[(&str, &str)] = &[
    ("duplicate key", "同一个键写了两次"),
    ("string values must be quoted", "文字须加引号"),
    ("unclosed table", "表头缺少「]」"),
    ("unclosed array table", "表头缺少「]]」"),
    ("unclosed inline table", "行内表缺少「}」"),
    ("unclosed array", "数组缺少「]」"),
    ("invalid basic string", "字符串缺少结尾的引号"),
    ("invalid literal string", "字符串缺少结尾的引号"),
    ("missing assignment", "键后缺少「=」"),
    ("key with no value", "键后缺少「=」和值"),
    ("missing value", "「=」后缺少值"),
    ("missing comma", "缺少逗号"),
    ("extra comma", "多了一个逗号"),
    ("unexpected leading zero", "数字不能以 0 开头"),
    ("invalid date", "日期不存在或写法有误"),
    ("invalid time", "时间写法有误"),
    ("cannot recurse further", "嵌套太深"),
    ("unexpected content", "这里有多余的内容"),
    ("invalid value", "无效的值"),
    ("carriage return", "回车符后须紧跟换行符"),
];

pub fn parse(text: &str) -> Result<toml::Spanned<DeTable<'_>>, (String, Span)> {
    let (table, errors) = DeTable::parse_recoverable(text);
    let mut errors: Vec<_> = errors
        .into_iter()
        .filter(|e| !is_forgiven_key(text, e))
        .collect();
    errors.sort_by_key(|e| e.span().map_or(0, |r| r.start));
    if let Some(error) = errors.first() {
        let span = error
            .span()
            .map_or(Span::new(0, 0), |r| Span::new(r.start, r.end));
        let message = if error.message().starts_with(UNQUOTED_KEY) {
            let key = text.get(span.start..span.end).unwrap_or("");
            format!(
                "TOML 语法错误：键「{key}」须加引号（不加引号的键只能由汉字、字母、数字、\
                 「-」和「_」组成）/ quote this key"
            )
        } else {
            let message = error.message().trim_end();
            match MESSAGES.iter().find(|(en, _)| message.starts_with(en)) {
                Some((_, zh)) => format!("TOML 语法错误：{zh} / {message}"),
                None => format!("TOML 语法错误：{message}"),
            }
        };
        return Err((message, span));
    }
    Ok(table)
}

/// A bare key of letters (Chinese included), digits, `-` and `_`, with a non-ASCII letter in
/// it: valid in TOML but for the ASCII-only rule on bare keys.
fn is_forgiven_key(text: &str, error: &toml::de::Error) -> bool {
    let Some(key) = error.span().and_then(|r| text.get(r)) else {
        return false;
    };
    error.message().starts_with(UNQUOTED_KEY)
        && !key.is_ascii()
        && key.chars().all(|c| {
            c.is_alphanumeric()
                || c == '_'
                || c == '-'
                || (!c.is_ascii() && !c.is_whitespace() && !is_cjk_punctuation(c))
        })
}

/// Full-width punctuation that would make a key look like a label (`（一）`, `一、`): such
/// a key must be quoted.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ff0f}' | '\u{ff1a}'..='\u{ff20}' | '\u{ff3b}'..='\u{ff40}' | '\u{ff5b}'..='\u{ff65}' | '\u{2010}'..='\u{2027}')
}
