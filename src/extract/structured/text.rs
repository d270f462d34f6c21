//! Cells and the report's text from the written values.

use super::{Item, Value, is_plain_decimal};
use crate::extract::value::read_cell;
use crate::report::{Cell, CellValue, Located, Metadata, SectionData};
use crate::source::Span;

/// The text of a value as written, shortened for a message.
pub(super) fn shown<'a>(source: &'a str, item: &'a Item) -> &'a str {
    let text = match &item.value {
        Value::String(s) => s.as_str(),
        _ => source.get(item.span.start..item.span.end).unwrap_or(""),
    };
    let end = text.char_indices().nth(40).map_or(text.len(), |(i, _)| i);
    text[..end].lines().next().unwrap_or("")
}

/// One cell from its value: text as printed and numbers go through the same reading as a
/// cell of a text report; other values are invalid.
pub(super) fn make_cell(source: &str, item: &Item, cell_type: &crate::ruleset::CellType) -> Cell {
    match &item.value {
        Value::String(text) => read_cell(text, cell_type, item.span),
        Value::Null => read_cell("", cell_type, item.span),
        Value::Number { literal, exact } => {
            let raw = if is_plain_decimal(literal) {
                literal.clone()
            } else {
                exact.map_or_else(|| literal.clone(), |d| d.to_string())
            };
            read_cell(&raw, cell_type, item.span)
        }
        other => Cell {
            raw: shown(source, item).to_owned(),
            value: CellValue::Invalid(format!(
                "应是数字或照印刷原样写的文字，不是{}",
                other.kind_name()
            )),
            unit: None,
            span: item.span,
        },
    }
}

/// A title says the year (`2020年`) and, before it, the agency: read them from it when the
/// report does not give them, as the text reader does.
pub(super) fn derive_from_title(source: &str, meta: &mut Metadata) {
    let Some(title) = meta.title.clone() else {
        return;
    };
    let Some((at, year)) = crate::extract::matcher::find_year(&title.value) else {
        return;
    };
    let span_of =
        |start: usize, end: usize| inner_span(source, title.span, &title.value, start, end);
    if meta.year.is_none() {
        meta.year = Some(Located::new(year, span_of(at, at + 4)));
    }
    let agency = title.value[..at].trim();
    if meta.agency.is_none() && !agency.is_empty() {
        meta.agency = Some(Located::new(agency.to_owned(), span_of(0, agency.len())));
    }
}

/// The span of `value[start..end]` within the string literal at `span`, when the literal
/// holds the value as is (no escapes); otherwise the whole literal.
fn inner_span(source: &str, span: Span, value: &str, start: usize, end: usize) -> Span {
    let literal = source.get(span.start..span.end).unwrap_or("");
    for quote in ["\"", "'"] {
        if let Some(inner) = literal
            .strip_prefix(quote)
            .and_then(|l| l.strip_suffix(quote))
        {
            if inner == value {
                return Span::new(span.start + 1 + start, span.start + 1 + end);
            }
        }
    }
    span
}

/// The report's text as a reader sees it, for prose checks: the title, then each section's
/// heading and text; with the source span of each line (exact where a string holds its text
/// without escapes), and where each section's text starts.
pub(super) fn report_text(
    source: &str,
    meta: &Metadata,
    sections: &mut [SectionData],
) -> (String, Vec<(usize, Span)>) {
    let mut text = String::new();
    let mut map = Vec::new();
    if let Some(title) = &meta.title {
        map.push((text.len(), title.span));
        text.push_str(&title.value);
        text.push_str("\n\n");
    }
    for section in sections {
        map.push((text.len(), section.heading_span));
        text.push_str(&section.heading);
        text.push_str("\n\n");
        section.text_start = text.len();
        let body = section.text.trim_end();
        match verbatim_start(source, section.body_span, &section.text) {
            Some(at) => {
                let mut offset = 0;
                for line in body.split_inclusive('\n') {
                    let content = line.trim_end_matches(['\n', '\r']);
                    let start = at + offset;
                    map.push((text.len() + offset, Span::new(start, start + content.len())));
                    offset += line.len();
                }
            }
            None => map.push((text.len(), section.body_span)),
        }
        text.push_str(body);
        text.push_str("\n\n");
    }
    (text, map)
}

/// Where a string's text starts in the source, when its literal holds the text as is.
fn verbatim_start(source: &str, span: Span, value: &str) -> Option<usize> {
    let literal = source.get(span.start..span.end)?;
    for quote in ["\"\"\"", "'''", "\"", "'"] {
        if let Some(inner) = literal
            .strip_prefix(quote)
            .and_then(|l| l.strip_suffix(quote))
        {
            // A newline right after `"""` is not part of the string.
            let (skip, inner) = match inner
                .strip_prefix("\r\n")
                .or_else(|| inner.strip_prefix('\n'))
            {
                Some(rest) if quote.len() == 3 => (inner.len() - rest.len(), rest),
                _ => (0, inner),
            };
            return (inner == value).then_some(span.start + quote.len() + skip);
        }
    }
    None
}
