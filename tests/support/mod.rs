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
