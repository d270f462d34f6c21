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
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "gouji", &mut std::io::stdout());
    exit::OK
}
