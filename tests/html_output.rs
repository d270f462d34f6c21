//! `--format html`: the page people read (docs/html-report.md), through the real binary.
//!
//! Every run happens in a fresh directory (see `tests/cli.rs`) with the reports it needs
//! copied in, so paths on the page are relative. The page is checked
//! - as text: snapshots, the cells marked against the JSON output of the same reports, links;
//! - in headless Chromium when `/usr/bin/chromium` is installed (skipped with a notice when it
//!   is not): the DOM after the page's script ran, and a screenshot;
//! - for size, with 2,000 reports (and the time Chromium takes to open it, printed).
//!
//! Fixtures: `tests/fixtures/html-output/seed-s1.txt` (made by `make.sh` beside it) is the
//! seed-style report with one figure of the 三 table changed, so that checks of that table
//! fail; the other reports are the national fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use regex::Regex;
use serde_json::Value;

use crate::support::Scratch;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");

// ───────────────────────────────────────────────────────────────────────────── helpers

/// Copies `tests/fixtures/<from>` into the scratch directory as `to`.
fn copy(scratch: &Scratch, from: &str, to: &str) {
    let bytes =
        std::fs::read(Path::new(FIXTURES).join(from)).unwrap_or_else(|e| panic!("{from}: {e}"));
    scratch.write(to, bytes);
}

/// Runs `gouji check --format html -o page.html` on `paths` and returns the page.
fn page(scratch: &Scratch, paths: &[&str]) -> String {
    let mut args = vec!["check", "--format", "html", "-o", "page.html"];
    args.extend(paths);
    let run = scratch.run(&args);
    assert!(
        run.code == 0 || run.code == 1,
        "gouji {} exited with {}:\n{}",
        run.args,
        run.code,
        run.stderr
    );
    assert!(
        run.stdout.is_empty(),
        "with -o nothing goes to standard output"
    );
    std::fs::read_to_string(scratch.path().join("page.html")).expect("the page was written")
}

/// The JSON output for the same reports.
fn json(scratch: &Scratch, paths: &[&str]) -> Value {
    let mut args = vec!["check", "--format", "json"];
    args.extend(paths);
    scratch.run(&args).json()
}

/// Decodes the character references that askama and Chromium write in attribute values.
fn unescape(text: &str) -> String {
    let references = Regex::new(r"&(#\d+|amp|lt|gt|quot);").unwrap();
    references
        .replace_all(text, |c: &regex::Captures<'_>| match &c[1] {
            "amp" => "&".to_owned(),
            "lt" => "<".to_owned(),
            "gt" => ">".to_owned(),
            "quot" => "\"".to_owned(),
            n => char::from_u32(n[1..].parse().unwrap()).unwrap().to_string(),
        })
        .into_owned()
}

fn attributes(tag: &str) -> BTreeMap<String, String> {
    let attribute = Regex::new(r#"([\w-]+)="([^"]*)""#).unwrap();
    attribute
        .captures_iter(tag)
        .map(|c| (c[1].to_owned(), unescape(&c[2])))
        .collect()
}

/// (report anchor, table, row, column) → the rules that name the cell.
type Marks = BTreeMap<(String, String, String, String), BTreeSet<String>>;

/// The cells a page marks, read from its markup (as written, or as Chromium serialises its
/// DOM): the `data-rule` cells of each report's part and each table.
fn marked_cells(html: &str) -> Marks {
    let tags = Regex::new(
        r#"<section class="report" id="([^"]+)"|<table class="grid" data-table="([^"]*)"|<td ([^>]*data-rule[^>]*)>"#,
    )
    .unwrap();
    let mut report = String::new();
    let mut table = String::new();
    let mut marks = Marks::new();
    for c in tags.captures_iter(html) {
        if let Some(id) = c.get(1) {
            id.as_str().clone_into(&mut report);
        } else if let Some(key) = c.get(2) {
            table = unescape(key.as_str());
        } else {
            let a = attributes(&c[3]);
            let rules = a["data-rule"].split(' ').map(str::to_owned).collect();
            let previous = marks.insert(
                (
                    report.clone(),
                    table.clone(),
                    a["data-row"].clone(),
                    a["data-column"].clone(),
                ),
                rules,
            );
            assert!(previous.is_none(), "a cell is drawn once");
        }
    }
    marks
}

/// The cells of this year's reports that the JSON output's findings (and the failures they
/// explain, `related`) name, by report in order.
fn cells_named(json: &Value) -> Marks {
    let mut marks = Marks::new();
    for (i, report) in json["reports"].as_array().unwrap().iter().enumerate() {
        let findings =
            report["findings"].as_array().unwrap().iter().flat_map(|f| {
                std::iter::once(f).chain(f["related"].as_array().into_iter().flatten())
            });
        for finding in findings {
            for cell in finding["cells"].as_array().unwrap() {
                if cell["previous_year"].as_bool().unwrap() {
                    continue;
                }
                let key = (
                    format!("r{}", i + 1),
                    cell["table"].as_str().unwrap().to_owned(),
                    cell["row"].as_str().unwrap().to_owned(),
                    cell["column"].as_str().unwrap().to_owned(),
                );
                marks
                    .entry(key)
                    .or_default()
                    .insert(finding["rule"].as_str().unwrap().to_owned());
            }
        }
    }
    marks
}

/// Asserts that every link within the page leads to an element of the page, and returns how
/// many there are.
fn assert_links_resolve(html: &str) -> usize {
    let ids: BTreeSet<String> = Regex::new(r#" id="([^"]+)""#)
        .unwrap()
        .captures_iter(html)
        .map(|c| unescape(&c[1]))
        .collect();
    let links: Vec<String> = Regex::new(r##"href="#([^"]+)""##)
        .unwrap()
        .captures_iter(html)
        .map(|c| unescape(&c[1]))
        .collect();
    for link in &links {
        assert!(ids.contains(link), "the link to #{link} leads nowhere");
    }
    links.len()
}

/// The rows of the list of reports: (link target, agency, year, format, errors, warnings, file).
fn report_list(html: &str) -> Vec<Vec<String>> {
    let start = html
        .find(r#"<table class="summary sortable" id="reports">"#)
        .expect("a list of reports");
    let end = start + html[start..].find("</table>").unwrap();
    let row = Regex::new(r##"<tr><td><a href="#([^"]+)">([^<]*)</a></td><td class="n">(\d*)</td><td>([^<]*)</td><td class="n">(\d+)</td><td class="n">(\d+)</td><td><code>([^<]*)</code></td></tr>"##).unwrap();
    row.captures_iter(&html[start..end])
        .map(|c| (1..=7).map(|i| unescape(&c[i])).collect())
        .collect()
}

/// The page without its style sheet and script (the same on every page) and without what
/// changes whenever the built-in rule sets grow: the crate's version, rule lines, the counts
/// of checks that passed or were not evaluated.
fn redact(html: &str) -> String {
    let style = Regex::new(r"(?s)<style>.*?</style>").unwrap();
    let script = Regex::new(r"(?s)<script>.*?</script>").unwrap();
    let counts = Regex::new(r"通过 ?(<b>)?\d+(</b>)? ?项，未评估 ?(<b>)?\d+(</b>)? ?项").unwrap();
    let lines = Regex::new(r"(\.gouji):\d+").unwrap();
    let html = style.replace(html, "<style>[样式表]</style>");
    let html = script.replace(&html, "<script>[脚本]</script>");
    let html = counts.replace_all(&html, "通过 [n] 项，未评估 [n] 项");
    let html = lines.replace_all(&html, "$1:[行]");
    html.replace(env!("CARGO_PKG_VERSION"), "[version]")
}

// ───────────────────────────────────────────────────────────────────────────── the page

/// The seed-style report whose 三 table does not balance: the page shows the 三 table with
/// the cells of its failing checks marked, exactly the cells the JSON output names.
#[test]
fn seed_style_report_marks_the_cells_of_failing_checks_in_the_三_table() {
    let scratch = Scratch::new("html_output", "seed");
    copy(&scratch, "html-output/seed-s1.txt", "seed-s1.txt");
    let html = page(&scratch, &["seed-s1.txt"]);
    let marks = marked_cells(&html);
    assert_eq!(marks, cells_named(&json(&scratch, &["seed-s1.txt"])));
    let in_三: BTreeMap<_, _> = marks.iter().filter(|(k, _)| k.1 == "申请").collect();
    let s1 = |row: &str, column: &str| {
        in_三
            .get(&(
                "r1".to_owned(),
                "申请".to_owned(),
                row.to_owned(),
                column.to_owned(),
            ))
            .is_some_and(|rules| rules.contains("S1"))
    };
    assert!(s1("一", "自然人") && s1("三.总计", "自然人"), "{in_三:#?}");
    assert!(
        html.contains("<h3>三、收到和处理政府信息公开申请情况</h3>"),
        "the 三 table comes under its section's heading"
    );
    // The prose a finding is about is quoted with the figure marked.
    assert!(html.contains("<mark>《中华人民共和国政务信息公开条例》</mark>"));
    assert_links_resolve(&html);
    insta::assert_snapshot!("html_seed_s1", redact(&html));
}

/// Issue 18: one mistyped figure (（七）总计 of 自然人) breaks S1, 行合计 and 结果合计; the page
/// shows S1 with the other two listed under it, and marks the cells all three name, the
/// cells of the related failures linking to S1.
#[test]
fn related_failures_are_shown_under_the_finding_that_explains_them() {
    let scratch = Scratch::new("html_output", "related");
    copy(
        &scratch,
        "real-style/2021-mistyped-total.html",
        "report.html",
    );
    let html = page(&scratch, &["report.html"]);
    assert_eq!(
        marked_cells(&html),
        cells_named(&json(&scratch, &["report.html"]))
    );
    let s1 =
        Regex::new(r#"(?s)<li class="finding error" id="(r1-\d+)" data-rule="S1">.*?</ul></div>"#)
            .unwrap();
    let found = s1
        .captures(&html)
        .expect("S1 is shown with its related failures");
    let finding = &found[0];
    assert!(
        finding.contains("同一处错误还使以下 2 项检查不成立"),
        "{finding}"
    );
    for rule in ["行合计", "结果合计"] {
        assert!(
            finding.contains(&format!(r#"data-rule="{rule}""#)),
            "{rule}: {finding}"
        );
    }
    assert_eq!(
        html.matches(r#"<li class="finding "#).count(),
        1,
        "one finding"
    );
    // 行合计's cells are marked and link to S1.
    let total = Regex::new(r#"<td class="m e" data-rule="([^"]*)" data-row="三.总计" data-column="总计" data-finding="([^"]*)""#).unwrap();
    let cell = total
        .captures(&html)
        .expect("the （七）总计 row's 总计 cell is marked");
    assert!(cell[1].contains("行合计"), "{}", &cell[0]);
    assert_eq!(&cell[2], &found[1]);
    assert_links_resolve(&html);
}

#[test]
fn html_report_is_escaped_and_drawn_as_printed() {
    let scratch = Scratch::new("html_output", "seed-html");
    copy(&scratch, "reports/html/seed.html", "seed.html");
    let html = page(&scratch, &["seed.html"]);
    assert_eq!(
        marked_cells(&html),
        cells_named(&json(&scratch, &["seed.html"]))
    );
    // The report's own markup is quoted as text, never as markup.
    assert!(
        !html.contains("<p style="),
        "report markup leaked into the page"
    );
    assert_links_resolve(&html);
    insta::assert_snapshot!("html_seed_html", redact(&html));
}

#[test]
fn report_of_2021_format() {
    let scratch = Scratch::new("html_output", "2021");
    copy(
        &scratch,
        "reports/national/2021/结果合计.fail.txt",
        "结果合计.txt",
    );
    let html = page(&scratch, &["结果合计.txt"]);
    let marks = marked_cells(&html);
    assert!(!marks.is_empty(), "the failing total is marked");
    assert_eq!(marks, cells_named(&json(&scratch, &["结果合计.txt"])));
    insta::assert_snapshot!("html_2021", redact(&html));
}

/// Blank cells and cells gouji could not read are drawn differently from figures, and from
/// each other; the legend says what each means.
#[test]
fn blank_and_unread_cells_are_visibly_different() {
    let scratch = Scratch::new("html_output", "blank");
    copy(
        &scratch,
        "reports/text/table-blank-2019-tabs.txt",
        "blank.txt",
    );
    copy(
        &scratch,
        "reports/text/values-count-2019-tabs.txt",
        "missing.txt",
    );
    let html = page(&scratch, &["blank.txt", "missing.txt"]);
    let part = |anchor: &str| {
        let start = html
            .find(&format!(r#"<section class="report" id="{anchor}">"#))
            .unwrap();
        &html[start..start + html[start..].find("</section>").unwrap()]
    };
    assert!(
        part("r1").contains(r#"<td class="b">空"#),
        "blank cells are marked 空"
    );
    assert!(
        part("r2").contains(r#"<td class="u">？"#),
        "unread cells are marked ？"
    );
    assert!(!part("r2").contains(r#"<td class="b">"#));
    assert!(html.contains("空 = 报告中没有填写") && html.contains("？ = 未能读取"));
    let style = &html[html.find("<style>").unwrap()..html.find("</style>").unwrap()];
    assert!(style.contains(".grid td.b {") && style.contains(".grid td.u {"));
}

/// A directory of 2019 and 2021 reports in every input format: the list has all of them,
/// each linking to its part of the page.
#[test]
fn directory_of_mixed_years_lists_every_report_with_working_links() {
    let scratch = Scratch::new("html_output", "mixed");
    let reports = [
        ("reports/national/2019/clean.txt", "批次/2019-clean.txt"),
        ("reports/national/2019/clean.html", "批次/2019-clean.html"),
        ("reports/national/2019/clean.toml", "批次/2019-clean.toml"),
        ("reports/national/2019/S1.fail.txt", "批次/2019-S1.txt"),
        ("reports/national/2021/clean.txt", "批次/2021-clean.txt"),
        ("reports/national/2021/clean.html", "批次/2021-clean.html"),
        ("reports/national/2021/clean.toml", "批次/2021-clean.toml"),
        ("reports/national/2021/S1.fail.txt", "批次/2021-S1.txt"),
    ];
    for (from, to) in reports {
        copy(&scratch, from, to);
    }
    let html = page(&scratch, &["批次"]);
    let list = report_list(&html);
    let files: BTreeSet<&str> = list.iter().map(|row| row[6].as_str()).collect();
    let expected: BTreeSet<&str> = reports.iter().map(|(_, to)| *to).collect();
    assert_eq!(files, expected);
    for row in &list {
        assert!(
            html.contains(&format!(r#"<section class="report" id="{}">"#, row[0])),
            "{row:?} links to no report"
        );
    }
    let formats: BTreeSet<&str> = list.iter().map(|row| row[3].as_str()).collect();
    assert_eq!(formats, BTreeSet::from(["文本", "网页", "TOML 数据"]));
    assert!(
        html.contains("<code>national-2019</code>") && html.contains("<code>national-2021</code>")
    );
    assert_links_resolve(&html);
    assert_eq!(marked_cells(&html), cells_named(&json(&scratch, &["批次"])));
}

/// Waived findings (`--waivers`, docs/waivers.md) are not counted and not marked: each report
/// lists them in a collapsed 已豁免 list with the waiver's reason.
#[test]
fn waived_findings_are_listed_apart_with_their_reason() {
    let scratch = Scratch::new("html_output", "waived");
    copy(&scratch, "cli/s1.txt", "reports/s1.txt");
    let baseline = scratch.run(&[
        "baseline",
        "reports",
        "-o",
        "豁免.toml",
        "--reason",
        "镇政府已说明<原因>",
    ]);
    assert_eq!(baseline.code, 0, "{}", baseline.stderr);
    let before = page(&scratch, &["reports"]);
    let findings = before.matches(r#"<li class="finding "#).count();
    assert!(findings > 0, "s1.txt has findings to waive");
    let html = page(&scratch, &["--waivers", "豁免.toml", "reports"]);
    assert_eq!(html.matches(r#"<li class="finding "#).count(), 0);
    assert!(
        marked_cells(&html).is_empty(),
        "waived findings mark no cell"
    );
    let waived = Regex::new(r#"(?s)<details class="waived"><summary>已豁免（(\d+) 项，不计入问题数）</summary>(.*?)</details>"#)
        .unwrap();
    let list = waived.captures(&html).expect("a list of waived findings");
    assert_eq!(list[1].parse::<usize>().unwrap(), findings);
    assert_eq!(
        list[2].matches("理由：镇政府已说明&#60;原因&#62;").count(),
        findings,
        "{}",
        &list[2]
    );
    assert!(
        list[2].contains("豁免.toml:"),
        "where each waiver is written"
    );
    assert!(html.contains(&format!("已豁免 <b>{findings}</b> 项")));
    assert!(html.contains("<li>错误 <b>0</b> 个</li>"));
    assert_links_resolve(&html);
}

// ───────────────────────────────────────────────────────────────────────────── Chromium

/// Debian's Chromium, if it is installed.
fn chromium() -> Option<PathBuf> {
    let path = PathBuf::from("/usr/bin/chromium");
    if path.exists() {
        Some(path)
    } else {
        eprintln!("注意：没有安装 chromium（/usr/bin/chromium），跳过在浏览器中打开网页的测试");
        None
    }
}

/// Runs headless Chromium on a file with `args`, its profile in `scratch`; returns stdout.
fn run_chromium(chromium: &Path, scratch: &Scratch, file: &Path, args: &[&str]) -> String {
    let profile = scratch.path().join("chromium-profile");
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(args)
        .arg(format!("file://{}", file.display()))
        .output()
        .expect("chromium runs");
    assert!(
        output.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("the DOM is UTF-8")
}

/// The page as Chromium sees it after its script ran: the cells marked are those the JSON
/// output names, the script filled in their tooltips and showed the filters; and a
/// screenshot (`GOUJI_UPDATE_SCREENSHOT=1` copies it to docs/html-report.png).
#[test]
fn page_in_chromium_marks_the_cells_of_the_json_output() {
    let Some(chromium) = chromium() else {
        return;
    };
    let scratch = Scratch::new("html_output", "chromium");
    copy(&scratch, "html-output/seed-s1.txt", "seed-s1.txt");
    copy(
        &scratch,
        "reports/national/2021/结果合计.fail.txt",
        "结果合计.txt",
    );
    let paths = ["seed-s1.txt", "结果合计.txt"];
    page(&scratch, &paths);
    let file = scratch.path().join("page.html");
    let dom = run_chromium(&chromium, &scratch, &file, &["--dump-dom"]);
    let marks = marked_cells(&dom);
    assert!(!marks.is_empty());
    assert_eq!(marks, cells_named(&json(&scratch, &paths)));
    assert!(
        dom.contains(r#"<form id="filters">"#),
        "the script shows the filters"
    );
    // Every marked cell's tooltip holds the message of a finding that names it.
    let cell = Regex::new(r"<td ([^>]*data-rule[^>]*)>").unwrap();
    for c in cell.captures_iter(&dom) {
        let a = attributes(&c[1]);
        let title = a.get("title").expect("the script gave the cell a tooltip");
        let first = a["data-finding"].split(' ').next().unwrap();
        let finding = Regex::new(&format!(
            r#"(?s)id="{first}"[^>]*>.*?<strong>([^<]*)</strong>"#
        ))
        .unwrap();
        let message = unescape(&finding.captures(&dom).expect("the finding is on the page")[1]);
        assert!(title.contains(&message), "{title:?} lacks {message:?}");
    }
    assert_links_resolve(&dom);

    let screenshot = scratch.path().join("page.png");
    run_chromium(
        &chromium,
        &scratch,
        &file,
        &[
            &format!("--screenshot={}", screenshot.display()),
            "--window-size=1000,3700",
            "--hide-scrollbars",
        ],
    );
    let png = std::fs::read(&screenshot).expect("chromium took a screenshot");
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 10_000);
    if std::env::var_os("GOUJI_UPDATE_SCREENSHOT").is_some() {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/html-report.png");
        std::fs::write(&docs, png).unwrap();
    }
}

// ───────────────────────────────────────────────────────────────────────────── size

/// A page for 2,000 reports (the 2019 and 2021 national fixtures over and over) stays under
/// 20 MB; with Chromium, the time it takes to open is measured and printed (not asserted:
/// it depends on the machine).
#[test]
fn page_for_2000_reports_stays_under_20_mb() {
    let scratch = Scratch::new("html_output", "batch");
    let mut fixtures: Vec<PathBuf> = ["2019", "2021"]
        .iter()
        .flat_map(|year| {
            std::fs::read_dir(Path::new(FIXTURES).join("reports/national").join(year))
                .unwrap()
                .map(|e| e.unwrap().path())
        })
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.ends_with(".txt") && !name.ends_with(".prev.txt")
        })
        .collect();
    fixtures.sort();
    for i in 0..2000 {
        let from = &fixtures[i % fixtures.len()];
        scratch.write(&format!("批次/{i:04}.txt"), std::fs::read(from).unwrap());
    }
    let html = page(&scratch, &["批次"]);
    let size = html.len();
    eprintln!("2000 份报告的网页：{} KB", size / 1000);
    assert!(size < 20_000_000, "the page is {size} bytes");
    assert_eq!(report_list(&html).len(), 2000);

    let Some(chromium) = chromium() else {
        return;
    };
    // The time from the start of navigation to just after the load event, as the page
    // itself measures it.
    let timed = scratch.path().join("timed.html");
    let probe = r#"<script>addEventListener("load", function () { setTimeout(function () { document.documentElement.setAttribute("data-opened-ms", Math.round(performance.now())); }, 0); });</script></body>"#;
    std::fs::write(&timed, html.replacen("</body>", probe, 1)).unwrap();
    let dom = run_chromium(&chromium, &scratch, &timed, &["--dump-dom"]);
    let opened = Regex::new(r#"data-opened-ms="(\d+)""#)
        .unwrap()
        .captures(&dom)
        .map(|c| c[1].to_owned())
        .expect("the page measured its opening");
    eprintln!("Chromium 打开 2000 份报告的网页用时 {opened} ms");
}
