//! Stage 1, rule text → syntax tree: the shipped rule files, one fixture per construct that
//! parses (snapshot of the tree), one fixture per syntax error a rule author makes (snapshot of
//! the rendered diagnostic), precedence, spans, and robustness against arbitrary input.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use gouji::diagnostic::Diagnostic;
use gouji::source::SourceFile;
use gouji::syntax::ast::{CompareOp, Expr, ExprKind, Item, Selector, UnaryOp};
use gouji::syntax::{KEYWORDS, MAX_NESTING, parse_placeholder, parse_rule_file};
use proptest::prelude::*;

use crate::support::render_diagnostic;

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `syntax-err/foo.gouji`: a name that does not depend on where the repository is checked out.
fn fixture_name(path: &Path) -> String {
    let dir = path
        .parent()
        .and_then(Path::file_name)
        .unwrap()
        .to_string_lossy();
    let file = path.file_name().unwrap().to_string_lossy();
    format!("{dir}/{file}")
}

fn render(error: Diagnostic, name: &str, text: &str) -> String {
    render_diagnostic(&error.in_source(&SourceFile::new(name, text)))
}

/// Parses text that must be valid, failing with the rendered diagnostic otherwise.
fn parse_ok(name: &str, text: &str) -> gouji::syntax::ast::RuleFile {
    parse_rule_file(text, 0)
        .unwrap_or_else(|e| panic!("{name} should parse:\n{}", render(e, name, text)))
}

// ------------------------------------------------------------------------------ shipped rules

#[test]
fn shipped_rule_files_parse() {
    let mut paths: Vec<_> = std::fs::read_dir("rules")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "gouji"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no rules/*.gouji found");
    for path in paths {
        let name = path.display().to_string();
        let file = parse_ok(&name, &read(&path));
        assert!(
            matches!(file.items.first().map(|i| &i.node), Some(Item::RuleSet(_))),
            "{name} should start with 规则集"
        );
    }
}

#[test]
fn windows_line_endings_parse_like_unix_ones() {
    let text = read(Path::new("rules/national-2019.gouji"));
    let unix = parse_ok("national-2019.gouji", &text);
    let windows = parse_ok("national-2019.gouji (CRLF)", &text.replace('\n', "\r\n"));
    assert_eq!(unix.items.len(), windows.items.len());
}

// ------------------------------------------------------------------------------ fixtures

#[test]
fn syntax_errors() {
    insta::glob!("fixtures/rules/syntax-err/*.gouji", |path| {
        let text = read(path);
        let name = fixture_name(path);
        let error = match parse_rule_file(&text, 0) {
            Ok(file) => panic!("{name} should not parse, but gave {file:#?}"),
            Err(error) => error,
        };
        assert_span_in_text(&error, &text);
        insta::assert_snapshot!(render(error, &name, &text));
    });
}

#[test]
fn syntax_trees() {
    insta::glob!("fixtures/rules/syntax-ok/*.gouji", |path| {
        let text = read(path);
        let file = parse_ok(&fixture_name(path), &text);
        insta::assert_snapshot!(pretty(&format!("{file:#?}")));
    });
}

/// Every span in the tree of every valid fixture lies in the text, on character boundaries,
/// and a name's span covers exactly that name.
#[test]
fn spans_of_valid_fixtures_point_at_their_text() {
    for (path, text, debug) in valid_fixture_trees() {
        for (start, end, name) in spans_in_debug(&debug) {
            let place = format!("{}: span {start}..{end}", path.display());
            assert!(
                start <= end && end <= text.len(),
                "{place} is outside the text"
            );
            assert!(
                text.is_char_boundary(start) && text.is_char_boundary(end),
                "{place} splits a character"
            );
            if let Some(name) = name {
                let written = &text[start..end];
                let is_string = written.starts_with(['"', '“', '「']);
                assert!(
                    written == name || is_string,
                    "{place} covers {written:?}, not {name:?}"
                );
            }
        }
    }
}

#[test]
fn spans_do_not_end_in_whitespace() {
    let mut bad = Vec::new();
    for (path, text, debug) in valid_fixture_trees() {
        for (start, end, _) in spans_in_debug(&debug) {
            let written = &text[start..end];
            if written.ends_with(char::is_whitespace) {
                bad.push(format!("{}: {start}..{end} {written:?}", path.display()));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "spans with trailing whitespace:\n{}",
        bad.join("\n")
    );
}

fn valid_fixture_trees() -> Vec<(std::path::PathBuf, String, String)> {
    let mut paths: Vec<_> = std::fs::read_dir("tests/fixtures/rules/syntax-ok")
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            let name = path.file_name().unwrap().to_string_lossy();
            name.ends_with(".gouji")
        })
        .chain(std::iter::once(
            Path::new("rules/national-2019.gouji").to_path_buf(),
        ))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = read(&path);
            let debug = format!("{:?}", parse_ok(&path.display().to_string(), &text));
            (path, text, debug)
        })
        .collect()
}

/// The spans in a tree's `Debug` output: `"name" @3..9` (with the name), `@3..9`, `span: 3..9`
/// and `All(3..9)`.
fn spans_in_debug(debug: &str) -> Vec<(usize, usize, Option<String>)> {
    let pattern =
        regex::Regex::new(r#"(?:"((?:[^"\\]|\\.)*)" )?(?:@|span: |All\()(\d+)\.\.(\d+)"#).unwrap();
    pattern
        .captures_iter(debug)
        .map(|c| {
            // Names never contain escapes; a string literal with one is compared by its quote.
            let name = c
                .get(1)
                .map(|m| m.as_str().to_owned())
                .filter(|n| !n.contains('\\'));
            (c[2].parse().unwrap(), c[3].parse().unwrap(), name)
        })
        .collect()
}

fn assert_span_in_text(error: &Diagnostic, text: &str) {
    let span = error.span;
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "span {span:?} outside the text"
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "span {span:?} splits a character"
    );
}

// ------------------------------------------------------------------------------ structure

/// The expression of the first `断言` of a check whose assertion is `expr`.
fn assertion(expr: &str) -> String {
    let text = format!("检查 T 错误 {{\n  断言 {expr}\n  消息 \"m\"\n}}\n");
    let file = parse_ok("<test>", &text);
    let Item::Check(check) = &file.items[0].node else {
        panic!("not a check")
    };
    sexpr(&check.asserts[0].expr)
}

/// A prefix rendering of an expression that makes its structure plain: `(且 (= a b) c)`.
fn sexpr(expr: &Expr) -> String {
    let list = |items: &[Expr]| items.iter().map(sexpr).collect::<Vec<_>>().join(" ");
    match &expr.node {
        ExprKind::Number(n) => n.to_string(),
        ExprKind::Text(s) => format!("{s:?}"),
        ExprKind::Regex(r) => format!("/{r}/"),
        ExprKind::Date(d) => d.to_string(),
        ExprKind::Range(low, high) => format!("{low}..{high}"),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Path(path) => path_text(path),
        ExprKind::Member(base, name) => format!("(. {} {})", sexpr(base), name.node),
        ExprKind::Cell {
            prev_year,
            target,
            first,
            second,
        } => {
            let second = second
                .as_ref()
                .map(|s| format!(", {}", selector(s)))
                .unwrap_or_default();
            let prev = if *prev_year { "上年." } else { "" };
            format!("{prev}{}[{}{second}]", path_text(target), selector(first))
        }
        ExprKind::Call(name, args) => format!("({} {})", name.node, list(args)),
        ExprKind::Unary(op, operand) => {
            let op = if *op == UnaryOp::Not { "非" } else { "-" };
            format!("({op} {})", sexpr(operand))
        }
        ExprKind::Binary(op, lhs, rhs) => {
            format!("({} {} {})", op.symbol(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::Compare {
            op,
            lhs,
            rhs,
            tolerance,
        } => {
            let tolerance = tolerance.as_ref().map_or(String::new(), |t| {
                format!(
                    " 容差 {}{}",
                    sexpr(&t.amount),
                    if t.relative { "%" } else { "" }
                )
            });
            format!("({} {} {}{tolerance})", op.symbol(), sexpr(lhs), sexpr(rhs))
        }
        ExprKind::If {
            cond,
            then,
            otherwise,
        } => {
            let otherwise = otherwise
                .as_ref()
                .map(|o| format!(" {}", sexpr(o)))
                .unwrap_or_default();
            format!("(若 {} {}{otherwise})", sexpr(cond), sexpr(then))
        }
        ExprKind::Quantified { all, binder, body } => {
            let selectors: Vec<_> = binder.selectors.iter().map(selector).collect();
            let filter = binder
                .filter
                .as_ref()
                .map(|f| format!(" 其中 {}", sexpr(f)))
                .unwrap_or_default();
            format!(
                "({} {} {} 属于 [{}]{filter} {})",
                if *all { "全都" } else { "任一" },
                binder.kind.node.chinese(),
                binder.var.node,
                selectors.join(", "),
                sexpr(body)
            )
        }
    }
}

fn path_text(path: &gouji::syntax::ast::Path) -> String {
    path.node
        .iter()
        .map(|name| name.node.as_str())
        .collect::<Vec<_>>()
        .join(".")
}

fn selector(selector: &Selector) -> String {
    match selector {
        Selector::All(_) => "*".into(),
        Selector::Range(low, high) => format!("{}..{}", path_text(low), path_text(high)),
        Selector::One(path) => path_text(path),
    }
}

#[test]
fn arithmetic_binds_tighter_than_comparison_tighter_than_and_tighter_than_or() {
    assert_eq!(assertion("a + b = c 且 d"), "(且 (= (+ a b) c) d)");
    assert_eq!(assertion("a 或 b 且 c"), "(或 a (且 b c))");
    assert_eq!(assertion("a 且 b 或 c"), "(或 (且 a b) c)");
    assert_eq!(assertion("a × b + c ÷ d = e"), "(= (+ (× a b) (÷ c d)) e)");
    assert_eq!(assertion("a - b - c"), "(- (- a b) c)");
    assert_eq!(assertion("a ÷ b × c"), "(× (÷ a b) c)");
    assert_eq!(assertion("(a + b) × c"), "(× (+ a b) c)");
    assert_eq!(
        assertion("a 在 2019..2020 且 b 包含 \"x\""),
        "(且 (在 a 2019..2020) (包含 b \"x\"))"
    );
    assert_eq!(
        assertion("a 不匹配 /x/ 或 b 不包含 \"y\""),
        "(或 (不匹配 a /x/) (不包含 b \"y\"))"
    );
}

#[test]
fn not_applies_to_the_whole_comparison_but_minus_to_its_operand() {
    assert_eq!(assertion("非 a = b"), "(非 (= a b))");
    assert_eq!(assertion("非 a + 1 = b"), "(非 (= (+ a 1) b))");
    assert_eq!(assertion("非 a = b 且 c"), "(且 (非 (= a b)) c)");
    assert_eq!(assertion("非 非 a"), "(非 (非 a))");
    assert_eq!(assertion("-a × b"), "(× (- a) b)");
    assert_eq!(assertion("a + -b"), "(+ a (- b))");
}

#[test]
fn comparison_operators_in_every_spelling() {
    let spellings = [
        ("=", CompareOp::Eq),
        ("==", CompareOp::Eq),
        ("＝", CompareOp::Eq),
        ("≠", CompareOp::Ne),
        ("!=", CompareOp::Ne),
        ("<>", CompareOp::Ne),
        ("<", CompareOp::Lt),
        ("＜", CompareOp::Lt),
        ("<=", CompareOp::Le),
        ("≤", CompareOp::Le),
        ("＜＝", CompareOp::Le),
        (">", CompareOp::Gt),
        ("＞", CompareOp::Gt),
        (">=", CompareOp::Ge),
        ("≥", CompareOp::Ge),
        ("＞＝", CompareOp::Ge),
    ];
    for (written, op) in spellings {
        assert_eq!(
            assertion(&format!("a {written} b")),
            format!("({} a b)", op.symbol()),
            "{written}"
        );
    }
}

#[test]
fn if_then_else_takes_everything_to_its_right() {
    assert_eq!(assertion("若 a 则 b 否则 c"), "(若 a b c)");
    assert_eq!(assertion("若 a 则 b"), "(若 a b)");
    assert_eq!(
        assertion("x <= 若 a ≠ 无 则 a 否则 日期(y + 1, 3, 31)"),
        "(≤ x (若 (≠ a 无) a (日期 (+ y 1) 3 31)))"
    );
    // The branches are whole expressions: a comparison after 否则 belongs to the else branch.
    assert_eq!(assertion("若 a 则 b 否则 c = d"), "(若 a b (= c d))");
    assert_eq!(
        assertion("若 a 则 1 否则 (若 b 则 2 否则 3)"),
        "(若 a 1 (若 b 2 3))"
    );
}

#[test]
fn references_calls_and_quantifiers() {
    assert_eq!(
        assertion("二[c] = 上年.申请[四, c]"),
        "(= 二[c] 上年.申请[四, c])"
    );
    assert_eq!(
        assertion("r[总计] = 和(r[自然人..其他])"),
        "(= r[总计] (和 r[自然人..其他]))"
    );
    assert_eq!(assertion("和(规章[*]) = 0"), "(= (和 规章[*]) 0)");
    assert_eq!(
        assertion("捕获(全文, /x/).数 = 1"),
        "(= (. (捕获 全文 /x/) 数) 1)"
    );
    assert_eq!(assertion("报告.标题 匹配 /乡/"), "(匹配 报告.标题 /乡/)");
    assert_eq!(assertion("[1, 2] = []"), "(= [1 2] [])");
    assert_eq!(
        assertion("全都(行 r 属于 一, 二 其中 r ≠ 一：r[总计] >= 0)"),
        "(全都 行 r 属于 [一, 二] 其中 (≠ r 一) (≥ r[总计] 0))"
    );
    assert_eq!(
        assertion("任一(单元格 x：x > 0)"),
        "(任一 单元格 x 属于 [] (> x 0))"
    );
}

#[test]
fn tolerance_belongs_to_the_comparison() {
    assert_eq!(assertion("a = b 容差 1%"), "(= a b 容差 1%)");
    assert_eq!(
        assertion("a = b + c 容差 0.5 且 d"),
        "(且 (= a (+ b c) 容差 0.5) d)"
    );
    assert_eq!(
        assertion("非 a = b 容差 参数.容差"),
        "(非 (= a b 容差 参数.容差))"
    );
}

#[test]
fn misplaced_tolerance_is_an_error() {
    for expr in ["a 容差 1", "a + b 容差 1", "a 且 b 容差 1"] {
        let text = format!("检查 T 错误 {{ 断言 {expr} 消息 \"m\" }}");
        let error = parse_rule_file(&text, 0).expect_err(expr);
        assert_eq!(error.problem.code(), "misplaced-tolerance", "{expr}");
    }
}

#[test]
fn spans_are_offset_by_the_base() {
    let text = "规则集 甲\n检查 T 错误 { 断言 a = \"\\q\" 消息 \"m\" }\n";
    let at_zero = parse_rule_file("规则集 甲", 0).unwrap();
    let at_base = parse_rule_file("规则集 甲", 1000).unwrap();
    let (Item::RuleSet(zero), Item::RuleSet(based)) =
        (&at_zero.items[0].node, &at_base.items[0].node)
    else {
        panic!("not a 规则集")
    };
    assert_eq!(
        (based.span.start, based.span.end),
        (zero.span.start + 1000, zero.span.end + 1000)
    );
    // Errors from pest and errors found while building the tree are shifted alike.
    let escape = parse_rule_file(text, 0).unwrap_err().span;
    let shifted = parse_rule_file(text, 1000).unwrap_err().span;
    assert_eq!(&text[escape.start..escape.end], "\\q");
    assert_eq!(
        (shifted.start, shifted.end),
        (escape.start + 1000, escape.end + 1000)
    );
    let syntax = parse_rule_file("规则集 甲\n检查", 0).unwrap_err().span;
    let shifted = parse_rule_file("规则集 甲\n检查", 1000).unwrap_err().span;
    assert_eq!(
        (shifted.start, shifted.end),
        (syntax.start + 1000, syntax.end + 1000)
    );
}

#[test]
fn placeholder_spans_point_into_the_rule_file() {
    let expr = parse_placeholder("左 - 右", 40).unwrap();
    assert_eq!(sexpr(&expr), "(- 左 右)");
    assert_eq!((expr.span.start, expr.span.end), (40, 40 + "左 - 右".len()));
    let error = parse_placeholder("左 -", 40).unwrap_err();
    assert_eq!(error.span.start, 40 + "左 -".len());
}

// ------------------------------------------------------------------------------ nesting

#[test]
fn ten_thousand_nested_parentheses_are_too_deep() {
    let depth = 10_000;
    let text = format!(
        "检查 T 错误 {{\n  断言 {}1{} = 1\n  消息 \"m\"\n}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    let error = parse_rule_file(&text, 0).unwrap_err();
    assert_eq!(error.problem.code(), "too-deep");
    // The check's `{` is the first level, so the error sits on the MAX_NESTING-th `(`.
    let first_paren = text.find('(').unwrap();
    assert_eq!(
        (error.span.start, error.span.end),
        (first_paren + MAX_NESTING - 1, first_paren + MAX_NESTING)
    );
    // Every kind of bracket counts, full-width ones too.
    let text = format!("令 x = {}1{}", "（【[".repeat(depth), "]】）".repeat(depth));
    assert_eq!(
        parse_rule_file(&text, 0).unwrap_err().problem.code(),
        "too-deep"
    );
}

#[test]
fn deepest_allowed_nesting_parses_without_overflowing_the_stack() {
    // The check's `{` plus MAX_NESTING - 1 parentheses: exactly at the limit. Run in a child
    // process so that a stack overflow fails this test instead of aborting the test binary.
    let depth = MAX_NESTING - 1;
    let text = format!(
        "检查 T 错误 {{\n  断言 {}1{} = 1\n  消息 \"m\"\n}}\n",
        "(".repeat(depth),
        ")".repeat(depth)
    );
    assert_eq!(parse_in_child("deepest", &text), Ok("ok".into()));
}

#[test]
fn nesting_without_brackets_is_bounded() {
    for (name, depth) in [("if-100", 100), ("if-10000", 10_000)] {
        let text = format!(
            "检查 T 错误 {{\n  断言 {}甲{}\n  消息 \"m\"\n}}\n",
            "若 非 ".repeat(depth),
            " 则 1".repeat(depth)
        );
        let outcome = parse_in_child(name, &text);
        assert!(
            matches!(outcome.as_deref(), Ok("ok" | "too-deep")),
            "{name}: {outcome:?}"
        );
    }
}

#[test]
fn nesting_counter_understands_regex_literals() {
    for depth in [100, 10_000] {
        let hidden = format!(
            "检查 T 错误 {{\n  断言 全文 匹配 /#/ 且 {}1{} = 1\n  消息 \"m\"\n}}\n",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let outcome = parse_in_child(&format!("regex-hides-{depth}"), &hidden);
        assert_eq!(
            outcome,
            Ok("too-deep".into()),
            "{depth} parentheses after /#/"
        );
    }
    // 65 regexes, each with one unmatched `(` inside a character class: no nesting at all.
    let mut many = String::new();
    for i in 0..=MAX_NESTING {
        let _ = writeln!(many, "令 括号{i} = /[(]/");
    }
    assert_eq!(parse_in_child("regex-brackets", &many), Ok("ok".into()));
}

/// Parses `text` in a child process (this test binary, running [`parse_in_child_process`]), so
/// that a stack overflow, which aborts the process, shows up as an `Err` here. Returns `"ok"`
/// or the problem's code.
fn parse_in_child(name: &str, text: &str) -> Result<String, String> {
    let input =
        std::env::temp_dir().join(format!("gouji-syntax-{}-{name}.gouji", std::process::id()));
    std::fs::write(&input, text).unwrap();
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "syntax::parse_in_child_process",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("GOUJI_CHILD_INPUT", &input)
        .output()
        .unwrap();
    std::fs::remove_file(&input).unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    // The harness prints `test … ... ` on the same line before the test's own output.
    let result = stdout
        .split("RESULT=")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next());
    match (output.status.success(), result) {
        (true, Some(result)) => Ok(result.to_owned()),
        _ => Err(format!(
            "child process failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
                .lines()
                .take(3)
                .collect::<Vec<_>>()
                .join(" / ")
        )),
    }
}

#[test]
#[ignore = "helper run by parse_in_child, not a test of its own"]
fn parse_in_child_process() {
    let Some(input) = std::env::var_os("GOUJI_CHILD_INPUT") else {
        return;
    };
    let text = read(Path::new(&input));
    match parse_rule_file(&text, 0) {
        Ok(_) => println!("RESULT=ok"),
        Err(error) => println!("RESULT={}", error.problem.code()),
    }
}

// ------------------------------------------------------------------------------ size

#[test]
#[ignore = "takes about 16 s in a debug build (1.6 s in release); run with \
            `cargo test --release -- --ignored ten_megabyte`"]
fn ten_megabyte_rule_file_parses() {
    let check = "检查 S{i} 错误 于 申请 {\n  标签 勾稽, 申请\n  断言 对每 列 c：一[c] + 二[c] = 三.总计[c] + 四[c]\n  消息 \"「{c}」列：第一项加第二项之和（{左}）应等于第三项加第四项之和（{右}），相差 {差}\"\n}\n";
    let mut text = String::from("规则集 大文件\n");
    let mut count = 0;
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(&check.replace("{i}", &count.to_string()));
        count += 1;
    }
    let started = std::time::Instant::now();
    let file = parse_ok("big.gouji", &text);
    let elapsed = started.elapsed();
    assert_eq!(file.items.len(), count + 1);
    assert!(elapsed.as_secs() < 5, "parsing 10 MB took {elapsed:?}");
}

// ------------------------------------------------------------------------------ robustness

/// Words, punctuation and literals of the rule language, to build inputs that get past the
/// first few characters of the grammar more often than random text does.
fn vocabulary() -> Vec<&'static str> {
    const WORDS: &str = r#"( ) （ ） [ ] 【 】 { } ｛ ｝ , ， 、 : ： ; . ． .. … ～ ~ = ＝ == != ≠ <>
        < <= ≤ > >= ≥ + ＋ - － × * ＊ ÷ / % ％ " “ ” 「 」 \ \q \n \{ # // 0 1 3.5
        2019..2020 2019-12-31 2021-02-30 99999999999999999999999999999 甲 乙 自然人 总计 报告
        全文 和 c r _ S1 选项 单元格 "文字" “文字” 「文字」 /正则/ /[(]/ /#/ 参数.容差
        上年.申请[四,c] é 😀"#;
    let mut words = KEYWORDS.to_vec();
    words.extend(WORDS.split_whitespace());
    words.extend([
        " ",
        "\n",
        "\t",
        "\r\n",
        "\u{3000}",
        "\u{200b}",
        "\u{0301}",
        "检查 S1 错误 {",
        "消息 \"m\" }",
        "对每 列 c：",
    ]);
    words
}

fn soup() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        4 => proptest::sample::select(vocabulary()).prop_map(str::to_owned),
        1 => "\\PC{0,3}",
    ];
    let separator = proptest::sample::select(vec!["", " ", " ", "\n"]);
    proptest::collection::vec((token, separator), 0..40)
        .prop_map(|parts| parts.into_iter().map(|(t, s)| t + s).collect())
}

/// A small valid file with a piece cut out and something else put in its place.
fn mutated_valid_file() -> impl Strategy<Value = String> {
    const BASE: &str = "规则集 测试\n令 是乡镇 = 报告.标题 匹配 /(镇|乡)/\n表格 申请 属于 依申请公开 {\n  类型 计数\n  列 自然人 \"自然人\"\n  列 总计\n  行 一\n}\n检查 S1 错误 于 申请 {\n  标签 勾稽\n  断言 对每 列 c 属于 自然人..总计：一[c] + 二[c] = 上年.申请[四, c] 且 非 是乡镇\n  消息 \"「{c}」列 {左} ≠ {右}\"\n}\n";
    let boundaries: Vec<usize> = (0..=BASE.len())
        .filter(|&i| BASE.is_char_boundary(i))
        .collect();
    let insert = prop_oneof![
        proptest::sample::select(vocabulary()).prop_map(str::to_owned),
        "\\PC{0,2}"
    ];
    (
        proptest::sample::select(boundaries.clone()),
        0usize..8,
        insert,
    )
        .prop_map(move |(at, cut, insert)| {
            let end = boundaries
                .iter()
                .copied()
                .find(|&b| b >= at + cut)
                .unwrap_or(BASE.len());
            format!("{}{insert}{}", &BASE[..at], &BASE[end..])
        })
}

/// Whatever the input, parsing returns; an error's span lies in the text on character
/// boundaries and renders; a tree's spans do too.
fn check_parse(text: &str) -> Result<(), TestCaseError> {
    match parse_rule_file(text, 0) {
        Ok(file) => {
            for (start, end, _) in spans_in_debug(&format!("{file:?}")) {
                prop_assert!(
                    start <= end && end <= text.len(),
                    "span {start}..{end} outside the text"
                );
                prop_assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
            }
        }
        Err(error) => {
            let span = error.span;
            prop_assert!(
                span.start <= span.end && span.end <= text.len(),
                "span {span:?} outside the text"
            );
            prop_assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
            let rendered = render(error, "fuzz.gouji", text);
            prop_assert!(!rendered.is_empty());
        }
    }
    Ok(())
}

proptest! {
    // 256 cases each keeps the three under a second in a debug build; PROPTEST_CASES=100000
    // searches harder.
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check_parse(&text)?;
    }

    #[test]
    fn keyword_soup_never_panics(text in soup()) {
        check_parse(&text)?;
    }

    #[test]
    fn mutated_rule_file_never_panics(text in mutated_valid_file()) {
        check_parse(&text)?;
    }
}

// ------------------------------------------------------------------------------ pretty printing

/// Re-indents the `Debug` output of a syntax tree for snapshots. `Spanned` prints its node on one
/// line whatever the `#` flag, so every item would be one line hundreds of characters long;
/// here a bracketed group stays on one line only if it fits in 100 columns.
fn pretty(debug: &str) -> String {
    let mut chars = debug.chars().peekable();
    let items = parse_groups(&mut chars, None);
    let mut out = String::new();
    for item in &items {
        write_docs(&mut out, item, 0);
    }
    out.push('\n');
    out
}

enum Doc {
    Text(String),
    Group {
        open: char,
        items: Vec<Vec<Doc>>,
        close: char,
    },
}

/// Reads comma-separated items up to `close` (or the end), keeping string literals whole.
fn parse_groups(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    close: Option<char>,
) -> Vec<Vec<Doc>> {
    let mut items = Vec::new();
    let mut item = Vec::new();
    let mut text = String::new();
    let flush = |text: &mut String, item: &mut Vec<Doc>| {
        if !text.is_empty() {
            item.push(Doc::Text(std::mem::take(text)));
        }
    };
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                text.push(c);
                while let Some(c) = chars.next() {
                    text.push(c);
                    if c == '\\' {
                        text.extend(chars.next());
                    } else if c == '"' {
                        break;
                    }
                }
            }
            '(' | '[' | '{' => {
                flush(&mut text, &mut item);
                let closer = match c {
                    '(' => ')',
                    '[' => ']',
                    _ => '}',
                };
                let inner = parse_groups(chars, Some(closer));
                item.push(Doc::Group {
                    open: c,
                    items: inner,
                    close: closer,
                });
            }
            ',' if close.is_some() => {
                flush(&mut text, &mut item);
                items.push(trim(std::mem::take(&mut item)));
            }
            c if Some(c) == close => break,
            c => text.push(c),
        }
    }
    flush(&mut text, &mut item);
    let item = trim(item);
    if !item.is_empty() {
        items.push(item);
    }
    items
}

fn trim(mut item: Vec<Doc>) -> Vec<Doc> {
    if let Some(Doc::Text(t)) = item.first_mut() {
        *t = t.trim_start().to_owned();
    }
    if let Some(Doc::Text(t)) = item.last_mut() {
        *t = t.trim_end().to_owned();
    }
    item.retain(|d| !matches!(d, Doc::Text(t) if t.is_empty()));
    item
}

fn flat(docs: &[Doc], out: &mut String) {
    for doc in docs {
        match doc {
            Doc::Text(t) => out.push_str(t),
            Doc::Group { open, items, close } => {
                out.push(*open);
                let pad = if *open == '{' && !items.is_empty() {
                    " "
                } else {
                    ""
                };
                out.push_str(pad);
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    flat(item, out);
                }
                out.push_str(pad);
                out.push(*close);
            }
        }
    }
}

fn write_docs(out: &mut String, docs: &[Doc], indent: usize) {
    for (i, doc) in docs.iter().enumerate() {
        match doc {
            Doc::Text(t) => out.push_str(t),
            Doc::Group { open, items, close } => {
                let mut one_line = String::new();
                flat(std::slice::from_ref(doc), &mut one_line);
                // What follows on the same line (` @3..9`) must fit too.
                let mut rest = String::new();
                flat(&docs[i + 1..], &mut rest);
                let column = out[out.rfind('\n').map_or(0, |n| n + 1)..].chars().count();
                if items.is_empty()
                    || column + one_line.chars().count() + rest.chars().count() <= 100
                {
                    out.push_str(&one_line);
                    continue;
                }
                out.push(*open);
                for item in items {
                    let _ = write!(out, "\n{}", " ".repeat(indent + 4));
                    write_docs(out, item, indent + 4);
                    out.push(',');
                }
                let _ = write!(out, "\n{}{close}", " ".repeat(indent));
            }
        }
    }
}
