//! Writing a register: one `[[豁免]]` per entry, keys in a fixed order, entries sorted by
//! report, rule set, rule, variables and cells — so that the same findings always give the same
//! file, and a change to it reads as a small diff. Strings are escaped by the `toml` crate.

use std::fmt::Write as _;

use super::{ENTRY_TABLE, Entry, Register, ReportKey};

/// The comment at the top of every register.
const HEADER: &str = "\
# gouji 豁免登记表：每条 [[豁免]] 接受一个问题，写明理由；可以手工编辑，请纳入版本管理。
# 问题所涉的单元格的值或语句变了（指纹不同）、检查的内容改了（版本不同）或过了到期日，豁免就不再适用。
# gouji baseline 重写本文件时保留已有条目和理由，但不保留注释。说明见 docs/waivers.md。
";

/// The register as TOML text.
#[must_use]
pub fn write(register: &Register) -> String {
    let mut entries: Vec<&Entry> = register.entries.iter().collect();
    entries.sort_by(|a, b| sort_key(a).cmp(&sort_key(b)));
    let mut out = String::from(HEADER);
    for e in entries {
        out.push('\n');
        write_entry(&mut out, e);
    }
    out
}

type SortKey<'a> = (
    &'a ReportKey,
    &'a str,
    &'a str,
    &'a [(String, String)],
    &'a [String],
    Option<&'a str>,
    &'a str,
);

fn sort_key(e: &Entry) -> SortKey<'_> {
    (
        &e.report,
        &e.rule_set,
        &e.rule,
        &e.bindings,
        &e.cells,
        e.sentence.as_deref(),
        &e.fingerprint,
    )
}

fn write_entry(out: &mut String, e: &Entry) {
    let _ = writeln!(out, "[[{ENTRY_TABLE}]]");
    let _ = writeln!(out, "规则 = {}", quote(&e.rule));
    let _ = writeln!(out, "规则集 = {}", quote(&e.rule_set));
    if let Some(v) = &e.version {
        let _ = writeln!(out, "版本 = {}", quote(v));
    }
    let report = match &e.report {
        ReportKey::Agency { agency, year } => format!("机关 = {}, 年度 = {year}", quote(agency)),
        ReportKey::File(path) => format!("文件 = {}", quote(path)),
    };
    let _ = writeln!(out, "报告 = {{ {report} }}");
    if !e.bindings.is_empty() {
        let pairs: Vec<String> = e
            .bindings
            .iter()
            .map(|(name, value)| format!("{} = {}", key(name), quote(value)))
            .collect();
        let _ = writeln!(out, "变量 = {{ {} }}", pairs.join(", "));
    }
    match e.cells.as_slice() {
        [] => {}
        [one] => {
            let _ = writeln!(out, "单元格 = [{}]", quote(one));
        }
        cells => {
            out.push_str("单元格 = [\n");
            for c in cells {
                let _ = writeln!(out, "  {},", quote(c));
            }
            out.push_str("]\n");
        }
    }
    if let Some(s) = &e.sentence {
        let _ = writeln!(out, "语句 = {}", quote(s));
    }
    let _ = writeln!(out, "指纹 = {}", quote(&e.fingerprint));
    let _ = writeln!(out, "理由 = {}", quote(&e.reason));
    if let Some(d) = e.expires {
        let _ = writeln!(out, "到期 = {d}");
    }
    if let Some(by) = &e.by {
        let _ = writeln!(out, "登记人 = {}", quote(by));
    }
}

/// A TOML string.
fn quote(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

/// A key: bare when it is letters (Chinese included), digits, `-` and `_`, as gouji reads
/// them; quoted otherwise.
fn key(name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    if bare { name.to_owned() } else { quote(name) }
}
