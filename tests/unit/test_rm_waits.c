/*
 * test_rm_waits.c — GET /ws/v1/cluster/apps/{id}?wait-while=STATE on an
 * in-process RM (test_rm_support.h): answered at once when the state
 * differs, held and answered when the state machine moves, answered at
 * its timeout, freed when its client goes away, capped per application
 * and in all, answered when the RM stops, and refused when malformed.
 */
#include "weft_config.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_client.h"
#include "common/xmalloc.h"
#include "rm/rm.h"
#include "rm/webapp_waits.h"
#include "test_rm_support.h"
#include "testlib.h"
#include "weft/ids.h"
#include "weft/protocol.h"

/* One GET in flight on the fixture's loop. */
struct held {
	bool done;
	long status;
	struct json_object *json;
	struct http_call *call;
	long long started_ms, answered_ms;
};

static void held_cb(const struct http_response *resp, void *arg)
{
	struct held *h = arg;

	h->done = true;
	h->call = NULL;
	h->status = resp->status;
	h->answered_ms = testlib_now_ms();
	h->json = json_tokener_parse(resp->body);
}

/* Start GET /apps/{id}?query without waiting for it. */
static void held_start(struct rm_fixture *fx, struct held *h, const char *id, const char *query)
{
	char *url = xasprintf("%s" WEFT_PATH_APP_FMT "?%s", fx->url, id, query);

	memset(h, 0, sizeof *h);
	h->started_ms = testlib_now_ms();
	h->call = http_client_request(fx->client, "GET", url, NULL, NULL, 0, 120000, held_cb, h);
	free(url);
}

static void held_wait(struct rm_fixture *fx, struct held *h, const char *what)
{
	testlib_run_until(fx->base, testlib_flag_set, &h->done, TESTLIB_WAIT_MS, what);
}

static void held_clear(struct held *h)
{
	json_object_put(h->json);
	h->json = NULL;
}

/* Wait for h's answer: a 200 with the application in state, marked
 * outcome. */
static void expect_answer(struct rm_fixture *fx, struct held *h, const char *what,
                          const char *state, const char *outcome)
{
	held_wait(fx, h, what);
	ck_assert_int_eq(h->status, 200);
	ck_assert_str_eq(jstr(h->json, "app.state"), state);
	ck_assert_str_eq(jstr(h->json, WEFT_APP_KEY_WAIT), outcome);
}

/* Waits the RM holds for app id reach n. */
struct count_arg {
	struct rm_fixture *fx;
	const char *id;
	int n;
};

static bool count_reached(void *arg)
{
	struct count_arg *c = arg;

	return c->fx->rm->waits != NULL && webapp_waits_count(c->fx->rm->waits, c->id) == c->n;
}

static void wait_held(struct rm_fixture *fx, const char *id, int n, const char *what)
{
	struct count_arg c = {fx, id, n};

	testlib_run_until(fx->base, count_reached, &c, TESTLIB_WAIT_MS, what);
}

/* PUT the application to KILLED (a transition). */
static void kill_app(struct rm_fixture *fx, const char *id)
{
	static const char *const headers[] = {"Content-Type: application/json", NULL};
	static const char body[] = "{\"state\":\"KILLED\"}";
	char *path = xasprintf(WEFT_PATH_APP_STATE_FMT, id);
	struct test_response r = fixture_call(fx, "PUT", path, headers, body, strlen(body));

	ck_assert_int_eq(r.status, 202);
	test_response_clear(&r);
	free(path);
}

START_TEST(answered_at_once_when_the_state_differs)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX];
	struct held h;

	fixture_submit(fx, NULL, id);
	held_start(fx, &h, id, WEFT_APP_QUERY_WAIT_WHILE "=RUNNING");
	held_wait(fx, &h, "the answer");
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(jstr(h.json, "app.state"), "ACCEPTED");
	ck_assert_str_eq(jstr(h.json, "app.id"), id);
	ck_assert_str_eq(jstr(h.json, WEFT_APP_KEY_WAIT), WEFT_APP_WAIT_CHANGED);
	ck_assert_int_eq(webapp_waits_count(fx->rm->waits, NULL), 0);
	held_clear(&h);
	/* Case does not matter, as for the list's states filter. */
	held_start(fx, &h, id, WEFT_APP_QUERY_WAIT_WHILE "=running");
	held_wait(fx, &h, "the answer");
	ck_assert_str_eq(jstr(h.json, WEFT_APP_KEY_WAIT), WEFT_APP_WAIT_CHANGED);
	held_clear(&h);
	/* Without wait-while the answer is YARN's, unchanged. */
	held_start(fx, &h, id, "x=1");
	held_wait(fx, &h, "the plain answer");
	ck_assert_ptr_null(jpath(h.json, WEFT_APP_KEY_WAIT));
	ck_assert_str_eq(jstr(h.json, "app.state"), "ACCEPTED");
	held_clear(&h);
	fixture_free(fx);
}
END_TEST

START_TEST(held_then_answered_on_transition)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX], other[WEFT_ID_MAX];
	struct held h, o;

	fixture_submit(fx, NULL, id);
	fixture_submit(fx, NULL, other);
	held_start(fx, &h, id, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	held_start(fx, &o, other, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	wait_held(fx, id, 1, "the wait to be held");
	wait_held(fx, other, 1, "the other wait to be held");
	ck_assert(!h.done);
	/* The state machine moves: the wait is answered with the whole
	 * report as it is after the move (final status too). */
	kill_app(fx, id);
	held_wait(fx, &h, "the answer after the kill");
	ck_assert_int_eq(h.status, 200);
	ck_assert_str_eq(jstr(h.json, "app.state"), "KILLED");
	ck_assert_str_eq(jstr(h.json, "app.finalStatus"), "KILLED");
	ck_assert_str_eq(jstr(h.json, WEFT_APP_KEY_WAIT), WEFT_APP_WAIT_CHANGED);
	ck_assert_int_eq(webapp_waits_count(fx->rm->waits, id), 0);
	/* Another application's wait is not touched. */
	ck_assert(!o.done);
	ck_assert_int_eq(webapp_waits_count(fx->rm->waits, other), 1);
	held_clear(&h);
	kill_app(fx, other);
	held_wait(fx, &o, "the other's answer");
	ck_assert_str_eq(jstr(o.json, "app.state"), "KILLED");
	held_clear(&o);
	fixture_free(fx);
}
END_TEST

START_TEST(answered_at_timeout)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX];
	struct held h;

	fixture_submit(fx, NULL, id);
	held_start(fx, &h, id,
	           WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED&" WEFT_APP_QUERY_WAIT_TIMEOUT_MS "=300");
	wait_held(fx, id, 1, "the wait to be held");
	expect_answer(fx, &h, "the timeout's answer", "ACCEPTED", WEFT_APP_WAIT_TIMEOUT);
	/* It was held (a lower bound, never an upper one; libevent's clock
	 * is its loop's cached time, a few ms behind ours). */
	ck_assert_int_ge(h.answered_ms - h.started_ms, 250);
	ck_assert_int_eq(webapp_waits_count(fx->rm->waits, NULL), 0);
	held_clear(&h);
	/* 0: not held at all. */
	held_start(fx, &h, id,
	           WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED&" WEFT_APP_QUERY_WAIT_TIMEOUT_MS "=0");
	held_wait(fx, &h, "the answer");
	ck_assert_str_eq(jstr(h.json, WEFT_APP_KEY_WAIT), WEFT_APP_WAIT_TIMEOUT);
	held_clear(&h);
	fixture_free(fx);
}
END_TEST

START_TEST(client_gone_is_freed)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX];
	struct held h;

	fixture_submit(fx, NULL, id);
	held_start(fx, &h, id, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	wait_held(fx, id, 1, "the wait to be held");
	/* The client hangs up: the RM forgets the wait, answers nothing. */
	http_call_cancel(h.call);
	wait_held(fx, id, 0, "the wait to be dropped");
	ck_assert_int_eq(webapp_waits_count(fx->rm->waits, NULL), 0);
	/* A later change finds nothing to answer (ASan: nothing freed is
	 * touched). */
	kill_app(fx, id);
	fixture_run_for(fx, 50);
	ck_assert(!h.done);
	fixture_free(fx);
}
END_TEST

START_TEST(capped_per_app_and_in_all)
{
	static const char *const defines[] = {"rm.app-wait.max-per-app=2",
	                                      "rm.app-wait.max-total=3", NULL};
	struct rm_fixture *fx = fixture_new(defines);
	char a[WEFT_ID_MAX], b[WEFT_ID_MAX];
	struct held h[5];

	fixture_submit(fx, NULL, a);
	fixture_submit(fx, NULL, b);
	held_start(fx, &h[0], a, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	held_start(fx, &h[1], a, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	wait_held(fx, a, 2, "two waits on a");
	/* A third on a: over max-per-app, answered at once. */
	held_start(fx, &h[2], a, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	expect_answer(fx, &h[2], "the capped answer", "ACCEPTED", WEFT_APP_WAIT_FULL);
	/* One on b fits max-total; the next does not. */
	held_start(fx, &h[3], b, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	wait_held(fx, b, 1, "one wait on b");
	held_start(fx, &h[4], b, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	held_wait(fx, &h[4], "the answer over max-total");
	ck_assert_str_eq(jstr(h[4].json, WEFT_APP_KEY_WAIT), WEFT_APP_WAIT_FULL);
	ck_assert_int_eq(webapp_waits_count(fx->rm->waits, NULL), 3);
	/* Both of a's answer on its change. */
	kill_app(fx, a);
	held_wait(fx, &h[0], "a's first wait");
	held_wait(fx, &h[1], "a's second wait");
	ck_assert_str_eq(jstr(h[1].json, "app.state"), "KILLED");
	ck_assert(!h[3].done);
	for (int i = 0; i < 5; i++)
		if (i != 3)
			held_clear(&h[i]);
	kill_app(fx, b);
	held_wait(fx, &h[3], "b's wait");
	held_clear(&h[3]);
	fixture_free(fx);
}
END_TEST

START_TEST(answered_when_the_rm_stops)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX];
	struct held h;

	fixture_submit(fx, NULL, id);
	held_start(fx, &h, id, WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	wait_held(fx, id, 1, "the wait to be held");
	rm_free(fx->rm);
	fx->rm = NULL;
	expect_answer(fx, &h, "the shutdown's answer", "ACCEPTED", WEFT_APP_WAIT_SHUTDOWN);
	held_clear(&h);
	fixture_free(fx);
}
END_TEST

START_TEST(bad_waits_refused)
{
	struct rm_fixture *fx = fixture_new(NULL);
	char id[WEFT_ID_MAX];
	struct held h;

	fixture_submit(fx, NULL, id);
	held_start(fx, &h, id, WEFT_APP_QUERY_WAIT_WHILE "=SLEEPING");
	held_wait(fx, &h, "the refusal");
	ck_assert_int_eq(h.status, 400);
	ck_assert_ptr_nonnull(strstr(jstr(h.json, "RemoteException.message"), "SLEEPING"));
	held_clear(&h);
	held_start(fx, &h, id,
	           WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED&" WEFT_APP_QUERY_WAIT_TIMEOUT_MS "=-5");
	held_wait(fx, &h, "the refusal");
	ck_assert_int_eq(h.status, 400);
	held_clear(&h);
	held_start(fx, &h, "application_1_0999", WEFT_APP_QUERY_WAIT_WHILE "=ACCEPTED");
	held_wait(fx, &h, "the 404");
	ck_assert_int_eq(h.status, 404);
	held_clear(&h);
	ck_assert_int_eq(webapp_waits_count(fx->rm->waits, NULL), 0);
	fixture_free(fx);
}
END_TEST

static Suite *waits_suite(void)
{
	Suite *s = suite_create("rm_waits");
	TCase *tc = tcase_create("waits");

	tcase_add_test(tc, answered_at_once_when_the_state_differs);
	tcase_add_test(tc, held_then_answered_on_transition);
	tcase_add_test(tc, answered_at_timeout);
	tcase_add_test(tc, client_gone_is_freed);
	tcase_add_test(tc, capped_per_app_and_in_all);
	tcase_add_test(tc, answered_when_the_rm_stops);
	tcase_add_test(tc, bad_waits_refused);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(waits_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
