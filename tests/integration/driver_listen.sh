#!/bin/bash
# Nothing listens wider than needed: the driver's listeners (executor line
# protocol, status server) bind the address it advertises, in weft-submit
# (client mode, driver.host) and in weft-am (cluster mode, $NM_HOST), not
# 0.0.0.0; driver.bind-host = 0.0.0.0 is the explicit opt-in to every
# interface.  Each job's task waits on a go file, so the sockets are read
# while the driver is surely up.
. "$WEFT_SRCDIR/tests/integration/lib.sh"

# listen_addrs PID: the TCP addresses PID listens on, "a.b.c.d:port" (IPv6
# as "[hex]:port"), one a line, from its socket inodes and /proc/net/tcp*.
listen_addrs() {
	inodes=$(ls -l "/proc/$1/fd" 2>/dev/null | sed -n 's/.*socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	[ -n "$inodes" ] || return 0
	awk -v inodes=" $inodes " '$4 == "0A" && index(inodes, " " $10 " ") { print $2 }' \
		"/proc/$1/net/tcp" "/proc/$1/net/tcp6" | while IFS=: read -r hex port; do
		if [ ${#hex} -eq 8 ]; then
			echo "$((16#${hex:6:2})).$((16#${hex:4:2})).$((16#${hex:2:2})).$((16#${hex:0:2})):$((16#$port))"
		else
			echo "[$hex]:$((16#$port))"
		fi
	done
}

# listens_at_least PID N: PID has N or more listening sockets.
listens_at_least() {
	[ "$(listen_addrs "$1" | wc -l)" -ge "$2" ]
}

# all_listen_on PID HOST WHAT: every listening socket of PID is on HOST.
all_listen_on() {
	addrs=$(listen_addrs "$1")
	others=$(echo "$addrs" | grep -v "^$2:")
	[ -z "$others" ] || fail "$3 listens on $(echo $addrs), not only $2"
}

weft_setup
start_rm
start_nm nm1
wait_for 10 "1 active node" nodes_are 1

# Client mode, driver.host = 127.0.0.1: both of weft-submit's listeners
# (executors, status) are on 127.0.0.1.
weft-submit -D driver.host=127.0.0.1 --num-executors 1 --executor-memory 256m \
	--shell "touch $T/started.client; $(wait_for_go client) echo client-done" --tasks 1 \
	>"$T/client.out" 2>"$T/client.err" &
submit_pid=$!
wait_for 30 "the client-mode task runs" test -e "$T/started.client"
listens_at_least "$submit_pid" 2 || fail "weft-submit listens on: $(listen_addrs "$submit_pid")"
all_listen_on "$submit_pid" 127.0.0.1 "weft-submit's driver"
ok "client mode: the driver listens on $(echo $(listen_addrs "$submit_pid"))"
touch "$(go_file client)"
wait "$submit_pid" || { cat "$T/client.err"; fail "client-mode job failed"; }
grep -qx client-done "$T/client.out" || fail "client-mode output: $(cat "$T/client.out")"

# driver.bind-host = 0.0.0.0 opts in to every interface (executors still
# dial driver.host).
weft-submit -D driver.host=127.0.0.1 -D driver.bind-host=0.0.0.0 --num-executors 1 \
	--executor-memory 256m --shell "touch $T/started.wide; $(wait_for_go wide) echo wide-done" \
	--tasks 1 >"$T/wide.out" 2>"$T/wide.err" &
submit_pid=$!
wait_for 30 "the opt-in job's task runs" test -e "$T/started.wide"
listens_at_least "$submit_pid" 2 || fail "weft-submit listens on: $(listen_addrs "$submit_pid")"
all_listen_on "$submit_pid" 0.0.0.0 "weft-submit's driver with driver.bind-host=0.0.0.0"
ok "driver.bind-host=0.0.0.0: the driver listens on $(echo $(listen_addrs "$submit_pid"))"
touch "$(go_file wide)"
wait "$submit_pid" || { cat "$T/wide.err"; fail "opt-in job failed"; }
grep -qx wide-done "$T/wide.out" || fail "opt-in output: $(cat "$T/wide.out")"

# Cluster mode, no driver.host: weft-am's driver binds what it advertises,
# $NM_HOST (127.0.0.1 here, nm.address = 127.0.0.1:0).
weft-submit --deploy-mode cluster --num-executors 1 --executor-memory 256m \
	--shell "touch $T/started.cluster; $(wait_for_go cluster) echo cluster-done" --tasks 1 \
	>"$T/cluster.out" 2>"$T/cluster.err" &
submit_pid=$!
wait_for 30 "the cluster-mode task runs" test -e "$T/started.cluster"
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/cluster.err" | head -n 1)
[ -n "$id" ] || fail "no application id in: $(cat "$T/cluster.err")"
am_pid=$(program_pids "$id" weft-am)
[ -n "$am_pid" ] || fail "no weft-am process for $id"
listens_at_least "$am_pid" 2 || fail "weft-am listens on: $(listen_addrs "$am_pid")"
all_listen_on "$am_pid" 127.0.0.1 "weft-am's driver"
ok "cluster mode: weft-am listens on $(echo $(listen_addrs "$am_pid"))"
touch "$(go_file cluster)"
wait "$submit_pid" || { cat "$T/cluster.err"; fail "cluster-mode job failed"; }
grep -qx cluster-done "$T/cluster.out" || fail "cluster-mode output: $(cat "$T/cluster.out")"
ok "all three jobs succeeded"
