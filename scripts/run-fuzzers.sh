#!/usr/bin/env bash
# Runs every libFuzzer target of a WEFT_FUZZ build: first over its committed seed corpus (each
# input once, so a regression on a known input fails at once), then for SECONDS seconds of
# fresh fuzzing. New inputs go to a scratch directory, never into the committed corpus.
# A finding stops the script with libFuzzer's report and the crashing input under build_dir.
#   scripts/run-fuzzers.sh [build_dir] [seconds]
set -euo pipefail
build_dir=${1:-build-fuzz}
seconds=${2:-60}
corpus_root=tests/fuzz/corpus
results="$build_dir/fuzz-results"
mkdir -p "$results"
summary="$results/summary.txt"
: >"$summary"
for program in "$build_dir"/tests/fuzz/*_fuzz; do
  name=$(basename "$program")
  corpus="$corpus_root/$name"
  if [ ! -d "$corpus" ] || [ -z "$(ls -A "$corpus")" ]; then
    echo "weft fuzz: $name has no seed corpus in $corpus" >&2
    exit 1
  fi
  echo "== $name: seed corpus"
  "$program" "$corpus"/* >"$results/$name.seeds.log" 2>&1 || {
    cat "$results/$name.seeds.log" >&2
    exit 1
  }
  echo "== $name: ${seconds}s of fuzzing"
  scratch=$(mktemp -d)
  if ! "$program" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
      -print_final_stats=1 -artifact_prefix="$results/$name-" "$scratch" "$corpus" \
      >"$results/$name.log" 2>&1; then
    tail -n 60 "$results/$name.log" >&2
    rm -rf "$scratch"
    exit 1
  fi
  rm -rf "$scratch"
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$results/$name.log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$results/$name.log")
  printf '%-24s %12s executions %10s exec/s\n' "$name" "$runs" "$speed" | tee -a "$summary"
done
echo "weft fuzz: no findings; summary in $summary"
