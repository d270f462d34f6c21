//! Helpers shared by the integration tests.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use gouji::compile::Loader;
use gouji::report::{CellValue, Report};
use gouji::ruleset::RuleSet;

/// The reports and rule files the command-line tests run on.
pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli");

/// Renders a diagnostic the way a person sees it, but deterministically: no colour, no
/// terminal links, no syntax highlighting and a fixed width of 100 columns, so a snapshot
/// does not depend on the terminal the tests run in.
pub fn render_diagnostic(d: &impl miette::Diagnostic) -> String {
    let handler =
        miette::GraphicalReportHandler::new_themed(miette::GraphicalTheme::unicode_nocolor())
            .with_width(100)
            .with_links(false)
            .without_syntax_highlighting();
    let mut out = String::new();
    handler
        .render_report(&mut out, d)
        .expect("rendering into a String cannot fail");
    out
}

/// What one run of the gouji binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: String,
}

impl Run {
    /// Asserts the exit code, showing everything the run printed if it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code, expected,
            "`gouji {}` exited with {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        );
        self
    }

    /// The JSON the run printed.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`gouji {}` printed no JSON ({e}):\n{}",
                self.args, self.stdout
            )
        })
    }
}

/// A fresh working directory, removed again at the end of the test.
pub struct Scratch {
    dir: PathBuf,
}

impl Scratch {
    /// `group` (the test module) and `name` keep the directories of tests running in
    /// parallel apart.
    pub fn new(group: &str, name: &str) -> Self {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(group)
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let dir = dir.canonicalize().expect("the directory was just made");
        for above in dir.ancestors().skip(1) {
            assert!(
                !above.join("gouji.toml").exists(),
                "{} would be read by every test; the CLI tests need no gouji.toml above {}",
                above.join("gouji.toml").display(),
                dir.display()
            );
        }
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Copies fixtures into the directory under their own names.
    pub fn with(self, fixtures: &[&str]) -> Self {
        for name in fixtures {
            std::fs::copy(Path::new(FIXTURES).join(name), self.dir.join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
        }
        self
    }

    /// Copies a fixture under another name.
    pub fn copy(&self, fixture: &str, name: &str) {
        if let Some(parent) = self.dir.join(name).parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::copy(Path::new(FIXTURES).join(fixture), self.dir.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }

    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        let path = self.dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }

    /// The file names in the directory (not recursive), sorted.
    pub fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    /// Runs `gouji` here.
    pub fn run(&self, args: &[&str]) -> Run {
        gouji(&self.dir, args, None)
    }

    /// Runs `gouji` here with `input` on standard input.
    pub fn run_with_stdin(&self, args: &[&str], input: &[u8]) -> Run {
        gouji(&self.dir, args, Some(input))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the gouji binary in `dir`, without colour, with `stdin` (or nothing) as its input.
pub fn gouji(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gouji"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("FORCE_COLOR")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the gouji binary runs");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(bytes)
            .expect("gouji reads its standard input");
    }
    let output = child.wait_with_output().expect("gouji finishes");
    Run {
        code: output
            .status
            .code()
            .expect("gouji exits, not killed by a signal"),
        stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        args: args.join(" "),
    }
}

/// Both built-in national rule sets, 2019 then 2021, compiled once for the whole test binary.
/// They must compile without errors or warnings.
pub fn national_rule_sets() -> &'static [RuleSet] {
    static SETS: OnceLock<Vec<RuleSet>> = OnceLock::new();
    SETS.get_or_init(|| {
        let loader = Loader::new(Vec::<PathBuf>::new());
        ["national-2019.gouji", "national-2021.gouji"]
            .iter()
            .map(|file| {
                let compiled = loader
                    .compile_builtin(file)
                    .unwrap_or_else(|| panic!("{file} is not built in"));
                assert!(
                    compiled.diagnostics.is_empty(),
                    "{file} should compile without errors or warnings: {:?}",
                    compiled.diagnostics
                );
                compiled.rule_set.expect("no errors, so a rule set")
            })
            .collect()
    })
}

/// One of [`national_rule_sets`] by its id (`national-2019`).
pub fn national_rule_set(id: &str) -> &'static RuleSet {
    national_rule_sets()
        .iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no rule set {id}"))
}

/// Every cell of every table as `(raw, value, unit)`, or `None` where nothing was read,
/// keyed by table, row and column: what "the same cells" means.
type CellKey = (String, String, String);
type CellRead = Option<(String, CellValue, Option<String>)>;

pub fn cells(report: &Report) -> Vec<(CellKey, CellRead)> {
    let mut out = Vec::new();
    for table in &report.tables {
        for (r, row) in table.rows.iter().enumerate() {
            for (c, column) in table.columns.iter().enumerate() {
                let cell = table
                    .cell_at(r, c)
                    .map(|cell| (cell.raw.clone(), cell.value.clone(), cell.unit.clone()));
                out.push(((table.key.clone(), row.clone(), column.clone()), cell));
            }
        }
    }
    out
}

/// Compares two readings grid by grid, cell by cell, and says where they differ; `raw` says
/// whether the raw text must be equal too (not for a copy in other characters).
pub fn assert_same_cells(expected: &Report, actual: &Report, raw: bool) {
    let (a, b) = (cells(expected), cells(actual));
    assert_eq!(
        a.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        b.iter().map(|(k, _)| k).collect::<Vec<_>>(),
        "{} and {} have different grids",
        expected.source.name(),
        actual.source.name()
    );
    let differences: Vec<String> = a
        .iter()
        .zip(&b)
        .filter(|((_, x), (_, y))| {
            if raw {
                x != y
            } else {
                x.as_ref().map(|c| (&c.1, &c.2)) != y.as_ref().map(|c| (&c.1, &c.2))
            }
        })
        .map(|((key, x), (_, y))| format!("{key:?}: {x:?} ≠ {y:?}"))
        .collect();
    assert!(
        differences.is_empty(),
        "{} and {} read different cells:\n{}",
        expected.source.name(),
        actual.source.name(),
        differences.join("\n")
    );
}
