//! Stage 3: a report's bytes → the report model, driven by a rule set's declarations.
//! Reading happens in two steps: [`load`] decodes and lays out the input once (it knows no
//! rule set), then an [`Extractor`] built from a rule set finds that set's sections and
//! tables in it. Trying several rule sets on one report costs one load.

mod decode;
mod html;
mod layout;
mod matcher;
mod normalize;
mod pdf;
mod structured;
mod value;

use std::fmt;

pub use layout::{Document, Line, LineCell};
pub use matcher::{Extractor, Fit, parse_date_prefix};
pub use normalize::normalize;
pub use pdf::Rendering as PdfRendering;

use crate::report::InputKind;
use crate::source::{SourceFile, Span};

/// Inputs larger than this are refused: no annual report comes near it, and reading one
/// must stay within memory proportional to one report.
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// A report's input, decoded and laid out, ready for any rule set.
#[derive(Debug, Clone)]
pub enum Input {
    /// Plain text or HTML, laid out as lines of cells.
    Document(Document),
    /// A TOML or JSON report, parsed with the span of every key and value.
    Structured(StructuredInput),
}

pub use structured::StructuredInput;

impl Input {
    #[must_use]
    pub fn source(&self) -> &SourceFile {
        match self {
            Input::Document(d) => &d.source,
            Input::Structured(s) => &s.source,
        }
    }
}

/// Why an input cannot be read at all. Problems inside a readable input are anomalies in the
/// report instead.
#[derive(Debug, Clone)]
pub struct ReadError {
    pub name: String,
    pub kind: ReadErrorKind,
    /// Where the problem is, for inputs that were decoded.
    pub at: Option<(SourceFile, Span)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadErrorKind {
    Empty,
    Binary,
    TooLarge {
        bytes: usize,
    },
    Syntax(String),
    /// A PDF without a text layer: a scan or pictures of pages.
    PdfScanned,
    /// A PDF whose fonts have no Unicode map: its text would be the fonts' internal codes.
    PdfNoUnicodeMap,
    /// A PDF locked with a password.
    PdfEncrypted,
    /// A file that starts like a PDF but cannot be parsed.
    PdfDamaged(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ReadErrorKind::Empty => write!(f, "「{}」是空文件 / the file is empty", self.name),
            ReadErrorKind::Binary => write!(
                f,
                "「{}」不是文本、网页或 PDF 文件（可能是图片或压缩包）/ not a text, HTML or PDF file",
                self.name
            ),
            ReadErrorKind::TooLarge { bytes } => write!(
                f,
                "「{}」太大（{} MB），超过 {} MB 的上限 / the file is too large",
                self.name,
                bytes / (1024 * 1024),
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
            ReadErrorKind::Syntax(message) => write!(f, "「{}」格式有误：{message}", self.name),
            ReadErrorKind::PdfScanned => write!(
                f,
                "「{}」是扫描件或图片，没有文字层，gouji 无法读取；请提供文字版 PDF、Word 或网页版本 / a scanned PDF without a text layer",
                self.name
            ),
            ReadErrorKind::PdfNoUnicodeMap => write!(
                f,
                "「{}」的字体没有文字编码对照表（ToUnicode），读出的只会是乱码，gouji 无法读取；请提供文字版 PDF、Word 或网页版本 / the PDF's fonts have no Unicode map",
                self.name
            ),
            ReadErrorKind::PdfEncrypted => write!(
                f,
                "「{}」设有打开密码，gouji 无法读取；请提供未加密的版本 / the PDF is protected by a password",
                self.name
            ),
            ReadErrorKind::PdfDamaged(message) => write!(
                f,
                "「{}」不是完整有效的 PDF 文件，gouji 无法读取（{message}）/ a damaged PDF",
                self.name
            ),
        }
    }
}

impl std::error::Error for ReadError {}

impl miette::Diagnostic for ReadError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = match self.kind {
            ReadErrorKind::Empty => "empty-input",
            ReadErrorKind::Binary => "binary-input",
            ReadErrorKind::TooLarge { .. } => "input-too-large",
            ReadErrorKind::Syntax(_) => "input-syntax",
            ReadErrorKind::PdfScanned => "pdf-scanned",
            ReadErrorKind::PdfNoUnicodeMap => "pdf-no-unicode-map",
            ReadErrorKind::PdfEncrypted => "pdf-encrypted",
            ReadErrorKind::PdfDamaged(_) => "pdf-damaged",
        };
        Some(Box::new(format!("gouji::{code}")))
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.at.as_ref().map(|(s, _)| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        let (_, span) = self.at.as_ref()?;
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_primary_with_span(None, *span),
        )))
    }
}

/// What a laid-out report says about itself in its title (agency, year), without reading its
/// sections and tables; `None` for structured reports, whose metadata needs a rule set.
pub fn peek_metadata(input: &Input) -> Option<crate::report::Metadata> {
    match input {
        Input::Document(document) => Some(matcher::title_metadata(document)),
        Input::Structured(_) => None,
    }
}

/// What kind of input a file is, by its name and then by its content.
#[must_use]
pub fn detect_kind(name: &str, bytes: &[u8]) -> InputKind {
    let lower = name.to_ascii_lowercase();
    for (suffix, kind) in [
        (".html", InputKind::Html),
        (".htm", InputKind::Html),
        (".shtml", InputKind::Html),
        (".toml", InputKind::Toml),
        (".json", InputKind::Json),
        (".txt", InputKind::Text),
        (".pdf", InputKind::Pdf),
    ] {
        if lower.ends_with(suffix) {
            return kind;
        }
    }
    if bytes.starts_with(b"%PDF-") {
        return InputKind::Pdf;
    }
    let head: Vec<u8> = bytes.iter().take(2048).copied().collect();
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    let start = head.trim_start_matches('\u{feff}').trim_start();
    if start.starts_with('<')
        && (head.contains("<html")
            || head.contains("<table")
            || head.contains("<body")
            || head.contains("<!doctype")
            || head.contains("<p"))
    {
        InputKind::Html
    } else if start.starts_with('{') {
        InputKind::Json
    } else {
        InputKind::Text
    }
}

/// Decodes and lays out an input. `name` is shown in messages and used to tell the kind.
pub fn load(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    let error = |kind| ReadError {
        name: name.to_owned(),
        kind,
        at: None,
    };
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(error(ReadErrorKind::TooLarge { bytes: bytes.len() }));
    }
    let kind = detect_kind(name, bytes);
    // A PDF is binary: it is read before decoding text (an empty one is refused as empty).
    if kind == InputKind::Pdf && !bytes.is_empty() {
        return load_pdf(name, bytes);
    }
    let (text, encoding) = decode::decode(bytes, kind == InputKind::Html).map_err(|e| match e {
        decode::DecodeError::Empty => error(ReadErrorKind::Empty),
        decode::DecodeError::Binary { .. } => error(ReadErrorKind::Binary),
    })?;
    let source = SourceFile::new(name, text);
    match kind {
        InputKind::Text => {
            let lines = layout::lay_out_text(&source);
            let text = source.shared_text();
            Ok(Input::Document(Document {
                source,
                input: InputKind::Text,
                encoding,
                text,
                lines,
            }))
        }
        InputKind::Html => {
            let (text, lines) = html::lay_out_html(&source);
            Ok(Input::Document(Document {
                source,
                input: InputKind::Html,
                encoding,
                text: text.into(),
                lines,
            }))
        }
        InputKind::Toml | InputKind::Json => structured::parse(kind, source).map(Input::Structured),
        InputKind::Pdf => load_pdf(name, bytes),
    }
}

/// Reads a PDF into layout text, with the page each line comes from.
pub fn read_pdf(name: &str, bytes: &[u8]) -> Result<PdfRendering, ReadError> {
    pdf::read(bytes).map_err(|refusal| ReadError {
        name: name.to_owned(),
        kind: match refusal {
            pdf::Refusal::Scanned => ReadErrorKind::PdfScanned,
            pdf::Refusal::NoUnicodeMap => ReadErrorKind::PdfNoUnicodeMap,
            pdf::Refusal::Encrypted => ReadErrorKind::PdfEncrypted,
            pdf::Refusal::Damaged(message) => ReadErrorKind::PdfDamaged(message),
        },
        at: None,
    })
}

/// Reads a PDF into layout text and lays that out like any text: spans point into the
/// rendering, which `gouji extract` and messages show.
fn load_pdf(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    let rendering = read_pdf(name, bytes)?;
    let source = SourceFile::new(name, rendering.text);
    // The page of each line is in `rendering.line_pages`, one per line of the text; it goes
    // into the lines once they have a field for it.
    let lines = layout::lay_out_text(&source);
    let text = source.shared_text();
    Ok(Input::Document(Document {
        source,
        input: InputKind::Pdf,
        encoding: "PDF",
        text,
        lines,
    }))
}
