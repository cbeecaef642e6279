/*
 * test_nm_client.c — libweft's NM client (weft/nm_client.h) against a
 * fake NodeManager: an http_server on 127.0.0.1:0 in the test's loop
 * that records each body and answers as a test sets it.
 *
 * What a caller sees: a start carries the grant's token and the launch
 * context built with weft_launch_context_add_*; stop and status carry
 * the container id and token; a status answer arrives decoded (and an
 * unreadable one as a failure); a refusal or silence arrives with the
 * NM's message, tried once; freeing the client with calls in flight
 * runs no callback; weft's own callers without a token sign instead.
 */
#include "weft_config.h"

#include <check.h>
#include <event2/event.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_server.h"
#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "weft/ids.h"
#include "weft/nm_client.h"
#include "weft/protocol.h"
#include "testlib.h"

#define CID "container_1700000000000_0001_01_000002"

static struct {
	struct event_base *base;
	struct http_server *srv;
	struct weft_client *client;
	struct weft_nm_client *nm;
	char address[64];
	int calls;
	struct json_object *body;
	char *auth;   /* the X-Weft-Auth header seen, or NULL */
	int status;   /* to answer */
	char *answer; /* to answer with 200 */
	bool hang;    /* never answer */

	int done;
	bool ok;
	long http_status;
	char message[256];
	char container_id[WEFT_ID_MAX];
	bool have_status;
	struct weft_container_status st;
	char diagnostics[64];
} nm;

/* Every route: record, then answer as told. */
static void nm_route_cb(struct http_request *req, void *arg)
{
	const char *auth = http_request_header(req, "X-Weft-Auth");

	nm.calls++;
	json_object_put(nm.body);
	nm.body = http_request_json(req);
	if (nm.body == NULL)
		return;
	free(nm.auth);
	nm.auth = auth != NULL ? xstrdup(auth) : NULL;
	if (nm.hang) {
		http_request_defer(req, NULL, NULL);
		return;
	}
	if (nm.status != 200)
		http_reply_error(req, nm.status, "InvalidTokenException",
		                 "container token expired");
	else
		http_reply_data(req, 200, "application/json", nm.answer, strlen(nm.answer));
}

static void setup(void)
{
	char *cause = NULL;
	struct weft_client_options o = {0};

	memset(&nm, 0, sizeof nm);
	nm.base = event_base_new();
	nm.srv = http_server_new(nm.base, WEFT_MAX_JSON_BODY);
	http_server_route(nm.srv, HTTP_M_POST, WEFT_RPC_CONTAINERS_START, 0, nm_route_cb, NULL);
	http_server_route(nm.srv, HTTP_M_POST, WEFT_RPC_CONTAINERS_STOP, 0, nm_route_cb, NULL);
	http_server_route(nm.srv, HTTP_M_POST, WEFT_RPC_CONTAINERS_STATUS, 0, nm_route_cb, NULL);
	ck_assert_msg(http_server_bind(nm.srv, "127.0.0.1:0", &cause) == 0, "bind: %s", cause);
	snprintf(nm.address, sizeof nm.address, "127.0.0.1:%d", http_server_port(nm.srv));
	nm.client = weft_client_new(nm.base, &o, &cause);
	ck_assert_msg(nm.client != NULL, "%s", cause);
	nm.nm = weft_nm_client_new(nm.client);
	nm.status = 200;
	nm.answer = xstrdup("{\"containerId\":\"" CID "\",\"state\":\"RUNNING\"}");
}

static void teardown(void)
{
	weft_nm_client_free(nm.nm);
	weft_client_free(nm.client);
	http_server_free(nm.srv);
	event_base_free(nm.base);
	json_object_put(nm.body);
	free(nm.auth);
	free(nm.answer);
}

/* A start or stop ended. */
static void done_cb(const struct weft_status *st, const char *container_id, void *arg)
{
	nm.done++;
	nm.ok = st->ok;
	nm.http_status = st->http_status;
	snprintf(nm.message, sizeof nm.message, "%s", st->ok ? "" : st->message);
	snprintf(nm.container_id, sizeof nm.container_id, "%s", container_id);
}

/* A status call ended. */
static void status_cb(const struct weft_status *st, const struct weft_container_status *c,
                      void *arg)
{
	nm.done++;
	nm.ok = st->ok;
	nm.http_status = st->http_status;
	snprintf(nm.message, sizeof nm.message, "%s", st->ok ? "" : st->message);
	nm.have_status = c != NULL;
	if (c != NULL) {
		nm.st = *c;
		snprintf(nm.container_id, sizeof nm.container_id, "%s", c->container_id);
		snprintf(nm.diagnostics, sizeof nm.diagnostics, "%s", c->diagnostics);
	}
}

static void wait_done(int n)
{
	testlib_run_until_count(nm.base, &nm.done, n, TESTLIB_WAIT_MS, "the NM call");
}

/* The grant the calls are about. */
static struct weft_container grant(const char *token)
{
	return (struct weft_container){
	        .container_id = CID,
	        .node_id = "h:1",
	        .node_http_address = nm.address,
	        .priority = 1,
	        .resource = {1024, 1},
	        .token = token,
	};
}

static const char *body_string(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	ck_assert_msg(json_object_object_get_ex(o, key, &v), "no %s", key);
	return json_object_get_string(v);
}

START_TEST(test_start_carries_token_and_launch_context)
{
	struct weft_container c = grant("tok.sig");
	struct weft_launch_context lc = {0};
	struct json_object *ctx, *v;

	weft_launch_context_add_command(&lc, "echo one");
	weft_launch_context_add_command(&lc, "echo 'two'");
	weft_launch_context_add_env(&lc, "GREETING", "hello world");
	weft_launch_context_add_resource(&lc, "job.json", "/ws/v1/staging/app/job.json", false);
	weft_launch_context_add_resource(&lc, "run.sh", "http://files.example/run.sh", true);
	weft_nm_client_start(nm.nm, &c, &lc, done_cb, NULL);
	/* The caller's launch context stays the caller's. */
	weft_launch_context_clear(&lc);
	ck_assert_int_eq(lc.n_commands, 0);
	ck_assert_int_eq(weft_nm_client_pending(nm.nm), 1);
	wait_done(1);
	ck_assert(nm.ok);
	ck_assert_str_eq(nm.container_id, CID);
	ck_assert_int_eq(weft_nm_client_pending(nm.nm), 0);
	ck_assert_str_eq(body_string(nm.body, "token"), "tok.sig");
	ck_assert_ptr_null(nm.auth);
	ck_assert(json_object_object_get_ex(nm.body, "launchContext", &ctx));
	ck_assert(json_object_object_get_ex(ctx, "commands", &v));
	ck_assert_str_eq(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN),
	                 "[\"echo one\",\"echo 'two'\"]");
	ck_assert(json_object_object_get_ex(ctx, "environment", &v));
	ck_assert_str_eq(body_string(v, "GREETING"), "hello world");
	ck_assert(json_object_object_get_ex(ctx, "localResources", &v));
	ck_assert_int_eq(json_object_array_length(v), 2);
	ck_assert_str_eq(body_string(json_object_array_get_idx(v, 1), "url"),
	                 "http://files.example/run.sh");
}
END_TEST

START_TEST(test_refusal_and_silence)
{
	struct weft_container c = grant("old.token");
	struct weft_launch_context lc = {0};
	struct event_base *other = event_base_new();
	struct http_server *srv = http_server_new(other, 1024);
	char *cause = NULL, *dead;

	weft_launch_context_add_command(&lc, "true");
	nm.status = 401;
	weft_nm_client_start(nm.nm, &c, &lc, done_cb, NULL);
	wait_done(1);
	ck_assert(!nm.ok);
	ck_assert_int_eq(nm.http_status, 401);
	ck_assert_str_eq(nm.message, "container token expired");
	ck_assert_int_eq(nm.calls, 1);

	/* Nobody listens: no answer, and no second try. */
	ck_assert_msg(http_server_bind(srv, "127.0.0.1:0", &cause) == 0, "%s", cause);
	dead = xasprintf("127.0.0.1:%d", http_server_port(srv));
	http_server_free(srv);
	event_base_free(other);
	c.node_http_address = dead;
	weft_nm_client_stop(nm.nm, &c, done_cb, NULL);
	wait_done(2);
	ck_assert(!nm.ok);
	ck_assert_int_eq(nm.http_status, 0);
	ck_assert_str_ne(nm.message, "");
	ck_assert_int_eq(weft_nm_client_pending(nm.nm), 0);
	free(dead);
	weft_launch_context_clear(&lc);
}
END_TEST

START_TEST(test_stop_and_status)
{
	struct weft_container c = grant("tok.sig");

	weft_nm_client_stop(nm.nm, &c, done_cb, NULL);
	wait_done(1);
	ck_assert(nm.ok);
	ck_assert_str_eq(body_string(nm.body, "containerId"), CID);
	ck_assert_str_eq(body_string(nm.body, "token"), "tok.sig");

	free(nm.answer);
	nm.answer = xstrdup("{\"containerId\":\"" CID "\",\"state\":\"COMPLETE\","
	                    "\"exitStatus\":137,\"diagnostics\":\"killed by signal 9\"}");
	weft_nm_client_status(nm.nm, &c, status_cb, NULL);
	wait_done(2);
	ck_assert(nm.ok);
	ck_assert(nm.have_status);
	ck_assert_str_eq(nm.container_id, CID);
	ck_assert_int_eq(nm.st.state, WEFT_CONTAINER_COMPLETE);
	ck_assert_int_eq(nm.st.exit_status, 137);
	ck_assert_str_eq(nm.diagnostics, "killed by signal 9");
	ck_assert_str_eq(body_string(nm.body, "containerId"), CID);

	/* An answer that is not a container status is no answer. */
	free(nm.answer);
	nm.answer = xstrdup("{\"containerId\":\"" CID "\",\"state\":\"KILLING\"}");
	weft_nm_client_status(nm.nm, &c, status_cb, NULL);
	wait_done(3);
	ck_assert(!nm.ok);
	ck_assert(!nm.have_status);
	ck_assert_int_eq(nm.http_status, 200);
	ck_assert_ptr_nonnull(strstr(nm.message, "state: 'KILLING' is not"));
}
END_TEST

START_TEST(test_free_with_calls_in_flight)
{
	struct weft_container c = grant("tok.sig");

	nm.hang = true;
	weft_nm_client_stop(nm.nm, &c, done_cb, NULL);
	weft_nm_client_status(nm.nm, &c, status_cb, NULL);
	testlib_run_until_count(nm.base, &nm.calls, 2, TESTLIB_WAIT_MS, "the calls to arrive");
	ck_assert_int_eq(weft_nm_client_pending(nm.nm), 2);
	weft_nm_client_free(nm.nm);
	nm.nm = NULL;
	testlib_run_for(nm.base, 200);
	ck_assert_int_eq(nm.done, 0);
}
END_TEST

/* weft's own caller without a token (the RM) signs. */
static char *sign_cb(void *arg, const char *method, const char *path, const char *body, size_t len)
{
	(*(int *)arg)++;
	return xasprintf("X-Weft-Auth: signed %s %s %zu", method, path, len);
}

START_TEST(test_callers_without_a_token_sign)
{
	struct weft_container c = grant(NULL);
	int signed_calls = 0;

	nm_client_set_signer(nm.nm, sign_cb, &signed_calls);
	weft_nm_client_stop(nm.nm, &c, done_cb, NULL);
	wait_done(1);
	ck_assert(nm.ok);
	ck_assert_int_eq(signed_calls, 1);
	ck_assert_ptr_nonnull(nm.auth);
	ck_assert_ptr_nonnull(strstr(nm.auth, "signed POST /rpc/containers/stop"));
	ck_assert(!json_object_object_get_ex(nm.body, "token", NULL));
	/* A call with a token is not signed. */
	c.token = "tok.sig";
	weft_nm_client_stop(nm.nm, &c, done_cb, NULL);
	wait_done(2);
	ck_assert_int_eq(signed_calls, 1);
	ck_assert_ptr_null(nm.auth);
}
END_TEST

static Suite *nm_client_suite(void)
{
	Suite *s = suite_create("nm_client");
	TCase *tc = tcase_create("fake_nm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_start_carries_token_and_launch_context);
	tcase_add_test(tc, test_refusal_and_silence);
	tcase_add_test(tc, test_stop_and_status);
	tcase_add_test(tc, test_free_with_calls_in_flight);
	tcase_add_test(tc, test_callers_without_a_token_sign);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(nm_client_suite());
	int failed;

	log_open("test_nm_client", LOG_LEVEL_INFO, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
