//! Waivers and baselines (`gouji baseline`, `gouji check --waivers`), through the real binary.
//!
//! The reports are the command-line fixtures (`tests/fixtures/cli/`), copied into a fresh
//! directory; three of them are made into reports of three different agencies by renaming the
//! township in the copy (a waiver names a report by its agency and year):
//! - `大口镇.txt` (`s1.txt`): the S1 balance fails in the 自然人 and 总计 columns;
//! - `小河镇.txt` (`s1.txt` renamed): the same two findings;
//! - `石桥镇.txt` (`warning.txt` renamed): one warning, a non-standard row label (a sentence);
//! - `clean.txt`: nothing to waive.

use serde_json::Value;

use crate::support::{Run, Scratch};

/// The register written in every test.
const REGISTER: &str = "豁免.toml";

fn fixture(name: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(crate::support::FIXTURES).join(name)).unwrap()
}

/// A directory `reports/` of the four reports described above.
fn reports(name: &str) -> Scratch {
    let dir = Scratch::new("waivers", name);
    dir.write("reports/大口镇.txt", fixture("s1.txt"));
    dir.write(
        "reports/小河镇.txt",
        fixture("s1.txt").replace("大口镇", "小河镇"),
    );
    dir.write(
        "reports/石桥镇.txt",
        fixture("warning.txt").replace("大口镇", "石桥镇"),
    );
    dir.write("reports/clean.txt", fixture("clean.txt"));
    dir
}

fn read(dir: &Scratch, name: &str) -> String {
    std::fs::read_to_string(dir.path().join(name)).unwrap()
}

/// The findings of each report of a JSON run, as `path: rule(c=…)` lines, sorted.
fn findings(run: &Run, field: &str) -> Vec<String> {
    let json = run.json();
    let mut out = Vec::new();
    for report in json["reports"].as_array().unwrap() {
        for f in report[field].as_array().into_iter().flatten() {
            let bindings: Vec<String> = f["bindings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| {
                    format!(
                        "{}={}",
                        b["name"].as_str().unwrap(),
                        b["value"].as_str().unwrap()
                    )
                })
                .collect();
            out.push(format!(
                "{}: {}({})",
                report["path"].as_str().unwrap(),
                f["rule"].as_str().unwrap(),
                bindings.join(",")
            ));
        }
    }
    out.sort();
    out
}

/// The lapsed waivers of a JSON run, as `path: rule: reason`.
fn lapsed(run: &Run) -> Vec<String> {
    let json = run.json();
    let mut out = Vec::new();
    for report in json["reports"].as_array().unwrap() {
        for l in report["lapsed_waivers"].as_array().into_iter().flatten() {
            out.push(format!(
                "{}: {}: {}",
                report["path"].as_str().unwrap(),
                l["rule"].as_str().unwrap(),
                l["reason"].as_str().unwrap()
            ));
        }
    }
    out
}

fn baseline(dir: &Scratch, extra: &[&str]) -> Run {
    let mut args = vec![
        "baseline",
        "reports",
        "-o",
        REGISTER,
        "--by",
        "张三",
        "--reason",
        "2020 年度报告已发布，无法重新发布",
    ];
    args.extend_from_slice(extra);
    let run = dir.run(&args);
    run.code(0);
    run
}

fn check_json(dir: &Scratch, extra: &[&str]) -> Run {
    let mut args = vec![
        "check",
        "reports",
        "--format",
        "json",
        "--waivers",
        REGISTER,
    ];
    args.extend_from_slice(extra);
    dir.run(&args)
}

const ALL_FINDINGS: [&str; 5] = [
    "reports/大口镇.txt: S1(c=总计)",
    "reports/大口镇.txt: S1(c=自然人)",
    "reports/小河镇.txt: S1(c=总计)",
    "reports/小河镇.txt: S1(c=自然人)",
    "reports/石桥镇.txt: 读取.标签偏差()",
];

#[test]
fn baseline_then_check_exits_0_and_a_changed_cell_brings_back_that_reports_finding() {
    let dir = reports("changed-cell");
    let without = dir.run(&["check", "reports", "--format", "json"]);
    without.code(1);
    assert_eq!(findings(&without, "findings"), ALL_FINDINGS);

    let run = baseline(&dir, &[]);
    assert!(run.stderr.contains("新登记 5 条"), "{}", run.stderr);

    let waived = check_json(&dir, &[]);
    waived.code(0);
    assert!(findings(&waived, "findings").is_empty());
    assert_eq!(findings(&waived, "waived"), ALL_FINDINGS);
    assert_eq!(waived.json()["summary"]["waived"], 5);
    assert!(waived.stderr.is_empty(), "{}", waived.stderr);
    let first = &waived.json()["reports"][1]["waived"][0];
    assert_eq!(
        first["waiver"]["reason"],
        "2020 年度报告已发布，无法重新发布"
    );
    assert_eq!(first["waiver"]["by"], "张三");

    // The human output counts them; -v lists each with its reason.
    let human = dir.run(&["check", "reports", "--waivers", REGISTER]);
    human.code(0);
    assert!(human.stdout.contains("已豁免 5 项"), "{}", human.stdout);
    assert!(!human.stdout.contains("理由"), "{}", human.stdout);
    let verbose = dir.run(&["check", "reports", "--waivers", REGISTER, "-v"]);
    assert!(
        verbose.stdout.contains("已豁免的问题："),
        "{}",
        verbose.stdout
    );
    assert_eq!(
        verbose
            .stdout
            .matches("理由：2020 年度报告已发布，无法重新发布；登记人 张三〔豁免.toml:")
            .count(),
        5,
        "{}",
        verbose.stdout
    );

    // One cell of 小河镇's report changes (上年结转, 自然人: 2 → 3).
    let changed = fixture("s1.txt").replace("大口镇", "小河镇").replace(
        "上年结转政府信息公开申请数量\t\t2\t",
        "上年结转政府信息公开申请数量\t\t3\t",
    );
    assert_ne!(changed, fixture("s1.txt").replace("大口镇", "小河镇"));
    dir.write("reports/小河镇.txt", changed);
    let run = check_json(&dir, &[]);
    run.code(1);
    let shown = findings(&run, "findings");
    assert!(
        shown.iter().all(|f| f.starts_with("reports/小河镇.txt")),
        "only the changed report has findings: {shown:?}"
    );
    assert!(
        shown.contains(&"reports/小河镇.txt: S1(c=自然人)".to_owned()),
        "{shown:?}"
    );
    let why = lapsed(&run);
    assert!(
        why.iter()
            .any(|l| l.starts_with("reports/小河镇.txt: S1: 所涉单元格的值变了（登记时指纹 ")),
        "{why:?}"
    );
    assert!(
        why.iter().all(|l| l.starts_with("reports/小河镇.txt")),
        "{why:?}"
    );
    // The other reports stay waived.
    let still: Vec<String> = findings(&run, "waived");
    assert!(
        still.contains(&"reports/大口镇.txt: S1(c=自然人)".to_owned()),
        "{still:?}"
    );
    assert!(
        still.contains(&"reports/石桥镇.txt: 读取.标签偏差()".to_owned()),
        "{still:?}"
    );
}

#[test]
fn a_register_written_with_expires_in_the_past_waives_nothing() {
    let dir = reports("expired");
    baseline(&dir, &["--expires", "2000-01-01"]);
    assert!(read(&dir, REGISTER).contains("到期 = 2000-01-01\n"));
    let run = check_json(&dir, &[]);
    run.code(1);
    assert_eq!(findings(&run, "findings"), ALL_FINDINGS);
    assert!(findings(&run, "waived").is_empty());
    let why = lapsed(&run);
    assert_eq!(why.len(), 5, "{why:?}");
    assert!(
        why.iter().all(|l| l.ends_with("豁免已于 2000-01-01 到期")),
        "{why:?}"
    );

    // A date still to come waives them.
    let dir = reports("not-expired");
    baseline(&dir, &["--expires", "2999-12-31"]);
    check_json(&dir, &[]).code(0);
}

#[test]
fn changing_the_message_keeps_waivers_and_changing_the_assertion_does_not() {
    let dir = reports("rule-version");
    let rules = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/rules/national-2019.gouji"
    ))
    .unwrap();
    dir.write("national-2019.gouji", &rules);
    baseline(&dir, &["--rules", "national-2019.gouji"]);
    let check = || check_json(&dir, &["--rules", "national-2019.gouji"]);
    check().code(0);

    let message = "消息 \"「{c}」列：本年新收与上年结转之和（{左}）";
    assert!(rules.contains(message));
    let reworded = rules.replace(message, "消息 \"「{c}」列：新收加结转（{左}）");
    dir.write("national-2019.gouji", &reworded);
    let run = check();
    run.code(0);
    assert!(
        run.json()["reports"][1]["waived"][0]["message"]
            .as_str()
            .unwrap()
            .contains("新收加结转"),
        "the new message is shown for the waived finding"
    );

    let assertion = "断言 对每 列 c：一[c] + 二[c] = 三.总计[c] + 四[c]";
    assert!(rules.contains(assertion));
    let changed = reworded.replace(
        assertion,
        "断言 对每 列 c：二[c] + 一[c] = 三.总计[c] + 四[c]",
    );
    dir.write("national-2019.gouji", &changed);
    let run = check();
    run.code(1);
    assert_eq!(
        findings(&run, "findings"),
        ALL_FINDINGS[..4],
        "the S1 findings are back; the label warning (no check of the rule file) stays waived"
    );
    let why = lapsed(&run);
    assert_eq!(why.len(), 4, "{why:?}");
    assert!(
        why.iter()
            .all(|l| l.contains("S1: 规则「S1」的检查内容改了")),
        "{why:?}"
    );
}

#[test]
fn stale_waivers_are_warned_about_and_pruned() {
    let dir = reports("stale");
    baseline(&dir, &[]);
    // 大口镇's report is corrected: its two S1 waivers match nothing any more.
    dir.write("reports/大口镇.txt", fixture("clean.txt"));
    let run = dir.run(&["check", "reports", "--waivers", REGISTER]);
    run.code(0);
    assert_eq!(
        run.stderr.matches("不再对应任何问题，可以删除").count(),
        2,
        "{}",
        run.stderr
    );
    // Checking another report alone says nothing about 大口镇's waivers.
    let alone = dir.run(&["check", "reports/小河镇.txt", "--waivers", REGISTER]);
    alone.code(0);
    assert!(alone.stderr.is_empty(), "{}", alone.stderr);

    // Without --prune the entries stay; with it they go, and the others keep their reasons.
    let before = read(&dir, REGISTER);
    let kept = dir.run(&["baseline", "reports", "-o", REGISTER]);
    kept.code(0);
    assert_eq!(read(&dir, REGISTER), before);
    let pruned = dir.run(&["baseline", "reports", "-o", REGISTER, "--prune"]);
    pruned.code(0);
    assert!(pruned.stderr.contains("删除 2 条"), "{}", pruned.stderr);
    let after = read(&dir, REGISTER);
    assert_eq!(after.matches("\n[[豁免]]\n").count(), 3, "{after}");
    assert!(!after.contains("大口镇人民政府"), "{after}");
    assert_eq!(
        after
            .matches("理由 = \"2020 年度报告已发布，无法重新发布\"")
            .count(),
        3
    );
}

#[test]
fn baseline_keeps_hand_edited_reasons_and_adds_only_new_findings() {
    let dir = reports("update");
    dir.write("reports/小河镇.txt", fixture("clean.txt"));
    baseline(&dir, &[]);
    let edited = read(&dir, REGISTER).replace(
        "理由 = \"2020 年度报告已发布，无法重新发布\"\n登记人 = \"张三\"\n\n[[豁免]]\n规则 = \"S1\"\n规则集 = \"national-2019\"",
        "理由 = \"已与该镇核实\"\n登记人 = \"李四\"\n\n[[豁免]]\n规则 = \"S1\"\n规则集 = \"national-2019\"",
    );
    assert!(edited.contains("已与该镇核实"));
    dir.write(REGISTER, &edited);
    dir.write(
        "reports/小河镇.txt",
        fixture("s1.txt").replace("大口镇", "小河镇"),
    );
    let run = dir.run(&["baseline", "reports", "-o", REGISTER]);
    run.code(0);
    assert!(
        run.stderr.contains("新登记 2 条，保留 3 条"),
        "{}",
        run.stderr
    );
    let after = read(&dir, REGISTER);
    assert!(
        after.contains("理由 = \"已与该镇核实\"\n登记人 = \"李四\""),
        "{after}"
    );
    assert_eq!(after.matches("\n[[豁免]]\n").count(), 5);
    // Without --reason, a new waiver says it has not been reviewed.
    assert_eq!(
        after.matches("建立基线时已有的问题，尚待审阅").count(),
        2,
        "{after}"
    );
    check_json(&dir, &[]).code(0);
}

#[test]
fn the_register_file_snapshot() {
    let dir = reports("snapshot");
    baseline(&dir, &["--expires", "2027-06-30"]);
    let register = read(&dir, REGISTER);
    insta::assert_snapshot!("register", register);
    // Writing it again from the same findings gives the same file.
    let again = dir.run(&["baseline", "reports", "-o", REGISTER, "--prune"]);
    again.code(0);
    assert_eq!(read(&dir, REGISTER), register);
}

#[test]
fn reports_without_agency_and_year_are_named_by_their_path() {
    let dir = Scratch::new("waivers", "by-path");
    let unnamed = fixture("s1.txt")
        .replace("大口镇人民政府", "")
        .replace("2020年", "");
    dir.write("reports/无名.txt", &unnamed);
    baseline(&dir, &[]);
    let register = read(&dir, REGISTER);
    assert!(
        register.contains("报告 = { 文件 = \"reports/无名.txt\" }"),
        "{register}"
    );
    check_json(&dir, &[]).code(0);
}

#[test]
fn sarif_and_junit_mark_waived_findings() {
    let dir = reports("formats");
    baseline(&dir, &[]);
    let sarif = dir.run(&[
        "check",
        "reports",
        "--format",
        "sarif",
        "--waivers",
        REGISTER,
    ]);
    sarif.code(0);
    let log: Value = serde_json::from_str(&sarif.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for r in results {
        assert_eq!(r["suppressions"][0]["kind"], "external", "{r:#}");
        assert_eq!(r["suppressions"][0]["status"], "accepted");
        assert_eq!(
            r["suppressions"][0]["justification"],
            "2020 年度报告已发布，无法重新发布"
        );
    }
    let junit = dir.run(&[
        "check",
        "reports",
        "--format",
        "junit",
        "--waivers",
        REGISTER,
    ]);
    junit.code(0);
    assert!(!junit.stdout.contains("<failure"), "{}", junit.stdout);
    assert_eq!(
        junit
            .stdout
            .matches("<skipped message=\"已豁免：2020 年度报告已发布，无法重新发布\">")
            .count(),
        3,
        "S1 in two reports and 读取 in one:\n{}",
        junit.stdout
    );
    assert_eq!(junit.stdout.matches("<property name=\"waived\"").count(), 3);
}

/// In GitHub annotations a waived finding is no error or warning: each report with waived
/// findings has one notice titled 已豁免 that names them with the reason.
#[test]
fn github_annotations_put_waived_findings_in_one_notice_per_report() {
    let dir = reports("github");
    let without = dir.run(&["check", "reports", "--format", "github"]);
    without.code(1);
    assert!(without.stdout.contains("::error "), "{}", without.stdout);
    baseline(&dir, &[]);
    let run = dir.run(&[
        "check",
        "reports",
        "--format",
        "github",
        "--waivers",
        REGISTER,
    ]);
    run.code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines
            .iter()
            .all(|l| !l.starts_with("::error") && !l.starts_with("::warning")),
        "{}",
        run.stdout
    );
    let notices: Vec<&&str> = lines
        .iter()
        .filter(|l| l.starts_with("::notice ") && l.contains(",title=已豁免::"))
        .collect();
    assert_eq!(
        notices.len(),
        3,
        "one per report with findings:\n{}",
        run.stdout
    );
    for notice in notices {
        assert!(
            notice.contains("理由：2020 年度报告已发布，无法重新发布"),
            "{notice}"
        );
        assert!(notice.contains(&format!("{REGISTER}:")), "{notice}");
    }
}

#[test]
fn gouji_toml_names_the_register() {
    let dir = reports("config");
    baseline(&dir, &[]);
    dir.write("gouji.toml", format!("waivers = \"{REGISTER}\"\n"));
    let run = dir.run(&["check", "reports"]);
    run.code(0);
    assert!(run.stdout.contains("已豁免 5 项"), "{}", run.stdout);
    // The register is never overwritten by the output.
    let clobber = dir.run(&["check", "reports", "-o", REGISTER]);
    clobber.code(2);
    assert!(read(&dir, REGISTER).contains("[[豁免]]"));
}

#[test]
fn a_malformed_register_is_an_error_with_its_line_and_column() {
    let dir = reports("malformed");
    baseline(&dir, &[]);
    let good = read(&dir, REGISTER);
    let cases = [
        ("理由 = \"2020", "理由 = 2020 \"", "TOML 语法错误"),
        ("理由 = ", "依据 = ", "未知的键「依据」"),
        (
            "报告 = { 机关",
            "报告 = { 机构",
            "「报告」里未知的键「机构」（是不是「机关」？）",
        ),
        (
            "指纹 = ",
            "指纹 = 12\n#",
            "「指纹」应是用引号括起的文字，这里是数",
        ),
    ];
    let place = regex::Regex::new(r"╭─\[豁免\.toml:\d+:\d+\]").unwrap();
    for (from, to, message) in cases {
        let broken = good.replacen(from, to, 1);
        assert_ne!(broken, good, "{from}");
        dir.write(REGISTER, &broken);
        let run = dir.run(&["check", "reports", "--waivers", REGISTER]);
        run.code(2);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
        assert!(
            run.stderr.contains(message),
            "«{message}» in:\n{}",
            run.stderr
        );
        assert!(
            place.is_match(&run.stderr),
            "line and column:\n{}",
            run.stderr
        );
    }
    // A waiver without a reason, and a date that is not one.
    dir.write(
        REGISTER,
        "[[豁免]]\n规则 = \"S1\"\n规则集 = \"national-2019\"\n报告 = { 文件 = \"a.txt\" }\n指纹 = \"abc\"\n理由 = \"\"\n\n[[豁免]]\n",
    );
    let run = dir.run(&["check", "reports", "--waivers", REGISTER]);
    run.code(2);
    insta::assert_snapshot!("register_without_reason", run.stderr);
    dir.write(
        REGISTER,
        "[[豁免]]\n规则 = \"S1\"\n规则集 = \"national-2019\"\n报告 = { 文件 = \"a.txt\" }\n指纹 = \"abc\"\n理由 = \"已核实\"\n到期 = \"明年\"\n",
    );
    let run = dir.run(&["check", "reports", "--waivers", REGISTER]);
    run.code(2);
    insta::assert_snapshot!("register_bad_date", run.stderr);
    // A register that does not exist is an error, not an empty register.
    let run = dir.run(&["check", "reports", "--waivers", "没有这个文件.toml"]);
    run.code(2);
    assert!(run.stderr.contains("文件不存在"), "{}", run.stderr);
}

#[test]
fn the_register_in_docs_waivers_md_reads() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/waivers.md"))
        .expect("docs/waivers.md exists");
    let block = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .expect("docs/waivers.md has a ```toml register");
    let register = gouji::waivers::parse(&gouji::source::SourceFile::new("docs", block))
        .unwrap_or_else(|e| panic!("the register of docs/waivers.md: {e}"));
    assert_eq!(register.entries.len(), 2);
    assert_eq!(
        register.entries[0].bindings,
        [("c".to_owned(), "自然人".to_owned())]
    );
    assert_eq!(register.entries[0].line, Some(1));
    assert_eq!(register.entries[1].line, Some(18));
    assert_eq!(
        register.entries[1].report,
        gouji::waivers::ReportKey::File("往年报告/石桥镇2020.txt".to_owned())
    );
}
