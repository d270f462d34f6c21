//! `gouji check`: the main job.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use rayon::prelude::*;

use super::exit;
use super::io::read_input;
use crate::check::Checker;
use crate::compile::{BUILTIN, Compiled, Loader};
use crate::findings::ReportFindings;
use crate::render;
use crate::ruleset::{RuleSet, Severity};

#[derive(Args, Debug)]
pub struct CheckArgs {
    /// 报告文件或目录（目录会递归查找 .txt .html .htm .shtml .toml .json .docx .pdf）；- 表示标准输入
    /// / report files or directories; - reads standard input
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<String>,
    /// 规则文件或目录，可重复；不指定时使用内置的国家格式规则集
    /// / rule files or directories (repeatable); default: the built-in national rule sets
    #[arg(long = "rules", value_name = "FILE|DIR")]
    rules: Vec<PathBuf>,
    /// 指定规则集（按标识），不再自动选择 / force one rule set by id
    #[arg(long, value_name = "ID")]
    ruleset: Option<String>,
    /// 设置规则集参数，可重复，如 --param 机关层级=乡镇 / set a rule-set parameter
    #[arg(long = "param", value_name = "名=值", value_parser = parse_param)]
    params: Vec<(String, String)>,
    /// 同一机关上一年度的报告，用于跨年度检查 / last year's report of the same agency
    #[arg(long, value_name = "FILE")]
    prev: Option<String>,
    /// 输出格式 / output format
    #[arg(long, default_value = render::FORMATS[0].name, value_parser = format_parser())]
    format: &'static render::OutputFormat,
    /// 达到哪个严重性时以退出码 1 结束（默认 error）/ the severity that makes the exit code 1
    /// (default: error)
    #[arg(long, value_enum, value_name = "级别")]
    fail_on: Option<FailOn>,
    /// JSON 输出加缩进（输出到终端时默认如此；否则默认紧凑格式，每份报告一行）
    /// / indented JSON (the default on a terminal; otherwise compact, one report a line)
    #[arg(long)]
    pretty: bool,
    /// 同时列出未能评估的检查及原因 / also list the checks that could not be evaluated
    #[arg(short, long)]
    verbose: bool,
    /// 把结果写入文件（整体写入，不会留下半个文件）/ write the output to a file, atomically
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// 在目录中只检查匹配这些通配模式的文件（相对于所给目录，如 "2021/**"），可重复
    /// / in directories, check only files matching these globs (relative to the directory)
    #[arg(long = "include", value_name = "GLOB")]
    include: Vec<String>,
    /// 在目录中跳过匹配这些通配模式的文件，可重复 / in directories, skip files matching these globs
    #[arg(long = "exclude", value_name = "GLOB")]
    exclude: Vec<String>,
    /// 在目录中也搜索隐藏目录（如 .git）和 node_modules / also search hidden folders and
    /// node_modules
    #[allow(clippy::doc_markdown)] // `--help` text, where backticks would show.
    #[arg(long)]
    include_hidden: bool,
    /// 并行检查的线程数，默认为处理器核数 / parallel jobs (default: one per core)
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    jobs: Option<usize>,
    /// 只保留这些规则（按编号、编号前缀如「空白」或标签如「勾稽」「读取」）的问题，可重复
    /// / keep only findings of these rules (by id, id prefix or tag; repeatable)
    #[arg(long = "select", value_name = "ID_OR_TAG")]
    select: Vec<String>,
    /// 去掉这些规则（按编号、编号前缀或标签）的问题，可重复；在 --select 之后应用
    /// / drop findings of these rules (by id, id prefix or tag; repeatable), after --select
    #[arg(long = "ignore", value_name = "ID_OR_TAG")]
    ignore: Vec<String>,
    /// 豁免登记表（gouji baseline 生成）：其中接受了的问题不计入结果，-v 列出它们及理由
    /// / the register of accepted findings (see docs/waivers.md)
    #[arg(long, value_name = "FILE")]
    waivers: Option<PathBuf>,
}

/// `--format`: one of the output formats of [`render::FORMATS`], each with its help line.
fn format_parser() -> impl clap::builder::TypedValueParser<Value = &'static render::OutputFormat> {
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser as _};
    PossibleValuesParser::new(
        render::FORMATS
            .iter()
            .map(|f| PossibleValue::new(f.name).help(f.help)),
    )
    .map(|name| render::format_named(&name).expect("clap accepts only the names of formats"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum FailOn {
    /// 有错误时 / on errors
    Error,
    /// 有警告或错误时 / on warnings or errors
    Warning,
    /// 从不（总是以 0 结束，除非读不了输入）/ never
    Never,
}

/// `--param 名=值` (also with a full-width ＝), for every command that takes parameters.
pub(super) fn parse_param(text: &str) -> Result<(String, String), String> {
    match text.split_once(['=', '＝']) {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!(
            "参数应写作 名=值，例如 机关层级=乡镇；这里是「{text}」"
        )),
    }
}

pub fn run(args: &CheckArgs) -> u8 {
    let config = match super::config::discover_for_reports(&args.paths) {
        Ok(config) => config.unwrap_or_default(),
        Err(e) => {
            eprint!("{}", super::render_for_stderr(e.as_ref()));
            return exit::USAGE;
        }
    };
    // The command line overrides the config file.
    let rules = config.rules_or(&args.rules);
    let ruleset = args.ruleset.clone().or(config.ruleset.clone());
    let params = config.params_with(&args.params);
    let fail_on = match (args.fail_on, config.fail_on.as_deref()) {
        (Some(level), _) => level,
        (None, Some("warning")) => FailOn::Warning,
        (None, Some("never")) => FailOn::Never,
        (None, _) => FailOn::Error,
    };
    let rule_sets = match load_rule_sets(&rules, ruleset.as_deref()) {
        Ok(sets) => sets,
        Err(message) => {
            eprint!("{message}");
            return exit::USAGE;
        }
    };
    // Command-line lists replace the config file's.
    let select = if args.select.is_empty() {
        &config.select
    } else {
        &args.select
    };
    let ignore = if args.ignore.is_empty() {
        &config.ignore
    } else {
        &args.ignore
    };
    let selection = Selection::new(select, ignore, &rule_sets);
    let waivers_path = args.waivers.clone().or_else(|| config.waivers_path());
    let waivers = match super::baseline::waivers_for(waivers_path.clone(), &rule_sets) {
        Ok(w) => w,
        Err(message) => {
            eprint!("{message}");
            return exit::USAGE;
        }
    };
    let checker = match Checker::new(&rule_sets, &params) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("gouji: {e}");
            return exit::USAGE;
        }
    };
    let previous = match args.prev.as_deref().map(load_input).transpose() {
        Ok(p) => p,
        Err(message) => {
            // Ready to print: prefixed, or a rendered diagnostic.
            eprintln!("{}", message.trim_end());
            return exit::USAGE;
        }
    };
    let mut unreadable = false;
    let filter = match PathFilter::new(&args.include, &args.exclude) {
        Ok(f) => f,
        Err(message) => {
            eprintln!("gouji: {message}");
            return exit::USAGE;
        }
    };
    let paths = expand_paths(&args.paths, &filter, args.include_hidden, &mut unreadable);
    let jobs = args
        .jobs
        .filter(|&j| j > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
    // In a batch, each report is paired with last year's report of the same agency, if the
    // batch has it; `--prev` pairs one report explicitly.
    let pairs = if previous.is_none() && paths.len() > 1 {
        match rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .stack_size(super::EVALUATION_STACK)
            .build()
        {
            Ok(pool) => pool.install(|| pair_years(&checker, &paths)),
            Err(e) => {
                eprintln!("gouji: 无法启动并行检查：{e}");
                return exit::INTERNAL;
            }
        }
    } else {
        Vec::new()
    };
    if args.verbose {
        explain_pairing(&paths, &pairs, args.prev.as_deref());
    }
    let threshold = match fail_on {
        FailOn::Error => Some(Severity::Error),
        FailOn::Warning => Some(Severity::Warning),
        FailOn::Never => None,
    };
    let mut inputs: Vec<&Path> = paths
        .iter()
        .chain(args.prev.as_ref())
        .filter(|p| *p != "-")
        .map(Path::new)
        .collect();
    inputs.extend(waivers_path.as_deref());
    let mut output = match Output::open(args.output.as_deref(), &inputs) {
        Ok(o) => o,
        Err(message) => {
            eprintln!("gouji: {message}");
            return exit::USAGE;
        }
    };
    let configuration = config.path.as_ref().map(|path| {
        let params: serde_json::Map<String, serde_json::Value> = params
            .iter()
            .map(|(name, value)| (name.clone(), value.clone().into()))
            .collect();
        serde_json::json!({
            "path": path.display().to_string(),
            "rule_sets": rule_sets.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(),
            "params": params,
        })
    });
    if args.verbose {
        let sets: Vec<&str> = rule_sets.iter().map(|r| r.id.as_str()).collect();
        let params: Vec<String> = params.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let file = config.path.as_ref().map_or_else(
            || "没有使用 gouji.toml".to_owned(),
            |p| format!("配置文件「{}」", p.display()),
        );
        eprintln!(
            "gouji: {file}；规则集：{}；参数：{}",
            sets.join("、"),
            if params.is_empty() {
                "无".to_owned()
            } else {
                params.join("、")
            }
        );
    }
    let terminal = args.output.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout());
    let colour = args.output.is_none() && super::color::for_stdout();
    let mut renderer = (args.format.renderer)(&render::RenderOptions {
        colour,
        verbose: args.verbose,
        rule_sets: &rule_sets,
        reading: selection.keeps_reading(),
        configuration,
        pretty: terminal || args.pretty,
    });
    let progress = super::progress::Progress::new(
        paths.len(),
        super::progress::Surroundings::of_process(args.output.is_some()),
    );
    let mut failed = false;
    let mut internal = false;
    output.write(&renderer.begin());
    let detached = renderer.detached();
    let check_one = |i: usize| -> Checked {
        let findings = check_report(
            &checker,
            &selection,
            waivers.as_ref(),
            &paths[i],
            previous.as_ref(),
            pairs.get(i),
        )?;
        let text = detached
            .as_ref()
            .map(|render_alone| render_alone(&findings));
        Ok((findings, text))
    };
    // The one place where each finished report arrives, in input order.
    let finished = |result: Checked| {
        match result {
            Ok((findings, detached_text)) => {
                failed |= threshold.is_some_and(|level| findings.fails_at(level));
                let text = match detached_text {
                    Some(text) => renderer.place(&findings, text),
                    None => renderer.report(&findings),
                };
                output.write(&text);
            }
            Err(failure) => {
                eprintln!("{}", failure.message().trim_end());
                match failure {
                    Failure::Input(_) => unreadable = true,
                    Failure::Bug(_) => internal = true,
                }
            }
        }
        progress.advance(1);
    };
    if let Err(e) = super::batch::in_order(
        paths.len(),
        jobs,
        super::EVALUATION_STACK,
        check_one,
        finished,
    ) {
        eprintln!("gouji: 无法启动并行检查：{e}");
        return exit::INTERNAL;
    }
    renderer.end_in_pieces(&mut |text| output.write(text));
    progress.finish();
    // Under --select/--ignore, waivers of the rules left out match nothing: not stale.
    if let Some(waivers) = waivers.as_ref().filter(|_| selection.is_everything()) {
        eprint!("{}", waivers.stale_warnings());
    }
    if let Err(message) = output.finish(args.output.as_deref()) {
        eprintln!("gouji: {message}");
        return exit::USAGE;
    }
    if internal {
        exit::INTERNAL
    } else if unreadable {
        exit::USAGE
    } else if failed {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

/// Says under `-v` which report is checked against which report of the year before.
fn explain_pairing(paths: &[String], pairs: &[Option<String>], prev: Option<&str>) {
    if let Some(prev) = prev {
        eprintln!("gouji: 上一年度的报告（--prev）：「{prev}」");
        return;
    }
    for (path, previous) in paths.iter().zip(pairs) {
        if let Some(previous) = previous {
            eprintln!("gouji: 「{path}」与同一机关上一年度的「{previous}」配对，做跨年度检查");
        }
    }
}

/// Why a report of the batch has no result.
pub(super) enum Failure {
    /// It could not be read (the message is ready to print).
    Input(String),
    /// A bug in gouji met while checking it.
    Bug(String),
}

impl Failure {
    /// The message for standard error, ready to print.
    pub(super) fn message(&self) -> &str {
        match self {
            Self::Input(message) | Self::Bug(message) => message,
        }
    }
}

/// A report checked (and rendered, when the renderer renders on the worker threads), or why
/// it has no result.
type Checked = Result<(ReportFindings, Option<String>), Failure>;

/// Reads and checks the report at `path`, with last year's report: the one given with
/// `--prev`, or the one the batch paired it with.
pub(super) fn check_report(
    checker: &Checker<'_>,
    selection: &Selection,
    waivers: Option<&crate::waivers::Waivers>,
    path: &str,
    previous: Option<&crate::extract::Input>,
    paired: Option<&Option<String>>,
) -> Result<ReportFindings, Failure> {
    let input = load_input(path).map_err(Failure::Input)?;
    let paired_input = match (previous, paired.and_then(Option::as_ref)) {
        (None, Some(p)) => load_input(p).ok(),
        _ => None,
    };
    // A bug met in one report costs only that report its result.
    let previous = previous.or(paired_input.as_ref());
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        checker.check(&input, previous)
    }))
    .map_err(|_| {
        Failure::Bug(format!(
            "gouji: 检查「{path}」时遇到内部错误（gouji 的缺陷，请报告），这份报告没有结果 / internal error while checking this report"
        ))
    })?;
    let mut findings = outcome
        .ok_or_else(|| Failure::Input(format!("gouji: 没有可用的规则集来检查「{path}」")))?;
    selection.apply(&mut findings);
    if let Some(waivers) = waivers {
        waivers.apply(&mut findings);
    }
    findings.previous = previous.map(|p| p.source().name().to_owned());
    Ok(findings)
}

/// For each path, the path of the same agency's report for the year before, if the batch
/// has one: from what each report's title says (only the agency and year are kept).
pub(super) fn pair_years(checker: &Checker<'_>, paths: &[String]) -> Vec<Option<String>> {
    let keys: Vec<Option<(String, i32)>> = paths
        .par_iter()
        .map(|path| {
            if let Some(key) = title_key(checker, path) {
                return Some(key);
            }
            let input = load_input(path).ok()?;
            // A bug here shows again, and is reported, when the report itself is checked.
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                checker.agency_and_year(&input)
            }))
            .ok()
            .flatten()
        })
        .collect();
    crate::check::pair_consecutive_years(&keys)
        .into_iter()
        .map(|i| i.map(|i| paths[i].clone()))
        .collect()
}

/// How much of a text or HTML report is read for its title when pairing years.
const HEAD: usize = 4096;

/// The agency and year a text or HTML report's title says, read from the file's first
/// [`HEAD`] bytes (cut after a line break, so that no character is cut); `None` when the
/// head does not say both, or for other formats: then the whole report is read.
fn title_key(checker: &Checker<'_>, path: &str) -> Option<(String, i32)> {
    use std::io::Read as _;
    let lower = path.to_lowercase();
    let text_like = [".txt", ".html", ".htm", ".shtml"]
        .iter()
        .any(|ending| lower.ends_with(ending));
    if !text_like {
        return None;
    }
    let mut head = Vec::with_capacity(HEAD);
    std::fs::File::open(path)
        .ok()?
        .take(HEAD as u64)
        .read_to_end(&mut head)
        .ok()?;
    // UTF-16 has its line breaks in two bytes; such a file is read whole.
    if head.starts_with(&[0xFF, 0xFE]) || head.starts_with(&[0xFE, 0xFF]) {
        return None;
    }
    if head.len() == HEAD {
        let end = head.iter().rposition(|&b| b == b'\n')?;
        head.truncate(end + 1);
    }
    let input = crate::extract::load_title(path, &head).ok()?;
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        checker.agency_and_year(&input)
    }))
    .ok()
    .flatten()
}

/// Where the rendered text goes: standard output as it is produced, or a file written whole.
enum Output {
    Stdout(std::io::Stdout),
    File {
        file: super::io::OutputFile,
        error: Option<std::io::Error>,
    },
}

impl Output {
    /// `inputs`: the files to be read, which the output must not replace.
    fn open(path: Option<&Path>, inputs: &[&Path]) -> Result<Self, String> {
        let Some(path) = path else {
            return Ok(Output::Stdout(std::io::stdout()));
        };
        Ok(Output::File {
            file: super::io::OutputFile::create(path, inputs)?,
            error: None,
        })
    }

    fn write(&mut self, text: &str) {
        use std::io::Write as _;
        match self {
            // A closed pipe (`gouji check … | head`) is not an error; the rest is dropped.
            Output::Stdout(out) => {
                let _ = out.lock().write_all(text.as_bytes());
            }
            Output::File { file, error } => {
                if error.is_none() {
                    if let Err(e) = file.write_all(text.as_bytes()) {
                        *error = Some(e);
                    }
                }
            }
        }
    }

    fn finish(self, path: Option<&Path>) -> Result<(), String> {
        use std::io::Write as _;
        match self {
            Output::Stdout(out) => {
                let _ = out.lock().flush();
                Ok(())
            }
            Output::File { error: Some(e), .. } => Err(format!(
                "无法写入「{}」：{}",
                path.unwrap_or(Path::new("")).display(),
                super::io::io_reason(&e, true)
            )),
            Output::File { file, error: None } => file.commit(),
        }
    }
}

/// `--select` and `--ignore`: which rules' findings, checks not evaluated and passed checks a
/// run keeps. A rule is named by its id (`S1`, `读取.多余数值`), by a prefix of its id up to a
/// `.` (`空白` for `空白.申请`, `空白.收费`…), or by one of its tags (`勾稽`; extraction
/// anomalies have the tag `读取`).
pub(super) struct Selection {
    select: Vec<String>,
    ignore: Vec<String>,
    /// For each rule set, the ids of its checks that are kept.
    kept: std::collections::HashMap<String, std::collections::HashSet<String>>,
}

impl Selection {
    /// Warns on standard error about each name that matches no rule at all.
    pub(super) fn new(select: &[String], ignore: &[String], rule_sets: &[RuleSet]) -> Self {
        let mut selection = Self {
            select: select.to_vec(),
            ignore: ignore.to_vec(),
            kept: std::collections::HashMap::new(),
        };
        if selection.is_everything() {
            return selection;
        }
        let anomalies = || {
            crate::report::AnomalyKind::ALL
                .iter()
                .map(|k| (k.id(), &ANOMALY_TAGS))
        };
        for (flag, names) in [("--select", select), ("--ignore", ignore)] {
            for name in names {
                let known = rule_sets
                    .iter()
                    .flat_map(|s| &s.checks)
                    .any(|c| matches(name, &c.id, &c.tags))
                    || anomalies().any(|(id, tags)| matches(name, id, tags));
                if known {
                    continue;
                }
                let mut candidates: Vec<&str> = rule_sets
                    .iter()
                    .flat_map(|s| &s.checks)
                    .flat_map(|c| {
                        std::iter::once(c.id.as_str()).chain(c.tags.iter().map(String::as_str))
                    })
                    .chain(anomalies().map(|(id, _)| id))
                    .chain(ANOMALY_TAGS)
                    .collect();
                candidates.sort_unstable();
                candidates.dedup();
                let hint = crate::diagnostic::suggest(name, candidates)
                    .map(|s| format!("（是不是「{s}」？）"))
                    .unwrap_or_default();
                eprintln!("gouji: 警告：{flag} 「{name}」不是任何规则的编号或标签，不起作用{hint}");
            }
        }
        for set in rule_sets {
            let kept = set
                .checks
                .iter()
                .filter(|c| selection.keeps(&c.id, &c.tags))
                .map(|c| c.id.clone())
                .collect();
            selection.kept.insert(set.id.clone(), kept);
        }
        selection
    }

    pub(super) fn is_everything(&self) -> bool {
        self.select.is_empty() && self.ignore.is_empty()
    }

    fn keeps<S: AsRef<str>>(&self, id: &str, tags: &[S]) -> bool {
        (self.select.is_empty() || self.select.iter().any(|s| matches(s, id, tags)))
            && !self.ignore.iter().any(|s| matches(s, id, tags))
    }

    /// Whether any extraction anomaly is kept.
    fn keeps_reading(&self) -> bool {
        crate::report::AnomalyKind::ALL
            .iter()
            .any(|k| self.keeps(k.id(), &ANOMALY_TAGS))
    }

    /// Drops what is not kept from a report's findings, and counts again what passed.
    pub(super) fn apply(&self, r: &mut ReportFindings) {
        if self.is_everything() {
            return;
        }
        let kept = self.kept.get(&r.rule_set);
        let kept_check = |id: &str| kept.is_some_and(|k| k.contains(id));
        r.findings.retain(|f| self.keeps(&f.rule, &f.tags));
        r.not_evaluated.retain(|n| kept_check(&n.rule));
        r.passed_checks.retain(|(id, _)| kept_check(id));
        r.passed = r.passed_checks.iter().map(|(_, n)| n).sum();
    }
}

/// The tags of every extraction anomaly.
const ANOMALY_TAGS: [&str; 1] = ["读取"];

/// Whether `name` names the rule `id` with `tags`: the id itself, a prefix of it up to a
/// `.`, or one of the tags.
fn matches<S: AsRef<str>>(name: &str, id: &str, tags: &[S]) -> bool {
    id == name
        || id
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('.'))
        || tags.iter().any(|t| t.as_ref() == name)
}

/// Reads and lays out one input; the error is ready to print.
pub(super) fn load_input(path: &str) -> Result<crate::extract::Input, String> {
    let (name, bytes) = read_input(path).map_err(|m| format!("gouji: {m}"))?;
    crate::extract::load(&name, &bytes).map_err(|e| super::render_for_stderr(&e))
}

/// Report files under the given paths: files as given, directories searched (in a stable
/// order) for report files.
/// What was skipped in directories is said on standard error.
pub(super) fn expand_paths(
    paths: &[String],
    filter: &PathFilter,
    include_hidden: bool,
    missing: &mut bool,
) -> Vec<String> {
    let mut files = Vec::new();
    for path in paths {
        let p = Path::new(path);
        if path != "-" && p.is_dir() {
            let walk = crate::files::walk(
                p,
                &crate::testing::is_report_file,
                &|_| true,
                include_hidden,
            );
            for skipped in &walk.skipped {
                eprintln!("gouji: {skipped}");
            }
            let mut found = walk.files;
            found.retain(|f| filter.keeps(f.strip_prefix(p).unwrap_or(f)));
            if found.is_empty() {
                eprintln!(
                    "gouji: 目录「{path}」中没有要检查的报告文件（.txt .html .htm .shtml .toml .json .docx .pdf）"
                );
                *missing = true;
            }
            files.extend(found.into_iter().map(|f| f.display().to_string()));
        } else {
            files.push(path.clone());
        }
    }
    files
}

/// `--include` and `--exclude`: which files found in directories are checked. Files named
/// on the command line are always checked.
pub(super) struct PathFilter {
    include: Option<globset::GlobSet>,
    exclude: Option<globset::GlobSet>,
}

impl PathFilter {
    pub(super) fn new(include: &[String], exclude: &[String]) -> Result<Self, String> {
        let set = |patterns: &[String]| -> Result<Option<globset::GlobSet>, String> {
            if patterns.is_empty() {
                return Ok(None);
            }
            let mut builder = globset::GlobSetBuilder::new();
            for pattern in patterns {
                let glob = globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| format!("通配模式「{pattern}」有误：{}", e.kind()))?;
                builder.add(glob);
            }
            builder.build().map(Some).map_err(|e| e.to_string())
        };
        Ok(Self {
            include: set(include)?,
            exclude: set(exclude)?,
        })
    }

    fn keeps(&self, relative: &Path) -> bool {
        self.include.as_ref().is_none_or(|s| s.is_match(relative))
            && !self.exclude.as_ref().is_some_and(|s| s.is_match(relative))
    }
}

/// The rule sets to check with: those in `--rules` files and directories, or the built-in
/// national sets; `--ruleset` keeps only one. Errors come back rendered.
pub fn load_rule_sets(rules: &[PathBuf], only: Option<&str>) -> Result<Vec<RuleSet>, String> {
    let roots: Vec<PathBuf> = rules.iter().filter(|p| p.is_dir()).cloned().collect();
    // The patterns of rule files given with `--rules` are built now, not when first
    // evaluated: one too large to build is a rule file error before any report is read. The
    // built-in sets' patterns are known to build (tested below), so a one-report call builds
    // only those its checks use, when they use them.
    let loader = if rules.is_empty() {
        Loader::new(roots.clone())
    } else {
        Loader::new(roots.clone()).building_patterns()
    };
    let mut compiled: Vec<Compiled> = Vec::new();
    if rules.is_empty() {
        compiled.extend(
            BUILTIN
                .iter()
                .filter_map(|(file, _)| loader.compile_builtin(file)),
        );
    }
    for path in rules {
        if path.is_dir() {
            let files = crate::files::rule_files_under(path);
            compiled.extend(files.iter().map(|f| loader.compile_file(f)));
        } else {
            compiled.push(loader.compile_file(path));
        }
    }
    if let Some(id) = only {
        if !compiled
            .iter()
            .any(|c| c.rule_set.as_ref().is_some_and(|r| r.id == id))
        {
            if let Some(c) = loader.compile_id(id) {
                compiled.push(c);
            }
        }
    }
    let errors: Vec<&Compiled> = compiled.iter().filter(|c| c.has_errors()).collect();
    if !errors.is_empty() {
        let mut text = String::new();
        for c in errors {
            text.push_str(&super::rules::render(c));
        }
        return Err(text);
    }
    let mut sets: Vec<RuleSet> = compiled.into_iter().filter_map(|c| c.rule_set).collect();
    if let Some(id) = only {
        sets.retain(|r| r.id == id);
        if sets.is_empty() {
            let known = loader.known_ids();
            let hint = crate::diagnostic::suggest(id, known.iter().map(String::as_str))
                .map(|s| format!("（是不是「{s}」？）"))
                .unwrap_or_default();
            return Err(format!("gouji: 找不到规则集「{id}」{hint}\n"));
        }
    }
    if sets.is_empty() {
        return Err("gouji: 没有找到任何规则集（--rules 指定的目录里没有 .gouji 文件）\n".into());
    }
    Ok(sets)
}

#[cfg(test)]
mod tests {
    use crate::compile::{BUILTIN, Loader};

    /// The built-in files are parsed once and placed at fixed offsets; every check's span,
    /// inherited or not, still finds its own id in its own file.
    #[test]
    fn builtin_checks_point_at_their_declarations() {
        let sets = super::load_rule_sets(&[], None).expect("the built-in sets load");
        assert_eq!(sets.len(), BUILTIN.len());
        for set in &sets {
            for check in &set.checks {
                let text = set.sources.snippet(check.span);
                assert!(
                    text.contains(check.id.as_str()),
                    "{}: {} points at {text:?}",
                    set.id,
                    check.id
                );
            }
        }
    }

    /// `load_rule_sets` leaves the built-in sets' matchers to be built when first used; this
    /// is what lets it: every pattern of every built-in set builds.
    #[test]
    fn every_builtin_pattern_builds() {
        let loader = Loader::new(Vec::new()).building_patterns();
        for (file, _) in BUILTIN {
            let compiled = loader.compile_builtin(file).expect("a built-in file");
            assert!(!compiled.has_errors(), "{file}: {:?}", compiled.diagnostics);
        }
    }
}
