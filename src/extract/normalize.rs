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
    for c in label.chars() {
        push_normalized(&mut out, c);
    }
    out
}

/// Whether a text is written in traditional characters: a few frequent characters that
/// exist only in traditional writing decide it. Used once per report, so that reports in
/// simplified characters (nearly all) skip the conversion.
pub fn uses_traditional(text: &str) -> bool {
    // Sorted, for binary search.
    const TRADITIONAL: &[char] = &[
        '來', '個', '們', '動', '務', '區', '參', '員', '問', '國', '執', '報', '實', '審', '將',
        '對', '廢', '後', '從', '復', '應', '數', '時', '書', '會', '條', '業', '機', '檔', '權',
        '決', '為', '無', '獲', '現', '當', '發', '確', '範', '糾', '組', '結', '經', '維', '總',
        '織', '罰', '義', '與', '舉', '處', '補', '製', '規', '計', '訪', '許', '訴', '詢', '說',
        '請', '議', '護', '費', '購', '轉', '辦', '這', '進', '過', '還', '邊', '門', '開', '關',
        '項', '題', '類', '體', '點',
    ];
    text.chars()
        .take(2048)
        .filter(|c| *c >= '\u{4e00}' && TRADITIONAL.binary_search(c).is_ok())
        .take(3)
        .count()
        >= 3
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
    let t = text.trim();
    if t.is_empty() {
        return true;
    }
    if is_nothing_mark(t) {
        return true;
    }
    let t = t.strip_prefix(['减', '增']).unwrap_or(t);
    let t = t
        .trim_end_matches(['元', '%', '％', '件', '条', '个', '项'])
        .trim_end_matches('万');
    let t = t.trim_start_matches(['+', '-', '＋', '－', '−']);
    !t.is_empty()
        && t.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '０'..='９' | '．' | '，'))
        && t.chars()
            .any(|c| c.is_ascii_digit() || ('０'..='９').contains(&c))
}

/// The marks real reports print for "nothing" or "not applicable".
pub fn is_nothing_mark(text: &str) -> bool {
    matches!(
        text.trim(),
        "/" | "／" | "-" | "－" | "—" | "——" | "–" | "无" | "\\" | "—/—" | "_" | "＼"
    )
}
