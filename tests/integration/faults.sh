#!/bin/bash
# Faults the cluster survives: an executor killed mid-job (the job
# completes), the AM killed in cluster mode (attempt 2 completes the job),
# an NM killed (node LOST, its containers reported lost, jobs continue on
# the others, and it re-registers when it comes back).
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
weft_conf_set rm.nm.liveness-expiry-ms 3000
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2

# Pids of executor processes of app ID.
executor_pids() {
	for p in $(app_pids "$1"); do
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q '^[^ ]*weft-executor ' && echo "$p"
	done
}
am_pids() {
	for p in $(app_pids "$1"); do
		{ tr '\0' ' ' <"/proc/$p/cmdline"; } 2>/dev/null | grep -q '^[^ ]*weft-am ' && echo "$p"
	done
}
has_executor() { [ -n "$(executor_pids "$1")" ]; }
has_am() { [ -n "$(am_pids "$1")" ]; }
marker_count() { [ "$(ls "$T/marks" 2>/dev/null | wc -l)" -ge "$1" ]; }
mkdir -p "$T/marks"

# 1. Executor killed mid-job.
weft-submit --deploy-mode client --num-executors 2 \
	--shell "touch $T/marks/\$WEFT_TASK_INDEX.\$WEFT_TASK_ATTEMPT.\$\$; sleep 2; echo t\$WEFT_TASK_INDEX" \
	--tasks 4 >"$T/out1" 2>"$T/err1" &
sub=$!
echo $sub >"$T/pids/extra.sub1.pid"
wait_for 20 "tasks running" marker_count 2
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err1" | head -n 1)
victim=$(executor_pids "$id" | head -n 1)
[ -n "$victim" ] || fail "no executor process found for $id"
kill -KILL "$victim"
wait "$sub" || { cat "$T/err1"; fail "job failed after an executor was killed"; }
[ "$(cat "$T/out1")" = "t0
t1
t2
t3" ] || fail "output after executor loss: $(cat "$T/out1")"
ok "executor killed mid-job: job completed"

# 2. AM killed in cluster mode: attempt 2 completes the job.
weft-submit --deploy-mode cluster --num-executors 1 --max-attempts 2 \
	--shell 'sleep 2; echo survived-$WEFT_TASK_INDEX' --tasks 2 >"$T/out2" 2>"$T/err2" &
sub=$!
echo $sub >"$T/pids/extra.sub2.pid"
wait_for 20 "an app id" grep -q application_ "$T/err2"
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err2" | head -n 1)
wait_for 20 "the AM of $id" has_am "$id"
kill -KILL "$(am_pids "$id" | head -n 1)"
wait "$sub" || { cat "$T/err2"; fail "cluster job failed after its AM was killed"; }
[ "$(cat "$T/out2")" = "survived-0
survived-1" ] || fail "output after AM loss: $(cat "$T/out2")"
n=$(rest "/ws/v1/cluster/apps/$id/appattempts" | jq '.appAttempts.appAttempt | length')
[ "$n" = 2 ] || fail "expected 2 attempts, got $n"
ok "AM killed: attempt 2 completed the job"

# 3. An NM killed: LOST after the expiry, the job runs on the other.
nm2_pid=$(cat "$WEFT_PID_DIR/weft-nm-nm2.pid")
nm2_addr=$(cat "$WEFT_PID_DIR/weft-nm-nm2.address")
kill -KILL "$nm2_pid"
node_lost() { [ "$(rest "/ws/v1/cluster/nodes/$nm2_addr" | jq -r .node.state)" = LOST ]; }
wait_for 15 "nm2 LOST" node_lost
rest /ws/v1/cluster/metrics | jq -e '.clusterMetrics.lostNodes == 1 and .clusterMetrics.activeNodes == 1' >/dev/null ||
	fail "metrics after loss: $(rest /ws/v1/cluster/metrics)"
ok "killed NM is LOST and counted"
weft-submit --deploy-mode client --num-executors 2 --shell 'echo on-$WEFT_TASK_INDEX' --tasks 2 \
	>"$T/out3" 2>"$T/err3" || { cat "$T/err3"; fail "job failed with one NM lost"; }
ok "jobs continue on the remaining NM"
# Leftover containers of the killed NM would still run: remove them.
for p in /proc/[0-9]*; do
	{ tr '\0' '\n' <"$p/environ"; } 2>/dev/null | grep -q "^NM_PORT=${nm2_addr##*:}\$" && kill -KILL "${p#/proc/}" 2>/dev/null
done
# The NM comes back on the same address and re-registers.
"$SBIN/start-nm.sh" --name nm2 -D "nm.address=$nm2_addr" >/dev/null || fail "restart nm2"
node_running() { [ "$(rest "/ws/v1/cluster/nodes/$nm2_addr" | jq -r .node.state)" = RUNNING ]; }
wait_for 15 "nm2 RUNNING again" node_running
ok "a LOST node that comes back re-registers"
