//! Content streams into operations. lopdf's parser (`Content::decode`, nom combinators) spends
//! about 25 ns a byte, half the time of reading a PDF printed by `LibreOffice`. This one reads the
//! streams that PDF printers write (operands, operators, strings, names, arrays, dictionaries)
//! in one pass; anything else (comments, inline images, references, unusual bytes, deep nesting)
//! is left to lopdf, which then reads the whole stream as before. Where this one answers, the
//! answer is lopdf's: a test compares the two on every PDF the project holds and on damaged
//! variants of them.

use lopdf::content::{Content, Operation};
use lopdf::{Dictionary, Object, StringFormat};

/// The operations of a content stream (or a `CMap`, which is written the same way).
pub(super) fn decode(bytes: &[u8]) -> lopdf::Result<Content<Vec<Operation>>> {
    match Lexer::new(bytes).operations() {
        Some(operations) => Ok(Content { operations }),
        None => Content::decode(bytes),
    }
}

/// Arrays and dictionaries nested deeper than this are left to lopdf (its own limit is 100).
const MAX_DEPTH: usize = 32;

/// Why the fast reading stopped: the stream is left to lopdf.
struct Unusual;

type Read<T> = Result<T, Unusual>;

struct Lexer<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Space between the tokens of an operation (lopdf's `content_space`: no NUL or form feed).
fn is_content_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// White space inside arrays, dictionaries and hexadecimal strings.
fn is_white_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n' | b'\0' | b'\x0c')
}

fn is_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

fn is_regular(b: u8) -> bool {
    !is_white_space(b) && !is_delimiter(b)
}

fn is_operator_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'*' | b'\'' | b'"')
}

/// `whole.fraction` as an `f32` where one division gives the correctly rounded value, which
/// is what `str::parse` gives: at most seven digits, so that the numerator (under 10^7) and the
/// power of ten are exact in an `f32`. The numbers PDF printers write (`595.28`, `-0.0299`)
/// mostly are; others are parsed.
fn exact_f32(
    whole: Option<u64>,
    digits: usize,
    fraction: Option<u64>,
    fraction_digits: usize,
    negative: bool,
) -> Option<f32> {
    const POWERS: [f32; 8] = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7];
    if digits + fraction_digits > 7 {
        return None;
    }
    let scale = 10u64.pow(u32::try_from(fraction_digits).ok()?);
    let numerator = whole? * scale + fraction?;
    #[allow(clippy::cast_precision_loss)] // under 10^7 < 2^24: exact
    let value = numerator as f32 / POWERS[fraction_digits];
    Some(if negative { -value } else { value })
}

fn hex_value(b: u8) -> Option<u8> {
    char::from(b)
        .to_digit(16)
        .and_then(|d| u8::try_from(d).ok())
}

impl<'a> Lexer<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, at: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn skip(&mut self, space: fn(u8) -> bool) {
        while self.peek().is_some_and(space) {
            self.at += 1;
        }
    }

    /// Every operation, or `None` where the stream is unusual.
    fn operations(mut self) -> Option<Vec<Operation>> {
        let mut operations = Vec::new();
        let mut operands = Vec::new();
        self.skip(is_content_space);
        while let Some(b) = self.peek() {
            if is_operator_byte(b) && !self.starts_keyword() {
                let start = self.at;
                while self.peek().is_some_and(is_operator_byte) {
                    self.at += 1;
                }
                let operator = &self.bytes[start..self.at];
                // Inline images have binary data after `ID`; lopdf takes an operation that
                // starts with `BI` for one.
                if operator.starts_with(b"BI") || matches!(operator, b"ID" | b"EI") {
                    return None;
                }
                // One allocation of the right size; `operands` keeps its room for the next.
                let mut taken = Vec::with_capacity(operands.len());
                taken.append(&mut operands);
                operations.push(Operation {
                    operator: String::from_utf8(operator.to_vec()).ok()?,
                    operands: taken,
                });
            } else {
                operands.push(self.object(0, is_content_space).ok()?);
            }
            self.skip(is_content_space);
        }
        // Operands without an operator at the end: lopdf drops them; rare enough to leave it.
        operands.is_empty().then_some(operations)
    }

    /// Whether `true`, `false` or `null` starts here: an operand if it stands alone. If letters
    /// follow (`nullx`), lopdf reads the word as the operand and the rest as an operator, and
    /// `keyword` leaves the stream to it.
    fn starts_keyword(&self) -> bool {
        let rest = &self.bytes[self.at..];
        rest.starts_with(b"true") || rest.starts_with(b"false") || rest.starts_with(b"null")
    }

    /// One object, and the space after it (`space`: which bytes count as space there).
    fn object(&mut self, depth: usize, space: fn(u8) -> bool) -> Read<Object> {
        let object = match self.peek().ok_or(Unusual)? {
            b'/' => Object::Name(self.name()?),
            b'(' => Object::String(self.literal_string()?, StringFormat::Literal),
            b'<' if self.bytes.get(self.at + 1) == Some(&b'<') => {
                Object::Dictionary(self.dictionary(depth + 1)?)
            }
            b'<' => Object::String(self.hex_string()?, StringFormat::Hexadecimal),
            b'[' => Object::Array(self.array(depth + 1)?),
            b'+' | b'-' | b'.' | b'0'..=b'9' => self.number()?,
            _ => self.keyword()?,
        };
        self.skip(space);
        Ok(object)
    }

    fn keyword(&mut self) -> Read<Object> {
        let start = self.at;
        while self.peek().is_some_and(is_regular) {
            self.at += 1;
        }
        match &self.bytes[start..self.at] {
            b"true" => Ok(Object::Boolean(true)),
            b"false" => Ok(Object::Boolean(false)),
            b"null" => Ok(Object::Null),
            _ => Err(Unusual),
        }
    }

    /// `[+-]?digits`, `[+-]?digits.digits*` or `[+-]?.digits`, read as lopdf reads them (an
    /// `i64`, an `f32`).
    fn number(&mut self) -> Read<Object> {
        let start = self.at;
        let negative = self.peek() == Some(b'-');
        if matches!(self.peek(), Some(b'+' | b'-')) {
            self.at += 1;
        }
        let (whole, digits) = self.digits();
        let real = self.peek() == Some(b'.');
        let (fraction, fraction_digits) = if real {
            self.at += 1;
            self.digits()
        } else {
            (Some(0), 0)
        };
        if digits + fraction_digits == 0 {
            return Err(Unusual);
        }
        // lopdf reads `12Tf` as a number and an operator; such streams are left to it.
        if self.peek().is_some_and(is_regular) {
            return Err(Unusual);
        }
        if !real {
            let value = whole.and_then(|w| i64::try_from(w).ok()).ok_or(Unusual)?;
            return Ok(Object::Integer(if negative { -value } else { value }));
        }
        Ok(Object::Real(
            exact_f32(whole, digits, fraction, fraction_digits, negative).map_or_else(
                || {
                    let text = std::str::from_utf8(&self.bytes[start..self.at]).ok();
                    text.and_then(|t| t.parse().ok()).ok_or(Unusual)
                },
                Ok,
            )?,
        ))
    }

    /// The digits here, their value (`None` past `u64`) and how many there are.
    fn digits(&mut self) -> (Option<u64>, usize) {
        let start = self.at;
        let mut value = Some(0u64);
        while let Some(b) = self.peek().filter(u8::is_ascii_digit) {
            value = value
                .and_then(|v| v.checked_mul(10))
                .and_then(|v| v.checked_add(u64::from(b - b'0')));
            self.at += 1;
        }
        (value, self.at - start)
    }

    /// `/Name`, with `#xx` escapes.
    fn name(&mut self) -> Read<Vec<u8>> {
        self.at += 1;
        let mut name = Vec::new();
        while let Some(b) = self.peek() {
            if b == b'#' {
                let high = self.bytes.get(self.at + 1).copied().and_then(hex_value);
                let low = self.bytes.get(self.at + 2).copied().and_then(hex_value);
                let (Some(high), Some(low)) = (high, low) else {
                    return Err(Unusual);
                };
                name.push(high << 4 | low);
                self.at += 3;
            } else if is_regular(b) {
                name.push(b);
                self.at += 1;
            } else {
                break;
            }
        }
        Ok(name)
    }

    /// `(…)`, with escapes and balanced parentheses inside (kept).
    fn literal_string(&mut self) -> Read<Vec<u8>> {
        self.at += 1;
        let mut out = Vec::new();
        let mut open = 0usize;
        loop {
            let b = self.peek().ok_or(Unusual)?;
            self.at += 1;
            match b {
                b')' if open == 0 => return Ok(out),
                b')' => {
                    open -= 1;
                    out.push(b);
                }
                b'(' if open >= MAX_DEPTH => return Err(Unusual),
                b'(' => {
                    open += 1;
                    out.push(b);
                }
                b'\\' => self.escape(&mut out)?,
                _ => out.push(b),
            }
        }
    }

    /// After a backslash in a literal string.
    fn escape(&mut self, out: &mut Vec<u8>) -> Read<()> {
        let b = self.peek().ok_or(Unusual)?;
        if (b'0'..=b'7').contains(&b) {
            // Up to three octal digits; the spec says to ignore overflow.
            let mut value = 0u16;
            let mut count = 0;
            while count < 3 && self.peek().is_some_and(|d| (b'0'..=b'7').contains(&d)) {
                value = value * 8 + u16::from(self.bytes[self.at] - b'0');
                self.at += 1;
                count += 1;
            }
            out.push(value.to_le_bytes()[0]);
            return Ok(());
        }
        self.at += 1;
        match b {
            // A line continuation: nothing.
            b'\r' => {
                if self.peek() == Some(b'\n') {
                    self.at += 1;
                }
            }
            b'\n' => {}
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'b' => out.push(b'\x08'),
            b'f' => out.push(b'\x0c'),
            other => out.push(other),
        }
        Ok(())
    }

    /// `<hex digits>`, white space between them ignored; an odd last digit is a high nibble.
    fn hex_string(&mut self) -> Read<Vec<u8>> {
        self.at += 1;
        let mut out = Vec::new();
        let mut high = true;
        loop {
            self.skip(is_white_space);
            let b = self.peek().ok_or(Unusual)?;
            self.at += 1;
            if b == b'>' {
                return Ok(out);
            }
            let digit = hex_value(b).ok_or(Unusual)?;
            if high {
                out.push(digit << 4);
            } else if let Some(last) = out.last_mut() {
                *last |= digit;
            }
            high = !high;
        }
    }

    fn array(&mut self, depth: usize) -> Read<Vec<Object>> {
        if depth > MAX_DEPTH {
            return Err(Unusual);
        }
        self.at += 1;
        self.skip(is_white_space);
        let mut items = Vec::new();
        loop {
            match self.peek().ok_or(Unusual)? {
                b']' => {
                    self.at += 1;
                    return Ok(items);
                }
                // `1 0 R` (a reference) is read by lopdf as one object.
                b'0'..=b'9' if self.starts_reference() => return Err(Unusual),
                _ => items.push(self.object(depth, is_white_space)?),
            }
        }
    }

    fn dictionary(&mut self, depth: usize) -> Read<Dictionary> {
        if depth > MAX_DEPTH {
            return Err(Unusual);
        }
        self.at += 2;
        self.skip(is_white_space);
        let mut dictionary = Dictionary::new();
        loop {
            match self.peek().ok_or(Unusual)? {
                b'>' if self.bytes.get(self.at + 1) == Some(&b'>') => {
                    self.at += 2;
                    return Ok(dictionary);
                }
                b'/' => {
                    let key = self.name()?;
                    self.skip(is_white_space);
                    if self.peek().is_some_and(|b| b.is_ascii_digit()) && self.starts_reference() {
                        return Err(Unusual);
                    }
                    let value = self.object(depth, is_white_space)?;
                    dictionary.set(key, value);
                }
                _ => return Err(Unusual),
            }
        }
    }

    /// Whether the digits here may begin a reference (`1 0 R`), which is left to lopdf: one or
    /// two unsigned integers, then `R`.
    fn starts_reference(&self) -> bool {
        let rest = &self.bytes[self.at..];
        let mut i = 0;
        for _ in 0..2 {
            let digits = rest[i..].iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 {
                break;
            }
            i += digits;
            i += rest[i..].iter().take_while(|&&b| is_white_space(b)).count();
            if rest.get(i) == Some(&b'R') {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests;
