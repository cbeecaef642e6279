/*
 * test_driver_dag.c — the DAG scheduler's stages and recovery, in
 * process, through the real task scheduler and a fake task backend that
 * stands in for executors: the test decides which task finishes, fails,
 * reports FetchFailed, and which executor or node is lost, and asserts
 * which map partitions are computed again, where, how many stage
 * attempts it took, and when a job gives up.
 *
 * The job: t (a text file cut into 3 splits) -> m (map) -> r
 * (reduce-by-key, 2 partitions), collected: a map stage of 3 tasks
 * feeding a result stage of 2.
 */
#include "weft_config.h"

#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/proto_task.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/dag_scheduler.h"
#include "driver/lineage.h"
#include "driver/task_scheduler.h"

#define MAX_LAUNCHES 256
#define MAP_STAGE    0
#define RESULT_STAGE 1
#define N1           "n1:8042"
#define N2           "n2:8042"

/* One launch the fake backend received, decoded as an executor would. */
struct launched {
	const char *executor; /* the handle: "e1" or "e2" */
	int64_t task_id;
	int attempt;
	int index;
	struct proto_task_spec spec;
	bool reported; /* the test sent its final status */
	bool killed;   /* the driver asked for a kill */
	bool output;   /* a map task that finished: its output is on its node */
};

static char dir[] = "/tmp/weft-test-dag-XXXXXX";
static struct launched launches[MAX_LAUNCHES];
static int n_launches, n_kills;
static struct task_scheduler *ts;
static struct task_executor *e1, *e2;
static struct lineage *lin;
static struct dag_scheduler *dag;
static int n_partitions_done, n_succeeded, n_failed;
static char *failure;

/* Backend: a launch.  Its task must decode as the executor decodes it. */
static void fake_launch(void *executor, const struct task_launch *l, void *arg)
{
	struct launched *x;
	char *cause = NULL;

	ck_assert_int_lt(n_launches, MAX_LAUNCHES);
	ck_assert_ptr_nonnull(l->payload);
	x = &launches[n_launches++];
	memset(x, 0, sizeof *x);
	x->executor = executor;
	x->task_id = l->task_id;
	x->attempt = l->attempt;
	x->index = l->index;
	ck_assert_msg(proto_task_spec_decode(l->payload, "task", PROTO_TASK_SPEC_LAUNCH, &x->spec,
	                                     &cause) == 0,
	              "the driver sent a task the executor refuses: %s", cause);
	ck_assert_int_eq(x->spec.partition, l->index);
}

/* Backend: a kill.  The executor's KILLED report follows once the
 * driver's call returns (settle). */
static void fake_kill(void *executor, int64_t task_id, int attempt, void *arg)
{
	int i;

	n_kills++;
	for (i = 0; i < n_launches; i++)
		if (launches[i].task_id == task_id && launches[i].attempt == attempt)
			launches[i].killed = true;
}

static void on_partition_done(void *arg, int partition, const struct task_result *r)
{
	n_partitions_done++;
}

static void on_succeeded(void *arg)
{
	n_succeeded++;
}

static void on_failed(void *arg, const char *reason)
{
	n_failed++;
	free(failure);
	failure = xstrdup(reason);
}

/* A fresh driver core over the job, with e1 on N1 and e2 on N2 (cores
 * each), max_failures attempts per task; the job is started. */
static void start(int cores, int max_failures)
{
	struct task_backend backend = {fake_launch, fake_kill, NULL};
	struct dag_job_callbacks cb = {on_partition_done, on_succeeded, on_failed, NULL};
	struct dag_output out = {ACTION_COLLECT, NULL};
	char *text, *cause = NULL;
	struct json_object *job;

	n_launches = n_kills = n_partitions_done = n_succeeded = n_failed = 0;
	free(failure);
	failure = NULL;
	text = xasprintf("{\"kind\":\"dataflow\",\"datasets\":{"
	                 "\"t\":{\"op\":\"text\",\"input\":\"%s/in.txt\",\"split-size\":10},"
	                 "\"m\":{\"op\":\"map\",\"parent\":\"t\",\"command\":\"cat\"},"
	                 "\"r\":{\"op\":\"reduce-by-key\",\"parent\":\"m\",\"partitions\":2}},"
	                 "\"actions\":[{\"op\":\"collect\",\"dataset\":\"r\"}]}",
	                 dir);
	job = json_tokener_parse(text);
	ck_assert_ptr_nonnull(job);
	ck_assert_msg(lineage_parse(job, true, &lin, &cause) == 0, "%s", cause);
	json_object_put(job);
	free(text);
	ck_assert_int_eq(lineage_find(lin, "t")->partitions, 3);
	ts = task_scheduler_new(max_failures, &backend);
	e1 = task_scheduler_executor_added(ts, "e1", "h1", N1, cores, "e1");
	e2 = task_scheduler_executor_added(ts, "e2", "h2", N2, cores, "e2");
	dag = dag_scheduler_new(lin, ts);
	dag_scheduler_run_job(dag, lineage_find(lin, "r"), &out, &cb);
}

static void stop(void)
{
	int i;

	dag_scheduler_free(dag);
	task_scheduler_free(ts);
	lineage_free(lin);
	for (i = 0; i < n_launches; i++)
		proto_task_spec_clear(&launches[i].spec);
}

/* The scheduler's record of a launch's executor. */
static struct task_executor *executor_of(const struct launched *x)
{
	return strcmp(x->executor, "e1") == 0 ? e1 : e2;
}

/* The node a launch ran on. */
static const char *node_of(const struct launched *x)
{
	return strcmp(x->executor, "e1") == 0 ? N1 : N2;
}

/* Send a launch's final status. */
static void report(int i, enum task_report state, int exit_code,
                   const struct proto_task_result *result)
{
	struct launched *x = &launches[i];
	struct task_status st;
	char *cause = NULL;
	int k = i;

	ck_assert(!x->reported);
	x->reported = true;
	memset(&st, 0, sizeof st);
	st.task_id = x->task_id;
	st.attempt = x->attempt;
	st.state = state;
	st.exit_code = exit_code;
	st.stdout_data = state == TASK_REPORT_FINISHED ? "k\t1\n" : NULL;
	st.stdout_len = st.stdout_data != NULL ? 4 : 0;
	st.stdout_size = (int64_t)st.stdout_len;
	st.stderr_tail = "";
	st.result = result;
	ck_assert_msg(task_scheduler_status(ts, executor_of(x), &st, &cause) == 0, "%s", cause);
	/* Killed attempts report KILLED, as an executor does. */
	for (k = 0; k < n_launches; k++)
		if (launches[k].killed && !launches[k].reported)
			report(k, TASK_REPORT_KILLED, 143, NULL);
}

/* A map task finishes with 10 bytes for each reduce partition. */
static void finish_map(int i)
{
	struct proto_task_result r;
	int64_t sizes[2] = {10, 10};
	char *map = proto_task_map_id(launches[i].index, launches[i].task_id, launches[i].attempt);

	ck_assert_int_eq(launches[i].spec.stage, MAP_STAGE);
	ck_assert_int_eq(launches[i].spec.out.type, PROTO_TASK_OUTPUT_SHUFFLE);
	proto_task_result_init(&r);
	r.has_map_output = true;
	r.map_output.map = map;
	r.map_output.sizes = sizes;
	r.map_output.n_sizes = 2;
	report(i, TASK_REPORT_FINISHED, 0, &r);
	launches[i].output = true;
	free(map);
}

/* A result task finishes. */
static void finish_result(int i)
{
	ck_assert_int_eq(launches[i].spec.stage, RESULT_STAGE);
	ck_assert_int_eq(launches[i].spec.in.type, PROTO_TASK_INPUT_SHUFFLE);
	report(i, TASK_REPORT_FINISHED, 0, NULL);
}

/* A reduce task cannot fetch a map output from node. */
static void fetch_fail(int i, const char *node)
{
	struct proto_task_result r;

	proto_task_result_init(&r);
	r.has_fetch_failed = true;
	r.fetch_failed.shuffle_id = 0;
	r.fetch_failed.map = "0_1_0";
	r.fetch_failed.node = (char *)node;
	r.fetch_failed.message = "connection refused";
	report(i, TASK_REPORT_FAILED, 75, &r);
}

/* Finish every launch of stage that has not reported.  RET how many. */
static int finish_pending(int stage)
{
	int i, n = 0;

	for (i = 0; i < n_launches; i++) {
		if (launches[i].reported || launches[i].spec.stage != stage)
			continue;
		if (stage == MAP_STAGE)
			finish_map(i);
		else
			finish_result(i);
		n++;
	}
	return n;
}

/* An integer of stage id's entry in the status page. */
static int64_t stage_field(int id, const char *key)
{
	struct json_object *status = dag_scheduler_status(dag), *stages, *st, *v;
	int64_t out;

	ck_assert(json_object_object_get_ex(status, "stages", &stages));
	st = json_object_array_get_idx(stages, (size_t)id);
	ck_assert_ptr_nonnull(st);
	ck_assert_msg(json_object_object_get_ex(st, key, &v), "stage %d has no %s", id, key);
	out = json_object_get_int64(v);
	json_object_put(status);
	return out;
}

/* The launches from first on: a bitmask of their indexes, and of their
 * nodes (bit 0: N1, bit 1: N2). */
static void launched_since(int first, int stage, unsigned *indexes, unsigned *nodes)
{
	int i;

	*indexes = *nodes = 0;
	for (i = first; i < n_launches; i++) {
		if (launches[i].spec.stage != stage)
			continue;
		*indexes |= 1u << launches[i].index;
		*nodes |= strcmp(node_of(&launches[i]), N1) == 0 ? 1u : 2u;
	}
}

/* The map partitions whose (last) output is on node: a bitmask. */
static unsigned maps_on(const char *node)
{
	unsigned mask = 0;
	int i;

	for (i = 0; i < n_launches; i++) {
		if (launches[i].spec.stage != MAP_STAGE || !launches[i].output)
			continue;
		if (strcmp(node_of(&launches[i]), node) == 0)
			mask |= 1u << launches[i].index;
		else
			mask &= ~(1u << launches[i].index);
	}
	return mask;
}

/* The first unreported launch of stage, or -1. */
static int first_running(int stage)
{
	int i;

	for (i = 0; i < n_launches; i++)
		if (!launches[i].reported && launches[i].spec.stage == stage)
			return i;
	return -1;
}

/* ------------------------------------------------------------------ */

START_TEST(test_stages_run_in_order)
{
	start(2, 4);
	/* Only the map stage runs at first, one task per split. */
	ck_assert_int_eq(n_launches, 3);
	ck_assert_int_eq(first_running(RESULT_STAGE), -1);
	ck_assert_int_eq(finish_pending(MAP_STAGE), 3);
	/* Then the result stage, reading all three map outputs. */
	ck_assert_int_eq(n_launches, 5);
	ck_assert_int_eq(launches[3].spec.in.n_sides, 1);
	ck_assert_int_eq(launches[3].spec.in.sides[0].n_maps, 3);
	ck_assert_int_eq(finish_pending(RESULT_STAGE), 2);
	ck_assert_int_eq(n_succeeded, 1);
	ck_assert_int_eq(n_partitions_done, 2);
	ck_assert_int_eq(stage_field(MAP_STAGE, "attempts"), 1);
	ck_assert_int_eq(stage_field(RESULT_STAGE, "attempts"), 1);
	ck_assert_int_eq(dag_scheduler_recomputed(dag), 0);
	stop();
}
END_TEST

START_TEST(test_fetch_failure_recomputes_only_the_lost_partitions)
{
	unsigned lost, indexes, nodes;
	int first, r;

	start(4, 4);
	finish_pending(MAP_STAGE);
	lost = maps_on(N1);
	/* Both nodes got map tasks (the scheduler spreads them). */
	ck_assert_uint_ne(lost, 0);
	ck_assert_uint_ne(lost, 7);
	r = first_running(RESULT_STAGE);
	ck_assert_int_ge(r, 0);
	first = n_launches;
	fetch_fail(r, N1);
	/* The attempt is over (its other task killed), N1's outputs are
	 * forgotten, and exactly those map partitions run again, on N2. */
	ck_assert_int_ge(n_kills, 1);
	launched_since(first, MAP_STAGE, &indexes, &nodes);
	ck_assert_uint_eq(indexes, lost);
	ck_assert_uint_eq(nodes, 2u);
	launched_since(first, RESULT_STAGE, &indexes, &nodes);
	ck_assert_uint_eq(indexes, 0);
	ck_assert_int_eq(stage_field(RESULT_STAGE, "fetchFailures"), 1);
	finish_pending(MAP_STAGE);
	/* The result stage's second attempt reads outputs on N2 only. */
	launched_since(first, RESULT_STAGE, &indexes, &nodes);
	ck_assert_uint_eq(indexes, 3u);
	for (r = first; r < n_launches; r++) {
		int k;

		if (launches[r].spec.stage != RESULT_STAGE)
			continue;
		ck_assert_int_eq(launches[r].spec.in.sides[0].n_maps, 3);
		for (k = 0; k < 3; k++)
			ck_assert_str_eq(launches[r].spec.in.sides[0].maps[k].node, N2);
	}
	finish_pending(RESULT_STAGE);
	ck_assert_int_eq(n_succeeded, 1);
	ck_assert_int_eq(n_failed, 0);
	ck_assert_int_eq(stage_field(MAP_STAGE, "attempts"), 2);
	ck_assert_int_eq(stage_field(RESULT_STAGE, "attempts"), 2);
	ck_assert_int_eq(stage_field(MAP_STAGE, "numRecomputedTasks"), __builtin_popcount(lost));
	ck_assert_int_eq(dag_scheduler_recomputed(dag), __builtin_popcount(lost));
	/* A stage that completes starts its count of failures afresh. */
	ck_assert_int_eq(stage_field(RESULT_STAGE, "fetchFailures"), 0);
	stop();
}
END_TEST

START_TEST(test_job_fails_after_four_fetch_failures_in_a_row)
{
	int attempt, r;

	start(2, 4);
	finish_pending(MAP_STAGE);
	for (attempt = 1; attempt <= 4; attempt++) {
		r = first_running(RESULT_STAGE);
		ck_assert_msg(r >= 0, "attempt %d of the result stage was not launched", attempt);
		ck_assert_int_eq(n_failed, 0);
		/* A node that holds nothing: no map output is lost, the stage
		 * is simply tried again. */
		fetch_fail(r, "n9:8042");
		ck_assert_int_eq(stage_field(RESULT_STAGE, "fetchFailures"), attempt);
		/* Tried again at once, until the fourth failure in a row. */
		ck_assert_int_eq(stage_field(RESULT_STAGE, "attempts"),
		                 attempt < 4 ? attempt + 1 : 4);
	}
	ck_assert_int_eq(n_failed, 1);
	ck_assert_int_eq(n_succeeded, 0);
	ck_assert_ptr_nonnull(
	        strstr(failure, "has failed the maximum allowable number of times: 4"));
	ck_assert_ptr_nonnull(strstr(failure, "n9:8042"));
	/* Nothing runs any more, nothing was recomputed: 3 map tasks and
	 * 4 attempts of 2 reduce tasks were all that ran. */
	ck_assert_int_eq(first_running(MAP_STAGE), -1);
	ck_assert_int_eq(first_running(RESULT_STAGE), -1);
	ck_assert_int_eq(n_launches, 3 + 4 * 2);
	ck_assert_int_eq(dag_scheduler_recomputed(dag), 0);
	stop();
}
END_TEST

START_TEST(test_lost_node_loses_its_outputs)
{
	unsigned lost, indexes, nodes;
	int first, r;

	start(4, 4);
	finish_pending(MAP_STAGE);
	lost = maps_on(N1);
	ck_assert_uint_ne(lost, 0);
	ck_assert_uint_ne(lost, 7);
	/* The cluster loses N1 while the result stage runs: e1's tasks go
	 * back to the queue (no failure) and run on e2, and N1's map outputs
	 * are forgotten at once. */
	first = n_launches;
	task_scheduler_executor_lost(ts, e1, "Container released on a *lost* node");
	e1 = NULL;
	dag_scheduler_executor_removed(dag, "e1", N1, "Container released on a *lost* node");
	for (r = 0; r < n_launches; r++)
		if (strcmp(launches[r].executor, "e1") == 0)
			launches[r].reported = true; /* gone with e1 */
	/* The reduces' tasks still list N1's outputs: one fails to fetch,
	 * and only the lost partitions are computed again, on N2. */
	r = first_running(RESULT_STAGE);
	ck_assert_int_ge(r, 0);
	ck_assert_str_eq(launches[r].executor, "e2");
	fetch_fail(r, N1);
	launched_since(first, MAP_STAGE, &indexes, &nodes);
	ck_assert_uint_eq(indexes, lost);
	ck_assert_uint_eq(nodes, 2u);
	finish_pending(MAP_STAGE);
	finish_pending(RESULT_STAGE);
	ck_assert_int_eq(n_succeeded, 1);
	ck_assert_int_eq(n_failed, 0);
	ck_assert_int_eq(dag_scheduler_recomputed(dag), __builtin_popcount(lost));
	ck_assert_int_eq(stage_field(MAP_STAGE, "attempts"), 2);
	stop();
}
END_TEST

START_TEST(test_lost_executor_reruns_its_tasks_without_a_new_attempt)
{
	unsigned indexes, nodes, on_e1;

	start(2, 4);
	/* e1 dies while it runs map tasks: the task scheduler re-queues
	 * them on e2; the stage is still in its first attempt and nothing
	 * counts as recomputed. */
	launched_since(0, MAP_STAGE, &indexes, &nodes);
	on_e1 = 0;
	for (int i = 0; i < n_launches; i++)
		if (strcmp(launches[i].executor, "e1") == 0)
			on_e1 |= 1u << launches[i].index;
	ck_assert_uint_ne(on_e1, 0);
	task_scheduler_executor_lost(ts, e1, "container exited with status 137");
	e1 = NULL;
	dag_scheduler_executor_removed(dag, "e1", N1, "container exited with status 137");
	for (int i = 0; i < n_launches; i++)
		if (strcmp(launches[i].executor, "e1") == 0)
			launches[i].reported = true; /* gone with e1 */
	while (first_running(MAP_STAGE) >= 0)
		finish_pending(MAP_STAGE);
	ck_assert_uint_eq(maps_on(N2), 7u);
	finish_pending(RESULT_STAGE);
	ck_assert_int_eq(n_succeeded, 1);
	ck_assert_int_eq(stage_field(MAP_STAGE, "attempts"), 1);
	ck_assert_int_eq(dag_scheduler_recomputed(dag), 0);
	stop();
}
END_TEST

START_TEST(test_task_failing_max_times_fails_the_job)
{
	int r, first;

	start(2, 2);
	/* Map task 0 fails on one executor, then on the other: with two
	 * attempts allowed the job fails, naming the task. */
	for (first = 0; first < n_launches && launches[first].index != 0; first++)
		;
	ck_assert_int_lt(first, n_launches);
	report(first, TASK_REPORT_FAILED, 3, NULL);
	for (r = 0; r < n_launches && (launches[r].index != 0 || launches[r].reported); r++)
		;
	ck_assert_int_lt(r, n_launches);
	ck_assert_int_eq(launches[r].attempt, 1);
	ck_assert_str_ne(launches[r].executor, launches[first].executor);
	report(r, TASK_REPORT_FAILED, 3, NULL);
	ck_assert_int_eq(n_failed, 1);
	ck_assert_int_eq(n_succeeded, 0);
	ck_assert_ptr_nonnull(failure);
	ck_assert_int_eq(first_running(RESULT_STAGE), -1);
	ck_assert_int_eq(first_running(MAP_STAGE), -1); /* the others were killed */
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("driver_dag");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	char *path;
	int failed, fd;

	if (mkdtemp(dir) == NULL)
		return EXIT_FAILURE;
	/* 30 bytes in 10-byte splits: 3 map partitions. */
	path = xasprintf("%s/in.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, "a\t1\nb\t2\nc\t3\nd\t4\ne\t5\nf\t6\ng\t7\nh", 30) != 30)
		return EXIT_FAILURE;
	close(fd);
	tcase_add_test(tc, test_stages_run_in_order);
	tcase_add_test(tc, test_fetch_failure_recomputes_only_the_lost_partitions);
	tcase_add_test(tc, test_job_fails_after_four_fetch_failures_in_a_row);
	tcase_add_test(tc, test_lost_node_loses_its_outputs);
	tcase_add_test(tc, test_lost_executor_reruns_its_tasks_without_a_new_attempt);
	tcase_add_test(tc, test_task_failing_max_times_fails_the_job);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	unlink(path);
	free(path);
	rmdir(dir);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
