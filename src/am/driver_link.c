/*
 * driver_link.c — the client-mode AM's connection to the driver in
 * weft-submit.
 *
 * The driver decides; the AM obeys: it asks the RM for what the driver
 * requests, reports the executors the RM says are gone, and ends the
 * application as the driver says.  Losing the driver ends the
 * application too — there is nobody left to run the job.
 *
 * The driver must prove the application secret first: register-am carries
 * the AM's nonce, the driver's challenge its own nonce and an HMAC proof
 * (proto_task_proof), and only a right proof is answered with auth.  A
 * driver that cannot prove it is not ours: the AM obeys nothing from it and
 * ends the application.  The secret itself never travels.
 */
#include "weft_config.h"

#include "am/driver_link.h"

#include <stdlib.h>
#include <string.h>

#include "am/am.h"
#include "common/lineconn.h"
#include "common/log.h"
#include "common/net.h"
#include "common/proto_driver.h"
#include "common/proto_task.h"
#include "common/security.h"
#include "common/xmalloc.h"
/* Register with the RM after this long even without the driver's answer. */
#define DRIVER_LINK_START_TIMEOUT_MS 10000

struct driver_link {
	struct event_base *base;
	struct am *am;
	struct lineconn *conn;
	char *host;
	int port;
	char *app_secret;
	char *application_id;
	char *attempt_id;
	char *nonce;            /* register-am's */
	bool authenticated;     /* the driver proved the secret */
	bool shutdown_received; /* the driver said how the app ends */
	bool closing;           /* we close it ourselves: not a disconnect */
	bool am_started;        /* am_start called */
	struct event *start_timer;
};

/* Register the AM with the RM (once): when the driver answered, or when
 * it is gone or silent (a finish then has something to unregister). */
static void driver_link_start_am(struct driver_link *link)
{
	if (link->am_started)
		return;
	link->am_started = true;
	evtimer_del(link->start_timer);
	am_start(link->am);
}

/* The driver did not answer register-am in time: go on without it. */
static void driver_link_start_timeout_cb(evutil_socket_t fd, short events, void *arg)
{
	struct driver_link *link = arg;

	log_warn("no answer from the driver in %d ms: registering anyway",
	         DRIVER_LINK_START_TIMEOUT_MS);
	driver_link_start_am(link);
}

/* The driver's "shutdown": the application ends with its status. */
static void driver_link_on_shutdown(struct driver_link *link, struct json_object *msg)
{
	struct proto_driver_shutdown m;
	const char *status, *diag;
	char *cause = NULL, *text;

	if (proto_driver_shutdown_decode(msg, &m, &cause) != 0) {
		/* A driver that cannot say how the job went did not succeed. */
		text = xasprintf("driver sent a bad shutdown message: %s", cause);
		log_error("%s", text);
		link->shutdown_received = true;
		driver_link_start_am(link);
		am_finish(link->am, "FAILED", text);
		free(text);
		free(cause);
		return;
	}
	status = m.final_status;
	diag = m.diagnostics;
	link->shutdown_received = true;
	log_info("driver says the application %s%s%s", status, diag && *diag ? ": " : "",
	         diag ? diag : "");
	driver_link_start_am(link);
	am_finish(link->am, status, diag ? diag : "");
}

/* The driver is not ours (or broke the handshake): hang up, end the app. */
static void driver_link_refuse_driver(struct driver_link *link, const char *why)
{
	char *text = xasprintf("the driver at %s:%d: %s", link->host, link->port, why);

	log_error("%s", text);
	link->shutdown_received = true;
	if (link->conn != NULL) {
		lineconn_free(link->conn);
		link->conn = NULL;
	}
	driver_link_start_am(link);
	am_finish(link->am, "FAILED", text);
	free(text);
}

/* The driver's challenge: check its proof, then prove ours. */
static void driver_link_on_challenge(struct driver_link *link, struct json_object *msg)
{
	struct proto_task_challenge m;
	struct proto_task_auth auth;
	struct json_object *answer;
	char *cause = NULL, *why, proof[65];

	if (proto_task_challenge_decode(msg, &m, &cause) != 0) {
		why = xasprintf("bad challenge: %s", cause);
		driver_link_refuse_driver(link, why);
		free(why);
		free(cause);
		return;
	}
	proto_task_proof(link->app_secret, PROTO_TASK_ROLE_DRIVER_AM, link->attempt_id, link->nonce,
	                 m.nonce, proof);
	if (!security_equal(m.proof, proof)) {
		driver_link_refuse_driver(link, "it does not prove the application secret: "
		                                "wrong application secret");
		return;
	}
	link->authenticated = true;
	proto_task_proof(link->app_secret, PROTO_TASK_ROLE_AM, link->attempt_id, link->nonce,
	                 m.nonce, proof);
	auth.proof = proof;
	answer = proto_task_auth_encode(&auth);
	lineconn_send(link->conn, answer);
	json_object_put(answer);
}

/* One message from the driver. */
static void driver_link_message_cb(struct lineconn *c, struct json_object *msg, void *arg)
{
	struct driver_link *link = arg;
	struct proto_driver_request_executors request;
	struct proto_driver_registered registered;
	struct proto_driver_kill_executor kill;
	struct proto_task_rejected rejected;
	enum proto_driver_type type;
	const char *name = NULL;
	char *cause = NULL, *text;

	if (proto_driver_type_decode(msg, &type, &name, &cause) != 0) {
		log_warn("ignoring a driver message: %s", cause);
		free(cause);
		return;
	}
	if (type == PROTO_DRIVER_CHALLENGE && !link->authenticated) {
		driver_link_on_challenge(link, msg);
		return;
	}
	if (!link->authenticated && type != PROTO_DRIVER_REJECTED) {
		text = xasprintf("sent '%.32s' before it proved the application secret", name);
		driver_link_refuse_driver(link, text);
		free(text);
		return;
	}
	switch (type) {
	case PROTO_DRIVER_REQUEST_EXECUTORS:
		if (proto_driver_request_executors_decode(msg, &request, &cause) != 0)
			break;
		am_request_executors(link->am, request.total);
		return;
	case PROTO_DRIVER_SHUTDOWN:
		driver_link_on_shutdown(link, msg);
		return;
	case PROTO_DRIVER_REJECTED:
		if (proto_task_rejected_decode(msg, &rejected, NULL) != 0)
			rejected.reason = NULL;
		text = xasprintf("the driver rejected the application master: %s",
		                 rejected.reason ? rejected.reason : "no reason given");
		log_error("%s", text);
		link->shutdown_received = true;
		driver_link_start_am(link);
		am_finish(link->am, "FAILED", text);
		free(text);
		return;
	case PROTO_DRIVER_REGISTERED:
		log_info("registered with the driver at %s", lineconn_peer(c));
		/* Register with the RM now, linking to the driver's status. */
		if (proto_driver_registered_decode(msg, &registered, &cause) == 0 &&
		    registered.tracking_url != NULL)
			am_set_tracking_url(link->am, registered.tracking_url);
		else if (cause != NULL)
			log_warn("no tracking URL from the driver: %s", cause);
		free(cause);
		driver_link_start_am(link);
		return;
	case PROTO_DRIVER_KILL_EXECUTOR:
		if (proto_driver_kill_executor_decode(msg, &kill, &cause) != 0)
			break;
		am_kill_executor(link->am, kill.container_id);
		return;
	default:
		log_debug("ignoring driver message of type '%s'", name);
		return;
	}
	log_warn("ignoring %s: %s", name, cause);
	free(cause);
}

/* The connection is gone: expected after a shutdown, fatal otherwise. */
static void driver_link_close_cb(struct lineconn *c, const char *reason, void *arg)
{
	struct driver_link *link = arg;
	char *diag;

	lineconn_free(c);
	link->conn = NULL;
	if (link->shutdown_received || link->closing)
		return;
	diag = xasprintf("driver disconnected: %s", reason ? reason : "connection closed");
	log_error("%s", diag);
	driver_link_start_am(link);
	am_finish(link->am, "FAILED", diag);
	free(diag);
}

/* AM ops: tell the driver an executor's container ended. */
static void driver_link_lost_cb(void *arg, const char *container_id, int exit_status,
                                const char *diagnostics)
{
	struct driver_link *link = arg;
	struct proto_driver_executor_lost m = {
	        .container_id = container_id,
	        .exit_status = exit_status,
	        .diagnostics = diagnostics,
	};
	struct json_object *msg;

	if (link->conn == NULL)
		return;
	msg = proto_driver_executor_lost_encode(&m);
	lineconn_send(link->conn, msg);
	json_object_put(msg);
}

/* AM ops: the AM ends on its own; hang up (the driver sees the app's
 * final state through the RM). */
static void driver_link_stop_cb(void *arg, const char *diagnostics)
{
	struct driver_link *link = arg;

	link->closing = true;
	if (link->conn != NULL) {
		lineconn_free(link->conn);
		link->conn = NULL;
	}
}

struct driver_link *driver_link_new(struct event_base *base, struct am *am, const char *driver_host,
                                    int driver_port, const char *app_secret,
                                    const char *application_id, const char *attempt_id)
{
	struct driver_link *link = xcalloc(1, sizeof *link);
	struct am_driver_ops ops = {
	        .executor_lost = driver_link_lost_cb,
	        .stop = driver_link_stop_cb,
	        .arg = link,
	};
	char *address = net_format_address(driver_host, driver_port);

	link->base = base;
	link->am = am;
	link->host = xstrdup(driver_host);
	link->port = driver_port;
	link->app_secret = xstrdup(app_secret);
	link->application_id = xstrdup(application_id);
	link->attempt_id = xstrdup(attempt_id);
	link->start_timer = evtimer_new(base, driver_link_start_timeout_cb, link);
	if (link->start_timer == NULL)
		fatalx("driver_link_new: evtimer_new failed");
	am_set_driver(am, address, &ops);
	free(address);
	return link;
}

/* Dial and register; a failed dial is reported through the close callback. */
void driver_link_start(struct driver_link *link)
{
	struct json_object *msg;

	log_info("dialing the driver at %s:%d", link->host, link->port);
	link->conn = lineconn_connect(link->base, link->host, link->port, PROTO_DRIVER_AM_LINE_MAX,
	                              driver_link_message_cb, driver_link_close_cb, link);
	if (link->conn == NULL) {
		driver_link_start_am(link);
		am_finish(link->am, "FAILED", "driver disconnected: cannot dial the driver");
		return;
	}
	{
		struct timeval tv = {DRIVER_LINK_START_TIMEOUT_MS / 1000, 0};

		evtimer_add(link->start_timer, &tv);
	}
	free(link->nonce);
	link->nonce = security_random_hex(PROTO_TASK_NONCE_BYTES);
	link->authenticated = false;
	msg = proto_driver_register_am_encode(&(struct proto_driver_register_am){
	        .nonce = link->nonce,
	        .application_id = link->application_id,
	        .attempt_id = link->attempt_id,
	});
	lineconn_send(link->conn, msg);
	json_object_put(msg);
}

void driver_link_free(struct driver_link *link)
{
	if (link == NULL)
		return;
	if (link->conn != NULL)
		lineconn_free(link->conn);
	if (link->start_timer != NULL)
		event_free(link->start_timer);
	free(link->host);
	free(link->app_secret);
	free(link->nonce);
	free(link->application_id);
	free(link->attempt_id);
	free(link);
}
