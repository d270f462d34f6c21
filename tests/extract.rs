//! Structured reports (TOML and JSON) and `gouji extract`: the same report written as text,
//! TOML and JSON reads to the same cells; syntax errors point at their exact place (snapshots
//! of the rendered error); problems inside a readable file are anomalies (snapshots); what
//! `gouji extract` prints loads back as the same cells; and the command's inputs, outputs and
//! exit codes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use gouji::compile::Loader;
use gouji::extract::{Extractor, Input, ReadErrorKind, load};
use gouji::report::{AnomalyKind, CellValue, InputKind, LabelMatch, Report};
use gouji::ruleset::RuleSet;
use proptest::prelude::*;
use rust_decimal::Decimal;

use crate::support::{self, Run, assert_same_cells, national_rule_set, render_diagnostic};

const TEXT_SEED: &str = "tests/fixtures/reports/text/seed-like.txt";
const STRUCTURED: &str = "tests/fixtures/reports/structured";

fn read_file(path: &str) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The small rule set of the structured fixtures: every cell type, and a repeated column key.
fn types_rules() -> &'static RuleSet {
    static SET: OnceLock<RuleSet> = OnceLock::new();
    SET.get_or_init(|| {
        let compiled = Loader::new(Vec::<PathBuf>::new())
            .compile_file(Path::new(&format!("{STRUCTURED}/rules/types.gouji")));
        assert!(
            !compiled.has_errors(),
            "types.gouji should compile: {:?}",
            compiled.diagnostics
        );
        compiled.rule_set.expect("types.gouji compiles")
    })
}

fn load_ok(name: &str, bytes: &[u8]) -> Input {
    load(name, bytes).unwrap_or_else(|e| panic!("{name} should load:\n{}", render_diagnostic(&e)))
}

fn read_under(rule_set: &RuleSet, name: &str, bytes: &[u8]) -> Report {
    Extractor::new(rule_set).read(&load_ok(name, bytes)).0
}

fn read_path(rule_set: &RuleSet, path: &str) -> Report {
    read_under(rule_set, path, &read_file(path))
}

fn meta_values(report: &Report) -> (Option<String>, Option<String>, Option<i32>, Option<String>) {
    let m = &report.meta;
    (
        m.title.as_ref().map(|l| l.value.clone()),
        m.agency.as_ref().map(|l| l.value.clone()),
        m.year.as_ref().map(|l| l.value),
        m.published.as_ref().map(|l| l.value.to_string()),
    )
}

fn source_at(report: &Report, span: gouji::source::Span) -> &str {
    &report.source.text()[span.start..span.end]
}

/// Anomalies as one line each: id, line:column, the text at the span, and the message.
fn anomaly_lines(report: &Report) -> String {
    let mut out = String::new();
    for a in &report.anomalies {
        let (line, column) = report.source.line_col(a.span.start);
        let at: String = source_at(report, a.span).chars().take(30).collect();
        let _ = writeln!(
            out,
            "{} {line}:{column} 「{}」 {}",
            a.kind.id(),
            at.replace('\n', "⏎"),
            a.message
        );
    }
    out
}

// ------------------------------------------------------------------ the same report, three ways

#[test]
fn text_toml_and_json_of_one_report_read_the_same_cells() {
    let text = read_path(national_rule_set("national-2019"), TEXT_SEED);
    // The text fixture keeps the seed's quirks, which the text reader reports.
    let kinds: Vec<AnomalyKind> = text.anomalies.iter().map(|a| a.kind).collect();
    assert!(
        kinds.contains(&AnomalyKind::ExtraValues) && kinds.contains(&AnomalyKind::LabelDrift),
        "seed-like.txt should keep the 8-value rows and 其他法律法规禁止公开: {kinds:?}"
    );
    for name in ["seed-like.toml", "seed-like.json"] {
        let path = format!("{STRUCTURED}/ok/{name}");
        let (report, fit) = Extractor::new(national_rule_set("national-2019"))
            .read(&load_ok(&path, &read_file(&path)));
        assert!(
            report.anomalies.is_empty(),
            "{name} should read without anomalies:\n{}",
            anomaly_lines(&report)
        );
        assert_eq!(
            fit.found, fit.declared,
            "{name} should fit national-2019 fully"
        );
        assert_same_cells(&text, &report, true);
        assert_eq!(
            meta_values(&text).0,
            meta_values(&report).0,
            "{name}: title"
        );
        assert_eq!(
            meta_values(&text).1,
            meta_values(&report).1,
            "{name}: agency"
        );
        assert_eq!(meta_values(&text).2, meta_values(&report).2, "{name}: year");
        let headings = |r: &Report| {
            r.sections
                .iter()
                .map(|s| (s.key.clone(), s.heading.clone(), s.matched))
                .collect::<Vec<_>>()
        };
        assert_eq!(headings(&text), headings(&report), "{name}: sections");
    }
}

#[test]
fn every_cell_section_and_metadata_value_has_the_span_of_its_value() {
    for name in [
        "seed-like.toml",
        "seed-like.json",
        "types.toml",
        "types.json",
    ] {
        let path = format!("{STRUCTURED}/ok/{name}");
        let rules = if name.starts_with("types") {
            types_rules()
        } else {
            national_rule_set("national-2019")
        };
        let report = read_path(rules, &path);
        let mut checked = 0;
        for table in &report.tables {
            for cell in table.cells.iter().flatten() {
                let at = source_at(&report, cell.span);
                let quoted = format!("\"{}\"", cell.raw);
                assert!(
                    at == cell.raw || at == quoted || (at == "null" && cell.raw.is_empty()),
                    "{name}: the span of {:?} covers {at:?}",
                    cell.raw
                );
                checked += 1;
            }
        }
        assert!(checked > 10, "{name}: only {checked} cells");
        for section in &report.sections {
            let body = source_at(&report, section.body_span);
            assert!(
                body.starts_with('"') && body.ends_with('"'),
                "{name}: the body span of {} covers {body:?}",
                section.key
            );
            assert!(
                source_at(&report, section.heading_span).contains(section.heading.as_str())
                    || section.heading
                        == rules.sections[rules.section(&section.key).unwrap()].title,
                "{name}: the heading span of {}",
                section.key
            );
        }
        let meta = &report.meta;
        let title = meta.title.as_ref().expect("every fixture has a title");
        assert_eq!(
            source_at(&report, title.span),
            format!("\"{}\"", title.value)
        );
        let year = meta.year.as_ref().expect("a year, given or from the title");
        assert_eq!(source_at(&report, year.span), year.value.to_string());
        let agency = meta
            .agency
            .as_ref()
            .expect("an agency, given or from the title");
        assert!(source_at(&report, agency.span).contains(agency.value.as_str()));
    }
}

#[test]
fn cell_values_are_read_like_printed_cells_and_numbers_stay_exact() {
    for name in ["types.toml", "types.json"] {
        let report = read_path(types_rules(), &format!("{STRUCTURED}/ok/{name}"));
        let value = |table: &str, row: &str, column: &str| {
            let cell = report
                .table(table)
                .and_then(|t| t.cell(row, column))
                .unwrap_or_else(|| panic!("{name}: no cell {table}[{row}, {column}]"));
            (cell.value.clone(), cell.unit.clone())
        };
        let number = |s: &str| CellValue::Number(s.parse::<Decimal>().unwrap());
        assert_eq!(value("许可", "行政许可", "增减"), (number("-4"), None));
        assert_eq!(value("许可", "其他事项", "增减"), (number("1"), None));
        assert_eq!(
            value("许可", "其他事项", "上年数量"),
            (CellValue::NotApplicable("/".into()), None)
        );
        assert_eq!(
            value("许可", "其他事项", "处理决定"),
            (CellValue::Blank, None)
        );
        // Beyond f64's 15–17 digits: kept exactly.
        assert_eq!(
            value("采购", "政府集中采购", "总金额"),
            (number("12345678901234567.8901"), None)
        );
        assert_eq!(
            value("采购", "政府集中采购", "占比"),
            (number("12.5"), Some("%".into()))
        );
        assert_eq!(
            value("采购", "政府集中采购", "备注"),
            (CellValue::Text("160.5964".into()), None)
        );
        assert_eq!(
            value("复议诉讼表", "数据", "诉讼.维持"),
            (number("1"), None)
        );
        let published = report.meta.published.as_ref().expect("发布日期");
        assert_eq!(published.value.to_string(), "2022-01-20");
        let sections: Vec<(&str, &str, LabelMatch)> = report
            .sections
            .iter()
            .map(|s| (s.key.as_str(), s.text.as_str(), s.matched))
            .collect();
        assert_eq!(
            sections,
            [
                (
                    "复议诉讼",
                    "本年度无行政复议、行政诉讼。",
                    LabelMatch::Alias
                ),
                ("主动公开", "见下表。\n\t第二行", LabelMatch::Drift),
            ]
        );
        assert_eq!(
            anomaly_lines(&report).lines().count(),
            1,
            "{name}: only the drifted heading\n{}",
            anomaly_lines(&report)
        );
    }
    let toml = read_path(types_rules(), &format!("{STRUCTURED}/ok/types.toml"));
    let json = read_path(types_rules(), &format!("{STRUCTURED}/ok/types.json"));
    assert_same_cells(&toml, &json, true);
}

#[test]
fn json_numbers_are_exact_decimals() {
    let report = read_under(
        types_rules(),
        "exact.json",
        r#"{"表格": {"采购": {"政府集中采购": {"项目数": 2, "总金额": 160.5964, "占比": 1E2}}}}"#
            .as_bytes(),
    );
    let table = report.table("采购").unwrap();
    let cell = |column| table.cell("政府集中采购", column).unwrap();
    assert_eq!(cell("总金额").raw, "160.5964");
    assert_eq!(
        cell("总金额").value,
        CellValue::Number("160.5964".parse().unwrap())
    );
    // A literal that is not plain decimal is kept as its exact value.
    assert_eq!(cell("占比").raw, "100");
}

#[test]
fn unquoted_chinese_keys_are_the_same_as_quoted_ones() {
    let bare = read_under(
        national_rule_set("national-2019"),
        "bare.toml",
        "[表格.申请.一]\n自然人 = 1\n法人或其他组织.商业企业 = 2\n".as_bytes(),
    );
    let quoted = read_under(
        national_rule_set("national-2019"),
        "quoted.toml",
        "[\"表格\".\"申请\".\"一\"]\n\"自然人\" = 1\n\"法人或其他组织\".\"商业企业\" = 2\n"
            .as_bytes(),
    );
    let flat = read_under(
        national_rule_set("national-2019"),
        "flat.toml",
        "[表格.申请.一]\n自然人 = 1\n\"法人或其他组织.商业企业\" = 2\n".as_bytes(),
    );
    assert_same_cells(&bare, &quoted, true);
    assert_same_cells(&bare, &flat, true);
    let cell = bare
        .table("申请")
        .unwrap()
        .cell("一", "法人或其他组织.商业企业")
        .unwrap();
    assert_eq!(cell.value, CellValue::Number(2.into()));
}

#[test]
fn short_keys_resolve_when_they_are_unambiguous() {
    let short = read_under(
        national_rule_set("national-2019"),
        "short.toml",
        "[表格.申请.予以公开]\n商业企业 = 3\n[表格.复议诉讼表.数据]\n直诉.维持 = 4\n".as_bytes(),
    );
    assert_eq!(
        short
            .table("申请")
            .unwrap()
            .cell("三.予以公开", "法人或其他组织.商业企业")
            .map(|c| c.value.clone()),
        Some(CellValue::Number(3.into()))
    );
    assert_eq!(
        short
            .table("复议诉讼表")
            .unwrap()
            .cell("数据", "诉讼.直诉.维持")
            .map(|c| c.value.clone()),
        Some(CellValue::Number(4.into()))
    );
}

// ------------------------------------------------------------------ syntax errors and anomalies

fn fixture_name(path: &Path) -> String {
    let dir = path.parent().and_then(Path::file_name).unwrap();
    format!(
        "{}/{}",
        dir.to_string_lossy(),
        path.file_name().unwrap().to_string_lossy()
    )
}

#[test]
fn syntax_errors() {
    insta::glob!("fixtures/reports/structured/err/*", |path| {
        let name = fixture_name(path);
        let bytes = std::fs::read(path).unwrap();
        let Err(error) = load(&name, &bytes) else {
            panic!("{name} should not load")
        };
        assert!(
            matches!(error.kind, ReadErrorKind::Syntax(_)),
            "{name}: {error}"
        );
        let (source, span) = error.at.as_ref().expect("a syntax error has a place");
        assert!(span.end <= source.text().len());
        insta::assert_snapshot!(render_diagnostic(&error));
    });
}

#[test]
fn anomalies() {
    insta::glob!("fixtures/reports/structured/anomalies/*", |path| {
        let name = fixture_name(path);
        let report = read_under(
            national_rule_set("national-2019"),
            &name,
            &std::fs::read(path).unwrap(),
        );
        insta::assert_snapshot!(anomaly_lines(&report));
    });
}

// ------------------------------------------------------------------ the command

/// Runs gouji in the project directory, which the fixture paths are relative to.
fn gouji(args: &[&str], stdin: Option<&[u8]>) -> Run {
    support::gouji(Path::new(env!("CARGO_MANIFEST_DIR")), args, stdin)
}

fn extract_ok(args: &[&str], stdin: Option<&[u8]>) -> String {
    let run = gouji(args, stdin);
    run.code(0);
    run.stdout
}

/// `gouji extract` → TOML or JSON → `load` → the same cells, metadata and sections.
#[test]
fn extract_output_loads_back_as_the_same_report() {
    let cases: [(&str, &RuleSet, &[&str]); 5] = [
        (TEXT_SEED, national_rule_set("national-2019"), &[]),
        (
            "tests/fixtures/reports/structured/ok/seed-like.toml",
            national_rule_set("national-2019"),
            &[],
        ),
        (
            "tests/fixtures/reports/structured/ok/seed-like.json",
            national_rule_set("national-2019"),
            &[],
        ),
        (
            "tests/fixtures/reports/structured/ok/types.toml",
            types_rules(),
            &["--rules", "tests/fixtures/reports/structured/rules"],
        ),
        (
            "tests/fixtures/reports/structured/ok/types.json",
            types_rules(),
            &["--rules", "tests/fixtures/reports/structured/rules"],
        ),
    ];
    for (path, rules, extra) in cases {
        let original = read_path(rules, path);
        for format in ["toml", "json"] {
            let mut args = vec!["extract", path, "--format", format];
            args.extend_from_slice(extra);
            let out = extract_ok(&args, None);
            let name = format!("out.{format}");
            let reloaded = read_under(rules, &name, out.as_bytes());
            assert_same_cells(&original, &reloaded, true);
            assert_eq!(
                meta_values(&original),
                meta_values(&reloaded),
                "{path} → {format}"
            );
            let sections = |r: &Report| {
                r.sections
                    .iter()
                    .map(|s| (s.key.clone(), s.heading.clone(), s.text.clone(), s.matched))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                sections(&original),
                sections(&reloaded),
                "{path} → {format}"
            );
            assert!(
                reloaded
                    .anomalies
                    .iter()
                    .all(|a| a.kind == AnomalyKind::LabelDrift),
                "{path} → {format} read back with anomalies:\n{}",
                anomaly_lines(&reloaded)
            );
        }
    }
}

#[test]
fn extract_toml_output() {
    let out = extract_ok(
        &[
            "extract",
            "tests/fixtures/reports/structured/ok/types.json",
            "--rules",
            "tests/fixtures/reports/structured/rules",
        ],
        None,
    );
    insta::assert_snapshot!(out);
}

#[test]
fn extract_json_output() {
    let out = extract_ok(
        &[
            "extract",
            "tests/fixtures/reports/structured/ok/types.toml",
            "--ruleset",
            "tests/fixtures/reports/structured/rules/types.gouji",
            "--format",
            "json",
        ],
        None,
    );
    serde_json::from_str::<serde_json::Value>(&out).expect("the JSON output is JSON");
    insta::assert_snapshot!(out);
}

#[test]
fn extract_prints_every_cell_with_its_position() {
    let out = extract_ok(&["extract", TEXT_SEED], None);
    // The first cell of the applications table: line 46 of the text, after two tabs.
    assert!(
        out.contains("\"自然人\" = 5  # 46:19 [2277..2278]，值 5"),
        "{out}"
    );
    assert!(out.contains("\"规则集\" = \"national-2019\""));
    assert!(out.contains("\"类型\" = \"读取.多余数值\""));
    let cells = out.lines().filter(|l| l.contains("，值 ")).count();
    // 第二部分：规章文件、许可、处罚强制各 2 行 3 列，收费、采购各 1 行 2 列；
    // 第三部分：23 行 7 列；第四部分：1 行 15 列。
    let declared: usize = national_rule_set("national-2019")
        .tables
        .iter()
        .map(|t| t.leaf_rows().count() * t.leaf_columns().count())
        .sum();
    assert_eq!(declared, 3 * (2 * 3) + 2 * 2 + 23 * 7 + 15);
    assert_eq!(cells, declared, "every cell of national-2019");
}

#[test]
fn extract_reads_standard_input() {
    let toml = read_file("tests/fixtures/reports/structured/ok/seed-like.toml");
    let json = read_file("tests/fixtures/reports/structured/ok/seed-like.json");
    let text = read_file(TEXT_SEED);
    let from_file = extract_ok(&["extract", TEXT_SEED], None);
    for (bytes, kind, args) in [
        (&toml, "toml", &["extract", "-"][..]),
        (&toml, "toml", &["extract", "-", "--from", "toml"][..]),
        (&json, "json", &["extract", "-"][..]),
        (&text, "text", &["extract", "-"][..]),
    ] {
        let out = extract_ok(args, Some(bytes));
        assert!(
            out.contains(&format!("\"种类\" = \"{kind}\"")),
            "stdin as {kind}:\n{out}"
        );
        let reloaded = read_under(
            national_rule_set("national-2019"),
            "stdin.toml",
            out.as_bytes(),
        );
        let original = read_under(
            national_rule_set("national-2019"),
            "file.toml",
            from_file.as_bytes(),
        );
        assert_same_cells(&original, &reloaded, true);
    }
}

#[test]
fn extract_missing_file_exits_2() {
    let run = gouji(
        &[
            "extract",
            "tests/fixtures/reports/structured/ok/no-such-report.toml",
        ],
        None,
    );
    run.code(2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("文件不存在"), "{}", run.stderr);
}

#[test]
fn extract_syntax_error_exits_2_with_the_place() {
    let run = gouji(
        &[
            "extract",
            "tests/fixtures/reports/structured/err/json-missing-comma.json",
        ],
        None,
    );
    run.code(2);
    assert!(run.stdout.is_empty());
    let err = &run.stderr;
    assert!(err.contains("gouji::input-syntax"), "{err}");
    assert!(err.contains("json-missing-comma.json:3:3"), "{err}");
}

/// Edit distance in characters, to tell which built-in id is the closest to a typo.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitute = previous[j] + usize::from(ca != *cb);
            current.push(substitute.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[test]
fn extract_unknown_rule_set_exits_2() {
    let typo = "national-2091";
    let run = gouji(&["extract", TEXT_SEED, "--ruleset", typo], None);
    run.code(2);
    assert!(run.stdout.is_empty());
    let err = &run.stderr;
    assert!(err.contains(&format!("「{typo}」")), "{err}");
    // The suggestion is a real built-in rule set, and one of the closest to the typo
    // (national-2021 is one edit away; national-2019 two).
    let builtin = Loader::new(Vec::<PathBuf>::new()).known_ids();
    let Some((_, rest)) = err.split_once("是不是「") else {
        panic!("no suggestion in: {err}")
    };
    let suggested = rest.split_once('」').map_or(rest, |(id, _)| id);
    assert!(
        builtin.iter().any(|id| id == suggested),
        "{suggested} is not a built-in rule set ({builtin:?})"
    );
    let closest = builtin
        .iter()
        .map(|id| edit_distance(typo, id))
        .min()
        .expect("there are built-in rule sets");
    assert_eq!(
        edit_distance(typo, suggested),
        closest,
        "{suggested} is not the closest of {builtin:?}"
    );
}

#[test]
fn extract_uses_the_rule_sets_given_or_the_built_in_ones() {
    let rules = ["--rules", "tests/fixtures/reports/structured/rules"];
    let types = extract_ok(
        &[
            &["extract", "tests/fixtures/reports/structured/ok/types.json"][..],
            &rules,
        ]
        .concat(),
        None,
    );
    assert!(types.contains("\"规则集\" = \"结构化测试\""), "{types}");
    // Without --rules, the built-in national sets are the candidates.
    let seed = extract_ok(&["extract", TEXT_SEED], None);
    assert!(seed.contains("\"规则集\" = \"national-2019\""), "{seed}");
}

#[test]
fn extract_writes_the_output_file_whole() {
    let dir = support::Scratch::new("extract", "output-file");
    let target = dir.path().join("报告.toml");
    std::fs::write(&target, "旧内容").unwrap();
    let out = extract_ok(
        &["extract", TEXT_SEED, "--output", target.to_str().unwrap()],
        None,
    );
    assert!(out.is_empty());
    let written = std::fs::read_to_string(&target).unwrap();
    assert_eq!(written, extract_ok(&["extract", TEXT_SEED], None));
    assert_eq!(dir.listing().len(), 1, "no temporary file is left behind");
}

// ------------------------------------------------------------------ the JSON reader

/// Text made of JSON's own characters, so that most of it is nearly JSON.
fn jsonish() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{"),
            Just("}"),
            Just("["),
            Just("]"),
            Just(":"),
            Just(","),
            Just("\""),
            Just("\"键\""),
            Just(" "),
            Just("\n"),
            Just("0"),
            Just("12"),
            Just("-"),
            Just("."),
            Just("e"),
            Just("+"),
            Just("true"),
            Just("null"),
            Just("\\"),
            Just("\\u00e9"),
            Just("\\ud83d"),
            Just("\\n"),
            Just("x"),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    /// The span-keeping JSON reader accepts exactly what serde_json accepts (apart from
    /// repeated keys, which it refuses like TOML).
    #[test]
    fn json_reader_agrees_with_serde_json(text in jsonish()) {
        let ours = load("p.json", text.as_bytes());
        let theirs = serde_json::from_str::<serde_json::Value>(&text);
        let duplicate = matches!(&ours, Err(e) if e.to_string().contains("重复的键"));
        if !duplicate {
            prop_assert_eq!(ours.is_ok(), theirs.is_ok(), "{:?}: {:?}", text, ours.err().map(|e| e.to_string()));
        }
        if let Ok(input) = ours {
            prop_assert!(matches!(input, Input::Structured(_)));
            prop_assert_eq!(input.source().text(), text.as_str());
        }
    }
}

// ------------------------------------------------------------------ the reference

/// Every ```toml and ```json block in docs/report-format.md loads; a block that starts with
/// `# 完整示例` reads every table of national-2019 without an anomaly.
#[test]
fn report_format_examples_load() {
    let doc = String::from_utf8(read_file("docs/report-format.md")).unwrap();
    let mut blocks = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for (index, line) in doc.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(tag)) => open = Some((index + 1, tag.trim().to_owned(), String::new())),
            (Some(_), Some(rest)) if rest.trim().is_empty() => blocks.push(open.take().unwrap()),
            (Some((_, _, text)), _) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    let mut complete = 0;
    let mut loaded = 0;
    for (line, tag, text) in &blocks {
        if tag != "toml" && tag != "json" {
            continue;
        }
        let name = format!("docs/report-format.md:{line}.{tag}");
        let input = load_ok(&name, text.as_bytes());
        let kind = match &input {
            Input::Structured(s) => s.kind,
            Input::Document(_) => panic!("{name} is not read as a structured report"),
        };
        assert_eq!(
            kind,
            if tag == "toml" {
                InputKind::Toml
            } else {
                InputKind::Json
            }
        );
        loaded += 1;
        if text.starts_with("# 完整示例") {
            let (report, fit) = Extractor::new(national_rule_set("national-2019")).read(&input);
            assert!(
                report.anomalies.is_empty(),
                "{name}:\n{}",
                anomaly_lines(&report)
            );
            assert_eq!(fit.found, fit.declared, "{name}");
            complete += 1;
        }
    }
    assert!(loaded >= 8, "only {loaded} examples");
    assert_eq!(complete, 1, "the complete example");
}
