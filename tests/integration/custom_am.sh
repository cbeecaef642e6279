#!/bin/bash
# examples/custom-am, as a user builds and runs it: libweft installed
# (make install DESTDIR), the example built with its own Makefile through
# `pkg-config --cflags --libs weft` (nothing from weft's source tree),
# then run on a test cluster: N containers run the command, a failed one
# is replaced, progress reaches 100 %, the application FINISHED with
# SUCCEEDED; and a command that always fails ends the application FAILED
# with the AM's diagnostic, dshell exiting 1.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
command -v pkg-config >/dev/null 2>&1 || { echo "SKIP: pkg-config is not installed"; exit 77; }
weft_setup
install_libweft
cp -r "$WEFT_SRCDIR/examples/custom-am" "$T/custom-am"
chmod -R u+w "$T/custom-am"
make -C "$T/custom-am" clean all CC="${WEFT_TEST_CC:-cc}" CFLAGS="-O2 -Wall -Wextra -Werror" \
	LDFLAGS="${WEFT_TEST_LDFLAGS:-}" >"$T/build.out" 2>&1 ||
	{ cat "$T/build.out"; fail "building examples/custom-am with its Makefile"; }
grep -q 'weft_config.h\|src/' "$T/custom-am/"*.c && fail "the example reaches into weft's source tree"
ldd "$T/custom-am/dshell-am" | grep -q "libweft.so.* => $LIBWEFT_LIBDIR/" ||
	fail "dshell-am does not use the installed libweft.so: $(ldd "$T/custom-am/dshell-am")"
ok "examples/custom-am built against the installed libweft with pkg-config"

start_rm
start_nm nm1
start_nm nm2
wait_for 10 "2 active nodes" nodes_are 2

# Four containers; the first one to run fails once (exit 3) and must be
# replaced; every other run leaves a mark.
mkdir -p "$T/marks"
cmd="if mkdir $T/failed-once 2>/dev/null; then exit 3; fi; echo \$CONTAINER_ID >$T/marks/\$DSHELL_INDEX"
"$T/custom-am/dshell" --rm "$RM_ADDR" --containers 4 --max-failures 1 -- "$cmd" \
	>"$T/dshell.out" 2>"$T/dshell.err" ||
	{ cat "$T/dshell.out" "$T/dshell.err"; fail "dshell exited non-zero"; }
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/dshell.out" | head -n 1)
[ -n "$id" ] || fail "dshell printed no application id: $(cat "$T/dshell.out")"
grep -q "$id: FINISHED" "$T/dshell.out" || fail "dshell did not follow $id to FINISHED: $(cat "$T/dshell.out")"
grep -q "final status SUCCEEDED: 4 containers succeeded, 1 failed and were replaced" "$T/dshell.out" ||
	fail "unexpected end: $(cat "$T/dshell.out")"
[ "$(app_field "$id" state)" = FINISHED ] && [ "$(app_field "$id" finalStatus)" = SUCCEEDED ] ||
	fail "$id is $(app_field "$id" state)/$(app_field "$id" finalStatus)"
[ "$(app_field "$id" applicationType)" = DSHELL ] || fail "applicationType $(app_field "$id" applicationType)"
[ "$(app_field "$id" progress)" = 100 ] || [ "$(app_field "$id" progress)" = 100.0 ] ||
	fail "progress $(app_field "$id" progress)"
[ "$(ls "$T/marks" | wc -l)" = 4 ] || fail "marks: $(ls "$T/marks")"
[ -d "$T/failed-once" ] || fail "no container failed"
[ "$(sort -u "$T/marks"/* | wc -l)" = 4 ] || fail "a container ran twice: $(cat "$T/marks"/*)"
ok "dshell: 4 containers succeeded, the failed one replaced, $id FINISHED/SUCCEEDED at 100 %"

# A command that always fails: after --max-failures, the application FAILED.
if "$T/custom-am/dshell" --rm "$RM_ADDR" --containers 2 --max-failures 1 -- "exit 7" \
	>"$T/fail.out" 2>"$T/fail.err"; then
	fail "dshell exited 0 for a failing command: $(cat "$T/fail.out")"
fi
id=$(grep -o 'application_[0-9]*_[0-9]*' "$T/fail.out" | head -n 1)
[ "$(app_field "$id" finalStatus)" = FAILED ] || fail "$id finalStatus $(app_field "$id" finalStatus)"
grep -q "2 containers failed (at most 1 tolerated); last: container_.*exit status 7" "$T/fail.out" ||
	fail "no diagnostic naming the failure: $(cat "$T/fail.out")"
ok "dshell: a failing command ends the application FAILED with the AM's diagnostic, exit 1"

# Bad usage is a clear error, not a submission.
if "$T/custom-am/dshell" --rm "$RM_ADDR" --containers 0 -- true >"$T/bad.out" 2>"$T/bad.err"; then
	fail "dshell --containers 0 exited 0"
fi
grep -q "containers: '0' is not a number in 1..10000" "$T/bad.err" || fail "bad usage said: $(cat "$T/bad.err")"
ok "dshell: bad usage refused before anything is submitted"
