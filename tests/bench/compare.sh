#!/bin/sh
# tests/bench/compare.sh [--rounds N] REV_A REV_B — a benchmark, not a
# test: "nothing got slower", measured side by side in one run.  Builds
# both git revisions of this repository (-O2 -g, no sanitizers) in
# temporary worktrees, then for N rounds (default 3) runs, alternating
# which revision goes first, each revision's own
#   tests/bench/latency.sh 10       one-task job, client and cluster mode
#   scheduler_bench --seconds 2     in-process scheduler decisions/s
#   tests/bench/sls.sh --duration 15 heartbeats-10k   NM heartbeats/s
# and prints the median of each figure per revision and the ratio B/A
# (above 1 is faster for rates, slower for latencies).  The machine is
# shared and noisy: read ratios, not absolute numbers.
set -eu
rounds=3
if [ "${1:-}" = --rounds ]; then
	rounds=$2
	shift 2
fi
case ${1:-} in -h | --help | '') sed -n '2,12s/^# \{0,1\}//p' "$0"; exit 0 ;; esac
[ $# -eq 2 ] || { echo "usage: compare.sh [--rounds N] REV_A REV_B" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d "${TMPDIR:-/tmp}/weft-compare.XXXXXX")
cleanup() {
	for d in "$W"/a "$W"/b; do
		[ -d "$d" ] && git -C "$top" worktree remove --force "$d" >/dev/null 2>&1
	done
	rm -rf "$W"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# build NAME REV: a worktree at $W/NAME with an optimised build.
build() {
	git -C "$top" worktree add -q --detach "$W/$1" "$2"
	(cd "$W/$1" && autoreconf -fi >/dev/null 2>&1 && ./configure -q CFLAGS='-O2 -g' &&
		make -j"$(nproc)" >/dev/null 2>&1) || { echo "building $2 failed" >&2; exit 1; }
	echo "built $2 in $W/$1"
}
build a "$1"
build b "$2"

# run NAME: one round of every benchmark of one revision; appends
# "figure value" lines to $W/NAME.figures.
run() {
	d=$W/$1
	out=$W/$1.figures
	"$d/tests/bench/latency.sh" 10 >"$W/lat" 2>&1 || { cat "$W/lat" >&2; exit 1; }
	sed -n 's/^\(client\|cluster\) .*median=\([0-9.]*\) ms.*/latency-\1-ms \2/p' "$W/lat" >>"$out"
	"$d/tests/bench/scheduler_bench" --seconds 2 2>/dev/null |
		awk 'NF == 11 && $1 ~ /^[0-9]+$/ { print "sched-fill/s", $5; print "sched-churn+end/s", $7 }' >>"$out"
	mkdir -p "$W/sls-$1"
	WEFT_SLS_OUT=$W/sls-$1 "$d/tests/bench/sls.sh" -q --duration 15 heartbeats-10k >/dev/null 2>&1 ||
		{ echo "sls.sh failed for $1" >&2; exit 1; }
	jq -r '"heartbeats/s \(.rates.heartbeatsPerS | floor)"' "$W"/sls-"$1"/*.json >>"$out"
	rm -rf "$W/sls-$1"
}

i=1
while [ $i -le "$rounds" ]; do
	if [ $((i % 2)) -eq 1 ]; then run a; run b; else run b; run a; fi
	echo "round $i of $rounds done"
	i=$((i + 1))
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
printf '%-20s %14s %14s %8s\n' figure "A $1" "B $2" B/A
for f in $(cut -d' ' -f1 "$W/a.figures" | sort -u); do
	va=$(awk -v f="$f" '$1 == f { print $2 }' "$W/a.figures" | median)
	vb=$(awk -v f="$f" '$1 == f { print $2 }' "$W/b.figures" | median)
	printf '%-20s %14s %14s %8s\n' "$f" "$va" "$vb" "$(awk -v a="$va" -v b="$vb" 'BEGIN { if (a > 0) printf "%.3f", b / a; else print "-" }')"
done
