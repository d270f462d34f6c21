//! The output formats for tools — `--format sarif`, `junit` and `github` —, `--select` and
//! `--ignore`, and `gouji rules list`, through the real binary.
//!
//! As in `tests/cli.rs`, every run happens in a fresh directory under `CARGO_TARGET_TMPDIR`
//! (no `gouji.toml` above it) with the fixtures of `tests/fixtures/cli/` copied in, so paths
//! in the output are relative and snapshots hold no absolute path:
//! - `clean.txt`: no finding at all;
//! - `warning.txt`: only a warning (a non-standard row label, indented with tabs);
//! - `s1.txt`: the S1 balance fails in the 自然人 and 总计 columns;
//! - `prev-2019.txt`: the year before `clean.txt`, whose two open applications `clean.txt`
//!   does not carry over.
//!
//! Snapshots leave out what changes whenever the built-in rule sets grow: the crate's version,
//! the line numbers of rules, the counts of checks that passed or were not evaluated, and the
//! test cases of checks other than those the fixtures are about.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::{FIXTURES, Scratch};
use unicode_width::UnicodeWidthChar;

// ───────────────────────────────────────────────────────────────────────────── helpers

fn fixture_text(name: &str) -> String {
    std::fs::read_to_string(Path::new(FIXTURES).join(name)).unwrap()
}

/// The text of a report between two 1-based (line, column) positions, columns counting
/// characters, the end exclusive — SARIF's regions with `"columnKind": "unicodeCodePoints"`.
fn text_between(text: &str, start: (usize, usize), end: (usize, usize)) -> String {
    let lines: Vec<&str> = text.split('\n').collect();
    let mut out = String::new();
    for line in start.0..=end.0 {
        let chars: Vec<char> = lines[line - 1].chars().collect();
        let from = if line == start.0 { start.1 - 1 } else { 0 };
        let to = if line == end.0 {
            end.1 - 1
        } else {
            chars.len()
        };
        out.extend(&chars[from..to]);
        if line != end.0 {
            out.push('\n');
        }
    }
    out
}

fn redact_version(text: &str) -> String {
    let version = env!("CARGO_PKG_VERSION");
    text.replace(
        &format!("\"version\": \"{version}\""),
        "\"version\": \"[version]\"",
    )
}

/// Display columns at which each column of an aligned table starts, from its header line
/// (cells of the header have no spaces).
fn column_starts(header: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut at = 0;
    let mut previous_space = true;
    for c in header.chars() {
        if c != ' ' && previous_space {
            starts.push(at);
        }
        previous_space = c == ' ';
        at += c.width().unwrap_or(0);
    }
    starts
}

/// Asserts that every line of a table has a cell starting at each of the header's columns,
/// with at least two spaces before it: the columns line up in display width.
fn assert_aligned(table: &str) {
    let mut lines = table.lines();
    let header = lines.next().expect("a header line");
    let starts = column_starts(header);
    assert!(starts.len() >= 2, "{table}");
    for line in lines {
        // The display cell of every column of the line: the character there, or a marker for
        // the second half of a wide character.
        let mut cells: Vec<char> = Vec::new();
        for c in line.chars() {
            cells.push(c);
            cells.extend(std::iter::repeat_n(
                '\0',
                c.width().unwrap_or(1).saturating_sub(1),
            ));
        }
        for &s in &starts[1..] {
            assert!(
                cells.get(s).is_some_and(|c| *c != ' ' && *c != '\0')
                    && cells[s - 2..s] == [' ', ' '],
                "the column at display column {s} does not line up in\n{line}\nof\n{table}"
            );
        }
    }
}

// ───────────────────────────────────────────────────────────────────────────── SARIF

/// The essentials of the SARIF 2.1.0 schema, and what gouji promises on top: stable rules
/// (sorted by id, one per id), every result's rule described, character columns.
fn assert_valid_sarif(log: &Value) {
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(
        log["$schema"],
        "https://json.schemastore.org/sarif-2.1.0.json"
    );
    let runs = log["runs"].as_array().expect("runs is an array");
    assert_eq!(runs.len(), 1, "one run");
    let run = &runs[0];
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let driver = &run["tool"]["driver"];
    assert_eq!(driver["name"], "gouji");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
    assert!(driver.get("informationUri").is_none());
    let levels = ["error", "warning", "note"];
    let rules = driver["rules"]
        .as_array()
        .expect("driver.rules is an array");
    let ids: Vec<&str> = rules
        .iter()
        .map(|r| r["id"].as_str().expect("a rule has an id"))
        .collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(ids, sorted, "rules are sorted by id, one per id");
    for rule in rules {
        assert!(
            rule["shortDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{rule:#}"
        );
        assert!(
            levels.contains(&rule["defaultConfiguration"]["level"].as_str().unwrap()),
            "{rule:#}"
        );
        for text in ["fullDescription", "help"] {
            if let Some(d) = rule.get(text) {
                assert!(d["text"].is_string(), "{rule:#}");
            }
        }
        let tags = rule["properties"]["tags"].as_array().expect("tags");
        let unique: BTreeSet<&str> = tags.iter().map(|t| t.as_str().unwrap()).collect();
        assert_eq!(unique.len(), tags.len(), "tags are unique: {rule:#}");
    }
    let results = run["results"].as_array().expect("results is an array");
    let mut used = BTreeSet::new();
    for result in results {
        let id = result["ruleId"].as_str().expect("a result has a ruleId");
        assert!(ids.contains(&id), "{id} is not in driver.rules");
        used.insert(id);
        assert!(
            levels.contains(&result["level"].as_str().unwrap()),
            "{result:#}"
        );
        assert!(
            result["message"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{result:#}"
        );
        let locations = result["locations"].as_array().expect("locations");
        assert_eq!(locations.len(), 1, "{result:#}");
        let related = result
            .get("relatedLocations")
            .map_or(&[][..], |r| r.as_array().unwrap().as_slice());
        for (i, location) in locations.iter().chain(related).enumerate() {
            let physical = &location["physicalLocation"];
            assert!(
                physical["artifactLocation"]["uri"].is_string(),
                "{location:#}"
            );
            if i > 0 {
                assert_eq!(location["id"], i, "related locations are numbered");
            }
            if let Some(region) = physical.get("region") {
                let n = |k: &str| {
                    region[k]
                        .as_u64()
                        .unwrap_or_else(|| panic!("{k}: {region}"))
                };
                assert!(n("startLine") >= 1 && n("startColumn") >= 1, "{region}");
                assert!(
                    (n("endLine"), n("endColumn")) >= (n("startLine"), n("startColumn")),
                    "{region}"
                );
                assert!(region.get("charOffset").is_none(), "{region}");
            }
        }
    }
    assert_eq!(
        used.len(),
        ids.len(),
        "driver.rules describes only rules that occur"
    );
}

/// Each location of each result points, in its report, at what its message says: a cell's
/// value (`二·自然人 = 2` → `2`).
fn assert_regions_point_at_the_cells(log: &Value, reports: &[&str]) -> usize {
    let mut checked = 0;
    for result in log["runs"][0]["results"].as_array().unwrap() {
        let related = result
            .get("relatedLocations")
            .map_or(&[][..], |r| r.as_array().unwrap().as_slice());
        for location in result["locations"]
            .as_array()
            .unwrap()
            .iter()
            .chain(related)
        {
            let physical = &location["physicalLocation"];
            let uri = physical["artifactLocation"]["uri"].as_str().unwrap();
            assert!(reports.contains(&uri), "{uri}");
            let Some(label) = location["message"]["text"].as_str() else {
                continue;
            };
            let Some((_, value)) = label.rsplit_once(" = ") else {
                continue;
            };
            let region = &physical["region"];
            let n = |k: &str| usize::try_from(region[k].as_u64().unwrap()).unwrap();
            let text = text_between(
                &fixture_text(uri),
                (n("startLine"), n("startColumn")),
                (n("endLine"), n("endColumn")),
            );
            assert_eq!(text, value, "{location:#}");
            checked += 1;
        }
    }
    checked
}

#[test]
fn sarif_snapshot_and_structure() {
    let dir = Scratch::new("render", "sarif").with(&["s1.txt", "warning.txt", "clean.txt"]);
    let run = dir.run(&[
        "check",
        "--format",
        "sarif",
        "s1.txt",
        "warning.txt",
        "clean.txt",
    ]);
    run.code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let log = run.json();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    let rules: Vec<&str> = results
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["S1", "S1", "读取.标签偏差"]);
    assert_eq!(
        assert_regions_point_at_the_cells(&log, &["s1.txt", "warning.txt"]),
        8,
        "four cells under each of the two S1 findings"
    );
    // The warning's row label, after two tabs: columns count characters, not bytes or
    // display width.
    let warning = &results[2];
    assert_eq!(warning["level"], "warning");
    let region = &warning["locations"][0]["physicalLocation"]["region"];
    let n = |k: &str| usize::try_from(region[k].as_u64().unwrap()).unwrap();
    assert_eq!(
        text_between(
            &fixture_text("warning.txt"),
            (n("startLine"), n("startColumn")),
            (n("endLine"), n("endColumn"))
        ),
        "2. 其他法律法规禁止公开"
    );
    assert_eq!((n("startLine"), n("startColumn")), (53, 3));
    // The S1 descriptor: the message as written, its 依据 and tags.
    let s1 = &log["runs"][0]["tool"]["driver"]["rules"][0];
    assert_eq!(s1["id"], "S1");
    assert!(
        s1["shortDescription"]["text"]
            .as_str()
            .unwrap()
            .contains("{c}"),
        "{s1:#}"
    );
    assert!(
        s1["fullDescription"]["text"]
            .as_str()
            .unwrap()
            .starts_with("依据："),
        "{s1:#}"
    );
    assert_eq!(s1["properties"]["tags"][0], "勾稽");
    assert_eq!(results[0]["properties"]["bindings"][0]["value"], "自然人");
    assert_eq!(results[0]["properties"]["comparison"]["difference"], "1");

    let rule_line = regex::Regex::new(r#""ruleLine": \d+"#).unwrap();
    let text = redact_version(&run.stdout);
    let text = rule_line.replace_all(&text, r#""ruleLine": "[line]""#);
    insta::assert_snapshot!("sarif", text);
}

#[test]
fn sarif_without_findings_and_with_last_years_report() {
    let dir = Scratch::new("render", "sarif-clean").with(&["clean.txt", "prev-2019.txt"]);
    let clean = dir.run(&["check", "--format", "sarif", "clean.txt"]);
    clean.code(0);
    let log = clean.json();
    assert_valid_sarif(&log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
    assert_eq!(
        log["runs"][0]["tool"]["driver"]["rules"],
        serde_json::json!([])
    );

    // A cell of last year's report has no place in this report: no location for it.
    let carry = dir.run(&[
        "check",
        "--format",
        "sarif",
        "--fail-on",
        "never",
        "clean.txt",
        "--prev",
        "prev-2019.txt",
    ]);
    carry.code(0);
    let log = carry.json();
    assert_valid_sarif(&log);
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(
        results.iter().any(|r| r["ruleId"] == "结转连续"),
        "{results:#?}"
    );
    assert!(assert_regions_point_at_the_cells(&log, &["clean.txt"]) > 0);
}

// ───────────────────────────────────────────────────────────────────────────── JUnit

/// A small well-formedness check of the XML gouji writes: balanced elements, quoted
/// attributes, only the five predefined entities and numeric character references. Returns
/// the elements as (depth, name, attributes), in document order.
/// An element: its depth, name and attributes (values as written, escaped).
type Element = (usize, String, Vec<(String, String)>);

fn parse_xml(xml: &str) -> Vec<Element> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .expect("an XML declaration");
    let check_text = |text: &str| {
        let mut rest = text;
        while let Some(at) = rest.find('&') {
            let end = rest[at..].find(';').expect("an entity ends with ;") + at;
            let entity = &rest[at + 1..end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&entity)
                    || entity
                        .strip_prefix('#')
                        .is_some_and(|n| n.parse::<u32>().is_ok()),
                "unknown entity &{entity}; in {text}"
            );
            rest = &rest[end + 1..];
        }
        assert!(!text.contains('<') && !text.contains('>'), "{text}");
    };
    let mut elements = Vec::new();
    let mut stack: Vec<String> = Vec::new();
    let mut rest = body;
    while !rest.is_empty() {
        let Some(open) = rest.find('<') else {
            check_text(rest);
            break;
        };
        check_text(&rest[..open]);
        rest = &rest[open + 1..];
        let close = rest.find('>').expect("a tag ends");
        let tag = &rest[..close];
        rest = &rest[close + 1..];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop().as_deref(), Some(name), "unbalanced </{name}>");
            continue;
        }
        let empty = tag.ends_with('/');
        let tag = tag.trim_end_matches('/');
        let (name, mut attributes) = tag.split_once(' ').unwrap_or((tag, ""));
        let mut attrs = Vec::new();
        while !attributes.trim().is_empty() {
            let (key, after) = attributes
                .trim_start()
                .split_once("=\"")
                .expect("key=\"value\"");
            let end = after.find('"').expect("a closing quote");
            check_text(&after[..end]);
            attrs.push((key.to_owned(), after[..end].to_owned()));
            attributes = &after[end + 1..];
        }
        elements.push((stack.len(), name.to_owned(), attrs));
        if !empty {
            stack.push(name.to_owned());
        }
    }
    assert!(stack.is_empty(), "unclosed elements {stack:?}");
    elements
}

fn attribute<'a>(attrs: &'a [(String, String)], name: &str) -> &'a str {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map_or_else(|| panic!("no {name} in {attrs:?}"), |(_, v)| v.as_str())
}

/// For the snapshot: only the test cases the fixtures are about (读取, failures, 结转连续);
/// the counts that depend on the rule set's size redacted.
fn redact_junit(xml: &str) -> String {
    let counts = regex::Regex::new(r#" (tests|skipped)="\d+""#).unwrap();
    let properties = regex::Regex::new(r#"name="(passed|not_evaluated)" value="\d+""#).unwrap();
    let rule_line = regex::Regex::new(r"(规则：&lt;内置&gt;/[^:\s]+\.gouji):\d+").unwrap();
    let mut out = Vec::new();
    let mut lines = xml.lines().peekable();
    while let Some(line) = lines.next() {
        if line.trim_start().starts_with("<testcase ") {
            let keep = line.contains("name=\"读取\"")
                || line.contains("name=\"结转连续\"")
                || lines
                    .peek()
                    .is_some_and(|next| next.trim_start().starts_with("<failure"));
            if !keep {
                if !line.ends_with("/>") {
                    for l in lines.by_ref() {
                        if l.trim_start() == "</testcase>" {
                            break;
                        }
                    }
                }
                continue;
            }
        }
        out.push(line.to_owned());
    }
    let text = out.join("\n") + "\n";
    let text = counts.replace_all(&text, r#" $1="[n]""#);
    let text = properties.replace_all(&text, r#"name="$1" value="[n]""#);
    rule_line.replace_all(&text, "$1:[line]").into_owned()
}

#[test]
fn junit_snapshot_and_structure() {
    let dir = Scratch::new("render", "junit").with(&["s1.txt", "warning.txt", "clean.txt"]);
    let run = dir.run(&[
        "check",
        "--format",
        "junit",
        "s1.txt",
        "warning.txt",
        "clean.txt",
    ]);
    run.code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let elements = parse_xml(&run.stdout);
    assert_eq!(elements[0].1, "testsuites");
    let suites: Vec<usize> = elements
        .iter()
        .enumerate()
        .filter(|(_, e)| e.1 == "testsuite")
        .map(|(i, _)| i)
        .collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|&i| attribute(&elements[i].2, "name"))
        .collect();
    assert_eq!(names, ["s1.txt", "warning.txt", "clean.txt"]);
    // The counts of each suite are those of its test cases.
    for (k, &i) in suites.iter().enumerate() {
        let end = suites.get(k + 1).copied().unwrap_or(elements.len());
        let inside = &elements[i + 1..end];
        let count = |name: &str| inside.iter().filter(|e| e.1 == name).count().to_string();
        let attrs = &elements[i].2;
        assert_eq!(attribute(attrs, "tests"), count("testcase"), "{attrs:?}");
        assert_eq!(attribute(attrs, "failures"), count("failure"), "{attrs:?}");
        assert_eq!(attribute(attrs, "skipped"), count("skipped"), "{attrs:?}");
        assert_eq!(attribute(attrs, "errors"), "0");
        // One test case per check, and one for reading the report.
        let cases: Vec<&str> = inside
            .iter()
            .filter(|e| e.1 == "testcase")
            .map(|e| attribute(&e.2, "name"))
            .collect();
        let unique: BTreeSet<&&str> = cases.iter().collect();
        assert_eq!(unique.len(), cases.len(), "{cases:?}");
        assert_eq!(cases[0], "读取");
        assert!(cases.contains(&"S1"), "{cases:?}");
    }
    let failures: Vec<(&str, &str)> = elements
        .iter()
        .filter(|e| e.1 == "failure")
        .map(|e| (attribute(&e.2, "type"), attribute(&e.2, "message")))
        .collect();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert_eq!(failures[0].0, "error");
    assert!(failures[0].1.ends_with("（另有 1 处）"), "{failures:?}");
    assert_eq!(failures[1].0, "warning");
    // The failure lists both S1 instances with their places and formulas.
    assert!(
        run.stdout.contains("s1.txt:48:19: 「自然人」列"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("s1.txt:48:31: 「总计」列"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "公式：一[总计] + 二[总计] = 0 + 2 = 2 ≠ （七）总计[总计] + 四[总计] = 1 + 0 = 1"
        ),
        "{}",
        run.stdout
    );
    // 结转连续 needs last year's report: skipped, not passed.
    let carry = elements
        .iter()
        .position(|e| e.1 == "testcase" && attribute(&e.2, "name") == "结转连续")
        .expect("a 结转连续 test case");
    assert_eq!(elements[carry + 1].1, "skipped");
    assert!(attribute(&elements[carry + 1].2, "message").contains("--prev"));

    insta::assert_snapshot!("junit", redact_junit(&run.stdout));
}

// ───────────────────────────────────────────────────────────────────────────── GitHub

#[test]
fn github_annotations() {
    let dir = Scratch::new("render", "github").with(&["s1.txt", "warning.txt", "clean.txt"]);
    let run = dir.run(&[
        "check",
        "--format",
        "github",
        "s1.txt",
        "warning.txt",
        "clean.txt",
    ]);
    run.code(1);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "one line per finding:\n{}", run.stdout);
    assert!(
        lines[0].starts_with(
            "::error file=s1.txt,line=48,col=19,endLine=48,endColumn=19,title=S1::「自然人」列"
        ),
        "{}",
        lines[0]
    );
    // GitHub's end column is the last character's: the label has 13 characters from 3.
    assert!(
        lines[2].starts_with(
            "::warning file=warning.txt,line=53,col=3,endLine=53,endColumn=15,title=读取.标签偏差::"
        ),
        "{}",
        lines[2]
    );
    // The formula goes on a second line of the message, the line break escaped.
    assert!(lines[0].contains("%0A公式："), "{}", lines[0]);
    insta::assert_snapshot!("github", run.stdout);
}

/// Paths with the characters each format must escape.
#[test]
fn paths_are_escaped_in_every_format() {
    let dir = Scratch::new("render", "escape");
    let name = "a&b<c>'d\"e,f:g%h 报告.txt";
    dir.copy("s1.txt", name);

    let junit = dir.run(&["check", "--format", "junit", name]);
    junit.code(1);
    let elements = parse_xml(&junit.stdout);
    let suite = elements.iter().find(|e| e.1 == "testsuite").unwrap();
    assert!(
        junit
            .stdout
            .contains("<testsuite name=\"a&amp;b&lt;c&gt;&apos;d&quot;e,f:g%h 报告.txt\""),
        "{}",
        junit.stdout
    );
    assert_eq!(
        attribute(&suite.2, "name"),
        "a&amp;b&lt;c&gt;&apos;d&quot;e,f:g%h 报告.txt"
    );

    let github = dir.run(&["check", "--format", "github", name]);
    github.code(1);
    assert!(
        github
            .stdout
            .lines()
            .all(|l| l.starts_with("::error file=a&b<c>'d\"e%2Cf%3Ag%25h 报告.txt,line=")),
        "{}",
        github.stdout
    );

    let sarif = dir.run(&["check", "--format", "sarif", name]);
    sarif.code(1);
    let log = sarif.json();
    assert_valid_sarif(&log);
    let uri = &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
        ["uri"];
    assert_eq!(
        uri,
        "a%26b%3Cc%3E%27d%22e%2Cf%3Ag%25h%20%E6%8A%A5%E5%91%8A.txt"
    );
}

#[test]
fn github_escapes_messages_and_properties() {
    // A rule file whose message has every character GitHub's commands treat specially.
    let dir = Scratch::new("render", "github-escape").with(&["s1.txt"]);
    std::fs::write(
        dir.path().join("r.gouji"),
        "规则集 转义\n\n\
         检查 甲 提示 {\n  断言 全文 包含 \"不会出现的文字\"\n  消息 \"100% 的,冒号:和\\n换行\"\n}\n",
    )
    .unwrap();
    let run = dir.run(&[
        "check", "--format", "github", "--rules", "r.gouji", "--select", "甲", "s1.txt",
    ]);
    run.code(0);
    assert_eq!(
        run.stdout,
        "::notice file=s1.txt,title=甲::100%25 的,冒号:和%0A换行%0A公式：全文 不包含「不会出现的文字」\n",
        "{}",
        run.stderr
    );
}

// ───────────────────────────────────────────────────────────────────────────── select, ignore

/// `gouji check --format json ARGS…` in a directory with the three reports; the only report's
/// JSON.
fn json_report(dir: &Scratch, args: &[&str], code: i32) -> Value {
    let mut all = vec!["check", "--format", "json"];
    all.extend(args);
    let run = dir.run(&all);
    run.code(code);
    run.json()["reports"][0].clone()
}

fn rules_of(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap().to_owned())
        .collect()
}

fn not_evaluated_rules(report: &Value) -> BTreeSet<String> {
    report["not_evaluated"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["rule"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn select_and_ignore_by_id_and_tag() {
    let dir = Scratch::new("render", "select").with(&["s1.txt", "warning.txt"]);
    let all = json_report(&dir, &["s1.txt"], 1);
    let all_passed = all["summary"]["passed"].as_u64().unwrap();

    // By id: S1's findings, and what passed counts S1's instances only (7 columns, 2 fail).
    let s1 = json_report(&dir, &["--select", "S1", "s1.txt"], 1);
    assert_eq!(rules_of(&s1), ["S1", "S1"]);
    assert_eq!(s1["not_evaluated"], serde_json::json!([]));
    assert_eq!(s1["summary"]["passed"], 5);

    // The list of checks not evaluated is selected too.
    let carry = json_report(&dir, &["--select", "结转连续", "s1.txt"], 0);
    assert_eq!(rules_of(&carry), Vec::<String>::new());
    assert_eq!(
        not_evaluated_rules(&carry),
        BTreeSet::from(["结转连续".to_owned()])
    );
    assert_eq!(carry["not_evaluated"].as_array().unwrap().len(), 7);
    assert_eq!(carry["summary"]["passed"], 0);

    // --ignore drops S1: nothing left at error level.
    let ignored = json_report(&dir, &["--ignore", "S1", "s1.txt"], 0);
    assert_eq!(rules_of(&ignored), Vec::<String>::new());
    assert_eq!(
        ignored["summary"]["passed"].as_u64().unwrap(),
        all_passed - 5
    );
    assert_eq!(ignored["not_evaluated"], all["not_evaluated"]);

    // By tag, then --ignore after --select.
    let tagged = json_report(&dir, &["--select", "勾稽", "s1.txt"], 1);
    assert_eq!(rules_of(&tagged), ["S1", "S1"]);
    let none = json_report(&dir, &["--select", "勾稽", "--ignore", "S1", "s1.txt"], 0);
    assert_eq!(rules_of(&none), Vec::<String>::new());

    // Extraction anomalies: by their id, and by the tag 读取; --fail-on sees the selection.
    let warning = json_report(
        &dir,
        &[
            "--fail-on",
            "warning",
            "--select",
            "读取.标签偏差",
            "warning.txt",
        ],
        1,
    );
    assert_eq!(rules_of(&warning), ["读取.标签偏差"]);
    let quiet = json_report(
        &dir,
        &["--fail-on", "warning", "--ignore", "读取", "warning.txt"],
        0,
    );
    assert_eq!(rules_of(&quiet), Vec::<String>::new());
}

/// A rule set of three checks on the text alone (any report will do): 文字.甲 (an info) and
/// 文字.乙 (a warning) fail, 丙 passes.
const TEXT_RULES: &str = "规则集 文字检查\n\n\
检查 文字.甲 提示 {\n  标签 正文\n  断言 全文 包含 \"不会出现的文字\"\n  消息 \"甲\"\n}\n\n\
检查 文字.乙 警告 {\n  标签 正文\n  断言 全文 包含 \"也不会出现\"\n  消息 \"乙\"\n}\n\n\
检查 丙 错误 {\n  断言 全文 包含 \"政府信息公开\"\n  消息 \"丙\"\n}\n";

/// The names of a `JUnit` document's test cases.
fn junit_cases(xml: &str) -> Vec<String> {
    parse_xml(xml)
        .into_iter()
        .filter(|e| e.1 == "testcase")
        .map(|e| attribute(&e.2, "name").to_owned())
        .collect()
}

#[test]
fn select_by_id_prefix_and_junit_cases() {
    let dir = Scratch::new("render", "select-prefix").with(&["s1.txt"]);
    std::fs::write(dir.path().join("r.gouji"), TEXT_RULES).unwrap();
    let junit = |args: &[&str]| {
        let mut all = vec!["check", "--format", "junit", "--rules", "r.gouji"];
        all.extend(args);
        all.push("s1.txt");
        let run = dir.run(&all);
        run.code(0);
        assert!(run.stderr.is_empty(), "{}", run.stderr);
        junit_cases(&run.stdout)
    };
    // Everything: reading the report, then the checks in the rule set's order.
    assert_eq!(junit(&[]), ["读取", "文字.甲", "文字.乙", "丙"]);
    // A prefix up to a `.` names every check under it; no 读取 case when no anomaly is kept.
    assert_eq!(junit(&["--select", "文字"]), ["文字.甲", "文字.乙"]);
    // A tag, less an id.
    assert_eq!(
        junit(&["--select", "正文", "--ignore", "文字.甲"]),
        ["文字.乙"]
    );
    // The tag of extraction anomalies.
    assert_eq!(
        junit(&["--ignore", "读取", "--ignore", "丙"]),
        ["文字.甲", "文字.乙"]
    );

    // A prefix must end at a `.`: 文 names nothing.
    let run = dir.run(&["check", "--rules", "r.gouji", "--select", "文", "s1.txt"]);
    run.code(0);
    assert!(
        run.stderr
            .contains("--select 「文」不是任何规则的编号或标签"),
        "{}",
        run.stderr
    );
}

#[test]
fn unknown_names_are_a_warning_with_a_suggestion() {
    let dir = Scratch::new("render", "select-unknown").with(&["s1.txt"]);
    let run = dir.run(&[
        "check", "--format", "json", "--select", "S9", "--ignore", "勾稽x", "s1.txt",
    ]);
    // Not an error: S9 selects nothing, so nothing is found.
    run.code(0);
    assert_eq!(run.json()["reports"][0]["findings"], serde_json::json!([]));
    assert!(
        run.stderr.contains(
            "gouji: 警告：--select 「S9」不是任何规则的编号或标签，不起作用（是不是「S1」？）"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--ignore 「勾稽x」") && run.stderr.contains("是不是「勾稽」"),
        "{}",
        run.stderr
    );
    // Names that match something say nothing.
    let known = dir.run(&["check", "--select", "读取", "--select", "勾稽", "s1.txt"]);
    known.code(1);
    assert!(known.stderr.is_empty(), "{}", known.stderr);
}

// ───────────────────────────────────────────────────────────────────────────── rules list

/// Copies the rule sets of `tests/fixtures/rules/extends/by-id` (a national sample and a
/// province's set inheriting it by id) into `规则/`.
fn with_province_rules(dir: &Scratch) {
    let from = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rules/extends/by-id");
    std::fs::create_dir_all(dir.path().join("规则")).unwrap();
    for name in ["main.gouji", "national.gouji"] {
        std::fs::copy(from.join(name), dir.path().join("规则").join(name)).unwrap();
    }
}

#[test]
fn rules_list_sets() {
    let dir = Scratch::new("render", "rules-list");
    with_province_rules(&dir);
    let run = dir.run(&["rules", "list", "--rules", "规则"]);
    run.code(0);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert_aligned(&run.stdout);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("标识"), "{}", run.stdout);
    for (i, (id, file)) in [
        ("national-2019", "<内置>/national-2019.gouji"),
        ("national-2021", "<内置>/national-2021.gouji"),
        ("某省-2021", "规则/main.gouji"),
        ("国家样本-2021", "规则/national.gouji"),
    ]
    .iter()
    .enumerate()
    {
        assert!(
            lines[i + 1].starts_with(id) && lines[i + 1].ends_with(file),
            "{}",
            lines[i + 1]
        );
    }
    assert!(
        lines[2].contains("报告.年度 ≥ 2021"),
        "the 适用 condition as text: {}",
        lines[2]
    );
    // The built-in sets' numbers of checks change as they grow.
    let counts = regex::Regex::new(r" (\d+)( +<内置>)").unwrap();
    let text = counts.replace_all(&run.stdout, |c: &regex::Captures<'_>| {
        format!(" {}{}", "#".repeat(c[1].len()), &c[2])
    });
    insta::assert_snapshot!("rules_list", text);

    // Without --rules: the built-in sets only.
    let builtin = dir.run(&["rules", "list"]);
    builtin.code(0);
    assert_eq!(builtin.stdout.lines().count(), 3, "{}", builtin.stdout);
}

#[test]
fn rules_list_checks_of_a_set() {
    let dir = Scratch::new("render", "rules-list-checks");
    with_province_rules(&dir);
    let run = dir.run(&["rules", "list", "某省-2021", "--rules", "规则"]);
    run.code(0);
    let (title, table) = run.stdout.split_once('\n').unwrap();
    assert!(title.starts_with("规则集 某省-2021："), "{}", run.stdout);
    assert_aligned(table);
    insta::assert_snapshot!("rules_list_province", run.stdout);

    let national = dir.run(&["rules", "list", "national-2019"]);
    national.code(0);
    let (_, table) = national.stdout.split_once('\n').unwrap();
    assert_aligned(table);
    let s1 = table
        .lines()
        .find(|l| l.starts_with("S1 "))
        .expect("S1 is listed");
    let words: Vec<&str> = s1.split_whitespace().collect();
    assert_eq!(words, ["S1", "错误", "勾稽、申请", "national-2019"]);

    let unknown = dir.run(&["rules", "list", "national-2O19"]);
    unknown.code(2);
    assert!(
        unknown.stderr.contains("national-2019"),
        "a suggestion: {}",
        unknown.stderr
    );
}

#[test]
fn rules_list_reports_broken_rule_files() {
    let dir = Scratch::new("render", "rules-list-broken").with(&["broken.gouji"]);
    std::fs::create_dir_all(dir.path().join("规则")).unwrap();
    std::fs::rename(
        dir.path().join("broken.gouji"),
        dir.path().join("规则/broken.gouji"),
    )
    .unwrap();
    let run = dir.run(&["rules", "list", "--rules", "规则"]);
    run.code(2);
    assert!(
        run.stderr.contains("规则/broken.gouji") && run.stderr.contains("有错误"),
        "{}",
        run.stderr
    );
    // The other sets are listed all the same.
    assert_eq!(run.stdout.lines().count(), 3, "{}", run.stdout);
}

// ───────────────────────────────────────────────────────────────────────────── escaping

#[test]
fn escaping_rules_of_each_format() {
    use gouji::render::{github, junit, sarif};
    // XML: the five special characters; in attributes line breaks and tabs as references;
    // characters XML 1.0 forbids replaced.
    assert_eq!(
        junit::escape("a&b<c>\"d'e\nf\tg\rh\u{1}i"),
        "a&amp;b&lt;c&gt;&quot;d&apos;e&#10;f&#9;g&#13;h\u{fffd}i"
    );
    assert_eq!(junit::escape_text("x<y\n\tz"), "x&lt;y\n\tz");
    // GitHub: % \r \n in the data; : and , too in properties.
    assert_eq!(github::escape_data("100%\r\n,:"), "100%25%0D%0A,:");
    assert_eq!(github::escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    // SARIF: relative paths stay relative, absolute ones become file: URIs.
    assert_eq!(
        sarif::uri("目录/a b.txt"),
        ("%E7%9B%AE%E5%BD%95/a%20b.txt".to_owned(), true)
    );
    assert_eq!(
        sarif::uri("/srv/r.txt"),
        ("file:///srv/r.txt".to_owned(), false)
    );
    assert_eq!(sarif::uri("<stdin>"), ("%3Cstdin%3E".to_owned(), true));
}
