#!/bin/sh
# tests/bench/rest_load.sh [CLIENTS] [SECONDS] — a benchmark, not a test:
# can readers of the public REST API starve the RM?  For each weft tree
# (BEFORE = $WEFT_BEFORE_DIR, a built tree of another revision, e.g. main,
# when set; AFTER = this build) on a private cluster (1 RM + 1 NM on
# loopback):
#   1. 1,000 ended applications in history (submitted while no NM is
#      registered, then killed: nothing runs);
#   2. an NM registers and heartbeats;
#   3. CLIENTS (default 1000) keep-alive connections from one address
#      (127.0.0.2: one other host) read GET /ws/v1/cluster/apps for SECONDS
#      (default 30), and one more, from 127.0.0.1 as the job and the NM,
#      asks /ws/v1/cluster/metrics every 100 ms (tests/bench/rest_load);
#   4. 5 s into the load, a one-task job is submitted (weft-submit
#      --shell true --tasks 1) and timed;
# then it prints, per tree: /apps answers/s, p50/p99 of the answers, 429
# refusals (the per-address cap), /metrics p50/p99, the job's time and
# exit status, the NM's heartbeat failures, the AM's failed RM calls and
# how long the RM took to answer /info once the load stopped.  AFTER is
# also run with rm.http.max-connections-per-address = 0 (no cap), to show
# what priority and the cache do on their own.
#
#   WEFT_BEFORE_DIR=/path/to/built/main tests/bench/rest_load.sh 1000 30
#
# Build first (make; this builds tests/bench/rest_load too).
set -eu
clients=${1:-1000}
seconds=${2:-30}
apps=${WEFT_BENCH_APPS:-1000}
top=$(cd "$(dirname "$0")/../.." && pwd)
after=${WEFT_BUILD_DIR:-$top}
load=$after/tests/bench/rest_load
[ -x "$load" ] || { echo "build first (make): no $load" >&2; exit 1; }
for t in curl jq; do command -v $t >/dev/null || { echo "needs $t" >&2; exit 1; }; done
B=$(mktemp -d "${TMPDIR:-/tmp}/weft-rest-load.XXXXXX")
cur_tree=
cleanup() {
	trap - EXIT INT TERM
	if [ -n "$cur_tree" ]; then
		"$cur_tree/sbin/stop-nm.sh" --name nm1 >/dev/null 2>&1 || true
		"$cur_tree/sbin/stop-rm.sh" >/dev/null 2>&1 || true
	fi
	[ -n "${WEFT_BENCH_KEEP:-}" ] && echo "kept $B" || rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# run LABEL TREE [CONF LINES...]
run() {
	label=$1 tree=$2
	shift 2
	cur_tree=$tree
	D=$B/$label
	mkdir -p "$D/conf"
	export WEFT_CONF_DIR=$D/conf WEFT_LOG_DIR=$D/logs WEFT_PID_DIR=$D/pids
	export PATH="$tree:$PATH" WEFT_BUILD_DIR=$tree
	{
		echo "rm.address = 127.0.0.1:0"
		echo "nm.address = 127.0.0.1:0"
		echo "rm.staging-dir = $D/staging"
		echo "nm.local-dirs = $D/nm/local"
		echo "nm.log-dirs = $D/nm/logs"
		echo "nm.resource.memory-mb = 8192"
		echo "nm.resource.vcores = 8"
		echo "log.level = warn"
		for line in "$@"; do echo "$line"; done
	} >"$D/conf/weft.conf"
	"$tree/sbin/start-rm.sh" >/dev/null
	rm_addr=$(sed -n 1p "$WEFT_PID_DIR/weft-rm.address")
	rm_rpc=$(sed -n 2p "$WEFT_PID_DIR/weft-rm.address")
	url=http://$rm_addr
	sed -i "s/^rm.address = .*/rm.address = $rm_addr/" "$D/conf/weft.conf"
	[ -z "$rm_rpc" ] || sed -i "s/^rm.rpc-address = .*/rm.rpc-address = $rm_rpc/" "$D/conf/weft.conf"

	# 1. History: ids, submissions, kills, each as one curl process with
	# keep-alive (no NM yet, so nothing is launched).  Each id is asked
	# for by its own user: all are held at once, and one user may hold
	# only rm.max-reserved-apps-per-user.
	i=0
	: >"$D/new.cfg"
	while [ $i -lt "$apps" ]; do
		printf 'url = "%s/ws/v1/cluster/apps/new-application?user.name=h%d"\nrequest = POST\nnext\n' "$url" "$i" >>"$D/new.cfg"
		i=$((i + 1))
	done
	sed -i '$d' "$D/new.cfg" # no "next" after the last
	curl -sS -K "$D/new.cfg" | jq -r '."application-id"' >"$D/ids"
	: >"$D/submit.cfg"
	: >"$D/kill.cfg"
	while read -r id; do
		printf 'url = "%s/ws/v1/cluster/apps"\nrequest = POST\nheader = "Content-Type: application/json"\ndata = "{\\"application-id\\":\\"%s\\",\\"application-name\\":\\"history\\",\\"queue\\":\\"default\\",\\"resource\\":{\\"memory\\":256,\\"vCores\\":1},\\"am-container-spec\\":{\\"commands\\":{\\"command\\":\\"true\\"}}}"\noutput = /dev/null\nnext\n' "$url" "$id" >>"$D/submit.cfg"
		printf 'url = "%s/ws/v1/cluster/apps/%s/state"\nrequest = PUT\nheader = "Content-Type: application/json"\ndata = "{\\"state\\":\\"KILLED\\"}"\noutput = /dev/null\nnext\n' "$url" "$id" >>"$D/kill.cfg"
	done <"$D/ids"
	sed -i '$d' "$D/submit.cfg"
	sed -i '$d' "$D/kill.cfg"
	curl -sS -K "$D/submit.cfg"
	curl -sS -K "$D/kill.cfg"
	n_killed=$(curl -sS "$url/ws/v1/cluster/apps?states=KILLED" | jq '.apps.app | length')
	bytes=$(curl -sS "$url/ws/v1/cluster/apps" | wc -c)

	# 2. One NM.
	"$tree/sbin/start-nm.sh" --name nm1 >/dev/null
	i=0
	until [ "$(curl -fsS "$url/ws/v1/cluster/metrics" | jq -r .clusterMetrics.activeNodes)" = 1 ]; do
		i=$((i + 1)); [ $i -le 100 ] || { echo "$label: the NM did not register" >&2; exit 1; }
		sleep 0.1
	done
	t0=$(now_ms)
	weft-submit --shell true --tasks 1 --num-executors 1 >/dev/null 2>"$D/job0.err" || true
	idle_ms=$(($(now_ms) - t0))

	# 3. + 4. The load, and a job 5 s into it.
	REST_LOAD_SOURCE=127.0.0.2 "$load" "$rm_addr" /ws/v1/cluster/apps "$clients" "$seconds" /ws/v1/cluster/metrics \
		>"$D/load.out" &
	load_pid=$!
	sleep 5
	t0=$(now_ms)
	job_rc=0
	timeout 120 weft-submit --shell true --tasks 1 --num-executors 1 >/dev/null 2>"$D/job.err" ||
		job_rc=$?
	job_ms=$(($(now_ms) - t0))
	wait "$load_pid"
	t0=$(now_ms)
	curl -fsS --max-time 120 -o /dev/null "$url/ws/v1/cluster/info" || true
	recover_ms=$(($(now_ms) - t0))

	hb=$(grep -c 'heartbeat to the RM at .* failed\|cannot register with the RM' \
		"$WEFT_LOG_DIR"/weft-nm-nm1.log 2>/dev/null || true)
	am=$(find "$D/nm/logs" -name stderr -exec cat {} + 2>/dev/null |
		grep -c 'RM call failed\|no answer from the RM' || true)
	echo "== $label: $n_killed KILLED apps in history, /apps = $bytes bytes, $clients clients for ${seconds}s"
	echo "   load: $(cat "$D/load.out")"
	echo "   job (1 task) under load: ${job_ms} ms, exit $job_rc (idle: ${idle_ms} ms)"
	echo "   NM heartbeat failures: ${hb:-0}; AM RM-call failures: ${am:-0}; /info after the load: ${recover_ms} ms"

	"$tree/sbin/stop-nm.sh" --name nm1 >/dev/null 2>&1 || true
	"$tree/sbin/stop-rm.sh" >/dev/null 2>&1 || true
	cur_tree=
}

if [ -n "${WEFT_BEFORE_DIR:-}" ]; then
	run before "$WEFT_BEFORE_DIR"
fi
run after "$after" "rm.rpc-address = 127.0.0.1:0"
run after-nocap "$after" "rm.rpc-address = 127.0.0.1:0" "rm.http.max-connections-per-address = 0"
