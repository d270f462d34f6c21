//! `gouji rules …`: the rule sets themselves.

use std::io::Write as _;
use std::path::PathBuf;

use clap::Subcommand;

use super::exit;
use crate::compile::{Compiled, Loader};

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// 列出可用的规则集（内置的和 --rules 目录中的），或一个规则集中的检查
    /// / List the rule sets (built-in and under --rules), or the checks of one
    List {
        /// 规则集标识或规则文件；给出时列出其中的检查 / a rule-set id or file: list its checks
        target: Option<String>,
        /// 额外的规则目录或文件，可重复 / extra rule directories or files (repeatable)
        #[arg(long = "rules", value_name = "DIR")]
        roots: Vec<PathBuf>,
    },
    /// 检查规则文件，报告其中所有错误和警告 / Lint rule files: report every error and warning
    Check {
        /// 规则文件 / rule files (*.gouji)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 额外的规则目录（继承只能在这些目录和内置规则集中查找）/ extra rule roots
        #[arg(long = "rules", value_name = "DIR")]
        roots: Vec<PathBuf>,
        /// 输出格式：human（人读，写到标准错误）或 json（gouji-rules-check/1，写到标准输出，给编辑器和 CI）
        /// / human (on standard error) or json (on standard output, for editors and CI)
        #[arg(long, value_enum, default_value_t)]
        format: CheckFormat,
    },
    /// 显示规则集的结构，或其中一条检查 / Show a rule set's outline, or one of its checks
    Show {
        /// 规则文件路径或规则集标识（如 national-2019）/ a rule file or a rule-set id
        target: String,
        /// 检查的编号 / the id of one check
        check: Option<String>,
        /// 额外的规则目录 / extra rule roots
        #[arg(long = "rules", value_name = "DIR")]
        roots: Vec<PathBuf>,
    },
}

/// The output of `gouji rules check`.
#[derive(Debug, Clone, Copy, Default, clap::ValueEnum)]
pub enum CheckFormat {
    #[default]
    Human,
    Json,
}

pub fn run(command: RulesCommand) -> u8 {
    match command {
        RulesCommand::List { target, roots } => match target {
            None => list_sets(&roots),
            Some(target) => list_checks(&target, roots),
        },
        RulesCommand::Check {
            files,
            roots,
            format,
        } => check(&files, roots, format),
        RulesCommand::Show {
            target,
            check,
            roots,
        } => show(&target, check.as_deref(), &roots),
    }
}

/// Compiles a rule file (a path) or a rule set found by id among the roots and built-ins.
pub fn load(target: &str, roots: Vec<PathBuf>) -> Compiled {
    let path = std::path::Path::new(target);
    let loader = Loader::new(roots);
    if path.exists() {
        return loader.compile_file(path);
    }
    loader.compile_id(target).unwrap_or_else(|| {
        let known = loader.known_ids();
        let suggestion = crate::diagnostic::suggest(target, known.iter().map(String::as_str));
        let problem = crate::diagnostic::Problem::UnknownRuleSet {
            id: target.to_owned(),
            suggestion,
        };
        Compiled {
            rule_set: None,
            diagnostics: vec![crate::diagnostic::Diagnostic::error(
                problem,
                crate::source::Span::default(),
            )],
        }
    })
}

fn show(target: &str, check: Option<&str>, roots: &[PathBuf]) -> u8 {
    if check.is_none() {
        if let Some(message) = sets_holding_check(target, roots) {
            eprintln!("{message}");
            return exit::USAGE;
        }
    }
    let compiled = load(target, roots.to_vec());
    let Some(rule_set) = compiled.rule_set.as_ref() else {
        eprint!("{}", render(&compiled));
        return exit::USAGE;
    };
    let text = match check {
        None => rule_set.outline(),
        Some(id) => {
            if let Some(c) = rule_set.check(id) {
                let mut text = rule_set.check_text(c);
                text.push_str(&cases_using(target, &rule_set.id, id, roots));
                text
            } else {
                let ids = rule_set.checks.iter().map(|c| c.id.as_str());
                let hint = crate::diagnostic::suggest(id, ids)
                    .map(|s| format!("（是不是「{s}」？）"))
                    .unwrap_or_default();
                eprintln!("规则集「{}」中没有检查「{id}」{hint}", rule_set.id);
                return exit::USAGE;
            }
        }
    };
    print!("{text}");
    exit::OK
}

/// `gouji rules show S1`: when the one name given is no rule file or rule set but the id of a
/// check, which rule sets hold it and how to show it.
fn sets_holding_check(name: &str, roots: &[PathBuf]) -> Option<String> {
    if std::path::Path::new(name).exists() {
        return None;
    }
    let loader = Loader::new(roots.to_vec());
    let ids = loader.known_ids();
    if ids.iter().any(|id| id == name) {
        return None;
    }
    let holders: Vec<String> = ids
        .iter()
        .filter(|id| {
            loader
                .compile_id(id)
                .and_then(|c| c.rule_set)
                .is_some_and(|set| set.check(name).is_some())
        })
        .cloned()
        .collect();
    let first = holders.first()?;
    Some(format!(
        "gouji: 「{name}」是检查的编号，不是规则集。含有检查「{name}」的规则集：{}。\n\
         查看它：gouji rules show {first} {name}",
        holders.join("、")
    ))
}

fn check(files: &[PathBuf], roots: Vec<PathBuf>, format: CheckFormat) -> u8 {
    let loader = Loader::new(roots).building_patterns();
    let compiled: Vec<(String, Compiled)> = files
        .iter()
        .map(|file| (file.display().to_string(), loader.compile_file(file)))
        .collect();
    let failed = compiled.iter().any(|(_, c)| c.has_errors());
    match format {
        CheckFormat::Json => {
            // A closed pipe is not an error.
            let _ = std::io::stdout()
                .lock()
                .write_all(super::rules_json::render(&compiled).as_bytes());
        }
        CheckFormat::Human => {
            let mut stderr = std::io::stderr().lock();
            for (file, compiled) in &compiled {
                let _ = write!(stderr, "{}", render(compiled));
                let (errors, warnings) = counts(compiled);
                let verdict = if errors > 0 {
                    "有错误 / has errors"
                } else {
                    "通过 / ok"
                };
                let _ = writeln!(
                    stderr,
                    "{file}: {verdict}（{errors} 个错误，{warnings} 个警告）"
                );
            }
        }
    }
    if failed { exit::USAGE } else { exit::OK }
}

fn counts(compiled: &Compiled) -> (usize, usize) {
    let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, compiled.diagnostics.len() - errors)
}

/// Renders every diagnostic with miette (colour as `--color` and the environment say).
pub fn render(compiled: &Compiled) -> String {
    let mut out = String::new();
    for diagnostic in &compiled.diagnostics {
        out.push_str(&super::render_for_stderr(diagnostic));
        out.push('\n');
    }
    out
}

/// `gouji rules list`: one line per rule set — the built-in ones, then those in the `--rules`
/// directories and files (in path order) — with its id, title, 依据, 适用 condition, number
/// of checks and file. A rule file that does not compile is reported on standard error, and
/// the exit code is 2.
fn list_sets(roots: &[PathBuf]) -> u8 {
    let dirs: Vec<PathBuf> = roots.iter().filter(|p| p.is_dir()).cloned().collect();
    let loader = Loader::new(dirs);
    let mut compiled: Vec<(String, Compiled)> = crate::compile::BUILTIN
        .iter()
        .filter_map(|(file, _)| {
            let c = loader.compile_builtin(file)?;
            Some((crate::compile::builtin_name(file), c))
        })
        .collect();
    for root in roots {
        let files = if root.is_dir() {
            crate::files::rule_files_under(root)
        } else {
            vec![root.clone()]
        };
        compiled.extend(
            files
                .iter()
                .map(|f| (f.display().to_string(), loader.compile_file(f))),
        );
    }
    let mut failed = false;
    let mut rows = vec![[
        "标识".to_owned(),
        "标题".to_owned(),
        "依据".to_owned(),
        "适用".to_owned(),
        "检查".to_owned(),
        "文件".to_owned(),
    ]];
    for (file, c) in &compiled {
        let Some(set) = c.rule_set.as_ref().filter(|_| !c.has_errors()) else {
            eprint!("{}", render(c));
            eprintln!("gouji: 规则文件「{file}」有错误，未列出（用 gouji rules check 查看）");
            failed = true;
            continue;
        };
        rows.push([
            set.id.clone(),
            set.title.clone().unwrap_or_else(|| "—".to_owned()),
            set.basis.clone().unwrap_or_else(|| "—".to_owned()),
            set.applies
                .as_ref()
                .map_or_else(|| "总是".to_owned(), |e| set.expr_text(e, &[])),
            set.checks.len().to_string(),
            file.clone(),
        ]);
    }
    print!("{}", table(&rows));
    if failed { exit::USAGE } else { exit::OK }
}

/// `gouji rules list ID`: the checks of one rule set, in its order, with their severity, tags
/// and the rule set that declared them.
fn list_checks(target: &str, roots: Vec<PathBuf>) -> u8 {
    let compiled = load(target, roots);
    let Some(set) = compiled
        .rule_set
        .as_ref()
        .filter(|_| !compiled.has_errors())
    else {
        eprint!("{}", render(&compiled));
        return exit::USAGE;
    };
    let mut rows = vec![[
        "编号".to_owned(),
        "严重性".to_owned(),
        "标签".to_owned(),
        "来自".to_owned(),
    ]];
    rows.extend(set.checks.iter().map(|c| {
        [
            c.id.clone(),
            c.severity.chinese().to_owned(),
            if c.tags.is_empty() {
                "—".to_owned()
            } else {
                c.tags.join("、")
            },
            c.origin.clone(),
        ]
    }));
    println!("规则集 {}：{} 条检查", set.id, set.checks.len());
    print!("{}", table(&rows));
    exit::OK
}

/// Rows as aligned columns, two spaces apart, by display width (a Chinese character takes two
/// columns); the last column is not padded.
fn table<const N: usize>(rows: &[[String; N]]) -> String {
    use unicode_width::UnicodeWidthStr as _;
    let mut widths = [0; N];
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (i, cell) in row.iter().enumerate() {
            line.push_str(cell);
            if i + 1 < N {
                line.extend(std::iter::repeat_n(' ', widths[i] - cell.width() + 2));
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The test cases (`gouji test` expectation files) that expect a finding of check `id`: in
/// the cases folder of the rule file, or for a set found by id, in `tests/<id>/` under the
/// rule roots and under `rules/` of the working directory.
fn cases_using(target: &str, set_id: &str, id: &str, roots: &[PathBuf]) -> String {
    let path = std::path::Path::new(target);
    let mut dirs = Vec::new();
    if path.is_file() {
        dirs.push(crate::testing::cases_dir(path));
    } else {
        dirs.extend(
            roots
                .iter()
                .map(|r| r.join(crate::testing::TESTS_DIR).join(set_id)),
        );
        dirs.push(
            PathBuf::from("rules")
                .join(crate::testing::TESTS_DIR)
                .join(set_id),
        );
    }
    let is_expectation = |p: &std::path::Path| {
        p.to_string_lossy()
            .ends_with(crate::testing::expect::SUFFIX)
    };
    let mut found: Vec<PathBuf> = dirs
        .iter()
        .flat_map(|d| crate::files::files_under(d, &is_expectation, &|_| true))
        .collect();
    found.sort();
    found.dedup();
    let using: Vec<String> = found
        .into_iter()
        .filter(|file| {
            let Some(text) = crate::files::read_file(file)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
            else {
                return false;
            };
            let source = crate::source::SourceFile::new(file.display().to_string(), text);
            crate::testing::expect::parse(&source)
                .is_ok_and(|e| e.findings.iter().any(|f| f.rule == id))
        })
        .map(|file| format!("  {}\n", file.display()))
        .collect();
    if using.is_empty() {
        format!(
            "\n没有测试用例预期这条检查的问题（在 {} 中查找）\n",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join("、")
        )
    } else {
        format!("\n预期这条检查的问题的测试用例：\n{}", using.concat())
    }
}
