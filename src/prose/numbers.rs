//! Numbers as people write them in the prose of an annual report.
//!
//! [`number_at`] reads the number written at one byte of a text; [`numbers_in`] reads every
//! number of a text. Both only read: what a number counts (its unit, the words before it) is
//! the caller's business. What counts as a number:
//!
//! - **Arabic numerals**, ASCII or full-width (`12`, `１２`), with a decimal point `.`/`．`
//!   (`12.5`) and with thousands separators `,`/`，` only where every group after the first has
//!   exactly three digits (`1,234`, `1，234`; `1，2` is two numbers). A separator is not read
//!   before a percent sign (`12，100%` is 12 and 100%): nobody writes a share in thousands.
//! - **Chinese numerals**: 零〇一二两三四五六七八九 (and the financial 壹贰叁肆伍陆柒捌玖拾佰仟),
//!   十百千万亿 in their usual order (`十二`, `一十二`, `二十`, `一百零五`, `一千零二十`, `两千`,
//!   `三万五千`), the spoken shorthand for a last digit (`一百五` = 150, `三万五` = 35000), digit by
//!   digit (`二〇二三`), with a decimal part after 点 (`七十五点五`).
//! - **Percentages**: a number followed by `%`/`％` (spaces allowed between), or 百分之 followed
//!   by a number (`百分之七十五`, `百分之七十五点五`, `百分之百`). The span then includes the sign
//!   or the 百分之.
//!
//! **万 and 亿.** A 万 or 亿 after a number multiplies it (`1.2万` = 12000, `1.2万件` = 12000,
//! `三万五千` = 35000) — except directly before 元: `3.5万元` and `三万元` are read as 3.5 and 3,
//! ending before the 万, so that the caller sees the unit 万元, the unit the tables keep money
//! in. `decimals` is the number of decimal places the value was printed with, in the value's own
//! scale: 75.0% has 1; 1.25万 (12500) has 0, 1.23456万 (12345.6) has 1.
//!
//! **Being conservative.** Chinese numeral characters are also ordinary words (一般, 统一, 一些,
//! 一方面, 十分, 万一, 千万, 百姓, 一是/二是 listing points), so a Chinese numeral is a number only
//! when it is followed, after optional spaces, by a unit or counter of [`UNITS`] or a percent sign
//! (or it follows 百分之), and not when it opens a set phrase of [`SET_PHRASES`] (一条龙, 一次性,
//! 一件事…; 一起 only where the clause goes on: 一起推进). Approximations (`十余件`, `二十多家`)
//! are not read: 余/多 is not a unit. Arabic numerals need no unit. Neither kind is read after 第 (ordinals: 第一, 第3次) nor from the middle of
//! another number. Dates are numbers (`2023年` is 2023): whether a number is a year is for the
//! caller to decide from what follows.

use std::str::FromStr;

use rust_decimal::Decimal;

/// A number stated in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatedNumber {
    /// The value; a percentage is the number before the sign (75% → 75).
    pub value: Decimal,
    /// Byte offset of the first character of the number (of 百分之 for such a percentage).
    pub start: usize,
    /// Byte offset after the number, after its `%`/`％` when `percent`.
    pub end: usize,
    /// Written as a percentage (`75%`, `75％`, `百分之七十五`).
    pub percent: bool,
    /// Decimal places as printed (for rounding checks): `75.0%` → 1, `12` → 0.
    pub decimals: u32,
}

/// Units and counters after which a Chinese numeral is read as a number (besides `%`/`％`).
/// Money in 万元/亿元 is listed because `三万元` is read as 3 before the unit 万元.
pub const UNITS: &[&str] = &[
    "万元", "亿元", "件", "条", "个", "项", "份", "次", "起", "篇", "人", "名", "家", "元", "年",
    "月", "日", "天", "批", "期", "场", "类", "户", "宗", "例", "位", "封", "套", "倍", "种", "轮",
    "周", "小时",
];

/// Set phrases that open with a Chinese numeral and a counter but state no quantity.
pub const SET_PHRASES: &[&str] = &["一条龙", "一次性", "一件事", "一次办", "一起", "一年一度"];

/// 一起 is "together" (一起推进) unless the clause ends after it: 被提起行政诉讼一起。 counts one case.
fn counts_cases(rest: &str) -> bool {
    rest.strip_prefix("一起").is_some_and(|after| {
        after
            .chars()
            .next()
            .is_none_or(|c| "，。；、：,.;:）)\n".contains(c))
    })
}

/// Longest run of Chinese numeral characters read as one number; longer runs are not numbers
/// (and keep the scan linear on hostile input).
const MAX_CHINESE_RUN: usize = 32;

/// Most decimal places a `Decimal` keeps exactly; longer fractions would be rounded.
const MAX_DECIMALS: usize = 28;

/// Most thousands groups read after the first.
const MAX_GROUPS: usize = 10;

/// The number written at byte `at` of `text` (see the module documentation for what counts),
/// or `None`, also when `at` is not a character boundary or lies inside another number.
pub fn number_at(text: &str, at: usize) -> Option<StatedNumber> {
    if !text.is_char_boundary(at) || at >= text.len() {
        return None;
    }
    let before = text[..at].chars().next_back();
    if before.is_some_and(|c| c == '第') {
        return None;
    }
    let rest = &text[at..];
    if let Some(after) = rest.strip_prefix("百分之") {
        return percent_in_words(after, at + "百分之".len()).map(|mut n| {
            n.start = at;
            n
        });
    }
    let first = rest.chars().next()?;
    if arabic_digit(first).is_some() {
        if before.is_some_and(|c| arabic_digit(c).is_some() || is_point(c)) {
            return None;
        }
        return arabic(text, at);
    }
    if chinese_value(first).is_some() {
        if before.is_some_and(|c| chinese_value(c).is_some() || c == '点') {
            return None;
        }
        if SET_PHRASES.iter().any(|p| rest.starts_with(p)) && !counts_cases(rest) {
            return None;
        }
        let n = chinese(text, at)?;
        return (n.percent || unit_follows(&text[n.end..])).then_some(n);
    }
    None
}

/// Every number written in `text`, in order and not overlapping.
pub fn numbers_in(text: &str) -> Vec<StatedNumber> {
    let mut found = Vec::new();
    let mut at = 0;
    while at < text.len() {
        if let Some(n) = number_at(text, at) {
            at = n.end;
            found.push(n);
        } else {
            at += text[at..].chars().next().map_or(1, char::len_utf8);
        }
    }
    found
}

fn arabic_digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => u8::try_from(u32::from(c) - u32::from('０')).ok(),
        _ => None,
    }
}

fn is_point(c: char) -> bool {
    matches!(c, '.' | '．')
}

fn is_separator(c: char) -> bool {
    matches!(c, ',' | '，')
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}' | '\u{a0}')
}

/// The run of Arabic digits at the start of `s`: its ASCII digits and its length in bytes.
fn digit_run(s: &str) -> (String, usize) {
    let mut digits = String::new();
    let mut len = 0;
    for c in s.chars() {
        let Some(d) = arabic_digit(c) else { break };
        digits.push(char::from(b'0' + d));
        len += c.len_utf8();
    }
    (digits, len)
}

/// An Arabic number at `at` (a digit is there).
fn arabic(text: &str, at: usize) -> Option<StatedNumber> {
    let (mut integer, len) = digit_run(&text[at..]);
    let mut end = at + len;
    // Thousands groups: only after a first group of one to three digits, each exactly three.
    if integer.len() <= 3 {
        let mut grouped = integer.clone();
        let mut grouped_end = end;
        // Enough groups for any value a Decimal holds; the cap keeps scans linear.
        for _ in 0..MAX_GROUPS {
            let rest = &text[grouped_end..];
            let Some(sep) = rest.chars().next().filter(|&c| is_separator(c)) else {
                break;
            };
            let (group, len) = digit_run(&rest[sep.len_utf8()..]);
            if group.len() != 3 {
                break;
            }
            grouped.push_str(&group);
            grouped_end += sep.len_utf8() + len;
        }
        if grouped_end > end && !percent_sign_follows(&text[grouped_end..]) {
            integer = grouped;
            end = grouped_end;
        }
    }
    let mut fraction = String::new();
    let mut rest = &text[end..];
    if let Some(point) = rest.chars().next().filter(|&c| is_point(c)) {
        let (digits, len) = digit_run(&rest[point.len_utf8()..]);
        if len > 0 {
            fraction = digits;
            end += point.len_utf8() + len;
            rest = &text[end..];
        }
    }
    if fraction.len() > MAX_DECIMALS {
        return None;
    }
    let mut decimals = u32::try_from(fraction.len()).ok()?;
    let mut value = Decimal::from_str(&format!("{integer}.{fraction}")).ok()?;
    if let Some((scale, len)) = multiplier(rest) {
        value = scaled(value, scale, &mut decimals)?;
        end += len;
    }
    Some(with_percent(text, at, end, value, decimals))
}

/// A 万/亿 at the start of `s` that multiplies the number before it (not before 元): its
/// power of ten and its length in bytes.
fn multiplier(s: &str) -> Option<(u32, usize)> {
    let mut chars = s.chars();
    let scale = match chars.next()? {
        '万' | '萬' => 4,
        '亿' | '億' => 8,
        _ => return None,
    };
    (chars.next() != Some('元')).then_some((scale, '万'.len_utf8()))
}

/// `value` × 10^`power`, its printed decimals reduced accordingly.
fn scaled(value: Decimal, power: u32, decimals: &mut u32) -> Option<Decimal> {
    let factor = Decimal::from(10_u64.pow(power));
    let mut value = value.checked_mul(factor)?;
    *decimals = decimals.saturating_sub(power);
    value.rescale(*decimals);
    Some(value)
}

fn percent_sign_follows(s: &str) -> bool {
    s.trim_start_matches(is_space).starts_with(['%', '％'])
}

/// The number from `start` to `end`, extended over a following percent sign.
fn with_percent(
    text: &str,
    start: usize,
    end: usize,
    value: Decimal,
    decimals: u32,
) -> StatedNumber {
    let rest = &text[end..];
    let trimmed = rest.trim_start_matches(is_space);
    let sign = trimmed.chars().next().filter(|c| matches!(c, '%' | '％'));
    let (end, percent) = match sign {
        Some(c) => (end + (rest.len() - trimmed.len()) + c.len_utf8(), true),
        None => (end, false),
    };
    StatedNumber {
        value,
        start,
        end,
        percent,
        decimals,
    }
}

/// 百分之 then a number (`after` starts at byte `at` of the whole text).
fn percent_in_words(after: &str, at: usize) -> Option<StatedNumber> {
    let first = after.chars().next()?;
    let (value, decimals, len) = if arabic_digit(first).is_some() {
        let n = arabic(after, 0)?;
        if n.percent {
            return None;
        }
        (n.value, n.decimals, n.end)
    } else if after.starts_with('百') && !after[3..].starts_with(|c| chinese_value(c).is_some()) {
        (Decimal::ONE_HUNDRED, 0, '百'.len_utf8())
    } else {
        let n = chinese(after, 0)?;
        (n.value, n.decimals, n.end)
    };
    Some(StatedNumber {
        value,
        start: at,
        end: at + len,
        percent: true,
        decimals,
    })
}

/// What a Chinese numeral character stands for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Numeral {
    Digit(u8),
    /// 十 百 千: a power of ten within a group of four digits.
    Small(u32),
    /// 万 亿.
    Big(u32),
}

fn chinese_value(c: char) -> Option<Numeral> {
    Some(match c {
        '零' | '〇' => Numeral::Digit(0),
        '一' | '壹' => Numeral::Digit(1),
        '二' | '两' | '贰' | '兩' => Numeral::Digit(2),
        '三' | '叁' => Numeral::Digit(3),
        '四' | '肆' => Numeral::Digit(4),
        '五' | '伍' => Numeral::Digit(5),
        '六' | '陆' | '陸' => Numeral::Digit(6),
        '七' | '柒' => Numeral::Digit(7),
        '八' | '捌' => Numeral::Digit(8),
        '九' | '玖' => Numeral::Digit(9),
        '十' | '拾' => Numeral::Small(1),
        '百' | '佰' => Numeral::Small(2),
        '千' | '仟' => Numeral::Small(3),
        '万' | '萬' => Numeral::Big(4),
        '亿' | '億' => Numeral::Big(8),
        _ => return None,
    })
}

/// A Chinese numeral at `at` (a numeral character is there): the whole run of numeral
/// characters must read as one number, else there is none.
fn chinese(text: &str, at: usize) -> Option<StatedNumber> {
    let rest = &text[at..];
    let mut run: Vec<(char, Numeral)> = Vec::new();
    let mut len = 0;
    for c in rest.chars() {
        let Some(n) = chinese_value(c) else { break };
        run.push((c, n));
        len += c.len_utf8();
        if run.len() > MAX_CHINESE_RUN {
            return None;
        }
    }
    let mut fraction = String::new();
    if let Some(tail) = rest[len..].strip_prefix('点') {
        let mut fraction_len = 0;
        for c in tail.chars().take(MAX_CHINESE_RUN) {
            match chinese_value(c) {
                Some(Numeral::Digit(d)) if c != '两' => fraction.push(char::from(b'0' + d)),
                _ => break,
            }
            fraction_len += c.len_utf8();
        }
        if fraction_len > 0 {
            len += '点'.len_utf8() + fraction_len;
        }
    }
    // 三万元 is 3 before the unit 万元: the last 万/亿 of the integer part goes back.
    if fraction.is_empty()
        && matches!(run.last(), Some((_, Numeral::Big(_))))
        && rest[len..].starts_with('元')
    {
        let (c, _) = run.pop()?;
        len -= c.len_utf8();
    }
    if run.is_empty() {
        return None;
    }
    let integer = integer_value(&run)?;
    if fraction.len() > MAX_DECIMALS {
        return None;
    }
    let mut decimals = u32::try_from(fraction.len()).ok()?;
    let mut value = Decimal::from_str(&format!("{integer}.{fraction}")).ok()?;
    let mut end = at + len;
    // 一点二万: the decimal number is multiplied by a 万/亿 after it.
    if !fraction.is_empty()
        && let Some((power, unit_len)) = multiplier(&text[end..])
    {
        value = scaled(value, power, &mut decimals)?;
        end += unit_len;
    }
    Some(with_percent(text, at, end, value, decimals))
}

/// The value of a run of Chinese numeral characters, or `None` when they do not form a number.
fn integer_value(run: &[(char, Numeral)]) -> Option<u128> {
    let digits_only = run.iter().all(|(_, n)| matches!(n, Numeral::Digit(_)));
    if digits_only {
        if run.len() == 1 {
            let (_, Numeral::Digit(d)) = run[0] else {
                return None;
            };
            return Some(u128::from(d));
        }
        // 二〇二三: digit by digit (两 is never written so).
        let mut value: u128 = 0;
        for (c, n) in run {
            let Numeral::Digit(d) = n else { return None };
            if *c == '两' {
                return None;
            }
            value = value.checked_mul(10)?.checked_add(u128::from(*d))?;
        }
        return Some(value);
    }
    let mut total: u128 = 0; // groups closed by 亿
    let mut wan: u128 = 0; // the group closed by 万 within the current 亿 group
    let mut section: u128 = 0; // below 万
    let mut digit: Option<u8> = None;
    let mut after_zero = false;
    let mut smallest_unit = u32::MAX; // within the section: 千 > 百 > 十
    let mut seen_wan = false;
    let mut previous_unit: Option<u32> = None; // the power of the unit just before
    for (i, (_, n)) in run.iter().enumerate() {
        match *n {
            Numeral::Digit(0) => {
                if digit.is_some() {
                    return None;
                }
                after_zero = true;
                previous_unit = None;
            }
            Numeral::Digit(d) => {
                if digit.is_some() {
                    return None;
                }
                // A digit straight after 百/千/万/亿 (no 零) is the spoken shorthand (allowed
                // last) unless a smaller unit follows it (三万五千).
                let next_is_small = matches!(run.get(i + 1), Some((_, Numeral::Small(_))));
                if previous_unit.is_some_and(|p| p >= 2) && i + 1 != run.len() && !next_is_small {
                    return None;
                }
                digit = Some(d);
            }
            Numeral::Small(power) => {
                if power >= smallest_unit {
                    return None;
                }
                let n = match digit.take() {
                    Some(d) => d,
                    None if power == 1 && section == 0 => 1,
                    None => return None,
                };
                section = section.checked_add(u128::from(n) * 10_u128.pow(power))?;
                smallest_unit = power;
                after_zero = false;
                previous_unit = Some(power);
            }
            Numeral::Big(power) => {
                section = section.checked_add(u128::from(digit.take().unwrap_or(0)))?;
                if section == 0 && !(power == 8 && seen_wan) {
                    return None;
                }
                if power == 4 {
                    if seen_wan {
                        return None;
                    }
                    wan = section;
                    seen_wan = true;
                } else {
                    let group = wan.checked_mul(10_000)?.checked_add(section)?;
                    total = total.checked_add(group)?.checked_mul(100_000_000)?;
                    wan = 0;
                    seen_wan = false;
                }
                section = 0;
                smallest_unit = u32::MAX;
                after_zero = false;
                previous_unit = Some(power);
            }
        }
    }
    if let Some(d) = digit {
        let place = match previous_unit {
            Some(power) if !after_zero => 10_u128.checked_pow(power - 1)?,
            _ => 1,
        };
        section = section.checked_add(u128::from(d).checked_mul(place)?)?;
    }
    total
        .checked_add(wan.checked_mul(10_000)?)?
        .checked_add(section)
}

/// Whether a unit of [`UNITS`] or a percent sign follows (after optional spaces).
fn unit_follows(s: &str) -> bool {
    let s = s.trim_start_matches(is_space);
    s.starts_with(['%', '％']) || UNITS.iter().any(|u| s.starts_with(u))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn value(text: &str) -> Option<String> {
        number_at(text, 0).map(|n| n.value.to_string())
    }

    /// Every number of `text` as "value[%]@stated text".
    fn all(text: &str) -> Vec<String> {
        numbers_in(text)
            .iter()
            .map(|n| {
                let pct = if n.percent { "%" } else { "" };
                format!("{}{pct}@{}", n.value, &text[n.start..n.end])
            })
            .collect()
    }

    #[test]
    fn arabic_numbers() {
        assert_eq!(value("12件").as_deref(), Some("12"));
        assert_eq!(value("12").as_deref(), Some("12"));
        assert_eq!(value("１２件").as_deref(), Some("12"));
        assert_eq!(value("12.5万元").as_deref(), Some("12.5"));
        assert_eq!(value("0.35万元").as_deref(), Some("0.35"));
        assert_eq!(value("2023年").as_deref(), Some("2023"));
        assert_eq!(value("１２．５").as_deref(), Some("12.5"));
    }

    #[test]
    fn thousands_separators_only_in_groups_of_three() {
        assert_eq!(value("1,234件").as_deref(), Some("1234"));
        assert_eq!(value("1，234件").as_deref(), Some("1234"));
        assert_eq!(value("12,345,678条").as_deref(), Some("12345678"));
        assert_eq!(value("1,234.5").as_deref(), Some("1234.5"));
        assert_eq!(all("1，2，3"), ["1@1", "2@2", "3@3"]);
        assert_eq!(all("1,2345"), ["1@1", "2345@2345"]);
        assert_eq!(all("2020,2021"), ["2020@2020", "2021@2021"]);
        assert_eq!(all("办结12，100%按时"), ["12@12", "100%@100%"]);
    }

    #[test]
    fn wan_multiplies_except_before_yuan() {
        let n = number_at("1.2万件", 0).unwrap();
        assert_eq!(
            (n.value.to_string(), n.end, n.decimals),
            ("12000".into(), 6, 0)
        );
        assert_eq!(value("1.2万").as_deref(), Some("12000"));
        assert_eq!(value("1.23456万").as_deref(), Some("12345.6"));
        assert_eq!(number_at("1.23456万", 0).unwrap().decimals, 1);
        assert_eq!(value("3万件").as_deref(), Some("30000"));
        assert_eq!(value("2亿").as_deref(), Some("200000000"));
        let money = number_at("3.5万元", 0).unwrap();
        assert_eq!((money.value.to_string(), money.end), ("3.5".into(), 3));
        let money = number_at("三万元", 0).unwrap();
        assert_eq!((money.value.to_string(), money.end), ("3".into(), 3));
        assert_eq!(value("1.2亿元").as_deref(), Some("1.2"));
        assert_eq!(value("一点五万元").as_deref(), Some("1.5"));
        assert_eq!(value("一点二万件").as_deref(), Some("12000"));
        assert_eq!(value("三万五千元").as_deref(), Some("35000"));
    }

    #[test]
    fn chinese_numerals() {
        for (text, expected) in [
            ("零件", "0"),
            ("〇件", "0"),
            ("一件", "1"),
            ("两件", "2"),
            ("十二件", "12"),
            ("一十二件", "12"),
            ("二十条", "20"),
            ("一百零五件", "105"),
            ("一千零二十条", "1020"),
            ("两千条", "2000"),
            ("三万五千条", "35000"),
            ("三万零五十条", "30050"),
            ("一百五条", "150"),
            ("三万五条", "35000"),
            ("十万条", "100000"),
            ("一亿二千万条", "120000000"),
            ("一百二十三亿四千五百六十七万八千九百零一元", "12345678901"),
            ("二〇二三年", "2023"),
            ("贰拾叁元", "23"),
            ("十二 件", "12"),
            ("七十五点五%", "75.5"),
        ] {
            assert_eq!(value(text).as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn chinese_numerals_need_a_unit() {
        for text in [
            "一些",
            "一方面",
            "一般",
            "一是",
            "二是",
            "十分",
            "万一",
            "千万不要",
            "百姓",
            "一律",
            "十二",
            "一一答复",
            "十余件",
            "二十多家",
            "十四五",
            "一百五万件",
            "两学一做",
        ] {
            assert_eq!(value(text), None, "{text}");
        }
        assert_eq!(all("统一规范，一方面，一是加强"), Vec::<String>::new());
        assert_eq!(
            all("打造一条龙服务，一次性告知，高效办成一件事"),
            Vec::<String>::new()
        );
        assert_eq!(all("与各部门一起推进"), Vec::<String>::new());
        assert_eq!(all("被提起行政诉讼一起。行政复议一起，"), ["1@一", "1@一"]);
    }

    #[test]
    fn no_ordinals() {
        assert_eq!(all("第一次会议"), Vec::<String>::new());
        assert_eq!(all("第3次会议，第二十条第（一）项"), Vec::<String>::new());
        assert_eq!(all("第十二条规定，共三条"), ["3@三"]);
    }

    #[test]
    fn never_from_inside_a_number() {
        assert_eq!(number_at("1234件", 1), None);
        assert_eq!(number_at("12.5件", 3), None);
        assert_eq!(number_at("十二件", "十".len()), None);
        assert_eq!(number_at("一千零二十条", "一千".len()), None);
        assert_eq!(number_at("12件", 1), None);
        assert_eq!(number_at("件", 1), None, "not a character boundary");
        assert_eq!(number_at("件", 3), None, "end of text");
    }

    #[test]
    fn percentages() {
        let n = number_at("75%", 0).unwrap();
        assert!(n.percent);
        assert_eq!(
            (n.value.to_string(), n.end, n.decimals),
            ("75".into(), 3, 0)
        );
        let n = number_at("75.0％的", 0).unwrap();
        assert!(n.percent);
        assert_eq!(
            (n.value.to_string(), n.end, n.decimals),
            ("75.0".into(), 7, 1)
        );
        let n = number_at("75 %", 0).unwrap();
        assert_eq!((n.percent, n.end), (true, 4));
        let n = number_at("为百分之七十五。", "为".len()).unwrap();
        assert!(n.percent);
        assert_eq!(n.value.to_string(), "75");
        assert_eq!((n.start, n.end), ("为".len(), "为百分之七十五".len()));
        let n = number_at("百分之七十五点五", 0).unwrap();
        assert_eq!((n.value.to_string(), n.decimals), ("75.5".into(), 1));
        assert_eq!(value("百分之百").as_deref(), Some("100"));
        assert_eq!(value("百分之98.5").as_deref(), Some("98.5"));
        assert_eq!(value("百分之"), None);
        assert!(!number_at("75件", 0).unwrap().percent);
    }

    #[test]
    fn numbers_in_a_report_sentence() {
        let text = "2023年，本机关共收到政府信息公开申请十二件，上年结转2件，办结1,234件，\
                    其中予以公开8件，公开率为百分之七十五点五，12345热线工单3.2万件，统一答复。";
        assert_eq!(
            all(text),
            [
                "2023@2023",
                "12@十二",
                "2@2",
                "1234@1,234",
                "8@8",
                "75.5%@百分之七十五点五",
                "12345@12345",
                "32000@3.2万",
            ]
        );
    }

    #[test]
    fn huge_numbers_are_not_numbers() {
        assert_eq!(value(&"9".repeat(40)), None);
        assert_eq!(value(&format!("1.{}", "1".repeat(40))), None);
        assert_eq!(value(&format!("{}件", "九".repeat(40))), None);
        assert_eq!(value("九亿亿亿亿亿亿亿亿件"), None);
    }

    proptest! {
        #[test]
        fn spans_are_in_order_on_boundaries(text in "\\PC{0,60}") {
            check_spans(&text);
        }

        #[test]
        fn numeral_soup_never_panics(
            text in "[0-9０-９.．,，%％ 第点万亿元件条零〇一二两三四五六七八九十百千之分]{0,40}"
        ) {
            check_spans(&text);
            for at in 0..=text.len() + 1 {
                let _ = number_at(&text, at);
            }
        }
    }

    fn check_spans(text: &str) {
        let mut last = 0;
        for n in numbers_in(text) {
            assert!(n.start >= last && n.start < n.end && n.end <= text.len());
            assert!(text.is_char_boundary(n.start) && text.is_char_boundary(n.end));
            assert_eq!(number_at(text, n.start), Some(n));
            last = n.end;
        }
    }
}
