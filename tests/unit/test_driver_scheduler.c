/*
 * test_driver_scheduler.c — the task scheduler against a fake executor
 * backend: spreading over executors and cores, retries on another
 * executor, failing a set after max_failures attempts (killing the rest),
 * lost executors' tasks re-queued without counting, stale and
 * contradictory reports, and sets freed from inside their callbacks.
 */
#include "weft_config.h"

#include <check.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/xmalloc.h"
#include "driver/task_scheduler.h"

#define MAX_EVENTS 256

/* What the fake backend saw. */
struct sent {
	const char *executor; /* the handle is the executor's name */
	int64_t task_id;
	int attempt;
	int index;
};

static struct sent launches[MAX_EVENTS], kills[MAX_EVENTS];
static int n_launches, n_kills;

/* Outcome of the set under test. */
static int n_task_succeeded, n_set_succeeded, n_set_failed;
static char *failed_reason;
static int succeeded_indexes[MAX_EVENTS];
static bool free_in_task_callback;
static struct task_set *current_set;

static void fake_launch(void *executor, const struct task_launch *l, void *arg)
{
	ck_assert_int_lt(n_launches, MAX_EVENTS);
	launches[n_launches].executor = executor;
	launches[n_launches].task_id = l->task_id;
	launches[n_launches].attempt = l->attempt;
	launches[n_launches].index = l->index;
	ck_assert_str_eq(l->command, "cmd");
	n_launches++;
}

static void fake_kill(void *executor, int64_t task_id, int attempt, void *arg)
{
	ck_assert_int_lt(n_kills, MAX_EVENTS);
	kills[n_kills].executor = executor;
	kills[n_kills].task_id = task_id;
	kills[n_kills].attempt = attempt;
	n_kills++;
}

static void on_task_succeeded(struct task_set *set, const struct task_result *r, void *arg)
{
	succeeded_indexes[n_task_succeeded++] = r->index;
	if (free_in_task_callback) {
		task_set_free(set);
		current_set = NULL;
	}
}

static void on_set_succeeded(struct task_set *set, void *arg)
{
	n_set_succeeded++;
}

static void on_set_failed(struct task_set *set, const char *reason, void *arg)
{
	n_set_failed++;
	free(failed_reason);
	failed_reason = xstrdup(reason);
}

static const struct task_set_callbacks callbacks = {
        .task_succeeded = on_task_succeeded,
        .succeeded = on_set_succeeded,
        .failed = on_set_failed,
};

static struct task_scheduler *setup(int max_failures)
{
	struct task_backend backend = {fake_launch, fake_kill, NULL};

	n_launches = n_kills = 0;
	n_task_succeeded = n_set_succeeded = n_set_failed = 0;
	free(failed_reason);
	failed_reason = NULL;
	free_in_task_callback = false;
	current_set = NULL;
	return task_scheduler_new(max_failures, &backend);
}

static struct task_set *submit(struct task_scheduler *ts, int n)
{
	struct task_spec *specs = xcalloc((size_t)n, sizeof *specs);
	struct task_set *set;
	int i;

	for (i = 0; i < n; i++) {
		specs[i].index = i;
		specs[i].command = "cmd";
	}
	set = task_scheduler_submit(ts, NULL, specs, n, &callbacks, NULL);
	free(specs);
	current_set = set;
	return set;
}

/* Report on launch number i. */
static int report(struct task_scheduler *ts, struct task_executor *e, int i, enum task_report state,
                  int exit_code, const char *out, const char *tail)
{
	struct task_status st;
	char *cause = NULL;
	int rc;

	memset(&st, 0, sizeof st);
	st.task_id = launches[i].task_id;
	st.attempt = launches[i].attempt;
	st.state = state;
	st.exit_code = exit_code;
	st.stdout_data = out;
	st.stdout_len = out != NULL ? strlen(out) : 0;
	st.stdout_size = (int64_t)st.stdout_len;
	st.stderr_tail = tail;
	rc = task_scheduler_status(ts, e, &st, &cause);
	free(cause);
	return rc;
}

START_TEST(test_spreads_over_executors_and_cores)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1, *e2;
	struct task_set *set;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 2, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h2", "h2", 2, "e2");
	set = submit(ts, 5);
	/* One task per executor per round: e1, e2, e1, e2; the fifth waits. */
	ck_assert_int_eq(n_launches, 4);
	ck_assert_str_eq(launches[0].executor, "e1");
	ck_assert_str_eq(launches[1].executor, "e2");
	ck_assert_str_eq(launches[2].executor, "e1");
	ck_assert_str_eq(launches[3].executor, "e2");
	ck_assert_int_eq(launches[0].index, 0);
	ck_assert_int_eq(launches[3].index, 3);
	ck_assert_int_eq(task_scheduler_pending_count(ts), 1);
	ck_assert_int_eq(task_scheduler_running_count(ts), 4);

	/* A RUNNING report changes nothing; a finish frees a slot. */
	ck_assert_int_eq(report(ts, e2, 1, TASK_REPORT_RUNNING, 0, NULL, NULL), 0);
	ck_assert_int_eq(n_launches, 4);
	ck_assert_int_eq(report(ts, e2, 1, TASK_REPORT_FINISHED, 0, "out", NULL), 0);
	ck_assert_int_eq(n_launches, 5);
	ck_assert_str_eq(launches[4].executor, "e2");
	ck_assert_int_eq(launches[4].index, 4);
	ck_assert_int_eq(n_task_succeeded, 1);

	report(ts, e1, 0, TASK_REPORT_FINISHED, 0, "", NULL);
	report(ts, e1, 2, TASK_REPORT_FINISHED, 0, "", NULL);
	report(ts, e2, 3, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_set_succeeded, 0);
	report(ts, e2, 4, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_task_succeeded, 5);
	ck_assert_int_eq(n_set_succeeded, 1);
	ck_assert_int_eq(n_set_failed, 0);
	ck_assert_int_eq(task_scheduler_running_count(ts), 0);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_retry_goes_to_another_executor)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1, *e2;
	struct task_set *set;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 1, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h2", "h2", 1, "e2");
	set = submit(ts, 1);
	ck_assert_int_eq(n_launches, 1);
	ck_assert_str_eq(launches[0].executor, "e1");
	ck_assert_int_eq(launches[0].attempt, 0);

	report(ts, e1, 0, TASK_REPORT_FAILED, 3, NULL, "no");
	ck_assert_int_eq(n_launches, 2);
	ck_assert_str_eq(launches[1].executor, "e2");
	ck_assert_int_eq(launches[1].attempt, 1);

	/* Failed on both: any executor will do now. */
	report(ts, e2, 1, TASK_REPORT_FAILED, 3, NULL, "no");
	ck_assert_int_eq(n_launches, 3);
	ck_assert_int_eq(launches[2].attempt, 2);
	report(ts, strcmp(launches[2].executor, "e1") == 0 ? e1 : e2, 2, TASK_REPORT_FINISHED, 0,
	       "ok", NULL);
	ck_assert_int_eq(n_set_succeeded, 1);
	ck_assert_int_eq(n_set_failed, 0);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_waits_for_an_executor_that_has_not_failed_it)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1, *e2;
	struct task_set *set;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 1, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h2", "h2", 1, "e2");
	set = submit(ts, 2); /* task 0 on e1, task 1 on e2 */
	ck_assert_int_eq(n_launches, 2);
	report(ts, e1, 0, TASK_REPORT_FAILED, 1, NULL, NULL);
	/* e1 is free but task 0 failed there and e2 is alive: it waits. */
	ck_assert_int_eq(n_launches, 2);
	ck_assert_int_eq(task_scheduler_pending_count(ts), 1);
	report(ts, e2, 1, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_launches, 3);
	ck_assert_str_eq(launches[2].executor, "e2");
	ck_assert_int_eq(launches[2].index, 0);
	ck_assert_int_eq(launches[2].attempt, 1);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_fails_after_max_attempts_and_kills_the_rest)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1;
	struct task_set *set;
	int i, failing = -1;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 3, "e1");
	set = submit(ts, 3);
	ck_assert_int_eq(n_launches, 3);
	for (i = 0; i < 4; i++) {
		failing = n_launches - 1; /* the latest launch is task 2's */
		ck_assert_int_eq(launches[failing].index, 2);
		ck_assert_int_eq(launches[failing].attempt, i);
		ck_assert_int_eq(n_set_failed, 0);
		report(ts, e1, failing, TASK_REPORT_FAILED, 7, NULL, "boom\n");
	}
	ck_assert_int_eq(n_set_failed, 1);
	ck_assert_int_eq(n_launches, 6);
	ck_assert_str_eq(failed_reason, "Task 2 failed 4 times; most recent failure (executor e1 "
	                                "on host h1): exit code 7; stderr tail: boom");
	/* Tasks 0 and 1 were told to stop; their slots stay taken until the
	 * executor says they are gone. */
	ck_assert_int_eq(n_kills, 2);
	ck_assert_int_eq(task_scheduler_running_count(ts), 2);
	ck_assert_int_eq(report(ts, e1, 0, TASK_REPORT_KILLED, 143, NULL, NULL), 0);
	ck_assert_int_eq(report(ts, e1, 1, TASK_REPORT_KILLED, 143, NULL, NULL), 0);
	ck_assert_int_eq(task_scheduler_running_count(ts), 0);
	ck_assert_int_eq(n_set_failed, 1);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_lost_executor_is_not_a_failure)
{
	struct task_scheduler *ts = setup(1); /* a single failure would end the set */
	struct task_executor *e1, *e2;
	struct task_set *set;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 1, "e1");
	set = submit(ts, 1);
	ck_assert_int_eq(n_launches, 1);
	task_scheduler_executor_lost(ts, e1, "test");
	ck_assert_int_eq(task_scheduler_pending_count(ts), 1);
	ck_assert_int_eq(task_scheduler_running_count(ts), 0);
	ck_assert_int_eq(n_set_failed, 0);

	e2 = task_scheduler_executor_added(ts, "e2", "h2", "h2", 1, "e2");
	ck_assert_int_eq(n_launches, 2);
	ck_assert_str_eq(launches[1].executor, "e2");
	ck_assert_int_eq(launches[1].attempt, 1);
	report(ts, e2, 1, TASK_REPORT_FINISHED, 0, "x", NULL);
	ck_assert_int_eq(n_set_succeeded, 1);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_stale_and_contradictory_reports)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1, *e2;
	struct task_status st;
	struct task_set *set;
	char *cause = NULL;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 1, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h2", "h2", 1, "e2");
	set = submit(ts, 1);
	/* A report from the wrong executor, or about another attempt or
	 * task, is ignored. */
	ck_assert_int_eq(report(ts, e2, 0, TASK_REPORT_FINISHED, 0, "x", NULL), 0);
	memset(&st, 0, sizeof st);
	st.task_id = launches[0].task_id;
	st.attempt = 5;
	st.state = TASK_REPORT_FINISHED;
	ck_assert_int_eq(task_scheduler_status(ts, e1, &st, &cause), 0);
	st.task_id = 999;
	st.attempt = 0;
	ck_assert_int_eq(task_scheduler_status(ts, e1, &st, &cause), 0);
	ck_assert_int_eq(n_task_succeeded, 0);
	ck_assert_int_eq(task_scheduler_running_count(ts), 1);
	/* FINISHED with a non-zero exit code contradicts itself. */
	ck_assert_int_eq(report(ts, e1, 0, TASK_REPORT_FINISHED, 2, "x", NULL), -1);
	ck_assert_int_eq(n_task_succeeded, 0);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_free_set_inside_callback)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 2, "e1");
	submit(ts, 2);
	free_in_task_callback = true;
	report(ts, e1, 0, TASK_REPORT_FINISHED, 0, "x", NULL);
	ck_assert_ptr_null(current_set);
	ck_assert_int_eq(n_task_succeeded, 1);
	ck_assert_int_eq(n_set_succeeded, 0);
	/* The other task was killed; its late report is harmless. */
	ck_assert_int_eq(n_kills, 1);
	ck_assert_int_eq(report(ts, e1, 1, TASK_REPORT_FINISHED, 0, "x", NULL), 0);
	ck_assert_int_eq(n_task_succeeded, 1);
	ck_assert_int_eq(task_scheduler_running_count(ts), 0);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_two_sets_fifo)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1;
	struct task_set *a, *b;

	e1 = task_scheduler_executor_added(ts, "e1", "h1", "h1", 1, "e1");
	a = submit(ts, 2);
	b = submit(ts, 1);
	ck_assert_int_eq(n_launches, 1);
	report(ts, e1, 0, TASK_REPORT_FINISHED, 0, "", NULL);
	report(ts, e1, 1, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_set_succeeded, 1); /* a first, then b's task */
	ck_assert_int_eq(n_launches, 3);
	report(ts, e1, 2, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_set_succeeded, 2);
	task_set_free(a);
	task_set_free(b);
	task_scheduler_free(ts);
}
END_TEST

/* Submit n tasks, task i preferring prefs[i] (or none). */
static struct task_set *submit_preferring(struct task_scheduler *ts, int n, const char **prefs,
                                          const struct task_set_callbacks *cb)
{
	struct task_spec *specs = xcalloc((size_t)n, sizeof *specs);
	struct task_set *set;
	int i;

	for (i = 0; i < n; i++) {
		specs[i].index = i;
		specs[i].command = "cmd";
		specs[i].preferred_node = prefs != NULL ? prefs[i] : NULL;
	}
	set = task_scheduler_submit(ts, "stage", specs, n, cb != NULL ? cb : &callbacks, NULL);
	free(specs);
	current_set = set;
	return set;
}

START_TEST(test_locality_first_then_any)
{
	static const char *prefs[] = {"n2", "n1", "n2"};
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1, *e2;
	struct task_set *set;

	e1 = task_scheduler_executor_added(ts, "e1", "h", "n1", 1, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h", "n2", 1, "e2");
	set = submit_preferring(ts, 3, prefs, NULL);
	/* Each executor takes the task that prefers its node. */
	ck_assert_int_eq(n_launches, 2);
	ck_assert_str_eq(launches[0].executor, "e1");
	ck_assert_int_eq(launches[0].index, 1);
	ck_assert_str_eq(launches[1].executor, "e2");
	ck_assert_int_eq(launches[1].index, 0);
	/* e1 frees up first: task 2 prefers busy n2, so e1 runs it anyway. */
	report(ts, e1, 0, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_launches, 3);
	ck_assert_str_eq(launches[2].executor, "e1");
	ck_assert_int_eq(launches[2].index, 2);
	report(ts, e2, 1, TASK_REPORT_FINISHED, 0, "", NULL);
	report(ts, e1, 2, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_set_succeeded, 1);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

static int n_fetch_failed;
static void on_fetch_failed(struct task_set *set, const struct task_result *r, void *arg)
{
	n_fetch_failed++;
	ck_assert_ptr_nonnull(r->result);
	ck_assert_str_eq(r->node, "n1");
}

START_TEST(test_fetch_failure_goes_to_the_owner)
{
	struct task_set_callbacks cb = callbacks;
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1;
	struct task_set *set;
	struct task_set_counts c;
	struct task_status st;
	struct proto_task_result result;
	char *cause = NULL;

	cb.fetch_failed = on_fetch_failed;
	n_fetch_failed = 0;
	e1 = task_scheduler_executor_added(ts, "e1", "h", "n1", 1, "e1");
	set = submit_preferring(ts, 1, NULL, &cb);
	memset(&st, 0, sizeof st);
	st.task_id = launches[0].task_id;
	st.attempt = 0;
	st.state = TASK_REPORT_FAILED;
	st.exit_code = 75;
	proto_task_result_init(&result);
	result.has_fetch_failed = true;
	result.fetch_failed.node = "n9:1";
	st.result = &result;
	ck_assert_int_eq(task_scheduler_status(ts, e1, &st, &cause), 0);
	/* Not retried, not counted: the owner recomputes. */
	ck_assert_int_eq(n_fetch_failed, 1);
	ck_assert_int_eq(n_launches, 1);
	ck_assert_int_eq(n_set_failed, 0);
	task_set_counts(set, &c);
	ck_assert_int_eq(c.failed, 0);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_speculative_copy_wins)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1, *e2, *orig;
	struct task_set *set;
	struct task_set_counts c;
	struct timespec nap = {0, 150 * 1000 * 1000};
	int i;

	e1 = task_scheduler_executor_added(ts, "e1", "h", "n1", 2, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h", "n2", 2, "e2");
	set = submit_preferring(ts, 4, NULL, NULL);
	ck_assert_int_eq(n_launches, 4);
	task_scheduler_set_speculation(ts, true);
	/* Nothing to compare with yet. */
	ck_assert_int_eq(task_scheduler_speculate(ts), 0);
	for (i = 0; i < 3; i++)
		report(ts, strcmp(launches[i].executor, "e1") == 0 ? e1 : e2, i,
		       TASK_REPORT_FINISHED, 0, "", NULL);
	nanosleep(&nap, NULL);
	ck_assert_int_eq(task_scheduler_speculate(ts), 1);
	ck_assert_int_eq(task_scheduler_speculate(ts), 0); /* once per task */
	ck_assert_int_eq(n_launches, 5);
	ck_assert_int_eq(launches[4].index, 3);
	ck_assert_int_eq(launches[4].attempt, 1);
	ck_assert_str_ne(launches[4].executor, launches[3].executor);
	/* The copy finishes first: the original is killed. */
	orig = strcmp(launches[3].executor, "e1") == 0 ? e1 : e2;
	report(ts, orig == e1 ? e2 : e1, 4, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_set_succeeded, 1);
	ck_assert_int_eq(n_kills, 1);
	ck_assert_int_eq(kills[0].attempt, 0);
	task_set_counts(set, &c);
	ck_assert_int_eq(c.speculative, 1);
	/* Its late KILLED report is no failure. */
	report(ts, orig, 3, TASK_REPORT_KILLED, 137, NULL, NULL);
	ck_assert_int_eq(n_set_failed, 0);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

START_TEST(test_excluded_nodes_and_released_executors)
{
	struct task_scheduler *ts = setup(4);
	struct task_executor *e1, *e2;
	struct task_set *set;

	e1 = task_scheduler_executor_added(ts, "e1", "h", "n1", 1, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h", "n2", 1, "e2");
	task_scheduler_exclude_node(ts, "n1");
	set = submit_preferring(ts, 2, NULL, NULL);
	/* Only e2 runs tasks while it can. */
	ck_assert_int_eq(n_launches, 1);
	ck_assert_str_eq(launches[0].executor, "e2");
	/* Released: e2 takes nothing more; with no executor elsewhere, the
	 * excluded node's e1 does the work rather than nobody. */
	task_scheduler_executor_disable(ts, e2);
	report(ts, e2, 0, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_launches, 2);
	ck_assert_str_eq(launches[1].executor, "e1");
	ck_assert_int_eq(task_scheduler_slot_count(ts), 1);
	report(ts, e1, 1, TASK_REPORT_FINISHED, 0, "", NULL);
	ck_assert_int_eq(n_set_succeeded, 1);
	task_set_free(set);
	task_scheduler_free(ts);
}
END_TEST

static Suite *scheduler_suite(void)
{
	Suite *s = suite_create("driver_scheduler");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_spreads_over_executors_and_cores);
	tcase_add_test(tc, test_retry_goes_to_another_executor);
	tcase_add_test(tc, test_waits_for_an_executor_that_has_not_failed_it);
	tcase_add_test(tc, test_fails_after_max_attempts_and_kills_the_rest);
	tcase_add_test(tc, test_lost_executor_is_not_a_failure);
	tcase_add_test(tc, test_stale_and_contradictory_reports);
	tcase_add_test(tc, test_free_set_inside_callback);
	tcase_add_test(tc, test_two_sets_fifo);
	tcase_add_test(tc, test_locality_first_then_any);
	tcase_add_test(tc, test_fetch_failure_goes_to_the_owner);
	tcase_add_test(tc, test_speculative_copy_wins);
	tcase_add_test(tc, test_excluded_nodes_and_released_executors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(scheduler_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
