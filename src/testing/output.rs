//! `gouji test` output: for people (a line per case, a readable diff per failing case, the
//! coverage, and the summary line `通过 N 个，失败 N 个`), and `JUnit` XML for CI.

use std::fmt::Write as _;

use super::diff::{self, Paint, TEST_WORDS};
use super::{Blessed, Counts, Coverage, Failure, Outcome, Run};
use crate::render::junit::{escape, escape_text};

/// `通过 3 个，失败 1 个` (and `，跳过 2 个` when cases were skipped).
#[must_use]
pub fn summary_line(counts: Counts) -> String {
    let mut line = format!("通过 {} 个，失败 {} 个", counts.passed, counts.failed);
    if counts.skipped > 0 {
        let _ = write!(line, "，跳过 {} 个", counts.skipped);
    }
    line
}

fn indent(text: &str, by: &str) -> String {
    let mut out = String::new();
    for line in text.trim_end().lines() {
        if line.is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "{by}{line}");
        }
    }
    out
}

/// The text of a failure, as the human output shows it under the case and `JUnit` puts it in
/// `<failure>`.
#[must_use]
pub fn failure_text(failure: &Failure, case: &super::CaseResult, paint: Paint) -> String {
    let mut out = String::new();
    match failure {
        Failure::Mismatch { difference, source } => {
            let _ = writeln!(out, "报告：{}", case.fixture.as_deref().unwrap_or(""));
            let _ = writeln!(out, "预期：{}", source.name());
            out.push_str(&diff::render(
                difference,
                Some(source),
                None,
                TEST_WORDS,
                "",
                paint,
            ));
        }
        Failure::NoExpectation { actual } => {
            let _ = writeln!(
                out,
                "报告「{}」没有预期文件（{}）。",
                case.fixture.as_deref().unwrap_or(""),
                super::expectation_path(case).display()
            );
            if actual.is_empty() {
                let _ = writeln!(out, "这份报告现在没有任何问题。");
            } else {
                let _ = writeln!(out, "这份报告现在有 {} 条问题：", actual.len());
                let d = diff::Difference {
                    unexpected: actual.clone(),
                    ..diff::Difference::default()
                };
                out.push_str(&diff::render(&d, None, None, TEST_WORDS, "", paint));
            }
            let _ = writeln!(
                out,
                "核对无误后，运行 gouji test --bless 生成预期文件，或者手工写一个。"
            );
        }
        Failure::NoFixture => {
            let _ = writeln!(
                out,
                "预期文件「{}」没有对应的报告（同名的 .txt .html .htm .shtml .toml .json .docx 文件）。",
                case.expectation.as_deref().unwrap_or("")
            );
            let _ = writeln!(
                out,
                "报告改了名字，就把预期文件也改成同样的名字；用例不要了，就删掉预期文件。"
            );
        }
    }
    out
}

/// The human output of a run. `coverage` is given with `--coverage`; `min_coverage` with
/// `--min-coverage`.
#[must_use]
pub fn human(
    run: &Run,
    coverage: Option<&[Coverage]>,
    min_coverage: Option<f64>,
    paint: Paint,
) -> String {
    let mut out = String::new();
    for problem in &run.problems {
        let _ = writeln!(out, "{problem}");
    }
    for note in &run.notes {
        let _ = writeln!(out, "gouji: {note}");
    }
    let mut failed: Vec<String> = Vec::new();
    let mut blessed: Vec<String> = Vec::new();
    for suite in &run.suites {
        if !out.is_empty() {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "{}  {}",
            paint.bold(suite.name()),
            paint.dim(&format!(
                "{}（用例在 {}）",
                suite.rule_file, suite.cases_dir
            ))
        );
        if let Some(error) = &suite.error {
            let _ = writeln!(out, "  {}", paint.red("规则文件有错误，用例没有运行："));
            out.push_str(&indent(error, "    "));
        }
        if suite.cases.is_empty() {
            let _ = writeln!(out, "  （没有用例）");
        }
        for case in &suite.cases {
            let (status, detail) = match &case.outcome {
                Outcome::Passed => (paint.green("通过"), None),
                Outcome::Skipped(reason) => {
                    (paint.yellow("跳过"), Some(format!("理由：{reason}\n")))
                }
                Outcome::Error(text) => (paint.red("出错"), Some(text.clone())),
                Outcome::Failed(f) => (paint.red("失败"), Some(failure_text(f, case, paint))),
            };
            let _ = writeln!(out, "  {status}  {}", case.name);
            if let Some(detail) = detail {
                out.push_str(&indent(&detail, "        "));
            }
            match &case.blessed {
                Some(Blessed::Created) => {
                    let path = case.expectation.as_deref().unwrap_or("");
                    let _ = writeln!(out, "        已新建预期：{path}");
                    blessed.push(format!("新建 {path}"));
                }
                Some(Blessed::Updated(what)) => {
                    let path = case.expectation.as_deref().unwrap_or("");
                    let _ = writeln!(out, "        已更新预期（{what}）：{path}");
                    blessed.push(format!("更新 {path}（{what}）"));
                }
                None => {}
            }
            if matches!(case.outcome, Outcome::Failed(_) | Outcome::Error(_)) {
                failed.push(format!("{} › {}", suite.name(), case.name));
            }
        }
    }
    if let Some(coverage) = coverage {
        out.push('\n');
        out.push_str(&coverage_text(coverage, min_coverage, paint));
    }
    if !blessed.is_empty() {
        let _ = writeln!(out, "\n--bless 写入了 {} 个预期文件：", blessed.len());
        for b in &blessed {
            let _ = writeln!(out, "  {b}");
        }
    }
    if !failed.is_empty() {
        let _ = writeln!(out, "\n未通过的用例：");
        for f in &failed {
            let _ = writeln!(out, "  {f}");
        }
        let mismatched = run.suites.iter().flat_map(|s| &s.cases).any(|c| {
            matches!(
                c.outcome,
                Outcome::Failed(Failure::Mismatch { .. } | Failure::NoExpectation { .. })
            )
        });
        if mismatched {
            let _ = writeln!(
                out,
                "核对过实际结果无误后，运行 gouji test --bless 把它写成新的预期（只改写不一致的用例）。"
            );
        }
    }
    if run.cases() == 0 && run.problems.is_empty() {
        let _ = writeln!(
            out,
            "gouji: 没有找到用例。规则文件 规则/NAME.gouji 的用例放在 规则/tests/NAME/ 中（见 docs/testing-rules.md）"
        );
    }
    let _ = writeln!(out, "\n{}", summary_line(run.counts()));
    out
}

/// The coverage section: per rule set, the share of its own checks that some case triggers,
/// and the checks that none does.
#[must_use]
pub fn coverage_text(coverage: &[Coverage], min: Option<f64>, paint: Paint) -> String {
    let mut out = String::from("覆盖率（有用例在预期中触发的检查）：\n");
    for c in coverage {
        let percent = c.percent();
        let mut line = format!(
            "  {}：本规则集的 {} 条检查中 {} 条有用例触发（{}）",
            c.rule_set,
            c.own.len(),
            c.triggered(),
            format_percent(percent)
        );
        if c.inherited > 0 {
            let _ = write!(
                line,
                "；另有继承的 {} 条检查，不计入（其中 {} 条在本规则集的用例中出现）",
                c.inherited, c.inherited_triggered
            );
        }
        if let Some(min) = min.filter(|m| percent < *m) {
            let _ = write!(
                line,
                "  {}",
                paint.red(&format!("低于 --min-coverage {}", format_percent(min)))
            );
        }
        let _ = writeln!(out, "{line}");
        let untested: Vec<_> = c.own.iter().filter(|k| !k.triggered).collect();
        if !untested.is_empty() {
            let _ = writeln!(out, "    没有用例触发的检查：");
            for k in untested {
                let at = k
                    .location
                    .as_ref()
                    .map(|(file, line)| format!("  {}", paint.dim(&format!("{file}:{line}"))))
                    .unwrap_or_default();
                let _ = writeln!(out, "      {} {}{at}", k.id, k.severity.chinese());
            }
        }
    }
    out
}

/// `67%`, `100%`, `33.3%`.
#[must_use]
pub fn format_percent(p: f64) -> String {
    let rounded = (p * 10.0).round() / 10.0;
    if (rounded - rounded.round()).abs() < f64::EPSILON {
        format!("{rounded:.0}%")
    } else {
        format!("{rounded:.1}%")
    }
}

/// Whether any rule set's coverage is below the minimum.
#[must_use]
pub fn below(coverage: &[Coverage], min: f64) -> bool {
    coverage.iter().any(|c| c.percent() < min)
}

// ───────────────────────────────────────────────────────────────────────────── JUnit

/// The one line that says what went wrong: a diagnostic's `×` line, or the first line.
fn headline(text: &str) -> String {
    let line = text
        .lines()
        .find_map(|l| l.trim_start().strip_prefix('×'))
        .or_else(|| text.lines().find(|l| !l.trim().is_empty()))
        .unwrap_or("");
    let line = line.trim();
    line.strip_prefix("gouji: ").unwrap_or(line).to_owned()
}

/// A run as `JUnit` XML: one `<testsuite>` per rule file, named by its rule set, and in it one
/// `<testcase>` per case (`classname` the rule set, `file` the report). A case that failed has a
/// `<failure>` whose text is the diff; one that could not be run has an `<error>`; a skipped case
/// has `<skipped>`. With `--min-coverage`, each suite has a test case `覆盖率` that fails when
/// its rule set's coverage is too low. The document has no times, so it is the same on every
/// run.
#[must_use]
pub fn junit(run: &Run, coverage: Option<&[Coverage]>, min_coverage: Option<f64>) -> String {
    let plain = Paint::default();
    let mut suites = String::new();
    let mut total = Counts::default();
    let mut total_tests = 0;
    for suite in &run.suites {
        let name = suite.name();
        let mut cases = String::new();
        let (mut tests, mut failures, mut errors, mut skipped) = (0, 0, 0, 0);
        for case in &suite.cases {
            tests += 1;
            let file = case
                .fixture
                .as_deref()
                .or(case.expectation.as_deref())
                .unwrap_or("");
            let open = format!(
                "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\"",
                escape(&case.name),
                escape(name),
                escape(file)
            );
            match &case.outcome {
                Outcome::Passed => {
                    let _ = writeln!(cases, "{open}/>");
                }
                Outcome::Skipped(reason) => {
                    skipped += 1;
                    let _ = writeln!(
                        cases,
                        "{open}>\n      <skipped message=\"{}\"/>\n    </testcase>",
                        escape(reason)
                    );
                }
                Outcome::Error(text) => {
                    errors += 1;
                    let _ = writeln!(
                        cases,
                        "{open}>\n      <error message=\"{}\">{}</error>\n    </testcase>",
                        escape(&headline(text)),
                        escape_text(text.trim_end())
                    );
                }
                Outcome::Failed(f) => {
                    failures += 1;
                    let message = match f {
                        Failure::Mismatch { difference, .. } => {
                            format!("与预期不符：{}", difference.summary())
                        }
                        Failure::NoExpectation { .. } => "没有预期文件".to_owned(),
                        Failure::NoFixture => "预期文件没有对应的报告".to_owned(),
                    };
                    let _ = writeln!(
                        cases,
                        "{open}>\n      <failure message=\"{}\">{}</failure>\n    </testcase>",
                        escape(&message),
                        escape_text(failure_text(f, case, plain).trim_end())
                    );
                }
            }
        }
        if let Some(error) = &suite.error {
            tests += 1;
            errors += 1;
            let _ = writeln!(
                cases,
                "    <testcase name=\"规则文件\" classname=\"{}\" file=\"{}\">\n      <error message=\"规则文件有错误\">{}</error>\n    </testcase>",
                escape(name),
                escape(&suite.rule_file),
                escape_text(error.trim_end())
            );
        }
        if let (Some(coverage), Some(min)) = (coverage, min_coverage) {
            if let Some(c) = coverage.iter().find(|c| c.rule_file == suite.rule_file) {
                tests += 1;
                let open = format!(
                    "    <testcase name=\"覆盖率\" classname=\"{}\" file=\"{}\"",
                    escape(name),
                    escape(&suite.rule_file)
                );
                if c.percent() < min {
                    failures += 1;
                    let text = coverage_text(std::slice::from_ref(c), Some(min), plain);
                    let _ = writeln!(
                        cases,
                        "{open}>\n      <failure message=\"覆盖率 {} 低于 {}\">{}</failure>\n    </testcase>",
                        format_percent(c.percent()),
                        format_percent(min),
                        escape_text(text.trim_end())
                    );
                } else {
                    let _ = writeln!(cases, "{open}/>");
                }
            }
        }
        let _ = writeln!(
            suites,
            "  <testsuite name=\"{}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"{errors}\" skipped=\"{skipped}\" file=\"{}\">",
            escape(name),
            escape(&suite.rule_file)
        );
        suites.push_str(&cases);
        suites.push_str("  </testsuite>\n");
        total_tests += tests;
        total.failed += failures;
        total.errors += errors;
        total.skipped += skipped;
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"gouji test\" tests=\"{total_tests}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n{suites}</testsuites>\n",
        total.failed, total.errors, total.skipped
    )
}
