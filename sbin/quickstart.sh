#!/bin/sh
# sbin/quickstart.sh — from a fresh Debian 12 machine to a running local
# weft cluster and back: installs what is missing (Debian packages), builds,
# starts 1 resource manager + 2 node managers on loopback (like Hadoop's
# pseudo-distributed mode), runs the example job in client mode and then in
# cluster mode, runs a word count dataflow job, shows the REST status with
# curl, and stops everything it started.  Its files live in a temporary
# directory, removed at the end (set WEFT_QUICKSTART_KEEP=1 to keep them).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

step() { printf '\n==> %s\n' "$*"; }

step "checking build dependencies"
. tests/deps.sh

step "building weft"
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi
[ -f Makefile ] || ./configure -q
make -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
export PATH="$top:$PATH"

Q=$(mktemp -d "${TMPDIR:-/tmp}/weft-quickstart.XXXXXX")
export WEFT_CONF_DIR="$Q/conf" WEFT_LOG_DIR="$Q/logs" WEFT_PID_DIR="$Q/pids"
mkdir -p "$WEFT_CONF_DIR"
cleanup() {
	status=$?
	trap - EXIT INT TERM
	step "stopping the cluster"
	"$top/sbin/stop-cluster.sh" || true
	if [ -n "${WEFT_QUICKSTART_KEEP:-}" ]; then
		echo "kept $Q (conf, logs)"
	else
		rm -rf "$Q"
	fi
	exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The RM on 8088 as YARN's, or the next free port when 8088 is taken; its
# internal RPC on 8031 (YARN's resource-tracker port), or the next free.
port=8088
while ss -ltnH "sport = :$port" 2>/dev/null | grep -q .; do port=$((port + 1)); done
rpc_port=8031
while [ "$rpc_port" = "$port" ] || ss -ltnH "sport = :$rpc_port" 2>/dev/null | grep -q .; do
	rpc_port=$((rpc_port + 1))
done
cat >"$WEFT_CONF_DIR/weft.conf" <<CONF
# quickstart: one RM and two NMs on loopback (see weft.conf(5)).
rm.address = 127.0.0.1:$port
rm.rpc-address = 127.0.0.1:$rpc_port
nm.address = 127.0.0.1:0
rm.staging-dir = $Q/staging
nm.local-dirs = $Q/nm/local
nm.log-dirs = $Q/nm/logs
nm.resource.memory-mb = 4096
nm.resource.vcores = 4
CONF
printf 'localhost nm1\nlocalhost nm2\n' >"$WEFT_CONF_DIR/workers"

step "starting 1 resource manager and 2 node managers"
"$top/sbin/start-cluster.sh"
rm_url="http://127.0.0.1:$port"
i=0
until [ "$(curl -fsS "$rm_url/ws/v1/cluster/metrics" | jq -r .clusterMetrics.activeNodes)" = 2 ]; do
	i=$((i + 1))
	[ $i -le 100 ] || { echo "the NMs did not register within 10 s" >&2; exit 1; }
	sleep 0.1
done
weft node list

job='echo "task $WEFT_TASK_INDEX (attempt $WEFT_TASK_ATTEMPT) ran in $CONTAINER_ID on $NM_HOST:$NM_PORT"'
step "client mode: the driver runs here, in weft-submit"
echo "\$ weft-submit --deploy-mode client --num-executors 2 --executor-memory 512m --shell '$job' --tasks 4"
weft-submit --deploy-mode client --num-executors 2 --executor-memory 512m --shell "$job" --tasks 4

step "cluster mode: the driver runs in the application master's container"
echo "\$ weft-submit --deploy-mode cluster --num-executors 2 --executor-memory 512m --shell '$job' --tasks 4"
weft-submit --deploy-mode cluster --num-executors 2 --executor-memory 512m --shell "$job" --tasks 4

step "a dataflow job: word count over a generated corpus (map, shuffle through the NMs, reduce)"
mkdir -p "$Q/wordcount"
cp examples/wordcount.json "$Q/wordcount/"
examples/make-corpus.sh 8m "$Q/wordcount/corpus" >/dev/null
echo "\$ weft-submit --num-executors 2 --executor-memory 512m wordcount.json > counts.tsv"
(cd "$Q/wordcount" && weft-submit --num-executors 2 --executor-memory 512m wordcount.json >counts.tsv)
echo "the five most frequent words of $(wc -l <"$Q/wordcount/counts.tsv") distinct ones:"
sort -t "$(printf '\t')" -k2,2nr "$Q/wordcount/counts.tsv" | head -n 5

step "the REST API, as with YARN"
echo "\$ curl -s $rm_url/ws/v1/cluster/apps | jq '.apps.app[] | {id, name, state, finalStatus, elapsedTime}'"
curl -s "$rm_url/ws/v1/cluster/apps" | jq '.apps.app[] | {id, name, state, finalStatus, elapsedTime}'
echo "\$ curl -s $rm_url/ws/v1/cluster/metrics"
curl -s "$rm_url/ws/v1/cluster/metrics" | jq -c .
echo "\$ weft app list --state FINISHED"
weft app list --state FINISHED
step "quickstart done"
