#!/bin/bash
# sort-by-key against `sort` (a total order over range partitions, saved
# as part files), join against `join`, and the shipped sort and join
# examples as a user would run them.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2
cd "$T" || fail "cd $T"
TAB=$(printf '\t')

# Keys with duplicates, of varying lengths (some share long prefixes).
awk 'BEGIN { srand(3); for (i = 0; i < 20000; i++) {
	k = int(rand() * 5000); p = (k % 3 == 0) ? "commonprefix-" : ""
	printf "%s%d\tv%d\n", p, k, i } }' >records
cat >sort.json <<JOB
{"kind":"dataflow","datasets":{
 "r":{"op":"text","input":"records","split-size":"60k"},
 "s":{"op":"sort-by-key","parent":"r","partitions":3}},
 "actions":[{"op":"save","dataset":"s","path":"sorted"}]}
JOB
weft-submit --deploy-mode cluster --num-executors 2 sort.json >out.sort 2>err.sort ||
	{ cat err.sort; fail "sort job failed"; }
[ -f sorted/_SUCCESS ] || fail "no _SUCCESS: $(ls sorted)"
[ "$(ls sorted | grep -c '^part-')" = 3 ] || fail "part files: $(ls sorted)"
cat sorted/part-* | cut -f1 >got.keys
cut -f1 records | LC_ALL=C sort >want.keys
cmp -s got.keys want.keys || fail "keys not in sort order: $(diff got.keys want.keys | head -5)"
cat sorted/part-* | LC_ALL=C sort | cmp -s - <(LC_ALL=C sort records) || fail "records changed"
for f in sorted/part-*; do
	[ "$(wc -l <"$f")" -lt 15000 ] || fail "$f holds most of the data: range bounds failed"
done
ok "sort-by-key: part files in order equal sort's output"

# Join: duplicates on both sides, keys only on one side.
awk 'BEGIN { srand(5); for (i = 0; i < 3000; i++) printf "u%d\tname%d\n", int(rand() * 1500), i }' >left
awk 'BEGIN { srand(6); for (i = 0; i < 4000; i++) printf "u%d\torder%d\n", int(rand() * 2000), i }' >right
cat >join.json <<JOB
{"kind":"dataflow","datasets":{
 "l":{"op":"text","input":"left","split-size":"20k"},
 "r":{"op":"text","input":"right","split-size":"20k"},
 "j":{"op":"join","parents":["l","r"],"partitions":4}},
 "actions":[{"op":"collect","dataset":"j"}]}
JOB
weft-submit --num-executors 2 --executor-cores 2 join.json >out.join 2>err.join ||
	{ cat err.join; fail "join job failed"; }
LC_ALL=C sort left >left.s
LC_ALL=C sort right >right.s
LC_ALL=C join -t "$TAB" left.s right.s | LC_ALL=C sort >want.join
[ "$(wc -l <want.join)" -gt 1000 ] || fail "join test data too small"
LC_ALL=C sort out.join | cmp -s - want.join || fail "join differs: $(LC_ALL=C sort out.join | diff - want.join | head -5)"
ok "join equals join(1) ($(wc -l <want.join) pairs)"

# The shipped examples, run from a copy of examples/.
cp -r "$WEFT_SRCDIR/examples" ex && cd ex || fail "cd ex"
./make-corpus.sh 200k corpus 2 || fail "make-corpus.sh"
weft-submit --num-executors 2 join.json >out 2>err || { cat err; fail "examples/join.json failed"; }
LC_ALL=C join -t "$TAB" <(LC_ALL=C sort data/customers.tsv) <(LC_ALL=C sort data/orders.tsv) |
	LC_ALL=C sort >want
head -n "$(wc -l <want)" out | LC_ALL=C sort | cmp -s - want || fail "examples/join.json: $(cat out)"
grep -q "^c01${TAB}Ada Lovelace${TAB}100.00\$" out || fail "examples/join.json totals: $(cat out)"
weft-submit --deploy-mode cluster --num-executors 2 sort.json >out 2>err ||
	{ cat err; fail "examples/sort.json failed"; }
cat words-by-count/part-* | cut -f2 >counts
sort -n -r -c counts 2>/dev/null || fail "examples/sort.json: counts not descending"
[ "$(head -n 1 words-by-count/part-00000 | cut -f1)" = \
	"$(cat corpus/* | tr -s ' ' '\n' | LC_ALL=C sort | uniq -c | sort -n -r | head -n 1 | awk '{ print $2 }')" ] ||
	fail "examples/sort.json: most frequent word: $(head -n 1 words-by-count/part-00000)"
ok "examples/join.json and examples/sort.json"
