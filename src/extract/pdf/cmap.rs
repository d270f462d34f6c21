//! `CMaps` embedded in a PDF: a font's `ToUnicode` map (character code → text) and the encoding
//! of a composite font (bytes → character codes → `CIDs`). A `CMap` is PostScript-like operands
//! and operators, so `lopdf`'s content-stream tokenizer reads it; the sections between
//! `beginbfchar` and `endbfchar` (and the like) arrive as the operands of the `end…` operator.

use lopdf::Object;
use std::collections::HashMap;

/// At most this many codes are taken from one range: a hostile `CMap` may claim four billion.
const MAX_RANGE: u32 = 0xFFFF;

/// The byte strings a composite font's codes are made of: codes of `length` bytes between
/// `low` and `high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeSpace {
    pub length: u8,
    pub low: u32,
    pub high: u32,
}

/// What one `CMap` stream says.
#[derive(Debug, Default)]
pub struct CMap {
    pub code_spaces: Vec<CodeSpace>,
    /// `ToUnicode`: the text of each code.
    pub text: HashMap<u32, String>,
    /// Encoding `CMaps`: code ranges `(low, high, first `CID`)`.
    pub cids: Vec<(u32, u32, u32)>,
}

impl CMap {
    /// Reads a `CMap` stream's decoded bytes; what cannot be read is left out.
    pub fn parse(bytes: &[u8]) -> CMap {
        let mut cmap = CMap::default();
        let Ok(content) = super::operations::decode(bytes) else {
            return cmap;
        };
        for operation in &content.operations {
            let operands = &operation.operands;
            match operation.operator.as_str() {
                "endcodespacerange" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Some((low, length)), Some((high, _))) =
                            (code(&pair[0]), code(&pair[1]))
                        {
                            cmap.code_spaces.push(CodeSpace { length, low, high });
                        }
                    }
                }
                "endbfchar" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Some((at, _)), Some(text)) = (code(&pair[0]), utf16(&pair[1])) {
                            cmap.text.insert(at, text);
                        }
                    }
                }
                "endbfrange" => {
                    for triple in operands.chunks_exact(3) {
                        cmap.bf_range(triple);
                    }
                }
                "endcidrange" => {
                    for triple in operands.chunks_exact(3) {
                        if let (Some((low, _)), Some((high, _)), Ok(cid)) =
                            (code(&triple[0]), code(&triple[1]), triple[2].as_i64())
                        {
                            cmap.cids
                                .push((low, high, u32::try_from(cid).unwrap_or_default()));
                        }
                    }
                }
                "endcidchar" => {
                    for pair in operands.chunks_exact(2) {
                        if let (Some((at, _)), Ok(cid)) = (code(&pair[0]), pair[1].as_i64()) {
                            cmap.cids
                                .push((at, at, u32::try_from(cid).unwrap_or_default()));
                        }
                    }
                }
                _ => {}
            }
        }
        cmap
    }

    /// `low high destination`: the destination is the text of `low`, the codes after it
    /// counting up in its last UTF-16 unit, or an array of one text per code.
    fn bf_range(&mut self, triple: &[Object]) {
        let (Some((low, _)), Some((high, _))) = (code(&triple[0]), code(&triple[1])) else {
            return;
        };
        let high = high.min(low.saturating_add(MAX_RANGE));
        match &triple[2] {
            Object::Array(texts) => {
                for (at, text) in (low..=high).zip(texts) {
                    if let Some(text) = utf16(text) {
                        self.text.insert(at, text);
                    }
                }
            }
            Object::String(bytes, _) => {
                let mut units = units(bytes);
                let Some(&last) = units.last() else {
                    return;
                };
                for (offset, at) in (low..=high).enumerate() {
                    let Ok(offset) = u16::try_from(offset) else {
                        break;
                    };
                    if let Some(unit) = units.last_mut() {
                        *unit = last.wrapping_add(offset);
                    }
                    if let Ok(text) = String::from_utf16(&units) {
                        self.text.insert(at, text);
                    }
                }
            }
            _ => {}
        }
    }
}

/// A hex string as a character code and its length in bytes (1 to 4).
fn code(object: &Object) -> Option<(u32, u8)> {
    let Object::String(bytes, _) = object else {
        return None;
    };
    if bytes.is_empty() || bytes.len() > 4 {
        return None;
    }
    let value = bytes.iter().fold(0u32, |v, &b| (v << 8) | u32::from(b));
    Some((value, u8::try_from(bytes.len()).ok()?))
}

/// A hex string of `UTF-16BE` as text; lone surrogates are no text.
fn utf16(object: &Object) -> Option<String> {
    let Object::String(bytes, _) = object else {
        return None;
    };
    String::from_utf16(&units(bytes)).ok()
}

fn units(bytes: &[u8]) -> Vec<u16> {
    bytes
        .chunks(2)
        .map(|pair| match *pair {
            [high, low] => u16::from_be_bytes([high, low]),
            [single] => u16::from(single),
            _ => 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_spaces_characters_and_ranges() {
        let cmap = CMap::parse(
            b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            1 begincodespacerange <0000> <FFFF> endcodespacerange
            2 beginbfchar <0003> <0020> <0010> <D835DC00> endbfchar
            2 beginbfrange <0020> <0022> <5E74> <0030> <0031> [<0041> <00660066>] endbfrange
            1 begincidrange <8140> <817E> 633 endcidrange
            endcmap CMapName currentdict /CMap defineresource pop end end",
        );
        assert_eq!(
            cmap.code_spaces,
            vec![CodeSpace {
                length: 2,
                low: 0,
                high: 0xFFFF
            }]
        );
        assert_eq!(cmap.text[&3], " ");
        assert_eq!(cmap.text[&0x10], "𝐀");
        assert_eq!(cmap.text[&0x20], "年");
        assert_eq!(cmap.text[&0x21], "\u{5E75}");
        assert_eq!(cmap.text[&0x22], "\u{5E76}");
        assert_eq!(cmap.text[&0x30], "A");
        assert_eq!(cmap.text[&0x31], "ff");
        assert_eq!(cmap.cids, vec![(0x8140, 0x817E, 633)]);
    }

    #[test]
    fn a_huge_range_is_cut_short_and_garbage_gives_nothing() {
        let cmap = CMap::parse(b"1 beginbfrange <00000000> <FFFFFFFF> <0041> endbfrange");
        // Lone surrogates (U+D800–U+DFFF) are no text.
        assert_eq!(
            cmap.text.len(),
            usize::try_from(MAX_RANGE).unwrap() + 1 - 0x800
        );
        assert_eq!(cmap.text[&0], "A");
        assert!(CMap::parse(b"\xff\x00 (unclosed <<").text.is_empty());
    }
}
