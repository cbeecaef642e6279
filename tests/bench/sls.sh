#!/bin/sh
# tests/bench/sls.sh [weft-sls options] SCENARIO... — a benchmark, not a
# test: for each scenario file, start a private weft-rm on loopback with the
# sbin scripts (its weft.conf gets the scenario's [rm] lines, its queues.conf
# the [queues] lines), run weft-sls
# against it, print the report, stop the RM.  Options before the scenarios
# go to weft-sls (e.g. --transport curl, --connections 64, --duration 30).
# Scenario names without a '/' are looked up in tests/bench/scenarios/.
# Build first (make); WEFT_BUILD_DIR names an out-of-tree build directory.
# WEFT_SLS_OUT=DIR keeps each run's JSON summary, CSV series and RM log.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${WEFT_BUILD_DIR:-$top}
[ -x "$build/weft-sls" ] && [ -x "$build/weft-rm" ] ||
	{ echo "build weft first (make), or set WEFT_BUILD_DIR" >&2; exit 1; }
export WEFT_BUILD_DIR=$build PATH="$build:$PATH"

opts=
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help)
		sed -n '2,10s/^# \{0,1\}//p' "$0"
		exit 0 ;;
	--transport | --connections | --duration | --seed)
		opts="$opts $1 $2"
		shift 2 ;;
	-q | --quiet)
		opts="$opts $1"
		shift ;;
	-*)
		echo "sls.sh: unknown option $1" >&2
		exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || { echo "usage: sls.sh [weft-sls options] SCENARIO..." >&2; exit 2; }

B=$(mktemp -d "${TMPDIR:-/tmp}/weft-sls.XXXXXX")
export WEFT_CONF_DIR=$B/conf WEFT_LOG_DIR=$B/logs WEFT_PID_DIR=$B/pids
cleanup() {
	trap - EXIT INT TERM
	"$top/sbin/stop-rm.sh" >/dev/null 2>&1 || true
	rm -rf "$B"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
out=${WEFT_SLS_OUT:-}
[ -z "$out" ] || mkdir -p "$out"
status=0
for s in "$@"; do
	case $s in */*) file=$s ;; *) file=$top/tests/bench/scenarios/${s%.sls}.sls ;; esac
	[ -f "$file" ] || { echo "sls.sh: no scenario $file" >&2; exit 2; }
	name=$(basename "$file" .sls)
	rm -rf "$WEFT_CONF_DIR" "$WEFT_LOG_DIR" "$WEFT_PID_DIR" "$B/staging"
	mkdir -p "$WEFT_CONF_DIR"
	{
		echo "rm.address = 127.0.0.1:0"
		echo "rm.rpc-address = 127.0.0.1:0"
		echo "rm.staging-dir = $B/staging"
		weft-sls --rm-conf "$file"
	} >"$WEFT_CONF_DIR/weft.conf"
	# The queue tree, where rm.scheduler.queues-file looks by default.
	weft-sls --rm-queues "$file" >"$WEFT_CONF_DIR/queues.conf"
	"$top/sbin/start-rm.sh" >/dev/null
	rm_addr=$(sed -n 1p "$WEFT_PID_DIR/weft-rm.address")
	rm_rpc_addr=$(sed -n 2p "$WEFT_PID_DIR/weft-rm.address")
	rm_pid=$(cat "$WEFT_PID_DIR/weft-rm.pid")
	echo "== $name: weft-rm pid $rm_pid at $rm_addr"
	extra=
	[ -z "$out" ] || extra="--json $out/$name.json --series $out/$name.csv"
	# shellcheck disable=SC2086
	weft-sls --rm "$rm_addr" --rm-rpc "$rm_rpc_addr" --rm-pid "$rm_pid" --scenario "$file" $opts $extra || status=1
	[ -z "$out" ] || cp "$WEFT_LOG_DIR/weft-rm.log" "$out/$name.rm.log" 2>/dev/null || true
	"$top/sbin/stop-rm.sh" >/dev/null
done
exit $status
