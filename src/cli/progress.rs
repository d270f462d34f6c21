//! The progress bar of a batch (`gouji check 目录/`), on standard error.
//!
//! Shown only where it helps and harms nothing: standard error is a terminal, the results do
//! not go to that same terminal (they would be torn by the bar: the bar shows with `-o` or
//! when standard output is redirected), no `CI` variable is set, and the batch has run for a
//! second (short batches never flash a bar).

use std::io::IsTerminal as _;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How long a batch runs before its bar appears.
const DELAY: Duration = Duration::from_secs(1);

pub struct Progress {
    bar: Option<ProgressBar>,
}

/// What decides whether a bar may be shown at all.
#[derive(Debug, Clone, Copy)]
pub struct Surroundings {
    pub stderr_terminal: bool,
    /// Standard output is a terminal and the results are written there.
    pub results_on_terminal: bool,
    /// A `CI` variable is set (and not empty): a log, not a person, reads standard error.
    pub under_ci: bool,
}

impl Surroundings {
    /// The surroundings of this process; `output_file`: whether `-o` sends the results to a file.
    pub fn of_process(output_file: bool) -> Self {
        Self {
            stderr_terminal: std::io::stderr().is_terminal(),
            results_on_terminal: !output_file && std::io::stdout().is_terminal(),
            under_ci: std::env::var_os("CI").is_some_and(|v| !v.is_empty()),
        }
    }

    pub fn allow_bar(self) -> bool {
        self.stderr_terminal && !self.results_on_terminal && !self.under_ci
    }
}

impl Progress {
    /// A bar for `total` reports; drawn only if `surroundings` allow it and the batch lasts.
    pub fn new(total: usize, surroundings: Surroundings) -> Self {
        if total < 2 || !surroundings.allow_bar() {
            return Self { bar: None };
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::hidden());
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} 已检查 {pos}/{len} 份报告 [{bar:30}] 用时 {elapsed}，约剩 {eta}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        // The bar appears once the batch has lasted: a thread waits, then gives it standard
        // error, unless the batch is over by then. It ends with the process at the latest.
        let delayed = bar.clone();
        std::thread::spawn(move || {
            std::thread::sleep(DELAY);
            if !delayed.is_finished() {
                delayed.set_draw_target(ProgressDrawTarget::stderr());
                delayed.enable_steady_tick(Duration::from_millis(200));
            }
        });
        Self { bar: Some(bar) }
    }

    /// `n` more reports are done.
    pub fn advance(&self, n: usize) {
        if let Some(bar) = &self.bar {
            bar.inc(n as u64);
        }
    }

    /// The batch is over: the bar is cleared, so that only the run's messages stay.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TERMINAL: Surroundings = Surroundings {
        stderr_terminal: true,
        results_on_terminal: false,
        under_ci: false,
    };

    #[test]
    fn shown_only_on_a_terminal_apart_from_the_results_and_not_under_ci() {
        assert!(TERMINAL.allow_bar());
        for other in [
            Surroundings {
                stderr_terminal: false,
                ..TERMINAL
            },
            Surroundings {
                results_on_terminal: true,
                ..TERMINAL
            },
            Surroundings {
                under_ci: true,
                ..TERMINAL
            },
        ] {
            assert!(!other.allow_bar(), "{other:?}");
        }
    }

    #[test]
    fn no_bar_for_one_report() {
        assert!(Progress::new(1, TERMINAL).bar.is_none());
        let batch = Progress::new(2, TERMINAL);
        assert!(batch.bar.is_some());
        batch.finish();
    }
}
