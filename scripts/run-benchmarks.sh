#!/usr/bin/env bash
# Runs every benchmark program of a Release build and writes their results as JSON next to the
# build (bench-results.json), with the console output on the terminal.
set -euo pipefail
build_dir=${1:-build-release}
results="$build_dir/bench-results"
mkdir -p "$results"
for program in "$build_dir"/bench/*_benchmark; do
  name=$(basename "$program")
  "$program" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_out="$results/$name.json" --benchmark_out_format=json
done
# Timed scripts for what is not a Google Benchmark (whole-command runs such as weft check).
for script in bench/*.sh; do
  "$script" "$build_dir" | tee "$results/$(basename "$script" .sh).txt"
done
# Each target of issue 7: median, target, ratio to one clock read, met or not.
"$build_dir/bench/weft_bench_summary" "$results"
echo "weft: benchmark results in $results/ (summary.txt, summary.json)"
