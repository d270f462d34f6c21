//! The speed benchmark: `cargo bench --bench pipeline [-- N]`.
//!
//! It generates its own corpus (N seed-sized reports, default 20,000; see `corpus`) in a
//! temporary directory that it removes, and measures
//! - per-report costs in process (`in_process`: extraction of each input format, evaluation);
//!   and a floor (`floor`): reading the file and the passes over its text that the national
//!   set's rules ask for, set beside the processor time that 20× the Python script allows;
//! - one `gouji check FILE` (wall time of the whole process, 30 runs);
//! - `gouji check DIR` over the corpus with JSON, human and HTML output, and the Python
//!   balance-check script (`benches/balance_check.py`) over the same corpus: reports per
//!   second, peak memory, output bytes per report (`batch`);
//! - `gouji check DIR` with human output over 2,000 reports that all have findings.
//!
//! A case is one function; add a format or a stage as one more function in its file.
//! `GOUJI_BENCH_N` also sets N; `GOUJI_BENCH_QUICK=1` skips the in-process cases.

mod batch;
mod corpus;
mod floor;
mod in_process;
mod prose;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary directory, removed however the benchmark ends.
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn main() {
    let n: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .or_else(|| std::env::var("GOUJI_BENCH_N").ok()?.parse().ok())
        .unwrap_or(20_000);
    let binary = build_binary();
    let dir = TempDir(std::env::temp_dir().join(format!("gouji-bench-{}", std::process::id())));
    std::fs::create_dir_all(&dir.0).expect("temporary directory");
    println!(
        "machine: {} cores; corpus: {n} reports",
        std::thread::available_parallelism().map_or(1, usize::from)
    );

    let single = dir.0.join("single.txt");
    std::fs::write(&single, corpus::report(0)).expect("write a report");

    let floor = if std::env::var_os("GOUJI_BENCH_QUICK").is_none() {
        in_process::run();
        prose::run();
        Some(floor::run(&single))
    } else {
        None
    };
    let (median, fastest) = batch::single(&binary, &single, 30);
    println!(
        "gouji check, one report (human):  median {:.2} ms, fastest {:.2} ms (30 runs)",
        median.as_secs_f64() * 1000.0,
        fastest.as_secs_f64() * 1000.0
    );

    let corpus_dir = dir.0.join("corpus");
    corpus::generate(&corpus_dir, n, corpus::report);
    let json = batch::gouji(&binary, &corpus_dir, "json", &[]);
    json.print("gouji check --format json:", n);
    batch::gouji(&binary, &corpus_dir, "human", &[]).print("gouji check (human):", n);
    batch::gouji(&binary, &corpus_dir, "html", &[]).print("gouji check --format html:", n);
    batch::gouji(&binary, &corpus_dir, "json", &["-j", "1"])
        .print("gouji check --format json -j 1:", n);
    let defective_dir = dir.0.join("with-findings");
    corpus::generate(&defective_dir, DEFECTIVE, corpus::report_with_findings);
    batch::gouji(&binary, &defective_dir, "human", &[])
        .print(&format!("human, {DEFECTIVE} with findings:"), DEFECTIVE);
    match batch::python(&corpus_dir) {
        Some(python) => {
            python.print("python3 balance_check.py:", n);
            println!("  (the script says: {})", python.last_line);
            println!(
                "gouji (JSON, full national sets) / Python: {:.1}×",
                python.elapsed.as_secs_f64() / json.elapsed.as_secs_f64()
            );
            print_budget(&python, n, floor);
        }
        None => println!("python3 not found: the comparison with the Python script is skipped"),
    }
}

/// The processor time a report may take for gouji to check 20× as many reports a second as
/// the script (on one core) with every core of this machine, beside the floor measured in
/// process.
#[allow(clippy::cast_precision_loss)] // report and core counts, far below 2^52
fn print_budget(python: &batch::Measured, n: usize, floor: Option<f64>) {
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let target = 20.0 * n as f64 / python.elapsed.as_secs_f64();
    let budget = cores as f64 * 1e6 / target;
    println!(
        "20× Python is {target:.0} reports/s: {budget:.1} µs of CPU a report on {cores} cores"
    );
    if let Some(floor) = floor {
        println!(
            "  the floor (the file read, the two passes the rules ask for) takes {:.0}% of it",
            100.0 * floor / budget
        );
    }
}

/// The size of the batch in which every report has findings (human output).
const DEFECTIVE: usize = 2_000;

/// The release binary, built if needed.
fn build_binary() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "gouji"])
        .status()
        .expect("cargo build");
    assert!(status.success(), "building gouji failed");
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/gouji")
}
