/*
 * am_launcher.c — starting AM containers and stopping containers through
 * the NMs' container API, without ever blocking the loop.
 *
 * Each call in flight is remembered (so the launcher can be freed with
 * calls pending) and carries ids, not pointers: when the answer comes,
 * the launch's outcome goes out by ids (am_launcher_events), and the app
 * manager looks the attempt up again and ignores a stale one.
 */
#include "weft_config.h"

#include "rm/am_launcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/daemon.h"
#include "common/http_client.h"
#include "common/log.h"
#include "common/proto_container.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "rm/container_tokens.h"
#include "rm/rm.h"
#include "rm/submission.h"
#include "weft/ids.h"
#include "weft/protocol.h"

#define AM_LAUNCHER_TIMEOUT_MS 30000

struct am_launcher_call {
	TAILQ_ENTRY(am_launcher_call) link;
	struct am_launcher *launcher;
	struct http_call *call;
	bool launch; /* start of an AM container, else a stop */
	char attempt_id[WEFT_ID_MAX];
	char container_id[WEFT_ID_MAX];
	char *node;
};

struct am_launcher {
	struct rm *rm;
	struct am_launcher_events events;
	TAILQ_HEAD(, am_launcher_call) calls;
	int n_calls;
};

struct am_launcher *am_launcher_new(struct rm *rm, const struct am_launcher_events *events)
{
	struct am_launcher *l = xcalloc(1, sizeof *l);

	l->rm = rm;
	l->events = *events;
	TAILQ_INIT(&l->calls);
	return l;
}

/* Forget a call record. */
static void am_launcher_call_free(struct am_launcher_call *c)
{
	TAILQ_REMOVE(&c->launcher->calls, c, link);
	c->launcher->n_calls--;
	free(c->node);
	free(c);
}

void am_launcher_free(struct am_launcher *l)
{
	struct am_launcher_call *c;

	if (l == NULL)
		return;
	while ((c = TAILQ_FIRST(&l->calls)) != NULL) {
		if (c->call != NULL)
			http_call_cancel(c->call);
		am_launcher_call_free(c);
	}
	free(l);
}

int am_launcher_pending(const struct am_launcher *l)
{
	return l->n_calls;
}

/* The message of an NM error body ({"RemoteException":{"message":..}}),
 * else the raw text, else the transport error (caller frees). */
static char *am_launcher_error_text(const struct http_response *resp)
{
	struct json_object *body, *remote, *message;
	char *text = NULL;

	if (resp->status == 0)
		return xstrdup(resp->error != NULL ? resp->error : "no answer");
	body = json_tokener_parse(resp->body);
	if (body != NULL && json_object_object_get_ex(body, "RemoteException", &remote) &&
	    json_object_object_get_ex(remote, "message", &message) &&
	    json_object_is_type(message, json_type_string))
		text = xasprintf("HTTP %ld: %s", resp->status, json_object_get_string(message));
	json_object_put(body);
	if (text == NULL)
		text = xasprintf("HTTP %ld: %.200s", resp->status, resp->body);
	return text;
}

/* The NM answered a start (or nothing came). */
static void am_launcher_start_cb(const struct http_response *resp, void *arg)
{
	struct am_launcher_call *c = arg;
	struct am_launcher *l = c->launcher;
	char attempt_id[WEFT_ID_MAX], container_id[WEFT_ID_MAX];

	snprintf(attempt_id, sizeof attempt_id, "%s", c->attempt_id);
	snprintf(container_id, sizeof container_id, "%s", c->container_id);
	c->call = NULL;
	if (resp->status == 200) {
		log_info("%s: AM container %s started on %s", attempt_id, container_id, c->node);
		am_launcher_call_free(c);
		l->events.launched(l->events.arg, attempt_id, container_id);
	} else {
		char *why = am_launcher_error_text(resp);

		log_warn("%s: AM container %s failed to start on %s: %s", attempt_id, container_id,
		         c->node, why);
		am_launcher_call_free(c);
		l->events.launch_failed(l->events.arg, attempt_id, container_id, why);
		free(why);
	}
}

void am_launcher_launch(struct am_launcher *l, const struct am_launch *req)
{
	struct am_launcher_call *c = xcalloc(1, sizeof *c);
	char *token = container_tokens_sign(l->rm->tokens, req->container_id, req->node_id,
	                                    req->user, req->resource);
	char *am_token = security_am_token(l->rm->secret, req->attempt_id);
	const char *extra[] = {
	        WEFT_ENV_RM_URL,
	        l->rm->rpc_url,
	        WEFT_ENV_AM_TOKEN,
	        am_token,
	        WEFT_ENV_APP_ATTEMPT_ID,
	        req->attempt_id,
	        NULL,
	};
	struct proto_container_start m = {.token = token};
	struct json_object *body;
	char *url = xasprintf("http://%s%s", req->node_http_address, WEFT_RPC_CONTAINERS_START);

	submission_launch_context(req->submission, extra, &m.context);
	body = proto_container_start_encode(&m);
	proto_container_start_clear(&m);
	c->launcher = l;
	c->launch = true;
	snprintf(c->attempt_id, sizeof c->attempt_id, "%s", req->attempt_id);
	snprintf(c->container_id, sizeof c->container_id, "%s", req->container_id);
	c->node = xstrdup(req->node_id);
	TAILQ_INSERT_TAIL(&l->calls, c, link);
	l->n_calls++;
	log_info("%s: launching AM container %s on %s", req->attempt_id, req->container_id,
	         req->node_id);
	c->call = http_client_json(l->rm->client, "POST", url, NULL, body, AM_LAUNCHER_TIMEOUT_MS,
	                           am_launcher_start_cb, c);
	json_object_put(body);
	free(url);
	free(token);
	free(am_token);
}

/* A stop was answered; nothing depends on it (heartbeats are the
 * guaranteed path). */
static void am_launcher_stop_cb(const struct http_response *resp, void *arg)
{
	struct am_launcher_call *c = arg;

	c->call = NULL;
	if (resp->status == 200) {
		log_debug("stopped %s on %s", c->container_id, c->node);
	} else {
		char *why = am_launcher_error_text(resp);

		log_debug("stop of %s on %s: %s", c->container_id, c->node, why);
		free(why);
	}
	am_launcher_call_free(c);
}

void am_launcher_stop_container(struct am_launcher *l, const char *node_http_address,
                                const char *container_id)
{
	struct am_launcher_call *c = xcalloc(1, sizeof *c);
	struct proto_container_request m = {.container_id = container_id};
	struct json_object *body = proto_container_request_encode(&m);
	const char *path = WEFT_RPC_CONTAINERS_STOP;
	char *url = xasprintf("http://%s%s", node_http_address, path);
	const char *text;
	char *auth, *header;
	const char *headers[3];

	text = wjson_text(body);
	auth = security_sign_request(l->rm->secret, "POST", path, text, strlen(text),
	                             time_now_ms());
	header = xasprintf("%s: %s", SECURITY_AUTH_HEADER, auth);
	headers[0] = header;
	headers[1] = "Content-Type: application/json";
	headers[2] = NULL;
	c->launcher = l;
	snprintf(c->container_id, sizeof c->container_id, "%s", container_id);
	c->node = xstrdup(node_http_address);
	TAILQ_INSERT_TAIL(&l->calls, c, link);
	l->n_calls++;
	c->call = http_client_request(l->rm->client, "POST", url, headers, text, strlen(text),
	                              AM_LAUNCHER_TIMEOUT_MS, am_launcher_stop_cb, c);
	json_object_put(body);
	free(auth);
	free(header);
	free(url);
}
