//! Stage 3 for PDFs (`src/extract/pdf/`): a PDF is read into layout text — runs at columns
//! from their x positions, ruled tables aligned on their rules across pages, running headers
//! and footers dropped — which the text reader then reads. The corpus under
//! `fixtures/published/` is made by its `make.py` (Chromium and LibreOffice renderings of
//! the same HTML reports, their `pdftotext -layout` text, and PDFs to refuse).

use std::path::Path;

use gouji::extract::{Document, Input, ReadErrorKind, load};

const DIR: &str = "tests/fixtures/published";

fn fixture(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn document(file: &str) -> Document {
    match load(file, &fixture(file)) {
        Ok(Input::Document(d)) => d,
        Ok(other) => panic!("{file}: not a document: {other:?}"),
        Err(e) => panic!("{file}: {e}"),
    }
}

fn refusal(file: &str) -> ReadErrorKind {
    match load(file, &fixture(file)) {
        Err(e) => e.kind,
        Ok(_) => panic!("{file} was read, but must be refused"),
    }
}

#[test]
fn chromium_rendering() {
    insta::assert_snapshot!(document("2021-clean.chromium.pdf").text.to_string());
}

#[test]
fn libreoffice_rendering() {
    insta::assert_snapshot!(document("2019-clean.libreoffice.pdf").text.to_string());
}

#[test]
fn refusals() {
    assert_eq!(refusal("refused/scan.pdf"), ReadErrorKind::PdfScanned);
    assert_eq!(
        refusal("refused/no-tounicode.pdf"),
        ReadErrorKind::PdfNoUnicodeMap
    );
    assert_eq!(refusal("refused/password.pdf"), ReadErrorKind::PdfEncrypted);
    assert!(matches!(
        load("broken.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\n"),
        Err(e) if matches!(e.kind, ReadErrorKind::PdfDamaged(_))
    ));
}

#[test]
fn empty_user_password_is_read() {
    assert_eq!(
        document("2021-clean.encrypted.pdf").text,
        document("2021-clean.chromium.pdf").text
    );
}
