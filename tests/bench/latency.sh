#!/bin/sh
# tests/bench/latency.sh [RUNS] — a benchmark, not a test: median
# submit-to-done time of a one-task `true` job with default settings, in
# client and in cluster mode, on a private local cluster (1 RM + 2 NMs on
# loopback, started with the sbin scripts and stopped at the end).
# Build first (make); RUNS defaults to 20 per mode.
set -eu
runs=${1:-20}
# shellcheck source=tests/bench/bench_lib.sh
. "$(dirname "$0")/bench_lib.sh"

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for mode in client cluster; do
	: >"$B/$mode.ms"
	n=0
	while [ $n -lt "$runs" ]; do
		t0=$(now_ms)
		weft-submit --deploy-mode "$mode" --num-executors 1 --shell true --tasks 1 >/dev/null 2>"$B/err" ||
			{ cat "$B/err" >&2; exit 1; }
		t1=$(now_ms)
		echo $((t1 - t0)) >>"$B/$mode.ms"
		n=$((n + 1))
	done
	printf '%-8s runs=%s median=%s ms  min=%s ms  max=%s ms\n' "$mode" "$runs" \
		"$(median <"$B/$mode.ms")" "$(sort -n "$B/$mode.ms" | head -n1)" "$(sort -n "$B/$mode.ms" | tail -n1)"
done
