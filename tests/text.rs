//! The plain-text extractor against everything formats.md §6 says real reports do, in both
//! national formats. Fixtures are under `fixtures/reports/text/` (written by the project, with
//! invented agencies and figures); each is snapshotted as a compact rendering of the model it
//! reads to (metadata, sections and how they matched, every cell as value and raw text, and
//! every anomaly with its line:column), under the rule sets listed in [`FIXTURES`].
//!
//! Decisions these tests pin down:
//! - **A row with more values than columns** (the seed's rows （六）（七） and 四 carry 8 numbers
//!   for 7 columns): the first values fill the columns from the left, the surplus values are
//!   dropped and reported as 读取.多余数值 with their span. Empty cells that flattening leaves
//!   around a row's values are trimmed first and are not surplus.
//! - **A row with fewer values than columns**: where the table's other rows show in which cell
//!   the first column's value stands (tab, `|` and `／` layouts keep empty cells), the row's
//!   values are placed by position: an empty cell under a column is a blank, a value missing at
//!   the end of the line is missing. Otherwise (runs of spaces drop empty cells) the values fill
//!   the columns from the left. Either way a missing value is reported as 读取.缺少数值 and its
//!   cell is left unread.
//! - **Blank rows**: a row whose label is printed but whose cells are all empty is a row of
//!   blank cells (a table printed without figures is 读取.空白表格, not 读取.缺少表格).
//! - **`&nbsp;` left in a text copy** is an empty cell: raw text empty, value blank.
//! - **Traditional characters** are read as the simplified labels they stand for; like widths
//!   and brackets, this is normalisation and no label drift.
//!
//! Bad input (empty, binary, too large, pathological shapes, other encodings) gets a clear
//! error or a bounded result, never a panic.

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use gouji::extract::{Extractor, Fit, Input, ReadErrorKind, load};
use gouji::report::{AnomalyKind, Cell, CellValue, LabelMatch, Layout, Report};

use crate::support::{self, cells, national_rule_set, national_rule_sets};

const DIR: &str = "tests/fixtures/reports/text";

/// Every fixture and the rule sets it is read with (the format it is written in; both for
/// the reports whose format is the question).
const FIXTURES: &[(&str, &[&str])] = &[
    ("seed-like.txt", &["national-2019"]),
    ("layout-2019-tabs.txt", &["national-2019"]),
    ("layout-2019-spaces.txt", &["national-2019"]),
    ("layout-2019-pipes.txt", &["national-2019"]),
    ("layout-2019-pipes-bare.txt", &["national-2019"]),
    ("layout-2019-slashes.txt", &["national-2019"]),
    ("layout-2021-tabs.txt", &["national-2021"]),
    ("layout-2021-spaces.txt", &["national-2021"]),
    ("layout-2021-pipes.txt", &["national-2021"]),
    ("layout-2021-pipes-bare.txt", &["national-2021"]),
    ("layout-2021-slashes.txt", &["national-2021"]),
    ("header-split-2019-tabs.txt", &["national-2019"]),
    ("header-split-2021-pipes.txt", &["national-2021"]),
    ("header-split-2021-spaces.txt", &["national-2021"]),
    ("labels-shifted-2021-tabs.txt", &["national-2021"]),
    ("values-count-2019-tabs.txt", &["national-2019"]),
    ("values-count-2021-spaces.txt", &["national-2021"]),
    ("label-drift-2021-tabs.txt", &["national-2021"]),
    ("traditional-2019-tabs.txt", &["national-2019"]),
    ("nothing-marks-2019-spaces.txt", &["national-2019"]),
    ("nothing-marks-2021-tabs.txt", &["national-2021"]),
    ("units-signs-2019-tabs.txt", &["national-2019"]),
    ("units-signs-2021-tabs.txt", &["national-2021"]),
    ("prose-before-tables-2021-tabs.txt", &["national-2021"]),
    ("table-image-2021-tabs.txt", &["national-2021"]),
    ("table-blank-2019-tabs.txt", &["national-2019"]),
    ("table-blank-2021-spaces.txt", &["national-2021"]),
    (
        "format-2019-in-2021-tabs.txt",
        &["national-2021", "national-2019"],
    ),
    ("pre-2019-scheme.txt", &["national-2019"]),
    ("unknown-table-2021-tabs.txt", &["national-2021"]),
];

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn load_ok(name: &str, bytes: &[u8]) -> Input {
    load(name, bytes).unwrap_or_else(|e| panic!("{name} should load: {e}"))
}

fn read_with(set: &str, name: &str, bytes: &[u8]) -> (Report, Fit) {
    Extractor::new(national_rule_set(set)).read(&load_ok(name, bytes))
}

fn read(set: &str, name: &str) -> Report {
    read_with(set, name, &fixture(name)).0
}

// ------------------------------------------------------------------ rendering

/// A cell in a few characters: its value (`·` where nothing was read, `∅` blank, `na` a mark
/// for nothing, `T` text, `ERR` invalid, `?` unknown), its unit in brackets, and its raw text in «» when
/// that is not just the value as written.
fn cell_text(cell: Option<&Cell>) -> String {
    let Some(cell) = cell else {
        return "·".to_owned();
    };
    let unit = cell
        .unit
        .as_deref()
        .map(|u| format!("[{u}]"))
        .unwrap_or_default();
    let (value, plain) = match &cell.value {
        CellValue::Number(n) => (n.to_string(), n.to_string()),
        CellValue::Blank => ("∅".to_owned(), String::new()),
        CellValue::NotApplicable(_) => ("na".to_owned(), "\u{0}".to_owned()),
        CellValue::Text(_) => ("T".to_owned(), "\u{0}".to_owned()),
        CellValue::Invalid(_) => ("ERR".to_owned(), "\u{0}".to_owned()),
        CellValue::Unknown(_) => ("?".to_owned(), "\u{0}".to_owned()),
    };
    if cell.raw == plain {
        format!("{value}{unit}")
    } else {
        format!("{value}{unit}«{}»", cell.raw)
    }
}

fn matched(how: LabelMatch) -> &'static str {
    match how {
        LabelMatch::Exact => "exact",
        LabelMatch::Alias => "alias",
        LabelMatch::NonstandardAlias => "nonstandard-alias",
        LabelMatch::Drift => "drift",
    }
}

/// The model as read, compactly: what a reviewer checks against the fixture.
fn render(report: &Report, fit: Fit) -> String {
    let mut out = String::new();
    let src = &report.source;
    let line = |offset: usize| src.line_col(offset).0;
    let _ = writeln!(
        out,
        "rule set {} · fit {}/{}",
        report.rule_set, fit.found, fit.declared
    );
    let m = &report.meta;
    let _ = writeln!(
        out,
        "title {:?} · agency {:?} · year {:?} · published {:?}",
        m.title.as_ref().map(|t| &t.value),
        m.agency.as_ref().map(|t| &t.value),
        m.year.as_ref().map(|t| t.value),
        m.published.as_ref().map(|t| t.value.to_string()),
    );
    for s in &report.sections {
        let _ = writeln!(
            out,
            "section {} ({}) at {}: 「{}」",
            s.key,
            matched(s.matched),
            line(s.heading_span.start),
            s.heading
        );
    }
    for table in &report.tables {
        let Some(span) = table.span else {
            let _ = writeln!(out, "table {} not found", table.key);
            continue;
        };
        let _ = writeln!(out, "table {} at {}", table.key, line(span.start));
        for (r, row) in table.rows.iter().enumerate() {
            let cells: Vec<String> = (0..table.columns.len())
                .map(|c| cell_text(table.cell_at(r, c)))
                .collect();
            let _ = writeln!(out, "  {row}: {}", cells.join(" "));
        }
    }
    for a in &report.anomalies {
        let (l, c) = src.line_col(a.span.start);
        let _ = writeln!(out, "{} {l}:{c} {}", a.kind.id(), a.message);
    }
    out
}

#[test]
fn every_fixture_is_listed() {
    let mut on_disk: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR))
            .expect("the fixture directory")
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| Path::new(n).extension().is_some_and(|e| e == "txt"))
            .collect();
    on_disk.sort();
    let mut listed: Vec<String> = FIXTURES.iter().map(|(n, _)| (*n).to_owned()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "FIXTURES lists every fixture, and only those"
    );
}

#[test]
fn snapshots() {
    insta::glob!("fixtures/reports/text/*.txt", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let Some(&(_, sets)) = FIXTURES.iter().find(|(n, _)| *n == name) else {
            panic!("{name} is not in FIXTURES")
        };
        let bytes = std::fs::read(path).unwrap();
        let mut out = String::new();
        for set in sets {
            let (report, fit) = read_with(set, &name, &bytes);
            out.push_str(&render(&report, fit));
            out.push('\n');
        }
        insta::assert_snapshot!(out);
    });
}

// ------------------------------------------------------------------ the same cells

/// As [`support::assert_same_cells`], and every cell of the expected reading was read: equal
/// grids of nothing prove nothing.
fn assert_same_cells(expected: &Report, actual: &Report, raw: bool) {
    support::assert_same_cells(expected, actual, raw);
    assert!(
        cells(expected).iter().all(|(_, c)| c.is_some()),
        "{} has unread cells",
        expected.source.name()
    );
}

fn sections(report: &Report) -> Vec<(String, LabelMatch)> {
    report
        .sections
        .iter()
        .map(|s| (s.key.clone(), s.matched))
        .collect()
}

fn kinds(report: &Report) -> Vec<AnomalyKind> {
    report.anomalies.iter().map(|a| a.kind).collect()
}

fn anomaly_lines(report: &Report) -> String {
    let mut out = String::new();
    for a in &report.anomalies {
        let (l, c) = report.source.line_col(a.span.start);
        let _ = writeln!(out, "{} {l}:{c} {}", a.kind.id(), a.message);
    }
    out
}

/// The same report laid out with tabs, runs of spaces, `|` (with and without the `|---|`
/// separator row) and `／` reads to exactly the same cells, sections and metadata, with no
/// anomaly, in both formats.
#[test]
fn every_layout_reads_the_same_cells() {
    for (year, set) in [("2019", "national-2019"), ("2021", "national-2021")] {
        let tabs_name = format!("layout-{year}-tabs.txt");
        let (tabs, fit) = read_with(set, &tabs_name, &fixture(&tabs_name));
        assert!(
            tabs.anomalies.is_empty(),
            "{tabs_name}:\n{}",
            anomaly_lines(&tabs)
        );
        assert_eq!(fit.found, fit.declared, "{tabs_name} fits {set} fully");
        for layout in ["spaces", "pipes", "pipes-bare", "slashes"] {
            let name = format!("layout-{year}-{layout}.txt");
            let (report, fit) = read_with(set, &name, &fixture(&name));
            assert!(
                report.anomalies.is_empty(),
                "{name}:\n{}",
                anomaly_lines(&report)
            );
            assert_eq!(fit.found, fit.declared, "{name} fits {set} fully");
            assert_same_cells(&tabs, &report, true);
            assert_eq!(sections(&tabs), sections(&report), "{name}: sections");
            assert_eq!(
                tabs.meta.title.as_ref().map(|t| &t.value),
                report.meta.title.as_ref().map(|t| &t.value)
            );
            assert_eq!(
                tabs.meta.year.as_ref().map(|t| t.value),
                report.meta.year.as_ref().map(|t| t.value)
            );
            assert_eq!(
                tabs.meta.published.as_ref().map(|t| t.value.to_string()),
                report.meta.published.as_ref().map(|t| t.value.to_string())
            );
            check_spans(&report);
        }
    }
}

/// Every cell's span covers exactly its raw text in the source (cells read from a text
/// report are cut from it); an empty cell's span is empty.
fn check_spans(report: &Report) {
    let src = report.source.text();
    for table in &report.tables {
        for cell in table.cells.iter().flatten() {
            let at = &src[cell.span.start..cell.span.end];
            assert!(
                at == cell.raw || (cell.raw.is_empty() && (at.is_empty() || at.contains("nbsp"))),
                "{}: {} covers {at:?}, not {:?}",
                report.source.name(),
                table.key,
                cell.raw
            );
        }
    }
    for a in &report.anomalies {
        assert!(a.span.start <= a.span.end && a.span.end <= src.len());
    }
}

/// Header rows broken across lines and header cells split by line breaks (`本年新` over
/// `制作数量`, `商业` over `企业`, `商业 企业` in one cell), labels shifted into other columns,
/// labels that lost their indentation, a label split over two cells, a label with its values
/// on the next line, and prose before each table: the same cells as the plain layout, every
/// column header found, no anomaly.
#[test]
fn flattened_tables_read_like_the_plain_layout() {
    for (name, plain, set) in [
        (
            "header-split-2019-tabs.txt",
            "layout-2019-tabs.txt",
            "national-2019",
        ),
        (
            "header-split-2021-pipes.txt",
            "layout-2021-tabs.txt",
            "national-2021",
        ),
        (
            "header-split-2021-spaces.txt",
            "layout-2021-tabs.txt",
            "national-2021",
        ),
        (
            "labels-shifted-2021-tabs.txt",
            "layout-2021-tabs.txt",
            "national-2021",
        ),
        (
            "prose-before-tables-2021-tabs.txt",
            "layout-2021-tabs.txt",
            "national-2021",
        ),
    ] {
        let expected = read(set, plain);
        let (report, fit) = read_with(set, name, &fixture(name));
        assert!(
            report.anomalies.is_empty(),
            "{name}:\n{}",
            anomaly_lines(&report)
        );
        assert_eq!(
            fit.found, fit.declared,
            "{name}: every row and column header is found"
        );
        assert_same_cells(&expected, &report, true);
        check_spans(&report);
    }
}

/// A report copied in traditional characters (處理, 結轉, 申請, 減1): every section, row and
/// column is found, and the values are those of the simplified report.
#[test]
fn a_copy_in_traditional_characters_reads_like_the_original() {
    let simplified = read("national-2019", "layout-2019-tabs.txt");
    let (traditional, fit) = read_with(
        "national-2019",
        "traditional-2019-tabs.txt",
        &fixture("traditional-2019-tabs.txt"),
    );
    assert!(
        traditional.anomalies.is_empty(),
        "{}",
        anomaly_lines(&traditional)
    );
    assert_eq!(fit.found, fit.declared);
    assert_eq!(sections(&simplified), sections(&traditional));
    assert_same_cells(&simplified, &traditional, false);
    let applications = traditional.table("申请").unwrap();
    assert_eq!(applications.cell("二", "总计").unwrap().raw, "3");
}

/// Label drift: half-width brackets, `1. ` with spaces, ASCII quotes and a label with a
/// space inside are normalisation, read silently; 其他法律法规禁止公开 (a nonstandard alias),
/// `1、` for `1.`, and 规范性文件 for 2021's 行政规范性文件 are read and reported as drift.
#[test]
fn drifted_labels_are_read_and_reported() {
    let plain = read("national-2021", "layout-2021-tabs.txt");
    let drift = read("national-2021", "label-drift-2021-tabs.txt");
    assert_same_cells(&plain, &drift, true);
    let drifted: Vec<&str> = drift
        .anomalies
        .iter()
        .map(|a| {
            assert_eq!(a.kind, AnomalyKind::LabelDrift, "{}", a.message);
            a.row.as_deref().unwrap()
        })
        .collect();
    assert_eq!(
        drifted,
        ["规范性文件", "三.不予公开.法律禁止", "三.无法提供.不掌握"]
    );
    let section = |key: &str| drift.section(key).map(|s| s.matched);
    assert_eq!(section("主动公开"), Some(LabelMatch::NonstandardAlias));
    assert_eq!(section("问题改进"), Some(LabelMatch::Drift));
}

/// A row with one value too many keeps the first values and reports the surplus; a row
/// with one too few is reported and its missing cell left unread; where the other rows show
/// the columns' cells, an empty cell is a blank in its own column, not a shift.
#[test]
fn rows_with_too_many_or_too_few_values() {
    let report = read("national-2019", "values-count-2019-tabs.txt");
    let value = |table: &str, row: &str, column: &str| {
        report
            .table(table)
            .unwrap()
            .cell(row, column)
            .map(|c| c.value.clone())
    };
    let n = |v: i64| Some(CellValue::Number(v.into()));
    // 8 values for 7 columns: the 8th is dropped.
    assert_eq!(value("申请", "三.其他处理", "总计"), n(0));
    assert_eq!(value("申请", "四", "总计"), n(2));
    // 6 values for 7 columns, the last one missing.
    assert_eq!(value("申请", "三.不予公开.第三方权益", "自然人"), n(1));
    assert_eq!(value("申请", "三.不予公开.第三方权益", "总计"), None);
    assert_eq!(value("处罚强制", "行政强制", "处理决定"), None);
    // An empty first cell and an empty cell inside the row: blanks where they stand.
    assert_eq!(
        value("申请", "三.不予公开.过程性信息", "自然人"),
        Some(CellValue::Blank)
    );
    assert_eq!(value("申请", "三.不予公开.过程性信息", "总计"), n(1));
    assert_eq!(
        value(
            "申请",
            "三.无法提供.需另行制作",
            "法人或其他组织.社会公益组织"
        ),
        Some(CellValue::Blank)
    );
    assert_eq!(value("申请", "三.无法提供.需另行制作", "总计"), n(1));
    let found: Vec<(AnomalyKind, Option<&str>)> = report
        .anomalies
        .iter()
        .map(|a| (a.kind, a.row.as_deref()))
        .collect();
    assert_eq!(
        found,
        [
            (AnomalyKind::MissingValues, Some("行政强制")),
            (AnomalyKind::MissingValues, Some("三.不予公开.第三方权益")),
            (AnomalyKind::ExtraValues, Some("三.其他处理")),
            (AnomalyKind::ExtraValues, Some("四")),
            (AnomalyKind::ExtraValues, Some("数据")),
        ]
    );
    // The surplus value's span is the value itself.
    let extra = &report.anomalies[2];
    assert_eq!(&report.source.text()[extra.span.start..extra.span.end], "0");

    // Runs of spaces keep no empty cells: a short row fills the columns from the left.
    let spaces = read("national-2021", "values-count-2021-spaces.txt");
    assert_eq!(
        kinds(&spaces),
        [AnomalyKind::MissingValues, AnomalyKind::ExtraValues]
    );
    let cell = spaces
        .table("申请")
        .unwrap()
        .cell("三.不予公开.第三方权益", "总计");
    assert!(cell.is_none());
    // A row printed with its label alone is a row of blanks.
    let forced = spaces
        .table("处罚强制")
        .unwrap()
        .cell("行政强制", "处理决定");
    assert_eq!(forced.map(|c| &c.value), Some(&CellValue::Blank));
}

/// Empty cell, `0`, `/`, `／`, `-`, `—`, `无` and `&nbsp;`: blank, number or a mark for
/// nothing, never an invalid value; `&nbsp;` is an empty cell.
#[test]
fn every_way_of_writing_nothing() {
    for (set, name) in [
        ("national-2019", "nothing-marks-2019-spaces.txt"),
        ("national-2021", "nothing-marks-2021-tabs.txt"),
    ] {
        let (report, fit) = read_with(set, name, &fixture(name));
        assert_eq!(fit.found, fit.declared, "{name}");
        assert!(
            !kinds(&report).contains(&AnomalyKind::InvalidValue),
            "{name}:\n{}",
            anomaly_lines(&report)
        );
        check_spans(&report);
    }
    let report = read("national-2019", "nothing-marks-2019-spaces.txt");
    let raw_value = |table: &str, row: &str, column: &str| {
        let c = report.table(table).unwrap().cell(row, column).unwrap();
        (c.raw.clone(), c.value.clone())
    };
    let na = |s: &str| (s.to_owned(), CellValue::NotApplicable(s.to_owned()));
    assert_eq!(raw_value("规章文件", "规章", "新公开"), na("/"));
    assert_eq!(raw_value("规章文件", "规章", "公开总数"), na("-"));
    assert_eq!(raw_value("许可", "其他事项", "上年项目"), na("—"));
    assert_eq!(raw_value("采购", "政府集中采购", "项目数"), na("／"));
    assert_eq!(raw_value("申请", "三.不予公开.行政查询", "总计"), na("无"));
    assert_eq!(
        raw_value("处罚强制", "行政强制", "增减"),
        (String::new(), CellValue::Blank)
    );
    // `本年增／减` in a header laid out with spaces is one header cell.
    assert!(!kinds(&report).contains(&AnomalyKind::ColumnNotFound));
}

/// Units and signs inside cells: `3865200元`, `160.5964万元`, `+1`, `增1`, `-11`, `－2`,
/// `−1`, `减 4`, `18件`, `2,316`, full-width digits.
#[test]
fn units_and_signs_inside_cells() {
    let report = read("national-2019", "units-signs-2019-tabs.txt");
    assert!(report.anomalies.is_empty(), "{}", anomaly_lines(&report));
    let cell = |report: &Report, table: &str, row: &str, column: &str| {
        let c = report.table(table).unwrap().cell(row, column).unwrap();
        (c.value.clone(), c.unit.clone())
    };
    let num = |s: &str| CellValue::Number(s.parse().unwrap());
    assert_eq!(
        cell(&report, "采购", "政府集中采购", "总金额"),
        (num("3865200"), Some("元".into()))
    );
    assert_eq!(
        cell(&report, "许可", "行政许可", "增减"),
        (num("-11"), None)
    );
    assert_eq!(cell(&report, "许可", "其他事项", "增减"), (num("1"), None));
    assert_eq!(
        cell(&report, "处罚强制", "行政处罚", "增减"),
        (num("-2"), None)
    );
    assert_eq!(
        cell(&report, "处罚强制", "行政强制", "增减"),
        (num("-4"), None)
    );
    // A counting word after a count: read, with the word as its unit (the type check, not
    // the reader, says it does not belong in a count cell).
    assert_eq!(
        cell(&report, "处罚强制", "行政强制", "处理决定"),
        (num("18"), Some("件".into()))
    );
    assert_eq!(
        cell(&report, "收费", "行政事业性收费", "增减"),
        (num("-1"), None)
    );
    let report = read("national-2021", "units-signs-2021-tabs.txt");
    assert!(report.anomalies.is_empty(), "{}", anomaly_lines(&report));
    assert_eq!(
        cell(&report, "收费", "行政事业性收费", "收费金额"),
        (num("160.5964"), Some("万元".into()))
    );
    assert_eq!(
        cell(&report, "许可", "行政许可", "处理决定"),
        (num("2316"), None)
    );
    assert_eq!(
        cell(&report, "处罚强制", "行政处罚", "处理决定"),
        (num("58"), None)
    );
    assert_eq!(
        cell(&report, "处罚强制", "行政强制", "处理决定"),
        (num("3.5"), None)
    );
}

/// Tables published as images are missing; tables printed with every cell empty are blank,
/// not missing (in tab and in space layouts).
#[test]
fn missing_and_blank_tables() {
    let image = read("national-2021", "table-image-2021-tabs.txt");
    let missing: Vec<(AnomalyKind, Option<&str>)> = image
        .anomalies
        .iter()
        .map(|a| (a.kind, a.table.as_deref()))
        .collect();
    assert_eq!(
        missing,
        [
            (AnomalyKind::TableMissing, Some("申请")),
            (AnomalyKind::TableMissing, Some("复议诉讼表")),
        ]
    );
    for (set, name, blank) in [
        (
            "national-2019",
            "table-blank-2019-tabs.txt",
            ["收费", "申请"],
        ),
        (
            "national-2021",
            "table-blank-2021-spaces.txt",
            ["处罚强制", "申请"],
        ),
    ] {
        let (report, fit) = read_with(set, name, &fixture(name));
        assert_eq!(fit.found, fit.declared, "{name}: every row is found");
        let found: Vec<(AnomalyKind, Option<&str>)> = report
            .anomalies
            .iter()
            .map(|a| (a.kind, a.table.as_deref()))
            .collect();
        assert_eq!(
            found,
            [
                (AnomalyKind::TableBlank, Some(blank[0])),
                (AnomalyKind::TableBlank, Some(blank[1])),
            ],
            "{name}"
        );
        for key in blank {
            let table = report.table(key).unwrap();
            assert!(
                table.is_found()
                    && table
                        .cells
                        .iter()
                        .all(|c| matches!(c, Some(c) if c.value == CellValue::Blank))
            );
        }
    }
}

/// A 2021 report with the 2019 tables fits the 2019 rule set better, and the checker reads
/// it with that set.
#[test]
fn the_2019_tables_in_a_2021_report_fit_the_2019_rule_set() {
    let name = "format-2019-in-2021-tabs.txt";
    let (_, fit_2019) = read_with("national-2019", name, &fixture(name));
    let (report_2021, fit_2021) = read_with("national-2021", name, &fixture(name));
    assert_eq!(fit_2019.found, fit_2019.declared);
    assert!(
        fit_2019.ratio() > fit_2021.ratio(),
        "{fit_2019:?} vs {fit_2021:?}"
    );
    assert_eq!(report_2021.meta.year.as_ref().map(|y| y.value), Some(2021));
    let checker = gouji::check::Checker::new(national_rule_sets(), &[]).expect("no parameters");
    let (index, report, _) = checker.read(&load_ok(name, &fixture(name))).unwrap();
    assert_eq!(national_rule_sets()[index].id, "national-2019");
    assert_eq!(report.rule_set, "national-2019");
}

/// A report in the scheme used before 2019 (概述, 收费及减免, 咨询和投诉): its sections are
/// found as the rule set's old-scheme sections, and none of the format's tables is.
#[test]
fn a_report_in_the_pre_2019_scheme() {
    let report = read("national-2019", "pre-2019-scheme.txt");
    let keys: Vec<&str> = report.sections.iter().map(|s| s.key.as_str()).collect();
    for old in ["旧版概述", "旧版收费", "旧版咨询"] {
        assert!(keys.contains(&old), "{keys:?}");
    }
    assert!(!keys.contains(&"总体情况"));
    assert!(report.tables.iter().all(|t| !t.is_found()));
    assert!(
        kinds(&report)
            .iter()
            .all(|&k| k == AnomalyKind::TableMissing)
    );
}

/// Text that looks like a table but matches no declaration is reported, once per run of
/// lines, where it is.
#[test]
fn a_table_that_matches_no_declaration() {
    let report = read("national-2021", "unknown-table-2021-tabs.txt");
    let unknown: Vec<String> = report
        .anomalies
        .iter()
        .map(|a| {
            assert_eq!(a.kind, AnomalyKind::UnknownTable);
            report.source.text()[a.span.start..a.span.end].to_owned()
        })
        .collect();
    assert_eq!(unknown.len(), 2);
    assert!(
        unknown[0].starts_with("信息类别\t条数\t占比\n"),
        "{:?}",
        unknown[0]
    );
    assert!(
        unknown[1].starts_with("类别  件数  公开数\n"),
        "{:?}",
        unknown[1]
    );
    // The declared tables read as in the plain report.
    assert_same_cells(
        &read("national-2021", "layout-2021-tabs.txt"),
        &report,
        true,
    );
}

// ------------------------------------------------------------------ bad input

fn load_err(name: &str, bytes: &[u8]) -> gouji::extract::ReadError {
    match load(name, bytes) {
        Ok(_) => panic!("{name} should not load"),
        Err(e) => e,
    }
}

#[test]
fn empty_and_blank_files_are_refused_as_empty() {
    let tabs = vec![b'\t'; 1_000_000];
    for bytes in [&b""[..], b"\n\n", b" \t \r\n", &tabs] {
        let error = load_err("empty.txt", bytes);
        assert_eq!(error.kind, ReadErrorKind::Empty, "{} bytes", bytes.len());
        assert!(error.to_string().contains("空文件"), "{error}");
    }
}

#[test]
fn a_binary_file_is_refused() {
    // The start of a PNG image.
    let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00";
    for name in ["report.txt", "report", "report.png"] {
        let error = load_err(name, png);
        assert_eq!(error.kind, ReadErrorKind::Binary, "{name}");
        assert!(error.to_string().contains("不是文本"), "{error}");
    }
}

#[test]
fn a_file_over_64_mb_is_refused_before_it_is_read() {
    let limit = gouji::extract::MAX_INPUT_BYTES;
    assert_eq!(limit, 64 * 1024 * 1024);
    let mut bytes = fixture("layout-2019-tabs.txt");
    bytes.resize(limit + 1, b'\n');
    let started = Instant::now();
    let error = load_err("huge.txt", &bytes);
    assert_eq!(error.kind, ReadErrorKind::TooLarge { bytes: limit + 1 });
    assert!(error.to_string().contains("太大"), "{error}");
    assert!(
        started.elapsed() < Duration::from_millis(100),
        "refused without reading"
    );
}

/// Loads and reads with both rule sets, checks every span, and returns how long it took.
fn read_bounded(name: &str, bytes: &[u8]) -> Duration {
    let started = Instant::now();
    let input = load_ok(name, bytes);
    for set in national_rule_sets() {
        let (report, _) = Extractor::new(set).read(&input);
        check_spans(&report);
    }
    started.elapsed()
}

/// Pathological shapes finish in bounded time (a few seconds in a debug build on a loaded
/// two-core machine; the bound is generous, the typical time is printed).
#[test]
fn pathological_shapes_read_in_bounded_time() {
    // A guard against super-linear time (the 8 MB report once took minutes), not a speed
    // target: speed is measured in the benchmark. Generous, so a loaded machine still passes.
    const BOUND: Duration = Duration::from_secs(60);
    let title = "某县人民政府2020年政府信息公开工作年度报告\n";
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    // A million tabs after a title, and a million tabs around numbers: one line of a
    // million cells.
    cases.push((
        "tabs.txt",
        format!("{title}{}", "\t".repeat(1_000_000)).into_bytes(),
    ));
    cases.push((
        "tab-numbers.txt",
        format!(
            "{title}三、收到和处理政府信息公开申请情况\n{}",
            "1\t".repeat(500_000)
        )
        .into_bytes(),
    ));
    // One very long line (8 MB) of prose, numbers and spaces.
    cases.push((
        "long-line.txt",
        format!("{title}{}", "政府信息公开 12 申请  3 ".repeat(300_000)).into_bytes(),
    ));
    // 100,000 short lines: headings, captions, headers and rows over and over.
    let lines = [
        "二、主动公开政府信息情况",
        "第二十条第（一）项",
        "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
        "规章\t0\t0\t0",
        "规范性文件  1  2  3",
        "| 行政许可 | 1 | 2 | 3 |",
        "三、收到和处理政府信息公开申请情况",
        "一、本年新收政府信息公开申请数量\t\t\t1\t0\t0\t0\t0\t0\t1",
        "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t0\t0",
        "",
    ];
    let mut many = String::from(title);
    for i in 0..100_000 {
        many.push_str(lines[i % lines.len()]);
        many.push('\n');
    }
    cases.push(("short-lines.txt", many.into_bytes()));
    for (name, bytes) in cases {
        let elapsed = read_bounded(name, &bytes);
        println!("{name}: {} bytes in {elapsed:?}", bytes.len());
        assert!(elapsed < BOUND, "{name} took {elapsed:?}");
    }
}

/// A report encoded in GB18030 (as GBK pages and their text copies often are) reads to the
/// same cells as its UTF-8 original.
#[test]
fn gb18030_text_reads_like_utf8() {
    for (set, name) in [
        ("national-2019", "layout-2019-tabs.txt"),
        ("national-2019", "traditional-2019-tabs.txt"),
    ] {
        let utf8 = String::from_utf8(fixture(name)).unwrap();
        let (bytes, _, unmappable) = encoding_rs::GB18030.encode(&utf8);
        assert!(!unmappable);
        assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");
        let gb = read_with(set, name, &bytes).0;
        assert_eq!(gb.encoding, "GB18030");
        assert_eq!(gb.source.text(), utf8);
        assert_same_cells(&read(set, name), &gb, true);
    }
}

/// A byte-order mark and CRLF line endings change nothing but the spans.
#[test]
fn bom_and_crlf_read_like_plain_utf8() {
    let plain = read("national-2019", "layout-2019-tabs.txt");
    let text = String::from_utf8(fixture("layout-2019-tabs.txt")).unwrap();
    let bom = format!("\u{feff}{text}");
    let crlf = text.replace('\n', "\r\n");
    let both = format!("\u{feff}{crlf}");
    for (name, bytes) in [("bom.txt", bom), ("crlf.txt", crlf), ("bom-crlf.txt", both)] {
        let (report, fit) = read_with("national-2019", name, bytes.as_bytes());
        assert_eq!(report.encoding, "UTF-8");
        assert!(
            report.anomalies.is_empty(),
            "{name}:\n{}",
            anomaly_lines(&report)
        );
        assert_eq!(fit.found, fit.declared);
        assert_same_cells(&plain, &report, true);
        assert_eq!(sections(&plain), sections(&report));
        assert_eq!(
            report.meta.title.as_ref().map(|t| t.value.as_str()),
            Some("青石县交通运输局2020年政府信息公开工作年度报告"),
            "{name}: no BOM or CR in the title"
        );
        assert!(report.sections.iter().all(|s| !s.heading.contains('\r')));
        check_spans(&report);
    }
}

// ------------------------------------------------------------------ any text

/// Text made of the pieces reports are made of, so that most of it is nearly a table.
fn piece() -> impl proptest::strategy::Strategy<Value = &'static str> {
    proptest::prop_oneof![
        proptest::strategy::Just("\t"),
        proptest::strategy::Just("\n"),
        proptest::strategy::Just("\r\n"),
        proptest::strategy::Just("  "),
        proptest::strategy::Just(" "),
        proptest::strategy::Just("|"),
        proptest::strategy::Just("｜"),
        proptest::strategy::Just("／"),
        proptest::strategy::Just("|---|"),
        proptest::strategy::Just("0"),
        proptest::strategy::Just("12"),
        proptest::strategy::Just("-3"),
        proptest::strategy::Just("减4"),
        proptest::strategy::Just("160.5964万元"),
        proptest::strategy::Just("&nbsp;"),
        proptest::strategy::Just("—"),
        proptest::strategy::Just("/"),
        proptest::strategy::Just("\u{3000}"),
        proptest::strategy::Just("\u{a0}"),
        proptest::strategy::Just("一、总体情况"),
        proptest::strategy::Just("三、收到和处理政府信息公开申请情况"),
        proptest::strategy::Just("第二十条第（一）项"),
        proptest::strategy::Just("信息内容"),
        proptest::strategy::Just("本年新"),
        proptest::strategy::Just("制作数量"),
        proptest::strategy::Just("规章"),
        proptest::strategy::Just("（七）总计"),
        proptest::strategy::Just("(三) 不予公开"),
        proptest::strategy::Just("1. 属于国家秘密"),
        proptest::strategy::Just("四、结转下年度继续办理"),
        proptest::strategy::Just("行政复议"),
        proptest::strategy::Just("結轉"),
        proptest::strategy::Just("總計"),
        proptest::strategy::Just("2020年"),
        proptest::strategy::Just("é"),
    ]
}

proptest::proptest! {
    #![proptest_config(proptest::test_runner::Config::with_cases(256))]

    /// Any such text loads (or is refused as empty) and reads under both rule sets without
    /// a panic, with every span inside the source on character boundaries.
    #[test]
    fn any_text_reads_with_valid_spans(pieces in proptest::collection::vec(piece(), 0..80)) {
        let text = pieces.concat();
        let Ok(input) = load("random.txt", text.as_bytes()) else {
            proptest::prop_assert!(text.trim().is_empty());
            return Ok(());
        };
        let Input::Document(document) = &input else {
            panic!("a .txt file is a document");
        };
        let src = document.source.text();
        for line in &document.lines {
            for cell in &line.cells {
                proptest::prop_assert_eq!(&src[cell.span.start..cell.span.end], cell.text.as_str());
            }
        }
        for set in national_rule_sets() {
            let (report, fit) = Extractor::new(set).read(&input);
            proptest::prop_assert!(fit.found <= fit.declared);
            for span in report
                .anomalies
                .iter()
                .map(|a| a.span)
                .chain(report.tables.iter().flat_map(|t| t.cells.iter().flatten().map(|c| c.span)))
            {
                proptest::prop_assert!(span.start <= span.end && span.end <= src.len());
                proptest::prop_assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
            }
        }
    }
}

/// The directory of reports written in every layout from one set of data by the committed
/// `make.py` (HTML printed to PDF by Chromium and read back with `pdftotext -layout`).
const LAYOUT_DIR: &str = "tests/fixtures/reports/layout";

/// The layouts each report of [`LAYOUT_DIR`] is written in.
const LAYOUTS: &[(&str, Layout)] = &[
    ("tabs.txt", Layout::Tabs),
    ("pipes.txt", Layout::Pipes),
    ("spaces.txt", Layout::Spaces),
    ("pdftotext.txt", Layout::Spaces),
    ("html", Layout::Grid),
];

fn layout_input(name: &str) -> Input {
    let path = Path::new(LAYOUT_DIR).join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    load(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A finding as the test compares it across layouts: its rule, and the cells it rests on.
fn finding_keys(findings: &gouji::findings::ReportFindings) -> Vec<String> {
    let mut keys: Vec<String> = findings
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
        .collect();
    keys.sort();
    keys
}

/// One report's data in tab, pipe, space-aligned (blanks only spaces), `pdftotext -layout`
/// and HTML layouts: the same cells, a blank in its own column in every layout, the same
/// findings (rule and cells), and the one planted defect found in each.
#[test]
fn every_layout_gives_the_same_cells_and_findings() {
    let checker = gouji::check::Checker::new(national_rule_sets(), &[]).expect("no parameters");
    let set = national_rule_set("national-2021");
    let read = |name: &str| Extractor::new(set).read(&layout_input(name)).0;
    let tabs = read("blanks.tabs.txt");
    let expected = finding_keys(
        &checker
            .check(&layout_input("blanks.tabs.txt"), None)
            .unwrap(),
    );
    assert!(
        expected.iter().any(|f| f.contains("申请/三.总计/")),
        "the planted defect is found: {expected:#?}"
    );
    let blank = tabs
        .table("规章文件")
        .and_then(|t| t.cell("规范性文件", "废止"));
    assert_eq!(blank.map(|c| &c.value), Some(&CellValue::Blank));
    assert_eq!(tabs.layout, Layout::Tabs);
    for (suffix, layout) in &LAYOUTS[1..] {
        let name = format!("blanks.{suffix}");
        let report = read(&name);
        assert_eq!(report.layout, *layout, "{name}: layout");
        assert_same_cells(&tabs, &report, false);
        assert_eq!(
            report.meta.year.as_ref().map(|y| y.value),
            Some(2021),
            "{name}: year"
        );
        assert_eq!(
            report.meta.agency.as_ref().map(|a| a.value.as_str()),
            Some("青石县自然资源局"),
            "{name}: agency"
        );
        let findings = checker.check(&layout_input(&name), None).unwrap();
        assert_eq!(findings.layout, *layout, "{name}: layout of the findings");
        assert_eq!(finding_keys(&findings), expected, "{name}: findings");
    }
}

/// A value printed between two columns (a hand copy that lost its alignment) is not guessed:
/// both cells it could belong to are unknown, one reading warning for the table lists them,
/// the checks that need them are not evaluated, and no finding rests on them. The report's
/// other defect (its S1 for 商业企业 does not balance) is still found.
#[test]
fn a_value_between_two_columns_is_unknown_not_guessed() {
    let checker = gouji::check::Checker::new(national_rule_sets(), &[]).expect("no parameters");
    let input = layout_input("between.spaces.txt");
    let report = Extractor::new(national_rule_set("national-2021"))
        .read(&input)
        .0;
    let table = report.table("申请").unwrap();
    for column in ["自然人", "法人或其他组织.商业企业"] {
        let cell = table.cell("三.予以公开", column).unwrap();
        assert!(
            matches!(&cell.value, CellValue::Unknown(why) if why.contains("两列之间")),
            "{column}: {cell:?}"
        );
    }
    let unknown: Vec<_> = report
        .anomalies
        .iter()
        .filter(|a| a.kind == AnomalyKind::UnknownCells)
        .collect();
    assert_eq!(unknown.len(), 1, "{}", anomaly_lines(&report));
    assert!(
        unknown[0].message.contains("2 个单元格"),
        "{}",
        unknown[0].message
    );
    let findings = checker.check(&input, None).unwrap();
    let on_unknown = |c: &gouji::eval::CellEvidence| {
        c.table == "申请"
            && c.row == "三.予以公开"
            && (c.column == "自然人" || c.column == "法人或其他组织.商业企业")
    };
    let resting: Vec<&str> = findings
        .findings
        .iter()
        .filter(|f| f.cells.iter().any(on_unknown))
        .map(|f| f.rule.as_str())
        .collect();
    assert!(
        resting.is_empty(),
        "findings on an unknown cell: {resting:?}"
    );
    assert!(
        findings
            .not_evaluated
            .iter()
            .any(|n| n.rule == "结果合计" && n.reason.contains("没有读准")),
        "{:#?}",
        findings.not_evaluated
    );
    let rules: Vec<&str> = findings.findings.iter().map(|f| f.rule.as_str()).collect();
    assert!(rules.contains(&"S1"), "{rules:?}");
    assert_eq!(
        rules.iter().filter(|r| **r == "读取.无法确定").count(),
        1,
        "{rules:?}"
    );
}

/// Issue 18 item 6 and issue 10: the agency is read whether it stands before or after the
/// year, and a title printed over two lines (agency, then `2024 年…报告` with a space) is one.
#[test]
fn metadata_is_read_from_the_title_wherever_the_agency_stands() {
    for (text, title, agency, year) in [
        (
            "2019年上海市人民政府办公厅政府信息公开工作年度报告\n\n一、总体情况\n",
            "2019年上海市人民政府办公厅政府信息公开工作年度报告",
            "上海市人民政府办公厅",
            2019,
        ),
        (
            "白沙市水利局2021年政府信息公开工作年度报告\n一、总体情况\n",
            "白沙市水利局2021年政府信息公开工作年度报告",
            "白沙市水利局",
            2021,
        ),
        (
            "        青石县自然资源局\n   2024 年政府信息公开工作年度报告\n一、总体情况\n",
            "青石县自然资源局2024 年政府信息公开工作年度报告",
            "青石县自然资源局",
            2024,
        ),
    ] {
        let input = load("title.txt", text.as_bytes()).unwrap();
        let meta = gouji::extract::peek_metadata(&input).unwrap();
        assert_eq!(meta.title.as_ref().map(|t| t.value.as_str()), Some(title));
        let agency_read = meta.agency.as_ref().unwrap();
        assert_eq!(agency_read.value, agency);
        assert_eq!(
            &text[agency_read.span.start..agency_read.span.end],
            agency,
            "the agency's span covers it"
        );
        let year_read = meta.year.as_ref().unwrap();
        assert_eq!(year_read.value, year);
        assert_eq!(
            &text[year_read.span.start..year_read.span.end],
            year.to_string()
        );
    }
}
