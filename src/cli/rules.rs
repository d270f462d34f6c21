//! `gouji rules …`: the rule sets themselves.

use std::io::Write as _;
use std::path::PathBuf;

use clap::Subcommand;

use super::exit;
use crate::compile::{Compiled, Loader};

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// 检查规则文件，报告其中所有错误和警告 / Lint rule files: report every error and warning
    Check {
        /// 规则文件 / rule files (*.gouji)
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// 额外的规则目录（继承只能在这些目录和内置规则集中查找）/ extra rule roots
        #[arg(long = "rules", value_name = "DIR")]
        roots: Vec<PathBuf>,
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

pub fn run(command: RulesCommand) -> u8 {
    match command {
        RulesCommand::Check { files, roots } => check(&files, roots),
        RulesCommand::Show {
            target,
            check,
            roots,
        } => show(&target, check.as_deref(), roots),
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

fn show(target: &str, check: Option<&str>, roots: Vec<PathBuf>) -> u8 {
    let compiled = load(target, roots);
    let Some(rule_set) = compiled.rule_set.as_ref() else {
        eprint!("{}", render(&compiled));
        return exit::USAGE;
    };
    let text = match check {
        None => rule_set.outline(),
        Some(id) => {
            if let Some(c) = rule_set.check(id) {
                rule_set.check_text(c)
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

fn check(files: &[PathBuf], roots: Vec<PathBuf>) -> u8 {
    let loader = Loader::new(roots);
    let mut failed = false;
    let mut stderr = std::io::stderr().lock();
    for file in files {
        let compiled = loader.compile_file(file);
        failed |= compiled.has_errors();
        let _ = write!(stderr, "{}", render(&compiled));
        let (errors, warnings) = counts(&compiled);
        let verdict = if errors > 0 {
            "有错误 / has errors"
        } else {
            "通过 / ok"
        };
        let _ = writeln!(
            stderr,
            "{}: {verdict}（{errors} 个错误，{warnings} 个警告）",
            file.display()
        );
    }
    if failed { exit::USAGE } else { exit::OK }
}

fn counts(compiled: &Compiled) -> (usize, usize) {
    let errors = compiled.diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, compiled.diagnostics.len() - errors)
}

/// Renders every diagnostic with miette (colour only on a terminal, `NO_COLOR` respected).
pub fn render(compiled: &Compiled) -> String {
    let mut out = String::new();
    for diagnostic in &compiled.diagnostics {
        out.push_str(&super::render_for_stderr(diagnostic));
        out.push('\n');
    }
    out
}
