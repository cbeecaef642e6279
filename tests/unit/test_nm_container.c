/*
 * test_nm_container.c — the container and application state machines:
 * every legal and every illegal transition, what the RM sees in each
 * state, and the records' behaviour without a running process.
 */
#include "weft_config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "nm/application.h"
#include "nm/container.h"
#include "weft/protocol.h"

#define CID "container_1700000000000_0001_01_000001"

/* The transitions the NM may make, and no others. */
static bool expected_container(enum container_state from, enum container_state to)
{
	switch (from) {
	case CONTAINER_NEW:
		return to == CONTAINER_LOCALIZING || to == CONTAINER_KILLED;
	case CONTAINER_LOCALIZING:
		return to == CONTAINER_RUNNING || to == CONTAINER_EXITED_WITH_FAILURE ||
		       to == CONTAINER_KILLING;
	case CONTAINER_RUNNING:
		return to == CONTAINER_EXITED_WITH_SUCCESS || to == CONTAINER_EXITED_WITH_FAILURE ||
		       to == CONTAINER_KILLING;
	case CONTAINER_KILLING:
		return to == CONTAINER_KILLED;
	case CONTAINER_EXITED_WITH_SUCCESS:
	case CONTAINER_EXITED_WITH_FAILURE:
	case CONTAINER_KILLED:
		return to == CONTAINER_DONE;
	default:
		return false;
	}
}

static struct container *new_record(void)
{
	struct container_spec spec = {CID, "alice", {1024, 1}, "tok"};
	struct container *c = container_new(NULL, &spec, NULL, NULL, NULL);

	ck_assert_ptr_nonnull(c);
	return c;
}

/* Drive a fresh record into state s through legal transitions. */
static struct container *record_in(enum container_state s)
{
	static const enum container_state path_to[CONTAINER_STATE_COUNT][4] = {
	        [CONTAINER_NEW] = {CONTAINER_NEW},
	        [CONTAINER_LOCALIZING] = {CONTAINER_LOCALIZING},
	        [CONTAINER_RUNNING] = {CONTAINER_LOCALIZING, CONTAINER_RUNNING},
	        [CONTAINER_EXITED_WITH_SUCCESS] = {CONTAINER_LOCALIZING, CONTAINER_RUNNING,
	                                           CONTAINER_EXITED_WITH_SUCCESS},
	        [CONTAINER_EXITED_WITH_FAILURE] = {CONTAINER_LOCALIZING,
	                                           CONTAINER_EXITED_WITH_FAILURE},
	        [CONTAINER_KILLING] = {CONTAINER_LOCALIZING, CONTAINER_RUNNING, CONTAINER_KILLING},
	        [CONTAINER_KILLED] = {CONTAINER_LOCALIZING, CONTAINER_KILLING, CONTAINER_KILLED},
	        [CONTAINER_DONE] = {CONTAINER_KILLED, CONTAINER_DONE},
	};
	struct container *c = new_record();
	int i;

	for (i = 0; i < 4 && path_to[s][i] != CONTAINER_NEW; i++)
		ck_assert_int_eq(container_set_state(c, path_to[s][i]), 0);
	ck_assert_int_eq(container_get_state(c), s);
	return c;
}

START_TEST(test_transition_table)
{
	int from, to;

	for (from = 0; from < CONTAINER_STATE_COUNT; from++) {
		for (to = 0; to < CONTAINER_STATE_COUNT; to++) {
			bool want = expected_container(from, to);

			ck_assert_msg(container_transition_allowed(from, to) == want,
			              "%s -> %s should be %s", container_state_name(from),
			              container_state_name(to), want ? "legal" : "illegal");
		}
	}
}
END_TEST

START_TEST(test_set_state_every_pair)
{
	int from, to;

	/* Every pair on a real record: legal ones move, illegal ones leave
	 * the record as it was. */
	for (from = 0; from < CONTAINER_STATE_COUNT; from++) {
		for (to = 0; to < CONTAINER_STATE_COUNT; to++) {
			struct container *c = record_in(from);
			int rc = container_set_state(c, to);

			if (expected_container(from, to)) {
				ck_assert_int_eq(rc, 0);
				ck_assert_int_eq(container_get_state(c), to);
			} else {
				ck_assert_int_eq(rc, -1);
				ck_assert_int_eq(container_get_state(c), from);
			}
			container_free(c);
		}
	}
}
END_TEST

START_TEST(test_reported_state)
{
	int s;

	for (s = 0; s < CONTAINER_STATE_COUNT; s++) {
		bool complete = s == CONTAINER_EXITED_WITH_SUCCESS ||
		                s == CONTAINER_EXITED_WITH_FAILURE || s == CONTAINER_KILLED ||
		                s == CONTAINER_DONE;

		ck_assert_int_eq(container_state_is_complete(s), complete);
	}
	ck_assert_str_eq(container_state_name(CONTAINER_EXITED_WITH_FAILURE),
	                 "EXITED_WITH_FAILURE");
	ck_assert_str_eq(container_state_name(CONTAINER_STATE_COUNT), "UNKNOWN");
}
END_TEST

START_TEST(test_record_fields_and_status)
{
	struct container *c = new_record();
	struct json_object *st;

	ck_assert_str_eq(container_id(c), CID);
	ck_assert_str_eq(container_app_id(c), "application_1700000000000_0001");
	ck_assert_str_eq(container_user(c), "alice");
	ck_assert_str_eq(container_token(c), "tok");
	ck_assert_int_eq(container_resource(c).memory_mb, 1024);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_INVALID);
	ck_assert_int_eq(container_pid(c), 0);
	ck_assert(!container_is_acked(c));

	st = container_status_json(c);
	ck_assert_str_eq(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN),
	                 "{\"containerId\":\"" CID "\",\"state\":\"RUNNING\",\"exitStatus\":-1000,"
	                 "\"diagnostics\":\"\"}");
	json_object_put(st);

	/* Killed before it started: complete at once, with the reason. */
	ck_assert(container_kill(c, WEFT_EXIT_KILLED_BY_RESOURCEMANAGER, "by the RM"));
	ck_assert_int_eq(container_get_state(c), CONTAINER_DONE);
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_BY_RESOURCEMANAGER);
	ck_assert_int_gt(container_finish_time(c), 0);
	container_add_diagnostics(c, "second line");
	st = container_status_json(c);
	ck_assert_str_eq(json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN),
	                 "{\"containerId\":\"" CID "\",\"state\":\"COMPLETE\",\"exitStatus\":-106,"
	                 "\"diagnostics\":\"by the RM\\nsecond line\"}");
	json_object_put(st);
	/* A second kill changes nothing. */
	ck_assert(container_kill(c, WEFT_EXIT_KILLED_BY_APPMASTER, "again"));
	ck_assert_int_eq(container_exit_status(c), WEFT_EXIT_KILLED_BY_RESOURCEMANAGER);
	container_set_acked(c);
	ck_assert(container_is_acked(c));
	container_free(c);
}
END_TEST

START_TEST(test_bad_ids_refused)
{
	struct container_spec spec = {"container_x", "alice", {1024, 1}, NULL};

	ck_assert_ptr_null(container_new(NULL, &spec, NULL, NULL, NULL));
	spec.id = "application_1700000000000_0001";
	ck_assert_ptr_null(container_new(NULL, &spec, NULL, NULL, NULL));
	spec.id = NULL;
	ck_assert_ptr_null(container_new(NULL, &spec, NULL, NULL, NULL));
	/* YARN's epoch form is a container id too, kept as spelled. */
	spec.id = "container_e17_1700000000000_0001_01_000003";
	{
		struct container *c = container_new(NULL, &spec, NULL, NULL, NULL);

		ck_assert_ptr_nonnull(c);
		ck_assert_str_eq(container_id(c), spec.id);
		ck_assert_str_eq(container_app_id(c), "application_1700000000000_0001");
		container_free(c);
	}
}
END_TEST

static bool expected_application(enum application_state from, enum application_state to)
{
	return (from == APPLICATION_RUNNING && (to == APPLICATION_FINISHING_CONTAINERS_WAIT ||
	                                        to == APPLICATION_RESOURCES_CLEANINGUP)) ||
	       (from == APPLICATION_FINISHING_CONTAINERS_WAIT &&
	        to == APPLICATION_RESOURCES_CLEANINGUP) ||
	       (from == APPLICATION_RESOURCES_CLEANINGUP && to == APPLICATION_FINISHED);
}

static int cleaned;

static void cleaned_cb(struct application *a, void *arg)
{
	cleaned++;
}

START_TEST(test_application_states)
{
	struct application *a;
	int from, to;

	for (from = 0; from < APPLICATION_STATE_COUNT; from++) {
		for (to = 0; to < APPLICATION_STATE_COUNT; to++)
			ck_assert_int_eq(application_transition_allowed(from, to),
			                 expected_application(from, to));
	}
	a = application_new(NULL, "application_1700000000000_0001", "alice");
	ck_assert_str_eq(application_state_name(application_get_state(a)), "RUNNING");
	ck_assert_int_eq(application_set_state(a, APPLICATION_FINISHED), -1);
	ck_assert_int_eq(application_get_state(a), APPLICATION_RUNNING);
	ck_assert_int_eq(application_set_state(a, APPLICATION_FINISHING_CONTAINERS_WAIT), 0);
	/* Without a node there is nothing to delete: FINISHED at once. */
	application_cleanup(a, cleaned_cb, NULL);
	ck_assert_int_eq(cleaned, 1);
	ck_assert_int_eq(application_get_state(a), APPLICATION_FINISHED);
	application_cleanup(a, cleaned_cb, NULL);
	ck_assert_int_eq(cleaned, 1);
	ck_assert_str_eq(application_user(a), "alice");
	application_free(a);
}
END_TEST

static Suite *container_suite(void)
{
	Suite *s = suite_create("nm_container");
	TCase *tc = tcase_create("state machine");

	/* Illegal transitions are logged as errors: keep the output clean. */
	log_open("test", LOG_LEVEL_ERROR, "/dev/null");
	tcase_add_test(tc, test_transition_table);
	tcase_add_test(tc, test_set_state_every_pair);
	tcase_add_test(tc, test_reported_state);
	tcase_add_test(tc, test_record_fields_and_status);
	tcase_add_test(tc, test_bad_ids_refused);
	tcase_add_test(tc, test_application_states);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(container_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
