//! Closest-label matching: a row label or section heading printed a little differently from
//! every spelling the rule set declares (a dropped, added or changed character, a variant
//! wording of a heading's second half) is read as the declaration it is closest to, among
//! those expected at that place. The matcher says which declarations are expected there and
//! reports the drift; this module only measures how close two normalised labels are.
//!
//! Closeness is the edit distance (Levenshtein, over characters, from `strsim`) between
//! normalised labels without their ordinals: at most one edit in four characters of the
//! declared label, and never for labels shorter than four characters, where one edit turns
//! a label into another (`总计`, `合计`).

use super::normalize::split_ordinal;

/// Declared labels shorter than this (in characters) match only exactly.
const MIN_CHARS: usize = 4;
/// At most one edit per this many characters of the declared label.
const CHARS_PER_EDIT: usize = 4;

/// How far a printed label (normalised, ordinal removed) is from a declared one, if close
/// enough to be taken for it. A bracketed note that one has and the other lacks
/// (`部分公开(区分处理的,…)`) is not counted.
pub fn row_distance(declared: &str, printed: &str) -> Option<usize> {
    let full = close(declared, printed);
    let bare = close(without_note(declared), without_note(printed));
    full.into_iter().chain(bare).min()
}

/// The candidate a printed label is closest to, if it is close to one and no other
/// candidate is as close. Candidates are `(id, declared label)`; one id may come with
/// several labels (a title and its aliases).
pub fn closest<'a>(
    printed: &str,
    candidates: impl IntoIterator<Item = (usize, &'a str)>,
    distance: impl Fn(&str, &str) -> Option<usize>,
) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    let mut tied = false;
    for (id, declared) in candidates {
        let Some(d) = distance(declared, printed) else {
            continue;
        };
        match best {
            Some((b, bd)) if b == id => best = Some((b, bd.min(d))),
            Some((_, bd)) if d == bd => tied = true,
            Some((_, bd)) if d > bd => {}
            _ => {
                best = Some((id, d));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(id, _)| id)
}

/// How far a printed heading (normalised) is from a declared section title, if it can be
/// taken for it: the same ordinal (`四,` for `四、`), and the rest close, or the same first
/// half with a variant wording of the second (`存在的主要问题及改进措施`).
pub fn heading_distance(declared: &str, printed: &str) -> Option<usize> {
    let (declared_ordinal, declared_rest) = split_ordinal(declared);
    let (printed_ordinal, printed_rest) = split_ordinal(printed);
    if !declared_ordinal.is_empty() && !same_ordinal(declared_ordinal, printed_ordinal) {
        return None;
    }
    if let Some(d) = close(declared_rest, printed_rest) {
        return Some(d);
    }
    let declared_chars = declared_rest.chars().count();
    let printed_chars = printed_rest.chars().count();
    let shared = declared_rest
        .chars()
        .zip(printed_rest.chars())
        .take_while(|(a, b)| a == b)
        .count();
    (declared_chars >= MIN_CHARS
        && 2 * shared >= declared_chars
        && printed_chars <= 2 * declared_chars)
        .then(|| strsim::levenshtein(declared_rest, printed_rest))
}

/// The line, among `lines` (index and normalised text) strictly between the lines of the
/// neighbouring sections found (`after`, `before`), whose heading is closest to one of a
/// section's `declared` titles; the first of equally close ones.
pub fn closest_heading<'a>(
    lines: impl IntoIterator<Item = (usize, &'a str)>,
    (after, before): (Option<usize>, Option<usize>),
    declared: &[&str],
) -> Option<usize> {
    lines
        .into_iter()
        .filter(|&(line, _)| after.is_none_or(|a| line > a) && before.is_none_or(|b| line < b))
        .filter_map(|(line, printed)| {
            let distance = declared
                .iter()
                .filter_map(|d| heading_distance(d, printed))
                .min()?;
            Some((distance, line))
        })
        .min()
        .map(|(_, line)| line)
}

/// Whether a printed ordinal can stand for a declared one in a heading or label matched by
/// its words alone: both bracketed (`(二)`) or both not (`二,`). A subsection numbered
/// `(二)` is not the section numbered `二、`.
pub fn same_ordinal_style(declared: &str, printed: &str) -> bool {
    printed.is_empty()
        || declared.is_empty()
        || declared.starts_with('(') == printed.starts_with('(')
}

/// The same number in the same style, whatever follows it (`四,` and `四.`).
fn same_ordinal(declared: &str, printed: &str) -> bool {
    let core = |o: &str| o.trim_matches(['(', ')', ',', '.']).to_owned();
    same_ordinal_style(declared, printed) && !printed.is_empty() && core(declared) == core(printed)
}

fn close(declared: &str, printed: &str) -> Option<usize> {
    let chars = declared.chars().count();
    if chars < MIN_CHARS || printed.is_empty() {
        return None;
    }
    // The distance is at least the difference in length: most pairs are too far apart by
    // that alone, and are refused without computing it.
    if chars.abs_diff(printed.chars().count()) * CHARS_PER_EDIT > chars {
        return None;
    }
    let d = strsim::levenshtein(declared, printed);
    (d * CHARS_PER_EDIT <= chars).then_some(d)
}

/// A label without a bracketed note at its end: `部分公开(区分处理的)` → `部分公开`.
fn without_note(label: &str) -> &str {
    match label.find('(') {
        Some(at) if at > 0 => &label[..at],
        _ => label,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::normalize;

    fn rest(label: &str) -> String {
        split_ordinal(&normalize(label)).1.to_owned()
    }

    #[test]
    fn rows_close_by_a_little() {
        let declared = rest("2.其他法律行政法规禁止公开");
        assert_eq!(
            row_distance(&declared, &rest("2.其他法律法规禁止公开")),
            Some(2)
        );
        assert_eq!(
            row_distance(&declared, &rest("2.其它法律行政法规禁止公开")),
            Some(1)
        );
        assert_eq!(row_distance(&rest("总计"), &rest("合计")), None);
        assert_eq!(
            row_distance(
                &rest("1.本机关不掌握相关政府信息"),
                &rest("2.没有现成信息需要另行制作")
            ),
            None
        );
    }

    #[test]
    fn closest_is_unique() {
        let labels = ["自然人", "商业企业", "科研机构", "社会公益组织"];
        let candidates = || labels.iter().enumerate().map(|(i, l)| (i, *l));
        assert_eq!(closest("商业公司企业", candidates(), row_distance), None);
        assert_eq!(closest("社会公益组职", candidates(), row_distance), Some(3));
        assert_eq!(
            closest("abcd", [(0, "abce"), (1, "abcf")], row_distance),
            None
        );
    }

    #[test]
    fn headings_keep_their_ordinal() {
        let declared = normalize("四、政府信息公开行政复议、行政诉讼情况");
        assert!(
            heading_distance(
                &declared,
                &normalize("四、政府信息公开行政复议、行政诉讼的情况")
            )
            .is_some()
        );
        assert!(
            heading_distance(
                &declared,
                &normalize("（四）政府信息公开行政复议、行政诉讼情况")
            )
            .is_none()
        );
        let declared = normalize("五、存在的主要问题及改进情况");
        assert!(
            heading_distance(&declared, &normalize("五、存在的主要问题和下一步工作打算")).is_some()
        );
        let declared = normalize("二、主动公开政府信息情况");
        assert!(heading_distance(&declared, &normalize("二是主动公开政府信息情况")).is_none());
    }
}
