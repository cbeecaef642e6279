#!/bin/bash
# A cluster started with the sbin scripts: 1 RM + 2 NMs on loopback; the
# REST read side answers with YARN's shapes; the sbin scripts refuse a
# second copy and several NMs share one host.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
start_rm
ok "RM up at $RM_ADDR"
start_nm nm1
nm1=$NM_ADDR
start_nm nm2
nm2=$NM_ADDR
[ "$nm1" != "$nm2" ] || fail "two NMs on one host got the same address $nm1"
wait_for 10 "2 active nodes" nodes_are 2
ok "2 NMs registered ($nm1, $nm2)"

rest /ws/v1/cluster/info | jq -e '.clusterInfo | (.id > 0) and .state == "STARTED" and (.startedOn > 0) and (.resourceManagerVersion | type == "string")' >/dev/null ||
	fail "clusterInfo shape: $(rest /ws/v1/cluster/info)"
rest /ws/v1/cluster | jq -e '.clusterInfo.id > 0' >/dev/null || fail "/ws/v1/cluster"
ok "clusterInfo"

m=$(rest /ws/v1/cluster/metrics)
echo "$m" | jq -e '.clusterMetrics | .totalMB == 16384 and .totalVirtualCores == 16 and .activeNodes == 2 and .lostNodes == 0 and .appsSubmitted == 0 and .availableMB == 16384 and .allocatedMB == 0' >/dev/null ||
	fail "clusterMetrics: $m"
ok "clusterMetrics totals 2 x 8192 MB / 8 vcores"

n=$(rest /ws/v1/cluster/nodes)
echo "$n" | jq -e '.nodes.node | length == 2' >/dev/null || fail "nodes: $n"
echo "$n" | jq -e --arg a "$nm1" '.nodes.node[] | select(.id == $a) | .state == "RUNNING" and .nodeHTTPAddress == $a and .availMemoryMB == 8192 and .usedMemoryMB == 0 and .numContainers == 0 and (.rack | startswith("/"))' >/dev/null ||
	fail "node $nm1 in $n"
rest "/ws/v1/cluster/nodes/$nm1" | jq -e --arg a "$nm1" '.node.id == $a and .node.nodeHostName == "127.0.0.1"' >/dev/null ||
	fail "nodes/{id}: $(rest "/ws/v1/cluster/nodes/$nm1")"
ok "nodes and nodes/{id}"

[ "$(http_status GET "$RM_URL/ws/v1/cluster/nodes/nosuch:1")" = 404 ] || fail "unknown node is not 404"
jq -e '.RemoteException.exception == "NotFoundException"' "$T/last.body" >/dev/null || fail "404 body: $(cat "$T/last.body")"
ok "unknown node -> 404 RemoteException"

ni=$(curl -fsS "http://$nm1/ws/v1/node/info")
echo "$ni" | jq -e --arg a "$nm1" '.nodeInfo.id == $a and .nodeInfo.totalPmemAllocatedContainersMB == 8192 and .nodeInfo.totalVCoresAllocatedContainers == 8 and .nodeInfo.nodeHealthy == true' >/dev/null ||
	fail "nodeInfo: $ni"
curl -fsS "http://$nm1/ws/v1/node/containers" | jq -e '.containers' >/dev/null || fail "NM containers"
curl -fsS "http://$nm1/ws/v1/node/apps" | jq -e '.apps' >/dev/null || fail "NM apps"
ok "NM REST"

# A second copy of a running daemon is refused; the first keeps running.
if "$SBIN/start-rm.sh" >"$T/second.out" 2>&1; then fail "a second RM was started"; fi
grep -q "already running" "$T/second.out" || fail "no clear message: $(cat "$T/second.out")"
kill -0 "$RM_PID" || fail "the first RM died"
if "$SBIN/start-nm.sh" --name nm1 >"$T/second.out" 2>&1; then fail "a second nm1 was started"; fi
ok "second copies refused"

# Extra arguments pass through to the daemon: a bad key makes it fail to
# start with its message.
if "$SBIN/start-nm.sh" --name nm3 -D no.such.key=1 >"$T/bad.out" 2>&1; then fail "nm3 started with a bad key"; fi
grep -q "no.such.key" "$T/bad.out" || fail "bad key not reported: $(cat "$T/bad.out")"
ok "arguments pass through; bad ones are reported"

# Stopping an NM is graceful and its pid file goes away.
"$SBIN/stop-nm.sh" --name nm2 >/dev/null || fail "stop-nm.sh"
[ ! -f "$WEFT_PID_DIR/weft-nm-nm2.pid" ] || fail "pid file left"
kill -0 "$NM_PID" 2>/dev/null && fail "nm2 still running"
ok "stop-nm.sh"
