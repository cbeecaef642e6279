/*
 * test_am_core.c — the AM core (am.c: the executor pool on libweft's AM
 * and NM clients) against the in-process fake RM and NM of test_am_fake.c
 * (one http_server on 127.0.0.1:0 in the AM's own event loop that checks
 * the AM token header).
 *
 * Each test scripts the RM's allocate answers and asserts what the AM
 * sends back: the first grants arrive in the register → allocate round
 * trip, a lost executor is reported to the driver and replaced at once,
 * surplus grants are released, the failure limit fails the application
 * with Spark's message, SHUTDOWN and 404 end the AM, a refused token and
 * an unreachable RM end it with status 1.
 */
#include "weft_config.h"

#include <check.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "test_am_fake.h"
#include "weft/protocol.h"
#include "testlib.h"

/* An allocate the AM sent at once, not on its heartbeat timer: it came
 * sooner after the previous answer than the heartbeat interval, before
 * which that timer cannot fire (less the slack of libevent's coarse
 * clock).  A loaded machine only makes a timer later, never sooner. */
static void assert_not_a_heartbeat(struct fake *f, int n, int heartbeat_ms)
{
	ck_assert_msg(f->alloc_delay[n] < heartbeat_ms - 20,
	              "allocate %d came %lld ms after the answer: on the %d ms heartbeat", n,
	              (long long)f->alloc_delay[n], heartbeat_ms);
}

/* --- register → allocate (grant) → lost → replacement → SHUTDOWN -------- */

#define LIFECYCLE_HEARTBEAT_MS 1000

static struct json_object *lifecycle_allocate(struct fake *f, struct json_object *req, int n,
                                              int *status)
{
	struct json_object *a = fake_answer();

	switch (f->step) {
	case 0:
		/* The first allocate follows register at once, asking for all. */
		ck_assert_int_eq(fake_response_id(req), 0);
		ck_assert_int_eq(fake_ask_count(req), 2);
		fake_add_grant(f, a, 1, "tok1");
		fake_add_grant(f, a, 2, "tok2");
		f->step = 1;
		break;
	case 1:
		ck_assert_int_eq(fake_response_id(req), n);
		ck_assert_int_eq(fake_ask_count(req), -1); /* nothing new to ask */
		if (f->starts == 2) {
			fake_add_completed(a, 1, 137, "killed by signal 9");
			f->step = 2;
		}
		break;
	case 2:
		/* The replacement ask goes out at once, not a heartbeat later. */
		assert_not_a_heartbeat(f, n, LIFECYCLE_HEARTBEAT_MS);
		ck_assert_int_eq(fake_ask_count(req), 1);
		ck_assert_int_eq(f->lost, 1);
		fake_add_grant(f, a, 3, "tok3");
		f->step = 3;
		break;
	case 3:
		if (f->starts == 3) {
			wjson_add_string(a, "action", "SHUTDOWN");
			f->step = 4;
		}
		break;
	default:
		ck_abort_msg("allocate after SHUTDOWN");
	}
	return a;
}

START_TEST(test_lifecycle)
{
	struct fake *f = fake_new(lifecycle_allocate, 2, 0, LIFECYCLE_HEARTBEAT_MS, NULL);

	fake_run(f);
	ck_assert(f->exited);
	ck_assert_int_eq(f->exit_status, 0);
	ck_assert_int_eq(f->registers, 1);
	ck_assert_int_eq(f->step, 4);
	ck_assert(am_registered(f->am));
	ck_assert_str_eq(am_application_id(f->am), "application_1700000000000_0001");
	/* Three executors were started, with ids 1, 2, 3. */
	ck_assert_int_eq(f->starts, 3);
	fake_check_start(f, 0, 1, "tok1");
	fake_check_start(f, 1, 2, "tok2");
	fake_check_start(f, 2, 3, "tok3");
	/* The lost one was reported to the driver. */
	ck_assert_int_eq(f->lost, 1);
	ck_assert_str_eq(f->lost_id[0], fake_container(1));
	ck_assert_int_eq(f->lost_status[0], 137);
	ck_assert_str_eq(f->lost_diag, "killed by signal 9");
	ck_assert_int_eq(am_failures(f->am), 1);
	/* SHUTDOWN: the driver was stopped, the live executors too, and no
	 * finish was sent (the app is already over). */
	ck_assert_int_eq(f->driver_stops, 1);
	ck_assert(fake_was_stopped(f, 2));
	ck_assert(fake_was_stopped(f, 3));
	ck_assert(!fake_was_stopped(f, 1));
	ck_assert_int_eq(f->finishes, 0);
	fake_free(f);
}
END_TEST

/* --- the first grants need no heartbeat ---------------------------------- */

static struct json_object *first_round_trip_allocate(struct fake *f, struct json_object *req, int n,
                                                     int *status)
{
	struct json_object *a = fake_answer();

	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(fake_ask_count(req), 2);
	fake_add_grant(f, a, 1, "tok1");
	fake_add_grant(f, a, 2, "tok2");
	return a;
}

/* The AM stops once both executors were started. */
static void first_round_trip_poll_cb(evutil_socket_t fd, short events, void *arg)
{
	struct fake *f = arg;
	struct timeval tv = {0, 5000};

	if (f->starts == 2)
		am_stop(f->am);
	else
		event_base_once(f->base, -1, EV_TIMEOUT, first_round_trip_poll_cb, f, &tv);
}

START_TEST(test_first_round_trip)
{
	/* A one-minute heartbeat: waiting for it would blow the deadline. */
	struct fake *f = fake_new(first_round_trip_allocate, 2, 0, 60000, NULL);
	struct timeval tv = {0, 5000};

	event_base_once(f->base, -1, EV_TIMEOUT, first_round_trip_poll_cb, f, &tv);
	fake_run(f);
	ck_assert(f->exited);
	ck_assert_int_eq(f->exit_status, 0);
	ck_assert_int_eq(f->allocates, 1);
	ck_assert_int_eq(f->starts, 2);
	/* (It exited at all: a minute's heartbeat is longer than any wait.) */
	/* am_stop: executors stopped, no finish (the RM decides). */
	ck_assert(fake_was_stopped(f, 1));
	ck_assert(fake_was_stopped(f, 2));
	ck_assert_int_eq(f->finishes, 0);
	ck_assert_int_eq(f->driver_stops, 1);
	fake_free(f);
}
END_TEST

/* --- failure limit ------------------------------------------------------- */

static struct json_object *limit_allocate(struct fake *f, struct json_object *req, int n,
                                          int *status)
{
	struct json_object *a = fake_answer();

	switch (f->step) {
	case 0:
		ck_assert_int_eq(fake_ask_count(req), 1);
		fake_add_grant(f, a, 1, "tok1");
		f->step = 1;
		break;
	case 1:
		if (f->starts == 1) {
			fake_add_completed(a, 1, 1, "boom");
			f->step = 2;
		}
		break;
	case 2:
		ck_assert_int_eq(fake_ask_count(req), 1);
		fake_add_grant(f, a, 2, "tok2");
		f->step = 3;
		break;
	case 3:
		if (f->starts == 2) {
			fake_add_completed(a, 2, 2, "bang");
			f->step = 4;
		}
		break;
	default:
		/* Allocates after the limit carry no new ask. */
		ck_assert_int_le(fake_ask_count(req), 0);
		break;
	}
	return a;
}

START_TEST(test_failure_limit)
{
	struct fake *f = fake_new(limit_allocate, 1, 1, 100, NULL);

	fake_run(f);
	ck_assert(f->exited);
	ck_assert_int_eq(f->exit_status, 0);
	ck_assert_int_eq(f->finishes, 1);
	ck_assert_str_eq(f->finish_status, "FAILED");
	ck_assert_str_eq(f->finish_diag,
	                 "Max number of executor failures (1) reached; last: container "
	                 "container_1700000000000_0001_01_000002 exited with status 2: bang");
	ck_assert_int_eq(f->lost, 2);
	ck_assert_int_eq(f->driver_stops, 1);
	ck_assert_str_eq(f->driver_stop_diag, f->finish_diag);
	fake_free(f);
}
END_TEST

/* --- surplus grants and a normal finish ---------------------------------- */

#define SURPLUS_HEARTBEAT_MS 1000

static struct json_object *surplus_allocate(struct fake *f, struct json_object *req, int n,
                                            int *status)
{
	struct json_object *a = fake_answer();

	switch (f->step) {
	case 0:
		ck_assert_int_eq(fake_ask_count(req), 1);
		fake_add_grant(f, a, 1, "tok1");
		fake_add_grant(f, a, 2, "tok2"); /* one too many */
		f->step = 1;
		break;
	case 1:
		/* Released at once, without waiting for a heartbeat. */
		assert_not_a_heartbeat(f, n, SURPLUS_HEARTBEAT_MS);
		ck_assert(fake_releases(req, 2));
		ck_assert(!fake_releases(req, 1));
		f->step = 2;
		break;
	case 2:
		if (f->starts == 1) {
			am_finish(f->am, "SUCCEEDED", "");
			f->step = 3;
		}
		break;
	case 3:
		/* The final allocate gives the executor back. */
		ck_assert(fake_releases(req, 1));
		f->step = 4;
		break;
	default:
		ck_abort_msg("allocate after the final one");
	}
	return a;
}

START_TEST(test_surplus_and_finish)
{
	struct fake *f = fake_new(surplus_allocate, 1, 0, SURPLUS_HEARTBEAT_MS, NULL);

	fake_run(f);
	ck_assert(f->exited);
	ck_assert_int_eq(f->exit_status, 0);
	ck_assert_int_eq(f->step, 4);
	ck_assert_int_eq(f->starts, 1);
	fake_check_start(f, 0, 1, "tok1");
	ck_assert_int_eq(f->finishes, 1);
	ck_assert_str_eq(f->finish_status, "SUCCEEDED");
	ck_assert_str_eq(f->finish_diag, "");
	ck_assert(fake_was_stopped(f, 1));
	ck_assert_int_eq(f->driver_stops, 0);
	fake_free(f);
}
END_TEST

/* --- an executor that cannot start --------------------------------------- */

static struct json_object *start_failure_allocate(struct fake *f, struct json_object *req, int n,
                                                  int *status)
{
	struct json_object *a = fake_answer();

	switch (f->step) {
	case 0:
		fake_add_grant(f, a, 1, "bad");
		f->step = 1;
		break;
	case 1:
		/* A heartbeat may beat the NM's refusal back: nothing yet. */
		if (!fake_releases(req, 1)) {
			ck_assert_int_eq(fake_ask_count(req), -1);
			break;
		}
		/* The refused container goes back and a replacement is asked. */
		ck_assert_int_eq(fake_ask_count(req), 1);
		fake_add_grant(f, a, 2, "tok2");
		f->step = 2;
		break;
	case 2:
		if (f->starts == 1) {
			wjson_add_string(a, "action", "SHUTDOWN");
			f->step = 3;
		}
		break;
	default:
		ck_abort_msg("allocate after SHUTDOWN");
	}
	return a;
}

START_TEST(test_start_failure)
{
	struct fake *f = fake_new(start_failure_allocate, 1, 0, 100, NULL);

	f->nm_refuse_token_bad = 1;
	fake_run(f);
	ck_assert_int_eq(f->exit_status, 0);
	ck_assert_int_eq(f->step, 3);
	ck_assert_int_eq(am_failures(f->am), 1);
	ck_assert_int_eq(f->starts, 1);
	fake_check_start(f, 0, 2, "tok2");
	/* It never ran: the driver does not hear of it. */
	ck_assert_int_eq(f->lost, 0);
	fake_free(f);
}
END_TEST

/* --- the RM errs: retried as is; 404 ends the AM ------------------------- */

static struct json_object *transient_allocate(struct fake *f, struct json_object *req, int n,
                                              int *status)
{
	switch (n) {
	case 0:
		*status = 503;
		return NULL;
	case 1:
		/* The very same request again. */
		ck_assert_str_eq(wjson_text(req), wjson_text(f->alloc_req[0]));
		ck_assert_int_eq(fake_response_id(req), 0);
		ck_assert_int_eq(fake_ask_count(req), 2);
		return fake_answer();
	default:
		*status = 404;
		return NULL;
	}
}

START_TEST(test_transient_then_not_found)
{
	struct fake *f = fake_new(transient_allocate, 2, 0, 100, NULL);

	fake_run(f);
	ck_assert(f->exited);
	ck_assert_int_eq(f->exit_status, 1);
	ck_assert_int_eq(f->allocates, 3);
	ck_assert_int_eq(f->finishes, 0);
	ck_assert_int_eq(f->driver_stops, 1);
	fake_free(f);
}
END_TEST

/* --- an NM that never answers a stop: the AM exits after its grace ----- */

static struct json_object *hang_allocate(struct fake *f, struct json_object *req, int n,
                                         int *status)
{
	struct json_object *a = fake_answer();

	if (n == 0)
		fake_add_grant(f, a, 1, "tok1");
	else if (f->starts == 1) {
		wjson_add_string(a, "action", "SHUTDOWN");
		f->step_time = time_mono_ms();
	}
	return a;
}

START_TEST(test_stop_grace)
{
	struct fake *f = fake_new(hang_allocate, 1, 0, 100, NULL);
	int64_t waited;

	f->nm_hang_stops = true;
	fake_run(f);
	ck_assert_int_eq(f->exit_status, 0);
	ck_assert(fake_was_stopped(f, 1));
	/* fake_new's grace is 2 s: not sooner (it waited for the answer);
	 * and the hung stop call cannot have ended it (its timeout is longer
	 * than fake_loop's wait), so the grace did. */
	waited = f->exited_ms - f->step_time;
	ck_assert_int_ge(waited, 1900);
	fake_free(f);
}
END_TEST

static struct json_object *never_allocate(struct fake *f, struct json_object *req, int n,
                                          int *status)
{
	ck_abort_msg("no allocate expected");
	return NULL;
}

START_TEST(test_bad_token)
{
	struct fake *f = fake_new(never_allocate, 1, 0, 100, "appattempt_1:forged");

	fake_loop(f);
	ck_assert(!f->timed_out);
	ck_assert(f->exited);
	ck_assert_int_eq(f->exit_status, 1);
	ck_assert_int_eq(f->bad_token, 1); /* refused once, not retried */
	ck_assert_int_eq(f->registers, 0);
	fake_free(f);
}
END_TEST

START_TEST(test_register_refused)
{
	struct fake *f = fake_new(never_allocate, 1, 0, 100, NULL);

	f->register_status = 409;
	fake_run(f);
	ck_assert_int_eq(f->exit_status, 1);
	ck_assert_int_eq(f->registers, 1);
	fake_free(f);
}
END_TEST

/* --- an RM that never answers -------------------------------------------- */

START_TEST(test_unreachable)
{
	struct event_base *base = event_base_new();
	struct http_server *srv = http_server_new(base, 1024);
	struct fake f = {0};
	struct am_settings s = {0};
	struct am_driver_ops ops = {.stop = fake_driver_stop_cb, .arg = &f};
	char *url, *cause = NULL;
	int port;

	/* A port that was free a moment ago: nobody listens there now. */
	ck_assert_msg(http_server_bind(srv, "127.0.0.1:0", &cause) == 0, "%s", cause);
	port = http_server_port(srv);
	http_server_free(srv);

	f.base = base;
	url = xasprintf("http://127.0.0.1:%d", port);
	s.rm_addresses = url;
	s.am_token = TOKEN;
	s.attempt_id = "appattempt_1700000000000_0001_000001";
	s.host = "127.0.0.1";
	s.app_secret = SECRET;
	s.num_executors = 1;
	s.executor_resource = weft_resource(1024, 1);
	s.heartbeat_ms = 100;
	s.rm_give_up_ms = 700;
	s.call_timeout_ms = 1000;
	f.am = am_new(base, &s, fake_exit_cb, &f, &cause);
	ck_assert_msg(f.am != NULL, "am_new: %s", cause);
	am_set_driver(f.am, DRIVER, &ops);
	f.started_ms = time_mono_ms();
	am_start(f.am);
	/* It gives up (a bounded wait: an AM that retries for ever fails). */
	ck_assert_msg(testlib_loop_until(base, fake_exited, &f, TESTLIB_WAIT_MS),
	              "the AM never gave up");
	ck_assert_int_eq(f.exit_status, 1);
	/* After the give-up time, not before. */
	ck_assert_int_ge(f.exited_ms - f.started_ms, 700);
	ck_assert_int_eq(f.driver_stops, 1);
	am_free(f.am);
	event_base_free(base);
	free(url);
	free(f.driver_stop_diag);
}
END_TEST

static Suite *am_core_suite(void)
{
	Suite *s = suite_create("am_core");
	TCase *tc = tcase_create("fake_rm");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_lifecycle);
	tcase_add_test(tc, test_first_round_trip);
	tcase_add_test(tc, test_failure_limit);
	tcase_add_test(tc, test_surplus_and_finish);
	tcase_add_test(tc, test_start_failure);
	tcase_add_test(tc, test_transient_then_not_found);
	tcase_add_test(tc, test_bad_token);
	tcase_add_test(tc, test_register_refused);
	tcase_add_test(tc, test_unreachable);
	tcase_add_test(tc, test_stop_grace);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(am_core_suite());
	int failed;

	log_open("test_am_core", LOG_LEVEL_INFO, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
