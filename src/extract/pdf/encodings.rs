//! The encodings of simple fonts, for codes their `ToUnicode` map lacks (or fonts without
//! one): a standard base encoding, changed by `/Differences` that name glyphs. Word and WPS
//! often give a Latin `TrueType` font `WinAnsiEncoding` and no `ToUnicode` map: its digits
//! are read from the encoding.

use std::sync::LazyLock;

use lopdf::Object;

/// A base encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Base {
    Standard,
    WinAnsi,
    MacRoman,
}

impl Base {
    pub fn named(name: &[u8]) -> Option<Base> {
        match name {
            b"StandardEncoding" => Some(Base::Standard),
            b"WinAnsiEncoding" => Some(Base::WinAnsi),
            b"MacRomanEncoding" => Some(Base::MacRoman),
            _ => None,
        }
    }

    /// The character of `byte`; control codes have none.
    fn char(self, byte: u8) -> Option<char> {
        if byte < 0x20 || byte == 0x7F {
            return None;
        }
        match self {
            // `StandardEncoding` is ASCII but for its curly single quotes; its upper half
            // (accents and ligatures of Type 1 fonts) is not needed for reports.
            Base::Standard => match byte {
                b'\'' => Some('’'),
                b'`' => Some('‘'),
                0x80.. => None,
                _ => Some(char::from(byte)),
            },
            Base::WinAnsi => single(encoding_rs::WINDOWS_1252, byte),
            Base::MacRoman => single(encoding_rs::MACINTOSH, byte),
        }
    }
}

fn single(encoding: &'static encoding_rs::Encoding, byte: u8) -> Option<char> {
    encoding
        .decode_without_bom_handling_and_without_replacement(&[byte])
        .and_then(|text| text.chars().next())
}

/// The character of every byte: `base`, changed by `differences` (`code /name /name … code
/// /name …`); a glyph name that says no character leaves its code without one.
pub fn simple_table(base: Base, differences: &[Object]) -> Box<[Option<char>; 256]> {
    // Each base table is made once: a PDF printed by Chromium has dozens of fonts a page.
    static STANDARD: LazyLock<[Option<char>; 256]> = LazyLock::new(|| base_table(Base::Standard));
    static WIN_ANSI: LazyLock<[Option<char>; 256]> = LazyLock::new(|| base_table(Base::WinAnsi));
    static MAC_ROMAN: LazyLock<[Option<char>; 256]> = LazyLock::new(|| base_table(Base::MacRoman));
    let mut table = Box::new(match base {
        Base::Standard => *STANDARD,
        Base::WinAnsi => *WIN_ANSI,
        Base::MacRoman => *MAC_ROMAN,
    });
    let mut code: Option<usize> = None;
    for item in differences {
        match item {
            Object::Integer(i) => code = usize::try_from(*i).ok(),
            Object::Name(name) => {
                if let Some(slot) = code.and_then(|c| table.get_mut(c)) {
                    *slot = glyph_char(name);
                }
                code = code.map(|c| c + 1);
            }
            _ => {}
        }
    }
    table
}

fn base_table(base: Base) -> [Option<char>; 256] {
    let mut table = [None; 256];
    for (byte, slot) in (0..=u8::MAX).zip(table.iter_mut()) {
        *slot = base.char(byte);
    }
    table
}

/// Glyph names of the Adobe Glyph List for the characters of Latin text in reports: ASCII
/// punctuation and digits, and common typography.
const GLYPH_NAMES: [(&str, char); 62] = [
    ("space", ' '),
    ("exclam", '!'),
    ("quotedbl", '"'),
    ("numbersign", '#'),
    ("dollar", '$'),
    ("percent", '%'),
    ("ampersand", '&'),
    ("quotesingle", '\''),
    ("parenleft", '('),
    ("parenright", ')'),
    ("asterisk", '*'),
    ("plus", '+'),
    ("comma", ','),
    ("hyphen", '-'),
    ("period", '.'),
    ("slash", '/'),
    ("zero", '0'),
    ("one", '1'),
    ("two", '2'),
    ("three", '3'),
    ("four", '4'),
    ("five", '5'),
    ("six", '6'),
    ("seven", '7'),
    ("eight", '8'),
    ("nine", '9'),
    ("colon", ':'),
    ("semicolon", ';'),
    ("less", '<'),
    ("equal", '='),
    ("greater", '>'),
    ("question", '?'),
    ("at", '@'),
    ("bracketleft", '['),
    ("backslash", '\\'),
    ("bracketright", ']'),
    ("asciicircum", '^'),
    ("underscore", '_'),
    ("grave", '`'),
    ("braceleft", '{'),
    ("bar", '|'),
    ("braceright", '}'),
    ("asciitilde", '~'),
    ("quoteleft", '‘'),
    ("quoteright", '’'),
    ("quotedblleft", '“'),
    ("quotedblright", '”'),
    ("endash", '–'),
    ("emdash", '—'),
    ("bullet", '•'),
    ("ellipsis", '…'),
    ("periodcentered", '·'),
    ("degree", '°'),
    ("multiply", '×'),
    ("divide", '÷'),
    ("minus", '−'),
    ("section", '§'),
    ("copyright", '©'),
    ("registered", '®'),
    ("trademark", '™'),
    ("nbspace", '\u{a0}'),
    ("yen", '¥'),
];

/// The character a glyph name stands for: `uniXXXX`, `uXXXX`, a single letter, or a name of
/// [`GLYPH_NAMES`]; a suffix after a period (`one.tnum`) is a variant of the same character.
fn glyph_char(name: &[u8]) -> Option<char> {
    let name = std::str::from_utf8(name).ok()?;
    let base = name.split('.').next().unwrap_or(name);
    let hex = |digits: &str| {
        u32::from_str_radix(digits, 16)
            .ok()
            .and_then(char::from_u32)
    };
    if let Some(digits) = base.strip_prefix("uni") {
        return digits.get(..4).and_then(hex);
    }
    if let Some(digits) = base.strip_prefix('u')
        && (4..=6).contains(&digits.len())
        && digits.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return hex(digits);
    }
    let mut chars = base.chars();
    if let (Some(letter), None) = (chars.next(), chars.next())
        && letter.is_ascii_alphabetic()
    {
        return Some(letter);
    }
    GLYPH_NAMES
        .iter()
        .find(|(glyph, _)| *glyph == base)
        .map(|&(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_encodings() {
        let win = simple_table(Base::WinAnsi, &[]);
        assert_eq!(win[usize::from(b'7')], Some('7'));
        assert_eq!(win[0x93], Some('“'));
        assert_eq!(win[0x05], None);
        let standard = simple_table(Base::Standard, &[]);
        assert_eq!(standard[usize::from(b'\'')], Some('’'));
        assert_eq!(standard[0xE9], None);
        assert_eq!(simple_table(Base::MacRoman, &[])[0xD2], Some('“'));
    }

    #[test]
    fn differences_name_glyphs() {
        let name = |n: &str| Object::Name(n.as_bytes().to_vec());
        let table = simple_table(
            Base::Standard,
            &[
                Object::Integer(1),
                name("one"),
                name("uni5E74"),
                name("u1D400"),
                name("g35C7"),
                Object::Integer(65),
                name("B"),
                name("zero.tnum"),
            ],
        );
        assert_eq!(table[1], Some('1'));
        assert_eq!(table[2], Some('年'));
        assert_eq!(table[3], Some('𝐀'));
        assert_eq!(table[4], None, "a glyph name that says no character");
        assert_eq!(table[65], Some('B'));
        assert_eq!(table[66], Some('0'));
        assert_eq!(table[67], Some('C'), "the base encoding");
    }
}
