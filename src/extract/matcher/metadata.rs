//! What a report says about itself: title, year, agency, publication date.

use crate::extract::layout::Document;
use crate::report::{Located, Metadata};
use crate::ruleset::Date;

/// The metadata a document's first line states (for a quick look, before any rule set).
pub(in crate::extract) fn title_metadata(document: &Document) -> Metadata {
    title(document, document.lines.len())
}

/// Everything a report says about itself: its title's, and the publication date.
pub(super) fn metadata(document: &Document, first_heading: usize) -> Metadata {
    Metadata {
        published: find_published(document),
        ..title(document, first_heading)
    }
}

/// How many lines a title may be printed over (agency on one, year and 政府信息公开工作年度报告
/// on the next).
pub(in crate::extract) const TITLE_LINES: usize = 3;

/// The report's title (the first non-empty lines before the first section, joined up to the
/// line that ends it with 报告), and what it says: the year (`2020年`, `2024 年`) and the
/// agency (what precedes the year, or else what follows `年` or `年度` up to 政府信息公开; a 关于
/// before the year is not part of it).
fn title(document: &Document, first_heading: usize) -> Metadata {
    let mut meta = Metadata::default();
    // The title's pieces: each line's trimmed text and where it starts in the text.
    let mut pieces: Vec<(&str, usize)> = Vec::new();
    for line in &document.lines[..first_heading.min(document.lines.len())] {
        let raw = &document.text[line.start..line.end];
        let text = raw.trim();
        // A line without cells is blank, or a running header the reader dropped.
        if text.is_empty() || line.cells.is_empty() {
            if pieces.is_empty() {
                continue;
            }
            break;
        }
        pieces.push((text, line.start + (raw.len() - raw.trim_start().len())));
        if ends_title(&pieces) || pieces.len() == TITLE_LINES {
            break;
        }
    }
    // Lines that never end in 报告 are not a title printed over lines: the first is the title.
    if !ends_title(&pieces) {
        pieces.truncate(1);
    }
    let Some(&(first, first_at)) = pieces.first() else {
        return meta;
    };
    let title: String = pieces.iter().map(|(t, _)| *t).collect();
    // Where a byte of the joined title lies in the document's text; an offset between two
    // pieces is the start of the next (`end` false) or the end of the previous (`end` true).
    let at = |offset: usize, end: bool| {
        let mut skipped = 0;
        for &(text, start) in &pieces {
            if offset < skipped + text.len() || end && offset == skipped + text.len() {
                return start + offset - skipped;
            }
            skipped += text.len();
        }
        first_at + first.len()
    };
    let (last, last_at) = pieces[pieces.len() - 1];
    meta.title = Some(Located::new(
        title.clone(),
        document
            .source_span(first_at, first_at + first.len())
            .join(document.source_span(last_at, last_at + last.len())),
    ));
    if let Some((year_at, year)) = find_year(&title) {
        meta.year = Some(Located::new(
            year,
            document.source_span(at(year_at, false), at(year_at + 4, true)),
        ));
        // 「关于2021年度…」「某局关于2021年…」: 关于 is not part of the agency.
        let before = title[..year_at].trim();
        let before = before.strip_suffix("关于").unwrap_or(before).trim_end();
        let after_year = title[year_at..].find('年').map_or(title.len(), |y| {
            let end = year_at + y + '年'.len_utf8();
            if title[end..].starts_with('度') {
                end + '度'.len_utf8()
            } else {
                end
            }
        });
        let after = &title[after_year..];
        let agency = if before.is_empty() {
            ["政府信息公开", "政务公开", "信息公开"]
                .iter()
                .find_map(|stop| after.find(stop))
                .map(|end| (after_year, after_year + after[..end].trim_end().len()))
                .filter(|(from, to)| from < to)
        } else {
            Some((0, before.len()))
        };
        if let Some((from, to)) = agency {
            meta.agency = Some(Located::new(
                title[from..to].to_owned(),
                document.source_span(at(from, false), at(to, true)),
            ));
        }
    }
    meta
}

/// Whether title lines end the title: their text ends with 报告 (the last line may hold only
/// its last character, `年度报` over `告`).
fn ends_title(pieces: &[(&str, usize)]) -> bool {
    match pieces {
        [.., (last, _)] if last.ends_with("报告") => true,
        [.., (before, _), (last, _)] => *last == "告" && before.ends_with('报'),
        _ => false,
    }
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
