/*
 * am_link.c — the client-mode AM link, driver side (weft/protocol.h:
 * register-am, request-executors, executor-lost, shutdown).
 *
 * Owns the one registered AM connection, the last executor total the
 * driver asked for (so an AM that registers later, or a newer attempt,
 * hears it), and the job's final status once it is known (so an AM that
 * registers after the end is told at once).  Messages are checked field
 * by field; a bad one closes the link, as a drop would.
 */
#include "weft_config.h"

#include "driver/am_link.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "driver/closing.h"
#include "weft/ids.h"

#define AM_LINK_DIAGNOSTICS_MAX (64 * 1024)

struct am_link {
	char *secret;
	struct closing *closing;
	struct am_link_callbacks cb;
	struct lineconn *conn; /* the registered AM, or NULL */
	char *attempt_id;
	bool ever_connected;
	int requested; /* last total asked for; -1 = none */
	char *tracking_url;
	bool over; /* the job ended: final status below */
	bool succeeded;
	char *diagnostics;
};

/* A link with no AM yet. */
struct am_link *am_link_new(const char *secret, struct closing *closing,
                            const struct am_link_callbacks *cb)
{
	struct am_link *l;

	l = xcalloc(1, sizeof *l);
	l->secret = xstrdup(secret);
	l->closing = closing;
	l->cb = *cb;
	l->requested = -1;
	return l;
}

/* Send a line on the link; a failure shows up as a close. */
static void am_link_send(struct am_link *l, struct json_object *msg)
{
	if (l->conn != NULL)
		lineconn_send(l->conn, msg);
	json_object_put(msg);
}

/* The shutdown line with the final status. */
static struct json_object *am_link_shutdown_message(const struct am_link *l)
{
	struct json_object *msg;

	msg = wjson_new_object();
	wjson_add_string(msg, "type", "shutdown");
	wjson_add_string(msg, "finalStatus", l->succeeded ? "SUCCEEDED" : "FAILED");
	wjson_add_string(msg, "diagnostics", l->diagnostics != NULL ? l->diagnostics : "");
	return msg;
}

/* Drop the current AM connection (gracefully when a message is queued). */
static void am_link_detach(struct am_link *l, bool linger)
{
	if (l->conn == NULL)
		return;
	if (linger)
		closing_add(l->closing, l->conn);
	else
		lineconn_free(l->conn);
	l->conn = NULL;
	free(l->attempt_id);
	l->attempt_id = NULL;
}

/* The link is gone: tell the driver. */
static void am_link_lost(struct am_link *l, const char *reason)
{
	log_warn("AM %s disconnected: %s", l->attempt_id != NULL ? l->attempt_id : "?", reason);
	am_link_detach(l, false);
	if (l->cb.disconnected != NULL)
		l->cb.disconnected(l->cb.arg, reason);
}

/* A line from the AM: only executor-lost is expected. */
static void am_link_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct am_link *l = arg;
	const char *type = NULL, *container_id = NULL, *diagnostics = NULL;
	int64_t exit_status = 0;
	char *cause = NULL, *reason;

	if (wjson_get_string(msg, "", "type", true, &type, &cause) != 0)
		goto bad;
	if (strcmp(type, "executor-lost") != 0) {
		cause = xasprintf("type: unexpected message '%.32s'", type);
		goto bad;
	}
	if (wjson_get_string(msg, "", "containerId", true, &container_id, &cause) != 0 ||
	    wjson_get_int(msg, "", "exitStatus", false, INT_MIN, INT_MAX, &exit_status, &cause) !=
	            0 ||
	    wjson_get_string(msg, "", "diagnostics", false, &diagnostics, &cause) != 0)
		goto bad;
	if (diagnostics != NULL && strlen(diagnostics) > AM_LINK_DIAGNOSTICS_MAX) {
		cause = xasprintf("diagnostics: longer than %d bytes", AM_LINK_DIAGNOSTICS_MAX);
		goto bad;
	}
	if (l->cb.executor_lost != NULL)
		l->cb.executor_lost(l->cb.arg, container_id, (int)exit_status, diagnostics);
	return;
bad:
	reason = xasprintf("bad message: %s", cause);
	am_link_lost(l, reason);
	free(reason);
	free(cause);
}

/* The AM's connection dropped. */
static void am_link_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	am_link_lost(arg, reason);
}

/* Answer rejected and close. */
void am_link_refuse(struct am_link *l, struct lineconn *c, const char *reason)
{
	struct json_object *msg;

	log_warn("%s: AM rejected: %s", lineconn_peer(c), reason);
	msg = wjson_new_object();
	wjson_add_string(msg, "type", "rejected");
	wjson_add_string(msg, "reason", reason);
	lineconn_send(c, msg);
	json_object_put(msg);
	closing_add(l->closing, c);
}

/* First message of a connection was register-am. */
void am_link_register(struct am_link *l, struct lineconn *c, struct json_object *msg)
{
	const char *secret, *app_id, *attempt_id;
	weft_attempt_id_t attempt;
	weft_app_id_t app;
	struct json_object *answer;
	char *cause = NULL;

	if (wjson_get_string(msg, "", "secret", true, &secret, &cause) != 0 ||
	    wjson_get_string(msg, "", "applicationId", true, &app_id, &cause) != 0 ||
	    wjson_get_string(msg, "", "attemptId", true, &attempt_id, &cause) != 0)
		goto reject;
	if (!security_equal(secret, l->secret)) {
		cause = xstrdup("wrong application secret");
		goto reject;
	}
	if (weft_app_id_parse(app_id, &app) != 0) {
		cause = xstrdup("applicationId: not an application id");
		goto reject;
	}
	if (weft_attempt_id_parse(attempt_id, &attempt) != 0 ||
	    !weft_app_id_equal(&attempt.app, &app)) {
		cause = xstrdup("attemptId: not an attempt of applicationId");
		goto reject;
	}

	if (l->conn != NULL) {
		log_info("AM %s replaces AM %s", attempt_id, l->attempt_id);
		am_link_detach(l, false);
	}
	l->conn = c;
	l->attempt_id = xstrdup(attempt_id);
	l->ever_connected = true;
	lineconn_set_callbacks(c, am_link_message_cb, am_link_close_cb, l);
	log_info("AM %s registered from %s", attempt_id, lineconn_peer(c));

	answer = wjson_new_object();
	wjson_add_string(answer, "type", "registered");
	if (l->tracking_url != NULL)
		wjson_add_string(answer, "trackingUrl", l->tracking_url);
	am_link_send(l, answer);
	if (l->over) {
		am_link_send(l, am_link_shutdown_message(l));
		am_link_detach(l, true);
		return;
	}
	if (l->requested >= 0) {
		answer = wjson_new_object();
		wjson_add_string(answer, "type", "request-executors");
		wjson_add_int(answer, "total", l->requested);
		am_link_send(l, answer);
	}
	return;
reject:
	am_link_refuse(l, c, cause);
	free(cause);
}

/* An AM is registered now. */
bool am_link_connected(const struct am_link *l)
{
	return l->conn != NULL;
}

/* An AM registered at some point. */
bool am_link_ever_connected(const struct am_link *l)
{
	return l->ever_connected;
}

/* Ask the AM for total executors. */
void am_link_request_executors(struct am_link *l, int total)
{
	struct json_object *msg;

	l->requested = total;
	if (l->conn == NULL || l->over)
		return;
	msg = wjson_new_object();
	wjson_add_string(msg, "type", "request-executors");
	wjson_add_int(msg, "total", total);
	am_link_send(l, msg);
}

/* Ask the AM to stop an executor's container. */
void am_link_kill_executor(struct am_link *l, const char *container_id)
{
	struct json_object *msg;

	if (l->conn == NULL || l->over)
		return;
	msg = wjson_new_object();
	wjson_add_string(msg, "type", "kill-executor");
	wjson_add_string(msg, "containerId", container_id);
	am_link_send(l, msg);
}

/* Remember the status URL for AMs that register. */
void am_link_set_tracking_url(struct am_link *l, const char *url)
{
	free(l->tracking_url);
	l->tracking_url = url != NULL ? xstrdup(url) : NULL;
}

/* Final status to the AM. */
void am_link_shutdown(struct am_link *l, bool succeeded, const char *diagnostics)
{
	if (l->over)
		return;
	l->over = true;
	l->succeeded = succeeded;
	l->diagnostics = xstrdup(diagnostics != NULL ? diagnostics : "");
	if (l->conn == NULL)
		return;
	am_link_send(l, am_link_shutdown_message(l));
	am_link_detach(l, true);
}

/* Close the link now. */
void am_link_free(struct am_link *l)
{
	if (l == NULL)
		return;
	am_link_detach(l, false);
	free(l->tracking_url);
	free(l->diagnostics);
	free(l->secret);
	free(l);
}
