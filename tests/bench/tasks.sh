#!/bin/sh
# tests/bench/tasks.sh [TASKS] — a benchmark, not a test: trivial tasks
# per second through one driver with 2 executors (1 core each) on a
# private local cluster (weft-submit --shell true --tasks TASKS), side by
# side with a plain fork/exec/wait loop of true(1) on the same 2 cores
# (two loops at once, TASKS/2 each).  TASKS defaults to 5000.
set -eu
tasks=${1:-5000}
. "$(dirname "$0")/bench_lib.sh"
true_bin=$(command -v true)
[ "$true_bin" != true ] || true_bin=/bin/true
# A C-free loop would measure the shell; this one is fork + exec + wait.
loop() { # N
	perl -e 'for (1..$ARGV[0]) { my $p = fork(); if ($p == 0) { exec($ARGV[1]) or exit 127 } waitpid($p, 0) }' "$1" "$true_bin"
}
command -v perl >/dev/null || { echo "perl is needed for the fork/exec/wait loop" >&2; exit 1; }
best() { sort -n | head -n 1; }
runs=${WEFT_BENCH_RUNS:-3}
: >"$B/weft.ms"; : >"$B/loop.ms"
n=0
while [ $n -lt "$runs" ]; do
	t0=$(now_ms)
	weft-submit --num-executors 2 --executor-cores 1 --shell true --tasks "$tasks" >/dev/null 2>"$B/err" ||
		{ cat "$B/err" >&2; exit 1; }
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$B/weft.ms"
	t0=$(now_ms)
	loop $((tasks / 2)) & a=$!
	loop $((tasks - tasks / 2)) & b=$!
	wait $a $b
	t1=$(now_ms)
	echo $((t1 - t0)) >>"$B/loop.ms"
	n=$((n + 1))
done
w=$(best <"$B/weft.ms"); l=$(best <"$B/loop.ms")
rate() { awk -v n="$tasks" -v ms="$1" 'BEGIN { printf "%.0f", n / (ms / 1000) }'; }
echo "$tasks trivial tasks; best of $runs runs (weft: submit to done, client mode)"
printf 'weft (2 executors x 1 core)        %6d ms  %7s tasks/s\n' "$w" "$(rate "$w")"
printf 'fork/exec/wait of true, 2 loops    %6d ms  %7s tasks/s\n' "$l" "$(rate "$l")"
awk -v w="$w" -v l="$l" 'BEGIN { printf "weft / loop = %.2f of the loop'\''s rate; target >= 0.8\n", l / w }'
