#!/bin/bash
# Bad input on every endpoint: a 4xx with YARN's RemoteException JSON, the
# daemons keep running and serving, nothing is half-applied, a half-sent
# request does not stall them, and the tools reject bad flags.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
start_nm nm1
wait_for 10 "1 active node" nodes_are 1

# expect STATUS[|STATUS] METHOD URL [BODY]: the answer has (one of) STATUS
# and a RemoteException body.
expect() {
	want=$1
	shift
	got=$(http_status "$@")
	case "|$want|" in *"|$got|"*) ;; *) false ;; esac || fail "$1 $2 ${3:-}: expected $want, got $got: $(cat "$T/last.body")"
	jq -e '.RemoteException.exception and .RemoteException.message' "$T/last.body" >/dev/null ||
		fail "$1 $2: no RemoteException body: $(cat "$T/last.body")"
}
A=$RM_URL/ws/v1/cluster
expect 404 GET "$A/nosuch"
expect 405 DELETE "$A/apps"
expect 405 POST "$A/metrics" '{}'
expect 400 POST "$A/apps" '{not json'
expect 400 POST "$A/apps" '[1,2]'
expect 400 POST "$A/apps" '{}'
expect 404 GET "$A/apps/application_1_0001"
expect 400 GET "$A/apps/not_an_id"
expect 400 GET "$A/apps?limit=abc"
expect 400 GET "$A/apps?states=SLEEPING"
expect 404 GET "$A/apps/application_1_0001/appattempts"
expect 400 POST "$A/apps/new-application?user.name=bad%2Fuser"
new=$(curl -fsS -X POST "$A/apps/new-application")
id=$(echo "$new" | jq -r '."application-id"')
echo "$new" | jq -e '."maximum-resource-capability".memory > 0' >/dev/null || fail "new-application: $new"
good='{"application-id":"'$id'","application-name":"x","am-container-spec":{"commands":{"command":"true"}},"resource":{"memory":1024,"vCores":1},"application-type":"WEFT"}'
expect 400 POST "$A/apps" "$(echo "$good" | jq -c '.resource.memory = "1024"')"
expect 400 POST "$A/apps" "$(echo "$good" | jq -c 'del(."am-container-spec")')"
expect 400 POST "$A/apps" "$(echo "$good" | jq -c '.resource.memory = 1048576')"
expect 400 POST "$A/apps" "$(echo "$good" | jq -c '."max-app-attempts" = -1')"
expect 400 POST "$A/apps" "$(echo "$good" | jq -c '.queue = "no.such.queue"')"
expect 400 POST "$A/apps" "$(echo "$good" | jq -c '."application-id" = "application_1_0777"')"
# None of those bad submissions was half-applied: the app does not exist.
rest /ws/v1/cluster/metrics | jq -e '.clusterMetrics.appsSubmitted == 0' >/dev/null || fail "a bad submission counted"
ok "RM submission validation"

# Oversized body: refused before it is read.
head -c 3000000 /dev/zero | tr '\0' 'x' >"$T/big"
code=$(curl -s -o "$T/last.body" -w '%{http_code}' -X POST -H 'Content-Type: application/json' --data-binary @"$T/big" "$A/apps")
[ "$code" = 413 ] || fail "oversized body: $code"
ok "oversized body -> 413"

# Staging: names validated, no path escapes, unknown apps refused.
S=$RM_URL/ws/v1/staging
expect "400|404" PUT "$S/$id/..%2Fescape" data
expect 400 PUT "$S/$id/.hidden" data
expect 404 PUT "$S/application_1_0999/job.json" data
expect 404 GET "$S/$id/nothing-here"
[ "$(http_status PUT "$S/$id/ok.txt" hello)" = 201 ] || fail "good staging PUT: $(cat "$T/last.body")"
[ "$(curl -fsS "$S/$id/ok.txt")" = hello ] || fail "staging GET"
ok "staging validation"

# Internal RPCs refuse unauthenticated callers.
expect 401 POST "$RM_RPC_URL/rpc/node/register" '{"nodeId":"evil:1","httpAddress":"evil:1","memoryMB":1,"vcores":1}'
expect 401 POST "$RM_RPC_URL/rpc/am/allocate" '{"responseId":0}'
expect 401 POST "http://$NM_ADDR/rpc/containers/start" '{"token":"forged.abc","launchContext":{"commands":["true"]}}'
expect 400 POST "http://$NM_ADDR/rpc/containers/start" '{not json'
expect "400|401" POST "http://$NM_ADDR/rpc/containers/start" '{"token":5,"launchContext":5}'
expect 404 GET "http://$NM_ADDR/ws/v1/node/containers/container_1_0001_01_000001"
expect 400 GET "http://$NM_ADDR/ws/v1/node/containers/nonsense"
expect 400 GET "http://$NM_ADDR/ws/v1/node/containerlogs/nonsense/stdout"
rest /ws/v1/cluster/metrics | jq -e '.clusterMetrics.totalNodes == 1' >/dev/null || fail "forged node registered"
ok "internal RPCs authenticated; NM input validated"

# A half-sent request does not stall the RM: hold one open and ask again.
exec 3<>"/dev/tcp/127.0.0.1/${RM_ADDR##*:}" 2>/dev/null || true
printf 'POST /ws/v1/cluster/apps HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"half' >&3 2>/dev/null || true
rest /ws/v1/cluster/info >/dev/null || fail "RM stalled by a half-sent request"
exec 3>&- 2>/dev/null || true
ok "half-sent request does not stall the RM"

kill -0 "$RM_PID" || fail "RM died"
kill -0 "$NM_PID" || fail "NM died"
ok "daemons still running"

# Tools reject bad flags with a message and a non-zero exit.
for cmd in "weft-submit --deploy-mode sideways --shell true" "weft-submit --shell true --tasks 0" \
	"weft-submit --executor-memory lots --shell true" "weft-submit" "weft-submit --shell true job.json" \
	"weft app" "weft app status" "weft frobnicate" "weft -o xml app list" \
	"weft-rm --no-such-flag" "weft-nm --no-such-flag" "weft-rm -D nonsense" \
	"weft-am --mode sideways" "weft-executor --cores 0"; do
	# shellcheck disable=SC2086
	if $cmd >"$T/tool.out" 2>&1; then fail "'$cmd' exited 0"; fi
	[ -s "$T/tool.out" ] || fail "'$cmd' printed nothing"
done
ok "tools reject bad flags"
