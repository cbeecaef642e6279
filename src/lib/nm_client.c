/*
 * nm_client.c — starting, stopping and asking after containers through
 * NodeManagers' container API (weft/nm_client.h).
 *
 * Each call goes through weft_client_request to the node's address,
 * tried once, and is tracked until its answer so that freeing the client
 * (its owner exiting) cancels what is in flight and no callback outlives
 * its owner.  weft's own callers that hold no container token (the RM's
 * AM launcher) sign each call instead (nm_client_set_signer,
 * client_internal.h).
 */
#include "weft_config.h"

#include "weft/nm_client.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include "common/log.h"
#include "common/proto_container.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "weft/protocol.h"

struct nm_call {
	TAILQ_ENTRY(nm_call) entry;
	struct weft_nm_client *nm;
	struct weft_call *call;
	weft_nm_client_cb cb;
	weft_nm_client_status_cb status_cb;
	void *arg;
	char *container_id;
	char *what; /* "stop container_... on host:port", for logs */
};

struct weft_nm_client {
	struct weft_client *client;
	TAILQ_HEAD(, nm_call) calls;
	int pending;
	nm_client_sign_fn sign;
	void *sign_arg;
};

struct weft_nm_client *weft_nm_client_new(struct weft_client *client)
{
	struct weft_nm_client *nm = xcalloc(1, sizeof *nm);

	nm->client = client;
	TAILQ_INIT(&nm->calls);
	return nm;
}

void nm_client_set_signer(struct weft_nm_client *nm, nm_client_sign_fn sign, void *arg)
{
	nm->sign = sign;
	nm->sign_arg = arg;
}

/* Unlink and free one call record. */
static void nm_call_free(struct nm_call *c)
{
	TAILQ_REMOVE(&c->nm->calls, c, entry);
	c->nm->pending--;
	free(c->container_id);
	free(c->what);
	free(c);
}

void weft_nm_client_free(struct weft_nm_client *nm)
{
	struct nm_call *c;

	if (nm == NULL)
		return;
	while ((c = TAILQ_FIRST(&nm->calls)) != NULL) {
		weft_call_cancel(c->call);
		nm_call_free(c);
	}
	free(nm);
}

int weft_nm_client_pending(const struct weft_nm_client *nm)
{
	return nm->pending;
}

/* The NM's answer: hand it over (a status answer decoded) and forget the
 * call. */
static void nm_client_answer_cb(const struct weft_status *st, struct json_object *json,
                                const char *body, size_t len, void *arg)
{
	struct nm_call *c = arg;
	struct weft_container_status cs;
	struct weft_status bad = *st;
	char *cause = NULL;
	bool decoded = false;

	if (st->ok && c->status_cb != NULL) {
		decoded = json != NULL &&
		          proto_container_status_decode(json, "", PROTO_STATUS_REPORTED, &cs,
		                                        &cause) == 0;
		if (!decoded) {
			/* An answer we cannot read is no answer. */
			bad.ok = false;
			bad.message = cause != NULL ? cause : "the answer is not a JSON object";
			st = &bad;
		}
	}
	if (st->ok)
		log_debug("%s: done", c->what);
	else
		log_debug("%s: HTTP %ld: %s", c->what, st->http_status, st->message);
	c->call = NULL;
	TAILQ_REMOVE(&c->nm->calls, c, entry);
	c->nm->pending--;
	if (c->status_cb != NULL)
		c->status_cb(st, decoded ? &cs : NULL, c->arg);
	else if (c->cb != NULL)
		c->cb(st, c->container_id, c->arg);
	free(c->container_id);
	free(c->what);
	free(c);
	free(cause);
}

/* POST body (consumed) to path on the node and track the call. */
static void nm_client_post(struct weft_nm_client *nm, const struct weft_container *container,
                           const char *path, struct json_object *body, const char *verb,
                           weft_nm_client_cb cb, weft_nm_client_status_cb status_cb, void *arg)
{
	struct nm_call *c = xcalloc(1, sizeof *c);
	const char *text = wjson_text(body);
	const char *headers[2] = {NULL, NULL};
	char *signature = NULL;
	struct weft_request req = {
	        .method = "POST",
	        .address = container->node_http_address,
	        .path = path,
	        .body = text,
	        .len = strlen(text),
	        .headers = headers,
	        .retry_ms = -1, /* one server: the caller judges */
	};

	if (nm->sign != NULL && container->token == NULL) {
		signature = nm->sign(nm->sign_arg, "POST", path, text, req.len);
		headers[0] = signature;
	}
	c->nm = nm;
	c->cb = cb;
	c->status_cb = status_cb;
	c->arg = arg;
	c->container_id = xstrdup(container->container_id != NULL ? container->container_id : "");
	c->what = xasprintf("%s %s on %s", verb, c->container_id, container->node_http_address);
	TAILQ_INSERT_TAIL(&nm->calls, c, entry);
	nm->pending++;
	log_debug("%s: POST %s", c->what, path);
	c->call = weft_client_request(nm->client, &req, nm_client_answer_cb, c);
	free(signature);
	json_object_put(body);
}

/* Ask the NM to start a container with the given launch context. */
void weft_nm_client_start(struct weft_nm_client *nm, const struct weft_container *container,
                          const struct weft_launch_context *launch_context, weft_nm_client_cb cb,
                          void *arg)
{
	struct proto_container_start m = {.token = container->token, .context = *launch_context};

	nm_client_post(nm, container, WEFT_RPC_CONTAINERS_START, proto_container_start_encode(&m),
	               "start", cb, NULL, arg);
}

/* Ask the NM to stop a container (SIGTERM, then SIGKILL, on its side). */
void weft_nm_client_stop(struct weft_nm_client *nm, const struct weft_container *container,
                         weft_nm_client_cb cb, void *arg)
{
	struct proto_container_request m = {.container_id = container->container_id,
	                                    .token = container->token};

	nm_client_post(nm, container, WEFT_RPC_CONTAINERS_STOP, proto_container_request_encode(&m),
	               "stop", cb, NULL, arg);
}

/* Ask the NM for a container's status. */
void weft_nm_client_status(struct weft_nm_client *nm, const struct weft_container *container,
                           weft_nm_client_status_cb cb, void *arg)
{
	struct proto_container_request m = {.container_id = container->container_id,
	                                    .token = container->token};

	nm_client_post(nm, container, WEFT_RPC_CONTAINERS_STATUS,
	               proto_container_request_encode(&m), "status of", NULL, cb, arg);
}
