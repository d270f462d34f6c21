//! `gouji test`: run the test cases of rule sets (report fixtures with expected findings), in
//! the layout and format of docs/testing-rules.md; the work is done by [`crate::testing`].

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::exit;
use crate::testing::{self, diff::Paint, output};

/// The exit codes of `gouji test`, as `--help` shows them.
pub const EXIT_CODES: &str = "退出码 / exit codes:\n  0  全部通过 / all cases pass\n  1  有用例与预期不符，或覆盖率低于 --min-coverage / a case does not match, or coverage is too low\n  2  规则文件有错误、报告或预期文件无法读取、没有找到用例 / a rule file, fixture or expectation cannot be used, or no case was found";

#[derive(Args, Debug)]
pub struct TestArgs {
    /// 规则文件（.gouji）、含规则文件的目录，或用例文件、用例目录；默认为当前目录。
    /// 规则文件 DIR/NAME.gouji 的用例放在 DIR/tests/NAME/ 中
    /// / rule files, folders of rule files, or case files and folders (default: .)
    #[arg(value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// 额外的规则目录（继承时在其中查找），可重复 / extra rule roots (repeatable)
    #[arg(long = "rules", value_name = "DIR")]
    roots: Vec<PathBuf>,
    /// 把实际结果写成新的预期：只改写不一致的用例，并为没有预期的报告新建预期文件
    /// / write the current findings as the new expectations, only where they differ
    #[arg(long)]
    bless: bool,
    /// 列出没有用例触发的检查 / list the checks no case triggers
    #[arg(long)]
    coverage: bool,
    /// 覆盖率低于 N%（0–100）时以退出码 1 结束；隐含 --coverage
    /// / exit with 1 when a rule set's coverage is below N percent (implies --coverage)
    #[arg(long, value_name = "N")]
    min_coverage: Option<f64>,
    /// 输出格式 / output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// 把结果写入文件（整体写入）/ write the output to a file, atomically
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

// The doc comments are `--help` text, where backticks would show.
#[allow(clippy::doc_markdown)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// 人读的输出：每个用例一行，不一致时列出差异 / for people
    Human,
    /// JUnit XML：每个用例一个测试用例，失败信息即差异 / for CI
    Junit,
}

/// Diagnostics inside the output: no colour (they may end up in a file or in XML), fixed width.
pub(super) fn plain(diagnostic: &dyn miette::Diagnostic) -> String {
    let mut out = String::new();
    let _ = miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
        .with_width(100)
        .with_links(false)
        .render_report(&mut out, diagnostic);
    out
}

pub fn run(args: &TestArgs) -> u8 {
    if let Some(n) = args.min_coverage {
        if !(0.0..=100.0).contains(&n) {
            eprintln!("gouji: --min-coverage 应在 0 到 100 之间，这里是 {n}");
            return exit::USAGE;
        }
    }
    let options = testing::Options {
        paths: args.paths.clone(),
        roots: args.roots.clone(),
        bless: args.bless,
        render: plain,
    };
    let run = testing::run(&options);
    let coverage = (args.coverage || args.min_coverage.is_some()).then(|| testing::coverage(&run));
    let text = match args.format {
        Format::Human => {
            let colour = args.output.is_none() && super::color::for_stdout();
            output::human(
                &run,
                coverage.as_deref(),
                args.min_coverage,
                Paint { colour },
            )
        }
        Format::Junit => {
            // The XML is the whole of standard output; what people need to know goes to
            // standard error.
            for line in run.problems.iter().chain(&run.notes) {
                eprintln!("{line}");
            }
            if let Some(coverage) = &coverage {
                eprint!(
                    "{}",
                    output::coverage_text(coverage, args.min_coverage, Paint::default())
                );
            }
            let blessed = run
                .suites
                .iter()
                .flat_map(|s| &s.cases)
                .filter_map(|c| {
                    c.blessed
                        .as_ref()
                        .map(|_| c.expectation.as_deref().unwrap_or(""))
                })
                .collect::<Vec<_>>();
            if !blessed.is_empty() {
                eprintln!(
                    "--bless 写入了 {} 个预期文件：{}",
                    blessed.len(),
                    blessed.join("、")
                );
            }
            eprintln!("{}", output::summary_line(run.counts()));
            output::junit(&run, coverage.as_deref(), args.min_coverage)
        }
    };
    let inputs: Vec<&Path> = args.paths.iter().map(PathBuf::as_path).collect();
    if let Err(message) = super::io::emit(args.output.as_deref(), &text, &inputs) {
        eprintln!("gouji: {message}");
        return exit::USAGE;
    }
    let counts = run.counts();
    if run.has_errors() || run.cases() == 0 {
        exit::USAGE
    } else if counts.failed > 0
        || args
            .min_coverage
            .zip(coverage.as_deref())
            .is_some_and(|(min, c)| output::below(c, min))
    {
        exit::FINDINGS
    } else {
        exit::OK
    }
}
