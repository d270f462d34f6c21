//! Stage 6: findings → text. One renderer per output format, all behind [`Renderer`]; each
//! takes the findings of a run a report at a time and writes them out, in a stable order.
//! [`FORMATS`] is the one list of output formats: `gouji check --format` is read from it.

pub mod github;
pub mod html;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;

use crate::eval::CellEvidence;
use crate::findings::{Finding, ReportFindings};
use crate::ruleset::{RuleSet, Severity};
use crate::source::Span;

/// Writes a run out a report at a time: `begin`, then `report` for each report in order, then
/// `end`; the output is the concatenation of what they return.
///
/// A renderer whose text of a report depends on nothing but the report may also hand that
/// work out ([`Renderer::detached`]): a batch then renders on its worker threads, and in
/// input order [`Renderer::place`] adds what depends on the run (separators, totals).
pub trait Renderer {
    fn begin(&mut self) -> String {
        String::new()
    }
    fn report(&mut self, findings: &ReportFindings) -> String;
    /// The rendering of one report on its own, to run on any thread; `None` (the default)
    /// when the renderer does all of it in [`Renderer::report`].
    fn detached(&self) -> Option<Detached> {
        None
    }
    /// In input order: the text to write for a report that [`Renderer::detached`] rendered.
    /// Only called on renderers that give a detached rendering.
    fn place(&mut self, findings: &ReportFindings, rendered: String) -> String {
        let _ = findings;
        rendered
    }
    fn end(&mut self) -> String {
        String::new()
    }
    /// [`Renderer::end`] handed to `write` in pieces: a renderer whose end is large (the
    /// page's list of every report) writes it without holding it whole.
    fn end_in_pieces(&mut self, write: &mut dyn FnMut(&str)) {
        write(&self.end());
    }
}

/// The text of one report, made on any thread.
pub type Detached = Box<dyn Fn(&ReportFindings) -> String + Send + Sync>;

/// What a renderer may need to know about the run.
#[allow(clippy::struct_excessive_bools)] // independent switches, each named
#[derive(Debug, Clone)]
pub struct RenderOptions<'r> {
    /// Whether the output is a terminal that wants colour.
    pub colour: bool,
    /// List the checks that could not be evaluated, with their reasons.
    pub verbose: bool,
    pub rule_sets: &'r [RuleSet],
    /// Whether the run keeps any extraction anomaly (`--select`/`--ignore`).
    pub reading: bool,
    /// The gouji.toml used, its rule sets and parameters, named in JSON and SARIF output.
    pub configuration: Option<serde_json::Value>,
    /// Indented JSON (for a terminal, or `--pretty`); compact otherwise.
    pub pretty: bool,
}

/// An output format: its name on the command line, its help line (Chinese first) and how to
/// make its renderer.
#[derive(Debug)]
pub struct OutputFormat {
    pub name: &'static str,
    pub help: &'static str,
    pub renderer: for<'r> fn(&RenderOptions<'r>) -> Box<dyn Renderer + 'r>,
}

/// Every output format, in the order `--help` lists them; the first is the default.
pub const FORMATS: &[OutputFormat] = &[
    OutputFormat {
        name: "human",
        help: "人读的输出：原文中标出有问题的单元格 / for people: the report's lines, cells underlined",
        renderer: |o| {
            Box::new(HumanRenderer {
                style: human::Style {
                    colour: o.colour,
                    width: 100,
                    verbose: o.verbose,
                },
                totals: Totals::default(),
            })
        },
    },
    OutputFormat {
        name: "json",
        help: "JSON（gouji-check/1，见 docs/json-output.md）/ for scripts",
        renderer: |o| {
            Box::new(
                json::Writer::new(o.pretty)
                    .with_rule_sets(o.rule_sets)
                    .with_configuration(o.configuration.clone()),
            )
        },
    },
    OutputFormat {
        name: "sarif",
        help: "SARIF 2.1.0，供代码扫描工具使用 / for code-scanning tools",
        renderer: |o| {
            Box::new(sarif::Writer::new(o.rule_sets).with_configuration(o.configuration.clone()))
        },
    },
    OutputFormat {
        name: "junit",
        help: "JUnit XML：每份报告一个测试套件，每条检查一个测试用例 / for CI test reports",
        renderer: |o| Box::new(junit::Writer::new(o.rule_sets, o.reading)),
    },
    OutputFormat {
        name: "github",
        help: "GitHub Actions 工作流命令（注释）/ GitHub Actions annotations",
        renderer: |_| Box::new(GithubRenderer),
    },
    OutputFormat {
        name: "html",
        help: "网页：概况、报告一览、各报告的问题和标出问题单元格的表格（配合 -o 文件名.html）/ a page for people",
        renderer: |o| Box::new(html::Writer::new(o.rule_sets, o.verbose)),
    },
];

/// The output format of a name, if there is one.
#[must_use]
pub fn format_named(name: &str) -> Option<&'static OutputFormat> {
    FORMATS.iter().find(|f| f.name == name)
}

/// The terminal output: findings a report at a time, the run's summary at the end.
struct HumanRenderer {
    style: human::Style,
    totals: Totals,
}

impl Renderer for HumanRenderer {
    fn report(&mut self, findings: &ReportFindings) -> String {
        let rendered = human::render_report(findings, self.style);
        self.place(findings, rendered)
    }

    fn detached(&self) -> Option<Detached> {
        let style = self.style;
        Some(Box::new(move |findings| {
            human::render_report(findings, style)
        }))
    }

    fn place(&mut self, findings: &ReportFindings, rendered: String) -> String {
        self.totals.reports += 1;
        self.totals.add(findings);
        rendered
    }

    fn end(&mut self) -> String {
        human::render_end(&self.totals)
    }
}

struct GithubRenderer;

impl Renderer for GithubRenderer {
    fn report(&mut self, findings: &ReportFindings) -> String {
        github::render_report(findings)
    }
}

impl Renderer for json::Writer {
    fn begin(&mut self) -> String {
        json::Writer::begin(self)
    }
    fn report(&mut self, findings: &ReportFindings) -> String {
        json::Writer::report(self, findings)
    }
    fn detached(&self) -> Option<Detached> {
        let pretty = self.pretty();
        Some(Box::new(move |findings| {
            json::report_text(findings, pretty)
        }))
    }
    fn place(&mut self, findings: &ReportFindings, rendered: String) -> String {
        json::Writer::place(self, findings, &rendered)
    }
    fn end(&mut self) -> String {
        json::Writer::end(self)
    }
}

impl Renderer for sarif::Writer<'_> {
    fn begin(&mut self) -> String {
        sarif::Writer::begin(self)
    }
    fn report(&mut self, findings: &ReportFindings) -> String {
        sarif::Writer::report(self, findings)
    }
    fn end(&mut self) -> String {
        sarif::Writer::end(self)
    }
}

impl Renderer for junit::Writer {
    fn begin(&mut self) -> String {
        junit::Writer::begin(self)
    }
    fn report(&mut self, findings: &ReportFindings) -> String {
        junit::Writer::report(self, findings)
    }
    fn end(&mut self) -> String {
        junit::Writer::end(self)
    }
}

/// Totals over a run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub reports: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub passed: usize,
    pub not_evaluated: usize,
    /// Findings that waivers accepted (absent from JSON when there are none).
    #[serde(skip_serializing_if = "is_zero")]
    pub waived: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's `skip_serializing_if` passes a reference.
fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl Totals {
    #[must_use]
    pub fn of(reports: &[ReportFindings]) -> Self {
        let mut totals = Totals {
            reports: reports.len(),
            ..Totals::default()
        };
        for r in reports {
            totals.add(r);
        }
        totals
    }

    pub fn add(&mut self, r: &ReportFindings) {
        self.errors += r.count(Severity::Error);
        self.warnings += r.count(Severity::Warning);
        self.infos += r.count(Severity::Info);
        self.passed += r.passed;
        self.not_evaluated += r.not_evaluated.len();
        self.waived += r.waivers.waived.len();
    }
}

/// The places in this year's report that a finding points at, each with its label: every
/// cell it read (`行·列 = 原文`, the row named by `row_name`), then every place it names.
/// Spans beyond the end of `text_len` are left out: they would underline nothing.
fn marked_spans<'a>(
    f: &'a Finding,
    text_len: usize,
    row_name: impl Fn(&CellEvidence) -> String + 'a,
) -> impl Iterator<Item = (Span, String)> + 'a {
    let within = move |s: Span| s.end <= text_len;
    let cells = f
        .cells
        .iter()
        .filter(move |c| !c.previous && within(c.span))
        .map(move |c| {
            let shown = if c.raw.is_empty() {
                "（空白）"
            } else {
                &c.raw
            };
            (
                c.span,
                format!("{}·{} = {shown}", row_name(c), c.column_label),
            )
        });
    let places = f
        .places
        .iter()
        .filter(move |(s, _)| within(*s))
        .map(|(s, label)| (*s, label.clone()));
    cells.chain(places)
}

/// The cells of last year's report that a finding read, as `行·列 = 原文；…`; `None` when it
/// read none.
fn previous_cells(f: &Finding) -> Option<String> {
    let previous: Vec<String> = f
        .cells
        .iter()
        .filter(|c| c.previous)
        .map(|c| format!("{}·{} = {}", c.row_label, c.column_label, c.raw))
        .collect();
    (!previous.is_empty()).then(|| previous.join("；"))
}
