//! The speed benchmark, through the real command line: `cargo bench --bench pipeline`.
//!
//! It generates seed-sized reports (most clean, one in ten with an imbalance), then measures
//! - extracting one text report, one HTML page and one Word report, in process;
//! - reading a ten-page PDF report (Chromium's and `LibreOffice`'s renderings), in process;
//! - evaluating the built-in rule set on one report, in process;
//! - one `gouji check` of a single report (wall time of the whole process);
//! - `gouji check DIR` over N reports: reports per second and peak memory of the process.
//!
//! `GOUJI_BENCH_N` sets N (default 10000; try 100000 for the memory bound).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A clean report of the 2019 format, laid out like the seed (tabs), owned by the project.
const TEMPLATE: &str = include_str!("../tests/fixtures/cli/clean.txt");
const HTML: &str = include_str!("../tests/fixtures/reports/html/seed.html");
/// The same clean report written in Word: merged cells, numbered headings, a text box.
const DOCX: &[u8] = include_bytes!("../tests/fixtures/docx/handmade/clean-2019.docx");
/// A ten-page report printed to PDF by Chromium (Type 3 fonts) and by `LibreOffice` (CID fonts).
const PDF_CHROMIUM: &[u8] =
    include_bytes!("../tests/fixtures/published/bench/ten-pages.chromium.pdf");
const PDF_LIBREOFFICE: &[u8] =
    include_bytes!("../tests/fixtures/published/bench/ten-pages.libreoffice.pdf");

#[allow(clippy::cast_precision_loss)] // report counts and kilobytes, far below 2^52
fn main() {
    let n: usize = std::env::var("GOUJI_BENCH_N")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let binary = build_binary();
    let dir = std::env::temp_dir().join(format!("gouji-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary directory");

    in_process();

    let single = dir.join("single.txt");
    std::fs::write(&single, report(0)).expect("write a report");
    let mut times: Vec<Duration> = (0..20)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(&binary)
                .arg("check")
                .arg(&single)
                .stdout(Stdio::null())
                .status()
                .expect("run gouji");
            assert!(status.code().is_some_and(|c| c <= 1), "gouji check failed");
            start.elapsed()
        })
        .collect();
    times.sort();
    println!(
        "gouji check, one report:        median {:>8.2} ms (20 runs)",
        ms(times[10])
    );

    let batch = dir.join("batch");
    generate(&batch, n);
    let (elapsed, peak_kib) = run_measured(
        Command::new(&binary)
            .arg("check")
            .arg(&batch)
            .arg("--format")
            .arg("json"),
    );
    println!(
        "gouji check, {n} reports:   {:>8.0} reports/s ({:.2} s), peak RSS {:.1} MB",
        n as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        peak_kib as f64 / 1024.0
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Per-report costs without process start-up.
fn in_process() {
    let loader = gouji::compile::Loader::new(Vec::new());
    let compiled = loader
        .compile_builtin("national-2019.gouji")
        .expect("built-in set");
    let rule_set = compiled.rule_set.expect("the built-in set compiles");
    let extractor = gouji::extract::Extractor::new(&rule_set);
    let text = report(0);
    let per = |label: &str, runs: u32, mut work: Box<dyn FnMut()>| {
        work();
        let start = Instant::now();
        for _ in 0..runs {
            work();
        }
        println!(
            "{label:<32}{:>8.1} µs",
            start.elapsed().as_secs_f64() * 1e6 / f64::from(runs)
        );
    };
    per(
        "load + extract, text report:",
        2000,
        Box::new(|| {
            let input = gouji::extract::load("report.txt", text.as_bytes()).expect("loads");
            std::hint::black_box(extractor.read(&input));
        }),
    );
    per(
        "load + extract, HTML page:",
        500,
        Box::new(|| {
            let input = gouji::extract::load("report.html", HTML.as_bytes()).expect("loads");
            std::hint::black_box(extractor.read(&input));
        }),
    );
    per(
        "load + extract, Word report:",
        500,
        Box::new(|| {
            let input = gouji::extract::load("report.docx", DOCX).expect("loads");
            std::hint::black_box(extractor.read(&input));
        }),
    );
    for (label, pdf) in [
        ("load + extract, 10-page PDF (Chromium):", PDF_CHROMIUM),
        (
            "load + extract, 10-page PDF (LibreOffice):",
            PDF_LIBREOFFICE,
        ),
    ] {
        let extractor = &extractor;
        per(
            label,
            20,
            Box::new(move || {
                let input = gouji::extract::load("report.pdf", pdf).expect("loads");
                std::hint::black_box(extractor.read(&input));
            }),
        );
    }
    let input = gouji::extract::load("report.txt", text.as_bytes()).expect("loads");
    let (report, _) = extractor.read(&input);
    let params = gouji::eval::ParamValues::new(&rule_set, &[]).expect("defaults");
    per(
        "evaluate the national set:",
        2000,
        Box::new(|| {
            std::hint::black_box(gouji::eval::evaluate(&rule_set, &report, None, &params));
        }),
    );
}

/// Report `i`: the template under another agency's name and year, and every tenth with
/// an imbalance in the applications table.
fn report(i: usize) -> String {
    let agency = format!("第{i}镇人民政府");
    let mut text = TEMPLATE.replace("大口镇人民政府", &agency);
    if i % 10 == 9 {
        text = text.replacen(
            "一、本年新收政府信息公开申请数量\t\t0",
            "一、本年新收政府信息公开申请数量\t\t3",
            1,
        );
    }
    text
}

fn generate(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir).expect("batch directory");
    for i in 0..n {
        std::fs::write(dir.join(format!("{i:06}.txt")), report(i)).expect("write a report");
    }
}

/// Runs a command with its output discarded; returns the wall time and the peak resident
/// memory (from /proc, polled while it runs; Linux only, else 0).
fn run_measured(command: &mut Command) -> (Duration, u64) {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("run gouji");
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(hwm) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                peak = peak.max(
                    hwm.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse()
                        .unwrap_or(0),
                );
            }
        }
        if child.try_wait().expect("wait for gouji").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    (start.elapsed(), peak)
}

/// The release binary, built if needed.
fn build_binary() -> PathBuf {
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--bin", "gouji"])
        .status()
        .expect("cargo build");
    assert!(status.success(), "building gouji failed");
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/gouji")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
