//! Stage 3 for PDFs (`src/extract/pdf/`): a PDF is read into layout text — runs at columns
//! from their x positions, ruled tables aligned on their rules across pages, running headers
//! and footers dropped — which the text reader then reads. The corpus under
//! `fixtures/published/` is made by its `make.py` (Chromium and `LibreOffice` renderings of
//! the same HTML reports, their `pdftotext -layout` text, and PDFs to refuse).

use std::collections::BTreeSet;
use std::path::Path;

use gouji::extract::{Document, Input, ReadErrorKind, load};

use crate::support::gouji;

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
    assert!(matches!(
        refusal("refused/damaged.pdf"),
        ReadErrorKind::PdfDamaged(words) if words.contains("无法解析")
    ));
    assert!(matches!(load("empty.pdf", b""), Err(e) if e.kind == ReadErrorKind::Empty));
    // Detected by its magic bytes whatever its name.
    assert!(matches!(
        load("附件", &fixture("refused/scan.pdf")),
        Err(e) if e.kind == ReadErrorKind::PdfScanned
    ));
}

#[test]
fn empty_user_password_is_read() {
    assert_eq!(
        document("2021-clean.encrypted.pdf").text,
        document("2021-clean.chromium.pdf").text
    );
}

/// A finding as the cross-layout test compares it: rule, severity and the cells it rests on
/// (table, row, column, value), not where they stand in the file.
type Finding = (String, String, Vec<[String; 4]>);

fn findings(file: &str) -> Vec<Finding> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    let run = gouji(&dir, &["check", file, "--format", "json"], None);
    assert!(run.code <= 1, "gouji check {file}: {}", run.stderr);
    let json = run.json();
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out: Vec<Finding> = json["reports"][0]["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{file}: no findings array"))
        .iter()
        .map(|f| {
            let cells = f["cells"]
                .as_array()
                .map(|cells| {
                    cells
                        .iter()
                        .map(|c| {
                            [
                                text(&c["table"]),
                                text(&c["row"]),
                                text(&c["column"]),
                                text(&c["value"]),
                            ]
                        })
                        .collect()
                })
                .unwrap_or_default();
            (text(&f["rule"]), text(&f["severity"]), cells)
        })
        .collect();
    out.sort();
    out
}

/// The reports of the corpus, from its manifest: name and whether its tables are ruled.
fn corpus() -> Vec<(String, bool)> {
    let manifest = String::from_utf8(fixture("manifest.toml")).expect("UTF-8");
    let manifest: toml::Table = manifest.parse().expect("the manifest is TOML");
    manifest
        .iter()
        .map(|(name, entry)| (name.clone(), entry["ruled"].as_bool() == Some(true)))
        .collect()
}

/// Findings that locate a defect of the report, not a reading problem.
fn defects(findings: &[Finding]) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| !f.0.starts_with("读取"))
        .collect()
}

/// Compares each rendering of each report with its HTML original: the same findings, rule
/// and cells; at least 85% of the HTML's located defects located; no error on a clean report.
fn compare_layouts(reports: &[(String, bool)], layouts: &[&str]) {
    let mut failures = Vec::new();
    let (mut located, mut found) = (0, 0);
    for (name, _) in reports {
        let original = findings(&format!("{name}.html"));
        let clean = !original.iter().any(|f| f.1 == "error");
        for layout in layouts {
            let file = format!("{name}.{layout}");
            let read = findings(&file);
            if read != original {
                let (a, b): (BTreeSet<_>, BTreeSet<_>) =
                    (original.iter().collect(), read.iter().collect());
                failures.push(format!(
                    "{file}: findings differ from the HTML's\n  only in the HTML: {:?}\n  only here: {:?}",
                    a.difference(&b).collect::<Vec<_>>(),
                    b.difference(&a).collect::<Vec<_>>()
                ));
            }
            if clean && read.iter().any(|f| f.1 == "error") {
                failures.push(format!("{file}: an error on a clean report"));
            }
            let wanted = defects(&original);
            located += wanted.len();
            found += wanted.iter().filter(|f| read.contains(f)).count();
        }
    }
    assert!(
        found * 100 >= located * 85,
        "located {found} of the {located} defects the HTML originals locate\n{}",
        failures.join("\n")
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Ruled tables in both PDF renderings read exactly as their HTML originals.
#[test]
fn ruled_pdfs_give_the_html_findings() {
    let ruled: Vec<(String, bool)> = corpus().into_iter().filter(|(_, ruled)| *ruled).collect();
    assert!(ruled.len() >= 3, "the corpus has ruled reports");
    compare_layouts(&ruled, &["chromium.pdf", "libreoffice.pdf"]);
}

/// Every report in every layout, unruled tables and `pdftotext -layout` text included.
#[test]
fn every_layout_gives_the_html_findings() {
    compare_layouts(
        &corpus(),
        &["chromium.pdf", "libreoffice.pdf", "chromium.txt"],
    );
}

/// Every line of the rendering knows its page: the title on page 1, table 四 (after the
/// table 三 that breaks over pages 1 to 3) on page 3, and the pages only go forward.
#[test]
fn page_numbers() {
    let file = "2021-clean.chromium.pdf";
    let rendering = gouji::extract::read_pdf(file, &fixture(file)).expect("readable");
    let lines: Vec<&str> = rendering.text.lines().collect();
    assert_eq!(lines.len(), rendering.line_pages.len());
    let page_of = |needle: &str| {
        let at = lines
            .iter()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("no line with {needle}"));
        rendering.line_pages[at]
    };
    assert_eq!(page_of("政府信息公开工作年度报告"), 1);
    assert_eq!(page_of("第二十条第（一）项"), 1);
    assert_eq!(page_of("四、政府信息公开行政复议"), 3);
    assert_eq!(page_of("2022年1月20日"), 3);
    assert!(rendering.line_pages.windows(2).all(|w| w[0] <= w[1]));
    assert!(rendering.line_pages.contains(&2));
    // Chromium's running header (date, page title) and footer (address, `1/3`) are gone.
    assert!(!rendering.text.contains("file://"), "{}", rendering.text);
    assert!(!rendering.text.contains("_门户网站"), "{}", rendering.text);
    assert!(!rendering.text.contains("1/3"), "{}", rendering.text);
}

/// `pdftotext -layout` text knows its pages from the form feeds before them, and does not read
/// the browser's running header and footer: no cell holds them, and the title is the report's.
#[test]
fn pdftotext_pages() {
    let document = document("2019-defects.chromium.txt");
    let page_of = |needle: &str| {
        document
            .lines
            .iter()
            .find(|l| document.text[l.start..l.end].contains(needle))
            .and_then(|l| l.page)
    };
    assert_eq!(
        page_of("云溪县人民政府2020年政府信息公开工作年度报告"),
        Some(1)
    );
    assert_eq!(page_of("四、政府信息公开行政复议"), Some(3));
    let running = document
        .lines
        .iter()
        .flat_map(|l| &l.cells)
        .any(|c| c.text.contains("file://") || c.text.contains("_门户网站"));
    assert!(!running, "a running header or footer was read");

    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    let run = gouji(&dir, &["extract", "2019-defects.chromium.txt"], None);
    run.code(0);
    assert!(
        run.stdout.contains("\"机关\" = \"云溪县人民政府\""),
        "{}",
        run.stdout
    );
}

/// `gouji extract` shows each cell of a PDF's tables with its page and display columns: the
/// table 三 of a Chromium rendering whose values stand under headers stacked one character a
/// line, on page 2 and 3.
#[test]
fn extract_shows_pages_and_positions() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    let run = gouji(&dir, &["extract", "2019-defects.chromium.pdf"], None);
    run.code(0);
    let table: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| !l.starts_with("[\"表格\".\"申请\""))
        .take_while(|l| !l.starts_with("[\"表格\".\"复议诉讼表\""))
        .collect();
    insta::assert_snapshot!(table.join("\n"));
}

/// Through the command line: a refused PDF is an unreadable input (exit 2) with its reason;
/// a directory's PDFs are checked; `gouji extract` reads a PDF's tables.
#[test]
fn command_line() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    let scan = gouji(&dir, &["check", "refused/scan.pdf"], None);
    scan.code(2);
    assert!(scan.stderr.contains("扫描件"), "{}", scan.stderr);
    assert!(
        scan.stderr.contains("gouji::pdf-scanned"),
        "{}",
        scan.stderr
    );

    // A font of this file names its encoding by a number: gouji's refusal is all that is
    // printed (a parser's panic on a damaged file is caught and refused the same way).
    let damaged = gouji(&dir, &["check", "refused/damaged.pdf"], None);
    damaged.code(2);
    assert!(
        damaged
            .stderr
            .trim_start()
            .starts_with("gouji::pdf-damaged"),
        "{}",
        damaged.stderr
    );
    assert!(!damaged.stderr.contains("panicked"), "{}", damaged.stderr);

    let scratch = crate::support::Scratch::new("pdf", "directory");
    scratch.write("报告.pdf", fixture("2021-defects.chromium.pdf"));
    let run = scratch.run(&["check", ".", "--format", "json"]);
    run.code(1);
    let json = run.json();
    assert_eq!(json["reports"][0]["input"], "pdf", "{json}");

    let extract = gouji(&dir, &["extract", "2021-clean.libreoffice.pdf"], None);
    extract.code(0);
    assert!(
        extract.stdout.contains("\"种类\" = \"pdf\""),
        "{}",
        extract.stdout
    );
    assert!(
        extract.stdout.contains("\"匹配度\" = \"60/60\""),
        "{}",
        extract.stdout
    );
}
