/*
 * test_client_transport.c — libweft's client over a plugged-in transport
 * (client_set_transport, src/lib/client_internal.h): a fake transport
 * records every try and answers from a script, proving that the client's
 * own policies (429 Retry-After, failover, no retry of a refused call,
 * user.name and headers, the error message, cancelling) run over any
 * transport, as weft-sls's pool relies on.
 */
#include "weft_config.h"

#include <check.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "testlib.h"
#include "weft/client.h"

#define FAKE_MAX_TRIES 8

/* What the fake answers to its n-th try. */
struct fake_answer {
	long status; /* 0: no answer */
	const char *body;
	int64_t retry_after_s;
	bool not_delivered;
};

/* One try, as the client handed it over. */
struct fake_try {
	struct fake *fake;
	char *method, *base_url, *target, *headers, *body;
	long timeout_ms;
	long long at_ms;
	http_response_cb cb;
	void *arg;
	struct event *ev;
	bool cancelled, answered;
};

struct fake {
	struct event_base *base;
	const struct fake_answer *script;
	int n_script;
	struct fake_try tries[FAKE_MAX_TRIES];
	int n_tries;
	int n_cancelled;
};

/* Answer a try from the script (from the loop, as the contract says). */
static void fake_answer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fake_try *t = arg;
	struct fake *f = t->fake;
	int i = (int)(t - f->tries);
	const struct fake_answer *a = &f->script[i < f->n_script ? i : f->n_script - 1];
	struct http_response resp = {
	        .status = a->status,
	        .body = a->body != NULL ? a->body : "",
	        .body_len = a->body != NULL ? strlen(a->body) : 0,
	        .error = a->status == 0 ? "fake: no answer" : NULL,
	        .content_length = -1,
	        .retry_after_s = a->retry_after_s,
	        .not_delivered = a->not_delivered,
	};

	(void)fd;
	(void)what;
	t->answered = true;
	t->cb(&resp, t->arg);
}

/* The transport's request(): record, answer on the next loop turn. */
static void *fake_request(void *state, const struct client_try *ct, http_response_cb cb, void *arg)
{
	struct fake *f = state;
	struct fake_try *t;
	size_t n = 0;
	struct timeval zero = {0, 0};

	ck_assert_int_lt(f->n_tries, FAKE_MAX_TRIES);
	t = &f->tries[f->n_tries++];
	t->fake = f;
	t->method = xstrdup(ct->method);
	t->base_url = xstrdup(ct->base_url);
	t->target = xstrdup(ct->target);
	t->headers = xstrdup("");
	for (int i = 0; ct->headers != NULL && ct->headers[i] != NULL; i++) {
		char *more = xasprintf("%s%s\n", t->headers, ct->headers[i]);

		free(t->headers);
		t->headers = more;
	}
	if (ct->body != NULL) {
		n = ct->len;
		t->body = xstrndup(ct->body, n);
	}
	t->timeout_ms = ct->timeout_ms;
	t->at_ms = testlib_now_ms();
	t->cb = cb;
	t->arg = arg;
	t->ev = event_new(f->base, -1, 0, fake_answer_cb, t);
	event_add(t->ev, &zero);
	return t;
}

/* The transport's cancel(). */
static void fake_cancel(void *state, void *handle)
{
	struct fake *f = state;
	struct fake_try *t = handle;

	ck_assert(!t->answered);
	event_del(t->ev);
	t->cancelled = true;
	f->n_cancelled++;
}

static const struct client_transport fake_transport = {
        .request = fake_request,
        .cancel = fake_cancel,
};

static void fake_clear(struct fake *f)
{
	for (int i = 0; i < f->n_tries; i++) {
		struct fake_try *t = &f->tries[i];

		event_free(t->ev);
		free(t->method);
		free(t->base_url);
		free(t->target);
		free(t->headers);
		free(t->body);
	}
}

/* What the caller's callback saw. */
struct outcome {
	bool done;
	int calls;
	bool ok;
	long status;
	char *message;
	char *exception;
	int json_x; /* "x" of a JSON answer; -1: none */
	char *body;
};

static void outcome_cb(const struct weft_status *st, struct json_object *json, const char *body,
                       size_t len, void *arg)
{
	struct outcome *o = arg;
	struct json_object *x;

	o->done = true;
	o->calls++;
	o->ok = st->ok;
	o->status = st->http_status;
	o->message = st->message != NULL ? xstrdup(st->message) : NULL;
	o->exception = st->exception != NULL ? xstrdup(st->exception) : NULL;
	o->json_x = json != NULL && json_object_object_get_ex(json, "x", &x)
	                    ? json_object_get_int(x)
	                    : -1;
	o->body = xstrndup(body, len);
}

static void outcome_clear(struct outcome *o)
{
	free(o->message);
	free(o->exception);
	free(o->body);
}

/* The end of a test: the client, then what it left. */
static void fake_end(struct weft_client *c, struct fake *f, struct outcome *o,
                     struct event_base *base)
{
	weft_client_free(c);
	fake_clear(f);
	outcome_clear(o);
	event_base_free(base);
}

/* A client of addresses over the fake (no user unless given). */
static struct weft_client *fake_client(struct event_base *base, struct fake *f,
                                       const char *addresses, const char *user)
{
	const char *headers[] = {"X-Client: weft-test", NULL};
	struct weft_client_options o = {
	        .rm_addresses = addresses,
	        .user = user,
	        .headers = headers,
	        .call_timeout_ms = 1234,
	        .backoff_min_ms = 10,
	        .backoff_max_ms = 20,
	};
	char *cause = NULL;
	struct weft_client *c = weft_client_new(base, &o, &cause);

	ck_assert_msg(c != NULL, "%s", cause);
	f->base = base;
	client_set_transport(c, &fake_transport, f);
	return c;
}

/* A POST answered 429 (Retry-After 1 s) then 200: the client waits as
 * told and tries the same RM again, with the same request; the caller
 * sees only the 200, its JSON parsed. */
START_TEST(test_retry_after_429_then_200)
{
	static const struct fake_answer script[] = {
	        {429, "{\"RemoteException\":{\"message\":\"busy\"}}", 1, false},
	        {200, "{\"x\":7}", -1, false},
	};
	struct event_base *base = event_base_new();
	struct fake f = {.script = script, .n_script = 2};
	struct weft_client *c = fake_client(base, &f, "127.0.0.1:8031,127.0.0.1:8032", "alice");
	struct outcome o = {0};
	const char *extra[] = {"X-Weft-AM-Token: t0k3n", NULL};
	struct weft_request req = {
	        .method = "POST",
	        .path = "/rpc/am/allocate",
	        .body = "{\"a\":1}",
	        .len = 7,
	        .headers = extra,
	};

	weft_client_request(c, &req, outcome_cb, &o);
	ck_assert_int_eq(f.n_tries, 1);
	testlib_run_until(base, testlib_flag_set, &o.done, TESTLIB_WAIT_MS, "the call's end");
	ck_assert_int_eq(o.calls, 1);
	ck_assert(o.ok);
	ck_assert_int_eq(o.status, 200);
	ck_assert_int_eq(o.json_x, 7);
	ck_assert_str_eq(o.body, "{\"x\":7}");
	ck_assert_int_eq(f.n_tries, 2);
	for (int i = 0; i < 2; i++) {
		struct fake_try *t = &f.tries[i];

		ck_assert_str_eq(t->method, "POST");
		/* Busy is not down: the same RM, not the next one. */
		ck_assert_str_eq(t->base_url, "http://127.0.0.1:8031");
		ck_assert_str_eq(t->target, "/rpc/am/allocate?user.name=alice");
		ck_assert_str_eq(t->body, "{\"a\":1}");
		ck_assert_int_eq(t->timeout_ms, 1234);
		ck_assert_ptr_nonnull(strstr(t->headers, "Content-Type: application/json\n"));
		ck_assert_ptr_nonnull(strstr(t->headers, "X-Client: weft-test\n"));
		ck_assert_ptr_nonnull(strstr(t->headers, "X-Weft-AM-Token: t0k3n\n"));
	}
	/* Retry-After was honoured (a lower bound: the wait happened). */
	ck_assert_int_ge(f.tries[1].at_ms - f.tries[0].at_ms, 900);
	ck_assert_int_eq(weft_client_pending(c), 0);
	fake_end(c, &f, &o, base);
}
END_TEST

/* A request that never left goes to the next address, even a POST; a
 * refusal (400) ends the call at once with the RM's message. */
START_TEST(test_failover_then_refusal)
{
	static const struct fake_answer script[] = {
	        {0, NULL, -1, true},
	        {400,
	         "{\"RemoteException\":{\"exception\":\"BadRequestException\",\"message\":\"count: "
	         "negative\"}}",
	         -1, false},
	};
	struct event_base *base = event_base_new();
	struct fake f = {.script = script, .n_script = 2};
	struct weft_client *c = fake_client(base, &f, "127.0.0.1:8031 127.0.0.1:8032", NULL);
	struct outcome o = {0};

	weft_client_call(c, "POST", "/rpc/node/heartbeat", "{}", 2, NULL, 0, outcome_cb, &o);
	testlib_run_until(base, testlib_flag_set, &o.done, TESTLIB_WAIT_MS, "the call's end");
	ck_assert_int_eq(o.calls, 1);
	ck_assert(!o.ok);
	ck_assert_int_eq(o.status, 400);
	ck_assert_str_eq(o.message, "count: negative");
	ck_assert_str_eq(o.exception, "BadRequestException");
	ck_assert_int_eq(f.n_tries, 2);
	ck_assert_str_eq(f.tries[0].base_url, "http://127.0.0.1:8031");
	ck_assert_str_eq(f.tries[1].base_url, "http://127.0.0.1:8032");
	ck_assert_str_eq(f.tries[1].target, "/rpc/node/heartbeat");
	/* The RM that answered is the one the next call goes to. */
	ck_assert_str_eq(weft_client_rm_url(c), "http://127.0.0.1:8032");
	fake_end(c, &f, &o, base);
}
END_TEST

/* A POST whose answer never came (it may have reached the RM) is not
 * repeated: the caller hears the transport's reason. */
START_TEST(test_lost_post_not_repeated)
{
	static const struct fake_answer script[] = {{0, NULL, -1, false}};
	struct event_base *base = event_base_new();
	struct fake f = {.script = script, .n_script = 1};
	struct weft_client *c = fake_client(base, &f, "127.0.0.1:8031,127.0.0.1:8032", NULL);
	struct outcome o = {0};

	weft_client_call(c, "POST", "/rpc/am/finish", "{}", 2, NULL, 0, outcome_cb, &o);
	testlib_run_until(base, testlib_flag_set, &o.done, TESTLIB_WAIT_MS, "the call's end");
	ck_assert(!o.ok);
	ck_assert_int_eq(o.status, 0);
	ck_assert_str_eq(o.message, "fake: no answer");
	ck_assert_int_eq(f.n_tries, 1);
	fake_end(c, &f, &o, base);
}
END_TEST

/* Freeing the client cancels the try through the transport; no callback
 * runs. */
START_TEST(test_free_cancels_through_transport)
{
	static const struct fake_answer script[] = {{200, "{}", -1, false}};
	struct event_base *base = event_base_new();
	struct fake f = {.script = script, .n_script = 1};
	struct weft_client *c = fake_client(base, &f, NULL, NULL);
	struct outcome o = {0};

	weft_client_call(c, "GET", "/ws/v1/cluster/scheduler", NULL, 0, NULL, WEFT_CALL_IDEMPOTENT,
	                 outcome_cb, &o);
	ck_assert_int_eq(f.n_tries, 1);
	ck_assert_str_eq(f.tries[0].base_url, "http://127.0.0.1:8088");
	ck_assert_ptr_null(f.tries[0].body);
	weft_client_free(c);
	ck_assert_int_eq(f.n_cancelled, 1);
	ck_assert(f.tries[0].cancelled);
	testlib_run_for(base, 50);
	ck_assert_int_eq(o.calls, 0);
	fake_clear(&f);
	event_base_free(base);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("client_transport");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	log_open("test_client_transport", LOG_LEVEL_WARN, NULL);
	tcase_add_test(tc, test_retry_after_429_then_200);
	tcase_add_test(tc, test_failover_then_refusal);
	tcase_add_test(tc, test_lost_post_not_repeated);
	tcase_add_test(tc, test_free_cancels_through_transport);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
