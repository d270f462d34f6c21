//! A regular expression of a rule file told in words, for people who do not read regular
//! expressions: `/予以公开[^，。；\d]{0,6}?(?P<数>\d+)\s*件/` is「予以公开…〈数〉件」.
//!
//! The literal words stay, a named group that holds no words of its own becomes `〈名〉`, an
//! alternation of words becomes `甲/乙`, optional spaces vanish, and anything else is `…`.

use regex_syntax::hir::{Class, Hir, HirKind};

/// The pattern in words, or `None` when it does not parse (the compiler has said why).
pub fn pattern_in_words(pattern: &str) -> Option<String> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut out = String::new();
    describe(&hir, &mut out);
    Some(out)
}

/// The sentence a check's reason uses for text not found.
pub fn not_found_in_text(pattern: &str) -> String {
    match pattern_in_words(pattern) {
        Some(words) if words.chars().any(|c| c != '…') => format!(
            "正文中没有找到形如「{words}」的文字（…表示其间的任意文字，〈〉是要读出的部分）"
        ),
        _ => format!("正文中没有找到与 /{pattern}/ 相符的文字"),
    }
}

const ANYTHING: char = '…';

fn push_anything(out: &mut String) {
    if !out.ends_with(ANYTHING) {
        out.push(ANYTHING);
    }
}

fn describe(hir: &Hir, out: &mut String) {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(literal) => out.push_str(&String::from_utf8_lossy(&literal.0)),
        HirKind::Class(class) if only_spaces(class) => {}
        HirKind::Class(Class::Unicode(class)) if few_chars(class) => {
            let chars: Vec<String> = class
                .iter()
                .flat_map(|r| r.start()..=r.end())
                .map(String::from)
                .collect();
            out.push_str(&chars.join("/"));
        }
        HirKind::Repetition(repetition) if is_optional_spaces(&repetition.sub) => {}
        HirKind::Capture(capture) => {
            let mut inner = String::new();
            describe(&capture.sub, &mut inner);
            match &capture.name {
                Some(name) if !has_words(&inner) => {
                    out.push('〈');
                    out.push_str(name);
                    out.push('〉');
                }
                _ => append(out, &inner),
            }
        }
        HirKind::Concat(items) => {
            for item in items {
                describe(item, out);
            }
        }
        HirKind::Alternation(branches) => {
            let words: Option<Vec<String>> = branches
                .iter()
                .map(|b| match b.kind() {
                    HirKind::Literal(l) => Some(String::from_utf8_lossy(&l.0).into_owned()),
                    _ => None,
                })
                .collect();
            match words {
                Some(words) => out.push_str(&words.join("/")),
                None => push_anything(out),
            }
        }
        HirKind::Class(_) | HirKind::Repetition(_) => push_anything(out),
    }
}

fn append(out: &mut String, text: &str) {
    let text = if out.ends_with(ANYTHING) {
        text.trim_start_matches(ANYTHING)
    } else {
        text
    };
    out.push_str(text);
}

fn has_words(text: &str) -> bool {
    text.chars().any(|c| c != ANYTHING)
}

fn only_spaces(class: &Class) -> bool {
    match class {
        Class::Unicode(c) => c
            .ranges()
            .iter()
            .all(|r| r.start().is_whitespace() && r.end().is_whitespace()),
        Class::Bytes(c) => c
            .ranges()
            .iter()
            .all(|r| r.start().is_ascii_whitespace() && r.end().is_ascii_whitespace()),
    }
}

/// A class of a few characters, as `(件|起)` becomes.
fn few_chars(class: &regex_syntax::hir::ClassUnicode) -> bool {
    class
        .iter()
        .map(|r| u32::from(r.end()) - u32::from(r.start()) + 1)
        .sum::<u32>()
        <= 4
}

fn is_optional_spaces(hir: &Hir) -> bool {
    matches!(hir.kind(), HirKind::Class(c) if only_spaces(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_stay_and_the_rest_is_told_briefly() {
        let words = |p| pattern_in_words(p).unwrap();
        assert_eq!(
            words(r"予以公开[^，。；\d]{0,6}?(?P<数>\d+)\s*件"),
            "予以公开…〈数〉件"
        );
        assert_eq!(
            words(r"行政复议[^，。；\d]{0,8}?(?P<数>\d+)\s*(件|起)"),
            "行政复议…〈数〉件/起"
        );
        assert_eq!(
            words(r"(?P<原文>(未|没有)(发生|出现)[^。]{0,20}?(行政复议|行政诉讼))"),
            "未/没有发生/出现…行政复议/行政诉讼"
        );
    }

    #[test]
    fn a_pattern_without_words_is_shown_as_written() {
        assert_eq!(
            not_found_in_text(r"\d+"),
            "正文中没有找到与 /\\d+/ 相符的文字"
        );
    }
}
