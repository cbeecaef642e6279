#!/bin/bash
# Several hosts: the RM, two NMs and the client each in a network namespace
# of their own (made here, joined by a bridge in a fifth one), so nothing
# can lean on "everything is on 127.0.0.1".  Addresses come from the
# configuration only; the client-mode driver advertises the interface that
# reaches the RM, and executors on other hosts dial it.  Needs root and
# iproute2 (skipped otherwise).
. "$WEFT_SRCDIR/tests/integration/lib.sh"
[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for network namespaces"; exit 77; }
command -v ip >/dev/null || { echo "SKIP: needs iproute2"; exit 77; }
ns=wft$$
ip netns add "$ns-hub" 2>/dev/null || { echo "SKIP: cannot create network namespaces here"; exit 77; }
weft_setup
netns_cleanup() {
	WEFT_PID_DIR=$T/pids/nm1 "$SBIN/stop-nm.sh" --name nm1 >/dev/null 2>&1
	WEFT_PID_DIR=$T/pids/nm2 "$SBIN/stop-nm.sh" --name nm2 >/dev/null 2>&1
	WEFT_PID_DIR=$T/pids/rm "$SBIN/stop-rm.sh" >/dev/null 2>&1
	for h in rm nm1 nm2 cl; do
		for f in "$T/pids/$h"/*.pid; do
			[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
		done
		ip netns del "$ns-$h" 2>/dev/null
	done
	ip netns del "$ns-hub" 2>/dev/null
}
# Keep the test's exit status through the namespace clean-up.
trap 'st=$?; netns_cleanup; (exit $st); weft_teardown' EXIT
ip netns exec "$ns-hub" ip link add br0 type bridge
ip netns exec "$ns-hub" ip link set br0 up
i=1
for h in rm nm1 nm2 cl; do
	ip netns add "$ns-$h"
	ip link add "$ns$i"a type veth peer name "$ns$i"b
	ip link set "$ns$i"a netns "$ns-hub"
	ip link set "$ns$i"b netns "$ns-$h"
	ip netns exec "$ns-hub" ip link set "$ns$i"a master br0 up
	ip netns exec "$ns-$h" ip addr add "10.251.$((i % 256)).1/16" dev "$ns$i"b 2>/dev/null ||
		fail "address for $h"
	ip netns exec "$ns-$h" ip link set "$ns$i"b up
	ip netns exec "$ns-$h" ip link set lo up
	eval "ip_$h=10.251.$((i % 256)).1"
	i=$((i + 1))
done
# shellcheck disable=SC2154
echo "hosts: rm $ip_rm, nm1 $ip_nm1, nm2 $ip_nm2, client $ip_cl"
on() { h=$1; shift; WEFT_PID_DIR=$T/pids/$h ip netns exec "$ns-$h" "$@"; }
for h in rm nm1 nm2 cl; do mkdir -p "$T/pids/$h"; done
weft_conf_set rm.address "$ip_rm:8088"
weft_conf_set rm.rpc-address "$ip_rm:8031"
on rm "$SBIN/start-rm.sh" >"$T/rm.out" 2>&1 || { cat "$T/rm.out"; fail "start-rm.sh on host rm"; }
RM_URL=http://$ip_rm:8088
# Bounded wait for the bridge to forward (link up, ARP).
reach() { on cl curl -fsS --max-time 1 -o /dev/null "$RM_URL/ws/v1/cluster/info" 2>/dev/null; }
wait_for 10 "the client host reaches the RM host" reach
on nm1 "$SBIN/start-nm.sh" --name nm1 -D "nm.address=$ip_nm1:8042" >"$T/nm1.out" 2>&1 || { cat "$T/nm1.out"; fail "nm1"; }
on nm2 "$SBIN/start-nm.sh" --name nm2 -D "nm.address=$ip_nm2:8042" >"$T/nm2.out" 2>&1 || { cat "$T/nm2.out"; fail "nm2"; }
two_nodes() { [ "$(on cl curl -fsS "$RM_URL/ws/v1/cluster/metrics" | jq -r .clusterMetrics.activeNodes)" = 2 ]; }
wait_for 15 "2 nodes registered across hosts" two_nodes
on cl curl -fsS "$RM_URL/ws/v1/cluster/nodes" | jq -e --arg a "$ip_nm1:8042" '[.nodes.node[].id] | index($a) != null' >/dev/null ||
	fail "node id is not nm.address's IP"
ok "RM and 2 NMs on 3 hosts"

for mode in client cluster; do
	on cl weft-submit --master "weft://$ip_rm:8088" --deploy-mode $mode --num-executors 2 \
		--shell 'echo "$WEFT_TASK_INDEX@$NM_HOST"' --tasks 4 >"$T/out.$mode" 2>"$T/err.$mode" ||
		{ cat "$T/err.$mode"; fail "$mode mode across hosts"; }
	[ "$(cut -d@ -f1 "$T/out.$mode" | tr '\n' ' ')" = "0 1 2 3 " ] || fail "$mode output: $(cat "$T/out.$mode")"
	grep -q -e "@$ip_nm1\$" -e "@$ip_nm2\$" "$T/out.$mode" || fail "tasks did not run on the NM hosts: $(cat "$T/out.$mode")"
	ok "$mode mode job from a fourth host"
done
