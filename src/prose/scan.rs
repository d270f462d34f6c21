//! The scanner: one pass of the phrasings automaton over the text, then, for each phrasing
//! found, a look at the few characters after it for the figure and its unit.

use rust_decimal::Decimal;

use super::numbers::number_at;
use super::{Phrasings, Quantity, Statement};

/// How far after the phrasing the figure may stand, in characters (`收到各类政府信息公开申请
/// 共计12件`).
const FIGURE_WINDOW: usize = 24;
/// How far before the phrasing a negation may stand (`未发生因政府信息公开引起的行政复议`).
const NEGATION_WINDOW: usize = 16;
/// How far around the phrasing and the figure an excluded word counts.
const EXCLUSION_BEFORE: usize = 6;
const EXCLUSION_AFTER: usize = 1;
/// How far after the unit the object may be named (`收到12件政府信息公开申请`).
const OBJECT_AFTER: usize = 12;

const NEGATIONS: [&str; 4] = ["没有", "无", "未", "零"];

fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | ';' | '!' | '?' | '\n')
}

fn ends_clause(c: char) -> bool {
    ends_sentence(c) || matches!(c, '，' | ',' | '：' | ':')
}

/// The bounds of the run around `[start, end)` that no `stop` character interrupts.
fn around(text: &str, start: usize, end: usize, stop: fn(char) -> bool) -> (usize, usize) {
    let from = text[..start]
        .char_indices()
        .rev()
        .find(|(_, c)| stop(*c))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let to = text[end..]
        .char_indices()
        .find(|(_, c)| stop(*c))
        .map_or(text.len(), |(i, _)| end + i);
    (from, to)
}

/// `at` moved back by `chars` characters, not before `floor`.
fn back(text: &str, at: usize, chars: usize, floor: usize) -> usize {
    text[floor..at]
        .char_indices()
        .rev()
        .nth(chars.saturating_sub(1))
        .map_or(floor, |(i, _)| floor + i)
}

/// `at` moved on by `chars` characters, not past `ceiling`.
fn forward(text: &str, at: usize, chars: usize, ceiling: usize) -> usize {
    text[at..ceiling]
        .char_indices()
        .nth(chars)
        .map_or(ceiling, |(i, _)| at + i)
}

/// Whether a number may start at this character.
fn starts_number(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || "零〇一二两三四五六七八九十百".contains(c)
}

/// Whether an opening bracket is still open at the end of `between`.
fn inside_brackets(between: &str) -> bool {
    let mut depth = 0i32;
    for c in between.chars() {
        match c {
            '（' | '(' | '【' | '[' => depth += 1,
            '）' | ')' | '】' | ']' => depth -= 1,
            _ => {}
        }
    }
    depth > 0
}

pub(super) struct Hit {
    start: usize,
    end: usize,
    quantity: usize,
    phrasing: usize,
}

pub(super) fn scan(
    quantities: &[Quantity],
    phrasings: &Phrasings,
    text: &str,
    tables: &[(usize, usize)],
) -> Vec<Vec<Statement>> {
    let hits = find(phrasings, text, tables);
    let mut out = vec![Vec::new(); quantities.len()];
    for hit in &hits {
        let quantity = &quantities[hit.quantity];
        let sentence = around(text, hit.start, hit.end, ends_sentence);
        let limit = forward(text, hit.end, FIGURE_WINDOW, sentence.1);
        let found = match super::frame(&quantity.phrasings[hit.phrasing]) {
            Some((before, after)) => framed(quantity, text, hit, before, after, sentence),
            None => figure(quantities, &hits, text, hit, limit, sentence)
                .or_else(|| negation(quantity, text, hit, sentence)),
        };
        if let Some(statement) = found {
            let list = &mut out[hit.quantity];
            if !list
                .iter()
                .any(|s: &Statement| s.figure == statement.figure)
            {
                list.push(statement);
            }
        }
    }
    out
}

/// Every occurrence of every phrasing outside the tables (overlaps included), in the order of
/// the text.
pub(super) fn find(phrasings: &Phrasings, text: &str, tables: &[(usize, usize)]) -> Vec<Hit> {
    // Only the text between the tables is searched (a third of a seed report is tables): a
    // phrasing that starts there counts, even if it runs on into a table.
    let reach = phrasings.automaton.max_pattern_len().saturating_sub(1);
    let mut hits: Vec<Hit> = Vec::new();
    for (from, to) in outside(tables, text.len()) {
        let searched = aho_corasick::Input::new(text).range(from..(to + reach).min(text.len()));
        hits.extend(
            phrasings
                .automaton
                .find_overlapping_iter(searched)
                .filter(|m| m.start() < to)
                .map(|m| {
                    let (quantity, phrasing) = phrasings.owners[m.pattern().as_usize()];
                    Hit {
                        start: m.start(),
                        end: m.end(),
                        quantity,
                        phrasing,
                    }
                }),
        );
    }
    hits.sort_by_key(|h| (h.start, h.end));
    hits
}

/// The byte ranges of a text of `len` bytes that none of `tables` (sorted, merged) covers.
fn outside(tables: &[(usize, usize)], len: usize) -> Vec<(usize, usize)> {
    let mut ranges = Vec::with_capacity(tables.len() + 1);
    let mut from = 0;
    for &(start, end) in tables {
        if start > from {
            ranges.push((from, start.min(len)));
        }
        from = from.max(end);
    }
    if from < len {
        ranges.push((from, len));
    }
    ranges
}

/// The first figure with one of the quantity's units between the phrasing and `limit`,
/// unless another phrasing between them claims it (`收到申请，办结13件`: 13 is 办结's).
fn figure(
    quantities: &[Quantity],
    hits: &[Hit],
    text: &str,
    hit: &Hit,
    limit: usize,
    sentence: (usize, usize),
) -> Option<Statement> {
    let quantity = &quantities[hit.quantity];
    let mut at = hit.end;
    while at < limit {
        let c = text[at..].chars().next()?;
        if !starts_number(c) {
            at += c.len_utf8();
            continue;
        }
        let Some(number) = number_at(text, at) else {
            at += c.len_utf8();
            continue;
        };
        let rest = text[number.end..].trim_start_matches([' ', '\u{3000}']);
        let unit = if number.percent {
            "%"
        } else {
            quantity
                .units
                .iter()
                .filter(|u| rest.starts_with(u.as_str()))
                .max_by_key(|u| u.len())
                .map_or("", String::as_str)
        };
        if unit.is_empty() || !takes_unit(quantity, unit) {
            // Another number (a year, a share, a count of something else): look on.
            at = number.end.max(at + c.len_utf8());
            continue;
        }
        let unit_end = if number.percent {
            number.end
        } else {
            text.len() - rest.len() + unit.len()
        };
        let after = hits.partition_point(|h| h.start < hit.end);
        let claimed = hits[after..]
            .iter()
            .take_while(|h| h.start < number.start)
            .any(|h| {
                h.end <= number.start
                    && (h.quantity == hit.quantity || takes_unit(&quantities[h.quantity], unit))
                    && !inside_brackets(&text[hit.end..h.start])
            });
        if claimed
            || !names_object(quantity, text, hit.end, number.start, unit_end, sentence.1)
            || excluded(quantity, text, hit.start, unit_end)
        {
            return None;
        }
        return Some(Statement {
            value: number.value,
            figure: (number.start, number.end),
            phrase: (hit.start, unit_end),
            sentence,
            phrasing: hit.phrasing,
            decimals: number.decimals,
            negated: false,
        });
    }
    None
}

/// The figure a frame surrounds: `before` right before it, `after` (the words found) right
/// after it; for a frame without words after the figure, the figure right after `before`.
fn framed(
    quantity: &Quantity,
    text: &str,
    hit: &Hit,
    before: &str,
    after: &str,
    sentence: (usize, usize),
) -> Option<Statement> {
    let number = if after.is_empty() {
        number_at(text, hit.end)?
    } else {
        let start = text[..hit.start]
            .char_indices()
            .rev()
            .take_while(|(_, c)| starts_number(*c))
            .last()
            .map(|(i, _)| i)?;
        let number = number_at(text, start)?;
        if number.end != hit.start || number.percent {
            return None;
        }
        number
    };
    if !text[..number.start].ends_with(before) {
        return None;
    }
    let phrase = (number.start - before.len(), number.end.max(hit.end));
    if excluded(quantity, text, phrase.0, phrase.1) {
        return None;
    }
    Some(Statement {
        value: number.value,
        figure: (number.start, number.end),
        phrase,
        sentence,
        phrasing: hit.phrasing,
        decimals: number.decimals,
        negated: false,
    })
}

/// Whether a quantity's figure may carry this unit (`%` for a percentage).
fn takes_unit(quantity: &Quantity, unit: &str) -> bool {
    quantity
        .units
        .iter()
        .any(|u| u == unit || (unit == "%" && u == "％"))
}

/// Whether one of the quantity's objects is named between the phrasing and the figure, or
/// right after the unit; always when the quantity declares none.
fn names_object(
    quantity: &Quantity,
    text: &str,
    from: usize,
    figure: usize,
    unit_end: usize,
    sentence_end: usize,
) -> bool {
    if quantity.objects.is_empty() {
        return true;
    }
    let after_end = forward(text, unit_end, OBJECT_AFTER, sentence_end);
    let between = &text[from..figure];
    let after = &text[unit_end..after_end];
    quantity
        .objects
        .iter()
        .any(|o| between.contains(o.as_str()) || after.contains(o.as_str()))
}

/// Whether an excluded word stands near the phrasing or the figure, within their clause.
fn excluded(quantity: &Quantity, text: &str, start: usize, end: usize) -> bool {
    let clause = around(text, start, end, ends_clause);
    let from = back(text, start, EXCLUSION_BEFORE, clause.0);
    let to = forward(text, end, EXCLUSION_AFTER, clause.1);
    let near = &text[from..to];
    quantity.excluded.iter().any(|w| near.contains(w.as_str()))
}

/// A negation before the phrasing in its clause, with no figure after it (`未收到政府信息公开
/// 申请`, `无行政复议`): the quantity is 0.
fn negation(
    quantity: &Quantity,
    text: &str,
    hit: &Hit,
    sentence: (usize, usize),
) -> Option<Statement> {
    let clause = around(text, hit.start, hit.end, ends_clause);
    let from = back(text, hit.start, NEGATION_WINDOW, clause.0);
    let before = &text[from..hit.start];
    let (offset, word) = NEGATIONS
        .iter()
        .filter_map(|w| before.rfind(w).map(|i| (i, *w)))
        .max_by_key(|(i, _)| *i)?;
    let negation_start = from + offset;
    let gap = &text[negation_start + word.len()..hit.start];
    let rest = &text[hit.end..clause.1];
    if gap.chars().chain(rest.chars()).any(starts_number_strictly) {
        return None;
    }
    let object_end = if quantity.objects.is_empty() {
        hit.end
    } else {
        quantity
            .objects
            .iter()
            .filter_map(|o| rest.find(o.as_str()).map(|i| hit.end + i + o.len()))
            .min()?
    };
    if excluded(quantity, text, negation_start, object_end) {
        return None;
    }
    Some(Statement {
        value: Decimal::ZERO,
        figure: (negation_start, hit.end),
        phrase: (negation_start, object_end),
        sentence,
        phrasing: hit.phrasing,
        decimals: 0,
        negated: true,
    })
}

/// Digits only: a Chinese numeral character in the words of a negation (`一是`, `统一`) is
/// not a figure.
fn starts_number_strictly(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_text_outside_the_tables() {
        assert_eq!(super::outside(&[], 10), [(0, 10)]);
        assert_eq!(super::outside(&[(0, 4), (6, 10)], 10), [(4, 6)]);
        assert_eq!(super::outside(&[(2, 4)], 10), [(0, 2), (4, 10)]);
    }
}
