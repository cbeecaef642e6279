#!/bin/sh
# tests/lint.sh — source rules a compiler does not check, so that a merge
# cannot bring the old ways back: every .c under src/ and tests/ includes
# the autoconf header "weft_config.h" before anything else (it defines
# _GNU_SOURCE and the other extension macros, AC_USE_SYSTEM_EXTENSIONS),
# no file defines a feature-test macro by hand, and no header includes
# weft_config.h (include/weft/ is public; a module's header is included
# after it anyway).  Run by `make check`; prints each offending file.
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
[ "$bad" -eq 0 ] || exit 1
echo "ok - every .c includes weft_config.h first; no hand-written feature-test macros"
