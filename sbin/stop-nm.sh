#!/bin/sh
# stop-nm.sh [--name NAME]: stop a node manager started by start-nm.sh; it
# stops its containers first (SIGTERM, then SIGKILL after WEFT_STOP_TIMEOUT).
set -u
case ${1:-} in -h | --help)
	sed -n '2,3s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac
name=
if [ "${1:-}" = --name ]; then
	[ $# -ge 2 ] || { echo "stop-nm.sh: --name needs a value" >&2; exit 2; }
	name=$2
fi
. "$(dirname "$0")/weft-env.sh"
if [ -n "$name" ]; then weft_stop "weft-nm-$name"; else weft_stop weft-nm; fi
