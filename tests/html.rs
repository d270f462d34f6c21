//! Stage 3 for web pages: an HTML report is projected into the lines of cells a plain-text
//! report gives (`src/extract/html.rs`), so that the matcher reads both alike. Each fixture
//! under `fixtures/reports/html/` is snapshotted as lines with the source span of every cell,
//! and each span is checked against the source; the seed page, its unclosed-cell and GBK
//! variants must read exactly as the plain-text copy `seed.txt`; hostile pages (truncated,
//! deeply nested, huge, random) must read without a panic and with valid spans.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use gouji::extract::{Document, Extractor, Input, ReadErrorKind, load};
use gouji::report::{AnomalyKind, Report};
use proptest::prelude::*;

use crate::support::national_rule_set;

const DIR: &str = "tests/fixtures/reports/html";

fn fixture(file: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(DIR).join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn document(name: &str, bytes: &[u8]) -> Document {
    match load(name, bytes) {
        Ok(Input::Document(d)) => d,
        Ok(other) => panic!("{name}: not a document: {other:?}"),
        Err(e) => panic!("{name}: {e}"),
    }
}

/// The seed page encoded as GBK, declaring it: what many government sites still serve.
fn gbk_seed() -> Vec<u8> {
    let page = String::from_utf8(fixture("seed.html")).unwrap();
    let page = page.replace("charset=utf-8", "charset=gbk");
    let (bytes, _, unmappable) = encoding_rs::GBK.encode(&page);
    assert!(!unmappable, "the seed page is all GBK characters");
    bytes.into_owned()
}

/// The text a reader sees in a stretch of HTML source: tags dropped, the references the
/// fixtures use decoded, whitespace removed (the projection collapses it).
fn visible(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        rest = rest[lt..].find('>').map_or("", |gt| &rest[lt + gt + 1..]);
    }
    out.push_str(rest);
    let mut out = out
        .replace("&nbsp;", " ")
        .replace("&gt;", ">")
        .replace("&lt;", "<")
        .replace("&ldquo;", "“")
        .replace("&rdquo;", "”");
    // Numeric references: `&#22269;`, `&#x4E2D;`.
    while let Some(at) = out.find("&#") {
        let end = at
            + out[at..]
                .find(';')
                .expect("a numeric reference ends with ;");
        let number = &out[at + 2..end];
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16),
            None => number.parse(),
        };
        let c = char::from_u32(code.expect("a number")).expect("a character");
        out.replace_range(at..=end, &c.to_string());
    }
    squash(&out.replace("&amp;", "&"))
}

fn squash(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Every span lies in the source on character boundaries and covers exactly its text; the
/// document's text is the lines' cells joined by tabs.
fn check_spans(document: &Document) {
    let src = document.source.text();
    let covers = |span: gouji::source::Span, text: &str, what: &str| {
        assert!(
            span.start <= span.end && span.end <= src.len(),
            "{what}: span {span:?} outside the source"
        );
        assert!(
            src.is_char_boundary(span.start) && src.is_char_boundary(span.end),
            "{what}: span {span:?} not on character boundaries"
        );
        assert_eq!(
            visible(&src[span.start..span.end]),
            squash(text),
            "{what}: span {span:?} does not cover its text"
        );
    };
    for (i, line) in document.lines.iter().enumerate() {
        let cells: Vec<&str> = line.cells.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(&document.text[line.start..line.end], cells.join("\t"));
        for cell in &line.cells {
            covers(
                cell.span,
                &cell.text,
                &format!("line {i}, cell 「{}」", cell.text),
            );
            assert!(!cell.text.contains(['\t', '\n']));
        }
        if !line.table_row {
            covers(line.span, &cells.concat(), &format!("line {i}"));
        }
    }
}

/// One line per line: `P` prose or `R` table row, the line's span, then its cells with
/// their spans; `^` marks a cell repeated from a row above (its span is outside the line).
fn render(document: &Document) -> String {
    let mut out = String::new();
    for (i, line) in document.lines.iter().enumerate() {
        let kind = if line.table_row { 'R' } else { 'P' };
        let _ = write!(out, "{i:>3} {kind} {:?}", line.span);
        for cell in &line.cells {
            let above = cell.span.start < line.span.start;
            let mark = if above { "^" } else { "" };
            let _ = write!(out, " | {mark}{}@{:?}", cell.text, cell.span);
        }
        out.push('\n');
    }
    out
}

fn extract(document: Document) -> Report {
    Extractor::new(national_rule_set("national-2019"))
        .read(&Input::Document(document))
        .0
}

/// What a report says, without where: sections, metadata, every cell and every anomaly.
fn contents(report: &Report) -> String {
    let mut out = String::new();
    let meta = &report.meta;
    let _ = writeln!(
        out,
        "title {:?} year {:?} agency {:?} published {:?}",
        meta.title.as_ref().map(|t| &t.value),
        meta.year.as_ref().map(|t| t.value),
        meta.agency.as_ref().map(|t| &t.value),
        meta.published.as_ref().map(|t| &t.value),
    );
    for s in &report.sections {
        let _ = writeln!(out, "section {} {:?} {:?}", s.key, s.heading, s.matched);
    }
    for table in &report.tables {
        let _ = writeln!(out, "table {} found {}", table.key, table.is_found());
        for (r, row) in table.rows.iter().enumerate() {
            let cells: Vec<String> = (0..table.columns.len())
                .map(|c| {
                    table.cell_at(r, c).map_or("-".to_owned(), |cell| {
                        format!("{}={:?}{:?}", cell.raw, cell.value, cell.unit)
                    })
                })
                .collect();
            let _ = writeln!(out, "  {row}: {}", cells.join(" "));
        }
    }
    for a in &report.anomalies {
        let _ = writeln!(out, "anomaly {:?} {}", a.kind, a.message);
    }
    out
}

fn text_copy() -> Report {
    extract(document("seed.txt", &fixture("seed.txt")))
}

#[test]
fn projection() {
    insta::glob!("fixtures/reports/html/*.html", |path| {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let document = document(&name, &std::fs::read(path).unwrap());
        check_spans(&document);
        insta::assert_snapshot!(render(&document));
    });
}

#[test]
fn seed_page_reads_as_its_text_copy() {
    let html = extract(document("seed.html", &fixture("seed.html")));
    let text = text_copy();
    assert_eq!(contents(&html), contents(&text));
    // The one anomaly is the fixture's own: a nonstandard row label, as in the real seed.
    let kinds: Vec<AnomalyKind> = html.anomalies.iter().map(|a| a.kind).collect();
    assert_eq!(kinds, [AnomalyKind::LabelDrift]);
    let applications = html.table("申请").unwrap();
    let row = |table: &gouji::report::TableData, row: &str| -> Vec<String> {
        let r = table.rows.iter().position(|x| x == row).unwrap();
        (0..table.columns.len())
            .map(|c| {
                table
                    .cell_at(r, c)
                    .map_or("-".into(), |cell| cell.raw.clone())
            })
            .collect()
    };
    assert_eq!(
        row(applications, "一"),
        ["12", "3", "0", "1", "2", "0", "18"]
    );
    assert_eq!(row(applications, "四"), ["1", "1", "0", "0", "0", "0", "2"]);
    let review = html.table("复议诉讼表").unwrap();
    assert_eq!(
        row(review, "数据").join(" "),
        "1 0 0 1 2 1 0 0 0 1 0 0 0 1 1"
    );
    let total = applications.cell("三.总计", "总计").unwrap();
    assert_eq!(total.raw, "19");
    assert_eq!(&html.source.text()[total.span.start..total.span.end], "19");
}

#[test]
fn unclosed_cells_read_as_closed_ones() {
    let html = extract(document("unclosed-td.html", &fixture("unclosed-td.html")));
    assert_eq!(contents(&html), contents(&text_copy()));
}

#[test]
fn gbk_page_reads_as_utf8_page() {
    let gbk = document("seed-gbk.html", &gbk_seed());
    assert_eq!(gbk.encoding, "GB18030");
    check_spans(&gbk);
    let utf8 = document("seed.html", &fixture("seed.html"));
    let texts = |d: &Document| -> Vec<Vec<String>> {
        d.lines
            .iter()
            .map(|l| l.cells.iter().map(|c| c.text.clone()).collect())
            .collect()
    };
    assert_eq!(texts(&gbk), texts(&utf8));
    assert_eq!(contents(&extract(gbk)), contents(&text_copy()));
}

#[test]
fn truncated_page_reads_what_is_there() {
    // The page stops inside the 三 table, in the row of （三）5, after its first value.
    let report = extract(document("truncated.html", &fixture("truncated.html")));
    let full = extract(document("seed.txt", &fixture("seed.txt")));
    let (cut, whole) = (report.table("申请").unwrap(), full.table("申请").unwrap());
    let width = cut.columns.len();
    // The rows before the cut read as in the whole report; the cut row has one value; the
    // rows after it are missing, and so is the 四 table after them.
    let read = (0..cut.rows.len())
        .take_while(|&r| (0..width).any(|c| cut.cell_at(r, c).is_some()))
        .count();
    assert!(cut.rows[..read].contains(&"三.不予公开.国家秘密".to_owned()));
    for r in 0..read - 1 {
        for c in 0..width {
            let value = |t: &gouji::report::TableData| {
                t.cell_at(r, c)
                    .map(|cell| (cell.raw.clone(), cell.value.clone()))
            };
            assert_eq!(value(cut), value(whole), "{}", cut.rows[r]);
        }
    }
    let last: Vec<_> = (0..width).map(|c| cut.cell_at(read - 1, c)).collect();
    assert!(last[0].is_some() && last[1..].iter().all(Option::is_none));
    let mut expected: Vec<(AnomalyKind, Option<&str>)> = vec![
        (AnomalyKind::LabelDrift, Some("三.不予公开.法律禁止")),
        (AnomalyKind::MissingValues, Some(&cut.rows[read - 1])),
    ];
    for row in &cut.rows[read..] {
        expected.push((AnomalyKind::RowNotFound, Some(row)));
    }
    expected.push((AnomalyKind::TableMissing, Some("复议诉讼表")));
    let anomalies: Vec<(AnomalyKind, Option<&str>)> = report
        .anomalies
        .iter()
        .map(|a| (a.kind, a.row.as_deref().or(a.table.as_deref())))
        .collect();
    assert_eq!(anomalies, expected);
}

/// The cells of the lines of a small page.
fn cells(html: &str) -> Vec<Vec<String>> {
    let document = document("t.html", html.as_bytes());
    check_spans(&document);
    document
        .lines
        .iter()
        .map(|l| l.cells.iter().map(|c| c.text.clone()).collect())
        .collect()
}

fn rows(rows: &[&[&str]]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.iter().map(|&c| c.to_owned()).collect())
        .collect()
}

#[test]
fn line_breaks_split_prose_but_join_cells() {
    assert_eq!(
        cells(
            "<p>第一行<br>第二行</p><p>同一\n段落</p>\
             <table><tr><td>商业<br>企业</td><td>科研<br/>\n机构</td></tr></table>"
        ),
        rows(&[
            &["第一行"],
            &["第二行"],
            &["同一段落"],
            &["商业企业", "科研机构"]
        ])
    );
}

#[test]
fn references_are_decoded_and_nbsp_cells_are_empty() {
    let html = "<table><tr><td>&nbsp;</td><td> &nbsp; </td><td>1&nbsp;</td>\
                <td>&lt;a&gt; &amp;&#x4E2D;&#22269;&ldquo;</td></tr></table>";
    assert_eq!(cells(html), rows(&[&["", "", "1", "<a> &中国“"]]));
    let document = document("t.html", html.as_bytes());
    // An empty cell's span is empty, where the cell's content starts.
    let empty = &document.lines[0].cells[0];
    assert_eq!(&html[..empty.span.start], "<table><tr><td>");
    assert!(empty.span.is_empty());
}

#[test]
fn scripts_styles_comments_and_head_are_not_text() {
    assert_eq!(
        cells(
            "<html><head><style>p { x: '<p>no</p>' }</style><script>var a = '</p><p>no';\
             </script><meta charset=utf-8></head><body><!-- <p>no</p> --><p>yes</p>\
             <noscript>no</noscript><template><p>no</p></template></body></html>"
        ),
        rows(&[&["yes"]])
    );
}

#[test]
fn title_comes_first() {
    // The <title> adds the site's name to the <h1>: the <h1> is the title.
    assert_eq!(
        cells("<title>某局2020年报告_某市政府网</title><div>首页</div><h1>某局<br>2020年报告</h1>"),
        rows(&[&["某局2020年报告"], &["首页"], &["某局"], &["2020年报告"]])
    );
    // Otherwise the <title>, unless the page starts with it anyway.
    assert_eq!(
        cells("<title>某局2020年报告</title><p>某局2020年报告</p><p>正文</p>"),
        rows(&[&["某局2020年报告"], &["正文"]])
    );
    assert_eq!(
        cells("<p>导航</p><h1>某局2020年报告</h1>"),
        rows(&[&["某局2020年报告"], &["导航"], &["某局2020年报告"]])
    );
}

#[test]
fn merged_cells_expand_into_a_grid() {
    let html = "<table>\
        <tr><td colspan=2 rowspan=2>标签</td><td colspan=2>列组</td></tr>\
        <tr><td>甲</td><td>乙</td></tr>\
        <tr><td rowspan=2>（三）分组</td><td>1.子项</td><td colspan=2>7</td></tr>\
        <tr><td>2.子项</td><td rowspan=2>5</td><td>&nbsp;</td></tr>\
        <tr><td colspan=2>（四）其他</td><td>0</td></tr>\
        <tr><td colspan=4>一行一格</td></tr>\
        </table>";
    assert_eq!(
        cells(html),
        rows(&[
            &["标签", "标签", "列组", "列组"],
            &["标签", "标签", "甲", "乙"],
            // A label merged down repeats; a value merged across counts once.
            &["（三）分组", "1.子项", "7", ""],
            &["（三）分组", "2.子项", "5", ""],
            // A value merged down counts once too.
            &["（四）其他", "（四）其他", "", "0"],
            // A row of one cell is one cell.
            &["一行一格"],
        ])
    );
    let document = document("t.html", html.as_bytes());
    let lines = &document.lines;
    assert!(lines.iter().all(|l| l.table_row));
    // A repeated label keeps its span; an emptied value copy is empty where its cell starts.
    assert_eq!(lines[3].cells[0].span, lines[2].cells[0].span);
    let copy = lines[4].cells[2].span;
    assert!(copy.is_empty());
    assert_eq!(copy.start, lines[3].cells[2].span.start);
}

#[test]
fn layout_tables_are_read_as_prose() {
    let long = "一二三四五六七八九十".repeat(30);
    assert_eq!(
        cells(&format!(
            "<table><tr><td>标题</td></tr><tr><td><p>一、总体情况</p><p>正文</p></td></tr></table>\
             <table><tr><td>菜单</td><td><p>二、主动公开</p><p>{long}</p></td></tr></table>\
             <table><tr><td>外</td><td><table><tr><td>内1</td><td>内2</td></tr></table></td></tr></table>"
        )),
        rows(&[
            &["标题"],
            &["一、总体情况"],
            &["正文"],
            &["菜单"],
            &["二、主动公开"],
            &[&long],
            &["外"],
            &["内1", "内2"],
        ])
    );
}

#[test]
fn pre_is_read_as_plain_text() {
    assert_eq!(
        cells("<pre>\n二、主动公开\n规章\t0\t&lt;1&gt;\n行政许可  12  3\n</pre><p>后</p>"),
        rows(&[
            &["二、主动公开"],
            &["规章", "0", "<1>"],
            &["行政许可", "12", "3"],
            &["后"]
        ])
    );
}

#[test]
fn misnested_and_stray_tags_follow_the_standard() {
    assert_eq!(
        cells(
            "<table><tr><td>1<td>2</tr>stray<tr><td>3</td></td></td><td>4</table>\
             <p>a<b>b<p>c</b>d</p></p></td></tr><td>e"
        ),
        rows(&[
            &["stray"],
            &["1", "2"],
            &["3", "4"],
            &["ab"],
            &["cd"],
            &["e"]
        ])
    );
}

/// A page of `n` nested elements around some text, each opened by `open` and closed by
/// `close`.
fn nested(n: usize, open: &str, close: &str) -> String {
    let mut page = String::with_capacity(n * (open.len() + close.len()) + 64);
    page.push_str("<!DOCTYPE html><p>前</p>");
    for _ in 0..n {
        page.push_str(open);
    }
    page.push_str("深处<table><tr><td>标签</td><td>1</td></tr></table>");
    for _ in 0..n {
        page.push_str(close);
    }
    page.push_str("<p>后</p>");
    page
}

#[test]
fn deep_nesting_is_bounded() {
    for (open, close) in [
        ("<div>", "</div>"),
        ("<div>", ""),
        ("<b><i>", "</i></b>"),
        ("<font size=2>", ""),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<ul><li>", ""),
    ] {
        let page = nested(10_000, open, close);
        let started = Instant::now();
        let document = document("deep.html", page.as_bytes());
        let elapsed = started.elapsed();
        check_spans(&document);
        let texts: Vec<&str> = document
            .lines
            .iter()
            .flat_map(|l| &l.cells)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        assert_eq!(texts.first(), Some(&"前"), "{open}");
        assert_eq!(texts.last(), Some(&"后"), "{open}");
        assert!(
            texts.contains(&"深处") || texts.iter().any(|t| t.contains("深处")),
            "{open}"
        );
        assert!(
            document.lines.len() < 100,
            "{open}: {} lines",
            document.lines.len()
        );
        // Against runaway recursion or quadratic walks, not a speed target (that is the
        // benchmark's): generous enough for a loaded machine.
        assert!(elapsed.as_secs() < 30, "{open}: {elapsed:?}");
    }
}

/// A page of about `bytes` bytes: a report table with very many rows.
fn huge_page(bytes: usize) -> String {
    let row = "<tr><td>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td><td>1&nbsp;</td><td>2</td></tr>\n";
    let mut page = String::with_capacity(bytes + 1024);
    page.push_str("<!DOCTYPE html><title>大</title><p>一、总体情况</p><table>");
    while page.len() < bytes {
        page.push_str(row);
    }
    page.push_str("</table><p>六、其他需要报告的事项</p>");
    page
}

#[test]
fn large_page_is_read() {
    // 2 MB in the default run; `huge_page_is_read` (ignored) takes 20 MB.
    let page = huge_page(2 << 20);
    let document = document("large.html", page.as_bytes());
    assert!(document.lines.len() > 10_000);
    assert_eq!(
        document.lines.last().unwrap().cells[0].text,
        "六、其他需要报告的事项"
    );
}

#[test]
#[ignore = "20 MB takes about 15 s in a debug build (about 1 s in release): run with --ignored"]
fn huge_page_is_read() {
    let page = huge_page(20 << 20);
    let started = Instant::now();
    let document = document("huge.html", page.as_bytes());
    eprintln!(
        "20 MB page: {:?}, {} lines",
        started.elapsed(),
        document.lines.len()
    );
    assert_eq!(
        document.lines.last().unwrap().cells[0].text,
        "六、其他需要报告的事项"
    );
}

#[test]
fn page_over_the_limit_is_refused() {
    let page = vec![b'a'; gouji::extract::MAX_INPUT_BYTES + 1];
    let error = load("100mb.html", &page).expect_err("too large");
    assert!(matches!(error.kind, ReadErrorKind::TooLarge { .. }));
}

/// Pieces of HTML, good and bad, to build random pages from.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("<table>".to_owned()),
        Just("</table>".to_owned()),
        Just("<tr>".to_owned()),
        Just("</tr>".to_owned()),
        Just("<td colspan=2>".to_owned()),
        Just("<td rowspan=\"3\">".to_owned()),
        Just("<td rowspan=0 colspan=99999>".to_owned()),
        Just("</td>".to_owned()),
        Just("<th>".to_owned()),
        Just("<caption>".to_owned()),
        Just("<p>".to_owned()),
        Just("</p>".to_owned()),
        Just("<div>".to_owned()),
        Just("</div>".to_owned()),
        Just("<br>".to_owned()),
        Just("<b>".to_owned()),
        Just("</b>".to_owned()),
        Just("<pre>".to_owned()),
        Just("</pre>".to_owned()),
        Just("<h1>".to_owned()),
        Just("<title>".to_owned()),
        Just("</title>".to_owned()),
        Just("<script>".to_owned()),
        Just("</script>".to_owned()),
        Just("<svg><text>".to_owned()),
        Just("<template>".to_owned()),
        Just("<select><option>".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("<!DOCTYPE html>".to_owned()),
        Just("&nbsp;".to_owned()),
        Just("&amp".to_owned()),
        Just("&#x1F600;".to_owned()),
        Just("&#0;".to_owned()),
        Just("&NotEqualTilde;".to_owned()),
        Just("<".to_owned()),
        Just("</".to_owned()),
        Just("<td".to_owned()),
        Just("\"".to_owned()),
        Just("\r\n".to_owned()),
        Just("\u{3000}".to_owned()),
        "[0-9 ]{1,4}",
        "[一二三（）、商业企业。]{1,6}",
        "\\PC{1,3}",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_page_reads_with_valid_spans(pieces in prop::collection::vec(piece(), 0..60)) {
        let page = format!("<p>x</p>{}", pieces.concat());
        let document = document("random.html", page.as_bytes());
        let src = document.source.text();
        for line in &document.lines {
            prop_assert!(line.start <= line.end && line.end <= document.text.len());
            for span in line.cells.iter().map(|c| c.span).chain([line.span]) {
                prop_assert!(span.start <= span.end && span.end <= src.len());
                prop_assert!(src.is_char_boundary(span.start) && src.is_char_boundary(span.end));
            }
            for cell in &line.cells {
                prop_assert!(!cell.text.contains(['\t', '\n']));
            }
        }
    }
}

/// Issue 13: 100,000 nested `div`, `table` and `span` elements are read (their content joins
/// the parents past the depth bound) and checked without a panic.
#[test]
fn hundred_thousand_nested_elements_do_not_panic() {
    let checker =
        gouji::check::Checker::new(crate::support::national_rule_sets(), &[]).expect("no params");
    for (open, close) in [
        ("<div>", "</div>"),
        ("<table><tr><td>", "</td></tr></table>"),
        ("<span>", "</span>"),
    ] {
        let page = nested(100_000, open, close);
        let input = load("deep.html", page.as_bytes()).expect("the page is read");
        let Input::Document(document) = &input else {
            panic!("{open}: not a document");
        };
        check_spans(document);
        assert!(
            document
                .lines
                .iter()
                .flat_map(|l| &l.cells)
                .any(|c| c.text.contains("深处")),
            "{open}: the deepest text is kept"
        );
        let _ = checker.check(&input, None);
    }
}

/// Issue 18: the 二 tables of a page exported from Word, where a header cell spans two grid
/// columns above a value spanning one (and a blank), or a value spans two grid columns under
/// a header spanning one, read the same cells as the same page with a plain grid, with no
/// reading anomaly ("4 values for 3 columns" was one).
#[test]
fn values_are_placed_by_grid_extent_not_by_count() {
    let set = national_rule_set("national-2021");
    let read = |path: &str| {
        let bytes = std::fs::read(path).unwrap();
        Extractor::new(set).read(&load(path, &bytes).unwrap()).0
    };
    let plain = read("tests/fixtures/reports/national/2021/clean.html");
    let spans = read("tests/fixtures/reports/html/colspans.html");
    crate::support::assert_same_cells(&plain, &spans, true);
    assert!(
        spans.anomalies.is_empty(),
        "{:?}",
        spans
            .anomalies
            .iter()
            .map(|a| &a.message)
            .collect::<Vec<_>>()
    );
}
