//! The command line. `main.rs` only calls [`run`]; everything here turns arguments into calls
//! of the library and results into text and an exit code.

mod baseline;
mod batch;
mod check;
pub mod color;
mod completions;
mod config;
mod diff;
mod extract;
mod fmt;
mod io;
mod man;
mod progress;
mod rules;
mod rules_json;
mod schema;
mod test;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes, as documented in `--help` and README.
pub mod exit {
    /// Nothing at or above the failure level was found.
    pub const OK: u8 = 0;
    /// Findings at or above the failure level.
    pub const FINDINGS: u8 = 1;
    /// A usage error, an unreadable input, or an error in a rule file.
    pub const USAGE: u8 = 2;
    /// A bug in gouji.
    pub const INTERNAL: u8 = 3;
}

/// The exit codes, as `--help` shows them.
const EXIT_CODES: &str = "退出码 / exit codes:\n  0  没有发现问题 / no finding at or above --fail-on\n  1  发现问题 / findings at or above --fail-on\n  2  用法错误、无法读取的输入或规则文件错误 / usage error, unreadable input, or rule-file error\n  3  内部错误 / internal error";

#[derive(Parser, Debug)]
#[command(
    name = "gouji",
    version,
    about = "勾稽 — 检查政府信息公开工作年度报告的规则引擎\nA rule engine that checks government information disclosure annual reports.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    /// 是否用颜色（也看 NO_COLOR、FORCE_COLOR、CLICOLOR_FORCE）/ when to use colour
    #[allow(clippy::doc_markdown)] // `--help` text, where backticks would show.
    #[arg(long, global = true, value_enum, default_value_t, value_name = "WHEN")]
    color: color::ColorChoice,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// 检查报告：找出不符合规则的地方 / Check reports against the rule sets
    #[command(after_help = EXIT_CODES)]
    Check(check::CheckArgs),
    /// 规则集：列出、查看、检查规则文件 / Rule sets: list, show, lint rule files
    #[command(subcommand)]
    Rules(rules::RulesCommand),
    /// 读取报告，输出读到的元数据、章节、单元格和读取异常 / Read a report and print what was read
    Extract(extract::ExtractArgs),
    /// 运行规则集的测试用例：报告与预期的问题是否一致 / Run the test cases of rule sets
    #[command(after_help = test::EXIT_CODES)]
    Test(test::TestArgs),
    /// 比较规则集的两个版本：同一批报告上的问题有何增减变化 / Compare two versions of a rule set over reports
    Diff(diff::DiffArgs),
    /// 把报告现有的问题登记为豁免（写入豁免登记表）/ Record current findings as waivers
    Baseline(baseline::BaselineArgs),
    /// 把规则文件排成统一的格式（保留注释）/ Format rule files canonically (comments kept)
    Fmt(fmt::FmtArgs),
    /// 输出 shell 的命令补全脚本 / Print a shell completion script
    Completions(completions::CompletionsArgs),
    /// 输出 man 手册页 / Print the manual page (roff), or write every page into a folder
    Man(man::ManArgs),
    /// 输出 --format json 的 JSON Schema / Print the JSON Schema of `--format json`
    Schema,
}

/// Renders a diagnostic for standard error: in colour as `--color` and the environment say,
/// with the same Unicode drawing either way.
pub fn render_for_stderr(diagnostic: &dyn miette::Diagnostic) -> String {
    let theme = if color::for_stderr() {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let _ = miette::GraphicalReportHandler::new_themed(theme)
        .with_links(false)
        .render_report(&mut out, diagnostic);
    out
}

/// A usage error in words, as the line above clap's own (English) message.
fn usage_headline(error: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let context = |kind| match error.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(list)) => list.join("、"),
        _ => String::new(),
    };
    let detail = match error.kind() {
        ErrorKind::InvalidValue => format!(
            "{} 不接受「{}」；可用的值：{}",
            context(ContextKind::InvalidArg),
            context(ContextKind::InvalidValue),
            context(ContextKind::ValidValue)
        ),
        ErrorKind::UnknownArgument => {
            format!("没有「{}」这个选项", context(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidSubcommand => format!(
            "没有「{}」这条命令",
            context(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::MissingRequiredArgument => {
            format!("缺少 {}", context(ContextKind::InvalidArg))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "请给出一条命令，如 gouji check 报告.txt".to_owned()
        }
        _ => "参数不对".to_owned(),
    };
    format!("命令行有误：{detail}（gouji --help 查看用法）")
}

/// The stack of every thread that evaluates rules: evaluation recurses once per level of an
/// expression, and the deepest expression a rule file may hold needs more than the default
/// 2 MiB in a debug build. Only what is used is committed.
const EVALUATION_STACK: usize = 64 * 1024 * 1024;

/// Gives rayon's global pool, on which rule-set tests, `diff` and `baseline` evaluate, the
/// evaluation stack. Only those commands build it: its threads start at once and look for
/// work for a while, which on a small machine costs a one-report `check` (its own threads,
/// see `batch`) processor time it needs. Building can only fail if a pool was already built,
/// which then serves as it is.
fn evaluate_on_global_pool() {
    let _ = rayon::ThreadPoolBuilder::new()
        .stack_size(EVALUATION_STACK)
        .build_global();
}

/// Parses the arguments and runs the command.
#[must_use]
pub fn run() -> ExitCode {
    io::remove_temporaries_when_interrupted();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            if e.use_stderr() {
                eprintln!("gouji: {}", usage_headline(&e));
            }
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    color::set(cli.color);
    if matches!(
        cli.command,
        Command::Test(_) | Command::Diff(_) | Command::Baseline(_)
    ) {
        evaluate_on_global_pool();
    }
    let code = match cli.command {
        Command::Check(args) => check::run(&args),
        Command::Rules(command) => rules::run(command),
        Command::Extract(args) => extract::run(&args),
        Command::Test(args) => test::run(&args),
        Command::Diff(args) => diff::run(&args),
        Command::Baseline(args) => baseline::run(&args),
        Command::Fmt(args) => fmt::run(&args),
        Command::Completions(args) => completions::run(&args),
        Command::Man(args) => man::run(&args),
        Command::Schema => schema::run(),
    };
    ExitCode::from(code)
}
