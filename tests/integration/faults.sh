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

marker_count() { [ "$(ls "$T/marks" 2>/dev/null | wc -l)" -ge "$1" ]; }
mkdir -p "$T/marks"

# 1. Executor killed mid-job: its tasks wait for go.1 until the test has
#    killed it, so the kill always lands while they run.
weft-submit --deploy-mode client --num-executors 2 \
	--shell "touch $T/marks/\$WEFT_TASK_INDEX.\$WEFT_TASK_ATTEMPT.\$\$; $(wait_for_go 1) echo t\$WEFT_TASK_INDEX" \
	--tasks 4 >"$T/out1" 2>"$T/err1" &
sub=$!
echo $sub >"$T/pids/extra.sub1.pid"
wait_for 30 "tasks running" marker_count 2
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err1" | head -n 1)
victim=$(program_pids "$id" weft-executor | head -n 1)
[ -n "$victim" ] || fail "no executor container of $id found through the NMs' pid files"
kill -KILL "$victim"
touch "$(go_file 1)"
wait "$sub" || { cat "$T/err1"; fail "job failed after an executor was killed"; }
[ "$(cat "$T/out1")" = "t0
t1
t2
t3" ] || fail "output after executor loss: $(cat "$T/out1")"
ls "$T/marks" | grep -q '^[0-3]\.1\.' || fail "no task was retried after its executor died: $(ls "$T/marks")"
ok "executor killed mid-job: its tasks retried, job completed"

# 2. AM killed in cluster mode: attempt 2 completes the job.  The tasks
#    wait for go.2, so attempt 1 cannot finish before its AM is killed.
weft-submit --deploy-mode cluster --num-executors 1 --max-attempts 2 \
	--shell "$(wait_for_go 2) echo survived-\$WEFT_TASK_INDEX" --tasks 2 >"$T/out2" 2>"$T/err2" &
sub=$!
echo $sub >"$T/pids/extra.sub2.pid"
wait_for 30 "an app id" grep -q application_ "$T/err2"
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err2" | head -n 1)
wait_for 30 "the AM of $id" has_program "$id" weft-am
kill -KILL "$(program_pids "$id" weft-am | head -n 1)"
touch "$(go_file 2)"
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
kill_nm_containers nm2
# The NM comes back on the same address and re-registers.
"$SBIN/start-nm.sh" --name nm2 -D "nm.address=$nm2_addr" >/dev/null || fail "restart nm2"
node_running() { [ "$(rest "/ws/v1/cluster/nodes/$nm2_addr" | jq -r .node.state)" = RUNNING ]; }
wait_for 15 "nm2 RUNNING again" node_running
ok "a LOST node that comes back re-registers"
