#!/bin/sh
# start-cluster.sh [--conf-dir DIR] [-D key=value]...
# Start the resource manager here, then a node manager on every host of
# CONF_DIR/workers: one host per line, optionally followed by an NM name
# (needed when one host runs several NMs).  localhost entries start local
# NMs; other hosts are reached with ssh and must have weft at the same path.
set -u
case ${1:-} in -h | --help)
	sed -n '2,6s/^# \{0,1\}//p' "$0"
	exit 0 ;;
esac
. "$(dirname "$0")/weft-env.sh"
conf_dir=$(weft_conf conf.dir "$@") || exit 1
workers=$conf_dir/workers
[ -r "$workers" ] || weft_die "no workers file at $workers"
"$weft_script_dir/start-rm.sh" "$@" || exit 1
# The NMs dial the addresses the RM really bound (rm.address and
# rm.rpc-address may say port 0): REST on the first line, RPC the second.
rm_addr=$(sed -n 1p "$WEFT_PID_DIR/weft-rm.address")
rm_rpc_addr=$(sed -n 2p "$WEFT_PID_DIR/weft-rm.address")
me=$(hostname)
me_full=$(hostname -f 2>/dev/null || hostname)
status=0
hosts=$(grep -v '^[[:space:]]*\(#\|$\)' "$workers")
while read -r host name _; do
	[ -n "$host" ] || continue
	if [ -n "${name:-}" ]; then name_args="--name $name"; else name_args=; fi
	case $host in
	localhost | 127.* | ::1 | "$me" | "$me_full")
		# shellcheck disable=SC2086
		"$weft_script_dir/start-nm.sh" $name_args "$@" -D "rm.address=$rm_addr" \
			-D "rm.rpc-address=$rm_rpc_addr" </dev/null || status=1
		;;
	*)
		# shellcheck disable=SC2086
		ssh -n -o BatchMode=yes "$host" "'$weft_script_dir/start-nm.sh' $name_args" || status=1
		;;
	esac
done <<EOF2
$hosts
EOF2
exit $status
