//! `gouji diff`: what a change to a rule set does to reports already published — two versions
//! replayed over the same reports ([`crate::testing::replay`]).

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::exit;
use crate::testing::{diff::Paint, replay};

#[derive(Args, Debug)]
pub struct DiffArgs {
    /// 旧的规则集：规则文件或规则集标识 / the old rule set: a rule file or an id
    #[arg(long, value_name = "FILE|ID")]
    old: String,
    /// 新的规则集：规则文件或规则集标识 / the new rule set: a rule file or an id
    #[arg(long, value_name = "FILE|ID")]
    new: String,
    /// 报告文件或目录（目录会递归查找 .txt .html .htm .shtml .toml .json .docx .pdf）
    /// / report files or folders
    #[arg(required = true, value_name = "REPORTS")]
    reports: Vec<PathBuf>,
    /// 额外的规则目录（按标识查找规则集、继承时用），可重复 / extra rule roots (repeatable)
    #[arg(long = "rules", value_name = "DIR")]
    roots: Vec<PathBuf>,
    /// 设置规则集参数，可重复，如 --param 机关层级=乡镇（两个规则集都用）/ set a parameter
    #[arg(long = "param", value_name = "名=值", value_parser = super::check::parse_param)]
    params: Vec<(String, String)>,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// 也列出没有变化的报告 / also list the reports that do not change
    #[arg(short, long)]
    all: bool,
    /// 有任何变化时以退出码 1 结束 / exit with 1 when anything changes
    #[arg(long)]
    exit_code: bool,
    /// 把结果写入文件（整体写入）/ write the output to a file, atomically
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

// The doc comments are `--help` text, where backticks would show.
#[allow(clippy::doc_markdown)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// 人读的输出 / for people
    Human,
    /// JSON（gouji-diff/1，见 docs/testing-rules.md）/ for scripts
    Json,
}

pub fn run(args: &DiffArgs) -> u8 {
    let old = super::rules::load(&args.old, args.roots.clone());
    let new = super::rules::load(&args.new, args.roots.clone());
    let mut failed = false;
    for (flag, compiled) in [("--old", &old), ("--new", &new)] {
        if compiled.has_errors() || compiled.rule_set.is_none() {
            eprint!("{}", super::rules::render(compiled));
            eprintln!("gouji: {flag} 的规则集有错误");
            failed = true;
        }
    }
    let (Some(old_set), Some(new_set)) = (old.rule_set.as_ref(), new.rule_set.as_ref()) else {
        return exit::USAGE;
    };
    if failed {
        return exit::USAGE;
    }
    let file = |target: &str, set: &crate::ruleset::RuleSet| -> String {
        if std::path::Path::new(target).exists() {
            target.to_owned()
        } else {
            set.sources
                .files()
                .next()
                .map_or_else(|| target.to_owned(), |f| f.name().to_owned())
        }
    };
    let (old_file, new_file) = (file(&args.old, old_set), file(&args.new, new_set));
    let (reports, errors) = replay::report_paths(&args.reports);
    for e in &errors {
        eprint!("{e}");
    }
    let result = replay::replay(
        replay::Side {
            rule_set: old_set,
            file: &old_file,
        },
        replay::Side {
            rule_set: new_set,
            file: &new_file,
        },
        &args.params,
        &reports,
        super::test::plain,
    );
    let replayed = match result {
        Ok(r) => r,
        Err(message) => {
            eprint!("{message}");
            return exit::USAGE;
        }
    };
    for e in &replayed.errors {
        eprint!("{e}");
    }
    let text = match args.format {
        Format::Human => {
            let colour = args.output.is_none() && super::color::for_stdout();
            replay::human(&replayed, args.all, Paint { colour })
        }
        Format::Json => replay::json(&replayed),
    };
    let inputs: Vec<&Path> = args.reports.iter().map(PathBuf::as_path).collect();
    if let Err(message) = super::io::emit(args.output.as_deref(), &text, &inputs) {
        eprintln!("gouji: {message}");
        return exit::USAGE;
    }
    if !errors.is_empty() || !replayed.errors.is_empty() {
        exit::USAGE
    } else if args.exit_code && replayed.has_changes() {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
