//! Batch cases: a whole directory through a real process, timed, with its peak memory.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one batch run cost.
pub struct Measured {
    pub elapsed: Duration,
    /// Peak resident memory of the process (`VmHWM`), in KiB; 0 where /proc is missing.
    pub peak_kib: u64,
    /// Bytes written to standard output.
    pub output_bytes: u64,
    /// Processor time used (user + system, all threads); zero where /proc is missing. On a
    /// machine shared with other work it varies less than the wall time.
    pub cpu: Duration,
    /// The output's last line (the Python script's count of reports and imbalances).
    pub last_line: String,
}

impl Measured {
    #[allow(clippy::cast_precision_loss)] // report counts and bytes, far below 2^52
    pub fn print(&self, label: &str, reports: usize) {
        println!(
            "{label:<34}{:>9.0} reports/s ({:.2} s; {:.2} s of CPU, {:.0} reports per CPU-second), peak RSS {:.1} MB, output {:.0} bytes/report",
            reports as f64 / self.elapsed.as_secs_f64(),
            self.elapsed.as_secs_f64(),
            self.cpu.as_secs_f64(),
            reports as f64 / self.cpu.as_secs_f64(),
            self.peak_kib as f64 / 1024.0,
            self.output_bytes as f64 / reports as f64,
        );
    }
}

/// `gouji check DIR --format FORMAT [extra]`, output counted and dropped.
pub fn gouji(binary: &Path, dir: &Path, format: &str, extra: &[&str]) -> Measured {
    run_measured(
        Command::new(binary)
            .arg("check")
            .arg(dir)
            .args(["--format", format])
            .args(extra),
    )
}

/// The Python balance-check script over the same directory; `None` without `python3`.
pub fn python(dir: &Path) -> Option<Measured> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/balance_check.py");
    let found = Command::new("python3")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    found.then(|| run_measured(Command::new("python3").arg(script).arg(dir)))
}

/// Runs a command, reading its output as it comes; returns the wall time, the peak resident
/// memory (from /proc, polled while it runs; Linux only, else 0) and the output's size.
pub fn run_measured(command: &mut Command) -> Measured {
    use std::io::Read as _;
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("run the command");
    let status_file = format!("/proc/{}/status", child.id());
    let stat_file = format!("/proc/{}/stat", child.id());
    let mut stdout = child.stdout.take().expect("piped output");
    let counter = std::thread::spawn(move || {
        let mut buffer = vec![0; 1 << 16];
        let mut total = 0u64;
        let mut tail = Vec::new();
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 {
                break;
            }
            total += n as u64;
            tail.extend_from_slice(&buffer[..n]);
            tail.drain(..tail.len().saturating_sub(TAIL));
        }
        (total, tail)
    });
    let mut peak = 0;
    let mut cpu = Duration::ZERO;
    loop {
        if let Some(used) = std::fs::read_to_string(&stat_file)
            .ok()
            .and_then(|s| cpu_time(&s))
        {
            cpu = cpu.max(used);
        }
        if let Ok(status) = std::fs::read_to_string(&status_file) {
            if let Some(hwm) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                let kib = hwm
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse()
                    .unwrap_or(0);
                peak = peak.max(kib);
            }
        }
        if child.try_wait().expect("wait for the command").is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    let elapsed = start.elapsed();
    let (output_bytes, tail) = counter.join().expect("the counting thread ends");
    Measured {
        elapsed,
        peak_kib: peak,
        output_bytes,
        cpu,
        last_line: String::from_utf8_lossy(&tail)
            .lines()
            .last()
            .unwrap_or_default()
            .to_owned(),
    }
}

/// How much of the end of the output is kept, for its last line.
const TAIL: usize = 256;

/// User and system time from a /proc/PID/stat line (fields 14 and 15, after the command
/// name in parentheses), in clock ticks of 1/100 s.
fn cpu_time(stat: &str) -> Option<Duration> {
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    // Field 3 (the state) is the first after the name.
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// One `gouji check FILE` (human output) `runs` times: the median and the fastest wall time.
pub fn single(binary: &Path, file: &Path, runs: usize) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let status = Command::new(binary)
                .arg("check")
                .arg(file)
                .stdout(Stdio::null())
                .status()
                .expect("run gouji");
            assert!(status.code().is_some_and(|c| c <= 1), "gouji check failed");
            start.elapsed()
        })
        .collect();
    times.sort();
    (times[runs / 2], times[0])
}
