//! Bytes → text. Reports arrive as UTF-8 (with or without a byte-order mark), as GB18030
//! (of which GBK and GB2312 are subsets), or, saved by some editors, as UTF-16 with a
//! byte-order mark; an HTML page may say which in `<meta charset>`. A UTF-8 file with a few
//! stray bytes stays UTF-8: the stray bytes are replaced and reported, not taken as a sign
//! that the whole file is GB18030.

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

/// A text decoded from a report's bytes.
#[derive(Debug)]
pub struct Decoded<'b> {
    pub text: Cow<'b, str>,
    pub encoding: &'static str,
    /// The byte offsets (in the input) of the bytes that were not valid in `encoding` and
    /// were replaced by U+FFFD.
    pub invalid: Vec<usize>,
}

impl<'b> Decoded<'b> {
    fn clean(text: Cow<'b, str>, encoding: &'static str) -> Self {
        Self {
            text,
            encoding,
            invalid: Vec::new(),
        }
    }
}

/// A UTF-8 text with more invalid sequences than one per this many valid multi-byte
/// characters is taken for GB18030 (in GB18030 Chinese text nearly every character is an
/// invalid UTF-8 sequence; a UTF-8 file damaged in a few places has a handful).
const VALID_PER_INVALID: usize = 20;

/// Decodes a report's bytes. `html` says whether to honour a `<meta charset>` declaration.
/// Valid UTF-8 is borrowed, not copied.
pub fn decode(bytes: &[u8], html: bool) -> Result<Decoded<'_>, DecodeError> {
    if let Some(decoded) = decode_utf16(bytes) {
        return if decoded.text.trim().is_empty() {
            Err(DecodeError::Empty)
        } else {
            Ok(decoded)
        };
    }
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
        return Ok(lossy_utf8(rest, 3));
    }
    // Valid UTF-8 wins over a declaration: pages are often re-saved without updating
    // their `<meta charset>`, and GBK text is almost never valid UTF-8 by accident.
    // Checked with SIMD: Chinese text is nearly all multi-byte sequences, which the standard
    // library's check walks one at a time (a tenth of the cost of reading a text report).
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(Decoded::clean(Cow::Borrowed(text), "UTF-8"));
    }
    let declared = if html { declared_charset(bytes) } else { None };
    let (valid, invalid) = utf8_census(bytes);
    if declared.is_none_or(|d| d == encoding_rs::UTF_8)
        && valid > 0
        && invalid * VALID_PER_INVALID <= valid
    {
        return Ok(lossy_utf8(bytes, 0));
    }
    let encoding = declared.unwrap_or(encoding_rs::GB18030);
    let (text, actual, _had_errors) = encoding.decode(bytes);
    Ok(Decoded::clean(text, name_of(actual)))
}

/// UTF-16 text that starts with a byte-order mark.
fn decode_utf16(bytes: &[u8]) -> Option<Decoded<'_>> {
    let (encoding, name) = match bytes {
        [0xff, 0xfe, ..] => (encoding_rs::UTF_16LE, "UTF-16LE"),
        [0xfe, 0xff, ..] => (encoding_rs::UTF_16BE, "UTF-16BE"),
        _ => return None,
    };
    let (text, _) = encoding.decode_with_bom_removal(bytes);
    // Unpaired surrogates and a dangling last byte are replaced; where they were is said
    // in units of the input.
    let invalid = if text.contains('\u{fffd}') {
        let units: Vec<u16> = bytes[2..]
            .chunks(2)
            .map(|pair| match (encoding == encoding_rs::UTF_16LE, pair) {
                (true, [a, b]) => u16::from_le_bytes([*a, *b]),
                (false, [a, b]) => u16::from_be_bytes([*a, *b]),
                _ => 0xdc00,
            })
            .collect();
        let mut offsets = Vec::new();
        let mut at = 0;
        for unit in char::decode_utf16(units.iter().copied()) {
            if let Ok(c) = unit {
                at += c.len_utf16();
            } else {
                offsets.push(2 + 2 * at);
                at += 1;
            }
        }
        offsets
    } else {
        Vec::new()
    };
    Some(Decoded {
        text: Cow::Owned(text.into_owned()),
        encoding: name,
        invalid,
    })
}

/// Counts the valid multi-byte characters and the invalid sequences of a UTF-8 text.
fn utf8_census(bytes: &[u8]) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    for chunk in bytes.utf8_chunks() {
        valid += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        invalid += usize::from(!chunk.invalid().is_empty());
    }
    (valid, invalid)
}

/// UTF-8 with its invalid sequences replaced; `offset` is where `bytes` start in the input.
fn lossy_utf8(bytes: &[u8], offset: usize) -> Decoded<'_> {
    let mut invalid = Vec::new();
    let mut at = offset;
    for chunk in bytes.utf8_chunks() {
        at += chunk.valid().len();
        if !chunk.invalid().is_empty() {
            invalid.push(at);
            at += chunk.invalid().len();
        }
    }
    Decoded {
        text: String::from_utf8_lossy(bytes),
        encoding: "UTF-8",
        invalid,
    }
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
