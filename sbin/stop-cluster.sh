#!/bin/sh
# stop-cluster.sh [--conf-dir DIR]: stop the node managers of
# CONF_DIR/workers (ssh for remote hosts), then the resource manager.
set -u
case ${1:-} in -h | --help)
	sed -n '2,3s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac
. "$(dirname "$0")/weft-env.sh"
conf_dir=$(weft_conf conf.dir "$@") || exit 1
workers=$conf_dir/workers
me=$(hostname)
me_full=$(hostname -f 2>/dev/null || hostname)
if [ -r "$workers" ]; then
	grep -v '^[[:space:]]*\(#\|$\)' "$workers" | while read -r host name _; do
		if [ -n "${name:-}" ]; then name_args="--name $name"; else name_args=; fi
		case $host in
		localhost | 127.* | ::1 | "$me" | "$me_full")
			# shellcheck disable=SC2086
			"$weft_script_dir/stop-nm.sh" $name_args </dev/null
			;;
		*)
			# shellcheck disable=SC2086
			ssh -n -o BatchMode=yes "$host" "'$weft_script_dir/stop-nm.sh' $name_args"
			;;
		esac
	done
fi
"$weft_script_dir/stop-rm.sh"
