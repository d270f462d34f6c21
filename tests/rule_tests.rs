//! `gouji test` and `gouji diff`, through the real binary: discovery, passing cases, each kind
//! of mismatch, errors, `--bless`, orphans, coverage, `JUnit`, and `gouji diff` over a small
//! archive of reports with two versions of a rule set. Also: the national rule sets pass their
//! own cases (`rules/tests/`) through the same runner, and the examples in
//! docs/testing-rules.md are valid.
//!
//! Fixtures (`tests/fixtures/rule-tests/`), all passing as they are; the tests copy them into a
//! fresh directory under `CARGO_TARGET_TMPDIR` and change the copy to make each failure:
//! - `示例省/示例省2019.gouji`: a provincial rule set that extends national-2019, makes 办结数 an
//!   error, and adds one check (示例省.其他处理); its cases in `示例省/tests/示例省2019/`:
//!   `正常` (no finding), `其他处理` (the provincial check), `办结数` (the changed severity);
//! - `示例省-新版/示例省2019.gouji`: the next version of that rule set (a severity raised, a
//!   message rewritten, a check disabled, a check added);
//! - `报告/2020/`: an archive of reports to replay both versions over.

use crate::support::{self, Run};
use std::path::{Path, PathBuf};

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rule-tests");
const NATIONAL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/reports/national"
);
const CASES: &str = "示例省/tests/示例省2019";

// ───────────────────────────────────────────────────────────────────────────── helpers

/// A fresh working directory holding a copy of the fixtures, removed at the end of the test.
struct Scratch(support::Scratch);

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

impl Scratch {
    /// `name` keeps the directories of tests running in parallel apart.
    fn new(name: &str) -> Self {
        let dir = support::Scratch::new("rule-tests", name);
        copy_dir(Path::new(FIXTURES), dir.path());
        Self(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.path().join(rel)
    }

    fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    fn write(&self, rel: &str, text: impl AsRef<[u8]>) {
        self.0.write(rel, text);
    }

    /// Replaces `from` by `to` in a file; `from` must be there.
    fn edit(&self, rel: &str, from: &str, to: &str) {
        let text = self.read(rel);
        assert!(text.contains(from), "{rel} has no {from:?}:\n{text}");
        self.write(rel, text.replacen(from, to, 1));
    }

    fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    }

    /// Copies a report of the national fixtures into the directory.
    fn national(&self, from: &str, to: &str) {
        let text = std::fs::read(Path::new(NATIONAL).join(from)).unwrap();
        self.write(to, text);
    }

    fn run(&self, args: &[&str]) -> Run {
        self.0.run(args)
    }

    /// Every file under the directory (relative, sorted), for "nothing else was written".
    fn files(&self) -> Vec<String> {
        fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, base, out);
                } else {
                    out.push(path.strip_prefix(base).unwrap().display().to_string());
                }
            }
        }
        let mut out = Vec::new();
        walk(self.0.path(), self.0.path(), &mut out);
        out.sort();
        out
    }
}

impl Run {
    #[track_caller]
    fn shows(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "`gouji {}` does not show {text:?}:\n{}",
            self.args,
            self.stdout
        );
        self
    }

    /// The last line of standard output: the summary.
    fn summary(&self) -> &str {
        self.stdout.trim_end().lines().last().unwrap_or("")
    }
}

/// The status lines of the cases (`通过  正常`), in order.
fn statuses(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .filter(|l| {
            ["  通过  ", "  失败  ", "  出错  ", "  跳过  "]
                .iter()
                .any(|s| l.starts_with(s))
        })
        .map(|l| l.trim().to_owned())
        .collect()
}

// ───────────────────────────────────────────────────────────────────────────── discovery

#[test]
fn discovery_finds_rule_files_with_cases_and_nothing_else() {
    let dir = Scratch::new("discovery");
    // A rule file without cases, a build folder and a hidden folder (never searched), a
    // sub-folder of cases, last year's report named by an expectation, a file that is no
    // report at all.
    dir.write("其他/无用例.gouji", "规则集 无用例\n继承 national-2019\n");
    dir.write("target/tmp/x.gouji", "规则集 x\n");
    dir.write("target/tmp/tests/x/a.txt", "不是报告");
    dir.write(".hidden/y.gouji", "规则集 y\n");
    dir.write(".hidden/tests/y/a.txt", "不是报告");
    dir.national("2019/结转连续.pass.txt", &format!("{CASES}/2020/乡镇.txt"));
    dir.national(
        "2019/结转连续.pass.prev.txt",
        &format!("{CASES}/2020/上年.txt"),
    );
    dir.write(
        &format!("{CASES}/2020/乡镇.expect.toml"),
        "上年报告 = \"上年.txt\"\n问题 = []\n",
    );
    dir.write(&format!("{CASES}/说明.md"), "用例的说明");
    let run = dir.run(&["test"]);
    run.code(0);
    assert_eq!(
        statuses(&run.stdout),
        [
            "通过  2020/乡镇",
            "通过  其他处理",
            "通过  办结数",
            "通过  正常"
        ]
    );
    assert!(
        run.stdout
            .starts_with("示例省2019  示例省/示例省2019.gouji（用例在 示例省/tests/示例省2019）\n")
    );
    assert_eq!(run.summary(), "通过 4 个，失败 0 个");

    // A rule file by name; one case by its report or its expectation; a folder of cases.
    let one = dir.run(&["test", "示例省/示例省2019.gouji"]);
    assert_eq!(one.code(0).summary(), "通过 4 个，失败 0 个");
    let case = dir.run(&["test", &format!("{CASES}/办结数.txt")]);
    assert_eq!(statuses(&case.code(0).stdout), ["通过  办结数"]);
    let case = dir.run(&["test", &format!("{CASES}/正常.expect.toml")]);
    assert_eq!(statuses(&case.code(0).stdout), ["通过  正常"]);
    let folder = dir.run(&["test", &format!("{CASES}/2020")]);
    assert_eq!(statuses(&folder.code(0).stdout), ["通过  2020/乡镇"]);

    // Paths that are not there, and a rule file given without cases.
    dir.run(&["test", "没有这个目录"])
        .code(2)
        .shows("「没有这个目录」不存在");
    dir.run(&["test", "其他/无用例.gouji"])
        .code(2)
        .shows("规则文件「其他/无用例.gouji」没有用例：用例应放在「其他/tests/无用例」中")
        .shows("没有找到用例");
}

#[test]
fn discovery_through_the_library() {
    let dir = Scratch::new("library");
    let run = gouji::testing::run(&gouji::testing::Options {
        paths: vec![dir.path("示例省")],
        roots: Vec::new(),
        bless: false,
        render: |d| format!("{d}"),
    });
    assert!(run.problems.is_empty(), "{:?}", run.problems);
    assert_eq!(run.suites.len(), 1);
    let suite = &run.suites[0];
    assert_eq!(suite.name(), "示例省2019");
    let names: Vec<&str> = suite.cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["其他处理", "办结数", "正常"]);
    assert_eq!(
        run.counts(),
        gouji::testing::Counts {
            passed: 3,
            ..Default::default()
        }
    );
}

// ───────────────────────────────────────────────────────────────────────────── pass and fail

#[test]
fn the_fixture_cases_pass() {
    let dir = Scratch::new("pass");
    let run = dir.run(&["test"]);
    run.code(0);
    assert_eq!(run.summary(), "通过 3 个，失败 0 个");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn a_finding_that_does_not_occur_is_missing() {
    let dir = Scratch::new("missing");
    dir.edit(
        &format!("{CASES}/正常.expect.toml"),
        "问题 = []",
        "[[问题]]\n规则 = \"S1\"\n严重性 = \"错误\"\n列 = \"自然人\"\n",
    );
    let run = dir.run(&["test"]);
    run.code(1)
        .shows("  失败  正常")
        .shows("- 缺少  S1 错误 · 列 自然人（正常.expect.toml 第 3 行）");
    assert_eq!(run.summary(), "通过 2 个，失败 1 个");
}

#[test]
fn a_finding_not_expected_is_unexpected_unless_others_are_allowed() {
    let dir = Scratch::new("unexpected");
    let expect = format!("{CASES}/正常.expect.toml");
    dir.national("2019/S1.fail.txt", &format!("{CASES}/正常.txt"));
    let run = dir.run(&["test"]);
    run.code(1)
        .shows("+ 多出  S1 错误 · 表格 申请 · 列 自然人 · c=自然人 · 报告第 37 行")
        .shows("+ 多出  S1 错误 · 表格 申请 · 列 总计 · c=总计 · 报告第 37 行")
        .shows("消息：\"「自然人」列：本年新收与上年结转之和（20）");
    // Listing one is not enough while others are not allowed …
    dir.edit(
        &expect,
        "问题 = []",
        "[[问题]]\n规则 = \"S1\"\n严重性 = \"错误\"\n变量 = { c = \"总计\" }\n",
    );
    let run = dir.run(&["test"]);
    run.code(1);
    assert!(!run.stdout.contains("列 总计 · c=总计 · 报告第 37 行"));
    // … and is with 允许其他问题.
    dir.edit(&expect, "说明 =", "允许其他问题 = true\n说明 =");
    dir.run(&["test"]).code(0);
}

#[test]
fn a_changed_message_severity_or_value_is_shown_field_by_field() {
    let dir = Scratch::new("changed");
    let other = format!("{CASES}/其他处理.expect.toml");
    dir.edit(&other, "有 1 件，请", "有 1 件，务请");
    let settled = format!("{CASES}/办结数.expect.toml");
    dir.edit(&settled, "严重性 = \"错误\"", "严重性 = \"警告\"");
    dir.edit(&settled, "右 = 27", "右 = 28");
    let run = dir.run(&["test"]);
    run.code(1);
    insta::assert_snapshot!("changed", run.stdout);
}

#[test]
fn reading_problems_can_be_ignored() {
    let dir = Scratch::new("reading");
    // A row label that deviates from the format: a reading problem (读取.标签偏差).
    dir.national("2019/读取.标签偏差.fail.txt", &format!("{CASES}/正常.txt"));
    dir.run(&["test"])
        .code(1)
        .shows("+ 多出  读取.标签偏差 警告 · 表格 申请 · 行 三.不予公开.法律禁止");
    dir.edit(
        &format!("{CASES}/正常.expect.toml"),
        "说明 =",
        "忽略读取问题 = true\n说明 =",
    );
    dir.run(&["test"]).code(0);
    // Ignoring them and expecting one at the same time is a mistake in the file.
    dir.edit(
        &format!("{CASES}/正常.expect.toml"),
        "问题 = []",
        "[[问题]]\n规则 = \"读取.标签偏差\"\n严重性 = \"警告\"\n",
    );
    dir.run(&["test"])
        .code(2)
        .shows("写了 忽略读取问题 = true，却又预期读")
        .shows("正常.expect.toml:4:1");
}

#[test]
fn a_rule_the_rule_set_does_not_have_is_pointed_out() {
    let dir = Scratch::new("unknown-rule");
    dir.edit(
        &format!("{CASES}/办结数.expect.toml"),
        "规则 = \"办结数\"",
        "规则 = \"办结\"",
    );
    dir.run(&["test"])
        .code(1)
        .shows("- 缺少  办结 错误")
        .shows("（规则集「示例省2019」中没有检查「办结」；是不是「办结数」？）")
        .shows("+ 多出  办结数 错误");
}

#[test]
fn errors_in_cases_exit_with_2_and_point_at_the_place() {
    let dir = Scratch::new("errors");
    // An expectation that is not TOML, one with an unknown key, one with a bad severity.
    dir.write(
        &format!("{CASES}/正常.expect.toml"),
        "说明 = \"没有问题\n问题 = []\n",
    );
    dir.edit(
        &format!("{CASES}/其他处理.expect.toml"),
        "消息 =",
        "消 息 =",
    );
    dir.edit(
        &format!("{CASES}/办结数.expect.toml"),
        "\"错误\"",
        "\"严重\"",
    );
    // A report that cannot be read.
    dir.write(&format!("{CASES}/空.txt"), "");
    dir.write(&format!("{CASES}/空.expect.toml"), "问题 = []\n");
    let run = dir.run(&["test"]);
    run.code(2);
    insta::assert_snapshot!("errors", run.stdout);

    // A rule file with an error: its cases are not run.
    let dir = Scratch::new("rule-error");
    dir.edit(
        "示例省/示例省2019.gouji",
        "三.其他处理[总计]",
        "三.其它处理[总计]",
    );
    let run = dir.run(&["test"]);
    run.code(2)
        .shows("规则文件有错误，用例没有运行：")
        .shows("其它处理");
    assert_eq!(run.summary(), "通过 0 个，失败 3 个");
}

/// A pattern too large to build is an error of the rule file, found before any case runs (as
/// `gouji check` and `gouji rules check` find it), not a check silently left unevaluated.
#[test]
fn an_oversized_pattern_is_a_rule_file_error() {
    let dir = Scratch::new("big-pattern");
    // Each `\w` is all of Unicode's word characters: 2,000 of them make a matcher far over the
    // size limit, which only building it finds.
    dir.edit(
        "示例省/示例省2019.gouji",
        "断言 三.其他处理[总计] = 0",
        r"断言 三.其他处理[总计] = 0 或 报告.标题 匹配 /\w{1000}\w{1000}/",
    );
    let run = dir.run(&["test"]);
    run.code(2)
        .shows("规则文件有错误，用例没有运行：")
        .shows("太复杂，无法使用");
}

// ───────────────────────────────────────────────────────────────────────────── bless, orphans

#[test]
fn bless_rewrites_only_what_changed() {
    let dir = Scratch::new("bless");
    let other = format!("{CASES}/其他处理.expect.toml");
    let settled = format!("{CASES}/办结数.expect.toml");
    let clean = format!("{CASES}/正常.expect.toml");
    let original_other = dir.read(&other);
    let original_settled = dir.read(&settled);
    let original_clean = dir.read(&clean);
    // Three changes to 办结数: a severity, a value, and an entry the report does not yield
    // (with a comment above it, which goes with it). 正常 is untouched.
    dir.edit(&settled, "严重性 = \"错误\"", "严重性 = \"警告\"");
    dir.edit(&settled, "右 = 27", "右 = 28");
    let settled_text = dir.read(&settled);
    dir.write(
        &settled,
        format!("{settled_text}\n# 这一条是多写的\n[[问题]]\n规则 = \"S1\"\n严重性 = \"错误\"\n"),
    );
    // 其他处理: the message given in part no longer matches; an unexpected finding appears.
    dir.edit(
        &other,
        "消息 = \"「（六）其他处理」有 1 件，请在正文第三部分逐件说明处理情况\"",
        "消息包含 = \"有 2 件\"",
    );
    let report = dir.read(&format!("{CASES}/其他处理.txt")).replace(
        "中华人民共和国政府信息公开条例》为遵循",
        "中华人民共和国政务信息公开条例》为遵循",
    );
    dir.write(&format!("{CASES}/其他处理.txt"), report);
    let before = std::fs::metadata(dir.path(&clean))
        .unwrap()
        .modified()
        .unwrap();

    let run = dir.run(&["test", "--bless"]);
    run.code(0)
        .shows("--bless 写入了 2 个预期文件：")
        .shows(&format!(
            "  更新 {CASES}/其他处理.expect.toml（多出 1 条，有变化 1 条）"
        ))
        .shows(&format!(
            "  更新 {CASES}/办结数.expect.toml（缺少 1 条，有变化 1 条）"
        ));
    assert_eq!(run.summary(), "通过 3 个，失败 0 个");
    // The unchanged case is not written at all.
    assert_eq!(dir.read(&clean), original_clean);
    let after = std::fs::metadata(dir.path(&clean))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "正常.expect.toml was rewritten");
    // 办结数 is back as it was written, comments and all: only the changed lines changed.
    assert_eq!(dir.read(&settled), original_settled);
    // 其他处理: the part of the message became the whole message, in its place; the new finding
    // is added at the end; the comments stay.
    let blessed = dir.read(&other);
    assert_eq!(
        blessed,
        format!(
            "{original_other}\n[[问题]]\n规则 = \"条例名称\"\n严重性 = \"错误\"\n消息 = \"条例名称有误：「《中华人民共和国政务信息公开条例》」应为《中华人民共和国政府信息公开条例》\"\n"
        )
    );
    // Written whole: no temporary file is left behind, and the run is now clean.
    assert!(
        dir.files().iter().all(|f| !std::path::Path::new(f)
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("tmp"))),
        "{:?}",
        dir.files()
    );
    dir.run(&["test"]).code(0);
    // Blessing again changes nothing.
    let again = dir.run(&["test", "--bless"]);
    assert!(
        !again.code(0).stdout.contains("--bless 写入了"),
        "{}",
        again.stdout
    );
}

#[test]
fn orphans_are_reported_both_ways() {
    let dir = Scratch::new("orphans");
    // A report without an expectation, and an expectation without a report.
    dir.national("2019/S1.fail.txt", &format!("{CASES}/新用例.txt"));
    dir.write(&format!("{CASES}/旧用例.expect.toml"), "问题 = []\n");
    let run = dir.run(&["test"]);
    run.code(1)
        .shows("  失败  新用例")
        .shows(&format!(
            "报告「{CASES}/新用例.txt」没有预期文件（{CASES}/新用例.expect.toml）。"
        ))
        .shows("这份报告现在有 2 条问题：")
        .shows("  失败  旧用例")
        .shows(&format!(
            "预期文件「{CASES}/旧用例.expect.toml」没有对应的报告"
        ));
    assert_eq!(run.summary(), "通过 3 个，失败 2 个");

    // --bless writes the missing expectation, and still fails on the one without a report.
    let run = dir.run(&["test", "--bless"]);
    run.code(1)
        .shows(&format!("  新建 {CASES}/新用例.expect.toml"))
        .shows("  失败  旧用例");
    assert_eq!(run.summary(), "通过 4 个，失败 1 个");
    insta::assert_snapshot!(
        "blessed_new_case",
        dir.read(&format!("{CASES}/新用例.expect.toml"))
    );
    dir.remove(&format!("{CASES}/旧用例.expect.toml"));
    assert_eq!(dir.run(&["test"]).code(0).summary(), "通过 4 个，失败 0 个");
}

#[test]
fn skipped_cases_are_counted() {
    let dir = Scratch::new("skipped");
    dir.edit(
        &format!("{CASES}/办结数.expect.toml"),
        "说明 =",
        "跳过 = \"等国家规则集改写完再看\"\n说明 =",
    );
    let run = dir.run(&["test"]);
    run.code(0)
        .shows("  跳过  办结数")
        .shows("理由：等国家规则集改写完再看");
    assert_eq!(run.summary(), "通过 2 个，失败 0 个，跳过 1 个");
}

// ───────────────────────────────────────────────────────────────────────────── coverage

#[test]
fn coverage_lists_the_checks_no_case_triggers() {
    let dir = Scratch::new("coverage");
    let full = dir.run(&["test", "--coverage"]);
    full.code(0).shows(
        "  示例省2019：本规则集的 1 条检查中 1 条有用例触发（100%）；另有继承的 43 条检查，不计入（其中 1 条在本规则集的用例中出现）",
    );
    // A second check of the rule set's own that no case triggers.
    let rules = dir.read("示例省/示例省2019.gouji");
    dir.write(
        "示例省/示例省2019.gouji",
        format!(
            "{rules}\n检查 示例省.结转 提示 于 申请 {{\n  断言 四[总计] ≤ 1\n  消息 \"结转 {{左}} 件\"\n}}\n"
        ),
    );
    let half = dir.run(&["test", "--coverage"]);
    half.code(0)
        .shows("本规则集的 2 条检查中 1 条有用例触发（50%）")
        .shows("    没有用例触发的检查：\n      示例省.结转 提示  示例省/示例省2019.gouji:21\n");
    let low = dir.run(&["test", "--min-coverage", "60"]);
    low.code(1)
        .shows("（50%）；另有继承的 43 条检查")
        .shows("低于 --min-coverage 60%");
    assert_eq!(low.summary(), "通过 3 个，失败 0 个");
    dir.run(&["test", "--min-coverage", "50"]).code(0);
    dir.run(&["test", "--min-coverage", "101"]).code(2);
}

// ───────────────────────────────────────────────────────────────────────────── JUnit

#[test]
fn junit_has_one_test_case_per_case_with_the_diff_as_failure() {
    let dir = Scratch::new("junit");
    dir.edit(
        &format!("{CASES}/办结数.expect.toml"),
        "严重性 = \"错误\"",
        "严重性 = \"警告\"",
    );
    dir.write(&format!("{CASES}/坏.txt"), "");
    dir.write(&format!("{CASES}/坏.expect.toml"), "问题 = []\n");
    dir.edit(
        &format!("{CASES}/正常.expect.toml"),
        "说明 =",
        "跳过 = \"示例 <跳过> & 理由\"\n说明 =",
    );
    let run = dir.run(&["test", "--format", "junit", "--min-coverage", "50"]);
    run.code(2);
    assert!(
        run.stderr.ends_with("通过 1 个，失败 2 个，跳过 1 个\n"),
        "{}",
        run.stderr
    );
    insta::assert_snapshot!("junit", run.stdout);
}

// ───────────────────────────────────────────────────────────────────────────── gouji diff

#[test]
fn diff_shows_what_a_new_version_changes_over_an_archive() {
    let dir = Scratch::new("diff");
    let args = [
        "diff",
        "--old",
        "示例省/示例省2019.gouji",
        "--new",
        "示例省-新版/示例省2019.gouji",
        "报告",
    ];
    let human = dir.run(&args);
    human.code(0);
    insta::assert_snapshot!("diff_human", human.stdout);

    let mut json_args = args.to_vec();
    json_args.extend(["--format", "json"]);
    let json = dir.run(&json_args);
    json.code(0);
    let redacted = json.stdout.replace(
        &format!("\"gouji_version\": \"{}\"", env!("CARGO_PKG_VERSION")),
        "\"gouji_version\": \"[version]\"",
    );
    insta::assert_snapshot!("diff_json", redacted);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["schema"], "gouji-diff/1");
    assert_eq!(value["reports"].as_array().unwrap().len(), 6);

    // --exit-code; the same rule set on both sides changes nothing.
    let mut exit_args = args.to_vec();
    exit_args.push("--exit-code");
    dir.run(&exit_args).code(1);
    let same = dir.run(&[
        "diff",
        "--old",
        "示例省/示例省2019.gouji",
        "--new",
        "示例省/示例省2019.gouji",
        "报告",
        "--exit-code",
    ]);
    same.code(0)
        .shows("合计：6 份报告，0 份有变化；新出现 0 条，不再出现 0 条，有变化 0 条，不变 6 条");
}

#[test]
fn diff_from_a_built_in_rule_set_by_id() {
    let dir = Scratch::new("diff-id");
    let run = dir.run(&[
        "diff",
        "--old",
        "national-2019",
        "--new",
        "示例省/示例省2019.gouji",
        "报告",
    ]);
    run.code(0);
    insta::assert_snapshot!("diff_national_to_province", run.stdout);
    // Errors: an unknown rule set, a missing report folder, a parameter neither set has.
    dir.run(&[
        "diff",
        "--old",
        "national-2030",
        "--new",
        "national-2019",
        "报告",
    ])
    .code(2);
    dir.run(&[
        "diff",
        "--old",
        "national-2019",
        "--new",
        "national-2019",
        "没有",
    ])
    .code(2);
    dir.run(&[
        "diff",
        "--old",
        "national-2019",
        "--new",
        "national-2019",
        "报告",
        "--param",
        "没有=1",
    ])
    .code(2);
}

/// In an archive, each report is checked with last year's report of the same agency, as by
/// `gouji check`: disabling a check across years shows on the paired report.
#[test]
fn diff_pairs_the_years_of_an_agency() {
    let dir = Scratch::new("diff-years");
    dir.national("2019/结转连续.fail.txt", "档案/2020.txt");
    dir.national("2019/结转连续.fail.prev.txt", "档案/2019.txt");
    dir.write(
        "无结转.gouji",
        "规则集 无结转\n继承 national-2019\n停用 结转连续\n",
    );
    let run = dir.run(&[
        "diff",
        "--old",
        "national-2019",
        "--new",
        "无结转.gouji",
        "档案",
    ]);
    run.code(0)
        .shows("档案/2020.txt  不再出现 ")
        .shows("- 不再出现  结转连续 警告");
    assert!(!run.stdout.contains("档案/2019.txt"), "{}", run.stdout);
}

/// The worked example of docs/testing-rules.md §9.1: the 湖北 variant of `rules/examples/`
/// against the national rule set it adapts, over its own example reports and two reports in the
/// national format.
#[test]
fn diff_of_the_provincial_example_against_the_national_set() {
    let run = support::gouji(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "diff",
            "--old",
            "national-2019",
            "--new",
            "rules/examples/hubei-2019.gouji",
            "rules/examples/tests/hubei-2019/其他文件.txt",
            "rules/examples/tests/hubei-2019/正常.txt",
            "tests/fixtures/rule-tests/报告/2020/正常.txt",
            "tests/fixtures/rule-tests/报告/2020/年份沿用.txt",
        ],
        None,
    );
    run.code(0);
    insta::assert_snapshot!("diff_hubei", run.stdout);
}

// ───────────────────────────────────────────────────────────────────────────── the project's own

/// The built-in national rule sets pass their own cases (`rules/tests/`) through `gouji test`.
#[test]
fn the_national_rule_sets_pass_their_cases() {
    let run = support::gouji(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["test", "rules"],
        None,
    );
    run.code(0)
        .shows("national-2019  rules/national-2019.gouji")
        .shows("  通过  S1不平")
        .shows("  通过  条例名称")
        .shows("  通过  正常");
    let statuses = statuses(&run.stdout);
    assert!(statuses.len() >= 4, "{}", run.stdout);
    assert!(
        statuses.iter().all(|s| s.starts_with("通过")),
        "{}",
        run.stdout
    );
}

/// docs/testing-rules.md: every `toml` block is a valid expectation file, and every field of the
/// `gouji diff` JSON is documented.
#[test]
fn the_testing_guide_is_right() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/testing-rules.md"
    ))
    .unwrap();
    let mut blocks = 0;
    let mut open: Option<(usize, String)> = None;
    for (i, line) in doc.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(tag)) if tag.trim() == "toml" => open = Some((i + 1, String::new())),
            (None, Some(_)) => open = Some((0, String::new())),
            (Some((start, text)), Some(_)) => {
                if *start > 0 {
                    blocks += 1;
                    let source = gouji::source::SourceFile::new(
                        format!("docs/testing-rules.md:{start}"),
                        text.as_str(),
                    );
                    if let Err(e) = gouji::testing::expect::parse(&source) {
                        panic!("{}", crate::support::render_diagnostic(e.as_ref()));
                    }
                }
                open = None;
            }
            (Some((_, text)), None) => {
                text.push_str(line);
                text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(
        blocks >= 3,
        "docs/testing-rules.md has {blocks} toml blocks"
    );
    for field in [
        "schema",
        "gouji_version",
        "rule_set",
        "file",
        "reports",
        "path",
        "appeared",
        "disappeared",
        "changed",
        "unchanged",
        "rule",
        "kind",
        "severity",
        "message",
        "bindings",
        "table",
        "row",
        "column",
        "line",
        "fields",
        "old",
        "new",
        "summary",
        "changed_reports",
        "unreadable",
    ] {
        assert!(
            doc.contains(&format!("`{field}`")),
            "docs/testing-rules.md does not document `{field}`"
        );
    }
}
