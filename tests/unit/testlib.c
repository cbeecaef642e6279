/*
 * testlib.c — the shared unit-test helpers (see testlib.h): bounded waits
 * on conditions over a libevent loop, and scratch directories.
 *
 * A wait runs the loop with EVLOOP_ONCE beside a 10 ms ticking timer, so
 * the condition is checked again at least every tick even when it does
 * not depend on an event of the loop (a file, a child reaped elsewhere);
 * the deadline is read from the monotonic clock, not from a timer event,
 * so a slow callback cannot stretch or hide it.
 */
#include "weft_config.h"

#include "testlib.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#include "common/wjson.h"
#include <unistd.h>

#include "common/xmalloc.h"

/* How often a wait looks at its condition when nothing else happens. */
#define TESTLIB_SLICE_MS 10

static void (*timeout_hook)(void *);
static void *timeout_hook_arg;

/* CLOCK_MONOTONIC in ms: immune to wall-clock steps. */
long long testlib_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The tick's only job is to make EVLOOP_ONCE return. */
static void testlib_tick_cb(evutil_socket_t fd, short events, void *arg)
{
	(void)fd;
	(void)events;
	(void)arg;
}

/* The one bounded wait every helper below is built on. */
bool testlib_loop_until(struct event_base *base, testlib_pred pred, void *arg, int timeout_ms)
{
	long long deadline = testlib_now_ms() + timeout_ms;
	struct timeval slice = {0, TESTLIB_SLICE_MS * 1000};
	struct event *tick = event_new(base, -1, EV_PERSIST, testlib_tick_cb, NULL);
	bool held;

	event_add(tick, &slice);
	while (!(held = pred(arg)) && testlib_now_ms() < deadline)
		event_base_loop(base, EVLOOP_ONCE);
	/* A process kept off the CPU past the deadline still gets to run
	 * what became ready meanwhile before the wait counts as failed. */
	if (!held) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		held = pred(arg);
	}
	event_free(tick);
	return held;
}

/* One hook per process: Check runs each test in its own child. */
void testlib_set_timeout_hook(void (*hook)(void *), void *arg)
{
	timeout_hook = hook;
	timeout_hook_arg = arg;
}

/* A bounded wait whose timeout fails the test. */
void testlib_run_until(struct event_base *base, testlib_pred pred, void *arg, int timeout_ms,
                       const char *what)
{
	if (testlib_loop_until(base, pred, arg, timeout_ms))
		return;
	if (timeout_hook != NULL)
		timeout_hook(timeout_hook_arg);
	ck_abort_msg("timed out after %d ms waiting for %s", timeout_ms, what);
}

/* A condition that never holds: testlib_run_for's. */
static bool testlib_never(void *arg)
{
	(void)arg;
	return false;
}

/* The loop for ms: a wait on a condition that never holds. */
void testlib_run_for(struct event_base *base, int ms)
{
	testlib_loop_until(base, testlib_never, NULL, ms);
}

/* The condition of a wait on a bool. */
bool testlib_flag_set(void *arg)
{
	return *(const bool *)arg;
}

/* The condition of a wait on a counter. */
bool testlib_count_reached(void *arg)
{
	const struct testlib_count *c = arg;

	return *c->value >= c->goal;
}

/* A wait on a counter whose timeout says how far it got. */
void testlib_run_until_count(struct event_base *base, const int *value, int goal, int timeout_ms,
                             const char *what)
{
	struct testlib_count c = {value, goal};

	if (testlib_loop_until(base, testlib_count_reached, &c, timeout_ms))
		return;
	if (timeout_hook != NULL)
		timeout_hook(timeout_hook_arg);
	ck_abort_msg("timed out after %d ms waiting for %s (%d of %d)", timeout_ms, what, *value,
	             goal);
}

/* The scratch directory under $TMPDIR, without Check (main may call it). */
int testlib_mkdtemp_try(char *buf, size_t len, const char *name)
{
	const char *base = getenv("TMPDIR");
	int n;

	if (base == NULL || *base == '\0')
		base = "/tmp";
	n = snprintf(buf, len, "%s/weft-test-%s-XXXXXX", base, name);
	if (n < 0 || (size_t)n >= len) {
		fprintf(stderr, "%s/weft-test-%s-XXXXXX: path too long\n", base, name);
		return -1;
	}
	if (mkdtemp(buf) == NULL) {
		fprintf(stderr, "mkdtemp %s: %s\n", buf, strerror(errno));
		return -1;
	}
	return 0;
}

/* The scratch directory under $TMPDIR, failing the test on error. */
void testlib_mkdtemp_into(char *buf, size_t len, const char *name)
{
	ck_assert_msg(testlib_mkdtemp_try(buf, len, name) == 0, "no scratch directory for %s",
	              name);
}

/* A scratch directory inside another one. */
char *testlib_mkdtemp_below(const char *parent, const char *name)
{
	char *path = xasprintf("%s/%s-XXXXXX", parent, name);

	ck_assert_msg(mkdtemp(path) != NULL, "mkdtemp %s: %s", path, strerror(errno));
	return path;
}

/* rm -rf in C: depth first, lstat so links are never followed. */
int testlib_rmtree(const char *path)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	char *child;
	int rc = 0;

	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : -1;
	if (!S_ISDIR(st.st_mode))
		return unlink(path) == 0 || errno == ENOENT ? 0 : -1;
	/* A test may have left a directory unreadable on purpose. */
	if ((st.st_mode & S_IRWXU) != S_IRWXU)
		chmod(path, st.st_mode | S_IRWXU);
	d = opendir(path);
	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		child = xasprintf("%s/%s", path, de->d_name);
		if (testlib_rmtree(child) != 0)
			rc = -1;
		free(child);
	}
	closedir(d);
	if (rmdir(path) != 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

/* The text of obj, parsed again, as the other end would see it. */
struct json_object *testlib_json_wire(struct json_object *obj)
{
	char *cause = NULL;
	const char *text = wjson_text(obj);
	struct json_object *back = wjson_parse(text, strlen(text), &cause);

	ck_assert_msg(back != NULL, "%.200s: %s", text, cause);
	json_object_put(obj);
	return back;
}

/* A decoder must refuse text, naming the field path first. */
void testlib_decode_fails(testlib_decoder f, const char *text, const char *expected)
{
	struct json_object *obj = json_tokener_parse(text);
	char *cause = NULL;

	ck_assert_msg(obj != NULL, "bad test JSON: %.200s", text);
	ck_assert_msg(f(obj, &cause) == -1, "accepted: %.200s", text);
	ck_assert_msg(cause != NULL && strncmp(cause, expected, strlen(expected)) == 0,
	              "%.200s: expected a cause starting \"%s\", got \"%.200s\"", text, expected,
	              cause != NULL ? cause : "(none)");
	free(cause);
	json_object_put(obj);
}

/* A decoder must accept text. */
void testlib_decode_ok(testlib_decoder f, const char *text)
{
	struct json_object *obj = json_tokener_parse(text);
	char *cause = NULL;

	ck_assert_msg(obj != NULL, "bad test JSON: %.200s", text);
	ck_assert_msg(f(obj, &cause) == 0, "%.200s: %s", text, cause != NULL ? cause : "");
	free(cause);
	json_object_put(obj);
}
