//! The numbers Word generates for numbered paragraphs (`一、`, `（一）`, `1.`), from
//! `word/numbering.xml` and the paragraph styles of `word/styles.xml`. The number is part of
//! the label a reader sees, so it is rendered into the paragraph's text.

use std::collections::HashMap;

use quick_xml::events::{BytesStart, Event};

use super::{DocxError, attribute};

/// One level of a list: how its number is written.
#[derive(Debug, Clone, Default)]
struct Level {
    start: u32,
    format: String,
    /// `%1、`, `（%2）`: `%n` stands for the number of level n.
    text: String,
    /// What follows the number: nothing (`tab` and `nothing`) or a space.
    space_after: bool,
}

/// The lists of a document and their counters.
#[derive(Debug, Default)]
pub struct Numbering {
    /// Abstract list id → its levels.
    abstracts: HashMap<String, Vec<Level>>,
    /// List instance id → (abstract list id, start overrides by level).
    instances: HashMap<String, (String, Vec<(usize, u32)>)>,
    /// Paragraph style id → (list instance id, level).
    styles: HashMap<String, (String, usize)>,
    /// Abstract list id → the current number at each level (`None`: not yet used since the
    /// level above last moved).
    counters: HashMap<String, Vec<Option<u32>>>,
    /// Instances whose start overrides were applied.
    started: Vec<String>,
}

/// Lists deeper than Word's nine levels are malformed; their extra levels are ignored.
const MAX_LEVELS: usize = 9;

impl Numbering {
    /// Reads `numbering.xml` and `styles.xml` (either may be absent).
    pub fn read(numbering: Option<&[u8]>, styles: Option<&[u8]>) -> Result<Self, DocxError> {
        let mut this = Self::default();
        if let Some(xml) = numbering {
            this.read_numbering(xml)?;
        }
        if let Some(xml) = styles {
            this.read_styles(xml)?;
        }
        Ok(this)
    }

    fn read_numbering(&mut self, xml: &[u8]) -> Result<(), DocxError> {
        let mut reader = quick_xml::Reader::from_reader(xml);
        let mut buf = Vec::new();
        let mut abstract_id: Option<String> = None;
        let mut level: Option<usize> = None;
        let mut instance: Option<String> = None;
        let mut override_level: Option<usize> = None;
        loop {
            let event = reader
                .read_event_into(&mut buf)
                .map_err(|e| DocxError::xml(&e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => {
                    let value = |key: &[u8]| attribute(e, key);
                    match e.name().as_ref() {
                        b"w:abstractNum" => {
                            abstract_id = value(b"w:abstractNumId");
                            if let Some(id) = &abstract_id {
                                self.abstracts.insert(id.clone(), Vec::new());
                            }
                        }
                        b"w:lvl" if abstract_id.is_some() => {
                            level = value(b"w:ilvl")
                                .and_then(|l| l.parse().ok())
                                .filter(|&l| l < MAX_LEVELS);
                            if let (Some(l), Some(levels)) = (
                                level,
                                abstract_id.as_ref().and_then(|a| self.abstracts.get_mut(a)),
                            ) {
                                if levels.len() <= l {
                                    levels.resize(l + 1, Level::default());
                                }
                                levels[l] = Level {
                                    start: 1,
                                    ..Level::default()
                                };
                            }
                        }
                        b"w:start" | b"w:numFmt" | b"w:lvlText" | b"w:suff" => {
                            self.set_level(abstract_id.as_deref(), level, e);
                        }
                        b"w:num" => instance = value(b"w:numId"),
                        b"w:abstractNumId" => {
                            if let (Some(id), Some(target)) = (&instance, value(b"w:val")) {
                                self.instances.insert(id.clone(), (target, Vec::new()));
                            }
                        }
                        b"w:lvlOverride" => {
                            override_level = value(b"w:ilvl").and_then(|l| l.parse().ok());
                        }
                        b"w:startOverride" => {
                            let start = value(b"w:val").and_then(|v| v.parse().ok());
                            if let (Some(id), Some(l), Some(start)) =
                                (&instance, override_level, start)
                            {
                                if let Some((_, overrides)) = self.instances.get_mut(id) {
                                    overrides.push((l, start));
                                }
                            }
                        }
                        _ => {}
                    }
                }
                Event::End(e) => match e.name().as_ref() {
                    b"w:abstractNum" => abstract_id = None,
                    b"w:lvl" => level = None,
                    b"w:num" => instance = None,
                    b"w:lvlOverride" => override_level = None,
                    _ => {}
                },
                Event::Eof => return Ok(()),
                _ => {}
            }
            buf.clear();
        }
    }

    fn set_level(&mut self, abstract_id: Option<&str>, level: Option<usize>, e: &BytesStart) {
        let Some(slot) = abstract_id
            .and_then(|a| self.abstracts.get_mut(a))
            .zip(level)
            .and_then(|(levels, l)| levels.get_mut(l))
        else {
            return;
        };
        let Some(value) = attribute(e, b"w:val") else {
            return;
        };
        match e.name().as_ref() {
            b"w:start" => slot.start = value.parse().unwrap_or(1),
            b"w:numFmt" => slot.format = value,
            b"w:lvlText" => slot.text = value,
            _ => slot.space_after = value == "space",
        }
    }

    fn read_styles(&mut self, xml: &[u8]) -> Result<(), DocxError> {
        let mut reader = quick_xml::Reader::from_reader(xml);
        let mut buf = Vec::new();
        let mut style: Option<String> = None;
        let mut list: (Option<String>, usize) = (None, 0);
        loop {
            let event = reader
                .read_event_into(&mut buf)
                .map_err(|e| DocxError::xml(&e))?;
            match &event {
                Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                    b"w:style" => {
                        style = attribute(e, b"w:styleId");
                        list = (None, 0);
                    }
                    b"w:numId" => list.0 = attribute(e, b"w:val"),
                    b"w:ilvl" => {
                        list.1 = attribute(e, b"w:val")
                            .and_then(|v| v.parse().ok())
                            .unwrap_or(0);
                    }
                    _ => {}
                },
                Event::End(e) if e.name().as_ref() == b"w:style" => {
                    if let (Some(id), (Some(num), level)) = (style.take(), list.clone()) {
                        self.styles.insert(id, (num, level));
                    }
                }
                Event::Eof => return Ok(()),
                _ => {}
            }
            buf.clear();
        }
    }

    /// The list a paragraph style puts its paragraphs in.
    pub fn style_list(&self, style: &str) -> Option<(String, usize)> {
        self.styles.get(style).cloned()
    }

    /// Counts a paragraph of list `instance` at `level`, and returns the number it shows
    /// (with what follows it); `None` for a paragraph that shows no number (a bullet, a
    /// list that does not exist, `numId` 0 which removes numbering).
    pub fn next(&mut self, instance: &str, level: usize) -> Option<String> {
        let (abstract_id, overrides) = self.instances.get(instance)?;
        let levels = self.abstracts.get(abstract_id)?;
        if level >= levels.len() {
            return None;
        }
        let counters = self
            .counters
            .entry(abstract_id.clone())
            .or_insert_with(|| vec![None; levels.len()]);
        if !self.started.iter().any(|s| s == instance) {
            self.started.push(instance.to_owned());
            for &(l, start) in overrides {
                if let Some(counter) = counters.get_mut(l) {
                    *counter = Some(start.saturating_sub(1));
                }
            }
        }
        let current = counters[level].map_or(levels[level].start, |n| n.saturating_add(1));
        counters[level] = Some(current);
        counters[level + 1..].iter_mut().for_each(|c| *c = None);
        let this = &levels[level];
        if this.format == "bullet" || this.format == "none" {
            return None;
        }
        let mut shown = String::new();
        let mut rest = this.text.as_str();
        while let Some(at) = rest.find('%') {
            shown.push_str(&rest[..at]);
            let digit = rest[at + 1..].chars().next();
            match digit.and_then(|d| d.to_digit(10)) {
                Some(n) if (1..=levels.len()).contains(&(n as usize)) => {
                    let l = n as usize - 1;
                    let number = counters[l].unwrap_or(levels[l].start);
                    shown.push_str(&format_number(number, &levels[l].format));
                    rest = &rest[at + 2..];
                }
                _ => {
                    shown.push('%');
                    rest = &rest[at + 1..];
                }
            }
        }
        shown.push_str(rest);
        if this.space_after {
            shown.push(' ');
        }
        Some(shown)
    }
}

/// A number written in one of Word's number formats.
fn format_number(n: u32, format: &str) -> String {
    match format {
        "chineseCounting"
        | "chineseCountingThousand"
        | "chineseLegalSimplified"
        | "japaneseCounting"
        | "ideographDigital"
        | "taiwaneseCounting" => chinese(n),
        "ideographTraditional" => cycle(n, "甲乙丙丁戊己庚辛壬癸"),
        "ideographZodiac" => cycle(n, "子丑寅卯辰巳午未申酉戌亥"),
        "upperLetter" => letters(n, b'A'),
        "lowerLetter" => letters(n, b'a'),
        "upperRoman" => roman(n),
        "lowerRoman" => roman(n).to_lowercase(),
        "decimalEnclosedCircle" | "decimalEnclosedCircleChinese" if (1..=20).contains(&n) => {
            char::from_u32(0x2460 + n - 1).map_or_else(|| n.to_string(), String::from)
        }
        "decimalFullWidth" | "decimalFullWidth2" => n
            .to_string()
            .chars()
            .filter_map(|c| char::from_u32(c as u32 - u32::from(b'0') + 0xff10))
            .collect(),
        "decimalZero" if n < 10 => format!("0{n}"),
        _ => n.to_string(),
    }
}

/// 1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五.
fn chinese(n: u32) -> String {
    const DIGITS: [char; 10] = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九'];
    if n >= 1000 {
        return n.to_string();
    }
    let (hundreds, tens, ones) = (n / 100, n / 10 % 10, n % 10);
    let mut out = String::new();
    if hundreds > 0 {
        out.push(DIGITS[hundreds as usize]);
        out.push('百');
        if tens == 0 && ones > 0 {
            out.push('零');
        }
    }
    if tens > 0 {
        if tens > 1 || hundreds > 0 {
            out.push(DIGITS[tens as usize]);
        }
        out.push('十');
    }
    if ones > 0 || n == 0 {
        out.push(DIGITS[ones as usize]);
    }
    out
}

fn cycle(n: u32, symbols: &str) -> String {
    let symbols: Vec<char> = symbols.chars().collect();
    let len = u32::try_from(symbols.len()).unwrap_or(1);
    symbols[(n.max(1) - 1) as usize % len as usize].to_string()
}

fn letters(n: u32, first: u8) -> String {
    let n = n.max(1) - 1;
    let letter = char::from(first + u8::try_from(n % 26).unwrap_or(0));
    std::iter::repeat_n(letter, n as usize / 26 + 1).collect()
}

fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ];
    let mut out = String::new();
    for (value, symbol) in TABLE {
        while n >= value {
            out.push_str(symbol);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_counting() {
        let shown: Vec<String> = [1, 9, 10, 11, 20, 21, 99, 100, 105, 110]
            .iter()
            .map(|&n| chinese(n))
            .collect();
        assert_eq!(
            shown,
            [
                "一",
                "九",
                "十",
                "十一",
                "二十",
                "二十一",
                "九十九",
                "一百",
                "一百零五",
                "一百一十"
            ]
        );
        assert_eq!(roman(14), "XIV");
        assert_eq!(letters(28, b'a'), "bb");
    }
}
