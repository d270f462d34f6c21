//! Hostile inputs (issue 13): whatever a report, a rule file or the file system holds, gouji
//! exits 0, 1 or 2 with a message, quickly, and loses nothing; a bug (exit 3) costs only the
//! report it was met in.
//!
//! Reports are made from `tests/fixtures/cli/clean.txt` by replacing cells; rule files are in
//! `tests/fixtures/hostile/` or generated here (too large or too repetitive to keep).

use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;

use crate::support::{FIXTURES, Scratch};

const HOSTILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/hostile");

/// The largest number exact decimal arithmetic holds (2⁹⁶ − 1).
const DECIMAL_MAX: &str = "79228162514264337593543950335";

/// `clean.txt` with some cells of the row that starts with `label` replaced; `cells` are
/// (index among the tab-separated fields, new text).
fn clean_with(label: &str, cells: &[(usize, &str)]) -> String {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("clean.txt")).unwrap();
    let mut replaced = false;
    let lines: Vec<String> = text
        .split('\n')
        .map(|line| {
            if !line.starts_with(label) {
                return line.to_owned();
            }
            replaced = true;
            let mut fields: Vec<&str> = line.split('\t').collect();
            for &(i, value) in cells {
                fields[i] = value;
            }
            fields.join("\t")
        })
        .collect();
    assert!(replaced, "no row {label} in clean.txt");
    lines.join("\n")
}

fn rules_of(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

fn reasons_of<'a>(report: &'a Value, rule: &str) -> Vec<&'a str> {
    report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["rule"] == rule)
        .map(|n| n["reason"].as_str().unwrap())
        .collect()
}

// ───────────────────────────────────────────────────────────────────────────── arithmetic

#[test]
fn a_number_too_large_for_exact_arithmetic_is_a_reading_warning_not_a_panic() {
    let dir = Scratch::new("hostile", "overflow-cells").with(&["clean.txt"]);
    // Summed by the row total, these two would overflow.
    dir.write(
        "huge.txt",
        clean_with("一、本年新收", &[(2, DECIMAL_MAX), (3, DECIMAL_MAX)]),
    );
    let run = dir.run(&["check", "--format", "json", "huge.txt", "clean.txt"]);
    run.code(1);
    let document = run.json();
    let reports = document["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2, "both reports have their result");
    let huge = &reports[0];
    assert_eq!(huge["path"], "huge.txt");
    assert_eq!(rules_of(huge), ["读取.无效数值", "读取.无效数值"]);
    assert!(
        huge["findings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("太大，无法精确计算"),
        "{:#}",
        huge["findings"][0]
    );
    assert_eq!(reports[1]["path"], "clean.txt");
    assert_eq!(rules_of(&reports[1]), Vec::<&str>::new());
}

#[test]
fn overflowing_arithmetic_in_a_rule_leaves_the_check_not_evaluated() {
    let dir = Scratch::new("hostile", "overflow-rules");
    std::fs::copy(
        Path::new(HOSTILE).join("overflow.gouji"),
        dir.path().join("overflow.gouji"),
    )
    .unwrap();
    // Large cells, but below the reading limit: the tolerance multiplies them.
    let big = "100000000000000000";
    dir.write("big.txt", clean_with("一、本年新收", &[(2, big), (9, big)]));
    dir.run(&["rules", "check", "overflow.gouji"]).code(0);
    let run = dir.run(&[
        "check",
        "--rules",
        "overflow.gouji",
        "--format",
        "json",
        "big.txt",
    ]);
    run.code(0);
    let report = &run.json()["reports"][0];
    for rule in ["新收", "各数", "相加"] {
        assert_eq!(
            reasons_of(report, rule),
            ["数值超出范围"],
            "{rule}: {report:#}"
        );
    }
}

// ───────────────────────────────────────────────────────────────────────────── inputs

#[test]
fn standard_input_is_kept_when_other_paths_are_given() {
    let dir = Scratch::new("hostile", "stdin-and-file").with(&["clean.txt", "s1.txt"]);
    let s1 = std::fs::read(Path::new(FIXTURES).join("s1.txt")).unwrap();
    let run = dir.run_with_stdin(&["check", "--format", "json", "-", "clean.txt"], &s1);
    run.code(1);
    let document = run.json();
    let reports = document["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2, "{}", run.stderr);
    assert_eq!(reports[0]["path"], "<stdin>");
    assert!(rules_of(&reports[0]).contains(&"S1"), "{:#}", reports[0]);
    assert_eq!(reports[1]["path"], "clean.txt");
}

#[cfg(unix)]
#[test]
fn devices_and_pipes_are_refused_and_the_rest_of_the_batch_is_checked() {
    let dir = Scratch::new("hostile", "devices").with(&["clean.txt"]);
    let started = std::time::Instant::now();
    let run = dir.run(&["check", "--format", "json", "/dev/zero", "clean.txt"]);
    run.code(2);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "/dev/zero was read for {:?}",
        started.elapsed()
    );
    assert!(
        run.stderr.contains("无法读取「/dev/zero」：不是普通文件"),
        "{}",
        run.stderr
    );
    assert_eq!(run.json()["reports"][0]["path"], "clean.txt");

    let fifo = dir.path().join("pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    // Nothing ever writes to the pipe: reading it would block forever.
    let run = dir.run(&["check", "pipe.txt"]);
    run.code(2);
    assert!(run.stderr.contains("不是普通文件"), "{}", run.stderr);
}

// ───────────────────────────────────────────────────────────────────────────── depth

/// `broken.gouji` with its check comparing 一[总计] to a sum of `terms` cells written with `+`.
fn rule_file_with_a_sum_of(terms: usize) -> String {
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("broken.gouji")).unwrap();
    let sum = vec!["一[自然人]"; terms].join(" + ");
    let replaced = text.replace(
        "断言 一[总计] >= 一[自燃人]",
        &format!("断言 一[总计] >= {sum}"),
    );
    assert_ne!(replaced, text);
    replaced
}

#[test]
fn a_sum_of_thousands_of_terms_is_a_rule_file_error_not_a_stack_overflow() {
    let dir = Scratch::new("hostile", "deep-sum").with(&["clean.txt"]);
    for terms in [3_500, 100_000] {
        dir.write("deep.gouji", rule_file_with_a_sum_of(terms));
        let lint = dir.run(&["rules", "check", "deep.gouji"]);
        lint.code(2);
        assert!(
            lint.stderr
                .contains("表达式太复杂：超过 200 层运算（连加、连乘的每一项都算一层）"),
            "{terms}: {}",
            lint.stderr
        );
        // At the first operator past the limit (`>=` is the first): the 200th `+`, after
        // `  断言 一[总计] >= ` (15 columns) and 200 terms `一[自然人] + ` of 9 columns.
        assert!(
            lint.stderr.contains("deep.gouji:16:1813"),
            "{terms}: {}",
            lint.stderr
        );
        assert!(lint.stderr.len() < 5_000, "{terms}: {}", lint.stderr);
        dir.run(&["check", "--rules", "deep.gouji", "clean.txt"])
            .code(2);
    }
    // At the limit, the rule compiles and is evaluated (the evaluator recurses once per term).
    dir.write("deep.gouji", rule_file_with_a_sum_of(200));
    dir.run(&["rules", "check", "deep.gouji"]).code(0);
    let run = dir.run(&[
        "check",
        "--rules",
        "deep.gouji",
        "--format",
        "json",
        "clean.txt",
    ]);
    run.code(0);
    assert_eq!(run.json()["summary"]["passed"], 1, "{}", run.stdout);
}

// ───────────────────────────────────────────────────────────────────────────── long lines

#[test]
fn an_error_far_to_the_right_of_a_line_is_shown_not_a_panic() {
    let dir = Scratch::new("hostile", "far-right");
    // The broken rule file's error, 70,000 columns to the right.
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("broken.gouji")).unwrap();
    let padding = " ".repeat(70_000);
    dir.write(
        "far.gouji",
        text.replace("断言 一[总计]", &format!("断言 {padding}一[总计]")),
    );
    let run = dir.run(&["rules", "check", "far.gouji"]);
    run.code(2);
    assert!(run.stderr.contains("far.gouji:16:70017"), "{}", run.stderr);
    assert!(run.stderr.contains("表格中没有这一列"), "{}", run.stderr);
    assert!(
        run.stderr.len() < 5_000,
        "the line is shown only around the error"
    );

    // gouji.toml with an unknown key far to the right.
    dir.write(
        "gouji.toml",
        format!("fail_on = \"error\"{padding}\nno_such_key = 1\n{padding}x = 2\n"),
    );
    dir.write(
        "clean.txt",
        std::fs::read(Path::new(FIXTURES).join("clean.txt")).unwrap(),
    );
    let run = dir.run(&["check", "clean.txt"]);
    run.code(2);
    assert!(!run.stderr.contains("内部错误"), "{}", run.stderr);
}

#[test]
fn a_report_on_one_line_is_checked_with_its_findings_shown() {
    let dir = Scratch::new("hostile", "one-line");
    let reports = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports");
    // A JSON report and a page minified to one line, everything 100,000 columns in.
    let padding = " ".repeat(100_000);
    for (fixture, name) in [
        ("structured/ok/seed-like.json", "report.json"),
        ("html/seed.html", "page.html"),
    ] {
        let text = std::fs::read_to_string(reports.join(fixture)).unwrap();
        dir.write(
            name,
            format!("{padding}{}", text.replace(['\n', '\r'], " ")),
        );
        let human = dir.run(&["check", name]);
        assert!(
            human.code == 0 || human.code == 1,
            "{name}: {}",
            human.stderr
        );
        let json = dir.run(&["check", "--format", "json", name]);
        json.code(human.code);
        let findings = json.json()["reports"][0]["findings"]
            .as_array()
            .unwrap()
            .len();
        assert!(
            findings > 0 && human.stdout.matches("╭─[").count() >= findings,
            "{name}: every finding is shown with its place\n{}",
            human.stdout
        );
        assert!(
            human.stdout.lines().all(|l| l.len() < 2_000),
            "{name}: the long line is shown only around each finding"
        );
    }
}

#[test]
fn line_and_column_take_logarithmic_time_in_a_large_text() {
    // 8 MB in lines of 80 characters; 20,000 lookups would each rescan megabytes before.
    let line = format!("{}\n", "统计".repeat(40));
    let text = line.repeat(8_000_000 / line.len());
    let source = gouji::source::SourceFile::new("large.txt", text.clone());
    let started = std::time::Instant::now();
    for i in 0..20_000usize {
        let offset = (i * 7_919 * line.len()) % text.len();
        let (line_number, column) = source.line_col(offset);
        assert_eq!(line_number, offset / line.len() + 1);
        assert_eq!(column, 1);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    // Columns count characters, also in the middle of a line.
    assert_eq!(source.line_col(line.len() + 3 * 5), (2, 6));
}

// ───────────────────────────────────────────────────────────────────────────── --output

#[test]
fn output_never_replaces_an_input() {
    let dir = Scratch::new("hostile", "output-input").with(&["clean.txt", "s1.txt"]);
    let before = std::fs::read(dir.path().join("s1.txt")).unwrap();
    std::fs::create_dir(dir.path().join("batch")).unwrap();
    std::fs::copy(dir.path().join("s1.txt"), dir.path().join("batch/a.txt")).unwrap();
    for args in [
        &["check", "clean.txt", "s1.txt", "-o", "s1.txt"][..],
        &["check", "clean.txt", "--prev", "s1.txt", "-o", "s1.txt"],
        &["check", "batch", "-o", "batch/a.txt"],
        &["extract", "s1.txt", "-o", "s1.txt"],
    ] {
        let run = dir.run(args);
        run.code(2);
        assert!(
            run.stderr.contains("这是要读取的输入"),
            "{args:?}: {}",
            run.stderr
        );
    }
    assert_eq!(std::fs::read(dir.path().join("s1.txt")).unwrap(), before);
    assert_eq!(
        std::fs::read(dir.path().join("batch/a.txt")).unwrap(),
        before
    );
    assert_eq!(
        dir.listing(),
        ["batch", "clean.txt", "s1.txt"],
        "no temporary file left"
    );
}

#[cfg(unix)]
#[test]
fn output_writes_through_a_symlink_keeps_the_mode_and_refuses_devices() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = Scratch::new("hostile", "output-link").with(&["clean.txt"]);
    std::fs::create_dir(dir.path().join("results")).unwrap();
    let target = dir.path().join("results/out.json");
    std::fs::write(&target, "old").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("results/out.json", dir.path().join("latest.json")).unwrap();
    dir.run(&[
        "check",
        "--format",
        "json",
        "clean.txt",
        "-o",
        "latest.json",
    ])
    .code(0);
    let link = std::fs::symlink_metadata(dir.path().join("latest.json")).unwrap();
    assert!(link.file_type().is_symlink(), "the link is still a link");
    let written = std::fs::read_to_string(&target).unwrap();
    assert!(written.contains("\"clean.txt\""), "{written}");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);

    // A dangling link: its target is created.
    std::os::unix::fs::symlink("results/new.json", dir.path().join("next.json")).unwrap();
    dir.run(&["check", "--format", "json", "clean.txt", "-o", "next.json"])
        .code(0);
    assert!(dir.path().join("results/new.json").is_file());
    assert!(
        std::fs::symlink_metadata(dir.path().join("next.json"))
            .unwrap()
            .file_type()
            .is_symlink()
    );

    // A device is never replaced (as root, renaming over /dev/null would).
    let run = dir.run(&["check", "clean.txt", "-o", "/dev/null"]);
    run.code(2);
    assert!(run.stderr.contains("不是普通文件"), "{}", run.stderr);
    assert!(
        !std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_file(),
        "/dev/null is still a device"
    );
    assert_eq!(
        dir.listing(),
        ["clean.txt", "latest.json", "next.json", "results"]
    );
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_no_temporary_file() {
    use std::io::Write as _;
    for signal in ["INT", "TERM"] {
        let dir = Scratch::new("hostile", &format!("interrupted-{signal}"));
        // Standard input stays open: gouji waits for it with its output file open.
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_gouji"))
            .args(["check", "-", "-o", "out.txt"])
            .current_dir(dir.path())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(b"partial report").unwrap();
        let started = std::time::Instant::now();
        while !dir.listing().iter().any(|f| f.starts_with(".out.txt.")) {
            assert!(
                started.elapsed() < std::time::Duration::from_secs(30),
                "no temporary file appeared: {:?}",
                dir.listing()
            );
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let killed = std::process::Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = child.wait().unwrap();
        drop(stdin);
        assert_eq!(status.code(), Some(130), "{signal}: {status:?}");
        assert_eq!(dir.listing(), Vec::<String>::new(), "{signal}");
    }
}

// ───────────────────────────────────────────────────────────────────────────── rule files

#[test]
fn an_oversized_pattern_fails_rules_check_and_check_before_reading() {
    let dir = Scratch::new("hostile", "big-pattern").with(&["clean.txt"]);
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("broken.gouji")).unwrap();
    // Each `\w` is all of Unicode's word characters: 2,000 of them make a matcher far over
    // the size limit, which only building it finds.
    dir.write(
        "big.gouji",
        text.replace(
            "断言 一[总计] >= 一[自燃人]",
            r"断言 报告.标题 匹配 /\w{1000}\w{1000}/",
        ),
    );
    let run = dir.run(&["rules", "check", "big.gouji"]);
    run.code(2);
    assert!(run.stderr.contains("太复杂，无法使用"), "{}", run.stderr);
    assert!(run.stderr.contains("big.gouji:16:"), "{}", run.stderr);
    // `gouji check` says so too, before reading any report, rather than leaving the check
    // silently not evaluated.
    let run = dir.run(&["check", "--rules", "big.gouji", "clean.txt"]);
    run.code(2);
    assert!(run.stderr.contains("太复杂，无法使用"), "{}", run.stderr);
    assert!(run.stderr.contains("big.gouji:16:"), "{}", run.stderr);
    assert!(!run.stdout.contains("clean.txt"), "{}", run.stdout);
}

#[test]
fn a_test_case_reads_no_previous_report_outside_its_rule_set_folder() {
    let dir = Scratch::new("hostile", "previous-outside");
    dir.write("rules/r.gouji", "规则集 r\n继承 national-2019\n");
    dir.copy("clean.txt", "rules/tests/r/a.txt");
    dir.copy("prev-2019.txt", "outside.txt");
    let outside = dir.path().join("outside.txt");
    for previous in [
        outside.display().to_string(),
        "../../../outside.txt".to_owned(),
    ] {
        dir.write(
            "rules/tests/r/a.expect.toml",
            format!("上年报告 = {}\n问题 = []\n", toml_string(&previous)),
        );
        let run = dir.run(&["test", "rules"]);
        run.code(2);
        assert!(
            run.stdout.contains("不在规则集所在的"),
            "{previous}:\n{}\n{}",
            run.stdout,
            run.stderr
        );
    }
    // Inside the folder, it is read.
    dir.copy("prev-2019.txt", "rules/tests/r/上年.txt");
    dir.write(
        "rules/tests/r/a.expect.toml",
        "上年报告 = \"上年.txt\"\n问题 = []\n",
    );
    let run = dir.run(&["test", "rules"]);
    assert!(!run.stdout.contains("不在规则集所在的"), "{}", run.stdout);
    assert!(!run.stdout.contains("出错"), "{}", run.stdout);
}

fn toml_string(text: &str) -> String {
    format!("'{text}'")
}

// ───────────────────────────────────────────────────────────────────────────── directories

#[cfg(unix)]
#[test]
fn a_directory_walk_follows_file_links_and_says_what_it_skipped() {
    use std::os::unix::fs::{PermissionsExt as _, symlink};
    let dir = Scratch::new("hostile", "walk");
    for name in [
        "batch/a/1.txt",
        "batch/.git/x.txt",
        "batch/node_modules/y.txt",
        "batch/locked/z.txt",
        "elsewhere/r.txt",
    ] {
        dir.copy("clean.txt", name);
    }
    symlink("../../elsewhere/r.txt", dir.path().join("batch/a/link.txt")).unwrap();
    symlink("..", dir.path().join("batch/a/up")).unwrap();
    let locked = dir.path().join("batch/locked");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    // As root, a folder without permissions can still be read.
    let can_lock = std::fs::read_dir(&locked).is_err();

    let run = dir.run(&["check", "--format", "json", "batch"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let paths: Vec<String> = run.json()["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap().to_owned())
        .collect();
    let mut expected = vec!["batch/a/1.txt", "batch/a/link.txt"];
    if !can_lock {
        expected.push("batch/locked/z.txt");
    }
    assert_eq!(paths, expected, "{}", run.stderr);
    for (skipped, why) in [
        ("batch/.git", "跳过隐藏或通常忽略的目录"),
        ("batch/node_modules", "跳过隐藏或通常忽略的目录"),
        ("batch/a/up", "符号链接指回上层目录"),
    ] {
        let line = run
            .stderr
            .lines()
            .find(|l| l.contains(&format!("「{skipped}」")))
            .unwrap_or_else(|| panic!("{skipped} not reported:\n{}", run.stderr));
        assert!(line.contains(why), "{line}");
    }
    if can_lock {
        assert!(
            run.stderr.contains("「batch/locked」：无法读取"),
            "{}",
            run.stderr
        );
    }

    let all = dir.run(&["check", "--format", "json", "--include-hidden", "batch"]);
    let count = all.json()["reports"].as_array().unwrap().len();
    assert_eq!(count, expected.len() + 2, "{}", all.stderr);
}

// ───────────────────────────────────────────────────────────────────────────── gouji.toml

#[test]
fn the_configuration_used_is_named_in_verbose_json_and_sarif_output() {
    let dir = Scratch::new("hostile", "configuration").with(&["clean.txt"]);
    // Without a gouji.toml, the output has no configuration.
    let none = dir.run(&["check", "--format", "json", "-v", "clean.txt"]);
    assert!(
        none.json().get("configuration").is_none(),
        "{}",
        none.stdout
    );
    assert!(
        none.stderr.contains("没有使用 gouji.toml"),
        "{}",
        none.stderr
    );

    dir.write("gouji.toml", "[params]\n机关层级 = \"乡镇\"\n");
    std::fs::create_dir(dir.path().join("below")).unwrap();
    let toml = dir.path().join("gouji.toml").display().to_string();
    let json = crate::support::gouji(
        &dir.path().join("below"),
        &[
            "check",
            "--format",
            "json",
            "--param",
            "百分比容差=1",
            "-v",
            "../clean.txt",
        ],
        None,
    );
    json.code(0);
    let configuration = &json.json()["configuration"];
    assert_eq!(configuration["path"], toml.as_str(), "{configuration:#}");
    assert_eq!(
        configuration["rule_sets"],
        serde_json::json!(["national-2019", "national-2021"])
    );
    assert_eq!(
        configuration["params"],
        serde_json::json!({ "机关层级": "乡镇", "百分比容差": "1" })
    );
    assert!(
        json.stderr.contains(&format!("配置文件「{toml}」")),
        "{}",
        json.stderr
    );
    assert!(json.stderr.contains("机关层级=乡镇"), "{}", json.stderr);

    let sarif = dir.run(&["check", "--format", "sarif", "clean.txt"]);
    sarif.code(0);
    assert_eq!(
        sarif.json()["runs"][0]["properties"]["configuration"]["path"],
        toml.as_str()
    );
}

// ───────────────────────────────────────────────────────────────────────────── found by fuzzing

#[test]
fn a_header_whose_first_columns_overlap_is_read_not_a_panic() {
    // Found by the `extract_text` fuzz target: the first two header columns overlap, so
    // they meet left of the first one's end (an arithmetic overflow in the column widening).
    let dir = Scratch::new("hostile", "overlapping-columns");
    dir.write(
        "report.txt",
        std::fs::read(Path::new(HOSTILE).join("overlapping-header-columns.txt")).unwrap(),
    );
    let run = dir.run(&["check", "--format", "json", "report.txt"]);
    assert!(
        matches!(run.code, 0 | 1),
        "exit {}: {}",
        run.code,
        run.stderr
    );
    assert_eq!(run.json()["reports"][0]["path"], "report.txt");
}

#[test]
fn a_column_group_copying_the_group_it_is_in_is_a_rule_file_error_not_out_of_memory() {
    // Found by the `rules` fuzz target: `列组 直诉 … 同 复议` inside 复议 copied 直诉 into
    // itself without end (gigabytes in seconds, then a stack overflow).
    let dir = Scratch::new("hostile", "copy-of-own-group");
    dir.write(
        "rules.gouji",
        std::fs::read(Path::new(HOSTILE).join("copy-of-its-own-group.gouji")).unwrap(),
    );
    let run = dir.run(&["rules", "check", "rules.gouji"]);
    run.code(2);
    for (group, place) in [
        ("直诉", "rules.gouji:40:24"),
        ("复议后", "rules.gouji:41:22"),
    ] {
        assert!(
            run.stderr.contains(&format!(
                "「同」无法复制：列组「{group}」在列组「复议」之内，复制它会把自己也复制进去"
            )),
            "{}",
            run.stderr
        );
        assert!(run.stderr.contains(place), "{place}: {}", run.stderr);
    }
}

/// A table whose column group `g<n>` holds two copies of `g<n-1>`, for n up to `levels`:
/// 2^(levels + 2) columns from a rule file of 4 lines a level.
fn rule_file_doubling_its_columns(levels: usize) -> String {
    let mut text = String::from(
        "规则集 倍增\n章节 甲 \"甲\" 必需\n表格 表 属于 甲 {\n  锚点 \"甲\"\n  列组 g0 \"g0\" {\n    列 a\n    列 b\n  }\n",
    );
    for n in 1..=levels {
        let previous = n - 1;
        writeln!(
            text,
            "  列组 g{n} {{\n    列组 p 同 g{previous}\n    列组 q 同 g{previous}\n  }}"
        )
        .unwrap();
    }
    text + "  行 数据 无标签\n}\n"
}

#[test]
fn copies_of_copies_stop_at_ten_thousand_columns_with_one_error() {
    let dir = Scratch::new("hostile", "doubling-columns");
    // 4,094 columns and groups, under the limit: a table like any other.
    dir.write("rules.gouji", rule_file_doubling_its_columns(10));
    dir.run(&["rules", "check", "rules.gouji"]).code(0);
    // The 11th level would pass 10,000; each further level would double it again (2^42
    // columns at 40 levels). One error, at the first copy over the limit.
    dir.write("rules.gouji", rule_file_doubling_its_columns(40));
    let run = dir.run(&["rules", "check", "rules.gouji"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("「同」无法复制：复制「g10」之后表格的列（含列组）会超过 10000 个"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("rules.gouji:50:12"), "{}", run.stderr);
    assert!(run.stderr.contains("（1 个错误"), "{}", run.stderr);
}
