//! The first step of reading a PDF: every glyph with its position and every ruling line of
//! every page, in page coordinates (points, origin at the top left, y growing downwards).
//! The content-stream interpreter ([`super::content`]) reports what it draws to a
//! [`Collector`], which keeps glyphs and the strokes and thin boxes that are table rules.

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

/// A transformation matrix `[a b c d e f]`: (x, y) → (a·x + c·y + e, b·x + d·y + f).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Matrix {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    pub d: f64,
    pub e: f64,
    pub f: f64,
}

impl Matrix {
    pub const IDENTITY: Matrix = Matrix {
        a: 1.0,
        b: 0.0,
        c: 0.0,
        d: 1.0,
        e: 0.0,
        f: 0.0,
    };

    pub fn translation(x: f64, y: f64) -> Matrix {
        Matrix {
            e: x,
            f: y,
            ..Matrix::IDENTITY
        }
    }

    pub fn of(m: [f64; 6]) -> Matrix {
        Matrix {
            a: m[0],
            b: m[1],
            c: m[2],
            d: m[3],
            e: m[4],
            f: m[5],
        }
    }

    /// This transformation followed by `next`.
    pub fn then(&self, next: &Matrix) -> Matrix {
        Matrix {
            a: self.a * next.a + self.b * next.c,
            b: self.a * next.b + self.b * next.d,
            c: self.c * next.a + self.d * next.c,
            d: self.c * next.b + self.d * next.d,
            e: self.e * next.a + self.f * next.c + next.e,
            f: self.e * next.b + self.f * next.d + next.f,
        }
    }

    pub fn apply(&self, x: f64, y: f64) -> (f64, f64) {
        (
            x * self.a + y * self.c + self.e,
            x * self.b + y * self.d + self.f,
        )
    }
}

impl Default for Matrix {
    fn default() -> Self {
        Matrix::IDENTITY
    }
}

/// One step of a path, in user space.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PathOp {
    MoveTo(f64, f64),
    LineTo(f64, f64),
    /// A Bézier curve; only its end point matters here.
    CurveTo(f64, f64),
    Rect(f64, f64, f64, f64),
    Close,
}

/// Collects what one page draws.
pub struct Collector {
    pub page: Page,
    /// The page's left and top edges in PDF space (its media box).
    left: f64,
    top: f64,
}

impl Collector {
    /// A page whose media box is `[llx lly urx ury]`.
    pub fn new(number: u32, [llx, lly, _, ury]: [f64; 4]) -> Self {
        Self {
            page: Page {
                number,
                height: ury - lly,
                ..Page::default()
            },
            left: llx,
            top: ury,
        }
    }

    /// Maps a user-space point through `ctm` into top-down page coordinates.
    fn point(&self, ctm: &Matrix, x: f64, y: f64) -> (f64, f64) {
        let (px, py) = ctm.apply(x, y);
        (px - self.left, self.top - py)
    }

    /// A glyph drawn by the text rendering matrix `trm` (font size not applied) that advances
    /// `width` text space units per unit of font size and is `height` of them tall.
    pub fn glyph(&mut self, trm: &Matrix, font_size: f64, width: f64, height: f64, text: String) {
        let (x, y) = self.point(trm, 0.0, 0.0);
        let horizontal = trm.a.hypot(trm.b);
        let vertical = trm.c.hypot(trm.d);
        let size = font_size * vertical * height;
        if text.is_empty() || !size.is_finite() || size <= 0.0 {
            return;
        }
        self.page.glyphs.push(Glyph {
            x,
            y,
            advance: width * font_size * horizontal,
            size,
            text,
        });
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
        self.page.rules.push(rule);
    }

    /// A box becomes a rule along its long middle line when it is thin; `stroked` boxes are
    /// four rules.
    fn rectangle(&mut self, ctm: &Matrix, corner: (f64, f64), size: (f64, f64), stroked: bool) {
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

    /// A path painted with `ctm`: its strokes, or its filled shapes, that are rules.
    pub fn path(&mut self, ctm: &Matrix, path: &[PathOp], stroked: bool) {
        let mut current = (0.0, 0.0);
        let mut start = current;
        // The corners of the filled subpath being walked: a thin filled shape is a rule.
        let mut corners: Vec<(f64, f64)> = Vec::new();
        for op in path {
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
                PathOp::CurveTo(x, y) => {
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
