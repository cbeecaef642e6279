#!/bin/sh
# tests/public_headers.sh — libweft's installed headers stand on their own.
# The list is weft_public_headers (src/lib/Makemodule.am), which make check
# passes in WEFT_PUBLIC_HEADERS, so a header added there is covered here.
#   - each header compiles alone (and included twice), with nothing on the
#     include path but the headers a user gets installed (the list and the
#     generated weft/version.h; no weft_config.h, nothing of src/), as C11
#     and, when a C++ compiler is there, as C++11, with -Wall -Wextra
#     -Wpedantic -Werror;
#   - the umbrella weft/weft.h includes every one of them;
#   - every function they declare (libweft.sym) is exported by the built
#     libweft.so and callable from C and C++ (extern "C").
set -u
: "${WEFT_SRCDIR:?run through make check}"
: "${WEFT_BUILDDIR:?run through make check}"
: "${WEFT_PUBLIC_HEADERS:?run through make check}"
cc=${WEFT_TEST_CC:-cc}
# A C++ compiler of the same family as CC when there is one.
cxx=
case $cc in
*clang*) cxx_try="clang++ g++ c++" ;;
*) cxx_try="g++ c++ clang++" ;;
esac
for c in $cxx_try; do
	command -v "$c" >/dev/null 2>&1 && { cxx=$c; break; }
done
T=$(mktemp -d "${TMPDIR:-/tmp}/weft-public_headers.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT
bad=0
fail() {
	echo "FAIL: $*"
	bad=1
}
warn_flags="-Wall -Wextra -Wpedantic -Werror"
deps_cflags=$(pkg-config --cflags libevent) || { echo "FAIL: pkg-config --cflags libevent"; exit 1; }

# The include tree a user gets.
mkdir -p "$T/include/weft" || exit 1
for h in $WEFT_PUBLIC_HEADERS; do
	cp "$WEFT_SRCDIR/$h" "$T/include/weft/" || exit 1
done
cp "$WEFT_BUILDDIR/include/weft/version.h" "$T/include/weft/" || exit 1

# compile LANG FILE WHAT: compile FILE against that tree only.
compile() {
	if [ "$1" = c ]; then
		# shellcheck disable=SC2086 # flags are lists of words
		$cc -std=c11 $warn_flags -Wstrict-prototypes -I"$T/include" $deps_cflags \
			-c "$2" -o "$T/out.o" >"$T/err" 2>&1
	else
		# shellcheck disable=SC2086
		$cxx -std=c++11 $warn_flags -I"$T/include" $deps_cflags -x c++ \
			-c "$2" -o "$T/out.o" >"$T/err" 2>&1
	fi || {
		sed 's/^/    /' "$T/err"
		fail "$3"
		return 1
	}
}

n=0
for h in $WEFT_PUBLIC_HEADERS; do
	name=${h##*/}
	n=$((n + 1))
	printf '#include <weft/%s>\n#include <weft/%s>\n\nint main(void)\n{\n\treturn 0;\n}\n' \
		"$name" "$name" >"$T/alone.c"
	compile c "$T/alone.c" "weft/$name does not compile alone as C11" &&
		echo "ok - weft/$name compiles alone (C11)"
	if [ -n "$cxx" ]; then
		compile c++ "$T/alone.c" "weft/$name does not compile alone as C++11" &&
			echo "ok - weft/$name compiles alone (C++11, $cxx)"
	fi
done
[ "$n" -ge 3 ] || fail "WEFT_PUBLIC_HEADERS lists only $n headers: '$WEFT_PUBLIC_HEADERS'"
[ -n "$cxx" ] || echo "# no C++ compiler (g++, c++, clang++): C++ checks skipped"

# The umbrella header.
umbrella=$T/include/weft/weft.h
if [ -f "$umbrella" ]; then
	for h in $WEFT_PUBLIC_HEADERS include/weft/version.h; do
		name=${h##*/}
		[ "$name" = weft.h ] && continue
		grep -q "^#include <weft/$name>" "$umbrella" ||
			fail "weft/weft.h does not include <weft/$name> (add it there)"
	done
	echo "ok - weft/weft.h includes every public header"
else
	fail "include/weft/weft.h is not in weft_public_headers"
fi

# Every declared function is exported and links from C and C++.
sym=$WEFT_BUILDDIR/libweft.sym
so=$WEFT_BUILDDIR/.libs/libweft.so
if [ ! -s "$sym" ]; then
	fail "libweft.sym missing (make builds it from the public headers)"
elif [ ! -f "$so" ]; then
	echo "# no libweft.so in the build tree (configured --disable-shared): link checks skipped"
else
	{
		echo '#include <weft/weft.h>'
		echo 'typedef void (*any_function)(void);'
		echo 'static const any_function functions[] = {'
		sed 's/.*/	(any_function)\&&,/' "$sym"
		echo '};'
		echo 'int main(void)'
		echo '{'
		echo '	return functions[0] == 0;'
		echo '}'
	} >"$T/link.c"
	for lang in c c++; do
		[ "$lang" = c++ ] && [ -z "$cxx" ] && continue
		compile "$lang" "$T/link.c" "the functions of libweft.sym do not compile ($lang)" || continue
		if [ "$lang" = c ]; then link=$cc; else link=$cxx; fi
		# shellcheck disable=SC2086
		$link ${WEFT_TEST_LDFLAGS:-} -o "$T/link" "$T/out.o" "$so" >"$T/err" 2>&1 || {
			sed 's/^/    /' "$T/err"
			if [ "$lang" = c ]; then
				fail "a function a public header declares is not exported by libweft.so"
			else
				fail "a public header's functions do not link from C++ (a header without extern \"C\"?)"
			fi
			continue
		}
		echo "ok - the $(wc -l <"$sym") functions the headers declare link from $lang against libweft.so"
	done
fi
[ "$bad" -eq 0 ] || exit 1
