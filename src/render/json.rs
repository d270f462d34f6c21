//! Findings for scripts: a versioned JSON document (schema in docs/json-output.md). Field
//! order and finding order are stable.

use serde::Serialize;

use super::Totals;
use crate::findings::{FindingKind, ReportFindings};
use crate::ruleset::Severity;
use crate::source::{SourceFile, Span};

/// The schema's name and version; bumped on any incompatible change.
pub const SCHEMA: &str = "gouji-check/1";

#[derive(Serialize)]
struct ReportJson<'a> {
    path: &'a str,
    rule_set: &'a str,
    rule_set_title: Option<&'a str>,
    year: Option<i32>,
    agency: Option<&'a str>,
    previous: Option<&'a str>,
    input: crate::report::InputKind,
    layout: crate::report::Layout,
    encoding: &'static str,
    findings: Vec<FindingJson<'a>>,
    not_evaluated: Vec<NotEvaluatedJson<'a>>,
    /// Findings that waivers accepted, each with its waiver; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    waived: Vec<FindingJson<'a>>,
    /// Waivers about a finding above that no longer apply; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    lapsed_waivers: Vec<LapsedJson<'a>>,
    summary: Totals,
}

/// The waiver that accepted a finding.
#[derive(Serialize)]
struct WaiverJson<'a> {
    reason: &'a str,
    expires: Option<String>,
    by: Option<&'a str>,
    /// `豁免.toml:12`: the register and the line of the entry.
    register: &'a str,
}

#[derive(Serialize)]
struct LapsedJson<'a> {
    rule: &'a str,
    bindings: Vec<Binding<'a>>,
    reason: &'a str,
    register: &'a str,
}

#[derive(Serialize)]
struct FindingJson<'a> {
    rule: &'a str,
    kind: FindingKind,
    severity: Severity,
    tags: &'a [String],
    message: &'a str,
    help: Option<&'a str>,
    basis: Option<&'a str>,
    bindings: Vec<Binding<'a>>,
    location: Option<Location>,
    cells: Vec<CellJson<'a>>,
    places: Vec<PlaceJson<'a>>,
    comparison: Option<&'a crate::eval::Comparison>,
    rule_file: Option<&'a str>,
    rule_line: Option<usize>,
    /// Failures that the same wrong cell explains; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<FindingJson<'a>>,
    /// Present on waived findings.
    #[serde(skip_serializing_if = "Option::is_none")]
    waiver: Option<WaiverJson<'a>>,
}

#[derive(Serialize)]
struct Binding<'a> {
    name: &'a str,
    value: &'a str,
}

#[derive(Serialize)]
struct NotEvaluatedJson<'a> {
    rule: &'a str,
    bindings: Vec<Binding<'a>>,
    reason: &'a str,
}

/// A place in a report file: 1-based line and column (in characters), and byte offsets.
#[derive(Serialize)]
struct Location {
    line: usize,
    column: usize,
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct CellJson<'a> {
    previous_year: bool,
    table: &'a str,
    row: &'a str,
    column: &'a str,
    row_label: &'a str,
    column_label: &'a str,
    raw: &'a str,
    value: &'a str,
    /// Present for cells of this year's report.
    line: Option<usize>,
    column_number: Option<usize>,
    start: Option<usize>,
    end: Option<usize>,
}

#[derive(Serialize)]
struct PlaceJson<'a> {
    label: &'a str,
    #[serde(flatten)]
    location: Location,
}

fn location(source: &SourceFile, span: Span) -> Location {
    let (line, column) = source.line_col(span.start);
    Location {
        line,
        column,
        start: span.start,
        end: span.end,
    }
}

fn bindings(b: &[(String, String)]) -> Vec<Binding<'_>> {
    b.iter()
        .map(|(name, value)| Binding { name, value })
        .collect()
}

/// Renders a run as one JSON document, indented.
pub fn render(reports: &[ReportFindings]) -> String {
    let mut writer = Writer::new(true);
    let mut text = writer.begin();
    for r in reports {
        text.push_str(&writer.report(r));
    }
    text.push_str(&writer.end());
    text
}

/// Writes the document a report at a time, so that a batch of any size needs memory for only
/// the reports in flight. The text is the same as serialising the whole document at once:
/// indented (for people), or compact with one report a line (for scripts; a fraction of the
/// size, and made without a second pass).
pub struct Writer {
    totals: Totals,
    configuration: Option<serde_json::Value>,
    rule_sets: Vec<RuleSetJson>,
    pretty: bool,
}

/// A rule set of the run, named with its version in the `rule_sets` field.
#[derive(Serialize)]
struct RuleSetJson {
    id: String,
    title: Option<String>,
    version: Option<String>,
}

impl Writer {
    #[must_use]
    pub fn new(pretty: bool) -> Self {
        Self {
            totals: Totals::default(),
            configuration: None,
            rule_sets: Vec::new(),
            pretty,
        }
    }

    /// Names the configuration (`gouji.toml`) the run used, in a `configuration` field.
    #[must_use]
    pub fn with_configuration(mut self, configuration: Option<serde_json::Value>) -> Self {
        self.configuration = configuration;
        self
    }

    /// Names the rule sets of the run, with their versions, in a `rule_sets` field.
    #[must_use]
    pub fn with_rule_sets(mut self, rule_sets: &[crate::ruleset::RuleSet]) -> Self {
        self.rule_sets = rule_sets
            .iter()
            .map(|r| RuleSetJson {
                id: r.id.clone(),
                title: r.title.clone(),
                version: r.version.clone(),
            })
            .collect();
        self
    }

    /// Whether the document is indented.
    pub fn pretty(&self) -> bool {
        self.pretty
    }

    pub fn begin(&mut self) -> String {
        let version = env!("CARGO_PKG_VERSION");
        if !self.pretty {
            let rule_sets = serde_json::to_string(&self.rule_sets).expect("rule sets serialise");
            let configuration = self
                .configuration
                .as_ref()
                .map_or_else(String::new, |c| format!("\"configuration\":{c},"));
            return format!(
                "{{\"schema\":\"{SCHEMA}\",\"gouji_version\":\"{version}\",\"rule_sets\":{rule_sets},{configuration}\"reports\":["
            );
        }
        let rule_sets = serde_json::to_string_pretty(&self.rule_sets)
            .expect("rule sets serialise")
            .replace('\n', "\n  ");
        let configuration = self.configuration.as_ref().map_or_else(String::new, |c| {
            let json = serde_json::to_string_pretty(c).expect("a JSON value serialises");
            format!("\n  \"configuration\": {},", json.replace('\n', "\n  "))
        });
        format!(
            "{{\n  \"schema\": \"{SCHEMA}\",\n  \"gouji_version\": \"{version}\",\n  \"rule_sets\": {rule_sets},{configuration}\n  \"reports\": ["
        )
    }

    pub fn report(&mut self, r: &ReportFindings) -> String {
        let text = report_text(r, self.pretty);
        self.place(r, &text)
    }

    /// In input order, a report's text made by [`report_text`]: with the separator before it,
    /// and counted in the run's summary.
    pub fn place(&mut self, r: &ReportFindings, text: &str) -> String {
        let separator = if self.totals.reports == 0 {
            "\n"
        } else {
            ",\n"
        };
        self.totals.reports += 1;
        self.totals.add(r);
        let mut out = String::with_capacity(separator.len() + text.len());
        out.push_str(separator);
        out.push_str(text);
        out
    }

    pub fn end(&mut self) -> String {
        if !self.pretty {
            let summary = serde_json::to_string(&self.totals).expect("totals always serialise");
            let close = if self.totals.reports == 0 { "]" } else { "\n]" };
            return format!("{close},\"summary\":{summary}}}\n");
        }
        let summary = serde_json::to_string_pretty(&self.totals).expect("totals always serialise");
        let summary = summary.replace('\n', "\n  ");
        let close = if self.totals.reports == 0 {
            "]"
        } else {
            "\n  ]"
        };
        format!("{close},\n  \"summary\": {summary}\n}}\n")
    }
}

/// One report's object, as it stands in the document's `reports` array: compact on one line,
/// or indented to its place in the document. Depends on nothing but the report, so a batch
/// makes it on its worker threads.
pub fn report_text(r: &ReportFindings, pretty: bool) -> String {
    let report = report_json(r);
    if !pretty {
        return serde_json::to_string(&report).expect("findings always serialise");
    }
    let json = serde_json::to_string_pretty(&report).expect("findings always serialise");
    let mut out = String::with_capacity(json.len() + json.len() / 8);
    for (i, line) in json.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

fn report_json(r: &ReportFindings) -> ReportJson<'_> {
    ReportJson {
        path: r.source.name(),
        rule_set: &r.rule_set,
        rule_set_title: r.rule_set_title.as_deref(),
        year: r.year,
        agency: r.agency.as_deref(),
        previous: r.previous.as_deref(),
        input: r.input,
        layout: r.layout,
        encoding: r.encoding,
        findings: r.findings.iter().map(|f| finding_json(r, f)).collect(),
        not_evaluated: r
            .not_evaluated
            .iter()
            .map(|n| NotEvaluatedJson {
                rule: &n.rule,
                bindings: bindings(&n.bindings),
                reason: &n.reason,
            })
            .collect(),
        waived: r
            .waivers
            .waived
            .iter()
            .map(|w| FindingJson {
                waiver: Some(WaiverJson {
                    reason: &w.entry.reason,
                    expires: w.entry.expires.map(|d| d.to_string()),
                    by: w.entry.by.as_deref(),
                    register: &w.place,
                }),
                ..finding_json(r, &w.finding)
            })
            .collect(),
        lapsed_waivers: r
            .waivers
            .lapsed
            .iter()
            .map(|l| LapsedJson {
                rule: &l.rule,
                bindings: bindings(&l.bindings),
                reason: &l.why,
                register: &l.place,
            })
            .collect(),
        summary: Totals::of(std::slice::from_ref(r)),
    }
}

fn finding_json<'a>(r: &'a ReportFindings, f: &'a crate::findings::Finding) -> FindingJson<'a> {
    FindingJson {
        rule: &f.rule,
        kind: f.kind,
        severity: f.severity,
        tags: &f.tags,
        message: &f.message,
        help: f.help.as_deref(),
        basis: f.basis.as_deref(),
        bindings: bindings(&f.bindings),
        location: f.span.map(|s| location(&r.source, s)),
        cells: f
            .cells
            .iter()
            .map(|c| {
                let here = (!c.previous).then(|| location(&r.source, c.span));
                CellJson {
                    previous_year: c.previous,
                    table: &c.table,
                    row: &c.row,
                    column: &c.column,
                    row_label: &c.row_label,
                    column_label: &c.column_label,
                    raw: &c.raw,
                    value: &c.value,
                    line: here.as_ref().map(|l| l.line),
                    column_number: here.as_ref().map(|l| l.column),
                    start: here.as_ref().map(|l| l.start),
                    end: here.as_ref().map(|l| l.end),
                }
            })
            .collect(),
        places: f
            .places
            .iter()
            .map(|(s, label)| PlaceJson {
                label,
                location: location(&r.source, *s),
            })
            .collect(),
        comparison: f.comparison.as_ref(),
        rule_file: f.rule_location.as_ref().map(|(file, _)| file.as_str()),
        rule_line: f.rule_location.as_ref().map(|(_, line)| *line),
        related: f.related.iter().map(|g| finding_json(r, g)).collect(),
        waiver: None,
    }
}
