//! The first step of reading a PDF: every glyph with its position and every ruling line of
//! every page, in page coordinates (points, origin at the top left, y growing downwards).
//! `pdf-extract` interprets the content streams (fonts, `ToUnicode` maps, text and graphics
//! state); this module only records what it reports.

use pdf_extract::{MediaBox, OutputDev, OutputError, Path, PathOp, Transform};

/// One glyph as drawn: where its baseline starts, how far it advances, its size and text.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    pub x: f64,
    /// The baseline.
    pub y: f64,
    pub advance: f64,
    /// The font size on the page, in points.
    pub size: f64,
    pub text: String,
}

impl Glyph {
    pub fn end(&self) -> f64 {
        self.x + self.advance
    }

    pub fn is_space(&self) -> bool {
        self.text.chars().all(char::is_whitespace)
    }
}

/// A horizontal or vertical ruling line: table borders.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// For a horizontal rule its y; for a vertical one its x.
    pub at: f64,
    /// Where it starts and ends along its length.
    pub from: f64,
    pub to: f64,
    pub vertical: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Page {
    /// From 1.
    pub number: u32,
    pub height: f64,
    pub glyphs: Vec<Glyph>,
    pub rules: Vec<Rule>,
}

/// Lines and boxes thinner than this (points) are rules; thicker filled boxes are shading.
const MAX_RULE_THICKNESS: f64 = 2.5;
/// Shorter strokes are glyph parts or decoration, not borders.
const MIN_RULE_LENGTH: f64 = 3.0;

/// Collects the pages that `pdf-extract` walks through.
#[derive(Default)]
pub struct Collector {
    pub pages: Vec<Page>,
}

impl Collector {
    fn page(&mut self) -> &mut Page {
        if self.pages.is_empty() {
            self.pages.push(Page::default());
        }
        let last = self.pages.len() - 1;
        &mut self.pages[last]
    }

    /// Maps a user-space point through `ctm` into top-down page coordinates.
    fn point(&mut self, ctm: &Transform, x: f64, y: f64) -> (f64, f64) {
        let height = self.page().height;
        let px = x * ctm.m11 + y * ctm.m21 + ctm.m31;
        let py = x * ctm.m12 + y * ctm.m22 + ctm.m32;
        (px, height - py)
    }

    /// Records the segment from `a` to `b` if it is horizontal or vertical and long enough.
    fn segment(&mut self, (x0, y0): (f64, f64), (x1, y1): (f64, f64), thickness: f64) {
        if thickness > MAX_RULE_THICKNESS {
            return;
        }
        let rule = if (y0 - y1).abs() <= 0.5 && (x1 - x0).abs() >= MIN_RULE_LENGTH {
            Rule {
                at: f64::midpoint(y0, y1),
                from: x0.min(x1),
                to: x0.max(x1),
                vertical: false,
            }
        } else if (x0 - x1).abs() <= 0.5 && (y1 - y0).abs() >= MIN_RULE_LENGTH {
            Rule {
                at: f64::midpoint(x0, x1),
                from: y0.min(y1),
                to: y0.max(y1),
                vertical: true,
            }
        } else {
            return;
        };
        self.page().rules.push(rule);
    }

    /// A box becomes a rule along its long middle line when it is thin; `stroked` boxes are
    /// four rules.
    fn rectangle(&mut self, ctm: &Transform, corner: (f64, f64), size: (f64, f64), stroked: bool) {
        let (x0, y0) = self.point(ctm, corner.0, corner.1);
        let (x1, y1) = self.point(ctm, corner.0 + size.0, corner.1 + size.1);
        let (left, right) = (x0.min(x1), x0.max(x1));
        let (top, bottom) = (y0.min(y1), y0.max(y1));
        if stroked {
            self.segment((left, top), (right, top), 0.0);
            self.segment((left, bottom), (right, bottom), 0.0);
            self.segment((left, top), (left, bottom), 0.0);
            self.segment((right, top), (right, bottom), 0.0);
        } else {
            self.filled_shape(
                &[(left, top), (right, top), (right, bottom), (left, bottom)],
                false,
            );
        }
    }

    fn path(&mut self, ctm: &Transform, path: &Path, stroked: bool) {
        let mut current = (0.0, 0.0);
        let mut start = current;
        // The corners of the filled subpath being walked: a thin filled shape is a rule.
        let mut corners: Vec<(f64, f64)> = Vec::new();
        for op in &path.ops {
            match *op {
                PathOp::MoveTo(x, y) => {
                    self.filled_shape(&corners, stroked);
                    current = self.point(ctm, x, y);
                    start = current;
                    corners = vec![current];
                }
                PathOp::LineTo(x, y) => {
                    let next = self.point(ctm, x, y);
                    if stroked {
                        self.segment(current, next, 0.0);
                    }
                    corners.push(next);
                    current = next;
                }
                PathOp::CurveTo(_, _, _, _, x, y) => {
                    current = self.point(ctm, x, y);
                    // Curves make no rules.
                    corners.clear();
                }
                PathOp::Rect(x, y, w, h) => self.rectangle(ctm, (x, y), (w, h), stroked),
                PathOp::Close => {
                    if stroked {
                        self.segment(current, start, 0.0);
                    }
                    current = start;
                }
            }
        }
        self.filled_shape(&corners, stroked);
    }

    /// A filled polygon drawn line by line (as `LibreOffice` draws borders) whose bounding box
    /// is thin is a rule, like a thin filled box.
    fn filled_shape(&mut self, corners: &[(f64, f64)], stroked: bool) {
        if stroked || corners.len() < 3 {
            return;
        }
        let (mut left, mut top) = (f64::INFINITY, f64::INFINITY);
        let (mut right, mut bottom) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
        for &(x, y) in corners {
            left = left.min(x);
            right = right.max(x);
            top = top.min(y);
            bottom = bottom.max(y);
        }
        if right - left >= bottom - top {
            let middle = f64::midpoint(top, bottom);
            self.segment((left, middle), (right, middle), bottom - top);
        } else {
            let middle = f64::midpoint(left, right);
            self.segment((middle, top), (middle, bottom), right - left);
        }
    }
}

impl OutputDev for Collector {
    fn begin_page(
        &mut self,
        page_num: u32,
        media_box: &MediaBox,
        _: Option<(f64, f64, f64, f64)>,
    ) -> Result<(), OutputError> {
        self.pages.push(Page {
            number: page_num,
            height: media_box.ury - media_box.lly,
            ..Page::default()
        });
        Ok(())
    }

    fn end_page(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn output_character(
        &mut self,
        trm: &Transform,
        width: f64,
        _spacing: f64,
        font_size: f64,
        text: &str,
    ) -> Result<(), OutputError> {
        let (x, y) = self.point(trm, 0.0, 0.0);
        let horizontal = trm.m11.hypot(trm.m12);
        let vertical = trm.m21.hypot(trm.m22);
        let size = font_size * vertical;
        if text.is_empty() || !size.is_finite() || size <= 0.0 {
            return Ok(());
        }
        self.page().glyphs.push(Glyph {
            x,
            y,
            advance: width * font_size * horizontal,
            size,
            text: super::radicals::ideographs(text),
        });
        Ok(())
    }

    fn begin_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_word(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn end_line(&mut self) -> Result<(), OutputError> {
        Ok(())
    }

    fn stroke(
        &mut self,
        ctm: &Transform,
        _: &pdf_extract::ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.path(ctm, path, true);
        Ok(())
    }

    fn fill(
        &mut self,
        ctm: &Transform,
        _: &pdf_extract::ColorSpace,
        _: &[f64],
        path: &Path,
    ) -> Result<(), OutputError> {
        self.path(ctm, path, false);
        Ok(())
    }
}
