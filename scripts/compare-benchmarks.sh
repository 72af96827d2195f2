#!/usr/bin/env bash
# Compares one benchmark program of two Release builds (say, main and a change) on a noisy machine:
# the two are run in turns, several rounds, so that a slow stretch of a shared host falls on both.
# Prints, per benchmark and build, the lowest and the median CPU time per operation.
#
#   scripts/compare-benchmarks.sh OLD_BUILD_DIR NEW_BUILD_DIR PROGRAM [FILTER] [ROUNDS]
#   scripts/compare-benchmarks.sh ../old/build-release build-release span_benchmark 'threads:1$' 4
set -euo pipefail
if [[ $# -lt 3 ]]; then
  sed -n '2,7p' "$0" >&2
  exit 2
fi
old=$1 new=$2 program=$3 filter=${4:-.} rounds=${5:-4}
for build in "$old" "$new"; do
  [[ -x "$build/bench/$program" ]] || { echo "no $build/bench/$program" >&2; exit 2; }
done

for ((round = 1; round <= rounds; ++round)); do
  for side in old new; do
    build=$old
    [[ $side == new ]] && build=$new
    # CSV columns: name, iterations, real_time, cpu_time, ...; repetitions only, no aggregates.
    "$build/bench/$program" --benchmark_filter="$filter" --benchmark_repetitions=5 \
      --benchmark_min_time=0.2 --benchmark_format=csv 2>/dev/null |
      awk -F, -v side="$side" '/^"BM_/ && $1 !~ /_(mean|median|stddev|cv)"$/ {print side, $1, $4}'
  done
done | python3 -c '
import collections, sys
times = collections.defaultdict(list)
for line in sys.stdin:
    side, name, cpu = line.split()
    times[(name.strip("\""), side)].append(float(cpu))
for (name, side), values in sorted(times.items(), key=lambda item: (item[0][0], item[0][1] != "old")):
    values.sort()
    print("%-48s %-3s lowest %9.1f  median %9.1f  (%d runs)"
          % (name, side, values[0], values[len(values) // 2], len(values)))
'
