//! `gouji baseline`: records the findings of reports as waivers in a register, which staff then
//! review, give reasons, and keep in version control; and reading a register for
//! `gouji check --waivers`.
//!
//! An existing register is updated, not replaced: its entries (and their reasons) are kept,
//! the findings none of them accepts are added, and `--prune` drops the entries about the
//! reports checked that accepted nothing this time. The file is written whole or not at all,
//! and never over one of the reports read.

use std::path::{Path, PathBuf};

use clap::Args;
use jiff::civil::Date;
use rayon::prelude::*;

use super::check::{PathFilter, Selection, check_report, expand_paths, pair_years};
use super::exit;
use crate::check::Checker;
use crate::ruleset::RuleSet;
use crate::waivers::{Entry, Register, Waivers};

#[derive(Args, Debug)]
pub struct BaselineArgs {
    /// 报告文件或目录（目录会递归查找报告文件）/ report files or directories
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// 豁免登记表：已有的会更新（保留已有条目和理由），没有的会新建
    /// / the register to write; an existing one is updated, its entries kept
    #[arg(short, long, value_name = "FILE", required = true)]
    output: PathBuf,
    /// 新登记的豁免的理由 / the reason given to the new waivers
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// 新登记的豁免的到期日（这一天之后不再适用），如 2027-06-30
    /// / the last day the new waivers apply
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    expires: Option<Date>,
    /// 登记人，默认为当前系统用户 / who records them (default: the current user)
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// 删除所检查的报告中不再豁免任何问题的条目（过时的、值或检查已变的、已到期的）
    /// / remove the entries about these reports that waive nothing any more
    #[arg(long)]
    prune: bool,
    /// 规则文件或目录，可重复；不指定时使用内置的国家格式规则集
    /// / rule files or directories (repeatable); default: the built-in national rule sets
    #[arg(long = "rules", value_name = "FILE|DIR")]
    rules: Vec<PathBuf>,
    /// 指定规则集（按标识）/ force one rule set by id
    #[arg(long, value_name = "ID")]
    ruleset: Option<String>,
    /// 设置规则集参数，可重复 / set a rule-set parameter
    #[arg(long = "param", value_name = "名=值", value_parser = super::check::parse_param)]
    params: Vec<(String, String)>,
}

/// The reason of a waiver recorded without `--reason`: says that no one has looked yet.
pub const UNREVIEWED: &str = "建立基线时已有的问题，尚待审阅";

fn parse_date(text: &str) -> Result<Date, String> {
    text.trim()
        .parse::<Date>()
        .map_err(|_| format!("日期应写作 年-月-日，如 2027-06-30；这里是「{text}」"))
}

pub fn run(args: &BaselineArgs) -> u8 {
    let config = match super::config::discover_for_reports(&args.paths) {
        Ok(config) => config.unwrap_or_default(),
        Err(e) => {
            eprint!("{}", super::render_for_stderr(e.as_ref()));
            return exit::USAGE;
        }
    };
    let rules = config.rules_or(&args.rules);
    let params = config.params_with(&args.params);
    let rule_sets = match super::check::load_rule_sets(
        &rules,
        args.ruleset.as_deref().or(config.ruleset.as_deref()),
    ) {
        Ok(sets) => sets,
        Err(message) => {
            eprint!("{message}");
            return exit::USAGE;
        }
    };
    let selection = Selection::new(&config.select, &config.ignore, &rule_sets);
    let checker = match Checker::new(&rule_sets, &params) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gouji: {e}");
            return exit::USAGE;
        }
    };
    let existing = if args.output.exists() {
        match read_register(&args.output) {
            Ok(register) => register,
            Err(message) => {
                eprint!("{message}");
                return exit::USAGE;
            }
        }
    } else {
        Register::default()
    };
    let waivers = Waivers::new(existing, &args.output, &rule_sets, crate::waivers::today());
    let mut unreadable = false;
    let filter = PathFilter::new(&[], &[]).expect("no patterns, no error");
    let paths = expand_paths(&args.paths, &filter, false, &mut unreadable);
    let pairs = if paths.len() > 1 {
        pair_years(&checker, &paths)
    } else {
        Vec::new()
    };
    let by = args.by.clone().or_else(current_user);
    let results: Vec<Result<Vec<Entry>, String>> = paths
        .par_iter()
        .enumerate()
        .map(|(i, path)| {
            let report = check_report(
                &checker,
                &selection,
                Some(&waivers),
                path,
                None,
                pairs.get(i),
            )
            .map_err(|failure| failure.message().to_owned())?;
            Ok(report
                .findings
                .iter()
                .map(|f| Entry {
                    reason: args.reason.clone().unwrap_or_else(|| UNREVIEWED.to_owned()),
                    expires: args.expires,
                    by: by.clone(),
                    ..Entry::for_finding(
                        &report,
                        f,
                        waivers.version_of(&report.rule_set, f),
                        waivers.base(),
                    )
                })
                .collect())
        })
        .collect();
    let mut added = Vec::new();
    for result in results {
        match result {
            Ok(entries) => added.extend(entries),
            Err(message) => {
                eprintln!("{}", message.trim_end());
                unreadable = true;
            }
        }
    }
    // Under gouji.toml's select/ignore, the waivers of the rules left out match nothing: they
    // are not pruned.
    let prune = args.prune && selection.is_everything();
    if args.prune && !prune {
        eprintln!(
            "gouji: 警告：gouji.toml 用 select/ignore 只选了部分规则，--prune 不删除任何条目"
        );
    }
    let before = waivers.entries().len();
    let mut entries = if prune {
        waivers.kept()
    } else {
        waivers.entries().to_vec()
    };
    let removed = before - entries.len();
    let new = added.len();
    entries.extend(added);
    let text = crate::waivers::write(&Register { entries });
    let inputs: Vec<&Path> = paths.iter().filter(|p| *p != "-").map(Path::new).collect();
    if let Err(message) = super::io::emit(Some(&args.output), &text, &inputs) {
        eprintln!("gouji: {message}");
        return exit::USAGE;
    }
    eprintln!(
        "gouji: 已写入「{}」：新登记 {new} 条，保留 {} 条，删除 {removed} 条",
        args.output.display(),
        before - removed
    );
    if unreadable { exit::USAGE } else { exit::OK }
}

/// The name of the user running gouji, for 登记人.
fn current_user() -> Option<String> {
    ["USER", "USERNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok())
        .filter(|name| !name.trim().is_empty())
}

/// Reads a register; the error comes back rendered, with its place.
fn read_register(path: &Path) -> Result<Register, String> {
    let name = path.display().to_string();
    let text = crate::files::read_file(path)
        .and_then(|bytes| {
            String::from_utf8(bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
        })
        .map_err(|e| {
            format!(
                "gouji: 无法读取豁免登记表「{name}」：{}\n",
                super::io::io_reason(&e, false)
            )
        })?;
    crate::waivers::parse(&crate::source::SourceFile::new(name, text))
        .map_err(|e| super::render_for_stderr(e.as_ref()))
}

/// The waivers of `gouji check`: from `--waivers`, else from `gouji.toml`'s `waivers`, if
/// either names a register. A register that cannot be read is an error (rendered).
pub(super) fn waivers_for(
    path: Option<PathBuf>,
    rule_sets: &[RuleSet],
) -> Result<Option<Waivers>, String> {
    let Some(path) = path else {
        return Ok(None);
    };
    let register = read_register(&path)?;
    Ok(Some(Waivers::new(
        register,
        &path,
        rule_sets,
        crate::waivers::today(),
    )))
}
