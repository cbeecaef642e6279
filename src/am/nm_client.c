/*
 * nm_client.c — starting and stopping executors through NodeManagers.
 *
 * Each call is tracked until its answer so that freeing the client (the
 * AM exiting) cancels what is in flight and no callback outlives its
 * owner.
 */
#include "weft_config.h"

#include "am/nm_client.h"

#include <stdlib.h>
#include <string.h>

#include "common/http_client.h"
#include "common/log.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "weft/protocol.h"

struct nm_call {
	struct nm_client *nm;
	struct http_call *call;
	nm_client_done_cb cb;
	void *arg;
	char *what; /* "start container_..." for logs */
	struct nm_call *prev, *next;
};

struct nm_client {
	struct http_client *http;
	long timeout_ms;
	struct nm_call *calls;
	int pending;
};

struct nm_client *nm_client_new(struct http_client *http, long timeout_ms)
{
	struct nm_client *nm = xcalloc(1, sizeof *nm);

	nm->http = http;
	nm->timeout_ms = timeout_ms > 0 ? timeout_ms : 30000;
	return nm;
}

/* Unlink and free one call record. */
static void nm_call_free(struct nm_call *c)
{
	struct nm_client *nm = c->nm;

	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		nm->calls = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	nm->pending--;
	free(c->what);
	free(c);
}

void nm_client_free(struct nm_client *nm)
{
	if (nm == NULL)
		return;
	while (nm->calls != NULL) {
		http_call_cancel(nm->calls->call);
		nm_call_free(nm->calls);
	}
	free(nm);
}

int nm_client_pending(const struct nm_client *nm)
{
	return nm->pending;
}

/* Quote text for /bin/sh with single quotes. */
static char *nm_shell_quote(const char *text)
{
	size_t len = 2, i, o = 0;
	char *out;

	for (i = 0; text[i] != '\0'; i++)
		len += text[i] == '\'' ? 4 : 1;
	out = xmalloc(len + 1);
	out[o++] = '\'';
	for (i = 0; text[i] != '\0'; i++) {
		if (text[i] == '\'') {
			memcpy(out + o, "'\\''", 4);
			o += 4;
		} else
			out[o++] = text[i];
	}
	out[o++] = '\'';
	out[o] = '\0';
	return out;
}

/* The command line and environment that run one executor (clear lc). */
void nm_client_executor_context(const struct nm_executor_spec *spec,
                                struct proto_container_launch_context *lc)
{
	char *driver = nm_shell_quote(spec->driver_address);
	char *command;

	memset(lc, 0, sizeof *lc);
	/* $WEFT_LIBEXEC_DIR is left for the NM's shell: it names where
	 * weft-executor lives on that node, not on ours.  exec makes the
	 * executor the container's process group leader, so a stop's SIGTERM
	 * reaches it (and it stops its tasks) instead of only the shell. */
	if (spec->memory_mb > 0)
		command = xasprintf("exec \"$%s\"/weft-executor --driver %s --executor-id %d "
		                    "--cores %d --memory-mb %lld",
		                    WEFT_ENV_LIBEXEC_DIR, driver, spec->executor_id, spec->cores,
		                    (long long)spec->memory_mb);
	else
		command = xasprintf("exec \"$%s\"/weft-executor --driver %s --executor-id %d "
		                    "--cores %d",
		                    WEFT_ENV_LIBEXEC_DIR, driver, spec->executor_id, spec->cores);
	proto_container_add_command(lc, command);
	proto_container_add_env(lc, WEFT_ENV_APP_SECRET, spec->app_secret);
	free(command);
	free(driver);
}

/* The NM's answer: 200 is success, anything else an error text. */
static void nm_client_answer_cb(const struct http_response *resp, void *arg)
{
	struct nm_call *c = arg;
	struct json_object *obj = NULL, *re = NULL;
	const char *message = NULL;
	char *error = NULL;
	nm_client_done_cb cb = c->cb;
	void *cb_arg = c->arg;

	if (resp->status == 200) {
		log_debug("%s: done", c->what);
	} else if (resp->status == 0) {
		error = xasprintf("%s: no answer: %s", c->what, resp->error ? resp->error : "?");
	} else {
		obj = wjson_parse_object(resp->body, resp->body_len, NULL);
		if (obj != NULL &&
		    wjson_get_object(obj, "", "RemoteException", true, &re, NULL) == 0)
			wjson_get_string(re, "RemoteException", "message", false, &message, NULL);
		error = xasprintf("%s: HTTP %ld%s%s", c->what, resp->status, message ? ": " : "",
		                  message ? message : "");
		if (obj != NULL)
			json_object_put(obj);
	}
	if (error != NULL)
		log_debug("%s", error);
	nm_call_free(c);
	if (cb != NULL)
		cb(error == NULL, error, cb_arg);
	free(error);
}

/* Send one call to an NM and track it. */
static void nm_client_post(struct nm_client *nm, const char *node_http_address, const char *path,
                           struct json_object *body, char *what, nm_client_done_cb cb, void *arg)
{
	struct nm_call *c = xcalloc(1, sizeof *c);
	char *url = xasprintf("http://%s%s", node_http_address, path);

	c->nm = nm;
	c->cb = cb;
	c->arg = arg;
	c->what = what;
	c->next = nm->calls;
	if (nm->calls != NULL)
		nm->calls->prev = c;
	nm->calls = c;
	nm->pending++;
	log_debug("%s: POST %s", what, url);
	c->call = http_client_json(nm->http, "POST", url, NULL, body, nm->timeout_ms,
	                           nm_client_answer_cb, c);
	free(url);
}

/* Ask the NM to start a container with the given launch context. */
void nm_client_start(struct nm_client *nm, const char *node_http_address, const char *token,
                     const struct proto_container_launch_context *launch_context,
                     nm_client_done_cb cb, void *arg)
{
	struct proto_container_start m = {.token = token, .context = *launch_context};
	struct json_object *body = proto_container_start_encode(&m);

	nm_client_post(nm, node_http_address, WEFT_RPC_CONTAINERS_START, body,
	               xasprintf("start on %s", node_http_address), cb, arg);
	json_object_put(body);
}

/* Ask the NM to stop a container (SIGTERM, then SIGKILL, on its side). */
void nm_client_stop(struct nm_client *nm, const char *node_http_address, const char *container_id,
                    const char *token, nm_client_done_cb cb, void *arg)
{
	struct proto_container_request m = {.container_id = container_id, .token = token};
	struct json_object *body = proto_container_request_encode(&m);

	nm_client_post(nm, node_http_address, WEFT_RPC_CONTAINERS_STOP, body,
	               xasprintf("stop %s on %s", container_id, node_http_address), cb, arg);
	json_object_put(body);
}
