#!/bin/bash
# Dynamic executors (--dynamic-executors MIN:MAX): the driver asks for
# executors in proportion to the tasks waiting and releases those idle
# for driver.dynamic-allocation.executor-idle-timeout-ms; the driver's
# status JSON (the trackingUrl) shows it all.  Client and cluster mode.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2
cd "$T" || fail "cd $T"
seq 1 8 >numbers
# Stage 0: 8 map tasks that wait for go.map-MODE (made once the test saw
# 3 executors); stage 1: one reduce task that waits for go.reduce-MODE
# (made once idle executors were released), during which the other
# executors have nothing to do.
for mode in client cluster; do
	cat >job.json <<JOB
{"kind":"dataflow","datasets":{
 "n":{"op":"text","input":"numbers","split-size":2},
 "m":{"op":"map","parent":"n","command":"$(wait_for_go map-$mode) cat"},
 "r":{"op":"reduce-by-key","parent":"m","partitions":1,"command":"$(wait_for_go reduce-$mode) cat"}},
 "actions":[{"op":"collect","dataset":"r"}]}
JOB
	weft-submit --deploy-mode $mode --dynamic-executors 1:3 \
		--conf driver.dynamic-allocation.executor-idle-timeout-ms=500 job.json \
		>out.$mode 2>err.$mode &
	sub=$!
	echo $sub >"$T/pids/extra.sub-$mode.pid"
	wait_for 30 "the tracking URL" grep -qs 'tracking URL http' err.$mode
	url=$(grep -o 'tracking URL http://[^)]*' err.$mode | head -n 1 | cut -d' ' -f3)
	status() { curl -fsS --max-time 5 "$url" 2>/dev/null; }
	executors_are() { [ "$(status | jq '[.driver.executors[] | select(.released | not)] | length')" = "$1" ]; }
	wait_for 30 "3 executors for 8 waiting tasks" executors_are 3
	status | jq -e '.driver.dynamicAllocation | .minExecutors == 1 and .maxExecutors == 3' >/dev/null ||
		fail "status: $(status)"
	status | jq -e '.driver.state == "RUNNING" and (.driver.tasks.running >= 1) and
		(.driver.job.stages | length == 2) and (.driver.job.stages[0].numTasks == 8) and
		(.driver.executors[0] | has("id") and has("nodeId") and has("activeTasks"))' >/dev/null ||
		fail "status shape: $(status)"
	touch "$(go_file map-$mode)"
	released() { [ "$(status | jq '.driver.dynamicAllocation.releasedExecutors')" -ge 2 ] 2>/dev/null; }
	wait_for 30 "idle executors released" released
	touch "$(go_file reduce-$mode)"
	wait $sub || { cat err.$mode; fail "$mode mode dynamic job failed"; }
	[ "$(sort -n out.$mode | tr '\n' ' ')" = "1 2 3 4 5 6 7 8 " ] || fail "output: $(cat out.$mode)"
	ok "$mode mode: 1 -> 3 executors while tasks waited, idle ones released"
done
