//! `--color auto|always|never`, and the environment variables people set for every tool:
//! `NO_COLOR` (<no-color.org>: only when set and not empty), `FORCE_COLOR` and
//! `CLICOLOR_FORCE` (colour even when the output is not a terminal; `0` means no).
//!
//! The choice is made once per run, in [`set`], and every place that writes colour asks
//! [`for_stdout`] or [`for_stderr`].

use std::io::IsTerminal as _;
use std::sync::OnceLock;

use clap::ValueEnum;

/// The value of `--color`.
#[allow(clippy::doc_markdown)] // `--help` text, where backticks would show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ColorChoice {
    /// 终端上用颜色，除非设置了 NO_COLOR / colour on a terminal, unless NO_COLOR is set
    #[default]
    Auto,
    /// 总是用颜色 / always
    Always,
    /// 从不用颜色 / never
    Never,
}

static CHOICE: OnceLock<ColorChoice> = OnceLock::new();

/// Records the run's `--color`. A second call changes nothing (one run, one choice).
pub fn set(choice: ColorChoice) {
    let _ = CHOICE.set(choice);
}

/// Whether text written to standard output may be coloured.
pub fn for_stdout() -> bool {
    decide(
        CHOICE.get().copied().unwrap_or_default(),
        &Environment::read(),
        std::io::stdout().is_terminal(),
    )
}

/// Whether text written to standard error may be coloured.
pub fn for_stderr() -> bool {
    decide(
        CHOICE.get().copied().unwrap_or_default(),
        &Environment::read(),
        std::io::stderr().is_terminal(),
    )
}

/// The variables that bear on colour, as set (an unset variable is `None`).
#[derive(Debug, Default, Clone)]
pub struct Environment {
    pub no_color: Option<String>,
    pub force_color: Option<String>,
    pub clicolor_force: Option<String>,
}

impl Environment {
    fn read() -> Self {
        let var = |name| {
            std::env::var_os(name).map(|v: std::ffi::OsString| v.to_string_lossy().into_owned())
        };
        Self {
            no_color: var("NO_COLOR"),
            force_color: var("FORCE_COLOR"),
            clicolor_force: var("CLICOLOR_FORCE"),
        }
    }
}

/// The rule: the command line first; then `NO_COLOR` when not empty; then `FORCE_COLOR` or
/// `CLICOLOR_FORCE` when neither empty nor `0`; then whether the stream is a terminal.
pub fn decide(choice: ColorChoice, env: &Environment, terminal: bool) -> bool {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|v| !v.is_empty());
    let forced = |v: &Option<String>| set(v) && v.as_deref() != Some("0");
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto if set(&env.no_color) => false,
        ColorChoice::Auto if forced(&env.force_color) || forced(&env.clicolor_force) => true,
        ColorChoice::Auto => terminal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(no: Option<&str>, force: Option<&str>, clicolor: Option<&str>) -> Environment {
        Environment {
            no_color: no.map(str::to_owned),
            force_color: force.map(str::to_owned),
            clicolor_force: clicolor.map(str::to_owned),
        }
    }

    #[test]
    fn the_command_line_wins() {
        let hostile = env(Some("1"), Some("1"), Some("1"));
        assert!(decide(ColorChoice::Always, &hostile, false));
        assert!(!decide(ColorChoice::Never, &hostile, true));
    }

    #[test]
    fn an_empty_no_color_is_not_set() {
        assert!(decide(ColorChoice::Auto, &env(Some(""), None, None), true));
        assert!(!decide(
            ColorChoice::Auto,
            &env(Some("1"), None, None),
            true
        ));
        assert!(!decide(
            ColorChoice::Auto,
            &env(Some("1"), Some("1"), None),
            true
        ));
    }

    #[test]
    fn forcing_colours_a_pipe_unless_zero_or_empty() {
        assert!(!decide(ColorChoice::Auto, &env(None, None, None), false));
        assert!(decide(
            ColorChoice::Auto,
            &env(None, Some("1"), None),
            false
        ));
        assert!(decide(
            ColorChoice::Auto,
            &env(None, None, Some("1")),
            false
        ));
        assert!(!decide(
            ColorChoice::Auto,
            &env(None, Some("0"), Some("")),
            false
        ));
        assert!(decide(ColorChoice::Auto, &env(None, None, None), true));
    }
}
