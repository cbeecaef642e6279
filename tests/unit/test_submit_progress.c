/*
 * test_submit_progress.c — weft-submit's progress display: Spark's bar
 * for a stage, and the plain lines written when stderr is not a
 * terminal (one per change, one when a stage is done, again when a stage
 * recomputes lost partitions).
 */
#include "weft_config.h"

#include <check.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_client.h"
#include "common/proto_driver.h"
#include "common/xmalloc.h"
#include "submit/submit_progress.h"
#include "testlib.h"

START_TEST(test_bar)
{
	char *bar;

	bar = submit_progress_bar(2, 37, 4, 100, 40);
	ck_assert_str_eq(bar, "[Stage 2:=====>          (37 + 4) / 100]");
	ck_assert_int_eq((int)strlen(bar), 40);
	free(bar);
	bar = submit_progress_bar(0, 0, 2, 4, 22);
	ck_assert_str_eq(bar, "[Stage 0:>(0 + 2) / 4]");
	free(bar);
	bar = submit_progress_bar(1, 4, 0, 4, 24);
	ck_assert_str_eq(bar, "[Stage 1:===(4 + 0) / 4]");
	free(bar);
	/* Too narrow: no bar, still the counts. */
	bar = submit_progress_bar(12, 5, 1, 10, 5);
	ck_assert_str_eq(bar, "[Stage 12:(5 + 1) / 10]");
	free(bar);
}
END_TEST

/* A driver's status page (as the driver encodes it) with one stage. */
static struct json_object *status(const char *state, int done, int running, int attempts,
                                  int recomputed)
{
	struct proto_driver_stage stage = {
	        .stage_id = 3,
	        .name = "counts",
	        .kind = "result",
	        .state = state,
	        .dataset = "counts",
	        .shuffle_id = -1,
	        .job_id = -1,
	        .attempts = attempts,
	        .num_tasks = 8,
	        .num_complete = done,
	        .num_active = running,
	        .num_recomputed = recomputed,
	};
	struct proto_driver_job job = {.kind = "dataflow",
	                               .stages = &stage,
	                               .n_stages = 1,
	                               .recomputed_map_partitions = -1};
	struct proto_driver_status m = {
	        .address = "127.0.0.1:7077", .state = "RUNNING", .started_ms = 1};

	m.job_object = proto_driver_job_encode(&job);
	return testlib_json_wire(proto_driver_status_encode(&m));
}

START_TEST(test_plain_lines)
{
	struct event_base *base = event_base_new();
	struct http_client *client = http_client_new(base);
	struct submit_progress *p;
	struct json_object *st;
	char *buf = NULL;
	size_t len = 0;
	FILE *err = open_memstream(&buf, &len);
	const char *const updates[][5] = {
	        {"RUNNING", "2", "2", "1", "0"}, {"RUNNING", "2", "2", "1", "0"},
	        {"RUNNING", "5", "3", "1", "0"}, {"DONE", "8", "0", "1", "0"},
	        {"DONE", "8", "0", "1", "0"},    {"DONE", "8", "0", "2", "3"},
	};
	size_t i;

	p = submit_progress_new(base, client, err, false);
	for (i = 0; i < sizeof updates / sizeof updates[0]; i++) {
		st = status(updates[i][0], atoi(updates[i][1]), atoi(updates[i][2]),
		            atoi(updates[i][3]), atoi(updates[i][4]));
		submit_progress_update(p, st);
		json_object_put(st);
	}
	submit_progress_finish(p);
	fflush(err);
	ck_assert_str_eq(buf, "weft-submit: stage 3 (counts): 2/8 tasks done, 2 running\n"
	                      "weft-submit: stage 3 (counts): 5/8 tasks done, 3 running\n"
	                      "weft-submit: stage 3 (counts) done: 8 tasks\n"
	                      "weft-submit: stage 3 (counts) done: 8 tasks (3 recomputed)\n");
	submit_progress_free(p);
	fclose(err);
	free(buf);
	http_client_free(client);
	event_base_free(base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("submit_progress");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, test_bar);
	tcase_add_test(tc, test_plain_lines);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
