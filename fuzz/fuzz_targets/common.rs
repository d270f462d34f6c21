//! What every target shares: the built-in rule sets, and the whole way from an input to
//! every renderer's output.

use std::sync::OnceLock;

use gouji::check::Checker;
use gouji::compile::{BUILTIN, Loader};
use gouji::render::{self, RenderOptions};
use gouji::ruleset::RuleSet;

/// The built-in national rule sets, compiled once.
#[allow(dead_code)] // Each target includes this module; `rules` brings its own rule set.
pub fn national() -> &'static [RuleSet] {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        let loader = Loader::new(Vec::new());
        BUILTIN
            .iter()
            .filter_map(|(file, _)| loader.compile_builtin(file))
            .filter_map(|c| c.rule_set)
            .collect()
    })
}

/// A checker for the national rule sets, built once: what `Checker::new` prepares (label
/// tables, parameters) does not depend on the input.
#[allow(dead_code)] // Each target includes this module; `rules` builds its own checker.
pub fn national_checker() -> &'static Checker<'static> {
    static CHECKER: OnceLock<Checker<'static>> = OnceLock::new();
    CHECKER.get_or_init(|| {
        Checker::new(national(), &[]).expect("the national rule sets take no parameters")
    })
}

/// Reads `bytes` as the file `name`, checks it with `checker` (with itself as last year's
/// report too), and renders the findings in every output format `gouji check --format`
/// offers (the list is taken from the renderers' own table, so a new format is fuzzed too).
#[allow(dead_code)] // `extract_text` stops at reading.
pub fn check_and_render(checker: &Checker, rule_sets: &[RuleSet], name: &str, bytes: &[u8]) {
    let Ok(input) = gouji::extract::load(name, bytes) else {
        return;
    };
    let _ = checker.agency_and_year(&input);
    let Some(findings) = checker.check(&input, Some(&input)) else {
        return;
    };
    let options = |pretty| RenderOptions {
        colour: false,
        verbose: true,
        rule_sets,
        reading: true,
        configuration: None,
        pretty,
    };
    let render = |format: &render::OutputFormat, options: &RenderOptions| {
        let mut renderer = (format.renderer)(options);
        let _ = (renderer.begin(), renderer.report(&findings), renderer.end());
    };
    let compact = options(false);
    for format in render::FORMATS {
        render(format, &compact);
    }
    // Only JSON reads `pretty`: compact JSON (the default in pipes) and indented JSON (on a
    // terminal) are two writers.
    let json = render::FORMATS
        .iter()
        .find(|f| f.name == "json")
        .expect("a JSON output format");
    render(json, &options(true));
}

/// Makes a panic raised inside `crates` (path fragments of their sources, e.g.
/// `"/lopdf-"`) unwind as it does in `gouji check`, where the reader catches it and refuses
/// the file as damaged; any other panic still aborts, as libFuzzer's hook makes every panic
/// do. Call once, before the first input.
#[allow(dead_code)] // Only the targets whose readers catch a dependency's panics use it.
pub fn let_caught_panics_unwind(crates: &'static [&'static str]) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let libfuzzer_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let caught = info
                .location()
                .is_some_and(|l| crates.iter().any(|c| l.file().contains(c)));
            if !caught {
                libfuzzer_hook(info);
            }
        }));
    });
}
