//! Stage 2, syntax tree → rule set: names resolved, types checked, inheritance applied.
//!
//! - `fixtures/rules/ok/*.gouji`: one realistic fixture per construct of the language; each must
//!   compile with no error and no warning, and its outline (resolved paths, domains and types)
//!   is snapshotted.
//! - `fixtures/rules/extends/<case>/main.gouji`: composition (继承 by id and by path, 覆盖, 停用,
//!   修改 表格) over several files; outline snapshotted.
//! - `fixtures/rules/err/*.gouji` and `fixtures/rules/err-multi/<case>/main.gouji`: one fixture
//!   per semantic error kind; every diagnostic of the file is rendered (no colour, width 100)
//!   into one snapshot.
//! - the shipped `rules/` compile cleanly, and parameter values parse by type.
//!
//! Fixtures are compiled by their path relative to the crate root (the working directory of
//! integration tests), so file names in snapshots do not depend on the checkout.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gouji::compile::{BUILTIN, Compiled, Loader, parse_param_value};
use gouji::diagnostic::Diagnostic;
use gouji::ruleset::{Date, ParamType, RuleSet, Severity, Value};
use rust_decimal::Decimal;

use crate::support::render_diagnostic;

/// Warnings the shipped rule sets are known to have, as (file, code). Each entry is a bug in
/// that rule file; [`shipped_rule_files_compile_cleanly`] fails once it is fixed, so that the
/// entry is removed.
const KNOWN_SHIPPED_WARNINGS: &[(&str, &str)] = &[];

fn manifest_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `path` relative to the crate root, which is the working directory of integration tests.
fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(manifest_dir())
        .map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
}

/// Compiles a rule file with the built-in rule sets and the file's own directory as roots.
fn compile(path: &Path) -> Compiled {
    Loader::new(Vec::new()).compile_file(&relative(path))
}

/// Every diagnostic of a compilation, rendered, in the order the loader sorted them.
fn render_all(compiled: &Compiled) -> String {
    compiled
        .diagnostics
        .iter()
        .map(render_diagnostic)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The rule set of a file that must compile with no diagnostic at all.
fn compile_clean(path: &Path) -> RuleSet {
    let compiled = compile(path);
    assert!(
        compiled.diagnostics.is_empty(),
        "{} should compile without errors or warnings:\n{}",
        relative(path).display(),
        render_all(&compiled)
    );
    compiled
        .rule_set
        .unwrap_or_else(|| panic!("{} gave no rule set", relative(path).display()))
}

/// Every diagnostic points into its file, on character boundaries (so miette can underline it).
fn assert_spans_in_source(diagnostic: &Diagnostic) {
    let source = diagnostic
        .source
        .as_ref()
        .unwrap_or_else(|| panic!("no source attached to {diagnostic}"));
    let text = source.text();
    let spans = std::iter::once(diagnostic.span).chain(diagnostic.related.iter().map(|(s, _)| *s));
    for span in spans {
        let place = format!("{}: {span:?} of {diagnostic}", source.name());
        assert!(
            span.start <= span.end && span.end <= text.len(),
            "{place} is outside the text"
        );
        assert!(
            text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
            "{place} splits a character"
        );
    }
}

// ------------------------------------------------------------------------------ constructs

#[test]
fn compiled_rule_sets() {
    insta::glob!("fixtures/rules/ok/*.gouji", |path| {
        insta::assert_snapshot!(compile_clean(path).outline());
    });
}

#[test]
fn composed_rule_sets() {
    insta::glob!("fixtures/rules/extends/*/main.gouji", |path| {
        insta::assert_snapshot!(compile_clean(path).outline());
    });
}

/// What the composition snapshots show, said outright.
#[test]
fn composition_overrides_disables_and_modifies() {
    let dir = manifest_dir().join("tests/fixtures/rules/extends");

    let by_id = compile_clean(&dir.join("by-id/main.gouji"));
    assert_eq!(by_id.lineage, ["国家样本-2021", "某省-2021"]);
    let overridden = by_id.check("规章权限").expect("inherited check");
    assert_eq!(
        overridden.severity,
        Severity::Error,
        "覆盖 changes the severity"
    );
    assert_eq!(
        overridden.origin, "国家样本-2021",
        "an overridden check keeps its origin"
    );
    assert!(by_id.check("结转连续").is_none() && by_id.check("信息处理费").is_none());
    assert!(by_id.check("本省-规范性文件").is_some());
    assert!(
        by_id
            .outline()
            .contains("消息 \"表三「{c}」列不平衡：{公式}\""),
        "覆盖 replaces the message"
    );

    let by_path = compile_clean(&dir.join("by-path/main.gouji"));
    let table = &by_path.tables[by_path.table("申请").unwrap()];
    let paths: Vec<&str> = table
        .leaf_rows()
        .map(|r| table.rows[r].path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "一",
            "二",
            "三.予以公开",
            "三.部分公开",
            "三.不予公开",
            "三.无法提供",
            "三.其他处理.逾期不补正",
            "三.其他处理.逾期未缴费",
            "三.其他处理.其他",
            "三.总计",
            "四",
        ]
    );

    let three = compile_clean(&dir.join("three-levels/main.gouji"));
    assert_eq!(three.lineage, ["国家-2021", "湖北-2021", "某县-2021"]);
    assert_eq!(
        three.check("S1").unwrap().severity,
        Severity::Info,
        "the last 覆盖 wins"
    );
    assert!(three.check("咨询").is_none());
}

/// Unused tables and parameters are reported for the file being compiled, not its ancestors.
#[test]
fn unused_warnings_are_for_the_compiled_file_only() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("compile-unused-warnings");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("parent.gouji"),
        "规则集 父\n参数 未用：数 = 1\n章节 甲 \"甲\"\n表格 未用表 属于 甲 { 列 a 行 x }\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("child.gouji"),
        "规则集 子\n继承 父\n检查 C 提示 {\n  断言 全文 包含 \"甲\"\n  消息 \"缺少甲\"\n}\n",
    )
    .unwrap();
    let loader = Loader::new(Vec::new()).without_builtin();
    let parent = loader.compile_file(&dir.join("parent.gouji"));
    let codes: Vec<_> = parent
        .diagnostics
        .iter()
        .map(|d| d.problem.code())
        .collect();
    assert_eq!(codes, ["unused-param", "unused-table"]);
    let child = loader.compile_file(&dir.join("child.gouji"));
    assert!(child.diagnostics.is_empty(), "{}", render_all(&child));
    assert!(child.rule_set.is_some());
}

// ------------------------------------------------------------------------------ errors

#[test]
fn compile_errors() {
    insta::glob!("fixtures/rules/err/*.gouji", |path| {
        let compiled = compile(path);
        let name = relative(path).display().to_string();
        let only_warnings = path
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("unused-");
        if only_warnings {
            assert!(
                !compiled.diagnostics.is_empty(),
                "{name} should give a warning"
            );
            assert!(!compiled.has_errors(), "{name}:\n{}", render_all(&compiled));
            assert!(compiled.rule_set.is_some(), "warnings do not stop {name}");
        } else {
            assert!(compiled.has_errors(), "{name} should not compile");
            assert!(
                compiled.rule_set.is_none(),
                "{name} gave a rule set despite errors"
            );
        }
        compiled.diagnostics.iter().for_each(assert_spans_in_source);
        insta::assert_snapshot!(render_all(&compiled));
    });
}

#[test]
fn compile_errors_across_files() {
    insta::glob!("fixtures/rules/err-multi/*/main.gouji", |path| {
        let compiled = compile(path);
        assert!(
            compiled.has_errors(),
            "{} should not compile",
            relative(path).display()
        );
        compiled.diagnostics.iter().for_each(assert_spans_in_source);
        insta::assert_snapshot!(render_all(&compiled));
    });
}

/// Writes the not-UTF-8 fixture (it cannot be checked in as a text file) into a directory of
/// its own for each test that needs it, so that tests running at once do not share the file.
fn not_utf8_file(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(test);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gbk.gouji");
    // A rule file saved by an editor in GBK, the usual encoding of Chinese Windows: the
    // header is ASCII and UTF-8 alike, the title is not.
    let mut bytes = "# 标题用 GBK 编码保存\n规则集 hubei-2021\n标题 \""
        .as_bytes()
        .to_vec();
    bytes.extend_from_slice(&[
        186, 254, 177, 177, 202, 161, 213, 254, 184, 174, 208, 197, 207, 162, 185, 171, 191, 170,
        185, 164, 215, 247, 196, 234, 182, 200, 177, 168, 184, 230,
    ]);
    bytes.extend_from_slice(b"\"\n");
    std::fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn rule_file_not_utf8() {
    let path = not_utf8_file("compile-not-utf8");
    let compiled = Loader::new(Vec::new()).compile_file(&path);
    let codes: Vec<_> = compiled
        .diagnostics
        .iter()
        .map(|d| d.problem.code())
        .collect();
    assert_eq!(codes, ["not-utf8"]);
    assert!(compiled.rule_set.is_none());
    compiled.diagnostics.iter().for_each(assert_spans_in_source);
    let rendered = render_all(&compiled).replace(&path.display().to_string(), "<tmp>/gbk.gouji");
    insta::assert_snapshot!(rendered);
}

#[test]
fn byte_order_mark_is_accepted() {
    let text = "\u{FEFF}规则集 带BOM\n检查 C 提示 {\n  断言 全文 包含 \"政府信息公开\"\n  消息 \"缺少\"\n}\n";
    let compiled = Loader::new(Vec::new()).compile_text("bom.gouji", text);
    assert!(compiled.diagnostics.is_empty(), "{}", render_all(&compiled));
}

/// Every error kind is produced by at least one fixture (the doc comment of each `Problem`
/// variant names its input; that input is a fixture): stage 1's by `syntax-err/`, stage 2's by
/// `err/`, `err-multi/` and the not-UTF-8 file.
#[test]
fn every_semantic_problem_has_a_fixture() {
    let source = std::fs::read_to_string(manifest_dir().join("src/diagnostic.rs")).unwrap();
    let all: BTreeSet<String> = source
        .split("fn code(&self)")
        .nth(1)
        .and_then(|rest| rest.split("\n    }\n").next())
        .expect("Problem::code in src/diagnostic.rs")
        .lines()
        .filter_map(|line| Some(line.split("=> \"").nth(1)?.split('"').next()?.to_owned()))
        .collect();
    assert!(all.len() > 20, "found only {all:?}");

    let mut found = BTreeSet::new();
    let fixtures = manifest_dir().join("tests/fixtures/rules");
    let mut files: Vec<PathBuf> = ["syntax-err", "err"]
        .iter()
        .flat_map(|dir| std::fs::read_dir(fixtures.join(dir)).unwrap())
        .map(|e| e.unwrap().path())
        .collect();
    for case in std::fs::read_dir(fixtures.join("err-multi")).unwrap() {
        files.push(case.unwrap().path().join("main.gouji"));
    }
    files.retain(|f| f.exists());
    files.push(not_utf8_file("compile-every-problem"));
    for file in files {
        found.extend(
            compile(&file)
                .diagnostics
                .iter()
                .map(|d| d.problem.code().to_owned()),
        );
    }
    let missing: Vec<_> = all.iter().filter(|code| !found.contains(*code)).collect();
    assert!(missing.is_empty(), "no fixture produces {missing:?}");
}

// ------------------------------------------------------------------------------ shipped rules

#[test]
fn shipped_rule_files_compile_cleanly() {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(manifest_dir().join("rules"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "gouji"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no rules/*.gouji found");
    let mut problems = Vec::new();
    let mut known_seen = BTreeSet::new();
    for path in &paths {
        let compiled = compile(path);
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for d in &compiled.diagnostics {
            let known = KNOWN_SHIPPED_WARNINGS
                .iter()
                .find(|&&(f, code)| !d.is_error() && f == file && code == d.problem.code());
            if let Some(known) = known {
                known_seen.insert(known);
            } else {
                problems.push(render_diagnostic(d));
            }
        }
        if compiled.rule_set.is_none() {
            problems.push(format!("{file} gave no rule set"));
        }
    }
    for known in KNOWN_SHIPPED_WARNINGS {
        if !known_seen.contains(known) {
            problems.push(format!(
                "{known:?} no longer occurs: remove it from KNOWN_SHIPPED_WARNINGS"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The copies built into the binary are the files in `rules/`, and compile the same way.
#[test]
fn builtin_rule_sets_are_the_shipped_files() {
    assert!(!BUILTIN.is_empty());
    for (file, text) in BUILTIN {
        let on_disk = std::fs::read_to_string(manifest_dir().join("rules").join(file)).unwrap();
        assert_eq!(*text, on_disk, "{file} is not the file in rules/");
        let compiled = Loader::new(Vec::new()).compile_builtin(file).unwrap();
        assert!(!compiled.has_errors(), "{}", render_all(&compiled));
        let from_disk = compile(&manifest_dir().join("rules").join(file));
        assert_eq!(
            compiled.rule_set.unwrap().outline(),
            from_disk.rule_set.unwrap().outline()
        );
    }
}

// ------------------------------------------------------------------------------ parameters

fn number(text: &str) -> Value {
    Value::Number(text.parse::<Decimal>().unwrap())
}

#[test]
fn parameter_values_of_every_type() {
    let choice = ParamType::Choice(vec!["计零".into(), "缺失".into()]);
    let good: &[(&ParamType, &str, Value)] = &[
        (&ParamType::Number, "0.5", number("0.5")),
        (&ParamType::Number, " -3 ", number("-3")),
        (&ParamType::Number, "100", number("100")),
        (&ParamType::Integer, "6", number("6")),
        (&ParamType::Integer, "-11", number("-11")),
        (
            &ParamType::Text,
            "某某县人民政府办公室",
            Value::Text("某某县人民政府办公室".into()),
        ),
        (&ParamType::Text, "  自然年 ", Value::Text("自然年".into())),
        (
            &ParamType::Date,
            "2022-03-31",
            Value::Date(Date::new(2022, 3, 31).unwrap()),
        ),
        (
            &ParamType::Date,
            "2022/3/31",
            Value::Date(Date::new(2022, 3, 31).unwrap()),
        ),
        (
            &ParamType::Date,
            "2022.01.31",
            Value::Date(Date::new(2022, 1, 31).unwrap()),
        ),
        (
            &ParamType::Date,
            "2020-02-29",
            Value::Date(Date::new(2020, 2, 29).unwrap()),
        ),
        (&ParamType::Bool, "是", Value::Bool(true)),
        (&ParamType::Bool, "否", Value::Bool(false)),
        // As a TOML config file writes them.
        (&ParamType::Bool, "true", Value::Bool(true)),
        (&ParamType::Bool, "false", Value::Bool(false)),
        (&choice, "计零", Value::Text("计零".into())),
        (&choice, "缺失", Value::Text("缺失".into())),
    ];
    for (ty, text, want) in good {
        let got = parse_param_value(ty, text)
            .unwrap_or_else(|e| panic!("{text:?} as {}: {e}", ty.chinese()));
        assert_eq!(&got, want, "{text:?} as {}", ty.chinese());
    }

    // Each bad value, and a word the explanation must contain.
    let bad: &[(&ParamType, &str, &str)] = &[
        (&ParamType::Number, "半个", "数"),
        (&ParamType::Number, "", "数"),
        (&ParamType::Number, "0.5%", "数"),
        (&ParamType::Number, "1,000", "数"),
        (&ParamType::Integer, "5.5", "整数"),
        (&ParamType::Integer, "六", "整数"),
        (&ParamType::Date, "2021-02-29", "日期"),
        (&ParamType::Date, "2022-13-01", "日期"),
        (&ParamType::Date, "3月31日", "日期"),
        (&ParamType::Date, "2022-03", "日期"),
        (&ParamType::Bool, "对", "否"),
        (&ParamType::Bool, "", "是"),
        (&choice, "零", "计零、缺失"),
        (&choice, "计 零", "计零、缺失"),
    ];
    for (ty, text, explained) in bad {
        match parse_param_value(ty, text) {
            Ok(value) => panic!("{text:?} as {} gave {value:?}", ty.chinese()),
            Err(expected) => assert!(
                expected.contains(explained),
                "{text:?} as {}: {expected:?} should mention {explained:?}",
                ty.chinese()
            ),
        }
    }
}
