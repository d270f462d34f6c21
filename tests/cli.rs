//! The command line, through the real binary: exit codes, `--format json` (structure and a
//! snapshot), the human output (a snapshot, and the underlines checked against the report's
//! own text), `--verbose`, `--prev`, directories and standard input, `--output`, `gouji.toml`,
//! `gouji rules` and `--help`.
//!
//! `gouji check` reads the `gouji.toml` of its working directory or the nearest one above it,
//! so every `check` runs in a fresh directory under `CARGO_TARGET_TMPDIR` (inside the crate's
//! `target/`, which has no `gouji.toml` above it — [`Scratch::new`] makes sure) with the
//! fixtures it needs copied in. Paths in the output are then relative, and snapshots hold no
//! absolute path.
//!
//! Fixtures (`tests/fixtures/cli/`), all laid out like a real township report:
//! - `clean.txt`: no finding at all;
//! - `warning.txt`: only a warning (a non-standard row label);
//! - `s1.txt`: two applications carried over from 2019, only one of them in the results — the
//!   S1 balance fails in the 自然人 and 总计 columns;
//! - `prev-2019.txt`: the year before, carrying those two applications over into 2020;
//! - `office.txt`: a title that does not say the agency's level, and one 规章 in the table;
//! - `broken.gouji`: a rule file naming a column its table does not have.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{FIXTURES, Run, Scratch, gouji};
use unicode_width::UnicodeWidthChar;

// ───────────────────────────────────────────────────────────────────────────── helpers

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

/// The rules of a report's findings, in order.
fn rules_of(report: &Value) -> Vec<&str> {
    report["findings"]
        .as_array()
        .expect("findings is an array")
        .iter()
        .map(|f| f["rule"].as_str().expect("rule is a string"))
        .collect()
}

fn findings_of<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == rule)
        .collect()
}

/// The value of a finding's only variable (`c` of S1: the column).
fn binding(finding: &Value) -> &str {
    assert_eq!(
        finding["bindings"].as_array().map(Vec::len),
        Some(1),
        "{finding:#}"
    );
    finding["bindings"][0]["value"].as_str().unwrap()
}

fn not_evaluated_of<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["not_evaluated"]
        .as_array()
        .expect("not_evaluated is an array")
        .iter()
        .filter(|n| n["rule"] == rule)
        .collect()
}

/// What a snapshot must not depend on: the crate's version, and what changes whenever a check
/// is added to or moved in the built-in rule set (its line numbers and the count of checks
/// that passed or could not be evaluated). The findings themselves stay in the snapshot.
fn redact_human(text: &str) -> String {
    let rule_line = regex::Regex::new(r"(规则：<内置>/[^:\s]+\.gouji):\d+").unwrap();
    let counts = regex::Regex::new(r"通过 \d+ 项，未评估 \d+ 项").unwrap();
    let text = rule_line.replace_all(text, "$1:[line]");
    counts
        .replace_all(&text, "通过 [n] 项，未评估 [n] 项")
        .into_owned()
}

/// As [`redact_human`], for a `gouji-check/1` document, on its text so that the order of the
/// fields stays as printed. Of the checks not evaluated only those of 结转连续 are kept: they
/// depend on `--prev` alone, not on the rule set's growth.
fn redact_json(text: &str) -> String {
    let version = format!("\"gouji_version\": \"{}\"", env!("CARGO_PKG_VERSION"));
    assert!(text.contains(&version), "{text}");
    let text = text.replace(&version, "\"gouji_version\": \"[version]\"");
    let rule_line = regex::Regex::new(r#""rule_line": \d+"#).unwrap();
    let text = rule_line.replace_all(&text, r#""rule_line": "[line]""#);
    let counts = regex::Regex::new(r#""(passed|not_evaluated)": \d+"#).unwrap();
    let text = counts.replace_all(&text, r#""$1": "[n]""#);
    // The entries of `not_evaluated` arrays are objects at the next level of indentation.
    let mut out: Vec<String> = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        out.push(line.to_owned());
        let opening = line.trim_start().starts_with("\"not_evaluated\": [");
        if !opening || line.trim_end_matches(',').ends_with("[]") {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let close = format!("{}]", " ".repeat(indent));
        let mut kept: Vec<Vec<&str>> = Vec::new();
        let mut entry: Vec<&str> = Vec::new();
        for line in lines.by_ref() {
            if line.starts_with(&close) {
                let count = kept.len();
                for (i, mut entry) in kept.into_iter().enumerate() {
                    let last = entry.pop().expect("an entry ends with its brace");
                    let last = last.trim_end_matches(',');
                    out.extend(entry.into_iter().map(str::to_owned));
                    out.push(if i + 1 < count {
                        format!("{last},")
                    } else {
                        last.to_owned()
                    });
                }
                out.push(line.to_owned());
                break;
            }
            entry.push(line);
            if line.trim_start().starts_with('}')
                && line.len() - line.trim_start().len() == indent + 2
            {
                if entry
                    .iter()
                    .any(|l| l.trim().trim_end_matches(',') == "\"rule\": \"结转连续\"")
                {
                    kept.push(std::mem::take(&mut entry));
                } else {
                    entry.clear();
                }
            }
        }
    }
    let mut text = out.join("\n");
    text.push('\n');
    serde_json::from_str::<Value>(&text).unwrap_or_else(|e| panic!("redacted JSON: {e}\n{text}"));
    text
}

/// The columns of the 申请 table, in the report's order.
const APPLICANT_COLUMNS: [&str; 7] = [
    "自然人",
    "商业企业",
    "科研机构",
    "社会公益组织",
    "法律服务机构",
    "其他",
    "总计",
];

/// The words of a line (split at spaces; miette has already replaced the tabs with spaces)
/// with the display column each starts at.
fn words_with_columns(line: &str) -> Vec<(usize, String)> {
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut at = 0;
    let mut previous_space = true;
    for c in line.chars() {
        if c == ' ' {
            previous_space = true;
        } else {
            if previous_space {
                words.push((at, String::new()));
            }
            words.last_mut().expect("a word was started").1.push(c);
            previous_space = false;
        }
        at += c.width().unwrap_or(0);
    }
    words
}

/// Checks every underline of a rendered finding about the 申请 table against the report line
/// above it: each `┬` must sit under a value of that line — the value in the column its
/// label names (`╰── 二·自然人 = 2`: the first of the row's seven values, and it must read 2).
/// Returns how many underlines it checked.
fn check_underlines(rendered: &str) -> usize {
    let lines: Vec<&str> = rendered.lines().collect();
    let mut checked = 0;
    for (index, line) in lines.iter().enumerate() {
        if !line.trim_start().starts_with('·') || !line.contains('┬') {
            continue;
        }
        let source = lines[..index]
            .iter()
            .rev()
            .find(|l| l.contains('│') && !l.trim_start().starts_with('·'))
            .expect("an underline follows a report line");
        let words = words_with_columns(source);
        let values = &words[words.len() - APPLICANT_COLUMNS.len()..];
        let marks: Vec<usize> = words_with_columns(line)
            .into_iter()
            .filter(|(_, w)| w == "┬")
            .map(|(at, _)| at)
            .collect();
        // The label of the last `┬` is on the next line, the others' on the lines after.
        for (k, &at) in marks.iter().rev().enumerate() {
            let label = lines[index + 1 + k];
            let (cell, value) = label
                .split_once("╰── ")
                .and_then(|(_, l)| l.split_once(" = "))
                .unwrap_or_else(|| panic!("not a cell label: {label}"));
            let column = cell.rsplit('·').next().unwrap();
            let under = values
                .iter()
                .position(|(start, _)| *start == at)
                .unwrap_or_else(|| {
                    panic!("the ┬ at column {at} in\n{line}\nis under no value of\n{source}")
                });
            assert_eq!(
                (APPLICANT_COLUMNS[under], values[under].1.as_str()),
                (column, value),
                "the ┬ in\n{line}\nsits under value number {} of\n{source}\nbut its label is\n{label}",
                under + 1
            );
            checked += 1;
        }
    }
    checked
}

/// Every object key anywhere in a JSON document.
fn collect_keys(value: &Value, keys: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, value) in map {
                keys.insert(key.clone());
                collect_keys(value, keys);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect_keys(item, keys);
            }
        }
        _ => {}
    }
}

// ───────────────────────────────────────────────────────────────────────────── shared runs

// A debug build checks a report in a few tenths of a second; runs that several tests look at
// are made once.

/// `gouji check --format json s1.txt`
fn s1_json() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        Scratch::new("cli", "s1-json")
            .with(&["s1.txt"])
            .run(&["check", "--format", "json", "--pretty", "s1.txt"])
    })
}

/// `gouji check --format json clean.txt`
fn clean_json() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        Scratch::new("cli", "clean-json")
            .with(&["clean.txt"])
            .run(&["check", "--format", "json", "clean.txt"])
    })
}

/// `gouji check --format json clean.txt --prev prev-2019.txt`: two applications left open in
/// 2019 are not carried over.
fn carry_over_json() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        Scratch::new("cli", "carry-over-json")
            .with(&["clean.txt", "prev-2019.txt"])
            .run(&[
                "check",
                "--format",
                "json",
                "--pretty",
                "clean.txt",
                "--prev",
                "prev-2019.txt",
            ])
    })
}

// ───────────────────────────────────────────────────────────────────────────── exit codes

#[test]
fn clean_report_exits_0_and_verbose_lists_the_checks_not_evaluated() {
    let json = clean_json();
    json.code(0);
    let report = &json.json()["reports"][0];
    assert_eq!(
        rules_of(report),
        Vec::<&str>::new(),
        "clean.txt should have no finding at all"
    );
    // The JSON always lists the checks not evaluated: 结转连续 needs last year's report.
    let carry = not_evaluated_of(report, "结转连续");
    assert_eq!(carry.len(), 7, "one per column: {carry:?}");
    assert!(
        carry
            .iter()
            .all(|n| n["reason"].as_str().unwrap().contains("--prev"))
    );

    let dir = Scratch::new("cli", "clean").with(&["clean.txt"]);
    let quiet = dir.run(&["check", "clean.txt"]);
    quiet.code(0);
    assert!(
        quiet.stdout.contains("0 个错误，0 个警告，0 个提示"),
        "{}",
        quiet.stdout
    );
    assert!(quiet.stderr.is_empty(), "{}", quiet.stderr);
    assert!(!quiet.stdout.contains("未评估的检查"), "{}", quiet.stdout);
    let verbose = dir.run(&["check", "-v", "clean.txt"]);
    verbose.code(0);
    assert!(
        verbose.stdout.contains("未评估的检查："),
        "{}",
        verbose.stdout
    );
    for column in ["自然人", "商业企业", "总计"] {
        let line =
            format!("  - 结转连续（c={column}）：没有提供上年度报告，无法比较（用 --prev 指定）");
        assert!(
            verbose.stdout.contains(&line),
            "no «{line}» in\n{}",
            verbose.stdout
        );
    }
    let listed = verbose
        .stdout
        .lines()
        .filter(|l| l.starts_with("  - "))
        .count();
    assert_eq!(
        listed,
        report["not_evaluated"].as_array().unwrap().len(),
        "--verbose lists every check the JSON says was not evaluated"
    );
}

#[test]
fn fail_on_chooses_the_level_that_makes_exit_code_1() {
    let dir = Scratch::new("cli", "fail-on").with(&["clean.txt", "warning.txt", "s1.txt"]);
    // warning.txt has a warning and nothing else.
    let warning = dir.run(&["check", "--format", "json", "warning.txt"]);
    warning.code(0);
    let summary = &warning.json()["summary"];
    assert_eq!(
        (&summary["errors"], &summary["warnings"]),
        (&0.into(), &1.into())
    );
    dir.run(&["check", "--fail-on", "warning", "warning.txt"])
        .code(1);
    dir.run(&["check", "--fail-on", "warning", "clean.txt"])
        .code(0);
    dir.run(&["check", "--fail-on", "never", "s1.txt"]).code(0);
}

#[test]
fn usage_errors_and_unreadable_inputs_exit_2() {
    let dir = Scratch::new("cli", "exit-2").with(&["clean.txt", "broken.gouji"]);
    dir.write("empty.txt", "");
    dir.write(
        "scan.pdf",
        b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< >>\0\0\0stream\n",
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["check", "missing.txt"],
            "无法读取「missing.txt」：文件不存在",
        ),
        (&["check", "empty.txt"], "「empty.txt」是空文件"),
        (
            &["check", "scan.pdf"],
            "「scan.pdf」不是完整有效的 PDF 文件",
        ),
        (
            &["check", "--ruleset", "national-2091", "clean.txt"],
            "找不到规则集「national-2091」",
        ),
        (
            &["check", "--param", "机关级别=乡镇", "clean.txt"],
            "参数「机关级别」：没有规则集声明这个参数（是不是「机关层级」？）",
        ),
        (
            &["check", "--param", "机关层级=市里", "clean.txt"],
            "参数「机关层级」：取值应为以下之一",
        ),
        (
            &["check", "--param", "机关层级", "clean.txt"],
            "参数应写作 名=值",
        ),
        (
            &["check", "--fail-on", "sometimes", "clean.txt"],
            "invalid value 'sometimes' for '--fail-on",
        ),
        (
            &["check", "--rules", "broken.gouji", "clean.txt"],
            "表格「申请」中没有列「自燃人」",
        ),
        (&["check"], "<PATH>"),
    ];
    for (args, message) in cases {
        let run = dir.run(args);
        run.code(2);
        assert!(
            run.stderr.contains(message),
            "`gouji {}` should say «{message}»:\n{}",
            run.args,
            run.stderr
        );
        assert!(
            run.stdout.is_empty(),
            "`gouji {}` printed a result:\n{}",
            run.args,
            run.stdout
        );
    }
    // A missing file among readable ones: the others are still checked, and the exit code
    // says that not everything could be read.
    let run = dir.run(&["check", "--format", "json", "clean.txt", "missing.txt"]);
    run.code(2);
    assert_eq!(run.json()["reports"][0]["path"], "clean.txt");
    assert_eq!(run.json()["summary"]["reports"], 1);
}

#[test]
fn a_bad_gouji_toml_exits_2() {
    let dir = Scratch::new("cli", "bad-config").with(&["clean.txt"]);
    for (config, message) in [
        ("fail_on = \n", "TOML 语法错误"),
        ("fail_on = \"sometimes\"\n", "fail_on 应为"),
        ("[params]\n机关层级 = \"市里\"\n", "取值应为以下之一"),
        (
            "ruleset = \"national-2091\"\n",
            "找不到规则集「national-2091」",
        ),
    ] {
        dir.write("gouji.toml", config);
        let run = dir.run(&["check", "clean.txt"]);
        run.code(2);
        assert!(
            run.stderr.contains(message),
            "gouji.toml\n{config}\nshould give «{message}»:\n{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}

// ───────────────────────────────────────────────────────────────────────────── JSON

#[test]
fn json_output_structure() {
    let run = s1_json();
    run.code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let document = run.json();
    assert_eq!(document["schema"], "gouji-check/1");
    assert_eq!(document["gouji_version"], env!("CARGO_PKG_VERSION"));
    let reports = document["reports"].as_array().expect("reports is an array");
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!(report["path"], "s1.txt");
    assert_eq!(report["rule_set"], "national-2019");
    assert_eq!(report["year"], 2020);
    assert_eq!(report["agency"], "大口镇人民政府");
    assert_eq!(report["input"], "text");
    assert_eq!(report["encoding"], "UTF-8");

    let text = fixture_text("s1.txt");
    let lines: Vec<&str> = text.split('\n').collect();
    let findings = report["findings"].as_array().unwrap();
    for finding in findings {
        for key in ["rule", "kind", "severity", "message"] {
            assert!(finding[key].is_string(), "{key} in {finding:#}");
        }
        assert!(finding["tags"].is_array() && finding["bindings"].is_array());
        // Every cell of this year's report is where the JSON says it is, both ways.
        for cell in finding["cells"].as_array().unwrap() {
            assert_eq!(cell["previous_year"], false);
            let raw = cell["raw"].as_str().unwrap();
            let line = usize::try_from(cell["line"].as_u64().expect("line")).unwrap();
            let column =
                usize::try_from(cell["column_number"].as_u64().expect("column_number")).unwrap();
            let at: String = lines[line - 1]
                .chars()
                .skip(column - 1)
                .take(raw.chars().count())
                .collect();
            assert_eq!(at, raw, "line {line}, column {column} of s1.txt");
            let start = usize::try_from(cell["start"].as_u64().unwrap()).unwrap();
            let end = usize::try_from(cell["end"].as_u64().unwrap()).unwrap();
            assert_eq!(&text[start..end], raw, "bytes {start}..{end} of s1.txt");
        }
    }
    // Ordered by place in the report, then by rule.
    let keys: Vec<(u64, String)> = findings
        .iter()
        .map(|f| {
            (
                f["location"]["start"].as_u64().unwrap_or(u64::MAX),
                f["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(keys.is_sorted(), "findings out of order: {keys:?}");

    let s1 = findings_of(report, "S1");
    let columns: Vec<&str> = s1.iter().map(|f| binding(f)).collect();
    assert_eq!(columns, ["自然人", "总计"], "S1 fails in these two columns");
    let natural = s1[0];
    assert_eq!(natural["kind"], "check");
    assert_eq!(natural["severity"], "error");
    assert_eq!(natural["bindings"][0]["name"], "c");
    let cells: Vec<(&str, &str, &str)> = natural["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["row"].as_str().unwrap(),
                c["column"].as_str().unwrap(),
                c["raw"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            ("一", "自然人", "0"),
            ("二", "自然人", "2"),
            ("三.总计", "自然人", "1"),
            ("四", "自然人", "0"),
        ]
    );
    let lines_of: Vec<&Value> = natural["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["line"])
        .collect();
    assert_eq!(lines_of, [48, 49, 69, 70]);
    assert_eq!(
        natural["location"]["line"], 48,
        "the first cell is the finding's place"
    );
    let comparison = &natural["comparison"];
    assert_eq!(comparison["left"], "2");
    assert_eq!(comparison["right"], "1");
    assert_eq!(comparison["difference"], "1");
    let formula = comparison["formula"].as_str().unwrap();
    assert!(
        formula.starts_with("一[自然人] + 二[自然人] = 0 + 2 = 2 ≠ ")
            && formula.ends_with("总计[自然人] + 四[自然人] = 1 + 0 = 1"),
        "{formula}"
    );
    assert!(
        natural["rule_file"]
            .as_str()
            .unwrap()
            .ends_with("national-2019.gouji")
    );
    assert!(natural["rule_line"].is_u64());

    // Totals add up.
    let count = |severity: &str| {
        findings
            .iter()
            .filter(|f| f["severity"] == severity)
            .count()
    };
    assert_eq!(report["summary"]["errors"], count("error"));
    assert_eq!(report["summary"]["warnings"], count("warning"));
    assert_eq!(report["summary"]["infos"], count("info"));
    assert_eq!(
        report["summary"]["not_evaluated"],
        report["not_evaluated"].as_array().unwrap().len()
    );
    assert_eq!(document["summary"]["reports"], 1);
    assert_eq!(document["summary"]["errors"], report["summary"]["errors"]);
}

#[test]
fn json_is_compact_with_one_report_a_line_unless_pretty() {
    let dir = Scratch::new("cli", "compact-json").with(&["s1.txt", "clean.txt"]);
    let compact = dir.run(&["check", "--format", "json", "s1.txt", "clean.txt"]);
    let pretty = dir.run(&[
        "check",
        "--format",
        "json",
        "--pretty",
        "s1.txt",
        "clean.txt",
    ]);
    assert_eq!(compact.json(), pretty.json());
    // The document's head, one line per report, the summary.
    let lines: Vec<&str> = compact.stdout.lines().collect();
    assert_eq!(lines.len(), 4, "{}", compact.stdout);
    for (line, path) in lines[1..3].iter().zip(["s1.txt", "clean.txt"]) {
        let report: serde_json::Value =
            serde_json::from_str(line.trim_end_matches(',')).expect("a report on its line");
        assert_eq!(report["path"], path);
    }
    assert!(
        compact.stdout.len() * 3 < pretty.stdout.len() * 2,
        "{} bytes compact, {} indented",
        compact.stdout.len(),
        pretty.stdout.len()
    );
}

#[test]
fn json_output_snapshot_and_docs() {
    let s1 = s1_json();
    s1.code(1);
    insta::assert_snapshot!("json_s1", redact_json(&s1.stdout));
    // With last year's report: a cell of it has no place in this year's report.
    let carry_over = carry_over_json();
    carry_over.code(0);
    insta::assert_snapshot!("json_carry_over", redact_json(&carry_over.stdout));

    // docs/json-output.md names every field these have, and its examples are JSON.
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/json-output.md"))
        .expect("docs/json-output.md exists");
    let mut keys = BTreeSet::new();
    collect_keys(&s1.json(), &mut keys);
    collect_keys(&carry_over.json(), &mut keys);
    let missing: Vec<&String> = keys
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/json-output.md does not mention {missing:?}"
    );
    // Every ```json block is JSON; the first is a whole document.
    let blocks: Vec<Value> = doc
        .split("```json\n")
        .skip(1)
        .map(|rest| {
            let block = rest.split("\n```").next().expect("the block is closed");
            serde_json::from_str(block)
                .unwrap_or_else(|e| panic!("a json block of docs/json-output.md: {e}\n{block}"))
        })
        .collect();
    assert!(
        !blocks.is_empty(),
        "docs/json-output.md has a ```json example"
    );
    assert_eq!(blocks[0]["schema"], "gouji-check/1");
}

// ───────────────────────────────────────────────────────────────────────────── human output

#[test]
fn human_output_snapshot() {
    let dir = Scratch::new("cli", "human").with(&["s1.txt"]);
    let run = dir.run(&["check", "s1.txt"]);
    run.code(1);
    assert!(!run.stdout.contains('\u{1b}'), "colour without a terminal");
    assert_eq!(
        check_underlines(&run.stdout),
        8,
        "four cells under each of the two S1 findings"
    );
    let formula =
        "公式：一[自然人] + 二[自然人] = 0 + 2 = 2 ≠ （七）总计[自然人] + 四[自然人] = 1 + 0 = 1";
    assert!(run.stdout.contains(formula), "{}", run.stdout);
    insta::assert_snapshot!("human_s1", redact_human(&run.stdout));
}

#[test]
fn prev_makes_the_carry_over_check_evaluated() {
    let dir = Scratch::new("cli", "prev").with(&["clean.txt", "s1.txt", "prev-2019.txt"]);
    // s1.txt carries over the 2 applications prev-2019.txt left open: 结转连续 passes.
    let pass = dir.run(&[
        "check",
        "--format",
        "json",
        "s1.txt",
        "--prev",
        "prev-2019.txt",
    ]);
    pass.code(1); // for S1, not for 结转连续
    let report = &pass.json()["reports"][0];
    assert!(findings_of(report, "结转连续").is_empty(), "{report:#}");
    assert!(
        not_evaluated_of(report, "结转连续").is_empty(),
        "{report:#}"
    );

    // clean.txt carries over none: a warning in the 自然人 and 总计 columns.
    let fail = carry_over_json();
    fail.code(0);
    let report = &fail.json()["reports"][0];
    assert!(
        not_evaluated_of(report, "结转连续").is_empty(),
        "{report:#}"
    );
    let carry = findings_of(report, "结转连续");
    let columns: Vec<&str> = carry.iter().map(|f| binding(f)).collect();
    assert_eq!(columns, ["自然人", "总计"]);
    let natural = carry[0];
    assert_eq!(natural["severity"], "warning");
    assert_eq!(
        natural["comparison"]["formula"],
        "二[自然人] = 0 ≠ 上年.四[自然人] = 2"
    );
    let last_year: Vec<&Value> = natural["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["previous_year"] == true)
        .collect();
    assert_eq!(last_year.len(), 1);
    assert_eq!(last_year[0]["raw"], "2");
    assert!(last_year[0]["line"].is_null() && last_year[0]["column_number"].is_null());

    let human = dir.run(&[
        "check",
        "--fail-on",
        "warning",
        "clean.txt",
        "--prev",
        "prev-2019.txt",
    ]);
    human.code(1);
    assert!(
        human
            .stdout
            .contains("上年度报告：四、结转下年度继续办理·自然人 = 2"),
        "{}",
        human.stdout
    );
    // An unreadable previous report is an error of its own.
    let missing = dir.run(&["check", "clean.txt", "--prev", "prev-2018.txt"]);
    missing.code(2);
    assert!(
        missing.stderr.contains("无法读取「prev-2018.txt」"),
        "{}",
        missing.stderr
    );
}

// ───────────────────────────────────────────────────────────────────────────── inputs, outputs

#[test]
fn a_directory_is_searched_and_checked_in_sorted_order() {
    let dir = Scratch::new("cli", "directory");
    // Written in reverse order, and with a file that is not a report.
    dir.write("reports/b.txt", fixture_text("s1.txt"));
    dir.write("reports/a.txt", fixture_text("clean.txt"));
    dir.write("reports/说明.md", "不是报告");
    let run = dir.run(&["check", "--format", "json", "reports"]);
    run.code(1);
    let document = run.json();
    let paths: Vec<&str> = document["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["reports/a.txt", "reports/b.txt"]);
    assert_eq!(document["summary"]["reports"], 2);
    assert_eq!(document["summary"]["errors"], 2, "S1 twice in b.txt");

    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let empty = dir.run(&["check", "empty"]);
    empty.code(2);
    assert!(
        empty.stderr.contains("目录「empty」中没有要检查的报告文件"),
        "{}",
        empty.stderr
    );
}

#[test]
fn dash_reads_standard_input() {
    let dir = Scratch::new("cli", "stdin");
    let run = dir.run_with_stdin(
        &["check", "--format", "json", "-"],
        fixture_text("s1.txt").as_bytes(),
    );
    run.code(1);
    // The same findings as from the file, under the name <stdin>.
    let mut document = run.json();
    assert_eq!(document["reports"][0]["path"], "<stdin>");
    document["reports"][0]["path"] = "s1.txt".into();
    assert_eq!(document, s1_json().json());
    let empty = dir.run_with_stdin(&["check", "-"], b"");
    empty.code(2);
    assert!(
        empty.stderr.contains("「<stdin>」是空文件"),
        "{}",
        empty.stderr
    );
}

#[test]
fn output_writes_the_file_whole() {
    let dir = Scratch::new("cli", "output").with(&["s1.txt"]);
    dir.write("out.json", "an older result, to be replaced");
    let written = dir.run(&[
        "check", "--format", "json", "--pretty", "s1.txt", "--output", "out.json",
    ]);
    written.code(1);
    assert!(written.stdout.is_empty(), "{}", written.stdout);
    let file = std::fs::read_to_string(dir.path().join("out.json")).unwrap();
    assert_eq!(file, s1_json().stdout);
    assert_eq!(
        dir.listing(),
        ["out.json", "s1.txt"],
        "no temporary file left"
    );

    let missing = dir.run(&["check", "s1.txt", "-o", "nowhere/out.txt"]);
    missing.code(2);
    assert!(
        missing.stderr.contains("无法写入「nowhere/out.txt」"),
        "{}",
        missing.stderr
    );
    assert!(missing.stdout.is_empty(), "{}", missing.stdout);
    assert_eq!(
        dir.listing(),
        ["out.json", "s1.txt"],
        "nothing else written"
    );
}

// ───────────────────────────────────────────────────────────────────────────── gouji.toml

#[test]
fn gouji_toml_params_and_fail_on() {
    let dir = Scratch::new("cli", "config").with(&["office.txt", "s1.txt"]);
    let regulations = |run: &Run| findings_of(&run.json()["reports"][0], "规章权限").len();
    // The title does not say that the office is a township's: nothing to hold 规章 against.
    let inferred = dir.run(&["check", "--format", "json", "office.txt"]);
    assert_eq!(regulations(&inferred), 0, "{}", inferred.stdout);

    // An unquoted Chinese key in [params], as in reports.
    dir.write(
        "gouji.toml",
        "# 大口镇的报告\n[params]\n机关层级 = \"乡镇\"\n",
    );
    let township = dir.run(&["check", "--format", "json", "office.txt"]);
    township.code(0);
    assert_eq!(regulations(&township), 1, "{}", township.stdout);
    // The command line overrides the file.
    let city = dir.run(&[
        "check",
        "--format",
        "json",
        "--param",
        "机关层级=设区的市",
        "office.txt",
    ]);
    assert_eq!(regulations(&city), 0, "{}", city.stdout);
    // From a directory below, the same file is found.
    std::fs::create_dir(dir.path().join("below")).unwrap();
    let below = gouji(
        &dir.path().join("below"),
        &["check", "--format", "json", "../office.txt"],
        None,
    );
    assert_eq!(regulations(&below), 1, "{}", below.stdout);

    dir.write("gouji.toml", "fail_on = \"never\"\n");
    dir.run(&["check", "s1.txt"]).code(0);
    dir.run(&["check", "--fail-on", "error", "s1.txt"]).code(1);
}

#[test]
fn gouji_toml_unknown_key_is_underlined() {
    let dir = Scratch::new("cli", "config-unknown").with(&["clean.txt"]);
    dir.write(
        "gouji.toml",
        "# 本目录报告的检查设置\nfail-on = \"warning\"\n\n[params]\n机关层级 = \"乡镇\"\n",
    );
    let run = dir.run(&["check", "clean.txt"]);
    run.code(2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let root = dir.path().display().to_string();
    insta::assert_snapshot!("config_unknown_key", run.stderr.replace(&root, "[dir]"));
}

// ───────────────────────────────────────────────────────────────────────────── rules, help

#[test]
fn rules_check_and_show() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let ok = gouji(root, &["rules", "check", "rules/national-2019.gouji"], None);
    ok.code(0);
    assert!(
        ok.stderr.contains("rules/national-2019.gouji: 通过 / ok"),
        "{}",
        ok.stderr
    );

    let dir = Scratch::new("cli", "rules").with(&["broken.gouji"]);
    let broken = dir.run(&["rules", "check", "broken.gouji"]);
    broken.code(2);
    assert!(
        broken.stderr.contains("表格「申请」中没有列「自燃人」"),
        "{}",
        broken.stderr
    );
    assert!(
        broken.stderr.contains("broken.gouji: 有错误 / has errors"),
        "{}",
        broken.stderr
    );
    dir.run(&["rules", "check", "missing.gouji"]).code(2);

    let show = dir.run(&["rules", "show", "national-2019", "S1"]);
    show.code(0);
    assert!(
        show.stdout.starts_with("检查 S1 错误 于 申请"),
        "{}",
        show.stdout
    );
    assert!(show.stdout.contains("断言"), "{}", show.stdout);
    let unknown = dir.run(&["rules", "show", "national-2019", "S9"]);
    unknown.code(2);
    assert!(
        unknown.stderr.contains("没有检查「S9」"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn help_mentions_the_exit_codes() {
    let dir = Scratch::new("cli", "help");
    let run = dir.run(&["--help"]);
    run.code(0);
    assert!(run.stdout.contains("退出码 / exit codes"), "{}", run.stdout);
    for code in ["0", "1", "2", "3"] {
        assert!(
            run.stdout
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code}  "))),
            "exit code {code} is not explained:\n{}",
            run.stdout
        );
    }
}

#[test]
fn include_and_exclude_choose_the_files_found_in_directories() {
    let dir = Scratch::new("cli", "include-exclude");
    dir.write("reports/2020/a.txt", fixture_text("clean.txt"));
    dir.write("reports/2021/b.txt", fixture_text("s1.txt"));
    let paths = |args: &[&str]| -> Vec<String> {
        let run = dir.run(args);
        run.json()["reports"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["path"].as_str().unwrap().to_owned())
            .collect()
    };
    let base = ["check", "--format", "json", "--fail-on", "never", "reports"];
    assert_eq!(
        paths(&[&base[..], &["--include", "2020/**"]].concat()),
        ["reports/2020/a.txt"]
    );
    assert_eq!(
        paths(&[&base[..], &["--exclude", "2020/**"]].concat()),
        ["reports/2021/b.txt"]
    );
    // Everything excluded: nothing to check is a usage error.
    dir.run(&[&base[..], &["--exclude", "**"]].concat()).code(2);
    let bad = dir.run(&[&base[..], &["--include", "["]].concat());
    bad.code(2);
    assert!(bad.stderr.contains("通配模式"), "{}", bad.stderr);
}

#[test]
fn rules_show_lists_the_test_cases_of_a_check() {
    let run = gouji(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &[
            "rules",
            "show",
            "rules/examples/hubei-2019.gouji",
            "湖北.其他文件",
        ],
        None,
    );
    run.code(0);
    assert!(
        run.stdout.contains("rules/examples/tests/hubei-2019/"),
        "{}",
        run.stdout
    );
}
