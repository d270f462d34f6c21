//! `gouji rules check --format json`: the problems of rule files for editors and CI, one JSON
//! document (`gouji-rules-check/1`) on standard output.

use serde::Serialize;

use crate::compile::Compiled;
use crate::diagnostic::{Diagnostic, Level};

/// The document's name and version; bumped on any incompatible change.
pub const SCHEMA: &str = "gouji-rules-check/1";

#[derive(Serialize)]
struct Document<'a> {
    schema: &'static str,
    files: Vec<FileJson<'a>>,
}

#[derive(Serialize)]
struct FileJson<'a> {
    path: String,
    errors: usize,
    warnings: usize,
    diagnostics: Vec<DiagnosticJson<'a>>,
}

/// One problem; the place is in `file` (the checked file, or a file it inherits from), with
/// 1-based lines and columns (in characters) and byte offsets.
#[derive(Serialize)]
struct DiagnosticJson<'a> {
    severity: Level,
    code: &'static str,
    message: String,
    label: String,
    help: Option<String>,
    file: Option<&'a str>,
    line: Option<usize>,
    column: Option<usize>,
    end_line: Option<usize>,
    end_column: Option<usize>,
    start: usize,
    end: usize,
}

/// The document for the rule files checked, in the order given.
pub fn render(files: &[(String, Compiled)]) -> String {
    let document = Document {
        schema: SCHEMA,
        files: files
            .iter()
            .map(|(path, compiled)| FileJson {
                path: path.clone(),
                errors: compiled.diagnostics.iter().filter(|d| d.is_error()).count(),
                warnings: compiled
                    .diagnostics
                    .iter()
                    .filter(|d| !d.is_error())
                    .count(),
                diagnostics: compiled.diagnostics.iter().map(diagnostic).collect(),
            })
            .collect(),
    };
    let mut text = serde_json::to_string_pretty(&document).expect("diagnostics serialise");
    text.push('\n');
    text
}

fn diagnostic(d: &Diagnostic) -> DiagnosticJson<'_> {
    let place = |offset| d.source.as_ref().map(|s| s.line_col(offset));
    let (start, end) = (place(d.span.start), place(d.span.end));
    DiagnosticJson {
        severity: d.level,
        code: d.problem.code(),
        message: d.problem.to_string(),
        label: d.problem.label(),
        help: d.problem.help(),
        file: d.source.as_ref().map(crate::source::SourceFile::name),
        line: start.map(|(l, _)| l),
        column: start.map(|(_, c)| c),
        end_line: end.map(|(l, _)| l),
        end_column: end.map(|(_, c)| c),
        start: d.span.start,
        end: d.span.end,
    }
}
