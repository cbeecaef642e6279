/*
 * sim_node.c — simulated NMs: registration, heartbeats, container records.
 *
 * Per node: its containers (a small array: a node holds tens, not
 * thousands), one heartbeat timer (a random phase within the interval, so
 * 10,000 nodes do not heartbeat in lockstep) and one timer for its next
 * container end.  At most one call per node is in flight; a heartbeat
 * wanted meanwhile goes right after the answer, as in weft-nm.  Reports
 * are incremental as weft-nm's (protocol.h): full after each registration
 * and every WEFT_NM_FULL_REPORT_EVERY-th heartbeat, else only what changed.
 *
 * Calls go through libweft's client (sls->rpc: its retries, 429
 * handling, error messages), signed with X-Weft-Auth as weft-nm signs
 * them.  Bodies are written as text (proto_node_*_write) into one reused
 * buffer, from one reused status array; answers are decoded with
 * proto_node.  The simulator must cost less per heartbeat than the RM,
 * or it would measure itself.
 */
#include "weft_config.h"

#include "sls/sim_node.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "common/config.h"
#include "common/daemon.h"
#include "common/log.h"
#include "common/proto_node.h"
#include "common/security.h"
#include "common/xmalloc.h"
#include "sls/metrics.h"
#include "sls/rm_pool.h"
#include "sls/scenario.h"
#include "sls/sim_app.h"
#include "sls/sls.h"
#include "weft/client.h"
#include "weft/ids.h"
#include "weft/protocol.h"

#define SIM_NODE_PORT 8041
#define SIM_RETRY_MS  1000

struct sim_container {
	char id[WEFT_ID_MAX];
	int64_t end_us; /* INT64_MAX: until stopped */
	int exit_status;
	bool complete; /* reported until acknowledged */
	bool am;
	bool delivered; /* RUNNING was in a heartbeat the RM answered */
	bool sent;      /* in the heartbeat in flight */
};

struct sim_node {
	struct sim_cluster *cluster;
	int index;
	char id[40];
	char rack[24];
	weft_resource_t capacity;
	bool registered;
	bool shutdown;
	bool in_flight;
	bool again;       /* a heartbeat was wanted while one was in flight */
	int partial_left; /* partial reports before the next full one */
	bool sent_full;   /* the heartbeat in flight is a full report */
	int64_t response_id;
	struct sim_container *containers;
	int n_containers, cap_containers;
	int n_running;
	struct event *beat;   /* heartbeat period (and register retries) */
	struct event *end;    /* next container end */
	int64_t end_armed_us; /* when end is armed for; 0 = not armed */
};

struct sim_cluster {
	struct sls *sls;
	struct sim_node *nodes;
	int n_nodes;
	int n_registered;
	bool ready; /* all registered once */
	weft_resource_t capacity;
	int64_t running;
	int64_t interval_ms; /* the RM may lower it at registration */
	struct evbuffer *buf;
	/* The statuses of the request being written (reused). */
	struct weft_container_status *statuses;
	int cap_statuses;
};

/* Heartbeat now, or right after the one in flight. */
static void sim_node_send_heartbeat(struct sim_node *n);
/* Register (again), listing the containers the node still holds. */
static void sim_node_register(struct sim_node *n);

/* Node index from "nodeNNNNN.sls:8041"; -1 for anything else. */
int sim_cluster_find(const struct sim_cluster *c, const char *node_id)
{
	const char *p = node_id;
	int v = 0, digits = 0;

	if (strncmp(p, "node", 4) != 0)
		return -1;
	for (p += 4; *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
		v = v * 10 + (*p - '0');
	if (digits == 0 || v >= c->n_nodes || strcmp(c->nodes[v].id, node_id) != 0)
		return -1;
	return v;
}

/* Node i's id, or NULL. */
const char *sim_cluster_node_id(const struct sim_cluster *c, int node)
{
	return node >= 0 && node < c->n_nodes ? c->nodes[node].id : NULL;
}

/* Nodes in the scenario. */
int sim_cluster_size(const struct sim_cluster *c)
{
	return c->n_nodes;
}

/* Nodes registered now. */
int sim_cluster_registered(const struct sim_cluster *c)
{
	return c->n_registered;
}

/* What all the nodes offer together. */
weft_resource_t sim_cluster_capacity(const struct sim_cluster *c)
{
	return c->capacity;
}

/* Containers not ended yet. */
int64_t sim_cluster_running(const struct sim_cluster *c)
{
	return c->running;
}

static void sim_node_beat_cb(evutil_socket_t fd, short what, void *arg);
static void sim_node_end_cb(evutil_socket_t fd, short what, void *arg);

/* Every node of every group, unregistered, with its two timers. */
struct sim_cluster *sim_cluster_new(struct sls *sls)
{
	struct sim_cluster *c = xcalloc(1, sizeof *c);
	const struct scenario *sc = sls->sc;
	int i = 0;

	c->sls = sls;
	c->n_nodes = scenario_node_count(sc);
	c->nodes = xcalloc((size_t)c->n_nodes, sizeof *c->nodes);
	c->interval_ms = sc->heartbeat_ms;
	c->buf = evbuffer_new();
	for (int g = 0; g < sc->n_nodes; g++) {
		for (int k = 0; k < sc->nodes[g].count; k++, i++) {
			struct sim_node *n = &c->nodes[i];

			n->cluster = c;
			n->index = i;
			snprintf(n->id, sizeof n->id, "node%05d.sls:%d", i, SIM_NODE_PORT);
			snprintf(n->rack, sizeof n->rack, "/rack-%04d", i / sc->nodes[g].rack_size);
			n->capacity = weft_resource(sc->nodes[g].memory_mb, sc->nodes[g].vcores);
			c->capacity = weft_resource_add(c->capacity, n->capacity);
			n->beat = evtimer_new(sls->base, sim_node_beat_cb, n);
			n->end = evtimer_new(sls->base, sim_node_end_cb, n);
		}
	}
	return c;
}

/* Free every node and its timers. */
void sim_cluster_free(struct sim_cluster *c)
{
	if (c == NULL)
		return;
	for (int i = 0; i < c->n_nodes; i++) {
		event_free(c->nodes[i].beat);
		event_free(c->nodes[i].end);
		free(c->nodes[i].containers);
	}
	free(c->nodes);
	free(c->statuses);
	evbuffer_free(c->buf);
	free(c);
}

/* Arm a timer ms from now. */
static void sim_arm(struct event *ev, int64_t ms)
{
	struct timeval tv = {(time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};

	evtimer_add(ev, &tv);
}

/* Post a body (in the cluster's buffer) signed with X-Weft-Auth. */
static void sim_node_post(struct sim_node *n, const char *path, weft_call_cb cb)
{
	struct sim_cluster *c = n->cluster;
	size_t len = evbuffer_get_length(c->buf);
	const char *body = (const char *)evbuffer_pullup(c->buf, -1);
	char *auth = security_sign_request(c->sls->secret, "POST", path, body, len, time_now_ms());
	char header[160];

	snprintf(header, sizeof header, "%s: %s", SECURITY_AUTH_HEADER, auth);
	free(auth);
	n->in_flight = true;
	rm_pool_post(c->sls->rpc, path, header, body, len, cb, n);
	evbuffer_drain(c->buf, len);
}

/* The statuses as weft-nm sends them (protocol.h), into the cluster's
 * array: in a full report every container the node still reports, else
 * the COMPLETE ones and the RUNNING ones no answered heartbeat carried
 * yet.  RET how many. */
static int sim_node_fill_statuses(struct sim_node *n, bool full)
{
	struct sim_cluster *c = n->cluster;
	int count = 0;

	if (c->cap_statuses < n->n_containers) {
		c->cap_statuses = n->n_containers * 2;
		c->statuses =
		        xreallocarray(c->statuses, (size_t)c->cap_statuses, sizeof *c->statuses);
	}
	for (int i = 0; i < n->n_containers; i++) {
		struct sim_container *ct = &n->containers[i];
		struct weft_container_status *st = &c->statuses[count];

		ct->sent = false;
		if (!full && !ct->complete && ct->delivered)
			continue;
		ct->sent = !ct->complete;
		st->container_id = ct->id;
		st->state = ct->complete ? WEFT_CONTAINER_COMPLETE : WEFT_CONTAINER_RUNNING;
		st->exit_status = ct->complete ? ct->exit_status : WEFT_EXIT_INVALID;
		st->diagnostics = NULL;
		count++;
	}
	return count;
}

/* The RM answered the heartbeat in flight: what it carried is known. */
static void sim_node_delivered(struct sim_node *n)
{
	for (int i = 0; i < n->n_containers; i++) {
		if (n->containers[i].sent)
			n->containers[i].delivered = true;
		n->containers[i].sent = false;
	}
	if (n->sent_full)
		n->partial_left = WEFT_NM_FULL_REPORT_EVERY - 1;
	else if (n->partial_left > 0)
		n->partial_left--;
}

/* Remember the container-token key ids the RM accepts (for nm_api). */
static void sim_cluster_learn_keys(struct sim_cluster *c, const int64_t *ids, int n)
{
	struct sls *sls = c->sls;

	if (n > SLS_MAX_KEY_IDS)
		n = SLS_MAX_KEY_IDS;
	for (int i = 0; i < n; i++)
		sls->key_ids[i] = ids[i];
	sls->n_key_ids = n;
}

/* The register answer (libweft gave up on retrying a failure). */
static void sim_node_register_cb(const struct weft_status *st, struct json_object *answer,
                                 const char *body, size_t len, void *arg)
{
	struct sim_node *n = arg;
	struct sim_cluster *c = n->cluster;
	struct proto_node_register_answer a;
	int64_t interval = c->interval_ms;
	char *why = NULL;

	(void)body;
	(void)len;
	n->in_flight = false;
	if (c->sls->stopping)
		return;
	if (!st->ok) {
		metrics_rpc_error(c->sls->metrics, "register", st);
		sim_arm(n->beat, SIM_RETRY_MS);
		return;
	}
	if (answer == NULL || proto_node_register_answer_decode(answer, &a, &why) != 0) {
		log_warn("%s: bad register answer: %s", n->id,
		         why != NULL ? why : "not a JSON object");
		free(why);
		sim_arm(n->beat, SIM_RETRY_MS);
		return;
	}
	if (a.has_key_ids)
		sim_cluster_learn_keys(c, a.key_ids, a.n_key_ids);
	if (a.heartbeat_interval_ms > 0)
		interval = a.heartbeat_interval_ms;
	if (interval < c->interval_ms)
		c->interval_ms = interval;
	metrics_count(c->sls->metrics, M_REGISTERS, 1);
	if (!n->registered) {
		n->registered = true;
		c->n_registered++;
	}
	/* A random phase within the period. */
	sim_arm(n->beat, random() % (c->interval_ms > 0 ? c->interval_ms : 1));
	if (!c->ready && c->n_registered == c->n_nodes) {
		c->ready = true;
		sls_cluster_ready(c->sls);
	}
}

static void sim_node_register(struct sim_node *n)
{
	struct sls *sls = n->cluster->sls;
	struct proto_node_register m = {
	        .node_id = n->id,
	        .http_address = sls->nm_http_address,
	        .rack = n->rack,
	        .memory_mb = n->capacity.memory_mb,
	        .vcores = n->capacity.vcores,
	        .version = WEFT_VERSION_STRING,
	        .heartbeat_interval_ms = n->cluster->interval_ms,
	};

	/* A new registration starts over with a full report. */
	for (int i = 0; i < n->n_containers; i++)
		n->containers[i].delivered = false;
	n->partial_left = 0;
	m.n_containers = sim_node_fill_statuses(n, true);
	m.containers = n->cluster->statuses;
	proto_node_register_write(n->cluster->buf, &m);
	sim_node_post(n, WEFT_RPC_NODE_REGISTER, sim_node_register_cb);
}

/* Every node registers now (the pool bounds how many calls are out). */
void sim_cluster_start(struct sim_cluster *c)
{
	for (int i = 0; i < c->n_nodes; i++)
		sim_node_register(&c->nodes[i]);
}

/* The container with that id, or NULL. */
static struct sim_container *sim_node_lookup(const struct sim_node *n, const char *id)
{
	for (int i = 0; i < n->n_containers; i++) {
		if (strcmp(n->containers[i].id, id) == 0)
			return &n->containers[i];
	}
	return NULL;
}

/* Drop record i (its end was acknowledged). */
static void sim_node_forget(struct sim_node *n, int i)
{
	n->containers[i] = n->containers[--n->n_containers];
}

/* Arm the end timer for the earliest running container (if earlier than
 * what it is armed for). */
static void sim_node_arm_end(struct sim_node *n, int64_t now)
{
	int64_t first = INT64_MAX;

	for (int i = 0; i < n->n_containers; i++) {
		if (!n->containers[i].complete && n->containers[i].end_us < first)
			first = n->containers[i].end_us;
	}
	if (first == INT64_MAX) {
		evtimer_del(n->end);
		n->end_armed_us = 0;
		return;
	}
	if (n->end_armed_us != 0 && n->end_armed_us <= first)
		return;
	n->end_armed_us = first;
	sim_arm(n->end, first > now ? (first - now + 999) / 1000 : 0);
}

/* A container ends: COMPLETE until acknowledged; an AM container that
 * its AM did not finish takes its application down with it. */
static void sim_node_complete(struct sim_node *n, struct sim_container *ct, int exit_status)
{
	struct sim_cluster *c = n->cluster;
	char id[WEFT_ID_MAX];
	bool am = ct->am;

	ct->complete = true;
	ct->exit_status = exit_status;
	n->n_running--;
	c->running--;
	metrics_count(c->sls->metrics, M_COMPLETED, 1);
	if (am) {
		snprintf(id, sizeof id, "%s", ct->id);
		sim_apps_am_container_ended(c->sls->apps, id, exit_status);
	}
}

/* The period: heartbeat (or retry the registration). */
static void sim_node_beat_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim_node *n = arg;

	(void)fd;
	(void)what;
	if (n->cluster->sls->stopping || n->shutdown)
		return;
	if (!n->registered) {
		if (!n->in_flight)
			sim_node_register(n);
		return;
	}
	sim_arm(n->beat, n->cluster->interval_ms);
	sim_node_send_heartbeat(n);
}

/* Containers whose time is up end now. */
static void sim_node_end_cb(evutil_socket_t fd, short what, void *arg)
{
	struct sim_node *n = arg;
	int64_t now = sls_now_us();
	bool ended = false;

	(void)fd;
	(void)what;
	n->end_armed_us = 0;
	for (int i = 0; i < n->n_containers; i++) {
		struct sim_container *ct = &n->containers[i];

		if (!ct->complete && ct->end_us <= now) {
			sim_node_complete(n, ct, WEFT_EXIT_SUCCESS);
			ended = true;
		}
	}
	sim_node_arm_end(n, now);
	if (ended && n->cluster->sls->sc->heartbeat_on_complete && n->registered)
		sim_node_send_heartbeat(n);
}

/* Whether container id belongs to application app_id (same timestamp
 * and sequence). */
static bool sim_container_of_app(const char *container_id, const char *app_id)
{
	weft_container_id_t cid;
	weft_app_id_t aid;

	return weft_container_id_parse(container_id, &cid) == 0 &&
	       weft_app_id_parse(app_id, &aid) == 0 && weft_app_id_equal(&cid.attempt.app, &aid);
}

/* Carry out a decoded heartbeat answer. */
static void sim_node_apply(struct sim_node *n, const struct proto_node_heartbeat_answer *a)
{
	n->response_id = a->response_id;
	sim_node_delivered(n);
	if (a->has_key_ids)
		sim_cluster_learn_keys(n->cluster, a->key_ids, a->n_key_ids);
	if (a->action == PROTO_NODE_ACTION_RESYNC) {
		log_info("%s: RESYNC: registering again", n->id);
		n->registered = false;
		n->cluster->n_registered--;
		n->again = false;
		sim_node_register(n);
		return;
	}
	if (a->action == PROTO_NODE_ACTION_SHUTDOWN) {
		log_warn("%s: told to shut down", n->id);
		n->shutdown = true;
		return;
	}
	for (int i = 0; i < a->n_containers_to_ack; i++) {
		const char *id = a->containers_to_ack[i];

		for (int k = 0; k < n->n_containers; k++) {
			if (n->containers[k].complete && strcmp(n->containers[k].id, id) == 0) {
				sim_node_forget(n, k);
				break;
			}
		}
	}
	for (int i = 0; i < a->n_containers_to_cleanup; i++) {
		struct sim_container *ct = sim_node_lookup(n, a->containers_to_cleanup[i]);

		if (ct != NULL && !ct->complete)
			sim_node_complete(n, ct, WEFT_EXIT_KILLED_BY_RESOURCEMANAGER);
	}
	for (int i = 0; i < a->n_apps_to_cleanup; i++) {
		const char *app = a->apps_to_cleanup[i];

		for (int k = 0; k < n->n_containers; k++) {
			struct sim_container *ct = &n->containers[k];

			if (!ct->complete && sim_container_of_app(ct->id, app))
				sim_node_complete(n, ct, WEFT_EXIT_KILLED_AFTER_APP_COMPLETION);
		}
	}
}

/* The heartbeat answer. */
static void sim_node_heartbeat_cb(const struct weft_status *st, struct json_object *answer,
                                  const char *body, size_t len, void *arg)
{
	struct sim_node *n = arg;
	struct sls *sls = n->cluster->sls;
	struct proto_node_heartbeat_answer a;
	char *why = NULL;

	(void)body;
	(void)len;
	n->in_flight = false;
	if (sls->stopping)
		return;
	if (!st->ok) {
		metrics_rpc_error(sls->metrics, "heartbeat", st);
		return;
	}
	metrics_count(sls->metrics, M_HEARTBEATS, 1);
	metrics_latency(sls->metrics, L_HEARTBEAT, rm_pool_service_us(sls->rpc_pool));
	if (answer == NULL || proto_node_heartbeat_answer_decode(answer, &a, &why) != 0) {
		log_warn("%s: bad heartbeat answer: %s", n->id,
		         why != NULL ? why : "not a JSON object");
		free(why);
	} else {
		sim_node_apply(n, &a);
		proto_node_heartbeat_answer_clear(&a);
	}
	sim_node_arm_end(n, sls_now_us());
	if (n->again && n->registered && !n->in_flight) {
		n->again = false;
		sim_node_send_heartbeat(n);
	}
}

static void sim_node_send_heartbeat(struct sim_node *n)
{
	struct proto_node_heartbeat m = {0};

	if (n->shutdown)
		return;
	if (n->in_flight) {
		n->again = true;
		return;
	}
	n->sent_full = n->partial_left <= 0;
	m.node_id = n->id;
	m.response_id = n->response_id;
	m.full_report = n->sent_full;
	m.healthy = true;
	m.n_containers = sim_node_fill_statuses(n, n->sent_full);
	m.containers = n->cluster->statuses;
	proto_node_heartbeat_write(n->cluster->buf, &m);
	sim_node_post(n, WEFT_RPC_NODE_HEARTBEAT, sim_node_heartbeat_cb);
}

int sim_node_start(struct sim_cluster *c, int node, const char *container_id, int64_t duration_ms,
                   bool am)
{
	struct sim_node *n;
	struct sim_container *ct;
	int64_t now = sls_now_us();

	if (node < 0 || node >= c->n_nodes || !c->nodes[node].registered)
		return -1;
	n = &c->nodes[node];
	if (sim_node_lookup(n, container_id) != NULL)
		return -1;
	if (n->n_containers == n->cap_containers) {
		n->cap_containers = n->cap_containers == 0 ? 8 : n->cap_containers * 2;
		n->containers = xreallocarray(n->containers, (size_t)n->cap_containers,
		                              sizeof *n->containers);
	}
	ct = &n->containers[n->n_containers++];
	memset(ct, 0, sizeof *ct);
	snprintf(ct->id, sizeof ct->id, "%s", container_id);
	ct->end_us = duration_ms < 0 ? INT64_MAX : now + duration_ms * 1000;
	ct->am = am;
	ct->exit_status = WEFT_EXIT_INVALID;
	n->n_running++;
	c->running++;
	metrics_count(c->sls->metrics, M_STARTED, 1);
	if (ct->end_us != INT64_MAX)
		sim_node_arm_end(n, now);
	return 0;
}

/* Killed (by the RM or its AM), or its AM exited: it ends now. */
int sim_node_stop(struct sim_cluster *c, int node, const char *container_id, int exit_status)
{
	struct sim_container *ct;

	if (node < 0 || node >= c->n_nodes)
		return -1;
	ct = sim_node_lookup(&c->nodes[node], container_id);
	if (ct == NULL || ct->complete)
		return -1;
	sim_node_complete(&c->nodes[node], ct, exit_status);
	if (c->sls->sc->heartbeat_on_complete && c->nodes[node].registered)
		sim_node_send_heartbeat(&c->nodes[node]);
	return 0;
}

int sim_node_status(const struct sim_cluster *c, int node, const char *container_id, bool *complete,
                    int *exit_status)
{
	const struct sim_container *ct;

	if (node < 0 || node >= c->n_nodes)
		return -1;
	ct = sim_node_lookup(&c->nodes[node], container_id);
	if (ct == NULL)
		return -1;
	*complete = ct->complete;
	*exit_status = ct->exit_status;
	return 0;
}
