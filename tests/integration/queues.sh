#!/bin/bash
# Hierarchical queues on a real cluster: submissions land in the queue
# weft-submit names and are refused clearly for unknown, parent, STOPPED
# or forbidden queues; a lone queue borrows idle capacity beyond its
# guarantee; when a second queue wants its share, preemption takes the
# excess back (exit status -102) until both hold about their share;
# /ws/v1/cluster/scheduler has the Capacity Scheduler's shape; /apps
# filters by queue; `weft queue list|status`; `weft admin refresh-queues`
# refuses a bad file and keeps the old queues, applies a good one; an
# application held back by max-parallel-apps says why in its diagnostics.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
me=$(id -un)
# Two nodes of 4 GiB / 4 vcores: 8 containers of 1 GiB in all.
weft_conf_set nm.resource.memory-mb 4096
weft_conf_set nm.resource.vcores 4
weft_conf_set rm.scheduler.preemption.enabled true
weft_conf_set rm.scheduler.preemption.monitoring-interval-ms 300
weft_conf_set rm.scheduler.preemption.max-wait-before-kill-ms 1000
weft_conf_set rm.scheduler.preemption.total-preemption-per-round 50
weft_conf_set am.max-executor-failures 100
cat >"$WEFT_CONF_DIR/queues.conf" <<EOF
# nobody at the root: each queue opens itself
root.acl_submit_applications =
root.queues = a, b, closed, secret
root.a.capacity = 40
root.b.capacity = 40
root.closed.capacity = 10
root.closed.state = STOPPED
root.secret.capacity = 10
root.secret.acl_submit_applications = not-$me
root.a.acl_submit_applications = *
root.b.acl_submit_applications = $me
root.b.ordering-policy = fair
user-limit-factor = 2
maximum-am-resource-percent = 0.5
EOF
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2

sched() { rest /ws/v1/cluster/scheduler; }
# queue_field QUEUE FIELD: a field of one leaf of root's children.
queue_field() {
	sched | jq -r ".scheduler.schedulerInfo.queues.queue[] | select(.queueName == \"$1\") | .$2"
}

# --- the scheduler's REST shape ---
s=$(sched)
echo "$s" | jq -e '.scheduler.schedulerInfo | .type == "capacityScheduler" and .queueName == "root"
	and .capacity == 100 and .maxCapacity == 100 and (.queues.queue | length == 4)' >/dev/null ||
	fail "schedulerInfo shape: $s"
echo "$s" | jq -e '.scheduler.schedulerInfo.queues.queue[] | select(.queueName == "a")
	| .type == "capacitySchedulerLeafQueueInfo" and .capacity == 40 and .maxCapacity == 100
	and .absoluteCapacity == 40 and .absoluteMaxCapacity == 100 and .absoluteUsedCapacity == 0
	and .usedCapacity == 0 and .numApplications == 0 and .numActiveApplications == 0
	and .numPendingApplications == 0 and .resourcesUsed.memory == 0
	and .resourcesUsed.vCores == 0 and .state == "RUNNING" and .userLimit == 100
	and .userLimitFactor == 2 and .maxApplications == 4000 and .queuePath == "root.a"
	and (.users == null) and (.AMResourceLimit.memory > 0)' >/dev/null ||
	fail "leaf queue shape: $(echo "$s" | jq -c '.scheduler.schedulerInfo.queues.queue[0]')"
[ "$(queue_field closed state)" = STOPPED ] || fail "closed queue state"
ok "/ws/v1/cluster/scheduler in the Capacity Scheduler's shape"

# --- refusals at submit ---
refused() { # QUEUE PATTERN
	if weft-submit --queue "$1" --deploy-mode cluster --no-wait --shell true >"$T/r.out" 2>"$T/r.err"; then
		fail "submit to '$1' was accepted"
	fi
	grep -qi "$2" "$T/r.err" || fail "submit to '$1': $(cat "$T/r.err")"
}
refused nosuch "does not exist"
refused root "parent queue"
refused closed "STOPPED"
refused secret "cannot submit applications to queue root.secret"
ok "unknown, parent, stopped and forbidden queues are refused at submit"

# --- elasticity: a alone borrows beyond its 40% guarantee ---
# Each job's tasks run until the test kills the job (they wait for a
# go-file that never comes), however long the checks take.
submit() { # QUEUE NAME EXECUTORS
	weft-submit --queue "$1" --name "$2" --deploy-mode cluster --no-wait --num-executors "$3" \
		--executor-memory 512m --shell "$(wait_for_go end)" --tasks "$3" >/dev/null 2>"$T/$2.err" ||
		{ cat "$T/$2.err"; fail "submit $2"; }
	grep -o 'application_[0-9]*_[0-9]*' "$T/$2.err" | head -n 1
}
used_of() { queue_field "$1" resourcesUsed.memory; }
at_least() { [ "$(used_of "$1")" -ge "$2" ] 2>/dev/null; }
idA=$(submit root.a jobA 7)
[ "$(app_field "$idA" queue)" = a ] || fail "app queue $(app_field "$idA" queue)"
# The user limit (2 x 40%) stops it at 7 containers of the 8.
wait_for 30 "queue a above its guarantee" at_least a 7168
abs=$(queue_field a absoluteUsedCapacity)
jq -e -n "$abs > 80 and $abs <= 90" >/dev/null || fail "a's absoluteUsedCapacity $abs"
ok "a lone queue borrows idle capacity: a at ${abs}% of the cluster (guarantee 40%)"

# --- preemption: b wants its share back ---
idB=$(submit b jobB 7)
wait_for 30 "b at its share" at_least b 3072
wait_for 30 "a back near its share" sh -c "[ \"\$(curl -fsS $RM_URL/ws/v1/cluster/scheduler | jq -r '.scheduler.schedulerInfo.queues.queue[] | select(.queueName == \"a\") | .resourcesUsed.memory')\" -le 5120 ]"
a=$(queue_field a absoluteUsedCapacity)
b=$(queue_field b absoluteUsedCapacity)
jq -e -n "$a >= 37.5 and $a <= 62.5 and $b >= 37.5 and $b <= 62.5" >/dev/null ||
	fail "shares after preemption: a $a%, b $b%"
grep -q "preempted (exit status -102)" "$WEFT_LOG_DIR"/weft-rm*.log || fail "no preemption in the RM log"
ok "preemption evened the shares: a $a%, b $b% (guarantees 40% each)"

# --- /apps filters by queue, hierarchical names included ---
count() { rest "/ws/v1/cluster/apps?queue=$1&states=RUNNING,ACCEPTED" | jq '.apps.app | length'; }
[ "$(count a)" = 1 ] && [ "$(count root.b)" = 1 ] && [ "$(count root)" = 2 ] ||
	fail "queue filter: a $(count a), root.b $(count root.b), root $(count root)"
ok "/apps?queue= takes names, paths and parents"

# --- the CLI ---
weft queue list >"$T/list" 2>&1 || fail "weft queue list: $(cat "$T/list")"
grep -q "^root.a .*RUNNING" "$T/list" && grep -q "^root.closed .*STOPPED" "$T/list" ||
	fail "queue list: $(cat "$T/list")"
weft queue status root.b >"$T/status" 2>&1 || fail "weft queue status: $(cat "$T/status")"
grep -q "Queue Path : root.b" "$T/status" && grep -q "Ordering Policy : fair" "$T/status" ||
	fail "queue status: $(cat "$T/status")"
weft queue status nosuch >/dev/null 2>&1 && fail "status of an unknown queue succeeded"
ok "weft queue list|status"

# --- refresh: a bad file is refused, the old queues stay ---
cp "$WEFT_CONF_DIR/queues.conf" "$T/queues.good"
sed -i 's/^root.b.capacity = 40/root.b.capacity = 45/' "$WEFT_CONF_DIR/queues.conf"
weft admin refresh-queues >"$T/refresh" 2>&1 && fail "a bad queue file was accepted"
grep -q "add up to 105" "$T/refresh" || fail "refresh message: $(cat "$T/refresh")"
[ "$(queue_field b capacity)" = 40 ] || fail "old queues not kept"
[ "$(http_status POST "$RM_URL/ws/v1/cluster/scheduler/refresh")" = 401 ] || fail "unsigned refresh allowed"
cp "$T/queues.good" "$WEFT_CONF_DIR/queues.conf"
echo "root.a.max-parallel-apps = 1" >>"$WEFT_CONF_DIR/queues.conf"
weft admin refresh-queues >"$T/refresh" 2>&1 || fail "refresh: $(cat "$T/refresh")"
grep -q "Queues refreshed" "$T/refresh" || fail "refresh output: $(cat "$T/refresh")"
[ "$(queue_field a maxParallelApps)" = 1 ] || fail "refresh not applied"
ok "weft admin refresh-queues: a bad file changes nothing, a good one applies"

# --- SIGHUP reloads the queues too (and a bad file changes nothing) ---
cp "$WEFT_CONF_DIR/queues.conf" "$T/queues.good"
sed -i 's/^root.b.capacity = 40/root.b.capacity = 45/' "$WEFT_CONF_DIR/queues.conf"
kill -HUP "$RM_PID"
wait_for 10 "the RM to log the refused reload" grep -q "queues not refreshed" "$WEFT_LOG_DIR/weft-rm.log"
[ "$(queue_field b capacity)" = 40 ] || fail "SIGHUP with a bad file changed the queues"
sed 's/^root.a.max-parallel-apps = 1$/root.a.max-parallel-apps = 2/' "$T/queues.good" >"$WEFT_CONF_DIR/queues.conf"
kill -HUP "$RM_PID"
a_parallel_is() { [ "$(queue_field a maxParallelApps)" = "$1" ]; }
wait_for 10 "SIGHUP to apply max-parallel-apps 2" a_parallel_is 2
cp "$T/queues.good" "$WEFT_CONF_DIR/queues.conf"
kill -HUP "$RM_PID"
wait_for 10 "SIGHUP to apply max-parallel-apps 1" a_parallel_is 1
kill -0 "$RM_PID" || fail "the RM died of SIGHUP"
ok "SIGHUP reloads the queues; a bad file changes nothing"

# --- an application held back says why ---
idC=$(submit a jobC 1)
held_for_parallel() { app_field "$idC" diagnostics | grep -q "max-parallel-apps"; }
wait_for 10 "jobC to say why it waits" held_for_parallel
[ "$(app_field "$idC" state)" = ACCEPTED ] || fail "jobC is $(app_field "$idC" state)"
app_field "$idC" diagnostics | grep -q "max-parallel-apps" || fail "diagnostics: $(app_field "$idC" diagnostics)"
[ "$(queue_field a numPendingApplications)" = 1 ] || fail "numPendingApplications"
ok "an app waiting in ACCEPTED says why: $(app_field "$idC" diagnostics)"

for id in $idA $idB $idC; do
	weft app kill "$id" >/dev/null 2>&1 || fail "kill $id"
done
wait_for 20 "queues empty" sh -c "[ \"\$(curl -fsS $RM_URL/ws/v1/cluster/scheduler | jq '[.scheduler.schedulerInfo.queues.queue[].numContainers] | add')\" = 0 ]"
ok "everything released"
