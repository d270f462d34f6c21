//! Numbers as prose writes them. (Minimal version: Arabic and full-width digits, thousands
//! separators, decimals, a trailing % or ％.)

use rust_decimal::Decimal;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatedNumber {
    pub value: Decimal,
    pub start: usize,
    pub end: usize,
    pub percent: bool,
    pub decimals: u32,
}

fn digit(c: char) -> Option<u32> {
    match c {
        '0'..='9' => c.to_digit(10),
        '０'..='９' => Some(c as u32 - '０' as u32),
        _ => None,
    }
}

/// The number written at byte `at` of `text`, or None.
#[must_use]
pub fn number_at(text: &str, at: usize) -> Option<StatedNumber> {
    let rest = text.get(at..)?;
    let mut digits = String::new();
    let mut end = at;
    let mut decimals = 0;
    let mut in_fraction = false;
    let mut chars = rest.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if let Some(d) = digit(c) {
            digits.push(char::from_digit(d, 10)?);
            if in_fraction {
                decimals += 1;
            }
            end = at + i + c.len_utf8();
            continue;
        }
        let next_is_digit = chars.peek().is_some_and(|(_, n)| digit(*n).is_some());
        match c {
            ',' | '，' if !in_fraction && !digits.is_empty() && next_is_digit => {
                // A thousands separator has three digits after it.
                let group: String = rest[i + c.len_utf8()..].chars().take(4).collect();
                let run = group.chars().take_while(|g| digit(*g).is_some()).count();
                if run != 3 {
                    break;
                }
            }
            '.' | '．' if !in_fraction && !digits.is_empty() && next_is_digit => {
                in_fraction = true;
                digits.push('.');
            }
            _ => break,
        }
    }
    if digits.is_empty() {
        return None;
    }
    let value: Decimal = digits.parse().ok()?;
    let after = &text[end..];
    let percent = after.starts_with('%') || after.starts_with('％');
    if percent {
        end += after.chars().next().map_or(0, char::len_utf8);
    }
    Some(StatedNumber {
        value,
        start: at,
        end,
        percent,
        decimals,
    })
}

/// Every number written in `text`, in order, not overlapping.
#[must_use]
pub fn numbers_in(text: &str) -> Vec<StatedNumber> {
    let mut out = Vec::new();
    let mut at = 0;
    while at < text.len() {
        if let Some(n) = number_at(text, at) {
            at = n.end;
            out.push(n);
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}
