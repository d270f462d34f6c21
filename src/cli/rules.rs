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
}

pub fn run(command: RulesCommand) -> u8 {
    match command {
        RulesCommand::Check { files, roots } => check(&files, roots),
    }
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
    let handler = miette::GraphicalReportHandler::new();
    let mut out = String::new();
    for diagnostic in &compiled.diagnostics {
        let _ = handler.render_report(&mut out, diagnostic);
        out.push('\n');
    }
    out
}
