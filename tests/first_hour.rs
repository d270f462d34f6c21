//! The first hour of a new user, as README walks it, through the real binary: shell
//! completions and the manual page, checking the seed-like report, checking a directory (no
//! progress bar in a pipe), formatting a rule file, and validating the JSON output against
//! the published schema (`docs/gouji-check-1.schema.json`). Then the conventions around them:
//! `--color` and the colour variables, `gouji.toml` found from the reports' folder and named
//! by `-v`, the pairing of a batch in JSON and under `-v`, `gouji rules check --format json`,
//! `gouji rules show S1` without a rule set, and the rule sets' versions in JSON and SARIF.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use crate::support::{Run, Scratch};

const SEED: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/reports/text/seed-like.txt"
);
const SCHEMA_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/docs/gouji-check-1.schema.json"
);

fn seed_text() -> Vec<u8> {
    std::fs::read(SEED).unwrap()
}

/// The published schema, made strict: an object may hold only the fields the schema names,
/// so that a field added to the output without the schema fails here. (Readers are told to
/// ignore fields they do not know; the published file therefore does not forbid them.)
fn strict_validator() -> jsonschema::Validator {
    fn forbid_extra(schema: &mut Value) {
        match schema {
            Value::Object(map) => {
                if map.contains_key("properties") && !map.contains_key("additionalProperties") {
                    map.insert("additionalProperties".into(), Value::Bool(false));
                }
                map.values_mut().for_each(forbid_extra);
            }
            Value::Array(items) => items.iter_mut().for_each(forbid_extra),
            _ => {}
        }
    }
    let mut schema: Value =
        serde_json::from_str(&std::fs::read_to_string(SCHEMA_FILE).unwrap()).unwrap();
    forbid_extra(&mut schema);
    jsonschema::validator_for(&schema).expect("the published schema is a valid JSON Schema")
}

#[track_caller]
fn assert_valid(validator: &jsonschema::Validator, run: &Run) -> Value {
    let document = run.json();
    let errors: Vec<String> = validator
        .iter_errors(&document)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "`gouji {}` does not follow docs/gouji-check-1.schema.json:\n{}",
        run.args,
        errors.join("\n")
    );
    document
}

/// Runs gouji with exactly these colour variables set (and no others).
fn run_with_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let mut command = Command::new(env!("CARGO_BIN_EXE_gouji"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("FORCE_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("gouji runs");
    String::from_utf8(output.stdout).expect("UTF-8")
}

/// A reader that stops early (`gouji completions bash | head`) closes the pipe: the script,
/// the manual page and the schema are cut short quietly, never an internal error.
#[test]
fn printing_into_a_closed_pipe_is_no_error() {
    for args in [&["completions", "bash"][..], &["man"], &["schema"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gouji"))
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("gouji runs");
        drop(child.stdout.take());
        let output = child.wait_with_output().expect("gouji ends");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {stderr}");
        assert!(!stderr.contains("内部错误"), "{args:?}: {stderr}");
    }
}

#[test]
fn completions_for_every_shell_and_the_manual_page() {
    let dir = Scratch::new("first_hour", "completions");
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let run = dir.run(&["completions", shell]);
        run.code(0);
        for word in ["gouji", "check", "fmt", "--format"] {
            assert!(run.stdout.contains(word), "{shell} lacks {word}");
        }
    }
    dir.run(&["completions", "tcsh"]).code(2);

    let man = dir.run(&["man"]);
    man.code(0);
    assert!(man.stdout.contains(".TH gouji 1"), "{}", man.stdout);
    assert!(
        man.stdout.contains("检查报告"),
        "the page holds the commands' help"
    );
    dir.run(&["man", "--dir", "man1"]).code(0);
    for page in ["gouji.1", "gouji-check.1", "gouji-fmt.1"] {
        assert!(dir.path().join("man1").join(page).is_file(), "{page}");
    }
}

#[test]
fn checking_the_seed_report_and_a_directory_of_reports() {
    let dir = Scratch::new("first_hour", "check");
    dir.write("seed-like.txt", seed_text());
    let one = dir.run(&["check", "seed-like.txt"]);
    one.code(1);
    assert!(one.stdout.contains("条例名称"), "{}", one.stdout);
    assert!(one.stdout.contains("1 个错误"), "{}", one.stdout);

    let validator = strict_validator();
    let json = assert_valid(
        &validator,
        dir.run(&["check", "seed-like.txt", "--format", "json"])
            .code(1),
    );
    assert_eq!(json["schema"], "gouji-check/1");
    let versions: Vec<(&str, &str)> = json["rule_sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["version"].as_str().unwrap()))
        .collect();
    assert_eq!(
        versions,
        [("national-2019", "1.0.0"), ("national-2021", "1.0.0")]
    );

    // A directory: the report of 2020 and the same agency's report of 2019.
    dir.copy("s1.txt", "报告/2020.txt");
    dir.copy("prev-2019.txt", "报告/2019.txt");
    dir.write("报告/seed-like.txt", seed_text());
    let batch = dir.run(&["check", "报告", "--format", "json", "-v"]);
    batch.code(1);
    // Standard error is a pipe here: no progress bar, only words.
    assert!(!batch.stderr.contains("已检查"), "{}", batch.stderr);
    assert!(!batch.stderr.contains('\r'), "{}", batch.stderr);
    let json = assert_valid(&validator, &batch);
    let pairing: Vec<(&str, Option<&str>)> = json["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["path"].as_str().unwrap(), r["previous"].as_str()))
        .collect();
    assert!(
        pairing.contains(&("报告/2020.txt", Some("报告/2019.txt"))),
        "{pairing:?}"
    );
    assert!(
        batch
            .stderr
            .contains("「报告/2020.txt」与同一机关上一年度的「报告/2019.txt」配对"),
        "{}",
        batch.stderr
    );

    // Written to a file, the output is the same document; nothing else lands beside it.
    dir.run(&["check", "报告", "--format", "json", "-o", "结果.json"])
        .code(1);
    let written = std::fs::read_to_string(dir.path().join("结果.json")).unwrap();
    let from_file: Value = serde_json::from_str(&written).unwrap();
    assert!(validator.is_valid(&from_file));
    assert_eq!(dir.listing(), ["seed-like.txt", "报告", "结果.json"]);
}

#[test]
fn the_schema_command_prints_the_published_schema() {
    let dir = Scratch::new("first_hour", "schema");
    let run = dir.run(&["schema"]);
    run.code(0);
    assert_eq!(run.stdout, std::fs::read_to_string(SCHEMA_FILE).unwrap());
    let schema = run.json();
    assert_eq!(
        schema["properties"]["schema"]["const"],
        gouji::render::json::SCHEMA,
        "the schema names the version the output writes"
    );
}

#[test]
fn formatting_a_rule_file() {
    let dir = Scratch::new("first_hour", "fmt");
    let messy = "规则集 我的规则   \n\n\n检查 A 错误 {\n断言 1 = 1\n\t且 2 = 2\n}";
    let tidy = "规则集 我的规则\n\n检查 A 错误 {\n  断言 1 = 1\n    且 2 = 2\n}\n";
    dir.write("我的规则.gouji", messy);
    let check = dir.run(&["fmt", "--check", "我的规则.gouji"]);
    check.code(1);
    assert_eq!(check.stdout, "我的规则.gouji\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("我的规则.gouji")).unwrap(),
        messy,
        "--check changes nothing"
    );
    dir.run(&["fmt", "我的规则.gouji"]).code(0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("我的规则.gouji")).unwrap(),
        tidy
    );
    dir.run(&["fmt", "--check", "."]).code(0);
    assert_eq!(
        dir.listing(),
        ["我的规则.gouji"],
        "no temporary file is left"
    );

    // A file that does not parse is left as it is.
    dir.write("坏的.gouji", "检查 A 错误 {\n断言 1 =\n");
    let broken = dir.run(&["fmt", "坏的.gouji"]);
    broken.code(2);
    assert!(
        broken.stderr.contains("有语法错误，没有整理"),
        "{}",
        broken.stderr
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("坏的.gouji")).unwrap(),
        "检查 A 错误 {\n断言 1 =\n"
    );
}

#[test]
fn colour_follows_the_flag_and_the_variables() {
    let dir = Scratch::new("first_hour", "colour");
    dir.write("seed-like.txt", seed_text());
    let coloured = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["check", "seed-like.txt"];
        all.extend_from_slice(args);
        run_with_env(dir.path(), &all, env).contains("\u{1b}[")
    };
    assert!(!coloured(&[], &[]), "a pipe gets no colour");
    assert!(coloured(&["--color", "always"], &[("NO_COLOR", "1")]));
    assert!(!coloured(&["--color", "never"], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&[], &[("FORCE_COLOR", "1")]));
    assert!(coloured(&[], &[("CLICOLOR_FORCE", "1")]));
    assert!(
        coloured(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "")]),
        "an empty NO_COLOR is unset"
    );
    assert!(!coloured(&[], &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")]));
}

#[test]
fn gouji_toml_is_found_from_the_reports_folder() {
    let dir = Scratch::new("first_hour", "config");
    dir.write("项目/gouji.toml", "fail_on = \"never\"\n");
    dir.write("项目/报告/seed-like.txt", seed_text());
    // Run from above the project: the report's folder decides, not the working directory.
    let run = dir.run(&["check", "-v", "项目/报告/seed-like.txt"]);
    run.code(0);
    assert!(
        run.stderr.contains("项目/gouji.toml"),
        "-v names the file: {}",
        run.stderr
    );
    let json = assert_valid(
        &strict_validator(),
        dir.run(&["check", "项目/报告/seed-like.txt", "--format", "json"])
            .code(0),
    );
    assert!(
        json["configuration"]["path"]
            .as_str()
            .unwrap()
            .ends_with("项目/gouji.toml")
    );
}

#[test]
fn rule_files_checked_for_editors_and_ci() {
    let dir = Scratch::new("first_hour", "rules");
    dir.write(
        "规则.gouji",
        "规则集 r\n检查 A 错误 {\n  断言 一[c] = 1\n}\n",
    );
    let run = dir.run(&["rules", "check", "规则.gouji", "--format", "json"]);
    run.code(2);
    let json = run.json();
    assert_eq!(json["schema"], "gouji-rules-check/1");
    let file = &json["files"][0];
    assert_eq!(file["path"], "规则.gouji");
    assert!(file["errors"].as_u64().unwrap() >= 1, "{json:#}");
    let unknown = file["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "unknown-name")
        .unwrap_or_else(|| panic!("{json:#}"));
    assert_eq!(unknown["severity"], "error");
    assert_eq!(
        (&unknown["line"], &unknown["column"]),
        (&3.into(), &6.into())
    );

    let usage = dir.run(&["check", "--fail-on", "sometimes", "x.txt"]);
    usage.code(2);
    assert!(
        usage
            .stderr
            .starts_with("gouji: 命令行有误：--fail-on <级别> 不接受「sometimes」；可用的值：error、warning、never"),
        "{}",
        usage.stderr
    );

    let show = dir.run(&["rules", "show", "S1"]);
    show.code(2);
    assert!(
        show.stderr.contains("national-2019、national-2021")
            && show.stderr.contains("gouji rules show national-2019 S1"),
        "{}",
        show.stderr
    );
}

#[test]
fn sarif_names_the_rule_sets_and_their_versions() {
    let dir = Scratch::new("first_hour", "sarif");
    dir.write("seed-like.txt", seed_text());
    let run = dir.run(&["check", "seed-like.txt", "--format", "sarif"]);
    run.code(1);
    let extensions = &run.json()["runs"][0]["tool"]["extensions"];
    assert_eq!(extensions[0]["name"], "national-2019");
    assert_eq!(extensions[0]["version"], "1.0.0");
}

#[test]
fn documents_link_only_inside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let link = regex::Regex::new(r"\]\(([^)\s]+)\)").unwrap();
    let mut documents = vec![root.join("README.md")];
    documents.extend(
        std::fs::read_dir(root.join("docs"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md")),
    );
    let mut bad = Vec::new();
    for document in &documents {
        let text = std::fs::read_to_string(document).unwrap();
        for target in link.captures_iter(&text).map(|c| c[1].to_owned()) {
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() {
                continue;
            }
            let outside = target.contains("://") || target.starts_with("mailto:");
            if outside || !document.parent().unwrap().join(file).exists() {
                bad.push(format!("{}: {target}", document.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "links outside the repository or to nothing:\n{}",
        bad.join("\n")
    );
}
