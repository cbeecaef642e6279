#!/bin/sh
# tests/bench/wordcount.sh [SIZE] — a benchmark, not a test: MB/s of the
# word count example with 2 executors (1 core each) on a private local
# cluster, side by side with the physical floor: the same map, combine
# and reduce commands run locally through sort(1) with the same
# parallelism (2 lanes, one input file per task, as weft's tasks are).
#
# SIZE defaults to 200m.  The corpus (examples/make-corpus.sh, 8 files) is
# kept in ${WEFT_BENCH_CORPUS:-/tmp/weft-bench-corpus-SIZE} between runs.
# Build first (make; an optimised build without sanitizers).
set -eu
size=${1:-200m}
. "$(dirname "$0")/bench_lib.sh"
corpus=${WEFT_BENCH_CORPUS:-/tmp/weft-bench-corpus-$size}
if [ ! -f "$corpus/part-7.txt" ]; then
	echo "generating a $size corpus in $corpus ..." >&2
	"$top/examples/make-corpus.sh" "$size" "$corpus" 8
fi
bytes=$(cat "$corpus"/*.txt | wc -c)
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')

# The commands of examples/wordcount.json.
map="tr -s ' ' '\\n'"
combine="uniq -c | awk '{ print \$2 \"\\t\" \$1 }'"
reduce="awk -F '\\t' '\$1 != k { if (NR > 1) print k \"\\t\" n; k = \$1; n = 0 } { n += \$2 } END { if (NR > 0) print k \"\\t\" n }'"

# weft: one split per file (split-size above the file size), 4 reduces.
sed -e "s|\"input\": \"corpus\"|\"input\": \"$corpus\"|" -e 's/"32m"/"4g"/' \
	"$top/examples/wordcount.json" >"$B/wordcount.json"
run_weft() {
	weft-submit --num-executors 2 --executor-cores 1 --executor-memory 2g \
		"$B/wordcount.json" >"$B/weft.out" 2>"$B/weft.err" || { cat "$B/weft.err" >&2; exit 1; }
}
run_floor() {
	rm -rf "$B/floor" && mkdir "$B/floor"
	ls "$corpus"/*.txt | xargs -P 2 -I{} sh -c \
		"$map < {} | LC_ALL=C sort $1 | $combine > $B/floor/\$(basename {})"
	LC_ALL=C sort -m "$B"/floor/*.txt | eval "$reduce" >"$B/floor.out"
}
best() { sort -n | head -n 1; }
runs=${WEFT_BENCH_RUNS:-3}
: >"$B/weft.ms"; : >"$B/floor.ms"; : >"$B/floor1.ms"
n=0
while [ $n -lt "$runs" ]; do
	t0=$(now_ms); run_weft; t1=$(now_ms); echo $((t1 - t0)) >>"$B/weft.ms"
	t0=$(now_ms); run_floor ""; t1=$(now_ms); echo $((t1 - t0)) >>"$B/floor.ms"
	t0=$(now_ms); run_floor "--parallel=1"; t1=$(now_ms); echo $((t1 - t0)) >>"$B/floor1.ms"
	n=$((n + 1))
done
LC_ALL=C sort "$B/weft.out" | cmp -s - "$B/floor.out" || { echo "weft and the floor disagree!" >&2; exit 1; }
w=$(best <"$B/weft.ms"); f=$(best <"$B/floor.ms"); f1=$(best <"$B/floor1.ms")
rate() { awk -v b="$bytes" -v ms="$1" 'BEGIN { printf "%.1f", b / 1048576 / (ms / 1000) }'; }
echo "corpus: $mb MB in 8 files, $(wc -l <"$B/floor.out") distinct words; best of $runs runs"
printf 'weft (2 executors x 1 core)      %6d ms  %7s MB/s\n' "$w" "$(rate "$w")"
printf 'floor: 2 lanes through sort      %6d ms  %7s MB/s\n' "$f" "$(rate "$f")"
printf 'floor, sort --parallel=1         %6d ms  %7s MB/s\n' "$f1" "$(rate "$f1")"
awk -v w="$w" -v f="$f" -v f1="$f1" 'BEGIN { printf "weft / floor = %.2f (sort --parallel=1: %.2f); target <= 1.25\n", w / f, w / f1 }'
