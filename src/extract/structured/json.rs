//! A small JSON reader that keeps the span of every key and value and the literal of every
//! number (so `160.5964` is never rounded through `f64`). It accepts exactly RFC 8259 JSON,
//! except that a key repeated in one object is an error (as in TOML), and nesting is bounded
//! by [`MAX_DEPTH`].

use super::{Entry, HashSet, Item, MAX_DEPTH, SyntaxError, Value, exact_decimal};
use crate::source::Span;

pub(super) fn parse(text: &str) -> Result<Item, SyntaxError> {
    let mut parser = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        depth: 0,
    };
    parser.skip_whitespace();
    let item = parser.value()?;
    parser.skip_whitespace();
    if parser.pos < parser.bytes.len() {
        return Err(parser.error_here(
            "值之后还有多余的内容（一个 JSON 文件只能有一个顶层值）",
            "trailing characters after the value",
        ));
    }
    Ok(item)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// The span of the character at the current position; at the end of the input, the
    /// empty span just after the last character that is not white space, so that a
    /// renderer shows the line where the input stops.
    fn here(&self) -> Span {
        if let Some(c) = self.text[self.pos..].chars().next() {
            Span::new(self.pos, self.pos + c.len_utf8())
        } else {
            let end = self.text.trim_end().len();
            Span::new(end, end)
        }
    }

    fn error_at(span: Span, zh: &str, en: &str) -> SyntaxError {
        SyntaxError {
            message: format!("JSON 语法错误：{zh} / {en}"),
            span,
        }
    }

    fn error_here(&self, zh: &str, en: &str) -> SyntaxError {
        Self::error_at(self.here(), zh, en)
    }

    /// "expected …, found …" at the current position.
    fn expected(&self, zh: &str, en: &str) -> SyntaxError {
        let (found_zh, found_en) = match self.text[self.pos..].chars().next() {
            None => ("文件结尾".to_owned(), "the end of the input".to_owned()),
            Some('/') => {
                return self.error_here("JSON 不能写注释", "JSON has no comments");
            }
            Some('\'') => {
                return self.error_here("字符串须用双引号「\"」", "strings take double quotes");
            }
            Some(c) => (format!("「{c}」"), format!("`{c}`")),
        };
        self.error_here(
            &format!("这里应是{zh}，却是{found_zh}"),
            &format!("expected {en}, found {found_en}"),
        )
    }

    fn value(&mut self) -> Result<Item, SyntaxError> {
        let start = self.pos;
        let value = match self.peek() {
            Some(b'{') => self.object()?,
            Some(b'[') => self.array()?,
            Some(b'"') => Value::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(b't') if self.bytes[self.pos..].starts_with(b"true") => {
                self.pos += 4;
                Value::Bool
            }
            Some(b'f') if self.bytes[self.pos..].starts_with(b"false") => {
                self.pos += 5;
                Value::Bool
            }
            Some(b'n') if self.bytes[self.pos..].starts_with(b"null") => {
                self.pos += 4;
                Value::Null
            }
            _ => {
                return Err(self.expected(
                    "一个值（对象、数组、字符串、数字、true、false 或 null）",
                    "a value",
                ));
            }
        };
        Ok(Item {
            value,
            span: Span::new(start, self.pos),
        })
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(self.error_here(
                &format!("嵌套超过 {MAX_DEPTH} 层"),
                &format!("nesting deeper than {MAX_DEPTH} levels"),
            ));
        }
        self.pos += 1;
        Ok(())
    }

    fn object(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        let mut entries = Vec::new();
        let mut seen = HashSet::new();
        self.skip_whitespace();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Table(entries));
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(if self.peek() == Some(b'}') {
                    self.error_here("「}」前多了一个逗号", "trailing comma before `}`")
                } else {
                    self.expected("带双引号的键", "a double-quoted key")
                });
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = Span::new(key_start, self.pos);
            if !seen.insert(key.clone()) {
                return Err(Self::error_at(
                    key_span,
                    &format!("同一个对象中重复的键「{key}」"),
                    "duplicate key in one object",
                ));
            }
            self.skip_whitespace();
            if self.peek() != Some(b':') {
                return Err(self.expected("键后的「:」", "`:` after the key"));
            }
            self.pos += 1;
            self.skip_whitespace();
            let value = self.value()?;
            entries.push(Entry {
                key,
                key_span,
                value,
            });
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b'}') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::Table(entries));
                }
                _ => return Err(self.expected("「,」或「}」", "`,` or `}`")),
            }
        }
    }

    fn array(&mut self) -> Result<Value, SyntaxError> {
        self.enter()?;
        self.skip_whitespace();
        if self.peek() == Some(b']') {
            self.pos += 1;
            self.depth -= 1;
            return Ok(Value::Array);
        }
        loop {
            if self.peek() == Some(b']') {
                return Err(self.error_here("「]」前多了一个逗号", "trailing comma before `]`"));
            }
            self.value()?;
            self.skip_whitespace();
            match self.peek() {
                Some(b',') => {
                    self.pos += 1;
                    self.skip_whitespace();
                }
                Some(b']') => {
                    self.pos += 1;
                    self.depth -= 1;
                    return Ok(Value::Array);
                }
                _ => return Err(self.expected("「,」或「]」", "`,` or `]`")),
            }
        }
    }

    /// A string, from its opening quote; leaves the position after the closing quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        let open = Span::new(self.pos, self.pos + 1);
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run = self.pos;
            while let Some(b) = self.peek() {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(&self.text[run..self.pos]);
            match self.peek() {
                None => {
                    return Err(Self::error_at(
                        open,
                        "字符串缺少结尾的引号",
                        "unterminated string",
                    ));
                }
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => self.escape(&mut out)?,
                Some(_) => {
                    return Err(self.error_here(
                        "字符串中不能直接出现控制字符（换行写作 \\n，制表符写作 \\t）",
                        "control character in a string",
                    ));
                }
            }
        }
    }

    fn escape(&mut self, out: &mut String) -> Result<(), SyntaxError> {
        let start = self.pos;
        self.pos += 1;
        let c = match self.peek() {
            Some(b'"') => '"',
            Some(b'\\') => '\\',
            Some(b'/') => '/',
            Some(b'b') => '\u{8}',
            Some(b'f') => '\u{c}',
            Some(b'n') => '\n',
            Some(b'r') => '\r',
            Some(b't') => '\t',
            Some(b'u') => {
                self.pos += 1;
                let high = self.hex4(start)?;
                let code = if (0xd800..0xdc00).contains(&high) {
                    if !self.bytes[self.pos..].starts_with(b"\\u") {
                        return Err(lone_surrogate(start, self.pos));
                    }
                    self.pos += 2;
                    let low = self.hex4(start)?;
                    if !(0xdc00..0xe000).contains(&low) {
                        return Err(lone_surrogate(start, self.pos));
                    }
                    0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
                } else if (0xdc00..0xe000).contains(&high) {
                    return Err(lone_surrogate(start, self.pos));
                } else {
                    high
                };
                out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                return Ok(());
            }
            _ => {
                let end = self.here().end.max(self.pos);
                return Err(Self::error_at(
                    Span::new(start, end),
                    "无效的转义（只能是 \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX）",
                    "invalid escape",
                ));
            }
        };
        self.pos += 1;
        out.push(c);
        Ok(())
    }

    fn hex4(&mut self, escape_start: usize) -> Result<u32, SyntaxError> {
        let digits = self.bytes.get(self.pos..self.pos + 4);
        match digits {
            Some(d) if d.iter().all(u8::is_ascii_hexdigit) => {
                self.pos += 4;
                Ok(d.iter().fold(0, |n, &b| {
                    n * 16 + char::from(b).to_digit(16).unwrap_or_default()
                }))
            }
            _ => {
                let end = self.here().end.max(self.pos);
                Err(Self::error_at(
                    Span::new(escape_start, end),
                    "\\u 后应是四位十六进制数字",
                    "expected four hex digits after \\u",
                ))
            }
        }
    }

    fn number(&mut self) -> Result<Value, SyntaxError> {
        let start = self.pos;
        let invalid = |p: &Parser<'_>| {
            let end = p.here().end.max(p.pos);
            Self::error_at(Span::new(start, end), "无效的数字", "invalid number")
        };
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(invalid(self)),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self));
            }
            self.digits();
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                return Err(invalid(self));
            }
            self.digits();
        }
        let literal = self.text[start..self.pos].to_owned();
        Ok(Value::Number {
            exact: exact_decimal(&literal),
            literal,
        })
    }

    fn digits(&mut self) {
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
    }
}

fn lone_surrogate(start: usize, end: usize) -> SyntaxError {
    Parser::error_at(
        Span::new(start, end),
        "\\u 转义是不成对的代理项（UTF-16 surrogate），不是一个字符",
        "lone surrogate in a \\u escape",
    )
}
