/*
 * testlib.h — what every weft unit test shares: waiting on a condition
 * while the event loop runs, and scratch directories.
 *
 * A test waits for what it expects to happen, never for a time: the
 * timeout given to a wait is a generous bound that only fails a test that
 * is truly stuck (a loaded 2-core machine may be many times slower than an
 * idle one), never a claim that something was fast.  Use TESTLIB_WAIT_MS
 * unless a test has a reason for another bound.
 */
#ifndef WEFT_TESTLIB_H
#define WEFT_TESTLIB_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

/* The default bound on a wait: generous, so only a stuck test fails. */
#define TESTLIB_WAIT_MS 30000

/* A condition a wait runs the loop for; arg is the wait's argument. */
typedef bool (*testlib_pred)(void *arg);

/* Run base in short slices until pred(arg) holds or timeout_ms pass.
 * RET whether pred held (the caller decides what a timeout means). */
bool testlib_loop_until(struct event_base *base, testlib_pred pred, void *arg, int timeout_ms);

/* As testlib_loop_until, but a timeout fails the test with "timed out
 * after N ms waiting for <what>" (after running the timeout hook). */
void testlib_run_until(struct event_base *base, testlib_pred pred, void *arg, int timeout_ms,
                       const char *what);

/* Run base for ms whatever happens: only to let something that must NOT
 * happen have its chance, never to wait for something that must. */
void testlib_run_for(struct event_base *base, int ms);

/* Called before a wait fails the test (e.g. to print a daemon's log);
 * NULL removes it. */
void testlib_set_timeout_hook(void (*hook)(void *), void *arg);

/* Predicates for the common cases: *(bool *)arg is true; the int
 * behind a testlib_count has reached its goal. */
bool testlib_flag_set(void *arg);
struct testlib_count {
	const int *value;
	int goal;
};
bool testlib_count_reached(void *arg);

/* Wait until *value >= goal, or fail the test naming what. */
void testlib_run_until_count(struct event_base *base, const int *value, int goal, int timeout_ms,
                             const char *what);

/* Milliseconds on the monotonic clock (for lower bounds that prove a
 * wait happened, never for upper bounds). */
long long testlib_now_ms(void);

/* A fresh directory $TMPDIR/weft-test-<name>-XXXXXX (TMPDIR defaults to
 * /tmp) written into buf of size len; fails the test on error. */
void testlib_mkdtemp_into(char *buf, size_t len, const char *name);

/* As testlib_mkdtemp_into outside a test (e.g. in main, before the
 * runner starts): prints why and RET -1 instead of failing a test. */
int testlib_mkdtemp_try(char *buf, size_t len, const char *name);

/* A fresh directory <parent>/<name>-XXXXXX, fails the test on error.
 * RET the path (caller frees). */
char *testlib_mkdtemp_below(const char *parent, const char *name);

/* Remove path and everything below it, as `chmod -R u+rwx; rm -rf` would:
 * symbolic links are removed, never followed; unreadable directories are
 * opened up first.  A missing path is not an error.  RET 0 or -1. */
int testlib_rmtree(const char *path);

/* --- typed protocol messages (tests of src/common/proto_*.c) --- */

struct json_object;

/* A decoder under test: RET 0, or -1 with *cause. */
typedef int (*testlib_decoder)(struct json_object *obj, char **cause);

/* obj sent over the "wire": its text, parsed again (obj is put; the
 * caller puts the result). */
struct json_object *testlib_json_wire(struct json_object *obj);

/* Decode the JSON text with f and expect a failure whose cause starts
 * with expected (the field path and its colon at least). */
void testlib_decode_fails(testlib_decoder f, const char *text, const char *expected);

/* Decode the JSON text with f and expect it to pass. */
void testlib_decode_ok(testlib_decoder f, const char *text);

#endif
