//! TOML as Chinese users write it: keys in Chinese without quotes (`自然人 = 0`,
//! `[表格.申请.一]`). TOML allows only ASCII bare keys, so the one error it reports for such a
//! key is forgiven; every other error comes back with its span and a Chinese gloss.

use toml::de::DeTable;

use crate::source::{SourceFile, Span};

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

/// Which of gouji's own hand-written TOML files an error is in (`gouji.toml`, a waiver
/// register): how it is named to people, its diagnostic code and what the file may hold.
#[derive(Debug, Clone, Copy)]
pub struct FileKind {
    pub name: &'static str,
    pub code: &'static str,
    pub help: &'static str,
}

/// A hand-written TOML file that cannot be used; renders with the file's text and the place.
#[derive(Debug)]
pub struct FileError {
    pub kind: FileKind,
    pub message: String,
    pub source: SourceFile,
    pub span: Option<Span>,
}

impl FileError {
    /// An error at a place in the file's text.
    #[must_use]
    pub fn at(kind: FileKind, source: &SourceFile, message: String, span: Span) -> Box<Self> {
        Box::new(Self {
            kind,
            message,
            source: source.clone(),
            span: Some(span),
        })
    }

    /// An error about the file as a whole (it cannot be read).
    #[must_use]
    pub fn without_place(kind: FileKind, name: &str, message: String) -> Box<Self> {
        Box::new(Self {
            kind,
            message,
            source: SourceFile::new(name, ""),
            span: None,
        })
    }
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}「{}」有误：{}",
            self.kind.name,
            self.source.name(),
            self.message
        )
    }
}

impl std::error::Error for FileError {}

impl miette::Diagnostic for FileError {
    fn code<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.kind.code))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let span = self.span?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(None, span),
        )))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        Some(Box::new(self.kind.help))
    }
}
