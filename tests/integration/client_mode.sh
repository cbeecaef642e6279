#!/bin/bash
# Client mode end to end: the driver runs inside weft-submit, executors in
# containers on two NMs; task output comes back in task order; the app's
# REST report, attempts and filters say what happened; `weft` lists it.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2

weft-submit --deploy-mode client --name itest-client --num-executors 2 --executor-memory 512m \
	--shell 'echo "task $WEFT_TASK_INDEX attempt $WEFT_TASK_ATTEMPT"; test -n "$CONTAINER_ID"' \
	--tasks 6 >"$T/out" 2>"$T/err" || { cat "$T/err"; fail "weft-submit failed"; }
expected='task 0 attempt 0
task 1 attempt 0
task 2 attempt 0
task 3 attempt 0
task 4 attempt 0
task 5 attempt 0'
[ "$(cat "$T/out")" = "$expected" ] || fail "output: $(cat "$T/out")"
ok "6 tasks' output in task order"
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err" | head -n 1)
[ -n "$id" ] || fail "no application id on stderr: $(cat "$T/err")"
ok "application id $id printed to stderr"

a=$(rest "/ws/v1/cluster/apps/$id")
echo "$a" | jq -e '.app | .state == "FINISHED" and .finalStatus == "SUCCEEDED" and .name == "itest-client" and .queue == "default" and .applicationType == "WEFT" and (.startedTime > 0) and (.finishedTime >= .startedTime) and (.elapsedTime >= 0)' >/dev/null ||
	fail "app report: $a"
ok "app FINISHED / SUCCEEDED"
rest "/ws/v1/cluster/apps/$id/state" | jq -e '.state == "FINISHED"' >/dev/null || fail "apps/{id}/state"
at=$(rest "/ws/v1/cluster/apps/$id/appattempts")
echo "$at" | jq -e '.appAttempts.appAttempt | length == 1 and .[0].id == 1 and (.[0].containerId | startswith("container_")) and (.[0].logsLink | test("/ws/v1/node/containerlogs/"))' >/dev/null ||
	fail "appattempts: $at"
ok "appattempts"

rest "/ws/v1/cluster/apps?states=FINISHED" | jq -e --arg id "$id" '[.apps.app[].id] | index($id) != null' >/dev/null || fail "states filter"
rest "/ws/v1/cluster/apps?states=RUNNING" | jq -e '(.apps == null) or ((.apps.app // []) | length == 0)' >/dev/null || fail "RUNNING filter not empty"
rest "/ws/v1/cluster/apps?finalStatus=SUCCEEDED&limit=1" | jq -e '.apps.app | length == 1' >/dev/null || fail "finalStatus+limit"
rest "/ws/v1/cluster/apps?queue=default&user=$(id -un)" | jq -e '.apps.app | length == 1' >/dev/null || fail "queue+user filter"
ok "apps filters"
m=$(rest /ws/v1/cluster/metrics)
echo "$m" | jq -e '.clusterMetrics | .appsSubmitted == 1 and .appsCompleted == 1 and .appsRunning == 0' >/dev/null || fail "metrics: $m"

weft app list --state FINISHED >"$T/list" || fail "weft app list"
grep -q "$id" "$T/list" || fail "weft app list: $(cat "$T/list")"
weft app status "$id" >"$T/status" || fail "weft app status"
grep -q SUCCEEDED "$T/status" || fail "weft app status: $(cat "$T/status")"
weft -o json app status "$id" | jq -e '.app.id' >/dev/null || fail "weft -o json app status"
weft node list >"$T/nodes" || fail "weft node list"
[ "$(grep -c RUNNING "$T/nodes")" = 2 ] || fail "weft node list: $(cat "$T/nodes")"
ok "weft app list / status / node list"

# Every container of the app is gone once it finished.
wait_for 10 "no process of $id left" no_app_pids "$id"
ok "no process of the app left"

# A failing job: weft-submit exits non-zero and shows the task's stderr.
if weft-submit --deploy-mode client --num-executors 1 --shell 'echo doomed-task-output >&2; exit 7' \
	--tasks 1 >"$T/out2" 2>"$T/err2"; then
	fail "a failing job exited 0"
fi
grep -q doomed-task-output "$T/err2" || fail "stderr tail not shown: $(cat "$T/err2")"
id2=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err2" | head -n 1)
wait_for 10 "$id2 final" app_is_final "$id2"
[ "$(app_field "$id2" finalStatus)" = FAILED ] || fail "finalStatus of a failed job: $(app_field "$id2" finalStatus)"
ok "a failing task fails the job after its retries, with its stderr tail"

# A task that fails twice then succeeds: retried, the job succeeds.
weft-submit --deploy-mode client --num-executors 2 \
	--shell '[ "$WEFT_TASK_ATTEMPT" -ge 2 ] || exit 3; echo done-$WEFT_TASK_INDEX' --tasks 2 >"$T/out3" 2>"$T/err3" ||
	{ cat "$T/err3"; fail "retried job failed"; }
[ "$(cat "$T/out3")" = "done-0
done-1" ] || fail "retried output: $(cat "$T/out3")"
ok "failed attempts are retried"
