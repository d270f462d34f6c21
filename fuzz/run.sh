#!/usr/bin/env bash
# Runs fuzz targets one after another, each for $RUNS iterations (default 1,000,000), niced,
# seeded with the test fixtures (./seed.sh), logging to logs/<target>.log; $MAX_SECONDS, if
# set, stops each target after that many seconds instead; $CARGO_FUZZ_FLAGS, if set, go to
# `cargo fuzz run` (a build without comparison tracing, say: see docs/fuzzing.md). Usage (from
# fuzz/):
#   ./seed.sh && ./run.sh [TARGET...]        # no target: all of them
# A crash, timeout or out-of-memory input is kept under artifacts/<target>/.
set -u
runs=${RUNS:-1000000}
# Cheapest first.
all="parse_rules report_docx extract_html extract_text rules report_structured report_html
     report_text report_pdf"
mkdir -p logs
for target in ${*:-$all}; do
    # The report targets spend about a third of a run in libFuzzer's entropic schedule
    # (collecting each run's features); the plain schedule costs 20 % less CPU a run.
    schedule=
    case $target in report_*) schedule=-entropic=0 ;; esac
    RUSTC_BOOTSTRAP=1 nice -n 15 cargo fuzz run -s none ${CARGO_FUZZ_FLAGS:-} "$target" "corpus/$target" -- \
        -runs="$runs" ${MAX_SECONDS:+-max_total_time="$MAX_SECONDS"} -max_len=65536 \
        -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 $schedule \
        >"logs/$target.log" 2>&1
    echo "$target: exit $? — $(grep -E '^Done [0-9]+ runs' "logs/$target.log" || tail -n 1 "logs/$target.log")"
done
