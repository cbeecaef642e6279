/*
 * node_tracker.c — NM registration, heartbeats and liveness.
 *
 * Each node record owns its cleanup orders: containers the NM must stop
 * (kept and resent until the NM reports them COMPLETE or a full report no
 * longer lists them) and applications it must clean up (sent once).
 * Heartbeats are incremental (protocol.h): every listed status is handled
 * the same way, and only full reports end cleanup orders by omission.  One liveness
 * monitor (ordered by last heartbeat, one timer) declares nodes LOST.
 * Container bookings belong to the scheduler and container lifecycles to
 * the app manager: this module only reports what the NMs say, through the
 * node_tracker_events rm.c gives it (it knows no application).
 */
#include "weft_config.h"

#include "rm/node_tracker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "common/assert.h"
#include "common/config.h"
#include "common/daemon.h"
#include "common/http_server.h"
#include "common/log.h"
#include "common/net.h"
#include "common/proto_node.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "rm/container_tokens.h"
#include "rm/liveness.h"
#include "rm/rack_resolver.h"
#include "rm/rm.h"
#include "rm/scheduler.h"
#include "rm/strmap.h"
#include "weft/ids.h"
#include "weft/protocol.h"

#define BIT(x)                    (1u << (x))
#define NODE_DEFAULT_HEARTBEAT_MS 1000 /* when the NM does not say its own */

static const char *const node_state_names[NODE_STATE_COUNT] = {
        "NEW", "RUNNING", "UNHEALTHY", "DECOMMISSIONED", "LOST", "REBOOTED", "SHUTDOWN",
};

static const unsigned node_transitions[NODE_STATE_COUNT] = {
        [NODE_NEW] = BIT(NODE_RUNNING),
        [NODE_RUNNING] = BIT(NODE_RUNNING) | BIT(NODE_UNHEALTHY) | BIT(NODE_LOST) |
                         BIT(NODE_DECOMMISSIONED) | BIT(NODE_REBOOTED) | BIT(NODE_SHUTDOWN),
        [NODE_UNHEALTHY] = BIT(NODE_RUNNING) | BIT(NODE_LOST) | BIT(NODE_DECOMMISSIONED) |
                           BIT(NODE_REBOOTED) | BIT(NODE_SHUTDOWN),
        [NODE_DECOMMISSIONED] = BIT(NODE_RUNNING),
        [NODE_LOST] = BIT(NODE_RUNNING),
        [NODE_REBOOTED] = BIT(NODE_RUNNING),
        [NODE_SHUTDOWN] = BIT(NODE_RUNNING),
};

/* A cleanup order: sent at least once yet? */
#define CLEANUP_PENDING ((void *)1)
#define CLEANUP_SENT    ((void *)2)

struct rm_node {
	TAILQ_ENTRY(rm_node) link; /* first registration order */
	char *id;
	char *host;
	char *http_address;
	char *rack;
	char *version;
	char *health_report;
	enum node_state state;
	weft_resource_t capability;
	int64_t last_health_update;
	int64_t response_id;
	struct liveness_entry live;
	struct strmap *cleanup_containers;
	char **cleanup_apps;
	int n_cleanup_apps;
};

struct node_tracker {
	struct rm *rm;
	struct node_tracker_events events;
	TAILQ_HEAD(, rm_node) nodes;
	struct strmap *index;
	struct liveness *liveness;
	int64_t expiry_ms;
};

static void node_tracker_expired_cb(struct liveness_entry *e, void *arg);

const char *node_state_name(enum node_state state)
{
	return state < NODE_STATE_COUNT ? node_state_names[state] : "UNKNOWN";
}

int node_state_parse(const char *text, enum node_state *out)
{
	for (int i = 0; i < NODE_STATE_COUNT; i++) {
		if (strcasecmp(text, node_state_names[i]) == 0) {
			*out = (enum node_state)i;
			return 0;
		}
	}
	return -1;
}

/* Move a node along its table, logging every change. */
static void node_set_state(struct rm_node *n, enum node_state to, const char *why)
{
	if (!WEFT_ASSERT((node_transitions[n->state] & BIT(to)) != 0)) {
		log_error("node %s: refused transition %s -> %s (%s)", n->id,
		          node_state_name(n->state), node_state_name(to), why);
		return;
	}
	if (n->state != to)
		log_info("node %s: %s -> %s (%s)", n->id, node_state_name(n->state),
		         node_state_name(to), why);
	n->state = to;
}

static bool node_is_live(const struct rm_node *n)
{
	return n->state == NODE_RUNNING || n->state == NODE_UNHEALTHY;
}

struct node_tracker *node_tracker_new(struct rm *rm, const struct node_tracker_events *events)
{
	struct node_tracker *nt = xcalloc(1, sizeof *nt);

	nt->rm = rm;
	nt->events = *events;
	TAILQ_INIT(&nt->nodes);
	nt->index = strmap_new();
	nt->expiry_ms = config_get_int(rm->cfg, "rm.nm.liveness-expiry-ms");
	nt->liveness = liveness_new(rm->base, nt->expiry_ms, node_tracker_expired_cb, nt);
	return nt;
}

/* Drop pending application cleanup orders. */
static void node_clear_apps(struct rm_node *n)
{
	for (int i = 0; i < n->n_cleanup_apps; i++)
		free(n->cleanup_apps[i]);
	free(n->cleanup_apps);
	n->cleanup_apps = NULL;
	n->n_cleanup_apps = 0;
}

void node_tracker_free(struct node_tracker *nt)
{
	struct rm_node *n;

	if (nt == NULL)
		return;
	liveness_free(nt->liveness);
	while ((n = TAILQ_FIRST(&nt->nodes)) != NULL) {
		TAILQ_REMOVE(&nt->nodes, n, link);
		free(n->id);
		free(n->host);
		free(n->http_address);
		free(n->rack);
		free(n->version);
		free(n->health_report);
		strmap_free(n->cleanup_containers);
		node_clear_apps(n);
		free(n);
	}
	strmap_free(nt->index);
	free(nt);
}

/* --- cleanup orders --- */

const char *node_tracker_http_address(const struct node_tracker *nt, const char *node_id)
{
	const struct rm_node *n = strmap_get(nt->index, node_id);

	return n != NULL && node_is_live(n) ? n->http_address : NULL;
}

void node_tracker_cleanup_container(struct node_tracker *nt, const char *node_id,
                                    const char *container_id)
{
	struct rm_node *n = strmap_get(nt->index, node_id);

	if (n == NULL || !node_is_live(n))
		return;
	if (strmap_get(n->cleanup_containers, container_id) == NULL)
		strmap_put(n->cleanup_containers, container_id, CLEANUP_PENDING);
}

void node_tracker_cleanup_app(struct node_tracker *nt, const char *node_id, const char *app_id)
{
	struct rm_node *n = strmap_get(nt->index, node_id);

	if (n == NULL || !node_is_live(n))
		return;
	for (int i = 0; i < n->n_cleanup_apps; i++) {
		if (strcmp(n->cleanup_apps[i], app_id) == 0)
			return;
	}
	n->cleanup_apps =
	        xreallocarray(n->cleanup_apps, n->n_cleanup_apps + 1, sizeof *n->cleanup_apps);
	n->cleanup_apps[n->n_cleanup_apps++] = xstrdup(app_id);
}

/* --- losing nodes --- */

/* Complete every container booked on the node toward its application. */
static void node_complete_containers(struct node_tracker *nt, struct scheduler_container *list,
                                     int n, const char *diagnostics)
{
	for (int i = 0; i < n; i++)
		nt->events.container_completed(nt->events.arg, list[i].container_id,
		                               WEFT_EXIT_ABORTED, diagnostics);
}

/* The node stopped heartbeating: LOST, and its containers with it. */
static void node_lose(struct node_tracker *nt, struct rm_node *n, const char *why)
{
	struct scheduler_container *list = NULL;
	int count;

	liveness_remove(nt->liveness, &n->live);
	node_set_state(n, NODE_LOST, why);
	strmap_free(n->cleanup_containers);
	n->cleanup_containers = strmap_new();
	node_clear_apps(n);
	/* Off the books first, so nothing is placed on it meanwhile. */
	count = scheduler_node_remove(nt->rm->scheduler, n->id, &list);
	if (count > 0)
		log_warn("node %s lost with %d container(s)", n->id, count);
	node_complete_containers(nt, list, count, "Container released on a *lost* node");
	free(list);
	nt->events.schedule(nt->events.arg);
}

static void node_set_text(char **slot, const char *text);

void node_tracker_host_rack(struct node_tracker *nt, const char *host, const char *rack)
{
	struct rm_node *n;

	TAILQ_FOREACH(n, &nt->nodes, link)
	{
		if (n->host == NULL || strcmp(n->host, host) != 0 || strcmp(n->rack, rack) == 0)
			continue;
		log_info("node %s is on rack %s (rm.topology.script)", n->id, rack);
		node_set_text(&n->rack, rack);
		if (node_is_live(n))
			scheduler_node_set_rack(nt->rm->scheduler, n->id, rack);
	}
}

void node_tracker_expire(struct node_tracker *nt, const char *node_id)
{
	struct rm_node *n = strmap_get(nt->index, node_id);

	if (n != NULL && node_is_live(n))
		node_lose(nt, n, "declared lost");
}

static void node_tracker_expired_cb(struct liveness_entry *e, void *arg)
{
	struct node_tracker *nt = arg;
	struct rm_node *n = e->owner;
	char *why = xasprintf("no heartbeat for %lld ms", (long long)nt->expiry_ms);

	node_lose(nt, n, why);
	free(why);
}

/* --- registration --- */

/* Whether the NM's report lists container_id as running. */
static bool node_lists_running(const struct weft_container_status *st, int n,
                               const char *container_id)
{
	for (int i = 0; i < n; i++) {
		if (st[i].state != WEFT_CONTAINER_COMPLETE &&
		    strcmp(st[i].container_id, container_id) == 0)
			return true;
	}
	return false;
}

/* Replace an owned string. */
static void node_set_text(char **slot, const char *text)
{
	free(*slot);
	*slot = xstrdup(text);
}

int node_tracker_register(struct node_tracker *nt, struct json_object *body,
                          struct json_object **answer, char **cause)
{
	struct proto_node_register m;
	struct proto_node_register_answer a = {0};
	const struct weft_container_status *st;
	const char *id, *rack;
	int64_t interval;
	int port = 0;
	char *host = NULL;
	struct rm_node *n;
	bool replaced = false;

	*answer = NULL;
	if (proto_node_register_decode(body, &m, cause) != 0)
		return -1;
	id = m.node_id;
	rack = m.rack;
	st = m.containers;
	interval =
	        m.heartbeat_interval_ms > 0 ? m.heartbeat_interval_ms : NODE_DEFAULT_HEARTBEAT_MS;
	if (net_parse_address(id, &host, &port, cause) != 0) {
		proto_node_register_clear(&m);
		return -1;
	}

	/* The RM's topology (rm.topology.*) wins over what the NM says. */
	if (nt->rm->racks != NULL) {
		const char *known = rack_resolver_lookup(nt->rm->racks, host);

		if (known != NULL)
			rack = known;
	}

	/* Everything read: apply. */
	n = strmap_get(nt->index, id);
	if (n == NULL) {
		n = xcalloc(1, sizeof *n);
		n->id = xstrdup(id);
		n->state = NODE_NEW;
		n->cleanup_containers = strmap_new();
		liveness_entry_init(&n->live, n);
		TAILQ_INSERT_TAIL(&nt->nodes, n, link);
		strmap_put(nt->index, n->id, n);
	} else if (node_is_live(n)) {
		struct scheduler_container *list = NULL;
		int count = scheduler_node_containers(nt->rm->scheduler, id, &list);

		/* The NM restarted or registered again: what it no longer runs
		 * is lost, what it still lists carries on. */
		replaced = true;
		for (int i = 0; i < count; i++) {
			if (!node_lists_running(st, m.n_containers, list[i].container_id))
				nt->events.container_completed(
				        nt->events.arg, list[i].container_id, WEFT_EXIT_ABORTED,
				        "Container lost: its node registered again without it");
		}
		free(list);
	}
	free(n->host);
	n->host = host;
	node_set_text(&n->http_address, m.http_address);
	node_set_text(&n->rack, rack);
	node_set_text(&n->version, m.version);
	node_set_text(&n->health_report, "");
	n->capability = weft_resource(m.memory_mb, m.vcores);
	n->last_health_update = time_now_ms();
	n->response_id = 0;
	strmap_free(n->cleanup_containers);
	n->cleanup_containers = strmap_new();
	node_clear_apps(n);
	node_set_state(n, NODE_RUNNING, replaced ? "registered again" : "registered");
	scheduler_node_add(nt->rm->scheduler, id, n->capability);
	scheduler_node_set_rack(nt->rm->scheduler, id, n->rack);
	scheduler_node_set_schedulable(nt->rm->scheduler, id, true);
	liveness_touch(nt->liveness, &n->live);
	log_info("node %s registered: %lld MB, %lld vcores, http %s, rack %s", id,
	         (long long)m.memory_mb, (long long)m.vcores, m.http_address, rack);
	/* Running containers are known again; completed ones end now (the
	 * heartbeats acknowledge them). */
	for (int i = 0; i < m.n_containers; i++) {
		if (st[i].state == WEFT_CONTAINER_COMPLETE)
			nt->events.container_completed(nt->events.arg, st[i].container_id,
			                               st[i].exit_status, st[i].diagnostics);
		else
			nt->events.container_running(nt->events.arg, st[i].container_id);
	}
	proto_node_register_clear(&m);

	a.cluster_timestamp = nt->rm->cluster_ts;
	a.n_key_ids = container_tokens_key_ids(nt->rm->tokens, a.key_ids);
	/* The NM's own interval, but often enough that three heartbeats fit
	 * in the liveness expiry. */
	if (interval > nt->expiry_ms / 3)
		interval = nt->expiry_ms / 3;
	a.heartbeat_interval_ms = interval;
	*answer = proto_node_register_answer_encode(&a);
	nt->events.schedule(nt->events.arg);
	return 0;
}

/* --- heartbeats --- */

/* Cleanup orders that were sent and that the NM no longer lists as
 * running are done. */
struct node_sweep {
	const struct weft_container_status *st;
	int n_st;
	char **done;
	int n_done;
};

static void node_sweep_cb(const char *key, void *value, void *arg)
{
	struct node_sweep *sw = arg;

	if (value == CLEANUP_SENT && !node_lists_running(sw->st, sw->n_st, key)) {
		sw->done = xreallocarray(sw->done, sw->n_done + 1, sizeof *sw->done);
		sw->done[sw->n_done++] = xstrdup(key);
	}
}

/* Every pending cleanup order (the map's own keys: they stay put while
 * only their values change). */
struct node_collect {
	const char **keys;
	int n_keys;
};

static void node_collect_cb(const char *key, void *value, void *arg)
{
	struct node_collect *c = arg;

	(void)value;
	c->keys[c->n_keys++] = key;
}

/* The answer for a node the RM does not know as live. */
static struct json_object *node_resync_answer(struct node_tracker *nt, int64_t response_id)
{
	struct proto_node_heartbeat_answer a = {0};

	a.response_id = response_id + 1;
	a.action = PROTO_NODE_ACTION_RESYNC;
	a.n_key_ids = container_tokens_key_ids(nt->rm->tokens, a.key_ids);
	return proto_node_heartbeat_answer_encode(&a);
}

/* Statuses a heartbeat acknowledges without an allocation (most carry a
 * few). */
#define NODE_ACKS_ON_STACK 64

int node_tracker_heartbeat(struct node_tracker *nt, struct json_object *body,
                           struct json_object **answer, char **cause)
{
	struct proto_node_heartbeat m;
	struct proto_node_heartbeat_answer a = {0};
	const struct weft_container_status *st;
	const char *id, *report, *acks_small[NODE_ACKS_ON_STACK], **acks = acks_small;
	int n_acks = 0;
	struct rm_node *n;
	struct node_sweep sweep = {0};
	struct node_collect collect = {0};

	*answer = NULL;
	if (proto_node_heartbeat_decode(body, &m, cause) != 0)
		return -1;
	id = m.node_id;
	report = m.health_report;
	st = m.containers;

	n = strmap_get(nt->index, id);
	if (n == NULL || !node_is_live(n)) {
		log_info("heartbeat from %s node %s: RESYNC", n == NULL ? "unknown" : "lost", id);
		*answer = node_resync_answer(nt, m.response_id);
		proto_node_heartbeat_clear(&m);
		return 0;
	}
	liveness_touch(nt->liveness, &n->live);
	n->last_health_update = time_now_ms();
	n->response_id = m.response_id + 1;
	if (strcmp(n->health_report, report) != 0)
		node_set_text(&n->health_report, report);
	if (!m.healthy && n->state == NODE_RUNNING) {
		node_set_state(n, NODE_UNHEALTHY,
		               report[0] != '\0' ? report : "reported unhealthy");
		scheduler_node_set_schedulable(nt->rm->scheduler, n->id, false);
	} else if (m.healthy && n->state == NODE_UNHEALTHY) {
		node_set_state(n, NODE_RUNNING, "healthy again");
		scheduler_node_set_schedulable(nt->rm->scheduler, n->id, true);
	}

	if (m.n_containers > NODE_ACKS_ON_STACK)
		acks = xmalloc((size_t)m.n_containers * sizeof *acks);
	for (int i = 0; i < m.n_containers; i++) {
		const char *cid = st[i].container_id;

		if (st[i].state == WEFT_CONTAINER_COMPLETE) {
			nt->events.container_completed(nt->events.arg, cid, st[i].exit_status,
			                               st[i].diagnostics);
			acks[n_acks++] = cid;
			strmap_remove(n->cleanup_containers, cid);
		} else if (!nt->events.container_running(nt->events.arg, cid) &&
		           strmap_get(n->cleanup_containers, cid) == NULL) {
			/* Running here, unknown to the RM (its app ended, or
			 * the RM restarted): it must go. */
			log_info("node %s runs unknown container %s: cleaning it up", n->id, cid);
			strmap_put(n->cleanup_containers, cid, CLEANUP_PENDING);
		}
	}
	sweep.st = st;
	sweep.n_st = m.n_containers;
	/* Only a full report says what no longer runs: a partial one omits
	 * what did not change.  (Most heartbeats carry no cleanup order:
	 * skip the walks.) */
	if (m.full_report && strmap_count(n->cleanup_containers) > 0)
		strmap_foreach(n->cleanup_containers, node_sweep_cb, &sweep);
	for (int i = 0; i < sweep.n_done; i++) {
		strmap_remove(n->cleanup_containers, sweep.done[i]);
		free(sweep.done[i]);
	}
	free(sweep.done);

	if (strmap_count(n->cleanup_containers) > 0) {
		collect.keys = xmalloc(strmap_count(n->cleanup_containers) * sizeof *collect.keys);
		strmap_foreach(n->cleanup_containers, node_collect_cb, &collect);
	}

	a.response_id = m.response_id + 1;
	a.action = PROTO_NODE_ACTION_NORMAL;
	a.n_key_ids = container_tokens_key_ids(nt->rm->tokens, a.key_ids);
	a.containers_to_cleanup = collect.keys;
	a.n_containers_to_cleanup = collect.n_keys;
	a.containers_to_ack = acks;
	a.n_containers_to_ack = n_acks;
	a.apps_to_cleanup = (const char **)n->cleanup_apps;
	a.n_apps_to_cleanup = n->n_cleanup_apps;
	*answer = proto_node_heartbeat_answer_encode(&a);

	for (int i = 0; i < collect.n_keys; i++)
		strmap_put(n->cleanup_containers, collect.keys[i], CLEANUP_SENT);
	free(collect.keys);
	if (acks != acks_small)
		free(acks);
	node_clear_apps(n);
	proto_node_heartbeat_clear(&m);
	/* Freed room (completed containers) or a node with room: schedule. */
	if (scheduler_node_has_room(nt->rm->scheduler, n->id))
		nt->events.schedule(nt->events.arg);
	return 0;
}

/* --- HTTP --- */

/* X-Weft-Auth over the exact body; RET the parsed body or NULL after
 * answering. */
static struct json_object *node_tracker_authenticate(struct node_tracker *nt,
                                                     struct http_request *req)
{
	size_t len = 0;
	const char *body = http_request_body(req, &len);
	char *why = NULL;

	if (security_verify_request(nt->rm->secret, http_request_header(req, SECURITY_AUTH_HEADER),
	                            http_request_method_name(req), http_request_path(req), body,
	                            len, time_now_ms(), &why) != 0) {
		log_warn("%s %s from %s refused: %s", http_request_method_name(req),
		         http_request_path(req), http_request_peer(req), why);
		http_reply_error(req, 401, "AuthenticationException", "%s", why);
		free(why);
		return NULL;
	}
	return http_request_json(req);
}

/* Shared shape of both routes. */
static void node_tracker_serve(struct http_request *req, void *arg,
                               int (*fn)(struct node_tracker *, struct json_object *,
                                         struct json_object **, char **))
{
	struct node_tracker *nt = arg;
	struct json_object *body = node_tracker_authenticate(nt, req), *answer = NULL;
	char *cause = NULL;

	if (body == NULL)
		return;
	if (fn(nt, body, &answer, &cause) != 0) {
		http_reply_error(req, 400, "BadRequestException", "%s", cause);
		free(cause);
	} else {
		http_reply_json(req, 200, answer);
	}
	json_object_put(body);
}

static void node_tracker_register_cb(struct http_request *req, void *arg)
{
	node_tracker_serve(req, arg, node_tracker_register);
}

static void node_tracker_heartbeat_cb(struct http_request *req, void *arg)
{
	node_tracker_serve(req, arg, node_tracker_heartbeat);
}

void node_tracker_routes(struct node_tracker *nt)
{
	http_server_route(nt->rm->rpc, HTTP_M_POST, WEFT_RPC_NODE_REGISTER, 0,
	                  node_tracker_register_cb, nt);
	http_server_route(nt->rm->rpc, HTTP_M_POST, WEFT_RPC_NODE_HEARTBEAT, 0,
	                  node_tracker_heartbeat_cb, nt);
}

/* --- reports --- */

/* Fill a report from a node and the scheduler's books. */
static void node_fill_report(const struct node_tracker *nt, const struct rm_node *n,
                             struct node_report *r)
{
	struct scheduler_node_usage usage;

	memset(r, 0, sizeof *r);
	r->id = n->id;
	r->host = n->host;
	r->http_address = n->http_address;
	r->rack = n->rack;
	r->version = n->version;
	r->health_report = n->health_report;
	r->state = n->state;
	r->last_health_update = n->last_health_update;
	r->capability = n->capability;
	if (node_is_live(n) && scheduler_node_usage(nt->rm->scheduler, n->id, &usage) == 0) {
		r->used = usage.used;
		r->n_containers = usage.n_containers;
	}
}

int node_tracker_reports(const struct node_tracker *nt, struct node_report **out)
{
	const struct rm_node *n;
	int count = 0;

	*out = xcalloc(strmap_count(nt->index) + 1, sizeof **out);
	TAILQ_FOREACH(n, &nt->nodes, link)
	node_fill_report(nt, n, &(*out)[count++]);
	return count;
}

int node_tracker_report(const struct node_tracker *nt, const char *node_id, struct node_report *out)
{
	const struct rm_node *n = strmap_get(nt->index, node_id);

	if (n == NULL)
		return -1;
	node_fill_report(nt, n, out);
	return 0;
}

void node_tracker_counts(const struct node_tracker *nt, struct node_counts *out)
{
	const struct rm_node *n;

	memset(out, 0, sizeof *out);
	TAILQ_FOREACH(n, &nt->nodes, link)
	{
		out->total++;
		out->per_state[n->state]++;
		if (n->state == NODE_NEW || n->state == NODE_RUNNING)
			out->active++;
	}
}
