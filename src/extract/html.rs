//! HTML → the same lines of cells as plain text. (To be replaced by a real HTML5 projection:
//! until then the page is read as text.)

use super::layout::{Line, lay_out_text};
use crate::source::SourceFile;

/// Projects an HTML page into text and lines with source spans.
pub fn lay_out_html(source: &SourceFile) -> (String, Vec<Line>) {
    (source.text().to_owned(), lay_out_text(source))
}
