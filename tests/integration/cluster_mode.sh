#!/bin/bash
# Cluster mode: the driver runs inside the AM's container; weft-submit
# only submits, follows, and prints the driver's output fetched from the
# AM container's stdout through the NM, so both modes read the same.
# --no-wait returns once the app is accepted.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2

weft-submit --deploy-mode cluster --name itest-cluster --num-executors 2 --executor-memory 512m \
	--shell 'echo "task $WEFT_TASK_INDEX"' --tasks 5 >"$T/out" 2>"$T/err" ||
	{ cat "$T/err"; fail "weft-submit failed"; }
[ "$(cat "$T/out")" = "task 0
task 1
task 2
task 3
task 4" ] || fail "output: $(cat "$T/out")"
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err" | head -n 1)
ok "cluster mode output in task order ($id)"
app_field "$id" finalStatus | grep -qx SUCCEEDED || fail "finalStatus $(app_field "$id" finalStatus)"
# The AM container's log is served by its NM, and nothing else is.
at=$(rest "/ws/v1/cluster/apps/$id/appattempts")
am_container=$(echo "$at" | jq -r '.appAttempts.appAttempt[-1].containerId')
am_node=$(echo "$at" | jq -r '.appAttempts.appAttempt[-1].nodeHttpAddress')
curl -fsS "http://$am_node/ws/v1/node/containerlogs/$am_container/stdout" | grep -q "task 4" || fail "AM stdout log"
[ "$(http_status GET "http://$am_node/ws/v1/node/containerlogs/$am_container/..%2F..%2Fetc%2Fpasswd")" -ge 400 ] || fail "log path escape"
[ "$(http_status GET "http://$am_node/ws/v1/node/containerlogs/$am_container/nosuchfile")" = 404 ] || fail "missing log file not 404"
ok "AM logs served, escapes refused"

# The staged job file is gone once the app ended.
[ "$(http_status GET "$RM_URL/ws/v1/staging/$id/job.json")" = 404 ] || fail "staging not cleaned"
ok "staging removed after the app ended"

# --no-wait: back as soon as the app is accepted; it finishes on its own
# (its task waits for go.late, made only once weft-submit is back).
weft-submit --deploy-mode cluster --no-wait --num-executors 1 --shell "$(wait_for_go late) echo late" --tasks 1 \
	>"$T/out2" 2>"$T/err2" || { cat "$T/err2"; fail "--no-wait submit failed"; }
id2=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err2" | head -n 1)
app_is_final "$id2" && fail "--no-wait waited for the end"
touch "$(go_file late)"
wait_for 30 "$id2 finished" app_is_final "$id2"
[ "$(app_field "$id2" finalStatus)" = SUCCEEDED ] || fail "--no-wait app: $(app_field "$id2" finalStatus)"
ok "--no-wait"

# A failing cluster-mode job: non-zero exit, diagnostics shown.
if weft-submit --deploy-mode cluster --num-executors 1 --shell 'echo cluster-doom >&2; exit 5' --tasks 1 \
	>"$T/out3" 2>"$T/err3"; then fail "failing cluster job exited 0"; fi
grep -q cluster-doom "$T/err3" || fail "cluster-mode failure lacks the task's stderr: $(cat "$T/err3")"
ok "failing cluster-mode job reports the task's stderr"
