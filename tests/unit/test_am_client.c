/*
 * test_am_client.c — libweft's AM client (weft/am_client.h) against a
 * fake RM: an http_server on 127.0.0.1:0 in the test's own loop that
 * checks the AM token, records every body and answers from a per-test
 * script.
 *
 * What an application master would see: registration, the requests it
 * adds, removes or sets going out as the totals the RM holds (a grant
 * lowering them), releases and progress, the three callbacks of an answer
 * in order, the very same body resent after a failure, failover to a
 * second RM, the give-up, SHUTDOWN / 404 / 401 ending the client, finish,
 * and a client freed from inside its own callback.
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
#include "weft/am_client.h"
#include "weft/ids.h"
#include "weft/protocol.h"
#include "testlib.h"

#define TOKEN "appattempt_1700000000000_0001_000001:0123abcd"
#define CID1  "container_1700000000000_0001_01_000002"
#define CID2  "container_1700000000000_0001_01_000003"
#define MAX   64

struct rm;
/* The answer to the n-th allocate (its body req): a JSON text, or NULL
 * with *status set for an error. */
typedef char *(*rm_script)(struct rm *rm, struct json_object *req, int n, int *status);

struct rm {
	struct event_base *base;
	struct http_server *srv;
	int port;
	char address[64];
	rm_script script;
	int registers, allocates, finishes, bad_tokens;
	struct json_object *allocate[MAX];
	char *allocate_text[MAX];
	struct json_object *register_body, *finish_body;

	/* What the client handed over. */
	struct weft_am_client *am;
	struct weft_client *client;
	int registered, finished, ended;
	enum weft_am_client_end end;
	char *end_why;
	char *order; /* "A", "C", "P" per callback, in order */
	int granted, completed, preempted;
	char granted_id[MAX][WEFT_ID_MAX];
	struct weft_container_status completed_st[MAX];
	char completed_id[MAX][WEFT_ID_MAX];
	char completed_diag[MAX][64];
	int64_t kill_at;
	int requested_in_callback;
	bool free_in_callback;
	char *queue;
	weft_resource_t maximum;
};

static struct rm rm;

/* --- the fake RM --------------------------------------------------------- */

static bool rm_token_ok(struct http_request *req)
{
	const char *h = http_request_header(req, WEFT_AM_TOKEN_HEADER);

	if (h == NULL || strcmp(h, TOKEN) != 0) {
		rm.bad_tokens++;
		http_reply_error(req, 401, "InvalidTokenException", "bad AM token");
		return false;
	}
	return true;
}

static void rm_register_cb(struct http_request *req, void *arg)
{
	struct json_object *body;
	static const char answer[] =
	        "{\"applicationId\":\"application_1700000000000_0001\","
	        "\"attemptId\":\"appattempt_1700000000000_0001_000001\",\"queue\":\"etl\","
	        "\"user\":\"alice\",\"maximumResource\":{\"memory\":8192,\"vCores\":4},"
	        "\"minimumResource\":{\"memory\":1024,\"vCores\":1}}";

	if (!rm_token_ok(req) || (body = http_request_json(req)) == NULL)
		return;
	rm.registers++;
	json_object_put(rm.register_body);
	rm.register_body = body;
	http_reply_data(req, 200, "application/json", answer, sizeof answer - 1);
}

static void rm_allocate_cb(struct http_request *req, void *arg)
{
	struct json_object *body;
	const char *text;
	size_t len;
	int status = 200, n;
	char *answer;

	if (!rm_token_ok(req) || (body = http_request_json(req)) == NULL)
		return;
	n = rm.allocates++;
	ck_assert_int_lt(n, MAX);
	text = http_request_body(req, &len);
	rm.allocate[n] = body;
	rm.allocate_text[n] = xstrndup(text, len);
	answer = rm.script(&rm, body, n, &status);
	if (status == 404)
		http_reply_error(req, 404, "ApplicationAttemptNotFoundException",
		                 "no such attempt");
	else if (status != 200)
		http_reply_error(req, status, "YarnException", "not now");
	else
		http_reply_data(req, 200, "application/json", answer, strlen(answer));
	free(answer);
}

static void rm_finish_cb(struct http_request *req, void *arg)
{
	struct json_object *body;
	static const char answer[] = "{\"isUnregistered\":true}";

	if (!rm_token_ok(req) || (body = http_request_json(req)) == NULL)
		return;
	rm.finishes++;
	json_object_put(rm.finish_body);
	rm.finish_body = body;
	http_reply_data(req, 200, "application/json", answer, sizeof answer - 1);
}

/* A NORMAL answer to allocate n with extra fields (text after a comma). */
static char *answer(int n, const char *extra)
{
	return xasprintf("{\"responseId\":%d,\"action\":\"NORMAL\"%s%s}", n + 1,
	                 extra != NULL ? "," : "", extra != NULL ? extra : "");
}

/* --- what the client says ------------------------------------------------ */

static void on_registered(void *arg, const struct weft_am_registration *reg)
{
	rm.registered++;
	ck_assert_str_eq(reg->application_id, "application_1700000000000_0001");
	ck_assert_str_eq(reg->attempt_id, "appattempt_1700000000000_0001_000001");
	free(rm.queue);
	rm.queue = xstrdup(reg->queue);
	rm.maximum = reg->maximum;
}

static void order_add(const char *what)
{
	char *o = xasprintf("%s%s", rm.order != NULL ? rm.order : "", what);

	free(rm.order);
	rm.order = o;
}

static void on_allocated(void *arg, const struct weft_container *c, int n)
{
	order_add("A");
	for (int i = 0; i < n; i++) {
		ck_assert_int_lt(rm.granted, MAX);
		snprintf(rm.granted_id[rm.granted++], WEFT_ID_MAX, "%s", c[i].container_id);
	}
	rm.requested_in_callback = weft_am_client_requested(rm.am, 3);
	if (rm.free_in_callback) {
		weft_am_client_free(rm.am);
		rm.am = NULL;
	}
}

static void on_completed(void *arg, const struct weft_container_status *st, int n)
{
	order_add("C");
	for (int i = 0; i < n; i++) {
		ck_assert_int_lt(rm.completed, MAX);
		snprintf(rm.completed_id[rm.completed], WEFT_ID_MAX, "%s", st[i].container_id);
		snprintf(rm.completed_diag[rm.completed], 64, "%s", st[i].diagnostics);
		rm.completed_st[rm.completed] = st[i];
		rm.completed++;
	}
}

static void on_preemption(void *arg, const struct weft_preemption_request *p, int n)
{
	order_add("P");
	rm.preempted += n;
	rm.kill_at = p[0].kill_at_ms;
}

static void on_finished(void *arg)
{
	rm.finished++;
}

static void on_ended(void *arg, enum weft_am_client_end end, const char *why)
{
	rm.ended++;
	rm.end = end;
	free(rm.end_why);
	rm.end_why = xstrdup(why);
}

static const struct weft_am_client_handlers handlers = {
        .registered = on_registered,
        .containers_allocated = on_allocated,
        .containers_completed = on_completed,
        .preemption_requested = on_preemption,
        .finished = on_finished,
        .ended = on_ended,
};

/* The fake RM, and a client to addresses (NULL: the fake) with token. */
static void start(rm_script script, const char *addresses, const char *token, int heartbeat_ms,
                  int64_t give_up_ms)
{
	struct weft_am_client_options o = {
	        .heartbeat_ms = heartbeat_ms,
	        .initial_interval_ms = heartbeat_ms,
	        .give_up_ms = give_up_ms,
	};
	char *cause = NULL;

	memset(&rm, 0, sizeof rm);
	rm.script = script;
	rm.base = event_base_new();
	rm.srv = http_server_new(rm.base, WEFT_MAX_JSON_BODY);
	http_server_route(rm.srv, HTTP_M_POST, WEFT_RPC_AM_REGISTER, 0, rm_register_cb, NULL);
	http_server_route(rm.srv, HTTP_M_POST, WEFT_RPC_AM_ALLOCATE, 0, rm_allocate_cb, NULL);
	http_server_route(rm.srv, HTTP_M_POST, WEFT_RPC_AM_FINISH, 0, rm_finish_cb, NULL);
	ck_assert_msg(http_server_bind(rm.srv, "127.0.0.1:0", &cause) == 0, "bind: %s", cause);
	rm.port = http_server_port(rm.srv);
	snprintf(rm.address, sizeof rm.address, "127.0.0.1:%d", rm.port);
	rm.client =
	        weft_am_client_connect(rm.base, addresses != NULL ? addresses : rm.address,
	                               token != NULL ? token : TOKEN, 10 * TESTLIB_WAIT_MS, &cause);
	ck_assert_msg(rm.client != NULL, "connect: %s", cause);
	rm.am = weft_am_client_new(rm.client, &o, &handlers);
}

static void stop(void)
{
	weft_am_client_free(rm.am);
	weft_client_free(rm.client);
	http_server_free(rm.srv);
	event_base_free(rm.base);
	for (int i = 0; i < rm.allocates; i++) {
		json_object_put(rm.allocate[i]);
		free(rm.allocate_text[i]);
	}
	json_object_put(rm.register_body);
	json_object_put(rm.finish_body);
	free(rm.end_why);
	free(rm.order);
	free(rm.queue);
}

static bool allocates_reached(void *arg)
{
	return rm.allocates >= *(int *)arg;
}

/* Wait for the n-th allocate (counting from 1). */
static void wait_allocates(int n)
{
	testlib_run_until(rm.base, allocates_reached, &n, TESTLIB_WAIT_MS, "allocates");
}

static bool is_ended(void *arg)
{
	return rm.ended > 0;
}

static bool is_finished(void *arg)
{
	return rm.finished > 0;
}

/* The asks of allocate n: their count, and the i-th's fields. */
static int asks_of(int n)
{
	struct json_object *asks = NULL;

	ck_assert_int_eq(wjson_get_array(rm.allocate[n], "", "asks", true, &asks, NULL), 0);
	return (int)json_object_array_length(asks);
}

static int64_t ask_int(int n, int i, const char *key)
{
	struct json_object *asks = NULL, *ask;
	int64_t v = -1;

	wjson_get_array(rm.allocate[n], "", "asks", true, &asks, NULL);
	ask = json_object_array_get_idx(asks, (size_t)i);
	ck_assert_int_eq(wjson_get_int(ask, "ask", key, true, INT64_MIN, INT64_MAX, &v, NULL), 0);
	return v;
}

/* The text of allocate n's field key, or of its i-th ask's (i >= 0). */
static const char *json_at(int n, int i, const char *key)
{
	struct json_object *o = rm.allocate[n], *v = NULL;

	if (i >= 0) {
		ck_assert(json_object_object_get_ex(o, "asks", &o));
		o = json_object_array_get_idx(o, (size_t)i);
	}
	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return "(absent)";
	return json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
	                                                 JSON_C_TO_STRING_NOSLASHESCAPE);
}

/* --- requests, grants, callbacks ----------------------------------------- */

static char *lifecycle_script(struct rm *f, struct json_object *req, int n, int *status)
{
	switch (n) {
	case 0:
		/* Grant one of the two at priority 3; one completed (no state:
		 * COMPLETE by where it stands); one wanted back. */
		return answer(n, "\"allocated\":[{\"containerId\":\"" CID1 "\",\"nodeId\":\"h:1\","
		                 "\"nodeHttpAddress\":\"h:2\",\"priority\":3,\"memoryMB\":2048,"
		                 "\"vcores\":2,\"token\":\"tok\"}],"
		                 "\"completed\":[{\"containerId\":\"" CID2 "\",\"exitStatus\":-100,"
		                 "\"diagnostics\":\"released\"}],"
		                 "\"preempt\":[{\"containerId\":\"" CID1 "\",\"killAtMs\":42}]");
	default:
		return answer(n, NULL);
	}
}

START_TEST(test_requests_grants_and_callbacks)
{
	const char *nodes[] = {"h:1"}, *racks[] = {"/r1"};
	struct weft_container_request req = {
	        .priority = 3,
	        .count = 2,
	        .capability = {2048, 2},
	        .nodes = nodes,
	        .n_nodes = 1,
	        .racks = racks,
	        .n_racks = 1,
	        .relax_locality = false,
	};

	start(lifecycle_script, NULL, NULL, 100, 0);
	/* Asked before registering: it goes with the first allocate. */
	weft_am_client_add_container_request(rm.am, &req);
	ck_assert_int_eq(weft_am_client_requested(rm.am, 3), 2);
	weft_am_client_set_progress(rm.am, 0.25);
	weft_am_client_register(rm.am, "am.example", -1, "http://am.example:4040/");
	wait_allocates(1);
	ck_assert_int_eq(rm.registered, 1);
	ck_assert(weft_am_client_registered(rm.am));
	ck_assert_str_eq(rm.queue, "etl");
	ck_assert_int_eq(rm.maximum.memory_mb, 8192);
	ck_assert_str_eq(
	        json_object_get_string(json_object_object_get(rm.register_body, "trackingUrl")),
	        "http://am.example:4040/");
	ck_assert_int_eq(asks_of(0), 1);
	ck_assert_int_eq(ask_int(0, 0, "priority"), 3);
	ck_assert_int_eq(ask_int(0, 0, "count"), 2);
	ck_assert_int_eq(ask_int(0, 0, "memoryMB"), 2048);
	ck_assert_int_eq(ask_int(0, 0, "vcores"), 2);
	ck_assert_str_eq(json_at(0, -1, "progress"), "0.25");
	ck_assert_str_eq(json_at(0, 0, "nodes"), "[\"h:1\"]");
	ck_assert_str_eq(json_at(0, 0, "racks"), "[\"/r1\"]");
	ck_assert_str_eq(json_at(0, 0, "relaxLocality"), "false");

	/* The answer's lists, in order; the grant lowered the count. */
	wait_allocates(2);
	ck_assert_str_eq(rm.order, "ACP");
	ck_assert_int_eq(rm.granted, 1);
	ck_assert_str_eq(rm.granted_id[0], CID1);
	ck_assert_int_eq(rm.requested_in_callback, 1);
	ck_assert_int_eq(rm.completed, 1);
	ck_assert_str_eq(rm.completed_id[0], CID2);
	ck_assert_int_eq(rm.completed_st[0].state, WEFT_CONTAINER_COMPLETE);
	ck_assert_int_eq(rm.completed_st[0].exit_status, -100);
	ck_assert_str_eq(rm.completed_diag[0], "released");
	ck_assert_int_eq(rm.preempted, 1);
	ck_assert_int_eq(rm.kill_at, 42);
	/* Nothing new: the RM holds 1 already, no ask goes again. */
	ck_assert_int_eq(asks_of(1), 0);
	ck_assert_str_eq(json_at(1, -1, "responseId"), "1");

	/* Removing the last one: count 0 goes out; a release too. */
	req.count = 1;
	weft_am_client_remove_container_request(rm.am, &req);
	ck_assert_int_eq(weft_am_client_requested(rm.am, 3), 0);
	weft_am_client_release(rm.am, CID1);
	wait_allocates(rm.allocates + 1);
	{
		int n = rm.allocates - 1;

		ck_assert_int_eq(asks_of(n), 1);
		ck_assert_int_eq(ask_int(n, 0, "count"), 0);
		ck_assert_str_eq(json_at(n, -1, "releases"), "[\"" CID1 "\"]");
	}
	/* set: the total, whatever was there. */
	req.count = 5;
	weft_am_client_set_container_request(rm.am, &req);
	ck_assert_int_eq(weft_am_client_requested(rm.am, 3), 5);
	wait_allocates(rm.allocates + 1);
	ck_assert_int_eq(ask_int(rm.allocates - 1, 0, "count"), 5);

	weft_am_client_finish(rm.am, "SUCCEEDED", "all done", "http://history/");
	testlib_run_until(rm.base, is_finished, NULL, TESTLIB_WAIT_MS, "finish");
	ck_assert_int_eq(rm.finishes, 1);
	ck_assert_str_eq(
	        json_object_get_string(json_object_object_get(rm.finish_body, "finalStatus")),
	        "SUCCEEDED");
	ck_assert_str_eq(
	        json_object_get_string(json_object_object_get(rm.finish_body, "diagnostics")),
	        "all done");
	ck_assert_int_eq(rm.ended, 0);
	ck_assert_int_eq(rm.bad_tokens, 0);
	/* Nothing after finish. */
	{
		int before = rm.allocates;

		testlib_run_for(rm.base, 300);
		ck_assert_int_eq(rm.allocates, before);
	}
	stop();
}
END_TEST

/* --- failures: the same body again; failover; give-up --------------------- */

static char *flaky_script(struct rm *f, struct json_object *req, int n, int *status)
{
	switch (n) {
	case 0:
		*status = 503; /* busy: weft_client tries again */
		return NULL;
	case 1:
		return xstrdup("this is not JSON"); /* unusable: the AM client again */
	case 2:
		return xstrdup("{\"responseId\":\"one\"}"); /* malformed: again */
	default:
		return answer(n, NULL);
	}
}

START_TEST(test_resends_the_same_body)
{
	struct weft_container_request req = {.priority = 1, .count = 4, .capability = {1024, 1}};

	start(flaky_script, NULL, NULL, 100, 0);
	weft_am_client_add_container_request(rm.am, &req);
	weft_am_client_release(rm.am, CID2);
	weft_am_client_register(rm.am, "h", -1, NULL);
	wait_allocates(4);
	/* The very same request each time: same responseId, asks and
	 * releases (nothing handed over is lost). */
	for (int i = 1; i < 4; i++)
		ck_assert_str_eq(rm.allocate_text[i], rm.allocate_text[0]);
	ck_assert_int_eq(ask_int(3, 0, "count"), 4);
	ck_assert_str_eq(json_at(3, -1, "releases"), "[\"" CID2 "\"]");
	/* Then on: the next one is new. */
	wait_allocates(5);
	ck_assert_int_eq(asks_of(4), 0);
	ck_assert_str_eq(json_at(4, -1, "responseId"), "4");
	ck_assert_int_eq(rm.ended, 0);
	stop();
}
END_TEST

static char *normal_script(struct rm *f, struct json_object *req, int n, int *status)
{
	return answer(n, NULL);
}

/* A port nobody listens on (free a moment ago). */
static int dead_port(void)
{
	struct event_base *base = event_base_new();
	struct http_server *srv = http_server_new(base, 1024);
	char *cause = NULL;
	int port;

	ck_assert_msg(http_server_bind(srv, "127.0.0.1:0", &cause) == 0, "%s", cause);
	port = http_server_port(srv);
	http_server_free(srv);
	event_base_free(base);
	return port;
}

START_TEST(test_fails_over_to_the_next_rm)
{
	char *list = xasprintf("http://127.0.0.1:%d,", dead_port());
	char *both;

	/* WEFT_RM_URL's form: the first RM is down, the second answers. */
	start(normal_script, NULL, NULL, 100, 0);
	weft_client_free(rm.client);
	weft_am_client_free(rm.am);
	both = xasprintf("%shttp://%s", list, rm.address);
	rm.client = weft_am_client_connect(rm.base, both, TOKEN, 0, NULL);
	ck_assert_ptr_nonnull(rm.client);
	rm.am = weft_am_client_new(rm.client, NULL, &handlers);
	weft_am_client_register(rm.am, "h", -1, "");
	wait_allocates(2);
	ck_assert_int_eq(rm.registers, 1);
	ck_assert_int_eq(rm.ended, 0);
	free(list);
	free(both);
	stop();
}
END_TEST

START_TEST(test_gives_up_on_a_silent_rm)
{
	char *address = xasprintf("127.0.0.1:%d", dead_port());
	long long began = testlib_now_ms();

	start(normal_script, address, NULL, 100, 700);
	weft_am_client_register(rm.am, "h", -1, "");
	testlib_run_until(rm.base, is_ended, NULL, TESTLIB_WAIT_MS, "the give-up");
	ck_assert_int_eq(rm.end, WEFT_AM_CLIENT_UNREACHABLE);
	/* After give_up_ms, not before. */
	ck_assert_int_ge(testlib_now_ms() - began, 700);
	ck_assert_ptr_nonnull(strstr(rm.end_why, "no answer from the RM"));
	ck_assert_int_eq(rm.registered, 0);
	free(address);
	stop();
}
END_TEST

/* --- the RM ends it --------------------------------------------------------- */

static char *shutdown_script(struct rm *f, struct json_object *req, int n, int *status)
{
	return xasprintf("{\"responseId\":%d,\"action\":\"SHUTDOWN\"}", n + 1);
}

static char *not_found_script(struct rm *f, struct json_object *req, int n, int *status)
{
	*status = 404;
	return NULL;
}

START_TEST(test_shutdown_not_found_and_bad_token)
{
	int before;

	start(shutdown_script, NULL, NULL, 100, 0);
	weft_am_client_register(rm.am, "h", -1, "");
	testlib_run_until(rm.base, is_ended, NULL, TESTLIB_WAIT_MS, "SHUTDOWN");
	ck_assert_int_eq(rm.end, WEFT_AM_CLIENT_SHUTDOWN);
	before = rm.allocates;
	testlib_run_for(rm.base, 300);
	ck_assert_int_eq(rm.allocates, before); /* silent after the end */
	stop();

	start(not_found_script, NULL, NULL, 100, 0);
	weft_am_client_register(rm.am, "h", -1, "");
	testlib_run_until(rm.base, is_ended, NULL, TESTLIB_WAIT_MS, "404");
	ck_assert_int_eq(rm.end, WEFT_AM_CLIENT_NOT_FOUND);
	ck_assert_ptr_nonnull(strstr(rm.end_why, "HTTP 404"));
	ck_assert_ptr_nonnull(strstr(rm.end_why, "no such attempt"));
	ck_assert_int_eq(rm.allocates, 1); /* a 404 is not retried */
	stop();

	start(normal_script, NULL, "appattempt_1:forged", 100, 0);
	weft_am_client_register(rm.am, "h", -1, "");
	testlib_run_until(rm.base, is_ended, NULL, TESTLIB_WAIT_MS, "401");
	ck_assert_int_eq(rm.end, WEFT_AM_CLIENT_REJECTED);
	ck_assert_int_eq(rm.bad_tokens, 1);
	ck_assert_int_eq(rm.registers, 0);
	stop();
}
END_TEST

/* --- freed from inside its own callback ------------------------------------ */

static char *grant_script(struct rm *f, struct json_object *req, int n, int *status)
{
	return answer(n, "\"allocated\":[{\"containerId\":\"" CID1 "\",\"nodeId\":\"h:1\","
	                 "\"nodeHttpAddress\":\"h:2\",\"priority\":3,\"token\":\"tok\"}],"
	                 "\"completed\":[{\"containerId\":\"" CID2 "\",\"exitStatus\":0}]");
}

START_TEST(test_freed_from_its_callback)
{
	struct weft_container_request req = {.priority = 3, .count = 1, .capability = {1024, 1}};

	start(grant_script, NULL, NULL, 100, 0);
	rm.free_in_callback = true;
	weft_am_client_add_container_request(rm.am, &req);
	weft_am_client_register(rm.am, "h", -1, "");
	testlib_run_until_count(rm.base, &rm.granted, 1, TESTLIB_WAIT_MS, "the grant");
	ck_assert_ptr_null(rm.am);
	/* Nothing after the free: not the completed list of the same answer,
	 * not another allocate. */
	testlib_run_for(rm.base, 300);
	ck_assert_str_eq(rm.order, "A");
	ck_assert_int_eq(rm.completed, 0);
	ck_assert_int_eq(rm.allocates, 1);
	stop();
}
END_TEST

/* --- the environment ------------------------------------------------------- */

START_TEST(test_connect_from_the_environment)
{
	struct event_base *base = event_base_new();
	struct weft_client *c;
	char *cause = NULL;

	unsetenv(WEFT_ENV_RM_URL);
	unsetenv(WEFT_ENV_AM_TOKEN);
	ck_assert_ptr_null(weft_am_client_connect(base, NULL, NULL, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "WEFT_RM_URL"));
	free(cause);
	setenv(WEFT_ENV_RM_URL, "http://rm1.example:8031,http://rm2.example:8031", 1);
	ck_assert_ptr_null(weft_am_client_connect(base, NULL, NULL, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "WEFT_AM_TOKEN"));
	free(cause);
	setenv(WEFT_ENV_AM_TOKEN, "abc\r\nX-Injected: 1", 1);
	ck_assert_ptr_null(weft_am_client_connect(base, NULL, NULL, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "not a token"));
	free(cause);
	setenv(WEFT_ENV_AM_TOKEN, TOKEN, 1);
	c = weft_am_client_connect(base, NULL, NULL, 0, &cause);
	ck_assert_msg(c != NULL, "%s", cause);
	ck_assert_str_eq(weft_client_rm_url(c), "http://rm1.example:8031");
	weft_client_free(c);
	ck_assert_ptr_null(weft_am_client_connect(base, "rm.example", TOKEN, 0, &cause));
	ck_assert_ptr_nonnull(strstr(cause, "port"));
	free(cause);
	event_base_free(base);
}
END_TEST

static Suite *am_client_suite(void)
{
	Suite *s = suite_create("am_client");
	TCase *tc = tcase_create("fake_rm");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_requests_grants_and_callbacks);
	tcase_add_test(tc, test_resends_the_same_body);
	tcase_add_test(tc, test_fails_over_to_the_next_rm);
	tcase_add_test(tc, test_gives_up_on_a_silent_rm);
	tcase_add_test(tc, test_shutdown_not_found_and_bad_token);
	tcase_add_test(tc, test_freed_from_its_callback);
	tcase_add_test(tc, test_connect_from_the_environment);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(am_client_suite());
	int failed;

	log_open("test_am_client", LOG_LEVEL_INFO, NULL);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
