# tests/bench/bench_lib.sh — a private local cluster for the benchmarks
# (1 RM + 2 NMs on loopback, started with the sbin scripts, stopped by a
# trap).  Sourced by latency.sh, wordcount.sh and tasks.sh; not a test.
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${WEFT_BUILD_DIR:-$top}
[ -x "$build/weft-submit" ] || { echo "build weft first (make), or set WEFT_BUILD_DIR" >&2; exit 1; }
export WEFT_BUILD_DIR=$build PATH="$build:$PATH"
B=$(mktemp -d "${TMPDIR:-/tmp}/weft-bench.XXXXXX")
export WEFT_CONF_DIR=$B/conf WEFT_LOG_DIR=$B/logs WEFT_PID_DIR=$B/pids
mkdir -p "$WEFT_CONF_DIR"
bench_cleanup() {
	trap - EXIT INT TERM
	"$top/sbin/stop-cluster.sh" >/dev/null 2>&1 || true
	rm -rf "$B"
}
trap bench_cleanup EXIT
trap 'exit 130' INT TERM
cat >"$WEFT_CONF_DIR/weft.conf" <<CONF
rm.address = 127.0.0.1:0
rm.rpc-address = 127.0.0.1:0
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
rm_addr=$(sed -n 1p "$WEFT_PID_DIR/weft-rm.address")
rm_rpc_addr=$(sed -n 2p "$WEFT_PID_DIR/weft-rm.address")
sed -i "s/^rm.address = .*/rm.address = $rm_addr/; s/^rm.rpc-address = .*/rm.rpc-address = $rm_rpc_addr/" \
	"$WEFT_CONF_DIR/weft.conf"
i=0
until [ "$(curl -fsS "http://$rm_addr/ws/v1/cluster/metrics" | jq -r .clusterMetrics.activeNodes)" = 2 ]; do
	i=$((i + 1)); [ $i -le 100 ] || { echo "NMs did not register" >&2; exit 1; }
	sleep 0.1
done
now_ms() { echo $(($(date +%s%N) / 1000000)); }
