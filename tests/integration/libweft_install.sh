#!/bin/bash
# libweft as a user gets it: `make install DESTDIR=...`, then a program
# written only against the installed headers is built with pkg-config,
# once against libweft.so (`pkg-config --cflags --libs weft`, run with
# LD_LIBRARY_PATH) and once against libweft.a (`pkg-config --static`, as
# a --disable-shared install has it: the program must not need
# libweft.so).  Both call a real RM (GET /ws/v1/cluster/info, on the
# caller's event_base and through the blocking layer) and print the
# answer's key.  libweft.so exports only weft_* and has its soname; the
# headers, weft.pc and the man pages are installed.
. "$WEFT_SRCDIR/tests/integration/lib.sh"
for t in pkg-config nm readelf; do
	command -v "$t" >/dev/null 2>&1 || { echo "SKIP: $t is not installed"; exit 77; }
done
weft_setup
cc=${WEFT_TEST_CC:-cc}
pc=$WEFT_BUILDDIR/weft.pc
[ -f "$pc" ] || fail "weft.pc missing (configure writes it)"
libdir=$(pkg-config --variable=libdir "$pc")
includedir=$(pkg-config --variable=includedir "$pc")

install_libweft
dest=$LIBWEFT_DEST
lib=$dest$libdir
for f in "$lib/libweft.a" "$lib/pkgconfig/weft.pc" "$dest$includedir/weft/weft.h" \
	"$dest$includedir/weft/client.h" "$dest$includedir/weft/version.h"; do
	[ -e "$f" ] || fail "make install did not install ${f#"$dest"}"
done
for m in libweft.3 weft_client.3; do
	[ -n "$(find "$dest" -path "*/man3/$m")" ] || fail "make install did not install man3/$m"
done
for h in $WEFT_PUBLIC_HEADERS; do
	[ -f "$dest$includedir/weft/${h##*/}" ] || fail "make install did not install weft/${h##*/}"
done
[ ! -e "$dest$includedir/weft/protocol.h" ] || fail "weft/protocol.h (not public) was installed"
ok "make install DESTDIR: libweft, its headers, weft.pc, man pages"

# The shared library: its soname, and nothing exported but the public API.
so=$(readlink -f "$lib/libweft.so") || fail "no libweft.so installed"
soname=$(readelf -d "$so" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
case $soname in
libweft.so.[0-9]*) [ -e "$lib/$soname" ] || fail "soname $soname is not installed" ;;
*) fail "libweft.so has soname '$soname'" ;;
esac
nm -D --defined-only "$so" | awk '{ print $3 }' >"$T/exports"
others=$(grep -v '^weft_' "$T/exports" | head -n 10)
[ -z "$others" ] || fail "libweft.so exports more than weft_*: $others"
grep -qx weft_client_new "$T/exports" || fail "libweft.so does not export weft_client_new"
for internal in weft_assert_failed xmalloc log_warn wjson_parse_object http_client_new; do
	! grep -qx "$internal" "$T/exports" || fail "libweft.so exports $internal"
done
for needed in libevent libjson-c libcurl libcrypto; do
	readelf -d "$so" | grep -q "NEEDED.*\[$needed" || fail "libweft.so does not link $needed"
done
ok "libweft.so: soname $soname, exports only weft_* ($(wc -l <"$T/exports") functions), links its dependencies"

# weft.pc as installed (install_libweft moved it under DESTDIR).
[ "$(pkg-config --modversion weft)" = "$("$WEFT_BUILDDIR/weft" --version | awk '{ print $NF }')" ] ||
	fail "weft.pc's Version is not weft's"

# The program: only <weft/...>, libevent (weft.pc requires it) and libc.
cat >"$T/info.c" <<'EOF'
#include <event2/event.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <weft/weft.h>

static int failures;

/* Print the first key of the answer ({"clusterInfo":{...}}). */
static void info_cb(const struct weft_status *status, struct json_object *json, const char *body,
                    size_t len, void *arg)
{
	bool *done = arg;
	const char *key = memchr(body, '"', len), *end = NULL;

	if (key != NULL)
		end = memchr(key + 1, '"', len - (size_t)(key + 1 - body));
	if (!status->ok || json == NULL || end == NULL) {
		fprintf(stderr, "GET /ws/v1/cluster/info: %ld %s\n", status->http_status,
		        status->message != NULL ? status->message : "(no JSON object)");
		failures++;
	} else
		printf("%.*s\n", (int)(end - key - 1), key + 1);
	*done = true;
}

/* Ask client for /ws/v1/cluster/info; false when it could not be made. */
static bool ask_info(struct weft_client *client, char *cause, bool *done)
{
	if (client == NULL) {
		fprintf(stderr, "creating a client: %s\n", cause);
		free(cause);
		return false;
	}
	*done = false;
	weft_client_call(client, "GET", "/ws/v1/cluster/info", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 info_cb, done);
	return true;
}

int main(int argc, char **argv)
{
	struct weft_client_options options = {0};
	struct weft_client *client;
	struct event_base *base;
	char *cause = NULL;
	bool done;

	if (argc != 2) {
		fprintf(stderr, "usage: info RM_ADDRESSES\n");
		return 2;
	}
	printf("libweft %s\n", WEFT_VERSION_STRING);
	options.rm_addresses = argv[1];
	options.retry_ms = 10000;
	/* On the caller's event_base. */
	base = event_base_new();
	client = weft_client_new(base, &options, &cause);
	if (!ask_info(client, cause, &done))
		return 1;
	while (!done && event_base_loop(base, EVLOOP_ONCE) == 0)
		;
	weft_client_free(client);
	event_base_free(base);
	/* The blocking layer. */
	client = weft_client_new_blocking(&options, &cause);
	if (!ask_info(client, cause, &done))
		return 1;
	if (weft_client_run(client, &done) != 0)
		failures++;
	weft_client_free(client);
	return failures == 0 ? 0 : 1;
}
EOF

start_rm
expected=$(printf 'libweft %s\nclusterInfo\nclusterInfo' "$(pkg-config --modversion weft)")

# Against libweft.so.
cflags=$(pkg-config --cflags weft) && libs=$(pkg-config --libs weft) || fail "pkg-config --cflags --libs weft"
# shellcheck disable=SC2086 # flags are lists of words
$cc ${WEFT_TEST_LDFLAGS:-} -Wall -Wextra -Werror $cflags -o "$T/info-shared" "$T/info.c" $libs \
	>"$T/cc.out" 2>&1 || { cat "$T/cc.out"; fail "building against libweft.so: $cc $cflags ... $libs"; }
readelf -d "$T/info-shared" | grep -q "NEEDED.*\[$soname\]" || fail "the shared build does not need $soname"
LD_LIBRARY_PATH=$lib "$T/info-shared" "$RM_ADDR" >"$T/shared.out" 2>"$T/shared.err" ||
	{ cat "$T/shared.err"; fail "the program built against libweft.so failed"; }
[ "$(cat "$T/shared.out")" = "$expected" ] || fail "libweft.so program printed: $(cat "$T/shared.out")"
LD_LIBRARY_PATH=$lib ldd "$T/info-shared" | grep -q "libweft.so.* => $lib/" ||
	fail "the program did not load the installed libweft.so"
ok "a program built with 'pkg-config --cflags --libs weft' (libweft.so) calls the RM: $(tail -n 1 "$T/shared.out")"

# Against libweft.a, as a static-only install has it.
rm -f "$lib"/libweft.so* "$lib/libweft.la"
# Debian's libcurl.pc names in Libs.private the libraries of a static
# libcurl (nghttp2, ssh2, ldap, ...), whose -dev packages
# libcurl4-openssl-dev does not pull in.  When they are missing, a copy of
# libcurl.pc without them stands in: libweft is what is linked statically
# here, libcurl stays shared.
printf 'int main(void)\n{\n\treturn 0;\n}\n' >"$T/empty.c"
# shellcheck disable=SC2046
if ! $cc -o "$T/empty" "$T/empty.c" $(pkg-config --static --libs libcurl) >/dev/null 2>&1; then
	sed '/^Libs.private:/d; /^Requires.private:/d' "$(pkg-config --variable=pcfiledir libcurl)/libcurl.pc" \
		>"$T/pc/libcurl.pc"
	echo "# libcurl's static dependencies are not installed: linking libcurl shared"
fi
cflags=$(pkg-config --static --cflags weft) && libs=$(pkg-config --static --libs weft) ||
	fail "pkg-config --static --cflags --libs weft"
# shellcheck disable=SC2086
$cc ${WEFT_TEST_LDFLAGS:-} -Wall -Wextra -Werror $cflags -o "$T/info-static" "$T/info.c" $libs \
	>"$T/cc.out" 2>&1 || { cat "$T/cc.out"; fail "building against libweft.a: $cc $cflags ... $libs"; }
! readelf -d "$T/info-static" | grep -q 'NEEDED.*libweft' || fail "the static build needs libweft.so"
! ldd "$T/info-static" | grep -q libweft || fail "the static build loads libweft.so"
"$T/info-static" "$RM_ADDR" >"$T/static.out" 2>"$T/static.err" ||
	{ cat "$T/static.err"; fail "the program built against libweft.a failed"; }
[ "$(cat "$T/static.out")" = "$expected" ] || fail "libweft.a program printed: $(cat "$T/static.out")"
ok "a program built with 'pkg-config --static --cflags --libs weft' (libweft.a) calls the RM"

# The failover list: a dead address first, the RM second.
# (Nothing listens on port 1: the connection is refused at once.)
"$T/info-static" "127.0.0.1:1,$RM_ADDR" >"$T/failover.out" 2>"$T/failover.err" ||
	{ cat "$T/failover.err"; fail "the program with a dead RM address first failed"; }
[ "$(cat "$T/failover.out")" = "$expected" ] || fail "with failover it printed: $(cat "$T/failover.out")"
ok "the RM address list: a dead address first, the call reaches the second"
