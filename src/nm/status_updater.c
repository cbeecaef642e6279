/*
 * status_updater.c — registration and heartbeats with the RM.
 *
 * One timer drives everything: while unregistered it fires the next
 * registration attempt (backoff from STATUS_UPDATER_RETRY_MIN_MS doubling
 * to STATUS_UPDATER_RETRY_MAX_MS, after a call the RM answered with a
 * refusal or that the client gave up), once registered the next
 * heartbeat.  At
 * most one call is in flight; a heartbeat wanted meanwhile (a container
 * ended) is sent as soon as the answer arrives, so completions reach the
 * RM — and through it the AM — without waiting for the next interval.
 *
 * Heartbeats are incremental (protocol.h): the first after each
 * registration and then every WEFT_NM_FULL_REPORT_EVERY-th is a full
 * report; the others list only the COMPLETE statuses and the RUNNING ones
 * the RM has not yet answered a heartbeat carrying.
 *
 * An answer is validated completely before any of it is acted upon; a
 * malformed one is logged and ignored as a whole.
 *
 * The calls go through a weft_client of the updater's own (weft/client.h)
 * to the RM's rm.rpc-address list, signed with X-Weft-Auth over the exact
 * body: it fails over between the addresses and retries, with the same
 * backoff, a call that never reached an RM or that the RM was too busy
 * for (429, 503) — a registration for STATUS_UPDATER_REGISTER_RETRY_MS, a
 * heartbeat for an interval; beyond that this file's timers decide.
 */
#include "weft_config.h"

#include "nm/status_updater.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_node.h"
#include "common/security.h"
#include "common/wjson.h"
#include "common/xmalloc.h"
#include "nm/container.h"
#include "nm/container_manager.h"
#include "weft/client.h"
#include "weft/protocol.h"

/* Bound on the last heartbeat at shutdown. */
#define STATUS_UPDATER_FINAL_TIMEOUT_MS 2000

struct status_updater {
	struct nm_context *ctx;
	struct weft_client *client; /* to the RM's internal RPC */
	struct event *timer;
	struct weft_call *call; /* the one call in flight */
	bool registered;
	bool rm_unreachable; /* last attempt failed (log once per outage) */
	int64_t response_id;
	int64_t interval_ms;
	int64_t retry_ms;
	bool extra_wanted; /* a heartbeat was asked for while busy */
	bool in_answer;    /* acting on an answer right now */
	int64_t last_update_ms;
	int64_t heartbeats;
	int64_t cluster_timestamp;
	/* Incremental reports: id -> state of every non-COMPLETE status an
	 * answered heartbeat carried, the same for the call in flight, and
	 * how many partial reports may still go before the next full one. */
	struct json_object *delivered;
	struct json_object *sent;
	bool sent_full;
	int partial_left;

	bool stopping;
	void (*stop_cb)(void *);
	void *stop_arg;
	void (*shutdown_cb)(void *);
	void *shutdown_arg;
};

static void status_updater_register(struct status_updater *su);
static void status_updater_heartbeat(struct status_updater *su);

/* The next timer event after ms. */
static void status_updater_arm(struct status_updater *su, int64_t ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)((ms % 1000) * 1000);
	evtimer_del(su->timer);
	evtimer_add(su->timer, &tv);
}

/* The timer: register or heartbeat, whichever is due. */
static void status_updater_timer_cb(evutil_socket_t fd, short events, void *arg)
{
	struct status_updater *su = arg;

	if (su->stopping)
		return;
	if (su->registered)
		status_updater_heartbeat(su);
	else
		status_updater_register(su);
}

/* A new updater (not started). */
struct status_updater *status_updater_new(struct nm_context *ctx)
{
	struct status_updater *su = xcalloc(1, sizeof *su);
	struct weft_client_options o = {
	        .rm_addresses = ctx->rm_rpc_addresses,
	        .call_timeout_ms = STATUS_UPDATER_CALL_TIMEOUT_MS,
	        .backoff_min_ms = STATUS_UPDATER_RETRY_MIN_MS,
	        .backoff_max_ms = STATUS_UPDATER_RETRY_MAX_MS,
	};
	char *cause = NULL;

	su->ctx = ctx;
	/* node.c checked the addresses already. */
	su->client = weft_client_new(ctx->base, &o, &cause);
	if (su->client == NULL)
		fatalx("status_updater_new: rm.rpc-address: %s", cause);
	su->interval_ms = config_get_int(ctx->cfg, "nm.heartbeat-interval-ms");
	su->retry_ms = STATUS_UPDATER_RETRY_MIN_MS;
	su->timer = evtimer_new(ctx->base, status_updater_timer_cb, su);
	if (su->timer == NULL)
		fatalx("status_updater_new: evtimer_new failed");
	su->delivered = wjson_new_object();
	return su;
}

/* Cancel everything. */
void status_updater_free(struct status_updater *su)
{
	if (su == NULL)
		return;
	if (su->call != NULL)
		weft_call_cancel(su->call);
	weft_client_free(su->client);
	event_free(su->timer);
	json_object_put(su->delivered);
	json_object_put(su->sent);
	free(su);
}

/* The RM's address the calls go to now, for logs. */
static const char *status_updater_rm(const struct status_updater *su)
{
	return weft_client_rm_url(su->client);
}

/* POST a signed JSON body to the RM, trying for up to retry_ms (-1:
 * once). */
static struct weft_call *status_updater_post(struct status_updater *su, const char *path,
                                             struct json_object *body, long timeout_ms,
                                             int64_t retry_ms, weft_call_cb cb)
{
	const char *text;
	size_t len = 0;
	char *signature, *auth;
	const char *headers[2];
	struct weft_call *call;
	struct weft_request req = {
	        .method = "POST",
	        .path = path,
	        .headers = headers,
	        .timeout_ms = timeout_ms,
	        .retry_ms = retry_ms,
	};

	text = json_object_to_json_string_length(body, JSON_C_TO_STRING_PLAIN, &len);
	signature = security_sign_request(su->ctx->secret, "POST", path, text, len, time_now_ms());
	auth = xasprintf("%s: %s", SECURITY_AUTH_HEADER, signature);
	headers[0] = auth;
	headers[1] = NULL;
	req.body = text;
	req.len = len;
	call = weft_client_request(su->client, &req, cb, su);
	free(signature);
	free(auth);
	return call;
}

/* Why a call got no useful answer, for the log (caller frees). */
static char *status_updater_failure(const struct weft_status *st)
{
	if (st->http_status == 0)
		return xstrdup(st->message != NULL ? st->message : "no answer");
	return xasprintf("HTTP %ld: %s", st->http_status, st->message);
}

/* The statuses this node reports (proto_node.h; they point into the
 * containers): every container not yet acknowledged COMPLETE, or with
 * running_only the ones not complete.  RET an array (caller frees) and
 * *n. */
static struct weft_container_status *status_updater_collect(struct status_updater *su,
                                                            bool running_only, int *n)
{
	struct container_manager *cm = su->ctx->containers;
	size_t count = container_manager_count(cm);
	struct weft_container_status *st = xcalloc(count + 1, sizeof *st);

	*n = 0;
	for (size_t i = 0; i < count; i++) {
		struct container *c = container_manager_at(cm, i);
		bool complete = container_is_complete(c);

		if (complete && (running_only || container_is_acked(c)))
			continue;
		st[*n].container_id = container_id(c);
		st[*n].state = complete ? WEFT_CONTAINER_COMPLETE : WEFT_CONTAINER_RUNNING;
		st[*n].exit_status = container_exit_status(c);
		st[*n].diagnostics = container_diagnostics(c);
		(*n)++;
	}
	return st;
}

/* The key ids of an answer, to the container manager (at most what it
 * keeps). */
static void status_updater_set_key_ids(struct status_updater *su, const int64_t *ids, int n)
{
	if (n > CONTAINER_MANAGER_MAX_KEYS)
		n = CONTAINER_MANAGER_MAX_KEYS;
	container_manager_set_key_ids(su->ctx->containers, ids, (size_t)n);
}

/* The registration was answered (or failed). */
static void status_updater_register_cb(const struct weft_status *st, struct json_object *answer,
                                       const char *body, size_t len, void *arg)
{
	struct status_updater *su = arg;
	struct proto_node_register_answer a;
	char *cause = NULL;

	su->call = NULL;
	if (!st->ok) {
		cause = status_updater_failure(st);
		goto retry;
	}
	if (answer == NULL) {
		cause = xstrdup("the answer is not a JSON object");
		goto retry;
	}
	if (proto_node_register_answer_decode(answer, &a, &cause) != 0)
		goto retry;

	status_updater_set_key_ids(su, a.key_ids, a.n_key_ids);
	if (a.heartbeat_interval_ms > 0)
		su->interval_ms = a.heartbeat_interval_ms;
	su->cluster_timestamp = a.cluster_timestamp;
	su->registered = true;
	su->rm_unreachable = false;
	su->response_id = 0;
	su->retry_ms = STATUS_UPDATER_RETRY_MIN_MS;
	su->last_update_ms = time_now_ms();
	log_info("registered with the RM at %s as %s (%" PRId64 " MB, %" PRId64
	         " vcores; heartbeat every %" PRId64 " ms)",
	         status_updater_rm(su), su->ctx->node_id, su->ctx->capability.memory_mb,
	         su->ctx->capability.vcores, su->interval_ms);
	if (su->extra_wanted) {
		su->extra_wanted = false;
		status_updater_heartbeat(su);
	} else {
		status_updater_arm(su, su->interval_ms);
	}
	return;

retry:
	if (!su->rm_unreachable)
		log_warn("cannot register with the RM at %s: %s (retrying)", status_updater_rm(su),
		         cause);
	else
		log_debug("cannot register with the RM at %s: %s", status_updater_rm(su), cause);
	free(cause);
	su->rm_unreachable = true;
	status_updater_arm(su, su->retry_ms);
	su->retry_ms *= 2;
	if (su->retry_ms > STATUS_UPDATER_RETRY_MAX_MS)
		su->retry_ms = STATUS_UPDATER_RETRY_MAX_MS;
}

/* Send the registration. */
static void status_updater_register(struct status_updater *su)
{
	struct proto_node_register m = {0};
	struct json_object *body;

	if (su->call != NULL) {
		weft_call_cancel(su->call);
		su->call = NULL;
	}
	evtimer_del(su->timer);
	su->registered = false;
	/* A new registration starts over with a full report. */
	json_object_put(su->delivered);
	su->delivered = wjson_new_object();
	json_object_put(su->sent);
	su->sent = NULL;
	su->partial_left = 0;
	m.node_id = su->ctx->node_id;
	m.http_address = su->ctx->node_id;
	m.rack = config_get(su->ctx->cfg, "nm.rack");
	m.memory_mb = su->ctx->capability.memory_mb;
	m.vcores = su->ctx->capability.vcores;
	m.version = WEFT_VERSION_STRING;
	/* What this NM wants; the RM answers the interval to use. */
	m.heartbeat_interval_ms = config_get_int(su->ctx->cfg, "nm.heartbeat-interval-ms");
	m.containers = status_updater_collect(su, true, &m.n_containers);
	body = proto_node_register_encode(&m);
	free(m.containers);
	log_debug("registering with %s", status_updater_rm(su));
	su->call = status_updater_post(
	        su, WEFT_RPC_NODE_REGISTER, body, STATUS_UPDATER_CALL_TIMEOUT_MS,
	        STATUS_UPDATER_REGISTER_RETRY_MS, status_updater_register_cb);
	json_object_put(body);
}

/* Act on a validated heartbeat answer. */
static void status_updater_apply(struct status_updater *su,
                                 const struct proto_node_heartbeat_answer *a)
{
	struct container_manager *cm = su->ctx->containers;
	struct container *c;
	int i;

	for (i = 0; i < a->n_containers_to_cleanup; i++) {
		const char *id = a->containers_to_cleanup[i];

		c = container_manager_find(cm, id);
		if (c == NULL || container_is_complete(c))
			continue;
		log_info("the RM asks to clean up container %s", id);
		container_manager_stop(cm, c, WEFT_EXIT_KILLED_BY_RESOURCEMANAGER,
		                       CONTAINER_KILLED_BY_RM);
	}
	for (i = 0; i < a->n_containers_to_ack; i++)
		container_manager_ack(cm, a->containers_to_ack[i]);
	for (i = 0; i < a->n_apps_to_cleanup; i++) {
		const char *id = a->apps_to_cleanup[i];

		if (container_manager_find_app(cm, id) != NULL)
			log_info("the RM says application %s is done", id);
		container_manager_cleanup_app(cm, id);
	}
}

/* What to do after a heartbeat: the next one now or after the interval. */
static void status_updater_next(struct status_updater *su)
{
	if (su->stopping)
		return;
	if (su->extra_wanted && su->registered) {
		su->extra_wanted = false;
		status_updater_heartbeat(su);
		return;
	}
	if (!evtimer_pending(su->timer, NULL))
		status_updater_arm(su, su->interval_ms);
}

/* The RM answered the heartbeat in flight: what it carried is known there. */
static void status_updater_delivered(struct status_updater *su)
{
	if (su->sent == NULL)
		return;
	if (su->sent_full) {
		json_object_put(su->delivered);
		su->delivered = su->sent;
		su->partial_left = WEFT_NM_FULL_REPORT_EVERY - 1;
	} else {
		json_object_object_foreach(su->sent, id, state)
		        json_object_object_add(su->delivered, id, json_object_get(state));
		json_object_put(su->sent);
		if (su->partial_left > 0)
			su->partial_left--;
	}
	su->sent = NULL;
}

/* The statuses of this heartbeat (all of them in a full report, else what
 * changed), noting in su->sent the non-COMPLETE ones.  RET an array
 * (caller frees) and *n. */
static struct weft_container_status *status_updater_statuses(struct status_updater *su, bool full,
                                                             int *n)
{
	int all = 0, kept = 0;
	struct weft_container_status *st = status_updater_collect(su, false, &all);

	json_object_put(su->sent);
	su->sent = wjson_new_object();
	su->sent_full = full;
	for (int i = 0; i < all; i++) {
		struct json_object *was = NULL;
		const char *id = st[i].container_id;
		const char *name = weft_container_state_name(st[i].state);

		if (st[i].state != WEFT_CONTAINER_COMPLETE) {
			json_object_object_add(su->sent, id, json_object_new_string(name));
			if (!full && json_object_object_get_ex(su->delivered, id, &was) &&
			    strcmp(json_object_get_string(was), name) == 0)
				continue;
		}
		st[kept++] = st[i];
	}
	*n = kept;
	return st;
}

/* A heartbeat was answered (or failed). */
static void status_updater_heartbeat_cb(const struct weft_status *st, struct json_object *answer,
                                        const char *body, size_t len, void *arg)
{
	struct status_updater *su = arg;
	struct proto_node_heartbeat_answer a;
	char *cause = NULL;

	su->call = NULL;
	if (su->stopping) {
		if (su->stop_cb != NULL)
			su->stop_cb(su->stop_arg);
		return;
	}
	if (!st->ok) {
		cause = status_updater_failure(st);
		goto failed;
	}
	if (answer == NULL || proto_node_heartbeat_answer_decode(answer, &a, &cause) != 0) {
		log_warn("ignoring a malformed heartbeat answer: %s",
		         cause != NULL ? cause : "not a JSON object");
		free(cause);
		status_updater_next(su);
		return;
	}
	if (su->rm_unreachable)
		log_info("the RM at %s answers again", status_updater_rm(su));
	su->rm_unreachable = false;
	su->last_update_ms = time_now_ms();
	su->heartbeats++;

	if (a.action == PROTO_NODE_ACTION_RESYNC) {
		log_info("the RM asks this node to register again (RESYNC)");
		proto_node_heartbeat_answer_clear(&a);
		status_updater_register(su);
		return;
	}
	if (a.action == PROTO_NODE_ACTION_SHUTDOWN) {
		log_warn("the RM asks this node to shut down");
		proto_node_heartbeat_answer_clear(&a);
		if (su->shutdown_cb != NULL)
			su->shutdown_cb(su->shutdown_arg);
		return;
	}
	if (a.action == PROTO_NODE_ACTION_UNKNOWN)
		log_warn("unknown heartbeat action '%.32s' from the RM: treated as NORMAL",
		         a.action_name);
	su->response_id = a.response_id;
	status_updater_delivered(su);
	if (a.has_key_ids)
		status_updater_set_key_ids(su, a.key_ids, a.n_key_ids);
	/* Stopping a container can complete it at once and ask for another
	 * heartbeat: note it and send after this answer is done with. */
	su->in_answer = true;
	status_updater_apply(su, &a);
	su->in_answer = false;
	proto_node_heartbeat_answer_clear(&a);
	status_updater_next(su);
	return;

failed:
	if (!su->rm_unreachable)
		log_warn("heartbeat to the RM at %s failed: %s", status_updater_rm(su), cause);
	else
		log_debug("heartbeat to the RM at %s failed: %s", status_updater_rm(su), cause);
	free(cause);
	su->rm_unreachable = true;
	/* Do not hammer an RM that is down; the statuses go next time. */
	su->extra_wanted = false;
	status_updater_arm(su, su->interval_ms);
}

/* Send a heartbeat: a full report or what changed (protocol.h). */
static void status_updater_heartbeat(struct status_updater *su)
{
	struct proto_node_heartbeat m = {0};
	struct json_object *body;
	long timeout =
	        su->stopping ? STATUS_UPDATER_FINAL_TIMEOUT_MS : STATUS_UPDATER_CALL_TIMEOUT_MS;

	evtimer_del(su->timer);
	m.node_id = su->ctx->node_id;
	m.response_id = su->response_id;
	m.full_report = su->partial_left <= 0;
	m.containers = status_updater_statuses(su, m.full_report, &m.n_containers);
	m.healthy = true;
	m.health_report = "";
	body = proto_node_heartbeat_encode(&m);
	free(m.containers);
	/* The last one at shutdown is tried once: the NM is going away. */
	su->call = status_updater_post(su, WEFT_RPC_NODE_HEARTBEAT, body, timeout,
	                               su->stopping ? -1 : su->interval_ms,
	                               status_updater_heartbeat_cb);
	json_object_put(body);
}

/* Begin with a registration. */
void status_updater_start(struct status_updater *su)
{
	status_updater_register(su);
}

/* A container ended: tell the RM now, or right after the call in flight. */
void status_updater_heartbeat_now(struct status_updater *su)
{
	if (su == NULL || su->stopping)
		return;
	if (!su->registered || su->call != NULL || su->in_answer) {
		su->extra_wanted = true;
		return;
	}
	status_updater_heartbeat(su);
}

/* Report from the loop that there is nothing to send at shutdown. */
static void status_updater_stopped_cb(evutil_socket_t fd, short events, void *arg)
{
	struct status_updater *su = arg;

	if (su->stop_cb != NULL)
		su->stop_cb(su->stop_arg);
}

/* Shutdown: one last heartbeat, then cb. */
void status_updater_stop(struct status_updater *su, void (*cb)(void *), void *arg)
{
	struct timeval now = {0, 0};

	su->stopping = true;
	su->stop_cb = cb;
	su->stop_arg = arg;
	evtimer_del(su->timer);
	if (su->call != NULL) {
		weft_call_cancel(su->call);
		su->call = NULL;
	}
	if (su->registered) {
		status_updater_heartbeat(su);
		return;
	}
	event_free(su->timer);
	su->timer = evtimer_new(su->ctx->base, status_updater_stopped_cb, su);
	if (su->timer == NULL)
		fatalx("status_updater_stop: evtimer_new failed");
	evtimer_add(su->timer, &now);
}

/* Who hears about the RM's SHUTDOWN. */
void status_updater_on_shutdown(struct status_updater *su, void (*cb)(void *), void *arg)
{
	su->shutdown_cb = cb;
	su->shutdown_arg = arg;
}

bool status_updater_registered(const struct status_updater *su)
{
	return su->registered;
}

int64_t status_updater_last_update_ms(const struct status_updater *su)
{
	return su->last_update_ms;
}

int64_t status_updater_heartbeat_count(const struct status_updater *su)
{
	return su->heartbeats;
}
