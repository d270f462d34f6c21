//! `gouji completions SHELL`: the completion script of a shell, on standard output.

use clap::{Args, CommandFactory as _};

use super::{Cli, exit};

#[derive(Args, Debug)]
pub struct CompletionsArgs {
    /// 哪种 shell / which shell
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: &CompletionsArgs) -> u8 {
    use std::io::Write as _;
    let mut command = Cli::command();
    // Made in memory first: clap_complete panics when its writer fails, and a reader that
    // stops early (`| head`) closes the pipe; that is no error of gouji's.
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "gouji", &mut script);
    let _ = std::io::stdout().lock().write_all(&script);
    exit::OK
}
