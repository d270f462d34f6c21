//! Fonts: how the bytes of a shown string split into character codes, and the text and width
//! of each code. A font is decoded once per document ([`Fonts`] caches it by its object), not
//! once per page: a browser's PDF has a hundred small Type 3 fonts on every page, each with
//! its own `ToUnicode` map.
//!
//! The text of a code comes from the font's `ToUnicode` map; failing that, from its encoding
//! (standard encodings and glyph names for simple fonts, predefined Unicode and GBK `CMaps` for
//! composite ones). A code nothing gives text for is U+FFFD, which the reader counts as
//! unreadable.

use super::cmap::{CMap, CodeSpace};
use super::encodings::{Base, simple_table};
use super::radicals::ideographs;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::collections::HashMap;
use std::rc::Rc;

/// The text of a code that nothing maps to text.
pub const UNMAPPED: &str = "\u{fffd}";
/// At most this many widths are taken from one range of a composite font's `/W`.
const MAX_WIDTH_RANGE: i64 = 0xFFFF;
/// Glyph units per text space unit, except in Type 3 fonts (their `/FontMatrix`).
const GLYPH_UNITS: f64 = 1000.0;
/// The width of a glyph in a font that gives none (the standard 14 fonts of old PDFs): about
/// an average Latin glyph, in glyph units.
const ASSUMED_WIDTH: f64 = 500.0;

/// One character code of a shown string.
pub struct Code {
    pub value: u32,
    /// How many bytes of the string it took.
    pub length: usize,
    /// Its advance in text space units per unit of font size.
    pub width: f64,
}

/// How a font's character codes are made and what their text is when `ToUnicode` is silent.
enum Encoding {
    /// One byte per code; the text of each byte from the font's `/Encoding`.
    Simple(Box<[Option<char>; 256]>),
    /// A composite font's `CMap` (`Identity-H`, or embedded): code spaces and `CID` ranges.
    Cids {
        spaces: Vec<CodeSpace>,
        cids: Vec<(u32, u32, u32)>,
    },
    /// Predefined `CMaps` whose codes are UTF-16 (`UniGB-UCS2-H`, `UniGB-UTF16-H`, …).
    Utf16,
    /// Predefined `CMaps` whose codes are GBK or GB 18030 (`GBK-EUC-H`, `GBpc-EUC-H`, …).
    Gb18030,
    /// Another predefined `CMap`: its codes cannot be known.
    Unknown,
}

pub struct Font {
    encoding: Encoding,
    /// The `ToUnicode` map, radicals read as ideographs.
    text: HashMap<u32, String>,
    /// Widths in glyph units by code (simple fonts) or `CID` (composite fonts).
    widths: HashMap<u32, f64>,
    default_width: f64,
    /// Glyph space → text space horizontally: 1/1000, or a Type 3 font's `/FontMatrix`.
    scale: f64,
    /// The height of the glyphs in text space units per unit of font size: 1, except where a
    /// Type 3 font's `/FontMatrix` says otherwise.
    height: f64,
}

impl Font {
    /// The next code at the start of `bytes`, if any.
    pub fn next_code(&self, bytes: &[u8]) -> Option<Code> {
        let first = *bytes.first()?;
        let length = match &self.encoding {
            Encoding::Simple(_) | Encoding::Unknown => 1,
            Encoding::Cids { spaces, .. } => code_length(spaces, bytes),
            Encoding::Utf16 => {
                if (0xD8..=0xDB).contains(&first) && bytes.len() >= 4 {
                    4
                } else {
                    2
                }
            }
            Encoding::Gb18030 => match bytes.get(1) {
                _ if first < 0x81 => 1,
                Some(0x30..=0x39) => 4,
                _ => 2,
            },
        }
        .min(bytes.len());
        let code = bytes[..length]
            .iter()
            .fold(0u32, |v, &b| (v << 8) | u32::from(b));
        let width = self
            .cid(code)
            .and_then(|cid| self.widths.get(&cid))
            .copied()
            .unwrap_or(self.default_width);
        Some(Code {
            value: code,
            length,
            width: width * self.scale,
        })
    }

    /// The glyph height in text space units per unit of font size.
    pub fn height(&self) -> f64 {
        self.height
    }

    /// The text of `code`, which `bytes` spell.
    pub fn text(&self, code: u32, bytes: &[u8]) -> String {
        if let Some(text) = self.text.get(&code) {
            return text.clone();
        }
        let text = match &self.encoding {
            Encoding::Simple(table) => bytes
                .first()
                .and_then(|&b| table[usize::from(b)])
                .map(String::from),
            Encoding::Utf16 => {
                let units: Vec<u16> = bytes
                    .chunks_exact(2)
                    .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
                    .collect();
                String::from_utf16(&units).ok()
            }
            Encoding::Gb18030 => encoding_rs::GB18030
                .decode_without_bom_handling_and_without_replacement(bytes)
                .map(std::borrow::Cow::into_owned),
            Encoding::Cids { .. } | Encoding::Unknown => None,
        };
        text.map_or_else(|| UNMAPPED.to_owned(), |t| ideographs(&t))
    }

    /// The `CID` that widths are given for: the code itself in simple fonts.
    fn cid(&self, code: u32) -> Option<u32> {
        match &self.encoding {
            Encoding::Simple(_) => Some(code),
            Encoding::Cids { cids, .. } => cids
                .iter()
                .find(|&&(low, high, _)| (low..=high).contains(&code))
                .map(|&(low, _, first)| first + (code - low)),
            // Adobe's character collections put the ASCII characters at CIDs 1–95.
            Encoding::Utf16 | Encoding::Gb18030 => {
                (0x20..=0x7E).contains(&code).then(|| code - 0x1F)
            }
            Encoding::Unknown => None,
        }
    }

    /// Decodes a font dictionary; one whose encoding or descendant font is not what the PDF
    /// format allows is damaged, not guessed at.
    fn load(doc: &Document, font: &Dictionary) -> Result<Font, String> {
        let text: HashMap<u32, String> = deref(doc, entry(font, b"ToUnicode"))
            .and_then(|o| o.as_stream().ok())
            .and_then(|s| s.get_plain_content().ok())
            .map(|bytes| {
                CMap::parse(&bytes)
                    .text
                    .into_iter()
                    .map(|(code, text)| (code, ideographs(&text)))
                    .collect()
            })
            .unwrap_or_default();
        match name(doc, font, b"Subtype") {
            Some(b"Type0") => Self::composite(doc, font, text),
            subtype => Self::simple(doc, font, subtype, text),
        }
    }

    fn simple(
        doc: &Document,
        font: &Dictionary,
        subtype: Option<&[u8]>,
        text: HashMap<u32, String>,
    ) -> Result<Font, String> {
        let true_type = subtype == Some(b"TrueType".as_slice());
        let default_base = if true_type {
            Base::WinAnsi
        } else {
            Base::Standard
        };
        let encoding = deref(doc, entry(font, b"Encoding"));
        let table = match encoding {
            Some(Object::Name(name)) => {
                simple_table(Base::named(name).unwrap_or(default_base), &[])
            }
            Some(Object::Dictionary(dict)) => {
                let base = name(doc, dict, b"BaseEncoding")
                    .and_then(Base::named)
                    .unwrap_or(default_base);
                let differences = deref(doc, entry(dict, b"Differences"))
                    .and_then(|o| o.as_array().ok())
                    .map_or(&[][..], Vec::as_slice);
                simple_table(base, differences)
            }
            None => simple_table(default_base, &[]),
            Some(other) => return Err(unparsable("/Encoding", other)),
        };
        let first = deref(doc, entry(font, b"FirstChar"))
            .and_then(|o| o.as_i64().ok())
            .unwrap_or(0);
        let given = numbers(doc, entry(font, b"Widths"));
        let widths: HashMap<u32, f64> = (first..)
            .zip(given.iter().copied())
            .filter_map(|(code, width)| Some((u32::try_from(code).ok()?, width)))
            .collect();
        let descriptor = deref(doc, entry(font, b"FontDescriptor")).and_then(|o| o.as_dict().ok());
        let missing = descriptor
            .and_then(|d| number(doc, entry(d, b"MissingWidth")))
            .or_else(|| number(doc, entry(font, b"MissingWidth")));
        let default_width = missing.unwrap_or(if given.is_empty() { ASSUMED_WIDTH } else { 0.0 });
        let (scale, height) = match numbers(doc, entry(font, b"FontMatrix")).as_slice() {
            &[a, b, c, d, _, _] if subtype == Some(b"Type3".as_slice()) => {
                (a.hypot(b), c.hypot(d) * GLYPH_UNITS)
            }
            _ => (1.0 / GLYPH_UNITS, 1.0),
        };
        Ok(Font {
            encoding: Encoding::Simple(table),
            text,
            widths,
            default_width,
            scale,
            height,
        })
    }

    fn composite(
        doc: &Document,
        font: &Dictionary,
        text: HashMap<u32, String>,
    ) -> Result<Font, String> {
        let encoding = match deref(doc, entry(font, b"Encoding")) {
            Some(Object::Name(name)) => predefined(name),
            Some(Object::Stream(stream)) => {
                let cmap = stream
                    .get_plain_content()
                    .map(|bytes| CMap::parse(&bytes))
                    .unwrap_or_default();
                if cmap.code_spaces.is_empty() {
                    identity()
                } else {
                    Encoding::Cids {
                        spaces: cmap.code_spaces,
                        cids: cmap.cids,
                    }
                }
            }
            other => return Err(unparsable("/Encoding", other.unwrap_or(&Object::Null))),
        };
        let descendants = deref(doc, entry(font, b"DescendantFonts"));
        let descendant = descendants
            .and_then(|o| o.as_array().ok())
            .and_then(|fonts| deref(doc, fonts.first()))
            .and_then(|o| o.as_dict().ok())
            .ok_or_else(|| unparsable("/DescendantFonts", descendants.unwrap_or(&Object::Null)))?;
        let default_width = number(doc, entry(descendant, b"DW")).unwrap_or(GLYPH_UNITS);
        let widths = deref(doc, entry(descendant, b"W"))
            .and_then(|o| o.as_array().ok())
            .map(|w| cid_widths(doc, w))
            .unwrap_or_default();
        Ok(Font {
            encoding,
            text,
            widths,
            default_width,
            scale: 1.0 / GLYPH_UNITS,
            height: 1.0,
        })
    }
}

/// The words of a damaged font's refusal.
fn unparsable(key: &str, value: &Object) -> String {
    format!("无法解析的字体 / unparsable font: {key} {value:?}")
}

/// A composite font's `/W`: `first [w1 w2 …]` and `first last w` entries.
fn cid_widths(doc: &Document, w: &[Object]) -> HashMap<u32, f64> {
    let mut widths = HashMap::new();
    let mut i = 0;
    while let Some(first) = w.get(i).and_then(|o| o.as_i64().ok()) {
        match deref(doc, w.get(i + 1)) {
            Some(Object::Array(list)) => {
                for (cid, width) in (first..).zip(list) {
                    if let (Ok(cid), Some(width)) = (u32::try_from(cid), number(doc, Some(width))) {
                        widths.insert(cid, width);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let (Ok(last), Some(width)) = (last.as_i64(), number(doc, w.get(i + 2))) else {
                    break;
                };
                for cid in first..=last.min(first.saturating_add(MAX_WIDTH_RANGE)) {
                    if let Ok(cid) = u32::try_from(cid) {
                        widths.insert(cid, width);
                    }
                }
                i += 3;
            }
            None => break,
        }
    }
    widths
}

fn identity() -> Encoding {
    Encoding::Cids {
        spaces: vec![CodeSpace {
            length: 2,
            low: 0,
            high: 0xFFFF,
        }],
        cids: vec![(0, 0xFFFF, 0)],
    }
}

/// A predefined `CMap` by its name.
fn predefined(name: &[u8]) -> Encoding {
    let name = String::from_utf8_lossy(name);
    if name.starts_with("Identity-") {
        identity()
    } else if name.starts_with("Uni") && (name.contains("-UCS2-") || name.contains("-UTF16-")) {
        Encoding::Utf16
    } else if ["GBK-", "GBpc-EUC-", "GB-EUC-", "GBK2K-", "GBKp-EUC-"]
        .iter()
        .any(|prefix| name.starts_with(prefix))
    {
        Encoding::Gb18030
    } else {
        Encoding::Unknown
    }
}

/// How many bytes the code at the start of `bytes` takes: the shortest code space that
/// holds it, or the shortest code space's length for bytes no code space holds.
fn code_length(spaces: &[CodeSpace], bytes: &[u8]) -> usize {
    let mut value = 0u32;
    for (i, &byte) in bytes.iter().take(4).enumerate() {
        value = (value << 8) | u32::from(byte);
        let length = i + 1;
        if spaces
            .iter()
            .any(|s| usize::from(s.length) == length && (s.low..=s.high).contains(&value))
        {
            return length;
        }
    }
    spaces
        .iter()
        .map(|s| usize::from(s.length))
        .min()
        .unwrap_or(1)
        .max(1)
}

/// The fonts of one document, each decoded the first time a page uses it.
pub struct Fonts<'a> {
    doc: &'a Document,
    loaded: HashMap<FontKey, Rc<Font>>,
}

/// A font dictionary: its object, or where it sits in the document when it is written inline.
#[derive(Hash, PartialEq, Eq)]
enum FontKey {
    Object(ObjectId),
    Inline(usize),
}

impl<'a> Fonts<'a> {
    pub fn new(doc: &'a Document) -> Self {
        Self {
            doc,
            loaded: HashMap::new(),
        }
    }

    /// The font that `name` stands for in `resources`, if there is one.
    pub fn get(&mut self, resources: &Dictionary, name: &[u8]) -> Result<Option<Rc<Font>>, String> {
        let doc = self.doc;
        let Some(font_entry) = deref(doc, entry(resources, b"Font"))
            .and_then(|o| o.as_dict().ok())
            .and_then(|fonts| entry(fonts, name))
        else {
            return Ok(None);
        };
        let (key, dict) = match font_entry {
            Object::Reference(id) => match doc.get_dictionary(*id) {
                Ok(dict) => (FontKey::Object(*id), dict),
                Err(_) => return Ok(None),
            },
            Object::Dictionary(dict) => (FontKey::Inline(std::ptr::from_ref(dict).addr()), dict),
            _ => return Ok(None),
        };
        if let Some(font) = self.loaded.get(&key) {
            return Ok(Some(font.clone()));
        }
        let font = Rc::new(Font::load(doc, dict)?);
        self.loaded.insert(key, font.clone());
        Ok(Some(font))
    }
}

/// The value of `key` in `dict`. lopdf's `Dictionary::get` makes its error, with a copy of
/// the key, even when the key is there.
pub fn entry<'a>(dict: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    dict.as_hashmap().get(key)
}

/// `object`, or the object it refers to.
pub fn deref<'a>(doc: &'a Document, object: Option<&'a Object>) -> Option<&'a Object> {
    match object? {
        Object::Reference(id) => doc.get_object(*id).ok(),
        other => Some(other),
    }
}

pub fn number(doc: &Document, object: Option<&Object>) -> Option<f64> {
    match deref(doc, object)? {
        Object::Integer(i) => {
            #[allow(clippy::cast_precision_loss)] // sizes and coordinates
            Some(*i as f64)
        }
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// An array of numbers (what is not a number left out).
pub fn numbers(doc: &Document, object: Option<&Object>) -> Vec<f64> {
    deref(doc, object)
        .and_then(|o| o.as_array().ok())
        .map(|items| items.iter().filter_map(|o| number(doc, Some(o))).collect())
        .unwrap_or_default()
}

pub fn name<'a>(doc: &'a Document, dict: &'a Dictionary, key: &[u8]) -> Option<&'a [u8]> {
    deref(doc, entry(dict, key))?.as_name().ok()
}
