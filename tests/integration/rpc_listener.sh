#!/bin/bash
# rpc_listener.sh — the RM's two listeners, as a user and an operator see
# them: internal RPC (/rpc/...) answers on rm.rpc-address and not on the
# public rm.address; the NM heartbeats and `weft admin` work through it;
# the public listener caps connections per client address (the next one
# is answered 429 with Retry-After, other addresses and the RPC listener
# are not affected, and a freed slot is usable again); /apps honours
# YARN's limit and states and shows a state change in the next answer.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
weft_conf_set rm.http.max-connections-per-address 3
start_rm
[ -n "$RM_RPC_ADDR" ] && [ "$RM_RPC_ADDR" != "$RM_ADDR" ] ||
	fail "the address file has no second (RPC) address: $(cat "$WEFT_PID_DIR/weft-rm.address")"
ok "REST at $RM_ADDR, internal RPC at $RM_RPC_ADDR (both bound from port 0)"

# --- /rpc/* only on the RPC listener ---
for p in /rpc/node/register /rpc/node/heartbeat /rpc/am/register /rpc/am/allocate \
	/rpc/am/finish /rpc/admin/refresh-queues; do
	s=$(http_status POST "$RM_URL$p" '{}')
	[ "$s" = 404 ] || fail "public listener answers POST $p with $s, not 404"
	jq -e '.RemoteException.exception == "NotFoundException"' "$T/last.body" >/dev/null ||
		fail "404 body for $p: $(cat "$T/last.body")"
	s=$(http_status POST "$RM_RPC_URL$p" '{}')
	case $s in 401 | 400) ;; *) fail "RPC listener answers POST $p with $s (not an auth refusal)" ;; esac
done
ok "/rpc/* is 404 on the public port and served (401 unsigned) on the RPC port"
[ "$(http_status GET "$RM_RPC_URL/ws/v1/cluster/info")" = 404 ] ||
	fail "the RPC listener serves public REST"
ok "public REST is not on the RPC port"

# --- history for the list: applications wait while no NM is registered ---
submit_waiting() {
	id=$(curl -fsS -X POST "$RM_URL/ws/v1/cluster/apps/new-application" | jq -r '."application-id"')
	curl -fsS -o /dev/null -X POST -H 'Content-Type: application/json' "$RM_URL/ws/v1/cluster/apps" \
		--data-binary "{\"application-id\":\"$id\",\"application-name\":\"w\",\"resource\":{\"memory\":256,\"vCores\":1},\"am-container-spec\":{\"commands\":{\"command\":\"true\"}}}" ||
		fail "submit $id"
	echo "$id"
}
a1=$(submit_waiting)
a2=$(submit_waiting)
a3=$(submit_waiting)
count() { rest "/ws/v1/cluster/apps$1" | jq '.apps.app | length'; }
[ "$(count "")" = 3 ] || fail "3 apps expected: $(rest /ws/v1/cluster/apps)"
[ "$(count "?limit=2")" = 2 ] || fail "limit=2: $(count "?limit=2")"
[ "$(rest "/ws/v1/cluster/apps?limit=2" | jq -r '[.apps.app[].id] | join(" ")')" = "$a1 $a2" ] ||
	fail "limit=2 did not give the first two: $(rest "/ws/v1/cluster/apps?limit=2")"
[ "$(count "?limit=10")" = 3 ] || fail "limit=10"
[ "$(http_status GET "$RM_URL/ws/v1/cluster/apps?limit=0")" = 400 ] || fail "limit=0 accepted"
[ "$(http_status GET "$RM_URL/ws/v1/cluster/apps?limit=x")" = 400 ] || fail "limit=x accepted"
ok "limit: the first N matching applications; 0 or a non-number is a 400"

# A state change shows in the next answer (the list is cached).
[ "$(rest "/ws/v1/cluster/apps?states=KILLED" | jq -c .apps)" = null ] || fail "KILLED before a kill"
curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' \
	"$RM_URL/ws/v1/cluster/apps/$a2/state" --data-binary '{"state":"KILLED"}' || fail "kill $a2"
[ "$(rest "/ws/v1/cluster/apps?states=KILLED&limit=1" | jq -r '.apps.app[0].id')" = "$a2" ] ||
	fail "states=KILLED&limit=1: $(rest "/ws/v1/cluster/apps?states=KILLED&limit=1")"
[ "$(rest "/ws/v1/cluster/apps" | jq -r --arg id "$a2" '.apps.app[] | select(.id == $id) | .state')" = KILLED ] ||
	fail "the kill does not show in /apps"
ok "states + limit; a kill shows in the next /apps answer"

# --- the NM and weft admin go through the RPC listener ---
start_nm nm1
nodes() { [ "$(rest /ws/v1/cluster/metrics | jq -r .clusterMetrics.activeNodes)" = 1 ]; }
wait_for 20 "the NM to register through rm.rpc-address" nodes
grep -q "registered with the RM at $RM_RPC_URL" "$WEFT_LOG_DIR/weft-nm-nm1.log" ||
	fail "the NM did not register with $RM_RPC_URL"
ok "the NM registers and heartbeats on the RPC listener"
weft admin refresh-queues >"$T/refresh" 2>&1 || fail "weft admin refresh-queues: $(cat "$T/refresh")"
grep -q "Queues refreshed" "$T/refresh" || fail "refresh output: $(cat "$T/refresh")"
ok "weft admin refresh-queues calls the RPC listener"
for id in "$a1" "$a3"; do
	curl -fsS -o /dev/null -X PUT -H 'Content-Type: application/json' \
		"$RM_URL/ws/v1/cluster/apps/$id/state" --data-binary '{"state":"KILLED"}' || fail "kill $id"
done

# --- the per-address cap (3 here) ---
port=${RM_ADDR##*:}
# Three connections from 127.0.0.1, each with an answered request (so the
# RM has accepted them), then held open.
for fd in 3 4 5; do
	eval "exec $fd<>/dev/tcp/127.0.0.1/$port" || fail "connect $fd"
	printf 'GET /ws/v1/cluster/info HTTP/1.1\r\nHost: x\r\n\r\n' >&"$fd"
	read -r -t 10 line <&"$fd" || fail "no answer on held connection $fd"
	case $line in "HTTP/1.1 200"*) ;; *) fail "held connection $fd: $line" ;; esac
done
s=$(curl -s -D "$T/h" -o "$T/last.body" -w '%{http_code}' --max-time 10 "$RM_URL/ws/v1/cluster/info")
[ "$s" = 429 ] || fail "a 4th connection from 127.0.0.1 got $s, not 429"
grep -qi '^Retry-After: 1' "$T/h" || fail "429 without Retry-After: $(cat "$T/h")"
jq -e '.RemoteException.message | test("too many connections")' "$T/last.body" >/dev/null ||
	fail "429 body: $(cat "$T/last.body")"
ok "the 4th connection from one address is answered 429 with Retry-After"
s=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 --interface 127.0.0.2 "$RM_URL/ws/v1/cluster/info")
[ "$s" = 200 ] || fail "another address (127.0.0.2) got $s"
s=$(http_status POST "$RM_RPC_URL/rpc/node/heartbeat" '{}')
[ "$s" = 401 ] || fail "the RPC listener got $s while public REST was full"
[ "$(curl -fsS --max-time 10 --interface 127.0.0.2 "$RM_URL/ws/v1/cluster/metrics" |
	jq -r .clusterMetrics.activeNodes)" = 1 ] || fail "the NM stopped heartbeating while public REST was full"
ok "other addresses and the RPC listener are not capped"
exec 3>&-
freed() { [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$RM_URL/ws/v1/cluster/info")" = 200 ]; }
wait_for 10 "a freed slot to be usable again" freed
exec 4>&- 5>&-
ok "a closed connection frees its slot"
