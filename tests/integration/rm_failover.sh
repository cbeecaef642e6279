#!/bin/bash
# weft's tools through libweft's client: rm.address names a dead RM first
# and weft-submit, `weft app list` and `weft app kill` still work (they
# fail over to the live one); weft-submit follows its application by
# waits the RM answers when the state changes, not by polling: the RM's
# log shows no more waits for the application than it had transitions;
# and an AM is told of every RM rm.rpc-address names, its own first.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
# A dead address: the first loopback port below 100 that refuses a
# connection (nothing listens there).
dead=
for p in $(seq 1 99); do
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		dead=127.0.0.1:$p
		break
	fi
done
[ -n "$dead" ] || fail "no refused port on 127.0.0.1 below 100"
# rm.rpc-address names a second RM (the dead one): AMs are told of both.
weft_conf_set rm.rpc-address "127.0.0.1:0,$dead"
# The RM logs every wait (held or answered at once) at debug level.
start_rm -D log.level=debug
start_nm nm1
wait_for 10 "1 active node" nodes_are 1
RM_LOG=$WEFT_LOG_DIR/weft-rm.log

# From here on the tools read a list whose first RM is dead (the daemons
# already run with theirs).
weft_conf_set rm.address "$dead,$RM_ADDR"

weft app list >"$T/list.out" 2>"$T/list.err" || fail "weft app list: $(cat "$T/list.err")"
grep -q '^Total number of applications: 0$' "$T/list.out" || fail "weft app list: $(cat "$T/list.out")"
ok "weft app list fails over from the dead $dead to $RM_ADDR"

weft-submit --deploy-mode cluster --num-executors 1 --shell 'sleep 2; echo followed' --tasks 1 \
	>"$T/submit.out" 2>"$T/submit.err" || { cat "$T/submit.err"; fail "weft-submit"; }
[ "$(cat "$T/submit.out")" = followed ] || fail "weft-submit printed: $(cat "$T/submit.out")"
grep -q "to http://$RM_ADDR\$" "$T/submit.err" || fail "not submitted to $RM_ADDR: $(cat "$T/submit.err")"
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/submit.err" | head -n 1)
grep -q "$id: FINISHED (final status SUCCEEDED)" "$T/submit.err" || fail "no final state: $(cat "$T/submit.err")"
ok "weft-submit fails over and follows $id to FINISHED"

# Every wait of the application is either held until a transition or
# answered at once because the state had already moved: never more waits
# than transitions (plus any the RM's own bound ended), never "full".
transitions=$(grep -c "$id: [A-Z_]* -> [A-Z_]* (" "$RM_LOG")
waits=$(grep -c "$id: wait while [A-Z_]* \(held\|answered at once\)" "$RM_LOG")
held=$(grep -c "$id: wait while [A-Z_]* held" "$RM_LOG")
timeouts=$(grep -c "$id: wait while [A-Z_]* answered (timeout)" "$RM_LOG")
full=$(grep -c "$id: wait while [A-Z_]* answered at once (full)" "$RM_LOG")
echo "# $id: $transitions transitions, $waits waits ($held held, $timeouts timed out, $full full)"
[ "$waits" -ge 1 ] || fail "weft-submit never waited"
[ "$full" -eq 0 ] || fail "the RM refused to hold $full waits"
[ "$waits" -le $((transitions + timeouts)) ] ||
	fail "$waits waits for $transitions transitions: weft-submit polled"
ok "weft-submit asked $waits times for $transitions transitions: waits, not polls"

weft-submit --deploy-mode cluster --no-wait --num-executors 1 --shell 'sleep 300' --tasks 1 \
	>/dev/null 2>"$T/nowait.err" || { cat "$T/nowait.err"; fail "weft-submit --no-wait"; }
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/nowait.err" | head -n 1)
wait_for 30 "the AM of $id running" has_program "$id" weft-am
am_pid=$(program_pids "$id" weft-am | head -n 1)
rm_url=$(tr '\0' '\n' <"/proc/$am_pid/environ" | sed -n 's/^WEFT_RM_URL=//p')
[ "$rm_url" = "$RM_RPC_URL,http://$dead" ] ||
	fail "the AM's WEFT_RM_URL is '$rm_url', not this RM's then the other of rm.rpc-address"
ok "the AM is told of every RM of rm.rpc-address, this one first: $rm_url"
weft app kill "$id" >"$T/kill.out" 2>&1 || fail "weft app kill: $(cat "$T/kill.out")"
grep -q "^Killed application $id\$" "$T/kill.out" || fail "weft app kill said: $(cat "$T/kill.out")"
[ "$(app_field "$id" state)" = KILLED ] || fail "$id is $(app_field "$id" state)"
ok "weft app kill fails over and follows $id to KILLED"
