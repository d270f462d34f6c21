//! Hostile inputs (issue 13): whatever a report, a rule file or the file system holds, gouji
//! exits 0, 1 or 2 with a message, quickly, and loses nothing; a bug (exit 3) costs only the
//! report it was met in.
//!
//! Reports are made from `tests/fixtures/cli/clean.txt` by replacing cells; rule files are in
//! `tests/fixtures/hostile/` or generated here (too large or too repetitive to keep).

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
