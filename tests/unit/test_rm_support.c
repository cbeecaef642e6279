/*
 * test_rm_support.c — see test_rm_support.h.
 */
#include "weft_config.h"

#include "test_rm_support.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "rm/submission.h"
#include "testlib.h"
#include "weft/ids.h"

struct rm_fixture *fixture_new(const char *const *defines)
{
	struct rm_fixture *fx = xcalloc(1, sizeof *fx);
	char *cause = NULL, *path;

	testlib_mkdtemp_into(fx->dir, sizeof fx->dir, "rm");
	log_open("test", getenv("WEFT_TEST_DEBUG") != NULL ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR,
	         NULL);
	fx->base = event_base_new();
	fx->cfg = config_new();
	path = xasprintf("%s/secret", fx->dir);
	ck_assert_int_eq(secret_create(path, &cause), 0);
	ck_assert_int_eq(config_set(fx->cfg, "security.secret-file", path, &cause), 0);
	free(path);
	path = xasprintf("%s/staging", fx->dir);
	ck_assert_int_eq(config_set(fx->cfg, "rm.staging-dir", path, &cause), 0);
	free(path);
	ck_assert_int_eq(config_set(fx->cfg, "rm.address", "127.0.0.1:0", &cause), 0);
	ck_assert_int_eq(config_set(fx->cfg, "rm.rpc-address", "127.0.0.1:0", &cause), 0);
	for (int i = 0; defines != NULL && defines[i] != NULL; i++) {
		if (config_set_arg(fx->cfg, defines[i], &cause) != 0)
			ck_abort_msg("%s: %s", defines[i], cause);
	}
	fx->rm = rm_new(fx->base, fx->cfg, &cause);
	if (fx->rm == NULL)
		ck_abort_msg("rm_new: %s", cause);
	snprintf(fx->url, sizeof fx->url, "http://127.0.0.1:%d", fx->rm->port);
	snprintf(fx->rpc_url, sizeof fx->rpc_url, "http://127.0.0.1:%d", fx->rm->rpc_port);
	fx->client = http_client_new(fx->base);
	return fx;
}

void fixture_free(struct rm_fixture *fx)
{
	rm_free(fx->rm);
	http_client_free(fx->client);
	for (int i = 0; i < fx->n_nms; i++) {
		struct fake_nm *nm = &fx->nms[i];

		http_server_free(nm->srv);
		for (int j = 0; j < nm->n_starts; j++)
			json_object_put(nm->starts[j]);
		for (int j = 0; j < nm->n_stops; j++)
			free(nm->stops[j]);
	}
	config_free(fx->cfg);
	event_base_free(fx->base);
	if (testlib_rmtree(fx->dir) != 0)
		fprintf(stderr, "could not remove %s\n", fx->dir);
	free(fx);
}

/* --- running the loop --- */

/* The fixture's loop under testlib's bounded wait. */
bool fixture_run_until(struct rm_fixture *fx, bool (*pred)(void *), void *arg, int timeout_ms)
{
	return testlib_loop_until(fx->base, pred, arg, timeout_ms);
}

/* The fixture's loop for ms (for what must not happen). */
void fixture_run_for(struct rm_fixture *fx, int ms)
{
	testlib_run_for(fx->base, ms);
}

/* --- HTTP calls --- */

struct pending_call {
	bool done;
	struct test_response r;
};

static void fixture_call_cb(const struct http_response *resp, void *arg)
{
	struct pending_call *p = arg;

	p->done = true;
	p->r.status = resp->status;
	p->r.body = xstrndup(resp->body, resp->body_len);
	p->r.json = json_tokener_parse(p->r.body);
}

static bool fixture_call_done(void *arg)
{
	return ((struct pending_call *)arg)->done;
}

struct test_response fixture_call(struct rm_fixture *fx, const char *method, const char *path,
                                  const char *const *headers, const char *body, size_t body_len)
{
	struct pending_call p;
	/* Internal RPC has a listener of its own. */
	char *url = xasprintf("%s%s", strncmp(path, "/rpc/", 5) == 0 ? fx->rpc_url : fx->url, path);

	memset(&p, 0, sizeof p);
	http_client_request(fx->client, method, url, headers, body, body_len, 10000,
	                    fixture_call_cb, &p);
	free(url);
	ck_assert_msg(fixture_run_until(fx, fixture_call_done, &p, 15000), "%s %s: no answer",
	              method, path);
	return p.r;
}

void test_response_clear(struct test_response *r)
{
	free(r->body);
	json_object_put(r->json);
	memset(r, 0, sizeof *r);
}

/* --- fake NMs --- */

static void fake_nm_start_cb(struct http_request *req, void *arg)
{
	struct fake_nm *nm = arg;
	struct json_object *body = http_request_json(req), *answer;

	if (body == NULL)
		return;
	if (nm->n_starts < FAKE_NM_MAX_CALLS)
		nm->starts[nm->n_starts++] = body;
	else
		json_object_put(body);
	if (nm->start_status != 200) {
		http_reply_error(req, nm->start_status, "YarnException",
		                 "fake NM refuses: disk full");
		return;
	}
	answer = wjson_new_object();
	wjson_add_string(answer, "state", "RUNNING");
	http_reply_json(req, 200, answer);
}

static void fake_nm_stop_cb(struct http_request *req, void *arg)
{
	struct fake_nm *nm = arg;
	size_t len = 0;
	const char *text = http_request_body(req, &len);
	struct json_object *body, *answer;
	const char *id = NULL;

	if (security_verify_request(nm->fx->rm->secret,
	                            http_request_header(req, SECURITY_AUTH_HEADER), "POST",
	                            http_request_path(req), text, len, time_now_ms(), NULL) != 0)
		nm->stop_auth_ok = false;
	body = http_request_json(req);
	if (body == NULL)
		return;
	if (wjson_get_string(body, "", "containerId", true, &id, NULL) == 0 &&
	    nm->n_stops < FAKE_NM_MAX_CALLS)
		nm->stops[nm->n_stops++] = xstrdup(id);
	answer = wjson_new_object();
	wjson_add_string(answer, "state", "KILLING");
	http_reply_json(req, 200, answer);
	json_object_put(body);
}

struct fake_nm *fixture_add_nm(struct rm_fixture *fx)
{
	struct fake_nm *nm = &fx->nms[fx->n_nms++];
	char *cause = NULL;

	memset(nm, 0, sizeof *nm);
	nm->fx = fx;
	nm->start_status = 200;
	nm->stop_auth_ok = true;
	nm->srv = http_server_new(fx->base, 1024 * 1024);
	if (http_server_bind(nm->srv, "127.0.0.1:0", &cause) != 0)
		ck_abort_msg("fake NM bind: %s", cause);
	snprintf(nm->address, sizeof nm->address, "127.0.0.1:%d", http_server_port(nm->srv));
	http_server_route(nm->srv, HTTP_M_POST, "/rpc/containers/start", 0, fake_nm_start_cb, nm);
	http_server_route(nm->srv, HTTP_M_POST, "/rpc/containers/stop", 0, fake_nm_stop_cb, nm);
	return nm;
}

void fixture_register_nm(struct rm_fixture *fx, struct fake_nm *nm, int memory_mb, int vcores)
{
	char *text = xasprintf("{\"nodeId\":\"%s\",\"httpAddress\":\"%s\",\"memoryMB\":%d,"
	                       "\"vcores\":%d,\"version\":\"test\",\"containers\":[]}",
	                       nm->address, nm->address, memory_mb, vcores);
	struct json_object *body = json_tokener_parse(text), *answer = NULL;
	char *cause = NULL;

	if (node_tracker_register(fx->rm->nodes, body, &answer, &cause) != 0)
		ck_abort_msg("register: %s", cause);
	json_object_put(answer);
	json_object_put(body);
	free(text);
}

struct json_object *fixture_heartbeat(struct rm_fixture *fx, const char *node_id,
                                      const char *statuses_json)
{
	char *text = xasprintf("{\"nodeId\":\"%s\",\"responseId\":1,\"healthy\":true,"
	                       "\"containers\":%s}",
	                       node_id, statuses_json != NULL ? statuses_json : "[]");
	struct json_object *body = json_tokener_parse(text), *answer = NULL;
	char *cause = NULL;

	ck_assert_ptr_nonnull(body);
	if (node_tracker_heartbeat(fx->rm->nodes, body, &answer, &cause) != 0)
		ck_abort_msg("heartbeat: %s", cause);
	json_object_put(body);
	free(text);
	return answer;
}

void fixture_submit(struct rm_fixture *fx, const char *extra_members, char *id)
{
	struct json_object *body;
	struct weft_app_submission *sub = NULL;
	enum app_error error;
	char *cause = NULL, *text;

	ck_assert_int_eq(app_manager_new_application(fx->rm->apps, "alice", id, &cause), 0);
	text = xasprintf(
	        "{\"application-id\":\"%s\",\"application-name\":\"t\",\"queue\":\"default\","
	        "\"application-type\":\"WEFT\",\"resource\":{\"memory\":1024,\"vCores\":1},"
	        "\"am-container-spec\":{\"commands\":{\"command\":\"true\"},"
	        "\"environment\":{\"entry\":[{\"key\":\"A\",\"value\":\"1\"}]},"
	        "\"local-resources\":{\"entry\":[{\"key\":\"job.json\",\"value\":{\"resource\":"
	        "\"/ws/v1/staging/%s/job.json\",\"type\":\"FILE\",\"visibility\":\"APPLICATION\","
	        "\"size\":2,\"timestamp\":0}}]}}%s%s}",
	        id, id, extra_members != NULL ? "," : "",
	        extra_members != NULL ? extra_members : "");
	body = json_tokener_parse(text);
	ck_assert_ptr_nonnull(body);
	if (proto_app_submission_decode(body, &sub, &cause) != 0)
		ck_abort_msg("submission: %s", cause);
	if (app_manager_submit(fx->rm->apps, sub, "alice", &error, &cause) != 0)
		ck_abort_msg("submit: %s", cause);
	json_object_put(body);
	free(text);
}

char *fixture_am_header(struct rm_fixture *fx, const char *attempt_id)
{
	char *token = security_am_token(fx->rm->secret, attempt_id);
	char *line = xasprintf("%s: %s", SECURITY_AM_HEADER, token);

	free(token);
	return line;
}

char *fixture_nm_header(struct rm_fixture *fx, const char *path, const char *body)
{
	char *sig = security_sign_request(fx->rm->secret, "POST", path, body, strlen(body),
	                                  time_now_ms());
	char *line = xasprintf("%s: %s", SECURITY_AUTH_HEADER, sig);

	free(sig);
	return line;
}

/* --- JSON --- */

struct json_object *jpath(struct json_object *o, const char *path)
{
	char *copy = xstrdup(path), *save = NULL, *tok;

	for (tok = strtok_r(copy, ".", &save); tok != NULL && o != NULL;
	     tok = strtok_r(NULL, ".", &save)) {
		struct json_object *next = NULL;

		if (json_object_is_type(o, json_type_array))
			next = json_object_array_get_idx(o, (size_t)atoi(tok));
		else if (!json_object_object_get_ex(o, tok, &next))
			next = NULL;
		o = next;
	}
	free(copy);
	return o;
}

const char *jstr(struct json_object *o, const char *path)
{
	struct json_object *v = jpath(o, path);

	return v != NULL && json_object_is_type(v, json_type_string) ? json_object_get_string(v)
	                                                             : NULL;
}

long long jint(struct json_object *o, const char *path)
{
	struct json_object *v = jpath(o, path);

	return v != NULL ? (long long)json_object_get_int64(v) : -99999;
}
