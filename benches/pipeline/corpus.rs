//! The generated corpus: seed-sized text reports of the 2019 format, with the defects a
//! province's batch has.

use std::path::Path;

/// A clean report of the 2019 format, laid out like the seed (tabs), owned by the project.
pub const TEMPLATE: &str = include_str!("../../tests/fixtures/cli/clean.txt");

/// Report `i` of the corpus: the template under another agency's name, with
/// - every tenth (`i % 10 == 9`) an imbalance in the applications table;
/// - one in twenty (`i % 20 == 7`) with "/" in the cells of the eight 不予公开 rows;
/// - every tenth (`i % 10 == 1`) the same agency's report of the year before report `i - 1`,
///   so that the batch has pairs of consecutive years.
pub fn report(i: usize) -> String {
    let (agency, year) = if i % 10 == 1 {
        (i - 1, 2019)
    } else {
        (i, 2020)
    };
    let mut text = TEMPLATE.replace("大口镇人民政府", &format!("第{agency}镇人民政府"));
    if year != 2020 {
        text = text.replace("2020年", &format!("{year}年"));
    }
    if i % 10 == 9 {
        text = with_imbalance(&text);
    }
    if i % 20 == 7 {
        text = with_slashes(&text);
    }
    text
}

/// Report `i` of a batch in which every report has findings: the template with an imbalance,
/// and every other one with "/" in the 不予公开 rows as well (human output of such a batch is a
/// case of its own: every finding is drawn with its source lines).
pub fn report_with_findings(i: usize) -> String {
    let text = with_imbalance(&TEMPLATE.replace("大口镇人民政府", &format!("第{i}镇人民政府")));
    if i % 2 == 0 {
        with_slashes(&text)
    } else {
        text
    }
}

/// 3 new applications in the first row's first cell, its total left at 0.
fn with_imbalance(text: &str) -> String {
    text.replacen(
        "一、本年新收政府信息公开申请数量\t\t0",
        "一、本年新收政府信息公开申请数量\t\t3",
        1,
    )
}

/// "/" instead of 0 in the cells of the eight 不予公开 rows.
fn with_slashes(text: &str) -> String {
    text.lines()
        .map(|line| {
            if line.starts_with("\t\t") && line.contains("属于") {
                line.replace("\t0", "\t/")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Writes reports `0..n` made by `report` into `dir` as `NNNNNN.txt`.
pub fn generate(dir: &Path, n: usize, report: fn(usize) -> String) {
    std::fs::create_dir_all(dir).expect("batch directory");
    for i in 0..n {
        std::fs::write(dir.join(format!("{i:06}.txt")), report(i)).expect("write a report");
    }
}
