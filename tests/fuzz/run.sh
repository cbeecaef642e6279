#!/bin/sh
# tests/fuzz/run.sh — build the libFuzzer harnesses (clang, ASan + UBSan) in
# build-fuzz/ and run each on its seed corpus for a bounded time; any crash,
# leak, sanitizer report or timeout fails the run (tests/fuzz/README).
#   tests/fuzz/run.sh [--time SECONDS] [--seed N] [--if-clang] [HARNESS...]
#   --time S     seconds per harness (default 8; README: longer runs)
#   --seed N     a repeatable run instead: libFuzzer's seed N, $FUZZ_RUNS
#                (default 300000) inputs per harness from a fresh working
#                corpus and no time limit, so the same tree always gives the
#                same verdict (tests/run.sh: a landing must not depend on
#                what a random run happens to find)
#   --if-clang   without clang or libFuzzer, say so and succeed (tests/run.sh)
# The sources are copied to build-fuzz/src (an out-of-tree build would need
# an unconfigured source tree); only what changed is rebuilt.
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$PWD
seconds=8
seed=
if_clang=no
only=
while [ $# -gt 0 ]; do
	case $1 in
	--time) seconds=$2; shift ;;
	--seed) seed=$2; shift ;;
	--if-clang) if_clang=yes ;;
	-h | --help) sed -n '2,14s/^# \{0,1\}//p' "$0"; exit 0 ;;
	-*) echo "tests/fuzz/run.sh: unknown option $1" >&2; exit 2 ;;
	*) only="$only $1" ;;
	esac
	shift
done
harnesses=${only:-"http_head job_file submission node_rpc am_allocate container_start config_file task_spec task_status parse driver cluster nm"}

cc=${FUZZ_CC:-$(command -v clang || command -v clang-14 || true)}
if [ -z "$cc" ]; then
	[ "$if_clang" = yes ] && { echo "fuzz: no clang, harnesses not run (install the Debian package clang)"; exit 0; }
	echo "tests/fuzz/run.sh: clang not found (install the Debian package clang)" >&2
	exit 1
fi

# Copy the sources (tracked and new, not ignored) into build-fuzz/src,
# keeping their times so that make rebuilds only what changed.
build=$top/build-fuzz
mkdir -p "$build/src" || exit 1
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	git -C "$top" ls-files -z -c -o --exclude-standard |
		xargs -0 cp -p --parents -u -t "$build/src" 2>/dev/null
else
	tar -C "$top" --exclude=./build-fuzz --exclude=./build-asan --exclude='*.o' \
		--exclude='*.a' --exclude=.deps --exclude=config.status --exclude=Makefile \
		--exclude=config.h -cf - . | tar -C "$build/src" -xf -
fi
cd "$build/src" || exit 1
if [ ! -x configure ] || [ configure.ac -nt configure ] || [ ! -f Makefile.in ] ||
	[ Makefile.am -nt Makefile.in ] || [ tests/fuzz/Makemodule.am -nt Makefile.in ]; then
	autoreconf -fi >autoreconf.log 2>&1 || { cat autoreconf.log; exit 1; }
	rm -f config.status
fi
if [ ! -f config.status ]; then
	if ! ./configure -q CC="$cc" --enable-fuzzing >configure.out 2>&1; then
		if [ "$if_clang" = yes ] && grep -q 'fuzzing\|libFuzzer\|fuzzer' configure.out; then
			echo "fuzz: $(tail -n 1 configure.out): harnesses not run"
			exit 0
		fi
		cat configure.out
		exit 1
	fi
fi
jobs=$(nproc 2>/dev/null || echo 2)
make -j"$jobs" fuzzers >make.out 2>&1 || { tail -n 60 make.out; exit 1; }

# Run each harness on a working copy of its corpus (new inputs it finds
# stay in build-fuzz/corpus, not in the source tree).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=
for h in $harnesses; do
	[ -x "tests/fuzz/$h" ] || { echo "fuzz: no harness $h" >&2; failed="$failed $h"; continue; }
	work=$build/corpus/$h
	mkdir -p "$work" "$build/crashes/$h"
	seeds=$top/tests/fuzz/corpus/$h
	[ -d "$seeds" ] || seeds=
	if [ -n "$seed" ]; then
		rm -rf "$work" && mkdir -p "$work"
		limits="-seed=$seed -runs=${FUZZ_RUNS:-300000} -max_total_time=0"
	else
		limits="-max_total_time=$seconds -runs=${FUZZ_RUNS:-5000000}"
	fi
	# shellcheck disable=SC2086 # limits is a list of options
	if "tests/fuzz/$h" $limits -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -print_final_stats=1 -artifact_prefix="$build/crashes/$h/" \
		"$work" $seeds >"$build/$h.log" 2>&1; then
		echo "fuzz: $h: $(sed -n 's/^stat::number_of_executed_units: *//p' "$build/$h.log") runs, no crash"
	else
		echo "fuzz: $h FAILED (log $build/$h.log, inputs in $build/crashes/$h/):"
		grep -A30 '^==[0-9]*==ERROR\|runtime error\|^SUMMARY\|deadly signal\|Test unit written' \
			"$build/$h.log" | head -n 60
		failed="$failed $h"
	fi
done
[ -z "$failed" ] || { echo "fuzz: failed:$failed"; exit 1; }
