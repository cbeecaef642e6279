#!/bin/sh
# start-nm.sh [--name NAME] [--conf-dir DIR] [-D key=value]... [weft-nm args]
# Start a node manager in the background and wait until it answers.  With
# --name, several NMs run side by side on one host: each gets its own pid
# file and log (weft-nm-NAME), a free port, and its own local and log dirs
# (NAME appended to nm.local-dirs and nm.log-dirs) unless -D says otherwise.
set -u
case ${1:-} in -h | --help)
	sed -n '2,6s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac
name=
if [ "${1:-}" = --name ]; then
	[ $# -ge 2 ] || { echo "start-nm.sh: --name needs a value" >&2; exit 2; }
	name=$2
	shift 2
	case $name in
	'' | *[!A-Za-z0-9._-]*) echo "start-nm.sh: bad --name '$name' (letters, digits, . _ -)" >&2; exit 2 ;;
	esac
fi
. "$(dirname "$0")/weft-env.sh"
weft_ensure_secret "$@"
if [ -z "$name" ]; then
	weft_start weft-nm "$WEFT_SBIN/weft-nm" /ws/v1/node/info "$@"
	exit 0
fi
# Per-name defaults go first so the caller's own -D options win.
append_name() {
	echo "$1" | tr ',' '\n' | sed "s|/*\$|/$name|" | paste -sd, -
}
local_dirs=$(append_name "$(weft_conf nm.local-dirs "$@")") || exit 1
log_dirs=$(append_name "$(weft_conf nm.log-dirs "$@")") || exit 1
nm_host=$(weft_conf nm.address "$@" | sed 's/:[0-9]*$//') || exit 1
weft_start "weft-nm-$name" "$WEFT_SBIN/weft-nm" /ws/v1/node/info \
	-D "nm.address=$nm_host:0" -D "nm.local-dirs=$local_dirs" \
	-D "nm.log-dirs=$log_dirs" "$@"
