/*
 * test_client.c — libweft's client base (src/lib/client.c) against fake
 * RMs: small http_servers on 127.0.0.1:0 on the test's own loop, each
 * answering what the test scripts and counting what it was sent.
 *
 * Proves: failover from a dead address to a live one and the live one
 * remembered; 429 with Retry-After and 503 retried; a POST not repeated
 * once it may have reached a server (no answer, 500); an idempotent GET
 * retried until retry_ms and then failing with the last cause; user.name
 * and extra headers on every call; a client freed from inside a callback;
 * calls that fail before any try; the one reading of an error answer.
 */
#include "weft_config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/http_server.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "testlib.h"
#include "weft/client.h"

#define FAKE_MAX 4

/* One fake RM: answers[i] is what its i-th request gets (the last one
 * repeats); 0 means "hold the request, never answer". */
struct fake {
	struct http_server *srv;
	char address[64];
	int answers[8];
	int n_answers;
	int retry_after; /* with 429: the Retry-After it sends; -1 none */
	int hits;
	char last_user[64];
	char last_header[64];
	char last_method[16];
	struct http_request *held;
};

static struct event_base *base;
static struct fake fakes[FAKE_MAX];
static int n_fakes;

/* What a call's callback saw. */
struct outcome {
	bool done;
	bool ok;
	long status;
	char message[256];
	char body[256];
	int calls;
};

static void fake_gone_cb(void *arg)
{
	struct fake *f = arg;

	f->held = NULL;
}

/* Every path: answer the scripted status. */
static void fake_cb(struct http_request *req, void *arg)
{
	struct fake *f = arg;
	int i = f->hits < f->n_answers ? f->hits : f->n_answers - 1;
	int status = f->answers[i];
	const char *user = http_request_query(req, "user.name");
	const char *hdr = http_request_header(req, "X-Test");

	f->hits++;
	snprintf(f->last_user, sizeof f->last_user, "%s", user != NULL ? user : "");
	snprintf(f->last_header, sizeof f->last_header, "%s", hdr != NULL ? hdr : "");
	snprintf(f->last_method, sizeof f->last_method, "%s", http_request_method_name(req));
	if (status == 0) {
		f->held = req;
		http_request_defer(req, fake_gone_cb, f);
		return;
	}
	if (status == 429 && f->retry_after >= 0) {
		char text[16];

		snprintf(text, sizeof text, "%d", f->retry_after);
		http_reply_add_header(req, "Retry-After", text);
	}
	if (status >= 200 && status <= 299) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "served", json_object_new_string(f->address));
		http_reply_json(req, status, o);
		return;
	}
	http_reply_error(req, status, "TestException", "scripted %d from %s", status, f->address);
}

/* A fake answering the given statuses in turn. */
static struct fake *fake_new(int n, const int *answers)
{
	struct fake *f = &fakes[n_fakes++];
	char *cause = NULL;

	memset(f, 0, sizeof *f);
	f->srv = http_server_new(base, 1 << 16);
	ck_assert_msg(http_server_bind(f->srv, "127.0.0.1:0", &cause) == 0, "%s", cause);
	http_server_route(f->srv, HTTP_M_GET | HTTP_M_POST | HTTP_M_PUT | HTTP_M_DELETE, "/{*}", 0,
	                  fake_cb, f);
	snprintf(f->address, sizeof f->address, "127.0.0.1:%d", http_server_port(f->srv));
	for (int i = 0; i < n; i++)
		f->answers[i] = answers[i];
	f->n_answers = n;
	f->retry_after = -1;
	return f;
}

/* An address nothing listens on: bind a port, note it, close it. */
static void dead_address(char *buf, size_t len)
{
	struct http_server *srv = http_server_new(base, 1024);

	ck_assert_int_eq(http_server_bind(srv, "127.0.0.1:0", NULL), 0);
	snprintf(buf, len, "127.0.0.1:%d", http_server_port(srv));
	http_server_free(srv);
}

static void setup(void)
{
	base = event_base_new();
	n_fakes = 0;
}

static void teardown(void)
{
	for (int i = 0; i < n_fakes; i++)
		http_server_free(fakes[i].srv);
	event_base_free(base);
}

static void outcome_cb(const struct weft_status *st, struct json_object *json, const char *body,
                       size_t len, void *arg)
{
	struct outcome *o = arg;

	o->done = true;
	o->ok = st->ok;
	o->status = st->http_status;
	o->calls++;
	snprintf(o->message, sizeof o->message, "%s", st->message != NULL ? st->message : "");
	snprintf(o->body, sizeof o->body, "%.*s", (int)len, body);
	if (st->ok)
		ck_assert_ptr_nonnull(json);
}

/* A client on the test's loop with fast backoff. */
static struct weft_client *client_for(const char *addresses, int64_t retry_ms)
{
	struct weft_client_options o = {
	        .rm_addresses = addresses,
	        .retry_ms = retry_ms,
	        .backoff_min_ms = 20,
	        .backoff_max_ms = 80,
	        .call_timeout_ms = 2000,
	};
	char *cause = NULL;
	struct weft_client *c = weft_client_new(base, &o, &cause);

	ck_assert_msg(c != NULL, "%s", cause);
	return c;
}

static void wait_done(struct outcome *o, const char *what)
{
	testlib_run_until(base, testlib_flag_set, &o->done, TESTLIB_WAIT_MS, what);
}

START_TEST(failover_from_a_dead_address)
{
	static const int ok[] = {200};
	struct fake *live = fake_new(1, ok);
	char dead[64], *list, *live_url;
	struct weft_client *c;
	struct outcome o = {0};

	dead_address(dead, sizeof dead);
	list = xasprintf("%s, http://%s", dead, live->address);
	live_url = xasprintf("http://%s", live->address);
	c = client_for(list, 10000);
	weft_client_call(c, "GET", "/ws/v1/cluster/info", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 outcome_cb, &o);
	wait_done(&o, "the call through the live RM");
	ck_assert(o.ok);
	ck_assert_int_eq(live->hits, 1);
	/* The live one is remembered: the next call goes there first. */
	ck_assert_str_eq(weft_client_rm_url(c), live_url);
	/* Even a non-idempotent call fails over from a refused connection:
	 * it never left. */
	memset(&o, 0, sizeof o);
	weft_client_free(c);
	c = client_for(list, 10000);
	weft_client_call(c, "POST", "/ws/v1/cluster/apps/new-application", NULL, 0, NULL, 0,
	                 outcome_cb, &o);
	wait_done(&o, "the POST through the live RM");
	ck_assert(o.ok);
	ck_assert_int_eq(live->hits, 2);
	weft_client_free(c);
	free(list);
	free(live_url);
}
END_TEST

START_TEST(active_address_remembered)
{
	static const int unavailable[] = {503, 200};
	static const int ok[] = {200};
	struct fake *standby = fake_new(2, unavailable), *active = fake_new(1, ok);
	char *list = xasprintf("%s,%s", standby->address, active->address);
	struct weft_client *c = client_for(list, 10000);
	struct outcome o = {0};

	weft_client_call(c, "GET", "/a", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, outcome_cb, &o);
	wait_done(&o, "the first call");
	ck_assert(o.ok);
	ck_assert_int_eq(standby->hits, 1);
	ck_assert_int_eq(active->hits, 1);
	/* 503 is "not me": the next calls start at the one that answered. */
	for (int i = 0; i < 3; i++) {
		memset(&o, 0, sizeof o);
		weft_client_call(c, "GET", "/b", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, outcome_cb,
		                 &o);
		wait_done(&o, "a later call");
		ck_assert(o.ok);
	}
	ck_assert_int_eq(standby->hits, 1);
	ck_assert_int_eq(active->hits, 4);
	weft_client_free(c);
	free(list);
}
END_TEST

START_TEST(busy_429_honours_retry_after)
{
	static const int busy[] = {429, 200};
	struct fake *f = fake_new(2, busy);
	struct weft_client *c;
	struct outcome o = {0};
	long long t0;

	f->retry_after = 1;
	c = client_for(f->address, 10000);
	t0 = testlib_now_ms();
	/* Not idempotent, yet retried: a 429 was refused before any work. */
	weft_client_call(c, "POST", "/x", "{}", 2, NULL, 0, outcome_cb, &o);
	wait_done(&o, "the call after 429");
	ck_assert(o.ok);
	ck_assert_int_eq(f->hits, 2);
	/* Retry-After: 1 was waited for (a lower bound, never an upper; the
	 * loop's clock is cached, a few ms behind ours). */
	ck_assert_int_ge(testlib_now_ms() - t0, 900);
	weft_client_free(c);
}
END_TEST

START_TEST(unavailable_503_retried)
{
	static const int unavailable[] = {503, 503, 200};
	struct fake *f = fake_new(3, unavailable);
	struct weft_client *c = client_for(f->address, 10000);
	struct outcome o = {0};

	weft_client_call(c, "PUT", "/x", "{}", 2, NULL, 0, outcome_cb, &o);
	wait_done(&o, "the call after 503s");
	ck_assert(o.ok);
	ck_assert_int_eq(f->hits, 3);
	ck_assert_int_eq(o.calls, 1);
	weft_client_free(c);
}
END_TEST

START_TEST(post_not_repeated_after_500)
{
	static const int broken[] = {500, 200};
	struct fake *f = fake_new(2, broken);
	struct weft_client *c = client_for(f->address, 10000);
	struct outcome o = {0};

	weft_client_call(c, "POST", "/ws/v1/cluster/apps/new-application", NULL, 0, NULL, 0,
	                 outcome_cb, &o);
	wait_done(&o, "the POST's 500");
	ck_assert(!o.ok);
	ck_assert_int_eq(o.status, 500);
	ck_assert_int_eq(f->hits, 1);
	ck_assert_msg(strstr(o.message, "scripted 500") != NULL, "%s", o.message);
	/* Nothing went out again afterwards either. */
	testlib_run_for(base, 200);
	ck_assert_int_eq(f->hits, 1);
	weft_client_free(c);
}
END_TEST

START_TEST(post_not_repeated_without_answer)
{
	static const int silent[] = {0};
	struct fake *f = fake_new(1, silent);
	struct weft_client_options opts = {
	        .rm_addresses = f->address,
	        .retry_ms = 10000,
	        .backoff_min_ms = 20,
	        .call_timeout_ms = 300,
	};
	struct weft_client *c = weft_client_new(base, &opts, NULL);
	struct outcome o = {0};

	weft_client_call(c, "POST", "/ws/v1/cluster/apps/new-application", NULL, 0, NULL, 0,
	                 outcome_cb, &o);
	wait_done(&o, "the POST's timeout");
	ck_assert(!o.ok);
	ck_assert_int_eq(o.status, 0);
	ck_assert_int_eq(f->hits, 1);
	ck_assert_str_ne(o.message, "");
	weft_client_free(c);
}
END_TEST

START_TEST(idempotent_retried_until_retry_ms)
{
	static const int broken[] = {500};
	struct fake *f = fake_new(1, broken);
	struct weft_client *c = client_for(f->address, 600);
	struct outcome o = {0};
	long long t0 = testlib_now_ms();

	weft_client_call(c, "GET", "/ws/v1/cluster/apps/x", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 outcome_cb, &o);
	wait_done(&o, "the GET to give up");
	ck_assert(!o.ok);
	ck_assert_int_eq(o.status, 500);
	ck_assert_int_eq(o.calls, 1);
	ck_assert_int_ge(f->hits, 2);
	/* The last cause: the RM's own message. */
	ck_assert_msg(strstr(o.message, "scripted 500") != NULL, "%s", o.message);
	/* It kept trying for (about) retry_ms: a lower bound. */
	ck_assert_int_ge(testlib_now_ms() - t0, 400);

	/* No RM at all: the last cause is the connection's. */
	{
		char dead[64];

		dead_address(dead, sizeof dead);
		weft_client_free(c);
		c = client_for(dead, 300);
		memset(&o, 0, sizeof o);
		weft_client_call(c, "GET", "/y", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, outcome_cb,
		                 &o);
		wait_done(&o, "the GET to a dead RM to give up");
		ck_assert(!o.ok);
		ck_assert_int_eq(o.status, 0);
		ck_assert_str_ne(o.message, "");
	}
	/* retry_ms negative: one try only. */
	weft_client_free(c);
	c = client_for(f->address, -1);
	f->hits = 0;
	memset(&o, 0, sizeof o);
	weft_client_call(c, "GET", "/z", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, outcome_cb, &o);
	wait_done(&o, "the one try");
	ck_assert_int_eq(f->hits, 1);
	weft_client_free(c);
}
END_TEST

START_TEST(retry_budget_runs_from_the_failure)
{
	/* The first try is held until it times out, longer than the whole
	 * retry budget: the budget starts at that failure, so the call is
	 * still tried again (a wait the RM held, then lost, is retried). */
	static const int held_then_ok[] = {0, 200};
	struct fake *f = fake_new(2, held_then_ok);
	struct weft_client_options opts = {
	        .rm_addresses = f->address,
	        .retry_ms = 200,
	        .backoff_min_ms = 20,
	        .call_timeout_ms = 400,
	};
	struct weft_client *c = weft_client_new(base, &opts, NULL);
	struct outcome o = {0};

	weft_client_call(c, "GET", "/held", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, outcome_cb, &o);
	wait_done(&o, "the retried call");
	ck_assert_msg(o.ok, "%s", o.message);
	ck_assert_int_eq(f->hits, 2);
	weft_client_free(c);
}
END_TEST

START_TEST(identity_on_every_call)
{
	static const int ok[] = {200};
	struct fake *f = fake_new(1, ok);
	static const char *const headers[] = {"X-Test: from-options", NULL};
	static const char *const per_call[] = {"X-Other: 1", NULL};
	struct weft_client_options opts = {
	        .rm_addresses = f->address,
	        .user = "alice b",
	        .headers = headers,
	};
	struct weft_client *c = weft_client_new(base, &opts, NULL);
	struct weft_request req = {
	        .method = "GET",
	        .path = "/ws/v1/cluster/apps?states=RUNNING",
	        .headers = per_call,
	        .flags = WEFT_CALL_IDEMPOTENT,
	};
	struct outcome o = {0};

	ck_assert_str_eq(weft_client_user(c), "alice b");
	weft_client_request(c, &req, outcome_cb, &o);
	wait_done(&o, "the call");
	ck_assert(o.ok);
	ck_assert_str_eq(f->last_user, "alice b");
	ck_assert_str_eq(f->last_header, "from-options");
	memset(&o, 0, sizeof o);
	weft_client_call(c, "DELETE", "/plain", NULL, 0, NULL, 0, outcome_cb, &o);
	wait_done(&o, "the second call");
	ck_assert_str_eq(f->last_user, "alice b");
	ck_assert_str_eq(f->last_method, "DELETE");
	weft_client_free(c);
}
END_TEST

/* Frees the client from inside its callback while another call is in
 * flight: that one's callback must never run. */
static struct weft_client *freed_client;
static void free_in_callback_cb(const struct weft_status *st, struct json_object *json,
                                const char *body, size_t len, void *arg)
{
	struct outcome *o = arg;

	o->done = true;
	o->calls++;
	ck_assert_int_eq(weft_client_pending(freed_client), 1);
	weft_client_free(freed_client);
	freed_client = NULL;
}

static bool either_done(void *arg)
{
	const struct outcome *o = arg;

	return o[0].done || o[1].done;
}

START_TEST(freed_from_inside_a_callback)
{
	static const int answers[] = {200, 0};
	struct fake *f = fake_new(2, answers);
	struct outcome o[2] = {{0}};

	freed_client = client_for(f->address, 10000);
	weft_client_call(freed_client, "GET", "/one", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 free_in_callback_cb, &o[0]);
	weft_client_call(freed_client, "GET", "/two", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 free_in_callback_cb, &o[1]);
	testlib_run_until_count(base, &f->hits, 2, TESTLIB_WAIT_MS, "both calls at the fake");
	testlib_run_until(base, either_done, o, TESTLIB_WAIT_MS, "the answered call");
	ck_assert_ptr_null(freed_client);
	/* The held one's connection goes with the client; its callback never
	 * runs. */
	testlib_run_for(base, 100);
	ck_assert_int_eq(o[0].calls + o[1].calls, 1);
}
END_TEST

/* The first call's callback starts two more calls, then frees the client
 * while they are in flight. */
static void start_two_then_free_cb(const struct weft_status *st, struct json_object *json,
                                   const char *body, size_t len, void *arg)
{
	struct outcome *o = arg;

	o->done = true;
	o->calls++;
	weft_client_call(freed_client, "GET", "/second", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 outcome_cb, o + 1);
	weft_client_call(freed_client, "GET", "/third", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 outcome_cb, o + 2);
	ck_assert_int_eq(weft_client_pending(freed_client), 2);
	weft_client_free(freed_client);
	freed_client = NULL;
}

START_TEST(freed_with_calls_in_flight)
{
	static const int answers[] = {200};
	struct fake *f = fake_new(1, answers);
	struct outcome o[3] = {{0}};

	freed_client = client_for(f->address, 10000);
	weft_client_call(freed_client, "GET", "/first", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 start_two_then_free_cb, o);
	wait_done(&o[0], "the first answer");
	/* The cancelled calls never call back, whatever the fake does. */
	testlib_run_for(base, 200);
	ck_assert(!o[1].done);
	ck_assert(!o[2].done);
}
END_TEST

START_TEST(refused_before_any_try)
{
	static const int ok[] = {200};
	struct fake *f = fake_new(1, ok);
	struct weft_client *c = client_for(f->address, 10000);
	const char *many[40];
	struct weft_request req = {.method = "GET", .path = "/x", .address = "not an address"};
	struct outcome o = {0};
	char *cause = NULL;

	weft_client_request(c, &req, outcome_cb, &o);
	/* Said from the loop, not from inside the request. */
	ck_assert(!o.done);
	wait_done(&o, "the refusal");
	ck_assert(!o.ok);
	ck_assert_int_eq(o.status, 0);
	ck_assert_ptr_nonnull(strstr(o.message, "not an address"));
	ck_assert_int_eq(f->hits, 0);

	for (int i = 0; i < 39; i++)
		many[i] = "X-Many: 1";
	many[39] = NULL;
	req.address = NULL;
	req.headers = many;
	memset(&o, 0, sizeof o);
	weft_client_request(c, &req, outcome_cb, &o);
	wait_done(&o, "the refusal of too many headers");
	ck_assert(!o.ok);
	ck_assert_ptr_nonnull(strstr(o.message, "headers"));
	ck_assert_int_eq(f->hits, 0);
	weft_client_free(c);

	/* Options that do not parse. */
	{
		struct weft_client_options bad = {.rm_addresses = "https://rm:8088"};

		ck_assert_ptr_null(weft_client_new(base, &bad, &cause));
		ck_assert_ptr_nonnull(strstr(cause, "https"));
		free(cause);
		cause = NULL;
		bad.rm_addresses = "rm";
		ck_assert_ptr_null(weft_client_new(base, &bad, &cause));
		free(cause);
		cause = NULL;
		bad.rm_addresses = " , ";
		ck_assert_ptr_null(weft_client_new(base, &bad, &cause));
		free(cause);
	}
}
END_TEST

START_TEST(address_lists)
{
	char **urls = NULL, *cause = NULL;
	int n = 0;

	ck_assert_int_eq(
	        client_parse_addresses("0.0.0.0:8088, http://rm2:8088\trm3:1", &urls, &n, &cause),
	        0);
	ck_assert_int_eq(n, 3);
	ck_assert_str_eq(urls[0], "http://127.0.0.1:8088");
	ck_assert_str_eq(urls[1], "http://rm2:8088");
	ck_assert_str_eq(urls[2], "http://rm3:1");
	for (int i = 0; i < n; i++)
		free(urls[i]);
	free(urls);
	ck_assert_int_eq(client_parse_addresses(NULL, &urls, &n, &cause), 0);
	ck_assert_int_eq(n, 1);
	ck_assert_str_eq(urls[0], "http://127.0.0.1:8088");
	free(urls[0]);
	free(urls);
	ck_assert_int_eq(client_parse_addresses("rm:0", &urls, &n, &cause), -1);
	ck_assert_ptr_nonnull(strstr(cause, "no port"));
	free(cause);
}
END_TEST

START_TEST(blocking_client_runs_its_own_loop)
{
	/* The fake lives on the test's loop; the blocking client on its own:
	 * drive the fake from a second client call's perspective is not
	 * possible, so only what needs no server is checked here. */
	struct weft_client_options o = {.rm_addresses = "127.0.0.1:1", .retry_ms = -1};
	struct weft_client *c = weft_client_new_blocking(&o, NULL);
	bool done = false;
	struct outcome out = {0};

	ck_assert_ptr_nonnull(c);
	/* Nothing to wait for: -1 at once, not a hang. */
	ck_assert_int_eq(weft_client_run(c, &done), -1);
	weft_client_call(c, "GET", "/x", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT, outcome_cb, &out);
	ck_assert_int_eq(weft_client_run(c, &out.done), 0);
	ck_assert(!out.ok);
	ck_assert_int_eq(out.status, 0);
	weft_client_free(c);
}
END_TEST

START_TEST(query_escape)
{
	char *s = client_query_escape("a b&c=d/\xc3\xa9~");

	ck_assert_str_eq(s, "a%20b%26c%3Dd%2F%C3%A9~");
	free(s);
}
END_TEST

START_TEST(error_messages)
{
	static const struct {
		long status;
		const char *body, *want, *exception;
	} cases[] = {
	        {404,
	         "{\"RemoteException\":{\"exception\":\"NotFoundException\",\"message\":\"app "
	         "application_1_0009 not found\",\"javaClassName\":\"x\"}}",
	         "app application_1_0009 not found", "NotFoundException"},
	        {400, "{\"RemoteException\":{\"exception\":\"BadRequestException\"}}",
	         "BadRequestException", "BadRequestException"},
	        {500, "{\"error\":\"x\"}", "HTTP 500: {\"error\":\"x\"}", NULL},
	        {502, "\n<html>Bad gateway</html>\nmore", "HTTP 502: <html>Bad gateway</html>",
	         NULL},
	        {503, "", "HTTP 503", NULL},
	        {401, NULL, "HTTP 401", NULL},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *exception = NULL;
		const char *body = cases[i].body;
		char *m = client_error_message(cases[i].status, body,
		                               body != NULL ? strlen(body) : 0, &exception);

		ck_assert_str_eq(m, cases[i].want);
		if (cases[i].exception != NULL)
			ck_assert_str_eq(exception, cases[i].exception);
		else
			ck_assert_ptr_null(exception);
		free(m);
		free(exception);
	}
}
END_TEST

static Suite *client_suite(void)
{
	Suite *s = suite_create("client");
	TCase *tc = tcase_create("fake_rm");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, failover_from_a_dead_address);
	tcase_add_test(tc, active_address_remembered);
	tcase_add_test(tc, busy_429_honours_retry_after);
	tcase_add_test(tc, unavailable_503_retried);
	tcase_add_test(tc, post_not_repeated_after_500);
	tcase_add_test(tc, post_not_repeated_without_answer);
	tcase_add_test(tc, idempotent_retried_until_retry_ms);
	tcase_add_test(tc, retry_budget_runs_from_the_failure);
	tcase_add_test(tc, identity_on_every_call);
	tcase_add_test(tc, freed_from_inside_a_callback);
	tcase_add_test(tc, freed_with_calls_in_flight);
	tcase_add_test(tc, refused_before_any_try);
	tcase_add_test(tc, address_lists);
	tcase_add_test(tc, blocking_client_runs_its_own_loop);
	tcase_add_test(tc, error_messages);
	tcase_add_test(tc, query_escape);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(client_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
