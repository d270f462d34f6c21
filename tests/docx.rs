//! Word (`.docx`) reports, legacy office files refused, labels that drift, and encodings.
//!
//! The fixtures under `fixtures/docx/` are made by `fixtures/docx/make.py` (see its doc):
//! pages converted from HTML to Word by `soffice`, Word's XML written by hand, files
//! that must be refused, and the clean report in other encodings.

use std::collections::BTreeSet;
use std::path::Path;

use gouji::check::Checker;
use gouji::extract::{Document, Extractor, Input, ReadErrorKind, Unit, load};
use gouji::findings::ReportFindings;
use gouji::report::{AnomalyKind, CellValue, LabelMatch, Report};
use gouji::ruleset::Severity;

use crate::support::{Scratch, assert_same_cells, cells, national_rule_set, national_rule_sets};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/docx");
const NATIONAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/reports/national"
);

fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn input(path: &str) -> Input {
    let name = Path::new(path).file_name().unwrap().to_string_lossy();
    load(&name, &bytes(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn document(path: &str) -> Document {
    match input(path) {
        Input::Document(d) => d,
        other @ Input::Structured(_) => panic!("{path}: not a document: {other:?}"),
    }
}

fn read_2019(path: &str) -> Report {
    Extractor::new(national_rule_set("national-2019"))
        .read(&input(path))
        .0
}

fn check(path: &str) -> ReportFindings {
    Checker::new(national_rule_sets(), &[])
        .expect("no parameters")
        .check(&input(path), None)
        .unwrap_or_else(|| panic!("{path}: no rule set to check it with"))
}

/// A finding as compared across formats: its rule and the cells it names, with their values.
fn findings_key(findings: &ReportFindings) -> BTreeSet<String> {
    findings
        .findings
        .iter()
        .map(|f| {
            let cells: Vec<String> = f
                .cells
                .iter()
                .map(|c| format!("{}/{}/{}={}", c.table, c.row, c.column, c.value))
                .collect();
            format!("{} [{}]", f.rule, cells.join(", "))
        })
        .collect()
}

/// The cells of each line, as text.
fn rows(document: &Document) -> Vec<Vec<&str>> {
    document
        .lines
        .iter()
        .filter(|l| !l.cells.is_empty())
        .map(|l| l.cells.iter().map(|c| c.text.as_str()).collect())
        .collect()
}

/// The pages converted to Word by `soffice`: the same findings (rule and cells) as their
/// HTML originals; every planted defect located in HTML is located in Word (at least 85% is
/// required, all are expected); no error on a clean page.
#[test]
fn converted_pages_find_what_their_html_finds() {
    let manifest = std::fs::read_to_string(format!("{DIR}/converted/manifest.tsv")).unwrap();
    let (mut located_html, mut located_docx, mut differences) = (0, 0, Vec::new());
    let mut pages = 0;
    for line in manifest.lines().filter(|l| !l.starts_with('#')) {
        let (page, defect) = line.split_once('\t').expect("page<TAB>defect");
        pages += 1;
        let html = check(&format!("{DIR}/converted/{page}.html"));
        let docx = check(&format!("{DIR}/converted/{page}.docx"));
        let (h, d) = (findings_key(&html), findings_key(&docx));
        let differ: Vec<&String> = h.symmetric_difference(&d).collect();
        if !differ.is_empty() {
            differences.push(format!("{page}: {differ:?}"));
        }
        if defect == "clean" {
            assert_eq!(
                docx.count(Severity::Error),
                0,
                "{page}.docx is clean: {d:?}"
            );
            assert!(docx.findings.is_empty(), "{page}.docx is clean: {d:?}");
        } else {
            let has = |f: &ReportFindings| f.findings.iter().any(|x| x.rule == defect);
            if has(&html) {
                located_html += 1;
                located_docx += usize::from(has(&docx));
            }
        }
    }
    assert!(pages >= 60, "the manifest lists every converted page");
    assert!(
        differences.is_empty(),
        "Word copies find otherwise than their pages:\n{}",
        differences.join("\n")
    );
    assert!(
        located_html >= 40,
        "most planted defects are located in HTML"
    );
    assert!(
        located_docx * 100 >= located_html * 85,
        "{located_docx} of {located_html} defects located in Word"
    );
    assert_eq!(located_docx, located_html);
}

/// Section 二 on an eight-column grid, as published pages have it: header cells over two
/// grid columns above values over one (a blank beside them) and the reverse, headers over
/// three. In HTML and in Word every value is placed under the header it stands under, never
/// by its count in the row: the cells of the clean report, and no finding.
#[test]
fn misaligned_spans_are_placed_under_their_headers() {
    let clean = read_2019(&format!("{NATIONAL}/2019/clean.txt"));
    for file in ["clean.html", "clean.docx"] {
        let path = format!("{DIR}/misaligned/{file}");
        assert_same_cells(&clean, &read_2019(&path), true);
        let findings = check(&path);
        assert!(
            findings.findings.is_empty(),
            "{file}: {:?}",
            findings_key(&findings)
        );
    }
}

/// A value whose grid columns lie under two headers alike (48 under both 上一年项目数量 and
/// 本年增/减) is not given to either: both cells are unknown, one reading warning names them,
/// and every other cell reads as in the clean report.
#[test]
fn a_value_under_two_headers_is_unknown_not_guessed() {
    let clean = cells(&read_2019(&format!("{NATIONAL}/2019/clean.txt")));
    for file in ["unplaceable.html", "unplaceable.docx"] {
        let path = format!("{DIR}/misaligned/{file}");
        let read = cells(&read_2019(&path));
        let differing: Vec<(&str, &str, &str)> = clean
            .iter()
            .zip(&read)
            .filter(|(a, b)| a != b)
            .map(|(_, ((t, r, c), cell))| {
                assert!(
                    matches!(cell, Some((_, CellValue::Unknown(why), _)) if why.contains("「48」")),
                    "{file}: {t}/{r}/{c} = {cell:?}"
                );
                (t.as_str(), r.as_str(), c.as_str())
            })
            .collect();
        assert_eq!(
            differing,
            [
                ("许可", "其他事项", "上年项目"),
                ("许可", "其他事项", "增减")
            ],
            "{file}"
        );
        let findings = check(&path);
        let rules: Vec<&str> = findings.findings.iter().map(|f| f.rule.as_str()).collect();
        assert_eq!(rules, ["读取.无法确定"], "{file}");
    }
}

/// The hand-written Word copy of the clean 2019 report: numbered headings, merged cells,
/// labels split across runs, header cells with soft line breaks, a text box, a header and a
/// footer. It reads cell for cell like the text, with no finding.
#[test]
fn a_handmade_word_report_reads_like_its_text() {
    let docx = read_2019(&format!("{DIR}/handmade/clean-2019.docx"));
    let text = read_2019(&format!("{NATIONAL}/2019/clean.txt"));
    assert_same_cells(&text, &docx, true);
    let headings: Vec<(&str, LabelMatch)> = docx
        .sections
        .iter()
        .map(|s| (s.heading.as_str(), s.matched))
        .collect();
    assert_eq!(headings.len(), 6, "{headings:?}");
    assert!(
        headings.iter().all(|(_, m)| *m == LabelMatch::Exact),
        "{headings:?}"
    );
    assert_eq!(
        headings[0].0, "一、总体情况",
        "the number comes from numbering.xml"
    );
    assert!(
        docx.text.contains("（本报告电子版见县政府门户网站）"),
        "the text box is read"
    );
    assert_eq!(
        docx.text
            .matches("（本报告电子版见县政府门户网站）")
            .count(),
        1,
        "a text box's fallback copy is not read twice"
    );
    for dropped in ["第 1 页", "页眉表格", "999"] {
        assert!(
            !docx.text.contains(dropped),
            "header and footer are not read: {dropped}"
        );
    }
    let findings = check(&format!("{DIR}/handmade/clean-2019.docx"));
    assert!(
        findings.findings.is_empty(),
        "{:?}",
        findings_key(&findings)
    );
}

/// Merged cells are placed on the grid as in HTML: a label is repeated in every row and
/// column it covers, a value counts once.
#[test]
fn merged_cells_are_placed_on_the_grid() {
    let document = document(&format!("{DIR}/handmade/merges.docx"));
    assert_eq!(
        rows(&document),
        vec![
            vec!["甲类", "甲类", "乙", "丙"],
            vec!["甲类", "甲类", "1", "2"],
            vec!["丁类", "戊项", "7", "8"],
            vec!["丁类", "己项", "", "9"],
            vec!["庚类", "辛项", "5", ""],
            vec!["", "壬项", "3", "4"],
            vec!["癸类", "癸类", "6", ""],
            vec!["合并标题"],
        ]
    );
    assert!(
        document
            .lines
            .iter()
            .all(|l| l.table_row && l.unit == Unit::Grid)
    );
    // Each cell stands on the grid columns its source cell covers: a value over two
    // columns and its empty copy, a label over two, a row that is one cell.
    let extents = |line: usize| -> Vec<(u32, u32)> {
        document.lines[line]
            .cells
            .iter()
            .map(|c| (c.x.x0, c.x.x1))
            .collect()
    };
    assert_eq!(extents(4), [(0, 1), (1, 2), (2, 4), (2, 4)]);
    assert_eq!(extents(1), [(0, 2), (0, 2), (2, 3), (3, 4)]);
    assert_eq!(extents(7), [(0, 4)]);
}

/// Numbered paragraphs carry their generated number; breaks, tabs, deleted text and field
/// codes are read as Word shows them.
#[test]
fn generated_numbers_are_part_of_the_label() {
    let document = document(&format!("{DIR}/handmade/numbering.docx"));
    let lines: Vec<&str> = document
        .lines
        .iter()
        .map(|l| &document.text[l.start..l.end])
        .collect();
    assert_eq!(
        lines,
        vec![
            "一、总体情况",
            "（一）主动公开",
            "（二）依申请公开",
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "二、主动公开政府信息情况",
            "（一）规章",
            "要点",
            "1.属于国家秘密",
            "三、收到和处理政府信息公开申请情况",
            "不编号",
            "软换行：第一行",
            "第二行\t制表符后",
        ]
    );
}

/// Every kind of drift in row labels and headings, in Word and in text: the rows keep their
/// figures, each drifted label is reported naming both spellings, the drifted headings are
/// found (with the heading warning), and a subsection of 一 that repeats 二's title is not
/// taken for it.
#[test]
fn drifted_labels_keep_their_figures() {
    let clean = read_2019(&format!("{NATIONAL}/2019/clean.txt"));
    for file in ["drift.docx", "drift.txt"] {
        let path = format!("{DIR}/handmade/{file}");
        let report = read_2019(&path);
        assert_same_cells(&clean, &report, false);
        let drift: Vec<&str> = report
            .anomalies
            .iter()
            .filter(|a| a.kind == AnomalyKind::LabelDrift)
            .map(|a| a.message.as_str())
            .collect();
        for (printed, declared) in [
            (
                "一、本年新收政府信息公开申请数",
                "一、本年新收政府信息公开申请数量",
            ),
            ("（六）其它处理", "（六）其他处理"),
            ("2.其他法律法规禁止公开", "2.其他法律行政法规禁止公开"),
            ("四、結轉下年度繼續辦理", "四、结转下年度继续办理"),
        ] {
            assert!(
                drift.iter().any(|m| m.contains(&format!("「{printed}」"))
                    && m.contains(&format!("「{declared}」"))),
                "{file}: no warning names {printed} and {declared}: {drift:?}"
            );
        }
        // Half-width brackets and commas are the same spelling once normalised: the row
        // is read as printed in full width, without a warning.
        assert!(
            drift.iter().all(|m| !m.contains("部分公开")),
            "{file}: {drift:?}"
        );
        assert_eq!(drift.len(), 4, "{file}: {drift:?}");
        assert!(
            report
                .anomalies
                .iter()
                .all(|a| !matches!(a.kind, AnomalyKind::RowNotFound | AnomalyKind::TableMissing)),
            "{file}: {:?}",
            report.anomalies
        );
        let heading = |key: &str| {
            let s = report
                .section(key)
                .unwrap_or_else(|| panic!("{file}: no section {key}"));
            (s.heading.as_str(), s.matched)
        };
        assert_eq!(
            heading("主动公开"),
            ("二、主动公开政府信息情况", LabelMatch::Exact)
        );
        assert_eq!(
            heading("复议诉讼"),
            (
                "四、政府信息公开行政复议、行政诉讼的情况",
                LabelMatch::Drift
            )
        );
        assert_eq!(
            heading("问题改进"),
            ("五、存在的主要问题和下一步工作打算", LabelMatch::Drift)
        );
        let findings = check(&path);
        let rules: BTreeSet<&str> = findings.findings.iter().map(|f| f.rule.as_str()).collect();
        assert!(!rules.contains("章节.缺失"), "{file}: {rules:?}");
        assert_eq!(
            findings
                .findings
                .iter()
                .filter(|f| f.rule == "章节.标题")
                .count(),
            2,
            "{file}: {rules:?}"
        );
        assert_eq!(findings.count(Severity::Error), 0, "{file}: {rules:?}");
    }
}

/// Legacy binary office files are refused with a message that names the format and says
/// what to do; damaged packages and zip bombs are reading errors, not panics.
#[test]
fn legacy_and_damaged_files_are_refused_clearly() {
    for (file, format) in [("report.doc", ".doc"), ("report.wps", ".wps")] {
        let error = load(file, &bytes(&format!("{DIR}/refused/{file}"))).unwrap_err();
        assert!(
            matches!(error.kind, ReadErrorKind::LegacyOffice { .. }),
            "{file}: {error}"
        );
        let message = error.to_string();
        assert!(message.contains(format), "{message}");
        assert!(message.contains(".docx 或 PDF"), "{message}");
        let code = miette::Diagnostic::code(&error).unwrap().to_string();
        assert_eq!(code, "gouji::legacy-office-input");
    }
    let rtf = load("report.doc", b"{\\rtf1\\ansi \\par }").unwrap_err();
    assert!(
        matches!(rtf.kind, ReadErrorKind::LegacyOffice { .. }),
        "{rtf}"
    );
    assert!(rtf.to_string().contains("RTF"), "{rtf}");
    for (file, says) in [
        ("bomb.docx", "解压后已超过"),
        ("truncated.docx", "Word"),
        ("not-word.docx", "word/document.xml"),
        ("bad-xml.docx", "XML"),
    ] {
        let error = load(file, &bytes(&format!("{DIR}/refused/{file}"))).unwrap_err();
        assert!(
            matches!(error.kind, ReadErrorKind::Docx(_)),
            "{file}: {error}"
        );
        assert!(error.to_string().contains(says), "{file}: {error}");
    }
}

/// Damaged copies of a good package never panic: every prefix, and bytes flipped.
#[test]
fn damaged_packages_never_panic() {
    let good = bytes(&format!("{DIR}/handmade/clean-2019.docx"));
    for cut in (0..good.len()).step_by(97) {
        let _ = load("cut.docx", &good[..cut]);
    }
    for at in (30..good.len()).step_by(53) {
        let mut bad = good.clone();
        bad[at] ^= 0x5a;
        let _ = load("flipped.docx", &bad);
    }
}

/// UTF-16 with a byte-order mark reads like UTF-8; stray bytes in a UTF-8 file leave it
/// UTF-8, with one reading note naming their offsets.
#[test]
fn encodings() {
    let clean = read_2019(&format!("{NATIONAL}/2019/clean.txt"));
    for (file, encoding) in [("utf16le.txt", "UTF-16LE"), ("utf16be.txt", "UTF-16BE")] {
        let report = read_2019(&format!("{DIR}/encodings/{file}"));
        assert_eq!(report.encoding, encoding);
        assert_same_cells(&clean, &report, true);
        assert!(
            report.anomalies.is_empty(),
            "{file}: {:?}",
            report.anomalies
        );
    }
    let path = format!("{DIR}/encodings/stray-bytes.txt");
    let report = read_2019(&path);
    assert_eq!(report.encoding, "UTF-8");
    assert_same_cells(&clean, &report, true);
    let notes: Vec<_> = report
        .anomalies
        .iter()
        .filter(|a| a.kind == AnomalyKind::Encoding)
        .collect();
    assert_eq!(notes.len(), 1, "{:?}", report.anomalies);
    let raw = bytes(&path);
    let offsets: Vec<usize> = raw
        .utf8_chunks()
        .scan(0, |at, chunk| {
            let invalid = *at + chunk.valid().len();
            *at = invalid + chunk.invalid().len();
            Some((!chunk.invalid().is_empty()).then_some(invalid))
        })
        .flatten()
        .collect();
    assert_eq!(offsets.len(), 3);
    let message = &notes[0].message;
    for offset in offsets {
        assert!(message.contains(&offset.to_string()), "{message}");
    }
    assert_eq!(
        &report.text[notes[0].span.start..notes[0].span.end],
        "\u{fffd}"
    );
    let findings = check(&path);
    let rules: Vec<&str> = findings.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(rules, ["读取.编码"]);
}

/// `gouji check DIR` finds Word reports; `gouji check FILE.doc` says what to do.
#[test]
fn the_command_line_reads_word_reports() {
    let scratch = Scratch::new("docx", "cli");
    scratch.write(
        "reports/clean.docx",
        bytes(&format!("{DIR}/handmade/clean-2019.docx")),
    );
    let run = scratch.run(&["check", "reports"]);
    run.code(0);
    assert!(run.stdout.contains("clean.docx"), "{}", run.stdout);
    scratch.write("old.doc", bytes(&format!("{DIR}/refused/report.doc")));
    let run = scratch.run(&["check", "old.doc"]);
    assert!(run.code != 0 && run.code != 1, "{}", run.stderr);
    assert!(run.stderr.contains("另存为 .docx 或 PDF"), "{}", run.stderr);
}
