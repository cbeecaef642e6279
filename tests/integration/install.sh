#!/bin/bash
# `make install` into a temporary prefix gives a working weft: daemons and
# sbin scripts in sbin, tools in bin, weft-am/weft-executor in
# libexec/weft, conf in etc/weft, man pages; a job runs from there.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
weft_setup
prefix=$T/prefix
make -C "$WEFT_BUILDDIR" install prefix="$prefix" >"$T/install.out" 2>&1 || { tail -n 30 "$T/install.out"; fail "make install"; }
for f in sbin/weft-rm sbin/weft-nm sbin/start-rm.sh sbin/start-cluster.sh bin/weft-submit bin/weft \
	libexec/weft/weft-am libexec/weft/weft-executor etc/weft/weft.conf etc/weft/workers \
	share/man/man8/weft-rm.8 share/man/man1/weft-submit.1 share/man/man5/weft.conf.5; do
	[ -e "$prefix/$f" ] || fail "make install did not install $f"
done
ok "make install layout"
# Run from the prefix only: the build tree is not on PATH.
PATH=$prefix/bin:/usr/bin:/bin
unset WEFT_BUILD_DIR
SBIN=$prefix/sbin
start_rm
start_nm nm1
wait_for 10 "1 active node" nodes_are 1
"$prefix/bin/weft-submit" --deploy-mode cluster --num-executors 1 --shell 'echo installed-ok' --tasks 1 \
	>"$T/out" 2>"$T/err" || { cat "$T/err"; fail "job from the installed prefix"; }
grep -qx installed-ok "$T/out" || fail "output: $(cat "$T/out")"
ok "a cluster and a job run from the installed prefix"
