#!/bin/sh
# tests/bench/latency.sh [RUNS] — a benchmark, not a test: median
# submit-to-done time of a one-task `true` job with default settings, in
# client and in cluster mode, on a private local cluster (1 RM + 2 NMs on
# loopback, started with the sbin scripts and stopped at the end).
# Build first (make); RUNS defaults to 20 per mode.
set -eu
runs=${1:-20}
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${WEFT_BUILD_DIR:-$top}
[ -x "$build/weft-submit" ] || { echo "build weft first (make), or set WEFT_BUILD_DIR" >&2; exit 1; }
export WEFT_BUILD_DIR=$build PATH="$build:$PATH"
B=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX")
export WEFT_CONF_DIR=$B/conf WEFT_LOG_DIR=$B/logs WEFT_PID_DIR=$B/pids
mkdir -p "$WEFT_CONF_DIR"
cleanup() {
	trap - EXIT INT TERM
	"$top/sbin/stop-cluster.sh" >/dev/null 2>&1 || true
	rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cat >"$WEFT_CONF_DIR/weft.conf" <<CONF
rm.address = 127.0.0.1:0
nm.address = 127.0.0.1:0
rm.staging-dir = $B/staging
nm.local-dirs = $B/nm/local
nm.log-dirs = $B/nm/logs
nm.resource.memory-mb = 8192
nm.resource.vcores = 8
log.level = warn
CONF
printf 'localhost nm1\nlocalhost nm2\n' >"$WEFT_CONF_DIR/workers"
"$top/sbin/start-cluster.sh" >/dev/null
rm_addr=$(cat "$WEFT_PID_DIR/weft-rm.address")
sed -i "s/^rm.address = .*/rm.address = $rm_addr/" "$WEFT_CONF_DIR/weft.conf"
i=0
until [ "$(curl -fsS "http://$rm_addr/ws/v1/cluster/metrics" | jq -r .clusterMetrics.activeNodes)" = 2 ]; do
	i=$((i + 1)); [ $i -le 100 ] || { echo "NMs did not register" >&2; exit 1; }
	sleep 0.1
done

now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

for mode in client cluster; do
	: >"$B/$mode.ms"
	n=0
	while [ $n -lt "$runs" ]; do
		t0=$(now_ms)
		weft-submit --deploy-mode "$mode" --num-executors 1 --shell true --tasks 1 >/dev/null 2>"$B/err" ||
			{ cat "$B/err" >&2; exit 1; }
		t1=$(now_ms)
		echo $((t1 - t0)) >>"$B/$mode.ms"
		n=$((n + 1))
	done
	printf '%-8s runs=%s median=%s ms  min=%s ms  max=%s ms\n' "$mode" "$runs" \
		"$(median <"$B/$mode.ms")" "$(sort -n "$B/$mode.ms" | head -n1)" "$(sort -n "$B/$mode.ms" | tail -n1)"
done
