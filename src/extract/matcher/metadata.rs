//! What a report says about itself: title, year, agency, publication date.

use crate::extract::layout::Document;
use crate::report::{Located, Metadata};
use crate::ruleset::Date;

/// The metadata a document's first line states (for a quick look, before any rule set).
pub(in crate::extract) fn title_metadata(document: &Document) -> Metadata {
    let mut meta = metadata(document, document.lines.len());
    meta.published = None;
    meta
}

/// The report's title (the first non-empty line before the first section), and what it says:
/// the year (`2020年`) and the agency (what precedes the year).
pub(super) fn metadata(document: &Document, first_heading: usize) -> Metadata {
    let mut meta = Metadata::default();
    if let Some(line) = document.lines[..first_heading.min(document.lines.len())]
        .iter()
        .find(|l| !document.text[l.start..l.end].trim().is_empty())
    {
        let raw = &document.text[line.start..line.end];
        let title = raw.trim();
        let offset = line.start + (raw.len() - raw.trim_start().len());
        let span = document.source_span(offset, offset + title.len());
        meta.title = Some(Located::new(title.to_owned(), span));
        if let Some((at, year)) = find_year(title) {
            let year_span = document.source_span(offset + at, offset + at + 4);
            meta.year = Some(Located::new(year, year_span));
            let agency = title[..at].trim();
            if !agency.is_empty() {
                meta.agency = Some(Located::new(
                    agency.to_owned(),
                    document.source_span(offset, offset + agency.len()),
                ));
            }
        }
    }
    meta.published = find_published(document);
    meta
}

/// The first `YYYY年` (1990–2100) in a text, and its byte offset.
pub(in crate::extract) fn find_year(text: &str) -> Option<(usize, i32)> {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(3)).find_map(|i| {
        let digits = bytes.get(i..i + 4)?;
        if !digits.iter().all(u8::is_ascii_digit) || (i > 0 && bytes[i - 1].is_ascii_digit()) {
            return None;
        }
        let rest = text.get(i + 4..)?.trim_start();
        if !rest.starts_with('年') {
            return None;
        }
        let year: i32 = std::str::from_utf8(digits).ok()?.parse().ok()?;
        (1990..=2100).contains(&year).then_some((i, year))
    })
}

/// A publication date stated as `发布日期：2021-01-20` (or 发布时间, 成文日期), or a date alone
/// on one of the last lines (where reports put the date under the signature).
pub(super) fn find_published(document: &Document) -> Option<Located<Date>> {
    let text = &document.text;
    let keys = if text.contains("日期") || text.contains("时间") {
        &["发布日期", "发布时间", "公开日期", "成文日期"][..]
    } else {
        &[]
    };
    for key in keys {
        // `contains` is a vectorised search; `find` is needed only for the (rare) hit.
        if !text.contains(key) {
            continue;
        }
        if let Some(at) = text.find(key) {
            let after = at + key.len();
            let rest = &text[after..];
            let skip = rest.len() - rest.trim_start_matches([':', '：', ' ', '\u{3000}']).len();
            if let Some((len, date)) = parse_date_prefix(&rest[skip..]) {
                let start = after + skip;
                return Some(Located::new(date, document.source_span(start, start + len)));
            }
        }
    }
    for line in document
        .lines
        .iter()
        .rev()
        .filter(|l| l.end > l.start)
        .take(3)
    {
        let raw = &text[line.start..line.end];
        let trimmed = raw.trim();
        if let Some((len, date)) = parse_date_prefix(trimmed) {
            if len == trimmed.len() {
                let start = line.start + (raw.len() - raw.trim_start().len());
                return Some(Located::new(date, document.source_span(start, start + len)));
            }
        }
    }
    None
}

/// Reads `2021-01-20`, `2021/1/20`, `2021.1.20` or `2021年1月20日` at the start of a text;
/// returns the length read and the date.
#[must_use]
pub fn parse_date_prefix(text: &str) -> Option<(usize, Date)> {
    let mut numbers = Vec::new();
    let mut at = 0;
    let bytes = text.as_bytes();
    for separators in [
        &["-", "/", ".", "年"][..],
        &["-", "/", ".", "月"][..],
        &["日", ""][..],
    ] {
        let digits = bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        if digits == 0 || digits > 4 {
            return None;
        }
        numbers.push(text[at..at + digits].parse::<u32>().ok()?);
        at += digits;
        let sep = separators.iter().find(|s| text[at..].starts_with(**s))?;
        at += sep.len();
    }
    let year = i32::try_from(numbers[0]).ok()?;
    if !(1990..=2100).contains(&year) {
        return None;
    }
    Some((at, Date::new(year, numbers[1], numbers[2])?))
}
