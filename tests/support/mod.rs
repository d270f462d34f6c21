//! Helpers shared by the integration tests.

/// Renders a diagnostic the way a person sees it, but deterministically: no colour, no
/// terminal links, no syntax highlighting and a fixed width of 100 columns, so a snapshot
/// does not depend on the terminal the tests run in.
pub fn render_diagnostic(d: &impl miette::Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false)
            .without_syntax_highlighting();
    let mut out = String::new();
    handler
        .render_report(&mut out, d)
        .expect("rendering into a String cannot fail");
    out
}

/// What one run of the gouji binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: String,
}

impl Run {
    /// Asserts the exit code, showing everything the run printed if it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "`gouji {}` exited with {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// The JSON the run printed.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`gouji {}` printed no JSON ({e}):\n{}",
                self.args, self.stdout
            )
        })
    }
}
