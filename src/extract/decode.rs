//! Bytes → text. Reports arrive as UTF-8 (with or without a byte-order mark) or as GB18030
//! (of which GBK and GB2312 are subsets); an HTML page may say which in `<meta charset>`.

use std::borrow::Cow;

/// Why bytes cannot be read as a report at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    Empty,
    /// NUL bytes or other control characters: not a text document.
    Binary {
        at: usize,
    },
}

/// Decodes a report's bytes. `html` says whether to honour a `<meta charset>` declaration.
/// Valid UTF-8 is borrowed, not copied.
pub fn decode(bytes: &[u8], html: bool) -> Result<(Cow<'_, str>, &'static str), DecodeError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(DecodeError::Empty);
    }
    // Control bytes other than tab, line breaks and form feed mean a binary file (an image,
    // a PDF, a compressed archive). In UTF-8 and GB18030 alike these bytes stand only for
    // themselves, so the check can be made on the bytes.
    if let Some(at) = first_binary_byte(&bytes[..bytes.len().min(64 * 1024)]) {
        return Err(DecodeError::Binary { at });
    }
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return Ok((String::from_utf8_lossy(rest), "UTF-8"));
    }
    // Valid UTF-8 wins over a declaration: pages are often re-saved without updating
    // their `<meta charset>`, and GBK text is almost never valid UTF-8 by accident.
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), "UTF-8"));
    }
    let encoding = if html {
        declared_charset(bytes).unwrap_or(encoding_rs::GB18030)
    } else {
        encoding_rs::GB18030
    };
    let (text, actual, _had_errors) = encoding.decode(bytes);
    Ok((text, name_of(actual)))
}

/// The offset of the first binary byte, if any. Blocks without one (nearly all) are passed
/// over with a test the compiler vectorises.
fn first_binary_byte(bytes: &[u8]) -> Option<usize> {
    const BLOCK: usize = 64;
    let mut offset = 0;
    for block in bytes.chunks(BLOCK) {
        if block.iter().fold(false, |any, &b| any | is_binary_byte(b)) {
            return block
                .iter()
                .position(|&b| is_binary_byte(b))
                .map(|i| offset + i);
        }
        offset += block.len();
    }
    None
}

fn is_binary_byte(b: u8) -> bool {
    (b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c)) || b == 0x7f
}

fn name_of(encoding: &'static encoding_rs::Encoding) -> &'static str {
    if encoding == encoding_rs::GBK || encoding == encoding_rs::GB18030 {
        "GB18030"
    } else {
        encoding.name()
    }
}

/// The encoding a page declares in its first few kilobytes (`<meta charset="gbk">` or
/// `<meta http-equiv="Content-Type" content="text/html; charset=gb2312">`).
fn declared_charset(bytes: &[u8]) -> Option<&'static encoding_rs::Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let lower: Vec<u8> = head.iter().map(u8::to_ascii_lowercase).collect();
    let mut from = 0;
    while let Some(pos) = find(&lower[from..], b"charset") {
        let at = from + pos + b"charset".len();
        let rest = &lower[at..];
        let rest = rest.strip_prefix(b"=").or_else(|| {
            let trimmed = rest
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map(|i| &rest[i..])?;
            trimmed.strip_prefix(b"=")
        });
        if let Some(rest) = rest {
            let label: Vec<u8> = rest
                .iter()
                .skip_while(|b| b.is_ascii_whitespace() || **b == b'"' || **b == b'\'')
                .take_while(|b| b.is_ascii_alphanumeric() || **b == b'-' || **b == b'_')
                .copied()
                .collect();
            if let Some(encoding) = encoding_rs::Encoding::for_label(&label) {
                // A page that says GB2312 or GBK is decoded as GB18030, their superset.
                return Some(if encoding == encoding_rs::GBK {
                    encoding_rs::GB18030
                } else {
                    encoding
                });
            }
        }
        from = at;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}
