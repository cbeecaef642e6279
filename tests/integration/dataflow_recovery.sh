#!/bin/bash
# Dataflow jobs recover from lost work: an executor killed during the
# reduce stage (the map outputs it wrote are still served by its NM:
# nothing is recomputed), an NM killed with map outputs on it (just those
# map partitions are recomputed from lineage), a task that always fails
# (the job fails after 4 attempts with the task's stderr), and a task made
# slow on purpose (a speculative copy finishes it).
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
weft_conf_set rm.nm.liveness-expiry-ms 3000
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2
cd "$T" || fail "cd $T"
mkdir marks
"$WEFT_SRCDIR/examples/make-corpus.sh" 200k corpus 2 || fail "make-corpus.sh"
cat corpus/*.txt | tr -s ' ' '\n' | LC_ALL=C sort | uniq -c |
	awk '{ print $2 "\t" $1 }' | LC_ALL=C sort >expected

marks() { [ "$(ls marks | grep -c "^$1")" -ge "$2" ]; }
# A word count whose map and reduce commands can be slowed down: MAP and
# REDUCE are shell lines run before the real work.
wordcount_job() { # MAP-PREFIX REDUCE-PREFIX
	cat <<JOB
{"kind":"dataflow","datasets":{
 "lines":{"op":"text","input":"corpus","split-size":"50k"},
 "words":{"op":"map","parent":"lines","command":"$1 tr -s ' ' '\\\\n'"},
 "counts":{"op":"reduce-by-key","parent":"words","partitions":4,
   "combine":"uniq -c | awk '{ print \$2 \"\\\\t\" \$1 }'",
   "command":"$2 awk -F '\\\\t' '{ c[\$1] += \$2 } END { for (w in c) print w \"\\\\t\" c[w] }'"}},
 "actions":[{"op":"collect","dataset":"counts"}]}
JOB
}

# 1. An executor killed while reduce tasks run (they wait for go.1 until
#    the test has killed it).
wordcount_job "" "touch $T/marks/r.\$WEFT_TASK_INDEX.\$WEFT_TASK_ATTEMPT; $(wait_for_go 1)" >kill-exec.json
weft-submit --num-executors 2 --executor-cores 2 kill-exec.json >out1 2>err1 &
sub=$!
echo $sub >"$T/pids/extra.sub1.pid"
wait_for 30 "reduce tasks running" marks r. 2
id=$(grep -o 'application_[0-9]*_[0-9]*' err1 | head -n 1)
victim=$(program_pids "$id" weft-executor | head -n 1)
[ -n "$victim" ] || fail "no executor container of $id found through the NMs' pid files"
kill -KILL "$victim"
touch "$(go_file 1)"
wait $sub || { cat err1; fail "the job failed after an executor died in the reduce stage"; }
LC_ALL=C sort out1 | cmp -s - expected || fail "counts differ after the executor died"
grep -q 'stage 0 (words -> shuffle 0 for counts) done: [0-9]* tasks$' err1 ||
	fail "map stage summary: $(grep 'stage 0' err1)"
if grep -q recomputed err1 || grep -q resubmitting err1; then
	fail "map partitions were recomputed though their NM serves them: $(cat err1)"
fi
ok "executor killed in the reduce stage: right output, no map partition recomputed"

# 2. An NM holding map outputs is killed (with its containers) before
#    the reduce stage fetches them: only its partitions are recomputed.
wordcount_job "if [ \$WEFT_TASK_INDEX = 3 ]; then $(wait_for_go 2) fi;" "" >kill-nm.json
weft-submit --num-executors 2 kill-nm.json >out2 2>err2 &
sub=$!
echo $sub >"$T/pids/extra.sub2.pid"
wait_for 30 "the tracking URL" grep -q 'tracking URL' err2
url=$(grep -o 'tracking URL http://[^)]*' err2 | head -n 1 | cut -d' ' -f3)
maps_done() {
	[ "$(curl -fsS --max-time 5 "$url" | jq '[.driver.job.stages[] | select(.kind == "shuffle-map") | .numCompleteTasks] | max')" -ge 3 ] 2>/dev/null
}
wait_for 30 "3 map outputs" maps_done
kill -KILL "$(cat "$WEFT_PID_DIR/weft-nm-nm2.pid")"
kill_nm_containers nm2
touch "$(go_file 2)"
wait $sub || { cat err2; fail "the job failed after an NM with map outputs died"; }
LC_ALL=C sort out2 | cmp -s - expected || fail "counts differ after the NM died"
maps=$(grep -o 'stage 0 (words -> shuffle 0 for counts) done: [0-9]* tasks' err2 | head -n 1 | awk '{ print $(NF - 1) }')
n=$(grep -o 'stage 0 (words -> shuffle 0 for counts) done: [0-9]* tasks ([0-9]* recomputed' err2 | tail -n 1 | grep -o '([0-9][0-9]*' | tr -d '(')
[ -n "$n" ] && [ "$n" -ge 1 ] && [ "$n" -lt "$maps" ] ||
	fail "expected some but not all of $maps map partitions recomputed: $(grep 'stage 0' err2)"
grep -q 'resubmitting' err2 || fail "no resubmission in the driver's log: $(cat err2)"
ok "NM killed: $n of $maps map partitions recomputed from lineage, right output"
# The RM declares nm2 LOST; a new NM takes its place.
nm2_lost() { [ "$(rest "/ws/v1/cluster/nodes/$(cat "$WEFT_PID_DIR/weft-nm-nm2.address")" | jq -r .node.state)" = LOST ]; }
wait_for 20 "nm2 LOST" nm2_lost
start_nm nm3
wait_for 10 "2 active nodes" nodes_are 2

# 3. A task that always fails: the job fails after 4 attempts with its stderr.
cat >fail.json <<JOB
{"kind":"dataflow","datasets":{
 "lines":{"op":"text","input":"corpus","split-size":"50k"},
 "bad":{"op":"map","parent":"lines","command":"if [ \$WEFT_TASK_INDEX = 1 ]; then echo disk-on-fire-in-task-1 >&2; exit 7; fi; cat"}},
 "actions":[{"op":"save","dataset":"bad","path":"saved"}]}
JOB
if weft-submit --num-executors 2 fail.json >out3 2>err3; then
	fail "a job whose task always fails succeeded"
fi
grep -q 'disk-on-fire-in-task-1' err3 || fail "no stderr tail: $(cat err3)"
grep -q 'failed 4 times' err3 || fail "not after 4 attempts: $(cat err3)"
[ -z "$(ls -A | grep saved)" ] || fail "a failed save left output: $(ls -A)"
ok "an always-failing task fails the job after 4 attempts, with its stderr, no half output"

# 4. Speculation: a task slow on its first attempt gets a copy.  That
#    attempt waits for go.4, which exists only after the job ended: the
#    job can only have finished through the copy.
printf '%s\n' 0 1 2 3 4 5 6 7 8 9 >digits
cat >slow.json <<JOB
{"kind":"dataflow","datasets":{
 "d":{"op":"text","input":"digits","split-size":4},
 "m":{"op":"map","parent":"d","command":"while read x; do if [ \$x = 4 ] && [ \$WEFT_TASK_ATTEMPT = 0 ]; then $(wait_for_go 4) fi; echo \$x; done"}},
 "actions":[{"op":"collect","dataset":"m"}]}
JOB
weft-submit --num-executors 2 --executor-cores 2 --conf driver.speculation=true slow.json \
	>out4 2>err4 || { cat err4; fail "speculation job failed"; }
touch "$(go_file 4)"
cmp -s out4 digits || fail "speculation output: $(cat out4)"
grep -q '1 speculative' err4 || fail "no speculative copy reported: $(cat err4)"
ok "a slow task is speculated: its copy finished the job"
