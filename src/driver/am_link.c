/*
 * am_link.c — the client-mode AM link, driver side (weft/protocol.h:
 * register-am, request-executors, executor-lost, shutdown).
 *
 * Owns the one registered AM connection, the last executor total the
 * driver asked for (so an AM that registers later, or a newer attempt,
 * hears it), and the job's final status once it is known (so an AM that
 * registers after the end is told at once).  Messages are checked field
 * by field; a bad one closes the link, as a drop would.
 *
 * A register-am is only a claim: the driver answers a challenge (its nonce
 * and its proof of the application secret) and admits the AM once its
 * auth proves the secret too (proto_task_proof).  Until then the
 * connection is pending and hears nothing else; the secret never travels.
 */
#include "weft_config.h"

#include "driver/am_link.h"

#include <stdlib.h>
#include <sys/queue.h>

#include "common/lineconn.h"
#include "common/log.h"
#include "common/proto_driver.h"
#include "common/proto_task.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "driver/closing.h"

/* A challenged AM that has not answered by then is dropped. */
#define AM_LINK_AUTH_MS 30000

/* An AM challenged, not yet authenticated. */
struct am_pending {
	struct am_link *l;
	struct event *auth_timer;
	struct lineconn *conn;
	char *attempt_id;
	char *am_nonce;
	char *driver_nonce;
	TAILQ_ENTRY(am_pending) entry;
};

struct am_link {
	struct event_base *base;
	char *secret;
	TAILQ_HEAD(, am_pending) pending;
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
struct am_link *am_link_new(struct event_base *base, const char *secret, struct closing *closing,
                            const struct am_link_callbacks *cb)
{
	struct am_link *l;

	l = xcalloc(1, sizeof *l);
	l->base = base;
	l->secret = xstrdup(secret);
	l->closing = closing;
	l->cb = *cb;
	l->requested = -1;
	TAILQ_INIT(&l->pending);
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

/* Forget a pending AM (its connection is the caller's). */
static void am_pending_free(struct am_pending *p)
{
	TAILQ_REMOVE(&p->l->pending, p, entry);
	event_free(p->auth_timer);
	free(p->attempt_id);
	free(p->am_nonce);
	free(p->driver_nonce);
	free(p);
}

/* The AM proved the secret: it is the link now. */
static void am_link_admit(struct am_link *l, struct lineconn *c, const char *attempt_id)
{
	struct proto_driver_registered answer;

	if (l->conn != NULL) {
		log_info("AM %s replaces AM %s", attempt_id, l->attempt_id);
		am_link_detach(l, false);
	}
	l->conn = c;
	l->attempt_id = xstrdup(attempt_id);
	l->ever_connected = true;
	lineconn_set_callbacks(c, am_link_message_cb, am_link_close_cb, l);
	log_info("AM %s registered from %s", attempt_id, lineconn_peer(c));

	answer.tracking_url = l->tracking_url;
	am_link_send(l, proto_driver_registered_encode(&answer));
	if (l->over) {
		am_link_send(l, am_link_shutdown_message(l));
		am_link_detach(l, true);
		return;
	}
	if (l->requested >= 0)
		am_link_send_request(l);
}

/* The answer to our challenge: the AM's proof, or a refusal. */
static void am_pending_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct am_pending *p = arg;
	struct am_link *l = p->l;
	struct proto_task_auth m;
	enum proto_driver_type type;
	const char *name = NULL;
	char *cause = NULL, *attempt_id, proof[65];

	if (proto_driver_type_decode(msg, &type, &name, &cause) != 0 ||
	    (type == PROTO_DRIVER_AUTH && proto_task_auth_decode(msg, &m, &cause) != 0)) {
		am_pending_free(p);
		am_link_refuse(l, c, cause);
		free(cause);
		return;
	}
	if (type != PROTO_DRIVER_AUTH) {
		cause = xasprintf("type: expected auth, got '%.32s'", name);
		am_pending_free(p);
		am_link_refuse(l, c, cause);
		free(cause);
		return;
	}
	proto_task_proof(l->secret, PROTO_TASK_ROLE_AM, p->attempt_id, p->am_nonce, p->driver_nonce,
	                 proof);
	if (!security_equal(m.proof, proof)) {
		am_pending_free(p);
		am_link_refuse(l, c, "wrong application secret");
		return;
	}
	attempt_id = xstrdup(p->attempt_id);
	am_pending_free(p);
	am_link_admit(l, c, attempt_id);
	free(attempt_id);
}

/* A pending AM left before it proved anything. */
static void am_pending_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct am_pending *p = arg;

	log_info("%s: AM %s left before authenticating: %s", lineconn_peer(c), p->attempt_id,
	         reason);
	am_pending_free(p);
	lineconn_free(c);
}

/* A challenged AM did not answer in time. */
static void am_pending_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct am_pending *p = arg;
	struct am_link *l = p->l;
	struct lineconn *c = p->conn;

	am_pending_free(p);
	am_link_refuse(l, c, "no auth in time");
}

/* First message of a connection was register-am: challenge or reject. */
void am_link_register(struct am_link *l, struct lineconn *c, struct json_object *msg)
{
	struct proto_driver_register_am m;
	struct proto_task_challenge ch;
	struct timeval tv = {AM_LINK_AUTH_MS / 1000, 0};
	struct json_object *answer;
	struct am_pending *p;
	char *cause = NULL, proof[65];

	if (proto_driver_register_am_decode(msg, &m, &cause) != 0) {
		am_link_refuse(l, c, cause);
		free(cause);
		return;
	}
	p = xcalloc(1, sizeof *p);
	p->l = l;
	p->conn = c;
	p->attempt_id = xstrdup(m.attempt_id);
	p->am_nonce = xstrdup(m.nonce);
	p->driver_nonce = security_random_hex(PROTO_TASK_NONCE_BYTES);
	TAILQ_INSERT_TAIL(&l->pending, p, entry);
	p->auth_timer = evtimer_new(l->base, am_pending_timeout_cb, p);
	if (p->auth_timer == NULL)
		fatalx("am_link_register: evtimer_new failed");
	evtimer_add(p->auth_timer, &tv);
	lineconn_set_callbacks(c, am_pending_message_cb, am_pending_close_cb, p);
	proto_task_proof(l->secret, PROTO_TASK_ROLE_DRIVER_AM, p->attempt_id, p->am_nonce,
	                 p->driver_nonce, proof);
	ch.nonce = p->driver_nonce;
	ch.proof = proof;
	answer = proto_task_challenge_encode(&ch);
	if (lineconn_send(c, answer) != 0)
		log_info("%s: AM %s: cannot send the challenge", lineconn_peer(c), p->attempt_id);
	json_object_put(answer);
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
	while (!TAILQ_EMPTY(&l->pending)) {
		struct am_pending *p = TAILQ_FIRST(&l->pending);

		lineconn_free(p->conn);
		am_pending_free(p);
	}
	free(l->tracking_url);
	free(l->diagnostics);
	free(l->secret);
	free(l);
}
