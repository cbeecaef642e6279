#!/bin/sh
# weft-env.sh — sourced by every sbin script: finds the programs, the
# configuration, and where pid files and logs go.  Works from a build tree
# (programs at the top of it, or in $WEFT_BUILD_DIR) and from an installed
# prefix (the daemons beside these scripts in $prefix/sbin).
#
# Environment honoured:
#   WEFT_CONF_DIR    configuration directory (else what `weft conf dir` says)
#   WEFT_LOG_DIR     daemon logs            (default ${TMPDIR:-/tmp}/weft-$USER/logs)
#   WEFT_PID_DIR     pid and address files  (default ${TMPDIR:-/tmp}/weft-$USER/pids)
#   WEFT_BUILD_DIR   an out-of-tree build directory holding the programs
#   WEFT_START_TIMEOUT  seconds to wait for a daemon to answer (default 30)
#   WEFT_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 10)

weft_die() {
	echo "$(basename "$0"): $*" >&2
	exit 1
}

weft_script_dir=$(cd "$(dirname "$0")" && pwd)
if [ -x "$weft_script_dir/weft-rm" ]; then
	# Installed: $prefix/sbin holds the daemons, $prefix/bin the tools.
	WEFT_SBIN=$weft_script_dir
	WEFT_BIN=$(cd "$weft_script_dir/../bin" 2>/dev/null && pwd)
	[ -n "$WEFT_BIN" ] || WEFT_BIN=$weft_script_dir
elif [ -n "${WEFT_BUILD_DIR:-}" ] && [ -x "$WEFT_BUILD_DIR/weft-rm" ]; then
	WEFT_SBIN=$(cd "$WEFT_BUILD_DIR" && pwd)
	WEFT_BIN=$WEFT_SBIN
elif [ -x "$weft_script_dir/../weft-rm" ]; then
	WEFT_SBIN=$(cd "$weft_script_dir/.." && pwd)
	WEFT_BIN=$WEFT_SBIN
else
	weft_die "cannot find weft-rm: build first (./configure && make) or set WEFT_BUILD_DIR"
fi
export WEFT_SBIN WEFT_BIN

weft_user=${USER:-$(id -un)}
WEFT_LOG_DIR=${WEFT_LOG_DIR:-${TMPDIR:-/tmp}/weft-$weft_user/logs}
WEFT_PID_DIR=${WEFT_PID_DIR:-${TMPDIR:-/tmp}/weft-$weft_user/pids}
WEFT_START_TIMEOUT=${WEFT_START_TIMEOUT:-30}
WEFT_STOP_TIMEOUT=${WEFT_STOP_TIMEOUT:-10}
export WEFT_LOG_DIR WEFT_PID_DIR
mkdir -p "$WEFT_LOG_DIR" "$WEFT_PID_DIR" || weft_die "cannot create $WEFT_LOG_DIR or $WEFT_PID_DIR"

# weft_conf KEY ARGS...: the effective value of KEY (paths resolved) for a
# daemon started with ARGS: only their --conf-dir and -D options count.
weft_conf() {
	weft_key=$1
	shift
	weft_n=$#
	weft_i=0
	while [ "$weft_i" -lt "$weft_n" ]; do
		weft_a=$1
		shift
		weft_i=$((weft_i + 1))
		case $weft_a in
		--conf-dir | -D)
			if [ "$weft_i" -lt "$weft_n" ]; then
				weft_v=$1
				shift
				weft_i=$((weft_i + 1))
				set -- "$@" "$weft_a" "$weft_v"
			fi
			;;
		--conf-dir=* | -D?*) set -- "$@" "$weft_a" ;;
		esac
	done
	"$WEFT_BIN/weft" conf get "$weft_key" "$@"
}

# weft_ensure_secret ARGS...: create the cluster secret (mode 0600) when it
# does not exist yet, as a single-host cluster needs; a multi-host cluster
# copies the same file to every host.
weft_ensure_secret() {
	weft_secret=$(weft_conf security.secret-file "$@") || exit 1
	[ -n "$weft_secret" ] || weft_die "security.secret-file is not set"
	[ -f "$weft_secret" ] && return 0
	mkdir -p "$(dirname "$weft_secret")" || weft_die "cannot create $(dirname "$weft_secret")"
	(
		umask 077
		od -An -tx1 -N32 /dev/urandom | tr -d ' \n' >"$weft_secret.tmp.$$" &&
			echo >>"$weft_secret.tmp.$$" &&
			mv "$weft_secret.tmp.$$" "$weft_secret"
	) || weft_die "cannot create the cluster secret $weft_secret"
	echo "$(basename "$0"): created cluster secret $weft_secret (copy it to every host)"
}

# weft_pid_alive PIDFILE: true when the pid file names a live process that is
# still the daemon we started (not a recycled pid).
weft_pid_alive() {
	[ -f "$1" ] || return 1
	weft_pid=$(cat "$1" 2>/dev/null)
	case $weft_pid in '' | *[!0-9]*) return 1 ;; esac
	kill -0 "$weft_pid" 2>/dev/null || return 1
	case $(tr '\0' ' ' <"/proc/$weft_pid/cmdline" 2>/dev/null) in
	*weft-*) return 0 ;;
	esac
	return 1
}

# weft_child_alive PID: true while PID runs (a child of ours that exited is
# a zombie until we exit, and kill -0 would still succeed on it).
weft_child_alive() {
	[ -r "/proc/$1/stat" ] || return 1
	case $(sed 's/^[0-9]* (.*) //' "/proc/$1/stat" 2>/dev/null) in
	Z* | X* | '') return 1 ;;
	esac
	return 0
}

# weft_start NAME PROGRAM PROBE_PATH ARGS...: start PROGRAM in the
# background as daemon NAME, record its pid, wait until it has written the
# address it bound to NAME.address and answers HTTP GET PROBE_PATH there.
weft_start() {
	weft_name=$1
	weft_prog=$2
	weft_probe=$3
	shift 3
	weft_pidfile=$WEFT_PID_DIR/$weft_name.pid
	weft_addrfile=$WEFT_PID_DIR/$weft_name.address
	weft_log=$WEFT_LOG_DIR/$weft_name.log
	if weft_pid_alive "$weft_pidfile"; then
		weft_die "$weft_name is already running as pid $(cat "$weft_pidfile"); stop it first"
	fi
	rm -f "$weft_pidfile" "$weft_addrfile"
	[ -f "$weft_log" ] && mv -f "$weft_log" "$weft_log.1"
	# setsid: the daemon leaves our session and process group, so closing
	# the terminal that started it does not stop it.
	# The daemon writes the address it bound (port 0 = any) to this file.
	WEFT_ADDRESS_FILE=$weft_addrfile setsid "$weft_prog" "$@" </dev/null >>"$weft_log" 2>&1 &
	weft_child=$!
	echo "$weft_child" >"$weft_pidfile"
	weft_deadline=$(($(date +%s) + WEFT_START_TIMEOUT))
	while :; do
		if ! weft_child_alive "$weft_child"; then
			rm -f "$weft_pidfile" "$weft_addrfile"
			echo "$(basename "$0"): $weft_name exited during start-up; last lines of $weft_log:" >&2
			tail -n 20 "$weft_log" >&2
			exit 1
		fi
		weft_addr=$(head -n 1 "$weft_addrfile" 2>/dev/null)
		if [ -n "$weft_addr" ]; then
			weft_url=http://$(echo "$weft_addr" | sed 's/^0\.0\.0\.0:/127.0.0.1:/; s/^\[::\]:/[::1]:/')
			if curl -fsS -o /dev/null --max-time 2 "$weft_url$weft_probe" 2>/dev/null; then
				echo "$weft_name started (pid $weft_child) at $weft_addr; log $weft_log"
				return 0
			fi
		fi
		if [ "$(date +%s)" -ge "$weft_deadline" ]; then
			echo "$(basename "$0"): $weft_name did not answer within ${WEFT_START_TIMEOUT}s; last lines of $weft_log:" >&2
			tail -n 20 "$weft_log" >&2
			kill -TERM "$weft_child" 2>/dev/null
			rm -f "$weft_pidfile" "$weft_addrfile"
			exit 1
		fi
		sleep 0.1
	done
}

# weft_stop NAME: SIGTERM the daemon, wait WEFT_STOP_TIMEOUT seconds for it
# to exit, then SIGKILL it.
weft_stop() {
	weft_name=$1
	weft_pidfile=$WEFT_PID_DIR/$weft_name.pid
	if ! weft_pid_alive "$weft_pidfile"; then
		echo "$weft_name is not running"
		rm -f "$weft_pidfile" "$WEFT_PID_DIR/$weft_name.address"
		return 0
	fi
	weft_pid=$(cat "$weft_pidfile")
	kill -TERM "$weft_pid" 2>/dev/null
	weft_deadline=$(($(date +%s) + WEFT_STOP_TIMEOUT))
	while kill -0 "$weft_pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$weft_deadline" ]; then
			echo "$weft_name (pid $weft_pid) did not stop within ${WEFT_STOP_TIMEOUT}s: killing it"
			kill -KILL "$weft_pid" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	rm -f "$weft_pidfile" "$WEFT_PID_DIR/$weft_name.address"
	echo "$weft_name stopped"
}
