//! Findings for code-scanning tools: a SARIF 2.1.0 log (one run, gouji as its tool), for
//! GitHub code scanning, the VS Code SARIF viewer and the like.
//!
//! The log is written a report at a time, like the JSON document: the results as they come,
//! and the tool with its rules — one `reportingDescriptor` per rule id that occurred, sorted
//! by id — at the end of the run object (JSON member order means nothing to SARIF readers).
//! Memory grows with the rule ids seen, not with the findings.
//!
//! A finding that a waiver accepted is a result like the others, with one suppression (`kind`
//! `external`: the register; `status` `accepted`; the waiver's reason as `justification`), so
//! that code-scanning tools count it as dismissed.
//!
//! Positions: lines and columns are 1-based and count characters, as gouji's do; the run says
//! so with `"columnKind": "unicodeCodePoints"` (SARIF's default would be UTF-16 code units).
//! `endColumn` is the column after the last character, as SARIF wants. Character offsets
//! (`charOffset`) are left out: gouji's offsets are into the decoded text (a UTF-8
//! byte-order mark removed), so they could disagree with the file by a character.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use super::marked_spans;
use crate::eval::Comparison;
use crate::findings::{Finding, FindingKind, ReportFindings};
use crate::report::AnomalyKind;
use crate::ruleset::{Check, RuleSet, Severity, TemplatePart};
use crate::source::{SourceFile, Span};

/// The SARIF version written.
pub const VERSION: &str = "2.1.0";
/// The schema the log names in `$schema`.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// SARIF's name for a severity.
#[must_use]
pub fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// What each kind of extraction anomaly means, for the rule descriptor of its id.
#[must_use]
pub fn anomaly_description(kind: AnomalyKind) -> &'static str {
    match kind {
        AnomalyKind::TableMissing => "找不到规则集声明的表格",
        AnomalyKind::TableBlank => "表格找到了，但每一格都是空白",
        AnomalyKind::InvalidValue => "单元格里的内容不是规定类型的值",
        AnomalyKind::Unreadable => "报告的某部分无法读取",
        AnomalyKind::ExtraValues => "一行中的数值比表格的列多，多出的未计入",
        AnomalyKind::MissingValues => "一行中的数值比表格的列少",
        AnomalyKind::RowNotFound => "表格中找不到规定的行",
        AnomalyKind::ColumnNotFound => "表格中找不到规定的列的表头",
        AnomalyKind::LabelDrift => "标签只能通过不规范的别名或规范化后才对得上",
        AnomalyKind::UnknownTable => "有几行看起来像表格，但对不上规则集声明的任何表格",
        AnomalyKind::UnknownCells => {
            "表格中有单元格没有读准（数值落在两列之间或一列中有两个数值），需要它们的检查未评估"
        }
        AnomalyKind::Encoding => "文件中有不是有效文字编码的字节，已替换，那里的文字可能缺失",
    }
}

/// A check's message as written in its rule file, placeholders and all.
#[must_use]
pub fn message_template(rule_set: &RuleSet, check: &Check) -> String {
    let mut out = String::new();
    for part in &check.message.parts {
        match part {
            TemplatePart::Text(t) => out.push_str(t),
            TemplatePart::Left => out.push_str("{左}"),
            TemplatePart::Right => out.push_str("{右}"),
            TemplatePart::Difference => out.push_str("{差}"),
            TemplatePart::Formula => out.push_str("{公式}"),
            TemplatePart::Value(e) => {
                out.push('{');
                out.push_str(&rule_set.expr_text(e, &check.slot_names));
                out.push('}');
            }
        }
    }
    out
}

/// A report's path as a URI reference: relative paths stay relative (with `/` between
/// directories), absolute ones become `file:` URIs; everything but unreserved characters and
/// `/` is percent-encoded (UTF-8), so Chinese file names make valid URIs too.
#[must_use]
pub fn uri(path: &str) -> (String, bool) {
    let path = if cfg!(windows) {
        path.replace('\\', "/")
    } else {
        path.to_owned()
    };
    let windows_drive = path.len() >= 3
        && path.as_bytes()[0].is_ascii_alphabetic()
        && path.as_bytes()[1] == b':'
        && path.as_bytes()[2] == b'/';
    let absolute = path.starts_with('/') || windows_drive;
    let mut out = String::with_capacity(path.len());
    if absolute {
        out.push_str("file://");
        if windows_drive {
            out.push('/');
        }
    }
    for (i, byte) in path.bytes().enumerate() {
        let keep = byte.is_ascii_alphanumeric()
            || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/')
            || (windows_drive && i == 1);
        if keep {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    (out, !absolute)
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultJson<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: Text<'a>,
    locations: Vec<LocationJson<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<LocationJson<'a>>,
    /// A waived finding is a result with an accepted, external suppression (the register).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    suppressions: Vec<Suppression<'a>>,
    properties: ResultProperties<'a>,
}

#[derive(Serialize)]
struct Suppression<'a> {
    kind: &'static str,
    status: &'static str,
    justification: &'a str,
    properties: SuppressionProperties<'a>,
}

#[derive(Serialize)]
struct SuppressionProperties<'a> {
    /// `豁免.toml:12`: the register and the line of the waiver.
    register: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    expires: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    by: Option<&'a str>,
}

#[derive(Serialize)]
struct Text<'a> {
    text: std::borrow::Cow<'a, str>,
}

impl<'a> Text<'a> {
    fn new(text: impl Into<std::borrow::Cow<'a, str>>) -> Self {
        Self { text: text.into() }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct LocationJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation<'a> {
    artifact_location: &'a ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
    end_line: usize,
    end_column: usize,
}

impl Region {
    fn of(source: &SourceFile, span: Span) -> Self {
        let (start_line, start_column) = source.line_col(span.start);
        let (end_line, end_column) = source.line_col(span.end.max(span.start));
        Self {
            start_line,
            start_column,
            end_line,
            end_column,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultProperties<'a> {
    rule_set: &'a str,
    kind: FindingKind,
    bindings: Vec<Binding<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<&'a Comparison>,
    /// Failures that the same wrong cell explains (each also a related location).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<RelatedJson<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct RelatedJson<'a> {
    rule_id: &'a str,
    level: &'static str,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<&'a Comparison>,
}

#[derive(Serialize)]
struct Binding<'a> {
    name: &'a str,
    value: &'a str,
}

/// A rule as SARIF describes it; kept from the first finding of its id.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: String,
    name: String,
    short_description: Text<'static>,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_description: Option<Text<'static>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Text<'static>>,
    default_configuration: Configuration,
    properties: DescriptorProperties,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct DescriptorProperties {
    tags: Vec<String>,
    kind: FindingKind,
    /// The rule sets whose reports had a finding of this rule, sorted.
    rule_sets: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_line: Option<usize>,
}

#[derive(Serialize)]
struct Tool<'a> {
    driver: Driver<'a>,
    /// The rule sets of the run, with their versions (SARIF tool components).
    extensions: Vec<Extension<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Extension<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    full_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    version: Option<&'a str>,
}

#[derive(Serialize)]
struct Driver<'a> {
    name: &'static str,
    version: &'static str,
    rules: Vec<&'a Descriptor>,
}

/// Writes the log a report at a time.
pub struct Writer<'r> {
    rule_sets: &'r [RuleSet],
    rules: BTreeMap<String, Descriptor>,
    results: usize,
    configuration: Option<serde_json::Value>,
}

impl<'r> Writer<'r> {
    /// `rule_sets` are those the reports are checked with: the descriptors take the checks'
    /// message templates from them.
    #[must_use]
    pub fn new(rule_sets: &'r [RuleSet]) -> Self {
        Self {
            rule_sets,
            rules: BTreeMap::new(),
            results: 0,
            configuration: None,
        }
    }

    /// Names the configuration (`gouji.toml`) the run used, in the run's property bag.
    #[must_use]
    pub fn with_configuration(mut self, configuration: Option<serde_json::Value>) -> Self {
        self.configuration = configuration;
        self
    }

    pub fn begin(&mut self) -> String {
        format!(
            "{{\n  \"$schema\": \"{SCHEMA}\",\n  \"version\": \"{VERSION}\",\n  \"runs\": [\n    {{\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": ["
        )
    }

    pub fn report(&mut self, r: &ReportFindings) -> String {
        let (uri, relative) = uri(r.source.name());
        let artifact = ArtifactLocation {
            uri,
            uri_base_id: relative.then_some("%SRCROOT%"),
        };
        let mut out = String::new();
        let waived = r.waivers.waived.iter().map(|w| {
            let suppression = Suppression {
                kind: "external",
                status: "accepted",
                justification: &w.entry.reason,
                properties: SuppressionProperties {
                    register: &w.place,
                    expires: w.entry.expires.map(|d| d.to_string()),
                    by: w.entry.by.as_deref(),
                },
            };
            (&w.finding, Some(suppression))
        });
        for (f, suppression) in r.findings.iter().map(|f| (f, None)).chain(waived) {
            self.describe(r, f);
            for related in &f.related {
                self.describe(r, related);
            }
            let mut result = result_json(r, f, &artifact);
            result.suppressions.extend(suppression);
            let json = serde_json::to_string_pretty(&result).expect("results always serialise");
            out.push_str(if self.results == 0 { "\n" } else { ",\n" });
            self.results += 1;
            indent(&mut out, &json, 8);
        }
        out
    }

    pub fn end(&mut self) -> String {
        let mut out = String::from(if self.results == 0 {
            "],\n"
        } else {
            "\n      ],\n"
        });
        let tool = Tool {
            driver: Driver {
                name: "gouji",
                version: env!("CARGO_PKG_VERSION"),
                rules: self.rules.values().collect(),
            },
            extensions: self
                .rule_sets
                .iter()
                .map(|r| Extension {
                    name: &r.id,
                    full_name: r.title.as_deref(),
                    version: r.version.as_deref(),
                })
                .collect(),
        };
        if let Some(configuration) = &self.configuration {
            let properties = serde_json::json!({ "configuration": configuration });
            let json = serde_json::to_string_pretty(&properties).expect("a JSON value serialises");
            out.push_str("      \"properties\": ");
            let mut body = String::new();
            indent(&mut body, &json, 6);
            out.push_str(body.trim_start());
            out.push_str(",\n");
        }
        let tool = serde_json::to_string_pretty(&tool).expect("the tool always serialises");
        out.push_str("      \"tool\": ");
        let mut body = String::new();
        indent(&mut body, &tool, 6);
        out.push_str(body.trim_start());
        out.push_str("\n    }\n  ]\n}\n");
        out
    }

    /// Adds the descriptor of a finding's rule, the first time the rule is seen; notes the
    /// rule set otherwise.
    fn describe(&mut self, r: &ReportFindings, f: &Finding) {
        if let Some(d) = self.rules.get_mut(&f.rule) {
            if let Err(at) = d.properties.rule_sets.binary_search(&r.rule_set) {
                d.properties.rule_sets.insert(at, r.rule_set.clone());
            }
            return;
        }
        let short = match f.kind {
            FindingKind::Check if f.rule == crate::findings::BLANK_TOTAL_RULE => {
                "表格的总计栏未填，而各分项之和不为 0".to_owned()
            }
            FindingKind::Extraction => AnomalyKind::ALL
                .iter()
                .find(|k| k.id() == f.rule)
                .map_or_else(|| f.rule.clone(), |k| anomaly_description(*k).to_owned()),
            FindingKind::Check => self
                .rule_sets
                .iter()
                .find(|s| s.id == r.rule_set)
                .and_then(|s| s.check(&f.rule).map(|c| message_template(s, c)))
                .unwrap_or_else(|| f.rule.clone()),
        };
        let full = match (&f.help, &f.basis) {
            (None, None) => None,
            (Some(h), None) => Some(h.clone()),
            (None, Some(b)) => Some(format!("依据：{b}")),
            (Some(h), Some(b)) => Some(format!("{h}\n依据：{b}")),
        };
        let descriptor = Descriptor {
            id: f.rule.clone(),
            name: f.rule.clone(),
            short_description: Text::new(short),
            full_description: full.clone().map(Text::new),
            help: full.map(Text::new),
            default_configuration: Configuration {
                level: level(f.severity),
            },
            properties: DescriptorProperties {
                tags: f.tags.clone(),
                kind: f.kind,
                rule_sets: vec![r.rule_set.clone()],
                rule_file: f.rule_location.as_ref().map(|(file, _)| file.clone()),
                rule_line: f.rule_location.as_ref().map(|(_, line)| *line),
            },
        };
        self.rules.insert(f.rule.clone(), descriptor);
    }
}

/// Appends `json`'s lines to `out`, each indented by `by` spaces.
fn indent(out: &mut String, json: &str, by: usize) {
    for (i, line) in json.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n(' ', by));
        out.push_str(line);
    }
}

fn result_json<'a>(
    r: &'a ReportFindings,
    f: &'a Finding,
    artifact: &'a ArtifactLocation,
) -> ResultJson<'a> {
    let len = r.source.text().len();
    let primary = f.span.filter(|s| s.end <= len);
    // The primary location is the first cell of this year's report (or the first place);
    // every other cell and place is a related location, labelled with what it is.
    let mut related = Vec::new();
    let mut primary_label = None;
    for (span, label) in marked_spans(f, len, |c| c.row_label.clone()) {
        if Some(span) == primary && primary_label.is_none() {
            primary_label = Some(label);
            continue;
        }
        related.push(LocationJson {
            id: Some(related.len() + 1),
            physical_location: PhysicalLocation {
                artifact_location: artifact,
                region: Some(Region::of(&r.source, span)),
            },
            message: Some(Text::new(label)),
        });
    }
    // Each related finding: a related location at its first cell, labelled with its message.
    for g in &f.related {
        related.push(LocationJson {
            id: Some(related.len() + 1),
            physical_location: PhysicalLocation {
                artifact_location: artifact,
                region: g
                    .span
                    .filter(|s| s.end <= len)
                    .map(|s| Region::of(&r.source, s)),
            },
            message: Some(Text::new(format!("相关：{}：{}", g.rule, g.message))),
        });
    }
    ResultJson {
        rule_id: &f.rule,
        level: level(f.severity),
        message: Text::new(match &f.comparison {
            Some(c) => format!("{}\n公式：{}", f.message, c.formula).into(),
            None => std::borrow::Cow::Borrowed(f.message.as_str()),
        }),
        locations: vec![LocationJson {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact,
                region: primary.map(|s| Region::of(&r.source, s)),
            },
            message: primary_label.map(Text::new),
        }],
        related_locations: related,
        suppressions: Vec::new(),
        properties: ResultProperties {
            rule_set: &r.rule_set,
            kind: f.kind,
            bindings: f
                .bindings
                .iter()
                .map(|(name, value)| Binding { name, value })
                .collect(),
            comparison: f.comparison.as_ref(),
            related: f
                .related
                .iter()
                .map(|g| RelatedJson {
                    rule_id: &g.rule,
                    level: level(g.severity),
                    message: &g.message,
                    comparison: g.comparison.as_ref(),
                })
                .collect(),
        },
    }
}
