//! Fonts often map one glyph from both a radical and the ideograph it looks like (生 and the
//! Kangxi radical ⽣), and PDF writers such as Chromium's put the radical into the
//! `ToUnicode` map. A report's text is never written in radicals: each is read as its
//! ideograph.

use unicode_normalization::UnicodeNormalization;

/// CJK Radicals Supplement characters that look like a whole simplified ideograph, and that
/// ideograph (these have no Unicode decomposition).
const SUPPLEMENT: [(char, char); 30] = [
    ('⺁', '厂'),
    ('⺇', '几'),
    ('⺟', '母'),
    ('⺠', '民'),
    ('⻄', '西'),
    ('⻅', '见'),
    ('⻆', '角'),
    ('⻈', '讠'),
    ('⻉', '贝'),
    ('⻋', '车'),
    ('⻓', '长'),
    ('⻔', '门'),
    ('⻘', '青'),
    ('⻙', '韦'),
    ('⻚', '页'),
    ('⻛', '风'),
    ('⻜', '飞'),
    ('⻝', '食'),
    ('⻢', '马'),
    ('⻣', '骨'),
    ('⻤', '鬼'),
    ('⻥', '鱼'),
    ('⻦', '鸟'),
    ('⻧', '卤'),
    ('⻨', '麦'),
    ('⻩', '黄'),
    ('⻬', '齐'),
    ('⻮', '齿'),
    ('⻰', '龙'),
    ('⻳', '龟'),
];

/// `text` with every radical replaced by its ideograph.
pub fn ideographs(text: &str) -> String {
    if !text.chars().any(is_radical) {
        return text.to_owned();
    }
    text.chars()
        .flat_map(|c| -> Box<dyn Iterator<Item = char>> {
            if let Some(&(_, ideograph)) = SUPPLEMENT.iter().find(|&&(r, _)| r == c) {
                Box::new(std::iter::once(ideograph))
            } else if ('\u{2f00}'..='\u{2fdf}').contains(&c) {
                // Kangxi radicals decompose to their ideographs, some to the traditional
                // form (⼾ → 戶); reports are written in simplified characters.
                let ideograph: String = std::iter::once(c).nfkc().collect();
                Box::new(
                    fast2s::convert(&ideograph)
                        .chars()
                        .collect::<Vec<_>>()
                        .into_iter(),
                )
            } else {
                Box::new(std::iter::once(c))
            }
        })
        .collect()
}

fn is_radical(c: char) -> bool {
    ('\u{2e80}'..='\u{2fdf}').contains(&c)
}
