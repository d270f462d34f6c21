//! The PDF reader: glyphs with their positions ([`glyphs`]) → lines and runs ([`lines`]) →
//! ruled tables ([`tables`]) → layout text ([`render`]), which the text reader then reads
//! like any space-aligned text. A PDF that cannot be read faithfully — a scan, fonts without
//! a Unicode map, a password — is refused, never read as garbage.
//!
//! `lopdf` parses and decrypts the file; [`content`] interprets the pages' content streams
//! with the fonts of [`fonts`] (`ToUnicode` maps, encodings, widths), decoded once per
//! document.

mod cmap;
mod content;
mod encodings;
mod fonts;
mod glyphs;
mod lines;
mod operations;
mod radicals;
mod render;
mod tables;

pub use render::Rendering;

use glyphs::Page;
use std::cell::Cell;
use std::sync::Once;

/// Why a PDF is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No text at all: a scan or pictures of pages.
    Scanned,
    /// Text whose characters cannot be known: fonts without a Unicode map.
    NoUnicodeMap,
    /// Encrypted with a password other than the empty one.
    Encrypted,
    /// Not a PDF that can be parsed; the parser's own words.
    Damaged(String),
}

/// At most this share of a PDF's glyphs may be characters no report is written in (private
/// use, replacement characters, controls, stray Latin-1 letters): more means the fonts have no
/// Unicode map and the text is the fonts' internal codes.
const MAX_UNREADABLE_SHARE: f64 = 0.05;

/// Reads a PDF into layout text.
pub fn read(bytes: &[u8]) -> Result<Rendering, Refusal> {
    let pages = pages(bytes)?;
    let glyphs: Vec<&str> = pages
        .iter()
        .flat_map(|p| &p.glyphs)
        .filter(|g| !g.is_space())
        .map(|g| g.text.as_str())
        .collect();
    if glyphs.is_empty() {
        return Err(Refusal::Scanned);
    }
    let unreadable = glyphs.iter().filter(|t| t.chars().any(unreadable)).count();
    #[allow(clippy::cast_precision_loss)] // glyph counts of one document
    if unreadable as f64 > MAX_UNREADABLE_SHARE * glyphs.len() as f64 {
        return Err(Refusal::NoUnicodeMap);
    }
    Ok(render::render(&pages))
}

/// The glyphs and rules of every page, read in order with one font cache (fonts are shared
/// by the pages; decoding them is most of the work). `lopdf` panics on some malformed files;
/// such a file is refused as damaged (the panic's words in gouji's message, never printed
/// before it), and reading goes on with the next file.
fn pages(bytes: &[u8]) -> Result<Vec<Page>, Refusal> {
    let mut document = quietly(|| lopdf::Document::load_mem(bytes))
        .map_err(Refusal::Damaged)?
        .map_err(|e| match e {
            lopdf::Error::Decryption(_) => Refusal::Encrypted,
            other => Refusal::Damaged(other.to_string()),
        })?;
    if document.is_encrypted() && document.decrypt("").is_err() {
        return Err(Refusal::Encrypted);
    }
    quietly(|| {
        let mut fonts = fonts::Fonts::new(&document);
        document
            .get_pages()
            .into_iter()
            .map(|(number, id)| {
                content::read_page(&document, &mut fonts, number, id).map_err(Refusal::Damaged)
            })
            .collect()
    })
    .map_err(Refusal::Damaged)?
}

thread_local! {
    /// Whether this thread is inside [`quietly`]: its panics are caught and reported as
    /// gouji's own refusal, not printed.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs the PDF parser on this thread, its panic caught and turned into its message, which
/// is not printed: the panic hook (installed once, in front of whatever hook was there)
/// stays silent for a thread inside `quietly` and passes every other panic on.
fn quietly<T>(parse: impl FnOnce() -> T) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let outer = QUIET.with(|quiet| quiet.replace(true));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(parse));
    QUIET.with(|quiet| quiet.set(outer));
    result.map_err(|payload| {
        let words = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("无法解析的内容 / unparsable content: {words}")
    })
}

/// Characters that a report's text never consists of, but fonts' internal codes read as
/// text do.
fn unreadable(c: char) -> bool {
    matches!(c, '\u{e000}'..='\u{f8ff}' | '\u{fffd}' | '\u{80}'..='\u{ff}')
        || (c.is_control() && !c.is_whitespace())
}
