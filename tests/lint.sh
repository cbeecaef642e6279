#!/bin/sh
# tests/lint.sh — source rules a compiler does not check, so that a merge
# cannot bring the old ways back: every .c under src/ and tests/ includes
# the autoconf header "weft_config.h" before anything else (it defines
# _GNU_SOURCE and the other extension macros, AC_USE_SYSTEM_EXTENSIONS),
# no file defines a feature-test macro by hand, no header includes
# weft_config.h (include/weft/ is public; a module's header is included
# after it anyway), and no file but the protocol module spells a route
# path or protocol key (below).  Run by `make check`; prints each
# offending file.
set -u
: "${WEFT_SRCDIR:?run through make check}"
cd "$WEFT_SRCDIR" || exit 1
bad=0
for f in $(find src tests -name '*.c' | sort); do
	first=$(grep -m1 '^[[:space:]]*#' "$f")
	if [ "$first" != '#include "weft_config.h"' ]; then
		echo "FAIL: $f: the first directive must be #include \"weft_config.h\" (found: ${first:-none})"
		bad=1
	fi
done
for f in $(grep -rlE '^[[:space:]]*#[[:space:]]*define[[:space:]]+_(GNU|DEFAULT|BSD|XOPEN|POSIX_C)_SOURCE' \
	--include='*.[ch]' src include tests); do
	echo "FAIL: $f: defines a feature-test macro by hand (weft_config.h defines them)"
	bad=1
done
for f in $(grep -rl '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]weft_config\.h' --include='*.h' src include tests); do
	echo "FAIL: $f: a header includes weft_config.h (only .c files do, first)"
	bad=1
done

# Protocol strings have one home: a route path ("/ws/v1/...", "/rpc/...")
# or a key, message type or query parameter of include/weft/protocol.h
# (its WEFT_*KEY*, WEFT_MSG_* and WEFT_QUERY_* macros) is spelled only in
# protocol.h and src/common/proto_*.c; every other file under src/ uses the
# macros.  A string literal equal to such a key, holding a route, or
# holding a key between escaped quotes (JSON built by hand) fails, unless
# it is listed below: words that are equal to a key by chance, with why.
# Lines: "FILE: LITERAL... # why".
protocol_exceptions='
src/am/driver_host.c: failed succeeded # a log message
src/am/am.c: start # a log label of an NM call
src/lib/am_client.c: register # a log label of a call
src/lib/nm_client.c: start # a log label of a call
src/lib/rm_client.c: failed # the message of a failure that said none
src/am/main.c: stdout # the name of a container log file
src/am/options.c: mode driver job version # weft-am(8) command-line options
src/cli/cli_args.c: app status kill node queue output state user version # weft(1) subcommands and options
src/common/config_keys.c: secret # a weft.conf(5) key'"'"'s unit
src/driver/dag_scheduler.c: result sample # stage kind names, values of the status page
src/driver/driver.c: kind # the weft-job(5) job file'"'"'s keys
src/driver/job_shell.c: kind command tasks # the weft-job(5) job file'"'"'s keys
src/driver/lineage.c: kind name type input map join combine partitions persist dataset path command # the weft-job(5) job file'"'"'s keys
src/driver/task_scheduler.c: input # a log message
src/executor/main.c: driver cores version # weft-executor(8) command-line options
src/nm/container.c: start kill # events of the container state machine
src/nm/main.c: version # a command-line option
src/nm/node.c: vcores # a weft.conf(5) key named in an error message
src/rm/main.c: version # a command-line option
src/rm/node_tracker.c: registered # a node state change'"'"'s reason
src/rm/queues.c: queues capacity state # queues.conf keys
src/sls/fairness.c: apps scheduler # labels of weft-sls'"'"'s own report
src/sls/main.c: version failed # a command-line option; a message
src/sls/metrics.c: allocated completed released appsFailed nodes apps queue queues # keys of weft-sls'"'"'s own report
src/sls/scenario.c: nodes queues apps queue name count vcores user containers priority wait # the weft-sls scenario file'"'"'s keys
src/sls/sim_app.c: register # a label of weft-sls'"'"'s own report
src/sls/sim_node.c: node register # a node name prefix; a label of weft-sls'"'"'s report
src/common/http_server.c: message # the RemoteException error body (its readers are the client library'"'"'s)
src/lib/client.c: message # the client library'"'"'s RemoteException reader
src/submit/submit_args.c: name queue tasks version # weft-submit(1) options and the job file'"'"'s keys
src/submit/submit_job.c: kind command tasks name # the weft-job(5) job file'"'"'s keys
src/submit/submit_logs.c: stdout # the name of a container log file
'
protocol_keys=$(sed -n 's/^#define \(WEFT_[A-Z0-9_]*\)[[:space:]][[:space:]]*"\([^"]*\)".*/\1 \2/p' \
	include/weft/protocol.h | awk '$1 ~ /KEY|_MSG_|_QUERY_/ { print $2 }' | sort -u)
if [ -z "$protocol_keys" ]; then
	echo "FAIL: no protocol keys found in include/weft/protocol.h"
	bad=1
fi
protocol_bad=$(find src -name '*.[ch]' ! -path 'src/common/proto_*' | sort | xargs awk '
	# Every string literal as FILE:LINE:TEXT (escapes kept), outside
	# comments and character constants.
	FNR == 1 { state = 0 }
	{
		line = $0; n = length(line); i = 1
		while (i <= n) {
			c = substr(line, i, 1)
			if (state == 1) {
				if (c == "*" && substr(line, i + 1, 1) == "/") { state = 0; i += 2; continue }
				i++; continue
			}
			if (state == 2) {
				if (c == "\\") { buf = buf substr(line, i, 2); i += 2; continue }
				if (c == "\"") { print FILENAME ":" FNR ":" buf; state = 0; i++; continue }
				buf = buf c; i++; continue
			}
			if (c == "/" && substr(line, i + 1, 1) == "*") { state = 1; i += 2; continue }
			if (c == "/" && substr(line, i + 1, 1) == "/") break
			if (c == "\047") {
				for (i++; i <= n && substr(line, i, 1) != "\047"; i++)
					if (substr(line, i, 1) == "\\") i++
				i++; continue
			}
			if (c == "\"") { state = 2; buf = ""; i++; continue }
			i++
		}
		if (state == 2) state = 0
	}' | awk -v keys="$protocol_keys" -v exceptions="$protocol_exceptions" '
	BEGIN {
		n = split(keys, k, "\n")
		for (i = 1; i <= n; i++) key[k[i]] = 1
		n = split(exceptions, e, "\n")
		for (i = 1; i <= n; i++) {
			line = e[i]; sub(/[[:space:]]*#.*/, "", line)
			if (split(line, w, /:?[[:space:]]+/) < 2) continue
			file = w[1]; sub(/:$/, "", file)
			for (j = 2; j in w; j++) allowed[file SUBSEP w[j]] = 1
		}
	}
	{
		split($0, part, ":")
		file = part[1]
		text = $0; sub(/^[^:]*:[^:]*:/, "", text)
		what = ""
		if (text in key)
			what = "a protocol key"
		else if (text ~ /\/(ws\/v1|rpc)\//)
			what = "a route path"
		else
			for (kk in key)
				if (index(text, "\\\"" kk "\\\"") > 0) { what = "JSON built by hand"; break }
		if (what != "" && !((file SUBSEP text) in allowed))
			print "FAIL: " file ":" part[2] ": \"" text "\" is " what \
			      ": use its include/weft/protocol.h macro (or src/common/proto_*.c)"
	}')
if [ -n "$protocol_bad" ]; then
	printf '%s\n' "$protocol_bad"
	bad=1
fi

[ "$bad" -eq 0 ] || exit 1
echo "ok - every .c includes weft_config.h first; no hand-written feature-test macros;" \
	"route paths and protocol keys only in the protocol module"
