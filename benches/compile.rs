//! Compile-time benchmark: how long parsing and compiling the built-in national rule sets
//! takes. Run with `cargo bench --bench compile`.

use std::time::{Duration, Instant};

use gouji::compile::{BUILTIN, Loader};

fn main() {
    let loader = Loader::new(Vec::new());
    for (file, _) in BUILTIN {
        // Warm up, and make sure the set compiles cleanly before timing it.
        let compiled = loader.compile_builtin(file).expect("built-in file");
        assert!(!compiled.has_errors(), "{file} does not compile");
        let mut times: Vec<Duration> = (0..200)
            .map(|_| {
                let start = Instant::now();
                let compiled = loader.compile_builtin(file).expect("built-in file");
                let elapsed = start.elapsed();
                std::hint::black_box(compiled);
                elapsed
            })
            .collect();
        times.sort();
        println!(
            "compile {file}: median {:.3} ms, min {:.3} ms, max {:.3} ms (200 runs)",
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
        );
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
