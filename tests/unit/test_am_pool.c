/*
 * test_am_pool.c — the AM's executor arithmetic: asks, surplus releases,
 * replacement of lost executors, the failure limit (Spark's default) and
 * our own releases not counting.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/executor_pool.h"
#include "weft/protocol.h"

/* Grant container "c<n>" and RET the executor id (0 when not launched). */
static int grant(struct executor_pool *pool, int n, enum executor_pool_grant_result *res)
{
	char id[64];
	int eid = 0;
	enum executor_pool_grant_result r;

	snprintf(id, sizeof id, "container_1_0001_01_%06d", n);
	r = executor_pool_grant(pool, id, "node1:8042", "tok", &eid);
	if (res != NULL)
		*res = r;
	return r == EXECUTOR_POOL_LAUNCH ? eid : 0;
}

static const char *cid(int n)
{
	static char buf[4][64];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "container_1_0001_01_%06d", n);
	return buf[i];
}

/* Number of releases queued (and forget them). */
static int take_count(struct executor_pool *pool, const char *expect_first)
{
	char **r = executor_pool_take_releases(pool);
	int n = 0;

	if (r == NULL)
		return 0;
	if (expect_first != NULL)
		ck_assert_str_eq(r[0], expect_first);
	while (r[n] != NULL)
		n++;
	executor_pool_releases_free(r);
	return n;
}

START_TEST(test_first_ask)
{
	struct executor_pool *pool = executor_pool_new(3, 0);

	ck_assert(executor_pool_needs_ask(pool));
	ck_assert_int_eq(executor_pool_ask_count(pool), 3);
	executor_pool_ask_sent(pool, 3);
	ck_assert(!executor_pool_needs_ask(pool));
	ck_assert(executor_pool_waiting(pool));
	/* Two granted: the RM still holds 1, which is what we want. */
	ck_assert_int_eq(grant(pool, 1, NULL), 1);
	ck_assert_int_eq(grant(pool, 2, NULL), 2);
	ck_assert_int_eq(executor_pool_ask_count(pool), 1);
	ck_assert(!executor_pool_needs_ask(pool));
	ck_assert_int_eq(executor_pool_live(pool), 2);
	ck_assert_int_eq(executor_pool_running(pool), 0);
	executor_pool_started(pool, cid(1));
	ck_assert_int_eq(executor_pool_running(pool), 1);
	ck_assert_int_eq(grant(pool, 3, NULL), 3);
	ck_assert_int_eq(executor_pool_ask_count(pool), 0);
	ck_assert(!executor_pool_waiting(pool));
	ck_assert(!executor_pool_needs_ask(pool));
	executor_pool_free(pool);
}
END_TEST

START_TEST(test_surplus_released)
{
	struct executor_pool *pool = executor_pool_new(1, 0);
	enum executor_pool_grant_result r;

	executor_pool_ask_sent(pool, 1);
	ck_assert_int_eq(grant(pool, 1, &r), 1);
	ck_assert_int_eq(r, EXECUTOR_POOL_LAUNCH);
	ck_assert(!executor_pool_has_releases(pool));
	ck_assert_int_eq(grant(pool, 2, &r), 0);
	ck_assert_int_eq(r, EXECUTOR_POOL_SURPLUS);
	ck_assert(executor_pool_has_releases(pool));
	ck_assert_int_eq(take_count(pool, cid(2)), 1);
	ck_assert(!executor_pool_has_releases(pool));
	ck_assert_int_eq(executor_pool_live(pool), 1);
	/* The same grant twice is not a second executor. */
	grant(pool, 1, &r);
	ck_assert_int_eq(r, EXECUTOR_POOL_DUPLICATE);
	/* The surplus container's end is not ours to count. */
	ck_assert_int_eq(
	        executor_pool_completed(pool, cid(2), WEFT_EXIT_KILLED_BY_APPMASTER, "", NULL),
	        EXECUTOR_POOL_UNKNOWN);
	ck_assert_int_eq(executor_pool_failures(pool), 0);
	executor_pool_free(pool);
}
END_TEST

START_TEST(test_replacement_on_failure)
{
	struct executor_pool *pool = executor_pool_new(2, 0);
	bool was_running = false;

	executor_pool_ask_sent(pool, 2);
	grant(pool, 1, NULL);
	grant(pool, 2, NULL);
	executor_pool_started(pool, cid(1));
	executor_pool_started(pool, cid(2));
	ck_assert(!executor_pool_needs_ask(pool));
	ck_assert_int_eq(executor_pool_completed(pool, cid(1), 137, "killed", &was_running),
	                 EXECUTOR_POOL_FAILED);
	ck_assert(was_running);
	ck_assert_int_eq(executor_pool_failures(pool), 1);
	/* A replacement is wanted at once. */
	ck_assert(executor_pool_needs_ask(pool));
	ck_assert_int_eq(executor_pool_ask_count(pool), 1);
	executor_pool_ask_sent(pool, 1);
	ck_assert_int_eq(grant(pool, 3, NULL), 3);
	ck_assert_int_eq(executor_pool_live(pool), 2);
	/* A container the cluster took away (node lost) is replaced but not
	 * counted. */
	ck_assert_int_eq(executor_pool_completed(pool, cid(2), WEFT_EXIT_ABORTED, "lost", NULL),
	                 EXECUTOR_POOL_LOST);
	ck_assert_int_eq(executor_pool_failures(pool), 1);
	ck_assert_int_eq(executor_pool_ask_count(pool), 1);
	/* Unknown containers are ignored. */
	ck_assert_int_eq(executor_pool_completed(pool, cid(99), 1, "", NULL),
	                 EXECUTOR_POOL_UNKNOWN);
	executor_pool_free(pool);
}
END_TEST

START_TEST(test_limit_spark_default)
{
	struct executor_pool *pool;
	int i;

	/* max(3, 2 x executors). */
	pool = executor_pool_new(1, 0);
	ck_assert_int_eq(executor_pool_max_failures(pool), 3);
	executor_pool_free(pool);
	pool = executor_pool_new(5, 0);
	ck_assert_int_eq(executor_pool_max_failures(pool), 10);
	executor_pool_free(pool);
	pool = executor_pool_new(2, 7);
	ck_assert_int_eq(executor_pool_max_failures(pool), 7);
	executor_pool_free(pool);

	/* One executor, limit 3: the fourth failure exceeds it. */
	pool = executor_pool_new(1, 0);
	for (i = 1; i <= 4; i++) {
		ck_assert(!executor_pool_limit_exceeded(pool));
		ck_assert_int_eq(grant(pool, i, NULL), i);
		executor_pool_started(pool, cid(i));
		ck_assert_int_eq(executor_pool_completed(pool, cid(i), 1, "boom", NULL),
		                 EXECUTOR_POOL_FAILED);
	}
	ck_assert_int_eq(executor_pool_failures(pool), 4);
	ck_assert(executor_pool_limit_exceeded(pool));
	ck_assert_str_eq(executor_pool_failure_diagnostics(pool),
	                 "Max number of executor failures (3) reached; last: container "
	                 "container_1_0001_01_000004 exited with status 1: boom");
	executor_pool_free(pool);
}
END_TEST

START_TEST(test_own_releases_not_counted)
{
	struct executor_pool *pool = executor_pool_new(2, 1);

	executor_pool_ask_sent(pool, 2);
	grant(pool, 1, NULL);
	grant(pool, 2, NULL);
	executor_pool_started(pool, cid(1));
	executor_pool_started(pool, cid(2));
	/* The driver kills executor 1: released, its end expected. */
	ck_assert_int_eq(executor_pool_kill(pool, cid(1)), 0);
	ck_assert_int_eq(executor_pool_kill(pool, cid(1)), -1);
	ck_assert_int_eq(executor_pool_kill(pool, cid(42)), -1);
	ck_assert_int_eq(take_count(pool, cid(1)), 1);
	ck_assert_int_eq(executor_pool_completed(pool, cid(1), 143, "stopped", NULL),
	                 EXECUTOR_POOL_EXPECTED);
	/* Killed while its start was in flight: the caller must stop it. */
	ck_assert_int_eq(grant(pool, 3, NULL), 3);
	ck_assert_int_eq(executor_pool_kill(pool, cid(3)), 0);
	ck_assert(!executor_pool_started(pool, cid(3)));
	ck_assert(!executor_pool_started(pool, cid(77)));
	/* An end with KILLED_BY_APPMASTER is never the job's fault. */
	ck_assert_int_eq(
	        executor_pool_completed(pool, cid(2), WEFT_EXIT_KILLED_BY_APPMASTER, "", NULL),
	        EXECUTOR_POOL_LOST);
	ck_assert_int_eq(executor_pool_failures(pool), 0);
	ck_assert(!executor_pool_limit_exceeded(pool));
	executor_pool_free(pool);
}
END_TEST

START_TEST(test_ending)
{
	struct executor_pool *pool = executor_pool_new(3, 1);
	enum executor_pool_grant_result r;

	executor_pool_ask_sent(pool, 3);
	grant(pool, 1, NULL);
	grant(pool, 2, NULL);
	ck_assert(executor_pool_started(pool, cid(1)));
	executor_pool_set_ending(pool);
	/* A start that answers after the end began: stop it. */
	ck_assert(!executor_pool_started(pool, cid(2)));
	ck_assert(executor_pool_ending(pool));
	ck_assert_int_eq(executor_pool_wanted(pool), 0);
	/* The outstanding ask is withdrawn (count 0). */
	ck_assert(executor_pool_needs_ask(pool));
	ck_assert_int_eq(executor_pool_ask_count(pool), 0);
	ck_assert_int_eq(take_count(pool, NULL), 2);
	/* Late grants go straight back, ends count for nothing. */
	ck_assert_int_eq(grant(pool, 3, &r), 0);
	ck_assert_int_eq(r, EXECUTOR_POOL_SURPLUS);
	ck_assert_int_eq(executor_pool_completed(pool, cid(1), 1, "", NULL),
	                 EXECUTOR_POOL_EXPECTED);
	ck_assert_int_eq(executor_pool_completed(pool, cid(2), 1, "", NULL),
	                 EXECUTOR_POOL_EXPECTED);
	ck_assert_int_eq(executor_pool_failures(pool), 0);
	/* The driver cannot revive it. */
	executor_pool_set_wanted(pool, 5);
	ck_assert_int_eq(executor_pool_wanted(pool), 0);
	executor_pool_free(pool);
}
END_TEST

START_TEST(test_start_failure)
{
	struct executor_pool *pool = executor_pool_new(1, 1);

	executor_pool_ask_sent(pool, 1);
	grant(pool, 1, NULL);
	ck_assert(!executor_pool_needs_ask(pool));
	ck_assert(executor_pool_start_failed(pool, cid(1), "HTTP 401: token expired"));
	ck_assert_int_eq(executor_pool_failures(pool), 1);
	ck_assert(!executor_pool_limit_exceeded(pool));
	ck_assert_int_eq(take_count(pool, cid(1)), 1);
	ck_assert_int_eq(executor_pool_live(pool), 0);
	ck_assert(executor_pool_needs_ask(pool));
	ck_assert_int_eq(executor_pool_ask_count(pool), 1);
	executor_pool_ask_sent(pool, 1);
	grant(pool, 2, NULL);
	ck_assert(executor_pool_start_failed(pool, cid(2), "no such node"));
	ck_assert(executor_pool_limit_exceeded(pool));
	ck_assert_str_eq(executor_pool_failure_diagnostics(pool),
	                 "Max number of executor failures (1) reached; last: container "
	                 "container_1_0001_01_000002 could not be started: no such node");
	/* The RM's later report of the released container is ignored. */
	ck_assert_int_eq(
	        executor_pool_completed(pool, cid(2), WEFT_EXIT_KILLED_BY_APPMASTER, "", NULL),
	        EXECUTOR_POOL_UNKNOWN);
	executor_pool_free(pool);
}
END_TEST

START_TEST(test_request_executors)
{
	struct executor_pool *pool = executor_pool_new(2, 0);

	executor_pool_ask_sent(pool, 2);
	grant(pool, 1, NULL);
	grant(pool, 2, NULL);
	executor_pool_set_wanted(pool, 4);
	ck_assert(executor_pool_needs_ask(pool));
	ck_assert_int_eq(executor_pool_ask_count(pool), 2);
	executor_pool_ask_sent(pool, 2);
	/* Fewer than we hold: nothing more asked, running ones kept (the
	 * driver kills idle ones itself). */
	executor_pool_set_wanted(pool, 1);
	ck_assert_int_eq(executor_pool_ask_count(pool), 0);
	ck_assert(executor_pool_needs_ask(pool)); /* withdraw the 2 */
	executor_pool_ask_sent(pool, 0);
	ck_assert_int_eq(executor_pool_live(pool), 2);
	/* A grant already on its way is surplus now. */
	ck_assert_int_eq(grant(pool, 3, NULL), 0);
	executor_pool_set_wanted(pool, -4);
	ck_assert_int_eq(executor_pool_wanted(pool), 0);
	ck_assert(!executor_pool_exit_counts(0));
	ck_assert(!executor_pool_exit_counts(WEFT_EXIT_PREEMPTED));
	ck_assert(executor_pool_exit_counts(WEFT_EXIT_KILLED_EXCEEDED_PMEM));
	ck_assert(executor_pool_exit_counts(137));
	executor_pool_free(pool);
}
END_TEST

static Suite *pool_suite(void)
{
	Suite *s = suite_create("am_pool");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_first_ask);
	tcase_add_test(tc, test_surplus_released);
	tcase_add_test(tc, test_replacement_on_failure);
	tcase_add_test(tc, test_limit_spark_default);
	tcase_add_test(tc, test_own_releases_not_counted);
	tcase_add_test(tc, test_ending);
	tcase_add_test(tc, test_start_failure);
	tcase_add_test(tc, test_request_executors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pool_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
