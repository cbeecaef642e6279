/*
 * test_am_fake.c — the fake RM + NM of the AM's unit tests (see
 * test_am_fake.h).
 */
#include "weft_config.h"

#include "test_am_fake.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"
#include "testlib.h"

char *fake_container(int n)
{
	static char buf[8][WEFT_ID_MAX];
	static int i;

	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "container_1700000000000_0001_01_%06d", n);
	return buf[i];
}

/* --- fake RM ------------------------------------------------------------ */

/* Every AM call must carry the attempt's token. */
static bool fake_token_ok(struct fake *f, struct http_request *req)
{
	const char *h = http_request_header(req, "X-Weft-AM-Token");

	if (h == NULL || strcmp(h, TOKEN) != 0) {
		f->bad_token++;
		http_reply_error(req, 401, "InvalidTokenException", "bad AM token");
		return false;
	}
	return true;
}

static void fake_register_cb(struct http_request *req, void *arg)
{
	struct fake *f = arg;
	struct json_object *body, *ans, *max;

	if (!fake_token_ok(f, req))
		return;
	body = http_request_json(req);
	if (body == NULL)
		return;
	f->registers++;
	json_object_put(body);
	if (f->register_status != 200) {
		http_reply_error(req, f->register_status, "YarnException", "refused");
		return;
	}
	ans = wjson_new_object();
	wjson_add_string(ans, "applicationId", "application_1700000000000_0001");
	wjson_add_string(ans, "attemptId", "appattempt_1700000000000_0001_000001");
	wjson_add_string(ans, "queue", "default");
	wjson_add_string(ans, "user", "alice");
	max = wjson_new_object();
	wjson_add_int(max, "memory", 8192);
	wjson_add_int(max, "vCores", 4);
	wjson_add(ans, "maximumResource", max);
	f->step_time = time_mono_ms();
	http_reply_json(req, 200, ans);
}

static void fake_allocate_cb(struct http_request *req, void *arg)
{
	struct fake *f = arg;
	struct json_object *body, *ans;
	int status = 200, n;

	if (!fake_token_ok(f, req))
		return;
	body = http_request_json(req);
	if (body == NULL)
		return;
	n = f->allocates++;
	ck_assert_int_lt(n, MAX_SEEN);
	f->alloc_req[n] = body;
	f->alloc_delay[n] = time_mono_ms() - f->step_time;
	ans = f->on_allocate(f, body, n, &status);
	if (status != 200) {
		if (ans != NULL)
			json_object_put(ans);
		if (status == 404)
			http_reply_error(req, 404, "ApplicationAttemptNotFoundException",
			                 "unknown attempt");
		else
			http_reply_error(req, status, "ServiceUnavailableException", "busy");
		return;
	}
	wjson_add_int(ans, "responseId", n + 1);
	f->step_time = time_mono_ms();
	http_reply_json(req, 200, ans);
}

static void fake_finish_cb(struct http_request *req, void *arg)
{
	struct fake *f = arg;
	struct json_object *body, *ans;
	const char *s = NULL, *d = NULL;

	if (!fake_token_ok(f, req))
		return;
	body = http_request_json(req);
	if (body == NULL)
		return;
	f->finishes++;
	ck_assert_int_eq(wjson_get_string(body, "", "finalStatus", true, &s, NULL), 0);
	ck_assert_int_eq(wjson_get_string(body, "", "diagnostics", true, &d, NULL), 0);
	free(f->finish_status);
	free(f->finish_diag);
	f->finish_status = xstrdup(s);
	f->finish_diag = xstrdup(d);
	json_object_put(body);
	ans = wjson_new_object();
	wjson_add_bool(ans, "isUnregistered", true);
	http_reply_json(req, 200, ans);
}

/* --- fake NM ------------------------------------------------------------ */

static void fake_start_cb(struct http_request *req, void *arg)
{
	struct fake *f = arg;
	struct json_object *body, *ans;
	const char *token = NULL;

	body = http_request_json(req);
	if (body == NULL)
		return;
	ck_assert_int_eq(wjson_get_string(body, "", "token", true, &token, NULL), 0);
	if (f->nm_refuse_token_bad && strcmp(token, "bad") == 0) {
		json_object_put(body);
		http_reply_error(req, 401, "InvalidTokenException", "container token expired");
		return;
	}
	ck_assert_int_lt(f->starts, MAX_SEEN);
	f->start_req[f->starts++] = body;
	ans = wjson_new_object();
	wjson_add_string(ans, "state", "RUNNING");
	http_reply_json(req, 200, ans);
}

static void fake_stop_cb(struct http_request *req, void *arg)
{
	struct fake *f = arg;
	struct json_object *body, *ans;
	const char *id = NULL, *token = NULL;

	body = http_request_json(req);
	if (body == NULL)
		return;
	ck_assert_int_eq(wjson_get_string(body, "", "containerId", true, &id, NULL), 0);
	ck_assert_int_eq(wjson_get_string(body, "", "token", true, &token, NULL), 0);
	ck_assert_int_lt(f->stops, MAX_SEEN);
	snprintf(f->stopped[f->stops++], WEFT_ID_MAX, "%s", id);
	if (f->nm_hang_stops) {
		json_object_put(body);
		http_request_defer(req, NULL, NULL);
		return;
	}
	ans = wjson_new_object();
	wjson_add_string(ans, "containerId", id);
	wjson_add_string(ans, "state", "KILLING");
	json_object_put(body);
	http_reply_json(req, 200, ans);
}

/* --- answers ------------------------------------------------------------ */

/* {"allocated":[],"completed":[],"action":"NORMAL"} */
struct json_object *fake_answer(void)
{
	struct json_object *a = wjson_new_object();

	wjson_add(a, "allocated", json_object_new_array());
	wjson_add(a, "completed", json_object_new_array());
	wjson_add_int(a, "numClusterNodes", 1);
	wjson_add_string(a, "action", "NORMAL");
	return a;
}

void fake_add_grant(struct fake *f, struct json_object *a, int n, const char *token)
{
	struct json_object *g = wjson_new_object(), *arr = NULL;

	wjson_add_string(g, "containerId", fake_container(n));
	wjson_add_string(g, "nodeId", "127.0.0.1:45454");
	wjson_add_string(g, "nodeHttpAddress", f->node);
	wjson_add_int(g, "priority", 1);
	wjson_add_int(g, "memoryMB", 1024);
	wjson_add_int(g, "vcores", 1);
	wjson_add_string(g, "token", token);
	json_object_object_get_ex(a, "allocated", &arr);
	json_object_array_add(arr, g);
}

void fake_add_completed(struct json_object *a, int n, int status, const char *diag)
{
	struct json_object *c = wjson_new_object(), *arr = NULL;

	wjson_add_string(c, "containerId", fake_container(n));
	wjson_add_string(c, "state", "COMPLETE");
	wjson_add_int(c, "exitStatus", status);
	wjson_add_string(c, "diagnostics", diag);
	json_object_object_get_ex(a, "completed", &arr);
	json_object_array_add(arr, c);
}

/* The count of the (single) ask in an allocate request, -1 when none. */
int fake_ask_count(struct json_object *req)
{
	struct json_object *asks = NULL, *ask;
	int64_t count = -1, v = 0;

	ck_assert_int_eq(wjson_get_array(req, "", "asks", true, &asks, NULL), 0);
	if (json_object_array_length(asks) == 0)
		return -1;
	ck_assert_int_eq(json_object_array_length(asks), 1);
	ask = json_object_array_get_idx(asks, 0);
	ck_assert_int_eq(wjson_get_int(ask, "asks[0]", "count", true, 0, 1000, &count, NULL), 0);
	ck_assert_int_eq(wjson_get_int(ask, "asks[0]", "priority", true, 0, 100, &v, NULL), 0);
	ck_assert_int_eq(v, 1);
	ck_assert_int_eq(wjson_get_int(ask, "asks[0]", "memoryMB", true, 0, 1 << 20, &v, NULL), 0);
	ck_assert_int_eq(v, 1024);
	ck_assert_int_eq(wjson_get_int(ask, "asks[0]", "vcores", true, 0, 100, &v, NULL), 0);
	ck_assert_int_eq(v, 1);
	return (int)count;
}

/* Whether an allocate request releases container n. */
bool fake_releases(struct json_object *req, int n)
{
	struct json_object *rel = NULL;
	size_t i;

	ck_assert_int_eq(wjson_get_array(req, "", "releases", true, &rel, NULL), 0);
	for (i = 0; i < json_object_array_length(rel); i++) {
		if (strcmp(json_object_get_string(json_object_array_get_idx(rel, i)),
		           fake_container(n)) == 0)
			return true;
	}
	return false;
}

int64_t fake_response_id(struct json_object *req)
{
	int64_t v = -1;

	ck_assert_int_eq(wjson_get_int(req, "", "responseId", true, 0, 1000, &v, NULL), 0);
	return v;
}

bool fake_was_stopped(struct fake *f, int n)
{
	int i;

	for (i = 0; i < f->stops; i++) {
		if (strcmp(f->stopped[i], fake_container(n)) == 0)
			return true;
	}
	return false;
}

/* --- harness ------------------------------------------------------------ */

void fake_driver_lost_cb(void *arg, const char *id, int status, const char *diag)
{
	struct fake *f = arg;

	ck_assert_int_lt(f->lost, MAX_SEEN);
	snprintf(f->lost_id[f->lost], WEFT_ID_MAX, "%s", id);
	f->lost_status[f->lost++] = status;
	free(f->lost_diag);
	f->lost_diag = xstrdup(diag);
}

void fake_driver_stop_cb(void *arg, const char *diag)
{
	struct fake *f = arg;

	f->driver_stops++;
	free(f->driver_stop_diag);
	f->driver_stop_diag = xstrdup(diag);
}

void fake_exit_cb(int status, void *arg)
{
	struct fake *f = arg;

	ck_assert(!f->exited);
	f->exited = true;
	f->exit_status = status;
	f->exited_ms = time_mono_ms();
	event_base_loopbreak(f->base);
}

bool fake_exited(void *arg)
{
	return ((struct fake *)arg)->exited;
}

/* Start the fake RM/NM and an AM pointed at it. */
struct fake *fake_new(fake_allocate_fn on_allocate, int num_executors, int max_failures,
                      int heartbeat_ms, const char *token)
{
	struct fake *f = xcalloc(1, sizeof *f);
	struct am_settings s = {0};
	struct am_driver_ops ops = {
	        .executor_lost = fake_driver_lost_cb,
	        .stop = fake_driver_stop_cb,
	        .arg = f,
	};
	char *cause = NULL, *url;

	f->on_allocate = on_allocate;
	f->register_status = 200;
	f->base = event_base_new();
	ck_assert_ptr_nonnull(f->base);
	f->srv = http_server_new(f->base, WEFT_MAX_JSON_BODY);
	http_server_route(f->srv, HTTP_M_POST, "/rpc/am/register", 0, fake_register_cb, f);
	http_server_route(f->srv, HTTP_M_POST, "/rpc/am/allocate", 0, fake_allocate_cb, f);
	http_server_route(f->srv, HTTP_M_POST, "/rpc/am/finish", 0, fake_finish_cb, f);
	http_server_route(f->srv, HTTP_M_POST, "/rpc/containers/start", 0, fake_start_cb, f);
	http_server_route(f->srv, HTTP_M_POST, "/rpc/containers/stop", 0, fake_stop_cb, f);
	ck_assert_msg(http_server_bind(f->srv, "127.0.0.1:0", &cause) == 0, "bind: %s", cause);
	f->port = http_server_port(f->srv);
	snprintf(f->node, sizeof f->node, "127.0.0.1:%d", f->port);

	url = xasprintf("http://127.0.0.1:%d", f->port);
	s.rm_addresses = url;
	s.am_token = token ? token : TOKEN;
	s.attempt_id = "appattempt_1700000000000_0001_000001";
	s.container_id = "container_1700000000000_0001_01_000001";
	s.host = "127.0.0.1";
	s.tracking_url = "";
	s.app_secret = SECRET;
	s.num_executors = num_executors;
	s.executor_resource = weft_resource(1024, 1);
	s.max_executor_failures = max_failures;
	s.heartbeat_ms = heartbeat_ms;
	s.initial_interval_ms = heartbeat_ms;
	s.rm_give_up_ms = 600000;
	/* Longer than any wait of a test: an AM that ends did not end
	 * because a call timed out. */
	s.call_timeout_ms = 10 * TESTLIB_WAIT_MS;
	s.stop_grace_ms = 2000;
	f->am = am_new(f->base, &s, fake_exit_cb, f, &cause);
	ck_assert_msg(f->am != NULL, "am_new: %s", cause);
	am_set_driver(f->am, DRIVER, &ops);
	free(url);
	return f;
}

/* Run the AM until it exits (a stuck one fails the test). */
void fake_loop(struct fake *f)
{
	f->started_ms = time_mono_ms();
	am_start(f->am);
	f->timed_out = !testlib_loop_until(f->base, fake_exited, f, TESTLIB_WAIT_MS);
	ck_assert_msg(!f->timed_out, "the AM did not exit within %d ms (step %d, %d allocates)",
	              TESTLIB_WAIT_MS, f->step, f->allocates);
}

/* Run, and check every call carried the right token. */
void fake_run(struct fake *f)
{
	fake_loop(f);
	ck_assert_int_eq(f->bad_token, 0);
}

void fake_free(struct fake *f)
{
	int i;

	am_free(f->am);
	http_server_free(f->srv);
	event_base_free(f->base);
	for (i = 0; i < f->allocates; i++)
		json_object_put(f->alloc_req[i]);
	for (i = 0; i < f->starts; i++)
		json_object_put(f->start_req[i]);
	free(f->finish_status);
	free(f->finish_diag);
	free(f->lost_diag);
	free(f->driver_stop_diag);
	free(f);
}

/* The executor launch an NM was asked for, checked field by field. */
void fake_check_start(struct fake *f, int i, int executor_id, const char *token)
{
	struct json_object *ctx = NULL, *cmds = NULL, *env = NULL;
	const char *cmd, *secret = NULL, *tok = NULL;
	char *want;

	ck_assert_int_eq(wjson_get_string(f->start_req[i], "", "token", true, &tok, NULL), 0);
	ck_assert_str_eq(tok, token);
	ck_assert_int_eq(wjson_get_object(f->start_req[i], "", "launchContext", true, &ctx, NULL),
	                 0);
	ck_assert_int_eq(wjson_get_array(ctx, "launchContext", "commands", true, &cmds, NULL), 0);
	ck_assert_int_eq(json_object_array_length(cmds), 1);
	cmd = json_object_get_string(json_object_array_get_idx(cmds, 0));
	want = xasprintf("exec \"$WEFT_LIBEXEC_DIR\"/weft-executor --driver '%s' --executor-id %d "
	                 "--cores 1 --memory-mb 1024",
	                 DRIVER, executor_id);
	ck_assert_str_eq(cmd, want);
	free(want);
	ck_assert_int_eq(wjson_get_object(ctx, "launchContext", "environment", true, &env, NULL),
	                 0);
	ck_assert_int_eq(
	        wjson_get_string(env, "environment", "WEFT_APP_SECRET", true, &secret, NULL), 0);
	ck_assert_str_eq(secret, SECRET);
}
