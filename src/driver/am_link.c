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

#include <stdlib.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/proto_driver.h"
#include "common/proto_task.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "driver/closing.h"

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
	struct proto_driver_shutdown m = {
	        .final_status = l->succeeded ? "SUCCEEDED" : "FAILED",
	        .diagnostics = l->diagnostics,
	};

	return proto_driver_shutdown_encode(&m);
}

/* request-executors with the last total asked for. */
static void am_link_send_request(struct am_link *l)
{
	struct proto_driver_request_executors m = {.total = l->requested};

	am_link_send(l, proto_driver_request_executors_encode(&m));
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
	struct proto_driver_executor_lost lost;
	enum proto_driver_type type;
	const char *name = NULL;
	char *cause = NULL, *reason;

	(void)c;
	if (proto_driver_type_decode(msg, &type, &name, &cause) != 0)
		goto bad;
	if (type != PROTO_DRIVER_EXECUTOR_LOST) {
		cause = xasprintf("type: unexpected message '%.32s'", name);
		goto bad;
	}
	if (proto_driver_executor_lost_decode(msg, &lost, &cause) != 0)
		goto bad;
	if (l->cb.executor_lost != NULL)
		l->cb.executor_lost(l->cb.arg, lost.container_id, lost.exit_status,
		                    lost.diagnostics);
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
	struct proto_task_rejected m = {.reason = reason};
	struct json_object *msg;

	log_warn("%s: AM rejected: %s", lineconn_peer(c), reason);
	msg = proto_task_rejected_encode(&m);
	lineconn_send(c, msg);
	json_object_put(msg);
	closing_add(l->closing, c);
}

/* First message of a connection was register-am. */
void am_link_register(struct am_link *l, struct lineconn *c, struct json_object *msg)
{
	struct proto_driver_register_am m;
	struct proto_driver_registered answer;
	char *cause = NULL;
	int rc;

	/* A stranger (no or a wrong secret) learns nothing about the rest. */
	rc = proto_driver_register_am_decode(msg, &m, &cause);
	if (m.secret != NULL && !security_equal(m.secret, l->secret)) {
		free(cause);
		cause = xstrdup("wrong application secret");
		goto reject;
	}
	if (rc != 0)
		goto reject;

	if (l->conn != NULL) {
		log_info("AM %s replaces AM %s", m.attempt_id, l->attempt_id);
		am_link_detach(l, false);
	}
	l->conn = c;
	l->attempt_id = xstrdup(m.attempt_id);
	l->ever_connected = true;
	lineconn_set_callbacks(c, am_link_message_cb, am_link_close_cb, l);
	log_info("AM %s registered from %s", m.attempt_id, lineconn_peer(c));

	answer.tracking_url = l->tracking_url;
	am_link_send(l, proto_driver_registered_encode(&answer));
	if (l->over) {
		am_link_send(l, am_link_shutdown_message(l));
		am_link_detach(l, true);
		return;
	}
	if (l->requested >= 0)
		am_link_send_request(l);
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
	l->requested = total;
	if (l->conn == NULL || l->over)
		return;
	am_link_send_request(l);
}

/* Ask the AM to stop an executor's container. */
void am_link_kill_executor(struct am_link *l, const char *container_id)
{
	struct proto_driver_kill_executor m = {.container_id = container_id};

	if (l->conn == NULL || l->over)
		return;
	am_link_send(l, proto_driver_kill_executor_encode(&m));
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
