#!/bin/sh
# tests/run.sh — the project's test command (README, .ci/run): install what
# is missing, build weft, and run `make check` (unit and integration tests)
# with a summary line.  Options:
#   --sanitize   build with AddressSanitizer + UBSan (in build-asan/)
#   --distcheck  also run `make distcheck`
#   --under-load run the tests while two CPU-bound processes of its own
#                keep both cores busy (stopped when the run ends)
#   --fuzz       run only the libFuzzer harnesses (tests/fuzz/run.sh, clang);
#                they run by default after the tests when clang is present
#   --no-fuzz    do not run them
set -u
cd "$(dirname "$0")/.." || exit 1
top=$PWD
sanitize=no
distcheck=no
under_load=no
fuzz=auto
for a in "$@"; do
	case $a in
	--sanitize) sanitize=yes ;;
	--distcheck) distcheck=yes ;;
	--under-load) under_load=yes ;;
	--fuzz) fuzz=only ;;
	--no-fuzz) fuzz=no ;;
	-h | --help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "tests/run.sh: unknown option $a" >&2; exit 2 ;;
	esac
done
. tests/deps.sh
[ "$fuzz" = only ] && exec tests/fuzz/run.sh
jobs=$(nproc 2>/dev/null || echo 2)
[ -x configure ] && [ configure -nt configure.ac ] || autoreconf -fi || exit 1
if [ "$sanitize" = yes ]; then
	# An out-of-tree build needs an unconfigured source tree.
	[ -f config.status ] && { make distclean >/dev/null || exit 1; }
	mkdir -p build-asan && cd build-asan || exit 1
	[ -f Makefile ] || ../configure -q --enable-sanitizers || exit 1
	# Reports of every process (daemons too, whose own logs are removed
	# with a passing test's directory) are collected and fail the run.
	reports=$PWD/sanitizer-reports
	rm -rf "$reports" && mkdir -p "$reports"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:log_path=$reports/asan
	export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$reports/ubsan
else
	[ -f Makefile ] || ./configure -q || exit 1
fi
make -j"$jobs" >/dev/null || make || exit 1
load_pids=
if [ "$under_load" = yes ]; then
	# Two busy loops, as another user's jobs would be; ended by pid.
	for _ in 1 2; do
		sh -c 'while :; do :; done' &
		load_pids="$load_pids $!"
	done
	trap 'kill $load_pids 2>/dev/null' EXIT
	echo "under load: CPU-bound processes$load_pids"
fi
make -j"$jobs" check
status=$?
if [ -n "$load_pids" ]; then
	kill $load_pids 2>/dev/null
	trap - EXIT
fi
log=tests/test-suite.log
[ -f "$log" ] || log=test-suite.log
if [ -f "$log" ]; then
	pass=$(sed -n 's/^# PASS: *//p' "$log")
	fail=$(sed -n 's/^# FAIL: *//p' "$log")
	xfail=$(sed -n 's/^# XFAIL: *//p' "$log")
	err=$(sed -n 's/^# ERROR: *//p' "$log")
	skip=$(sed -n 's/^# SKIP: *//p' "$log")
	[ "$status" -ne 0 ] && grep -h -A40 '^FAIL\|^ERROR' "$log" | head -200
	summary="${pass:-0} passed, $(( ${fail:-0} + ${err:-0} + ${xfail:-0} )) failed, ${skip:-0} skipped"
	echo "$summary"
fi
if [ "$sanitize" = yes ] && [ -n "$(ls -A "$reports")" ]; then
	echo "sanitizer reports (in $reports):"
	head -n 40 "$reports"/*
	status=1
fi
make -s format-check || status=1 # the root .clang-format; `make format` fixes
[ "$status" -eq 0 ] || exit "$status"
if [ "$fuzz" = auto ]; then
	"$top/tests/fuzz/run.sh" --if-clang --seed 1 || exit 1
fi
if [ "$distcheck" = yes ]; then
	make -j"$jobs" distcheck || exit 1
fi
# The tests' tally is the run's last line, whatever ran after them.
[ -n "${summary:-}" ] && echo "$summary"
exit 0
