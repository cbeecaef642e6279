#!/bin/sh
# start-rm.sh [--conf-dir DIR] [-D key=value]... [weft-rm args]
# Start the resource manager in the background (pid file in WEFT_PID_DIR,
# log in WEFT_LOG_DIR/weft-rm.log) and wait until it answers.  Extra
# arguments go to weft-rm.  Creates the cluster secret when missing.
# WEFT_PID_DIR/weft-rm.address gets the bound addresses: public REST
# (rm.address) on the first line, internal RPC (rm.rpc-address) on the
# second.
set -u
case ${1:-} in -h | --help)
	sed -n '2,8s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac
. "$(dirname "$0")/weft-env.sh"
weft_ensure_secret "$@"
weft_start weft-rm "$WEFT_SBIN/weft-rm" /ws/v1/cluster/info "$@"
