//! The built-in national rule sets (`rules/national-2019.gouji`, `rules/national-2021.gouji`),
//! tested the way policy staff will test their own: through the real pipeline (read the report,
//! choose the rule set that fits, evaluate, collect findings), on project-written reports under
//! `fixtures/reports/national/`.
//!
//! - `2019/`, `2021/`: small variations of one clean base report per format. For every check
//!   `ID` there is `ID.fail.txt`, which must yield a finding of that check (and nothing else
//!   unless [`ALSO`] says why), and `ID.pass.txt`, a near-identical report that must yield no
//!   finding at all. `ID@variant.fail.txt` / `.pass.txt` are further cases of the same check
//!   (with the parameters in [`PARAMS`]); `X.prev.txt` is last year's report for `X.txt`.
//!   Extraction problems that the rule sets deliberately leave to the reader (`读取.…`) have
//!   fixtures of the same kind.
//! - `clean*`: the clean base reports in tab text, space text, HTML and TOML; no finding at all.
//! - `2019/seed-like.txt`: laid out exactly like the seed report, quirks included.
//! - `known-issues/`: reports on which the engine is known to be wrong; their tests are
//!   ignored until the engine is fixed, and they are not snapshotted.
//!
//! Every fixture's findings are snapshotted as JSON (the `gouji_version` field redacted).

use std::collections::BTreeSet;
use std::path::Path;

use gouji::check::Checker;
use gouji::compile::Loader;
use gouji::findings::ReportFindings;

use crate::support::national_rule_sets;

const DIR: &str = "tests/fixtures/reports/national";

/// Parameters given to particular fixtures, as `--param 名=值` would.
const PARAMS: &[(&str, &[(&str, &str)])] = &[
    // A city government may make 规章: the same figures as 规章权限.fail.txt pass.
    ("2019/规章权限.pass.txt", &[("机关层级", "设区的市")]),
    // With blanks as missing values the checks that need the blank cell are not evaluated,
    // and the blank itself is still reported (with the policy in the message).
    ("2019/空白.申请@缺失.fail.txt", &[("空白策略", "缺失")]),
    // Towns have no national deadline: only the county's, given as a parameter, is checked.
    ("2019/截止@乡镇.fail.txt", &[("发布截止日期", "2021-02-28")]),
    ("2019/截止@乡镇.pass.txt", &[("发布截止日期", "2021-03-15")]),
];

/// Findings a failing fixture may show besides its own check, and why.
const ALSO: &[(&str, &[&str])] = &[
    // A pre-2019 report has 「一、概述」 where 「一、总体情况」 should be: that section is missing.
    ("2019/旧体例.fail.txt", &["章节.缺失"]),
    // The 2019 header 「本年新制作数量」 in a 2021-format table: the reader misses the 2021
    // column it expected there.
    ("2021/格式版本.fail.txt", &["读取.未找到列"]),
    // The table printed as a picture: the statements are compared with each other instead.
    ("2019/正文前后一致.申请.fail.txt", &["读取.缺少表格"]),
    ("2019/正文前后一致.复议诉讼.fail.txt", &["读取.缺少表格"]),
];

/// A fixture's path relative to [`DIR`], with `/` separators (`2019/S1.fail.txt`).
fn name_of(path: &Path) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR);
    path.strip_prefix(&dir)
        .unwrap_or(path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn load(name: &str) -> gouji::extract::Input {
    let path = Path::new(DIR).join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gouji::extract::load(name, &bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Runs the pipeline on one fixture: its parameters from [`PARAMS`], last year's report from
/// `X.prev.txt` when there is one.
fn check(name: &str) -> ReportFindings {
    let params: Vec<(String, String)> = PARAMS
        .iter()
        .filter(|(file, _)| *file == name)
        .flat_map(|(_, p)| p.iter())
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    let checker = Checker::new(national_rule_sets(), &params).expect("the parameters are declared");
    let prev_name = name
        .strip_suffix(".txt")
        .map(|stem| format!("{stem}.prev.txt"));
    let previous = prev_name
        .filter(|p| Path::new(DIR).join(p).exists())
        .map(|p| load(&p));
    checker
        .check(&load(name), previous.as_ref())
        .unwrap_or_else(|| panic!("{name}: no rule set to check it with"))
}

/// The checks that failed, related findings included.
fn rules_found(findings: &ReportFindings) -> BTreeSet<String> {
    findings.with_related().map(|f| f.rule.clone()).collect()
}

/// A one-line account of the findings, for assertion messages.
fn summary(findings: &ReportFindings) -> String {
    findings
        .with_related()
        .map(|f| format!("{}：{}", f.rule, f.message))
        .collect::<Vec<_>>()
        .join("\n  ")
}

/// Every fixture of one kind (`.fail.txt`, `.pass.txt`, …) under `2019/` and `2021/`.
fn fixtures(suffix: &str) -> Vec<String> {
    let mut names = Vec::new();
    for year in ["2019", "2021"] {
        let dir = Path::new(DIR).join(year);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            let file = entry.unwrap().file_name().to_string_lossy().into_owned();
            if file.ends_with(suffix) && !file.ends_with(".prev.txt") {
                names.push(format!("{year}/{file}"));
            }
        }
    }
    names.sort();
    names
}

/// The check a `.fail.txt` / `.pass.txt` fixture is about: its file name up to `@` or the suffix.
fn check_id(name: &str) -> &str {
    let file = name.rsplit('/').next().unwrap_or(name);
    let stem = file
        .strip_suffix(".fail.txt")
        .or_else(|| file.strip_suffix(".pass.txt"))
        .unwrap_or(file);
    stem.split('@').next().unwrap_or(stem)
}

#[test]
fn failing_fixtures_trigger_their_check() {
    let names = fixtures(".fail.txt");
    assert!(!names.is_empty());
    for name in names {
        let id = check_id(&name);
        let findings = check(&name);
        let found = rules_found(&findings);
        assert!(
            found.contains(id),
            "{name} should trigger {id}; found:\n  {}",
            summary(&findings)
        );
        let allowed: BTreeSet<&str> = ALSO
            .iter()
            .filter(|(file, _)| *file == name)
            .flat_map(|(_, also)| also.iter().copied())
            .chain([id])
            .collect();
        let unexpected: Vec<&String> = found
            .iter()
            .filter(|r| !allowed.contains(r.as_str()))
            .collect();
        assert!(
            unexpected.is_empty(),
            "{name} should trigger only {id}, also found {unexpected:?}:\n  {}",
            summary(&findings)
        );
    }
}

#[test]
fn passing_fixtures_have_no_finding() {
    let names = fixtures(".pass.txt");
    assert!(!names.is_empty());
    for name in names {
        let findings = check(&name);
        assert!(
            findings.findings.is_empty(),
            "{name} is a near-identical variant that must not trigger {} (nor anything else); found:\n  {}",
            check_id(&name),
            summary(&findings)
        );
    }
}

/// Every check of both sets has a failing and a passing fixture: the 2019 set's under `2019/`,
/// the checks the 2021 set adds under `2021/`.
#[test]
fn every_check_has_a_failing_and_a_passing_fixture() {
    let sets = national_rule_sets();
    let mut missing = Vec::new();
    for set in sets {
        let year = set.id.trim_start_matches("national-");
        for check in set.checks.iter().filter(|c| c.origin == set.id) {
            for kind in ["fail", "pass"] {
                let name = format!("{year}/{}.{kind}.txt", check.id);
                if !Path::new(DIR).join(&name).exists() {
                    missing.push(name);
                }
            }
        }
    }
    assert!(missing.is_empty(), "fixtures missing: {missing:?}");
    // And no fixture names a check that does not exist (a renamed check leaves its fixtures behind).
    let known: BTreeSet<&str> = sets
        .iter()
        .flat_map(|s| s.checks.iter().map(|c| c.id.as_str()))
        .chain(gouji::report::AnomalyKind::ALL.iter().map(|k| k.id()))
        .collect();
    for name in fixtures(".fail.txt")
        .into_iter()
        .chain(fixtures(".pass.txt"))
    {
        assert!(
            known.contains(check_id(&name)),
            "{name} is about no known check"
        );
    }
}

#[test]
fn clean_reports_have_no_finding() {
    for (name, set) in [
        ("2019/clean.txt", "national-2019"),
        ("2019/clean-spaces.txt", "national-2019"),
        ("2019/clean.html", "national-2019"),
        // Written by `gouji extract --format toml` from clean.txt: the round trip is clean too.
        ("2019/clean.toml", "national-2019"),
        ("2021/clean.txt", "national-2021"),
        ("2021/clean-spaces.txt", "national-2021"),
        ("2021/clean.html", "national-2021"),
        ("2021/clean.toml", "national-2021"),
    ] {
        let findings = check(name);
        assert_eq!(findings.rule_set, set, "{name} is read with its own format");
        assert!(
            findings.findings.is_empty(),
            "{name} is clean; found:\n  {}",
            summary(&findings)
        );
    }
}

/// A report whose tables are of the other format than its year calls for is read with the
/// format it actually uses, and that set's version check names both formats.
#[test]
fn a_report_is_read_with_the_format_it_uses() {
    for (name, set, id) in [
        ("2019/格式版本.fail.txt", "national-2019", "格式版本"),
        (
            "2021/格式版本.2021.fail.txt",
            "national-2021",
            "格式版本.2021",
        ),
    ] {
        let findings = check(name);
        assert_eq!(findings.rule_set, set, "{name}");
        let finding = findings
            .findings
            .iter()
            .find(|f| f.rule == id)
            .unwrap_or_else(|| panic!("{name}: no {id} finding"));
        assert!(
            finding.message.contains("2019 年版格式") && finding.message.contains("2021 年版格式"),
            "{name}: the message names the format found and the one expected: {}",
            finding.message
        );
    }
}

/// The seed report's layout, quirks included: a town that received no applications, rows
/// （六）（七）and 四 with eight values for seven columns, half-width brackets and spaces in the
/// row labels (`(一) 予以公开`, `1. 属于国家秘密`), a row label that lost its indentation
/// (`5. 要求行政机关确认…`), 「2. 其他法律法规禁止公开」 for 「其他法律行政法规禁止公开」, and the law
/// misnamed in the prose. It deserves exactly:
/// - 条例名称 (error): 《中华人民共和国政务信息公开条例》 is not the name of the law;
/// - 读取.标签偏差 (warning): 「其他法律法规禁止公开」 drops 「行政」 from the format's label;
/// - 读取.多余数值 ×3 (warning): the three rows with an eighth value, which is not counted.
///
/// And nothing else: half-width brackets and spaces are not drift; the prose says no
/// application was received and no review or litigation happened, which the zero tables
/// confirm; 「2021年我镇将…」 in section 五 is next year's plan, not a stale year; a town's
/// 规章 row is 0; the report states no publication date, so the deadline is not checked.
#[test]
fn seed_like_report_gets_the_findings_it_deserves() {
    let findings = check("2019/seed-like.txt");
    assert_eq!(findings.rule_set, "national-2019");
    let rules: Vec<&str> = findings.findings.iter().map(|f| f.rule.as_str()).collect();
    assert_eq!(
        rules,
        [
            "条例名称",
            "读取.标签偏差",
            "读取.多余数值",
            "读取.多余数值",
            "读取.多余数值"
        ],
        "\n  {}",
        summary(&findings)
    );
}

/// JSON findings of every fixture (the version of gouji redacted).
#[test]
fn findings_snapshots() {
    insta::glob!("fixtures/reports/national/20*/*", |path| {
        let name = name_of(path);
        if name.ends_with(".prev.txt") {
            return;
        }
        let json = gouji::render::json::render(&[check(&name)]).replace(
            &format!("\"gouji_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
            "\"gouji_version\": \"[version]\"",
        );
        insta::assert_snapshot!(json);
    });
}

/// The same findings as people see them: the report's lines with the cells underlined, the
/// message, the formula (rule-file line numbers redacted, as they move when rules are edited).
#[test]
fn human_findings_snapshots() {
    let rule_line = regex::Regex::new(r"规则：(\S+\.gouji):\d+").expect("a valid pattern");
    insta::glob!("fixtures/reports/national/20*/*", |path| {
        let name = name_of(path);
        if name.ends_with(".prev.txt") {
            return;
        }
        let style = gouji::render::human::Style {
            colour: false,
            width: 100,
            verbose: true,
        };
        let text = gouji::render::human::render(&[check(&name)], style);
        insta::assert_snapshot!(rule_line.replace_all(&text, "规则：$1:[line]").into_owned());
    });
}

/// The extractor reports a table printed with every cell empty as missing: a row whose cells
/// are all empty is never matched, so no row of the table is found. formats.md §6 names
/// "tables present but every cell empty" as its own defect, which 读取.空白表格 exists for.
#[test]
fn a_table_with_every_cell_blank_is_reported_as_blank() {
    let checker = Checker::new(national_rule_sets(), &[]).expect("no parameters");
    let name = "known-issues/整表空白.txt";
    let findings = checker.check(&load(name), None).expect("a rule set fits");
    let found = rules_found(&findings);
    assert!(
        found.contains("读取.空白表格") && !found.contains("读取.缺少表格"),
        "{name}:\n  {}",
        summary(&findings)
    );
}

/// The provincial example of docs/adapting-rules.md: its extra row is read, its own check
/// fires, the inherited checks still apply to the new row, and its clean case is clean.
#[test]
fn provincial_example_adapts_the_national_set() {
    let compiled =
        Loader::new(Vec::new()).compile_file(Path::new("rules/examples/hubei-2019.gouji"));
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    let rule_sets = vec![compiled.rule_set.expect("the example compiles")];
    let checker = Checker::new(&rule_sets, &[]).expect("no parameters");
    let check = |case: &str| {
        let path = format!("rules/examples/tests/hubei-2019/{case}.txt");
        let input = gouji::extract::load(&path, &std::fs::read(&path).unwrap()).unwrap();
        checker
            .check(&input, None)
            .expect("the example set reads the case")
    };
    let clean = check("正常");
    assert!(clean.findings.is_empty(), "{}", summary(&clean));
    let other = check("其他文件");
    assert_eq!(
        rules_found(&other),
        BTreeSet::from(["公开总数".to_owned(), "湖北.其他文件".to_owned()])
    );
    // 停用 and 覆盖 took effect.
    assert!(rule_sets[0].check("文号残缺").is_none());
    assert_eq!(
        rule_sets[0].check("年份沿用").map(|c| c.severity),
        Some(gouji::ruleset::Severity::Info)
    );
}

/// Pairing years reads only the lines a title can be on (`load_title`), and finds the agency
/// and year that reading the whole head finds: a title on one line or over three, after blank
/// lines, one that does not end in 报告, and text with page breaks (read whole).
#[test]
fn the_title_read_for_pairing_is_the_title_of_the_whole_text() {
    let checker = Checker::new(national_rule_sets(), &[]).expect("no parameters");
    let clean = std::fs::read_to_string("tests/fixtures/cli/clean.txt").expect("fixture");
    let body = clean.split_once('\n').expect("a title line").1;
    let texts = [
        clean.clone(),
        format!("\n\n  \u{3000}\n甲县人民政府\n2021年政府信息公开\n工作年度报告\n{body}"),
        format!("甲县人民政府\n2021年政府信息公开工作\n年度报\n告\n{body}"),
        format!("乙镇2020年政府信息公开工作年度报告（摘要）\n丙县\n{body}"),
        format!("\n丁局\n\n2019年度政府信息公开工作年度报告\n{body}"),
        format!("甲县2021年政府信息公开工作年度报告\n\u{c}第2页\n{body}"),
        "甲县2021年政府信息公开工作年度报告\n".to_owned(),
    ];
    for text in &texts {
        let whole = gouji::extract::load("report.txt", text.as_bytes()).expect("loads");
        let title = gouji::extract::load_title("report.txt", text.as_bytes()).expect("loads");
        assert_eq!(
            checker.agency_and_year(&title),
            checker.agency_and_year(&whole),
            "{}",
            &text[..text.len().min(120)]
        );
    }
    // The pieces of the title are found, and the report's body is not laid out.
    let title = gouji::extract::load_title("report.txt", texts[1].as_bytes()).expect("loads");
    assert_eq!(
        checker.agency_and_year(&title),
        Some(("甲县人民政府".to_owned(), 2021))
    );
    let gouji::extract::Input::Document(document) = &title else {
        panic!("a text report is a document")
    };
    assert!(document.lines.len() <= 8, "{} lines", document.lines.len());
}

/// The patterns a set applies to the whole text are matched together in one pass, and a check
/// comes out as it would with each pattern run on its own: a pattern that matches is run
/// again for its groups, one that does not is not found.
#[test]
fn whole_text_patterns_are_matched_together() {
    let rules = r#"规则集 整文

检查 甲 错误 {
  令 m = 捕获(全文, /(?P<词>甲\d+)/)
  断言 m.词 = 无
  消息 "有{m.词}"
}

检查 乙 错误 {
  令 m = 捕获(全文, /(?P<词>乙\d+)/)
  断言 m.词 = 无
  消息 "有{m.词}"
}

检查 丙 错误 {
  断言 全文 不匹配 /丙\d+/
  消息 "有丙"
}

检查 丁 错误 {
  断言 全文 不匹配 /丁\d+/
  消息 "有丁"
}

检查 标题 错误 {
  断言 报告.标题 不匹配 /报告/
  消息 "标题"
}
"#;
    let compiled = Loader::new(Vec::new()).compile_text("whole-text.gouji", rules);
    assert!(
        compiled.diagnostics.is_empty(),
        "{:?}",
        compiled.diagnostics
    );
    let rule_set = compiled.rule_set.expect("compiles");
    // The title's pattern is not applied to the whole text.
    assert_eq!(
        rule_set.whole_text.sources(),
        [r"(?P<词>甲\d+)", r"(?P<词>乙\d+)", r"丙\d+", r"丁\d+"]
    );
    let text = "某县2021年政府信息公开工作年度报告\n正文写了甲12，也写了丁3。\n";
    let input = gouji::extract::load("report.txt", text.as_bytes()).expect("loads");
    let (report, _) = gouji::extract::Extractor::new(&rule_set).read(&input);
    let params = gouji::eval::ParamValues::new(&rule_set, &[]).expect("no parameters");
    let outcomes: Vec<(&str, String)> = gouji::eval::evaluate(&rule_set, &report, None, &params)
        .iter()
        .map(|r| {
            let outcome = match &r.outcome {
                gouji::eval::Outcome::Pass => "通过".to_owned(),
                gouji::eval::Outcome::Fail(failure) => failure.message.clone(),
                gouji::eval::Outcome::NotEvaluated(reason) => reason.clone(),
            };
            (rule_set.checks[r.check].id.as_str(), outcome)
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            ("甲", "有甲12".to_owned()),
            ("乙", "通过".to_owned()),
            ("丙", "通过".to_owned()),
            ("丁", "有丁".to_owned()),
            ("标题", "标题".to_owned()),
        ]
    );
    // The national set's four whole-text patterns: 2021 版用语 (in a check of later reports),
    // 条例名称, 文号残缺, 占位符.
    let national = &crate::support::national_rule_set("national-2019").whole_text;
    assert_eq!(national.sources().len(), 4, "{:?}", national.sources());
}

/// In a batch, each report is paired with the same agency's report for the year before.
#[test]
fn consecutive_years_of_one_agency_are_paired() {
    let key = |agency: &str, year| Some((agency.to_owned(), year));
    let keys = [
        key("甲镇", 2021),
        key("乙镇", 2021),
        key("甲镇", 2020),
        None,
        key("甲镇", 2019),
    ];
    assert_eq!(
        gouji::check::pair_consecutive_years(&keys),
        [Some(2), None, Some(4), None, None]
    );
}
