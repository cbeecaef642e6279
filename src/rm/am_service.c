/*
 * am_service.c — the AM protocol over HTTP: authentication, decoding the
 * three bodies and encoding the answers through proto_am.  The
 * decisions (states, asks, grants) are the app manager's and the
 * scheduler's; this file translates.
 */
#include "weft_config.h"

#include "rm/am_service.h"

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
#include "weft/protocol.h"

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

/* POST /rpc/am/register */
static void am_service_register_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct json_object *body = NULL;
	struct rm_attempt *at = am_service_authenticate(rm, req, &body);
	struct proto_am_register m;
	struct weft_am_registration answer;
	enum app_error error = APP_ERROR_BAD_REQUEST;
	struct am_attempt_info info;
	char *cause = NULL;

	if (at == NULL)
		return;
	if (proto_am_register_decode(body, &m, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		goto out;
	}
	if (app_manager_am_register(rm->apps, at, m.host, m.rpc_port, m.tracking_url, &error,
	                            &cause) != 0) {
		am_service_reply_error(req, error, cause);
		goto out;
	}
	app_manager_attempt_info(at, &info);
	answer = (struct weft_am_registration){
	        .application_id = info.app_id,
	        .attempt_id = info.attempt_id,
	        .queue = info.queue,
	        .user = info.user,
	        .maximum = scheduler_maximum_allocation(rm->scheduler),
	        .minimum = scheduler_minimum_allocation(rm->scheduler),
	};
	http_reply_json(req, 200, proto_am_registered_encode(&answer));
out:
	free(cause);
	json_object_put(body);
}

void am_service_scheduler_asks(const struct proto_am_allocate *req, struct scheduler_ask *out)
{
	for (int i = 0; i < req->n_asks; i++) {
		const struct weft_container_request *a = &req->asks[i];

		out[i] = (struct scheduler_ask){
		        .priority = a->priority,
		        .count = a->count,
		        .capability = a->capability,
		        .nodes = a->nodes,
		        .n_nodes = a->n_nodes,
		        .relax_locality = a->relax_locality,
		        .racks = a->racks,
		        .n_racks = a->n_racks,
		};
	}
}

/* The grants as the answer carries them, each with its signed token
 * (tokens[i] freed by the caller). */
static struct weft_container *am_service_grants(struct rm *rm, const struct am_allocation *alloc,
                                                const char *user, char **tokens)
{
	struct weft_container *out = xcalloc((size_t)alloc->n_grants + 1, sizeof *out);

	for (int i = 0; i < alloc->n_grants; i++) {
		const struct scheduler_grant *g = &alloc->grants[i];
		const char *http = node_tracker_http_address(rm->nodes, g->node_id);

		tokens[i] = container_tokens_sign(rm->tokens, g->container_id, g->node_id, user,
		                                  g->resource);
		out[i] = (struct weft_container){
		        .container_id = g->container_id,
		        .node_id = g->node_id,
		        .node_http_address = http != NULL ? http : g->node_id,
		        .priority = g->priority,
		        .resource = g->resource,
		        .token = tokens[i],
		};
	}
	return out;
}

/* POST /rpc/am/allocate */
static void am_service_allocate_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct json_object *body = NULL, *last;
	struct rm_attempt *at = am_service_authenticate(rm, req, &body);
	struct proto_am_allocate r = {0};
	struct scheduler_ask *asks = NULL;
	struct am_allocation alloc;
	struct am_attempt_info info;
	struct scheduler_usage usage;
	enum app_error error = APP_ERROR_BAD_REQUEST;
	int64_t last_id;
	char *cause = NULL;

	if (at == NULL)
		return;
	if (proto_am_allocate_decode(body, &r, &cause) != 0) {
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
	asks = xcalloc((size_t)r.n_asks + 1, sizeof *asks);
	am_service_scheduler_asks(&r, asks);
	if (app_manager_am_allocate(rm->apps, at, r.progress, asks, r.n_asks, r.releases,
	                            r.n_releases, &alloc, &error, &cause) != 0) {
		am_service_reply_error(req, error, cause);
		goto out;
	}
	app_manager_attempt_info(at, &info);
	scheduler_usage(rm->scheduler, &usage);
	/* The answer is written as text and kept for a resend as that text (a
	 * JSON string object holding it), not as a tree: a tree of 1,000
	 * grants is a megabyte, its text a third of that, and every attempt
	 * keeps one. */
	{
		char **tokens = xcalloc((size_t)alloc.n_grants + 1, sizeof *tokens);
		struct proto_am_allocated answer = {
		        .response_id = r.response_id + 1,
		        .allocated = am_service_grants(rm, &alloc, info.user, tokens),
		        .n_allocated = alloc.n_grants,
		        .completed_list = alloc.completed,
		        .preempt_list = alloc.preempt,
		        .available = weft_resource_sub(usage.total, usage.used),
		        .num_cluster_nodes = usage.n_nodes,
		        .action =
		                alloc.shutdown ? PROTO_AM_ACTION_SHUTDOWN : PROTO_AM_ACTION_NORMAL,
		};
		struct evbuffer *b = evbuffer_new();
		const char *text;
		size_t len;

		if (b == NULL)
			fatalx("evbuffer_new failed");
		proto_am_allocated_write(b, &answer);
		len = evbuffer_get_length(b);
		text = (const char *)evbuffer_pullup(b, -1);
		app_manager_attempt_set_last_answer(at, r.response_id + 1,
		                                    json_object_new_string_len(text, (int)len));
		http_reply_data(req, 200, "application/json", text, len);
		evbuffer_free(b);
		for (int i = 0; i < alloc.n_grants; i++)
			free(tokens[i]);
		free(tokens);
		free(answer.allocated);
	}
	json_object_put(alloc.completed);
	json_object_put(alloc.preempt);
	free(alloc.grants);
out:
	free(asks);
	proto_am_allocate_clear(&r);
	free(cause);
	json_object_put(body);
}

/* POST /rpc/am/finish */
static void am_service_finish_cb(struct http_request *req, void *arg)
{
	struct rm *rm = arg;
	struct json_object *body = NULL;
	struct rm_attempt *at = am_service_authenticate(rm, req, &body);
	struct proto_am_finish m;
	enum app_final_status final_status;
	enum app_error error = APP_ERROR_BAD_REQUEST;
	char *cause = NULL;

	if (at == NULL)
		return;
	if (proto_am_finish_decode(body, &m, &cause) != 0 ||
	    app_final_status_parse(m.final_status, &final_status) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s",
		                 cause != NULL ? cause : "bad finalStatus");
		goto out;
	}
	if (app_manager_am_finish(rm->apps, at, final_status, m.diagnostics, m.tracking_url, &error,
	                          &cause) != 0) {
		am_service_reply_error(req, error, cause);
		goto out;
	}
	http_reply_json(req, 200, proto_am_finished_encode());
out:
	free(cause);
	json_object_put(body);
}

void am_service_routes(struct rm *rm)
{
	http_server_route(rm->rpc, HTTP_M_POST, WEFT_RPC_AM_REGISTER, 0, am_service_register_cb,
	                  rm);
	http_server_route(rm->rpc, HTTP_M_POST, WEFT_RPC_AM_ALLOCATE, 0, am_service_allocate_cb,
	                  rm);
	http_server_route(rm->rpc, HTTP_M_POST, WEFT_RPC_AM_FINISH, 0, am_service_finish_cb, rm);
}
