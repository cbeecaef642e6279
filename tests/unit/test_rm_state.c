/*
 * test_rm_state.c — the RM's state tables (app_state.c, rm_containers.c)
 * and WEFT_ASSERT: every move YARN's machines make is allowed, nothing
 * leaves a final state, nothing goes backwards but RUNNING -> ACCEPTED
 * (a retried application); the setters refuse what the tables refuse,
 * leave the state alone, and count the failed assertion when recovered,
 * and abort when assertions are fatal.
 */
#include "weft_config.h"

#include <check.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "common/assert.h"
#include "rm/app_manager_impl.h"

/* The path of an application that finished. */
START_TEST(test_app_table_paths)
{
	static const enum app_state path[] = {APP_NEW,      APP_NEW_SAVING, APP_SUBMITTED,
	                                      APP_ACCEPTED, APP_RUNNING,    APP_FINISHED};

	for (size_t i = 0; i + 1 < sizeof path / sizeof path[0]; i++)
		ck_assert_msg(app_state_allowed(path[i], path[i + 1]), "%s -> %s",
		              app_state_name(path[i]), app_state_name(path[i + 1]));
	/* A failed attempt of a running application is retried. */
	ck_assert(app_state_allowed(APP_RUNNING, APP_ACCEPTED));
	/* Every live state may fail or be killed. */
	for (int s = APP_NEW; s <= APP_RUNNING; s++) {
		ck_assert(!app_state_final((enum app_state)s));
		ck_assert(app_state_allowed((enum app_state)s, APP_FAILED));
		ck_assert(app_state_allowed((enum app_state)s, APP_KILLED));
	}
	/* Skipping a step, or going back, is refused. */
	ck_assert(!app_state_allowed(APP_NEW, APP_RUNNING));
	ck_assert(!app_state_allowed(APP_ACCEPTED, APP_FINISHED));
	ck_assert(!app_state_allowed(APP_ACCEPTED, APP_SUBMITTED));
	ck_assert(!app_state_allowed(APP_STATE_COUNT, APP_NEW));
}
END_TEST

/* Final application states have no way out. */
START_TEST(test_app_table_finals)
{
	static const enum app_state finals[] = {APP_FINISHED, APP_FAILED, APP_KILLED};

	for (size_t i = 0; i < 3; i++) {
		ck_assert(app_state_final(finals[i]));
		for (int to = 0; to < APP_STATE_COUNT; to++)
			ck_assert_msg(!app_state_allowed(finals[i], (enum app_state)to), "%s -> %s",
			              app_state_name(finals[i]),
			              app_state_name((enum app_state)to));
	}
}
END_TEST

/* The path of an attempt whose AM registered and unregistered. */
START_TEST(test_attempt_table)
{
	static const enum attempt_state path[] = {
	        ATTEMPT_NEW,      ATTEMPT_SUBMITTED, ATTEMPT_SCHEDULED, ATTEMPT_ALLOCATED,
	        ATTEMPT_LAUNCHED, ATTEMPT_RUNNING,   ATTEMPT_FINISHED};

	for (size_t i = 0; i + 1 < sizeof path / sizeof path[0]; i++)
		ck_assert_msg(attempt_state_allowed(path[i], path[i + 1]), "%s -> %s",
		              attempt_state_name(path[i]), attempt_state_name(path[i + 1]));
	/* The AM may register before the launcher's answer arrives. */
	ck_assert(attempt_state_allowed(ATTEMPT_ALLOCATED, ATTEMPT_RUNNING));
	/* Only a registered AM finishes; a new attempt cannot fail before it
	 * is added to the scheduler, but may be killed. */
	ck_assert(!attempt_state_allowed(ATTEMPT_LAUNCHED, ATTEMPT_FINISHED));
	ck_assert(!attempt_state_allowed(ATTEMPT_NEW, ATTEMPT_FAILED));
	ck_assert(attempt_state_allowed(ATTEMPT_NEW, ATTEMPT_KILLED));
	ck_assert(!attempt_state_allowed(ATTEMPT_RUNNING, ATTEMPT_LAUNCHED));
	for (int s = ATTEMPT_SUBMITTED; s <= ATTEMPT_RUNNING; s++) {
		ck_assert(attempt_state_allowed((enum attempt_state)s, ATTEMPT_FAILED));
		ck_assert(attempt_state_allowed((enum attempt_state)s, ATTEMPT_KILLED));
	}
	for (int from = ATTEMPT_FINISHED; from <= ATTEMPT_KILLED; from++) {
		ck_assert(attempt_state_final((enum attempt_state)from));
		for (int to = 0; to < ATTEMPT_STATE_COUNT; to++)
			ck_assert(!attempt_state_allowed((enum attempt_state)from,
			                                 (enum attempt_state)to));
	}
}
END_TEST

/* A container record only moves forward. */
START_TEST(test_container_table)
{
	ck_assert(rm_container_state_allowed(RM_CONTAINER_ALLOCATED, RM_CONTAINER_ACQUIRED));
	ck_assert(rm_container_state_allowed(RM_CONTAINER_ACQUIRED, RM_CONTAINER_RUNNING));
	ck_assert(rm_container_state_allowed(RM_CONTAINER_ALLOCATED, RM_CONTAINER_RUNNING));
	ck_assert(!rm_container_state_allowed(RM_CONTAINER_RUNNING, RM_CONTAINER_ACQUIRED));
	ck_assert(!rm_container_state_allowed(RM_CONTAINER_ACQUIRED, RM_CONTAINER_ALLOCATED));
	ck_assert(!rm_container_state_allowed(RM_CONTAINER_RUNNING, RM_CONTAINER_ALLOCATED));
	ck_assert_str_eq(rm_container_state_name(RM_CONTAINER_ACQUIRED), "ACQUIRED");
}
END_TEST

/* Names as the REST API writes them, parsed back case-insensitively. */
START_TEST(test_names)
{
	enum app_state s;
	enum app_final_status f;

	for (int i = 0; i < APP_STATE_COUNT; i++) {
		ck_assert_int_eq(app_state_parse(app_state_name((enum app_state)i), &s), 0);
		ck_assert_int_eq(s, i);
	}
	ck_assert_int_eq(app_state_parse("running", &s), 0);
	ck_assert_int_eq(s, APP_RUNNING);
	ck_assert_int_eq(app_state_parse("RUNNIN", &s), -1);
	ck_assert_int_eq(app_final_status_parse("succeeded", &f), 0);
	ck_assert_int_eq(f, FINAL_SUCCEEDED);
	ck_assert_str_eq(app_final_status_name(FINAL_STATUS_COUNT), "UNDEFINED");
	ck_assert_str_eq(attempt_state_name(ATTEMPT_LAUNCHED), "LAUNCHED");
	ck_assert_str_eq(attempt_state_name(ATTEMPT_STATE_COUNT), "UNKNOWN");
}
END_TEST

/* Recovered (production): the setter refuses, the state stays, the
 * failure is counted; legal moves and non-moves pass. */
START_TEST(test_setter_recovers)
{
	struct rm_app app;
	struct rm_attempt at;
	long before;

	weft_assert_force(0);
	memset(&app, 0, sizeof app);
	strcpy(app.id, "application_1700000000000_0001");
	app.state = APP_ACCEPTED;
	before = weft_assert_failures();
	ck_assert_int_eq(app_state_set(&app, APP_FINISHED, "test"), -1);
	ck_assert_int_eq(app.state, APP_ACCEPTED);
	ck_assert_int_eq(weft_assert_failures(), before + 1);
	ck_assert_int_eq(app_state_set(&app, APP_ACCEPTED, "test"), 0);
	ck_assert_int_eq(app_state_set(&app, APP_RUNNING, "test"), 0);
	ck_assert_int_eq(app.state, APP_RUNNING);
	ck_assert_int_eq(weft_assert_failures(), before + 1);

	memset(&at, 0, sizeof at);
	strcpy(at.id, "appattempt_1700000000000_0001_000001");
	at.state = ATTEMPT_FAILED;
	ck_assert_int_eq(attempt_state_set(&at, ATTEMPT_RUNNING, "test"), -1);
	ck_assert_int_eq(at.state, ATTEMPT_FAILED);
	ck_assert_int_eq(weft_assert_failures(), before + 2);
	ck_assert(!WEFT_ASSERT(1 + 1 == 3));
	ck_assert(WEFT_ASSERT(1 + 1 == 2));
	ck_assert_int_eq(weft_assert_failures(), before + 3);
}
END_TEST

/* Fatal (tests, sanitizer builds): a refused move aborts. */
START_TEST(test_setter_fatal)
{
	struct rm_app app;

	weft_assert_force(1);
	memset(&app, 0, sizeof app);
	strcpy(app.id, "application_1700000000000_0001");
	app.state = APP_KILLED;
	app_state_set(&app, APP_RUNNING, "test");
	ck_abort_msg("a refused transition did not abort");
}
END_TEST

/* The rule: the environment decides, unless the build made it fatal. */
START_TEST(test_assert_rule)
{
	weft_assert_force(-1);
	setenv("WEFT_ASSERT_FATAL", "1", 1);
	ck_assert(weft_assert_fatal());
	setenv("WEFT_ASSERT_FATAL", "0", 1);
#ifdef WEFT_ASSERT_FATAL
	ck_assert(weft_assert_fatal());
#else
	ck_assert(!weft_assert_fatal());
	unsetenv("WEFT_ASSERT_FATAL");
	ck_assert(!weft_assert_fatal());
#endif
	weft_assert_force(1);
	ck_assert(weft_assert_fatal());
}
END_TEST

static Suite *rm_state_suite(void)
{
	Suite *s = suite_create("rm_state");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, test_app_table_paths);
	tcase_add_test(tc, test_app_table_finals);
	tcase_add_test(tc, test_attempt_table);
	tcase_add_test(tc, test_container_table);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_setter_recovers);
	tcase_add_test_raise_signal(tc, test_setter_fatal, SIGABRT);
	tcase_add_test(tc, test_assert_rule);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rm_state_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
