//! The content-stream interpreter: walks a page's operators, keeping the graphics state
//! (`q`/`Q`, `cm`) and the text state (`BT`/`ET`, `Tf`, `Tm`, `Td`/`TD`/`T*`, `Tc`/`Tw`/`Tz`/
//! `TL`/`Ts`), and reports every glyph shown (`Tj`, `TJ`, `'`, `"`) and every path painted to
//! a [`Collector`]. Form `XObjects` (`Do`) are walked with their own resources and matrix;
//! images are not looked at. Colours, clipping and Type 3 glyph procedures change nothing
//! that is read.

use super::fonts::{Font, Fonts, deref, entry, name, numbers};
use super::glyphs::{Collector, Matrix, Page, PathOp};
use lopdf::content::Operation;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::rc::Rc;

/// Forms inside forms deeper than this are not walked: a hostile PDF may nest them forever.
const MAX_FORM_DEPTH: usize = 12;
/// The page size when a page gives none: US Letter, as PDF viewers assume.
const DEFAULT_MEDIA_BOX: [f64; 4] = [0.0, 0.0, 612.0, 792.0];

/// Reads page `number` (from 1), object `id`, with the document's `fonts`.
pub fn read_page<'a>(
    doc: &'a Document,
    fonts: &mut Fonts<'a>,
    number: u32,
    id: ObjectId,
) -> Result<Page, String> {
    let page = doc.get_dictionary(id).map_err(|e| e.to_string())?;
    let empty = Dictionary::new();
    let resources = inherited(doc, page, b"Resources")
        .and_then(|o| o.as_dict().ok())
        .unwrap_or(&empty);
    let media_box = match numbers(doc, inherited(doc, page, b"MediaBox")).as_slice() {
        &[x0, y0, x1, y1] => [x0.min(x1), y0.min(y1), x0.max(x1), y0.max(y1)],
        _ => DEFAULT_MEDIA_BOX,
    };
    let bytes = doc.get_page_content(id).map_err(|e| e.to_string())?;
    let content = super::operations::decode(&bytes).map_err(|e| e.to_string())?;
    let mut interpreter = Interpreter {
        doc,
        fonts,
        out: Collector::new(number, media_box),
        depth: 0,
    };
    interpreter.run(&content.operations, resources, &mut State::default())?;
    Ok(interpreter.out.page)
}

/// `key` of a page, or of the nearest page-tree node above it that has it.
fn inherited<'a>(doc: &'a Document, page: &'a Dictionary, key: &[u8]) -> Option<&'a Object> {
    let mut node = page;
    // The page tree is shallow; a cycle in a damaged file must not hang.
    for _ in 0..32 {
        if let Some(value) = entry(node, key) {
            return deref(doc, Some(value));
        }
        node = deref(doc, entry(node, b"Parent"))?.as_dict().ok()?;
    }
    None
}

/// What `q` saves and `Q` restores (of what matters for reading).
#[derive(Clone)]
struct Graphics {
    ctm: Matrix,
    font: Option<Rc<Font>>,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    /// `Tz` as a fraction.
    scaling: f64,
    leading: f64,
    rise: f64,
}

impl Default for Graphics {
    fn default() -> Self {
        Self {
            ctm: Matrix::IDENTITY,
            font: None,
            font_size: 0.0,
            char_spacing: 0.0,
            word_spacing: 0.0,
            scaling: 1.0,
            leading: 0.0,
            rise: 0.0,
        }
    }
}

#[derive(Default)]
struct State {
    graphics: Graphics,
    saved: Vec<Graphics>,
    /// The text matrix and the text line matrix.
    tm: Matrix,
    tlm: Matrix,
    path: Vec<PathOp>,
}

struct Interpreter<'a, 'f> {
    doc: &'a Document,
    fonts: &'f mut Fonts<'a>,
    out: Collector,
    depth: usize,
}

impl Interpreter<'_, '_> {
    /// Walks `operations`; a damaged font stops the walk.
    fn run(
        &mut self,
        operations: &[Operation],
        resources: &Dictionary,
        state: &mut State,
    ) -> Result<(), String> {
        for operation in operations {
            let operands = operation.operands.as_slice();
            let leading = state.graphics.leading;
            let g = &mut state.graphics;
            match operation.operator.as_str() {
                "q" => state.saved.push(g.clone()),
                "Q" => {
                    if let Some(saved) = state.saved.pop() {
                        *g = saved;
                    }
                }
                "cm" => {
                    if let Some(m) = numbers_of::<6>(operands) {
                        g.ctm = Matrix::of(m).then(&g.ctm);
                    }
                }
                "BT" | "ET" => {
                    state.tm = Matrix::IDENTITY;
                    state.tlm = Matrix::IDENTITY;
                }
                "Tf" => {
                    if let (Some(Object::Name(font)), Some([size])) = (
                        operands.first(),
                        operands.get(1..).and_then(numbers_of::<1>),
                    ) {
                        g.font = self.fonts.get(resources, font)?;
                        g.font_size = size;
                    }
                }
                "Tc" | "Tw" | "Tz" | "TL" | "Ts" => {
                    if let Some([value]) = numbers_of::<1>(operands) {
                        match operation.operator.as_str() {
                            "Tc" => g.char_spacing = value,
                            "Tw" => g.word_spacing = value,
                            "Tz" => g.scaling = value / 100.0,
                            "TL" => g.leading = value,
                            _ => g.rise = value,
                        }
                    }
                }
                "Tm" => {
                    if let Some(m) = numbers_of::<6>(operands) {
                        state.tlm = Matrix::of(m);
                        state.tm = state.tlm;
                    }
                }
                "Td" | "TD" => {
                    if let Some([x, y]) = numbers_of::<2>(operands) {
                        if operation.operator == "TD" {
                            g.leading = -y;
                        }
                        state.next_line(x, y);
                    }
                }
                "T*" => state.next_line(0.0, -leading),
                "Tj" => {
                    if let Some(Object::String(bytes, _)) = operands.first() {
                        self.show(state, bytes);
                    }
                }
                "'" => {
                    state.next_line(0.0, -leading);
                    if let Some(Object::String(bytes, _)) = operands.first() {
                        self.show(state, bytes);
                    }
                }
                "\"" => {
                    if let (Some([word, char]), Some(Object::String(bytes, _))) =
                        (numbers_of::<2>(operands), operands.get(2))
                    {
                        g.word_spacing = word;
                        g.char_spacing = char;
                        state.next_line(0.0, -leading);
                        self.show(state, bytes);
                    }
                }
                "TJ" => {
                    if let Some(Object::Array(items)) = operands.first() {
                        for item in items {
                            match item {
                                Object::String(bytes, _) => self.show(state, bytes),
                                other => {
                                    if let Some(adjust) = number(other) {
                                        let g = &state.graphics;
                                        let tx = -adjust / 1000.0 * g.font_size * g.scaling;
                                        state.tm = Matrix::translation(tx, 0.0).then(&state.tm);
                                    }
                                }
                            }
                        }
                    }
                }
                "m" | "l" => {
                    if let Some([x, y]) = numbers_of::<2>(operands) {
                        state.path.push(if operation.operator == "m" {
                            PathOp::MoveTo(x, y)
                        } else {
                            PathOp::LineTo(x, y)
                        });
                    }
                }
                "c" => {
                    if let Some([.., x, y]) = numbers_of::<6>(operands) {
                        state.path.push(PathOp::CurveTo(x, y));
                    }
                }
                "v" | "y" => {
                    if let Some([.., x, y]) = numbers_of::<4>(operands) {
                        state.path.push(PathOp::CurveTo(x, y));
                    }
                }
                "re" => {
                    if let Some([x, y, w, h]) = numbers_of::<4>(operands) {
                        state.path.push(PathOp::Rect(x, y, w, h));
                    }
                }
                "h" => state.path.push(PathOp::Close),
                // A path both filled and stroked makes the rules its outline makes.
                "S" | "s" | "B" | "B*" | "b" | "b*" => {
                    if matches!(operation.operator.as_str(), "s" | "b" | "b*") {
                        state.path.push(PathOp::Close);
                    }
                    self.out.path(&state.graphics.ctm, &state.path, true);
                    state.path.clear();
                }
                "f" | "F" | "f*" => {
                    self.out.path(&state.graphics.ctm, &state.path, false);
                    state.path.clear();
                }
                "n" => state.path.clear(),
                "Do" => {
                    if let Some(Object::Name(form)) = operands.first() {
                        self.form(state, resources, form)?;
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Shows the glyphs of `bytes`, advancing the text matrix past each.
    fn show(&mut self, state: &mut State, bytes: &[u8]) {
        let g = &state.graphics;
        let Some(font) = &g.font else {
            return;
        };
        let text_space = Matrix {
            a: g.scaling,
            f: g.rise,
            ..Matrix::IDENTITY
        };
        let mut rest = bytes;
        while let Some(code) = font.next_code(rest) {
            let (spelled, after) = rest.split_at(code.length);
            let trm = text_space.then(&state.tm.then(&g.ctm));
            let text = font.text(code.value, spelled);
            self.out
                .glyph(&trm, g.font_size, code.width, font.height(), text);
            // Word spacing applies to the single-byte code 32 only.
            let word = if code.value == 32 && code.length == 1 {
                g.word_spacing
            } else {
                0.0
            };
            let tx = g.scaling * (code.width * g.font_size + g.char_spacing + word);
            state.tm = Matrix::translation(tx, 0.0).then(&state.tm);
            rest = after;
        }
    }

    /// `Do` of a form `XObject`: its content drawn with its matrix, in a saved graphics state.
    fn form(
        &mut self,
        state: &mut State,
        resources: &Dictionary,
        name_: &[u8],
    ) -> Result<(), String> {
        let doc = self.doc;
        let Some(stream) = deref(doc, entry(resources, b"XObject"))
            .and_then(|o| o.as_dict().ok())
            .and_then(|xobjects| deref(doc, entry(xobjects, name_)))
            .and_then(|o| o.as_stream().ok())
        else {
            return Ok(());
        };
        if name(doc, &stream.dict, b"Subtype") != Some(b"Form".as_slice())
            || self.depth >= MAX_FORM_DEPTH
        {
            return Ok(());
        }
        let Some(content) = stream
            .get_plain_content()
            .ok()
            .and_then(|bytes| super::operations::decode(&bytes).ok())
        else {
            return Ok(());
        };
        let form_resources = deref(doc, entry(&stream.dict, b"Resources"))
            .and_then(|o| o.as_dict().ok())
            .unwrap_or(resources);
        let matrix = <[f64; 6]>::try_from(numbers(doc, entry(&stream.dict, b"Matrix")))
            .map_or(Matrix::IDENTITY, Matrix::of);
        let saved = state.graphics.clone();
        state.graphics.ctm = matrix.then(&state.graphics.ctm);
        self.depth += 1;
        let walked = self.run(&content.operations, form_resources, state);
        self.depth -= 1;
        state.graphics = saved;
        walked
    }
}

impl State {
    /// `Td`: the start of the next line, offset from the start of this one.
    fn next_line(&mut self, x: f64, y: f64) {
        self.tlm = Matrix::translation(x, y).then(&self.tlm);
        self.tm = self.tlm;
    }
}

fn number(object: &Object) -> Option<f64> {
    match object {
        Object::Integer(i) => {
            #[allow(clippy::cast_precision_loss)] // coordinates and sizes
            Some(*i as f64)
        }
        Object::Real(r) => Some(f64::from(*r)),
        _ => None,
    }
}

/// The first `N` operands as numbers, if they are.
fn numbers_of<const N: usize>(operands: &[Object]) -> Option<[f64; N]> {
    let mut out = [0.0; N];
    for (slot, operand) in out.iter_mut().zip(operands) {
        *slot = number(operand)?;
    }
    (operands.len() >= N).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, dictionary};

    /// A one-page document: a Latin font without `ToUnicode` (its text from `WinAnsiEncoding`),
    /// text shown directly and inside a scaled form.
    fn document() -> (Document, ObjectId) {
        let mut doc = Document::with_version("1.7");
        let font = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "TrueType", "BaseFont" => "Arial",
            "Encoding" => "WinAnsiEncoding", "FirstChar" => 48,
            "Widths" => vec![Object::Integer(500), Object::Integer(600)],
        });
        let form = doc.add_object(Stream::new(
            dictionary! { "Type" => "XObject", "Subtype" => "Form",
            "Matrix" => vec![2.into(), 0.into(), 0.into(), 2.into(), 0.into(), 0.into()] },
            b"BT /F1 10 Tf 10 20 Td (1) Tj ET".to_vec(),
        ));
        let content = doc.add_object(Stream::new(
            dictionary! {},
            b"q 1 0 0 1 100 0 cm BT /F1 10 Tf 0 700 Td [(0) -1000 (1)] TJ 14 TL (0) ' ET Q \
              0 0 m 200 0 l S /X1 Do"
                .to_vec(),
        ));
        let page = doc.add_object(dictionary! {
            "Type" => "Page", "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
            "Contents" => content,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font },
                "XObject" => dictionary! { "X1" => form } },
        });
        (doc, page)
    }

    #[test]
    fn glyphs_with_positions_through_text_state_and_forms() {
        let (doc, page) = document();
        let mut fonts = Fonts::new(&doc);
        let read = read_page(&doc, &mut fonts, 1, page).expect("readable");
        let glyphs: Vec<(String, f64, f64, f64, f64)> = read
            .glyphs
            .iter()
            .map(|g| (g.text.clone(), g.x, g.y, g.advance, g.size))
            .collect();
        assert_eq!(
            glyphs,
            vec![
                ("0".to_owned(), 100.0, 142.0, 5.0, 10.0),
                // The TJ adjustment of −1000 moves one font size to the right.
                ("1".to_owned(), 115.0, 142.0, 6.0, 10.0),
                // `'` goes to the next line, TL below.
                ("0".to_owned(), 100.0, 156.0, 5.0, 10.0),
                // The form doubles its coordinates and the glyph size.
                ("1".to_owned(), 20.0, 802.0, 12.0, 20.0),
            ]
        );
        assert_eq!(read.rules.len(), 1, "the stroke is a rule");
    }
}
