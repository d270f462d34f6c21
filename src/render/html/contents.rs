//! The page's list of reports (报告一览): a row per report, written after every report's part
//! because it sits in the summary, which is complete only at the end of a run.
//!
//! Until then each row is kept small, whatever the size of the batch: its numbers, and the
//! agency and file names one after another in one string, a file name without the part it
//! shares with the file before it (the folder, usually). About 30 bytes and the agency's name
//! per report, against the 200 of a rendered row.

use askama::Template;

use super::input_kind;
use crate::report::InputKind;

#[derive(Default)]
pub(super) struct Contents {
    /// Per report: its agency, then its file name after the part shared with the file before.
    names: String,
    rows: Vec<Row>,
    /// The file name of the last report added.
    last_file: String,
}

/// A report's row without its names; the lengths are those of its names in
/// [`Contents::names`] (a name is at most the size of an input or a path: far below 4 GB).
struct Row {
    agency: u32,
    /// How much of the file name it shares with the one before, and the length of the rest.
    shared: u32,
    rest: u32,
    year: Option<i32>,
    input: InputKind,
    errors: u32,
    warnings: u32,
}

/// A row as the page writes it.
#[derive(Template)]
#[template(path = "html/contents_row.html", whitespace = "minimize")]
struct RowView<'a> {
    /// The report's place in the run, from 1: its anchor is `r{number}`.
    number: usize,
    agency: &'a str,
    year: Option<i32>,
    format: &'static str,
    errors: u32,
    warnings: u32,
    file: &'a str,
}

fn length(text: &str) -> u32 {
    u32::try_from(text.len()).expect("a name is shorter than 4 GB")
}

fn saturated(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Contents {
    /// Adds the next report's row; returns its anchor.
    pub(super) fn add(
        &mut self,
        agency: &str,
        year: Option<i32>,
        input: InputKind,
        errors: usize,
        warnings: usize,
        file: &str,
    ) -> String {
        let shared = common_prefix(&self.last_file, file);
        let rest = &file[shared..];
        self.names.push_str(agency);
        self.names.push_str(rest);
        self.last_file.truncate(shared);
        self.last_file.push_str(rest);
        self.rows.push(Row {
            agency: length(agency),
            shared: length(&file[..shared]),
            rest: length(rest),
            year,
            input,
            errors: saturated(errors),
            warnings: saturated(warnings),
        });
        format!("r{}", self.rows.len())
    }

    /// Writes every row, in order, to `write`, a few hundred at a time; the rows are gone
    /// afterwards.
    pub(super) fn write_rows(&mut self, write: &mut dyn FnMut(&str)) {
        /// How much rendered text is passed on at once.
        const CHUNK: usize = 64 * 1024;
        let names = std::mem::take(&mut self.names);
        let rows = std::mem::take(&mut self.rows);
        self.last_file.clear();
        let mut file = String::new();
        let mut at = 0;
        let mut out = String::with_capacity(CHUNK + 1024);
        for (i, row) in rows.iter().enumerate() {
            let agency = &names[at..at + row.agency as usize];
            at += row.agency as usize;
            file.truncate(row.shared as usize);
            file.push_str(&names[at..at + row.rest as usize]);
            at += row.rest as usize;
            let view = RowView {
                number: i + 1,
                agency,
                year: row.year,
                format: input_kind(row.input),
                errors: row.errors,
                warnings: row.warnings,
                file: &file,
            };
            view.render_into(&mut out)
                .expect("writing into a String cannot fail");
            out.push('\n');
            if out.len() >= CHUNK {
                write(&out);
                out.clear();
            }
        }
        write(&out);
    }
}

/// The length of the longest common prefix of two strings that ends on a character boundary
/// of both.
fn common_prefix(a: &str, b: &str) -> usize {
    let bytes = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    crate::source::floor_char_boundary(b, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(contents: &mut Contents) -> String {
        let mut out = String::new();
        contents.write_rows(&mut |text| out.push_str(text));
        out
    }

    #[test]
    fn rows_come_back_whole_after_sharing_their_folders() {
        let mut contents = Contents::default();
        let files = [
            "批次/甲镇.txt",
            "批次/乙镇.txt",
            "其他/丙.html",
            "其他/丙.htm",
            "",
        ];
        for (i, file) in files.iter().enumerate() {
            let anchor = contents.add("某镇人民政府", Some(2020), InputKind::Text, i, 0, file);
            assert_eq!(anchor, format!("r{}", i + 1));
        }
        let written = rows(&mut contents);
        let listed: Vec<&str> = written
            .lines()
            .map(|row| {
                let start = row.find("<code>").unwrap() + "<code>".len();
                &row[start..row.find("</code>").unwrap()]
            })
            .collect();
        assert_eq!(listed, files);
        assert!(written.starts_with(r##"<tr><td><a href="#r1">某镇人民政府</a></td><td class="n">2020</td><td>文本</td><td class="n">0</td>"##));
    }

    #[test]
    fn a_name_shared_up_to_the_middle_of_a_character_is_cut_before_it() {
        // 甲 and 申 share their first two bytes in UTF-8.
        assert_eq!("甲".as_bytes()[..2], "申".as_bytes()[..2]);
        assert_eq!(common_prefix("a/甲", "a/申"), 2);
        let mut contents = Contents::default();
        contents.add("", None, InputKind::Html, 0, 0, "a/甲");
        contents.add("", None, InputKind::Html, 0, 0, "a/申");
        assert!(rows(&mut contents).contains("<code>a/申</code>"));
    }

    #[test]
    fn names_are_escaped() {
        let mut contents = Contents::default();
        contents.add("<b>镇</b>", None, InputKind::Text, 0, 0, "a&b.txt");
        let written = rows(&mut contents);
        assert!(written.contains("&#60;b&#62;镇") || written.contains("&lt;b&gt;镇"));
        assert!(written.contains("a&#38;b.txt") || written.contains("a&amp;b.txt"));
    }
}
