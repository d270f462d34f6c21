//! `gouji fmt` over the repository's rule files, and the editor grammar against the pest
//! grammar.
//!
//! - Every shipped rule file (`rules/`, the editor sample) is already canonical: formatting
//!   changes nothing.
//! - Formatting is idempotent on every rule file the tests hold, and moves only whitespace.
//! - The `TextMate` grammar (`editors/vscode/syntaxes/gouji.tmLanguage.json`) highlights
//!   exactly the keywords of `grammar/rules.pest`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use gouji::syntax::format::{format, is_formatted};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn rule_files_under(dir: &str) -> Vec<PathBuf> {
    let files = gouji::files::rule_files_under(&Path::new(ROOT).join(dir));
    assert!(!files.is_empty(), "no rule file under {dir}");
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn shipped_rule_files_are_already_formatted() {
    let mut files = rule_files_under("rules");
    files.push(Path::new(ROOT).join("editors/sample.gouji"));
    for file in files {
        let text = read(&file);
        assert!(
            is_formatted(&text),
            "`gouji fmt {}` would change it:\n{}",
            file.display(),
            first_difference(&text, &format(&text))
        );
    }
}

#[test]
fn formatting_is_idempotent_and_moves_only_whitespace() {
    let tokens = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    for file in rule_files_under("tests/fixtures") {
        let text = read(&file);
        let once = format(&text);
        let twice = format(&once);
        assert_eq!(once, twice, "{}: not idempotent", file.display());
        assert_eq!(
            tokens(text.trim_start_matches('\u{feff}')),
            tokens(&once),
            "{}: more than whitespace changed",
            file.display()
        );
        if gouji::syntax::parse_rule_file(&text, 0).is_ok() {
            assert!(
                gouji::syntax::parse_rule_file(&once, 0).is_ok(),
                "{}: parses before formatting but not after",
                file.display()
            );
        }
    }
}

fn first_difference(a: &str, b: &str) -> String {
    a.lines()
        .zip(b.lines())
        .enumerate()
        .find(|(_, (x, y))| x != y)
        .map_or_else(
            || "(line count differs)".to_owned(),
            |(i, (x, y))| format!("line {}:\n- {x:?}\n+ {y:?}", i + 1),
        )
}

/// The keywords of the pest grammar: every `kw_*` rule's word, and the words written inline
/// (`"选项"`, `"单元格"`).
fn pest_keywords() -> BTreeSet<String> {
    let grammar = read(&Path::new(ROOT).join("grammar/rules.pest"));
    let word = regex::Regex::new(r#""(\p{Han}+)""#).unwrap();
    grammar
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .flat_map(|l| {
            word.captures_iter(l)
                .map(|c| c[1].to_owned())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// The words the `TextMate` grammar highlights as keywords or severities.
fn highlighted_keywords() -> BTreeSet<String> {
    let path = Path::new(ROOT).join("editors/vscode/syntaxes/gouji.tmLanguage.json");
    let grammar: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
    let repository = &grammar["repository"];
    let mut patterns: Vec<&str> = repository["keyword"]["patterns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["match"].as_str().unwrap())
        .collect();
    patterns.push(repository["severity"]["match"].as_str().unwrap());
    let alternation = regex::Regex::new(r"\(\?:([^()]+)\)").unwrap();
    patterns
        .iter()
        .flat_map(|p| {
            let words = &alternation.captures(p).expect("a keyword alternation")[1];
            words.split('|').map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
}

#[test]
fn the_editor_grammar_highlights_exactly_the_keywords_of_the_language() {
    let pest = pest_keywords();
    let highlighted = highlighted_keywords();
    assert!(pest.len() > 60, "{pest:?}");
    let missing: Vec<&String> = pest.difference(&highlighted).collect();
    let extra: Vec<&String> = highlighted.difference(&pest).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "editors/vscode/syntaxes/gouji.tmLanguage.json differs from grammar/rules.pest:\n\
         not highlighted: {missing:?}\nnot keywords: {extra:?}"
    );
    // The parser's own list of reserved words agrees too.
    for keyword in gouji::syntax::KEYWORDS {
        assert!(highlighted.contains(*keyword), "{keyword}");
    }
}
