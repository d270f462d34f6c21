//! What the waivers did to a report, in words: the lines the human output adds under a
//! report's findings.

use std::fmt::Write as _;

use crate::findings::ReportFindings;

/// `（c=自然人）`, or nothing for a finding without variables.
#[must_use]
pub fn bindings(b: &[(String, String)]) -> String {
    if b.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = b.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("（{}）", pairs.join("，"))
}

/// `理由：…；到期 2027-06-30；登记人 张三`.
#[must_use]
pub fn waiver_text(entry: &super::Entry) -> String {
    let mut text = format!("理由：{}", entry.reason);
    if let Some(d) = entry.expires {
        let _ = write!(text, "；到期 {d}");
    }
    if let Some(by) = &entry.by {
        let _ = write!(text, "；登记人 {by}");
    }
    text
}

/// The waivers that no longer apply (always: they say why a finding is back), and, when
/// `verbose`, each finding waived with its waiver's reason.
#[must_use]
pub fn human(report: &ReportFindings, verbose: bool) -> String {
    let mut out = String::new();
    let w = &report.waivers;
    if !w.lapsed.is_empty() {
        out.push_str("不再适用的豁免（这些问题照常列出）：\n");
        for l in &w.lapsed {
            let _ = writeln!(
                out,
                "  - {}{}：{}〔{}〕",
                l.rule,
                bindings(&l.bindings),
                l.why,
                l.place
            );
        }
    }
    if verbose && !w.waived.is_empty() {
        out.push_str("已豁免的问题：\n");
        for waived in &w.waived {
            let f = &waived.finding;
            let _ = writeln!(
                out,
                "  - {}{}：{}\n    {}〔{}〕",
                f.rule,
                bindings(&f.bindings),
                f.message,
                waiver_text(&waived.entry),
                waived.place
            );
        }
    }
    out
}
