#!/bin/sh
# sls_smoke.sh — weft-sls, the load simulator, against a real weft-rm (started
# with the sbin scripts) in a few seconds: 50 simulated nodes and 20
# applications in two queues (tests/bench/scenarios/smoke.sls).  Checks that
# every application finishes through the public REST flow and the AM
# protocol, that the RM saw what the simulator reports (nodes, racks,
# finished apps), that queue shares come from /ws/v1/cluster/scheduler,
# that the RM's 429s (its per-address connection cap, set low by the
# scenario) are retried by libweft's client under the simulator, and that
# bad scenario files are refused with their line.  Not a benchmark.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
scenario=$WEFT_SRCDIR/tests/bench/scenarios/smoke.sls

# A bad scenario is refused with FILE:LINE, before anything runs.
printf '[cluster]\nduration-s = 10\n[nodes]\ncount = many\n' >"$T/bad.sls"
if weft-sls --check "$T/bad.sls" >"$T/bad.out" 2>&1; then
	fail "a bad scenario was accepted"
fi
grep -q "bad.sls:4: count: 'many' is not an integer" "$T/bad.out" ||
	fail "unexpected message for a bad scenario: $(cat "$T/bad.out")"
ok "a bad scenario is refused with its line"
[ "$(weft-sls --check "$scenario")" = "smoke: 50 nodes, 20 apps, 350 task containers, 2 queues, 60 s at most" ] ||
	fail "--check: $(weft-sls --check "$scenario")"
ok "--check summarises the scenario"

weft-sls --rm-queues "$scenario" >"$WEFT_CONF_DIR/queues.conf"
weft-sls --rm-conf "$scenario" >>"$WEFT_CONF_DIR/weft.conf"
start_rm

weft-sls --rm "$RM_ADDR" --rm-pid "$RM_PID" --scenario "$scenario" -q --duration 60 \
	--json "$T/sls.json" --series "$T/sls.csv" >"$T/sls.report" 2>&1 || {
	cat "$T/sls.report"
	fail "weft-sls reported a failure"
}
j() { jq -r "$1" "$T/sls.json"; }
[ "$(j .counters.appsFinished)" = 20 ] || fail "apps finished: $(j .counters.appsFinished)"
[ "$(j .counters.appsFailed)" = 0 ] || fail "apps failed: $(j .counters.appsFailed)"
[ "$(j .counters.rpcErrors)" = 0 ] || fail "RPC errors: $(j .counters.rpcErrors)"
[ "$(j .counters.amLaunches)" = 20 ] || fail "AM launches: $(j .counters.amLaunches)"
# Every task ran (surplus grants are released, never counted twice).
[ "$(j '.counters.allocated - .counters.released')" -ge 350 ] ||
	fail "allocated $(j .counters.allocated), released $(j .counters.released)"
[ "$(j '.counters.completed')" -ge 370 ] || fail "completed: $(j .counters.completed)"
[ "$(j '.counters.heartbeats > 0 and .latency.askToGrant.n >= 350')" = true ] ||
	fail "no heartbeats or latencies: $(cat "$T/sls.json")"
[ "$(j '.rm.peakRssMB > 1')" = true ] || fail "RM RSS not read: $(j .rm)"
ok "20 simulated apps ran 350 tasks on 50 simulated nodes"
# Submissions met the RM's connection cap and were retried, not failed.
[ "$(j '.rpcBusy > 0')" = true ] || fail "no 429 from the RM's connection cap: $(j .rpcBusy)"
ok "the RM's 429s were waited out and retried by libweft's client"

[ "$(j '[.queues[] | select(.meanShare >= 0)] | length')" = 2 ] ||
	fail "queue shares: $(j .queues)"
[ "$(j '[.queues[] | select(.queue == "root.a" and .maxShare > 0)] | length')" = 1 ] ||
	fail "queue root.a never used: $(j .queues)"
grep -q "queue shares from scheduler" "$T/sls.report" || fail "shares not from /scheduler"
head -n 1 "$T/sls.csv" | grep -q "^t_s,allocated_per_s,.*,share_root.a,share_root.b$" ||
	fail "series header: $(head -n 1 "$T/sls.csv")"
ok "queue shares polled from /ws/v1/cluster/scheduler"

# What the RM itself says.
[ "$(rest /ws/v1/cluster/metrics | jq -r .clusterMetrics.activeNodes)" -ge 50 ] ||
	fail "the RM does not count 50 nodes"
[ "$(rest /ws/v1/cluster/nodes/node00012.sls:8041 | jq -r .node.rack)" = /rack-0001 ] ||
	fail "node00012's rack: $(rest /ws/v1/cluster/nodes/node00012.sls:8041)"
[ "$(rest '/ws/v1/cluster/apps?states=FINISHED' |
	jq '[.apps.app[] | select(.finalStatus == "SUCCEEDED" and .applicationType == "SLS")] | length')" = 20 ] ||
	fail "the RM does not list 20 SUCCEEDED apps"
[ "$(rest '/ws/v1/cluster/apps?queue=b' | jq '.apps.app | length')" = 5 ] ||
	fail "queue b should hold the 5 hinted apps"
ok "the RM lists the simulated nodes (with racks) and the finished apps"
