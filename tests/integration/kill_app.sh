#!/bin/bash
# Killing an application, through REST and through `weft app kill`: it ends
# KILLED and every one of its processes is gone within seconds.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2

running_tasks() { [ "$(ls "$T/marks" 2>/dev/null | wc -l)" -ge "$1" ]; }
mkdir -p "$T/marks"

for how in rest cli; do
	rm -f "$T/marks"/*
	weft-submit --deploy-mode cluster --no-wait --num-executors 2 \
		--shell "touch $T/marks/\$WEFT_TASK_INDEX; sleep 300" --tasks 2 >/dev/null 2>"$T/err.$how" ||
		{ cat "$T/err.$how"; fail "submit"; }
	id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/err.$how" | head -n 1)
	wait_for 30 "tasks of $id running" running_tasks 2
	[ -n "$(app_pids "$id")" ] || fail "no process of $id found"
	if [ $how = rest ]; then
		code=$(http_status PUT "$RM_URL/ws/v1/cluster/apps/$id/state" '{"state":"KILLED"}')
		case $code in 200 | 202) ;; *) fail "PUT state KILLED answered $code: $(cat "$T/last.body")" ;; esac
	else
		weft app kill "$id" >"$T/kill.out" 2>&1 || fail "weft app kill: $(cat "$T/kill.out")"
	fi
	wait_for 10 "$id KILLED" app_state_is "$id" KILLED
	[ "$(app_field "$id" finalStatus)" = KILLED ] || fail "finalStatus $(app_field "$id" finalStatus)"
	wait_for 10 "every process of $id gone" no_app_pids "$id"
	ok "killed through $how: KILLED and no process left"
done

# Killing a finished app is not an error and changes nothing.
code=$(http_status PUT "$RM_URL/ws/v1/cluster/apps/$id/state" '{"state":"KILLED"}')
[ "$code" = 200 ] || fail "kill of a killed app: $code"
code=$(http_status PUT "$RM_URL/ws/v1/cluster/apps/$id/state" '{"state":"RUNNING"}')
[ "$code" = 400 ] || fail "PUT state RUNNING answered $code"
if weft app kill application_1_9999 >"$T/k2" 2>&1; then fail "weft app kill of an unknown app exited 0"; fi
ok "kill of a final app is a no-op; bad target states and unknown apps refused"
