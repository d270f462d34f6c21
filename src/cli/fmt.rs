//! `gouji fmt`: lays rule files out canonically ([`crate::syntax::format`]), in place, or
//! with `--check` only says which files are not (for CI). A file with a syntax error is left
//! as it is, and the error shown.

use std::path::{Path, PathBuf};

use clap::Args;

use super::exit;
use crate::source::SourceFile;
use crate::syntax::format;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// 规则文件或目录（目录中的 .gouji 文件）；- 表示从标准输入读、向标准输出写
    /// / rule files or folders (their .gouji files); - reads standard input, writes standard output
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// 不改动文件，只列出格式不统一的文件；有则以退出码 1 结束
    /// / change nothing: list the files not formatted, exit code 1 if any
    #[arg(long)]
    check: bool,
}

pub fn run(args: &FmtArgs) -> u8 {
    let mut files = Vec::new();
    let mut failed = false;
    for path in &args.paths {
        if path.is_dir() {
            let found = crate::files::rule_files_under(path);
            if found.is_empty() {
                eprintln!("gouji: 目录「{}」中没有规则文件（.gouji）", path.display());
                failed = true;
            }
            files.extend(found);
        } else {
            files.push(path.clone());
        }
    }
    let mut unformatted = 0usize;
    for file in &files {
        match format_one(file, args.check) {
            Ok(Outcome::Unchanged) => {}
            Ok(Outcome::Changed) => unformatted += 1,
            Err(message) => {
                eprint!("{message}");
                failed = true;
            }
        }
    }
    if args.check && unformatted > 0 {
        eprintln!("gouji: {unformatted} 个规则文件的格式不统一，运行 gouji fmt 可以整理");
    }
    if failed {
        exit::USAGE
    } else if args.check && unformatted > 0 {
        exit::FINDINGS
    } else {
        exit::OK
    }
}

enum Outcome {
    Unchanged,
    Changed,
}

/// Formats one file (or standard input for `-`); the error comes back ready to print.
fn format_one(path: &Path, check: bool) -> Result<Outcome, String> {
    let name = path.display().to_string();
    let (name, bytes) = super::io::read_input(&name).map_err(|m| format!("gouji: {m}\n"))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        format!("gouji: 「{name}」不是 UTF-8 编码的文本，规则文件应以 UTF-8 保存\n")
    })?;
    if let Err(mut error) = crate::syntax::parse_rule_file(&text, 0) {
        error.source = Some(SourceFile::new(name.clone(), text.clone()));
        return Err(format!(
            "{}gouji: 「{name}」有语法错误，没有整理\n",
            super::render_for_stderr(&error)
        ));
    }
    let formatted = format::format(&text);
    ensure_only_layout_changed(&text, &formatted, &name)?;
    let stdin = path == Path::new("-");
    if stdin && !check {
        use std::io::Write as _;
        let _ = std::io::stdout().lock().write_all(formatted.as_bytes());
    }
    if formatted == text {
        return Ok(Outcome::Unchanged);
    }
    if check {
        println!("{name}");
    } else if !stdin {
        let mut output =
            super::io::OutputFile::create(path, &[]).map_err(|m| format!("gouji: {m}\n"))?;
        output.write_all(formatted.as_bytes()).map_err(|e| {
            format!(
                "gouji: 无法写入「{name}」：{}\n",
                super::io::io_reason(&e, true)
            )
        })?;
        output.commit().map_err(|m| format!("gouji: {m}\n"))?;
    }
    Ok(Outcome::Changed)
}

/// The formatter only moves whitespace; a file would be written only if that holds and the
/// result still parses. Anything else is a bug, and the file is left alone.
fn ensure_only_layout_changed(before: &str, after: &str, name: &str) -> Result<(), String> {
    let tokens = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace() && *c != '\u{FEFF}')
            .collect()
    };
    if tokens(before) == tokens(after) && crate::syntax::parse_rule_file(after, 0).is_ok() {
        Ok(())
    } else {
        Err(format!(
            "gouji: 内部错误：整理「{name}」会改动空白以外的内容，文件没有改动（gouji 的缺陷，请报告）\n"
        ))
    }
}
