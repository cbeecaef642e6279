# tests/integration/lib.sh — shared by the integration tests: a private
# cluster on free loopback ports, started with the sbin scripts as a user
# would, and torn down by a trap even when the test fails.
#
#   . "$WEFT_SRCDIR/tests/integration/lib.sh"
#   weft_setup                 # temp dirs, conf, trap
#   weft_conf_set KEY VALUE    # before starting daemons
#   start_rm                   # sets RM_ADDR, RM_URL
#   start_nm nm1               # sets NM_ADDR (of the last NM started)
#   wait_for 20 "app finished" app_is_final "$id"
#
# Tests print what they check; `fail MSG` ends one with the daemons' logs.
set -u

: "${WEFT_SRCDIR:?run integration tests through make check}"
: "${WEFT_BUILDDIR:?run integration tests through make check}"
export WEFT_BUILD_DIR=$WEFT_BUILDDIR
SBIN=$WEFT_SRCDIR/sbin
PATH=$WEFT_BUILDDIR:$PATH
export PATH
# Integration tests exit 77 (skip) only when a tool they need is missing.
for t in curl jq; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
done

weft_test_name=$(basename "$0" .sh)
weft_started_nms=

# Print the daemons' logs (and container logs) to help a failing test.
weft_dump_logs() {
	for f in "$WEFT_LOG_DIR"/*.log; do
		[ -f "$f" ] || continue
		echo "----- $f (last 60 lines)"
		tail -n 60 "$f"
	done
	find "$T/nm" -path '*/logs/*' -type f \( -name stderr -o -name stdout \) 2>/dev/null |
		head -n 20 | while read -r f; do
			echo "----- $f (last 20 lines)"
			tail -n 20 "$f"
		done
}

# Stop everything this test started (by pid file), whatever happened.
weft_teardown() {
	status=$?
	trap - EXIT INT TERM
	for n in $weft_started_nms; do
		"$SBIN/stop-nm.sh" --name "$n" >/dev/null 2>&1
	done
	"$SBIN/stop-rm.sh" >/dev/null 2>&1
	# Anything a test started by hand (a pid file it wrote in $T/pids).
	for f in "$T"/pids/extra.*.pid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	if [ "$status" -ne 0 ] && [ "$status" -ne 77 ]; then
		echo "FAILED ($weft_test_name), status $status"
		weft_dump_logs
	fi
	if [ "$status" -eq 0 ] || [ -z "${WEFT_KEEP_TEST_DIR:-}" ]; then
		rm -rf "$T"
	else
		echo "test directory kept: $T"
	fi
	exit "$status"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

ok() {
	echo "ok - $*"
}

# Make the test's private configuration and directories.
weft_setup() {
	T=$(mktemp -d "${TMPDIR:-/tmp}/weft-$weft_test_name.XXXXXX") || exit 1
	export WEFT_CONF_DIR=$T/conf WEFT_PID_DIR=$T/pids WEFT_LOG_DIR=$T/logs
	mkdir -p "$WEFT_CONF_DIR" "$WEFT_PID_DIR" "$WEFT_LOG_DIR" "$T/nm"
	trap weft_teardown EXIT
	trap 'exit 130' INT TERM
	cat >"$WEFT_CONF_DIR/weft.conf" <<EOF
# written by tests/integration/lib.sh for $weft_test_name
rm.address = 127.0.0.1:0
nm.address = 127.0.0.1:0
rm.staging-dir = $T/staging
nm.local-dirs = $T/nm/local
nm.log-dirs = $T/nm/logs
nm.resource.memory-mb = 8192
nm.resource.vcores = 8
nm.heartbeat-interval-ms = 200
submit.poll-interval-ms = 50
EOF
	echo localhost >"$WEFT_CONF_DIR/workers"
}

# weft_conf_set KEY VALUE: set (or replace) a key in the test's weft.conf.
weft_conf_set() {
	f=$WEFT_CONF_DIR/weft.conf
	grep -v "^$1 *=" "$f" >"$f.new"
	echo "$1 = $2" >>"$f.new"
	mv "$f.new" "$f"
}

# start_rm [ARGS...]: start the RM with the sbin script; the addresses it
# bound (REST, then internal RPC: two lines) replace rm.address and
# rm.rpc-address in weft.conf so NMs and tools find them.  Sets RM_ADDR,
# RM_URL, RM_RPC_ADDR, RM_RPC_URL, RM_PID.
start_rm() {
	grep -q '^rm.rpc-address *=' "$WEFT_CONF_DIR/weft.conf" ||
		weft_conf_set rm.rpc-address 127.0.0.1:0
	"$SBIN/start-rm.sh" "$@" >"$T/start-rm.out" 2>&1 || {
		cat "$T/start-rm.out"
		fail "start-rm.sh failed"
	}
	RM_ADDR=$(sed -n 1p "$WEFT_PID_DIR/weft-rm.address")
	RM_RPC_ADDR=$(sed -n 2p "$WEFT_PID_DIR/weft-rm.address")
	RM_URL=http://$RM_ADDR
	RM_RPC_URL=http://$RM_RPC_ADDR
	RM_PID=$(cat "$WEFT_PID_DIR/weft-rm.pid")
	weft_conf_set rm.address "$RM_ADDR"
	weft_conf_set rm.rpc-address "$RM_RPC_ADDR"
	export RM_ADDR RM_URL RM_RPC_ADDR RM_RPC_URL RM_PID
}

# start_nm NAME [ARGS...]: start a named NM; sets NM_ADDR, NM_PID.
start_nm() {
	n=$1
	shift
	"$SBIN/start-nm.sh" --name "$n" "$@" >"$T/start-nm-$n.out" 2>&1 || {
		cat "$T/start-nm-$n.out"
		fail "start-nm.sh --name $n failed"
	}
	weft_started_nms="$weft_started_nms $n"
	NM_ADDR=$(cat "$WEFT_PID_DIR/weft-nm-$n.address")
	NM_PID=$(cat "$WEFT_PID_DIR/weft-nm-$n.pid")
	export NM_ADDR NM_PID
}

# wait_for SECONDS WHAT CMD...: poll CMD (every 0.1 s) until it succeeds;
# fail the test after SECONDS.
wait_for() {
	secs=$1
	what=$2
	shift 2
	deadline=$(($(date +%s) + secs))
	while ! "$@"; do
		[ "$(date +%s)" -lt "$deadline" ] || fail "timed out after ${secs}s waiting for: $what"
		sleep 0.1
	done
}

# rest PATH: GET the RM's REST PATH and print the body.
rest() {
	curl -fsS --max-time 10 "$RM_URL$1"
}

# http_status METHOD URL [BODY]: print only the HTTP status code.
http_status() {
	if [ $# -ge 3 ]; then
		curl -s -o "$T/last.body" -w '%{http_code}' --max-time 10 -X "$1" \
			-H 'Content-Type: application/json' --data-binary "$3" "$2"
	else
		curl -s -o "$T/last.body" -w '%{http_code}' --max-time 10 -X "$1" "$2"
	fi
}

# active_nodes: how many nodes the RM counts as active.
active_nodes() {
	rest /ws/v1/cluster/metrics | jq -r '.clusterMetrics.activeNodes'
}

nodes_are() {
	[ "$(active_nodes 2>/dev/null)" = "$1" ]
}

# app_field ID FIELD: one field of /apps/ID.
app_field() {
	rest "/ws/v1/cluster/apps/$1" | jq -r ".app.$2"
}

app_is_final() {
	case $(app_field "$1" state 2>/dev/null) in
	FINISHED | FAILED | KILLED) return 0 ;;
	esac
	return 1
}

app_state_is() {
	[ "$(app_field "$1" state 2>/dev/null)" = "$2" ]
}

# Pids of live processes whose environment says they belong to app ID (the
# NM gives every container APPLICATION_ID): one grep over /proc, for the
# tests that prove nothing of an app is left.
app_pids() {
	grep -lzx "APPLICATION_ID=$1" /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3
}

no_app_pids() {
	[ -z "$(app_pids "$1")" ]
}

# Pids of app ID's running containers (each container's process, the
# leader of its session), from the NMs' pid files
# (<local-dir>/nmPrivate/<app>/<container>/<container>.pid) — found
# through the NM, not by scanning every process.  [NM] limits it to one
# NM started by start_nm NAME.
container_pids() { # ID [NM]
	find "$T/nm/local/${2:-}" -path "*/nmPrivate/$1/*" -name 'container_*.pid' \
		-exec cat {} + 2>/dev/null
}

# program_pids ID PROGRAM: app ID's container processes running PROGRAM
# (weft-am, weft-executor).
program_pids() {
	for p in $(container_pids "$1"); do
		case $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) in
		"$2 "* | */"$2 "*) echo "$p" ;;
		esac
	done
}
has_program() { [ -n "$(program_pids "$1" "$2")" ]; }

# kill_nm_containers NM: SIGKILL every process of the containers an NM
# started (their sessions), as if its host had died with it.
kill_nm_containers() {
	sids=$(find "$T/nm/local/$1" -path '*/nmPrivate/*' -name 'container_*.pid' -exec cat {} + 2>/dev/null)
	[ -n "$sids" ] || return 0
	ps -e -o pid= -o sid= | awk -v sids=" $(echo $sids) " \
		'index(sids, " " $2 " ") { print $1 }' | xargs -r kill -KILL 2>/dev/null
	return 0
}

# go_file NAME: a file a test's tasks wait for (`while [ ! -e F ]`), so
# a task runs exactly until the test has seen what it wanted.
go_file() {
	echo "$T/go.$1"
}
wait_for_go() { # NAME: a shell line for a task
	echo "while [ ! -e $(go_file "$1") ]; do sleep 0.05; done;"
}

# libweft as a user installs it: `make install DESTDIR=$T/dest`, and a
# weft.pc moved under it in $T/pc, exported as PKG_CONFIG_PATH (absolute
# directories get the DESTDIR prefix; ${prefix}-relative ones follow).
# Sets LIBWEFT_DEST (the DESTDIR) and LIBWEFT_LIBDIR (where libweft is).
install_libweft() {
	local pc=$WEFT_BUILDDIR/weft.pc
	[ -f "$pc" ] || fail "weft.pc missing (configure writes it)"
	LIBWEFT_DEST=$T/dest
	make -C "$WEFT_BUILDDIR" install DESTDIR="$LIBWEFT_DEST" >"$T/install.out" 2>&1 ||
		{ tail -n 30 "$T/install.out"; fail "make install DESTDIR=$LIBWEFT_DEST"; }
	LIBWEFT_LIBDIR=$LIBWEFT_DEST$(pkg-config --variable=libdir "$pc")
	mkdir -p "$T/pc"
	sed -E "s|^(prefix\|exec_prefix\|libdir\|includedir)=/|\1=$LIBWEFT_DEST/|" \
		"$LIBWEFT_LIBDIR/pkgconfig/weft.pc" >"$T/pc/weft.pc"
	export PKG_CONFIG_PATH=$T/pc
	pkg-config --exists --print-errors weft || fail "pkg-config does not accept the installed weft.pc"
}
