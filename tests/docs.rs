//! The rule authors' reference, `docs/rule-language.md`, is itself a fixture: every fenced block
//! tagged `gouji` in it is a complete rule file that must compile with no error and no warning,
//! every block tagged `gouji-error` must fail with the code its `# 预期：gouji::…` line names,
//! and the reference must mention every error code, keyword, report field and built-in function
//! the compiler knows, so that it cannot silently fall behind the language.

use std::path::PathBuf;

use gouji::compile::{Compiled, Loader};
use gouji::ruleset::functions::reference_table;
use gouji::ruleset::{FUNCTIONS, ReportField};
use gouji::syntax::KEYWORDS;

use crate::support::render_diagnostic;

const DOC: &str = "docs/rule-language.md";

/// The marker that names the error a `gouji-error` block must produce.
const EXPECT: &str = "# 预期：";

/// One fenced code block of the reference.
struct Block {
    /// The line of the opening fence, counted from 1.
    line: usize,
    tag: String,
    text: String,
}

impl Block {
    /// The name the block's diagnostics are shown under: where to find it in the reference.
    fn name(&self) -> String {
        format!("{DOC}（第 {} 行的示例）", self.line)
    }
}

fn read(path: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every fenced block (three backticks at the start of a line), with its info string as the tag.
fn blocks(doc: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<Block> = None;
    for (index, line) in doc.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(tag)) => {
                open = Some(Block {
                    line: index + 1,
                    tag: tag.trim().to_owned(),
                    text: String::new(),
                });
            }
            (Some(_), Some(rest)) if rest.trim().is_empty() => {
                blocks.push(open.take().expect("a block is open"));
            }
            (Some(block), _) => {
                block.text.push_str(line);
                block.text.push('\n');
            }
            (None, None) => {}
        }
    }
    assert!(
        open.is_none(),
        "{DOC}: the block opened on line {} is never closed",
        open.map_or(0, |b| b.line)
    );
    blocks
}

fn doc_blocks(tag: &str) -> Vec<Block> {
    blocks(&read(DOC))
        .into_iter()
        .filter(|b| b.tag == tag)
        .collect()
}

fn compile(block: &Block) -> Compiled {
    Loader::new(Vec::<PathBuf>::new()).compile_text(&block.name(), &block.text)
}

fn rendered(compiled: &Compiled) -> String {
    compiled
        .diagnostics
        .iter()
        .map(render_diagnostic)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first line that is neither blank nor a comment: a complete rule file starts with its
/// `规则集` line.
fn first_code_line(text: &str) -> &str {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with("//"))
        .unwrap_or("")
}

fn assert_complete_file(block: &Block) {
    assert!(
        first_code_line(&block.text).starts_with("规则集 "),
        "{}: a `{}` block must be a complete rule file starting with `规则集 …`; put a \
         fragment in a `text` block",
        block.name(),
        block.tag
    );
}

#[test]
fn fence_tags_are_known() {
    for block in blocks(&read(DOC)) {
        assert!(
            matches!(
                block.tag.as_str(),
                "gouji" | "gouji-error" | "text" | "console" | "sh" | "toml"
            ),
            "{}: unknown fence tag `{}` (use gouji, gouji-error or text)",
            block.name(),
            block.tag
        );
    }
}

#[test]
fn gouji_blocks_compile_without_diagnostics() {
    let blocks = doc_blocks("gouji");
    assert!(
        blocks.len() >= 20,
        "expected the reference to hold at least 20 complete examples, found {}",
        blocks.len()
    );
    let mut failures = Vec::new();
    for block in &blocks {
        assert_complete_file(block);
        let compiled = compile(block);
        if compiled.rule_set.is_none() || !compiled.diagnostics.is_empty() {
            failures.push(format!(
                "{} should compile without errors or warnings:\n{}",
                block.name(),
                rendered(&compiled)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn gouji_error_blocks_fail_with_the_documented_code() {
    let blocks = doc_blocks("gouji-error");
    assert!(
        blocks.len() >= 8,
        "expected at least 8 error examples, found {}",
        blocks.len()
    );
    let mut failures = Vec::new();
    for block in &blocks {
        assert_complete_file(block);
        let expected: Vec<&str> = block
            .text
            .lines()
            .filter_map(|l| l.trim().strip_prefix(EXPECT))
            .map(|code| code.trim().trim_start_matches("gouji::"))
            .collect();
        assert!(
            !expected.is_empty(),
            "{}: an error example must name its error in a `{EXPECT}gouji::…` line",
            block.name()
        );
        let compiled = compile(block);
        let found: Vec<&str> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.problem.code())
            .collect();
        for code in &expected {
            if !found.contains(code) {
                failures.push(format!(
                    "{} should fail with gouji::{code}, but gave {found:?}:\n{}",
                    block.name(),
                    rendered(&compiled)
                ));
            }
        }
        if compiled.rule_set.is_some() {
            failures.push(format!(
                "{} compiled to a rule set despite its error",
                block.name()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The string literals returned by the arms of `fn <name>` in a source file: the error codes
/// of `Problem::code`.
fn match_arm_strings(source: &str, function: &str) -> Vec<String> {
    let start = source
        .find(&format!("fn {function}("))
        .unwrap_or_else(|| panic!("no fn {function} in the source"));
    let body = &source[start..];
    // A method ends at its indented brace, a free function at the first closing brace of
    // its match; either way the arms come before.
    let body = &body[..body.find("\n    }\n").expect("the function ends")];
    body.lines()
        .filter_map(|l| l.split_once("=> \"").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once('"').map(|(s, _)| s.to_owned()))
        .collect()
}

#[test]
fn every_error_code_is_documented() {
    let doc = read(DOC);
    let codes = match_arm_strings(&read("src/diagnostic.rs"), "code");
    assert!(
        codes.len() > 20,
        "found only {codes:?} in src/diagnostic.rs"
    );
    let missing: Vec<_> = codes
        .iter()
        .filter(|c| !doc.contains(&format!("`gouji::{c}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "{DOC} §错误信息 does not explain {missing:?}"
    );
}

/// §内置函数 is the table `gouji::ruleset::functions::reference_table` writes from the one
/// table of built-in functions, and the summary in §速查 names them all in the same order.
#[test]
fn builtin_functions_are_documented_from_their_table() {
    let doc = read(DOC);
    let table = reference_table();
    assert!(
        doc.contains(&table),
        "{DOC} §内置函数 differs from the table of built-in functions \
         (src/ruleset/functions.rs); replace it with:\n\n{table}"
    );
    let names: Vec<&str> = FUNCTIONS.iter().map(|f| f.name).collect();
    let summary = format!("函数     {}\n", names.join(" "));
    assert!(
        doc.contains(&summary),
        "{DOC} §速查 should list the functions as:\n{summary}"
    );
}

#[test]
fn every_keyword_and_report_field_is_documented() {
    let doc = read(DOC);
    let missing: Vec<_> = KEYWORDS
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "{DOC} §关键字 does not list {missing:?}"
    );
    for (name, _, _) in ReportField::ALL {
        assert!(
            doc.contains(&format!("`报告.{name}`")),
            "{DOC} does not explain `报告.{name}`"
        );
    }
}

/// The constructs added with the complete national rule sets each have a complete example
/// that compiles (checked by `gouji_blocks_compile_without_diagnostics`), so that the
/// reference shows them in use rather than only naming them.
#[test]
fn newer_constructs_have_compiling_examples() {
    let blocks = doc_blocks("gouji");
    let has = |what: &str, found: &dyn Fn(&str) -> bool| {
        assert!(
            blocks.iter().any(|b| found(&b.text)),
            "{DOC}: no ```gouji example uses {what}"
        );
    };
    has("`删除 表格`", &|t| {
        t.lines().any(|l| l.trim().starts_with("删除 表格 "))
    });
    has("`是空白(…)`", &|t| t.contains("是空白("));
    has(
        "`其中 c ≠ 总计` (a variable compared with a name)",
        &|t| t.contains("其中 c ≠ 总计"),
    );
    has("`对每 单元格 x` without `于` or `属于`", &|t| {
        let mut header = "";
        t.lines().any(|line| {
            let line = line.trim();
            if line.starts_with("检查 ") {
                header = line;
            }
            line.contains("对每 单元格")
                && !line.contains("属于")
                && header.starts_with("检查 ")
                && !header.contains(" 于 ")
        })
    });
    has("`继承 national-2021`", &|t| {
        t.lines().any(|l| l.trim() == "继承 national-2021")
    });
}
