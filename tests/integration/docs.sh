#!/bin/bash
# Documentation agrees with the code: every weft.conf key (src/common/
# config_keys.c) is in weft.conf(5) and conf/weft.conf with its default,
# every man page exists, and every program answers --help and --version.
set -u
: "${WEFT_SRCDIR:?run through make check}"
: "${WEFT_BUILDDIR:?run through make check}"
fail() { echo "FAIL: $*"; exit 1; }
keys=$WEFT_SRCDIR/src/common/config_keys.c
man5=$WEFT_BUILDDIR/man/weft.conf.5
conf=$WEFT_SRCDIR/conf/weft.conf
[ -f "$man5" ] || fail "man/weft.conf.5 missing"
[ -f "$conf" ] || fail "conf/weft.conf missing"
n=0
# Lines like: INT("rm.am.max-attempts", "2", ...  or  PATH("x", "", ...
grep -o '^	[A-Z]*("[a-z0-9.-]*", "[^"]*"' "$keys" | sed 's/^	[A-Z]*("\([^"]*\)", "\([^"]*\)"/\1 \2/' >keys.$$
while read -r key def; do
	n=$((n + 1))
	# In the man page a key reads ".B rm.am.max\-attempts" (dashes escaped).
	man_name=$(printf '%s' "$key" | sed 's/-/\\-/g')
	grep -Fqx ".B $man_name" "$man5" || { rm -f keys.$$; fail "weft.conf(5) does not document $key (run python3 man/gen-conf-docs.py)"; }
	grep -q "^# *$key = ${def}\$" "$conf" || { rm -f keys.$$; fail "conf/weft.conf lacks '# $key = $def' (run python3 man/gen-conf-docs.py)"; }
done <keys.$$
rm -f keys.$$
[ "$n" -gt 30 ] || fail "found only $n keys in config_keys.c"
echo "ok - $n keys documented in weft.conf(5) and conf/weft.conf"
for m in weft-rm.8 weft-nm.8 weft-am.8 weft-executor.8 weft-submit.1 weft.1 weft.conf.5 weft-job.5; do
	[ -s "$WEFT_BUILDDIR/man/$m" ] || fail "man/$m missing"
done
echo "ok - man pages present"
for p in weft-rm weft-nm weft-am weft-executor weft-submit weft; do
	"$WEFT_BUILDDIR/$p" --help >help.$$ 2>&1 || { rm -f help.$$; fail "$p --help exited non-zero"; }
	grep -qi usage help.$$ || { rm -f help.$$; fail "$p --help prints no usage"; }
	"$WEFT_BUILDDIR/$p" --version 2>&1 | grep -q '[0-9]\.[0-9]' || { rm -f help.$$; fail "$p --version"; }
done
rm -f help.$$
echo "ok - every program answers --help and --version"
for s in start-rm start-nm stop-rm stop-nm start-cluster stop-cluster; do
	"$WEFT_SRCDIR/sbin/$s.sh" --help | grep -q "$s" || fail "sbin/$s.sh --help"
done
echo "ok - sbin scripts answer --help"
