/*
 * am_service.c — the AM protocol over HTTP: authentication, strict reading
 * of the three bodies, and the answers protocol.h specifies.  The
 * decisions (states, asks, grants) are the app manager's and the
 * scheduler's; this file translates.
 */
#include "weft_config.h"

#include "rm/am_service.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/app_manager.h"
#include "rm/container_tokens.h"
#include "rm/node_tracker.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "weft/ids.h"

#define AM_SERVICE_MAX_ASKS     1000
#define AM_SERVICE_MAX_RELEASES 100000

/* Answer an app manager refusal with the matching status and exception. */
static void am_service_reply_error(struct http_request *req, enum app_error error,
                                   const char *cause)
{
	switch (error) {
	case APP_ERROR_INVALID_RESOURCE:
		http_reply_error(req, 400, "InvalidResourceRequestException", "%s", cause);
		break;
	case APP_ERROR_NOT_FOUND:
		http_reply_error(req, 404, "ApplicationAttemptNotFoundException", "%s", cause);
		break;
	case APP_ERROR_NOT_REGISTERED:
		http_reply_error(req, 400, "ApplicationMasterNotRegisteredException", "%s", cause);
		break;
	default:
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		break;
	}
}

/* The caller's attempt from X-Weft-AM-Token, and its body.  RET the
 * attempt with *body set, or NULL after answering. */
static struct rm_attempt *am_service_authenticate(struct rm *rm, struct http_request *req,
                                                  struct json_object **body)
{
	char attempt_id[WEFT_ID_MAX];
	const char *token = http_request_header(req, SECURITY_AM_HEADER);
	char *why = NULL;
	struct rm_attempt *at;

	*body = NULL;
	if (token == NULL || token[0] == '\0') {
		http_reply_error(req, 401, "InvalidTokenException", "missing %s header",
		                 SECURITY_AM_HEADER);
		return NULL;
	}
	if (security_verify_am_token(rm->secret, token, attempt_id, &why) != 0) {
		log_warn("%s from %s refused: %s", http_request_path(req), http_request_peer(req),
		         why);
		http_reply_error(req, 401, "InvalidTokenException", "%s", why);
		free(why);
		return NULL;
	}
	at = app_manager_am_attempt(rm->apps, attempt_id);
	if (at == NULL) {
		http_reply_error(req, 404, "ApplicationAttemptNotFoundException",
		                 "Application attempt %s doesn't exist in ApplicationMasterService "
		                 "cache (not the application's current attempt)",
		                 attempt_id);
		return NULL;
	}
	*body = http_request_json(req);
	return *body != NULL ? at : NULL;
}

/* {"memory":..,"vCores":..} */
static struct json_object *am_service_resource_json(weft_resource_t r)
{
	struct json_object *o = wjson_new_object();

	wjson_add_int(o, "memory", r.memory_mb);
	wjson_add_int(o, "vCores", r.vcores);
	return o;
}

/* POST /rpc/am/register */
static void am_service_register_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct json_object *body = NULL, *answer;
	struct rm_attempt *at = am_service_authenticate(rm, req, &body);
	const char *host = "", *tracking = "";
	int64_t rpc_port = -1;
	enum app_error error = APP_ERROR_BAD_REQUEST;
	struct am_attempt_info info;
	char *cause = NULL;

	if (at == NULL)
		return;
	if (wjson_get_string(body, "", "host", false, &host, &cause) != 0 ||
	    wjson_get_int(body, "", "rpcPort", false, -1, 65535, &rpc_port, &cause) != 0 ||
	    wjson_get_string(body, "", "trackingUrl", false, &tracking, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		goto out;
	}
	if (strlen(host) > 255 || strlen(tracking) > 4096) {
		http_reply_error(req, 400, "BadRequestException", "host or trackingUrl too long");
		goto out;
	}
	if (app_manager_am_register(rm->apps, at, host, (int)rpc_port, tracking, &error, &cause) !=
	    0) {
		am_service_reply_error(req, error, cause);
		goto out;
	}
	app_manager_attempt_info(at, &info);
	answer = wjson_new_object();
	wjson_add_string(answer, "applicationId", info.app_id);
	wjson_add_string(answer, "attemptId", info.attempt_id);
	wjson_add_string(answer, "queue", info.queue);
	wjson_add_string(answer, "user", info.user);
	wjson_add(answer, "maximumResource",
	          am_service_resource_json(scheduler_maximum_allocation(rm->scheduler)));
	wjson_add(answer, "minimumResource",
	          am_service_resource_json(scheduler_minimum_allocation(rm->scheduler)));
	http_reply_json(req, 200, answer);
out:
	free(cause);
	json_object_put(body);
}

/* A JSON number (integer or not) within [0, 1]. */
static int am_service_progress(struct json_object *body, double *out, char **cause)
{
	struct json_object *v = NULL;
	double p;

	if (!json_object_object_get_ex(body, "progress", &v) || v == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
		return set_cause(cause, "progress: expected a number");
	p = json_object_get_double(v);
	if (!isfinite(p) || p < 0.0 || p > 1.0)
		return set_cause(cause, "progress: %g is out of range [0, 1]", p);
	*out = p;
	return 0;
}

/* Free what am_service_parse_allocate allocated. */
void am_request_free(struct am_request *r)
{
	free(r->asks);
	free(r->hints);
	free(r->releases);
}

/* Read and check an allocate body (strings borrowed from body). */
int am_service_parse_allocate(struct json_object *body, struct am_request *r, char **cause)
{
	struct json_object *asks = NULL, *releases = NULL;
	size_t n_asks = 0, n_hints = 0, used = 0;

	memset(r, 0, sizeof *r);
	if (wjson_get_int(body, "", "responseId", true, 0, INT64_MAX - 1, &r->response_id, cause) !=
	            0 ||
	    am_service_progress(body, &r->progress, cause) != 0 ||
	    wjson_get_array(body, "", "asks", false, &asks, cause) != 0 ||
	    wjson_get_array(body, "", "releases", false, &releases, cause) != 0)
		return -1;
	if (asks != NULL)
		n_asks = json_object_array_length(asks);
	if (n_asks > AM_SERVICE_MAX_ASKS)
		return set_cause(cause, "asks: more than %d entries", AM_SERVICE_MAX_ASKS);
	/* Count node and rack hints first so one array holds them all. */
	for (size_t i = 0; i < n_asks; i++) {
		static const char *const keys[] = {"nodes", "racks"};
		struct json_object *item = json_object_array_get_idx(asks, i);

		for (size_t k = 0; k < 2; k++) {
			struct json_object *list = NULL;

			if (item != NULL && json_object_is_type(item, json_type_object) &&
			    json_object_object_get_ex(item, keys[k], &list) &&
			    json_object_is_type(list, json_type_array))
				n_hints += json_object_array_length(list);
		}
	}
	r->asks = xcalloc(n_asks + 1, sizeof *r->asks);
	r->hints = xcalloc(n_hints + 1, sizeof *r->hints);
	for (size_t i = 0; i < n_asks; i++) {
		struct json_object *item = json_object_array_get_idx(asks, i), *nodes = NULL;
		struct json_object *racks = NULL;
		struct scheduler_ask *a = &r->asks[i];
		char *path = xasprintf("asks[%zu]", i);
		int64_t priority = 0, count = 0, memory = 0, vcores = 0;
		bool relax = true;
		int rc = -1;

		if (wjson_get_int(item, path, "priority", true, 0, INT32_MAX, &priority, cause) !=
		            0 ||
		    wjson_get_int(item, path, "count", true, 0, INT32_MAX, &count, cause) != 0 ||
		    wjson_get_int(item, path, "memoryMB", true, INT32_MIN, INT64_C(1) << 40,
		                  &memory, cause) != 0 ||
		    wjson_get_int(item, path, "vcores", true, INT32_MIN, 1 << 20, &vcores, cause) !=
		            0 ||
		    wjson_get_array(item, path, "nodes", false, &nodes, cause) != 0 ||
		    wjson_get_array(item, path, "racks", false, &racks, cause) != 0 ||
		    wjson_get_bool(item, path, "relaxLocality", false, &relax, cause) != 0)
			goto done;
		a->priority = (int32_t)priority;
		a->count = (int32_t)count;
		a->capability = weft_resource(memory, vcores);
		a->relax_locality = relax;
		a->nodes = r->hints + used;
		for (size_t j = 0; nodes != NULL && j < json_object_array_length(nodes); j++) {
			struct json_object *h = json_object_array_get_idx(nodes, j);

			if (h == NULL || !json_object_is_type(h, json_type_string) ||
			    json_object_get_string_len(h) == 0) {
				set_cause(cause, "%s.nodes[%zu]: expected a node id string", path,
				          j);
				goto done;
			}
			r->hints[used++] = json_object_get_string(h);
			a->n_nodes++;
		}
		a->racks = r->hints + used;
		for (size_t j = 0; racks != NULL && j < json_object_array_length(racks); j++) {
			struct json_object *h = json_object_array_get_idx(racks, j);

			if (h == NULL || !json_object_is_type(h, json_type_string) ||
			    json_object_get_string_len(h) == 0) {
				set_cause(cause, "%s.racks[%zu]: expected a rack name string", path,
				          j);
				goto done;
			}
			r->hints[used++] = json_object_get_string(h);
			a->n_racks++;
		}
		rc = 0;
	done:
		free(path);
		if (rc != 0)
			return -1;
		r->n_asks++;
	}
	if (releases != NULL) {
		size_t n = json_object_array_length(releases);

		if (n > AM_SERVICE_MAX_RELEASES)
			return set_cause(cause, "releases: more than %d entries",
			                 AM_SERVICE_MAX_RELEASES);
		r->releases = xcalloc(n + 1, sizeof *r->releases);
		for (size_t i = 0; i < n; i++) {
			struct json_object *v = json_object_array_get_idx(releases, i);
			weft_container_id_t cid;

			if (v == NULL || !json_object_is_type(v, json_type_string) ||
			    weft_container_id_parse(json_object_get_string(v), &cid) != 0)
				return set_cause(cause, "releases[%zu]: expected a container id",
				                 i);
			r->releases[r->n_releases++] = json_object_get_string(v);
		}
	}
	return 0;
}

/* Append text as a JSON string literal (quotes, backslashes and control
 * characters escaped; everything else, UTF-8 included, as it is). */
static void am_service_json_string(struct evbuffer *b, const char *text)
{
	const char *run = text;

	evbuffer_add(b, "\"", 1);
	for (const char *c = text; *c != '\0'; c++) {
		unsigned char u = (unsigned char)*c;

		if (u >= 0x20 && u != '"' && u != '\\')
			continue;
		evbuffer_add(b, run, (size_t)(c - run));
		if (u == '"' || u == '\\')
			evbuffer_add_printf(b, "\\%c", u);
		else
			evbuffer_add_printf(b, "\\u%04x", u);
		run = c + 1;
	}
	evbuffer_add(b, run, strlen(run));
	evbuffer_add(b, "\"", 1);
}

/* One granted container as protocol.h writes it, with its token.  Written
 * as text: an answer can hold thousands of grants, and a json-c object
 * per grant cost more than everything else the grant needs but its
 * token. */
static void am_service_grant_text(struct rm *rm, struct evbuffer *b,
                                  const struct scheduler_grant *g, const char *user)
{
	const char *http = node_tracker_http_address(rm->nodes, g->node_id);
	char *token =
	        container_tokens_sign(rm->tokens, g->container_id, g->node_id, user, g->resource);

	evbuffer_add(b, "{\"containerId\":", 15);
	am_service_json_string(b, g->container_id);
	evbuffer_add(b, ",\"nodeId\":", 10);
	am_service_json_string(b, g->node_id);
	evbuffer_add(b, ",\"nodeHttpAddress\":", 19);
	am_service_json_string(b, http != NULL ? http : g->node_id);
	evbuffer_add_printf(b, ",\"priority\":%d,\"memoryMB\":%lld,\"vcores\":%lld,\"token\":",
	                    (int)g->priority, (long long)g->resource.memory_mb,
	                    (long long)g->resource.vcores);
	am_service_json_string(b, token);
	evbuffer_add(b, "}", 1);
	free(token);
}

/* POST /rpc/am/allocate */
static void am_service_allocate_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct json_object *body = NULL, *answer, *last;
	struct rm_attempt *at = am_service_authenticate(rm, req, &body);
	struct am_request r;
	struct am_allocation alloc;
	struct am_attempt_info info;
	struct scheduler_usage usage;
	enum app_error error = APP_ERROR_BAD_REQUEST;
	int64_t last_id;
	char *cause = NULL;

	if (at == NULL)
		return;
	if (am_service_parse_allocate(body, &r, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		goto out;
	}
	/* A resent request (its answer was lost) gets that answer again (kept
	 * as its text: see below). */
	last = app_manager_attempt_last_answer(at, &last_id);
	if (last != NULL && r.response_id + 1 == last_id) {
		log_debug("allocate %lld resent: answering it again", (long long)r.response_id);
		http_reply_data(req, 200, "application/json", json_object_get_string(last),
		                (size_t)json_object_get_string_len(last));
		goto out;
	}
	if (app_manager_am_allocate(rm->apps, at, r.progress, r.asks, r.n_asks, r.releases,
	                            r.n_releases, &alloc, &error, &cause) != 0) {
		am_service_reply_error(req, error, cause);
		goto out;
	}
	app_manager_attempt_info(at, &info);
	scheduler_usage(rm->scheduler, &usage);
	answer = wjson_new_object();
	wjson_add_int(answer, "responseId", r.response_id + 1);
	wjson_add(answer, "completed", alloc.completed);
	wjson_add(answer, "preempt",
	          alloc.preempt != NULL ? alloc.preempt : json_object_new_array());
	wjson_add(answer, "availableResources",
	          am_service_resource_json(weft_resource_sub(usage.total, usage.used)));
	wjson_add_int(answer, "numClusterNodes", usage.n_nodes);
	wjson_add_string(answer, "action", alloc.shutdown ? "SHUTDOWN" : "NORMAL");
	/* The answer's text: "allocated" (written as text, see above) and
	 * the rest of the answer's object after it.  It is kept for a resend
	 * as that text (a JSON string object holding it), not as a tree: a
	 * tree of 1,000 grants is a megabyte, its text a third of that, and
	 * every attempt keeps one. */
	{
		struct evbuffer *b = evbuffer_new();
		size_t len = 0;
		const char *rest =
		        json_object_to_json_string_length(answer, JSON_C_TO_STRING_PLAIN, &len);
		const char *text;

		if (b == NULL)
			fatalx("evbuffer_new failed");
		evbuffer_add(b, "{\"allocated\":[", 14);
		for (int i = 0; i < alloc.n_grants; i++) {
			if (i > 0)
				evbuffer_add(b, ",", 1);
			am_service_grant_text(rm, b, &alloc.grants[i], info.user);
		}
		evbuffer_add(b, "],", 2);
		evbuffer_add(b, rest + 1, len - 1); /* the object without its '{' */
		json_object_put(answer);
		len = evbuffer_get_length(b);
		text = (const char *)evbuffer_pullup(b, -1);
		app_manager_attempt_set_last_answer(at, r.response_id + 1,
		                                    json_object_new_string_len(text, (int)len));
		http_reply_data(req, 200, "application/json", text, len);
		evbuffer_free(b);
	}
	free(alloc.grants);
out:
	am_request_free(&r);
	free(cause);
	json_object_put(body);
}

/* POST /rpc/am/finish */
static void am_service_finish_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct json_object *body = NULL, *answer;
	struct rm_attempt *at = am_service_authenticate(rm, req, &body);
	const char *status = NULL, *diagnostics = "", *tracking = "";
	enum app_final_status final_status;
	enum app_error error = APP_ERROR_BAD_REQUEST;
	char *cause = NULL;

	if (at == NULL)
		return;
	if (wjson_get_string(body, "", "finalStatus", true, &status, &cause) != 0 ||
	    wjson_get_string(body, "", "diagnostics", false, &diagnostics, &cause) != 0 ||
	    wjson_get_string(body, "", "trackingUrl", false, &tracking, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		goto out;
	}
	if (app_final_status_parse(status, &final_status) != 0 || final_status == FINAL_UNDEFINED ||
	    strcmp(status, app_final_status_name(final_status))) {
		http_reply_error(req, 400, "BadRequestException",
		                 "finalStatus: '%s' is not SUCCEEDED, FAILED or KILLED", status);
		goto out;
	}
	if (strlen(diagnostics) > 65536 || strlen(tracking) > 4096) {
		http_reply_error(req, 400, "BadRequestException",
		                 "diagnostics or trackingUrl too long");
		goto out;
	}
	if (app_manager_am_finish(rm->apps, at, final_status, diagnostics, tracking, &error,
	                          &cause) != 0) {
		am_service_reply_error(req, error, cause);
		goto out;
	}
	answer = wjson_new_object();
	wjson_add_bool(answer, "isUnregistered", true);
	http_reply_json(req, 200, answer);
out:
	free(cause);
	json_object_put(body);
}

void am_service_routes(struct rm *rm)
{
	http_server_route(rm->rpc, HTTP_M_POST, "/rpc/am/register", 0, am_service_register_cb, rm);
	http_server_route(rm->rpc, HTTP_M_POST, "/rpc/am/allocate", 0, am_service_allocate_cb, rm);
	http_server_route(rm->rpc, HTTP_M_POST, "/rpc/am/finish", 0, am_service_finish_cb, rm);
}
