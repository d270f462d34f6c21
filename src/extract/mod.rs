//! Stage 3: a report's bytes → the report model, driven by a rule set's declarations.
//! Reading happens in two steps: [`load`] decodes and lays out the input once (it knows no
//! rule set), then an [`Extractor`] built from a rule set finds that set's sections and
//! tables in it. Trying several rule sets on one report costs one load.

mod decode;
mod docx;
mod html;
mod labels;
mod layout;
mod matcher;
mod normalize;
mod pdf;
mod structured;
mod value;

use std::fmt;

pub use layout::{Document, Extent, Line, LineCell, Unit, display_width};
pub use matcher::{Extractor, Fit, parse_date_prefix};
pub use normalize::normalize;
pub use pdf::Rendering as PdfRendering;

use crate::report::{Anomaly, AnomalyKind, InputKind};
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
    /// A legacy office file (Word 97–2003 `.doc`, WPS `.wps`, rich text): the format it is in.
    LegacyOffice {
        format: &'static str,
    },
    /// A Word package that cannot be read (damaged, or a part that inflates too far).
    Docx(String),
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
            ReadErrorKind::LegacyOffice { format } => write!(
                f,
                "「{}」是{format}文件，gouji 不能直接读取；请用 Word 或 WPS 打开后另存为 .docx 或 PDF 再检查 / legacy {format} file: save it as .docx or PDF",
                self.name
            ),
            ReadErrorKind::Docx(message) => write!(
                f,
                "「{}」是无法读取的 Word 文档：{message}；请用 Word 或 WPS 打开后重新另存为 .docx / unreadable .docx",
                self.name
            ),
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
            ReadErrorKind::LegacyOffice { .. } => "legacy-office-input",
            ReadErrorKind::Docx(_) => "docx-unreadable",
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

/// One input format: how it is recognised and how it is read. Adding a format is one reader
/// and one entry in [`FORMATS`].
pub struct Format {
    pub kind: InputKind,
    /// File name endings, lower case, with their dot.
    pub extensions: &'static [&'static str],
    /// Whether an input's first bytes say it is in this format (asked in table order when no
    /// extension matched).
    pub sniff: fn(&[u8]) -> bool,
    /// Decodes and lays out an input of this format; `name` is shown in messages.
    pub read: fn(&str, &[u8]) -> Result<Input, ReadError>,
}

/// Every format gouji reads. Plain text comes last: it takes whatever nothing else claims.
pub const FORMATS: &[Format] = &[
    Format {
        kind: InputKind::Html,
        extensions: &[".html", ".htm", ".shtml"],
        sniff: looks_like_html,
        read: read_html,
    },
    Format {
        kind: InputKind::Pdf,
        extensions: &[".pdf"],
        sniff: |bytes| bytes.starts_with(b"%PDF-"),
        read: load_pdf,
    },
    Format {
        kind: InputKind::Docx,
        extensions: &[".docx"],
        sniff: docx::is_docx,
        read: read_docx,
    },
    Format {
        kind: InputKind::Toml,
        extensions: &[".toml"],
        sniff: |_| false,
        read: read_toml,
    },
    Format {
        kind: InputKind::Json,
        extensions: &[".json"],
        sniff: |bytes| head(bytes).starts_with('{'),
        read: read_json,
    },
    Format {
        kind: InputKind::Text,
        extensions: &[".txt"],
        sniff: |_| true,
        read: read_text,
    },
];

/// The format of an input, by its name and then by its content.
#[must_use]
pub fn format_of(name: &str, bytes: &[u8]) -> &'static Format {
    let lower = name.to_ascii_lowercase();
    FORMATS
        .iter()
        .find(|f| f.extensions.iter().any(|e| lower.ends_with(e)))
        .or_else(|| FORMATS.iter().find(|f| (f.sniff)(bytes)))
        .unwrap_or(&FORMATS[FORMATS.len() - 1])
}

/// What kind of input a file is, by its name and then by its content.
#[must_use]
pub fn detect_kind(name: &str, bytes: &[u8]) -> InputKind {
    format_of(name, bytes).kind
}

/// The start of an input, lower case, without a byte-order mark or leading spaces.
fn head(bytes: &[u8]) -> String {
    let head = String::from_utf8_lossy(&bytes[..bytes.len().min(2048)]).to_ascii_lowercase();
    head.trim_start_matches('\u{feff}').trim_start().to_owned()
}

fn looks_like_html(bytes: &[u8]) -> bool {
    let head = head(bytes);
    head.starts_with('<')
        && ["<html", "<table", "<body", "<!doctype", "<p"]
            .iter()
            .any(|tag| head.contains(tag))
}

/// Decodes and lays out an input, in the format its name or content says.
pub fn load(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    (readable_format(name, bytes)?.read)(name, bytes)
}

/// The format an input is read in, unless it is too large or a legacy Office file.
fn readable_format(name: &str, bytes: &[u8]) -> Result<&'static Format, ReadError> {
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(ReadError {
            name: name.to_owned(),
            kind: ReadErrorKind::TooLarge { bytes: bytes.len() },
            at: None,
        });
    }
    if let Some(format) = legacy_office_format(name, bytes) {
        return Err(ReadError {
            name: name.to_owned(),
            kind: ReadErrorKind::LegacyOffice { format },
            at: None,
        });
    }
    Ok(format_of(name, bytes))
}

/// Decodes an input's bytes into a source file (HTML may declare its encoding).
fn decoded(
    name: &str,
    bytes: &[u8],
    html: bool,
) -> Result<(SourceFile, &'static str, Vec<Anomaly>), ReadError> {
    let error = |kind| ReadError {
        name: name.to_owned(),
        kind,
        at: None,
    };
    let decoded = decode::decode(bytes, html).map_err(|e| match e {
        decode::DecodeError::Empty => error(ReadErrorKind::Empty),
        decode::DecodeError::Binary { .. } => error(ReadErrorKind::Binary),
    })?;
    let source = SourceFile::new(name, decoded.text);
    let notes = encoding_note(&source, decoded.encoding, &decoded.invalid)
        .into_iter()
        .collect();
    Ok((source, decoded.encoding, notes))
}

fn read_text(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    let (source, encoding, notes) = decoded(name, bytes, false)?;
    Ok(text_document(source, encoding, notes))
}

/// The start of a report, read only as far as its title can go, for a quick look at what it
/// says about itself (the agency and year, to pair consecutive years in a batch). Plain text
/// is laid out up to the non-blank line after the most a title is printed over, unless it has
/// page breaks (running headers are told by their repeating on the pages); other formats are
/// read as [`load`] reads them.
pub fn load_title(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    let format = readable_format(name, bytes)?;
    if format.kind != InputKind::Text {
        return (format.read)(name, bytes);
    }
    let (source, encoding, notes) = decoded(name, bytes, false)?;
    let source = match title_end(source.text()) {
        Some(end) => SourceFile::new(name, source.text()[..end].to_owned()),
        None => source,
    };
    Ok(text_document(source, encoding, notes))
}

/// Where the non-blank line after the most a title is printed over ends; `None` if the text
/// has fewer, or page breaks.
fn title_end(text: &str) -> Option<usize> {
    if text.contains('\u{c}') {
        return None;
    }
    let mut end = 0;
    let mut non_blank = 0;
    for line in text.split_inclusive('\n') {
        end += line.len();
        if !line.trim().is_empty() {
            non_blank += 1;
            if non_blank == matcher::TITLE_LINES + 1 {
                return Some(end);
            }
        }
    }
    None
}

fn text_document(source: SourceFile, encoding: &'static str, notes: Vec<Anomaly>) -> Input {
    let lines = layout::lay_out_text(&source);
    let text = source.shared_text();
    Input::Document(Document {
        source,
        input: InputKind::Text,
        encoding,
        text,
        lines,
        notes,
    })
}

fn read_html(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    let (source, encoding, notes) = decoded(name, bytes, true)?;
    let (text, lines) = html::lay_out_html(&source);
    Ok(Input::Document(Document {
        source,
        input: InputKind::Html,
        encoding,
        text: text.into(),
        lines,
        notes,
    }))
}

fn read_toml(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    let (source, _, _) = decoded(name, bytes, false)?;
    structured::parse(InputKind::Toml, source).map(Input::Structured)
}

fn read_json(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    let (source, _, _) = decoded(name, bytes, false)?;
    structured::parse(InputKind::Json, source).map(Input::Structured)
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
    if bytes.is_empty() {
        return Err(ReadError {
            name: name.to_owned(),
            kind: ReadErrorKind::Empty,
            at: None,
        });
    }
    let rendering = read_pdf(name, bytes)?;
    let source = SourceFile::new(name, rendering.text);
    let mut lines = layout::lay_out_text(&source);
    for (line, page) in lines.iter_mut().zip(&rendering.line_pages) {
        line.page = Some(*page);
    }
    let text = source.shared_text();
    Ok(Input::Document(Document {
        source,
        input: InputKind::Pdf,
        encoding: "PDF",
        text,
        lines,
        notes: Vec::new(),
    }))
}

fn read_docx(name: &str, bytes: &[u8]) -> Result<Input, ReadError> {
    load_docx(name, bytes).map(Input::Document)
}

/// The legacy office format a file is in, if it is one: rich text (which Word also saves
/// under `.doc`), or by the OLE2 compound-file signature, named after the file's extension.
fn legacy_office_format(name: &str, bytes: &[u8]) -> Option<&'static str> {
    const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
    if bytes.starts_with(b"{\\rtf") {
        return Some(" RTF（.rtf）");
    }
    if !bytes.starts_with(OLE2) {
        return None;
    }
    let extension = std::path::Path::new(name)
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    Some(match extension.as_deref() {
        Some("wps") => " WPS 文字（.wps）",
        Some("xls" | "et") => " Excel 97–2003 或 WPS 表格（.xls/.et）",
        _ => " Word 97–2003（.doc）",
    })
}

/// Reads a Word document: its text rendering, laid out as plain text, table rows marked.
fn load_docx(name: &str, bytes: &[u8]) -> Result<Document, ReadError> {
    let rendering = docx::render(bytes).map_err(|e| ReadError {
        name: name.to_owned(),
        kind: match e {
            docx::DocxError::NotDocx => {
                ReadErrorKind::Docx("不是 Word 文档（压缩包中没有 word/document.xml）".to_owned())
            }
            docx::DocxError::TooLarge { part } => ReadErrorKind::Docx(format!(
                "读到其中的「{part}」时，解压后已超过 {} MB",
                docx::MAX_INFLATED_BYTES / (1024 * 1024)
            )),
            docx::DocxError::Malformed(message) => ReadErrorKind::Docx(message),
        },
        at: None,
    })?;
    if rendering.text.trim().is_empty() {
        return Err(ReadError {
            name: name.to_owned(),
            kind: ReadErrorKind::Empty,
            at: None,
        });
    }
    let source = SourceFile::new(name, rendering.text);
    let lines = docx::lay_out(&source, rendering.rows);
    Ok(Document {
        text: source.shared_text(),
        source,
        input: InputKind::Docx,
        encoding: "UTF-8",
        lines,
        notes: Vec::new(),
    })
}

/// Bytes shown in a reading note, at most: a file with more is named by its first few.
const MAX_SHOWN_OFFSETS: usize = 8;

/// One reading note for the bytes that were not valid in the file's encoding: where they
/// are in the file, and the span of the first replacement in the decoded text.
fn encoding_note(source: &SourceFile, encoding: &str, invalid: &[usize]) -> Option<Anomaly> {
    invalid.first()?;
    let mut shown: Vec<String> = invalid
        .iter()
        .take(MAX_SHOWN_OFFSETS)
        .map(ToString::to_string)
        .collect();
    if invalid.len() > MAX_SHOWN_OFFSETS {
        shown.push("…".to_owned());
    }
    let at = source.text().find('\u{fffd}').unwrap_or(0);
    Some(Anomaly {
        kind: AnomalyKind::Encoding,
        message: format!(
            "文件中有 {} 处不是有效 {encoding} 编码的字节（字节位置 {}），已替换为 �；这些位置的文字可能缺失",
            invalid.len(),
            shown.join("、")
        ),
        span: Span::new(at, at + '\u{fffd}'.len_utf8().min(source.text().len() - at)),
        table: None,
        row: None,
        column: None,
    })
}
