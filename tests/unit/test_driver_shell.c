/*
 * test_driver_shell.c — the shell job description: what is accepted, and
 * that every refusal names the bad field (driver_validate_job, as
 * weft-submit calls it before submitting, and driver_run).
 */
#include "weft_config.h"

#include <check.h>
#include <event2/event.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/driver.h"
#include "testlib.h"

/* Validate JSON text; RET the cause (caller frees) or NULL when valid. */
static char *validate_text(const char *text)
{
	struct json_object *job;
	char *cause = NULL;
	int rc;

	job = wjson_parse(text, strlen(text), &cause);
	ck_assert_msg(job != NULL, "test JSON does not parse: %s: %s", text, cause);
	rc = driver_validate_job(job, &cause);
	json_object_put(job);
	if (rc == 0) {
		ck_assert_ptr_null(cause);
		return NULL;
	}
	ck_assert_msg(cause != NULL, "no cause for %s", text);
	return cause;
}

/* text must be refused with a message starting with prefix. */
static void assert_refused(const char *text, const char *prefix)
{
	char *cause = validate_text(text);

	ck_assert_msg(cause != NULL, "accepted: %s", text);
	ck_assert_msg(strncmp(cause, prefix, strlen(prefix)) == 0,
	              "%s: expected a message starting with '%s', got '%s'", text, prefix, cause);
	free(cause);
}

START_TEST(test_good_jobs)
{
	ck_assert_ptr_null(
	        validate_text("{\"kind\":\"shell\",\"command\":\"echo hi\",\"tasks\":3}"));
	ck_assert_ptr_null(validate_text("{\"kind\":\"shell\",\"command\":\"true\"}"));
	ck_assert_ptr_null(validate_text("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":1}"));
	ck_assert_ptr_null(
	        validate_text("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":100000}"));
	ck_assert_ptr_null(validate_text(
	        "{\"tasks\":2,\"command\":\"echo $WEFT_TASK_INDEX\",\"kind\":\"shell\"}"));
}
END_TEST

START_TEST(test_bad_kind)
{
	assert_refused("[1,2]", "job: expected a JSON object");
	assert_refused("\"shell\"", "job: expected a JSON object");
	assert_refused("{\"command\":\"x\"}", "kind: missing");
	assert_refused("{\"kind\":null,\"command\":\"x\"}", "kind: missing");
	assert_refused("{\"kind\":3,\"command\":\"x\"}", "kind: expected a string, got an integer");
	assert_refused("{\"kind\":\"mapreduce\",\"command\":\"x\"}", "kind: unknown job kind");
	assert_refused("{\"kind\":\"Shell\",\"command\":\"x\"}", "kind: unknown job kind");
}
END_TEST

START_TEST(test_bad_command)
{
	assert_refused("{\"kind\":\"shell\"}", "command: missing");
	assert_refused("{\"kind\":\"shell\",\"command\":5}", "command: expected a string");
	assert_refused("{\"kind\":\"shell\",\"command\":[\"ls\"]}",
	               "command: expected a string, got an array");
	assert_refused("{\"kind\":\"shell\",\"command\":\"\"}", "command: must not be empty");
	assert_refused("{\"kind\":\"shell\",\"command\":\" \\t\\n\"}",
	               "command: must not be empty");
	assert_refused("{\"kind\":\"shell\",\"command\":\"a\\u0000b\"}",
	               "command: string contains a NUL");
}
END_TEST

START_TEST(test_command_too_long)
{
	size_t n = 1024 * 1024 + 1;
	char *text = xmalloc(n + 64), *cause;

	strcpy(text, "{\"kind\":\"shell\",\"command\":\"");
	memset(text + strlen(text), 'x', n);
	strcpy(text + strlen("{\"kind\":\"shell\",\"command\":\"") + n, "\"}");
	cause = validate_text(text);
	ck_assert_ptr_nonnull(cause);
	ck_assert_msg(strncmp(cause, "command: longer than", 20) == 0, "%s", cause);
	free(cause);
	free(text);
}
END_TEST

START_TEST(test_bad_tasks)
{
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":0}",
	               "tasks: 0 is out of range [1, 100000]");
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":-3}",
	               "tasks: -3 is out of range");
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":100001}",
	               "tasks: 100001 is out of range");
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":\"3\"}",
	               "tasks: expected an integer, got a string");
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":2.5}",
	               "tasks: expected an integer");
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":true}",
	               "tasks: expected an integer, got a boolean");
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":9223372036854775807}",
	               "tasks: 9223372036854775807 is out of range");
}
END_TEST

START_TEST(test_unknown_field)
{
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"taks\":3}", "taks: unknown field");
	assert_refused("{\"kind\":\"shell\",\"command\":\"x\",\"env\":{}}", "env: unknown field");
}
END_TEST

static void done_cb(struct driver *d, bool succeeded, const char *diagnostics, void *arg)
{
}

/* driver_run checks the description too, and a driver runs one job. */
START_TEST(test_driver_run_checks)
{
	struct driver_options opts;
	struct event_base *base = event_base_new();
	struct json_object *bad, *good;
	struct driver *d;
	char *cause = NULL;

	memset(&opts, 0, sizeof opts);
	opts.bind_host = "127.0.0.1";
	opts.app_secret = "s3cret-s3cret-s3cret";
	/* No secret: refused. */
	opts.app_secret = NULL;
	ck_assert_ptr_null(driver_new(base, &opts, NULL, done_cb, NULL, &cause));
	ck_assert_ptr_nonnull(cause);
	free(cause);
	cause = NULL;
	opts.app_secret = "s3cret-s3cret-s3cret";
	d = driver_new(base, &opts, NULL, done_cb, NULL, &cause);
	ck_assert_msg(d != NULL, "driver_new: %s", cause);
	ck_assert_msg(strncmp(driver_address(d), "127.0.0.1:", 10) == 0, "%s", driver_address(d));
	ck_assert_int_ne(atoi(driver_address(d) + 10), 0);

	bad = json_tokener_parse("{\"kind\":\"shell\",\"command\":\"x\",\"tasks\":0}");
	ck_assert_int_eq(driver_run(d, bad, &cause), -1);
	ck_assert_msg(strncmp(cause, "tasks:", 6) == 0, "%s", cause);
	free(cause);
	cause = NULL;
	good = json_tokener_parse("{\"kind\":\"shell\",\"command\":\"true\",\"tasks\":2}");
	ck_assert_int_eq(driver_run(d, good, &cause), 0);
	ck_assert_int_eq(driver_run(d, good, &cause), -1);
	ck_assert_ptr_nonnull(cause);
	free(cause);
	ck_assert_int_eq(driver_executor_count(d), 0);
	json_object_put(bad);
	json_object_put(good);
	driver_free(d);
	event_base_free(base);
}
END_TEST

static bool freed_in_done;

/* The host may free the driver from its done callback. */
static void free_in_done_cb(struct driver *d, bool succeeded, const char *diagnostics, void *arg)
{
	ck_assert(!succeeded);
	ck_assert_str_eq(diagnostics, "aborted by the test");
	driver_free(d);
	freed_in_done = true;
	event_base_loopbreak(arg);
}

START_TEST(test_free_inside_done)
{
	struct event_base *base = event_base_new();
	struct driver_options opts;
	struct json_object *job;
	struct driver *d;
	char *cause = NULL;

	memset(&opts, 0, sizeof opts);
	opts.bind_host = "127.0.0.1";
	opts.app_secret = "s3cret-s3cret-s3cret";
	d = driver_new(base, &opts, NULL, free_in_done_cb, base, &cause);
	ck_assert_msg(d != NULL, "driver_new: %s", cause);
	job = json_tokener_parse("{\"kind\":\"shell\",\"command\":\"true\"}");
	ck_assert_int_eq(driver_run(d, job, &cause), 0);
	json_object_put(job);
	driver_abort(d, "aborted by the test");
	driver_abort(d, "a second abort is ignored");
	testlib_run_until(base, testlib_flag_set, &freed_in_done, TESTLIB_WAIT_MS,
	                  "the driver to end and be freed");
	event_base_free(base);
}
END_TEST

static Suite *shell_suite(void)
{
	Suite *s = suite_create("driver_shell");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_good_jobs);
	tcase_add_test(tc, test_bad_kind);
	tcase_add_test(tc, test_bad_command);
	tcase_add_test(tc, test_command_too_long);
	tcase_add_test(tc, test_bad_tasks);
	tcase_add_test(tc, test_unknown_field);
	tcase_add_test(tc, test_driver_run_checks);
	tcase_add_test(tc, test_free_inside_done);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(shell_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
