#!/usr/bin/env bash
# Installs weft from a build tree into a temporary prefix, builds examples/quickstart against it
# with find_package(weft), runs it, and checks that its two spans form one trace.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/examples/quickstart" -B "$work/build" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/quickstart" "$work/spans.jsonl" > "$work/out.txt"
trace=$(sed -n 's/^trace //p' "$work/out.txt")
[ -n "$trace" ] || { echo "no trace id printed"; exit 1; }
count=$(grep -o "\"traceId\":\"$trace\"" "$work/spans.jsonl" | wc -l)
[ "$count" -eq 2 ] || { echo "expected 2 spans of trace $trace, found $count"; exit 1; }
echo "find_package(weft) consumer built, ran and exported one trace of 2 spans"
