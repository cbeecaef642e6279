#!/bin/sh
# stop-rm.sh: stop the resource manager started by start-rm.sh (SIGTERM,
# then SIGKILL after WEFT_STOP_TIMEOUT seconds).
set -u
case ${1:-} in -h | --help)
	sed -n '2,3s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac
. "$(dirname "$0")/weft-env.sh"
weft_stop weft-rm
