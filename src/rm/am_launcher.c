/*
 * am_launcher.c — starting AM containers and stopping containers through
 * the NMs' container API, without ever blocking the loop.
 *
 * The calls go through libweft's NM client (weft/nm_client.h) on a
 * weft_client of the launcher's own; a stop, for which the RM holds no
 * container token, is signed with the cluster secret instead.  Each call
 * in flight is remembered (so the launcher can be freed with calls
 * pending) and carries ids, not pointers: when the answer comes,
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
#include "common/log.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "lib/client_internal.h"
#include "rm/container_tokens.h"
#include "rm/rm.h"
#include "rm/submission.h"
#include "weft/ids.h"
#include "weft/nm_client.h"
#include "weft/protocol.h"

#define AM_LAUNCHER_TIMEOUT_MS 30000

struct am_launcher_call {
	TAILQ_ENTRY(am_launcher_call) link;
	struct am_launcher *launcher;
	bool launch; /* start of an AM container, else a stop */
	char attempt_id[WEFT_ID_MAX];
	char container_id[WEFT_ID_MAX];
	char *node;
};

struct am_launcher {
	struct rm *rm;
	struct am_launcher_events events;
	struct weft_client *client; /* to the NMs (no RM address is used) */
	struct weft_nm_client *nm;
	TAILQ_HEAD(, am_launcher_call) calls;
	int n_calls;
};

/* The RM holds no container token for a stop: it signs the call with
 * the cluster secret (X-Weft-Auth), which the NM accepts instead. */
static char *am_launcher_sign(void *arg, const char *method, const char *path, const char *body,
                              size_t len)
{
	struct am_launcher *l = arg;
	char *auth = security_sign_request(l->rm->secret, method, path, body, len, time_now_ms());
	char *header = xasprintf("%s: %s", SECURITY_AUTH_HEADER, auth);

	free(auth);
	return header;
}

struct am_launcher *am_launcher_new(struct rm *rm, const struct am_launcher_events *events)
{
	struct am_launcher *l = xcalloc(1, sizeof *l);
	struct weft_client_options o = {.call_timeout_ms = AM_LAUNCHER_TIMEOUT_MS};
	char *cause = NULL;

	l->rm = rm;
	l->events = *events;
	l->client = weft_client_new(rm->base, &o, &cause);
	if (l->client == NULL)
		fatalx("am_launcher_new: %s", cause); /* the default address always parses */
	l->nm = weft_nm_client_new(l->client);
	nm_client_set_signer(l->nm, am_launcher_sign, l);
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
	weft_nm_client_free(l->nm); /* cancels every call: no callback runs */
	while ((c = TAILQ_FIRST(&l->calls)) != NULL)
		am_launcher_call_free(c);
	weft_client_free(l->client);
	free(l);
}

int am_launcher_pending(const struct am_launcher *l)
{
	return l->n_calls;
}

/* What an NM's refusal or silence says (caller frees). */
static char *am_launcher_error_text(const struct weft_status *st)
{
	if (st->http_status == 0)
		return xstrdup(st->message);
	if (strncmp(st->message, "HTTP ", 5) == 0)
		return xstrdup(st->message); /* not a RemoteException: its first line */
	return xasprintf("HTTP %ld: %s", st->http_status, st->message);
}

/* The NM answered a start (or nothing came). */
static void am_launcher_start_cb(const struct weft_status *st, const char *cid, void *arg)
{
	struct am_launcher_call *c = arg;
	struct am_launcher *l = c->launcher;
	char attempt_id[WEFT_ID_MAX], container_id[WEFT_ID_MAX];

	snprintf(attempt_id, sizeof attempt_id, "%s", c->attempt_id);
	snprintf(container_id, sizeof container_id, "%s", c->container_id);
	if (st->ok) {
		log_info("%s: AM container %s started on %s", attempt_id, container_id, c->node);
		am_launcher_call_free(c);
		l->events.launched(l->events.arg, attempt_id, container_id);
	} else {
		char *why = am_launcher_error_text(st);

		log_warn("%s: AM container %s failed to start on %s: %s", attempt_id, container_id,
		         c->node, why);
		am_launcher_call_free(c);
		l->events.launch_failed(l->events.arg, attempt_id, container_id, why);
		free(why);
	}
}

/* A record of a call in flight (the answer's callback frees it). */
static struct am_launcher_call *am_launcher_call_new(struct am_launcher *l, bool launch,
                                                     const char *attempt_id,
                                                     const char *container_id, const char *node)
{
	struct am_launcher_call *c = xcalloc(1, sizeof *c);

	c->launcher = l;
	c->launch = launch;
	snprintf(c->attempt_id, sizeof c->attempt_id, "%s", attempt_id);
	snprintf(c->container_id, sizeof c->container_id, "%s", container_id);
	c->node = xstrdup(node);
	TAILQ_INSERT_TAIL(&l->calls, c, link);
	l->n_calls++;
	return c;
}

void am_launcher_launch(struct am_launcher *l, const struct am_launch *req)
{
	char *token = container_tokens_sign(l->rm->tokens, req->container_id, req->node_id,
	                                    req->user, req->resource);
	char *am_token = security_am_token(l->rm->secret, req->attempt_id);
	const char *extra[] = {
	        WEFT_ENV_RM_URL,
	        l->rm->rpc_urls != NULL ? l->rm->rpc_urls : l->rm->rpc_url,
	        WEFT_ENV_AM_TOKEN,
	        am_token,
	        WEFT_ENV_APP_ATTEMPT_ID,
	        req->attempt_id,
	        NULL,
	};
	struct weft_container container = {
	        .container_id = req->container_id,
	        .node_id = req->node_id,
	        .node_http_address = req->node_http_address,
	        .resource = req->resource,
	        .token = token,
	};
	struct weft_launch_context lc;
	struct am_launcher_call *c =
	        am_launcher_call_new(l, true, req->attempt_id, req->container_id, req->node_id);

	submission_launch_context(req->submission, extra, &lc);
	log_info("%s: launching AM container %s on %s", req->attempt_id, req->container_id,
	         req->node_id);
	weft_nm_client_start(l->nm, &container, &lc, am_launcher_start_cb, c);
	weft_launch_context_clear(&lc);
	free(token);
	free(am_token);
}

/* A stop was answered; nothing depends on it (heartbeats are the
 * guaranteed path). */
static void am_launcher_stop_cb(const struct weft_status *st, const char *cid, void *arg)
{
	struct am_launcher_call *c = arg;

	if (st->ok) {
		log_debug("stopped %s on %s", c->container_id, c->node);
	} else {
		char *why = am_launcher_error_text(st);

		log_debug("stop of %s on %s: %s", c->container_id, c->node, why);
		free(why);
	}
	am_launcher_call_free(c);
}

void am_launcher_stop_container(struct am_launcher *l, const char *node_http_address,
                                const char *container_id)
{
	struct weft_container container = {
	        .container_id = container_id,
	        .node_http_address = node_http_address,
	};
	struct am_launcher_call *c =
	        am_launcher_call_new(l, false, "", container_id, node_http_address);

	/* No token: the call is signed instead (am_launcher_sign). */
	weft_nm_client_stop(l->nm, &container, am_launcher_stop_cb, c);
}
