/*
 * test_sls_scenario.c — weft-sls scenario files: defaults, every section,
 * totals, the shipped scenarios, and bad input refused with FILE:LINE
 * (never half-read).
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sls/scenario.h"

/* Parse text that must be refused; RET the message (caller frees). */
static char *refused(const char *text)
{
	char *cause = NULL;
	struct scenario *sc = scenario_parse("t.sls", text, &cause);

	ck_assert_ptr_null(sc);
	ck_assert_ptr_nonnull(cause);
	return cause;
}

START_TEST(test_defaults)
{
	char *cause = NULL;
	struct scenario *sc =
	        scenario_parse("dir/small.sls", "[nodes]\ncount = 3\n[apps x]\n", &cause);

	ck_assert_ptr_nonnull(sc);
	ck_assert_str_eq(sc->name, "small");
	ck_assert_int_eq(sc->duration_ms, 600000);
	ck_assert_int_eq(sc->heartbeat_ms, 1000);
	ck_assert(sc->heartbeat_on_complete);
	ck_assert_int_eq(sc->fairness_from_ms, -1);
	ck_assert_int_eq(scenario_node_count(sc), 3);
	ck_assert_int_eq(sc->nodes[0].memory_mb, 8192);
	ck_assert_int_eq(sc->nodes[0].rack_size, 40);
	ck_assert_int_eq(scenario_app_count(sc), 1);
	ck_assert_str_eq(sc->apps[0].queue, "default");
	ck_assert_str_eq(sc->apps[0].user, "sls");
	ck_assert_int_eq(sc->apps[0].containers, 10);
	/* parallel defaults to every task at once */
	ck_assert_int_eq(sc->apps[0].parallel, 10);
	ck_assert_int_eq(sc->apps[0].duration_min_ms, 1000);
	ck_assert_int_eq(sc->apps[0].duration_max_ms, 1000);
	ck_assert(!sc->apps[0].release_preempted);
	scenario_free(sc);
}
END_TEST

START_TEST(test_every_section)
{
	static const char text[] = "# a comment\n"
	                           "[cluster]\n"
	                           "name = big  # trailing comment\n"
	                           "duration-s = 30\n"
	                           "heartbeat-interval-ms = 250\n"
	                           "heartbeat-on-complete = no\n"
	                           "fairness-from-s = 10\n"
	                           "fairness-to-s = 20\n"
	                           "fairness-tolerance = 2.5\n"
	                           "[rm]\n"
	                           "rm.scheduler.preemption.enabled = true\n"
	                           "[queues]\n"
	                           "root.queues = a, b\n"
	                           "[nodes]\n"
	                           "count = 10\n"
	                           "[nodes]\n"
	                           "count = 5\n"
	                           "memory-mb = 4096\n"
	                           "[queue root.a]\n"
	                           "guarantee = 30\n"
	                           "[queue b]\n"
	                           "[apps one]\n"
	                           "count = 4\n"
	                           "queue = a\n"
	                           "containers = 100\n"
	                           "parallel = 500\n"
	                           "duration-ms = 10-20\n"
	                           "submit-at-s = 2\n"
	                           "on-preempt = release\n"
	                           "[apps two]\n"
	                           "count = 0\n";
	char *cause = NULL;
	struct scenario *sc = scenario_parse("t.sls", text, &cause);

	ck_assert_msg(sc != NULL, "%s", cause);
	ck_assert_str_eq(sc->name, "big");
	ck_assert_int_eq(sc->duration_ms, 30000);
	ck_assert_int_eq(sc->heartbeat_ms, 250);
	ck_assert(!sc->heartbeat_on_complete);
	ck_assert_int_eq(sc->fairness_from_ms, 10000);
	ck_assert_int_eq(sc->fairness_to_ms, 20000);
	ck_assert(sc->fairness_tolerance == 2.5);
	ck_assert_int_eq(sc->n_rm_lines, 1);
	ck_assert_str_eq(sc->rm_lines[0], "rm.scheduler.preemption.enabled = true");
	ck_assert_int_eq(sc->n_queue_lines, 1);
	ck_assert_str_eq(sc->queue_lines[0], "root.queues = a, b");
	ck_assert_int_eq(scenario_node_count(sc), 15);
	ck_assert_int_eq(sc->nodes[1].memory_mb, 4096);
	ck_assert_int_eq(sc->n_queues, 2);
	ck_assert(sc->queues[0].guarantee == 30);
	ck_assert(sc->queues[1].guarantee < 0); /* the RM's */
	ck_assert_int_eq(scenario_app_count(sc), 4);
	ck_assert_int_eq(scenario_container_count(sc), 400);
	ck_assert_int_eq(sc->apps[0].parallel, 100); /* capped at the tasks */
	ck_assert_int_eq(sc->apps[0].duration_min_ms, 10);
	ck_assert_int_eq(sc->apps[0].duration_max_ms, 20);
	ck_assert_int_eq(sc->apps[0].submit_at_ms, 2000);
	ck_assert(sc->apps[0].release_preempted);
	scenario_free(sc);
}
END_TEST

START_TEST(test_refused)
{
	static const struct {
		const char *text, *message;
	} cases[] = {
	        {"count = 1\n", "t.sls:1: count: outside any section"},
	        {"[nodes]\ncount = 0\n", "t.sls:2: count: 0 is out of range"},
	        {"[nodes]\ncount = 1x\n", "t.sls:2: count: '1x' is not an integer"},
	        {"[nodes]\nbogus = 1\n", "t.sls:2: unknown key 'bogus'"},
	        {"[nodes]\ncount 1\n", "t.sls:2: expected key = value"},
	        {"[nodes\n", "t.sls:1: a section header"},
	        {"[wat]\n", "t.sls:1: unknown section [wat]"},
	        {"[apps]\n", "t.sls:1: [apps NAME]: a name"},
	        {"[nodes extra]\n", "t.sls:1: [nodes] takes no name"},
	        {"[queue a]\n[queue a]\n", "t.sls:2: [queue a] appears twice"},
	        {"[nodes]\n[apps a]\nduration-ms = 20-10\n", "t.sls:3: duration-ms"},
	        {"[nodes]\n[apps a]\nduration-ms = -5\n", "t.sls:3: duration-ms"},
	        {"[nodes]\n[apps a]\nqueue = a b\n", "t.sls:3: queue: 'a b' holds a space"},
	        {"[nodes]\n[apps a]\non-preempt = maybe\n", "t.sls:3: on-preempt"},
	        {"[cluster]\nheartbeat-on-complete = perhaps\n", "t.sls:2: heartbeat-on-complete"},
	        {"[queue a]\nguarantee = 101\n", "t.sls:2: guarantee"},
	        {"[cluster]\nduration-s = 5\n", "no [nodes] section"},
	        {"[nodes]\n[cluster]\nfairness-from-s = 9\nfairness-to-s = 3\n",
	         "fairness-to-s must come after"},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *cause = refused(cases[i].text);

		ck_assert_msg(strstr(cause, cases[i].message) != NULL, "case %zu: got '%s'", i,
		              cause);
		free(cause);
	}
}
END_TEST

/* The scenarios tests/bench ships must all read. */
START_TEST(test_shipped)
{
	static const char *const names[] = {
	        "smoke",    "cluster-10k",    "burst-100k",         "preemption",
	        "rss-100k", "heartbeats-10k", "heartbeats-busy-10k"};
	const char *src = getenv("WEFT_SRCDIR");

	if (src == NULL)
		src = ".";
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[4096], *cause = NULL;
		struct scenario *sc;

		snprintf(path, sizeof path, "%s/tests/bench/scenarios/%s.sls", src, names[i]);
		sc = scenario_load(path, &cause);
		ck_assert_msg(sc != NULL, "%s", cause);
		ck_assert_str_eq(sc->name, names[i]);
		scenario_free(sc);
	}
}
END_TEST

START_TEST(test_missing_file)
{
	char *cause = NULL;

	ck_assert_ptr_null(scenario_load("/nonexistent/x.sls", &cause));
	ck_assert_ptr_nonnull(strstr(cause, "/nonexistent/x.sls"));
	free(cause);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sls_scenario");
	TCase *tc = tcase_create("scenario");

	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_every_section);
	tcase_add_test(tc, test_refused);
	tcase_add_test(tc, test_shipped);
	tcase_add_test(tc, test_missing_file);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
