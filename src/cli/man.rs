//! `gouji man`: the manual page in roff, on standard output (`gouji man | man -l -`), or
//! with `--dir` one page per command written into a folder (`gouji.1`, `gouji-check.1`, …)
//! for packagers and `MANPATH`.

use std::path::PathBuf;

use clap::{Args, CommandFactory as _};

use super::{Cli, exit};

#[derive(Args, Debug)]
pub struct ManArgs {
    /// 把每条命令的手册页写入这个目录 / write one page per command into this folder
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
}

pub fn run(args: &ManArgs) -> u8 {
    use std::io::Write as _;
    let command = Cli::command();
    if let Some(dir) = &args.dir {
        if let Err(e) =
            std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(command, dir))
        {
            eprintln!(
                "gouji: 无法写入手册页目录「{}」：{}",
                dir.display(),
                super::io::io_reason(&e, true)
            );
            return exit::USAGE;
        }
        return exit::OK;
    }
    let mut page = Vec::new();
    if let Err(e) = clap_mangen::Man::new(command).render(&mut page) {
        eprintln!("gouji: 无法生成手册页：{e}");
        return exit::INTERNAL;
    }
    // A closed pipe is not an error.
    let _ = std::io::stdout().lock().write_all(&page);
    exit::OK
}
