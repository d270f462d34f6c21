//! Label normalisation: what makes `(二) 部分公开 (区分处理的, …)` and
//! `（二）部分公开（区分处理的，…）` the same label. Widths, brackets, quotes, dots and spaces
//! are unified and traditional characters made simplified; ordinals (`一、`, `（三）`, `1.`)
//! can be split off so that a label which lost or changed its number still matches.

/// The normal form of a label: compare two labels by comparing these.
#[must_use]
pub fn normalize(label: &str) -> String {
    let out = normalize_simplified(label);
    if out.is_ascii() {
        out
    } else {
        fast2s::convert(&out)
    }
}

/// [`normalize`] for text known to be in simplified characters: the conversion from
/// traditional characters, which costs most of the time, is skipped.
pub fn normalize_simplified(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    normalize_into(&mut out, label);
    out
}

/// Appends the normal form of `text` (simplified characters assumed) to `out`, and returns
/// the [`char_bits`] of what it appended.
pub fn normalize_into(out: &mut String, text: &str) -> u128 {
    let mut bits = 0;
    // Most cells are a short number: copied byte by byte, without the cost of a copy call.
    if text.len() <= 16 && text.bytes().all(|b| b.is_ascii_digit()) {
        for b in text.bytes() {
            let c = char::from(b);
            out.push(c);
            bits |= char_bit(c);
        }
        return bits;
    }
    // Runs of characters that are their own normal form (ideographs, lower-case letters,
    // digits, most ASCII punctuation) are copied whole.
    let mut run = 0;
    for (at, c) in text.char_indices() {
        let unchanged = if c.is_ascii() {
            c.is_ascii_graphic() && !c.is_ascii_uppercase()
        } else {
            ('\u{4e00}'..='\u{9fff}').contains(&c)
        };
        if unchanged {
            bits |= char_bit(c);
        } else {
            out.push_str(&text[run..at]);
            let before = out.len();
            push_normalized(out, c);
            bits |= char_bits(&out[before..]);
            run = at + c.len_utf8();
        }
    }
    out.push_str(&text[run..]);
    bits
}

/// Characters that exist only in traditional writing and are frequent in reports, sorted.
const TRADITIONAL: &[char] = &[
    '來', '個', '們', '動', '務', '區', '參', '員', '問', '國', '執', '報', '實', '審', '將', '對',
    '廢', '後', '從', '復', '應', '數', '時', '書', '會', '條', '業', '機', '檔', '權', '決', '為',
    '無', '獲', '現', '當', '發', '確', '範', '糾', '組', '結', '經', '維', '總', '織', '罰', '義',
    '與', '舉', '處', '補', '製', '規', '計', '訪', '許', '訴', '詢', '說', '請', '議', '護', '費',
    '購', '轉', '辦', '這', '進', '過', '還', '邊', '門', '開', '關', '項', '題', '類', '體', '點',
];

const CJK_FIRST: u32 = 0x4e00;
const CJK_LAST: u32 = 0x9fff;

/// [`TRADITIONAL`] as a bitmap over the CJK block, for a test in a few instructions.
const TRADITIONAL_BITS: [u64; ((CJK_LAST - CJK_FIRST) / 64 + 1) as usize] = {
    let mut bits = [0u64; ((CJK_LAST - CJK_FIRST) / 64 + 1) as usize];
    let mut i = 0;
    while i < TRADITIONAL.len() {
        let at = TRADITIONAL[i] as u32 - CJK_FIRST;
        bits[(at / 64) as usize] |= 1 << (at % 64);
        i += 1;
    }
    bits
};

/// How many characters that exist only in traditional writing make a text traditional: a
/// report written so has them in every line (over 200 in its first 2,000 characters); one
/// label or heading printed in traditional characters in a simplified report has a few,
/// and is a drifted label, said so, not a reason to read the whole report as traditional.
const MIN_TRADITIONAL: usize = 16;

/// Whether a text is written in traditional characters: a few frequent characters that
/// exist only in traditional writing decide it. Used once per report, so that reports in
/// simplified characters (nearly all) skip the conversion.
pub fn uses_traditional(text: &str) -> bool {
    // Over the first 2048 characters, stepping from lead byte to lead byte and decoding
    // only the three-byte characters of the CJK block (lead bytes E4–E9): no other can be
    // traditional.
    const WIDTH: [u8; 256] = {
        let mut width = [1u8; 256];
        let mut b = 0xc0;
        while b < 256 {
            width[b] = if b < 0xe0 {
                2
            } else if b < 0xf0 {
                3
            } else {
                4
            };
            b += 1;
        }
        width
    };
    let bytes = text.as_bytes();
    let (mut at, mut chars, mut found) = (0, 0, 0);
    while chars < 2048 {
        match bytes.get(at..) {
            Some(&[lead @ 0xe4..=0xe9, second, third, ..]) => {
                let code = (u32::from(lead & 0x0f) << 12)
                    | (u32::from(second & 0x3f) << 6)
                    | u32::from(third & 0x3f);
                if is_traditional_code(code) {
                    found += 1;
                    if found == MIN_TRADITIONAL {
                        return true;
                    }
                }
                at += 3;
            }
            Some(&[lead, ..]) => at += usize::from(WIDTH[usize::from(lead)]),
            _ => break,
        }
        chars += 1;
    }
    false
}

fn is_traditional_code(code: u32) -> bool {
    let at = code.wrapping_sub(CJK_FIRST);
    at <= CJK_LAST - CJK_FIRST && TRADITIONAL_BITS[(at / 64) as usize] & (1 << (at % 64)) != 0
}

/// Whether a text plainly does not start with whitespace: its first byte is printable
/// ASCII or starts a character that is not a space (every Unicode space starts with a
/// control byte, 0x20, or one of C2 E1 E2 E3).
fn starts_plain(text: &str) -> bool {
    text.as_bytes()
        .first()
        .is_some_and(|&b| b > b' ' && !matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3))
}

/// Whether a text plainly does not end with whitespace (see [`starts_plain`]).
fn ends_plain(text: &str) -> bool {
    let bytes = text.as_bytes();
    let lead = bytes
        .iter()
        .rev()
        .take(4)
        .find(|&&b| !(0x80..=0xbf).contains(&b));
    lead.is_some_and(|&b| b > b' ' && !matches!(b, 0xc2 | 0xe1 | 0xe2 | 0xe3))
}

/// `str::trim_start`, skipping the work when there is plainly nothing to trim.
pub fn trim_start(text: &str) -> &str {
    if starts_plain(text) {
        text
    } else {
        text.trim_start()
    }
}

/// `str::trim_end`, skipping the work when there is plainly nothing to trim.
pub fn trim_end(text: &str) -> &str {
    if ends_plain(text) {
        text
    } else {
        text.trim_end()
    }
}

/// `str::trim`, skipping the work when there is plainly nothing to trim.
pub fn trim(text: &str) -> &str {
    trim_end(trim_start(text))
}

/// One bit per character (hashed into 128 bits): if a text contains another, the other's
/// bits are a subset of its bits. A cheap test that rules out most non-matches before a
/// substring search.
#[must_use]
pub fn char_bits(text: &str) -> u128 {
    text.chars().fold(0, |bits, c| bits | char_bit(c))
}

fn char_bit(c: char) -> u128 {
    1u128 << ((c as u32).wrapping_mul(0x9e37_79b1) >> 25)
}

/// Whether `haystack` (with [`char_bits`] `haystack_bits`) contains `needle` (with bits
/// `needle_bits`).
#[must_use]
pub fn contains_with_bits(
    haystack: &str,
    haystack_bits: u128,
    needle: &str,
    needle_bits: u128,
) -> bool {
    needle_bits & !haystack_bits == 0 && haystack.contains(needle)
}

fn push_normalized(out: &mut String, c: char) {
    // The common cases first: ideographs and ASCII letters and digits stay as they are.
    if ('\u{4e00}'..='\u{9fff}').contains(&c) {
        out.push(c);
        return;
    }
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match c {
        // Spaces of every width, and line breaks inside labels, carry no meaning.
        c if c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}' => {}
        // Full-width ASCII forms.
        '\u{ff01}'..='\u{ff5e}' => {
            let ascii = char::from_u32(c as u32 - 0xfee0).unwrap_or(c);
            push_normalized(out, ascii);
        }
        '“' | '”' | '„' | '‟' | '〝' | '〞' | '「' | '」' | '『' | '』' => {
            out.push('"');
        }
        '‘' | '’' | '‚' | '‛' => out.push('\''),
        '·' | '・' | '｡' => out.push('.'),
        '、' => out.push(','),
        '〔' | '【' => out.push('['),
        '〕' | '】' => out.push(']'),
        '—' | '–' | '―' | '─' => out.push('-'),
        c if c.is_ascii() => out.push(c.to_ascii_lowercase()),
        // CJK ideographs and other letters are already in normal form; anything else goes
        // through NFKC (circled numbers, compatibility ideographs, …).
        c if ('\u{4e00}'..='\u{9fff}').contains(&c) => out.push(c),
        c => {
            use unicode_normalization::UnicodeNormalization as _;
            for d in std::iter::once(c).nfkc() {
                if d == c || d.is_ascii() {
                    if d.is_whitespace() {
                        continue;
                    }
                    out.push(d.to_ascii_lowercase());
                } else {
                    push_normalized(out, d);
                }
            }
        }
    }
}

/// Splits a normalised label into its ordinal and the rest: `(三)不予公开` → (`(三)`,
/// `不予公开`); `1.属于国家秘密` → (`1.`, `属于国家秘密`); `一,本年新收…` → (`一,`, `本年新收…`).
pub fn split_ordinal(normalized: &str) -> (&str, &str) {
    let bytes = normalized.as_bytes();
    // (一) / (1)
    if let Some(rest) = normalized.strip_prefix('(') {
        if let Some(close) = rest.find(')') {
            if close > 0 && rest[..close].chars().all(is_ordinal_char) {
                let end = 1 + close + 1;
                return (&normalized[..end], &normalized[end..]);
            }
        }
    }
    // 一, / 1. / 1, / 十一,
    let digits: usize = normalized
        .chars()
        .take_while(|&c| is_ordinal_char(c))
        .map(char::len_utf8)
        .sum();
    if digits > 0 && digits < bytes.len() && matches!(bytes[digits], b'.' | b',') {
        return (&normalized[..=digits], &normalized[digits + 1..]);
    }
    ("", normalized)
}

fn is_ordinal_char(c: char) -> bool {
    c.is_ascii_digit() || "一二三四五六七八九十".contains(c)
}

/// Whether a cell's text reads as a value rather than a label: a number (with sign or unit)
/// or a mark for nothing.
pub fn looks_like_value(text: &str) -> bool {
    let t = trim(text);
    if t.is_empty() {
        return true;
    }
    // The common cases first: a plain count, and a label that starts with an ideograph
    // (which no value does but `减4`, `增1` and `无`).
    if t.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    if let Some(c) = t.chars().next() {
        if ('\u{4e00}'..='\u{9fff}').contains(&c) && !matches!(c, '减' | '減' | '增' | '无') {
            return false;
        }
    }
    if is_nothing_mark(t) || is_html_space(t) {
        return true;
    }
    let t = t.strip_prefix(['减', '減', '增']).unwrap_or(t).trim_start();
    let t = t
        .trim_end_matches(['元', '%', '％', '件', '条', '個', '个', '项', '項', '條'])
        .trim_end_matches(['万', '萬'])
        .trim_end();
    let t = t
        .trim_start_matches(['+', '-', '＋', '－', '−'])
        .trim_start();
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '０'..='９' | '．' | '，'))
        && t.chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// The marks real reports print for "nothing" or "not applicable".
pub fn is_nothing_mark(text: &str) -> bool {
    matches!(
        trim(text),
        "/" | "／" | "-" | "－" | "—" | "——" | "–" | "无" | "\\" | "—/—" | "_" | "＼"
    )
}

/// Whether a text is only HTML's non-breaking space written out (`&nbsp;`, `&#160;`), as
/// text copied from a page's source keeps it: an empty cell.
pub fn is_html_space(text: &str) -> bool {
    let mut rest = trim(text);
    if !rest.starts_with('&') {
        return false;
    }
    while !rest.is_empty() {
        let Some(after) = ["&nbsp;", "&#160;", "&#xa0;", "&nbsp"]
            .iter()
            .find_map(|entity| {
                rest.get(..entity.len())
                    .filter(|head| head.eq_ignore_ascii_case(entity))
                    .map(|_| &rest[entity.len()..])
            })
        else {
            return false;
        };
        rest = after.trim_start();
    }
    true
}
