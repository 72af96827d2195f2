#!/usr/bin/env bash
# weft check on generated files of 100,000 and 1,000,000 spans (20 per trace, 4 worker threads,
# one trace in 100 broken): wall time and peak resident memory, to show how both grow with the
# file. Usage: bench/check_1m.sh BUILD_DIR (a Release build with tests, as `make bench` makes).
set -euo pipefail
build_dir=${1:-build-release}
weft="$build_dir/tools/weft/weft"
generate="$build_dir/tests/weft_generate_traces"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for spans in 100000 1000000; do
  "$generate" "$work/traces.jsonl" "$spans" 20 4 100
  size=$(du -m "$work/traces.jsonl" | cut -f1)
  # GNU time reports the peak RSS; `make bench` installs it (Debian package `time`).
  /usr/bin/time -f "%e %M" -o "$work/time" "$weft" check "$work/traces.jsonl" > "$work/report" ||
    [ $? -eq 1 ]  # 1: the broken traces were found, as intended
  read -r seconds peak_kb < <(tail -n 1 "$work/time")  # after "Command exited with ..."
  echo "weft check: $spans spans (${size} MB): ${seconds} s, peak RSS $((peak_kb / 1024)) MB;" \
    "$(grep '^Verdict' "$work/report")"
done
